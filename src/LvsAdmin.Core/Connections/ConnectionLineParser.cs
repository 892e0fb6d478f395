using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Connections;

/// <summary>The two line layouts of the kernel's connection table files.</summary>
internal enum ConnectionTableFormat
{
    /// <summary>No header seen yet: each line's layout is recognised from its ninth column.</summary>
    Unknown,
    /// <summary>/proc/net/ip_vs_conn: "... State Expires [PEName PEData]".</summary>
    Plain,
    /// <summary>/proc/net/ip_vs_conn_sync: "... State Origin Expires".</summary>
    Sync,
}

/// <summary>
/// Parses single lines of /proc/net/ip_vs_conn and /proc/net/ip_vs_conn_sync. The layouts, from
/// net/netfilter/ipvs/ip_vs_conn.c (Linux 6.1, checked against the strings of Debian's 6.1 ip_vs.ko):
/// <code>
/// ip_vs_conn header:      "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData"
/// ip_vs_conn IPv4 row:    "%-3s %08X %04X %08X %04X %s %04X %-11s %7u%s"   (last %s: "" or " NAME DATA")
/// ip_vs_conn IPv6 row:    "%-3s %pI6 %04X %pI6 %04X %s %04X %-11s %7u%s"
/// ip_vs_conn_sync header: "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires"
/// ip_vs_conn_sync rows:   "%-3s %08X %04X %08X %04X %s %04X %-11s %-6s %7u" (and the %pI6 variant)
/// </code>
/// The client and virtual addresses use the service family (cp->af); the destination column (%s) is printed
/// separately with the real server family (cp->daf): "%08X" of the host-order IPv4 address or "%pI6" (eight
/// groups of four hex digits, never compressed). Ports are host-order "%04X". Expires is whole seconds.
/// </summary>
internal static class ConnectionLineParser
{
    /// <summary>Lines longer than this are rejected (a real row is under 200 characters; PE data is at most 255 bytes).</summary>
    public const int MaxLineLength = 1024;

    /// <summary>Recognises a header line and the layout it announces.</summary>
    public static bool TryParseHeader(string line, out ConnectionTableFormat format)
    {
        format = ConnectionTableFormat.Unknown;
        var s = line.AsSpan().Trim();
        if (!s.StartsWith("Pro ", StringComparison.Ordinal) || s.IndexOf("FromIP", StringComparison.Ordinal) < 0) return false;
        if (s.IndexOf(" Origin", StringComparison.Ordinal) >= 0) format = ConnectionTableFormat.Sync;
        else if (s.IndexOf(" Expires", StringComparison.Ordinal) >= 0) format = ConnectionTableFormat.Plain;
        return true;
    }

    /// <summary>Parses one data line. Returns false with a reason for anything that is not a well-formed row.</summary>
    public static bool TryParse(string line, ConnectionTableFormat format, out IpvsConnection? connection, out string reason)
    {
        connection = null;
        reason = "";
        if (line.Length > MaxLineLength)
        {
            reason = $"line longer than {MaxLineLength} characters";
            return false;
        }
        var s = line.AsSpan();
        // Up to 10 space-separated columns; in the plain layout everything after the 10th column's separator
        // is the persistence engine data.
        Span<Range> cols = stackalloc Range[10];
        var count = 0;
        var pos = 0;
        var restStart = -1;
        while (count < cols.Length)
        {
            while (pos < s.Length && s[pos] == ' ') pos++;
            if (pos >= s.Length) break;
            var start = pos;
            while (pos < s.Length && s[pos] != ' ') pos++;
            cols[count++] = new Range(start, pos);
        }
        // After the 10th column: the kernel writes one space, then the PE data (which is the rest of the line).
        if (count == cols.Length && pos < s.Length) restStart = pos + 1;
        if (count < 9)
        {
            reason = $"expected at least 9 columns, found {count}";
            return false;
        }

        var ninth = s[cols[8]];
        var isSync = ninth.SequenceEqual("LOCAL") || ninth.SequenceEqual("SYNC");
        if (format == ConnectionTableFormat.Unknown) format = isSync ? ConnectionTableFormat.Sync : ConnectionTableFormat.Plain;
        if (format == ConnectionTableFormat.Sync && !isSync)
        {
            reason = $"the Origin column is '{ninth.ToString()}', not LOCAL or SYNC";
            return false;
        }
        if (format == ConnectionTableFormat.Plain && isSync)
        {
            reason = "an ip_vs_conn_sync row (with an Origin column) in an ip_vs_conn table";
            return false;
        }

        if (!TryParseProtocol(s[cols[0]], out var protocol))
        {
            reason = $"unknown protocol '{s[cols[0]].ToString()}'";
            return false;
        }
        if (!TryParseAddress(s[cols[1]], out var client))
        {
            reason = $"bad client address '{s[cols[1]].ToString()}'";
            return false;
        }
        if (!TryParsePort(s[cols[2]], out var clientPort))
        {
            reason = $"bad client port '{s[cols[2]].ToString()}'";
            return false;
        }
        if (!TryParseAddress(s[cols[3]], out var vip) || vip.AddressFamily != client.AddressFamily)
        {
            reason = $"bad virtual address '{s[cols[3]].ToString()}'" + (vip is not null && vip.AddressFamily != client.AddressFamily ? " (not the client's family)" : "");
            return false;
        }
        if (!TryParsePort(s[cols[4]], out var vport))
        {
            reason = $"bad virtual port '{s[cols[4]].ToString()}'";
            return false;
        }
        if (!TryParseAddress(s[cols[5]], out var dest))
        {
            reason = $"bad destination address '{s[cols[5]].ToString()}'";
            return false;
        }
        if (!TryParsePort(s[cols[6]], out var dport))
        {
            reason = $"bad destination port '{s[cols[6]].ToString()}'";
            return false;
        }
        var state = InternState(s[cols[7]]);

        var origin = ConnectionOrigin.Unknown;
        ReadOnlySpan<char> expiresText;
        string? peName = null, peData = null;
        if (format == ConnectionTableFormat.Sync)
        {
            var extra = restStart >= 0 && !s[restStart..].IsWhiteSpace();
            if (count != 10 || extra)
            {
                reason = $"expected 10 columns in an ip_vs_conn_sync row, found {(extra ? "more" : count.ToString(CultureInfo.InvariantCulture))}";
                return false;
            }
            origin = ninth.SequenceEqual("SYNC") ? ConnectionOrigin.Sync : ConnectionOrigin.Local;
            expiresText = s[cols[9]];
        }
        else
        {
            expiresText = ninth;
            if (count == 10)
            {
                peName = s[cols[9]].ToString();
                peData = restStart >= 0 ? s[restStart..].ToString() : "";
            }
        }
        if (!uint.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            reason = $"bad expiry '{expiresText.ToString()}' (whole seconds expected)";
            return false;
        }

        uint? mark = null;
        var isTemplate = protocol == IpvsProtocol.None ||
                         (clientPort == 0 && (state is "NONE" or "ASSURED" || state.Contains(',')));
        if (protocol == IpvsProtocol.None) mark = MarkFromAddress(vip);

        connection = new IpvsConnection
        {
            Protocol = protocol,
            ClientAddress = client,
            ClientPort = clientPort,
            VirtualAddress = vip,
            VirtualPort = vport,
            RealServerAddress = dest,
            RealServerPort = dport,
            State = state,
            Expires = TimeSpan.FromSeconds(expires),
            PersistenceEngine = peName,
            PersistenceEngineData = peData,
            IsTemplate = isTemplate,
            Origin = origin,
            FirewallMark = mark,
        };
        return true;
    }

    /// <summary>ip_vs_proto_name: TCP, UDP, SCTP, IP (0), ICMP, ICMPv6, IPIP/GRE (newer kernels), IP_%u.</summary>
    internal static bool TryParseProtocol(ReadOnlySpan<char> s, out IpvsProtocol protocol)
    {
        protocol = IpvsProtocol.None;
        switch (s)
        {
            case "TCP": protocol = IpvsProtocol.Tcp; return true;
            case "UDP": protocol = IpvsProtocol.Udp; return true;
            case "SCTP": protocol = IpvsProtocol.Sctp; return true;
            case "IP": protocol = IpvsProtocol.None; return true;
            case "ICMP": protocol = (IpvsProtocol)1; return true;
            case "ICMPv6": protocol = (IpvsProtocol)58; return true;
            case "IPIP": protocol = (IpvsProtocol)4; return true;
            case "GRE": protocol = (IpvsProtocol)47; return true;
        }
        if (s.StartsWith("IP_", StringComparison.Ordinal) &&
            ushort.TryParse(s[3..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 255)
        {
            protocol = (IpvsProtocol)n;
            return true;
        }
        return false;
    }

    /// <summary>"%08X" of a host-order IPv4 address, or "%pI6" (full, uncompressed IPv6 form).</summary>
    internal static bool TryParseAddress(ReadOnlySpan<char> s, out IPAddress address)
    {
        address = IPAddress.None;
        if (s.Length == 8 && IsHex(s))
        {
            var value = uint.Parse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            address = new IPAddress(bytes);
            return true;
        }
        // %pI6 prints 8 groups of 4 hex digits (39 characters); accept any plain IPv6 text but nothing else
        // (no scope, no embedded IPv4, no brackets).
        if (s.Length is < 2 or > 39 || s.IndexOf(':') < 0) return false;
        foreach (var c in s)
            if (c != ':' && !char.IsAsciiHexDigit(c)) return false;
        if (!IPAddress.TryParse(s, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6) return false;
        address = parsed;
        return true;
    }

    /// <summary>"%04X" of a host-order port (1 to 4 hex digits accepted).</summary>
    internal static bool TryParsePort(ReadOnlySpan<char> s, out ushort port)
    {
        port = 0;
        return s.Length is >= 1 and <= 4 && IsHex(s) &&
               ushort.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out port);
    }

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    /// <summary>
    /// A firewall-mark template stores htonl(mark) in the first 32 bits of the virtual address (ip_vs_sched_persist:
    /// <c>union nf_inet_addr fwmark = { .ip = htonl(svc->fwmark) }</c>); the rest of an IPv6 address is zero.
    /// </summary>
    internal static uint? MarkFromAddress(IPAddress vip)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!vip.TryWriteBytes(bytes, out var written)) return null;
        for (var i = 4; i < written; i++)
            if (bytes[i] != 0) return null;
        var mark = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return mark == 0 ? null : mark;
    }

    /// <summary>Returns shared strings for the known state names (no allocation per row).</summary>
    private static string InternState(ReadOnlySpan<char> s) => s switch
    {
        "NONE" => "NONE",
        "ESTABLISHED" => "ESTABLISHED",
        "SYN_SENT" => "SYN_SENT",
        "SYN_RECV" => "SYN_RECV",
        "FIN_WAIT" => "FIN_WAIT",
        "TIME_WAIT" => "TIME_WAIT",
        "CLOSE" => "CLOSE",
        "CLOSE_WAIT" => "CLOSE_WAIT",
        "LAST_ACK" => "LAST_ACK",
        "LISTEN" => "LISTEN",
        "SYNACK" => "SYNACK",
        "UDP" => "UDP",
        "INIT1" => "INIT1",
        "INIT" => "INIT",
        "C-SENT" => "C-SENT",
        "C-REPLIED" => "C-REPLIED",
        "C-WAIT" => "C-WAIT",
        "COOKIE" => "COOKIE",
        "C-ECHOED" => "C-ECHOED",
        "S-SENT" => "S-SENT",
        "S-RECEIVED" => "S-RECEIVED",
        "S-ACK-SENT" => "S-ACK-SENT",
        "REJECTED" => "REJECTED",
        "CLOSED" => "CLOSED",
        "ASSURED" => "ASSURED",
        _ => s.ToString(),
    };
}
