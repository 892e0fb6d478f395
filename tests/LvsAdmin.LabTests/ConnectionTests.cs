using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>One connection table entry the scenario must produce, written the way ipvsadm -Lnc shows it.</summary>
internal sealed record WantedEntry(
    string ProtocolText, IpvsProtocol Protocol, string State,
    string Client, ushort ClientPort, string Virtual, ushort VirtualPort, string Real, ushort RealPort,
    bool IsTemplate, int MaxExpires, uint? Mark = null, string? Pe = null, string? PeData = null)
{
    /// <summary>"TCP ESTABLISHED 10.71.1.2:40001 10.71.0.100:80 10.71.2.2:8080" (ipvsadm -Lnc columns without the expiry).</summary>
    public string Row => $"{ProtocolText} {State} {Ep(Client, ClientPort)} {Ep(Virtual, VirtualPort)} {Ep(Real, RealPort)}";

    /// <summary>Same identity (protocol and the three endpoints), whatever the state.</summary>
    public bool SameIdentity(IpvsConnection c) =>
        c.Protocol == Protocol &&
        c.ClientAddress.Equals(IPAddress.Parse(Client)) && c.ClientPort == ClientPort &&
        c.VirtualAddress.Equals(IPAddress.Parse(Virtual)) && c.VirtualPort == VirtualPort &&
        c.RealServerAddress.Equals(IPAddress.Parse(Real)) && c.RealServerPort == RealPort;

    public override string ToString() => Row;

    private static string Ep(string address, ushort port)
    {
        var a = IPAddress.Parse(address);
        return (a.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + a + "]" : a.ToString()) + ":" + port.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// The connections scenario with real traffic: topology from tests/lab/scenarios/connections.sh (shared setup),
/// IPVS services configured through the library in the director namespace, TCP listeners on the real server and
/// client sockets in the client namespace with fixed ports, so every entry of the table is known in advance.
/// </summary>
internal sealed class ConnectionScenario : IDisposable
{
    public const string SipCallId = "lab-call-4711@10.71.1.2";

    public static readonly ServiceKey Http = ServiceKey.Parse("tcp/10.71.0.100:80");
    public static readonly ServiceKey Http6 = ServiceKey.Parse("tcp/[fd71::100]:80");
    public static readonly ServiceKey Mixed = ServiceKey.Parse("tcp/[fd71::100]:81");
    public static readonly ServiceKey Dns = ServiceKey.Parse("udp/10.71.0.100:53");
    public static readonly ServiceKey Https = ServiceKey.Parse("tcp/10.71.0.100:443");
    public static readonly ServiceKey Mark7 = ServiceKey.Parse("fwm/7");
    public static readonly ServiceKey Sip = ServiceKey.Parse("udp/10.71.0.100:5060");

    // Connections (client ports fixed so the table is predictable) and the templates of the persistent services.
    public static readonly WantedEntry HttpConn = new("TCP", IpvsProtocol.Tcp, "ESTABLISHED", "10.71.1.2", 40001, "10.71.0.100", 80, "10.71.2.2", 8080, false, 900);
    public static readonly WantedEntry Http6Conn = new("TCP", IpvsProtocol.Tcp, "ESTABLISHED", "fd71:1::2", 40002, "fd71::100", 80, "fd71:2::2", 8080, false, 900);
    public static readonly WantedEntry MixedConn = new("TCP", IpvsProtocol.Tcp, "SYN_RECV", "fd71:1::2", 40003, "fd71::100", 81, "10.71.2.2", 81, false, 60);
    public static readonly WantedEntry DnsConn = new("UDP", IpvsProtocol.Udp, "UDP", "10.71.1.2", 40004, "10.71.0.100", 53, "10.71.2.2", 5353, false, 300);
    public static readonly WantedEntry HttpsConn = new("TCP", IpvsProtocol.Tcp, "ESTABLISHED", "10.71.1.2", 40005, "10.71.0.100", 443, "10.71.2.2", 443, false, 900);
    public static readonly WantedEntry HttpsTemplate = new("TCP", IpvsProtocol.Tcp, "ASSURED", "10.71.1.2", 0, "10.71.0.100", 443, "10.71.2.2", 443, true, 120);
    public static readonly WantedEntry MarkConn = new("TCP", IpvsProtocol.Tcp, "ESTABLISHED", "10.71.1.2", 40006, "10.71.0.101", 8000, "10.71.2.2", 8000, false, 900);
    public static readonly WantedEntry MarkTemplate = new("IP", IpvsProtocol.None, "ASSURED", "10.71.1.2", 0, "0.0.0.7", 0, "10.71.2.2", 0, true, 120, Mark: 7);
    public static readonly WantedEntry SipConn = new("UDP", IpvsProtocol.Udp, "UDP", "10.71.1.2", 40007, "10.71.0.100", 5060, "10.71.2.2", 5060, false, 300);
    public static readonly WantedEntry SipTemplate = new("UDP", IpvsProtocol.Udp, "NONE", "10.71.1.2", 0, "10.71.0.100", 5060, "10.71.2.2", 5060, true, 120, Pe: "sip", PeData: SipCallId);

    public static readonly WantedEntry[] All =
        [HttpConn, Http6Conn, MixedConn, DnsConn, HttpsConn, HttpsTemplate, MarkConn, MarkTemplate, SipConn, SipTemplate];

    private ConnectionScenario(ConnectionLab lab) => Lab = lab;

    public ConnectionLab Lab { get; }

    public IpvsClient Director => Lab.DirectorIpvs;

    /// <summary>Sets everything up and makes the traffic; tears down again if anything fails.</summary>
    public static ConnectionScenario Start()
    {
        var lab = ConnectionLab.Up();
        try
        {
            var s = new ConnectionScenario(lab);
            s.ConfigureServices();
            s.MakeTraffic();
            return s;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public void Dispose() => Lab.Dispose();

    private void ConfigureServices()
    {
        var ipvs = Director;
        var rs4 = ConnectionLab.RealV4;
        void Add(VirtualService svc, IPAddress real, ushort port, ForwardingMethod method)
        {
            ipvs.AddService(svc);
            ipvs.AddRealServer(new RealServer(svc.Key, real, port) { ForwardingMethod = method });
        }
        Add(new VirtualService(Http) { Scheduler = "rr" }, rs4, 8080, ForwardingMethod.Nat);
        Add(new VirtualService(Http6) { Scheduler = "rr" }, ConnectionLab.RealV6, 8080, ForwardingMethod.Nat);
        // IPVS accepts a real server of the other family only with tunnelling: the mixed-family entry.
        Add(new VirtualService(Mixed) { Scheduler = "rr" }, rs4, 81, ForwardingMethod.Tunnel);
        Add(new VirtualService(Dns) { Scheduler = "rr" }, rs4, 5353, ForwardingMethod.Nat);
        Add(new VirtualService(Https) { Scheduler = "rr", Persistent = true, PersistenceTimeout = 120 }, rs4, 443, ForwardingMethod.Nat);
        // The script marks packets to 10.71.0.101 with 7 (iptables mangle PREROUTING).
        Add(new VirtualService(Mark7) { Scheduler = "rr", Persistent = true, PersistenceTimeout = 120 }, rs4, 0, ForwardingMethod.Nat);
        Add(new VirtualService(Sip) { Scheduler = "rr", Persistent = true, PersistenceTimeout = 120, PersistenceEngine = "sip" }, rs4, 5060, ForwardingMethod.Nat);
        Check.Equal(7, ipvs.GetServices().Count, "services configured in the director namespace");
    }

    private void MakeTraffic()
    {
        Lab.Listen(
            new IPEndPoint(IPAddress.Any, 8080), new IPEndPoint(IPAddress.IPv6Any, 8080),
            new IPEndPoint(IPAddress.Any, 443), new IPEndPoint(IPAddress.Any, 8000));
        IPEndPoint Local(WantedEntry w) => new(IPAddress.Parse(w.Client), w.ClientPort);
        IPEndPoint Remote(WantedEntry w) => new(IPAddress.Parse(w.Virtual), w.VirtualPort);
        Lab.Connect(Local(HttpConn), Remote(HttpConn));
        Lab.Connect(Local(Http6Conn), Remote(Http6Conn));
        Lab.ConnectPending(Local(MixedConn), Remote(MixedConn));
        Lab.SendDatagram(Local(DnsConn), Remote(DnsConn), Encoding.ASCII.GetBytes("query"));
        Lab.Connect(Local(HttpsConn), Remote(HttpsConn));
        Lab.Connect(Local(MarkConn), new IPEndPoint(ConnectionLab.VipMarked, 8000));
        // The SIP persistence engine takes the Call-ID from the first datagram: one datagram, one write.
        var sip = "OPTIONS sip:rs@10.71.0.100 SIP/2.0\r\nVia: SIP/2.0/UDP 10.71.1.2:5060\r\n" +
                  $"Call-ID: {SipCallId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        Lab.SendDatagram(Local(SipConn), Remote(SipConn), Encoding.ASCII.GetBytes(sip));
    }

    /// <summary>
    /// Reads the director's table until every wanted entry is there in its wanted state (the last handshake packets
    /// and template state changes may still be in flight), at most 20 s; returns the last read.
    /// </summary>
    public List<IpvsConnection> WaitForTable(ConnectionTableSource source = ConnectionTableSource.Auto)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var bad = new List<ConnectionParseError>();
            var table = ConnectionTable.Read(ConnectionLab.Director, source, bad.Add).ToList();
            Check.True(bad.Count == 0, "lines the reader rejected: " + string.Join("; ", bad));
            if (All.All(w => table.Any(c => w.SameIdentity(c) && c.State == w.State)) || sw.Elapsed > TimeSpan.FromSeconds(20))
                return table;
            Thread.Sleep(250);
        }
    }

    /// <summary>The table as ipvsadm -Lnc columns without expiry, one entry a line (for messages).</summary>
    public static string Show(IEnumerable<IpvsConnection> table) =>
        string.Join("\n    ", table.Select(c => c.ToString()));

    /// <summary>"TCP ESTABLISHED 10.71.1.2:40001 10.71.0.100:80 10.71.2.2:8080" of a read entry.</summary>
    public static string Row(IpvsConnection c) =>
        $"{IpvsConnection.ProtocolName(c.Protocol)} {c.State} {Endpoint.Format(c.ClientAddress, c.ClientPort)} " +
        $"{Endpoint.Format(c.VirtualAddress, c.VirtualPort)} {Endpoint.Format(c.RealServerAddress, c.RealServerPort)}";
}

/// <summary>
/// The connection table read from a namespace with real traffic: IPv4, IPv6, mixed family, UDP, persistence
/// templates (port, fwmark, SIP engine), filters, agreement with ipvsadm -Lnc, and real server counters.
/// </summary>
public sealed class ConnectionTests
{
    [LabTest]
    public void ConnectionTableHasEveryKindOfEntry(LabContext ctx)
    {
        using var s = ConnectionScenario.Start();

        // ip_vs_conn_sync (the default source): Origin column, no persistence engine data.
        var table = s.WaitForTable();
        CheckEntries(table, ConnectionOrigin.Local, withPe: false);

        // ip_vs_conn: persistence engine columns, no Origin.
        var plain = s.WaitForTable(ConnectionTableSource.Plain);
        CheckEntries(plain, ConnectionOrigin.Unknown, withPe: true);

        // Family details of the mixed-family row: IPv6 client and virtual address, IPv4 real server.
        var mixed = table.Single(ConnectionScenario.MixedConn.SameIdentity);
        Check.Equal(AddressFamily.InterNetworkV6, mixed.ClientAddress.AddressFamily, "mixed entry client family");
        Check.Equal(AddressFamily.InterNetworkV6, mixed.VirtualAddress.AddressFamily, "mixed entry virtual family");
        Check.Equal(AddressFamily.InterNetwork, mixed.RealServerAddress.AddressFamily, "mixed entry real server family");

        // The root namespace has its own table: the read really went into the director namespace.
        var root = ConnectionTable.Read().ToList();
        Check.True(!root.Any(c => ConnectionScenario.All.Any(w => w.SameIdentity(c))),
            "the root namespace's table has entries of the director namespace:\n    " + ConnectionScenario.Show(root));
    }

    private static void CheckEntries(List<IpvsConnection> table, ConnectionOrigin origin, bool withPe)
    {
        var shown = ConnectionScenario.Show(table);
        foreach (var w in ConnectionScenario.All)
        {
            var matches = table.Where(w.SameIdentity).ToList();
            Check.True(matches.Count == 1, $"{origin}: expected one entry {w}, found {matches.Count} in:\n    {shown}");
            var c = matches[0];
            Check.Equal(w.State, c.State, $"state of {w}");
            Check.Equal(w.IsTemplate, c.IsTemplate, $"IsTemplate of {w}");
            Check.True(c.Expires > TimeSpan.Zero && c.Expires <= TimeSpan.FromSeconds(w.MaxExpires),
                $"expiry of {w}: {c.Expires.TotalSeconds} s, expected 1..{w.MaxExpires}");
            Check.Equal(w.Mark, c.FirewallMark, $"firewall mark of {w}");
            Check.Equal(origin, c.Origin, $"origin of {w}");
            Check.Equal(withPe ? w.Pe : null, c.PersistenceEngine, $"persistence engine of {w}");
            Check.Equal(withPe ? w.PeData : null, c.PersistenceEngineData, $"persistence engine data of {w}");
        }
        Check.True(table.Count == ConnectionScenario.All.Length,
            $"{origin}: {table.Count} entries, expected exactly {ConnectionScenario.All.Length}:\n    {shown}");
    }

    [LabTest]
    public void ConnectionTableAgreesWithIpvsadm(LabContext ctx)
    {
        using var s = ConnectionScenario.Start();
        s.WaitForTable();
        foreach (var persistentConn in new[] { false, true })
        {
            // ipvsadm reads /proc/net/ip_vs_conn: compare with the same file.
            var sw = Stopwatch.StartNew();
            var ours = ConnectionTable.Read(ConnectionLab.Director, ConnectionTableSource.Plain).ToList();
            var theirs = Ipvsadm.Connections(persistentConn);
            var between = (int)Math.Ceiling(sw.Elapsed.TotalSeconds) + 1;
            var what = "ipvsadm -Lnc" + (persistentConn ? " --persistent-conn" : "");

            Check.Equal(ConnectionScenario.All.Length, theirs.Count, $"rows of {what}");
            var unmatched = ours.ToList();
            foreach (var row in theirs)
            {
                var i = unmatched.FindIndex(c => ConnectionScenario.Row(c) == row.Row);
                Check.True(i >= 0, $"{what} row '{row.Row}' has no entry in the library's read:\n    {ConnectionScenario.Show(ours)}");
                var c = unmatched[i];
                unmatched.RemoveAt(i);
                var mine = (int)c.Expires.TotalSeconds;
                // ipvsadm ran after our read: its expiry is at most ours (less the time in between), except for
                // the pending mixed-family connection, whose retransmitted SYNs restart its timer.
                var upper = c.State == "SYN_RECV" ? 60 : mine;
                Check.True(row.Expires > 0 && row.Expires >= mine - between && row.Expires <= upper,
                    $"{what} '{row.Row}': expiry {row.Expires} s vs the library's {mine} s ({between} s apart)");
                // --persistent-conn adds the engine columns of entries that have them (the SIP template).
                var pe = c.PersistenceEngine is null ? null : c.PersistenceEngine + " " + c.PersistenceEngineData;
                Check.Equal(persistentConn ? pe : null, row.Pe, $"{what} '{row.Row}' engine columns");
            }
            Check.Equal(0, unmatched.Count, $"entries read by the library but not listed by {what}");
        }
    }

    [LabTest]
    public void ConnectionFiltersSelectRealEntries(LabContext ctx)
    {
        using var s = ConnectionScenario.Start();
        var table = s.WaitForTable(ConnectionTableSource.Plain);
        void Expect(string what, ConnectionFilter filter, params WantedEntry[] wanted)
        {
            var got = table.Where(filter.Matches).Select(ConnectionScenario.Row).OrderBy(r => r, StringComparer.Ordinal).ToList();
            var want = wanted.Select(w => w.Row).OrderBy(r => r, StringComparer.Ordinal).ToList();
            Check.SameText(string.Join("\n", want), string.Join("\n", got), "filter " + what);
        }

        Expect("service tcp/10.71.0.100:80", new ConnectionFilter(Service: ConnectionScenario.Http), ConnectionScenario.HttpConn);
        Expect("service tcp/[fd71::100]:80", new ConnectionFilter(Service: ConnectionScenario.Http6), ConnectionScenario.Http6Conn);
        Expect("service tcp/[fd71::100]:81 (mixed)", new ConnectionFilter(Service: ConnectionScenario.Mixed), ConnectionScenario.MixedConn);
        Expect("service tcp/10.71.0.100:443 (persistent)", new ConnectionFilter(Service: ConnectionScenario.Https),
            ConnectionScenario.HttpsConn, ConnectionScenario.HttpsTemplate);
        Expect("service udp/10.71.0.100:5060 (sip)", new ConnectionFilter(Service: ConnectionScenario.Sip),
            ConnectionScenario.SipConn, ConnectionScenario.SipTemplate);
        Expect("service udp/10.71.0.100:53", new ConnectionFilter(Service: ConnectionScenario.Dns), ConnectionScenario.DnsConn);
        // A service of port 0 (persistent all-ports service) matches every port of its protocol and address.
        Expect("service tcp/10.71.0.100:0", new ConnectionFilter(Service: ServiceKey.Parse("tcp/10.71.0.100:0")),
            ConnectionScenario.HttpConn, ConnectionScenario.HttpsConn, ConnectionScenario.HttpsTemplate);

        Expect("real server fd71:2::2", new ConnectionFilter(RealServerAddress: ConnectionLab.RealV6), ConnectionScenario.Http6Conn);
        // A real server port selects the templates of that port, and the fwmark template (port 0) matches any port.
        Expect("real server 10.71.2.2:8080", new ConnectionFilter(RealServerAddress: ConnectionLab.RealV4, RealServerPort: 8080),
            ConnectionScenario.HttpConn, ConnectionScenario.MarkTemplate);
        Expect("real server 10.71.2.2:443", new ConnectionFilter(RealServerAddress: ConnectionLab.RealV4, RealServerPort: 443),
            ConnectionScenario.HttpsConn, ConnectionScenario.HttpsTemplate, ConnectionScenario.MarkTemplate);
        Expect("real server 10.71.2.2", new ConnectionFilter(RealServerAddress: ConnectionLab.RealV4),
            ConnectionScenario.All.Where(w => w != ConnectionScenario.Http6Conn).ToArray());
        Expect("real server ::ffff:10.71.2.2 (mapped)", new ConnectionFilter(RealServerAddress: ConnectionLab.RealV4.MapToIPv6(), RealServerPort: 5353),
            ConnectionScenario.DnsConn, ConnectionScenario.MarkTemplate);
        Expect("real server [fd71:2::2]:5353 (none)", new ConnectionFilter(RealServerAddress: ConnectionLab.RealV6, RealServerPort: 5353));

        Expect("client fd71:1::2", new ConnectionFilter(ClientAddress: ConnectionLab.ClientV6), ConnectionScenario.Http6Conn, ConnectionScenario.MixedConn);
        Expect("client 10.71.1.2", new ConnectionFilter(ClientAddress: ConnectionLab.ClientV4),
            ConnectionScenario.All.Where(w => w.Client == "10.71.1.2").ToArray());

        Expect("state established", new ConnectionFilter(State: "established"),
            ConnectionScenario.HttpConn, ConnectionScenario.Http6Conn, ConnectionScenario.HttpsConn, ConnectionScenario.MarkConn);
        Expect("state UDP", new ConnectionFilter(State: "UDP"), ConnectionScenario.DnsConn, ConnectionScenario.SipConn);
        Expect("state SYN_RECV", new ConnectionFilter(State: " SYN_RECV "), ConnectionScenario.MixedConn);
        Expect("state ASSURED", new ConnectionFilter(State: "ASSURED"), ConnectionScenario.HttpsTemplate, ConnectionScenario.MarkTemplate);
        Expect("service 443 + state ASSURED", new ConnectionFilter(Service: ConnectionScenario.Https, State: "ASSURED"), ConnectionScenario.HttpsTemplate);
        Expect("client fd71:1::2 + real server 10.71.2.2", new ConnectionFilter(RealServerAddress: ConnectionLab.RealV4, ClientAddress: ConnectionLab.ClientV6),
            ConnectionScenario.MixedConn);
        Expect("state TIME_WAIT (none)", new ConnectionFilter(State: "TIME_WAIT"));
        Expect("no criterion", new ConnectionFilter(), ConnectionScenario.All);

        var e = Check.Throws<IpvsValidationException>(() => new ConnectionFilter(Service: ConnectionScenario.Mark7), "filter by a fwmark service");
        Check.Equal("FirewallMarkConnectionFilterNotSupported", e.ErrorId, "error id of a fwmark service filter");
    }

    [LabTest]
    public void RealServerCountersReflectTraffic(LabContext ctx)
    {
        using var s = ConnectionScenario.Start();
        s.WaitForTable();
        // (service, real server, active, inactive, persistent): a connection starts inactive (the kernel sets
        // IP_VS_CONN_F_INACTIVE on every real server); TCP makes it active in SYN_SENT, SYN_RECV and ESTABLISHED
        // (tcp_state_active), so the pending mixed-family SYN_RECV connection is active too; UDP has no state change
        // and stays inactive; each template counts as a persistent connection (persistconns), not as active/inactive.
        var wanted = new (ServiceKey Service, string Real, uint Active, uint Inactive, uint Persistent, bool Replies)[]
        {
            (ConnectionScenario.Http, "10.71.2.2:8080", 1, 0, 0, true),
            (ConnectionScenario.Http6, "[fd71:2::2]:8080", 1, 0, 0, true),
            (ConnectionScenario.Mixed, "10.71.2.2:81", 1, 0, 0, false),
            (ConnectionScenario.Dns, "10.71.2.2:5353", 0, 1, 0, false),
            (ConnectionScenario.Https, "10.71.2.2:443", 1, 0, 1, true),
            (ConnectionScenario.Mark7, "10.71.2.2:0", 1, 0, 1, true),
            (ConnectionScenario.Sip, "10.71.2.2:5060", 0, 1, 1, false),
        };

        // The 6.1 estimator folds the per-CPU counters into the totals every 2 s: wait until every real server shows its connection.
        Dictionary<(ServiceKey, string), RealServer> Read() =>
            wanted.ToDictionary(w => (w.Service, w.Real), w =>
            {
                var list = s.Director.GetRealServers(w.Service);
                Check.Equal(1, list.Count, $"real servers of {w.Service}");
                return list[0];
            });
        var sw = Stopwatch.StartNew();
        var ours = Read();
        while (ours.Values.Any(r => (r.Statistics?.Connections ?? 0) == 0) && sw.Elapsed < TimeSpan.FromSeconds(15))
        {
            Thread.Sleep(500);
            ours = Read();
        }
        var counts = Ipvsadm.RealServerColumns("-Ln --persistent-conn");
        var stats = Ipvsadm.RealServerColumns("-Ln --stats --exact");

        foreach (var w in wanted)
        {
            var r = ours[(w.Service, w.Real)];
            var name = $"{w.Service} -> {w.Real}";
            Check.Equal(w.Real, Endpoint.Format(r.Address, r.Port), "real server of " + w.Service);
            Check.Equal(w.Active, r.ActiveConnections, "active connections of " + name);
            Check.Equal(w.Inactive, r.InactiveConnections, "inactive connections of " + name);
            Check.Equal(w.Persistent, r.PersistentConnections, "persistent connections of " + name);
            var st = r.Statistics ?? throw new CheckException("no statistics for " + name);
            Check.Equal(1UL, st.Connections, "connections counted for " + name);
            Check.True(st.InPackets > 0 && st.InBytes > 0, $"{name}: in packets {st.InPackets}, in bytes {st.InBytes}");
            if (w.Replies) Check.True(st.OutPackets > 0 && st.OutBytes > 0, $"{name}: out packets {st.OutPackets}, out bytes {st.OutBytes} (NAT replies)");

            // ipvsadm -Ln --persistent-conn: Weight PersistConn ActiveConn InActConn
            var key = Ipvsadm.ServiceColumn(w.Service);
            Check.True(counts.TryGetValue((key, w.Real), out var c), $"ipvsadm -Ln --persistent-conn lists no {key} -> {w.Real}");
            Check.Equal($"{r.Weight} {r.PersistentConnections} {r.ActiveConnections} {r.InactiveConnections}", string.Join(" ", c!), "ipvsadm counts of " + name);
            // ipvsadm -Ln --stats --exact: Conns InPkts OutPkts InBytes OutBytes, read after ours (counters only grow).
            Check.True(stats.TryGetValue((key, w.Real), out var t), $"ipvsadm -Ln --stats lists no {key} -> {w.Real}");
            var n = t!.Select(v => ulong.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Check.Equal(st.Connections, n[0], "ipvsadm Conns of " + name);
            Check.True(n[1] >= st.InPackets && n[2] >= st.OutPackets && n[3] >= st.InBytes && n[4] >= st.OutBytes,
                $"{name}: ipvsadm counters {string.Join(" ", t!)} below the library's {st.InPackets} {st.OutPackets} {st.InBytes} {st.OutBytes}");
        }
    }
}

/// <summary>ipvsadm in the director namespace, its listings parsed into columns.</summary>
internal static class Ipvsadm
{
    /// <summary>A row of ipvsadm -Lnc: "pro expire state source virtual destination [pe-name pe-data]".</summary>
    public sealed record ConnectionRow(string Row, int Expires, string? Pe);

    public static List<ConnectionRow> Connections(bool persistentConn)
    {
        var text = LabContext.RunOk("ip", $"netns exec {ConnectionLab.DirectorName} ipvsadm -Lnc" + (persistentConn ? " --persistent-conn" : ""));
        var rows = new List<ConnectionRow>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line == "IPVS connection entries" || line.StartsWith("pro ", StringComparison.Ordinal)) continue;
            var t = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length is not (6 or 8)) throw new CheckException($"ipvsadm -Lnc row with {t.Length} columns: '{line}'");
            var mmss = t[1].Split(':');
            var expires = int.Parse(mmss[0], CultureInfo.InvariantCulture) * 60 + int.Parse(mmss[1], CultureInfo.InvariantCulture);
            rows.Add(new ConnectionRow($"{t[0]} {t[2]} {t[3]} {t[4]} {t[5]}", expires, t.Length == 8 ? t[6] + " " + t[7] : null));
        }
        return rows;
    }

    /// <summary>"TCP 10.71.0.100:80", "UDP [fd71::100]:53", "FWM 7": how ipvsadm -Ln names a service.</summary>
    public static string ServiceColumn(ServiceKey key) =>
        key.IsFirewallMark ? "FWM " + key.FirewallMark.ToString(CultureInfo.InvariantCulture)
                           : key.Protocol.ToString().ToUpperInvariant() + " " + Endpoint.Format(key.Address!, key.Port);

    /// <summary>The numeric columns of every real server line of an ipvsadm -L listing, by (service, real server).</summary>
    public static Dictionary<(string Service, string Real), string[]> RealServerColumns(string options)
    {
        var text = LabContext.RunOk("ip", $"netns exec {ConnectionLab.DirectorName} ipvsadm {options}");
        var result = new Dictionary<(string, string), string[]>();
        string? service = null;
        foreach (var raw in text.Split('\n'))
        {
            var t = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length < 2) continue;
            if (t[0] is "TCP" or "UDP" or "SCTP" or "FWM") service = t[0] + " " + t[1];
            else if (t[0] == "->" && service is not null && t[1] != "RemoteAddress:Port")
                result[(service, t[1])] = t.Skip(2).Where(v => char.IsDigit(v[0])).ToArray();
        }
        return result;
    }
}
