using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using LvsAdmin.Formats;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;

namespace LvsAdmin.LabTests;

/// <summary>
/// Differential tests against Debian's keepalived 2.2.7 on the lab kernel: a generated table is built by LvsAdmin in
/// one network namespace, read and exported as a keepalived.conf; keepalived (checker only, no VRRP) is started on
/// the file in a second namespace, and the table it builds must equal the file imported by LvsAdmin — LvsAdmin's read
/// and ipvsadm -Sn alike — and a plan of the file against that table must have no step.
/// </summary>
public sealed class KeepalivedTests
{
    private const string Keepalived = "/usr/sbin/keepalived";
    private const int ServiceCount = 130;

    internal static void RequireKeepalived()
    {
        if (!File.Exists(Keepalived)) LabContext.Skip("keepalived is not installed on the host (apt-get install keepalived)");
        DifferentialTests.RequireIpvsadm();
    }

    /// <summary>A network namespace made for the test and deleted after it.</summary>
    internal sealed class Namespace : IDisposable
    {
        public Namespace(string name)
        {
            Name = name;
            LabContext.Run("ip", "netns del " + name);
            LabContext.RunOk("ip", "netns add " + name);
            LabContext.RunOk("ip", $"-n {name} link set lo up");
        }

        public string Name { get; }
        public string Path => "/run/netns/" + Name;

        public string Ipvsadm(string arguments) => LabContext.RunOk("ip", $"netns exec {Name} /usr/sbin/ipvsadm {arguments}");

        public void Dispose() => LabContext.Run("ip", "netns del " + Name);
    }

    /// <summary>
    /// keepalived started in a namespace on a file, logging to the console, its pid files beside the file: checker
    /// process only (--check, no VRRP) unless <c>checkerOnly</c> is false (then VRRP too).
    /// </summary>
    internal sealed class KeepalivedProcess : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _log = new();
        private readonly string _dir;

        public KeepalivedProcess(Namespace ns, string file, bool checkerOnly = true)
        {
            _dir = System.IO.Path.GetDirectoryName(file)!;
            var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "netns", "exec", ns.Name, Keepalived, "--dont-fork", "--log-console", "--log-detail",
                         "--use-file", file, "--pid", System.IO.Path.Combine(_dir, "keepalived.pid"),
                         "--checkers_pid", System.IO.Path.Combine(_dir, "checkers.pid"), "--vrrp_pid", System.IO.Path.Combine(_dir, "vrrp.pid") })
                psi.ArgumentList.Add(a);
            if (checkerOnly) psi.ArgumentList.Add("--check");
            _process = Process.Start(psi) ?? throw new CheckException("cannot start keepalived");
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public bool Exited => _process.HasExited;

        public string Log
        {
            get { lock (_log) return _log.ToString(); }
        }

        /// <summary>Stops keepalived the way a service manager does (SIGTERM) and waits for it to end.</summary>
        public void Stop()
        {
            if (_process.HasExited) return;
            LabContext.Run("/bin/kill", "-TERM " + _process.Id);
            if (!_process.WaitForExit(60_000)) _process.Kill(true);
        }

        public void Dispose()
        {
            Stop();
            _process.Dispose();
        }
    }

    /// <summary>Waits until the namespace's table has <paramref name="services"/> services and <paramref name="reals"/> real servers, unchanged for two reads.</summary>
    internal static LvsConfiguration WaitForTable(IpvsClient client, KeepalivedProcess keepalived, int services, int reals)
    {
        var deadline = DateTime.UtcNow.AddSeconds(300);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (keepalived.Exited) throw new CheckException("keepalived exited early:\n" + keepalived.Log);
            var live = LiveConfiguration.Read(client);
            var now = live.ToString();
            if (live.Services.Count == services && live.RealServerCount == reals && now == last) return live;
            last = now;
            Thread.Sleep(2000);
        }
        throw new CheckException($"keepalived did not build {services} services with {reals} real servers within 300 s; log:\n" + keepalived.Log);
    }

    /// <summary>Same services and settings; per service the same set of real servers (the kernel keeps its own order).</summary>
    private static void SameDocument(LvsConfiguration expected, LvsConfiguration actual, string what)
    {
        var a = actual.Services.ToDictionary(s => s.Key);
        foreach (var e in expected.Services)
        {
            if (!a.TryGetValue(e.Key, out var s)) throw new CheckException($"{what}: service {e.Key} is missing");
            if (!e.Service.Equals(s.Service)) throw new CheckException($"{what}: service {e.Key} differs:\n  expected {ConfigurationJson.Write(new LvsConfiguration { Services = new[] { e } })}\n  actual   {ConfigurationJson.Write(new LvsConfiguration { Services = new[] { s } })}");
            var missing = e.RealServers.Where(r => !s.RealServers.Contains(r)).ToList();
            var extra = s.RealServers.Where(r => !e.RealServers.Contains(r)).ToList();
            if (missing.Count > 0 || extra.Count > 0)
                throw new CheckException($"{what}: real servers of {e.Key} differ: missing {string.Join(", ", missing.Select(r => r.Key + " " + r.ForwardingMethod + " w" + r.Weight))}; extra {string.Join(", ", extra.Select(r => r.Key + " " + r.ForwardingMethod + " w" + r.Weight))}");
        }
        if (actual.Services.Count != expected.Services.Count)
            throw new CheckException($"{what}: {actual.Services.Count} services, expected {expected.Services.Count}");
        Check.Equal(expected.Timeouts, actual.Timeouts, what + ": timeouts");
    }

    /// <summary>
    /// Export a generated live table to a keepalived.conf, start keepalived on it, and compare: LvsAdmin's read and
    /// ipvsadm -Sn of keepalived's table equal the file imported by LvsAdmin, which equals the exported table but for
    /// what the export warned about; the plan of the file against keepalived's table is empty.
    /// </summary>
    [LabTest]
    public void KeepalivedBuildsTheExportedTable(LabContext ctx)
    {
        RequireKeepalived();
        var dir = Directory.CreateTempSubdirectory("lvsadmin-keepalived-").FullName;
        using var source = new Namespace("kasrc");
        using var target = new Namespace("kadst");
        try
        {
            using var src = IpvsClient.Open(source.Path);
            // The generator leaves twos out (Linux 6.1 lacks it); sip needs nf_conntrack_sip.
            var table = new DifferentialGenerator(2207, DifferentialTests.SipAvailable(src)).Table(ServiceCount);
            DifferentialTests.ApplyAll(src, table);
            src.SetTimeouts(new IpvsTimeouts(7200, 90, 240));
            var live = LiveConfiguration.Read(src);

            var warnings = new List<string>();
            var text = ConfigurationKeepalived.Write(live, warnings);
            var file = Path.Combine(dir, "keepalived.conf");
            File.WriteAllText(file, text);
            var notes = new List<string>();
            var expected = ConfigurationFile.Load(file, null, notes);
            Check.True(notes.Count == 0, "importing the export gives no note: " + string.Join("; ", notes));
            Check.True(expected.Services.Count >= 100, $"{expected.Services.Count} services exported (need >= 100)");
            // What the export left out is named in a warning; everything else comes back as it was.
            foreach (var s in live.Services)
            {
                var back = expected.FindService(s.Key);
                var warned = warnings.Any(w => w.StartsWith(s.Key + ":", StringComparison.Ordinal));
                Check.True(warned || s.Equals(back), $"the import of {s.Key} equals the exported service, or a warning names what was left out");
            }
            Console.WriteLine($"  exported {expected.Services.Count} of {live.Services.Count} services, {expected.RealServerCount} real servers; {warnings.Count} warnings, e.g. {warnings.FirstOrDefault()}");

            // keepalived -t -e exits 0, or 5 with only the quorum and hysteresis warnings of services whose real servers all weigh 0
            // (which the export names in a warning; it does not change the table).
            var (testCode, testOut, testErr) = LabContext.Run(Keepalived, $"-t -e -l -f {file}");
            var zeroWeight = expected.Services.Count(s => s.RealServers.All(r => r.Weight == 0));
            var keepalivedWarnings = (testOut + "\n" + testErr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => !l.Contains("Running on Linux") && !l.Contains("Starting Keepalived")).Distinct().ToList();
            Check.True(testCode == 0 && zeroWeight == 0 || testCode == 5 && zeroWeight > 0 &&
                keepalivedWarnings.All(l => l.Contains("exceeds total weight of real servers 0, reducing quorum to 0") || l.Contains(">= quorum 0; setting hysteresis to 4294967295")) &&
                keepalivedWarnings.Count == 2 * zeroWeight,
                $"keepalived -t -e: exit {testCode}, {zeroWeight} all-zero-weight services, {keepalivedWarnings.Count} distinct lines: {string.Join(" | ", keepalivedWarnings)}");
            Check.True(warnings.Count(w => w.Contains("every real server has weight 0")) == zeroWeight, "the export names every all-zero-weight service");
            Console.WriteLine($"  keepalived -t -e: exit {testCode} ({zeroWeight} quorum warnings for all-zero-weight services, named by the export)");

            using var dst = IpvsClient.Open(target.Path);
            using (var keepalived = new KeepalivedProcess(target, file))
            {
                var built = WaitForTable(dst, keepalived, expected.Services.Count, expected.RealServerCount);
                SameDocument(expected, built, "LvsAdmin's read of keepalived's table");
                var kernelOrder = dst.GetServices().Select(s => (s, (IReadOnlyList<RealServer>)dst.GetRealServers(s.Key))).ToList();
                Check.SameText(IpvsadmSaveFormat.Write(kernelOrder), target.Ipvsadm("-Sn"), "ipvsadm -Sn of keepalived's table");
                var plan = ConfigurationPlanner.Plan(expected, LiveConfiguration.Read(dst));
                Check.True(plan.IsEmpty, "Compare-LvsConfiguration of the file against keepalived's table has no step:\n" + plan);
                Console.WriteLine($"  keepalived built {built.Services.Count} services, {built.RealServerCount} real servers: equal");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// lvs_sync_daemon without VRRP: keepalived starts a master and a backup daemon with the exported settings, as
    /// the imported document says.
    /// </summary>
    [LabTest]
    public void KeepalivedStartsTheExportedSyncDaemons(LabContext ctx)
    {
        RequireKeepalived();
        var dir = Directory.CreateTempSubdirectory("lvsadmin-keepalived-").FullName;
        using var target = new Namespace("kasync");
        try
        {
            var key = ServiceKey.Parse("tcp/192.0.2.10:80");
            var daemon = new SyncDaemon { Interface = "lo", SyncId = 9, MaxLength = 1400, MulticastPort = 8850, MulticastTtl = 2, MulticastGroup = System.Net.IPAddress.Parse("239.1.2.3") };
            var doc = new LvsConfiguration
            {
                Services = new[] { new ConfiguredService(new VirtualService(key) { Scheduler = "rr" }, new[] { new RealServer(key, System.Net.IPAddress.Parse("192.0.2.20"), 80) }) },
                SyncDaemons = new[] { daemon, daemon with { State = SyncDaemonState.Backup } },
            };
            var warnings = new List<string>();
            var file = Path.Combine(dir, "keepalived.conf");
            File.WriteAllText(file, ConfigurationKeepalived.Write(doc, warnings));
            Check.True(warnings.Count == 0, "no warning: " + string.Join("; ", warnings));
            var expected = ConfigurationFile.Load(file);
            using var dst = IpvsClient.Open(target.Path);
            using var keepalived = new KeepalivedProcess(target, file);
            WaitForTable(dst, keepalived, 1, 1);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            IReadOnlyList<SyncDaemon> running = Array.Empty<SyncDaemon>();
            while (DateTime.UtcNow < deadline && (running = dst.GetSyncDaemons()).Count < 2) Thread.Sleep(1000);
            Check.Equal(2, running.Count, "running sync daemons");
            foreach (var d in expected.SyncDaemons!)
            {
                var r = running.Single(x => x.State == d.State);
                Check.Equal((d.Interface, d.SyncId, d.MaxLength, d.MulticastPort, d.MulticastTtl, d.MulticastGroup?.ToString()),
                    (r.Interface, r.SyncId, r.MaxLength, r.MulticastPort, r.MulticastTtl, r.MulticastGroup?.ToString()), d.State + " daemon");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
