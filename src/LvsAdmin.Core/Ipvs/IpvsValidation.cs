using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LvsAdmin.Ipvs;

/// <summary>
/// Checks every value before it is sent, so a bad input gets a clear error and the kernel is never touched.
/// The limits are the kernel's and ipvsadm's.
/// </summary>
public static class IpvsValidation
{
    /// <summary>ipvsadm's MAX_TIMEOUT: 31 days, in seconds.</summary>
    public const uint MaxTimeout = 86400 * 31;
    public const int MaxThreshold = int.MaxValue;
    public const int MaxWeight = 65535;
    public const int MaxSyncLength = 65535 - 20 - 8;

    /// <summary>Schedulers of Linux IPVS. twos needs Linux 6.2 or later.</summary>
    public static readonly string[] KnownSchedulers = { "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos" };

    /// <summary>Persistence engines of Linux IPVS.</summary>
    public static readonly string[] KnownPersistenceEngines = { "sip" };

    /// <summary>
    /// A network namespace given by path must exist: InvalidNetworkNamespace before any socket or file is opened
    /// (IpvsClient.Open, ConnectionTable.Read), the same error for every cmdlet.
    /// </summary>
    public static void RequireNetworkNamespace(string? networkNamespace)
    {
        if (networkNamespace is not null && !System.IO.File.Exists(networkNamespace))
            throw new IpvsValidationException("NetworkNamespace", $"Network namespace '{networkNamespace}' does not exist (expected a path such as /run/netns/NAME).");
    }

    public static void ValidateModuleName(string parameter, string? name, int maxBytes)
    {
        if (string.IsNullOrEmpty(name)) throw new IpvsValidationException(parameter, $"{parameter} must not be empty.");
        if (name.Length > maxBytes - 1)
            throw new IpvsValidationException(parameter, $"{parameter} '{name}' is longer than {maxBytes - 1} characters (the kernel's limit).");
        foreach (var c in name)
        {
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                throw new IpvsValidationException(parameter, $"{parameter} '{name}' may only contain lower-case letters, digits and '_'.");
        }
    }

    public static void ValidateService(VirtualService s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var key = s.Key;
        if (!key.IsFirewallMark && key.Port == 0 && !s.Persistent)
            throw new IpvsValidationException("Port", $"Virtual service {key}: port 0 (all ports) is only allowed for a persistent service; give a port 1-65535 or -Persistent.");
        ValidateModuleName("Scheduler", s.Scheduler, IpvsUapi.SchedulerNameMaxLength);
        if (((uint)s.SchedulerFlags & ~(IpvsUapi.SVC_F_SCHED1 | IpvsUapi.SVC_F_SCHED2 | IpvsUapi.SVC_F_SCHED3)) != 0)
            throw new IpvsValidationException("SchedulerFlags", $"Scheduler flags 0x{(uint)s.SchedulerFlags:x} has bits other than flag-1, flag-2, flag-3.");
        if (s.PersistenceEngine is not null)
            ValidateModuleName("PersistenceEngine", s.PersistenceEngine, IpvsUapi.PersistenceEngineNameMaxLength);
        if (s.Persistent && (s.PersistenceTimeout < 1 || s.PersistenceTimeout > MaxTimeout))
            throw new IpvsValidationException("PersistenceTimeout", $"Persistence timeout {s.PersistenceTimeout} must be 1 to {MaxTimeout} seconds (31 days).");
        if (!s.Persistent && s.PersistenceTimeout > MaxTimeout)
            throw new IpvsValidationException("PersistenceTimeout", $"Persistence timeout {s.PersistenceTimeout} must be at most {MaxTimeout} seconds.");
        EncodeNetmask(key.AddressFamily, s.PersistenceNetmask);
        if (s.OnePacket && !key.IsFirewallMark && key.Protocol != IpvsProtocol.Udp)
            throw new IpvsValidationException("OnePacket", $"Virtual service {key}: one-packet scheduling is only for UDP (or firewall-mark) services.");
    }

    /// <summary>
    /// The kernel's netmask word for a persistence granularity: an IPv4 dotted mask in network order, or an IPv6
    /// prefix length 1-128. Throws a validation error for anything else.
    /// </summary>
    public static uint EncodeNetmask(IpvsAddressFamily family, string? netmask)
    {
        if (family == IpvsAddressFamily.IPv6)
        {
            var text = netmask?.TrimStart('/');
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix < 1 || prefix > 128)
                throw new IpvsValidationException("PersistenceNetmask", $"'{netmask}' is not an IPv6 persistence prefix length (1-128).");
            return (uint)prefix;
        }
        if (netmask is not null && netmask.StartsWith('/') &&
            int.TryParse(netmask.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var p4) && p4 >= 0 && p4 <= 32)
        {
            // The kernel word holds the mask bytes in network order.
            return p4 == 0 ? 0 : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(uint.MaxValue << (32 - p4));
        }
        if (!Endpoint.TryParseAddress(netmask, out var mask) || mask.AddressFamily != AddressFamily.InterNetwork)
            throw new IpvsValidationException("PersistenceNetmask", $"'{netmask}' is not an IPv4 persistence netmask such as 255.255.255.0 (or /24).");
        return BitConverter.ToUInt32(mask.GetAddressBytes());
    }

    /// <summary>The text form of a kernel netmask word (inverse of <see cref="EncodeNetmask"/>).</summary>
    public static string DecodeNetmask(IpvsAddressFamily family, uint raw) =>
        family == IpvsAddressFamily.IPv6 ? raw.ToString(CultureInfo.InvariantCulture) : new IPAddress(BitConverter.GetBytes(raw)).ToString();

    /// <summary>Normalises a netmask text to the form the kernel reads back (e.g. /24 to 255.255.255.0).</summary>
    public static string NormalizeNetmask(IpvsAddressFamily family, string? netmask) => DecodeNetmask(family, EncodeNetmask(family, netmask));

    private static bool IsIPv4Multicast(IPAddress a)
    {
        Span<byte> b = stackalloc byte[4];
        return a.TryWriteBytes(b, out _) && (b[0] & 0xF0) == 0xE0;
    }

    public static void ValidateRealServer(RealServer r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var svc = r.Service;
        var a = r.Address;
        if (a.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new IpvsValidationException("Address", $"'{a}' is not an IPv4 or IPv6 address.");
        if (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.Broadcast) ||
            (a.AddressFamily == AddressFamily.InterNetworkV6 && a.IsIPv6Multicast) ||
            (a.AddressFamily == AddressFamily.InterNetwork && IsIPv4Multicast(a)))
            throw new IpvsValidationException("Address", $"Real server address {a} must be a unicast address.");
        if (r.ForwardingMethod is not (ForwardingMethod.Nat or ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel))
            throw new IpvsValidationException("ForwardingMethod", $"Forwarding method {r.ForwardingMethod} cannot be set; use Nat, DirectRouting or Tunnel (the kernel chooses Local itself).");
        if (r.AddressFamily != svc.AddressFamily && r.ForwardingMethod != ForwardingMethod.Tunnel)
            throw new IpvsValidationException("Address", $"Real server {a} is {r.AddressFamily} but virtual service {svc} is {svc.AddressFamily}; mixing address families is only allowed with -ForwardingMethod Tunnel.");
        if (r.Weight < 0 || r.Weight > MaxWeight)
            throw new IpvsValidationException("Weight", $"Weight {r.Weight} must be 0 to {MaxWeight}.");
        if (r.UpperThreshold > MaxThreshold)
            throw new IpvsValidationException("UpperThreshold", $"Upper threshold {r.UpperThreshold} must be 0 to {MaxThreshold}.");
        if (r.LowerThreshold > MaxThreshold)
            throw new IpvsValidationException("LowerThreshold", $"Lower threshold {r.LowerThreshold} must be 0 to {MaxThreshold}.");
        // The kernel (ip_vs_add_dest / ip_vs_edit_dest) refuses l_threshold > u_threshold with ERANGE, also when the
        // upper threshold is 0 (none).
        if (r.LowerThreshold > r.UpperThreshold)
            throw new IpvsValidationException("LowerThreshold", r.UpperThreshold == 0
                ? $"Lower threshold {r.LowerThreshold} needs an upper threshold at least as high (the kernel refuses a lower threshold without one)."
                : $"Lower threshold {r.LowerThreshold} is above the upper threshold {r.UpperThreshold}.");
        if (!svc.IsFirewallMark && r.Port == 0 && svc.Port != 0)
            throw new IpvsValidationException("Port", $"Real server {a}: port 0 is only for firewall-mark or all-ports services; give the port (or leave it out to use the service's).");
        if (!svc.IsFirewallMark && r.ForwardingMethod is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel && r.Port != svc.Port)
            throw new IpvsValidationException("Port", $"Real server {Endpoint.Format(a, r.Port)}: {r.ForwardingMethod} cannot map ports; the real server port must equal the service port {svc.Port} (use Nat for port mapping).");
        if (r.ForwardingMethod != ForwardingMethod.Tunnel)
        {
            if (r.TunnelType != TunnelType.Ipip || r.TunnelPort != 0 || r.TunnelChecksum != TunnelChecksum.None)
                throw new IpvsValidationException("TunnelType", "Tunnel options (-TunnelType, -TunnelPort, -TunnelChecksum) are only valid with -ForwardingMethod Tunnel.", "TunnelOptionsWithoutTunnel");
            return;
        }
        switch (r.TunnelType)
        {
            case TunnelType.Ipip:
                if (r.TunnelPort != 0) throw new IpvsValidationException("TunnelPort", "An ipip tunnel has no port; -TunnelPort is for Gue.");
                if (r.TunnelChecksum != TunnelChecksum.None) throw new IpvsValidationException("TunnelChecksum", "An ipip tunnel has no checksum option; -TunnelChecksum is for Gue and Gre.");
                break;
            case TunnelType.Gue:
                if (r.TunnelPort == 0) throw new IpvsValidationException("TunnelPort", "A Gue tunnel needs -TunnelPort (1-65535), the real server's GUE port.");
                break;
            case TunnelType.Gre:
                if (r.TunnelPort != 0) throw new IpvsValidationException("TunnelPort", "A Gre tunnel has no port; -TunnelPort is for Gue.");
                if (r.TunnelChecksum == TunnelChecksum.RemoteChecksum) throw new IpvsValidationException("TunnelChecksum", "RemoteChecksum is only for Gue tunnels; Gre takes None or Checksum.");
                break;
            default:
                throw new IpvsValidationException("TunnelType", $"Tunnel type {r.TunnelType} is not Ipip, Gue or Gre.");
        }
        if (!Enum.IsDefined(r.TunnelChecksum))
            throw new IpvsValidationException("TunnelChecksum", $"Tunnel checksum {r.TunnelChecksum} is not None, Checksum or RemoteChecksum.");
    }

    public static void ValidateTimeouts(IpvsTimeouts t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.Tcp > MaxTimeout) throw new IpvsValidationException("TcpTimeout", $"TCP timeout {t.Tcp} must be at most {MaxTimeout} seconds.");
        if (t.TcpFin > MaxTimeout) throw new IpvsValidationException("TcpFinTimeout", $"TCP FIN timeout {t.TcpFin} must be at most {MaxTimeout} seconds.");
        if (t.Udp > MaxTimeout) throw new IpvsValidationException("UdpTimeout", $"UDP timeout {t.Udp} must be at most {MaxTimeout} seconds.");
    }

    public static void ValidateSyncDaemon(SyncDaemon d)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.State is not (SyncDaemonState.Master or SyncDaemonState.Backup))
            throw new IpvsValidationException("State", $"Sync daemon state {d.State} is not Master or Backup.");
        ValidateInterfaceName("Interface", d.Interface);
        if (d.SyncId > 255) throw new IpvsValidationException("SyncId", $"Sync id {d.SyncId} must be 0 to 255.");
        if (d.MaxLength is { } m && (m < 1 || m > MaxSyncLength))
            throw new IpvsValidationException("MaxLength", $"Sync max length {m} must be 1 to {MaxSyncLength}.");
        if (d.MulticastGroup is { } g)
        {
            var ok = g.AddressFamily == AddressFamily.InterNetworkV6 ? g.IsIPv6Multicast
                : g.AddressFamily == AddressFamily.InterNetwork && (g.GetAddressBytes()[0] & 0xF0) == 0xE0;
            if (!ok) throw new IpvsValidationException("MulticastGroup", $"'{g}' is not an IPv4 or IPv6 multicast address.");
        }
        if (d.MulticastPort is 0) throw new IpvsValidationException("MulticastPort", "Multicast port must be 1 to 65535.");
        if (d.MulticastTtl is 0) throw new IpvsValidationException("MulticastTtl", "Multicast TTL must be 1 to 255.");
    }

    public static void ValidateInterfaceName(string parameter, string? name)
    {
        if (string.IsNullOrEmpty(name)) throw new IpvsValidationException(parameter, "An interface name is required.");
        if (name.Length > IpvsUapi.InterfaceNameMaxLength - 1)
            throw new IpvsValidationException(parameter, $"Interface name '{name}' is longer than 15 characters.");
        foreach (var c in name)
        {
            if (c <= ' ' || c == '/' || c == ':' || c > '~')
                throw new IpvsValidationException(parameter, $"Interface name '{name}' contains '{c}', which Linux does not allow.");
        }
    }
}
