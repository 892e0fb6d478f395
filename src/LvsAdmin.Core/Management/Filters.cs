using System;
using System.Collections.Generic;
using System.Net;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Management;

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
    public static ServiceFilter Create(IpvsProtocol? protocol, string? address, ushort? port, uint? firewallMark, IpvsAddressFamily? family)
    {
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
    public static RealServerFilter Create(string? address, ushort? port)
    {
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

/// <summary>Which connection entries Get-LvsConnection shows (ipvsadm -Lnc with filters).</summary>
public sealed record ConnectionFilter
{
    public ServiceKey? Service { get; init; }
    public IPAddress? RealServerAddress { get; init; }
    public ushort? RealServerPort { get; init; }
    public IPAddress? ClientAddress { get; init; }
    public ushort? ClientPort { get; init; }
    /// <summary>States to keep (case-insensitive, e.g. ESTABLISHED, FIN_WAIT, NONE); null keeps all.</summary>
    public IReadOnlyCollection<string>? States { get; init; }

    /// <summary>
    /// Builds a filter from parameter text: a service (tcp/10.0.0.1:80; a firewall-mark service cannot be told apart
    /// in the connection table), a real server and a client as address or address:port, and states.
    /// </summary>
    public static ConnectionFilter Create(string? service, string? realServer, string? clientAddress, IEnumerable<string>? states)
    {
        ServiceKey? key = null;
        if (service is not null)
        {
            key = ServiceKey.Parse(service);
            if (key.IsFirewallMark)
                throw new IpvsValidationException("Service",
                    $"Connection entries do not record the firewall mark, so they cannot be filtered by {key}; filter by -RealServer or -ClientAddress instead.",
                    "ConnectionFilterByFirewallMark");
        }
        IPAddress? rsAddress = null, clAddress = null;
        ushort? rsPort = null, clPort = null;
        if (realServer is not null) (rsAddress, rsPort) = IpvsNames.ParseEndpointFilter("RealServer", realServer);
        if (clientAddress is not null) (clAddress, clPort) = IpvsNames.ParseEndpointFilter("ClientAddress", clientAddress);
        HashSet<string>? set = null;
        if (states is not null)
        {
            set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var s in states)
                if (!string.IsNullOrWhiteSpace(s)) set.Add(s.Trim());
            if (set.Count == 0) set = null;
        }
        return new ConnectionFilter
        {
            Service = key, RealServerAddress = rsAddress, RealServerPort = rsPort,
            ClientAddress = clAddress, ClientPort = clPort, States = set,
        };
    }

    public bool Matches(IpvsConnection c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (Service is { } k &&
            (c.Protocol != k.Protocol || !Same(k.Address!, c.VirtualAddress) || (k.Port != 0 && c.VirtualPort != k.Port)))
            return false;
        if (RealServerAddress is { } ra && !Same(ra, c.RealServerAddress)) return false;
        if (RealServerPort is { } rp && c.RealServerPort != rp) return false;
        if (ClientAddress is { } ca && !Same(ca, c.ClientAddress)) return false;
        if (ClientPort is { } cp && c.ClientPort != cp) return false;
        if (States is not null && !Contains(States, c.State)) return false;
        return true;
    }

    private static bool Same(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);

    private static bool Contains(IReadOnlyCollection<string> states, string state)
    {
        foreach (var s in states)
            if (string.Equals(s, state, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
