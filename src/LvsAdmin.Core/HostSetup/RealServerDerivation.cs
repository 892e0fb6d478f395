using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Configuration;
using LvsAdmin.Ipvs;

namespace LvsAdmin.HostSetup;

/// <summary>
/// What one real server needs, derived from the director's table: its address, how the director forwards to it and
/// the VIPs it must accept. DirectRouting and Tunnel map onto a <see cref="RealServerSetup"/> (the same plan and checks
/// as Initialize-/Test-LvsRealServer); Nat needs nothing on the real server but its route back through the director,
/// which is checked, never changed.
/// </summary>
public sealed record RealServerRequirement
{
    /// <summary>The real server's address (as the director knows it).</summary>
    public required IPAddress Address { get; init; }
    /// <summary>How the director forwards to it (DirectRouting, Tunnel or Nat).</summary>
    public required ForwardingMethod Method { get; init; }
    /// <summary>The VIPs it must accept as local addresses (DirectRouting/Tunnel; empty for Nat).</summary>
    public IReadOnlyList<string> VirtualAddresses { get; init; } = Array.Empty<string>();
    /// <summary>The services it serves with this method ("tcp/192.0.2.10:80", "fwm/100").</summary>
    public IReadOnlyList<string> Services { get; init; } = Array.Empty<string>();
    /// <summary>The real-server setup mode, or null for Nat.</summary>
    public RealServerMode? Mode => Method switch
    {
        ForwardingMethod.DirectRouting => RealServerMode.DirectRouting,
        ForwardingMethod.Tunnel => RealServerMode.Tunnel,
        _ => null,
    };

    /// <summary>The host setup that serves this requirement (null for Nat: nothing to set up).</summary>
    public RealServerSetup? ToSetup(bool persist = false, IReadOnlyList<string>? interfaceNames = null) =>
        Mode is { } mode ? new RealServerSetup { Mode = mode, VirtualAddresses = VirtualAddresses, Persist = persist, InterfaceNames = interfaceNames } : null;

    /// <summary>"192.0.2.21 DirectRouting 192.0.2.10".</summary>
    public override string ToString() => $"{Address} {Method} {string.Join(",", VirtualAddresses)}";
}

/// <summary>
/// Derives the real servers' requirements from a configuration document (a live table read with
/// <see cref="LiveConfiguration.Read(IpvsClient, LiveReadOptions?)"/>, or a file). A firewall-mark service has no
/// address in the table: its VIPs come from <c>firewallMarkAddresses</c> (mark to VIPs); a DR/TUN firewall-mark service
/// without them is an error (FirewallMarkAddressMissing) rather than a real server left without its VIP.
/// </summary>
public static class RealServerDerivation
{
    /// <summary>
    /// One requirement per real-server address, in address order. A real server behind several services with the same
    /// method gets the union of their VIPs; one that is DirectRouting for some services and Tunnel for others is
    /// refused (RealServerMixedMethods: the VIPs would go on lo and tunl0 both). Local and bypass servers are left out.
    /// </summary>
    public static IReadOnlyList<RealServerRequirement> Derive(LvsConfiguration configuration, IReadOnlyDictionary<uint, IReadOnlyList<string>>? firewallMarkAddresses = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var byAddress = new Dictionary<IPAddress, (ForwardingMethod Method, List<string> Vips, List<string> Services)>();
        foreach (var cs in configuration.Services)
        {
            foreach (var rs in cs.RealServers)
            {
                var method = rs.ForwardingMethod;
                if (method is not (ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel or ForwardingMethod.Nat)) continue;
                var vips = method == ForwardingMethod.Nat ? new List<string>() : ServiceVips(cs.Key, firewallMarkAddresses);
                if (!byAddress.TryGetValue(rs.Address, out var entry))
                {
                    entry = (method, new List<string>(), new List<string>());
                    byAddress[rs.Address] = entry;
                }
                else if (entry.Method != method)
                {
                    if (entry.Method == ForwardingMethod.Nat || method == ForwardingMethod.Nat)
                    {
                        // NAT needs nothing on the host: the DR/TUN setup is what the host needs.
                        if (method == ForwardingMethod.Nat) { entry.Services.Add(cs.Key.ToString()); continue; }
                        entry = (method, entry.Vips, entry.Services);
                        byAddress[rs.Address] = entry;
                    }
                    else
                    {
                        throw new IpvsValidationException("Configuration",
                            $"Real server {rs.Address} is {entry.Method} for {entry.Services[0]} and {method} for {cs.Key}: its VIPs cannot be on lo and on the tunnel device both. Use one forwarding method per real server.",
                            "RealServerMixedMethods");
                    }
                }
                foreach (var v in vips)
                    if (!entry.Vips.Contains(v)) entry.Vips.Add(v);
                entry.Services.Add(cs.Key.ToString());
            }
        }
        return byAddress
            .OrderBy(e => new RealServerKey(e.Key, 0))
            .Select(e => new RealServerRequirement { Address = e.Key, Method = e.Value.Method, VirtualAddresses = e.Value.Vips, Services = e.Value.Services })
            .ToList();
    }

    private static List<string> ServiceVips(ServiceKey key, IReadOnlyDictionary<uint, IReadOnlyList<string>>? marks)
    {
        if (!key.IsFirewallMark) return new List<string> { key.Address!.ToString() };
        if (marks is null || !marks.TryGetValue(key.FirewallMark, out var list) || list.Count == 0)
            throw new IpvsValidationException("FirewallMarkAddress",
                $"Service {key} is a firewall-mark service: the table does not say which VIPs its packets carry. Give them with -FirewallMarkAddress @{{ {key.FirewallMark} = '192.0.2.10' }}.",
                "FirewallMarkAddressMissing");
        var result = new List<string>();
        foreach (var v in list)
        {
            if (!Endpoint.TryParseAddress(v, out var a))
                throw new IpvsValidationException("FirewallMarkAddress", $"'{v}' (firewall mark {key.FirewallMark}) is not an IP address.", "InvalidFirewallMarkAddress");
            if ((a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != (key.AddressFamily == IpvsAddressFamily.IPv6))
                throw new IpvsValidationException("FirewallMarkAddress", $"'{v}' is not of the address family of service {key}.", "InvalidFirewallMarkAddress");
            if (!result.Contains(a.ToString())) result.Add(a.ToString());
        }
        return result;
    }

    /// <summary>
    /// Matches hosts to requirements by the addresses each host really has: every requirement whose address is one of
    /// the host's. Returns host → requirements (hosts that match none map to an empty list) and the requirements no
    /// host has (in <paramref name="unmatched"/>).
    /// </summary>
    public static Dictionary<string, List<RealServerRequirement>> Match(IReadOnlyList<RealServerRequirement> requirements,
        IReadOnlyDictionary<string, IReadOnlyCollection<IPAddress>> hostAddresses, out List<RealServerRequirement> unmatched)
    {
        var result = hostAddresses.Keys.ToDictionary(h => h, _ => new List<RealServerRequirement>(), StringComparer.OrdinalIgnoreCase);
        unmatched = new List<RealServerRequirement>();
        foreach (var r in requirements)
        {
            var hosts = hostAddresses.Where(h => h.Value.Contains(r.Address)).Select(h => h.Key).ToList();
            if (hosts.Count == 0) unmatched.Add(r);
            foreach (var h in hosts) result[h].Add(r);
        }
        return result;
    }

    /// <summary>
    /// The setup one host needs for its requirements (several addresses on one host: the union of VIPs). Null when
    /// all its requirements are Nat. Mixed DR and TUN on one host is refused like in <see cref="Derive"/>.
    /// </summary>
    public static RealServerSetup? Combine(IReadOnlyList<RealServerRequirement> requirements, bool persist = false)
    {
        var modes = requirements.Where(r => r.Mode is not null).Select(r => r.Mode!.Value).Distinct().ToList();
        if (modes.Count == 0) return null;
        if (modes.Count > 1)
            throw new IpvsValidationException("Configuration", $"The host has real servers {string.Join(", ", requirements.Select(r => r.Address))} with DirectRouting and Tunnel: its VIPs cannot be on lo and on the tunnel device both.", "RealServerMixedMethods");
        var vips = requirements.Where(r => r.Mode is not null).SelectMany(r => r.VirtualAddresses).Distinct().ToList();
        return new RealServerSetup { Mode = modes[0], VirtualAddresses = vips, Persist = persist };
    }
}
