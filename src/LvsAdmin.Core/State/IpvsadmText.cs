using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.State;

/// <summary>
/// What ipvsadm 1.31's text output is made of, reproduced byte for byte: glibc's inet_ntop, the printf paddings,
/// print_largenum, and the table order (libipvs's ipvs_cmp_services / ipvs_cmp_dests run through glibc 2.36's
/// qsort, which is a top-down merge sort).
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

    /// <summary>The four 32-bit words of union nf_inet_addr in host order (ntohl of s6_addr32[i]); IPv4 fills word 0.</summary>
    public static uint[] AddressWords(IPAddress? address)
    {
        var words = new uint[4];
        if (address is null) return words;
        var b = address.GetAddressBytes();
        for (var i = 0; i < b.Length / 4; i++)
            words[i] = (uint)(b[4 * i] << 24 | b[4 * i + 1] << 16 | b[4 * i + 2] << 8 | b[4 * i + 3]);
        return words;
    }

    /// <summary>
    /// ipvs_cmp_services exactly, including its int overflow: the unsigned differences of marks and address words
    /// are read as signed ints, so e.g. 10.0.0.1 sorts after 192.168.0.1 and marks above 2^31 before address services.
    /// </summary>
    public static int CompareServices(ServiceKey a, ServiceKey b)
    {
        var r = unchecked((int)(a.FirewallMark - b.FirewallMark));
        if (r != 0) return r;
        r = (int)(ushort)a.AddressFamily - (int)(ushort)b.AddressFamily;
        if (r != 0) return r;
        r = (int)ProtocolField(a) - (int)ProtocolField(b);
        if (r != 0) return r;
        r = CompareAddressWords(a.AddressFamily, a.Address, b.Address);
        if (r != 0) return r;
        return a.Port - b.Port;
    }

    // libipvs leaves protocol 0 for firewall-mark services (the kernel sends no protocol for them).
    private static ushort ProtocolField(ServiceKey k) => k.IsFirewallMark ? (ushort)0 : (ushort)k.Protocol;

    /// <summary>
    /// ipvs_cmp_dests exactly: only the first server's family decides whether one or four address words are compared
    /// (a mixed-family list of a tunnel service compares an IPv4 server's zero padding against IPv6 words).
    /// </summary>
    public static int CompareRealServers(RealServer a, RealServer b)
    {
        var r = CompareAddressWords(a.AddressFamily, a.Address, b.Address);
        if (r != 0) return r;
        return a.Port - b.Port;
    }

    /// <summary>
    /// libipvs's address comparison: the unsigned difference of 32-bit address words read as a signed int, one word
    /// for <paramref name="family"/> IPv4 and four for IPv6 (the family is the caller's, as in libipvs).
    /// </summary>
    private static int CompareAddressWords(IpvsAddressFamily family, IPAddress? a, IPAddress? b)
    {
        var wa = AddressWords(a);
        var wb = AddressWords(b);
        var words = family == IpvsAddressFamily.IPv6 ? 4 : 1;
        var r = 0;
        for (var i = 0; r == 0 && i < words; i++) r = unchecked((int)(wa[i] - wb[i]));
        return r;
    }

    /// <summary>
    /// glibc 2.36 qsort for these element sizes: msort_with_tmp, a top-down merge sort that splits n into n/2 and
    /// n - n/2 and takes from the left run while cmp(left, right) &lt;= 0. With ipvsadm's non-transitive comparators
    /// the result depends on the input order, so this is the algorithm itself, not any stable sort.
    /// </summary>
    public static List<T> GlibcQsort<T>(IReadOnlyList<T> items, Comparison<T> cmp)
    {
        var a = new T[items.Count];
        for (var i = 0; i < a.Length; i++) a[i] = items[i];
        var tmp = new T[a.Length];
        MergeSort(a, 0, a.Length, tmp, cmp);
        return new List<T>(a);
    }

    private static void MergeSort<T>(T[] a, int start, int n, T[] tmp, Comparison<T> cmp)
    {
        if (n <= 1) return;
        var n1 = n / 2;
        var n2 = n - n1;
        MergeSort(a, start, n1, tmp, cmp);
        MergeSort(a, start + n1, n2, tmp, cmp);
        int b1 = start, b2 = start + n1, t = 0;
        while (n1 > 0 && n2 > 0)
        {
            if (cmp(a[b1], a[b2]) <= 0) { tmp[t++] = a[b1++]; n1--; }
            else { tmp[t++] = a[b2++]; n2--; }
        }
        while (n1 > 0) { tmp[t++] = a[b1++]; n1--; }
        // The rest of the right run is already in place.
        Array.Copy(tmp, 0, a, start, t);
    }

    /// <summary>The table in the order ipvsadm prints it (services sorted, each one's real servers sorted), or as given.</summary>
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
        var sorted = GlibcQsort(list, (x, y) => CompareServices(x.Service.Key, y.Service.Key));
        for (var i = 0; i < sorted.Count; i++)
            sorted[i] = (sorted[i].Service, GlibcQsort(sorted[i].RealServers, CompareRealServers));
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
