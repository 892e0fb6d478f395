using System;
using System.Net;
using System.Net.Sockets;
using System.Collections.Generic;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Connections;

/// <summary>
/// Selects connection entries; every criterion that is set must match (null = any).
/// <list type="bullet">
/// <item><description><b>Service</b>: protocol, virtual address and virtual port of an address service. A service
/// of port 0 (persistent "all ports" service) matches every virtual port. A template with virtual port 0 (the
/// templates of FTP and port-zero services) matches any port of its protocol and address. Firewall-mark
/// services are rejected with <see cref="IpvsValidationException"/>: the connection table does not record the
/// mark of a connection (it shows the packet's real destination; only fwmark persistence templates carry the
/// mark), so their connections cannot be selected from /proc. Select them by their real servers instead.</description></item>
/// <item><description><b>RealServerAddress</b>/<b>RealServerPort</b>: the destination; a template's real server
/// port 0 matches any port.</description></item>
/// <item><description><b>ClientAddress</b>: the client (for templates, the masked client network address).</description></item>
/// <item><description><b>State</b>: the kernel's state name, case-insensitive (see <see cref="ConnectionStates"/>).</description></item>
/// </list>
/// </summary>
public sealed record ConnectionFilter(
    ServiceKey? Service = null,
    IPAddress? RealServerAddress = null,
    ushort? RealServerPort = null,
    IPAddress? ClientAddress = null,
    string? State = null,
    ushort? ClientPort = null)
{
    private readonly ServiceKey? _service = CheckService(Service);
    private readonly IPAddress? _realServerAddress = CheckAddress(RealServerAddress, "RealServerAddress");
    private readonly IPAddress? _clientAddress = CheckAddress(ClientAddress, "ClientAddress");
    private readonly string? _state = CheckState(State);

    /// <summary>The virtual service (protocol/address/port); firewall-mark services are not accepted.</summary>
    public ServiceKey? Service { get => _service; init => _service = CheckService(value); }
    /// <summary>The real server address (IPv4-mapped IPv6 addresses are taken as IPv4).</summary>
    public IPAddress? RealServerAddress { get => _realServerAddress; init => _realServerAddress = CheckAddress(value, "RealServerAddress"); }
    /// <summary>The client address (IPv4-mapped IPv6 addresses are taken as IPv4).</summary>
    public IPAddress? ClientAddress { get => _clientAddress; init => _clientAddress = CheckAddress(value, "ClientAddress"); }
    /// <summary>The state name (trimmed; compared case-insensitively).</summary>
    public string? State { get => _state; init => _state = CheckState(value); }

    /// <summary>Any of these state names (case-insensitive); null = any state. Combines with <see cref="State"/>.</summary>
    public IReadOnlyCollection<string>? States { get; init; }

    /// <summary>True when no criterion is set.</summary>
    public bool IsEmpty => Service is null && RealServerAddress is null && RealServerPort is null && ClientAddress is null &&
                           ClientPort is null && State is null && States is null;

    /// <summary>
    /// Builds a filter from parameter text (Get-LvsConnection): a service (tcp/10.0.0.1:80), a real server and a
    /// client as address or address:port, and state names. Bad text throws <see cref="IpvsValidationException"/>.
    /// </summary>
    public static ConnectionFilter Create(string? service, string? realServer, string? clientAddress, IEnumerable<string>? states)
    {
        IPAddress? rsAddress = null, clAddress = null;
        ushort? rsPort = null, clPort = null;
        if (realServer is not null) (rsAddress, rsPort) = IpvsNames.ParseEndpointFilter("RealServer", realServer);
        if (clientAddress is not null) (clAddress, clPort) = IpvsNames.ParseEndpointFilter("ClientAddress", clientAddress);
        List<string>? set = null;
        if (states is not null)
        {
            set = new List<string>();
            foreach (var s in states)
                if (!string.IsNullOrWhiteSpace(s)) set.Add(CheckState(s)!);
            if (set.Count == 0) set = null;
        }
        return new ConnectionFilter(service is null ? null : ServiceKey.Parse(service), rsAddress, rsPort, clAddress, null, clPort) { States = set };
    }

    /// <summary>Whether <paramref name="c"/> satisfies every criterion that is set.</summary>
    public bool Matches(IpvsConnection c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (Service is { } s)
        {
            if (c.Protocol != s.Protocol || !s.Address!.Equals(c.VirtualAddress)) return false;
            if (s.Port != 0 && c.VirtualPort != s.Port && !(c.IsTemplate && c.VirtualPort == 0)) return false;
        }
        if (RealServerAddress is { } ra && !ra.Equals(c.RealServerAddress)) return false;
        if (RealServerPort is { } rp && c.RealServerPort != rp && !(c.IsTemplate && c.RealServerPort == 0)) return false;
        if (ClientAddress is { } ca && !ca.Equals(c.ClientAddress)) return false;
        if (ClientPort is { } cp && c.ClientPort != cp) return false;
        if (State is { } st && !string.Equals(st, c.State, StringComparison.OrdinalIgnoreCase)) return false;
        if (States is { } any)
        {
            var found = false;
            foreach (var name in any)
                if (string.Equals(name, c.State, StringComparison.OrdinalIgnoreCase)) { found = true; break; }
            if (!found) return false;
        }
        return true;
    }

    private static ServiceKey? CheckService(ServiceKey? service)
    {
        if (service is { IsFirewallMark: true })
            throw new IpvsValidationException("Service",
                $"Connections cannot be selected by the firewall-mark service {service}: the kernel's connection table " +
                "does not record a connection's mark (only fwmark persistence templates carry it). Select by the real " +
                "servers of the service (-RealServer) instead.", "FirewallMarkConnectionFilterNotSupported");
        return service;
    }

    private static IPAddress? CheckAddress(IPAddress? address, string parameter)
    {
        if (address is null) return null;
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new IpvsValidationException(parameter, $"'{address}' is not an IPv4 or IPv6 address.");
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
            return new IPAddress(address.GetAddressBytes()); // the table has no scope ids (ScopeId throws for IPv4)
        return address;
    }

    private static string? CheckState(string? state)
    {
        if (state is null) return null;
        var s = state.Trim();
        if (s.Length == 0 || s.AsSpan().IndexOfAny(" \t\r\n") >= 0)
            throw new IpvsValidationException("State", $"'{state}' is not a connection state name (e.g. ESTABLISHED, SYN_RECV, TIME_WAIT, UDP, ASSURED).");
        return s;
    }
}
