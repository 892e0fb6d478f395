using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace LvsAdmin.Netlink;

/// <summary>One netlink message as received: header fields and the payload after the 16-byte header.</summary>
public readonly struct NetlinkMessage
{
    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;
    public const ushort NLMSG_OVERRUN = 4;

    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort NLM_F_MULTI = 0x2;
    public const ushort NLM_F_ACK = 0x4;
    public const ushort NLM_F_ECHO = 0x8;
    public const ushort NLM_F_DUMP_INTR = 0x10;
    public const ushort NLM_F_ROOT = 0x100;
    public const ushort NLM_F_MATCH = 0x200;
    public const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public const ushort NLM_F_REPLACE = 0x100;
    public const ushort NLM_F_EXCL = 0x200;
    public const ushort NLM_F_CREATE = 0x400;
    // Flags of an NLMSG_ERROR message.
    public const ushort NLM_F_CAPPED = 0x100;
    public const ushort NLM_F_ACK_TLVS = 0x200;

    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlyMemory<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }
    public ushort Flags { get; }
    public uint Sequence { get; }
    public uint PortId { get; }
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// Splits a datagram into messages. Throws <see cref="NetlinkProtocolException"/> on a truncated header or a
    /// length that does not fit; never reads past the buffer and always advances, so it cannot loop.
    /// </summary>
    public static List<NetlinkMessage> ParseAll(ReadOnlyMemory<byte> datagram)
    {
        var list = new List<NetlinkMessage>();
        var offset = 0;
        var span = datagram.Span;
        while (offset < datagram.Length)
        {
            if (datagram.Length - offset < NetlinkWriter.HeaderSize)
                throw new NetlinkProtocolException($"truncated message header at offset {offset} ({datagram.Length - offset} bytes left)");
            var len = BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
            if (len < NetlinkWriter.HeaderSize || len > (uint)(datagram.Length - offset))
                throw new NetlinkProtocolException($"message length {len} at offset {offset} does not fit the {datagram.Length - offset} bytes left");
            var type = BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 4)..]);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 6)..]);
            var seq = BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 8)..]);
            var pid = BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 12)..]);
            list.Add(new NetlinkMessage(type, flags, seq, pid, datagram.Slice(offset + NetlinkWriter.HeaderSize, (int)len - NetlinkWriter.HeaderSize)));
            offset += NetlinkWriter.Align((int)len);
        }
        return list;
    }

    /// <summary>Decodes an NLMSG_ERROR payload: errno (positive; 0 = ACK) and the extended-ack message if present.</summary>
    public (int Errno, string? Message, uint? Offset) DecodeError()
    {
        var span = Payload.Span;
        if (span.Length < 4) throw new NetlinkProtocolException("truncated NLMSG_ERROR");
        var error = BinaryPrimitives.ReadInt32LittleEndian(span);
        string? text = null;
        uint? off = null;
        if ((Flags & NLM_F_ACK_TLVS) != 0 && span.Length >= 4 + NetlinkWriter.HeaderSize)
        {
            // After the error code comes the original request: its header only when capped, else all of it.
            var origLen = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
            var skip = (Flags & NLM_F_CAPPED) != 0 ? NetlinkWriter.HeaderSize : (int)Math.Min(origLen, (uint)(span.Length - 4));
            var tlvStart = 4 + NetlinkWriter.Align(skip);
            if (tlvStart < span.Length)
            {
                foreach (var a in NetlinkAttribute.ParseAll(Payload[tlvStart..]))
                {
                    if (a.Type == 1) text = a.GetString();          // NLMSGERR_ATTR_MSG
                    else if (a.Type == 2 && a.Payload.Length >= 4) off = a.GetU32(); // NLMSGERR_ATTR_OFFS
                }
            }
        }
        return (-error, text, off);
    }
}

/// <summary>One netlink attribute (type without the nested/byte-order flags, and its payload).</summary>
public readonly struct NetlinkAttribute
{
    public const ushort TypeMask = 0x3FFF;

    public NetlinkAttribute(ushort type, ReadOnlyMemory<byte> payload)
    {
        Type = type;
        Payload = payload;
    }

    public ushort Type { get; }
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>
    /// Parses a run of attributes. Bad lengths throw <see cref="NetlinkProtocolException"/>; trailing bytes shorter
    /// than an attribute header are ignored, as the kernel's nla_parse does.
    /// </summary>
    public static List<NetlinkAttribute> ParseAll(ReadOnlyMemory<byte> data)
    {
        var list = new List<NetlinkAttribute>();
        var offset = 0;
        while (Next(data, ref offset) is { } a) list.Add(a);
        return list;
    }

    /// <summary>
    /// Parses attributes into a table indexed by type (last one wins); types above <paramref name="maxType"/> are
    /// ignored. Straight into the table: decoding a large dump makes no other garbage per attribute run.
    /// </summary>
    public static NetlinkAttribute?[] ParseTable(ReadOnlyMemory<byte> data, int maxType)
    {
        var table = new NetlinkAttribute?[maxType + 1];
        var offset = 0;
        while (Next(data, ref offset) is { } a)
        {
            if (a.Type <= maxType) table[a.Type] = a;
        }
        return table;
    }

    /// <summary>The attribute at <paramref name="offset"/> (which moves past it), or null at the end of the run.</summary>
    private static NetlinkAttribute? Next(ReadOnlyMemory<byte> data, ref int offset)
    {
        if (data.Length - offset < NetlinkWriter.AttributeHeaderSize) return null;
        var span = data.Span;
        var len = BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
        var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 2)..]) & TypeMask);
        if (len < NetlinkWriter.AttributeHeaderSize || len > data.Length - offset)
            throw new NetlinkProtocolException($"attribute type {type} at offset {offset} has length {len}, {data.Length - offset} bytes left");
        var attribute = new NetlinkAttribute(type, data.Slice(offset + NetlinkWriter.AttributeHeaderSize, len - NetlinkWriter.AttributeHeaderSize));
        offset += NetlinkWriter.Align(len);
        return attribute;
    }

    private ReadOnlySpan<byte> Need(int size)
    {
        if (Payload.Length < size)
            throw new NetlinkProtocolException($"attribute type {Type} has {Payload.Length} bytes, expected {size}");
        return Payload.Span;
    }

    public byte GetU8() => Need(1)[0];
    public ushort GetU16() => BinaryPrimitives.ReadUInt16LittleEndian(Need(2));
    public ushort GetBe16() => BinaryPrimitives.ReadUInt16BigEndian(Need(2));
    public uint GetU32() => BinaryPrimitives.ReadUInt32LittleEndian(Need(4));
    public uint GetBe32() => BinaryPrimitives.ReadUInt32BigEndian(Need(4));
    public ulong GetU64() => BinaryPrimitives.ReadUInt64LittleEndian(Need(8));

    /// <summary>A string up to its first NUL (or the whole payload when there is none), as UTF-8.</summary>
    public string GetString()
    {
        var span = Payload.Span;
        var nul = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? span[..nul] : span);
    }

    public List<NetlinkAttribute> Nested() => ParseAll(Payload);

    public NetlinkAttribute?[] NestedTable(int maxType) => ParseTable(Payload, maxType);
}
