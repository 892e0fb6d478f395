using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>The state a director starts in (keepalived's vrrp_instance state).</summary>
public enum VrrpState
{
    Master,
    Backup,
}

/// <summary>A VIP the VRRP instance moves between the directors: ADDRESS/PREFIX dev INTERFACE (null: the director's VRRP interface).</summary>
public sealed record VrrpAddress
{
    public VrrpAddress(IPAddress address, int prefixLength, string? interfaceName = null)
    {
        Address = address ?? throw new ArgumentNullException(nameof(address));
        PrefixLength = prefixLength;
        Interface = interfaceName;
    }

    public IPAddress Address { get; init; }
    /// <summary>Prefix length (e.g. 24 to share the subnet's route, 32 for a lone address).</summary>
    public int PrefixLength { get; init; }
    /// <summary>The interface the address goes on, or null for the director's VRRP interface.</summary>
    public string? Interface { get; init; }

    /// <summary>"10.0.0.50/24" (plus " dev eth0"), as keepalived's virtual_ipaddress writes it.</summary>
    public override string ToString() => $"{Address}/{PrefixLength}" + (Interface is null ? "" : " dev " + Interface);
}

/// <summary>One director of a pair: its name (and file), VRRP state, priority, interface and optional unicast peers.</summary>
public sealed record Director
{
    public Director(string name, VrrpState state, int priority, string interfaceName)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        State = state;
        Priority = priority;
        Interface = interfaceName ?? throw new ArgumentNullException(nameof(interfaceName));
    }

    /// <summary>The director's name (keepalived's router_id; the file DIRECTORY/NAME.conf).</summary>
    public string Name { get; init; }
    public VrrpState State { get; init; }
    /// <summary>VRRP priority 1-255: the highest live director holds the VIPs.</summary>
    public int Priority { get; init; }
    /// <summary>The interface VRRP advertisements go out on (and the sync daemon's, unless the pair names one).</summary>
    public string Interface { get; init; }
    /// <summary>The source of unicast advertisements (unicast_src_ip), or null.</summary>
    public IPAddress? UnicastSource { get; init; }
    /// <summary>Unicast peers (unicast_peer), or null for multicast advertisements.</summary>
    public IReadOnlyList<IPAddress>? UnicastPeers { get; init; }

    public bool Equals(Director? other) =>
        other is not null && Name == other.Name && State == other.State && Priority == other.Priority && Interface == other.Interface &&
        Equals(UnicastSource, other.UnicastSource) &&
        (UnicastPeers is null ? other.UnicastPeers is null : other.UnicastPeers is not null && UnicastPeers.SequenceEqual(other.UnicastPeers));

    public override int GetHashCode() => HashCode.Combine(Name, State, Priority, Interface);

    public override string ToString() => $"{Name} ({State}, priority {Priority}, {Interface})";
}

/// <summary>
/// The connection sync of a pair: keepalived's lvs_sync_daemon INTERFACE INSTANCE, which runs the master daemon on
/// the director holding the VIPs and the backup daemon on the others, so connections survive a failover.
/// </summary>
public sealed record DirectorSyncDaemon
{
    /// <summary>The interface, or null for each director's VRRP interface.</summary>
    public string? Interface { get; init; }
    /// <summary>Sync id 0-255 (0 = all); keepalived's default is the virtual_router_id, LvsAdmin writes it always.</summary>
    public uint SyncId { get; init; }
    public ushort? MaxLength { get; init; }
    public ushort? MulticastPort { get; init; }
    public byte? MulticastTtl { get; init; }
    public IPAddress? MulticastGroup { get; init; }
}

/// <summary>
/// Two (or more) directors sharing the VIPs through one VRRP instance (keepalived's vrrp_instance), each with the
/// same virtual servers; exported as one keepalived.conf per director.
/// </summary>
public sealed record DirectorPair
{
    public const string DefaultInstance = "VI_LVS";

    /// <summary>The vrrp_instance name (letters, digits, '_', '-', '.').</summary>
    public string Instance { get; init; } = DefaultInstance;
    /// <summary>virtual_router_id 1-255, unique on the network segment.</summary>
    public int VirtualRouterId { get; init; }
    /// <summary>Seconds between advertisements (advert_int), 1-255.</summary>
    public int AdvertisementInterval { get; init; } = 1;
    /// <summary>A director that comes back does not take the VIPs back (needs every director in state Backup).</summary>
    public bool NoPreempt { get; init; }
    public IReadOnlyList<VrrpAddress> VirtualAddresses { get; init; } = Array.Empty<VrrpAddress>();
    /// <summary>The connection sync daemon, or null for none (connections then break on failover).</summary>
    public DirectorSyncDaemon? SyncDaemon { get; init; }
    public IReadOnlyList<Director> Directors { get; init; } = Array.Empty<Director>();

    /// <summary>The director named <paramref name="name"/> (ordinal, case-sensitive), or null.</summary>
    public Director? Find(string name) => Directors.FirstOrDefault(d => d.Name == name);

    public bool Equals(DirectorPair? other) =>
        other is not null && Instance == other.Instance && VirtualRouterId == other.VirtualRouterId &&
        AdvertisementInterval == other.AdvertisementInterval && NoPreempt == other.NoPreempt &&
        VirtualAddresses.SequenceEqual(other.VirtualAddresses) && Equals(SyncDaemon, other.SyncDaemon) && Directors.SequenceEqual(other.Directors);

    public override int GetHashCode() => HashCode.Combine(Instance, VirtualRouterId, Directors.Count);

    public override string ToString() => $"{Instance} (router id {VirtualRouterId}): {string.Join(", ", Directors.Select(d => d.Name))}";

    /// <summary>
    /// What is wrong with the pair in <paramref name="configuration"/> (empty when nothing): each problem one sentence
    /// naming the field. keepalived's own warnings are errors here, since keepalived -t -e must accept the export.
    /// </summary>
    public static IReadOnlyList<string> Problems(LvsConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        if (configuration.DirectorPair is not { } pair) return problems;
        if (!IsWord(pair.Instance)) problems.Add($"directorPair.instance '{pair.Instance}' is not a vrrp_instance name (letters, digits, '_', '-', '.').");
        if (pair.VirtualRouterId is < 1 or > 255) problems.Add($"directorPair.virtualRouterId {pair.VirtualRouterId} is out of range: must be 1 to 255.");
        if (pair.AdvertisementInterval is < 1 or > 255) problems.Add($"directorPair.advertisementInterval {pair.AdvertisementInterval} is out of range: must be 1 to 255 seconds.");
        if (pair.VirtualAddresses.Count == 0) problems.Add("directorPair.virtualAddresses is empty: the pair needs at least one VIP to move.");
        var families = pair.VirtualAddresses.Select(a => a.Address.AddressFamily).Distinct().ToList();
        if (families.Count > 1) problems.Add("directorPair.virtualAddresses mixes IPv4 and IPv6: one VRRP instance carries one address family.");
        var seen = new HashSet<IPAddress>();
        foreach (var a in pair.VirtualAddresses)
        {
            var max = a.Address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
            if (a.PrefixLength < 0 || a.PrefixLength > max) problems.Add($"directorPair.virtualAddresses: {a.Address}/{a.PrefixLength}: the prefix length must be 0 to {max}.");
            if (a.Interface is not null && InterfaceProblem(a.Interface) is { } why) problems.Add($"directorPair.virtualAddresses: {a.Address}: {why}");
            if (!seen.Add(a.Address)) problems.Add($"directorPair.virtualAddresses lists {a.Address} twice.");
        }
        if (pair.SyncDaemon is { } sync)
        {
            if (sync.Interface is not null && InterfaceProblem(sync.Interface) is { } why) problems.Add("directorPair.syncDaemon: " + why);
            try
            {
                IpvsValidation.ValidateSyncDaemon(new SyncDaemon
                {
                    Interface = sync.Interface ?? "eth0", SyncId = sync.SyncId, MaxLength = sync.MaxLength, MulticastPort = sync.MulticastPort,
                    MulticastTtl = sync.MulticastTtl, MulticastGroup = sync.MulticastGroup,
                });
            }
            catch (IpvsValidationException e)
            {
                problems.Add("directorPair.syncDaemon: " + e.Message);
            }
            if (configuration.SyncDaemons is { Count: > 0 })
                problems.Add("The document has both syncDaemons and directorPair.syncDaemon: keepalived runs one lvs_sync_daemon; keep the pair's (its role follows VRRP) and remove syncDaemons.");
        }
        if (pair.Directors.Count < 2) problems.Add($"directorPair.directors has {pair.Directors.Count} director(s): a pair needs at least two.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in pair.Directors)
        {
            var who = $"directorPair.directors '{d.Name}'";
            if (!IsWord(d.Name)) problems.Add($"{who}: the name must be letters, digits, '_', '-' or '.' (it names the director's file).");
            else if (!names.Add(d.Name)) problems.Add($"{who} is listed twice.");
            if (d.Priority is < 1 or > 255) problems.Add($"{who}: priority {d.Priority} is out of range: must be 1 to 255.");
            if (InterfaceProblem(d.Interface) is { } why) problems.Add($"{who}: {why}");
            if (pair.NoPreempt && d.State == VrrpState.Master)
                problems.Add($"{who}: noPreempt needs every director in state backup (keepalived clears nopreempt on a MASTER); the highest priority wins the first election.");
            var peers = d.UnicastPeers ?? Array.Empty<IPAddress>();
            if (d.UnicastSource is not null && d.UnicastPeers is null) problems.Add($"{who}: unicastSource without unicastPeers: list the other directors' addresses.");
            if (d.UnicastPeers is { Count: 0 }) problems.Add($"{who}: unicastPeers is empty: list the other directors' addresses, or leave it out for multicast.");
            foreach (var ip in peers.Append(d.UnicastSource).OfType<IPAddress>())
                if (families.Count == 1 && ip.AddressFamily != families[0])
                    problems.Add($"{who}: unicast address {ip} is not of the VIPs' address family.");
            if (d.UnicastSource is not null && peers.Contains(d.UnicastSource)) problems.Add($"{who}: unicastPeers lists its own unicastSource {d.UnicastSource}.");
        }
        return problems;
    }

    /// <summary>Throws <see cref="DirectorPairInvalidException"/> when <see cref="Problems"/> finds any.</summary>
    public static void Validate(LvsConfiguration configuration)
    {
        var problems = Problems(configuration);
        if (problems.Count > 0) throw new DirectorPairInvalidException(problems);
    }

    /// <summary>Why <paramref name="name"/> cannot be a VRRP interface, or null.</summary>
    internal static string? InterfaceProblem(string name)
    {
        if (name.Length is 0 or > 15 || name.Contains('/') || name.Any(c => char.IsWhiteSpace(c) || c is '"' or '#' or '!' or '{' or '}'))
            return $"'{name}' is not an interface name (1-15 characters, no '/', spaces, quotes, '#', '!' or braces).";
        if (name == "lo") return "the loopback interface lo cannot carry VRRP (keepalived ignores the instance).";
        return null;
    }

    private static bool IsWord(string s) =>
        s.Length is > 0 and <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && s != "." && s != "..";
}

/// <summary>The document's director pair is not valid: ErrorId DirectorPairInvalid (InvalidArgument); nothing was written.</summary>
public sealed class DirectorPairInvalidException : IpvsException
{
    public DirectorPairInvalidException(IReadOnlyList<string> problems)
        : base((problems.Count == 1 ? "The director pair is not valid:" : $"The director pair has {problems.Count} problems:") +
               string.Concat(problems.Select(p => "\n  " + p)), IpvsErrorKind.InvalidArgument, "DirectorPairInvalid")
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}

/// <summary>A director was asked for that the document's pair does not have (or the document has no pair): ErrorId DirectorNotFound (ObjectNotFound).</summary>
public sealed class DirectorNotFoundException : IpvsException
{
    public DirectorNotFoundException(string message) : base(message, IpvsErrorKind.NotFound, "DirectorNotFound") { }
}
