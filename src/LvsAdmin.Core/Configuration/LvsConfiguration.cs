using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>
/// A virtual service of a configuration document with its real servers. Equality compares the configuration
/// (the service's and every real server's, in order).
/// </summary>
public sealed record ConfiguredService
{
    public ConfiguredService(VirtualService service, IReadOnlyList<RealServer>? realServers = null)
    {
        Service = service ?? throw new ArgumentNullException(nameof(service));
        RealServers = realServers ?? Array.Empty<RealServer>();
    }

    /// <summary>The virtual service (identity and settings).</summary>
    public VirtualService Service { get; init; }

    /// <summary>Its real servers (each with <see cref="RealServer.Service"/> equal to <see cref="Service"/>'s key).</summary>
    public IReadOnlyList<RealServer> RealServers { get; init; }

    /// <summary>
    /// Its health checking (checks, failure action, sorry server, quorum), run by keepalived; null when the document
    /// declares none. See <see cref="ServiceHealth"/>.
    /// </summary>
    public ServiceHealth? Health { get; init; }

    /// <summary>The service identity.</summary>
    public ServiceKey Key => Service.Key;

    public bool Equals(ConfiguredService? other) =>
        other is not null && Service.Equals(other.Service) && RealServers.SequenceEqual(other.RealServers) && Equals(Health, other.Health);

    public override int GetHashCode() => HashCode.Combine(Service, RealServers.Count);

    public override string ToString() => Service.Service;
}

/// <summary>One address the host section wants on an interface (ip address add ADDRESS/PREFIX dev INTERFACE label LABEL).</summary>
public sealed record HostAddress
{
    public HostAddress(string interfaceName, IPAddress address, int prefixLength, string? label = null)
    {
        Interface = interfaceName ?? throw new ArgumentNullException(nameof(interfaceName));
        Address = address ?? throw new ArgumentNullException(nameof(address));
        PrefixLength = prefixLength;
        Label = label;
    }

    /// <summary>Interface name (e.g. lo).</summary>
    public string Interface { get; init; }
    public IPAddress Address { get; init; }
    /// <summary>Prefix length (32 or 128 for a VIP on lo).</summary>
    public int PrefixLength { get; init; }
    /// <summary>IPv4 address label (e.g. lo:vip), or null.</summary>
    public string? Label { get; init; }

    /// <summary>"10.0.0.1/32 dev lo" (plus " label L").</summary>
    public override string ToString() => $"{Address}/{PrefixLength} dev {Interface}" + (Label is null ? "" : " label " + Label);
}

/// <summary>
/// The optional host section of a document: kernel settings (sysctl key to value, e.g. net.ipv4.vs.conntrack = 1) and
/// addresses the director or real server needs. Plain data: reading and applying it live goes through an
/// <see cref="IHostStateBackend"/> (implemented over the host-setup layer).
/// </summary>
public sealed record HostConfiguration
{
    /// <summary>Sysctl key (dotted, e.g. net.ipv4.vs.expire_quiescent_template) to value, as /proc/sys shows it. Null = not managed.</summary>
    public IReadOnlyDictionary<string, string>? Sysctls { get; init; }

    /// <summary>Addresses that must exist. Null = not managed. Addresses not listed are never removed.</summary>
    public IReadOnlyList<HostAddress>? Addresses { get; init; }

    public bool Equals(HostConfiguration? other) =>
        other is not null &&
        (Sysctls is null ? other.Sysctls is null : other.Sysctls is not null && Sysctls.Count == other.Sysctls.Count &&
            Sysctls.All(kv => other.Sysctls.TryGetValue(kv.Key, out var v) && v == kv.Value)) &&
        (Addresses is null ? other.Addresses is null : other.Addresses is not null && Addresses.SequenceEqual(other.Addresses));

    public override int GetHashCode() => HashCode.Combine(Sysctls?.Count, Addresses?.Count);
}

/// <summary>
/// A configuration document: what the IPVS table (and optionally the host) should look like. Versioned
/// (<see cref="SchemaVersion"/>); written and read as JSON by <see cref="Formats.ConfigurationJson"/> and as ipvsadm rules by
/// <see cref="Formats.ConfigurationIpvsadm"/>. Null sections are not managed (a plan leaves them alone); an empty list of
/// sync daemons means "none should run".
/// </summary>
public sealed record LvsConfiguration
{
    /// <summary>The document version this library writes and the highest it reads.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The virtual services with their real servers.</summary>
    public IReadOnlyList<ConfiguredService> Services { get; init; } = Array.Empty<ConfiguredService>();

    /// <summary>Connection timeouts (tcp, tcpfin, udp; 0 = leave as is), or null when not managed.</summary>
    public IpvsTimeouts? Timeouts { get; init; }

    /// <summary>Sync daemons that should run (at most one master and one backup), or null when not managed.</summary>
    public IReadOnlyList<SyncDaemon>? SyncDaemons { get; init; }

    /// <summary>Host settings, or null when not managed.</summary>
    public HostConfiguration? Host { get; init; }

    /// <summary>The directors sharing the VIPs through VRRP (exported as one keepalived.conf each), or null for none.</summary>
    public DirectorPair? DirectorPair { get; init; }

    /// <summary>The services as (service, real servers) pairs, e.g. for <see cref="Formats.IpvsadmSaveFormat.Write(IEnumerable{ValueTuple{VirtualService, IReadOnlyList{RealServer}}}, bool)"/>.</summary>
    public IEnumerable<(VirtualService Service, IReadOnlyList<RealServer> RealServers)> Table =>
        Services.Select(s => (s.Service, s.RealServers));

    /// <summary>The configured service with this key, or null.</summary>
    public ConfiguredService? FindService(ServiceKey key) => Services.FirstOrDefault(s => s.Key.Equals(key));

    /// <summary>The real servers of all services, flattened.</summary>
    public int RealServerCount => Services.Sum(s => s.RealServers.Count);

    public bool Equals(LvsConfiguration? other) =>
        other is not null && SchemaVersion == other.SchemaVersion && Services.SequenceEqual(other.Services) &&
        Equals(Timeouts, other.Timeouts) &&
        (SyncDaemons is null ? other.SyncDaemons is null : other.SyncDaemons is not null && SyncDaemons.SequenceEqual(other.SyncDaemons)) &&
        Equals(Host, other.Host) && Equals(DirectorPair, other.DirectorPair);

    public override int GetHashCode() => HashCode.Combine(SchemaVersion, Services.Count, Timeouts);

    /// <summary>A one-line summary: "12 services, 40 real servers, timeouts, 1 sync daemon".</summary>
    public override string ToString() =>
        $"{Services.Count} services, {RealServerCount} real servers" + (Timeouts is null ? "" : ", timeouts") +
        (SyncDaemons is null ? "" : $", {SyncDaemons.Count} sync daemons") + (Host is null ? "" : ", host settings") +
        (DirectorPair is null ? "" : $", {DirectorPair.Directors.Count} directors");
}
