using System;
using System.Linq;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LvsAdmin.Ipvs;

/// <summary>Parsing and formatting of the address forms LVS people write: 10.0.0.1:80, [2001:db8::1]:443.</summary>
public static class Endpoint
{
    /// <summary>The IPVS address family of an address.</summary>
    public static IpvsAddressFamily FamilyOf(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? IpvsAddressFamily.IPv6 : IpvsAddressFamily.IPv4;

    /// <summary>Formats address and port as ipvsadm does: 10.0.0.1:80, [2001:db8::1]:80.</summary>
    public static string Format(IPAddress address, ushort port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? "[" + address + "]:" + port.ToString(CultureInfo.InvariantCulture)
            : address + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses "address[:port]": 10.0.0.1, 10.0.0.1:80, [2001:db8::1]:443, 2001:db8::1 (no port). A missing port is
    /// returned as null. Returns false with a reason for anything else.
    /// </summary>
    public static bool TryParse(string? text, out IPAddress address, out ushort? port, out string error) =>
        TryParse(text, out address, out port, out error, out _);

    /// <summary>
    /// Like <see cref="TryParse(string?, out IPAddress, out ushort?, out string)"/>; <paramref name="portOutOfRange"/>
    /// tells that the only fault is a port number outside 0-65535 (the error ErrorId InvalidPort, not a bad address).
    /// </summary>
    public static bool TryParse(string? text, out IPAddress address, out ushort? port, out string error, out bool portOutOfRange)
    {
        portOutOfRange = false;
        address = IPAddress.None;
        port = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "The address is empty.";
            return false;
        }
        var s = text.Trim();
        string host;
        string? portText = null;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0)
            {
                error = $"'{text}' has '[' without ']'.";
                return false;
            }
            host = s[1..close];
            var rest = s[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':' || rest.Length == 1)
                {
                    error = $"'{text}': expected ':port' after ']'.";
                    return false;
                }
                portText = rest[1..];
            }
        }
        else
        {
            var colons = s.Split(':').Length - 1;
            if (colons == 1)
            {
                var i = s.IndexOf(':');
                host = s[..i];
                portText = s[(i + 1)..];
            }
            else
            {
                host = s; // IPv4 without port, or bare IPv6 without port
            }
        }
        if (host.Contains('%') || !IPAddress.TryParse(host, out var parsed) || parsed is null ||
            (parsed.AddressFamily != AddressFamily.InterNetwork && parsed.AddressFamily != AddressFamily.InterNetworkV6) ||
            (parsed.AddressFamily == AddressFamily.InterNetwork && !IsDecimalDottedQuad(host)))
        {
            error = $"'{host}' is not an IPv4 or IPv6 address.";
            return false;
        }
        if (s.StartsWith('[') && parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            error = $"'{text}': brackets are for IPv6 addresses.";
            return false;
        }
        if (portText is not null)
        {
            if (!TryParsePort(portText, out var p))
            {
                portOutOfRange = portText.Length > 0 && portText.All(char.IsAsciiDigit);
                error = portOutOfRange ? PortRangeMessage(portText) : $"'{portText}' is not a port number (0-65535).";
                return false;
            }
            port = p;
        }
        address = parsed;
        return true;
    }

    /// <summary>
    /// Four decimal parts of 1-3 digits without leading zeros. IPAddress.TryParse (like inet_aton) also takes
    /// 010.0.0.1 as octal (8.0.0.1) and 0x0a.0.0.1 as hex, which would silently name another address.
    /// </summary>
    private static bool IsDecimalDottedQuad(string host)
    {
        var parts = host.Split('.');
        if (parts.Length != 4) return false;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')) return false;
            foreach (var c in part) if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /// <summary>
    /// Numeric address order: IPv4 before IPv6 (IPv4-mapped IPv6 addresses count as IPv6), then byte by byte
    /// (10.0.0.2 before 10.0.0.10 before 192.168.0.1). The order listings use.
    /// </summary>
    public static int CompareAddresses(IPAddress? a, IPAddress? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        var r = FamilyOf(a).CompareTo(FamilyOf(b));
        if (r != 0) return r;
        return ((ReadOnlySpan<byte>)a.GetAddressBytes()).SequenceCompareTo(b.GetAddressBytes());
    }

    /// <summary>The message for a port number outside 0-65535.</summary>
    private static string PortRangeMessage(string value) => $"Port {value} is out of range: a port is 0 to 65535.";

    /// <summary>The error for a port number outside 0-65535: ErrorId InvalidPort (category InvalidArgument).</summary>
    public static IpvsValidationException PortOutOfRange(string value) => new("Port", PortRangeMessage(value));

    /// <summary>A -Port parameter's value as a port (null stays null); ErrorId InvalidPort outside 0-65535.</summary>
    public static ushort? CheckPort(long? value) =>
        value is null ? null
        : value is >= 0 and <= ushort.MaxValue ? (ushort)value.Value
        : throw PortOutOfRange(value.Value.ToString(CultureInfo.InvariantCulture));

    public static bool TryParsePort(string text, out ushort port)
    {
        port = 0;
        if (text.Length == 0 || text.Length > 5) return false;
        foreach (var c in text) if (c < '0' || c > '9') return false;
        var v = int.Parse(text, CultureInfo.InvariantCulture);
        if (v > 65535) return false;
        port = (ushort)v;
        return true;
    }

    /// <summary>Parses an IP address strictly (dotted quad for IPv4, no scope id).</summary>
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (!TryParse(text, out var a, out var p, out _) || p is not null) return false;
        address = a;
        return true;
    }

    /// <summary>16 bytes of an address as the kernel's union nf_inet_addr (IPv4 in the first 4 bytes).</summary>
    public static byte[] ToInetAddr(IPAddress address)
    {
        var raw = new byte[16];
        address.GetAddressBytes().CopyTo(raw, 0);
        return raw;
    }

    /// <summary>Reads an address of <paramref name="family"/> from the kernel's nf_inet_addr bytes.</summary>
    public static IPAddress FromInetAddr(ReadOnlySpan<byte> raw, IpvsAddressFamily family)
    {
        var len = family == IpvsAddressFamily.IPv6 ? 16 : 4;
        if (raw.Length < len) throw new LvsAdmin.Netlink.NetlinkProtocolException($"address attribute has {raw.Length} bytes, expected {len}");
        return new IPAddress(raw[..len]);
    }
}
