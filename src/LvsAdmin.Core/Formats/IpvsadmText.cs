using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Formats;

/// <summary>
/// What ipvsadm 1.31's text output is made of, reproduced byte for byte: glibc's inet_ntop, the printf paddings,
/// print_largenum, and the table order (<see cref="IpvsOrder"/>, which every listing of the module shares).
/// </summary>
internal static class IpvsadmText
{
    public static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>inet_ntop(AF_INET6) as glibc writes it (longest zero run of 2+ words compressed, the first of equal
    /// runs; ::a.b.c.d for IPv4-compatible and ::ffff:a.b.c.d for IPv4-mapped addresses); inet_ntop(AF_INET) for IPv4.</summary>
    public static string InetNtop(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork) return address.ToString();
        var b = address.GetAddressBytes();
        Span<int> words = stackalloc int[8];
        for (var i = 0; i < 8; i++) words[i] = (b[2 * i] << 8) | b[2 * i + 1];
        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (var i = 0; i < 8; i++)
        {
            if (words[i] == 0)
            {
                if (curBase == -1) { curBase = i; curLen = 1; }
                else curLen++;
            }
            else if (curBase != -1)
            {
                if (bestBase == -1 || curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) { bestBase = curBase; bestLen = curLen; }
        if (bestBase != -1 && bestLen < 2) bestBase = -1;
        var sb = new StringBuilder(40);
        for (var i = 0; i < 8; i++)
        {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen)
            {
                if (i == bestBase) sb.Append(':');
                continue;
            }
            if (i != 0) sb.Append(':');
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff)))
            {
                sb.Append(b[12]).Append('.').Append(b[13]).Append('.').Append(b[14]).Append('.').Append(b[15]);
                return sb.ToString();
            }
            sb.Append(words[i].ToString("x", C));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) sb.Append(':');
        return sb.ToString();
    }

    /// <summary>addrport_to_anyname with FMT_NUMERIC: 10.0.0.1:80, [2001:db8::1]:80.</summary>
    public static string AddrPort(IPAddress address, ushort port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? "[" + InetNtop(address) + "]:" + port.ToString(C)
            : InetNtop(address) + ":" + port.ToString(C);

    /// <summary>printf("%-Ns").</summary>
    public static string Left(string s, int width) => s.Length >= width ? s : s.PadRight(width);

    /// <summary>printf("%Ns") / ("%Nllu").</summary>
    public static string Right(string s, int width) => s.Length >= width ? s : s.PadLeft(width);

    /// <summary>print_largenum: 9 columns, scaled to K, M, G, T above 100 million (or exact with -X).</summary>
    public static string LargeNumber(ulong i, bool exact)
    {
        if (exact)
        {
            var text = i.ToString(C);
            return Right(text, text.Length <= 8 ? 9 : text.Length + 1);
        }
        if (i < 100000000UL) return Right(i.ToString(C), 9);
        if (i < 1000000000UL) return Right((i / 1000).ToString(C), 8) + "K";
        if (i < 100000000000UL) return Right((i / 1000000).ToString(C), 8) + "M";
        if (i < 100000000000000UL) return Right((i / 1000000000UL).ToString(C), 8) + "G";
        return Right((i / 1000000000000UL).ToString(C), 8) + "T";
    }

    /// <summary>printf("%d") of an unsigned 32-bit value (ipvsadm prints firewall marks so: above 2^31 they come out negative).</summary>
    public static string AsInt(uint value) => unchecked((int)value).ToString(C);

    /// <summary>The table in the order ipvsadm prints it (<see cref="IpvsOrder"/>: services sorted, each one's real
    /// servers sorted), or as given.</summary>
    public static List<(VirtualService Service, IReadOnlyList<RealServer> RealServers)> Order(
        IEnumerable<(VirtualService Service, IReadOnlyList<RealServer> RealServers)> table, bool sort)
    {
        ArgumentNullException.ThrowIfNull(table);
        var list = new List<(VirtualService Service, IReadOnlyList<RealServer> RealServers)>();
        foreach (var (s, r) in table)
        {
            ArgumentNullException.ThrowIfNull(s);
            list.Add((s, r ?? Array.Empty<RealServer>()));
        }
        if (!sort) return list;
        IpvsOrder.Sort(list, static x => x.Service.Key);
        for (var i = 0; i < list.Count; i++) list[i] = (list[i].Service, SortedRealServers(list[i].RealServers));
        return list;
    }

    /// <summary>A sorted copy of one service's real servers (<see cref="IpvsOrder.SortRealServers"/>).</summary>
    public static List<RealServer> SortedRealServers(IReadOnlyList<RealServer> realServers)
    {
        var sorted = new List<RealServer>(realServers);
        IpvsOrder.SortRealServers(sorted);
        return sorted;
    }

    /// <summary>print_sched_flags: sh-fallback,sh-port for sh; mh-fallback,mh-port for mh; flag-1,flag-2,flag-3 otherwise.</summary>
    public static string SchedulerFlagsText(string scheduler, SchedulerFlags flags)
    {
        var parts = new List<string>(3);
        if (scheduler == "sh")
        {
            if ((flags & SchedulerFlags.Flag1) != 0) parts.Add("sh-fallback");
            if ((flags & SchedulerFlags.Flag2) != 0) parts.Add("sh-port");
        }
        else if (scheduler == "mh")
        {
            if ((flags & SchedulerFlags.Flag1) != 0) parts.Add("mh-fallback");
            if ((flags & SchedulerFlags.Flag2) != 0) parts.Add("mh-port");
        }
        else
        {
            if ((flags & SchedulerFlags.Flag1) != 0) parts.Add("flag-1");
            if ((flags & SchedulerFlags.Flag2) != 0) parts.Add("flag-2");
            if ((flags & SchedulerFlags.Flag3) != 0) parts.Add("flag-3");
        }
        return string.Join(",", parts);
    }

    /// <summary>The persistence netmask as ipvsadm prints it: inet_ntoa for IPv4, the prefix length for IPv6;
    /// null when it is the default (/32 or /128) and so not printed.</summary>
    public static string? NetmaskText(VirtualService s)
    {
        var raw = IpvsValidation.EncodeNetmask(s.AddressFamily, s.PersistenceNetmask);
        if (s.AddressFamily == IpvsAddressFamily.IPv6) return raw == 128 ? null : raw.ToString(C);
        return raw == 0xffffffff ? null : new IPAddress(BitConverter.GetBytes(raw)).ToString();
    }

    public static string TunnelTypeName(TunnelType t) => t switch
    {
        TunnelType.Ipip => "ipip",
        TunnelType.Gue => "gue",
        TunnelType.Gre => "gre",
        _ => "(null)",
    };

    public static string ProtocolName(IpvsProtocol p) => p switch
    {
        IpvsProtocol.Tcp => "TCP",
        IpvsProtocol.Udp => "UDP",
        IpvsProtocol.Sctp => "SCTP",
        _ => "?",
    };
}
