using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.HostSetup;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.HostSetup;

/// <summary>A hand-made host: lo, eth0 (192.168.1.2/24, up), eth1 (down), the IPVS sysctls at their defaults.</summary>
internal sealed class FakeHost
{
    public List<LinkInfo> Links = new()
    {
        new(1, "lo", true, true, null, 0x9, 65536),
        new(2, "eth0", true, false, "veth", 0x1, 1500),
        new(3, "eth1", false, false, null, 0, 1500),
    };
    public List<InterfaceAddress> Addresses = new()
    {
        new(1, "lo", IPAddress.Loopback, 8, AddressScope.Host, "lo", 0x80),
        new(2, "eth0", IPAddress.Parse("192.168.1.2"), 24, AddressScope.Global, "eth0", 0x80),
    };
    public Dictionary<string, string?> Sysctls = new(StringComparer.Ordinal);
    public Dictionary<string, string> Files = new(StringComparer.Ordinal);
    public HashSet<string> Modules = new() { "ip_vs" };

    public FakeHost(bool tunl0 = false)
    {
        if (tunl0) Links.Add(new LinkInfo(4, "tunl0", false, false, "ipip", 0, 1480));
        foreach (var l in Links.Select(l => l.Name).Concat(new[] { "all", "default" }))
        {
            Sysctls[SysctlStore.IPv4Key(l, "arp_ignore")] = "0";
            Sysctls[SysctlStore.IPv4Key(l, "arp_announce")] = "0";
            Sysctls[SysctlStore.IPv4Key(l, "rp_filter")] = l == "all" ? "1" : "0";
            Sysctls[SysctlStore.IPv4Key(l, "send_redirects")] = "1";
        }
        Sysctls[HostPlanner.IpForwardKey] = "0";
        Sysctls[HostPlanner.Ipv6ForwardingKey] = "0";
        foreach (var d in IpvsSysctls.All) Sysctls[d.Key] = d.Default ?? "100";
    }

    public HostSnapshot Snapshot() => new()
    {
        Links = Links.ToList(), Addresses = Addresses.ToList(), Sysctls = new Dictionary<string, string?>(Sysctls),
        LoadedModules = Modules.ToList(), PersistedFiles = new Dictionary<string, string>(Files), PersistRoot = "/r",
    };

    /// <summary>Applies a plan's changes to the fake state (what the kernel would do).</summary>
    public void Apply(HostPlan plan)
    {
        foreach (var c in plan.Changes)
        {
            switch (c.Kind, c.Action)
            {
                case (HostChangeKind.Sysctl, _): Sysctls[c.Target] = c.After; break;
                case (HostChangeKind.Address, HostChangeAction.Add):
                    var l = Links.Single(x => x.Name == c.InterfaceName);
                    Addresses.Add(new InterfaceAddress(l.Index, l.Name, c.Address!, c.PrefixLength, AddressScope.Global, c.Label ?? l.Name, 0x80));
                    break;
                case (HostChangeKind.Address, HostChangeAction.Remove):
                    Addresses.RemoveAll(a => a.InterfaceName == c.InterfaceName && a.Address.Equals(c.Address));
                    break;
                case (HostChangeKind.Link, _):
                    var i = Links.FindIndex(x => x.Name == c.InterfaceName);
                    Links[i] = Links[i] with { IsUp = c.Action == HostChangeAction.Up };
                    break;
                case (HostChangeKind.KernelModule, _):
                    Links.Add(new LinkInfo(Links.Max(x => x.Index) + 1, c.InterfaceName!, false, false, c.LinkKind, 0, 1480));
                    foreach (var k in new[] { "arp_ignore", "arp_announce", "rp_filter", "send_redirects" })
                        Sysctls[SysctlStore.IPv4Key(c.InterfaceName!, k)] = Sysctls[SysctlStore.IPv4Key("default", k)];
                    break;
                case (HostChangeKind.File, HostChangeAction.Write):
                case (HostChangeKind.File, HostChangeAction.Symlink):
                    if (c.Target.StartsWith("/r/", StringComparison.Ordinal)) Files[c.Target[3..]] = c.Content!;
                    break;
                case (HostChangeKind.File, HostChangeAction.Delete):
                    if (c.Target.StartsWith("/r/", StringComparison.Ordinal)) Files.Remove(c.Target[3..]);
                    break;
            }
        }
    }
}

public class PlannerTests
{
    private static RealServerSetup Dr(params string[] vips) => new() { Mode = RealServerMode.DirectRouting, VirtualAddresses = vips };

    [Fact]
    public void DirectRoutingPlanSetsArpBeforeTheVip()
    {
        var h = new FakeHost();
        var plan = HostPlanner.RealServer(h.Snapshot(), Dr("10.0.0.100"), null, "/state/realserver.json");
        var t = plan.Changes.Select(c => c.Kind + " " + c.Target + "=" + c.After).ToList();
        Assert.Equal(new[]
        {
            "Sysctl net.ipv4.conf.all.arp_ignore=1", "Sysctl net.ipv4.conf.all.arp_announce=2",
            "Sysctl net.ipv4.conf.lo.arp_ignore=1", "Sysctl net.ipv4.conf.lo.arp_announce=2",
            "Sysctl net.ipv4.conf.eth0.arp_ignore=1", "Sysctl net.ipv4.conf.eth0.arp_announce=2", // eth0: up, IPv4; eth1 is down
            "Address 10.0.0.100/32 dev lo=10.0.0.100/32",
            "File /state/realserver.json=undo record",
        }, t);
        Assert.All(plan.Changes.Where(c => c.Kind == HostChangeKind.Sysctl), c => Assert.Equal("0", c.Before));
        Assert.Contains("\"Before\": \"0\"", plan.Changes.Last().Content);
    }

    [Fact]
    public void PlansAreIdempotent()
    {
        var h = new FakeHost();
        var setup = Dr("10.0.0.100", "2001:db8::100") with { InterfaceNames = new[] { "eth0", "eth1" } };
        var plan = HostPlanner.RealServer(h.Snapshot(), setup, null, "/s/rs.json");
        Assert.Contains(plan.Changes, c => c.Target == "net.ipv4.conf.eth1.arp_ignore");
        Assert.Contains(plan.Changes, c => c.Target == "2001:db8::100/128 dev lo");
        h.Apply(plan);
        Assert.True(HostPlanner.RealServer(h.Snapshot(), setup, null, "/s/rs.json").IsEmpty);
        Assert.All(HostChecks.RealServer(h.Snapshot(), setup), f => Assert.True(f.Passed, f.Check + " " + f.Target));
        h.Sysctls["net.ipv4.conf.lo.arp_announce"] = "1";
        var again = HostPlanner.RealServer(h.Snapshot(), setup, null, "/s/rs.json");
        Assert.Equal(new[] { "net.ipv4.conf.lo.arp_announce", "/s/rs.json" }, again.Changes.Select(c => c.Target));
    }

    [Fact]
    public void Ipv6OnlyDirectRoutingNeedsNoArpSettings()
    {
        var plan = HostPlanner.RealServer(new FakeHost().Snapshot(), Dr("2001:db8::100"), null, null);
        Assert.Equal(new[] { "2001:db8::100/128 dev lo" }, plan.Changes.Select(c => c.Target));
    }

    [Fact]
    public void TunnelPlanCreatesTunl0ThenSysctlsThenUpThenVip()
    {
        var h = new FakeHost();
        var setup = new RealServerSetup { Mode = RealServerMode.Tunnel, VirtualAddresses = new[] { "10.0.0.100", "2001:db8::100" } };
        var plan = HostPlanner.RealServer(h.Snapshot(), setup, null, "/s/rs.json");
        var t = plan.Changes.Select(c => c.Kind + " " + c.Target).ToList();
        Assert.Equal("KernelModule ipip (tunl0)", t[0]);
        Assert.Equal("KernelModule ip6_tunnel (ip6tnl0)", t[1]);
        Assert.Contains("Sysctl net.ipv4.conf.all.rp_filter", t);
        Assert.Contains("Sysctl net.ipv4.conf.tunl0.rp_filter", t); // for the device the plan creates
        Assert.True(t.IndexOf("Sysctl net.ipv4.conf.tunl0.rp_filter") < t.IndexOf("Link tunl0"));
        Assert.True(t.IndexOf("Link ip6tnl0") < t.IndexOf("Address 2001:db8::100/128 dev ip6tnl0"));
        Assert.Contains("Address 10.0.0.100/32 dev tunl0", t);
        Assert.Equal("ipip", plan.Changes[0].LinkKind);
        h.Apply(plan);
        Assert.All(HostChecks.RealServer(h.Snapshot(), setup), f => Assert.True(f.Passed, f.Check + " " + f.Target + " " + f.Actual));
        Assert.True(HostPlanner.RealServer(h.Snapshot(), setup, null, "/s/rs.json").IsEmpty);
    }

    [Fact]
    public void RealServerInputErrors()
    {
        var s = new FakeHost().Snapshot();
        string Id(RealServerSetup setup) => Assert.ThrowsAny<IpvsException>(() => HostPlanner.RealServer(s, setup, null, null)).ErrorId;
        Assert.Equal("MissingVirtualAddress", Id(Dr()));
        Assert.Equal("InvalidAddress", Id(Dr("10.0.0.300")));
        Assert.Equal("InvalidPrefixLength", Id(Dr("10.0.0.1/24")));
        Assert.Equal("InvalidPrefixLength", Id(Dr("10.0.0.1/128")));
        Assert.Equal("InvalidMode", Id(Dr("10.0.0.1") with { Mode = (RealServerMode)5 }));
        Assert.Equal("InterfaceNotFound", Id(Dr("10.0.0.1") with { InterfaceNames = new[] { "eth7" } }));
        Assert.Equal("InvalidInterfaceName", Id(Dr("10.0.0.1") with { InterfaceNames = new[] { "eth 0" } }));
        Assert.Equal("PersistInNamespaceNotSupported", Assert.Throws<IpvsValidationException>(() => HostPlanner.RealServer(s, Dr("10.0.0.1") with { Persist = true }, null, null, "/run/netns/x")).ErrorId);
    }

    [Fact]
    public void VipOnAnotherInterfaceIsAnErrorUnlessForced()
    {
        var h = new FakeHost();
        h.Addresses.Add(new InterfaceAddress(2, "eth0", IPAddress.Parse("10.0.0.100"), 32, AddressScope.Global, "eth0", 0));
        var e = Assert.Throws<AddressOnOtherInterfaceException>(() => HostPlanner.RealServer(h.Snapshot(), Dr("10.0.0.100"), null, null));
        Assert.Equal("eth0", e.OtherInterface);
        Assert.Throws<AddressOnOtherInterfaceException>(() => HostPlanner.AddAddress(h.Snapshot(), "10.0.0.100", null, "lo", null, force: false, persist: false));
        var move = HostPlanner.AddAddress(h.Snapshot(), "10.0.0.100", null, "lo", "lo:1", force: true, persist: false);
        Assert.Equal(new[] { "Remove 10.0.0.100/32 dev eth0", "Add 10.0.0.100/32 dev lo" }, move.Changes.Select(c => c.Action + " " + c.Target));
        Assert.True(HostPlanner.AddAddress(h.Snapshot(), "10.0.0.100/32", null, "eth0", null, false, false).IsEmpty);
        Assert.Equal("InterfaceNotFound", Assert.Throws<InterfaceNotFoundException>(() => HostPlanner.AddAddress(h.Snapshot(), "10.0.0.5", null, "eth9", null, false, false)).ErrorId);
        Assert.Equal("AddressNotFound", Assert.Throws<HostSetupException>(() => HostPlanner.RemoveAddress(h.Snapshot(), "10.0.0.5", null, "lo", false)).ErrorId);
        Assert.Single(HostPlanner.RemoveAddress(h.Snapshot(), "10.0.0.100", null, "eth0", false).Changes);
    }

    [Fact]
    public void ResetFromTheRecordRestoresExactlyTheBeforeState()
    {
        var h = new FakeHost();
        h.Sysctls["net.ipv4.conf.eth0.arp_announce"] = "1"; // not the default: reset must bring back 1
        h.Addresses.Add(new InterfaceAddress(1, "lo", IPAddress.Parse("10.0.0.7"), 32, AddressScope.Global, "lo", 0)); // someone else's
        var before = h.Snapshot();
        var setup = new RealServerSetup { Mode = RealServerMode.Tunnel, VirtualAddresses = new[] { "10.0.0.100" } };
        var plan = HostPlanner.RealServer(before, setup, null, "/s/rs.json");
        h.Apply(plan);
        var record = HostPlanner.Merge(new HostSetupRecord { Role = "RealServer", Mode = "Tunnel" }, plan.Changes);
        Assert.Contains(record.Sysctls, r => r.Key == "net.ipv4.conf.eth0.arp_announce" && r.Before == "1" && r.After == "2");
        Assert.Equal(new[] { "tunl0" }, record.TunnelsCreated);
        Assert.Equal(new[] { "tunl0" }, record.LinksUp);
        var reset = HostPlanner.ResetRealServer(h.Snapshot(), null, record, "/s/rs.json", false);
        var t = reset.Changes.Select(c => c.Kind + " " + c.Action + " " + c.Target).ToList();
        Assert.Equal("Address Remove 10.0.0.100/32 dev tunl0", t[0]);
        Assert.Equal("Link Down tunl0", t[1]);
        Assert.Equal("File Delete /s/rs.json", t[^1]);
        Assert.DoesNotContain(t, x => x.Contains("10.0.0.7"));
        h.Apply(reset);
        foreach (var (k, v) in before.Sysctls) Assert.Equal(v, h.Sysctls[k]);
        Assert.Equal(before.Addresses.Select(a => a.ToString()), h.Addresses.Select(a => a.ToString()));
        // A second Initialize on top keeps the first Before values.
        var first = HostPlanner.Merge(new HostSetupRecord(), new[] { new HostChange(HostChangeKind.Sysctl, HostChangeAction.Set, "k", "0", "1", "") });
        var second = HostPlanner.Merge(first, new[] { new HostChange(HostChangeKind.Sysctl, HostChangeAction.Set, "k", "1", "2", "") });
        Assert.Equal(new RecordedSysctl("k", "0", "2"), second.Sysctls.Single());
    }

    [Fact]
    public void ResetWithoutRecordGoesToKernelDefaults()
    {
        var h = new FakeHost();
        h.Apply(HostPlanner.RealServer(h.Snapshot(), Dr("10.0.0.100"), null, null));
        var reset = HostPlanner.ResetRealServer(h.Snapshot(), Dr("10.0.0.100"), null, null, false);
        Assert.Equal("Remove 10.0.0.100/32 dev lo", reset.Changes[0].Action + " " + reset.Changes[0].Target);
        Assert.All(reset.Changes.Skip(1), c => Assert.Equal("0", c.After));
        h.Apply(reset);
        Assert.Equal("0", h.Sysctls["net.ipv4.conf.all.arp_ignore"]);
        Assert.True(HostPlanner.ResetRealServer(h.Snapshot(), null, null, null, false).IsEmpty);
    }

    [Fact]
    public void NatDirectorPlan()
    {
        var h = new FakeHost();
        var setup = new DirectorSetup
        {
            Mode = DirectorMode.Nat, VirtualAddresses = new[] { "192.168.1.100/24", "2001:db8::100" }, InterfaceName = "eth0", Label = "eth0:0",
            IpvsSettings = new Dictionary<string, string> { ["Conntrack"] = "1", ["expire_nodest_conn"] = "0" },
        };
        var plan = HostPlanner.Director(h.Snapshot(), setup, null, "/s/d.json");
        Assert.Equal(new[]
        {
            "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding",
            "net.ipv4.conf.all.send_redirects", "net.ipv4.conf.default.send_redirects", "net.ipv4.conf.eth0.send_redirects",
            "net.ipv4.conf.lo.send_redirects", "net.ipv4.conf.eth1.send_redirects", // every interface: the kernel ORs all with each
            "net.ipv4.vs.conntrack", // expire_nodest_conn is already 0
            "192.168.1.100/24 dev eth0", "2001:db8::100/128 dev eth0", "/s/d.json",
        }, plan.Changes.Select(c => c.Target));
        Assert.Equal("eth0:0", plan.Changes.Single(c => c.Target.StartsWith("192.")).Label);
        Assert.Null(plan.Changes.Single(c => c.Target.StartsWith("2001")).Label);
        h.Apply(plan);
        Assert.All(HostChecks.Director(h.Snapshot(), setup), f => Assert.True(f.Passed, f.Check + " " + f.Target));
        Assert.True(HostPlanner.Director(h.Snapshot(), setup, null, "/s/d.json").IsEmpty);
        var dr = HostPlanner.Director(new FakeHost().Snapshot(), setup with { Mode = DirectorMode.DirectRouting, IpvsSettings = null }, null, null);
        Assert.DoesNotContain(dr.Changes, c => c.Target.Contains("forward"));
    }

    [Fact]
    public void DirectorTurnsSendRedirectsOffOnEveryInterfaceAndResetRestoresEach()
    {
        var h = new FakeHost();
        h.Sysctls["net.ipv4.conf.eth1.send_redirects"] = "0"; // already off: no change, nothing to restore
        var setup = new DirectorSetup { Mode = DirectorMode.Nat, VirtualAddresses = new[] { "192.168.1.100/24" }, InterfaceName = "eth0" };
        var plan = HostPlanner.Director(h.Snapshot(), setup, null, "/s/d.json");
        var redirects = plan.Changes.Where(c => c.Target.EndsWith(".send_redirects", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { "all", "default", "eth0", "lo" }.Select(i => $"net.ipv4.conf.{i}.send_redirects"), redirects.Select(c => c.Target));
        Assert.All(redirects, c => Assert.Equal(("1", "0"), (c.Before, c.After)));
        // One change (one ShouldProcess, so one -WhatIf line) each.
        Assert.All(redirects, c => Assert.StartsWith("Set " + c.Target + " = 0", c.Description));
        Assert.Contains("net.ipv4.conf.lo.send_redirects", plan.Changes.Last().Content);
        Assert.DoesNotContain("net.ipv4.conf.eth1.send_redirects", plan.Changes.Last().Content);
        h.Apply(plan);
        Assert.True(HostPlanner.Director(h.Snapshot(), setup, null, "/s/d.json").IsEmpty);

        var record = System.Text.Json.JsonSerializer.Deserialize<HostSetupRecord>(plan.Changes.Last().Content!)!;
        var reset = HostPlanner.ResetDirector(h.Snapshot(), null, record, "/s/d.json", persist: false);
        h.Apply(reset);
        foreach (var i in new[] { "all", "default", "eth0", "lo" }) Assert.Equal("1", h.Sysctls[$"net.ipv4.conf.{i}.send_redirects"]);
        Assert.Equal("0", h.Sysctls["net.ipv4.conf.eth1.send_redirects"]);

        // Without a record: every interface back to the kernel default 1.
        h.Apply(plan);
        var fallback = HostPlanner.ResetDirector(h.Snapshot(), setup, null, null, persist: false);
        Assert.Equal(new[] { "all", "default", "eth0", "lo", "eth1" }.Select(i => $"net.ipv4.conf.{i}.send_redirects"),
            fallback.Changes.Where(c => c.Target.EndsWith(".send_redirects", StringComparison.Ordinal)).Select(c => c.Target));
    }

    [Fact]
    public void DirectorErrors()
    {
        var s = new FakeHost().Snapshot();
        Assert.Equal("MissingInterfaceName", Assert.Throws<IpvsValidationException>(() => HostPlanner.Director(s, new DirectorSetup { VirtualAddresses = new[] { "10.0.0.1" } }, null, null)).ErrorId);
        Assert.Equal("InterfaceNotFound", Assert.Throws<InterfaceNotFoundException>(() => HostPlanner.Director(s, new DirectorSetup { VirtualAddresses = new[] { "10.0.0.1" }, InterfaceName = "eth5" }, null, null)).ErrorId);
        Assert.Equal("UnknownIpvsSysctl", Assert.Throws<IpvsValidationException>(() => HostPlanner.Director(s, new DirectorSetup
            { VirtualAddresses = new[] { "10.0.0.1" }, InterfaceName = "eth0", IpvsSettings = new Dictionary<string, string> { ["nope"] = "1" } }, null, null)).ErrorId);
        var noIpvs = s with { Sysctls = s.Sysctls.Where(kv => !kv.Key.StartsWith("net.ipv4.vs.")).ToDictionary(kv => kv.Key, kv => kv.Value) };
        Assert.Throws<IpvsNotLoadedException>(() => HostPlanner.IpvsSysctls(noIpvs, new Dictionary<string, string> { ["conntrack"] = "1" }, false));
        var only = HostPlanner.IpvsSysctls(s, new Dictionary<string, string> { ["conntrack"] = "1", ["SloppyTcp"] = "0" }, false);
        Assert.Equal(new[] { "net.ipv4.vs.conntrack" }, only.Changes.Select(c => c.Target));
    }

    [Fact]
    public void ArpPlanAndReset()
    {
        var h = new FakeHost();
        var set = HostPlanner.Arp(h.Snapshot(), new[] { "eth1" }, reset: false, persist: false);
        Assert.Equal(6, set.Changes.Count);
        Assert.Contains(set.Changes, c => c.Target == "net.ipv4.conf.eth1.arp_announce" && c.After == "2");
        Assert.DoesNotContain(set.Changes, c => c.Target.Contains(".eth0."));
        h.Apply(set);
        Assert.True(HostPlanner.Arp(h.Snapshot(), new[] { "eth1" }, false, false).IsEmpty);
        var reset = HostPlanner.Arp(h.Snapshot(), new[] { "eth1" }, reset: true, persist: false);
        Assert.All(reset.Changes, c => Assert.Equal("0", c.After));
        Assert.Equal(6, reset.Changes.Count);
    }

    [Fact]
    public void RecordPathsPerNamespace()
    {
        Assert.Equal("/var/lib/lvsadmin/realserver.json", HostPlanner.RecordPath("/var/lib/lvsadmin", "RealServer", null));
        Assert.Equal("/s/director@lab1.json", HostPlanner.RecordPath("/s", "Director", "/run/netns/lab1"));
        Assert.Equal("/s/director@proc_42_ns_net.json", HostPlanner.RecordPath("/s", "Director", "/proc/42/ns/net"));
    }
}
