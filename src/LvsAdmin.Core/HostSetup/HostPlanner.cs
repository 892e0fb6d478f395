using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Ipvs;

namespace LvsAdmin.HostSetup;

/// <summary>
/// Pure planning over a <see cref="HostSnapshot"/>: the changes that bring the host to the requested setup, in a
/// safe order (ARP sysctls before a VIP appears on lo). Items already as requested are left out, so an empty plan
/// means "nothing to do". Input is validated first (IpvsValidationException).
/// </summary>
public static class HostPlanner
{
    /// <summary>Role name of real-server records.</summary>
    public const string RealServerRole = "RealServer";
    /// <summary>Role name of director records.</summary>
    public const string DirectorRole = "Director";

    /// <summary>Link kinds that are tunnels (never get ARP settings by default).</summary>
    public static readonly IReadOnlyCollection<string> TunnelKinds = new HashSet<string>(StringComparer.Ordinal)
        { "ipip", "ip6tnl", "gre", "gretap", "ip6gre", "ip6gretap", "sit", "vti", "vti6", "wireguard", "fou", "tun" };

    internal static readonly string[] ConfNames = { "arp_ignore", "arp_announce", "rp_filter", "send_redirects" };

    /// <summary>net.ipv4.ip_forward.</summary>
    public const string IpForwardKey = "net.ipv4.ip_forward";
    /// <summary>net.ipv6.conf.all.forwarding.</summary>
    public const string Ipv6ForwardingKey = "net.ipv6.conf.all.forwarding";

    /// <summary>The sysctl keys a snapshot reads: arp_ignore, arp_announce, rp_filter, send_redirects of all, default and every link; forwarding; the IPVS catalog.</summary>
    public static IReadOnlyList<string> SysctlKeys(IEnumerable<LinkInfo> links)
    {
        var keys = new List<string>();
        foreach (var name in new[] { "all", "default" }.Concat(links.Select(l => l.Name)))
            foreach (var c in ConfNames) keys.Add(SysctlStore.IPv4Key(name, c));
        keys.Add(IpForwardKey);
        keys.Add(Ipv6ForwardingKey);
        keys.AddRange(HostSetup.IpvsSysctls.All.Select(d => d.Key));
        return keys;
    }

    /// <summary>StateDirectory/realserver.json (director.json); with a namespace, realserver@NAME.json (NAME: the /run/netns name or the path made safe).</summary>
    public static string RecordPath(string stateDirectory, string role, string? networkNamespace)
    {
        var name = role.ToLowerInvariant();
        if (networkNamespace is not null)
        {
            var ns = networkNamespace.StartsWith("/run/netns/", StringComparison.Ordinal) ? networkNamespace["/run/netns/".Length..] : networkNamespace;
            var safe = new string(ns.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray()).Trim('_');
            name += "@" + (safe.Length == 0 ? "ns" : safe);
        }
        return Path.Combine(stateDirectory, name + ".json");
    }

    // ---------------------------------------------------------------- inputs

    internal static List<(IPAddress Address, int Prefix)> ParseVips(IReadOnlyList<string>? vips, bool hostOnly)
    {
        if (vips is null || vips.Count == 0)
            throw new IpvsValidationException("VirtualAddress", "Give at least one virtual address (-VirtualAddress).", "MissingVirtualAddress");
        var list = new List<(IPAddress Address, int Prefix)>();
        foreach (var v in vips)
        {
            var (a, p) = HostValidation.ParseAddress(v, null, "VirtualAddress");
            var max = a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (hostOnly && p != max)
                throw new IpvsValidationException("PrefixLength", $"Virtual address {v}: a real server's VIP must be a host address (/{max}); a shorter prefix on lo or a tunnel would claim the whole subnet.", "InvalidPrefixLength");
            if (list.Any(x => x.Address.Equals(a))) continue;
            list.Add((a, p));
        }
        return list;
    }

    private static void ValidateMode<T>(T mode) where T : struct, Enum
    {
        if (!Enum.IsDefined(mode)) throw new IpvsValidationException("Mode", $"Unknown mode '{mode}'. Valid: {string.Join(", ", Enum.GetNames<T>())}.", "InvalidMode");
    }

    /// <summary>The interfaces that get ARP settings by default: up, not loopback, not a tunnel, with an IPv4 address.</summary>
    public static IReadOnlyList<string> DefaultArpInterfaces(HostSnapshot snapshot) =>
        snapshot.Links.Where(l => l.IsUp && !l.IsLoopback && (l.Kind is null || !TunnelKinds.Contains(l.Kind)) &&
                                  snapshot.Addresses.Any(a => a.InterfaceIndex == l.Index && a.Family == AddressFamily.InterNetwork))
            .Select(l => l.Name).ToList();

    internal static List<string> ArpInterfaces(HostSnapshot snapshot, IReadOnlyList<string>? names, bool requireExisting = true)
    {
        var list = new List<string> { "all", "lo" };
        if (names is null) list.AddRange(DefaultArpInterfaces(snapshot));
        else
        {
            foreach (var n in names)
            {
                HostValidation.ValidateInterfaceName(n);
                if (requireExisting && snapshot.Link(n) is null) throw new InterfaceNotFoundException(n);
                list.Add(n);
            }
        }
        return list.Distinct(StringComparer.Ordinal).ToList();
    }

    // ---------------------------------------------------------------- builder

    private sealed class Builder
    {
        private readonly HostSnapshot _s;
        private readonly string? _ns;
        public readonly List<HostChange> Modules = new();
        public readonly List<HostChange> Sysctls = new();
        public readonly List<HostChange> Links = new();
        public readonly List<HostChange> Addresses = new();
        public readonly Dictionary<string, string?> PersistSysctls = new(StringComparer.Ordinal);
        public readonly List<PersistedAddress> PersistAdd = new();
        public readonly List<PersistedAddress> PersistRemove = new();
        public readonly HashSet<string> PendingLinks = new(StringComparer.Ordinal);

        public Builder(HostSnapshot s, string? ns)
        {
            _s = s;
            _ns = ns;
        }

        public void Sysctl(string key, string value, string why, bool persist)
        {
            if (persist) PersistSysctls[key] = value;
            if (Sysctls.Any(c => c.Target == key)) return;
            var current = _s.Sysctl(key);
            if (current is null)
            {
                // A device created by this plan has no conf directory yet: set it after it exists.
                var dev = InterfaceOfKey(key);
                if (dev is null || !PendingLinks.Contains(dev)) throw SysctlException.NotFound(key);
            }
            else if (HostSetup.IpvsSysctls.Normalize(current) == value) return;
            Sysctls.Add(new HostChange(HostChangeKind.Sysctl, HostChangeAction.Set, key, current, value, $"Set {key} = {value} ({why})"));
        }

        public void Tunnel(string name, string kind, string module)
        {
            if (_s.Link(name) is not null) return;
            PendingLinks.Add(name);
            Modules.Add(new HostChange(HostChangeKind.KernelModule, HostChangeAction.Load, $"{module} ({name})", "absent", name,
                $"Create the fallback tunnel device {name} (loads the {module} module if needed)") { InterfaceName = name, LinkKind = kind });
        }

        public void LinkUp(string name, bool up = true)
        {
            var link = _s.Link(name);
            if (link is null && !PendingLinks.Contains(name)) throw new InterfaceNotFoundException(name, _ns);
            if (link is not null && link.IsUp == up) return;
            Links.Add(new HostChange(HostChangeKind.Link, up ? HostChangeAction.Up : HostChangeAction.Down, name, link is null ? "absent" : link.IsUp ? "up" : "down", up ? "up" : "down",
                $"Set link {name} {(up ? "up" : "down")}") { InterfaceName = name });
        }

        public void AddAddress(string iface, IPAddress a, int prefix, string? label, bool force, bool persist)
        {
            if (label is not null) HostValidation.ValidateLabel(label, iface, a);
            if (_s.Link(iface) is null && !PendingLinks.Contains(iface)) throw new InterfaceNotFoundException(iface, _ns);
            if (persist) PersistAdd.Add(new PersistedAddress(iface, a, prefix, label));
            foreach (var existing in _s.Addresses.Where(x => x.Address.Equals(a)).ToList())
            {
                if (existing.InterfaceName == iface && existing.PrefixLength == prefix && (label is null || existing.Label == label)) return;
                if (existing.InterfaceName != iface && !force) throw new AddressOnOtherInterfaceException(a, iface, existing.InterfaceName);
                Addresses.Add(RemoveChange(existing, existing.InterfaceName != iface ? $"move it to {iface}" : "replace its prefix or label"));
            }
            Addresses.Add(new HostChange(HostChangeKind.Address, HostChangeAction.Add, $"{a}/{prefix} dev {iface}", "absent", $"{a}/{prefix}",
                $"Add address {a}/{prefix} to {iface}{(label is null ? "" : " (label " + label + ")")}")
                { InterfaceName = iface, Address = a, PrefixLength = prefix, Label = label });
        }

        public static HostChange RemoveChange(InterfaceAddress existing, string why) =>
            new(HostChangeKind.Address, HostChangeAction.Remove, $"{existing.Cidr} dev {existing.InterfaceName}", existing.Cidr, "absent",
                $"Remove address {existing.Cidr} from {existing.InterfaceName} ({why})")
                { InterfaceName = existing.InterfaceName, Address = existing.Address, PrefixLength = existing.PrefixLength, Label = existing.Label };

        /// <summary>Removes the address if it is on the interface; true when it was.</summary>
        public bool RemoveAddress(string iface, IPAddress a, int? prefix, string why)
        {
            var existing = _s.Addresses.FirstOrDefault(x => x.Address.Equals(a) && x.InterfaceName == iface && (prefix is null || x.PrefixLength == prefix));
            if (existing is null) return false;
            Addresses.Add(RemoveChange(existing, why));
            return true;
        }

        public List<HostChange> Build(bool persist, bool sysctlsFirst = true)
        {
            var list = new List<HostChange>();
            list.AddRange(Modules);
            if (sysctlsFirst)
            {
                list.AddRange(Sysctls);
                list.AddRange(Links);
                list.AddRange(Addresses);
            }
            else
            {
                list.AddRange(Addresses);
                list.AddRange(Links);
                list.AddRange(Sysctls);
            }
            if (persist) list.AddRange(HostPersistence.Plan(_s, PersistSysctls, PersistAdd, PersistRemove, _ns));
            return list;
        }
    }

    private static string? InterfaceOfKey(string key)
    {
        const string prefix = "net.ipv4.conf.";
        if (!key.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var rest = key[prefix.Length..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? null : rest[..dot].Replace('/', '.');
    }

    private static HostChange RecordChange(string path, HostSetupRecord record, bool existed) =>
        new(HostChangeKind.File, HostChangeAction.Write, path, existed ? "previous record" : "absent", "undo record",
            $"Write the undo record {path} (what Reset needs to restore the previous state)") { Content = HostRecordFile.Serialize(record) };

    /// <summary>The record after applying <paramref name="applied"/> on top of <paramref name="record"/>: the first Before of a key wins.</summary>
    internal static HostSetupRecord Merge(HostSetupRecord record, IEnumerable<HostChange> applied)
    {
        var sysctls = record.Sysctls.ToList();
        var addresses = record.Addresses.ToList();
        var links = record.LinksUp.ToList();
        var tunnels = record.TunnelsCreated.ToList();
        foreach (var c in applied)
        {
            switch (c.Kind, c.Action)
            {
                case (HostChangeKind.Sysctl, HostChangeAction.Set):
                    var i = sysctls.FindIndex(r => r.Key == c.Target);
                    if (i >= 0) sysctls[i] = sysctls[i] with { After = c.After! };
                    else sysctls.Add(new RecordedSysctl(c.Target, c.Before, c.After!));
                    break;
                case (HostChangeKind.Address, HostChangeAction.Add):
                    var text = c.Address!.ToString();
                    addresses.RemoveAll(r => r.Address == text && r.InterfaceName == c.InterfaceName);
                    addresses.Add(new RecordedAddress(c.InterfaceName!, text, c.PrefixLength, c.Label));
                    break;
                case (HostChangeKind.Link, HostChangeAction.Up):
                    if (!links.Contains(c.InterfaceName!)) links.Add(c.InterfaceName!);
                    break;
                case (HostChangeKind.KernelModule, HostChangeAction.Load):
                    if (!tunnels.Contains(c.InterfaceName!)) tunnels.Add(c.InterfaceName!);
                    break;
            }
        }
        return record with { Sysctls = sysctls, Addresses = addresses, LinksUp = links, TunnelsCreated = tunnels };
    }

    private static HostPlan WithRecord(string operation, List<HostChange> changes, HostSetupRecord? previous, HostSetupRecord fresh, string? recordPath)
    {
        var basis = previous is null ? fresh : previous with { Mode = fresh.Mode };
        if (recordPath is not null && changes.Any(c => c.Kind != HostChangeKind.File))
            changes.Add(RecordChange(recordPath, Merge(basis, changes), previous is not null));
        return new HostPlan(operation, changes, basis, recordPath);
    }

    // ---------------------------------------------------------------- real server

    /// <summary>The interface a real server's VIP goes on: lo (DR), tunl0 / ip6tnl0 (TUN).</summary>
    public static string RealServerInterface(RealServerMode mode, IPAddress vip) =>
        mode == RealServerMode.DirectRouting ? "lo" : vip.AddressFamily == AddressFamily.InterNetwork ? "tunl0" : "ip6tnl0";

    /// <summary>Initialize-LvsRealServer (see API-host.md / docs for what each mode sets).</summary>
    public static HostPlan RealServer(HostSnapshot snapshot, RealServerSetup setup, HostSetupRecord? record, string? recordPath, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(setup);
        ValidateMode(setup.Mode);
        var vips = ParseVips(setup.VirtualAddresses, hostOnly: true);
        var b = new Builder(snapshot, networkNamespace);
        var v4 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetwork);
        var v6 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetworkV6);
        var arp = ArpInterfaces(snapshot, setup.InterfaceNames);
        if (setup.Mode == RealServerMode.Tunnel)
        {
            if (v4) b.Tunnel("tunl0", "ipip", "ipip");
            if (v6) b.Tunnel("ip6tnl0", "ip6tnl", "ip6_tunnel");
        }
        if (v4)
        {
            foreach (var i in arp)
            {
                b.Sysctl(SysctlStore.IPv4Key(i, "arp_ignore"), "1", "answer ARP only for addresses of the receiving interface, not the VIP on " + (setup.Mode == RealServerMode.Tunnel ? "tunl0" : "lo"), setup.Persist);
                b.Sysctl(SysctlStore.IPv4Key(i, "arp_announce"), "2", "never use the VIP as ARP source address", setup.Persist);
            }
            if (setup.Mode == RealServerMode.Tunnel)
            {
                b.Sysctl(SysctlStore.IPv4Key("all", "rp_filter"), "0", "the kernel uses max(all, tunl0): decapsulated packets from the client must pass", setup.Persist);
                b.Sysctl(SysctlStore.IPv4Key("tunl0", "rp_filter"), "0", "accept decapsulated packets whose source is not routed via tunl0", setup.Persist);
            }
        }
        if (setup.Mode == RealServerMode.Tunnel)
        {
            if (v4) b.LinkUp("tunl0");
            if (v6) b.LinkUp("ip6tnl0");
        }
        foreach (var (a, p) in vips) b.AddAddress(RealServerInterface(setup.Mode, a), a, p, null, force: false, setup.Persist);
        var changes = b.Build(setup.Persist);
        var fresh = new HostSetupRecord { Role = RealServerRole, Mode = setup.Mode.ToString(), NetworkNamespace = networkNamespace };
        return WithRecord($"Initialize real server ({setup.Mode})", changes, record, fresh, recordPath);
    }

    /// <summary>
    /// Reset-LvsRealServer: with a record, restore the recorded sysctls, remove the recorded addresses, set down the
    /// links it brought up and delete the record; without one, arp_ignore/arp_announce back to the kernel default 0
    /// (all, lo, the fallback's or the default interfaces) and the fallback's VIPs removed from lo/tunl0/ip6tnl0.
    /// </summary>
    public static HostPlan ResetRealServer(HostSnapshot snapshot, RealServerSetup? fallback, HostSetupRecord? record, string? recordPath, bool persist, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (record is not null) return Undo(snapshot, record, recordPath, persist, networkNamespace, "Reset real server");
        var b = new Builder(snapshot, networkNamespace);
        if (fallback is not null) ValidateMode(fallback.Mode);
        var vips = fallback is null || fallback.VirtualAddresses.Count == 0 ? new List<(IPAddress Address, int Prefix)>() : ParseVips(fallback.VirtualAddresses, hostOnly: false);
        foreach (var (a, _) in vips)
        {
            foreach (var dev in new[] { "lo", "tunl0", "ip6tnl0" })
            {
                if (b.RemoveAddress(dev, a, null, "reset"))
                {
                    var e = snapshot.Addresses.First(x => x.Address.Equals(a) && x.InterfaceName == dev);
                    if (persist) b.PersistRemove.Add(new PersistedAddress(dev, a, e.PrefixLength, null));
                }
                else if (persist) b.PersistRemove.Add(new PersistedAddress(dev, a, 0, null));
            }
        }
        foreach (var i in ArpInterfaces(snapshot, fallback?.InterfaceNames, requireExisting: false).Where(i => snapshot.Sysctl(SysctlStore.IPv4Key(i, "arp_ignore")) is not null))
        {
            b.Sysctl(SysctlStore.IPv4Key(i, "arp_ignore"), "0", "kernel default", false);
            b.Sysctl(SysctlStore.IPv4Key(i, "arp_announce"), "0", "kernel default", false);
            if (persist)
            {
                b.PersistSysctls[SysctlStore.IPv4Key(i, "arp_ignore")] = null;
                b.PersistSysctls[SysctlStore.IPv4Key(i, "arp_announce")] = null;
            }
        }
        if (persist && fallback?.Mode == RealServerMode.Tunnel)
        {
            b.PersistSysctls[SysctlStore.IPv4Key("all", "rp_filter")] = null;
            b.PersistSysctls[SysctlStore.IPv4Key("tunl0", "rp_filter")] = null;
        }
        return new HostPlan("Reset real server (no undo record: kernel defaults)", b.Build(persist, sysctlsFirst: false), null, recordPath);
    }

    private static HostPlan Undo(HostSnapshot snapshot, HostSetupRecord record, string? recordPath, bool persist, string? networkNamespace, string operation)
    {
        var b = new Builder(snapshot, networkNamespace);
        foreach (var a in record.Addresses)
        {
            if (!IPAddress.TryParse(a.Address, out var ip)) throw new HostSetupException($"The undo record has a bad address '{a.Address}'.", IpvsErrorKind.InvalidArgument, "HostStateInvalid");
            b.RemoveAddress(a.InterfaceName, ip, a.PrefixLength, "added by Initialize");
            if (persist) b.PersistRemove.Add(new PersistedAddress(a.InterfaceName, ip, a.PrefixLength, a.Label));
        }
        foreach (var l in record.LinksUp)
            if (snapshot.Link(l) is { IsUp: true }) b.LinkUp(l, up: false);
        foreach (var s in Enumerable.Reverse(record.Sysctls))
        {
            if (persist) b.PersistSysctls[s.Key] = null;
            if (s.Before is null || snapshot.Sysctl(s.Key) is null) continue;
            b.Sysctl(s.Key, HostSetup.IpvsSysctls.Normalize(s.Before), "value before Initialize", false);
        }
        var changes = b.Build(persist, sysctlsFirst: false);
        if (recordPath is not null)
            changes.Add(new HostChange(HostChangeKind.File, HostChangeAction.Delete, recordPath, "undo record", "absent", $"Delete the undo record {recordPath}"));
        return new HostPlan($"{operation} ({record.Mode}, from the undo record)", changes, record, recordPath);
    }

    // ---------------------------------------------------------------- director

    /// <summary>
    /// The devices whose send_redirects a director turns off: all, default, <paramref name="interfaceName"/> and
    /// every other existing interface that has IPv4 settings. The kernel sends a redirect out of an interface when
    /// all OR that interface has send_redirects on, so all=0 alone does not stop them; default covers interfaces
    /// made later. The guides do the same (echo 0 &gt; /proc/sys/net/ipv4/conf/*/send_redirects).
    /// </summary>
    internal static List<string> SendRedirectsDevices(HostSnapshot snapshot, string interfaceName)
    {
        var list = new List<string> { "all", "default", interfaceName };
        foreach (var l in snapshot.Links)
            if (!list.Contains(l.Name) && snapshot.Sysctl(SysctlStore.IPv4Key(l.Name, "send_redirects")) is not null) list.Add(l.Name);
        return list;
    }

    /// <summary>Initialize-LvsDirector.</summary>
    public static HostPlan Director(HostSnapshot snapshot, DirectorSetup setup, HostSetupRecord? record, string? recordPath, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(setup);
        ValidateMode(setup.Mode);
        if (string.IsNullOrEmpty(setup.InterfaceName))
            throw new IpvsValidationException("InterfaceName", "Give the interface that gets the virtual addresses (-InterfaceName).", "MissingInterfaceName");
        HostValidation.ValidateInterfaceName(setup.InterfaceName);
        var vips = ParseVips(setup.VirtualAddresses, hostOnly: false);
        var settings = ValidateIpvsSettings(setup.IpvsSettings);
        if (snapshot.Link(setup.InterfaceName) is null) throw new InterfaceNotFoundException(setup.InterfaceName, networkNamespace);
        var b = new Builder(snapshot, networkNamespace);
        var v4 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetwork);
        var v6 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetworkV6);
        if (setup.Mode == DirectorMode.Nat && v4) b.Sysctl(IpForwardKey, "1", "NAT: the director routes the real servers' replies", setup.Persist);
        if (setup.Mode == DirectorMode.Nat && v6) b.Sysctl(Ipv6ForwardingKey, "1", "NAT: the director routes the real servers' IPv6 replies", setup.Persist);
        if (v4)
        {
            foreach (var i in SendRedirectsDevices(snapshot, setup.InterfaceName))
                b.Sysctl(SysctlStore.IPv4Key(i, "send_redirects"), "0", "no ICMP redirects pointing clients past the director", setup.Persist);
        }
        AddIpvsSettings(b, snapshot, settings, setup.Persist);
        foreach (var (a, p) in vips)
            b.AddAddress(setup.InterfaceName, a, p, a.AddressFamily == AddressFamily.InterNetwork ? setup.Label : null, force: false, setup.Persist);
        var changes = b.Build(setup.Persist);
        var fresh = new HostSetupRecord { Role = DirectorRole, Mode = setup.Mode.ToString(), NetworkNamespace = networkNamespace };
        return WithRecord($"Initialize director ({setup.Mode})", changes, record, fresh, recordPath);
    }

    /// <summary>
    /// Reset-LvsDirector: with a record, the recorded state back (each send_redirects to its value before); without
    /// one, the fallback's VIPs removed from its interface, send_redirects back to the kernel default 1 on
    /// all/default/every interface, and for Nat ip_forward (and IPv6 forwarding) 0.
    /// </summary>
    public static HostPlan ResetDirector(HostSnapshot snapshot, DirectorSetup? fallback, HostSetupRecord? record, string? recordPath, bool persist, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (record is not null) return Undo(snapshot, record, recordPath, persist, networkNamespace, "Reset director");
        var b = new Builder(snapshot, networkNamespace);
        if (fallback is null || string.IsNullOrEmpty(fallback.InterfaceName))
            throw new IpvsValidationException("InterfaceName", "There is no undo record: give -InterfaceName and -VirtualAddress to reset to the kernel defaults.", "MissingInterfaceName");
        ValidateMode(fallback.Mode);
        HostValidation.ValidateInterfaceName(fallback.InterfaceName);
        var vips = fallback.VirtualAddresses.Count == 0 ? new List<(IPAddress Address, int Prefix)>() : ParseVips(fallback.VirtualAddresses, hostOnly: false);
        foreach (var (a, p) in vips)
        {
            b.RemoveAddress(fallback.InterfaceName, a, null, "reset");
            if (persist) b.PersistRemove.Add(new PersistedAddress(fallback.InterfaceName, a, p, null));
        }
        foreach (var i in SendRedirectsDevices(snapshot, fallback.InterfaceName))
        {
            var key = SysctlStore.IPv4Key(i, "send_redirects");
            if (snapshot.Sysctl(key) is not null) b.Sysctl(key, "1", "kernel default", false);
            if (persist) b.PersistSysctls[key] = null;
        }
        if (fallback.Mode == DirectorMode.Nat)
        {
            if (vips.Count == 0 || vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetwork)) b.Sysctl(IpForwardKey, "0", "kernel default", false);
            if (vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetworkV6)) b.Sysctl(Ipv6ForwardingKey, "0", "kernel default", false);
            if (persist)
            {
                b.PersistSysctls[IpForwardKey] = null;
                b.PersistSysctls[Ipv6ForwardingKey] = null;
            }
        }
        return new HostPlan("Reset director (no undo record: kernel defaults)", b.Build(persist, sysctlsFirst: false), null, recordPath);
    }

    // ---------------------------------------------------------------- single-purpose plans

    /// <summary>Set-LvsRealServerArp: arp_ignore=1, arp_announce=2 (reset: 0/0) on all, lo and the interfaces (null: the default set). No undo record.</summary>
    public static HostPlan Arp(HostSnapshot snapshot, IReadOnlyList<string>? interfaceNames, bool reset, bool persist, string? networkNamespace = null)
    {
        var b = new Builder(snapshot, networkNamespace);
        foreach (var i in ArpInterfaces(snapshot, interfaceNames))
        {
            var ig = SysctlStore.IPv4Key(i, "arp_ignore");
            var an = SysctlStore.IPv4Key(i, "arp_announce");
            b.Sysctl(ig, reset ? "0" : "1", reset ? "kernel default" : "answer ARP only for addresses of the receiving interface", persist && !reset);
            b.Sysctl(an, reset ? "0" : "2", reset ? "kernel default" : "never use a VIP as ARP source address", persist && !reset);
            if (persist && reset)
            {
                b.PersistSysctls[ig] = null;
                b.PersistSysctls[an] = null;
            }
        }
        return new HostPlan(reset ? "Reset real-server ARP settings" : "Set real-server ARP settings", b.Build(persist), null, null);
    }

    /// <summary>Add-LvsVirtualAddress: empty when already there; with <paramref name="force"/> an address on another interface is moved (else AddressOnOtherInterface).</summary>
    public static HostPlan AddAddress(HostSnapshot snapshot, string address, int? prefixLength, string interfaceName, string? label, bool force, bool persist, string? networkNamespace = null)
    {
        HostValidation.ValidateInterfaceName(interfaceName);
        var (a, p) = HostValidation.ParseAddress(address, prefixLength);
        var b = new Builder(snapshot, networkNamespace);
        b.AddAddress(interfaceName, a, p, label, force, persist);
        return new HostPlan($"Add virtual address {a}/{p} to {interfaceName}", b.Build(persist), null, null);
    }

    /// <summary>Remove-LvsVirtualAddress. AddressNotFound when it is neither on the interface nor (with persist) in the boot script.</summary>
    public static HostPlan RemoveAddress(HostSnapshot snapshot, string address, int? prefixLength, string interfaceName, bool persist, string? networkNamespace = null)
    {
        HostValidation.ValidateInterfaceName(interfaceName);
        var (a, _) = HostValidation.ParseAddress(address, prefixLength);
        if (snapshot.Link(interfaceName) is null) throw new InterfaceNotFoundException(interfaceName, networkNamespace);
        var b = new Builder(snapshot, networkNamespace);
        var found = b.RemoveAddress(interfaceName, a, prefixLength ?? (address.Contains('/') ? HostValidation.ParseAddress(address).PrefixLength : null), "requested");
        var persisted = persist && HostPersistence.ParseAddressScript(snapshot.PersistedFiles.GetValueOrDefault(HostPersistence.AddressScript))
            .Any(e => e.Address.Equals(a) && e.InterfaceName == interfaceName);
        if (!found && !persisted)
            throw new HostSetupException($"Address {a} is not configured on '{interfaceName}'.", IpvsErrorKind.NotFound, "AddressNotFound", LvsAdmin.Netlink.Errno.EADDRNOTAVAIL);
        if (persist) b.PersistRemove.Add(new PersistedAddress(interfaceName, a, 0, null));
        return new HostPlan($"Remove virtual address {a} from {interfaceName}", b.Build(persist), null, null);
    }

    /// <summary>Set-LvsSysctl: the given net.ipv4.vs.* settings only (validated; unchanged ones left out).</summary>
    public static HostPlan IpvsSysctls(HostSnapshot snapshot, IReadOnlyDictionary<string, string> values, bool persist, string? networkNamespace = null)
    {
        var settings = ValidateIpvsSettings(values);
        var b = new Builder(snapshot, networkNamespace);
        AddIpvsSettings(b, snapshot, settings, persist);
        return new HostPlan("Set IPVS sysctls", b.Build(persist), null, null);
    }

    private static List<(IpvsSysctlDefinition Definition, string Value)> ValidateIpvsSettings(IReadOnlyDictionary<string, string>? values)
    {
        var list = new List<(IpvsSysctlDefinition, string)>();
        if (values is null) return list;
        foreach (var (k, v) in values)
        {
            var d = HostSetup.IpvsSysctls.Require(k);
            list.Add((d, HostSetup.IpvsSysctls.Validate(d, v)));
        }
        return list;
    }

    private static void AddIpvsSettings(Builder b, HostSnapshot snapshot, List<(IpvsSysctlDefinition Definition, string Value)> settings, bool persist)
    {
        if (settings.Count == 0) return;
        if (HostSetup.IpvsSysctls.All.All(d => snapshot.Sysctl(d.Key) is null)) throw new IpvsNotLoadedException();
        foreach (var (d, v) in settings)
        {
            if (snapshot.Sysctl(d.Key) is null) throw SysctlException.NotFound(d.Key, "this kernel does not have it.");
            b.Sysctl(d.Key, v, d.Description, persist);
        }
    }
}

/// <summary>Reads and writes the undo record (JSON).</summary>
internal static class HostRecordFile
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string Serialize(HostSetupRecord record) => System.Text.Json.JsonSerializer.Serialize(record, Json) + "\n";

    public static HostSetupRecord? Read(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path)) return null;
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HostSetupException($"Cannot read the undo record {path}: {e.Message}", IpvsErrorKind.PermissionDenied, "HostStateInvalid", 0, e);
        }
        try
        {
            var r = System.Text.Json.JsonSerializer.Deserialize<HostSetupRecord>(text, Json);
            if (r is null || r.Version != 1) throw new HostSetupException($"The undo record {path} has an unknown format.", IpvsErrorKind.InvalidArgument, "HostStateInvalid");
            return r;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new HostSetupException($"The undo record {path} is not valid JSON: {e.Message}", IpvsErrorKind.InvalidArgument, "HostStateInvalid", 0, e);
        }
    }
}
