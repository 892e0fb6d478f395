using System;
using System.Collections.Generic;
using System.Net;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Requests;

/// <summary>Which virtual services Get-LvsVirtualService shows: every given criterion must match; none given matches all.</summary>
public sealed record ServiceFilter
{
    public IpvsProtocol? Protocol { get; init; }
    /// <summary>Virtual address (text: an address, or address:port which also sets the port).</summary>
    public IPAddress? Address { get; init; }
    public ushort? Port { get; init; }
    public uint? FirewallMark { get; init; }
    public IpvsAddressFamily? AddressFamily { get; init; }

    /// <summary>Builds a filter from parameter values; the address may carry the port (10.0.0.1:80).</summary>
    public static ServiceFilter Create(IpvsProtocol? protocol, string? address, long? portParameter, uint? firewallMark, IpvsAddressFamily? family)
    {
        var port = Endpoint.CheckPort(portParameter);
        IPAddress? ip = null;
        if (address is not null)
        {
            var (a, p) = IpvsNames.ParseEndpointFilter("Address", address);
            if (p is { } embedded && port is { } given && embedded != given)
                throw new IpvsValidationException("Port", $"The address '{address}' names port {embedded} but -Port is {given}; give the port once.");
            ip = a;
            port ??= p;
        }
        if (protocol is IpvsProtocol.None) throw new IpvsValidationException("Protocol", "Protocol must be Tcp, Udp or Sctp (use -FirewallMark for firewall-mark services).");
        if (firewallMark is 0) throw new IpvsValidationException("FirewallMark", "A firewall mark must be 1 to 4294967295.");
        return new ServiceFilter { Protocol = protocol, Address = ip, Port = port, FirewallMark = firewallMark, AddressFamily = family };
    }

    public bool Matches(VirtualService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var k = service.Key;
        if (AddressFamily is { } f && k.AddressFamily != f) return false;
        if (FirewallMark is { } m && k.FirewallMark != m) return false;
        if ((Protocol is not null || Address is not null || Port is not null) && k.IsFirewallMark) return false;
        if (Protocol is { } p && k.Protocol != p) return false;
        if (Address is { } a && !a.Equals(k.Address)) return false;
        if (Port is { } port && k.Port != port) return false;
        return true;
    }
}

/// <summary>Which real servers Get-LvsRealServer shows.</summary>
public sealed record RealServerFilter
{
    public IPAddress? Address { get; init; }
    public ushort? Port { get; init; }

    /// <summary>Builds a filter; the address may carry the port (10.0.0.2:80, [2001:db8::2]:80).</summary>
    public static RealServerFilter Create(string? address, long? portParameter)
    {
        var port = Endpoint.CheckPort(portParameter);
        if (address is null) return new RealServerFilter { Port = port };
        var (a, p) = IpvsNames.ParseEndpointFilter("Address", address);
        if (p is { } embedded && port is { } given && embedded != given)
            throw new IpvsValidationException("Port", $"The address '{address}' names port {embedded} but -Port is {given}; give the port once.");
        return new RealServerFilter { Address = a, Port = port ?? p };
    }

    public bool Matches(RealServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (Address is { } a && !a.Equals(server.Address)) return false;
        if (Port is { } p && server.Port != p) return false;
        return true;
    }
}
