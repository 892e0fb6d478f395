using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;
using E = LvsAdmin.Netlink.Errno;

namespace LvsAdmin.HostSetup;

/// <summary>Scope of an address (rtnetlink RT_SCOPE_*).</summary>
public enum AddressScope : byte
{
    /// <summary>RT_SCOPE_UNIVERSE (0): global.</summary>
    Global = 0,
    /// <summary>RT_SCOPE_SITE (200).</summary>
    Site = 200,
    /// <summary>RT_SCOPE_LINK (253).</summary>
    Link = 253,
    /// <summary>RT_SCOPE_HOST (254): only on this host (127.0.0.1, ::1).</summary>
    Host = 254,
    /// <summary>RT_SCOPE_NOWHERE (255).</summary>
    Nowhere = 255,
}

/// <summary>A network interface as rtnetlink reports it.</summary>
/// <param name="Index">Interface index.</param>
/// <param name="Name">Interface name (IFLA_IFNAME).</param>
/// <param name="IsUp">IFF_UP is set (administratively up).</param>
/// <param name="IsLoopback">IFF_LOOPBACK is set.</param>
/// <param name="Kind">IFLA_INFO_KIND (veth, bridge, ipip, ip6tnl, dummy, …) or null for devices without one (lo, physical NICs).</param>
/// <param name="Flags">The raw ifi_flags.</param>
/// <param name="Mtu">IFLA_MTU (0 when absent).</param>
public sealed record LinkInfo(int Index, string Name, bool IsUp, bool IsLoopback, string? Kind, uint Flags, int Mtu)
{
    /// <summary>IFF_LOWER_UP: the carrier is present.</summary>
    public bool HasCarrier => (Flags & RouteNetlinkCodec.IFF_LOWER_UP) != 0;
}

/// <summary>An address configured on an interface.</summary>
/// <param name="InterfaceIndex">ifa_index.</param>
/// <param name="InterfaceName">The interface name (resolved from the link list).</param>
/// <param name="Address">IFA_LOCAL (IPv4) or IFA_ADDRESS (IPv6).</param>
/// <param name="PrefixLength">ifa_prefixlen.</param>
/// <param name="Scope">ifa_scope.</param>
/// <param name="Label">IFA_LABEL (IPv4 only; equals the interface name unless an alias label such as "lo:0" was given).</param>
/// <param name="Flags">IFA_FLAGS (or ifa_flags): IFA_F_* bits.</param>
public sealed record InterfaceAddress(int InterfaceIndex, string InterfaceName, IPAddress Address, int PrefixLength, AddressScope Scope, string? Label, uint Flags)
{
    /// <summary>IPv4 or IPv6.</summary>
    public AddressFamily Family => Address.AddressFamily;
    /// <summary>Address/prefix, e.g. 10.0.0.1/32.</summary>
    public string Cidr => $"{Address}/{PrefixLength}";
    /// <summary>IFA_F_NODAD.</summary>
    public bool NoDad => (Flags & RouteNetlinkCodec.IFA_F_NODAD) != 0;
    /// <summary>IFA_F_TENTATIVE: IPv6 duplicate address detection still running.</summary>
    public bool Tentative => (Flags & RouteNetlinkCodec.IFA_F_TENTATIVE) != 0;
    /// <summary>IFA_F_SECONDARY.</summary>
    public bool Secondary => (Flags & RouteNetlinkCodec.IFA_F_SECONDARY) != 0;
    /// <inheritdoc/>
    public override string ToString() => $"{Cidr} dev {InterfaceName}{(Label is not null && Label != InterfaceName ? " label " + Label : "")}";
}

/// <summary>
/// The route the kernel picks for packets to <see cref="Destination"/> (ip route get): the gateway (null when the
/// destination is on-link), the outgoing interface, the preferred source address, or Unreachable.
/// </summary>
public sealed record RouteLookup(IPAddress Destination, IPAddress? Gateway, string? InterfaceName, IPAddress? PreferredSource, bool Unreachable)
{
    /// <summary>"via 10.0.0.1 dev eth0", "dev eth0" or "unreachable", as ip route get prints the route.</summary>
    public override string ToString() => Unreachable
        ? "unreachable"
        : (Gateway is null ? "" : $"via {Gateway} ") + (InterfaceName is null ? "" : $"dev {InterfaceName}") + (PreferredSource is null ? "" : $" src {PreferredSource}");
}

/// <summary>
/// Encoding and decoding of the rtnetlink messages the host setup uses (uapi linux/rtnetlink.h, if_link.h,
/// if_addr.h). Pure: the bytes are unit-tested against the uapi layout.
/// </summary>
internal static class RouteNetlinkCodec
{
    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_DELLINK = 17;
    public const ushort RTM_GETLINK = 18;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_DELADDR = 21;
    public const ushort RTM_GETADDR = 22;

    public const byte AF_UNSPEC = 0;
    public const byte AF_INET = 2;
    public const byte AF_INET6 = 10;

    public const uint IFF_UP = 0x1;
    public const uint IFF_LOOPBACK = 0x8;
    public const uint IFF_RUNNING = 0x40;
    public const uint IFF_LOWER_UP = 0x10000;

    public const ushort IFLA_IFNAME = 3;
    public const ushort IFLA_MTU = 4;
    public const ushort IFLA_LINKINFO = 18;
    public const ushort IFLA_INFO_KIND = 1;

    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;
    public const ushort IFA_LABEL = 3;
    public const ushort IFA_FLAGS = 8;

    public const uint IFA_F_SECONDARY = 0x01;
    public const uint IFA_F_NODAD = 0x02;
    public const uint IFA_F_TENTATIVE = 0x40;
    public const uint IFA_F_PERMANENT = 0x80;

    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_GETROUTE = 26;
    public const ushort RTA_DST = 1;
    public const ushort RTA_OIF = 4;
    public const ushort RTA_GATEWAY = 5;
    public const ushort RTA_PREFSRC = 7;
    public const ushort RTA_VIA = 18;
    public const byte RTN_UNICAST = 1;
    public const int RtMsgSize = 12;

    public const int IfInfoMsgSize = 16;
    public const int IfAddrMsgSize = 8;

    /// <summary>struct ifinfomsg: family, pad, type, index, flags, change.</summary>
    public static byte[] IfInfoMsg(byte family, int index, uint flags, uint change)
    {
        var b = new byte[IfInfoMsgSize];
        b[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), change);
        return b;
    }

    /// <summary>struct ifaddrmsg: family, prefixlen, flags (low 8 bits), scope, index.</summary>
    public static byte[] IfAddrMsg(byte family, byte prefixLength, byte flags, byte scope, int index)
    {
        var b = new byte[IfAddrMsgSize];
        b[0] = family;
        b[1] = prefixLength;
        b[2] = flags;
        b[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), index);
        return b;
    }

    /// <summary>RTM_GETLINK dump request (all families).</summary>
    public static void WriteGetLinks(NetlinkWriter w, uint seq)
    {
        w.BeginMessage(RTM_GETLINK, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP, seq);
        w.WriteRaw(IfInfoMsg(AF_UNSPEC, 0, 0, 0));
        w.EndMessage();
    }

    /// <summary>RTM_GETADDR dump request for <paramref name="family"/> (AF_UNSPEC: IPv4 and IPv6).</summary>
    public static void WriteGetAddresses(NetlinkWriter w, uint seq, byte family = AF_UNSPEC)
    {
        w.BeginMessage(RTM_GETADDR, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP, seq);
        w.WriteRaw(IfAddrMsg(family, 0, 0, 0, 0));
        w.EndMessage();
    }

    /// <summary>
    /// RTM_GETROUTE for one destination (ip route get ADDRESS): struct rtmsg with the family and a full-length dst_len,
    /// then RTA_DST. With NLM_F_ACK the kernel answers one RTM_NEWROUTE, then the ACK.
    /// </summary>
    public static void WriteGetRoute(NetlinkWriter w, uint seq, IPAddress destination)
    {
        var v6 = destination.AddressFamily == AddressFamily.InterNetworkV6;
        w.BeginMessage(RTM_GETROUTE, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK, seq);
        var rtm = new byte[RtMsgSize];
        rtm[0] = v6 ? AF_INET6 : AF_INET;
        rtm[1] = (byte)(v6 ? 128 : 32);
        w.WriteRaw(rtm);
        w.PutBytes(RTA_DST, destination.GetAddressBytes());
        w.EndMessage();
    }

    /// <summary>Decodes the RTM_NEWROUTE answer of <see cref="WriteGetRoute"/>; the interface name comes from <paramref name="names"/>.</summary>
    public static RouteLookup DecodeRoute(NetlinkMessage m, IPAddress destination, IReadOnlyDictionary<int, string> names)
    {
        var p = m.Payload;
        if (p.Length < RtMsgSize) throw new NetlinkProtocolException($"RTM_NEWROUTE payload of {p.Length} bytes, expected at least {RtMsgSize}");
        var type = p.Span[7];
        var t = NetlinkAttribute.ParseTable(p[RtMsgSize..], RTA_VIA);
        IPAddress? gateway = t[RTA_GATEWAY] is { } g && g.Payload.Length is 4 or 16 ? new IPAddress(g.Payload.Span) : null;
        if (gateway is null && t[RTA_VIA] is { } via && via.Payload.Length >= 6)
        {
            // struct rtvia: family (u16), then the address (an IPv4 next hop of an IPv6 route).
            var family = BinaryPrimitives.ReadUInt16LittleEndian(via.Payload.Span);
            var bytes = via.Payload.Span[2..];
            if (family == AF_INET && bytes.Length >= 4) gateway = new IPAddress(bytes[..4]);
            else if (family == AF_INET6 && bytes.Length >= 16) gateway = new IPAddress(bytes[..16]);
        }
        string? name = null;
        if (t[RTA_OIF] is { } oif)
        {
            var index = (int)oif.GetU32();
            name = names.TryGetValue(index, out var n) ? n : "if" + index;
        }
        IPAddress? source = t[RTA_PREFSRC] is { } ps && ps.Payload.Length is 4 or 16 ? new IPAddress(ps.Payload.Span) : null;
        return new RouteLookup(destination, gateway, name, source, type != RTN_UNICAST && type != 2 /* RTN_LOCAL */);
    }

    /// <summary>The default scope the ip tool uses: host for loopback addresses (127/8, ::1), global otherwise.</summary>
    public static AddressScope DefaultScope(IPAddress address) => IPAddress.IsLoopback(address) ? AddressScope.Host : AddressScope.Global;

    /// <summary>
    /// RTM_NEWADDR (add: NLM_F_CREATE|NLM_F_EXCL) or RTM_DELADDR with IFA_LOCAL and IFA_ADDRESS both the address
    /// (no peer), IFA_LABEL for IPv4 when given, and for IPv6 additions IFA_F_NODAD (a VIP must be usable at once
    /// and is expected on several hosts) in ifa_flags and IFA_FLAGS.
    /// </summary>
    public static void WriteAddress(NetlinkWriter w, uint seq, bool add, int index, IPAddress address, int prefixLength, string? label)
    {
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var flags = (ushort)(NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK);
        if (add) flags |= NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL;
        var ifaFlags = add && v6 ? IFA_F_NODAD : 0u;
        w.BeginMessage(add ? RTM_NEWADDR : RTM_DELADDR, flags, seq);
        w.WriteRaw(IfAddrMsg(v6 ? AF_INET6 : AF_INET, (byte)prefixLength, (byte)ifaFlags, (byte)DefaultScope(address), index));
        var bytes = address.GetAddressBytes();
        w.PutBytes(IFA_LOCAL, bytes);
        w.PutBytes(IFA_ADDRESS, bytes);
        if (label is not null && !v6) w.PutString(IFA_LABEL, label);
        if (ifaFlags != 0) w.PutU32(IFA_FLAGS, ifaFlags);
        w.EndMessage();
    }

    /// <summary>RTM_NEWLINK changing only IFF_UP of interface <paramref name="index"/>.</summary>
    public static void WriteSetLinkUp(NetlinkWriter w, uint seq, int index, bool up)
    {
        w.BeginMessage(RTM_NEWLINK, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK, seq);
        w.WriteRaw(IfInfoMsg(AF_UNSPEC, index, up ? IFF_UP : 0, IFF_UP));
        w.EndMessage();
    }

    /// <summary>
    /// RTM_NEWLINK with NLM_F_CREATE, IFLA_IFNAME and IFLA_LINKINFO/IFLA_INFO_KIND: creates a link of that kind;
    /// when the kind's module is not loaded the kernel loads it (request_module("rtnl-link-KIND")).
    /// </summary>
    public static void WriteCreateLink(NetlinkWriter w, uint seq, string name, string kind)
    {
        w.BeginMessage(RTM_NEWLINK, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK | NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL, seq);
        w.WriteRaw(IfInfoMsg(AF_UNSPEC, 0, 0, 0));
        w.PutString(IFLA_IFNAME, name);
        var li = w.BeginNested(IFLA_LINKINFO);
        w.PutString(IFLA_INFO_KIND, kind);
        w.EndNested(li);
        w.EndMessage();
    }

    /// <summary>Decodes an RTM_NEWLINK reply.</summary>
    public static LinkInfo DecodeLink(NetlinkMessage m)
    {
        var p = m.Payload;
        if (p.Length < IfInfoMsgSize) throw new NetlinkProtocolException($"RTM_NEWLINK payload of {p.Length} bytes, expected at least {IfInfoMsgSize}");
        var span = p.Span;
        var index = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
        var t = NetlinkAttribute.ParseTable(p[IfInfoMsgSize..], IFLA_LINKINFO);
        var name = t[IFLA_IFNAME]?.GetString() ?? ("if" + index);
        var mtu = t[IFLA_MTU] is { } mt ? (int)mt.GetU32() : 0;
        string? kind = null;
        if (t[IFLA_LINKINFO] is { } li)
        {
            var nt = li.NestedTable(IFLA_INFO_KIND);
            kind = nt[IFLA_INFO_KIND]?.GetString();
        }
        return new LinkInfo(index, name, (flags & IFF_UP) != 0, (flags & IFF_LOOPBACK) != 0, kind, flags, mtu);
    }

    /// <summary>Decodes an RTM_NEWADDR reply; the interface name comes from <paramref name="names"/> (index → name).
    /// Returns null for families other than IPv4/IPv6.</summary>
    public static InterfaceAddress? DecodeAddress(NetlinkMessage m, IReadOnlyDictionary<int, string> names)
    {
        var p = m.Payload;
        if (p.Length < IfAddrMsgSize) throw new NetlinkProtocolException($"RTM_NEWADDR payload of {p.Length} bytes, expected at least {IfAddrMsgSize}");
        var span = p.Span;
        var family = span[0];
        if (family != AF_INET && family != AF_INET6) return null;
        var prefix = span[1];
        uint flags = span[2];
        var scope = (AddressScope)span[3];
        var index = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        var t = NetlinkAttribute.ParseTable(p[IfAddrMsgSize..], IFA_FLAGS);
        var size = family == AF_INET ? 4 : 16;
        var attr = t[IFA_LOCAL] ?? t[IFA_ADDRESS];
        if (attr is not { } a || a.Payload.Length != size)
            throw new NetlinkProtocolException($"RTM_NEWADDR without a {size}-byte IFA_LOCAL/IFA_ADDRESS");
        var address = new IPAddress(a.Payload.Span);
        if (t[IFA_FLAGS] is { } f) flags = f.GetU32();
        var label = t[IFA_LABEL]?.GetString();
        var name = names.TryGetValue(index, out var n) ? n : "if" + index;
        return new InterfaceAddress(index, name, address, prefix, scope, label, flags);
    }
}

/// <summary>
/// An rtnetlink (NETLINK_ROUTE) client for the few things the host setup needs: list links and addresses, add and
/// remove addresses, bring links up, create the fallback tunnel devices. No ip/ifconfig is run. Opened in the
/// caller's network namespace or in the one at <see cref="NetworkNamespace"/>. Not thread-safe.
/// </summary>
public sealed class RouteNetlinkClient : IDisposable
{
    private readonly NetlinkSocket _socket;

    private RouteNetlinkClient(NetlinkSocket socket) => _socket = socket;

    /// <summary>Opens a NETLINK_ROUTE socket in the network namespace at <paramref name="networkNamespace"/> (null: the caller's).</summary>
    public static RouteNetlinkClient Open(string? networkNamespace = null) =>
        new(NetlinkSocket.Open(LibC.NETLINK_ROUTE, networkNamespace));

    /// <summary>The network namespace path, or null.</summary>
    public string? NetworkNamespace => _socket.NetworkNamespace;

    /// <summary>All links, ordered by index.</summary>
    public IReadOnlyList<LinkInfo> GetLinks()
    {
        var w = new NetlinkWriter();
        var seq = _socket.NextSequence();
        RouteNetlinkCodec.WriteGetLinks(w, seq);
        return Run("list links", () => _socket.Request(w, seq, "RTM_GETLINK")
            .Where(m => m.Type == RouteNetlinkCodec.RTM_NEWLINK)
            .Select(RouteNetlinkCodec.DecodeLink)
            .OrderBy(l => l.Index)
            .ToList());
    }

    /// <summary>The link named <paramref name="name"/>, or null.</summary>
    public LinkInfo? GetLink(string name) => GetLinks().FirstOrDefault(l => l.Name == name);

    /// <summary>The link, or InterfaceNotFound.</summary>
    public LinkInfo RequireLink(string name) => GetLink(name) ?? throw new InterfaceNotFoundException(name, NetworkNamespace);

    /// <summary>All IPv4 and IPv6 addresses (optionally of one interface), ordered by interface index, family, then kernel order.</summary>
    public IReadOnlyList<InterfaceAddress> GetAddresses(string? interfaceName = null)
    {
        var links = GetLinks();
        if (interfaceName is not null && links.All(l => l.Name != interfaceName)) throw new InterfaceNotFoundException(interfaceName, NetworkNamespace);
        var names = links.ToDictionary(l => l.Index, l => l.Name);
        var w = new NetlinkWriter();
        var seq = _socket.NextSequence();
        RouteNetlinkCodec.WriteGetAddresses(w, seq);
        var all = Run("list addresses", () => _socket.Request(w, seq, "RTM_GETADDR")
            .Where(m => m.Type == RouteNetlinkCodec.RTM_NEWADDR)
            .Select(m => RouteNetlinkCodec.DecodeAddress(m, names))
            .OfType<InterfaceAddress>()
            .ToList());
        return all.Where(a => interfaceName is null || a.InterfaceName == interfaceName)
            .OrderBy(a => a.InterfaceIndex).ThenBy(a => a.Family == AddressFamily.InterNetwork ? 0 : 1)
            .ToList();
    }

    /// <summary>
    /// Adds <paramref name="address"/>/<paramref name="prefixLength"/> (default /32 or /128) to the interface, with an
    /// optional IPv4 label (e.g. "lo:0"). Validates first (HostValidation). Errors: InterfaceNotFound,
    /// AddressOnOtherInterface (checked before sending), AddressExists (already on this interface),
    /// AddressPermissionDenied, AddressError.
    /// </summary>
    public void AddAddress(string interfaceName, IPAddress address, int? prefixLength = null, string? label = null)
    {
        var prefix = HostValidation.ValidateAddress(address, prefixLength);
        HostValidation.ValidateInterfaceName(interfaceName);
        if (label is not null) HostValidation.ValidateLabel(label, interfaceName, address);
        var link = RequireLink(interfaceName);
        var existing = GetAddresses().FirstOrDefault(a => a.Address.Equals(address));
        if (existing is not null && existing.InterfaceIndex != link.Index)
            throw new AddressOnOtherInterfaceException(address, interfaceName, existing.InterfaceName);
        if (existing is not null)
            throw new HostSetupException($"Address {address} is already configured on '{interfaceName}' ({existing.Cidr}).", IpvsErrorKind.AlreadyExists, "AddressExists", E.EEXIST);
        var w = new NetlinkWriter();
        var seq = _socket.NextSequence();
        RouteNetlinkCodec.WriteAddress(w, seq, true, link.Index, address, prefix, label);
        Send(w, seq, $"add address {address}/{prefix} to {interfaceName}");
    }

    /// <summary>
    /// Removes <paramref name="address"/> from the interface (prefix: the configured one when null). Errors:
    /// InterfaceNotFound, AddressNotFound, AddressPermissionDenied.
    /// </summary>
    public void RemoveAddress(string interfaceName, IPAddress address, int? prefixLength = null)
    {
        HostValidation.ValidateInterfaceName(interfaceName);
        if (prefixLength is not null) HostValidation.ValidateAddress(address, prefixLength);
        var link = RequireLink(interfaceName);
        var existing = GetAddresses(interfaceName).FirstOrDefault(a => a.Address.Equals(address) && (prefixLength is null || a.PrefixLength == prefixLength));
        if (existing is null)
            throw new HostSetupException($"Address {address}{(prefixLength is null ? "" : "/" + prefixLength)} is not configured on '{interfaceName}'.", IpvsErrorKind.NotFound, "AddressNotFound", E.EADDRNOTAVAIL);
        var w = new NetlinkWriter();
        var seq = _socket.NextSequence();
        RouteNetlinkCodec.WriteAddress(w, seq, false, link.Index, address, existing.PrefixLength, null);
        Send(w, seq, $"remove address {existing.Cidr} from {interfaceName}");
    }

    /// <summary>Sets IFF_UP (or clears it) on the interface. Errors: InterfaceNotFound, LinkPermissionDenied.</summary>
    public void SetLinkUp(string interfaceName, bool up = true)
    {
        HostValidation.ValidateInterfaceName(interfaceName);
        var link = RequireLink(interfaceName);
        var w = new NetlinkWriter();
        var seq = _socket.NextSequence();
        RouteNetlinkCodec.WriteSetLinkUp(w, seq, link.Index, up);
        Send(w, seq, $"set link {interfaceName} {(up ? "up" : "down")}");
    }

    /// <summary>
    /// The route the kernel would use for packets to <paramref name="destination"/> (ip route get). A destination
    /// with no route (ENETUNREACH, EHOSTUNREACH) is a lookup with Unreachable set, not an error.
    /// </summary>
    public RouteLookup LookupRoute(IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var names = GetLinks().ToDictionary(l => l.Index, l => l.Name);
        var w = new NetlinkWriter();
        var seq = _socket.NextSequence();
        RouteNetlinkCodec.WriteGetRoute(w, seq, destination);
        try
        {
            var replies = _socket.Request(w, seq, "RTM_GETROUTE").Where(m => m.Type == RouteNetlinkCodec.RTM_NEWROUTE).ToList();
            if (replies.Count == 0) throw new NetlinkProtocolException("RTM_GETROUTE: the kernel sent no route");
            return RouteNetlinkCodec.DecodeRoute(replies[0], destination, names);
        }
        catch (NetlinkException e) when (e.Errno is E.ENETUNREACH or E.EHOSTUNREACH)
        {
            return new RouteLookup(destination, null, null, null, true);
        }
        catch (NetlinkException e)
        {
            throw Map(e, $"look up the route to {destination}");
        }
    }

    /// <summary>
    /// Makes sure the fallback tunnel device exists: tunl0 (kind ipip) or ip6tnl0 (kind ip6tnl). When it is missing
    /// this asks the kernel to create it, which also loads the module (ipip / ip6_tunnel) if needed. Returns true
    /// when it had to do something. Error: TunnelNotAvailable (module missing from the kernel).
    /// </summary>
    public bool EnsureTunnelDevice(string name, string kind)
    {
        if (GetLink(name) is not null) return false;
        var w = new NetlinkWriter();
        var seq = _socket.NextSequence();
        RouteNetlinkCodec.WriteCreateLink(w, seq, name, kind);
        try
        {
            _socket.Request(w, seq, "RTM_NEWLINK");
        }
        catch (NetlinkException e) when (e.Errno is E.EEXIST or E.EINVAL && GetLink(name) is not null)
        {
            // Loading the module created the fallback device in every namespace: that is the device we wanted.
        }
        catch (NetlinkException e) when (e.Errno is E.EOPNOTSUPP or E.ENOENT)
        {
            throw new HostSetupException($"Cannot create {name}: the kernel has no '{kind}' link type (module {(kind == "ipip" ? "ipip" : "ip6_tunnel")} missing).",
                IpvsErrorKind.NotInstalled, "TunnelNotAvailable", e.Errno, e);
        }
        catch (NetlinkException e)
        {
            throw Map(e, $"create {name} ({kind})");
        }
        if (GetLink(name) is null)
            throw new HostSetupException($"The kernel accepted the request but there is no {name} device.", IpvsErrorKind.NotInstalled, "TunnelNotAvailable");
        return true;
    }

    private void Send(NetlinkWriter w, uint seq, string what)
    {
        try
        {
            _socket.Request(w, seq, what);
        }
        catch (NetlinkException e)
        {
            throw Map(e, what);
        }
    }

    private static T Run<T>(string what, Func<T> f)
    {
        try
        {
            return f();
        }
        catch (NetlinkException e)
        {
            throw Map(e, what);
        }
    }

    internal static HostSetupException Map(NetlinkException e, string what) => e.Errno switch
    {
        E.EPERM or E.EACCES => new HostSetupException($"{what}: permission denied. Changing addresses and links needs root or CAP_NET_ADMIN (run pwsh with sudo).",
            IpvsErrorKind.PermissionDenied, "HostPermissionDenied", e.Errno, e),
        E.EEXIST => new HostSetupException($"{what}: {e.Message}", IpvsErrorKind.AlreadyExists, "AddressExists", e.Errno, e),
        E.EADDRNOTAVAIL => new HostSetupException($"{what}: {e.Message}", IpvsErrorKind.NotFound, "AddressNotFound", e.Errno, e),
        E.ENODEV => new HostSetupException($"{what}: {e.Message}", IpvsErrorKind.NotFound, "InterfaceNotFound", e.Errno, e),
        E.EINVAL or E.ERANGE => new HostSetupException($"{what}: {e.Message}", IpvsErrorKind.InvalidArgument, "RouteNetlinkInvalidArgument", e.Errno, e),
        _ => new HostSetupException($"{what}: {e.Message}", IpvsErrorKind.Other, "RouteNetlinkError", e.Errno, e),
    };

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();
}
