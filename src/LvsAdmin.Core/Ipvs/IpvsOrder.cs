using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace LvsAdmin.Ipvs;

/// <summary>
/// The order every listing uses: ipvsadm 1.31's (libipvs's ipvs_cmp_services and ipvs_cmp_dests run through glibc
/// 2.36's qsort, a top-down merge sort), so the cmdlets list services and real servers as <c>ipvsadm -Ln</c> and
/// <c>ipvsadm -Sn</c> print them.
/// <para>
/// Services: by firewall mark (address services, mark 0, first), address family (IPv4 before IPv6), protocol (TCP,
/// UDP, SCTP), address, port. Real servers: by address, then port. As in libipvs, marks and 32-bit address words
/// are compared by their difference read as a signed int, so addresses (or marks) that differ by 2^31 or more
/// compare the other way round: 192.168.0.1 comes before 10.0.0.1, and marks of 2^31 and above before address
/// services. That comparison is not transitive, so the result also depends on the kernel's order, exactly as
/// ipvsadm's does; the merge sort is glibc's algorithm, not just any stable sort.
/// </para>
/// The sort keys are computed once per item (no formatting, no allocation per comparison): sorting 10,000
/// services or 10 real servers each costs little next to reading them.
/// <para>
/// Sort the kernel's order once, as ipvsadm does: because the comparison is not transitive, sorting an already sorted
/// list again can give another order. So <see cref="IpvsClient"/> returns the kernel's order and each listing sorts.
/// </para>
/// </summary>
public static class IpvsOrder
{
    /// <summary>Sorts <paramref name="services"/> in place in ipvsadm's order.</summary>
    public static void SortServices(List<VirtualService> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Sort(services, static s => s.Key);
    }

    /// <summary>Sorts <paramref name="realServers"/> (of one service) in place in ipvsadm's order.</summary>
    public static void SortRealServers(List<RealServer> realServers)
    {
        ArgumentNullException.ThrowIfNull(realServers);
        if (realServers.Count < 2) return;
        var keys = new DestKey[realServers.Count];
        // libipvs compares four address words when the first server of a comparison is IPv6, one otherwise.
        for (var i = 0; i < keys.Length; i++)
        {
            var r = realServers[i];
            keys[i] = new DestKey(Words(r.Address), r.AddressFamily == IpvsAddressFamily.IPv6, r.Port, i);
        }
        MergeSort(keys, static (a, b) => CompareDests(in a, in b));
        Reorder(realServers, keys, static k => k.Index);
    }

    /// <summary>Sorts items that carry a service key (e.g. a service with its real servers) in place by that key, in ipvsadm's order.</summary>
    public static void Sort<T>(List<T> items, Func<T, ServiceKey> key)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(key);
        if (items.Count < 2) return;
        var keys = new SvcKey[items.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = SvcKey.Of(key(items[i]), i);
        MergeSort(keys, static (a, b) => CompareSvcs(in a, in b));
        Reorder(items, keys, static k => k.Index);
    }

    /// <summary>ipvs_cmp_services: negative when <paramref name="a"/> lists before <paramref name="b"/>.</summary>
    public static int CompareServices(ServiceKey a, ServiceKey b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var x = SvcKey.Of(a, 0);
        var y = SvcKey.Of(b, 0);
        return CompareSvcs(in x, in y);
    }

    /// <summary>ipvs_cmp_dests: negative when <paramref name="a"/> lists before <paramref name="b"/>.</summary>
    public static int CompareRealServers(RealServer a, RealServer b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var x = new DestKey(Words(a.Address), a.AddressFamily == IpvsAddressFamily.IPv6, a.Port, 0);
        var y = new DestKey(Words(b.Address), b.AddressFamily == IpvsAddressFamily.IPv6, b.Port, 0);
        return CompareDests(in x, in y);
    }

    private readonly record struct Words4(uint W0, uint W1, uint W2, uint W3);

    private readonly record struct SvcKey(uint Mark, ushort Family, ushort Protocol, Words4 Address, ushort Port, int Index)
    {
        // libipvs leaves protocol 0 for firewall-mark services (the kernel sends no protocol for them); AF_INET 2, AF_INET6 10.
        public static SvcKey Of(ServiceKey k, int index) => new(
            k.FirewallMark, (ushort)k.AddressFamily, k.IsFirewallMark ? (ushort)0 : (ushort)k.Protocol, Words(k.Address), k.Port, index);
    }

    private readonly record struct DestKey(Words4 Address, bool IPv6, ushort Port, int Index);

    private static int CompareSvcs(in SvcKey a, in SvcKey b)
    {
        var r = unchecked((int)(a.Mark - b.Mark));
        if (r != 0) return r;
        r = a.Family - b.Family;
        if (r != 0) return r;
        r = a.Protocol - b.Protocol;
        if (r != 0) return r;
        r = CompareWords(a.Address, b.Address, a.Family == (ushort)IpvsAddressFamily.IPv6);
        return r != 0 ? r : a.Port - b.Port;
    }

    private static int CompareDests(in DestKey a, in DestKey b)
    {
        var r = CompareWords(a.Address, b.Address, a.IPv6);
        return r != 0 ? r : a.Port - b.Port;
    }

    /// <summary>The unsigned difference of address words read as a signed int: one word for IPv4, four for IPv6.</summary>
    private static int CompareWords(Words4 a, Words4 b, bool ipv6)
    {
        var r = unchecked((int)(a.W0 - b.W0));
        if (r != 0 || !ipv6) return r;
        r = unchecked((int)(a.W1 - b.W1));
        if (r != 0) return r;
        r = unchecked((int)(a.W2 - b.W2));
        return r != 0 ? r : unchecked((int)(a.W3 - b.W3));
    }

    /// <summary>The address as union nf_inet_addr's words in host order (ntohl of each s6_addr32); IPv4 fills word 0.</summary>
    private static Words4 Words(IPAddress? address)
    {
        if (address is null) return default;
        Span<byte> b = stackalloc byte[16];
        if (!address.TryWriteBytes(b, out var n)) return default;
        static uint W(ReadOnlySpan<byte> s, int i) => (uint)(s[4 * i] << 24 | s[4 * i + 1] << 16 | s[4 * i + 2] << 8 | s[4 * i + 3]);
        return address.AddressFamily == AddressFamily.InterNetworkV6 && n == 16
            ? new Words4(W(b, 0), W(b, 1), W(b, 2), W(b, 3))
            : new Words4(W(b, 0), 0, 0, 0);
    }

    /// <summary>
    /// glibc 2.36 qsort for these element sizes: msort_with_tmp, a top-down merge sort that splits n into n/2 and
    /// n - n/2 and takes from the left run while cmp(left, right) &lt;= 0. With ipvsadm's non-transitive comparators
    /// the result depends on the input order, so this is the algorithm itself.
    /// </summary>
    internal static void MergeSort<T>(T[] a, Comparison<T> cmp)
    {
        if (a.Length < 2) return;
        MergeSort(a, 0, a.Length, new T[a.Length], cmp);
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

    private static void Reorder<T, TKey>(List<T> items, TKey[] sortedKeys, Func<TKey, int> index)
    {
        var copy = items.ToArray();
        for (var i = 0; i < sortedKeys.Length; i++) items[i] = copy[index(sortedKeys[i])];
    }
}
