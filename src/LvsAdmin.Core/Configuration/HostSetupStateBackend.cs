using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Configuration;

/// <summary>
/// The host section of a configuration over the host-setup layer: sysctls through <see cref="SysctlStore"/>, addresses
/// through <see cref="RouteNetlinkClient"/>, in one network namespace. Errors are the host layer's (SysctlNotFound,
/// SysctlReadOnly, InterfaceNotFound, AddressOnOtherInterface, ...), all IpvsException-derived.
/// </summary>
public sealed class HostSetupStateBackend : IHostStateBackend, IDisposable
{
    private readonly SysctlStore _sysctls;
    private readonly RouteNetlinkClient _route;
    private readonly bool _owns;

    /// <summary>Over an open host-setup client (not disposed with this backend).</summary>
    public HostSetupStateBackend(HostSetupClient host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _sysctls = host.Sysctls;
        _route = host.Route;
    }

    private HostSetupStateBackend(SysctlStore sysctls, RouteNetlinkClient route)
    {
        _sysctls = sysctls;
        _route = route;
        _owns = true;
    }

    /// <summary>Opens the backend for <paramref name="networkNamespace"/> (null: the caller's).</summary>
    public static HostSetupStateBackend Open(string? networkNamespace = null) =>
        new(new SysctlStore(networkNamespace), RouteNetlinkClient.Open(networkNamespace));

    public string? ReadSysctl(string key) => _sysctls.TryRead(key);

    public void WriteSysctl(string key, string value) => _sysctls.Write(key, value);

    /// <summary>The interface's addresses; a label equal to the interface name (the kernel's default) reads as none.</summary>
    public IReadOnlyList<HostAddress> ReadAddresses(string interfaceName) =>
        _route.GetAddresses(interfaceName)
            .Select(a => new HostAddress(a.InterfaceName, a.Address, a.PrefixLength, a.Label == a.InterfaceName ? null : a.Label))
            .ToList();

    public void AddAddress(HostAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        _route.AddAddress(address.Interface, address.Address, address.PrefixLength, address.Label);
    }

    public void RemoveAddress(HostAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        _route.RemoveAddress(address.Interface, address.Address, address.PrefixLength);
    }

    /// <summary>
    /// What Export -IncludeHost writes: every net.ipv4.vs.* sysctl this kernel has (<see cref="IpvsSysctls.All"/>), and
    /// the addresses of <paramref name="interfaces"/> (default lo) other than loopback and link-local ones.
    /// </summary>
    public HostConfiguration ReadForExport(IEnumerable<string>? interfaces = null)
    {
        var sysctls = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in _sysctls.ReadMany(IpvsSysctls.All.Select(d => d.Key)))
            if (value is not null) sysctls[key] = value;
        var addresses = new List<HostAddress>();
        foreach (var iface in (interfaces ?? new[] { "lo" }).Distinct(StringComparer.Ordinal))
            addresses.AddRange(ReadAddresses(iface).Where(a => !IPAddress.IsLoopback(a.Address) &&
                !(a.Address.AddressFamily == AddressFamily.InterNetworkV6 && a.Address.IsIPv6LinkLocal)));
        return new HostConfiguration { Sysctls = sysctls, Addresses = addresses };
    }

    public void Dispose()
    {
        if (_owns) _route.Dispose();
    }
}
