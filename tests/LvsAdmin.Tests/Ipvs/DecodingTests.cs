using System;
using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;
using LvsAdmin.Tests.Support;
using Xunit;
using U = LvsAdmin.Ipvs.IpvsUapi;

namespace LvsAdmin.Tests.Ipvs;

/// <summary>Decoding of IPVS replies, built as the kernel's ip_vs_genl_fill_* functions lay them out.</summary>
public class DecodingTests
{
    private const ushort Family = 0x1c;

    private static byte[] Stats64(ulong conns, ulong inpkts, ulong outpkts, ulong inbytes, ulong outbytes, ulong cps, ulong inpps, ulong outpps, ulong inbps, ulong outbps) =>
        Nl.Concat(
            Nl.Attr(U.STATS_ATTR_PAD),   // nla_put_u64_64bit may insert padding attributes: ignored
            Nl.U64(U.STATS_ATTR_CONNS, conns), Nl.U64(U.STATS_ATTR_INPKTS, inpkts), Nl.U64(U.STATS_ATTR_OUTPKTS, outpkts),
            Nl.U64(U.STATS_ATTR_INBYTES, inbytes), Nl.U64(U.STATS_ATTR_OUTBYTES, outbytes), Nl.U64(U.STATS_ATTR_CPS, cps),
            Nl.U64(U.STATS_ATTR_INPPS, inpps), Nl.U64(U.STATS_ATTR_OUTPPS, outpps), Nl.U64(U.STATS_ATTR_INBPS, inbps),
            Nl.U64(U.STATS_ATTR_OUTBPS, outbps));

    private static byte[] Stats32(uint conns, uint inpkts, uint outpkts, ulong inbytes, ulong outbytes, uint cps, uint inpps, uint outpps, uint inbps, uint outbps) =>
        Nl.Concat(
            Nl.U32(U.STATS_ATTR_CONNS, conns), Nl.U32(U.STATS_ATTR_INPKTS, inpkts), Nl.U32(U.STATS_ATTR_OUTPKTS, outpkts),
            Nl.U64(U.STATS_ATTR_INBYTES, inbytes), Nl.U64(U.STATS_ATTR_OUTBYTES, outbytes), Nl.U32(U.STATS_ATTR_CPS, cps),
            Nl.U32(U.STATS_ATTR_INPPS, inpps), Nl.U32(U.STATS_ATTR_OUTPPS, outpps), Nl.U32(U.STATS_ATTR_INBPS, inbps),
            Nl.U32(U.STATS_ATTR_OUTBPS, outbps));

    private static byte[] TcpServiceAttrs(uint flags, params byte[][] extra) => Nl.Concat(
        Nl.U16(U.SVC_ATTR_AF, U.AF_INET),
        Nl.U16(U.SVC_ATTR_PROTOCOL, 6),
        Nl.Attr(U.SVC_ATTR_ADDR, Nl.InetAddr("10.0.0.1")),
        Nl.Be16(U.SVC_ATTR_PORT, 80),
        Nl.Str(U.SVC_ATTR_SCHED_NAME, "wlc"),
        Nl.Attr(U.SVC_ATTR_FLAGS, Nl.Concat(BitConverter.GetBytes(flags), BitConverter.GetBytes(uint.MaxValue))),
        Nl.U32(U.SVC_ATTR_TIMEOUT, 300),
        Nl.U32(U.SVC_ATTR_NETMASK, 0x00FFFFFF),  // 255.255.255.0 in network order
        Nl.Concat(extra));

    private static NetlinkMessage ServiceReply(byte[] attrs) =>
        Nl.Single(Nl.Genl(Family, U.CMD_NEW_SERVICE, Nl.Nest(U.CMD_ATTR_SERVICE, attrs)));

    [Fact]
    public void CapturedServiceReplyDecodes()
    {
        // A GET_SERVICE dump reply for tcp/10.0.0.1:80 rr, as ip_vs_genl_fill_service writes it (written by hand).
        var datagram = Hex.Parse(
            "68 00 00 00 1c 00 02 00 01 00 00 00 92 10 00 00",   // len 104, NLM_F_MULTI, seq 1, pid 4242
            "01 01 00 00",                                       // IPVS_CMD_NEW_SERVICE
            "54 00 01 80",                                       // service nest, len 84
            "06 00 01 00 02 00 00 00",
            "06 00 02 00 06 00 00 00",
            "14 00 03 00 0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00",
            "06 00 04 00 00 50 00 00",
            "07 00 06 00 72 72 00 00",
            "0c 00 07 00 02 00 00 00 ff ff ff ff",               // HASHED only
            "08 00 08 00 00 00 00 00",
            "08 00 09 00 ff ff ff ff");
        var m = Nl.Single(datagram);
        Assert.Equal(Family, m.Type);
        Assert.Equal(1u, m.Sequence);
        Assert.Equal(4242u, m.PortId);
        var s = IpvsCodec.DecodeServiceReply(m);
        Assert.Equal("tcp/10.0.0.1:80", s.Service);
        Assert.Equal("rr", s.Scheduler);
        Assert.False(s.Persistent);
        Assert.Equal(0u, s.KernelFlags);
        Assert.Equal("255.255.255.255", s.PersistenceNetmask);
        Assert.Null(s.PersistenceEngine);
        Assert.Null(s.Statistics);
        Assert.Equal(new VirtualService(ServiceKey.Parse("tcp/10.0.0.1:80")) { Scheduler = "rr" }, s);
    }

    [Fact]
    public void ServiceReplyWithStats64AndStatsPrefersStats64()
    {
        var m = ServiceReply(TcpServiceAttrs(0x0001 | 0x0008,
            Nl.Nest(U.SVC_ATTR_STATS, Stats32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
            Nl.Nest(U.SVC_ATTR_STATS64, Stats64(0x1_0000_0001, 12, 13, 0x7_0000_0000_0000, 15, 16, 17, 18, 19, 20))));
        var s = IpvsCodec.DecodeServiceReply(m);
        Assert.NotNull(s.Statistics);
        Assert.Equal(new IpvsStatistics
        {
            Connections = 0x1_0000_0001, InPackets = 12, OutPackets = 13, InBytes = 0x7_0000_0000_0000, OutBytes = 15,
            ConnectionRate = 16, InPacketRate = 17, OutPacketRate = 18, InByteRate = 19, OutByteRate = 20,
        }, s.Statistics);
        Assert.True(s.Persistent);
        Assert.Equal(SchedulerFlags.Flag1, s.SchedulerFlags);
        Assert.Equal(300u, s.PersistenceTimeout);
        Assert.Equal("255.255.255.0", s.PersistenceNetmask);
    }

    [Fact]
    public void ServiceReplyWithStats64BeforeStatsStillPrefersStats64()
    {
        var m = ServiceReply(TcpServiceAttrs(0,
            Nl.Nest(U.SVC_ATTR_STATS64, Stats64(100, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            Nl.Nest(U.SVC_ATTR_STATS, Stats32(1, 0, 0, 0, 0, 0, 0, 0, 0, 0))));
        Assert.Equal(100ul, IpvsCodec.DecodeServiceReply(m).Statistics!.Connections);
    }

    [Fact]
    public void ServiceReplyWithOnlyStatsFallsBackTo32BitCounters()
    {
        var m = ServiceReply(TcpServiceAttrs(0,
            Nl.Nest(U.SVC_ATTR_STATS, Stats32(uint.MaxValue, 2, 3, 0x1_2345_6789, 5, 6, 7, 8, 9, 10))));
        Assert.Equal(new IpvsStatistics
        {
            Connections = uint.MaxValue, InPackets = 2, OutPackets = 3, InBytes = 0x1_2345_6789, OutBytes = 5,
            ConnectionRate = 6, InPacketRate = 7, OutPacketRate = 8, InByteRate = 9, OutByteRate = 10,
        }, IpvsCodec.DecodeServiceReply(m).Statistics);
    }

    [Fact]
    public void HashedFlagIsStrippedFromFlagsAndEquality()
    {
        var hashed = IpvsCodec.DecodeServiceReply(ServiceReply(TcpServiceAttrs(U.SVC_F_PERSISTENT | U.SVC_F_HASHED | U.SVC_F_ONEPACKET)));
        var plain = IpvsCodec.DecodeServiceReply(ServiceReply(TcpServiceAttrs(U.SVC_F_PERSISTENT | U.SVC_F_ONEPACKET)));
        Assert.Equal(U.SVC_F_PERSISTENT | U.SVC_F_ONEPACKET, hashed.KernelFlags);
        Assert.True(hashed.OnePacket);
        Assert.Equal(plain, hashed);
        Assert.Equal(plain.GetHashCode(), hashed.GetHashCode());
        var expected = new VirtualService(ServiceKey.Parse("tcp/10.0.0.1:80"))
        {
            Persistent = true, OnePacket = true, PersistenceTimeout = 300, PersistenceNetmask = "255.255.255.0",
        };
        Assert.Equal(expected, hashed);
    }

    [Fact]
    public void FirewallMarkReplyWithoutProtocolAttribute()
    {
        var m = ServiceReply(Nl.Concat(
            Nl.U16(U.SVC_ATTR_AF, U.AF_INET6),
            Nl.U32(U.SVC_ATTR_FWMARK, 100),
            Nl.Str(U.SVC_ATTR_SCHED_NAME, "sh"),
            Nl.Attr(U.SVC_ATTR_FLAGS, Nl.Concat(BitConverter.GetBytes(0x12u), BitConverter.GetBytes(uint.MaxValue))),
            Nl.U32(U.SVC_ATTR_TIMEOUT, 0),
            Nl.U32(U.SVC_ATTR_NETMASK, 128),
            Nl.Str(U.SVC_ATTR_PE_NAME, "sip")));
        var s = IpvsCodec.DecodeServiceReply(m);
        Assert.True(s.Key.IsFirewallMark);
        Assert.Equal("fwm/100/ipv6", s.Service);
        Assert.Equal(IpvsProtocol.None, s.Protocol);
        Assert.Null(s.Address);
        Assert.Equal(SchedulerFlags.Flag2, s.SchedulerFlags);  // 0x12 = SCHED2 | HASHED
        Assert.Equal("128", s.PersistenceNetmask);
        Assert.Equal("sip", s.PersistenceEngine);
    }

    [Fact]
    public void IPv6ServiceReply()
    {
        var m = ServiceReply(Nl.Concat(
            Nl.U16(U.SVC_ATTR_AF, U.AF_INET6),
            Nl.U16(U.SVC_ATTR_PROTOCOL, 132),
            Nl.Attr(U.SVC_ATTR_ADDR, Nl.InetAddr("2001:db8::1")),
            Nl.Be16(U.SVC_ATTR_PORT, 5060),
            Nl.Str(U.SVC_ATTR_SCHED_NAME, "wrr"),
            Nl.U32(U.SVC_ATTR_NETMASK, 64)));
        var s = IpvsCodec.DecodeServiceReply(m);
        Assert.Equal(IpvsAddressFamily.IPv6, s.AddressFamily);
        Assert.Equal(IpvsProtocol.Sctp, s.Protocol);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), s.Address);
        Assert.Equal((ushort)5060, s.Port);
        Assert.Equal("sctp/[2001:db8::1]:5060", s.Service);
        Assert.Equal("64", s.PersistenceNetmask);
    }

    [Fact]
    public void IPv6ServiceWithIPv4MappedAddressStaysIPv6()
    {
        // An AF_INET6 service on ::ffff:10.0.0.1 (ipvsadm -t [::ffff:10.0.0.1]:80) is not the AF_INET 10.0.0.1 one.
        var s = IpvsCodec.DecodeServiceReply(ServiceReply(Nl.Concat(
            Nl.U16(U.SVC_ATTR_AF, U.AF_INET6), Nl.U16(U.SVC_ATTR_PROTOCOL, 6),
            Nl.Attr(U.SVC_ATTR_ADDR, Nl.InetAddr("::ffff:10.0.0.1")), Nl.Be16(U.SVC_ATTR_PORT, 80))));
        Assert.Equal(IpvsAddressFamily.IPv6, s.AddressFamily);
        Assert.Equal(ServiceKey.Parse("tcp/[::ffff:10.0.0.1]:80"), s.Key);
        Assert.NotEqual(ServiceKey.Parse("tcp/10.0.0.1:80"), s.Key);
    }

    [Fact]
    public void ServiceReplyWithUnknownAttributesIgnoresThem()
    {
        var m = Nl.Single(Nl.Genl(Family, U.CMD_NEW_SERVICE,
            Nl.U32(40, 1),                                               // unknown top-level attribute
            Nl.Nest(U.CMD_ATTR_SERVICE, TcpServiceAttrs(0, Nl.U32(99, 7), Nl.Attr(13, 1, 2, 3)))));
        Assert.Equal("tcp/10.0.0.1:80", IpvsCodec.DecodeServiceReply(m).Service);
    }

    [Fact]
    public void ServiceReplyMissingPiecesIsAProtocolError()
    {
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(Nl.Single(Nl.Genl(Family, 1))));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(ServiceReply(Nl.U16(U.SVC_ATTR_PROTOCOL, 6))));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(ServiceReply(Nl.U16(U.SVC_ATTR_AF, 7))));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(ServiceReply(Nl.U16(U.SVC_ATTR_AF, U.AF_INET))));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(ServiceReply(Nl.Concat(
            Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U16(U.SVC_ATTR_PROTOCOL, 1),   // ICMP is no IPVS protocol
            Nl.Attr(U.SVC_ATTR_ADDR, Nl.InetAddr("10.0.0.1")), Nl.Be16(U.SVC_ATTR_PORT, 80)))));
        // An IPv6 service whose address attribute holds only 4 bytes.
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(ServiceReply(Nl.Concat(
            Nl.U16(U.SVC_ATTR_AF, U.AF_INET6), Nl.U16(U.SVC_ATTR_PROTOCOL, 6),
            Nl.Attr(U.SVC_ATTR_ADDR, 10, 0, 0, 1), Nl.Be16(U.SVC_ATTR_PORT, 80)))));
    }

    private static NetlinkMessage DestReply(params byte[][] attrs) =>
        Nl.Single(Nl.Genl(Family, U.CMD_NEW_DEST, Nl.Nest(U.CMD_ATTR_DEST, Nl.Concat(attrs))));

    [Fact]
    public void DestReplyNatWithCountersAndStats()
    {
        var svc = ServiceKey.Parse("tcp/10.0.0.1:80");
        var m = DestReply(
            Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("192.168.0.2")),
            Nl.Be16(U.DEST_ATTR_PORT, 8080),
            Nl.U32(U.DEST_ATTR_FWD_METHOD, U.CONN_F_MASQ),
            Nl.U32(U.DEST_ATTR_WEIGHT, 5),
            Nl.U32(U.DEST_ATTR_U_THRESH, 1000),
            Nl.U32(U.DEST_ATTR_L_THRESH, 10),
            Nl.U32(U.DEST_ATTR_ACTIVE_CONNS, 3),
            Nl.U32(U.DEST_ATTR_INACT_CONNS, 4),
            Nl.U32(U.DEST_ATTR_PERSIST_CONNS, 5),
            Nl.Nest(U.DEST_ATTR_STATS, Stats32(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
            Nl.U16(U.DEST_ATTR_ADDR_FAMILY, U.AF_INET),
            Nl.Nest(U.DEST_ATTR_STATS64, Stats64(9, 9, 9, 9, 9, 9, 9, 9, 9, 9)));
        var r = IpvsCodec.DecodeRealServerReply(m, svc);
        Assert.Equal(svc, r.Service);
        Assert.Equal(IPAddress.Parse("192.168.0.2"), r.Address);
        Assert.Equal((ushort)8080, r.Port);
        Assert.Equal(ForwardingMethod.Nat, r.ForwardingMethod);
        Assert.Equal(5, r.Weight);
        Assert.Equal(1000u, r.UpperThreshold);
        Assert.Equal(10u, r.LowerThreshold);
        Assert.Equal(3u, r.ActiveConnections);
        Assert.Equal(4u, r.InactiveConnections);
        Assert.Equal(5u, r.PersistentConnections);
        Assert.Equal(9ul, r.Statistics!.Connections);
        Assert.Equal(9ul, r.Statistics.OutByteRate);
        Assert.Equal(TunnelType.Ipip, r.TunnelType);
        Assert.Equal("tcp/10.0.0.1:80 -> 192.168.0.2:8080", r.ToString());

        // Without statistics (a configuration read): the same real server, counters and rates left null, the
        // connection counts still read.
        var lean = IpvsCodec.DecodeRealServerReply(m, svc, statistics: false);
        Assert.Null(lean.Statistics);
        Assert.Equal(r with { Statistics = null }, lean);
        Assert.Equal((3u, 4u, 5u), (lean.ActiveConnections, lean.InactiveConnections, lean.PersistentConnections));
    }

    [Fact]
    public void ServiceReplyWithoutStatisticsLeavesThemNull()
    {
        var m = ServiceReply(TcpServiceAttrs(U.SVC_F_PERSISTENT,
            Nl.Nest(U.SVC_ATTR_STATS64, Stats64(100, 0, 0, 0, 0, 0, 0, 0, 0, 0))));
        var full = IpvsCodec.DecodeServiceReply(m);
        var lean = IpvsCodec.DecodeServiceReply(m, statistics: false);
        Assert.Equal(100ul, full.Statistics!.Connections);
        Assert.Null(lean.Statistics);
        Assert.Equal(full, lean);
        Assert.True(lean.Persistent);
    }

    [Fact]
    public void DestReplyWithoutAddressFamilyUsesTheService()
    {
        var svc = ServiceKey.Parse("udp/[2001:db8::1]:53");
        var r = IpvsCodec.DecodeRealServerReply(DestReply(
            Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("2001:db8::53")), Nl.Be16(U.DEST_ATTR_PORT, 53),
            Nl.U32(U.DEST_ATTR_FWD_METHOD, U.CONN_F_DROUTE)), svc);
        Assert.Equal(IPAddress.Parse("2001:db8::53"), r.Address);
        Assert.Equal(IpvsAddressFamily.IPv6, r.AddressFamily);
        Assert.Equal(ForwardingMethod.DirectRouting, r.ForwardingMethod);
        Assert.Equal(0, r.Weight);
        Assert.Null(r.Statistics);
    }

    [Fact]
    public void DestReplyIPv4RealServerOfIPv6ServiceWithTunnelAttributes()
    {
        var svc = ServiceKey.Parse("tcp/[2001:db8::1]:80");
        var r = IpvsCodec.DecodeRealServerReply(DestReply(
            Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.3.9")),
            Nl.Be16(U.DEST_ATTR_PORT, 80),
            Nl.U32(U.DEST_ATTR_FWD_METHOD, U.CONN_F_TUNNEL | 0x0100),   // extra connection flag bits are masked off
            Nl.U32(U.DEST_ATTR_WEIGHT, 1),
            Nl.U16(U.DEST_ATTR_ADDR_FAMILY, U.AF_INET),
            Nl.U8(U.DEST_ATTR_TUN_TYPE, U.TUNNEL_TYPE_GUE),
            Nl.Be16(U.DEST_ATTR_TUN_PORT, 6080),
            Nl.U16(U.DEST_ATTR_TUN_FLAGS, U.TUNNEL_ENCAP_FLAG_REMCSUM)), svc);
        Assert.Equal(IpvsAddressFamily.IPv4, r.AddressFamily);
        Assert.Equal(IPAddress.Parse("10.0.3.9"), r.Address);
        Assert.Equal(ForwardingMethod.Tunnel, r.ForwardingMethod);
        Assert.Equal(TunnelType.Gue, r.TunnelType);
        Assert.Equal((ushort)6080, r.TunnelPort);
        Assert.Equal(TunnelChecksum.RemoteChecksum, r.TunnelChecksum);
        Assert.Equal(IpvsAddressFamily.IPv6, r.Service.AddressFamily);
    }

    [Fact]
    public void DestReplyMissingAddressOrBadFamilyIsAProtocolError()
    {
        var svc = ServiceKey.Parse("tcp/10.0.0.1:80");
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeRealServerReply(DestReply(Nl.Be16(U.DEST_ATTR_PORT, 80)), svc));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeRealServerReply(DestReply(Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2"))), svc));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeRealServerReply(DestReply(
            Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2")), Nl.Be16(U.DEST_ATTR_PORT, 80), Nl.U16(U.DEST_ATTR_ADDR_FAMILY, 3)), svc));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeRealServerReply(Nl.Single(Nl.Genl(Family, U.CMD_NEW_DEST)), svc));
    }

    private static NetlinkMessage DaemonReply(params byte[][] attrs) =>
        Nl.Single(Nl.Genl(Family, U.CMD_NEW_DAEMON, Nl.Nest(U.CMD_ATTR_DAEMON, Nl.Concat(attrs))));

    [Fact]
    public void DaemonReplyWithIPv4Group()
    {
        var d = IpvsCodec.DecodeSyncDaemonReply(DaemonReply(
            Nl.U32(U.DAEMON_ATTR_STATE, 1),
            Nl.Str(U.DAEMON_ATTR_MCAST_IFN, "eth0"),
            Nl.U32(U.DAEMON_ATTR_SYNC_ID, 7),
            Nl.U16(U.DAEMON_ATTR_SYNC_MAXLEN, 1472),
            Nl.U16(U.DAEMON_ATTR_MCAST_PORT, 8848),
            Nl.U8(U.DAEMON_ATTR_MCAST_TTL, 2),
            Nl.Attr(U.DAEMON_ATTR_MCAST_GROUP, 224, 0, 0, 81)));
        Assert.Equal(new SyncDaemon
        {
            State = SyncDaemonState.Master, Interface = "eth0", SyncId = 7, MaxLength = 1472,
            MulticastGroup = IPAddress.Parse("224.0.0.81"), MulticastPort = 8848, MulticastTtl = 2,
        }, d);
    }

    [Fact]
    public void DaemonReplyWithIPv6Group()
    {
        var d = IpvsCodec.DecodeSyncDaemonReply(DaemonReply(
            Nl.U32(U.DAEMON_ATTR_STATE, 2),
            Nl.Str(U.DAEMON_ATTR_MCAST_IFN, "ens3"),
            Nl.U32(U.DAEMON_ATTR_SYNC_ID, 0),
            Nl.Attr(U.DAEMON_ATTR_MCAST_GROUP6, Nl.InetAddr("ff02::51"))));
        Assert.Equal(SyncDaemonState.Backup, d.State);
        Assert.Equal("ens3", d.Interface);
        Assert.Equal(IPAddress.Parse("ff02::51"), d.MulticastGroup);
        Assert.Null(d.MaxLength);
        Assert.Null(d.MulticastPort);
        Assert.Null(d.MulticastTtl);
    }

    [Fact]
    public void DaemonReplyWithoutStateIsAProtocolError()
    {
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeSyncDaemonReply(DaemonReply(Nl.Str(U.DAEMON_ATTR_MCAST_IFN, "eth0"))));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeSyncDaemonReply(Nl.Single(Nl.Genl(Family, U.CMD_NEW_DAEMON))));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeSyncDaemonReply(DaemonReply(
            Nl.U32(U.DAEMON_ATTR_STATE, 1), Nl.Attr(U.DAEMON_ATTR_MCAST_GROUP6, 0xff, 2))));
    }

    [Fact]
    public void InfoReplyVersionAndTableSize()
    {
        var m = Nl.Single(Nl.Genl(Family, U.CMD_SET_INFO, Nl.U32(U.INFO_ATTR_VERSION, 0x010201), Nl.U32(U.INFO_ATTR_CONN_TAB_SIZE, 4096)));
        var info = IpvsCodec.DecodeInfoReply(m);
        Assert.Equal(new Version(1, 2, 1), info.Version);
        Assert.Equal(4096u, info.ConnectionTableSize);
        Assert.Equal("IP Virtual Server version 1.2.1 (size=4096)", info.ToString());
    }

    [Fact]
    public void TimeoutsReply()
    {
        var m = Nl.Single(Nl.Genl(Family, U.CMD_SET_CONFIG,
            Nl.U32(U.CMD_ATTR_TIMEOUT_TCP, 900), Nl.U32(U.CMD_ATTR_TIMEOUT_TCP_FIN, 120), Nl.U32(U.CMD_ATTR_TIMEOUT_UDP, 300)));
        Assert.Equal(new IpvsTimeouts(900, 120, 300), IpvsCodec.DecodeTimeoutsReply(m));
    }

    [Fact]
    public void TimeoutAttributeOfTwoBytesIsAProtocolError()
    {
        var m = Nl.Single(Nl.Genl(Family, U.CMD_SET_CONFIG, Nl.U16(U.CMD_ATTR_TIMEOUT_TCP, 900)));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeTimeoutsReply(m));
    }

    [Fact]
    public void GetFamilyReply()
    {
        var m = Nl.Single(Nl.Genl(GenericNetlink.GENL_ID_CTRL, 1,
            Nl.Str(GenericNetlink.CTRL_ATTR_FAMILY_NAME, "IPVS"),
            Nl.U16(GenericNetlink.CTRL_ATTR_FAMILY_ID, 0x1c),
            Nl.U32(GenericNetlink.CTRL_ATTR_VERSION, 1),
            Nl.U32(4, 0),                                          // CTRL_ATTR_HDRSIZE
            Nl.U32(GenericNetlink.CTRL_ATTR_MAXATTR, 6),
            Nl.Nest(6, Nl.Nest(1, Nl.U32(1, 1), Nl.U32(2, 0x0a)))));  // CTRL_ATTR_OPS: ignored
        Assert.Equal(((ushort)0x1c, 1u), GenericNetlink.DecodeFamily(m));
        Assert.Throws<NetlinkProtocolException>(() => GenericNetlink.DecodeFamily(
            Nl.Single(Nl.Genl(GenericNetlink.GENL_ID_CTRL, 1, Nl.Str(GenericNetlink.CTRL_ATTR_FAMILY_NAME, "IPVS")))));
    }
}
