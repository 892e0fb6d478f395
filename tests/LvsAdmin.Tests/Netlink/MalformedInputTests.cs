using System;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;
using LvsAdmin.Tests.Support;
using Xunit;
using U = LvsAdmin.Ipvs.IpvsUapi;

namespace LvsAdmin.Tests.Netlink;

/// <summary>Malformed netlink data is a <see cref="NetlinkProtocolException"/>, never a crash or a hang.</summary>
public class MalformedInputTests
{
    [Fact]
    public void EmptyDatagramHasNoMessages() => Assert.Empty(NetlinkMessage.ParseAll(Array.Empty<byte>()));

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(15)]
    public void TruncatedMessageHeader(int length)
    {
        var valid = Nl.Message(3, 2, 1, 0, BitConverter.GetBytes(0));
        Assert.Throws<NetlinkProtocolException>(() => NetlinkMessage.ParseAll(valid.AsMemory(0, length)));
    }

    [Fact]
    public void TruncatedSecondMessageHeader()
    {
        var valid = Nl.Message(3, 2, 1, 0, BitConverter.GetBytes(0));
        var e = Assert.Throws<NetlinkProtocolException>(() => NetlinkMessage.ParseAll(Nl.Concat(valid, valid[..8])));
        Assert.Contains("offset 20", e.Message);
    }

    [Theory]
    [InlineData(0u)]      // would never advance: must not loop
    [InlineData(1u)]
    [InlineData(15u)]
    [InlineData(21u)]     // larger than the 20-byte buffer
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x80000000u)]
    public void MessageLengthSmallerThanHeaderOrLargerThanBuffer(uint length)
    {
        var data = Nl.Message(3, 2, 1, 0, BitConverter.GetBytes(0));
        BitConverter.GetBytes(length).CopyTo(data, 0);
        Assert.Throws<NetlinkProtocolException>(() => NetlinkMessage.ParseAll(data));
    }

    [Theory]
    [InlineData((ushort)0)]   // would never advance
    [InlineData((ushort)1)]
    [InlineData((ushort)3)]
    [InlineData((ushort)13)]  // beyond the 12 bytes
    [InlineData((ushort)0xFFFF)]
    public void AttributeLengthBelowHeaderOrBeyondEnd(ushort length)
    {
        var data = Nl.Concat(Nl.U32(1, 5), Nl.U32(2, 6), new byte[4]);
        BitConverter.GetBytes(length).CopyTo(data, 8);
        BitConverter.GetBytes((ushort)2).CopyTo(data, 10);
        Assert.Throws<NetlinkProtocolException>(() => NetlinkAttribute.ParseAll(data));
    }

    [Fact]
    public void AttributeOfExactlyAHeaderIsEmptyAndTrailingBytesAreIgnored()
    {
        var data = Nl.Concat(Nl.Attr(7), new byte[] { 0x05, 0x00, 0x01 });
        var attrs = NetlinkAttribute.ParseAll(data);
        Assert.Single(attrs);
        Assert.Equal(7, attrs[0].Type);
        Assert.Equal(0, attrs[0].Payload.Length);
    }

    [Fact]
    public void LastAttributeMayOmitItsPadding()
    {
        var data = Nl.U8(3, 0x42)[..5];
        var a = Assert.Single(NetlinkAttribute.ParseAll(data));
        Assert.Equal(0x42, a.GetU8());
    }

    [Fact]
    public void NestedAndByteOrderFlagsAreStrippedFromTheType()
    {
        var a = Assert.Single(NetlinkAttribute.ParseAll(Nl.Attr(0xC005, 1, 2, 3, 4)));
        Assert.Equal(5, a.Type);
    }

    [Fact]
    public void ParseTableKeepsTheLastAndIgnoresTypesAboveMax()
    {
        var t = NetlinkAttribute.ParseTable(Nl.Concat(Nl.U32(2, 1), Nl.U32(2, 9), Nl.U32(3, 7), Nl.U32(500, 1)), 2);
        Assert.Equal(3, t.Length);
        Assert.Null(t[1]);
        Assert.Equal(9u, t[2]!.Value.GetU32());
    }

    [Fact]
    public void NestedGarbageIsAProtocolError()
    {
        var m = Nl.Single(Nl.Genl(0x1c, 1, Nl.Attr(U.CMD_ATTR_SERVICE | 0x8000, 0xFF, 0xFF, 0x01, 0x00, 0xDE, 0xAD)));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(m));
    }

    [Fact]
    public void GarbageInsideStatisticsIsAProtocolError()
    {
        var svc = Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U32(U.SVC_ATTR_FWMARK, 1),
            Nl.Attr(U.SVC_ATTR_STATS64, 0x02, 0x00, 0x01, 0x00));
        var m = Nl.Single(Nl.Genl(0x1c, 1, Nl.Nest(U.CMD_ATTR_SERVICE, svc)));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(m));
    }

    [Fact]
    public void TruncatedGenericNetlinkHeader()
    {
        var m = Nl.Single(Nl.Message(0x1c, 0, 1, 0, new byte[] { 1, 1 }));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(m));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeInfoReply(m));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeTimeoutsReply(m));
        Assert.Throws<NetlinkProtocolException>(() => GenericNetlink.DecodeFamily(m));
    }

    public static TheoryData<string, byte[]> ShortServiceAttributes() => new()
    {
        { "AF of 1 byte", Nl.Concat(Nl.Attr(U.SVC_ATTR_AF, 2), Nl.U32(U.SVC_ATTR_FWMARK, 1)) },
        { "FWMARK of 2 bytes", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U16(U.SVC_ATTR_FWMARK, 1)) },
        { "PROTOCOL of 1 byte", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.Attr(U.SVC_ATTR_PROTOCOL, 6), Nl.Attr(U.SVC_ATTR_ADDR, Nl.InetAddr("10.0.0.1")), Nl.Be16(U.SVC_ATTR_PORT, 80)) },
        { "PORT of 1 byte", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U16(U.SVC_ATTR_PROTOCOL, 6), Nl.Attr(U.SVC_ATTR_ADDR, Nl.InetAddr("10.0.0.1")), Nl.Attr(U.SVC_ATTR_PORT, 0)) },
        { "ADDR of 3 bytes", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U16(U.SVC_ATTR_PROTOCOL, 6), Nl.Attr(U.SVC_ATTR_ADDR, 10, 0, 0), Nl.Be16(U.SVC_ATTR_PORT, 80)) },
        { "FLAGS of 2 bytes", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U32(U.SVC_ATTR_FWMARK, 1), Nl.U16(U.SVC_ATTR_FLAGS, 1)) },
        { "TIMEOUT of 0 bytes", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U32(U.SVC_ATTR_FWMARK, 1), Nl.Attr(U.SVC_ATTR_TIMEOUT)) },
        { "NETMASK of 3 bytes", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U32(U.SVC_ATTR_FWMARK, 1), Nl.Attr(U.SVC_ATTR_NETMASK, 255, 255, 255)) },
        { "STATS64 conns of 4 bytes", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U32(U.SVC_ATTR_FWMARK, 1), Nl.Nest(U.SVC_ATTR_STATS64, Nl.U32(U.STATS_ATTR_CONNS, 1))) },
        { "STATS inbytes of 4 bytes", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U32(U.SVC_ATTR_FWMARK, 1), Nl.Nest(U.SVC_ATTR_STATS, Nl.U32(U.STATS_ATTR_INBYTES, 1))) },
        { "STATS conns of 2 bytes", Nl.Concat(Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U32(U.SVC_ATTR_FWMARK, 1), Nl.Nest(U.SVC_ATTR_STATS, Nl.U16(U.STATS_ATTR_CONNS, 1))) },
    };

    [Theory]
    [MemberData(nameof(ShortServiceAttributes))]
    public void ServiceAttributeTooShortForItsType(string what, byte[] attrs)
    {
        Assert.NotNull(what);
        var m = Nl.Single(Nl.Genl(0x1c, 1, Nl.Nest(U.CMD_ATTR_SERVICE, attrs)));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeServiceReply(m));
    }

    public static TheoryData<string, byte[]> ShortDestAttributes() => new()
    {
        { "ADDR of 2 bytes", Nl.Concat(Nl.Attr(U.DEST_ATTR_ADDR, 10, 0), Nl.Be16(U.DEST_ATTR_PORT, 80)) },
        { "IPv6 ADDR of 4 bytes", Nl.Concat(Nl.U16(U.DEST_ATTR_ADDR_FAMILY, U.AF_INET6), Nl.Attr(U.DEST_ATTR_ADDR, 10, 0, 0, 1), Nl.Be16(U.DEST_ATTR_PORT, 80)) },
        { "PORT of 0 bytes", Nl.Concat(Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2")), Nl.Attr(U.DEST_ATTR_PORT)) },
        { "ADDR_FAMILY of 1 byte", Nl.Concat(Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2")), Nl.Be16(U.DEST_ATTR_PORT, 80), Nl.Attr(U.DEST_ATTR_ADDR_FAMILY, 2)) },
        { "WEIGHT of 2 bytes", Nl.Concat(Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2")), Nl.Be16(U.DEST_ATTR_PORT, 80), Nl.U16(U.DEST_ATTR_WEIGHT, 1)) },
        { "FWD_METHOD of 1 byte", Nl.Concat(Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2")), Nl.Be16(U.DEST_ATTR_PORT, 80), Nl.U8(U.DEST_ATTR_FWD_METHOD, 3)) },
        { "ACTIVE_CONNS of 3 bytes", Nl.Concat(Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2")), Nl.Be16(U.DEST_ATTR_PORT, 80), Nl.Attr(U.DEST_ATTR_ACTIVE_CONNS, 1, 2, 3)) },
        { "TUN_TYPE of 0 bytes", Nl.Concat(Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2")), Nl.Be16(U.DEST_ATTR_PORT, 80), Nl.Attr(U.DEST_ATTR_TUN_TYPE)) },
        { "TUN_PORT of 1 byte", Nl.Concat(Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2")), Nl.Be16(U.DEST_ATTR_PORT, 80), Nl.U8(U.DEST_ATTR_TUN_PORT, 1)) },
        { "TUN_FLAGS of 1 byte", Nl.Concat(Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("10.0.0.2")), Nl.Be16(U.DEST_ATTR_PORT, 80), Nl.U8(U.DEST_ATTR_TUN_FLAGS, 1)) },
    };

    [Theory]
    [MemberData(nameof(ShortDestAttributes))]
    public void DestAttributeTooShortForItsType(string what, byte[] attrs)
    {
        Assert.NotNull(what);
        var m = Nl.Single(Nl.Genl(0x1c, U.CMD_NEW_DEST, Nl.Nest(U.CMD_ATTR_DEST, attrs)));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeRealServerReply(m, ServiceKey.Parse("tcp/10.0.0.1:80")));
    }

    public static TheoryData<string, byte[]> ShortDaemonAttributes() => new()
    {
        { "STATE of 2 bytes", Nl.U16(U.DAEMON_ATTR_STATE, 1) },
        { "SYNC_ID of 1 byte", Nl.Concat(Nl.U32(U.DAEMON_ATTR_STATE, 1), Nl.U8(U.DAEMON_ATTR_SYNC_ID, 1)) },
        { "SYNC_MAXLEN of 1 byte", Nl.Concat(Nl.U32(U.DAEMON_ATTR_STATE, 1), Nl.U8(U.DAEMON_ATTR_SYNC_MAXLEN, 1)) },
        { "MCAST_GROUP of 2 bytes", Nl.Concat(Nl.U32(U.DAEMON_ATTR_STATE, 1), Nl.Attr(U.DAEMON_ATTR_MCAST_GROUP, 224, 0)) },
        { "MCAST_GROUP6 of 8 bytes", Nl.Concat(Nl.U32(U.DAEMON_ATTR_STATE, 1), Nl.U64(U.DAEMON_ATTR_MCAST_GROUP6, 0xff02)) },
        { "MCAST_PORT of 1 byte", Nl.Concat(Nl.U32(U.DAEMON_ATTR_STATE, 1), Nl.U8(U.DAEMON_ATTR_MCAST_PORT, 1)) },
        { "MCAST_TTL of 0 bytes", Nl.Concat(Nl.U32(U.DAEMON_ATTR_STATE, 1), Nl.Attr(U.DAEMON_ATTR_MCAST_TTL)) },
    };

    [Theory]
    [MemberData(nameof(ShortDaemonAttributes))]
    public void DaemonAttributeTooShortForItsType(string what, byte[] attrs)
    {
        Assert.NotNull(what);
        var m = Nl.Single(Nl.Genl(0x1c, U.CMD_NEW_DAEMON, Nl.Nest(U.CMD_ATTR_DAEMON, attrs)));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeSyncDaemonReply(m));
    }

    [Fact]
    public void InfoAndFamilyAttributesTooShort()
    {
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeInfoReply(Nl.Single(Nl.Genl(0x1c, 1, Nl.U16(U.INFO_ATTR_VERSION, 1)))));
        Assert.Throws<NetlinkProtocolException>(() => IpvsCodec.DecodeInfoReply(Nl.Single(Nl.Genl(0x1c, 1, Nl.U8(U.INFO_ATTR_CONN_TAB_SIZE, 1)))));
        Assert.Throws<NetlinkProtocolException>(() => GenericNetlink.DecodeFamily(Nl.Single(Nl.Genl(0x10, 1, Nl.U8(GenericNetlink.CTRL_ATTR_FAMILY_ID, 1)))));
        Assert.Throws<NetlinkProtocolException>(() => GenericNetlink.DecodeFamily(Nl.Single(Nl.Genl(0x10, 1,
            Nl.U16(GenericNetlink.CTRL_ATTR_FAMILY_ID, 0x1c), Nl.U16(GenericNetlink.CTRL_ATTR_VERSION, 1)))));
    }

    [Fact]
    public void ErrorWithGarbageAckTlvsIsAProtocolError()
    {
        var payload = Nl.Concat(BitConverter.GetBytes(-1), new byte[16], new byte[] { 0x02, 0x00, 0x01, 0x00 });
        var m = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_CAPPED | NetlinkMessage.NLM_F_ACK_TLVS, 1, 0, payload));
        Assert.Throws<NetlinkProtocolException>(() => m.DecodeError());
    }

    [Fact]
    public void ErrorWithAckTlvsButHugeOriginalLengthDoesNotOverrun()
    {
        var orig = new byte[16];
        BitConverter.GetBytes(0xFFFFFFF0u).CopyTo(orig, 0);
        var payload = Nl.Concat(BitConverter.GetBytes(-22), orig, Nl.Str(1, "x"));
        var m = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_ACK_TLVS, 1, 0, payload));
        var (errno, text, _) = m.DecodeError();
        Assert.Equal(Errno.EINVAL, errno);
        Assert.Null(text);   // the (bogus) original request swallows everything: no message, no crash
    }

    [Fact]
    public void StringWithoutNulIsTakenWhole()
    {
        var a = Assert.Single(NetlinkAttribute.ParseAll(Nl.Attr(1, (byte)'w', (byte)'l', (byte)'c')));
        Assert.Equal("wlc", a.GetString());
        var b = Assert.Single(NetlinkAttribute.ParseAll(Nl.Attr(1, (byte)'r', (byte)'r', 0, (byte)'x')));
        Assert.Equal("rr", b.GetString());
    }
}
