using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using LvsAdmin.Formats;
using static LvsAdmin.LabTests.KeepalivedTests;

namespace LvsAdmin.LabTests;

/// <summary>
/// A director pair on keepalived 2.2.7, both directors running on the files Export-LvsConfiguration -Director writes:
/// network namespaces on one bridge (client vcl 10.0.0.100, directors vd1 10.0.0.2 and vd2 10.0.0.3, real servers
/// vrs1 10.0.0.11 and vrs2 10.0.0.12 with busybox httpd on :80 and a slow line stream on :9000), VIP 10.0.0.50 with
/// direct routing. Traffic flows through the master; when the master's keepalived stops, the backup takes the VIP,
/// new connections work within seconds, and a stream started before the failover finishes through the backup (its
/// connection entry came from the sync daemon).
/// </summary>
public sealed class KeepalivedPairTests
{
    private const string Vip = "10.0.0.50";
    private const string Bridge = "vrbr";
    private const int StreamLines = 40;

    private const string Document = """
        {
          "schemaVersion": 1,
          "services": [
            { "service": "tcp/10.0.0.50:80", "scheduler": "rr",
              "health": { "checks": [ { "type": "http", "path": "/", "statusCodes": [ "200" ], "interval": 1, "connectTimeout": 2, "retries": 1, "delayBeforeRetry": 1 } ], "onFailure": "inhibit" },
              "realServers": [ { "address": "10.0.0.11:80", "forwardingMethod": "directRouting" }, { "address": "10.0.0.12:80", "forwardingMethod": "directRouting" } ] },
            { "service": "tcp/10.0.0.50:9000", "scheduler": "rr",
              "realServers": [ { "address": "10.0.0.11:9000", "forwardingMethod": "directRouting" }, { "address": "10.0.0.12:9000", "forwardingMethod": "directRouting" } ] }
          ],
          "directorPair": {
            "instance": "VI_LAB",
            "virtualRouterId": 61,
            "advertisementInterval": 1,
            "virtualAddresses": [ { "address": "10.0.0.50", "prefixLength": 24 } ],
            "syncDaemon": { "syncId": 61 },
            "directors": [
              { "name": "vd1", "state": "master", "priority": 150, "interface": "eth0" },
              { "name": "vd2", "state": "backup", "priority": 100, "interface": "eth0" }
            ]
          }
        }
        """;

    /// <summary>A background program in a namespace (killed with its children at the end), its output lines timestamped.</summary>
    private sealed class Background : IDisposable
    {
        private readonly Process _process;
        private readonly List<(TimeSpan At, string Line)> _lines = new();
        private readonly Stopwatch _clock;

        public Background(string ns, string command, Stopwatch clock)
        {
            _clock = clock;
            var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "netns", "exec", ns, "/bin/sh", "-c", command }) psi.ArgumentList.Add(a);
            _process = Process.Start(psi) ?? throw new CheckException("cannot start " + command);
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add((_clock.Elapsed, e.Data)); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add((_clock.Elapsed, "stderr: " + e.Data)); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public List<(TimeSpan At, string Line)> Lines
        {
            get { lock (_lines) return _lines.ToList(); }
        }

        public bool WaitForExit(int milliseconds) => _process.WaitForExit(milliseconds);

        public int ExitCode => _process.ExitCode;

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(true);
            _process.WaitForExit(10_000);
            _process.Dispose();
        }
    }

    /// <summary>A namespace on the bridge with eth0 ADDRESS/24.</summary>
    private static Namespace Host(string name, string address)
    {
        var ns = new Namespace(name);
        LabContext.Run("ip", $"link del {name}-p");
        LabContext.RunOk("ip", $"link add {name}-p type veth peer name eth0 netns {name}");
        LabContext.RunOk("ip", $"link set {name}-p master {Bridge} up");
        LabContext.RunOk("ip", $"-n {name} address add {address}/24 dev eth0");
        LabContext.RunOk("ip", $"-n {name} link set eth0 up");
        return ns;
    }

    private static string InNs(string ns, string command) => LabContext.RunOk("ip", $"netns exec {ns} /bin/sh -c \"{command}\"");

    /// <summary>One HTTP GET from the client to the VIP (busybox wget under timeout: its own -T crashes): the answering server's name, or null.</summary>
    private static string? Get(int seconds = 3)
    {
        var (code, output, _) = LabContext.Run("ip", $"netns exec vcl timeout {seconds} busybox wget -q -O - http://{Vip}/", timeoutSeconds: 20);
        return code == 0 ? output.Trim() : null;
    }

    private static bool HasVip(string ns) => LabContext.RunOk("ip", $"-n {ns} -o -4 address show dev eth0").Contains(" " + Vip + "/");

    /// <summary>The Conns column of ipvsadm -Ln --stats for VIP:PORT in the namespace.</summary>
    private static long Connections(string ns, int port)
    {
        var line = LabContext.RunOk("ip", $"netns exec {ns} /usr/sbin/ipvsadm -Ln --stats").Split('\n')
            .FirstOrDefault(l => l.StartsWith($"TCP  {Vip}:{port} ", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
    }

    /// <summary>The weight of real server ADDRESS:PORT of VIP:80 in the namespace's table (ipvsadm -Ln), or -1.</summary>
    private static int Weight(string ns, string real)
    {
        var line = LabContext.RunOk("ip", $"netns exec {ns} /usr/sbin/ipvsadm -Ln").Split('\n')
            .FirstOrDefault(l => l.TrimStart().StartsWith("-> " + real + " ", StringComparison.Ordinal));
        return line is null ? -1 : int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]);
    }

    private sealed class Disposer : IDisposable
    {
        private readonly Action _action;
        public Disposer(Action action) => _action = action;
        public void Dispose() => _action();
    }

    private static void WaitFor(Func<bool> condition, int seconds, string what, Func<string>? log = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new CheckException($"{what}: not within {seconds} s" + (log is null ? "" : "\n" + log()));
            Thread.Sleep(250);
        }
    }

    [LabTest]
    public void KeepalivedPairFailsOverWithSyncedConnections(LabContext ctx)
    {
        RequireKeepalived();
        var dir = Directory.CreateTempSubdirectory("lvsadmin-vrrp-").FullName;
        var clock = Stopwatch.StartNew();
        var cleanup = new Stack<IDisposable>();
        LabContext.Run("ip", $"link del {Bridge}");
        LabContext.RunOk("ip", $"link add {Bridge} type bridge mcast_snooping 0");
        LabContext.RunOk("ip", $"link set {Bridge} up");
        try
        {
            // The document and each director's file, checked by keepalived -t -e in that director's namespace.
            var document = ConfigurationJson.Read(Document);
            var namespaces = new Dictionary<string, Namespace>();
            foreach (var (name, address) in new[] { ("vcl", "10.0.0.100"), ("vd1", "10.0.0.2"), ("vd2", "10.0.0.3"), ("vrs1", "10.0.0.11"), ("vrs2", "10.0.0.12") })
                cleanup.Push(namespaces[name] = Host(name, address));
            var files = new Dictionary<string, string>();
            foreach (var d in document.DirectorPair!.Directors)
            {
                var warnings = new List<string>();
                var text = ConfigurationKeepalived.WriteDirector(document, d.Name, warnings);
                Check.True(warnings.Count == 0, d.Name + ": no export warning: " + string.Join("; ", warnings));
                Directory.CreateDirectory(Path.Combine(dir, d.Name));
                files[d.Name] = Path.Combine(dir, d.Name, "keepalived.conf");
                File.WriteAllText(files[d.Name], text);
                var (code, o, e) = LabContext.Run("ip", $"netns exec {d.Name} /usr/sbin/keepalived -t -e -l -n -f {files[d.Name]}");
                Check.True(code == 0, $"keepalived -t -e on {d.Name}'s file exits 0 (exit {code}): {o} {e}\n{text}");
            }

            var httpd = new Dictionary<string, Background>();
            cleanup.Push(new Disposer(() => { foreach (var h in httpd.Values) h.Dispose(); }));
            // Real servers: the VIP on lo without ARP for it (direct routing), httpd on :80, a slow stream on :9000.
            foreach (var rs in new[] { "vrs1", "vrs2" })
            {
                InNs(rs, $"ip address add {Vip}/32 dev lo && echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore && echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce && echo 1 > /proc/sys/net/ipv4/conf/eth0/arp_ignore && echo 2 > /proc/sys/net/ipv4/conf/eth0/arp_announce");
                Directory.CreateDirectory(Path.Combine(dir, rs));
                File.WriteAllText(Path.Combine(dir, rs, "index.html"), rs + "\n");
                var stream = Path.Combine(dir, rs + "-stream.sh");
                File.WriteAllText(stream, $"#!/bin/sh\ni=1\nwhile [ $i -le {StreamLines} ]; do echo \"{rs} $i\"; sleep 0.5; i=$((i+1)); done\n");
                LabContext.RunOk("chmod", "+x " + stream);
                httpd[rs] = new Background(rs, $"exec busybox httpd -f -p 80 -h {Path.Combine(dir, rs)}", clock);
                cleanup.Push(new Background(rs, $"exec busybox nc -ll -p 9000 -e {stream}", clock));
            }

            using var vd1 = new KeepalivedProcess(namespaces["vd1"], files["vd1"], checkerOnly: false);
            using var vd2 = new KeepalivedProcess(namespaces["vd2"], files["vd2"], checkerOnly: false);
            string Logs() => "vd1:\n" + vd1.Log + "\nvd2:\n" + vd2.Log;
            WaitFor(() => HasVip("vd1") && Connections("vd1", 80) == 0 && Connections("vd2", 80) == 0, 240, "vd1 holds the VIP and both directors have the table", Logs);
            Check.True(!HasVip("vd2"), "the backup vd2 does not hold the VIP");
            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s: vd1 is master with the VIP; both directors built the table");

            // Traffic flows through the master to both real servers.
            var before = clock.Elapsed;
            var answers = Enumerable.Range(0, 6).Select(_ => Get()).ToList();
            Console.WriteLine($"  a GET through the master takes {(clock.Elapsed - before).TotalSeconds / 6:F2} s here (a process started in a namespace under emulation)");
            Check.True(answers.Contains("vrs1") && answers.Contains("vrs2"), "six GETs through the VIP reach both real servers: " + string.Join(", ", answers));
            // The kernel folds its per-CPU counters into the listed statistics every 2 s.
            WaitFor(() => Connections("vd1", 80) >= 6, 20, "the master vd1 scheduled the six connections");
            Check.True(Connections("vd2", 80) == 0, "the backup vd2 scheduled none");

            // keepalived's HTTP_GET checker (exported from the document's health settings) takes a real server whose
            // httpd stops to weight 0 (inhibit_on_failure): no new connection reaches it; started again, it comes back.
            httpd["vrs2"].Dispose();
            var stopped = clock.Elapsed;
            WaitFor(() => Weight("vd1", "10.0.0.12:80") == 0 && Weight("vd2", "10.0.0.12:80") == 0, 60, "both directors' checkers set vrs2 to weight 0", Logs);
            Console.WriteLine($"  vrs2's httpd stopped: weight 0 on both directors after {(clock.Elapsed - stopped).TotalSeconds:F1} s");
            var inhibited = Enumerable.Range(0, 4).Select(_ => Get()).ToList();
            Check.True(inhibited.All(a => a == "vrs1"), "with vrs2 at weight 0 every GET reaches vrs1: " + string.Join(", ", inhibited));
            httpd["vrs2"] = new Background("vrs2", $"exec busybox httpd -f -p 80 -h {Path.Combine(dir, "vrs2")}", clock);
            var started = clock.Elapsed;
            WaitFor(() => Weight("vd1", "10.0.0.12:80") == 1 && Weight("vd2", "10.0.0.12:80") == 1, 60, "both directors' checkers set vrs2 back to weight 1", Logs);
            Console.WriteLine($"  vrs2's httpd started: weight 1 on both directors after {(clock.Elapsed - started).TotalSeconds:F1} s");
            var back = Enumerable.Range(0, 4).Select(_ => Get()).ToList();
            Check.True(back.Contains("vrs2"), "vrs2 gets new connections again: " + string.Join(", ", back));

            // A long-lived stream through the master; the backup learns its connection from the sync daemon.
            // Its standard input is a FIFO opened read-write: it never ends, so nc never half-closes the connection.
            var fifo = Path.Combine(dir, "client-stdin");
            LabContext.RunOk("mkfifo", fifo);
            using var stream1 = new Background("vcl", $"exec busybox nc {Vip} 9000 0<>{fifo}", clock);
            WaitFor(() => stream1.Lines.Count >= 3, 60, "the stream through vd1 delivers lines", () => string.Join("\n", stream1.Lines));
            WaitFor(() => LabContext.RunOk("ip", "netns exec vd2 /usr/sbin/ipvsadm -Lnc").Contains($"{Vip}:9000"), 30,
                "vd2 holds the stream's connection, synced from vd1", () => LabContext.RunOk("ip", "netns exec vd2 /usr/sbin/ipvsadm -Lnc") + Logs());
            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F1} s: stream running ({stream1.Lines.Count} lines); vd2 has its synced connection");

            // Failover: the master's keepalived stops.
            var t0 = clock.Elapsed;
            vd1.Stop();
            TimeSpan? vipMoved = null, firstGet = null;
            while (clock.Elapsed - t0 < TimeSpan.FromSeconds(30) && firstGet is null)
            {
                if (vipMoved is null && HasVip("vd2")) vipMoved = clock.Elapsed - t0;
                if (Get(2) is not null && HasVip("vd2")) firstGet = clock.Elapsed - t0;
            }
            Check.True(firstGet is not null, "a new connection through the VIP works within 30 s of the failover\n" + Logs());
            Check.True(!HasVip("vd1"), "vd1 gave the VIP up");
            Console.WriteLine($"  failover: vd2 held the VIP {vipMoved?.TotalSeconds:F1} s and answered a new connection {firstGet!.Value.TotalSeconds:F1} s after vd1's keepalived was stopped");
            var after = Enumerable.Range(0, 4).Select(_ => Get()).ToList();
            Check.True(after.Contains("vrs1") && after.Contains("vrs2"), "after the failover GETs reach both real servers: " + string.Join(", ", after));
            WaitFor(() => Connections("vd2", 80) >= 4, 20, "vd2 scheduled the new connections");

            // The stream started before the failover finishes through vd2.
            string StreamState() => "stream: " + string.Join(" | ", stream1.Lines.Select(l => $"{l.At.TotalSeconds:F1}s {l.Line}")) +
                "\nvd2 connections:\n" + LabContext.Run("ip", "netns exec vd2 /usr/sbin/ipvsadm -Lnc").StdOut +
                "vd2 stats:\n" + LabContext.Run("ip", "netns exec vd2 /usr/sbin/ipvsadm -Ln --stats").StdOut +
                "client neighbours: " + LabContext.Run("ip", "-n vcl neigh").StdOut +
                "client socket: " + LabContext.Run("ip", "netns exec vcl ss -tnio").StdOut +
                "vrs1 sockets: " + LabContext.Run("ip", "netns exec vrs1 ss -tnio").StdOut +
                "vrs2 sockets: " + LabContext.Run("ip", "netns exec vrs2 ss -tnio").StdOut;
            WaitFor(() => stream1.Lines.Count >= StreamLines || stream1.WaitForExit(0), 90, "the stream delivers its lines or ends", StreamState);
            var lines = stream1.Lines;
            Console.WriteLine($"  stream: {string.Join(" | ", lines.Select(l => $"{l.At.TotalSeconds:F1}s {l.Line}"))}");
            var server = lines.FirstOrDefault().Line?.Split(' ')[0];
            var expected = Enumerable.Range(1, StreamLines).Select(i => $"{server} {i}").ToList();
            Check.True(lines.Select(l => l.Line).SequenceEqual(expected), $"the stream delivered all {StreamLines} lines in order");
            var afterFailover = lines.Count(l => l.At > t0 + firstGet.Value);
            Check.True(afterFailover >= 5, $"the stream went on across the failover ({afterFailover} lines after it)");
            Console.WriteLine($"  the stream through {server} delivered {StreamLines} lines, {afterFailover} after the failover");
        }
        finally
        {
            while (cleanup.Count > 0) cleanup.Pop().Dispose();
            foreach (var name in new[] { "vcl", "vd1", "vd2", "vrs1", "vrs2" }) LabContext.Run("ip", $"link del {name}-p");
            LabContext.Run("ip", $"link del {Bridge}");
            Directory.Delete(dir, true);
        }
    }
}
