using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Connections;

/// <summary>Where a connection entry came from (the Origin column of /proc/net/ip_vs_conn_sync).</summary>
public enum ConnectionOrigin
{
    /// <summary>Created by this director for traffic it scheduled (kernel text LOCAL).</summary>
    Local,
    /// <summary>Received from a master director by the backup sync daemon (kernel flag IP_VS_CONN_F_SYNC, text SYNC).</summary>
    Sync,
    /// <summary>
    /// Not known: the entry was read from /proc/net/ip_vs_conn, which has no Origin column (it has the persistence
    /// engine columns instead).
    /// </summary>
    Unknown,
}

/// <summary>Which of the two kernel views of the connection table to read.</summary>
public enum ConnectionTableSource
{
    /// <summary>/proc/net/ip_vs_conn_sync when it exists (it always does next to ip_vs_conn), else /proc/net/ip_vs_conn.</summary>
    Auto = 0,
    /// <summary>/proc/net/ip_vs_conn_sync: has the Origin column (LOCAL/SYNC), no persistence-engine columns.</summary>
    Sync,
    /// <summary>/proc/net/ip_vs_conn: has the PEName/PEData columns (e.g. the SIP Call-ID), no Origin column.</summary>
    Plain,
}

/// <summary>
/// One entry of the IPVS connection table (what <c>ipvsadm -Lnc</c> lists): a connection, or a persistence
/// template. Addresses of a service and its client share one family; the real server's family may differ
/// (an IPv6 service with IPv4 tunnel real servers).
/// </summary>
public sealed record IpvsConnection
{
    /// <summary>
    /// The protocol. <see cref="IpvsProtocol.None"/> for the kernel's "IP", which only persistence templates of
    /// firewall-mark services have. Entries of other IP protocols (the kernel's "IP_50", "ICMP", …) carry the
    /// protocol number as an undeclared enum value (e.g. <c>(IpvsProtocol)50</c> for ESP).
    /// </summary>
    public IpvsProtocol Protocol { get; init; }

    /// <summary>The client address; for a persistence template the client network (address masked with the service netmask).</summary>
    public required IPAddress ClientAddress { get; init; }
    /// <summary>The client port; 0 for persistence templates.</summary>
    public ushort ClientPort { get; init; }
    /// <summary>
    /// The virtual address the client connected to. For a firewall-mark template it is the mark written as an
    /// address (mark 7 → 0.0.0.7, or 0:7:: for IPv6), exactly as the kernel stores it; see <see cref="FirewallMark"/>.
    /// </summary>
    public required IPAddress VirtualAddress { get; init; }
    /// <summary>The virtual port; 0 in templates of firewall-mark, port-zero and FTP services.</summary>
    public ushort VirtualPort { get; init; }
    /// <summary>The real server the entry is bound to.</summary>
    public required IPAddress RealServerAddress { get; init; }
    /// <summary>The real server port; 0 in templates of firewall-mark, port-zero and FTP services.</summary>
    public ushort RealServerPort { get; init; }
    /// <summary>
    /// The state name as the kernel prints it: TCP NONE, ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT, TIME_WAIT,
    /// CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK; UDP "UDP"; SCTP NONE, INIT1, INIT, C-SENT, C-REPLIED, C-WAIT,
    /// COOKIE, C-ECHOED, ESTABLISHED, S-SENT, S-RECEIVED, S-ACK-SENT, REJECTED, CLOSED; templates NONE or ASSURED.
    /// See <see cref="ConnectionStates"/>.
    /// </summary>
    public required string State { get; init; }
    /// <summary>Time until the entry expires, whole seconds (the kernel prints (expires - jiffies) / HZ).</summary>
    public TimeSpan Expires { get; init; }
    /// <summary>The persistence engine name (e.g. "sip") when the entry carries engine data; only in /proc/net/ip_vs_conn.</summary>
    public string? PersistenceEngine { get; init; }
    /// <summary>The persistence engine data (for sip: the Call-ID); only in /proc/net/ip_vs_conn.</summary>
    public string? PersistenceEngineData { get; init; }
    /// <summary>
    /// True for a persistence template. The table has no flags column, so this is derived from the kernel's own
    /// template shape: protocol "IP" (firewall-mark templates), or client port 0 with a template state (NONE or
    /// ASSURED; Linux 5.x+ names template states separately). A TCP connection of a synced or FTP-data entry that
    /// has no client port yet and is still in state NONE cannot be told apart and is reported as a template.
    /// </summary>
    public bool IsTemplate { get; init; }
    /// <summary>LOCAL or SYNC from ip_vs_conn_sync; <see cref="ConnectionOrigin.Unknown"/> when read from ip_vs_conn.</summary>
    public ConnectionOrigin Origin { get; init; }
    /// <summary>
    /// The firewall mark, for persistence templates of firewall-mark services (protocol "IP"), whose virtual
    /// address field holds the mark. Null otherwise: ordinary connections of a firewall-mark service show the
    /// packet's real destination and the table does not record the mark.
    /// </summary>
    public uint? FirewallMark { get; init; }

    /// <summary>The entry in ipvsadm -Lnc style: "TCP 14:59 ESTABLISHED 10.0.0.1:1234 10.0.0.100:80 10.0.2.2:8080".</summary>
    public override string ToString()
    {
        var seconds = (long)Expires.TotalSeconds;
        var text = ProtocolName(Protocol) + " " +
                   (seconds / 60).ToString("00", CultureInfo.InvariantCulture) + ":" + (seconds % 60).ToString("00", CultureInfo.InvariantCulture) + " " +
                   State + " " + Endpoint.Format(ClientAddress, ClientPort) + " " + Endpoint.Format(VirtualAddress, VirtualPort) + " " +
                   Endpoint.Format(RealServerAddress, RealServerPort);
        return PersistenceEngine is null ? text : text + " " + PersistenceEngine + " " + PersistenceEngineData;
    }

    /// <summary>The kernel's name of a protocol (ip_vs_proto_name): TCP, UDP, SCTP, IP, ICMP, ICMPv6, IP_n.</summary>
    public static string ProtocolName(IpvsProtocol protocol) => (ushort)protocol switch
    {
        0 => "IP",
        6 => "TCP",
        17 => "UDP",
        132 => "SCTP",
        1 => "ICMP",
        58 => "ICMPv6",
        var n => "IP_" + n.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>A line of a connection table that could not be parsed; it was skipped.</summary>
/// <param name="LineNumber">1-based line number in the table (the header is line 1).</param>
/// <param name="Line">The line's text.</param>
/// <param name="Reason">Why it was rejected.</param>
public sealed record ConnectionParseError(long LineNumber, string Line, string Reason)
{
    public override string ToString() => $"line {LineNumber.ToString(CultureInfo.InvariantCulture)}: {Reason}: '{Line}'";
}

/// <summary>The state names the Linux 6.1 kernel prints in the connection table, per protocol.</summary>
public static class ConnectionStates
{
    /// <summary>tcp_state_name_table (ip_vs_proto_tcp.c).</summary>
    public static IReadOnlyList<string> Tcp { get; } =
        ["NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK"];

    /// <summary>udp_state_name_table (ip_vs_proto_udp.c): one state.</summary>
    public static IReadOnlyList<string> Udp { get; } = ["UDP"];

    /// <summary>sctp_state_name_table (ip_vs_proto_sctp.c).</summary>
    public static IReadOnlyList<string> Sctp { get; } =
        ["NONE", "INIT1", "INIT", "C-SENT", "C-REPLIED", "C-WAIT", "COOKIE", "C-ECHOED", "ESTABLISHED", "S-SENT", "S-RECEIVED", "S-ACK-SENT", "REJECTED", "CLOSED"];

    /// <summary>ip_vs_ctpl_state_name_table (ip_vs_proto.c): states of persistence templates.</summary>
    public static IReadOnlyList<string> Template { get; } = ["NONE", "ASSURED"];

    /// <summary>Every distinct name above (for completion), in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = BuildAll();

    private static string[] BuildAll()
    {
        var seen = new List<string>();
        foreach (var list in new[] { Tcp, Udp, Sctp, Template })
            foreach (var s in list)
                if (!seen.Contains(s)) seen.Add(s);
        return seen.ToArray();
    }
}
