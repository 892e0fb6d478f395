using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;
using Xunit;

namespace LvsAdmin.Tests.Configuration;

public class ConfigurationPlannerTests
{
    private static readonly ServiceKey Web = ServiceKey.Parse("tcp/10.0.0.1:80");
    private static readonly ServiceKey Other = ServiceKey.Parse("tcp/10.0.0.9:80");

    private static RealServer Rs(ServiceKey s, string a, int weight = 1) => new(s, IPAddress.Parse(a), s.Port) { Weight = weight };

    private static LvsConfiguration Doc(params ConfiguredService[] services) => new() { Services = services };

    private static ConfiguredService Svc(VirtualService s, params RealServer[] reals) => new(s, reals);

    [Fact]
    public void SameStateGivesAnEmptyPlan()
    {
        var d = Formats.ConfigurationJsonTests.Sample() with { Host = null };
        var plan = ConfigurationPlanner.Plan(d, d);
        Assert.True(plan.IsEmpty);
        Assert.Equal("No changes.", plan.ToString());
    }

    [Fact]
    public void ComparesModuloKernelDefaults()
    {
        var desired = Doc(Svc(new VirtualService(Web) { PersistenceTimeout = 0 },
            Rs(Web, "10.0.1.1"), new RealServer(Web, IPAddress.Parse("10.0.1.2"), 80) { ForwardingMethod = ForwardingMethod.Nat }));
        // The kernel keeps a timeout and netmask of a non-persistent service; a local real server reads back as Local;
        // a non-tunnel server may carry tunnel fields; counters are not configuration.
        var live = Doc(Svc(new VirtualService(Web) { PersistenceTimeout = 300, PersistenceNetmask = "255.255.0.0" },
            Rs(Web, "10.0.1.1") with { ForwardingMethod = ForwardingMethod.Local, ActiveConnections = 5 },
            new RealServer(Web, IPAddress.Parse("10.0.1.2"), 80) { ForwardingMethod = ForwardingMethod.Nat, TunnelType = TunnelType.Gue, TunnelPort = 9, InactiveConnections = 3 }));
        Assert.True(ConfigurationPlanner.Plan(desired, live).IsEmpty);
        // Persistent: netmask forms compare by value.
        var p1 = Doc(Svc(new VirtualService(Web) { Persistent = true, PersistenceTimeout = 360, PersistenceNetmask = "/24" }));
        var p2 = Doc(Svc(new VirtualService(Web) { Persistent = true, PersistenceTimeout = 360, PersistenceNetmask = "255.255.255.0" }));
        Assert.True(ConfigurationPlanner.Plan(p1, p2).IsEmpty);
        var p3 = Doc(Svc(new VirtualService(Web) { Persistent = true, PersistenceTimeout = 300, PersistenceNetmask = "255.255.255.0" }));
        var step = Assert.Single(ConfigurationPlanner.Plan(p1, p3).Steps);
        Assert.Equal(new[] { "PersistenceTimeout: 300 -> 360" }, step.Changes);
    }

    [Fact]
    public void WeightAndForwardingChangesAreInPlaceUpdates()
    {
        var live = Doc(Svc(new VirtualService(Web), Rs(Web, "10.0.1.1")));
        var desired = Doc(Svc(new VirtualService(Web), Rs(Web, "10.0.1.1", 7) with { ForwardingMethod = ForwardingMethod.Nat }));
        var s = Assert.Single(ConfigurationPlanner.Plan(desired, live).Steps);
        Assert.Equal((PlanAction.Update, PlanTargetType.RealServer), (s.Action, s.TargetType));
        Assert.Equal("tcp/10.0.0.1:80 -> 10.0.1.1:80", s.Target);
        Assert.Equal(new[] { "ForwardingMethod: DirectRouting -> Nat", "Weight: 1 -> 7" }, s.Changes);
        Assert.Equal(1, ((RealServer)s.Before!).Weight);
        Assert.Equal(7, ((RealServer)s.After!).Weight);
        Assert.Equal(1, s.Index);
        Assert.Equal("Update real server tcp/10.0.0.1:80 -> 10.0.1.1:80 (ForwardingMethod: DirectRouting -> Nat, Weight: 1 -> 7)", s.ToString());
    }

    [Fact]
    public void SchedulerAndPersistenceChangesAreServiceUpdates()
    {
        var live = Doc(Svc(new VirtualService(Web), Rs(Web, "10.0.1.1")));
        var desired = Doc(Svc(new VirtualService(Web) { Scheduler = "rr", Persistent = true, PersistenceTimeout = 60 }, Rs(Web, "10.0.1.1")));
        var s = Assert.Single(ConfigurationPlanner.Plan(desired, live).Steps);
        Assert.Equal((PlanAction.Update, PlanTargetType.Service), (s.Action, s.TargetType));
        Assert.Contains("Scheduler: wlc -> rr", s.Changes);
    }

    [Fact]
    public void IdentityChangeIsAddThenRemoveInSafeOrder()
    {
        var nat = Web;
        var live = Doc(Svc(new VirtualService(nat), new RealServer(nat, IPAddress.Parse("10.0.1.1"), 80) { ForwardingMethod = ForwardingMethod.Nat }),
            Svc(new VirtualService(Other), Rs(Other, "10.0.1.5")));
        var desired = Doc(
            Svc(new VirtualService(nat), new RealServer(nat, IPAddress.Parse("10.0.1.1"), 8080) { ForwardingMethod = ForwardingMethod.Nat }),
            Svc(new VirtualService(ServiceKey.Parse("tcp/10.0.0.2:443")), Rs(ServiceKey.Parse("tcp/10.0.0.2:443"), "10.0.1.1")));
        var plan = ConfigurationPlanner.Plan(desired, live, new PlanOptions { Prune = true });
        var summary = plan.Steps.Select(s => $"{s.Action} {s.TargetType} {s.Target}").ToArray();
        Assert.Equal(new[]
        {
            "Add Service tcp/10.0.0.2:443",
            "Add RealServer tcp/10.0.0.1:80 -> 10.0.1.1:8080",
            "Add RealServer tcp/10.0.0.2:443 -> 10.0.1.1:443",
            "Remove RealServer tcp/10.0.0.1:80 -> 10.0.1.1:80",
            "Remove RealServer tcp/10.0.0.9:80 -> 10.0.1.5:80",
            "Remove Service tcp/10.0.0.9:80",
        }, summary);
        Assert.Equal(Enumerable.Range(1, 6), plan.Steps.Select(s => s.Index));
        // Without prune the other service is out of scope.
        var scoped = ConfigurationPlanner.Plan(desired, live);
        Assert.DoesNotContain(scoped.Steps, s => s.Target.Contains("10.0.0.9"));
        Assert.Equal(4, scoped.Count);
    }

    [Fact]
    public void DrainMarksRealServerRemovals()
    {
        var live = Doc(Svc(new VirtualService(Web), Rs(Web, "10.0.1.1"), Rs(Web, "10.0.1.2")));
        var desired = Doc(Svc(new VirtualService(Web), Rs(Web, "10.0.1.1")));
        var s = Assert.Single(ConfigurationPlanner.Plan(desired, live, new PlanOptions { DrainRemovedRealServers = true }).Steps);
        Assert.True(s.Drain);
        Assert.EndsWith("(drained)", s.Description);
    }

    [Fact]
    public void TimeoutsAndDaemonsOnlyWhenTheDocumentHasThem()
    {
        var live = new LvsConfiguration { Timeouts = new IpvsTimeouts(900, 120, 300), SyncDaemons = new[] { new SyncDaemon { State = SyncDaemonState.Backup, Interface = "eth0", MaxLength = 1472, MulticastPort = 8848, MulticastTtl = 1, MulticastGroup = IPAddress.Parse("224.0.0.81") } } };
        Assert.True(ConfigurationPlanner.Plan(new LvsConfiguration(), live).IsEmpty);
        // 0 = leave as is; null daemon values = kernel default, not compared.
        var same = new LvsConfiguration { Timeouts = new IpvsTimeouts(0, 120, 0), SyncDaemons = new[] { new SyncDaemon { State = SyncDaemonState.Backup, Interface = "eth0" } } };
        Assert.True(ConfigurationPlanner.Plan(same, live).IsEmpty);
        var changed = new LvsConfiguration { Timeouts = new IpvsTimeouts(0, 60, 0), SyncDaemons = new[] { new SyncDaemon { State = SyncDaemonState.Master, Interface = "eth1" } } };
        var steps = ConfigurationPlanner.Plan(changed, live).Steps;
        Assert.Equal(3, steps.Count);
        Assert.Equal(new IpvsTimeouts(900, 60, 300), steps[0].After);
        Assert.Equal(new[] { "TcpFin: 120 -> 60" }, steps[0].Changes);
        Assert.Equal("Update timeouts (TcpFin: 120 -> 60)", steps[0].Description);
        Assert.Equal("Add sync daemon master", steps[1].Description);
        Assert.Equal((PlanAction.Add, "sync daemon master"), (steps[1].Action, steps[1].Target));
        Assert.Equal((PlanAction.Remove, "sync daemon backup"), (steps[2].Action, steps[2].Target));
    }

    [Fact]
    public void HostSettingsArePlanned()
    {
        var desired = new LvsConfiguration
        {
            Host = new HostConfiguration
            {
                Sysctls = new Dictionary<string, string> { ["net.ipv4.vs.conntrack"] = "1", ["net.ipv4.ip_forward"] = "1" },
                Addresses = new[] { new HostAddress("lo", IPAddress.Parse("10.0.0.1"), 32) },
            },
        };
        var live = new LvsConfiguration { Host = new HostConfiguration { Sysctls = new Dictionary<string, string> { ["net.ipv4.vs.conntrack"] = "0", ["net.ipv4.ip_forward"] = "1" }, Addresses = Array.Empty<HostAddress>() } };
        var steps = ConfigurationPlanner.Plan(desired, live).Steps;
        Assert.Equal(2, steps.Count);
        Assert.Equal("sysctl net.ipv4.vs.conntrack", steps[0].Target);
        Assert.Equal(new HostSettingValue("net.ipv4.vs.conntrack", "0"), steps[0].Before);
        Assert.Equal(PlanAction.Add, steps[1].Action);
        Assert.Equal("address 10.0.0.1/32 dev lo", steps[1].Target);
        Assert.Equal("Update host sysctl net.ipv4.vs.conntrack (net.ipv4.vs.conntrack: 0 -> 1)", steps[0].Description);
        Assert.Equal("Add host address 10.0.0.1/32 dev lo", steps[1].Description);
    }

    [Fact]
    public void InvalidDocumentsAreRefusedBeforePlanning()
    {
        var bad = Doc(Svc(new VirtualService(Web), Rs(Web, "10.0.1.1"), Rs(Web, "10.0.1.1", 3), Rs(Other, "10.0.1.2")),
            Svc(new VirtualService(Web) { Scheduler = "Bad Name" }));
        var e = Assert.Throws<ConfigurationInvalidException>(() => ConfigurationPlanner.Plan(bad, new LvsConfiguration()));
        Assert.Equal("ConfigurationInvalid", e.ErrorId);
        Assert.Contains(e.Problems, p => p.Contains("listed twice") && p.Contains("10.0.1.1"));
        Assert.Contains(e.Problems, p => p.Contains("belongs to tcp/10.0.0.9:80"));
        Assert.Contains(e.Problems, p => p.Contains("Virtual service tcp/10.0.0.1:80 is listed twice"));
        Assert.Contains(e.Problems, p => p.Contains("Scheduler"));
        Assert.Throws<ConfigurationInvalidException>(() => ConfigurationPlanner.Plan(new LvsConfiguration { SchemaVersion = 2 }, new LvsConfiguration()));
        // A sync daemon next to a real server of the other family: the kernel refuses it, so the document is invalid.
        var six = ServiceKey.Parse("tcp/[2001:db8::1]:80");
        var mixed = new LvsConfiguration
        {
            Services = new[] { Svc(new VirtualService(six), new RealServer(six, IPAddress.Parse("10.0.1.1"), 80) { ForwardingMethod = ForwardingMethod.Tunnel }) },
            SyncDaemons = new[] { new SyncDaemon { State = SyncDaemonState.Backup, Interface = "eth0" } },
        };
        var m = Assert.Throws<ConfigurationInvalidException>(() => ConfigurationPlanner.Plan(mixed, new LvsConfiguration()));
        Assert.Contains("another address family", m.Message);
        ConfigurationPlanner.Plan(mixed with { SyncDaemons = null }, new LvsConfiguration());
    }

    private static bool Valid(RealServer r)
    {
        try
        {
            IpvsValidation.ValidateRealServer(r);
            return true;
        }
        catch (IpvsValidationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Real servers are paired by address and port whatever order the kernel lists them in (its own, the reverse,
    /// shuffled), for a few (scanned) and for many (indexed) real servers; the steps follow the document's order.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(200)]
    public void RealServersArePairedInAnyOrder(int count)
    {
        var reals = Enumerable.Range(0, count).Select(i => new RealServer(Web, IPAddress.Parse($"10.1.{i / 250}.{i % 250 + 1}"), (ushort)(80 + i % 3)) { ForwardingMethod = ForwardingMethod.Nat }).ToList();
        var desired = Doc(Svc(new VirtualService(Web), reals.ToArray()));
        var r = new Random(count);
        var orders = new[] { reals.ToList(), Enumerable.Reverse(reals).ToList(), reals.OrderBy(_ => r.Next()).ToList() };
        foreach (var order in orders)
        {
            Assert.True(ConfigurationPlanner.Plan(desired, Doc(Svc(new VirtualService(Web), order.ToArray()))).IsEmpty);

            // The first and the last desired real server change weight, the middle one is not live, one live extra goes.
            var live = order.Where(x => !x.Equals(reals[count / 2]) || count == 1).Select(x => x.Equals(reals[0]) || x.Equals(reals[^1]) ? x with { Weight = 5 } : x).ToList();
            var extra = new RealServer(Web, IPAddress.Parse("10.9.9.9"), 80) { ForwardingMethod = ForwardingMethod.Nat };
            live.Insert(live.Count / 2, extra);
            var plan = ConfigurationPlanner.Plan(desired, Doc(Svc(new VirtualService(Web), live.ToArray())));
            var expected = new List<string>();
            for (var i = 0; i < count; i++)
            {
                if (i == count / 2 && count > 1) expected.Add("Add " + ConfigurationPlanner.RealTarget(reals[i]));
                else if (i == 0 || i == count - 1) expected.Add("Update " + ConfigurationPlanner.RealTarget(reals[i]));
            }
            expected.Add("Remove " + ConfigurationPlanner.RealTarget(extra));
            Assert.Equal(expected, plan.Steps.Select(x => x.Action + " " + x.Target).ToList());
        }
    }

    /// <summary>Property: for random live and desired tables, applying the plan to the live table gives the desired one (in scope), and planning again gives nothing.</summary>
    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(34)]
    public void ApplyingThePlanReachesTheDesiredState(int seed)
    {
        var r = new Random(seed);
        var live = ConfigurationGenerator.Document(seed, 60, sections: false);
        // Desired: keep some services as they are, change some, drop some, add new ones.
        var services = new List<ConfiguredService>();
        foreach (var s in live.Services)
        {
            switch (r.Next(4))
            {
                case 0: services.Add(s); break;
                case 1: break;
                case 2:
                    services.Add(new ConfiguredService(ConfigurationGenerator.Service(r, s.Key),
                        s.RealServers.Where(_ => r.Next(3) > 0).Select(x => r.Next(2) == 0 ? x : ConfigurationGenerator.RealServer(r, s.Key) with { Address = x.Address, Port = x.Port })
                            .Where(Valid).ToList()));
                    break;
                default:
                    services.Add(s with { RealServers = s.RealServers.Select(x => x with { Weight = r.Next(0, 100) }).ToList() });
                    break;
            }
        }
        services.AddRange(ConfigurationGenerator.Document(seed + 1000, 10, sections: false).Services.Where(n => live.FindService(n.Key) is null));
        var desired = new LvsConfiguration { Services = services };
        foreach (var prune in new[] { false, true })
        {
            var fake = FakeIpvs.From(live);
            var result = new ConfigurationApplier(fake, null, _ => { }).Apply(desired, new PlanOptions { Prune = prune });
            Assert.True(result.Succeeded, result.Error?.Message);
            var after = fake.Snapshot();
            Assert.True(ConfigurationPlanner.Plan(desired, after, new PlanOptions { Prune = prune }).IsEmpty);
            foreach (var s in live.Services.Where(s => desired.FindService(s.Key) is null))
                Assert.Equal(!prune, after.FindService(s.Key) is not null);
            // Unchanged services were not touched.
            foreach (var s in services.Where(s => live.Services.Contains(s)))
                Assert.DoesNotContain(fake.Log, l => l.Contains(s.Key.ToString() + " ") || l.EndsWith(s.Key.ToString()));
        }
    }
}
