using System;
using LvsAdmin.Netlink;
using LvsAdmin.Tests.Support;
using Xunit;

namespace LvsAdmin.Tests.Netlink;

/// <summary>NLMSG_ERROR (with extended ACK), NLMSG_DONE, and how each reply type ends or continues a request.</summary>
public class ReplyTests
{
    private static readonly byte[] OriginalRequest = Hex.Parse(
        "28 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",   // a 40-byte NEW_SERVICE request, seq 7
        "01 01 00 00",
        "10 00 01 80 06 00 01 00 02 00 00 00 06 00 02 00 06 00 00 00");

    [Fact]
    public void ErrorWithExtendedAckCapped()
    {
        // error -17, the original header only (CAPPED), then NLMSGERR_ATTR_MSG and NLMSGERR_ATTR_OFFS.
        var payload = Nl.Concat(BitConverter.GetBytes(-17), OriginalRequest[..16],
            Nl.Str(1, "Service already exists"), Nl.U32(2, 24));
        var m = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_CAPPED | NetlinkMessage.NLM_F_ACK_TLVS, 7, 99, payload));
        var (errno, text, offset) = m.DecodeError();
        Assert.Equal(Errno.EEXIST, errno);
        Assert.Equal("Service already exists", text);
        Assert.Equal(24u, offset);
    }

    [Fact]
    public void ErrorWithExtendedAckUncappedSkipsTheWholeRequest()
    {
        var payload = Nl.Concat(BitConverter.GetBytes(-22), OriginalRequest, Nl.Str(1, "bad netmask"));
        var m = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_ACK_TLVS, 7, 99, payload));
        var (errno, text, offset) = m.DecodeError();
        Assert.Equal(Errno.EINVAL, errno);
        Assert.Equal("bad netmask", text);
        Assert.Null(offset);
    }

    [Fact]
    public void ErrorWithoutAckTlvsFlagIgnoresTrailingBytes()
    {
        var payload = Nl.Concat(BitConverter.GetBytes(-3), OriginalRequest[..16], Nl.Str(1, "not read"));
        var m = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_ERROR, 0, 7, 99, payload));
        Assert.Equal((Errno.ESRCH, (string?)null, (uint?)null), m.DecodeError());
    }

    [Fact]
    public void AckIsErrnoZero()
    {
        var m = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_CAPPED, 7, 99, Nl.Concat(BitConverter.GetBytes(0), OriginalRequest[..16])));
        Assert.Equal(0, m.DecodeError().Errno);
        Assert.Equal(NetlinkSocket.ReplyDisposition.End, NetlinkSocket.Classify(m, null));
    }

    [Fact]
    public void ErrorReplyThrowsNetlinkExceptionWithErrnoAndKernelMessage()
    {
        var payload = Nl.Concat(BitConverter.GetBytes(-17), OriginalRequest[..16], Nl.Str(1, "exists"));
        var m = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_CAPPED | NetlinkMessage.NLM_F_ACK_TLVS, 7, 99, payload));
        var e = Assert.Throws<NetlinkException>(() => NetlinkSocket.Classify(m, "add virtual service tcp/10.0.0.1:80"));
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal("exists", e.KernelMessage);
        Assert.Equal("add virtual service tcp/10.0.0.1:80: File exists (errno 17): exists", e.Message);
    }

    [Fact]
    public void TruncatedErrorIsAProtocolError()
    {
        var m = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_ERROR, 0, 7, 99, new byte[] { 0xef, 0xff }));
        Assert.Throws<NetlinkProtocolException>(() => m.DecodeError());
        Assert.Throws<NetlinkProtocolException>(() => NetlinkSocket.Classify(m, null));
    }

    [Fact]
    public void DoneWithErrorInADumpThrows()
    {
        var m = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_DONE, NetlinkMessage.NLM_F_MULTI, 7, 99, BitConverter.GetBytes(-Errno.EMSGSIZE)));
        var e = Assert.Throws<NetlinkException>(() => NetlinkSocket.Classify(m, "list virtual services"));
        Assert.Equal(Errno.EMSGSIZE, e.Errno);
        Assert.StartsWith("list virtual services: Message too long", e.Message);
    }

    [Fact]
    public void DoneWithoutErrorEndsTheDump()
    {
        var zero = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_DONE, NetlinkMessage.NLM_F_MULTI, 7, 99, BitConverter.GetBytes(0)));
        var empty = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_DONE, NetlinkMessage.NLM_F_MULTI, 7, 99, Array.Empty<byte>()));
        Assert.Equal(NetlinkSocket.ReplyDisposition.End, NetlinkSocket.Classify(zero, null));
        Assert.Equal(NetlinkSocket.ReplyDisposition.End, NetlinkSocket.Classify(empty, null));
    }

    [Fact]
    public void NoopIsSkippedOverrunThrowsDataIsData()
    {
        var noop = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_NOOP, 0, 7, 99, Array.Empty<byte>()));
        var overrun = Nl.Single(Nl.Message(NetlinkMessage.NLMSG_OVERRUN, 0, 7, 99, Array.Empty<byte>()));
        var data = Nl.Single(Nl.Genl(0x1c, 1));
        Assert.Equal(NetlinkSocket.ReplyDisposition.Skip, NetlinkSocket.Classify(noop, null));
        Assert.Throws<NetlinkProtocolException>(() => NetlinkSocket.Classify(overrun, null));
        Assert.Equal(NetlinkSocket.ReplyDisposition.Data, NetlinkSocket.Classify(data, null));
    }

    [Fact]
    public void DatagramWithSeveralMessagesAndUnalignedLengths()
    {
        // A message whose nlmsg_len (21) is not a multiple of 4 is followed by the next one at offset 24.
        var first = Nl.Message(0x1c, NetlinkMessage.NLM_F_MULTI, 5, 1, new byte[] { 1, 1, 0, 0, 0xAA });
        Assert.Equal(24, first.Length);
        var second = Nl.Message(NetlinkMessage.NLMSG_DONE, NetlinkMessage.NLM_F_MULTI, 5, 1, BitConverter.GetBytes(0));
        var all = NetlinkMessage.ParseAll(Nl.Concat(first, second));
        Assert.Equal(2, all.Count);
        Assert.Equal(5, all[0].Payload.Length);
        Assert.Equal(0xAA, all[0].Payload.Span[4]);
        Assert.Equal(NetlinkMessage.NLMSG_DONE, all[1].Type);
        Assert.Equal(NetlinkMessage.NLM_F_MULTI, all[1].Flags);
        Assert.Equal(5u, all[1].Sequence);
        Assert.Equal(1u, all[1].PortId);
    }

    [Fact]
    public void LastMessageMayOmitItsPadding()
    {
        var msg = Nl.Message(0x1c, 0, 5, 1, new byte[] { 1, 1, 0, 0, 0xAA });
        var all = NetlinkMessage.ParseAll(msg.AsMemory(0, 21));
        Assert.Single(all);
        Assert.Equal(5, all[0].Payload.Length);
    }
}
