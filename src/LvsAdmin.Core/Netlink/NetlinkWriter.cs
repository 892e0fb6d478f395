using System;
using System.Buffers.Binary;
using System.Text;

namespace LvsAdmin.Netlink;

/// <summary>
/// Builds netlink messages (one or many back to back in one buffer) with their attributes, nested attributes and
/// 4-byte alignment, in host byte order except where a method says network order.
/// </summary>
public sealed class NetlinkWriter
{
    public const int HeaderSize = 16;
    public const int GenlHeaderSize = 4;
    public const int AttributeHeaderSize = 4;
    public const ushort NlaFNested = 0x8000;

    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;

    public NetlinkWriter(int capacity = 256)
    {
        _buffer = new byte[Math.Max(capacity, 64)];
    }

    /// <summary>Bytes written so far (whole messages, once each is ended).</summary>
    public int Length => _length;

    /// <summary>Number of complete messages in the buffer.</summary>
    public int MessageCount { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
        MessageCount = 0;
    }

    public static int Align(int length) => (length + 3) & ~3;

    /// <summary>Starts a message: writes an nlmsghdr whose length is filled in by <see cref="EndMessage"/>.</summary>
    public void BeginMessage(ushort type, ushort flags, uint sequence, uint portId = 0)
    {
        if (_messageStart >= 0) throw new InvalidOperationException("The previous message was not ended.");
        _messageStart = _length;
        var span = Reserve(HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(span, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], portId);
    }

    /// <summary>Writes the generic netlink header (command, version, reserved).</summary>
    public void WriteGenlHeader(byte command, byte version)
    {
        var span = Reserve(GenlHeaderSize);
        span[0] = command;
        span[1] = version;
        span[2] = 0;
        span[3] = 0;
    }

    /// <summary>Writes raw bytes (e.g. a fixed family header such as ifaddrmsg), padded to 4 bytes.</summary>
    public void WriteRaw(ReadOnlySpan<byte> data)
    {
        var span = Reserve(Align(data.Length));
        data.CopyTo(span);
        span[data.Length..].Clear();
    }

    public void EndMessage()
    {
        if (_messageStart < 0) throw new InvalidOperationException("No message was begun.");
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_messageStart), (uint)(_length - _messageStart));
        _messageStart = -1;
        MessageCount++;
    }

    public void PutBytes(ushort type, ReadOnlySpan<byte> value)
    {
        var total = AttributeHeaderSize + value.Length;
        if (total > ushort.MaxValue) throw new ArgumentException("Attribute too long for netlink.", nameof(value));
        var span = Reserve(Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[AttributeHeaderSize..]);
        span[total..].Clear();
    }

    public void PutU8(ushort type, byte value) => PutBytes(type, stackalloc byte[] { value });

    public void PutU16(ushort type, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        PutBytes(type, b);
    }

    /// <summary>A 16-bit value in network byte order (ports).</summary>
    public void PutBe16(ushort type, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        PutBytes(type, b);
    }

    public void PutU32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        PutBytes(type, b);
    }

    public void PutU64(ushort type, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        PutBytes(type, b);
    }

    /// <summary>A NUL-terminated string attribute (NLA_NUL_STRING / NLA_STRING).</summary>
    public void PutString(ushort type, string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Span<byte> b = count < 256 ? stackalloc byte[count + 1] : new byte[count + 1];
        Encoding.UTF8.GetBytes(value, b);
        b[count] = 0;
        PutBytes(type, b);
    }

    /// <summary>Starts a nested attribute; returns a token for <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        var start = _length;
        var span = Reserve(AttributeHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)(type | NlaFNested));
        return start;
    }

    public void EndNested(int token)
    {
        var len = _length - token;
        if (len > ushort.MaxValue) throw new InvalidOperationException("Nested attribute too long for netlink.");
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(token), (ushort)len);
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
