using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using LvsAdmin.Netlink;
using Xunit;

namespace LvsAdmin.Tests.Support;

/// <summary>Hex helpers for golden bytes: whitespace between byte pairs is ignored.</summary>
internal static class Hex
{
    public static byte[] Parse(params string[] lines)
    {
        var digits = string.Concat(lines).Where(c => !char.IsWhiteSpace(c)).ToArray();
        if (digits.Length % 2 != 0) throw new ArgumentException("odd number of hex digits");
        var result = new byte[digits.Length / 2];
        for (var i = 0; i < result.Length; i++)
            result[i] = byte.Parse(new string(digits, 2 * i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return result;
    }

    public static string Format(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < data.Length; i++)
        {
            if (i > 0) sb.Append(i % 16 == 0 ? '\n' : ' ');
            sb.Append(data[i].ToString("x2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Asserts equal bytes, showing both as hex dumps (and the first differing offset) on failure.</summary>
    public static void Equal(byte[] expected, ReadOnlySpan<byte> actual)
    {
        if (expected.AsSpan().SequenceEqual(actual)) return;
        var first = 0;
        while (first < expected.Length && first < actual.Length && expected[first] == actual[first]) first++;
        Assert.Fail($"bytes differ at offset {first} (expected {expected.Length} bytes, got {actual.Length})\nexpected:\n{Format(expected)}\nactual:\n{Format(actual)}");
    }
}

/// <summary>
/// A deliberately separate, minimal netlink message builder for constructing replies in tests (independent of
/// <see cref="NetlinkWriter"/>, so a bug there cannot hide itself).
/// </summary>
internal static class Nl
{
    public static byte[] Attr(ushort type, params byte[] payload)
    {
        var len = 4 + payload.Length;
        var b = new byte[(len + 3) & ~3];
        b[0] = (byte)len;
        b[1] = (byte)(len >> 8);
        b[2] = (byte)type;
        b[3] = (byte)(type >> 8);
        payload.CopyTo(b, 4);
        return b;
    }

    public static byte[] Nest(ushort type, params byte[][] children) => Attr((ushort)(type | 0x8000), Concat(children));

    public static byte[] U8(ushort type, byte v) => Attr(type, v);
    public static byte[] U16(ushort type, ushort v) => Attr(type, (byte)v, (byte)(v >> 8));
    public static byte[] Be16(ushort type, ushort v) => Attr(type, (byte)(v >> 8), (byte)v);
    public static byte[] U32(ushort type, uint v) => Attr(type, BitConverter.GetBytes(v));
    public static byte[] U64(ushort type, ulong v) => Attr(type, BitConverter.GetBytes(v));
    public static byte[] Str(ushort type, string s) => Attr(type, Encoding.UTF8.GetBytes(s + "\0"));

    /// <summary>A 16-byte nf_inet_addr holding <paramref name="address"/> (IPv4 in the first four bytes).</summary>
    public static byte[] InetAddr(string address)
    {
        var raw = new byte[16];
        System.Net.IPAddress.Parse(address).GetAddressBytes().CopyTo(raw, 0);
        return raw;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A netlink message with a header (nlmsg_len covers header + payload, unpadded) and padding to 4.</summary>
    public static byte[] Message(ushort type, ushort flags, uint seq, uint pid, byte[] payload)
    {
        var len = 16 + payload.Length;
        var b = new byte[(len + 3) & ~3];
        BitConverter.GetBytes((uint)len).CopyTo(b, 0);
        BitConverter.GetBytes(type).CopyTo(b, 4);
        BitConverter.GetBytes(flags).CopyTo(b, 6);
        BitConverter.GetBytes(seq).CopyTo(b, 8);
        BitConverter.GetBytes(pid).CopyTo(b, 12);
        payload.CopyTo(b, 16);
        return b;
    }

    /// <summary>A generic netlink reply: genl header (cmd, version 1) and attributes.</summary>
    public static byte[] Genl(ushort family, byte cmd, params byte[][] attrs) =>
        Message(family, 0x2 /* NLM_F_MULTI */, 1, 4242, Concat(new byte[] { cmd, 1, 0, 0 }, Concat(attrs)));

    /// <summary>Parses the single message in <paramref name="datagram"/>.</summary>
    public static NetlinkMessage Single(byte[] datagram)
    {
        var all = NetlinkMessage.ParseAll(datagram);
        Assert.Single(all);
        return all[0];
    }
}
