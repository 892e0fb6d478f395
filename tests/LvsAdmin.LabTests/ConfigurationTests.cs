using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.LabTests;

/// <summary>
/// Configuration as code against the lab kernel and Debian's ipvsadm 1.31: ipvsadm files import exactly, JSON round
/// trips from a live table, plan/apply edits in place, and a kernel failure halfway is rolled back.
/// </summary>
public sealed class ConfigurationTests
{
    // ipvsadm and the sip probe are DifferentialTests' (the same runner, skip reason and probe).
    private static string IpvsadmOut(string arguments, string? stdin = null) => DifferentialTests.IpvsadmOut(arguments, stdin);
    private static void RequireIpvsadm() => DifferentialTests.RequireIpvsadm();
    private static bool SipAvailable(IpvsClient client) => DifferentialTests.SipAvailable(client);

    /// <summary>
    /// (1) A varied seeded table loaded by ipvsadm -R and saved with ipvsadm -Sn imports exactly: the plan against
    /// the live table is empty; after a flush, applying the document gives the same ipvsadm -Sn bytes.
    /// </summary>
    [LabTest]
    public void IpvsadmSaveImportsExactly(LabContext ctx)
    {
        RequireIpvsadm();
        var client = ctx.Client;
        var gen = new DifferentialGenerator(5150, SipAvailable(client));
        var table = gen.Table(200);
        IpvsadmOut("-C");
        IpvsadmOut("-R", gen.VariedRules(table));
        var saved = IpvsadmOut("-Sn");
        Check.Equal(ConfigurationFormat.Ipvsadm, ConfigurationFile.DetectFormat(saved), "format detected");
        var doc = ConfigurationFile.Parse(saved);
        Check.Equal(200, doc.Services.Count, "services in the saved file");
        // Load ipvsadm's own save (the format has no thresholds, so the table must come from the file itself).
        // ipvsadm prints marks above 2^31 negative and then refuses them in -R: give those to it unsigned.
        IpvsadmOut("-C");
        IpvsadmOut("-R", Regex.Replace(saved, @"-f (-\d+)", m => "-f " + unchecked((uint)int.Parse(m.Groups[1].Value))));
        // ipvsadm's own sort depends on the kernel's order (its comparison overflows), so the reference text is
        // what it prints for the table loaded from this file, in this file's order.
        var reference = IpvsadmOut("-Sn");
        var plan = ConfigurationPlanner.Plan(client, doc);
        Check.True(plan.IsEmpty, "plan of ipvsadm's own save against the live table is empty, got:\n" + plan);
        Check.True(ConfigurationPlanner.Plan(client, doc, new PlanOptions { Prune = true }).IsEmpty, "also with -Prune");
        client.Flush();
        var result = new ConfigurationApplier(client).Apply(doc);
        Check.True(result.Succeeded, "apply: " + result.Error?.Message);
        Check.Equal(200 + doc.RealServerCount, result.Completed.Count, "one step per service and real server");
        Check.SameText(reference, IpvsadmOut("-Sn"), "ipvsadm -Sn after applying the imported document (same file order as ipvsadm -R)");
        Check.SameText(reference, ConfigurationIpvsadm.Write(LiveConfiguration.Read(client)), "the library's export of the live table");
        Check.True(ConfigurationPlanner.Plan(ConfigurationFile.Parse(reference), LiveConfiguration.Read(client), new PlanOptions { Prune = true }).IsEmpty, "the reference file matches too");
        Console.WriteLine($"  {saved.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length} rules imported exactly; apply took {result.Completed.Count} steps; ipvsadm -Sn {(saved == reference ? "is a fixed point" : "re-sorts after -R (kernel order)")}");
    }

    private static void WithSyncInterface(Action body) => SyncInterface.Use("lvscfg0", "192.168.251.1/24", null, body);

    /// <summary>
    /// (1) JSON export → import → export is identical from a live table with thresholds, tunnel options, timeouts
    /// and a sync daemon; applying the imported document to an empty kernel exports the same JSON again.
    /// </summary>
    [LabTest]
    public void JsonRoundTripFromLiveTable(LabContext ctx)
    {
        var client = ctx.Client;
        WithSyncInterface(() =>
        {
            var gen = new DifferentialGenerator(8086, SipAvailable(client));
            var table = gen.Table(150);
            var r = new Random(8086);
            var ops = new List<IpvsOperation>();
            foreach (var (s, reals) in table)
            {
                ops.Add(new AddServiceOperation(s));
                // No real servers of the other family: the kernel runs no sync daemon next to them (EINVAL).
                foreach (var x in reals.Where(x => x.AddressFamily == s.AddressFamily))
                {
                    var upper = (uint)r.Next(0, 3) * (uint)r.Next(1, 5000);
                    ops.Add(new AddRealServerOperation(x with { UpperThreshold = upper, LowerThreshold = upper == 0 ? 0 : (uint)r.Next(0, (int)upper) }));
                }
            }
            Check.True(client.Apply(ops).All(x => x.Succeeded), "table applied");
            client.SetTimeouts(new IpvsTimeouts(1234, 56, 78));
            client.StartSyncDaemon(new SyncDaemon
            {
                State = SyncDaemonState.Master, Interface = "lvscfg0", SyncId = 42, MaxLength = 1200,
                MulticastGroup = IPAddress.Parse("239.1.2.3"), MulticastPort = 9000, MulticastTtl = 3,
            });
            var live = LiveConfiguration.Read(client);
            Check.True(live.Services.SelectMany(s => s.RealServers).Any(x => x.UpperThreshold > 0), "thresholds in the live table");
            Check.True(live.Services.SelectMany(s => s.RealServers).Any(x => x.TunnelType == TunnelType.Gue), "gue tunnels in the live table");
            var json = ConfigurationJson.Write(live);
            var imported = ConfigurationFile.Parse(json);
            Check.SameText(json, ConfigurationJson.Write(imported), "export -> import -> export");
            Check.True(ConfigurationPlanner.Plan(client, imported).IsEmpty, "imported document matches the live state");

            client.Flush();
            client.StopSyncDaemon(SyncDaemonState.Master);
            client.SetTimeouts(new IpvsTimeouts(900, 120, 300));
            var result = new ConfigurationApplier(client).Apply(imported);
            Check.True(result.Succeeded, "apply: " + result.Error?.Message);
            Check.SameText(json, ConfigurationJson.Write(LiveConfiguration.Read(client)), "export after applying the document to an empty kernel");
            Console.WriteLine($"  {live.Services.Count} services, {live.RealServerCount} real servers, timeouts and a sync daemon: {json.Length} bytes of JSON round-trip");
        });
    }

    /// <summary>
    /// (2) A plan whose later step needs a scheduler no kernel has (ip_vs_nosched: the name is valid, the module does
    /// not exist, on every kernel the lab boots) fails at that step; every step before it is rolled back: the table,
    /// the timeouts and the sync daemons are as before.
    /// </summary>
    [LabTest]
    public void RollbackAfterInjectedFailure(LabContext ctx)
    {
        RequireIpvsadm();
        var client = ctx.Client;
        var rules =
            "-A -t 10.80.0.1:80 -s rr\n-a -t 10.80.0.1:80 -r 10.80.1.1:80 -g -w 1\n-a -t 10.80.0.1:80 -r 10.80.1.2:80 -g -w 2\n" +
            "-A -u 10.80.0.2:53 -s wlc -o\n-a -u 10.80.0.2:53 -r 10.80.1.3:5353 -m -w 3\n" +
            "-A -f 80 -s sh -p 600 -b sh-port\n-a -f 80 -r 10.80.1.4:0 -g -w 4\n";
        IpvsadmOut("-R", rules);
        client.SetTimeouts(new IpvsTimeouts(901, 121, 301));
        var before = IpvsadmOut("-Sn");
        var beforeTimeouts = client.GetTimeouts();
        var web = ServiceKey.Parse("tcp/10.80.0.1:80");
        var dns = ServiceKey.Parse("udp/10.80.0.2:53");
        var missing = ServiceKey.Parse("tcp/10.80.0.9:80");
        var desired = new LvsConfiguration
        {
            Services = new[]
            {
                new ConfiguredService(new VirtualService(web) { Scheduler = "wrr" }, new[]
                {
                    new RealServer(web, IPAddress.Parse("10.80.1.1"), 80) { Weight = 10 },
                    new RealServer(web, IPAddress.Parse("10.80.1.5"), 80) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre },
                }),
                new ConfiguredService(new VirtualService(ServiceKey.Parse("tcp/10.80.0.3:443")) { Persistent = true, PersistenceTimeout = 360 }, new[] { new RealServer(ServiceKey.Parse("tcp/10.80.0.3:443"), IPAddress.Parse("10.80.1.6"), 443) }),
                new ConfiguredService(new VirtualService(missing) { Scheduler = "nosched" }, new[] { new RealServer(missing, IPAddress.Parse("10.80.1.7"), 80) }),
                new ConfiguredService(new VirtualService(dns) { Scheduler = "rr", OnePacket = true }, Array.Empty<RealServer>()),
            },
            Timeouts = new IpvsTimeouts(7200, 0, 0),
        };
        var plan = ConfigurationPlanner.Plan(client, desired, new PlanOptions { Prune = true });
        var failing = plan.Steps.First(s => s.Target == missing.ToString());
        Check.True(failing.Index > 2, $"the nosched step comes after others (step {failing.Index} of {plan.Count})");
        var result = new ConfigurationApplier(client).Apply(plan);
        Check.True(!result.Succeeded, "the apply failed");
        Check.Equal(failing.Index, result.FailedStep!.Index, "failed step");
        var e = (ConfigurationApplyException)result.Error!;
        Check.Equal("ApplyFailedRolledBack", e.ErrorId, "error id");
        Check.True(e.Error is SchedulerNotFoundException, "the kernel error is kept: " + e.Error.GetType().Name + " " + e.Error.Message);
        Check.True(result.RolledBack && !result.Changed, "rolled back, nothing changed");
        Check.SameText(before, IpvsadmOut("-Sn"), "ipvsadm -Sn after the rollback");
        Check.Equal(beforeTimeouts, client.GetTimeouts(), "timeouts after the rollback");
        Console.WriteLine($"  failed at step {failing.Index}/{plan.Count}: {e.Error.Message}");

        // The same with a failure outside the table: a sync daemon on an interface that does not exist, after the
        // whole table batch and the timeouts went through.
        var withDaemon = desired with
        {
            Services = desired.Services.Where(s => !s.Key.Equals(missing)).ToList(),
            SyncDaemons = new[] { new SyncDaemon { State = SyncDaemonState.Backup, Interface = "nosuchif9" } },
        };
        var result2 = new ConfigurationApplier(client).Apply(withDaemon, new PlanOptions { Prune = true });
        Check.True(!result2.Succeeded && result2.RolledBack, "daemon failure rolled back: " + result2.Error?.Message);
        Check.Equal(PlanTargetType.SyncDaemon, result2.FailedStep!.TargetType, "failed step type");
        Check.True(result2.Plan.Count > 5, "many steps were undone");
        Check.SameText(before, IpvsadmOut("-Sn"), "ipvsadm -Sn after the second rollback");
        Check.Equal(beforeTimeouts, client.GetTimeouts(), "timeouts after the second rollback");
        Check.Equal(0, client.GetSyncDaemons().Count, "no daemon");
        client.SetTimeouts(new IpvsTimeouts(900, 120, 300));
        Console.WriteLine($"  daemon failure at step {result2.FailedStep.Index}/{result2.Plan.Count}: {result2.Error!.InnerException?.Message}");
    }

    /// <summary>
    /// (3) A weight, threshold, forwarding and scheduler change is applied in place (SET_DEST/SET_SERVICE): an
    /// established connection's entry survives, with the same real server still counting it.
    /// </summary>
    [LabTest]
    public void PlanAppliesEditsInPlace(LabContext ctx)
    {
        using var lab = ConnectionLab.Up();
        var ipvs = lab.DirectorIpvs;
        var key = ServiceKey.Parse("tcp/10.71.0.100:80");
        var real = new RealServer(key, ConnectionLab.RealV4, 8080) { ForwardingMethod = ForwardingMethod.Nat };
        var doc = new LvsConfiguration { Services = new[] { new ConfiguredService(new VirtualService(key) { Scheduler = "rr" }, new[] { real }) } };
        var applier = new ConfigurationApplier(ipvs);
        Check.True(applier.Apply(doc).Succeeded, "initial apply");
        lab.Listen(new IPEndPoint(IPAddress.Any, 8080));
        var local = new IPEndPoint(ConnectionLab.ClientV4, 40123);
        lab.Connect(local, new IPEndPoint(ConnectionLab.Vip, 80));
        IpvsConnection? Entry() => ConnectionTable.Read(ConnectionLab.Director, ConnectionTableSource.Plain)
            .FirstOrDefault(c => c.ClientPort == 40123 && c.RealServerAddress.Equals(ConnectionLab.RealV4) && !c.IsTemplate);
        var entry = Entry();
        Check.True(entry is not null && entry.State == "ESTABLISHED", "connection entry before: " + entry);

        var changed = doc with
        {
            Services = new[] { new ConfiguredService(new VirtualService(key) { Scheduler = "wlc", Persistent = false },
                new[] { real with { Weight = 7, UpperThreshold = 100, LowerThreshold = 10 } }) },
        };
        var plan = ConfigurationPlanner.Plan(ipvs, changed);
        Check.Equal(2, plan.Count, "two steps: " + plan);
        Check.True(plan.Steps.All(s => s.Action == PlanAction.Update), "only updates: " + plan);
        var result = applier.Apply(plan);
        Check.True(result.Succeeded && result.Changed, "apply: " + result.Error?.Message);
        var after = Entry();
        Check.True(after is not null && after.State == "ESTABLISHED", "the connection entry survived the edit: " + after);
        var live = ipvs.GetRealServers(key).Single();
        Check.Equal(7, live.Weight, "weight");
        Check.Equal(1u, live.ActiveConnections, "the real server still counts the connection (not deleted and re-added)");
        Check.Equal("wlc", ipvs.GetService(key)!.Scheduler, "scheduler");
        Check.True(ConfigurationPlanner.Plan(ipvs, changed).IsEmpty, "idempotent");
        var again = applier.Apply(changed);
        Check.True(again.Succeeded && !again.Changed, "second apply changes nothing");
    }

    /// <summary>
    /// A document of 70 services x 10 real servers, read with one table dump (more than
    /// LiveConfiguration.IndividualReadLimit services) and without statistics: the steps come in document order
    /// although the comparison sees the kernel's order, an unchanged document plans nothing, and an invalid one is
    /// refused with its problems and leaves the table as it was.
    /// </summary>
    [LabTest]
    public void LargePlanKeepsDocumentOrder(LabContext ctx)
    {
        var ipvs = ctx.Client;
        static ServiceKey Key(int i) => ServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse($"10.80.{i / 250}.{i % 250 + 1}"), 80);
        static ConfiguredService Service(int i) => new(new VirtualService(Key(i)) { Scheduler = "wlc" },
            Enumerable.Range(0, 10).Select(j => new RealServer(Key(i), IPAddress.Parse($"10.81.{i}.{j + 1}"), 80) { ForwardingMethod = ForwardingMethod.Nat }).ToList());
        var services = Enumerable.Range(0, 70).Select(Service).ToList();
        var doc = new LvsConfiguration { Services = services };
        Check.True(services.Count > LiveConfiguration.IndividualReadLimit, "more services than are read one by one");
        var applier = new ConfigurationApplier(ipvs);
        Check.True(applier.Apply(doc).Succeeded, "initial apply");
        Check.True(ConfigurationPlanner.Plan(ipvs, doc).IsEmpty, "an unchanged document plans nothing");

        // Changes at positions 50 and 3, and a new service at 10: adds and updates in document order.
        var changed = services.ToList();
        changed[50] = changed[50] with { RealServers = changed[50].RealServers.Select((r, j) => j == 4 ? r with { Weight = 9 } : r).ToList() };
        changed[3] = changed[3] with { Service = changed[3].Service with { Scheduler = "rr" } };
        changed.Insert(10, new ConfiguredService(new VirtualService(ServiceKey.Parse("tcp/10.82.0.1:443")) { Scheduler = "sh" },
            new[] { new RealServer(ServiceKey.Parse("tcp/10.82.0.1:443"), IPAddress.Parse("10.83.0.1"), 443) { ForwardingMethod = ForwardingMethod.Nat } }));
        var plan = ConfigurationPlanner.Plan(ipvs, doc with { Services = changed });
        var order = string.Join(" | ", plan.Steps.Select(s => s.Action + " " + s.Target));
        Check.Equal($"Update {Key(3)} | Add tcp/10.82.0.1:443 | Add tcp/10.82.0.1:443 -> 10.83.0.1:443 | Update {Key(50)} -> 10.81.50.5:80", order, "steps");
        Check.True(applier.Apply(plan).Succeeded, "apply the three changes");
        Check.True(ConfigurationPlanner.Plan(ipvs, doc with { Services = changed }).IsEmpty, "applied: nothing left to plan");

        // An invalid entry at the end of a large document: refused before anything changes, its problems named.
        var before = LiveConfiguration.Read(ipvs);
        var bad = changed.ToList();
        bad[^1] = bad[^1] with { RealServers = bad[^1].RealServers.Select((r, j) => j == 9 ? r with { LowerThreshold = 5 } : r).ToList() };
        bad[0] = bad[0] with { Service = bad[0].Service with { Scheduler = "no such scheduler!" } };
        try
        {
            ConfigurationPlanner.Plan(ipvs, doc with { Services = bad });
            throw new CheckException("an invalid document was planned");
        }
        catch (ConfigurationInvalidException e)
        {
            Check.Equal(2, e.Problems.Count, "problems: " + string.Join("; ", e.Problems));
            Check.True(e.Problems[0].StartsWith(Key(0).ToString(), StringComparison.Ordinal) && e.Problems[1].Contains("Lower threshold 5", StringComparison.Ordinal),
                "problems: " + string.Join("; ", e.Problems));
        }
        Check.Equal(ConfigurationJson.Write(before), ConfigurationJson.Write(LiveConfiguration.Read(ipvs)), "the table after the refused document");
    }

    /// <summary>
    /// The host section through the host-setup layer, in a fresh network namespace: sysctls and a VIP on lo are
    /// planned, applied, read back for export, and rolled back when a later step fails.
    /// </summary>
    [LabTest]
    public void HostSectionAppliesThroughHostSetup(LabContext ctx)
    {
        const string name = "lvscfg-host";
        LabContext.Run("ip", "netns del " + name);
        LabContext.Sh($"ip netns add {name} && ip -n {name} link set lo up");
        try
        {
            var ns = "/run/netns/" + name;
            using var ipvs = IpvsClient.Open(ns);
            using var host = HostSetupStateBackend.Open(ns);
            var key = ServiceKey.Parse("tcp/10.90.0.1:80");
            var doc = new LvsConfiguration
            {
                Services = new[] { new ConfiguredService(new VirtualService(key) { Scheduler = "rr" }, new[] { new RealServer(key, IPAddress.Parse("10.90.1.1"), 80) }) },
                Host = new HostConfiguration
                {
                    Sysctls = new Dictionary<string, string> { ["net.ipv4.vs.expire_quiescent_template"] = "1", ["net.ipv4.vs.conntrack"] = "1" },
                    Addresses = new[] { new HostAddress("lo", IPAddress.Parse("10.90.0.1"), 32) },
                },
            };
            var plan = ConfigurationPlanner.Plan(ipvs, doc, host: host);
            Check.Equal(5, plan.Count, "service, real server, two sysctls, one address: " + plan);
            var applier = new ConfigurationApplier(ipvs, host);
            var result = applier.Apply(plan);
            Check.True(result.Succeeded, "apply: " + result.Error?.Message);
            Check.Equal("1", host.ReadSysctl("net.ipv4.vs.expire_quiescent_template"), "sysctl written in the namespace");
            Check.True(host.ReadAddresses("lo").Any(a => a.Address.Equals(IPAddress.Parse("10.90.0.1")) && a.PrefixLength == 32), "VIP on lo");
            Check.True(ConfigurationPlanner.Plan(ipvs, doc, host: host).IsEmpty, "nothing left to do");
            var export = host.ReadForExport();
            Check.Equal("1", export.Sysctls!["net.ipv4.vs.conntrack"], "exported sysctl");
            Check.True(export.Addresses!.Any(a => a.ToString() == "10.90.0.1/32 dev lo"), "exported address");
            Check.True(!export.Addresses!.Any(a => IPAddress.IsLoopback(a.Address)), "no loopback addresses exported");

            // Host steps come first in a plan; a later failure (a sync daemon on a missing interface) rolls them back.
            var bad = doc with
            {
                Host = new HostConfiguration
                {
                    Sysctls = new Dictionary<string, string> { ["net.ipv4.vs.expire_quiescent_template"] = "0" },
                    Addresses = new[] { new HostAddress("lo", IPAddress.Parse("10.90.0.2"), 32) },
                },
                SyncDaemons = new[] { new SyncDaemon { State = SyncDaemonState.Master, Interface = "nosuchif8" } },
            };
            var failed = applier.Apply(bad);
            Check.True(!failed.Succeeded && failed.RolledBack, "rolled back: " + failed.Error?.Message);
            Check.Equal("1", host.ReadSysctl("net.ipv4.vs.expire_quiescent_template"), "sysctl restored");
            Check.True(!host.ReadAddresses("lo").Any(a => a.Address.Equals(IPAddress.Parse("10.90.0.2"))), "added address removed again");
        }
        finally
        {
            LabContext.Run("ip", "netns del " + name);
        }
    }
}
