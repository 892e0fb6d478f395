using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using LvsAdmin.Configuration;
using LvsAdmin.Health;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Health;

/// <summary>The one-shot checks against local listeners on 127.0.0.1 (no IPVS needed).</summary>
public sealed class HealthCheckRunnerTests : IDisposable
{
    private static readonly ServiceKey Web = ServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.0.0.1"), 80);
    private readonly CancellationTokenSource _stop = new();

    public void Dispose() => _stop.Cancel();

    private static HealthCheckResult Run(HealthCheck check, int port) =>
        Assert.Single(HealthCheckRunner.Run(new[] { new HealthCheckTarget(Web, new RealServerKey(IPAddress.Loopback, (ushort)port), check with { ConnectTimeout = check.ConnectTimeout ?? 2 }) }));

    private static int FreeTcpPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>A tiny HTTP server answering every request with <paramref name="status"/> and <paramref name="body"/>.</summary>
    private int Http(int status, string body)
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        _ = Task.Run(async () =>
        {
            using var reg = _stop.Token.Register(l.Stop);
            while (!_stop.IsCancellationRequested)
            {
                using var c = await l.AcceptTcpClientAsync();
                var s = c.GetStream();
                // The request's head, up to its blank line (or 4 KiB).
                var buf = new byte[4096];
                var got = 0;
                while (got < buf.Length && !Encoding.ASCII.GetString(buf, 0, got).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await s.ReadAsync(buf.AsMemory(got));
                    if (n == 0) break;
                    got += n;
                }
                var b = Encoding.UTF8.GetBytes(body);
                await s.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 {status} X\r\nContent-Length: {b.Length}\r\n\r\n"));
                await s.WriteAsync(b);
            }
        });
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A UDP responder: <paramref name="answer"/> makes the reply from the request.</summary>
    private int Udp(Func<byte[], byte[]> answer)
    {
        var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        _ = Task.Run(async () =>
        {
            using var reg = _stop.Token.Register(u.Dispose);
            while (!_stop.IsCancellationRequested)
            {
                var r = await u.ReceiveAsync();
                await u.SendAsync(answer(r.Buffer), r.RemoteEndPoint);
            }
        });
        return ((IPEndPoint)u.Client.LocalEndPoint!).Port;
    }

    [Fact]
    public void TcpPassesOnAListenerAndFailsOnAClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        try
        {
            var ok = Run(new HealthCheck(HealthCheckType.Tcp), ((IPEndPoint)l.LocalEndpoint).Port);
            Assert.True(ok.Passed, ok.Reason);
            Assert.True(ok.Latency > TimeSpan.Zero);
        }
        finally
        {
            l.Stop();
        }
        var bad = Run(new HealthCheck(HealthCheckType.Tcp), FreeTcpPort());
        Assert.False(bad.Passed);
        Assert.Contains("ConnectionRefused", bad.Reason);
    }

    [Fact]
    public void HttpChecksStatusDigestAndRegex()
    {
        var port = Http(200, "service ok 42");
        var http = new HealthCheck(HealthCheckType.Http) { Path = "/health" };
        var ok = Run(http, port);
        Assert.True(ok.Passed, ok.Reason);
        Assert.Equal(200, ok.HttpStatus);
        var digest = Convert.ToHexString(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes("service ok 42"))).ToLowerInvariant();
        Assert.True(Run(http with { Digest = digest, Regex = "ok \\d+" }, port).Passed);
        var wrongDigest = Run(http with { Digest = new string('0', 32) }, port);
        Assert.False(wrongDigest.Passed);
        Assert.Contains("MD5", wrongDigest.Reason);
        Assert.Contains("regular expression", Run(http with { Regex = "down" }, port).Reason);
        var status = Run(http, Http(503, "busy"));
        Assert.False(status.Passed);
        Assert.Equal(503, status.HttpStatus);
        Assert.True(Run(http with { StatusCodes = new[] { new HttpStatusRange(500, 503) } }, Http(503, "busy")).Passed);
    }

    [Fact]
    public void UdpNeedsTheReplyItAsksFor()
    {
        var port = Udp(req => new byte[] { 0x0a }.Concat(req).ToArray());
        var udp = new HealthCheck(HealthCheckType.Udp) { Payload = "0b0c", RequireReply = true };
        Assert.True(Run(udp with { Reply = "0a0b" }, port).Passed);
        var wrong = Run(udp with { Reply = "ff" }, port);
        Assert.False(wrong.Passed);
        Assert.Contains("does not start with ff", wrong.Reason);
        // Nobody listening: the port unreachable fails a check without required reply, a required reply times out.
        var closed = FreeUdpPort();
        Assert.False(Run(new HealthCheck(HealthCheckType.Udp), closed).Passed);
        Assert.False(Run(udp with { ConnectTimeout = 1 }, closed).Passed);
    }

    private static int FreeUdpPort()
    {
        using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)u.Client.LocalEndPoint!).Port;
    }

    [Fact]
    public void DnsNeedsAnAnswerWithoutError()
    {
        // Answers with the query's id, QR set and the RCODE in the query's first label length (a test convention).
        var port = Udp(q =>
        {
            var a = (byte[])q.Clone();
            a[2] |= 0x80;
            a[3] = (byte)(q.Length > 13 && Encoding.ASCII.GetString(q, 13, q[12]) == "bad" ? 3 : 0);
            return a;
        });
        var dns = new HealthCheck(HealthCheckType.Dns) { QueryType = "A", QueryName = "www.example.com" };
        Assert.True(Run(dns, port).Passed);
        var nx = Run(dns with { QueryName = "bad.example.com" }, port);
        Assert.False(nx.Passed);
        Assert.Contains("RCODE 3", nx.Reason);
        Assert.Equal(new byte[] { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 0, 0, 1, 0, 1 }, HealthCheckRunner.DnsQuery(0x1234, "a", 1));
    }

    [Fact]
    public void CommandPassesOnExitZero()
    {
        Assert.True(Run(new HealthCheck(HealthCheckType.Command) { Command = new[] { "/bin/true" } }, 0).Passed);
        var f = Run(new HealthCheck(HealthCheckType.Command) { Command = new[] { "/bin/sh", "-c", "echo broken >&2; exit 1" } }, 0);
        Assert.False(f.Passed);
        Assert.Equal("Exit code 1: broken", f.Reason);
        Assert.True(Run(new HealthCheck(HealthCheckType.Command) { Command = new[] { "/bin/sh", "-c", "exit 7" }, Dynamic = true }, 0).Passed);
        var slow = Run(new HealthCheck(HealthCheckType.Command) { Command = new[] { "/bin/sleep", "5" }, CommandTimeout = 1 }, 0);
        Assert.False(slow.Passed);
        Assert.Contains("did not end", slow.Reason);
    }

    [Fact]
    public void TargetsAreEveryDeclaredCheckOfEveryRealServer()
    {
        var a = new RealServer(Web, IPAddress.Parse("10.0.1.1"), 80);
        var b = new RealServer(Web, IPAddress.Parse("10.0.1.2"), 80);
        var sorry = new RealServer(Web, IPAddress.Parse("10.0.1.9"), 80) { Weight = 0 };
        var tcp = new HealthCheck(HealthCheckType.Tcp);
        var http = new HealthCheck(HealthCheckType.Http) { Path = "/", ConnectPort = 8080, ConnectAddress = IPAddress.Parse("10.0.2.2") };
        var doc = new LvsConfiguration
        {
            Services = new[]
            {
                new ConfiguredService(new VirtualService(Web), new[] { a, b, sorry })
                {
                    Health = new ServiceHealth
                    {
                        Checks = new[] { tcp },
                        RealServers = new[] { new RealServerHealth(b.Key, new[] { tcp, http }) },
                        SorryServer = new SorryServer(sorry.Address, 80) { Inhibit = true },
                    },
                },
            },
        };
        var targets = HealthCheckRunner.Targets(doc);
        Assert.Equal(new[] { "10.0.1.1:80 TCP_CHECK", "10.0.1.2:80 TCP_CHECK", "10.0.2.2:8080 HTTP_GET /" },
            targets.Select(t => $"{Endpoint.Format(t.Address, t.Port)} {t.Check}"));
        Assert.Empty(HealthCheckRunner.Targets(doc, k => false));
    }
}
