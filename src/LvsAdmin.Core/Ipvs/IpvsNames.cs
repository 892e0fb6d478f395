using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Ipvs;

/// <summary>
/// The names LVS people use on the command line (ipvsadm's words and ours), parsed and formatted in one place so the
/// cmdlets stay thin: forwarding methods with their ipvsadm aliases, scheduler flags, service option text.
/// </summary>
public static class IpvsNames
{
    /// <summary>The forwarding methods a user may set (the kernel chooses Local and Bypass itself).</summary>
    public static readonly string[] ForwardingMethodNames = { "DirectRouting", "Nat", "Tunnel" };

    /// <summary>Every accepted forwarding-method word: canonical names and ipvsadm aliases.</summary>
    public static readonly string[] ForwardingMethodAliases =
        { "DirectRouting", "Route", "Gateway", "Gatewaying", "Dr", "Nat", "Masquerade", "Masquerading", "Masq", "Tunnel", "Tun", "Ipip" };

    /// <summary>The ipvsadm scheduler flag names (ipvsadm -b).</summary>
    public static readonly string[] SchedulerFlagNames = { "flag-1", "flag-2", "flag-3", "sh-fallback", "sh-port", "mh-fallback", "mh-port" };

    /// <summary>
    /// Parses a forwarding method: DirectRouting (Route, Gateway, Gatewaying, Dr, g), Nat (Masquerade,
    /// Masquerading, Masq, m), Tunnel (Tun, Ipip, i), case-insensitive; also the numbers 0, 2, 3.
    /// </summary>
    public static ForwardingMethod ParseForwardingMethod(string? text)
    {
        var s = text?.Trim().ToLowerInvariant() ?? "";
        switch (s)
        {
            case "directrouting" or "direct-routing" or "direct" or "route" or "gateway" or "gatewaying" or "dr" or "g" or "3":
                return ForwardingMethod.DirectRouting;
            case "nat" or "masquerade" or "masquerading" or "masq" or "m" or "0":
                return ForwardingMethod.Nat;
            case "tunnel" or "tun" or "tunneling" or "tunnelling" or "ipip" or "i" or "2":
                return ForwardingMethod.Tunnel;
            case "local" or "localnode" or "1" or "bypass" or "4":
                throw new IpvsValidationException("ForwardingMethod",
                    $"Forwarding method '{text}' cannot be set; the kernel chooses it. Use DirectRouting (Route, Gateway), Nat (Masquerade, Masq) or Tunnel (Ipip).");
            default:
                throw new IpvsValidationException("ForwardingMethod",
                    $"'{text}' is not a forwarding method. Use DirectRouting (or Route, Gateway), Nat (or Masquerade, Masq) or Tunnel (or Ipip).");
        }
    }

    /// <summary>The word ipvsadm -L prints in its Forward column: Route, Masq, Tunnel, Local, Bypass.</summary>
    public static string FormatForwardingMethod(ForwardingMethod method) => method switch
    {
        ForwardingMethod.DirectRouting => "Route",
        ForwardingMethod.Nat => "Masq",
        ForwardingMethod.Tunnel => "Tunnel",
        ForwardingMethod.Local => "Local",
        ForwardingMethod.Bypass => "Bypass",
        _ => ((uint)method).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Parses scheduler flags as ipvsadm -b does, for the given scheduler: flag-1, flag-2, flag-3, and the
    /// scheduler-specific names sh-fallback, sh-port (sh only), mh-fallback, mh-port (mh only). Each item may hold
    /// several names separated by commas. Also accepts the enum names Flag1, Flag2, Flag3 and None and a number
    /// (what a deserialized object carries), so a service read elsewhere can be recreated.
    /// </summary>
    public static SchedulerFlags ParseSchedulerFlags(IEnumerable<string?>? items, string? scheduler)
    {
        var sched = string.IsNullOrWhiteSpace(scheduler) ? VirtualService.DefaultScheduler : scheduler.Trim().ToLowerInvariant();
        var flags = SchedulerFlags.None;
        if (items is null) return flags;
        foreach (var item in items)
        {
            if (item is null) continue;
            foreach (var raw in item.Split(new[] { ',', ' ', '|' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var name = raw.Trim().ToLowerInvariant();
                switch (name)
                {
                    case "none": break;
                    case "flag-1" or "flag1": flags |= SchedulerFlags.Flag1; break;
                    case "flag-2" or "flag2": flags |= SchedulerFlags.Flag2; break;
                    case "flag-3" or "flag3": flags |= SchedulerFlags.Flag3; break;
                    case "sh-fallback": Require(name, "sh", sched); flags |= SchedulerFlags.Flag1; break;
                    case "sh-port": Require(name, "sh", sched); flags |= SchedulerFlags.Flag2; break;
                    case "mh-fallback": Require(name, "mh", sched); flags |= SchedulerFlags.Flag1; break;
                    case "mh-port": Require(name, "mh", sched); flags |= SchedulerFlags.Flag2; break;
                    default:
                        if (ServiceKey.TryParseMark(name, out var number))
                        {
                            if ((number & ~(uint)(SchedulerFlags.Flag1 | SchedulerFlags.Flag2 | SchedulerFlags.Flag3)) != 0)
                                throw new IpvsValidationException("SchedulerFlags", $"Scheduler flags value {raw} has bits other than flag-1 (8), flag-2 (16), flag-3 (32).", "InvalidSchedulerFlag");
                            flags |= (SchedulerFlags)number;
                            break;
                        }
                        throw new IpvsValidationException("SchedulerFlags",
                            $"'{raw}' is not a scheduler flag. Use {string.Join(", ", SchedulerFlagNames)}.", "InvalidSchedulerFlag");
                }
            }
        }
        return flags;
    }

    private static void Require(string flag, string needed, string scheduler)
    {
        if (scheduler != needed)
            throw new IpvsValidationException("SchedulerFlags",
                $"Scheduler flag '{flag}' is only for the {needed} scheduler, not {scheduler} (ipvsadm: incompatible scheduler flag).", "IncompatibleSchedulerFlag");
    }

    /// <summary>Scheduler flags as ipvsadm prints them for the scheduler: "sh-fallback,sh-port", "flag-1", "".</summary>
    public static string FormatSchedulerFlags(SchedulerFlags flags, string? scheduler)
    {
        var names = new List<string>(3);
        switch (scheduler)
        {
            case "sh" or "mh":
                if ((flags & SchedulerFlags.Flag1) != 0) names.Add(scheduler + "-fallback");
                if ((flags & SchedulerFlags.Flag2) != 0) names.Add(scheduler + "-port");
                break;
            default:
                if ((flags & SchedulerFlags.Flag1) != 0) names.Add("flag-1");
                if ((flags & SchedulerFlags.Flag2) != 0) names.Add("flag-2");
                if ((flags & SchedulerFlags.Flag3) != 0) names.Add("flag-3");
                break;
        }
        return string.Join(",", names);
    }

    /// <summary>
    /// The service options as ipvsadm -Ln prints them after the scheduler:
    /// "(sh-port) persistent 300 mask 255.255.255.0 pe sip ops". Empty when there are none.
    /// </summary>
    public static string FormatServiceOptions(VirtualService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var sb = new StringBuilder();
        var flags = FormatSchedulerFlags(service.SchedulerFlags, service.Scheduler);
        if (flags.Length > 0) sb.Append('(').Append(flags).Append(')');
        if (service.Persistent)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append("persistent ").Append(service.PersistenceTimeout.ToString(CultureInfo.InvariantCulture));
            var full = service.AddressFamily == IpvsAddressFamily.IPv6 ? "128" : "255.255.255.255";
            if (!string.IsNullOrEmpty(service.PersistenceNetmask) && service.PersistenceNetmask != full)
                sb.Append(" mask ").Append(service.PersistenceNetmask);
            if (!string.IsNullOrEmpty(service.PersistenceEngine)) sb.Append(" pe ").Append(service.PersistenceEngine);
        }
        if (service.OnePacket)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append("ops");
        }
        return sb.ToString();
    }

    /// <summary>The tunnel details ipvsadm --tun-info prints: "ipip", "gue:6080,csum", "gre,remcsum"; empty when not a tunnel.</summary>
    public static string FormatTunnel(RealServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (server.ForwardingMethod != ForwardingMethod.Tunnel) return "";
        var sb = new StringBuilder(server.TunnelType.ToString().ToLowerInvariant());
        if (server.TunnelType == TunnelType.Gue) sb.Append(':').Append(server.TunnelPort.ToString(CultureInfo.InvariantCulture));
        if (server.TunnelType != TunnelType.Ipip)
            sb.Append(server.TunnelChecksum switch
            {
                TunnelChecksum.Checksum => ",csum",
                TunnelChecksum.RemoteChecksum => ",remcsum",
                _ => ",nocsum",
            });
        return sb.ToString();
    }

    /// <summary>
    /// Builds a service identity from the separate parameters: a protocol with an address (which may carry the port,
    /// 10.0.0.1:80 or [2001:db8::1]:443) and a port.
    /// </summary>
    public static ServiceKey ServiceFromParts(IpvsProtocol protocol, string? address, long? portParameter)
    {
        var port = Endpoint.CheckPort(portParameter);
        var (ip, embedded) = ParseEndpoint("Address", address);
        if (embedded is { } e && port is { } p && e != p)
            throw new IpvsValidationException("Port", $"The address '{address}' names port {e} but -Port is {p}; give the port once.");
        var finalPort = port ?? embedded ?? throw new IpvsValidationException("Port", $"Virtual service {address}: give -Port (or write the address as {Endpoint.Format(ip, 80)}).");
        return ServiceKey.ForAddress(protocol, ip, finalPort);
    }

    /// <summary>
    /// The identity of a real server of <paramref name="service"/>: an address that may carry the port
    /// (10.0.0.2, 10.0.0.2:8080, [2001:db8::2]:443) and an optional port. Without a port the service's port is used,
    /// as ipvsadm does.
    /// </summary>
    public static RealServerKey RealServerFromParts(ServiceKey service, string? address, long? portParameter)
    {
        ArgumentNullException.ThrowIfNull(service);
        var port = Endpoint.CheckPort(portParameter);
        var (ip, embedded) = ParseEndpoint("Address", address);
        if (embedded is { } e && port is { } p && e != p)
            throw new IpvsValidationException("Port", $"The address '{address}' names port {e} but -Port is {p}; give the port once.");
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        return new RealServerKey(ip, port ?? embedded ?? service.Port);
    }

    /// <summary>Parses an "address" or "address:port" filter; the port is null when not given.</summary>
    public static (IPAddress Address, ushort? Port) ParseEndpointFilter(string parameter, string? text)
    {
        var (ip, port) = ParseEndpoint(parameter, text);
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        return (ip, port);
    }

    /// <summary>"address[:port]"; a bad one is Invalid<paramref name="parameter"/>, a port outside 0-65535 InvalidPort.</summary>
    private static (IPAddress Address, ushort? Port) ParseEndpoint(string parameter, string? text)
    {
        if (!Endpoint.TryParse(text, out var ip, out var port, out var why, out var portOutOfRange))
            throw new IpvsValidationException(portOutOfRange ? "Port" : parameter, why);
        return (ip, port);
    }
}
