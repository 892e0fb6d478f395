using System;
using System.Globalization;
using System.Net;

namespace LvsAdmin.Ipvs;

/// <summary>
/// The identity of a virtual service: protocol, address and port, or a firewall mark (with its address family).
/// Text forms: <c>tcp/10.0.0.1:80</c>, <c>udp/[2001:db8::1]:53</c>, <c>sctp/10.0.0.1:5060</c>, <c>fwm/100</c>,
/// <c>fwm/100/ipv6</c>. A bare <c>10.0.0.1:80</c> means TCP. Keys compare numerically: address services (IPv4
/// before IPv6, then TCP, UDP, SCTP, then by address and port) before firewall-mark services (by family, then mark).
/// Listings use ipvsadm's order instead (<see cref="IpvsOrder"/>).
/// </summary>
public sealed record ServiceKey : IComparable<ServiceKey>
{
    private ServiceKey(IpvsAddressFamily family, IpvsProtocol protocol, IPAddress? address, ushort port, uint mark)
    {
        AddressFamily = family;
        Protocol = protocol;
        Address = address;
        Port = port;
        FirewallMark = mark;
    }

    public IpvsAddressFamily AddressFamily { get; }
    public IpvsProtocol Protocol { get; }
    /// <summary>The virtual address; null for firewall-mark services.</summary>
    public IPAddress? Address { get; }
    public ushort Port { get; }
    /// <summary>The firewall mark; 0 for address services.</summary>
    public uint FirewallMark { get; }
    public bool IsFirewallMark => FirewallMark != 0;

    /// <inheritdoc/>
    public int CompareTo(ServiceKey? other)
    {
        if (other is null) return 1;
        var r = IsFirewallMark.CompareTo(other.IsFirewallMark);
        if (r == 0) r = AddressFamily.CompareTo(other.AddressFamily);
        if (r == 0) r = FirewallMark.CompareTo(other.FirewallMark);
        if (r == 0) r = Protocol.CompareTo(other.Protocol);
        if (r == 0) r = Endpoint.CompareAddresses(Address, other.Address);
        if (r == 0) r = Port.CompareTo(other.Port);
        return r;
    }

    /// <summary>
    /// A protocol/address/port service. Validates the values. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) stays an
    /// IPv6 service, as IPVS and ipvsadm hold it.
    /// </summary>
    public static ServiceKey ForAddress(IpvsProtocol protocol, IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (protocol is not (IpvsProtocol.Tcp or IpvsProtocol.Udp or IpvsProtocol.Sctp))
            throw new IpvsValidationException("Protocol", $"Protocol '{protocol}' is not one of Tcp, Udp, Sctp.");
        if (address.AddressFamily is not (System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6))
            throw new IpvsValidationException("Address", $"'{address}' is not an IPv4 or IPv6 address.");
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0) throw new IpvsValidationException("Address", $"'{address}': a scope id cannot be used for a virtual service address.");
        return new ServiceKey(Endpoint.FamilyOf(address), protocol, address, port, 0);
    }

    /// <summary>A firewall-mark service (ipvsadm -f MARK [-6]).</summary>
    public static ServiceKey ForFirewallMark(uint mark, IpvsAddressFamily family = IpvsAddressFamily.IPv4)
    {
        if (mark == 0) throw new IpvsValidationException("FirewallMark", "A firewall mark must be 1 to 4294967295 (0 means no mark).");
        if (family is not (IpvsAddressFamily.IPv4 or IpvsAddressFamily.IPv6))
            throw new IpvsValidationException("AddressFamily", $"Address family '{family}' is not IPv4 or IPv6.");
        return new ServiceKey(family, IpvsProtocol.None, null, 0, mark);
    }

    /// <summary>
    /// Parses the text form; a bad one is the error InvalidService, except a port number outside 0-65535, which is
    /// InvalidPort as for -Port.
    /// </summary>
    public static ServiceKey Parse(string text)
    {
        if (TryParse(text, out var key, out var error, out var portOutOfRange)) return key!;
        throw new IpvsValidationException(portOutOfRange ? "Port" : "Service", error);
    }

    public static bool TryParse(string? text, out ServiceKey? key, out string error) => TryParse(text, out key, out error, out _);

    private static bool TryParse(string? text, out ServiceKey? key, out string error, out bool portOutOfRange)
    {
        portOutOfRange = false;
        key = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "The virtual service is empty. Use forms like tcp/10.0.0.1:80, udp/[2001:db8::1]:53 or fwm/100.";
            return false;
        }
        var s = text.Trim();
        var slash = s.IndexOf('/');
        var prefix = slash > 0 ? s[..slash].ToLowerInvariant() : "";
        if (prefix is "fwm" or "fwmark" or "f" || (slash < 0 && s.StartsWith("fwm:", StringComparison.OrdinalIgnoreCase)))
        {
            var rest = slash > 0 ? s[(slash + 1)..] : s[4..];
            var family = IpvsAddressFamily.IPv4;
            var parts = rest.Split('/');
            if (parts.Length == 2)
            {
                switch (parts[1].ToLowerInvariant())
                {
                    case "ipv6" or "inet6" or "v6" or "6": family = IpvsAddressFamily.IPv6; break;
                    case "ipv4" or "inet" or "v4" or "4": family = IpvsAddressFamily.IPv4; break;
                    default:
                        error = $"'{text}': '{parts[1]}' is not an address family (ipv4 or ipv6).";
                        return false;
                }
            }
            else if (parts.Length > 2)
            {
                error = $"'{text}' is not a firewall-mark service; use fwm/100 or fwm/100/ipv6.";
                return false;
            }
            if (!TryParseMark(parts[0], out var mark) || mark == 0)
            {
                error = $"'{parts[0]}' is not a firewall mark (1-4294967295, decimal or 0x hex).";
                return false;
            }
            key = new ServiceKey(family, IpvsProtocol.None, null, 0, mark);
            return true;
        }
        IpvsProtocol protocol;
        string endpoint;
        switch (prefix)
        {
            case "tcp" or "t": protocol = IpvsProtocol.Tcp; endpoint = s[(slash + 1)..]; break;
            case "udp" or "u": protocol = IpvsProtocol.Udp; endpoint = s[(slash + 1)..]; break;
            case "sctp": protocol = IpvsProtocol.Sctp; endpoint = s[(slash + 1)..]; break;
            case "":
                protocol = IpvsProtocol.Tcp;
                endpoint = s;
                break;
            default:
                error = $"'{text}': '{prefix}' is not a protocol (tcp, udp, sctp) or fwm.";
                return false;
        }
        if (!Endpoint.TryParse(endpoint, out var address, out var port, out var why, out portOutOfRange))
        {
            error = $"'{text}': {why}";
            return false;
        }
        key = new ServiceKey(Endpoint.FamilyOf(address), protocol, address, port ?? 0, 0);
        return true;
    }

    internal static bool TryParseMark(string text, out uint mark)
    {
        mark = 0;
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mark);
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out mark);
    }

    public override string ToString()
    {
        if (IsFirewallMark)
            return "fwm/" + FirewallMark.ToString(CultureInfo.InvariantCulture) + (AddressFamily == IpvsAddressFamily.IPv6 ? "/ipv6" : "");
        var proto = Protocol switch
        {
            IpvsProtocol.Tcp => "tcp",
            IpvsProtocol.Udp => "udp",
            IpvsProtocol.Sctp => "sctp",
            _ => ((ushort)Protocol).ToString(CultureInfo.InvariantCulture),
        };
        return proto + "/" + Endpoint.Format(Address!, Port);
    }
}
