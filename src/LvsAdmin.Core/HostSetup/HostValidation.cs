using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.HostSetup;

/// <summary>Checks host setup input before anything is touched; every failure is an <see cref="IpvsValidationException"/> with an ErrorId.</summary>
public static class HostValidation
{
    /// <summary>IFNAMSIZ - 1: the longest interface name (and label) the kernel accepts.</summary>
    public const int MaxInterfaceNameLength = 15;

    /// <summary>
    /// The kernel's dev_valid_name rules: 1-15 bytes, not "." or "..", no '/', ':' or whitespace.
    /// ErrorId InvalidInterfaceName.
    /// </summary>
    public static void ValidateInterfaceName(string? name, string parameter = "InterfaceName")
    {
        if (string.IsNullOrEmpty(name)) throw new IpvsValidationException(parameter, "The interface name must not be empty.", "InvalidInterfaceName");
        if (Encoding.UTF8.GetByteCount(name) > MaxInterfaceNameLength)
            throw new IpvsValidationException(parameter, $"Interface name '{name}' is longer than {MaxInterfaceNameLength} bytes (the kernel's IFNAMSIZ limit).", "InvalidInterfaceName");
        if (name is "." or "..") throw new IpvsValidationException(parameter, $"'{name}' is not a valid interface name.", "InvalidInterfaceName");
        foreach (var c in name)
        {
            if (c == '/' || c == ':' || char.IsWhiteSpace(c) || char.IsControl(c))
                throw new IpvsValidationException(parameter, $"Interface name '{name}' contains '{(char.IsWhiteSpace(c) ? "whitespace" : c.ToString())}', which the kernel does not allow (no '/', ':' or whitespace).", "InvalidInterfaceName");
        }
    }

    /// <summary>
    /// Parses "10.0.0.1", "10.0.0.1/32", "2001:db8::1" or "2001:db8::1/128". <paramref name="prefixLength"/> (if
    /// given) must agree with a prefix in the text. Default prefix: /32 for IPv4, /128 for IPv6. ErrorIds
    /// InvalidAddress, InvalidPrefixLength.
    /// </summary>
    public static (IPAddress Address, int PrefixLength) ParseAddress(string? text, int? prefixLength = null, string parameter = "Address")
    {
        if (string.IsNullOrWhiteSpace(text)) throw new IpvsValidationException(parameter, "The address must not be empty.", "InvalidAddress");
        var t = text.Trim();
        int? fromText = null;
        var slash = t.IndexOf('/');
        if (slash >= 0)
        {
            var p = t[(slash + 1)..];
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var pl))
                throw new IpvsValidationException("PrefixLength", $"'{text}': prefix length '{p}' is not a number.", "InvalidPrefixLength");
            fromText = pl;
            t = t[..slash];
        }
        if (t.StartsWith('[') && t.EndsWith(']')) t = t[1..^1];
        if (t.Contains('%') || !IPAddress.TryParse(t, out var address) ||
            (address.AddressFamily == AddressFamily.InterNetwork && t.Split('.').Length != 4))
            throw new IpvsValidationException(parameter, $"'{text}' is not an IPv4 or IPv6 address.", "InvalidAddress");
        if (fromText is not null && prefixLength is not null && fromText != prefixLength)
            throw new IpvsValidationException("PrefixLength", $"'{text}' has prefix /{fromText} but -PrefixLength is {prefixLength}.", "InvalidPrefixLength");
        var prefix = ValidateAddress(address, fromText ?? prefixLength, parameter);
        return (address, prefix);
    }

    /// <summary>
    /// Checks that the address can be a virtual address (not unspecified, multicast, broadcast, IPv4-mapped or
    /// link-local IPv6) and the prefix fits the family; returns the prefix (default /32, /128).
    /// </summary>
    public static int ValidateAddress(IPAddress address, int? prefixLength, string parameter = "Address")
    {
        ArgumentNullException.ThrowIfNull(address);
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (!v6 && address.AddressFamily != AddressFamily.InterNetwork)
            throw new IpvsValidationException(parameter, $"{address} is not an IPv4 or IPv6 address.", "InvalidAddress");
        var max = v6 ? 128 : 32;
        var prefix = prefixLength ?? max;
        if (prefix < 1 || prefix > max)
            throw new IpvsValidationException("PrefixLength",
                !v6 && prefix > 32 && prefix <= 128
                    ? $"Prefix length /{prefix} is for IPv6; the IPv4 address {address} takes 1-32 (a host address is /32)."
                    : $"Prefix length /{prefix} is out of range for {address}: 1-{max}.", "InvalidPrefixLength");
        var bytes = address.GetAddressBytes();
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast) ||
            (v6 ? bytes[0] == 0xff : bytes[0] >= 224) || (v6 && address.IsIPv4MappedToIPv6) || (v6 && address.IsIPv6LinkLocal))
            throw new IpvsValidationException(parameter, $"{address} cannot be a virtual address (unspecified, multicast, broadcast, IPv4-mapped or link-local).", "InvalidAddress");
        return prefix;
    }

    /// <summary>An IPv4 label: the interface name itself or "NAME:suffix", at most 15 bytes. IPv6 has no labels. ErrorId InvalidLabel.</summary>
    public static void ValidateLabel(string label, string interfaceName, IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            throw new IpvsValidationException("Label", $"IPv6 addresses have no labels (label '{label}' for {address}).", "InvalidLabel");
        if (Encoding.UTF8.GetByteCount(label) > MaxInterfaceNameLength)
            throw new IpvsValidationException("Label", $"Label '{label}' is longer than {MaxInterfaceNameLength} bytes.", "InvalidLabel");
        if (label != interfaceName && !label.StartsWith(interfaceName + ":", StringComparison.Ordinal))
            throw new IpvsValidationException("Label", $"Label '{label}' must be the interface name or start with '{interfaceName}:' (e.g. {interfaceName}:0).", "InvalidLabel");
        foreach (var c in label)
            if (char.IsWhiteSpace(c) || c == '/' || char.IsControl(c))
                throw new IpvsValidationException("Label", $"Label '{label}' contains whitespace or '/'.", "InvalidLabel");
    }
}
