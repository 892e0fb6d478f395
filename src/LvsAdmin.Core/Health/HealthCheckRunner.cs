using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using LvsAdmin.Configuration;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.Health;

/// <summary>One check of one real server to run: the service, the real server and the check.</summary>
public sealed record HealthCheckTarget(ServiceKey Service, RealServerKey RealServer, HealthCheck Check)
{
    /// <summary>The address checked: the check's connect address, else the real server's.</summary>
    public IPAddress Address => Check.ConnectAddress ?? RealServer.Address;
    /// <summary>The port checked: the check's connect port, else the real server's.</summary>
    public ushort Port => Check.ConnectPort ?? RealServer.Port;
}

/// <summary>The outcome of one check run once.</summary>
public sealed record HealthCheckResult(HealthCheckTarget Target, bool Passed, TimeSpan Latency, string? Reason, int? HttpStatus)
{
    public ServiceKey Service => Target.Service;
    public RealServerKey RealServer => Target.RealServer;
    public HealthCheckType Type => Target.Check.Type;
    public HealthCheck Check => Target.Check;
}

/// <summary>
/// Runs health checks once, as keepalived's checkers do (TCP connect; HTTP/HTTPS GET with status codes, MD5 digest
/// and regular expression; UDP datagram with optional reply; DNS query; command exit code), in parallel, optionally
/// from another network namespace (sockets and commands are created on a thread inside it). For troubleshooting and
/// scripts: the continuous checking is keepalived's.
/// </summary>
public static class HealthCheckRunner
{
    private const int MaxBody = 1 << 20;

    /// <summary>Every check the document declares, for each real server of each service (the sorry server is not checked).</summary>
    public static IReadOnlyList<HealthCheckTarget> Targets(LvsConfiguration configuration, Func<ServiceKey, bool>? services = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var list = new List<HealthCheckTarget>();
        foreach (var s in configuration.Services)
        {
            if (s.Health is not { } h || (services is not null && !services(s.Key))) continue;
            foreach (var r in s.RealServers)
            {
                if (h.SorryServer?.Key.Equals(r.Key) == true) continue;
                foreach (var c in h.ChecksFor(r.Key)) list.Add(new HealthCheckTarget(s.Key, r.Key, c));
            }
        }
        return list;
    }

    /// <summary>Runs the checks, at most <paramref name="parallel"/> at a time, in <paramref name="networkNamespace"/> (null: this one); results in the targets' order.</summary>
    public static IReadOnlyList<HealthCheckResult> Run(IReadOnlyList<HealthCheckTarget> targets, string? networkNamespace = null, int parallel = 16)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var results = new HealthCheckResult[targets.Count];
        Parallel.For(0, targets.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel) }, i =>
        {
            results[i] = networkNamespace is null ? RunOne(targets[i]) : NetworkNamespace.Run(networkNamespace, () => RunOne(targets[i]));
        });
        return results;
    }

    /// <summary>Runs one check on the calling thread (in its network namespace).</summary>
    public static HealthCheckResult RunOne(HealthCheckTarget target)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var (passed, reason, status) = target.Check.Type switch
            {
                HealthCheckType.Tcp => Tcp(target),
                HealthCheckType.Http or HealthCheckType.Https => Http(target),
                HealthCheckType.Udp => Udp(target),
                HealthCheckType.Dns => Dns(target),
                _ => Command(target),
            };
            return new HealthCheckResult(target, passed, watch.Elapsed, reason, status);
        }
        catch (Exception e) when (e is SocketException or System.IO.IOException or TimeoutException or System.Security.Authentication.AuthenticationException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            var reason = e is SocketException se ? $"{se.SocketErrorCode}: {se.Message}" : e.Message;
            return new HealthCheckResult(target, false, watch.Elapsed, reason, null);
        }
    }

    private static TimeSpan Timeout(HealthCheck c) => TimeSpan.FromSeconds(c.ConnectTimeout ?? HealthCheck.DefaultConnectTimeout);

    private static Socket Connect(HealthCheckTarget t, SocketType type, ProtocolType protocol)
    {
        var socket = new Socket(t.Address.AddressFamily, type, protocol);
        try
        {
            var timeout = Timeout(t.Check);
            socket.SendTimeout = socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
            var connect = socket.ConnectAsync(new IPEndPoint(t.Address, t.Port));
            if (!connect.Wait(timeout)) throw new TimeoutException($"No connection to {Endpoint.Format(t.Address, t.Port)} within {timeout.TotalSeconds:0.#} s.");
            connect.GetAwaiter().GetResult();
            return socket;
        }
        catch (AggregateException e) when (e.InnerException is SocketException inner)
        {
            socket.Dispose();
            throw inner;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static (bool, string?, int?) Tcp(HealthCheckTarget t)
    {
        using var socket = Connect(t, SocketType.Stream, ProtocolType.Tcp);
        return (true, null, null);
    }

    private static (bool, string?, int?) Http(HealthCheckTarget t)
    {
        var c = t.Check;
        using var socket = Connect(t, SocketType.Stream, ProtocolType.Tcp);
        using var network = new NetworkStream(socket, ownsSocket: false);
        System.IO.Stream stream = network;
        SslStream? ssl = null;
        if (c.Type == HealthCheckType.Https)
        {
            // keepalived's SSL_GET does not verify the certificate unless told to (ca/certificate in an SSL block).
            ssl = new SslStream(network, leaveInnerStreamOpen: true, (_, _, _, _) => true);
            ssl.AuthenticateAsClient(new SslClientAuthenticationOptions { TargetHost = c.VirtualHost ?? t.Address.ToString() });
            stream = ssl;
        }
        using (ssl)
        {
            var host = c.VirtualHost ?? Endpoint.Format(t.Address, t.Port);
            var request = Encoding.ASCII.GetBytes($"GET {c.Path ?? "/"} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: LvsAdmin\r\nConnection: close\r\n\r\n");
            stream.Write(request);
            var buffer = new System.IO.MemoryStream();
            var chunk = new byte[16384];
            int n;
            while (buffer.Length < MaxBody && (n = stream.Read(chunk)) > 0) buffer.Write(chunk, 0, n);
            var bytes = buffer.ToArray();
            var headerEnd = IndexOf(bytes, "\r\n\r\n"u8);
            var head = Encoding.ASCII.GetString(bytes, 0, headerEnd < 0 ? bytes.Length : headerEnd);
            var statusLine = head.Split("\r\n")[0].Split(' ');
            if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(statusLine[1], out var status))
                return (false, "The reply is not an HTTP response.", null);
            var body = headerEnd < 0 ? Array.Empty<byte>() : bytes[(headerEnd + 4)..];
            var ranges = c.StatusCodes.Count > 0 ? (IReadOnlyList<HttpStatusRange>)c.StatusCodes : new[] { new HttpStatusRange(200, 299) };
            if (!ranges.Any(r => r.Contains(status))) return (false, $"HTTP status {status} is not one of {string.Join(", ", ranges)}.", status);
            if (c.Digest is not null)
            {
                var digest = Convert.ToHexString(MD5.HashData(body)).ToLowerInvariant();
                if (digest != c.Digest) return (false, $"The body's MD5 digest is {digest}, not {c.Digest}.", status);
            }
            if (c.Regex is not null && !System.Text.RegularExpressions.Regex.IsMatch(Encoding.UTF8.GetString(body), c.Regex))
                return (false, $"The body does not match the regular expression '{c.Regex}'.", status);
            return (true, null, status);
        }
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> what) => data.AsSpan().IndexOf(what);

    private static (bool, string?, int?) Udp(HealthCheckTarget t)
    {
        var c = t.Check;
        using var socket = Connect(t, SocketType.Dgram, ProtocolType.Udp);
        socket.Send(c.Payload is null ? Array.Empty<byte>() : Convert.FromHexString(c.Payload));
        var reply = new byte[65536];
        if (!c.RequireReply)
        {
            // As keepalived: without a required reply only an ICMP port unreachable (a refused receive) fails.
            socket.ReceiveTimeout = Math.Min(socket.ReceiveTimeout, 1000);
            try
            {
                socket.Receive(reply);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
            }
            return (true, null, null);
        }
        int n;
        try
        {
            n = socket.Receive(reply);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return (false, $"No reply within {Timeout(c).TotalSeconds:0.#} s.", null);
        }
        if (c.Reply is not null)
        {
            var want = Convert.FromHexString(c.Reply);
            if (n < want.Length || !reply.AsSpan(0, want.Length).SequenceEqual(want))
                return (false, $"The reply {Convert.ToHexString(reply, 0, Math.Min(n, 16)).ToLowerInvariant()} does not start with {c.Reply}.", null);
        }
        return (true, null, null);
    }

    private static (bool, string?, int?) Dns(HealthCheckTarget t)
    {
        var c = t.Check;
        using var socket = Connect(t, SocketType.Dgram, ProtocolType.Udp);
        var id = (ushort)Random.Shared.Next(65536);
        var query = DnsQuery(id, c.QueryName ?? "", DnsType(c.QueryType ?? "SOA"));
        socket.Send(query);
        var reply = new byte[65536];
        int n;
        try
        {
            n = socket.Receive(reply);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return (false, $"No DNS answer within {Timeout(c).TotalSeconds:0.#} s.", null);
        }
        if (n < 12 || reply[0] != (byte)(id >> 8) || reply[1] != (byte)id || (reply[2] & 0x80) == 0)
            return (false, "The reply is not an answer to the query.", null);
        var rcode = reply[3] & 0x0f;
        return rcode == 0 ? (true, null, null) : (false, $"The DNS answer has RCODE {rcode}.", null);
    }

    private static ushort DnsType(string type) => type switch
    {
        "A" => 1, "NS" => 2, "CNAME" => 5, "SOA" => 6, "MX" => 15, "TXT" => 16, "AAAA" => 28, "RRSIG" => 46, _ => 48,
    };

    /// <summary>A DNS query (RD set) for <paramref name="name"/> ("" or "." for the root) of <paramref name="type"/>, class IN.</summary>
    internal static byte[] DnsQuery(ushort id, string name, ushort type)
    {
        var q = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            q.Add((byte)bytes.Length);
            q.AddRange(bytes);
        }
        q.Add(0);
        q.AddRange(new[] { (byte)(type >> 8), (byte)type, (byte)0, (byte)1 });
        return q.ToArray();
    }

    private static (bool, string?, int?) Command(HealthCheckTarget t)
    {
        var c = t.Check;
        var psi = new ProcessStartInfo(c.Command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in c.Command.Skip(1)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{c.Command[0]} did not start.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var timeout = TimeSpan.FromSeconds(c.CommandTimeout ?? HealthCheck.DefaultConnectTimeout);
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            return (false, $"The command did not end within {timeout.TotalSeconds:0.#} s (killed).", null);
        }
        var code = p.ExitCode;
        // misc_dynamic: 0 and 2-255 pass (2-255 set the weight to code - 2); otherwise only 0 passes.
        if (code == 0 || (c.Dynamic && code >= 2)) return (true, c.Dynamic && code >= 2 ? $"Weight {code - 2} (misc_dynamic)." : null, null);
        var output = (stderr.Result.Length > 0 ? stderr.Result : stdout.Result).Trim();
        return (false, $"Exit code {code}" + (output.Length > 0 ? ": " + (output.Length > 200 ? output[..200] : output) : "."), null);
    }
}
