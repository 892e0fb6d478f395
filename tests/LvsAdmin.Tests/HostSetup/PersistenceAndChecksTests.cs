using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using LvsAdmin.HostSetup;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.HostSetup;

public class PersistenceTests
{
    [Fact]
    public void SysctlFileMergeKeepsForeignKeysSortedWithHeader()
    {
        var existing = "# my notes\nnet.core.somaxconn = 4096\n  net.ipv4.conf.all.arp_ignore=0\n; old\n\n";
        var merged = HostPersistence.MergeSysctlFile(existing, new Dictionary<string, string?>
        {
            ["net.ipv4.conf.all.arp_ignore"] = "1",
            ["net.ipv4.conf.eth0/100.arp_announce"] = "2",
            ["net.ipv4.conf.lo.arp_ignore"] = null,
        });
        Assert.Equal(HostPersistence.SysctlHeader +
                     "net.core.somaxconn = 4096\n" +
                     "net.ipv4.conf.all.arp_ignore = 1\n" +
                     "net.ipv4.conf.eth0/100.arp_announce = 2\n", merged);
        Assert.Equal(merged, HostPersistence.MergeSysctlFile(merged, new Dictionary<string, string?> { ["net.ipv4.conf.all.arp_ignore"] = "1" }));
        Assert.Null(HostPersistence.MergeSysctlFile("a = 1\n", new Dictionary<string, string?> { ["a"] = null }));
    }

    [Fact]
    public void AddressScriptRoundTrips()
    {
        var entries = new List<PersistedAddress>
        {
            new("lo", IPAddress.Parse("10.0.0.100"), 32, "lo:0"),
            new("tunl0", IPAddress.Parse("10.0.0.101"), 32, null),
            new("lo", IPAddress.Parse("2001:db8::100"), 128, null),
        };
        var script = HostPersistence.RenderAddressScript(entries)!;
        Assert.StartsWith("#!/bin/sh\n", script);
        Assert.Contains("ip address replace 10.0.0.100/32 dev lo label lo:0\n", script);
        Assert.Contains("ip -6 address replace 2001:db8::100/128 dev lo nodad\n", script);
        Assert.Contains("modprobe ipip\nip link set dev tunl0 up\n", script);
        Assert.DoesNotContain("ip6_tunnel", script);
        Assert.True(script.IndexOf("sysctl -q -p", StringComparison.Ordinal) < script.IndexOf("\nip address replace", StringComparison.Ordinal), "ARP settings before the VIPs");
        Assert.Equal(entries, HostPersistence.ParseAddressScript(script));
        Assert.Null(HostPersistence.RenderAddressScript(Array.Empty<PersistedAddress>()));
    }

    private static HostSnapshot Snap(Dictionary<string, string>? files = null) =>
        new FakeHost().Snapshot() with { PersistedFiles = files ?? new Dictionary<string, string>(), PersistRoot = "/r" };

    [Fact]
    public void PersistingARealServerWritesSysctlFileScriptUnitAndSymlink()
    {
        var plan = HostPlanner.RealServer(Snap(), new RealServerSetup { VirtualAddresses = new[] { "10.0.0.100" }, InterfaceNames = new[] { "eth0" }, Persist = true }, null, null);
        var files = plan.Changes.Where(c => c.Kind == HostChangeKind.File).ToList();
        Assert.Equal(new[] { "Write /r/etc/sysctl.d/90-lvsadmin.conf", "Write /r/etc/lvsadmin/addresses.sh", "Write /r/etc/systemd/system/lvsadmin-addresses.service",
            "Symlink /r/etc/systemd/system/multi-user.target.wants/lvsadmin-addresses.service" }, files.Select(f => f.Action + " " + f.Target));
        Assert.Equal(HostPersistence.SysctlHeader +
                     "net.ipv4.conf.all.arp_announce = 2\nnet.ipv4.conf.all.arp_ignore = 1\nnet.ipv4.conf.eth0.arp_announce = 2\nnet.ipv4.conf.eth0.arp_ignore = 1\n" +
                     "net.ipv4.conf.lo.arp_announce = 2\nnet.ipv4.conf.lo.arp_ignore = 1\n", files[0].Content);
        Assert.Equal(0x1ED, files[1].FileMode);
        Assert.Equal("/etc/systemd/system/lvsadmin-addresses.service", files[3].Content);
        Assert.Contains("ExecStart=/bin/sh /etc/lvsadmin/addresses.sh", files[2].Content);
        Assert.Contains("WantedBy=multi-user.target", files[2].Content);
        // Already persisted: only what differs.
        var existing = new Dictionary<string, string>
        {
            [HostPersistence.SysctlFile] = files[0].Content!, [HostPersistence.AddressScript] = files[1].Content!,
            [HostPersistence.UnitFile] = files[2].Content!, [HostPersistence.WantsLink] = files[3].Content!,
        };
        var again = HostPlanner.RealServer(Snap(existing), new RealServerSetup { VirtualAddresses = new[] { "10.0.0.100" }, InterfaceNames = new[] { "eth0" }, Persist = true }, null, null);
        Assert.DoesNotContain(again.Changes, c => c.Kind == HostChangeKind.File);
        // Without -Persist nothing is written.
        Assert.DoesNotContain(HostPlanner.RealServer(Snap(), new RealServerSetup { VirtualAddresses = new[] { "10.0.0.100" } }, null, null).Changes, c => c.Kind == HostChangeKind.File);
        // Removing the last persisted address deletes the script, unit and symlink.
        var remove = HostPlanner.RemoveAddress(Snap(existing), "10.0.0.100", null, "lo", persist: true);
        Assert.Equal(new[] { "Delete /r/etc/lvsadmin/addresses.sh", "Delete /r/etc/systemd/system/multi-user.target.wants/lvsadmin-addresses.service", "Delete /r/etc/systemd/system/lvsadmin-addresses.service" },
            remove.Changes.Select(c => c.Action + " " + c.Target));
        // ARP reset with -Persist removes the keys (the file is deleted when nothing is left).
        var arpReset = HostPlanner.Arp(Snap(existing), new[] { "eth0" }, reset: true, persist: true);
        Assert.Contains(arpReset.Changes, c => c.Kind == HostChangeKind.File && c.Action == HostChangeAction.Delete && c.Target.EndsWith("90-lvsadmin.conf"));
    }

    [Fact]
    public void ApplierWritesFilesUnderTheRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "lvs-persist-" + Guid.NewGuid().ToString("N"));
        try
        {
            var plan = HostPlanner.AddAddress(Snap() with { PersistRoot = root }, "10.0.0.100", null, "lo", null, false, persist: true);
            foreach (var c in plan.Changes.Where(c => c.Kind == HostChangeKind.File)) HostApplier.FileChange(c.Action, c.Target, c.Content, c.FileMode);
            var script = Path.Combine(root, HostPersistence.AddressScript);
            Assert.Contains("ip address replace 10.0.0.100/32 dev lo\n", File.ReadAllText(script));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
                         UnixFileMode.OtherRead | UnixFileMode.OtherExecute, OperatingSystem.IsWindows() ? 0 : File.GetUnixFileMode(script));
            Assert.Equal("/etc/systemd/system/lvsadmin-addresses.service", new FileInfo(Path.Combine(root, HostPersistence.WantsLink)).LinkTarget);
            Assert.Equal(new[] { "etc" }, Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
            Assert.False(File.Exists(Path.Combine(root, HostPersistence.SysctlFile)), "nothing written beyond what was asked");
            HostApplier.FileChange(HostChangeAction.Delete, Path.Combine(root, HostPersistence.WantsLink), null, null);
            Assert.Null(new FileInfo(Path.Combine(root, HostPersistence.WantsLink)).LinkTarget);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }

    [Fact]
    public void RecordFileRoundTripsAndBadRecordsAreClear()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lvs-rec-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var r = new HostSetupRecord
            {
                Role = "RealServer", Mode = "Tunnel", Sysctls = new[] { new RecordedSysctl("k", null, "1") },
                Addresses = new[] { new RecordedAddress("lo", "10.0.0.1", 32, "lo:0") }, LinksUp = new[] { "tunl0" }, TunnelsCreated = new[] { "tunl0" },
            };
            var p = Path.Combine(dir, "realserver.json");
            File.WriteAllText(p, HostRecordFile.Serialize(r));
            var back = HostRecordFile.Read(p)!;
            Assert.Equal(r.Sysctls, back.Sysctls);
            Assert.Equal(r.Addresses, back.Addresses);
            Assert.Equal(r.LinksUp, back.LinksUp);
            Assert.Null(HostRecordFile.Read(Path.Combine(dir, "none.json")));
            File.WriteAllText(p, "{ not json");
            Assert.Equal("HostStateInvalid", Assert.Throws<HostSetupException>(() => HostRecordFile.Read(p)).ErrorId);
            File.WriteAllText(p, "{\"Version\": 9}");
            Assert.Equal("HostStateInvalid", Assert.Throws<HostSetupException>(() => HostRecordFile.Read(p)).ErrorId);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

/// <summary>Each broken setting gives exactly one failing finding, with a message and a fix naming the cmdlet.</summary>
public class ChecksTests
{
    private static readonly RealServerSetup Dr = new() { Mode = RealServerMode.DirectRouting, VirtualAddresses = new[] { "10.0.0.100" }, InterfaceNames = new[] { "eth0" } };
    private static readonly RealServerSetup Tun = new() { Mode = RealServerMode.Tunnel, VirtualAddresses = new[] { "10.0.0.100", "2001:db8::100" } };
    private static readonly DirectorSetup Nat = new() { Mode = DirectorMode.Nat, VirtualAddresses = new[] { "192.168.1.100", "2001:db8::100" }, InterfaceName = "eth0",
        IpvsSettings = new Dictionary<string, string> { ["conntrack"] = "1" } };

    private static FakeHost Ready(RealServerSetup s)
    {
        var h = new FakeHost();
        h.Apply(HostPlanner.RealServer(h.Snapshot(), s, null, null));
        Assert.All(HostChecks.RealServer(h.Snapshot(), s), f => Assert.True(f.Passed, f.Check + " " + f.Target));
        return h;
    }

    private static void OnlyFailing(IReadOnlyList<HostFinding> findings, string check, string target, string fixPart)
    {
        var failed = findings.Where(f => !f.Passed).ToList();
        var f = Assert.Single(failed);
        Assert.Equal(check, f.Check);
        Assert.Equal(target, f.Target);
        Assert.NotEqual(f.Expected, f.Actual);
        Assert.NotEqual("OK", f.Message);
        Assert.Contains(fixPart, f.Fix);
        Assert.All(findings.Where(x => x.Passed), x => Assert.Null(x.Fix));
    }

    [Theory]
    [InlineData("net.ipv4.conf.all.arp_ignore", "0", "ArpIgnore")]
    [InlineData("net.ipv4.conf.lo.arp_ignore", "0", "ArpIgnore")]
    [InlineData("net.ipv4.conf.eth0.arp_ignore", "3", "ArpIgnore")]
    [InlineData("net.ipv4.conf.all.arp_announce", "1", "ArpAnnounce")]
    [InlineData("net.ipv4.conf.lo.arp_announce", "0", "ArpAnnounce")]
    [InlineData("net.ipv4.conf.eth0.arp_announce", "0", "ArpAnnounce")]
    public void DirectRoutingArpSettings(string key, string bad, string check)
    {
        var h = Ready(Dr);
        h.Sysctls[key] = bad;
        OnlyFailing(HostChecks.RealServer(h.Snapshot(), Dr), check, key, "Set-LvsRealServerArp -InterfaceName eth0");
    }

    [Fact]
    public void DirectRoutingVip()
    {
        var h = Ready(Dr);
        h.Addresses.RemoveAll(a => a.Address.Equals(IPAddress.Parse("10.0.0.100")));
        OnlyFailing(HostChecks.RealServer(h.Snapshot(), Dr), "VirtualAddress", "10.0.0.100 on lo", "Add-LvsVirtualAddress -Address 10.0.0.100 -InterfaceName lo");
        h.Addresses.Add(new InterfaceAddress(2, "eth0", IPAddress.Parse("10.0.0.100"), 32, AddressScope.Global, "eth0", 0));
        var f = HostChecks.RealServer(h.Snapshot(), Dr).Single(x => !x.Passed);
        Assert.Contains("on eth0", f.Message);
        Assert.Contains("-Force", f.Fix);
        Assert.Equal("10.0.0.100/32 on eth0", f.Actual);
        h.Addresses.RemoveAll(a => a.Address.Equals(IPAddress.Parse("10.0.0.100")));
        h.Addresses.Add(new InterfaceAddress(1, "lo", IPAddress.Parse("10.0.0.100"), 24, AddressScope.Global, "lo", 0));
        Assert.Contains("prefix", HostChecks.RealServer(h.Snapshot(), Dr).Single(x => !x.Passed).Message);
        var ns = HostChecks.RealServer(h.Snapshot(), Dr, "/run/netns/a").Single(x => !x.Passed);
        Assert.EndsWith("-NetworkNamespace /run/netns/a", ns.Fix);
    }

    [Fact]
    public void TunnelChecks()
    {
        var h = Ready(Tun);
        h.Sysctls["net.ipv4.conf.all.rp_filter"] = "1";
        OnlyFailing(HostChecks.RealServer(h.Snapshot(), Tun), "RpFilter", "net.ipv4.conf.all.rp_filter", "Initialize-LvsRealServer -Mode Tunnel");
        h.Sysctls["net.ipv4.conf.all.rp_filter"] = "2"; // loose mode passes
        h.Sysctls["net.ipv4.conf.tunl0.rp_filter"] = "1";
        OnlyFailing(HostChecks.RealServer(h.Snapshot(), Tun), "RpFilter", "net.ipv4.conf.tunl0.rp_filter", "Initialize-LvsRealServer");
        h.Sysctls["net.ipv4.conf.tunl0.rp_filter"] = "0";
        var i = h.Links.FindIndex(l => l.Name == "ip6tnl0");
        h.Links[i] = h.Links[i] with { IsUp = false };
        OnlyFailing(HostChecks.RealServer(h.Snapshot(), Tun), "TunnelUp", "ip6tnl0", "Initialize-LvsRealServer");
        h.Links[i] = h.Links[i] with { IsUp = true };
        h.Links.RemoveAll(l => l.Name == "tunl0");
        h.Addresses.RemoveAll(a => a.InterfaceName == "tunl0");
        var failing = HostChecks.RealServer(h.Snapshot(), Tun).Where(f => !f.Passed).Select(f => f.Check).ToList();
        Assert.Contains("TunnelDevice", failing);
        Assert.Contains("VirtualAddress", failing);
    }

    private static FakeHost ReadyDirector()
    {
        var h = new FakeHost();
        h.Apply(HostPlanner.Director(h.Snapshot(), Nat, null, null));
        Assert.All(HostChecks.Director(h.Snapshot(), Nat), f => Assert.True(f.Passed, f.Check + " " + f.Target));
        return h;
    }

    [Theory]
    [InlineData("net.ipv4.ip_forward", "0", "IpForward", "Initialize-LvsDirector -Mode Nat")]
    [InlineData("net.ipv6.conf.all.forwarding", "0", "Ipv6Forwarding", "Initialize-LvsDirector")]
    [InlineData("net.ipv4.conf.all.send_redirects", "1", "SendRedirects", "Initialize-LvsDirector")]
    [InlineData("net.ipv4.conf.default.send_redirects", "1", "SendRedirects", "Initialize-LvsDirector")]
    [InlineData("net.ipv4.conf.eth0.send_redirects", "1", "SendRedirects", "-InterfaceName eth0")]
    // The DIP side: the kernel ORs all with each interface, so any interface still at 1 sends redirects.
    [InlineData("net.ipv4.conf.eth1.send_redirects", "1", "SendRedirects", "Initialize-LvsDirector -Mode Nat")]
    [InlineData("net.ipv4.conf.lo.send_redirects", "1", "SendRedirects", "Initialize-LvsDirector")]
    [InlineData("net.ipv4.vs.conntrack", "0", "IpvsSysctl", "Set-LvsSysctl -Conntrack 1")]
    public void DirectorSysctls(string key, string bad, string check, string fix)
    {
        var h = ReadyDirector();
        h.Sysctls[key] = bad;
        OnlyFailing(HostChecks.Director(h.Snapshot(), Nat), check, key, fix);
    }

    [Fact]
    public void EveryInterfaceWithSendRedirectsOnIsAFindingNamingIt()
    {
        var h = ReadyDirector();
        h.Sysctls["net.ipv4.conf.eth1.send_redirects"] = "1";
        var f = HostChecks.Director(h.Snapshot(), Nat).Single(x => !x.Passed);
        Assert.Equal("send_redirects is 1 on interface eth1: the director may send ICMP redirects telling clients to bypass it (one-armed setups).", f.Message);
        // Every interface is checked, passing or not.
        Assert.Equal(new[] { "all", "default", "eth0", "lo", "eth1" }.Select(i => $"net.ipv4.conf.{i}.send_redirects"),
            HostChecks.Director(h.Snapshot(), Nat).Where(x => x.Check == "SendRedirects").Select(x => x.Target));
    }

    [Fact]
    public void AnIpvsSysctlFixWithASpaceIsQuotedSoTheCommandParses()
    {
        var setup = Nat with { IpvsSettings = new Dictionary<string, string> { ["sync_threshold"] = "3 100" } };
        var h = new FakeHost();
        h.Apply(HostPlanner.Director(h.Snapshot(), setup, null, null));
        Assert.All(HostChecks.Director(h.Snapshot(), setup), f => Assert.True(f.Passed, f.Check + " " + f.Target));
        h.Sysctls["net.ipv4.vs.sync_threshold"] = "3\t50";
        OnlyFailing(HostChecks.Director(h.Snapshot(), setup), "IpvsSysctl", "net.ipv4.vs.sync_threshold", "Set-LvsSysctl -SyncThreshold '3 100'");
    }

    [Fact]
    public void DirectorVipInterfaceAndModule()
    {
        var h = ReadyDirector();
        h.Addresses.RemoveAll(a => a.Address.Equals(IPAddress.Parse("192.168.1.100")));
        OnlyFailing(HostChecks.Director(h.Snapshot(), Nat), "VirtualAddress", "192.168.1.100 on eth0", "Add-LvsVirtualAddress -Address 192.168.1.100/32 -InterfaceName eth0");
        h = ReadyDirector();
        h.Links[1] = h.Links[1] with { IsUp = false };
        OnlyFailing(HostChecks.Director(h.Snapshot(), Nat), "InterfaceUp", "eth0", "eth0");
        h = ReadyDirector();
        h.Modules.Clear();
        foreach (var d in IpvsSysctls.All) h.Sysctls.Remove(d.Key);
        var failed = HostChecks.Director(h.Snapshot(), Nat).Where(f => !f.Passed).Select(f => f.Check).ToList();
        Assert.Equal(new[] { "IpvsModule", "IpvsSysctl" }, failed);
        // A DR director does not need forwarding.
        h = new FakeHost();
        var dr = Nat with { Mode = DirectorMode.DirectRouting, IpvsSettings = null };
        h.Apply(HostPlanner.Director(h.Snapshot(), dr, null, null));
        Assert.Equal("0", h.Sysctls["net.ipv4.ip_forward"]);
        Assert.All(HostChecks.Director(h.Snapshot(), dr), f => Assert.True(f.Passed));
    }
}

/// <summary>The client's capture of the persistence files (read-only netlink and /proc/sys access only: no root needed).</summary>
public class ClientCaptureTests
{
    [Fact]
    public void PersistedFilesAreReadBackSoAPlanIsIdempotent()
    {
        var root = Path.Combine(Path.GetTempPath(), "lvs-capture-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var client = HostSetupClient.Open(null, new HostSetupOptions { PersistRoot = root, StateDirectory = Path.Combine(root, "state") });
            var snapshot = client.Capture();
            Assert.Contains(snapshot.Links, l => l.IsLoopback);
            Assert.NotNull(snapshot.Sysctl("net.ipv4.conf.lo.arp_ignore"));
            var plan = client.PlanAddAddress("10.255.254.1", null, "lo", null, false, persist: true);
            Assert.Equal(HostChangeKind.Address, plan.Changes[0].Kind);
            Assert.Equal(3, plan.Changes.Count(c => c.Kind == HostChangeKind.File));
            foreach (var c in plan.Changes.Where(c => c.Kind == HostChangeKind.File)) client.Apply(c);
            var again = client.PlanAddAddress("10.255.254.1", null, "lo", null, false, persist: true);
            Assert.Equal(new[] { HostChangeKind.Address }, again.Changes.Select(c => c.Kind));
            Assert.Equal("/etc/systemd/system/lvsadmin-addresses.service", client.Capture().PersistedFiles[HostPersistence.WantsLink]);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }
}
