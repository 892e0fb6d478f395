using System;
using LvsAdmin.Netlink;
using LvsAdmin.Tests.Support;
using Xunit;

namespace LvsAdmin.Tests.Netlink;

public class NetlinkWriterTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 4)]
    [InlineData(3, 4)]
    [InlineData(4, 4)]
    [InlineData(5, 8)]
    [InlineData(17, 20)]
    public void Align(int length, int aligned) => Assert.Equal(aligned, NetlinkWriter.Align(length));

    [Fact]
    public void EndMessageWritesTheTotalLength()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(0x1234, 0x0305, 0xA1B2C3D4, 0x01020304);
        w.WriteGenlHeader(9, 2);
        w.PutU8(1, 0xEE);
        w.EndMessage();
        Hex.Equal(Hex.Parse(
            "1c 00 00 00 34 12 05 03 d4 c3 b2 a1 04 03 02 01",
            "09 02 00 00",
            "05 00 01 00 ee 00 00 00"), w.WrittenSpan);
        Assert.Equal(28, w.Length);
        Assert.Equal(1, w.MessageCount);
    }

    [Fact]
    public void ScalarsAndByteOrder()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(1, 0, 0);
        w.PutU16(1, 0x1234);
        w.PutBe16(2, 0x1234);
        w.PutU32(3, 0x11223344);
        w.PutU64(4, 0x0102030405060708);
        w.PutBytes(5, ReadOnlySpan<byte>.Empty);
        w.EndMessage();
        Hex.Equal(Hex.Parse(
            "38 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00",   // 16 + 8 + 8 + 8 + 12 + 4 = 56
            "06 00 01 00 34 12 00 00",
            "06 00 02 00 12 34 00 00",
            "08 00 03 00 44 33 22 11",
            "0c 00 04 00 08 07 06 05 04 03 02 01",
            "04 00 05 00"), w.WrittenSpan);
    }

    [Fact]
    public void StringsAreNulTerminatedAndPadded()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(1, 0, 0);
        w.PutString(1, "");
        w.PutString(2, "abc");
        w.PutString(3, "abcd");
        w.PutString(4, "é");
        w.EndMessage();
        Hex.Equal(Hex.Parse(
            "34 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00",
            "05 00 01 00 00 00 00 00",                 // "" = one NUL
            "08 00 02 00 61 62 63 00",                 // exactly aligned
            "09 00 03 00 61 62 63 64 00 00 00 00",     // NUL then padding
            "07 00 04 00 c3 a9 00 00"), w.WrittenSpan); // UTF-8
    }

    [Fact]
    public void LongStringUsesTheHeapPathAndStaysCorrect()
    {
        var w = new NetlinkWriter(16);
        var text = new string('x', 300);
        w.BeginMessage(1, 0, 0);
        w.PutString(7, text);
        w.EndMessage();
        var m = Nl.Single(w.ToArray());
        var a = Assert.Single(NetlinkAttribute.ParseAll(m.Payload));
        Assert.Equal(305, a.Payload.Length + 4);
        Assert.Equal(text, a.GetString());
    }

    [Fact]
    public void NestedLengthsCoverTheirChildrenAndCarryTheNestedFlag()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(1, 0, 0);
        var outer = w.BeginNested(1);
        w.PutU8(1, 7);                  // 8 bytes with padding
        var inner = w.BeginNested(2);
        w.PutU32(3, 9);
        w.EndNested(inner);             // 4 + 8 = 12
        var empty = w.BeginNested(4);
        w.EndNested(empty);             // 4
        w.EndNested(outer);             // 4 + 8 + 12 + 4 = 28
        w.PutU8(5, 1);
        w.EndMessage();
        Hex.Equal(Hex.Parse(
            "34 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00",
            "1c 00 01 80",
            "05 00 01 00 07 00 00 00",
            "0c 00 02 80 08 00 03 00 09 00 00 00",
            "04 00 04 80",
            "05 00 05 00 01 00 00 00"), w.WrittenSpan);
    }

    [Fact]
    public void RawDataIsPadded()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(1, 0, 0);
        w.WriteRaw(new byte[] { 1, 2, 3, 4, 5 });
        w.EndMessage();
        Hex.Equal(Hex.Parse("18 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00", "01 02 03 04 05 00 00 00"), w.WrittenSpan);
    }

    [Fact]
    public void GrowsBeyondItsInitialCapacity()
    {
        var w = new NetlinkWriter(64);
        w.BeginMessage(1, 0, 0);
        for (uint i = 0; i < 1000; i++) w.PutU32(1, i);
        w.EndMessage();
        Assert.Equal(16 + 8000, w.Length);
        var attrs = NetlinkAttribute.ParseAll(Nl.Single(w.ToArray()).Payload);
        Assert.Equal(1000, attrs.Count);
        Assert.Equal(999u, attrs[999].GetU32());
    }

    [Fact]
    public void SeveralMessagesAndReset()
    {
        var w = new NetlinkWriter();
        w.BeginMessage(1, 0, 1);
        w.PutU8(1, 1);
        w.EndMessage();
        w.BeginMessage(2, 0, 2);
        w.EndMessage();
        Assert.Equal(2, w.MessageCount);
        var all = NetlinkMessage.ParseAll(w.ToArray());
        Assert.Equal(2, all.Count);
        Assert.Equal(24 - 16, all[0].Payload.Length);
        Assert.Equal(2u, all[1].Sequence);
        Assert.Equal(0, all[1].Payload.Length);
        w.Reset();
        Assert.Equal(0, w.Length);
        Assert.Equal(0, w.MessageCount);
        Assert.Equal(0, w.WrittenSpan.Length);
    }

    [Fact]
    public void MisuseThrows()
    {
        var w = new NetlinkWriter();
        Assert.Throws<InvalidOperationException>(() => w.EndMessage());
        w.BeginMessage(1, 0, 0);
        Assert.Throws<InvalidOperationException>(() => w.BeginMessage(1, 0, 0));
        Assert.Throws<ArgumentException>(() => w.PutBytes(1, new byte[ushort.MaxValue - 3]));
        w.PutBytes(1, new byte[ushort.MaxValue - 4]);   // exactly 65535 with the header
        var nest = w.BeginNested(2);
        w.PutBytes(1, new byte[ushort.MaxValue - 4]);
        Assert.Throws<InvalidOperationException>(() => w.EndNested(nest));
    }
}
