using System.Management.Automation;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// The getters of the CodeProperties that LvsAdmin.types.ps1xml adds to the model types (Flags, Server, Forward,
/// the statistics shortcuts, ...); the services' default view is <see cref="ServiceListView"/>. They are C#
/// rather than script blocks because the formatter reads them once per object: a script property or a view script
/// block with real work in it costs a script invocation per object (and its compilation on the first call of a
/// session), which made listing 2,000 services as text slower than ipvsadm -Ln.
/// </summary>
public static class FormatMembers
{
    // ---- VirtualService ----

    /// <summary>Flags: ipvsadm's service options ("(sh-fallback) persistent 600 mask 255.255.255.0").</summary>
    public static string? Flags(PSObject instance) =>
        instance?.BaseObject is VirtualService s ? IpvsNames.FormatServiceOptions(s) : null;

    // ---- RealServer ----

    /// <summary>Server: address:port as ipvsadm prints it ([2001:db8::2]:80 for IPv6).</summary>
    public static string? Server(PSObject instance) =>
        instance?.BaseObject is RealServer r ? Endpoint.Format(r.Address, r.Port) : null;

    /// <summary>Forward: ipvsadm's word for the forwarding method (Route, Masq, Tunnel, Local, Bypass).</summary>
    public static string? Forward(PSObject instance) =>
        instance?.BaseObject is RealServer r ? IpvsNames.FormatForwardingMethod(r.ForwardingMethod) : null;

    /// <summary>TunnelInfo: the tunnel type, GUE port and checksum option of a tunnel real server; empty otherwise.</summary>
    public static string? TunnelInfo(PSObject instance) =>
        instance?.BaseObject is RealServer r ? IpvsNames.FormatTunnel(r) : null;

    // ---- statistics shortcuts of services and real servers (null when the object carries no statistics) ----

    public static ulong? Connections(PSObject instance) => Stats(instance)?.Connections;
    public static ulong? InPackets(PSObject instance) => Stats(instance)?.InPackets;
    public static ulong? OutPackets(PSObject instance) => Stats(instance)?.OutPackets;
    public static ulong? InBytes(PSObject instance) => Stats(instance)?.InBytes;
    public static ulong? OutBytes(PSObject instance) => Stats(instance)?.OutBytes;
    public static ulong? ConnectionRate(PSObject instance) => Stats(instance)?.ConnectionRate;
    public static ulong? InPacketRate(PSObject instance) => Stats(instance)?.InPacketRate;
    public static ulong? OutPacketRate(PSObject instance) => Stats(instance)?.OutPacketRate;
    public static ulong? InByteRate(PSObject instance) => Stats(instance)?.InByteRate;
    public static ulong? OutByteRate(PSObject instance) => Stats(instance)?.OutByteRate;

    private static IpvsStatistics? Stats(PSObject instance) => instance?.BaseObject switch
    {
        VirtualService s => s.Statistics,
        RealServer r => r.Statistics,
        _ => null,
    };

    // ---- IpvsConnection ----

    /// <summary>Source: the client's address:port.</summary>
    public static string? Source(PSObject instance) =>
        instance?.BaseObject is IpvsConnection c ? Endpoint.Format(c.ClientAddress, c.ClientPort) : null;

    /// <summary>Virtual: the virtual service's address:port.</summary>
    public static string? Virtual(PSObject instance) =>
        instance?.BaseObject is IpvsConnection c ? Endpoint.Format(c.VirtualAddress, c.VirtualPort) : null;

    /// <summary>Destination: the real server's address:port.</summary>
    public static string? Destination(PSObject instance) =>
        instance?.BaseObject is IpvsConnection c ? Endpoint.Format(c.RealServerAddress, c.RealServerPort) : null;
}
