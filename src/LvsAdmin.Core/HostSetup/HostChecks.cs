using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace LvsAdmin.HostSetup;

/// <summary>
/// Pure checks of a snapshot against a setup: one <see cref="HostFinding"/> per check, with what is wrong and the
/// cmdlet that fixes it. Input is validated like the planner does.
/// </summary>
public static class HostChecks
{
    private static string Ns(string? networkNamespace) => networkNamespace is null ? "" : " -NetworkNamespace " + networkNamespace;

    private static HostFinding Finding(string check, string target, bool passed, string expected, string actual, string problem, string fix) =>
        new(check, target, passed, expected, actual, passed ? "OK" : problem, passed ? null : fix);

    private static string Show(string? value) => value ?? "missing";

    /// <summary>Test-LvsRealServer.</summary>
    public static IReadOnlyList<HostFinding> RealServer(HostSnapshot snapshot, RealServerSetup setup, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(setup);
        var vips = HostPlanner.ParseVips(setup.VirtualAddresses, hostOnly: true);
        var arp = HostPlanner.ArpInterfaces(snapshot, setup.InterfaceNames, requireExisting: false);
        var ns = Ns(networkNamespace);
        var mode = setup.Mode == RealServerMode.Tunnel ? "Tunnel" : "DirectRouting";
        var init = $"Initialize-LvsRealServer -Mode {mode} -VirtualAddress {string.Join(",", vips.Select(v => v.Address))}{ns}";
        var list = new List<HostFinding>();
        var v4 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetwork);
        var v6 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetworkV6);

        if (setup.Mode == RealServerMode.Tunnel)
        {
            foreach (var (dev, module, need) in new[] { ("tunl0", "ipip", v4), ("ip6tnl0", "ip6_tunnel", v6) })
            {
                if (!need) continue;
                var link = snapshot.Link(dev);
                list.Add(Finding("TunnelDevice", dev, link is not null, "present", link is null ? "missing" : "present",
                    $"There is no {dev} device: the {module} module is not loaded, so IPIP packets from the director are dropped.", init));
                list.Add(Finding("TunnelUp", dev, link?.IsUp == true, "up", link is null ? "missing" : link.IsUp ? "up" : "down",
                    $"{dev} is not up: the kernel does not decapsulate the director's packets on a down device.", init));
            }
        }

        foreach (var (a, p) in vips)
        {
            var dev = HostPlanner.RealServerInterface(setup.Mode, a);
            var on = snapshot.Addresses.Where(x => x.Address.Equals(a)).ToList();
            var good = on.Any(x => x.InterfaceName == dev && x.PrefixLength == p);
            var actual = on.Count == 0 ? "absent" : string.Join(", ", on.Select(x => $"{x.Cidr} on {x.InterfaceName}"));
            string problem, fix;
            if (on.Count == 0)
            {
                problem = $"The VIP {a} is not configured: the real server drops packets for it.";
                fix = $"Add-LvsVirtualAddress -Address {a} -InterfaceName {dev}{ns}";
            }
            else if (on.All(x => x.InterfaceName != dev))
            {
                var other = on[0].InterfaceName;
                problem = $"The VIP {a} is on {other}, not on {dev}: {(setup.Mode == RealServerMode.DirectRouting && a.AddressFamily == AddressFamily.InterNetwork ? "the real server answers ARP for it and steals the VIP from the director" : "it must be on " + dev)}.";
                fix = $"Add-LvsVirtualAddress -Address {a} -InterfaceName {dev} -Force{ns}";
            }
            else
            {
                problem = $"The VIP {a} is on {dev} with the wrong prefix ({actual}); it must be a host address /{p}.";
                fix = $"Add-LvsVirtualAddress -Address {a}/{p} -InterfaceName {dev} -Force{ns}";
            }
            list.Add(Finding("VirtualAddress", $"{a} on {dev}", good, $"{a}/{p} on {dev}", actual, problem, fix));
        }

        if (v4)
        {
            var arpIfaces = arp.Where(i => i is "all" or "lo" || setup.InterfaceNames is not null || snapshot.Link(i) is not null).ToList();
            var ifArg = setup.InterfaceNames is null ? "" : " -InterfaceName " + string.Join(",", setup.InterfaceNames);
            foreach (var i in arpIfaces)
            {
                var ig = SysctlStore.IPv4Key(i, "arp_ignore");
                var igv = snapshot.Sysctl(ig)?.Trim();
                list.Add(Finding("ArpIgnore", ig, igv is "1" or "2", "1", Show(igv),
                    igv is null ? $"Interface {i} does not exist or has no IPv4 configuration." : $"arp_ignore is {igv} on {i}: the real server answers ARP requests for the VIP and takes traffic away from the director.",
                    $"Set-LvsRealServerArp{ifArg}{ns}"));
                var an = SysctlStore.IPv4Key(i, "arp_announce");
                var anv = snapshot.Sysctl(an)?.Trim();
                list.Add(Finding("ArpAnnounce", an, anv == "2", "2", Show(anv),
                    anv is null ? $"Interface {i} does not exist or has no IPv4 configuration." : $"arp_announce is {anv} on {i}: ARP requests may carry the VIP as source and poison the neighbours' caches.",
                    $"Set-LvsRealServerArp{ifArg}{ns}"));
            }
            if (setup.Mode == RealServerMode.Tunnel)
            {
                foreach (var i in new[] { "all", "tunl0" })
                {
                    var key = SysctlStore.IPv4Key(i, "rp_filter");
                    var v = snapshot.Sysctl(key)?.Trim();
                    list.Add(Finding("RpFilter", key, v is "0" or "2", "0", Show(v),
                        v is null ? $"{key} is missing (no {i} device?)." : $"rp_filter is {v} on {i} (the kernel uses the maximum of all and tunl0): strict reverse-path filtering drops the decapsulated client packets.",
                        init));
                }
            }
        }
        return list;
    }

    /// <summary>
    /// Where a NAT real server's replies to clients go: the destination looked up for each address family of its
    /// real-server addresses, standing for a client outside its own networks (TEST-NET-2 and an IPv6 documentation
    /// address: the route clients on the Internet get, normally the default route).
    /// </summary>
    public static IPAddress ClientProbe(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? IPAddress.Parse("2001:db8:ffff:ffff::1") : IPAddress.Parse("198.51.100.1");

    /// <summary>The address families of <paramref name="addresses"/>, IPv4 first: one route-back check each.</summary>
    public static IEnumerable<AddressFamily> RouteBackFamilies(IEnumerable<IPAddress> addresses) =>
        addresses.Select(a => a.AddressFamily).Distinct().OrderBy(f => f == AddressFamily.InterNetworkV6 ? 1 : 0);

    /// <summary>The director's addresses a route back of <paramref name="family"/> may go via (no loopback).</summary>
    public static List<IPAddress> DirectorAddressesOf(IEnumerable<IPAddress> directorAddresses, AddressFamily family) =>
        directorAddresses.Where(a => a.AddressFamily == family && !IPAddress.IsLoopback(a)).ToList();

    /// <summary>
    /// LVS-NAT: the replies of a real server must go back through the director, which rewrites their source to the
    /// VIP; replies that bypass it reach the client from the real server's own address and are dropped. One RouteBack
    /// finding per route (see <see cref="ClientProbe"/>): passed when its gateway is one of the director's addresses.
    /// Checked only: the fix is the route to add, never applied.
    /// </summary>
    public static IReadOnlyList<HostFinding> NatRouteBack(IReadOnlyList<RouteLookup> routes, IReadOnlyCollection<IPAddress> directorAddresses)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(directorAddresses);
        var list = new List<HostFinding>();
        foreach (var r in routes)
        {
            var family = r.Destination.AddressFamily;
            var director = DirectorAddressesOf(directorAddresses, family);
            var target = $"replies to clients (route to {r.Destination})";
            if (director.Count == 0)
            {
                list.Add(Finding("RouteBack", target, false, "via the director", r.ToString(),
                    $"No {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address of the director is known, so the route back cannot be checked: give the director's addresses (-DirectorAddress).",
                    "-DirectorAddress <the director's address on this real server's network>"));
                continue;
            }
            var passed = !r.Unreachable && r.Gateway is { } g && director.Any(d => d.Equals(g));
            var problem = r.Unreachable
                ? "The real server has no route to clients: LVS-NAT replies must go back through the director."
                : r.Gateway is null
                    ? $"Replies to clients leave on-link ({r}), not through the director: it never sees them to rewrite their source to the VIP, and the client drops them."
                    : $"Replies to clients go via {r.Gateway}, not through the director ({string.Join(" or ", director)}): it never sees them to rewrite their source to the VIP, and the client drops them.";
            list.Add(Finding("RouteBack", target, passed, "via " + string.Join(" or ", director), r.ToString(), problem,
                $"ip {(family == AddressFamily.InterNetworkV6 ? "-6 " : "")}route replace default via {director[0]} (on the real server; LvsAdmin checks this route, it does not change it)"));
        }
        return list;
    }

    /// <summary>
    /// <see cref="NatRouteBack(IReadOnlyList{RouteLookup}, IReadOnlyCollection{IPAddress})"/> on this host: one lookup
    /// per address family of <paramref name="realServerAddresses"/>.
    /// </summary>
    public static IReadOnlyList<HostFinding> NatRouteBack(RouteNetlinkClient route, IEnumerable<IPAddress> realServerAddresses, IReadOnlyCollection<IPAddress> directorAddresses)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(realServerAddresses);
        var routes = RouteBackFamilies(realServerAddresses).Select(f => route.LookupRoute(ClientProbe(f))).ToList();
        return NatRouteBack(routes, directorAddresses);
    }

    /// <summary>Test-LvsDirector.</summary>
    public static IReadOnlyList<HostFinding> Director(HostSnapshot snapshot, DirectorSetup setup, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(setup);
        if (string.IsNullOrEmpty(setup.InterfaceName))
            throw new Ipvs.IpvsValidationException("InterfaceName", "Give the interface that has the virtual addresses (-InterfaceName).", "MissingInterfaceName");
        HostValidation.ValidateInterfaceName(setup.InterfaceName);
        var vips = HostPlanner.ParseVips(setup.VirtualAddresses, hostOnly: false);
        var ns = Ns(networkNamespace);
        var dev = setup.InterfaceName;
        var init = $"Initialize-LvsDirector -Mode {setup.Mode} -VirtualAddress {string.Join(",", vips.Select(v => v.Address))} -InterfaceName {dev}{ns}";
        var list = new List<HostFinding>();
        var v4 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetwork);
        var v6 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetworkV6);

        var ipvs = snapshot.ModuleLoaded("ip_vs") || snapshot.Sysctl("net.ipv4.vs.amemthresh") is not null;
        list.Add(Finding("IpvsModule", "ip_vs", ipvs, "loaded", ipvs ? "loaded" : "not loaded",
            "The ip_vs kernel module is not loaded: the director cannot balance anything.", "modprobe ip_vs (and add ip_vs to /etc/modules-load.d/)"));

        var link = snapshot.Link(dev);
        list.Add(Finding("InterfaceUp", dev, link?.IsUp == true, "up", link is null ? "missing" : link.IsUp ? "up" : "down",
            link is null ? $"Interface {dev} does not exist." : $"Interface {dev} is down.", link is null ? $"Check -InterfaceName (Get-LvsVirtualAddress lists the interfaces){ns}" : $"ip link set {dev} up"));

        foreach (var (a, p) in vips)
        {
            var on = snapshot.Addresses.Where(x => x.Address.Equals(a)).ToList();
            var good = on.Any(x => x.InterfaceName == dev);
            var actual = on.Count == 0 ? "absent" : string.Join(", ", on.Select(x => $"{x.Cidr} on {x.InterfaceName}"));
            list.Add(Finding("VirtualAddress", $"{a} on {dev}", good, $"{a}/{p} on {dev}", actual,
                on.Count == 0 ? $"The VIP {a} is not configured: clients' packets for it never reach the director." : $"The VIP {a} is on {on[0].InterfaceName}, not on {dev}.",
                on.Count == 0 ? $"Add-LvsVirtualAddress -Address {a}/{p} -InterfaceName {dev}{ns}" : $"Add-LvsVirtualAddress -Address {a}/{p} -InterfaceName {dev} -Force{ns}"));
        }

        if (setup.Mode == DirectorMode.Nat && v4)
        {
            var v = snapshot.Sysctl(HostPlanner.IpForwardKey)?.Trim();
            list.Add(Finding("IpForward", HostPlanner.IpForwardKey, v == "1", "1", Show(v),
                "IPv4 forwarding is off: the real servers' replies are not routed back to the clients (NAT needs the director as their gateway).", init));
        }
        if (setup.Mode == DirectorMode.Nat && v6)
        {
            var v = snapshot.Sysctl(HostPlanner.Ipv6ForwardingKey)?.Trim();
            list.Add(Finding("Ipv6Forwarding", HostPlanner.Ipv6ForwardingKey, v == "1", "1", Show(v),
                "IPv6 forwarding is off: the real servers' IPv6 replies are not routed back to the clients.", init));
        }
        if (v4)
        {
            // Every interface: the kernel sends redirects out of one when all OR the interface has send_redirects on.
            foreach (var i in HostPlanner.SendRedirectsDevices(snapshot, dev))
            {
                var key = SysctlStore.IPv4Key(i, "send_redirects");
                var v = snapshot.Sysctl(key)?.Trim();
                var where = i is "all" or "default" ? $"'{i}'" : $"interface {i}";
                list.Add(Finding("SendRedirects", key, v == "0", "0", Show(v),
                    v is null ? $"{key} is missing (no {i} device?)." : $"send_redirects is {v} on {where}: the director may send ICMP redirects telling clients to bypass it (one-armed setups).",
                    init));
            }
        }
        if (setup.IpvsSettings is not null)
        {
            foreach (var (k, val) in setup.IpvsSettings)
            {
                var d = IpvsSysctls.Require(k);
                var want = IpvsSysctls.Validate(d, val);
                var cur = snapshot.Sysctl(d.Key);
                var have = cur is null ? null : IpvsSysctls.Normalize(cur);
                list.Add(Finding("IpvsSysctl", d.Key, have == want, want, Show(have),
                    have is null ? $"{d.Key} does not exist (ip_vs not loaded, or this kernel lacks it)." : $"{d.Key} is {have}, expected {want}: {d.Description}",
                    $"Set-LvsSysctl -{d.PropertyName} {(want.Contains(' ') ? "'" + want + "'" : want)}{ns}"));
            }
        }
        return list;
    }
}

/// <summary>Applies changes through a <see cref="HostSetupClient"/>.</summary>
internal static class HostApplier
{
    public static void Apply(HostSetupClient client, HostChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        switch (change.Kind, change.Action)
        {
            case (HostChangeKind.Sysctl, HostChangeAction.Set):
                client.Sysctls.Write(change.Target, change.After!);
                break;
            case (HostChangeKind.Address, HostChangeAction.Add):
                client.Route.AddAddress(change.InterfaceName!, change.Address!, change.PrefixLength, change.Label);
                break;
            case (HostChangeKind.Address, HostChangeAction.Remove):
                client.Route.RemoveAddress(change.InterfaceName!, change.Address!, change.PrefixLength);
                break;
            case (HostChangeKind.Link, HostChangeAction.Up):
            case (HostChangeKind.Link, HostChangeAction.Down):
                client.Route.SetLinkUp(change.InterfaceName!, change.Action == HostChangeAction.Up);
                break;
            case (HostChangeKind.KernelModule, HostChangeAction.Load):
                client.Route.EnsureTunnelDevice(change.InterfaceName!, change.LinkKind!);
                break;
            case (HostChangeKind.File, _):
                FileChange(change.Action, change.Target, change.Content, change.FileMode);
                break;
            default:
                throw new ArgumentException($"Cannot apply {change.Kind} {change.Action}.", nameof(change));
        }
    }

    public static IReadOnlyList<HostChangeResult> Apply(HostSetupClient client, HostPlan plan, Func<HostChange, bool>? shouldProcess)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var results = new List<HostChangeResult>();
        var applied = new List<HostChange>();
        var failed = false;
        foreach (var c in plan.Changes)
        {
            if (failed || (shouldProcess is not null && !shouldProcess(c)))
            {
                results.Add(new HostChangeResult(c, HostChangeStatus.Skipped));
                continue;
            }
            var change = c;
            if (c.Kind == HostChangeKind.File && c.Action == HostChangeAction.Write && c.Target == plan.RecordPath && plan.Record is not null)
            {
                if (applied.All(a => a.Kind == HostChangeKind.File))
                {
                    results.Add(new HostChangeResult(c, HostChangeStatus.Skipped));
                    continue;
                }
                change = c with { Content = HostRecordFile.Serialize(HostPlanner.Merge(plan.Record, applied)) };
            }
            try
            {
                Apply(client, change);
                applied.Add(change);
                results.Add(new HostChangeResult(change, HostChangeStatus.Applied));
            }
            catch (Exception e) when (e is Ipvs.IpvsException or LvsAdmin.Netlink.NetlinkException or System.IO.IOException or UnauthorizedAccessException)
            {
                failed = true;
                results.Add(new HostChangeResult(change, HostChangeStatus.Failed, e));
            }
        }
        // A failure part-way still leaves a record of what was applied, so Reset can undo it.
        if (failed && plan.RecordPath is not null && plan.Record is not null && plan.Changes.Any(c => c.Target == plan.RecordPath && c.Action == HostChangeAction.Write)
            && applied.Any(a => a.Kind != HostChangeKind.File))
        {
            try
            {
                FileChange(HostChangeAction.Write, plan.RecordPath, HostRecordFile.Serialize(HostPlanner.Merge(plan.Record, applied)), null);
            }
            catch (Exception e) when (e is Ipvs.IpvsException or System.IO.IOException or UnauthorizedAccessException)
            {
                // the first failure is what the caller sees
            }
        }
        return results;
    }

    internal static void FileChange(HostChangeAction action, string path, string? content, int? mode)
    {
        try
        {
            switch (action)
            {
                case HostChangeAction.Write:
                {
                    var dir = System.IO.Path.GetDirectoryName(path);
                    if (!string.IsNullOrEmpty(dir)) System.IO.Directory.CreateDirectory(dir);
                    var tmp = path + ".lvsadmin-tmp";
                    System.IO.File.WriteAllText(tmp, content ?? "");
                    if (!OperatingSystem.IsWindows())
                        System.IO.File.SetUnixFileMode(tmp, (System.IO.UnixFileMode)(mode ?? 0x1A4 /* 0644 */));
                    System.IO.File.Move(tmp, path, overwrite: true);
                    break;
                }
                case HostChangeAction.Delete:
                    if (System.IO.File.Exists(path) || new System.IO.FileInfo(path).LinkTarget is not null) System.IO.File.Delete(path);
                    break;
                case HostChangeAction.Symlink:
                {
                    var dir = System.IO.Path.GetDirectoryName(path);
                    if (!string.IsNullOrEmpty(dir)) System.IO.Directory.CreateDirectory(dir);
                    if (System.IO.File.Exists(path) || new System.IO.FileInfo(path).LinkTarget is not null) System.IO.File.Delete(path);
                    System.IO.File.CreateSymbolicLink(path, content!);
                    break;
                }
                default:
                    throw new ArgumentException($"Cannot apply File {action}.", nameof(action));
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new HostSetupException($"Cannot {action.ToString().ToLowerInvariant()} {path}: permission denied (run as root).", Ipvs.IpvsErrorKind.PermissionDenied, "PersistFileError", LvsAdmin.Netlink.Errno.EACCES, e);
        }
        catch (System.IO.IOException e)
        {
            throw new HostSetupException($"Cannot {action.ToString().ToLowerInvariant()} {path}: {e.Message}", Ipvs.IpvsErrorKind.Other, "PersistFileError", 0, e);
        }
    }
}
