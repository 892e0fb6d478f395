using System;

namespace LvsAdmin.Ipvs;

/// <summary>Transport protocol of a virtual service (IP protocol number). Firewall-mark services have none.</summary>
public enum IpvsProtocol : ushort
{
    /// <summary>No protocol: the service is selected by firewall mark.</summary>
    None = 0,
    Tcp = 6,
    Udp = 17,
    Sctp = 132,
}

/// <summary>Address family of a service or real server (Linux AF_ values).</summary>
public enum IpvsAddressFamily : ushort
{
    IPv4 = 2,
    IPv6 = 10,
}

/// <summary>How the director forwards packets to a real server (ipvsadm -g/-m/-i).</summary>
public enum ForwardingMethod : uint
{
    /// <summary>NAT / masquerading (ipvsadm -m): the director rewrites the destination; replies return through it.</summary>
    Nat = 0,
    /// <summary>Local node: the real server is the director itself.</summary>
    Local = 1,
    /// <summary>IP tunnelling (ipvsadm -i): packets are encapsulated (ipip, GUE or GRE) to the real server.</summary>
    Tunnel = 2,
    /// <summary>Direct routing / gatewaying (ipvsadm -g, the default): the frame is sent to the real server's MAC.</summary>
    DirectRouting = 3,
    /// <summary>Cache bypass.</summary>
    Bypass = 4,
}

/// <summary>Encapsulation of a tunnelling real server (ipvsadm --tun-type).</summary>
public enum TunnelType : byte
{
    Ipip = 0,
    Gue = 1,
    Gre = 2,
}

/// <summary>Tunnel checksum option (ipvsadm --tun-nocsum / --tun-csum / --tun-remcsum).</summary>
public enum TunnelChecksum : ushort
{
    None = 0,
    Checksum = 1,
    RemoteChecksum = 2,
}

/// <summary>
/// The three scheduler flags of a service (ipvsadm -b). Their meaning depends on the scheduler: for sh, Flag1 is
/// sh-fallback and Flag2 sh-port; for mh, Flag1 is mh-fallback and Flag2 mh-port.
/// </summary>
[Flags]
public enum SchedulerFlags : uint
{
    None = 0,
    Flag1 = 0x0008,
    Flag2 = 0x0010,
    Flag3 = 0x0020,
}

/// <summary>Role of a connection synchronisation daemon.</summary>
public enum SyncDaemonState : uint
{
    Master = 1,
    Backup = 2,
}
