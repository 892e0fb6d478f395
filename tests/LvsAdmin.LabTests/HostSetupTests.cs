using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using LvsAdmin.HostSetup;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>
/// Host setup (issue 4) against the real kernel, each test in a throwaway network namespace: addresses and links
/// over rtnetlink, sysctls per namespace, the real-server and director plans, their undo, the checks, and the
/// errors (read-only /proc/sys, not root).
/// </summary>
public sealed class HostSetupTests
{
    /// <summary>A namespace "hs-NAME" with lo up and a dummy eth0 (192.168.77.2/24, 2001:db8:77::2/64) that is up.</summary>
    private sealed class Ns : IDisposable
    {
        public Ns(string name)
        {
            Name = "hs-" + name;
            LabContext.Run("ip", "netns del " + Name);
            LabContext.Sh($"ip netns add {Name} && ip -n {Name} link set lo up && ip -n {Name} link add eth0 type dummy && " +
                          $"ip -n {Name} link set eth0 up && ip -n {Name} addr add 192.168.77.2/24 dev eth0 && ip -n {Name} -6 addr add 2001:db8:77::2/64 dev eth0 nodad");
            State = Path.Combine("/tmp", "hs-state-" + name);
            Persist = Path.Combine("/tmp", "hs-persist-" + name);
            if (Directory.Exists(State)) Directory.Delete(State, true);
            if (Directory.Exists(Persist)) Directory.Delete(Persist, true);
            Client = HostSetupClient.Open(NsPath, new HostSetupOptions { StateDirectory = State, PersistRoot = Persist });
        }

        public string Name { get; }
        public string NsPath => "/run/netns/" + Name;
        public string State { get; }
        public string Persist { get; }
        public HostSetupClient Client { get; }

        public string Ip(string args) => LabContext.RunOk("ip", $"-n {Name} {args}");

        public void Dispose()
        {
            Client.Dispose();
            LabContext.Run("ip", "netns del " + Name);
        }
    }

    private static readonly string[] ConfKeys = { "arp_ignore", "arp_announce", "rp_filter", "send_redirects" };

    /// <summary>Everything the setups may touch, as text: addresses (with labels), link up states, the sysctls.</summary>
    private static string State(Ns ns)
    {
        var c = ns.Client;
        var sb = new StringBuilder();
        foreach (var l in c.Route.GetLinks()) sb.Append($"link {l.Name} up={l.IsUp}\n");
        foreach (var a in c.Route.GetAddresses().OrderBy(a => a.InterfaceName).ThenBy(a => a.Cidr)) sb.Append($"addr {a}\n");
        var keys = new List<string> { "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.ipv4.vs.conntrack" };
        foreach (var i in new[] { "all", "default", "lo", "eth0", "tunl0" })
            foreach (var k in ConfKeys) keys.Add(SysctlStore.IPv4Key(i, k));
        foreach (var (k, v) in c.Sysctls.ReadMany(keys)) sb.Append($"{k} = {v ?? "-"}\n");
        return sb.ToString();
    }

    private static void Applied(IReadOnlyList<HostChangeResult> results, string what)
    {
        foreach (var r in results)
            Check.True(r.Status == HostChangeStatus.Applied, $"{what}: {r.Change} was {r.Status}: {r.Error?.Message}");
    }

    private static HostFinding One(IReadOnlyList<HostFinding> findings, string check, string targetPart)
    {
        var f = findings.Where(x => x.Check == check && x.Target.Contains(targetPart, StringComparison.Ordinal)).ToList();
        Check.Equal(1, f.Count, $"findings {check} {targetPart}: " + string.Join("; ", findings.Select(x => x.Check + " " + x.Target)));
        return f[0];
    }

    private static void OnlyFailing(IReadOnlyList<HostFinding> findings, string check, string targetPart, string what)
    {
        var failed = findings.Where(f => !f.Passed).ToList();
        Check.True(failed.Count == 1 && failed[0].Check == check && failed[0].Target.Contains(targetPart, StringComparison.Ordinal),
            $"{what}: expected exactly {check} {targetPart} to fail, failing: " + string.Join("; ", failed.Select(f => $"{f.Check} {f.Target} ({f.Actual})")));
        Check.True(failed[0].Fix is { Length: > 0 } && failed[0].Message.Length > 5, what + ": message and fix given");
    }

    [LabTest(NeedsCleanTable = false)]
    public void AddressesAddListRemove(LabContext ctx)
    {
        using var ns = new Ns("addr");
        var r = ns.Client.Route;
        r.AddAddress("lo", IPAddress.Parse("10.77.0.100"), null, "lo:0");
        r.AddAddress("lo", IPAddress.Parse("10.77.0.101"), 32, null);
        r.AddAddress("lo", IPAddress.Parse("2001:db8:77::100"));
        r.AddAddress("eth0", IPAddress.Parse("192.168.77.50"), 24, "eth0:vip");
        var ip4 = ns.Ip("-4 addr show dev lo");
        Check.True(ip4.Contains("inet 10.77.0.100/32 scope global lo:0"), "ip shows the labelled VIP: " + ip4);
        Check.True(ip4.Contains("inet 10.77.0.101/32 scope global lo"), "ip shows the second VIP: " + ip4);
        var ip6 = ns.Ip("-6 addr show dev lo");
        Check.True(ip6.Contains("inet6 2001:db8:77::100/128"), "ip shows the IPv6 VIP: " + ip6);
        Check.True(!ip6.Contains("tentative"), "IPv6 VIP added without DAD: " + ip6);
        var list = r.GetAddresses("lo");
        var v = list.Single(a => a.Address.Equals(IPAddress.Parse("10.77.0.100")));
        Check.Equal("lo:0", v.Label, "label read back");
        Check.Equal(32, v.PrefixLength, "prefix");
        Check.Equal(AddressScope.Global, v.Scope, "scope");
        var v6 = list.Single(a => a.Address.Equals(IPAddress.Parse("2001:db8:77::100")));
        Check.Equal(128, v6.PrefixLength, "IPv6 prefix");
        Check.True(v6.NoDad && !v6.Tentative, "IPv6 flags nodad, not tentative");
        Check.True(list.Any(a => a.Address.Equals(IPAddress.Loopback) && a.Scope == AddressScope.Host), "127.0.0.1 is listed with host scope");
        var e24 = r.GetAddresses("eth0").Single(a => a.Address.Equals(IPAddress.Parse("192.168.77.50")));
        Check.Equal(24, e24.PrefixLength, "eth0 alias prefix");
        Check.Equal("eth0:vip", e24.Label, "eth0 alias label");
        var links = r.GetLinks();
        Check.True(links.Single(l => l.Name == "lo").IsLoopback, "lo is loopback");
        Check.Equal("dummy", links.Single(l => l.Name == "eth0").Kind, "eth0 kind");

        // Errors, each before anything is sent.
        var other = Check.Throws<AddressOnOtherInterfaceException>(() => r.AddAddress("eth0", IPAddress.Parse("10.77.0.100")), "VIP already on lo");
        Check.Equal("AddressOnOtherInterface", other.ErrorId, "error id");
        Check.Equal("lo", other.OtherInterface, "other interface");
        var nf = Check.Throws<InterfaceNotFoundException>(() => r.AddAddress("nosuch0", IPAddress.Parse("10.77.0.102")), "missing interface");
        Check.Equal("InterfaceNotFound", nf.ErrorId, "error id");
        Check.Equal(IpvsErrorKind.NotFound, nf.Kind, "kind");
        var dup = Check.Throws<HostSetupException>(() => r.AddAddress("lo", IPAddress.Parse("10.77.0.101")), "same address twice");
        Check.Equal("AddressExists", dup.ErrorId, "error id");
        var bad = Check.Throws<IpvsValidationException>(() => r.AddAddress("lo", IPAddress.Parse("10.77.0.103"), 128), "IPv4 /128");
        Check.Equal("InvalidPrefixLength", bad.ErrorId, "error id");
        Check.Throws<IpvsValidationException>(() => r.AddAddress("lo", IPAddress.Parse("10.77.0.103"), null, "eth0:1"), "label of another interface");
        Check.Throws<IpvsValidationException>(() => r.AddAddress("this-name-is-too-long", IPAddress.Parse("10.77.0.103")), "long name");
        var missing = Check.Throws<HostSetupException>(() => r.RemoveAddress("lo", IPAddress.Parse("10.77.0.109")), "remove missing");
        Check.Equal("AddressNotFound", missing.ErrorId, "error id");

        r.RemoveAddress("lo", IPAddress.Parse("10.77.0.100"));
        r.RemoveAddress("lo", IPAddress.Parse("2001:db8:77::100"), 128);
        r.RemoveAddress("eth0", IPAddress.Parse("192.168.77.50"));
        var after = ns.Ip("addr show");
        Check.True(!after.Contains("10.77.0.100") && !after.Contains("2001:db8:77::100") && !after.Contains("192.168.77.50"), "removed: " + after);
        Check.True(after.Contains("10.77.0.101/32"), "the other VIP stays");
        Check.True(!LabContext.RunOk("ip", "addr show").Contains("10.77.0."), "the root namespace never got the VIPs");
    }

    [LabTest(NeedsCleanTable = false)]
    public void SysctlsArePerNamespace(LabContext ctx)
    {
        using var ns = new Ns("sysctl");
        var root = new SysctlStore();
        var s = ns.Client.Sysctls;
        var rootBefore = root.Read("net.ipv4.conf.lo.arp_ignore");
        var rootConntrack = root.Read("net.ipv4.vs.conntrack");
        var target = rootBefore == "1" ? "2" : "1";
        s.Write("net.ipv4.conf.lo.arp_ignore", target);
        Check.Equal(target, s.Read("net.ipv4.conf.lo.arp_ignore"), "read back in the namespace");
        Check.Equal(target, LabContext.RunOk("ip", $"netns exec {ns.Name} cat /proc/sys/net/ipv4/conf/lo/arp_ignore").Trim(), "as seen by the kernel in the namespace");
        Check.Equal(rootBefore, root.Read("net.ipv4.conf.lo.arp_ignore"), "the root namespace is unchanged");
        IpvsSysctls.Write(s, "Conntrack", rootConntrack == "1" ? "0" : "1");
        Check.Equal(rootConntrack == "1" ? "0" : "1", s.Read("net.ipv4.vs.conntrack"), "vs.conntrack in the namespace");
        Check.Equal(rootConntrack, root.Read("net.ipv4.vs.conntrack"), "vs.conntrack of the root namespace unchanged");
        var values = ns.Client.GetIpvsSysctls();
        Check.True(values.Any(v => v.Name == "expire_nodest_conn" && v.Value is false), "typed boolean: " + string.Join(",", values.Select(v => v.Name)));
        Check.True(values.Any(v => v.Name == "sync_threshold" && (string)v.Value == "3 50"), "sync_threshold pair");
        Check.True(values.Any(v => v.Name == "am_droprate" && v.Value is long l && l == 10), "typed integer");

        // Interface names with a dot map to '/' in the key.
        ns.Ip("link add eth0.5 link eth0 type vlan id 5");
        Check.Equal("0", s.Read("net.ipv4.conf.eth0/5.arp_ignore"), "key of eth0.5");
        s.Write("net.ipv4.conf.eth0/5.arp_ignore", "1");
        Check.Equal("1", LabContext.RunOk("ip", $"netns exec {ns.Name} cat /proc/sys/net/ipv4/conf/eth0.5/arp_ignore").Trim(), "eth0.5 written");

        Check.Equal("SysctlNotFound", Check.Throws<SysctlException>(() => s.Read("net.ipv4.conf.nosuch0.arp_ignore"), "missing key").ErrorId, "error id");
        Check.Equal("SysctlNotFound", Check.Throws<SysctlException>(() => s.Write("net.ipv4.conf.nosuch0.arp_ignore", "1"), "write missing key").ErrorId, "error id");
        var inval = Check.Throws<SysctlException>(() => s.Write("net.ipv4.vs.sync_retries", "9"), "kernel range check");
        Check.Equal("SysctlInvalidValue", inval.ErrorId, "kernel EINVAL → SysctlInvalidValue");
        Check.Equal("SysctlInvalidValue", Check.Throws<IpvsValidationException>(() => IpvsSysctls.Write(s, "sync_retries", "9"), "validated first").ErrorId, "error id");
        Check.Equal("UnknownIpvsSysctl", Check.Throws<IpvsValidationException>(() => IpvsSysctls.Write(s, "nosuch", "1"), "unknown").ErrorId, "error id");
    }

    [LabTest(NeedsCleanTable = false)]
    public void DirectRoutingRealServerAndUndo(LabContext ctx)
    {
        using var ns = new Ns("dr");
        var c = ns.Client;
        // Start from a deliberately non-default state, so undo must restore values, not defaults.
        c.Sysctls.Write("net.ipv4.conf.eth0.arp_announce", "1");
        var before = State(ns);
        var setup = new RealServerSetup { Mode = RealServerMode.DirectRouting, VirtualAddresses = new[] { "10.77.1.100", "2001:db8:77:1::100" } };
        var failing = c.TestRealServer(setup).Where(f => !f.Passed).ToList();
        Check.True(failing.Any(f => f.Check == "VirtualAddress") && failing.Any(f => f.Check == "ArpIgnore"), "checks fail before: " + failing.Count);
        var plan = c.PlanRealServer(setup);
        var targets = plan.Changes.Select(x => x.Target).ToList();
        foreach (var k in new[] { "net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.lo.arp_announce", "net.ipv4.conf.eth0.arp_ignore", "net.ipv4.conf.eth0.arp_announce" })
            Check.True(targets.Contains(k), $"plan sets {k}: {string.Join(", ", targets)}");
        Check.True(targets.Contains("10.77.1.100/32 dev lo") && targets.Contains("2001:db8:77:1::100/128 dev lo"), "plan adds both VIPs to lo");
        var firstAddress = plan.Changes.ToList().FindIndex(x => x.Kind == HostChangeKind.Address);
        var lastSysctl = plan.Changes.ToList().FindLastIndex(x => x.Kind == HostChangeKind.Sysctl);
        Check.True(lastSysctl < firstAddress, "ARP settings come before the VIP appears on lo");
        Check.True(plan.Changes.Last().Kind == HostChangeKind.File && plan.Changes.Last().Target.EndsWith("realserver@hs-dr.json", StringComparison.Ordinal), "undo record last");
        Applied(c.Apply(plan), "apply DR");
        Check.True(c.TestRealServer(setup).All(f => f.Passed), "all checks pass after apply: " + string.Join("; ", c.TestRealServer(setup).Where(f => !f.Passed).Select(f => f.Message)));
        Check.True(c.PlanRealServer(setup).IsEmpty, "a second plan is empty (idempotent)");
        Check.True(ns.Ip("-4 addr show dev lo").Contains("10.77.1.100/32"), "VIP on lo");

        // Each broken setting is found on its own.
        void Broken(string what, Action breakIt, Action repair, string check, string target)
        {
            breakIt();
            OnlyFailing(c.TestRealServer(setup), check, target, what);
            repair();
            Check.True(c.TestRealServer(setup).All(f => f.Passed), what + ": repaired");
        }
        Broken("arp_ignore all", () => c.Sysctls.Write("net.ipv4.conf.all.arp_ignore", "0"), () => c.Sysctls.Write("net.ipv4.conf.all.arp_ignore", "1"), "ArpIgnore", "conf.all.");
        Broken("arp_ignore eth0", () => c.Sysctls.Write("net.ipv4.conf.eth0.arp_ignore", "0"), () => c.Sysctls.Write("net.ipv4.conf.eth0.arp_ignore", "1"), "ArpIgnore", "conf.eth0.");
        Broken("arp_announce lo", () => c.Sysctls.Write("net.ipv4.conf.lo.arp_announce", "0"), () => c.Sysctls.Write("net.ipv4.conf.lo.arp_announce", "2"), "ArpAnnounce", "conf.lo.");
        Broken("arp_announce all", () => c.Sysctls.Write("net.ipv4.conf.all.arp_announce", "1"), () => c.Sysctls.Write("net.ipv4.conf.all.arp_announce", "2"), "ArpAnnounce", "conf.all.");
        Broken("missing VIP", () => c.Route.RemoveAddress("lo", IPAddress.Parse("10.77.1.100")), () => c.Route.AddAddress("lo", IPAddress.Parse("10.77.1.100")), "VirtualAddress", "10.77.1.100");
        Broken("VIP on eth0", () =>
        {
            c.Route.RemoveAddress("lo", IPAddress.Parse("10.77.1.100"));
            c.Route.AddAddress("eth0", IPAddress.Parse("10.77.1.100"));
        }, () =>
        {
            Applied(c.Apply(c.PlanAddAddress("10.77.1.100", null, "lo", force: true)), "move back with force");
        }, "VirtualAddress", "10.77.1.100");
        Broken("missing IPv6 VIP", () => c.Route.RemoveAddress("lo", IPAddress.Parse("2001:db8:77:1::100")), () => c.Route.AddAddress("lo", IPAddress.Parse("2001:db8:77:1::100")), "VirtualAddress", "2001:db8:77:1::100");
        var wrong = c.TestRealServer(setup with { Mode = RealServerMode.Tunnel }).Where(f => !f.Passed).Select(f => f.Check).ToHashSet();
        Check.True(wrong.Contains("VirtualAddress") && wrong.Contains("TunnelUp"), "the DR host is not a TUN real server: " + string.Join(",", wrong));

        var reset = c.PlanResetRealServer();
        Check.True(reset.Changes.Any(x => x.Kind == HostChangeKind.Address && x.Action == HostChangeAction.Remove), "reset removes the VIPs");
        Applied(c.Apply(reset), "reset DR");
        Check.SameText(before, State(ns), "state after reset = state before initialize");
        Check.True(!File.Exists(c.RecordPath(HostPlanner.RealServerRole)), "undo record deleted");
        Check.True(c.PlanResetRealServer().Changes.All(x => x.Kind == HostChangeKind.Sysctl), "without a record, reset only sets kernel defaults");
    }

    [LabTest(NeedsCleanTable = false)]
    public void TunnelRealServerAndUndo(LabContext ctx)
    {
        using var ns = new Ns("tun");
        var c = ns.Client;
        if (c.Route.GetLink("tunl0") is null && c.Route.GetLink("ip6tnl0") is null && !Directory.Exists("/sys/module/ipip")) LabContext.Skip("no ipip module in this kernel");
        c.Sysctls.Write("net.ipv4.conf.all.rp_filter", "1");
        var before = State(ns);
        var setup = new RealServerSetup { Mode = RealServerMode.Tunnel, VirtualAddresses = new[] { "10.77.2.100", "2001:db8:77:2::100" }, InterfaceNames = new[] { "eth0" } };
        var plan = c.PlanRealServer(setup);
        var t = plan.Changes.Select(x => x.Target).ToList();
        Check.True(t.Contains("net.ipv4.conf.all.rp_filter") && t.Contains("tunl0") && t.Contains("10.77.2.100/32 dev tunl0") && t.Contains("2001:db8:77:2::100/128 dev ip6tnl0"),
            "plan: rp_filter, tunl0 up, VIPs on the tunnels: " + string.Join(", ", t));
        Applied(c.Apply(plan), "apply TUN");
        Check.True(c.TestRealServer(setup).All(f => f.Passed), "checks pass: " + string.Join("; ", c.TestRealServer(setup).Where(f => !f.Passed).Select(f => f.Message)));
        Check.True(c.Route.GetLink("tunl0")!.IsUp && c.Route.GetLink("ip6tnl0")!.IsUp, "tunnels up");
        Check.Equal("ipip", c.Route.GetLink("tunl0")!.Kind, "tunl0 kind");
        Check.True(c.PlanRealServer(setup).IsEmpty, "idempotent");

        c.Sysctls.Write("net.ipv4.conf.all.rp_filter", "1");
        OnlyFailing(c.TestRealServer(setup), "RpFilter", "conf.all.", "rp_filter on all");
        c.Sysctls.Write("net.ipv4.conf.all.rp_filter", "0");
        c.Sysctls.Write("net.ipv4.conf.tunl0.rp_filter", "1");
        OnlyFailing(c.TestRealServer(setup), "RpFilter", "conf.tunl0.", "rp_filter on tunl0");
        c.Sysctls.Write("net.ipv4.conf.tunl0.rp_filter", "0");
        c.Route.SetLinkUp("tunl0", false);
        var down = c.TestRealServer(setup).Where(f => !f.Passed).ToList();
        Check.True(down.Count >= 1 && down.All(f => f.Target == "tunl0" || f.Target.Contains("tunl0")) && down.Any(f => f.Check == "TunnelUp"), "tunl0 down found: " + string.Join("; ", down.Select(f => f.Check + " " + f.Target)));
        c.Route.SetLinkUp("tunl0", true);
        c.Route.RemoveAddress("ip6tnl0", IPAddress.Parse("2001:db8:77:2::100"));
        OnlyFailing(c.TestRealServer(setup), "VirtualAddress", "2001:db8:77:2::100", "IPv6 VIP missing on ip6tnl0");
        c.Route.AddAddress("ip6tnl0", IPAddress.Parse("2001:db8:77:2::100"));

        Applied(c.Apply(c.PlanResetRealServer()), "reset TUN");
        Check.SameText(before, State(ns), "state after reset = state before initialize");
    }

    [LabTest(NeedsCleanTable = false)]
    public void DirectorNatAndUndo(LabContext ctx)
    {
        using var ns = new Ns("dir");
        var c = ns.Client;
        c.Sysctls.Write("net.ipv4.conf.all.send_redirects", "1");
        c.Sysctls.Write("net.ipv4.ip_forward", "0");
        var before = State(ns);
        var setup = new DirectorSetup
        {
            Mode = DirectorMode.Nat, VirtualAddresses = new[] { "192.168.77.100/24", "2001:db8:77::100" }, InterfaceName = "eth0", Label = "eth0:vip",
            IpvsSettings = new Dictionary<string, string> { ["Conntrack"] = "1", ["expire_nodest_conn"] = "true" },
        };
        var plan = c.PlanDirector(setup);
        var t = plan.Changes.Select(x => x.Target).ToList();
        foreach (var k in new[] { "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.ipv4.conf.all.send_redirects", "net.ipv4.conf.eth0.send_redirects", "net.ipv4.conf.lo.send_redirects", "net.ipv4.vs.conntrack", "net.ipv4.vs.expire_nodest_conn", "192.168.77.100/24 dev eth0" })
            Check.True(t.Contains(k), $"plan has {k}: {string.Join(", ", t)}");
        Applied(c.Apply(plan), "apply director");
        Check.True(c.TestDirector(setup).All(f => f.Passed), "checks pass: " + string.Join("; ", c.TestDirector(setup).Where(f => !f.Passed).Select(f => f.Message)));
        Check.Equal("eth0:vip", c.Route.GetAddresses("eth0").Single(a => a.Address.Equals(IPAddress.Parse("192.168.77.100"))).Label, "label");
        Check.True(c.PlanDirector(setup).IsEmpty, "idempotent");
        void Broken(string what, string key, string bad, string good, string check)
        {
            c.Sysctls.Write(key, bad);
            OnlyFailing(c.TestDirector(setup), check, key, what);
            c.Sysctls.Write(key, good);
        }
        Broken("ip_forward off", "net.ipv4.ip_forward", "0", "1", "IpForward");
        Broken("IPv6 forwarding off", "net.ipv6.conf.all.forwarding", "0", "1", "Ipv6Forwarding");
        Broken("send_redirects on all", "net.ipv4.conf.all.send_redirects", "1", "0", "SendRedirects");
        Broken("send_redirects on eth0", "net.ipv4.conf.eth0.send_redirects", "1", "0", "SendRedirects");
        Broken("send_redirects on lo", "net.ipv4.conf.lo.send_redirects", "1", "0", "SendRedirects"); // every interface, not only -InterfaceName
        Broken("conntrack off", "net.ipv4.vs.conntrack", "0", "1", "IpvsSysctl");
        c.Route.RemoveAddress("eth0", IPAddress.Parse("192.168.77.100"));
        OnlyFailing(c.TestDirector(setup), "VirtualAddress", "192.168.77.100", "VIP missing");
        c.Route.AddAddress("eth0", IPAddress.Parse("192.168.77.100"), 24, "eth0:vip");
        c.Route.SetLinkUp("eth0", false);
        Check.True(c.TestDirector(setup).Any(f => !f.Passed && f.Check == "InterfaceUp"), "eth0 down found");
        c.Route.SetLinkUp("eth0", true);
        // Down removed the IPv6 addresses (no keep_addr_on_down): put the namespace's own one back.
        c.Route.AddAddress("eth0", IPAddress.Parse("2001:db8:77::2"), 64);
        // The DR director needs no forwarding.
        c.Sysctls.Write("net.ipv4.ip_forward", "0");
        Check.True(c.TestDirector(setup with { Mode = DirectorMode.DirectRouting, IpvsSettings = null, VirtualAddresses = new[] { "192.168.77.100/24" } }).All(f => f.Passed), "DR director without ip_forward passes");
        c.Sysctls.Write("net.ipv4.ip_forward", "1");

        Applied(c.Apply(c.PlanResetDirector()), "reset director");
        var after = State(ns);
        Check.SameText(before, after, "state after reset = state before initialize");
        Check.True(c.PlanRealServer(new RealServerSetup { VirtualAddresses = new[] { "10.77.3.1" } }).Changes.Count > 0, "sanity: a different plan is not empty");
    }

    [LabTest(NeedsCleanTable = false)]
    public void PlanErrorsBeforeAnythingChanges(LabContext ctx)
    {
        using var ns = new Ns("err");
        var c = ns.Client;
        var before = State(ns);
        c.Route.AddAddress("eth0", IPAddress.Parse("10.77.4.100"));
        var withVip = State(ns);
        Check.Equal("AddressOnOtherInterface", Check.Throws<AddressOnOtherInterfaceException>(() => c.PlanRealServer(new RealServerSetup { VirtualAddresses = new[] { "10.77.4.100" } }), "VIP on eth0").ErrorId, "id");
        Check.Equal("InterfaceNotFound", Check.Throws<InterfaceNotFoundException>(() => c.PlanDirector(new DirectorSetup { VirtualAddresses = new[] { "10.77.4.1" }, InterfaceName = "eth9" }), "eth9").ErrorId, "id");
        Check.Equal("InterfaceNotFound", Check.Throws<InterfaceNotFoundException>(() => c.PlanArp(new[] { "eth9" }), "arp eth9").ErrorId, "id");
        Check.Equal("InvalidPrefixLength", Check.Throws<IpvsValidationException>(() => c.PlanRealServer(new RealServerSetup { VirtualAddresses = new[] { "10.77.4.1/128" } }), "/128").ErrorId, "id");
        Check.Equal("InvalidAddress", Check.Throws<IpvsValidationException>(() => c.PlanRealServer(new RealServerSetup { VirtualAddresses = new[] { "10.77.4" } }), "bad ip").ErrorId, "id");
        Check.Equal("InvalidMode", Check.Throws<IpvsValidationException>(() => c.PlanRealServer(new RealServerSetup { Mode = (RealServerMode)7, VirtualAddresses = new[] { "10.77.4.1" } }), "mode").ErrorId, "id");
        Check.Equal("PersistInNamespaceNotSupported", Check.Throws<IpvsValidationException>(() => c.PlanArp(null, persist: true), "persist in a namespace").ErrorId, "id");
        Check.Equal("SysctlInvalidValue", Check.Throws<IpvsValidationException>(() => c.PlanIpvsSysctls(new Dictionary<string, string> { ["conntrack"] = "2" }), "value").ErrorId, "id");
        Check.SameText(withVip, State(ns), "nothing changed by the failed plans");
        Check.True(c.PlanAddAddress("10.77.4.100", null, "eth0").IsEmpty, "adding an address that is there is a no-op plan");
        Applied(c.Apply(c.PlanRemoveAddress("10.77.4.100", null, "eth0")), "remove");
        Check.SameText(before, State(ns), "back to the start");
    }

    [LabTest(NeedsCleanTable = false)]
    public void ArpAndNdpForAVipOnLo(LabContext ctx)
    {
        // Two namespaces on a veth: the "real server" has the VIP on lo. Without arp_ignore Linux answers ARP for it
        // on eth0 (weak host model); with Set-LvsRealServerArp's settings it does not. IPv6 NDP never answers for an
        // address that is only on lo, so an IPv6 DR real server needs no such setting.
        using var rs = new Ns("rs");
        const string Peer = "hs-peer";
        LabContext.Run("ip", "netns del " + Peer);
        try
        {
            LabContext.Sh($"ip netns add {Peer} && ip link add v-rs netns {rs.Name} type veth peer name v-peer netns {Peer} && " +
                          $"ip -n {rs.Name} link set v-rs up && ip -n {Peer} link set v-peer up && ip -n {Peer} link set lo up && " +
                          $"ip -n {rs.Name} addr add 10.77.5.2/24 dev v-rs && ip -n {Peer} addr add 10.77.5.1/24 dev v-peer && " +
                          $"ip -n {rs.Name} -6 addr add 2001:db8:77:5::2/64 dev v-rs nodad && ip -n {Peer} -6 addr add 2001:db8:77:5::1/64 dev v-peer nodad");
            var c = rs.Client;
            c.Route.AddAddress("lo", IPAddress.Parse("10.77.6.100"));
            c.Route.AddAddress("lo", IPAddress.Parse("2001:db8:77:6::100"));
            LabContext.Sh($"ip -n {Peer} route add 10.77.6.100/32 dev v-peer && ip -n {Peer} -6 route add 2001:db8:77:6::100/128 dev v-peer");
            // One UDP datagram (bash's /dev/udp; no ping in the lab) makes the peer resolve the address; the answer
            // shows as lladdr in its neighbour table. Up to 4 tries a second apart (the lab is slow).
            string Neigh(string family, string addr)
            {
                var shown = "";
                for (var i = 0; i < 4; i++)
                {
                    LabContext.Run("ip", $"netns exec {Peer} bash -c \"echo x > /dev/udp/{addr}/9\"");
                    System.Threading.Thread.Sleep(1000);
                    shown = LabContext.RunOk("ip", $"-n {Peer} {family} neigh show {addr}").Trim();
                    if (shown.Contains("lladdr")) break;
                }
                return shown;
            }
            var arpBefore = Neigh("-4", "10.77.6.100");
            Check.True(arpBefore.Contains("lladdr"), "without the ARP settings the real server answers ARP for the VIP on lo: " + arpBefore);
            var ndp = Neigh("-6", "2001:db8:77:6::100");
            Check.True(!ndp.Contains("lladdr"), "NDP does not answer for an IPv6 VIP on lo: " + ndp);
            Applied(c.Apply(c.PlanArp(new[] { "v-rs" })), "Set-LvsRealServerArp");
            LabContext.Run("ip", $"-n {Peer} neigh flush dev v-peer");
            var arpAfter = Neigh("-4", "10.77.6.100");
            Check.True(!arpAfter.Contains("lladdr"), "with arp_ignore=1 the VIP on lo is not answered: " + arpAfter);
            Check.True(Neigh("-4", "10.77.5.2").Contains("lladdr"), "the real server's own address is still answered");
        }
        finally
        {
            LabContext.Run("ip", "netns del " + Peer);
        }
    }

    private static string LabDll => typeof(HostSetupTests).Assembly.Location;

    private static Dictionary<string, string> RunChild(string wrapper)
    {
        var (code, o, e) = LabContext.Run("/bin/sh", $"-c \"{wrapper}\"", timeoutSeconds: 300);
        Check.Equal(0, code, $"child exit code (stderr: {e.Trim()}; stdout: {o.Trim()})");
        return o.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
    }

    [LabTest(NeedsCleanTable = false)]
    public void NotRootIsPermissionDenied(LabContext ctx)
    {
        var root = new SysctlStore();
        var before = root.Read("net.ipv4.conf.lo.arp_ignore");
        var r = RunChild($"HOME=/tmp DOTNET_CLI_HOME=/tmp setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all dotnet {LabDll} child-host");
        Check.Equal("SysctlPermissionDenied", r.GetValueOrDefault("sysctl"), "sysctl write as nobody: " + string.Join(", ", r));
        Check.Equal("HostPermissionDenied", r.GetValueOrDefault("address"), "address add as nobody");
        Check.Equal("HostPermissionDenied", r.GetValueOrDefault("link"), "link up as nobody");
        Check.Equal("ok", r.GetValueOrDefault("read"), "reading needs no privilege");
        Check.Equal(before, root.Read("net.ipv4.conf.lo.arp_ignore"), "unchanged");
        Check.True(!LabContext.RunOk("ip", "addr show dev lo").Contains("10.77.7.1"), "no address added");
    }

    [LabTest(NeedsCleanTable = false)]
    public void ReadOnlyProcSysIsSysctlReadOnly(LabContext ctx)
    {
        var (code, _, err) = LabContext.Run("unshare", "-m true");
        if (code != 0) LabContext.Skip("unshare -m does not work here: " + err.Trim());
        var r = RunChild($"unshare -m sh -c 'mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && HOME=/tmp DOTNET_CLI_HOME=/tmp dotnet {LabDll} child-host'");
        Check.Equal("SysctlReadOnly", r.GetValueOrDefault("sysctl"), "sysctl write with /proc/sys read-only: " + string.Join(", ", r));
        Check.Equal("ok", r.GetValueOrDefault("read"), "reading still works");
    }

    /// <summary>The child side: tries a sysctl write, an address add and a link change in its own namespace and prints "op=ErrorId".</summary>
    public static int ChildHost()
    {
        void Try(string name, Action a)
        {
            try
            {
                a();
                Console.WriteLine(name + "=ok");
            }
            catch (IpvsException e)
            {
                Console.WriteLine(name + "=" + e.ErrorId);
                Console.Error.WriteLine(name + ": " + e.Message);
            }
            catch (Exception e)
            {
                Console.WriteLine(name + "=" + e.GetType().Name);
                Console.Error.WriteLine(name + ": " + e);
            }
        }
        var store = new SysctlStore();
        var current = store.Read("net.ipv4.conf.lo.arp_ignore");
        Try("read", () => store.Read("net.ipv4.conf.all.arp_ignore"));
        Try("sysctl", () => store.Write("net.ipv4.conf.lo.arp_ignore", current));
        using var route = RouteNetlinkClient.Open();
        Try("address", () => route.AddAddress("lo", IPAddress.Parse("10.77.7.1")));
        Try("link", () => route.SetLinkUp("lo", true));
        return 0;
    }
}
