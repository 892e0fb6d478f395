using System;
using System.Net;

namespace LvsAdmin.Ipvs;

/// <summary>Traffic counters and rates of a service or real server (64-bit, from IPVS_*_ATTR_STATS64 when present).</summary>
public sealed record IpvsStatistics
{
    public ulong Connections { get; init; }
    public ulong InPackets { get; init; }
    public ulong OutPackets { get; init; }
    public ulong InBytes { get; init; }
    public ulong OutBytes { get; init; }
    /// <summary>Connections per second (the kernel's 2-second estimator).</summary>
    public ulong ConnectionRate { get; init; }
    public ulong InPacketRate { get; init; }
    public ulong OutPacketRate { get; init; }
    /// <summary>Incoming bytes per second.</summary>
    public ulong InByteRate { get; init; }
    /// <summary>Outgoing bytes per second.</summary>
    public ulong OutByteRate { get; init; }

    public static readonly IpvsStatistics Zero = new();
}

/// <summary>
/// A virtual service: what clients connect to, and how connections are scheduled. Equality compares the
/// configuration only (never <see cref="Statistics"/>, and never the kernel-internal HASHED flag).
/// </summary>
public sealed record VirtualService
{
    public const string DefaultScheduler = "wlc";
    /// <summary>ipvsadm's default persistence timeout: IPVS_SVC_PERSISTENT_TIMEOUT = 6*60 in libipvs (its man page says 300, the code uses 360).</summary>
    public const uint DefaultPersistenceTimeout = 360;

    public VirtualService(ServiceKey key)
    {
        Key = key ?? throw new ArgumentNullException(nameof(key));
        PersistenceNetmask = key.AddressFamily == IpvsAddressFamily.IPv6 ? "128" : "255.255.255.255";
    }

    /// <summary>The identity (protocol/address/port or firewall mark).</summary>
    public ServiceKey Key { get; init; }

    /// <summary>The identity as text, e.g. tcp/10.0.0.1:80 or fwm/100 (binds by property name to -Service).</summary>
    public string Service => Key.ToString();
    public IpvsAddressFamily AddressFamily => Key.AddressFamily;
    public IpvsProtocol Protocol => Key.Protocol;
    public IPAddress? Address => Key.Address;
    public ushort Port => Key.Port;
    public uint FirewallMark => Key.FirewallMark;

    /// <summary>Scheduler name (rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos).</summary>
    public string Scheduler { get; init; } = DefaultScheduler;
    public SchedulerFlags SchedulerFlags { get; init; }
    /// <summary>Persistent service (ipvsadm -p): a client keeps its real server for <see cref="PersistenceTimeout"/>.</summary>
    public bool Persistent { get; init; }
    /// <summary>Persistence timeout in seconds (kept by the kernel even when not persistent).</summary>
    public uint PersistenceTimeout { get; init; }
    /// <summary>Persistence granularity: an IPv4 netmask (255.255.255.0) or an IPv6 prefix length (64).</summary>
    public string PersistenceNetmask { get; init; }
    /// <summary>Persistence engine (e.g. sip), or null.</summary>
    public string? PersistenceEngine { get; init; }
    /// <summary>One-packet scheduling (ipvsadm -o), for UDP.</summary>
    public bool OnePacket { get; init; }

    /// <summary>Counters and rates as last read; not part of equality.</summary>
    public IpvsStatistics? Statistics { get; init; }

    /// <summary>The kernel flag word (without HASHED).</summary>
    public uint KernelFlags =>
        (Persistent ? IpvsUapi.SVC_F_PERSISTENT : 0) | (OnePacket ? IpvsUapi.SVC_F_ONEPACKET : 0) | (uint)SchedulerFlags;

    public bool Equals(VirtualService? other) =>
        other is not null && Key.Equals(other.Key) && Scheduler == other.Scheduler && SchedulerFlags == other.SchedulerFlags &&
        Persistent == other.Persistent && PersistenceTimeout == other.PersistenceTimeout &&
        PersistenceNetmask == other.PersistenceNetmask && PersistenceEngine == other.PersistenceEngine && OnePacket == other.OnePacket;

    public override int GetHashCode() => HashCode.Combine(Key, Scheduler, SchedulerFlags, Persistent, PersistenceTimeout, PersistenceNetmask, PersistenceEngine, OnePacket);

    public override string ToString() => Service;
}

/// <summary>The identity of a real server within its virtual service.</summary>
public sealed record RealServerKey(IPAddress Address, ushort Port) : IComparable<RealServerKey>
{
    /// <summary>Numeric order: IPv4 before IPv6, then by address, then by port.</summary>
    public int CompareTo(RealServerKey? other)
    {
        if (other is null) return 1;
        var r = Endpoint.CompareAddresses(Address, other.Address);
        return r != 0 ? r : Port.CompareTo(other.Port);
    }

    public override string ToString() => Endpoint.Format(Address, Port);
}

/// <summary>
/// A real server (destination) of a virtual service. Equality compares the configuration only (never the
/// connection counts or <see cref="Statistics"/>).
/// </summary>
public sealed record RealServer
{
    public const int DefaultWeight = 1;

    public RealServer(ServiceKey service, IPAddress address, ushort port)
    {
        Service = service ?? throw new ArgumentNullException(nameof(service));
        Address = address ?? throw new ArgumentNullException(nameof(address));
        Port = port;
    }

    /// <summary>The virtual service this real server belongs to.</summary>
    public ServiceKey Service { get; init; }
    public IPAddress Address { get; init; }
    public ushort Port { get; init; }
    /// <summary>The real server's address family (may differ from the service's only for Tunnel).</summary>
    public IpvsAddressFamily AddressFamily => Endpoint.FamilyOf(Address);
    public ForwardingMethod ForwardingMethod { get; init; } = ForwardingMethod.DirectRouting;
    /// <summary>Weight 0-65535; 0 quiesces the server (no new connections).</summary>
    public int Weight { get; init; } = DefaultWeight;
    /// <summary>Upper connection threshold (0 = none).</summary>
    public uint UpperThreshold { get; init; }
    /// <summary>Lower connection threshold (0 = none).</summary>
    public uint LowerThreshold { get; init; }
    public TunnelType TunnelType { get; init; }
    /// <summary>Tunnel destination port (GUE only; 0 = none).</summary>
    public ushort TunnelPort { get; init; }
    public TunnelChecksum TunnelChecksum { get; init; }

    public uint ActiveConnections { get; init; }
    public uint InactiveConnections { get; init; }
    public uint PersistentConnections { get; init; }
    public IpvsStatistics? Statistics { get; init; }

    public RealServerKey Key => new(Address, Port);

    public bool Equals(RealServer? other) =>
        other is not null && Service.Equals(other.Service) && Address.Equals(other.Address) && Port == other.Port &&
        ForwardingMethod == other.ForwardingMethod && Weight == other.Weight && UpperThreshold == other.UpperThreshold &&
        LowerThreshold == other.LowerThreshold && TunnelType == other.TunnelType && TunnelPort == other.TunnelPort &&
        TunnelChecksum == other.TunnelChecksum;

    public override int GetHashCode() => HashCode.Combine(Service, Address, Port, ForwardingMethod, Weight,
        HashCode.Combine(UpperThreshold, LowerThreshold, TunnelType, TunnelPort, TunnelChecksum));

    public override string ToString() => Service + " -> " + Endpoint.Format(Address, Port);
}

/// <summary>IPVS connection timeouts in seconds (ipvsadm --set tcp tcpfin udp). 0 in a write means "leave as is".</summary>
public sealed record IpvsTimeouts(uint Tcp, uint TcpFin, uint Udp)
{
    /// <summary>
    /// What a kernel starts with (ipvsadm -L --timeout: 900 120 300): TCP established 15 minutes, TCP FIN_WAIT 2
    /// minutes, UDP 5 minutes (ip_vs_proto_tcp.c, ip_vs_proto_udp.c).
    /// </summary>
    public static IpvsTimeouts KernelDefaults { get; } = new(900, 120, 300);
}

/// <summary>A connection synchronisation daemon (ipvsadm --start-daemon).</summary>
public sealed record SyncDaemon
{
    public const string DefaultInterface = "eth0";

    public SyncDaemonState State { get; init; } = SyncDaemonState.Master;
    /// <summary>Multicast interface (ipvsadm --mcast-interface).</summary>
    public string Interface { get; init; } = DefaultInterface;
    /// <summary>Sync id 0-255 (ipvsadm --syncid); 0 = all.</summary>
    public uint SyncId { get; init; }
    /// <summary>Maximum sync message payload (ipvsadm --sync-maxlen); null = kernel default.</summary>
    public ushort? MaxLength { get; init; }
    /// <summary>Multicast group (ipvsadm --mcast-group); null = kernel default 224.0.0.81.</summary>
    public IPAddress? MulticastGroup { get; init; }
    /// <summary>UDP port (ipvsadm --mcast-port); null = kernel default 8848.</summary>
    public ushort? MulticastPort { get; init; }
    /// <summary>Multicast TTL (ipvsadm --mcast-ttl); null = kernel default 1.</summary>
    public byte? MulticastTtl { get; init; }
}

/// <summary>IPVS version and connection table size (ipvsadm -L header line).</summary>
public sealed record IpvsInfo(Version Version, uint ConnectionTableSize)
{
    /// <summary>Loaded scheduler modules (rr, wlc, ...), when they can be seen in /proc/modules or /sys/module; else null.</summary>
    public System.Collections.Generic.IReadOnlyList<string>? Schedulers { get; init; }

    /// <summary>Loaded persistence engine modules (sip), when they can be seen; else null.</summary>
    public System.Collections.Generic.IReadOnlyList<string>? PersistenceEngines { get; init; }

    public override string ToString() => $"IP Virtual Server version {Version} (size={ConnectionTableSize})";
}
