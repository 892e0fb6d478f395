using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.HostSetup;
using LvsAdmin.Netlink;
using LvsAdmin.Tests.Support;
using Xunit;

namespace LvsAdmin.Tests.HostSetup;

/// <summary>rtnetlink requests byte for byte against the uapi layout (nlmsghdr, ifaddrmsg, ifinfomsg, rtattr), and reply decoding.</summary>
public class RouteNetlinkCodecTests
{
    [Fact]
    public void AddIPv4AddressWithLabel()
    {
        var w = new NetlinkWriter();
        RouteNetlinkCodec.WriteAddress(w, 5, add: true, index: 1, IPAddress.Parse("10.0.0.1"), 32, "lo:0");
        Hex.Equal(Hex.Parse(
            "34 00 00 00 14 00 05 06 05 00 00 00 00 00 00 00", // len 52, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 5
            "02 20 00 00 01 00 00 00",                         // AF_INET, /32, flags 0, scope universe, index 1
            "08 00 02 00 0a 00 00 01",                         // IFA_LOCAL
            "08 00 01 00 0a 00 00 01",                         // IFA_ADDRESS
            "09 00 03 00 6c 6f 3a 30 00 00 00 00"),            // IFA_LABEL "lo:0\0" padded
            w.WrittenSpan);
    }

    [Fact]
    public void AddIPv6AddressWithoutDad()
    {
        var w = new NetlinkWriter();
        RouteNetlinkCodec.WriteAddress(w, 6, add: true, index: 1, IPAddress.Parse("2001:db8::1"), 128, "ignored-for-ipv6");
        Hex.Equal(Hex.Parse(
            "48 00 00 00 14 00 05 06 06 00 00 00 00 00 00 00",
            "0a 80 02 00 01 00 00 00",                         // AF_INET6, /128, IFA_F_NODAD, scope 0, index 1
            "14 00 02 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",
            "14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",
            "08 00 08 00 02 00 00 00"),                        // IFA_FLAGS = NODAD
            w.WrittenSpan);
    }

    [Fact]
    public void DeleteAddressAndLoopbackScope()
    {
        var w = new NetlinkWriter();
        RouteNetlinkCodec.WriteAddress(w, 7, add: false, index: 4, IPAddress.Parse("127.0.0.2"), 8, null);
        Hex.Equal(Hex.Parse(
            "28 00 00 00 15 00 05 00 07 00 00 00 00 00 00 00", // RTM_DELADDR, REQUEST|ACK
            "02 08 00 fe 04 00 00 00",                         // scope host for a loopback address
            "08 00 02 00 7f 00 00 02",
            "08 00 01 00 7f 00 00 02"),
            w.WrittenSpan);
    }

    [Fact]
    public void SetLinkUpChangesOnlyIffUp()
    {
        var w = new NetlinkWriter();
        RouteNetlinkCodec.WriteSetLinkUp(w, 8, 3, up: true);
        RouteNetlinkCodec.WriteSetLinkUp(w, 9, 3, up: false);
        Hex.Equal(Hex.Parse(
            "20 00 00 00 10 00 05 00 08 00 00 00 00 00 00 00",
            "00 00 00 00 03 00 00 00 01 00 00 00 01 00 00 00", // family 0, index 3, flags IFF_UP, change IFF_UP
            "20 00 00 00 10 00 05 00 09 00 00 00 00 00 00 00",
            "00 00 00 00 03 00 00 00 00 00 00 00 01 00 00 00"),
            w.WrittenSpan);
    }

    [Fact]
    public void CreateTunnelLink()
    {
        var w = new NetlinkWriter();
        RouteNetlinkCodec.WriteCreateLink(w, 9, "tunl0", "ipip");
        Hex.Equal(Hex.Parse(
            "3c 00 00 00 10 00 05 06 09 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "0a 00 03 00 74 75 6e 6c 30 00 00 00",             // IFLA_IFNAME "tunl0"
            "10 00 12 80",                                     // IFLA_LINKINFO (nested)
            "09 00 01 00 69 70 69 70 00 00 00 00"),            // IFLA_INFO_KIND "ipip"
            w.WrittenSpan);
    }

    [Fact]
    public void DumpRequests()
    {
        var w = new NetlinkWriter();
        RouteNetlinkCodec.WriteGetAddresses(w, 1);
        RouteNetlinkCodec.WriteGetLinks(w, 2);
        Hex.Equal(Hex.Parse(
            "18 00 00 00 16 00 01 03 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "20 00 00 00 12 00 01 03 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
            w.WrittenSpan);
    }

    private static NetlinkMessage Reply(NetlinkWriter w) => NetlinkMessage.ParseAll(w.WrittenMemory).Single();

    [Fact]
    public void DecodeLinkWithKind()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(RouteNetlinkCodec.RTM_NEWLINK, 0, 1);
        w.WriteRaw(RouteNetlinkCodec.IfInfoMsg(0, 7, RouteNetlinkCodec.IFF_UP | RouteNetlinkCodec.IFF_LOWER_UP, 0));
        w.PutString(RouteNetlinkCodec.IFLA_IFNAME, "tunl0");
        w.PutU32(RouteNetlinkCodec.IFLA_MTU, 1480);
        var n = w.BeginNested(RouteNetlinkCodec.IFLA_LINKINFO);
        w.PutString(RouteNetlinkCodec.IFLA_INFO_KIND, "ipip");
        w.EndNested(n);
        w.EndMessage();
        var l = RouteNetlinkCodec.DecodeLink(Reply(w));
        Assert.Equal(new LinkInfo(7, "tunl0", true, false, "ipip", RouteNetlinkCodec.IFF_UP | RouteNetlinkCodec.IFF_LOWER_UP, 1480), l);
        Assert.True(l.HasCarrier);
    }

    [Fact]
    public void DecodeLoopbackWithoutKind()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(RouteNetlinkCodec.RTM_NEWLINK, 0, 1);
        w.WriteRaw(RouteNetlinkCodec.IfInfoMsg(0, 1, RouteNetlinkCodec.IFF_LOOPBACK, 0));
        w.PutString(RouteNetlinkCodec.IFLA_IFNAME, "lo");
        w.EndMessage();
        var l = RouteNetlinkCodec.DecodeLink(Reply(w));
        Assert.True(l.IsLoopback);
        Assert.False(l.IsUp);
        Assert.Null(l.Kind);
    }

    [Fact]
    public void DecodeAddresses()
    {
        var names = new Dictionary<int, string> { [1] = "lo", [2] = "eth0" };
        var w = new NetlinkWriter();
        w.BeginMessage(RouteNetlinkCodec.RTM_NEWADDR, 0, 1);
        w.WriteRaw(RouteNetlinkCodec.IfAddrMsg(2, 32, 0x80, 0, 1));
        w.PutBytes(RouteNetlinkCodec.IFA_ADDRESS, new byte[] { 10, 0, 0, 9 });
        w.PutBytes(RouteNetlinkCodec.IFA_LOCAL, new byte[] { 10, 0, 0, 1 });
        w.PutString(RouteNetlinkCodec.IFA_LABEL, "lo:0");
        w.EndMessage();
        var a = RouteNetlinkCodec.DecodeAddress(Reply(w), names)!;
        Assert.Equal(IPAddress.Parse("10.0.0.1"), a.Address); // IFA_LOCAL wins over a peer IFA_ADDRESS
        Assert.Equal("lo", a.InterfaceName);
        Assert.Equal("lo:0", a.Label);
        Assert.Equal("10.0.0.1/32 dev lo label lo:0", a.ToString());

        var w6 = new NetlinkWriter();
        w6.BeginMessage(RouteNetlinkCodec.RTM_NEWADDR, 0, 1);
        w6.WriteRaw(RouteNetlinkCodec.IfAddrMsg(10, 64, 0, 253, 2));
        w6.PutBytes(RouteNetlinkCodec.IFA_ADDRESS, IPAddress.Parse("fe80::1").GetAddressBytes());
        w6.PutU32(RouteNetlinkCodec.IFA_FLAGS, RouteNetlinkCodec.IFA_F_NODAD | 0x100); // flags beyond 8 bits only in IFA_FLAGS
        w6.EndMessage();
        var b = RouteNetlinkCodec.DecodeAddress(Reply(w6), names)!;
        Assert.Equal(AddressScope.Link, b.Scope);
        Assert.Equal(64, b.PrefixLength);
        Assert.Equal(0x102u, b.Flags);
        Assert.True(b.NoDad);
        Assert.Null(b.Label);
        Assert.Equal("eth0", b.InterfaceName);
    }

    [Fact]
    public void DecodeAddressRejectsWrongSizes()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(RouteNetlinkCodec.RTM_NEWADDR, 0, 1);
        w.WriteRaw(RouteNetlinkCodec.IfAddrMsg(2, 32, 0, 0, 1));
        w.PutBytes(RouteNetlinkCodec.IFA_LOCAL, new byte[] { 10, 0, 0 });
        w.EndMessage();
        Assert.Throws<NetlinkProtocolException>(() => RouteNetlinkCodec.DecodeAddress(Reply(w), new Dictionary<int, string>()));
        var other = new NetlinkWriter();
        other.BeginMessage(RouteNetlinkCodec.RTM_NEWADDR, 0, 1);
        other.WriteRaw(RouteNetlinkCodec.IfAddrMsg(17, 0, 0, 0, 1)); // AF_PACKET: skipped
        other.EndMessage();
        Assert.Null(RouteNetlinkCodec.DecodeAddress(Reply(other), new Dictionary<int, string>()));
        var shortMsg = new NetlinkMessage(RouteNetlinkCodec.RTM_NEWLINK, 0, 1, 0, new byte[8]);
        Assert.Throws<NetlinkProtocolException>(() => RouteNetlinkCodec.DecodeLink(shortMsg));
    }

    [Fact]
    public void GetRouteRequestForOneDestination()
    {
        var w = new NetlinkWriter();
        RouteNetlinkCodec.WriteGetRoute(w, 9, IPAddress.Parse("198.51.100.1"));
        Hex.Equal(Hex.Parse(
            "24 00 00 00 1a 00 05 00 09 00 00 00 00 00 00 00", // len 36, RTM_GETROUTE, REQUEST|ACK, seq 9
            "02 20 00 00 00 00 00 00 00 00 00 00",             // rtmsg: AF_INET, dst_len 32, the rest 0
            "08 00 01 00 c6 33 64 01"),                        // RTA_DST 198.51.100.1
            w.WrittenSpan);
        var w6 = new NetlinkWriter();
        RouteNetlinkCodec.WriteGetRoute(w6, 1, IPAddress.Parse("2001:db8::1"));
        Assert.Equal(10, w6.WrittenSpan[16]);   // AF_INET6
        Assert.Equal(128, w6.WrittenSpan[17]);  // dst_len
        Assert.Equal(16 + 12 + 20, w6.WrittenSpan.Length);
    }

    private static NetlinkMessage RouteReply(byte family, byte type, System.Action<NetlinkWriter> attributes)
    {
        var w = new NetlinkWriter();
        w.BeginMessage(RouteNetlinkCodec.RTM_NEWROUTE, 0, 1);
        var rtm = new byte[12];
        rtm[0] = family;
        rtm[7] = type;
        w.WriteRaw(rtm);
        attributes(w);
        w.EndMessage();
        return Reply(w);
    }

    [Fact]
    public void DecodeRouteViaGatewayOnLinkViaIPv4AndUnreachable()
    {
        var names = new Dictionary<int, string> { [2] = "eth0" };
        var dst = IPAddress.Parse("198.51.100.1");
        var viaGw = RouteNetlinkCodec.DecodeRoute(RouteReply(2, 1, w =>
        {
            w.PutBytes(RouteNetlinkCodec.RTA_DST, dst.GetAddressBytes());
            w.PutU32(RouteNetlinkCodec.RTA_OIF, 2);
            w.PutBytes(RouteNetlinkCodec.RTA_GATEWAY, new byte[] { 10, 0, 0, 1 });
            w.PutBytes(RouteNetlinkCodec.RTA_PREFSRC, new byte[] { 10, 0, 0, 21 });
        }), dst, names);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), viaGw.Gateway);
        Assert.Equal("eth0", viaGw.InterfaceName);
        Assert.False(viaGw.Unreachable);
        Assert.Equal("via 10.0.0.1 dev eth0 src 10.0.0.21", viaGw.ToString());

        var onLink = RouteNetlinkCodec.DecodeRoute(RouteReply(2, 1, w => w.PutU32(RouteNetlinkCodec.RTA_OIF, 7)), dst, names);
        Assert.Null(onLink.Gateway);
        Assert.Equal("dev if7", onLink.ToString());

        var dst6 = IPAddress.Parse("2001:db8::1");
        var via4 = RouteNetlinkCodec.DecodeRoute(RouteReply(10, 1, w => w.PutBytes(RouteNetlinkCodec.RTA_VIA, new byte[] { 2, 0, 192, 0, 2, 1 })), dst6, names);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), via4.Gateway);   // struct rtvia: an IPv4 next hop of an IPv6 route

        var blackhole = RouteNetlinkCodec.DecodeRoute(RouteReply(2, 7 /* RTN_UNREACHABLE */, _ => { }), dst, names);
        Assert.True(blackhole.Unreachable);
        Assert.Equal("unreachable", blackhole.ToString());
        Assert.Throws<NetlinkProtocolException>(() => RouteNetlinkCodec.DecodeRoute(new NetlinkMessage(RouteNetlinkCodec.RTM_NEWROUTE, 0, 1, 0, new byte[8]), dst, names));
    }

    [Fact]
    public void NatRouteBackPassesOnlyViaTheDirector()
    {
        var director = new[] { IPAddress.Parse("10.0.0.1"), IPAddress.Parse("192.0.2.10") };
        var dst = HostChecks.ClientProbe(System.Net.Sockets.AddressFamily.InterNetwork);
        Assert.Equal("198.51.100.1", dst.ToString());
        RouteLookup Via(string? gw) => new(dst, gw is null ? null : IPAddress.Parse(gw), "eth0", null, false);

        var ok = Assert.Single(HostChecks.NatRouteBack(new[] { Via("10.0.0.1") }, director));
        Assert.True(ok.Passed);
        Assert.Equal("RouteBack", ok.Check);
        Assert.Equal("via 10.0.0.1 or 192.0.2.10", ok.Expected);
        Assert.Equal("via 10.0.0.1 dev eth0", ok.Actual);

        var other = Assert.Single(HostChecks.NatRouteBack(new[] { Via("10.0.0.254") }, director));
        Assert.False(other.Passed);
        Assert.Contains("not through the director", other.Message);
        Assert.StartsWith("ip route replace default via 10.0.0.1", other.Fix);

        Assert.False(Assert.Single(HostChecks.NatRouteBack(new[] { Via(null) }, director)).Passed);   // on-link: bypasses the director
        Assert.False(Assert.Single(HostChecks.NatRouteBack(new[] { new RouteLookup(dst, null, null, null, true) }, director)).Passed);

        // no director address of the family: not checkable, said so
        var v6 = new RouteLookup(HostChecks.ClientProbe(System.Net.Sockets.AddressFamily.InterNetworkV6), IPAddress.Parse("fd00::1"), "eth0", null, false);
        var unknown = Assert.Single(HostChecks.NatRouteBack(new[] { v6 }, director));
        Assert.False(unknown.Passed);
        Assert.Contains("-DirectorAddress", unknown.Message);
    }

    [Fact]
    public void LookupRouteAsksThisKernel()
    {
        // Route lookups need no privilege: the loopback address is a local route on lo.
        using var route = RouteNetlinkClient.Open();
        var r = route.LookupRoute(IPAddress.Loopback);
        Assert.False(r.Unreachable);
        Assert.Null(r.Gateway);
        Assert.Equal("lo", r.InterfaceName);
    }
}
