using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Ipvs;

/// <summary>
/// IpvsOrder is ipvsadm 1.31's listing order (libipvs ipvs_cmp_services / ipvs_cmp_dests through glibc's merge
/// sort), the one order every listing uses.
/// </summary>
public class IpvsOrderTests
{
    private static readonly ServiceKey Svc = ServiceKey.Parse("tcp/10.10.10.100:443");

    private static List<RealServer> Reals(params string[] addresses) =>
        addresses.Select(a => new RealServer(Svc, IPAddress.Parse(a.Split('#')[0]), a.Contains('#') ? ushort.Parse(a.Split('#')[1]) : (ushort)443)).ToList();

    private static string Text(IEnumerable<RealServer> reals) => string.Join(" ", reals.Select(r => r.Key.ToString()));

    [Fact]
    public void RealServersAreSortedByAddressThenPort()
    {
        // The listing: the kernel returned 10.10.20.14, 10.10.20.12, 10.10.10.12.
        var reals = Reals("10.10.20.14", "10.10.20.12", "10.10.10.12", "10.10.10.12#80");
        IpvsOrder.SortRealServers(reals);
        Assert.Equal("10.10.10.12:80 10.10.10.12:443 10.10.20.12:443 10.10.20.14:443", Text(reals));
    }

    [Fact]
    public void RealServerAddressesCompareAsIpvsadmDoes()
    {
        // ipvsadm reads the difference of the address words as a signed int: 192.168.0.1 lists before 10.0.0.1.
        var reals = Reals("10.0.0.1", "192.168.0.1", "10.0.0.2");
        IpvsOrder.SortRealServers(reals);
        Assert.Equal("192.168.0.1:443 10.0.0.1:443 10.0.0.2:443", Text(reals));
        var six = Reals("2001:db8::20", "2001:db8::3", "2001:db8:0:1::1");
        IpvsOrder.SortRealServers(six);
        Assert.Equal("[2001:db8::3]:443 [2001:db8::20]:443 [2001:db8:0:1::1]:443", Text(six));
    }

    [Fact]
    public void SortingTwiceCanChangeTheOrderSoListingsSortTheKernelsOrderOnce()
    {
        // Why IpvsClient returns the kernel's order and each listing sorts it once (as ipvsadm does): with addresses
        // more than 2^31 apart the comparison is not transitive, and a second sort of this list reorders it.
        var reals = Reals("10.0.0.1", "100.0.0.1", "200.0.0.1", "150.0.0.1", "10.0.0.2", "50.0.0.1");
        IpvsOrder.SortRealServers(reals);
        Assert.Equal("150.0.0.1:443 10.0.0.1:443 10.0.0.2:443 50.0.0.1:443 100.0.0.1:443 200.0.0.1:443", Text(reals));
        IpvsOrder.SortRealServers(reals);
        Assert.Equal("50.0.0.1:443 100.0.0.1:443 150.0.0.1:443 200.0.0.1:443 10.0.0.1:443 10.0.0.2:443", Text(reals));
    }

    [Fact]
    public void ServicesAreSortedByMarkFamilyProtocolAddressAndPort()
    {
        var keys = new[]
        {
            "fwm/100", "tcp/[2001:db8::1]:80", "udp/10.0.0.1:53", "tcp/10.0.0.1:443", "fwm/3000000000", "sctp/10.0.0.1:5060",
            "tcp/10.0.0.1:80", "tcp/192.168.0.1:80", "fwm/7", "tcp/10.0.0.2:80",
        }.Select(ServiceKey.Parse).ToList();
        var services = keys.Select(k => new VirtualService(k)).ToList();
        IpvsOrder.SortServices(services);
        // Marks of 2^31 and above come first (signed difference), then address services: IPv4 before IPv6, TCP, UDP,
        // SCTP, address (192.168.0.1 before 10.0.0.1, as ipvsadm), port; then the smaller marks.
        Assert.Equal(
            "fwm/3000000000 tcp/192.168.0.1:80 tcp/10.0.0.1:80 tcp/10.0.0.1:443 tcp/10.0.0.2:80 udp/10.0.0.1:53 sctp/10.0.0.1:5060 " +
            "tcp/[2001:db8::1]:80 fwm/7 fwm/100",
            string.Join(" ", services.Select(s => s.Key.ToString())));
    }

    [Fact]
    public void SortMatchesLibipvsComparatorsThroughGlibcMergeSortOnRandomTables()
    {
        // A plain transcription of ipvs_cmp_services / ipvs_cmp_dests and glibc's msort, allocating freely, against
        // the optimised sort (precomputed keys): the same order for any input order.
        var rnd = new Random(12345);
        for (var round = 0; round < 200; round++)
        {
            var keys = new List<ServiceKey>();
            var n = rnd.Next(0, 60);
            for (var i = 0; i < n; i++) keys.Add(RandomKey(rnd));
            var services = keys.Distinct().Select(k => new VirtualService(k)).ToList();
            var expected = ReferenceSort(services, (a, b) => ReferenceCompareServices(a.Key, b.Key));
            IpvsOrder.SortServices(services);
            Assert.Equal(expected.Select(s => s.Key), services.Select(s => s.Key));

            var reals = Enumerable.Range(0, rnd.Next(0, 40))
                .Select(_ => new RealServer(Svc, RandomAddress(rnd, rnd.Next(4) == 0), (ushort)rnd.Next(0, 4)))
                .DistinctBy(r => r.Key).ToList();
            var expectedReals = ReferenceSort(reals, ReferenceCompareDests);
            IpvsOrder.SortRealServers(reals);
            Assert.Equal(expectedReals.Select(r => r.Key), reals.Select(r => r.Key));
        }
    }

    [Fact]
    public void ComparersAgreeWithTheSort()
    {
        Assert.True(IpvsOrder.CompareServices(ServiceKey.Parse("tcp/10.0.0.1:80"), ServiceKey.Parse("udp/10.0.0.1:80")) < 0);
        Assert.True(IpvsOrder.CompareServices(ServiceKey.Parse("fwm/1"), ServiceKey.Parse("tcp/[2001:db8::1]:80")) > 0);
        Assert.Equal(0, IpvsOrder.CompareServices(ServiceKey.Parse("tcp/10.0.0.1:80"), ServiceKey.Parse("10.0.0.1:80")));
        var r = Reals("10.0.0.1#80", "10.0.0.1#81");
        Assert.True(IpvsOrder.CompareRealServers(r[0], r[1]) < 0);
        Assert.Throws<ArgumentNullException>(() => IpvsOrder.SortServices(null!));
        Assert.Throws<ArgumentNullException>(() => IpvsOrder.SortRealServers(null!));
    }

    private static ServiceKey RandomKey(Random rnd)
    {
        switch (rnd.Next(5))
        {
            case 0:
                return ServiceKey.ForFirewallMark(rnd.Next(2) == 0 ? (uint)rnd.Next(1, 5) : 0x80000000u + (uint)rnd.Next(0, 3),
                    rnd.Next(2) == 0 ? IpvsAddressFamily.IPv4 : IpvsAddressFamily.IPv6);
            default:
                var protocol = new[] { IpvsProtocol.Tcp, IpvsProtocol.Udp, IpvsProtocol.Sctp }[rnd.Next(3)];
                return ServiceKey.ForAddress(protocol, RandomAddress(rnd, rnd.Next(3) == 0), (ushort)rnd.Next(0, 3));
        }
    }

    /// <summary>Addresses whose words differ by small and by large (over 2^31) amounts, to exercise the overflow.</summary>
    private static IPAddress RandomAddress(Random rnd, bool ipv6)
    {
        var bytes = new byte[ipv6 ? 16 : 4];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)(rnd.Next(3) switch { 0 => 0, 1 => rnd.Next(1, 4), _ => rnd.Next(0xc0, 0x100) });
        if (!ipv6 && bytes[0] == 0) bytes[0] = 10;
        if (!ipv6 && bytes[3] == 0) bytes[3] = 1;
        if (ipv6) { bytes[0] = (byte)(bytes[0] | 0x20); bytes[0] &= 0x3f; bytes[15] |= 1; }
        return new IPAddress(bytes);
    }

    private static uint Word(IPAddress? a, int i)
    {
        if (a is null) return 0;
        var b = a.GetAddressBytes();
        return 4 * i + 3 < b.Length ? (uint)(b[4 * i] << 24 | b[4 * i + 1] << 16 | b[4 * i + 2] << 8 | b[4 * i + 3]) : 0;
    }

    private static int ReferenceCompareServices(ServiceKey s1, ServiceKey s2)
    {
        var r = unchecked((int)(s1.FirewallMark - s2.FirewallMark));
        if (r != 0) return r;
        r = (ushort)s1.AddressFamily - (ushort)s2.AddressFamily;
        if (r != 0) return r;
        r = (s1.IsFirewallMark ? 0 : (int)s1.Protocol) - (s2.IsFirewallMark ? 0 : (int)s2.Protocol);
        if (r != 0) return r;
        if (s1.AddressFamily == IpvsAddressFamily.IPv6)
            for (var i = 0; r == 0 && i < 4; i++) r = unchecked((int)(Word(s1.Address, i) - Word(s2.Address, i)));
        else
            r = unchecked((int)(Word(s1.Address, 0) - Word(s2.Address, 0)));
        return r != 0 ? r : s1.Port - s2.Port;
    }

    private static int ReferenceCompareDests(RealServer d1, RealServer d2)
    {
        var r = 0;
        if (d1.AddressFamily == IpvsAddressFamily.IPv6)
            for (var i = 0; r == 0 && i < 4; i++) r = unchecked((int)(Word(d1.Address, i) - Word(d2.Address, i)));
        else
            r = unchecked((int)(Word(d1.Address, 0) - Word(d2.Address, 0)));
        return r != 0 ? r : d1.Port - d2.Port;
    }

    /// <summary>glibc msort_with_tmp, recursively on lists.</summary>
    private static List<T> ReferenceSort<T>(List<T> items, Comparison<T> cmp)
    {
        if (items.Count <= 1) return new List<T>(items);
        var n1 = items.Count / 2;
        var left = ReferenceSort(items.GetRange(0, n1), cmp);
        var right = ReferenceSort(items.GetRange(n1, items.Count - n1), cmp);
        var result = new List<T>(items.Count);
        int i = 0, j = 0;
        while (i < left.Count && j < right.Count) result.Add(cmp(left[i], right[j]) <= 0 ? left[i++] : right[j++]);
        result.AddRange(left.Skip(i));
        result.AddRange(right.Skip(j));
        return result;
    }
}
