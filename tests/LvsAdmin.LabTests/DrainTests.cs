using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.LabTests;

/// <summary>
/// Graceful drain with real TCP traffic (the three namespaces of tests/lab/scenarios/connections.sh plus a second
/// real-server address 10.71.2.3 in lvsc-rs, a python3 data server that streams slowly): long-lived connections
/// through the draining real server finish with all their data while new connections go to the other one, and the
/// drained server is removed only then; the timeout cases leave it at weight 0 or remove it anyway.
/// </summary>
public sealed class DrainTests
{
    private static readonly ServiceKey Service = ServiceKey.Parse("tcp/10.71.0.100:80");
    private static readonly IPAddress RealA = ConnectionLab.RealV4;          // 10.71.2.2 (drained)
    private static readonly IPAddress RealB = IPAddress.Parse("10.71.2.3");  // stays
    private const int ChunkBytes = 1000;
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    /// <summary>A timestamped progress line (the lab is slow; these show where the time goes).</summary>
    private static void Log(string message) => Console.WriteLine($"  [{Clock.Elapsed.TotalSeconds,6:F1} s] {message}");

    // Each connection: the server writes its own address and a newline, reads "CHUNKS DELAY_MS", then writes CHUNKS
    // blocks of 1000 bytes DELAY_MS apart and closes. The client reads to the end and closes with a reset, so the
    // director's entry goes to CLOSE (10 s) instead of TIME_WAIT (2 min).
    private const string ServerScript = """
import socket, threading, time
def handle(c):
    try:
        c.sendall((c.getsockname()[0] + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            d = c.recv(64)
            if not d: return
            buf += d
        n, delay = map(int, buf.split())
        for i in range(n):
            c.sendall(b"x" * 1000)
            if delay: time.sleep(delay / 1000.0)
    finally:
        c.close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080)); s.listen(64)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
""";

    private sealed class DataServer : IDisposable
    {
        private readonly Process _process;

        private DataServer(Process p) => _process = p;

        public static DataServer Start()
        {
            var (code, python, _) = LabContext.Run("/bin/sh", "-c \"command -v python3\"");
            if (code != 0 || python.Trim().Length == 0) LabContext.Skip("python3 is not available in the lab");
            File.WriteAllText("/tmp/lvs-drain-server.py", ServerScript);
            var psi = new ProcessStartInfo("ip", $"netns exec {ConnectionLab.RealServerName} {python.Trim()} -u /tmp/lvs-drain-server.py")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            Log("starting the python3 data server: " + python.Trim());
            var p = Process.Start(psi) ?? throw new CheckException("cannot start the python3 data server");
            var ready = p.StandardOutput.ReadLineAsync();
            if (!ready.Wait(TimeSpan.FromSeconds(120)) || ready.Result != "ready")
            {
                p.Kill(true);
                throw new CheckException("the python3 data server did not start: " + p.StandardError.ReadToEnd());
            }
            Log("data server ready");
            return new DataServer(p);
        }

        public void Dispose()
        {
            try
            {
                _process.Kill(true);
                _process.WaitForExit(10000);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            _process.Dispose();
        }
    }

    /// <summary>One client connection through the VIP: which real server answered, and the bytes it delivered.</summary>
    private sealed class Stream
    {
        public required IPAddress RealServer { get; init; }
        public required Task<long> Bytes { get; init; }
        public required int Expected { get; init; }
        public required Task<DateTime> Finished { get; init; }
    }

    private static Stream Open(ConnectionLab lab, int chunks, int delayMs)
    {
        var s = lab.ClientSocket(new IPEndPoint(ConnectionLab.ClientV4, 0), SocketType.Stream);
        s.ReceiveTimeout = 180_000;
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            s.ConnectAsync(new IPEndPoint(ConnectionLab.Vip, 80), cts.Token).AsTask().GetAwaiter().GetResult();
        var header = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (s.Receive(one) != 1) throw new CheckException("connection closed before the server's header");
            if (one[0] == (byte)'\n') break;
            header.Append((char)one[0]);
        }
        s.Send(Encoding.ASCII.GetBytes($"{chunks} {delayMs}\n"));
        var finished = new TaskCompletionSource<DateTime>();
        var reading = Task.Run(() =>
        {
            try
            {
                long total = 0;
                var buf = new byte[16384];
                int n;
                while ((n = s.Receive(buf)) > 0) total += n;
                s.LingerState = new LingerOption(true, 0);
                s.Close();
                return total;
            }
            finally
            {
                finished.TrySetResult(DateTime.UtcNow);
            }
        });
        return new Stream { RealServer = IPAddress.Parse(header.ToString()), Bytes = reading, Expected = chunks * ChunkBytes, Finished = finished.Task };
    }

    private static LvsConfiguration Doc(params IPAddress[] reals) => new()
    {
        Services = new[]
        {
            new ConfiguredService(new VirtualService(Service) { Scheduler = "rr" },
                reals.Select(a => new RealServer(Service, a, 8080) { ForwardingMethod = ForwardingMethod.Nat }).ToList()),
        },
    };

    private static (ConnectionLab Lab, DataServer Server) Up()
    {
        var lab = ConnectionLab.Up();
        try
        {
            Log("topology up");
            LabContext.RunOk("ip", $"-n {ConnectionLab.RealServerName} addr add {RealB}/24 dev r0");
            return (lab, DataServer.Start());
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>(4) Long-lived connections through the drained real server complete; new ones go to the other; then it is removed.</summary>
    [LabTest]
    public void DrainCompletesLongConnectionsAndSendsNewOnesElsewhere(LabContext ctx)
    {
        var (lab, server) = Up();
        using var _lab = lab;
        using var _server = server;
        var ipvs = lab.DirectorIpvs;
        var applier = new ConfigurationApplier(ipvs);
        applier.Apply(Doc(RealA, RealB)).ThrowIfFailed();
        Log("service configured");

        const int chunks = 40, delay = 150; // about 6 s of streaming per connection (longer under emulation)
        var longOnes = Enumerable.Range(0, 4).Select(_ => Open(lab, chunks, delay)).ToList();
        var onA = longOnes.Count(s => s.RealServer.Equals(RealA));
        Check.Equal(2, onA, "round robin put two long connections on each real server");
        Log("four long connections open");

        var progress = new ConcurrentQueue<DrainProgress>();
        var started = DateTime.UtcNow;
        var drain = Task.Run(() => applier.Apply(Doc(RealB), new PlanOptions { DrainRemovedRealServers = true },
            new ApplyOptions { Drain = new DrainOptions { Timeout = TimeSpan.FromSeconds(240), PollInterval = TimeSpan.FromMilliseconds(500), Progress = progress.Enqueue } }));
        var wait = Stopwatch.StartNew();
        while (progress.IsEmpty && !drain.IsCompleted && wait.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(100);
        Check.True(!progress.IsEmpty, "the drain reported progress (weight 0 is set before the first poll)");

        Log("draining; opening new connections");
        // New connections while draining: all to B.
        var newOnes = Enumerable.Range(0, 4).Select(_ => Open(lab, 2, 0)).ToList();
        foreach (var s in newOnes) Check.Equal(RealB, s.RealServer, "a new connection during the drain");
        foreach (var s in newOnes) Check.Equal((long)s.Expected, s.Bytes.Result, "bytes of a short connection");

        foreach (var s in longOnes) Check.Equal((long)s.Expected, s.Bytes.Result, $"bytes of the long connection through {s.RealServer}");
        Log("long connections complete; waiting for the drain");
        if (!drain.Wait(TimeSpan.FromSeconds(300))) throw new CheckException("the drain did not end");
        var result = drain.Result;
        Check.True(result.Succeeded, "drain apply: " + result.Error?.Message);
        var lastLongOnA = longOnes.Where(s => s.RealServer.Equals(RealA)).Max(s => s.Finished.Result);
        Check.True(DateTime.UtcNow >= lastLongOnA, "removed after the long connections ended");
        var first = progress.First();
        Check.Equal(1, first.Servers.Count, "one server drained");
        Check.True(first.Servers[0].ActiveConnections + first.Servers[0].InactiveConnections >= 2,
            "the first poll saw the long connections: " + first.Servers[0]);
        Check.Equal(0, progress.Last().Remaining, "nothing left at the end");
        var reals = ipvs.GetRealServers(Service);
        Check.Equal(1, reals.Count, "one real server left");
        Check.Equal(RealB, reals[0].Address, "the remaining real server");
        Console.WriteLine($"  drained {RealA} in {(DateTime.UtcNow - started).TotalSeconds:F1} s ({progress.Count} polls); " +
                          $"long connections ended {(lastLongOnA - started).TotalSeconds:F1} s after the drain began; 4 new connections all went to {RealB}");
    }

    /// <summary>(4) Timeout: LeaveQuiesced keeps the server at weight 0 (its connection goes on to the end); RemoveAnyway removes it.</summary>
    [LabTest]
    public void DrainTimeoutLeavesQuiescedOrRemoves(LabContext ctx)
    {
        var (lab, server) = Up();
        using var _lab = lab;
        using var _server = server;
        var ipvs = lab.DirectorIpvs;
        new ConfigurationApplier(ipvs).Apply(Doc(RealA)).ThrowIfFailed();
        var stream = Open(lab, 40, 150);
        Check.Equal(RealA, stream.RealServer, "the connection went to A");
        Log("long connection open");
        ipvs.AddRealServer(new RealServer(Service, RealB, 8080) { ForwardingMethod = ForwardingMethod.Nat });

        var a = new RealServerKey(RealA, 8080);
        var r1 = RealServerDrainer.Drain(ipvs, new[] { (Service, a) }, new DrainOptions { Timeout = TimeSpan.FromSeconds(2), PollInterval = TimeSpan.FromMilliseconds(500) });
        Check.True(r1.TimedOut && !r1.Removed && !r1.Drained, "timed out, not removed");
        Check.Equal("DrainTimeout", r1.Error!.ErrorId, "error id");
        var left = ipvs.GetRealServers(Service).Single(x => x.Address.Equals(RealA));
        Check.Equal(0, left.Weight, "left at weight 0");
        Check.Equal((long)stream.Expected, stream.Bytes.Result, "the quiesced server's connection delivered all its data");

        // Its entry is now closing (inactive): RemoveAnyway with a short timeout removes the server.
        var r2 = RealServerDrainer.Drain(ipvs, new[] { (Service, a) }, new DrainOptions { Timeout = TimeSpan.FromMilliseconds(300), PollInterval = TimeSpan.FromMilliseconds(100), OnTimeout = DrainTimeoutAction.RemoveAnyway });
        Check.True(r2.Removed, "removed anyway");
        Check.True(r2.TimedOut == (r2.Error is not null), "a timeout is reported when it happened");
        Check.True(ipvs.GetRealServers(Service).All(x => !x.Address.Equals(RealA)), "A is gone");
        Console.WriteLine($"  LeaveQuiesced: {r1.Error.Message}\n  RemoveAnyway: {(r2.Error?.Message ?? "drained before the timeout")}");
    }
}
