using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.LabTests;

/// <summary>What a lab HTTP server answered: its name, the address it saw the request on, and the peer it saw.</summary>
internal sealed record HttpReply(string Server, IPEndPoint ServerLocal, IPEndPoint ServerPeer, IPEndPoint ClientLocal);

/// <summary>
/// One topology of tests/lab/scenarios/traffic.sh (namespaces lvst-*, built by `traffic.sh up nat|dr|tun`, removed by
/// `traffic.sh down`), with small servers and clients run by this process: every socket is created on a thread that
/// entered the namespace (<see cref="NetworkNamespace.Run{T}"/>) and keeps that namespace for its life, so no python3
/// or other program has to start under emulation. The TCP server speaks just enough HTTP/1.0 to answer every request
/// with "NAME LOCAL PEER" (its own name, the address the connection arrived on, the client it saw); the UDP server
/// answers every datagram the same way. Dispose closes everything and removes the namespaces.
/// </summary>
internal sealed class TrafficLab : IDisposable
{
    public const string Prefix = "lvst-";

    private readonly List<Socket> _sockets = new();
    private readonly ConcurrentBag<Socket> _accepted = new();
    private IpvsClient? _director;
    private volatile bool _stopping;

    private static readonly bool s_trace = Environment.GetEnvironmentVariable("LVS_TRAFFIC_TRACE") == "1";
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private TrafficLab(string topology) => Topology = topology;

    /// <summary>With LVS_TRAFFIC_TRACE=1: prints the time since the lab came up and what was done (to see where a scenario spends its time).</summary>
    public void Trace(string what)
    {
        if (s_trace) Console.WriteLine($"  trace {Topology} {_clock.ElapsedMilliseconds,6} ms: {what}");
    }

    /// <summary>nat, dr or tun.</summary>
    public string Topology { get; }

    /// <summary>The path of a namespace of the lab: "dir" → /run/netns/lvst-dir.</summary>
    public static string Ns(string name) => "/run/netns/" + Prefix + name;

    public static string Client => Ns("cli");
    public static string Director => Ns("dir");
    public static string Rs1 => Ns("rs1");
    public static string Rs2 => Ns("rs2");

    /// <summary>IPVS in the director namespace.</summary>
    public IpvsClient DirectorIpvs => _director ?? throw new InvalidOperationException("the lab is not up");

    /// <summary>The scenario script, found from the test program's directory or the working directory upwards.</summary>
    public static string Script => s_script ??= FindScript();

    private static string? s_script;

    /// <summary>Builds a topology (the script removes any left-over one first) and opens IPVS in the director.</summary>
    public static TrafficLab Up(string topology)
    {
        var lab = new TrafficLab(topology);
        try
        {
            Host.ForgetRecords();
            LabContext.RunOk("/bin/bash", $"{Script} up {topology}");
            lab._director = IpvsClient.Open(Director);
            lab.Trace("topology up");
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command in a namespace of the lab ("dir", "cli", ...) and fails unless it exits 0.</summary>
    public static string In(string ns, string command) => LabContext.RunOk("ip", $"netns exec {Prefix}{ns} {command}");

    /// <summary>The MAC address of an interface in a namespace of the lab ("aa:bb:...").</summary>
    public static string Mac(string ns, string ifname)
    {
        var text = LabContext.RunOk("ip", $"-n {Prefix}{ns} -br link show dev {ifname}");
        var t = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Check.True(t.Length >= 3, $"ip -br link show dev {ifname} in {ns}: '{text.Trim()}'");
        return t[2].ToLowerInvariant();
    }

    /// <summary>The link-layer address the namespace's neighbour table holds for <paramref name="address"/>, or null.</summary>
    public static string? NeighbourMac(string ns, IPAddress address)
    {
        var text = LabContext.RunOk("ip", $"-n {Prefix}{ns} neigh show {address}");
        var t = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var i = Array.IndexOf(t, "lladdr");
        return i >= 0 && i + 1 < t.Length ? t[i + 1].ToLowerInvariant() : null;
    }

    /// <summary>Waits (at most 10 s) until duplicate address detection of the IPv6 addresses of a namespace has ended.</summary>
    public static void WaitForDad(string ns)
    {
        var sw = Stopwatch.StartNew();
        string text;
        while ((text = LabContext.RunOk("ip", $"-n {Prefix}{ns} -6 addr show tentative")).Trim().Length > 0)
        {
            Check.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"IPv6 addresses of {ns} still tentative after 10 s:\n{text}");
            Thread.Sleep(200);
        }
    }

    /// <summary>
    /// Who answers ARP for <paramref name="address"/> on the client's c0: the distinct MAC addresses of the replies
    /// (busybox arping sends one request and listens a full second, printing each reply). A request can be lost on a
    /// link that has only just come up in a slow guest, so it asks again (at most three rounds, the replies of all
    /// rounds together) until <paramref name="enough"/> holds; by default until anyone answered.
    /// </summary>
    public static HashSet<string> ArpRepliers(IPAddress address, IPAddress source, Func<HashSet<string>, bool>? enough = null)
    {
        enough ??= m => m.Count > 0;
        var macs = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < 3 && !enough(macs); round++)
        {
            var (code, o, e) = LabContext.Run("ip", $"netns exec {Prefix}cli busybox arping -c 1 -w 2 -I c0 -s {source} {address}");
            var before = macs.Count;
            foreach (var line in o.Split('\n'))
            {
                var open = line.IndexOf('[');
                var close = line.IndexOf(']');
                if (line.Contains("reply from", StringComparison.Ordinal) && open > 0 && close > open)
                    macs.Add(line.Substring(open + 1, close - open - 1).ToLowerInvariant());
            }
            if (macs.Count == before && code != 0 && !o.Contains("Received 0", StringComparison.Ordinal))
                throw new CheckException($"arping {address} failed ({code}): {e.Trim()} {o.Trim()}");
        }
        return macs;
    }

    /// <summary>A TCP server in a namespace answering every request with "NAME LOCAL PEER".</summary>
    public void Serve(string ns, string name, IPEndPoint endpoint)
    {
        var listener = NetworkNamespace.Run(ns, () =>
        {
            var s = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) s.DualMode = false;
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(endpoint);
            s.Listen(64);
            return s;
        });
        lock (_sockets) _sockets.Add(listener);
        var thread = new Thread(() => AcceptLoop(listener, name)) { IsBackground = true, Name = "serve " + name };
        thread.Start();
    }

    private void AcceptLoop(Socket listener, string name)
    {
        while (!_stopping)
        {
            Socket c;
            try
            {
                c = listener.Accept();
            }
            catch (Exception)
            {
                return; // closed by Dispose
            }
            _accepted.Add(c);
            ThreadPool.QueueUserWorkItem(_ => Answer(c, name));
        }
    }

    private static void Answer(Socket c, string name)
    {
        try
        {
            c.ReceiveTimeout = 60_000;
            var buffer = new byte[2048];
            var seen = new StringBuilder();
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = c.Receive(buffer);
                if (n == 0) return;
                seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            var body = $"{name} {c.LocalEndPoint} {c.RemoteEndPoint}\n";
            c.Send(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
            c.Shutdown(SocketShutdown.Send);
            while (c.Receive(buffer) > 0)
            {
                // wait for the client's close
            }
        }
        catch (Exception)
        {
            // a held connection closed by Dispose, or a client that went away
        }
        finally
        {
            c.Dispose();
        }
    }

    /// <summary>A UDP server in a namespace answering every datagram with "NAME LOCAL PEER" (from whatever source address the kernel picks).</summary>
    public void ServeUdp(string ns, string name, IPEndPoint endpoint)
    {
        var s = NetworkNamespace.Run(ns, () =>
        {
            var u = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) u.DualMode = false;
            u.Bind(endpoint);
            return u;
        });
        lock (_sockets) _sockets.Add(s);
        var thread = new Thread(() =>
        {
            var buffer = new byte[2048];
            while (!_stopping)
            {
                EndPoint from = new IPEndPoint(endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                try
                {
                    s.ReceiveFrom(buffer, ref from);
                    s.SendTo(Encoding.ASCII.GetBytes($"{name} {s.LocalEndPoint} {from}"), from);
                }
                catch (Exception)
                {
                    return; // closed by Dispose
                }
            }
        }) { IsBackground = true, Name = "udp " + name };
        thread.Start();
    }

    /// <summary>A socket created in the client namespace, bound to <paramref name="local"/> (port 0: any).</summary>
    public Socket ClientSocket(IPAddress local, SocketType type, ushort port = 0)
    {
        var s = NetworkNamespace.Run(Client, () =>
        {
            var c = new Socket(local.AddressFamily, type, type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp);
            if (local.AddressFamily == AddressFamily.InterNetworkV6) c.DualMode = false;
            c.Bind(new IPEndPoint(local, ClientPorts.OrNext(port)));
            return c;
        });
        lock (_sockets) _sockets.Add(s);
        return s;
    }

    /// <summary>One HTTP request from the client namespace (source address <paramref name="client"/>) to <paramref name="target"/>.</summary>
    public HttpReply Get(IPAddress client, IPEndPoint target) =>
        TryGet(client, target, TimeSpan.FromSeconds(20)) ?? throw new CheckException($"connect {client} -> {target}: no answer in 20 s");

    /// <summary>One HTTP request; null when the connection is not established within <paramref name="connectTimeout"/>.</summary>
    public HttpReply? TryGet(IPAddress client, IPEndPoint target, TimeSpan connectTimeout)
    {
        using var s = ClientSocket(client, SocketType.Stream);
        if (!Connect(s, target, client, connectTimeout)) return null;
        var local = (IPEndPoint)s.LocalEndPoint!;
        s.ReceiveTimeout = 20_000;
        s.Send(Encoding.ASCII.GetBytes($"GET / HTTP/1.0\r\nHost: {Endpoint.Format(target.Address, (ushort)target.Port)}\r\n\r\n"));
        var text = new StringBuilder();
        var buffer = new byte[2048];
        try
        {
            int n;
            while ((n = s.Receive(buffer)) > 0) text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        catch (SocketException e)
        {
            throw new CheckException($"GET {target} from {local}: {e.SocketErrorCode} after '{text}'");
        }
        var all = text.ToString();
        var body = all.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var i and >= 0 ? all[(i + 4)..].Trim() : "";
        Check.True(all.StartsWith("HTTP/1.0 200 OK", StringComparison.Ordinal), $"GET {target} from {local}: '{all}'");
        var t = body.Split(' ');
        Check.True(t.Length == 3, $"GET {target} from {local}: body '{body}'");
        return new HttpReply(t[0], IPEndPoint.Parse(t[1]), IPEndPoint.Parse(t[2]), local);
    }

    /// <summary>A TCP connection from the client namespace that stays open (ESTABLISHED) until the lab is disposed.</summary>
    public IPEndPoint Hold(IPAddress client, IPEndPoint target)
    {
        var s = ClientSocket(client, SocketType.Stream);
        if (!Connect(s, target, client, TimeSpan.FromSeconds(20))) throw new CheckException($"connect {client} -> {target}: no answer in 20 s");
        return (IPEndPoint)s.LocalEndPoint!;
    }

    /// <summary>Connects; false when the handshake does not complete in time, an exception for any other failure.</summary>
    private static bool Connect(Socket s, IPEndPoint target, IPAddress client, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            s.ConnectAsync(target, cts.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e)
        {
            throw new CheckException($"connect {client} -> {target}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// One datagram from the client namespace; returns the answer and its source address, or null after
    /// <paramref name="wait"/>. A connected socket only accepts answers from <paramref name="target"/> itself.
    /// </summary>
    public (string Text, IPEndPoint From)? Udp(IPAddress client, IPEndPoint target, bool connected, TimeSpan wait)
    {
        using var s = ClientSocket(client, SocketType.Dgram);
        s.ReceiveTimeout = (int)wait.TotalMilliseconds;
        var buffer = new byte[2048];
        try
        {
            if (connected)
            {
                s.Connect(target);
                s.Send(Encoding.ASCII.GetBytes("ping"));
                var n = s.Receive(buffer);
                return (Encoding.ASCII.GetString(buffer, 0, n), target);
            }
            s.SendTo(Encoding.ASCII.GetBytes("ping"), target);
            EndPoint from = new IPEndPoint(client.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            var m = s.ReceiveFrom(buffer, ref from);
            return (Encoding.ASCII.GetString(buffer, 0, m), (IPEndPoint)from);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionRefused)
        {
            return null;
        }
    }

    /// <summary>The director's connection table (ip_vs_conn), every line parsed.</summary>
    public static List<IpvsConnection> Table()
    {
        var bad = new List<ConnectionParseError>();
        var table = ConnectionTable.Read(Director, ConnectionTableSource.Plain, bad.Add).ToList();
        Check.True(bad.Count == 0, "lines the reader rejected: " + string.Join("; ", bad));
        return table;
    }

    /// <summary>The connection table as ipvsadm -Lnc rows (for messages).</summary>
    public static string Show(IEnumerable<IpvsConnection> table) =>
        "\n    " + string.Join("\n    ", table.Select(c => c.ToString()));

    /// <summary>
    /// Reads a service with its real servers until the service statistics count <paramref name="connections"/>
    /// connections (the 6.1 estimator folds the per-CPU counters into the totals every 2 s), at most 15 s.
    /// </summary>
    public (VirtualService Service, List<RealServer> RealServers) WaitForStats(ServiceKey key, ulong connections)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var svc = DirectorIpvs.GetService(key) ?? throw new CheckException($"service {key} is gone");
            var rs = DirectorIpvs.GetRealServers(key);
            var n = svc.Statistics?.Connections ?? 0;
            if (n >= connections && rs.Sum(r => (long)(r.Statistics?.Connections ?? 0)) >= (long)connections || sw.Elapsed > TimeSpan.FromSeconds(15))
            {
                Check.Equal(connections, n, $"connections counted by {key}");
                return (svc, rs);
            }
            Thread.Sleep(250);
        }
    }

    /// <summary>Packets counted by the iptables rules carrying the comment <paramref name="comment"/> in a namespace's table.</summary>
    public static ulong IptablesPackets(string ns, string table, string chain, string comment)
    {
        var text = In(ns, $"iptables -t {table} -L {chain} -v -x -n");
        ulong sum = 0;
        var found = false;
        foreach (var line in text.Split('\n'))
        {
            if (!line.Contains("/* " + comment + " */", StringComparison.Ordinal)) continue;
            found = true;
            sum += ulong.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        }
        Check.True(found, $"no iptables rule '{comment}' in {ns} {table} {chain}:\n{text}");
        return sum;
    }

    public void Dispose()
    {
        _stopping = true;
        List<Socket> all;
        lock (_sockets) all = _sockets.Concat(_accepted).ToList();
        foreach (var s in all)
        {
            try
            {
                s.Dispose();
            }
            catch (Exception)
            {
                // closing is best effort; the namespaces go away next
            }
        }
        _director?.Dispose();
        _director = null;
        Trace("sockets closed");
        Host.ForgetRecords();
        var (code, o, e) = LabContext.Run("/bin/bash", Script + " down");
        if (code != 0) Console.WriteLine($"lab: {Script} down exited {code}: {e.Trim()} {o.Trim()}");
        Trace("topology down");
    }

    private static string FindScript()
    {
        const string relative = "tests/lab/scenarios/traffic.sh";
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new SkipException($"{relative} not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
    }
}
