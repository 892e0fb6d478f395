using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Formats;
using LvsAdmin.HostSetup;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.HostSetup;

public class RealServerDerivationTests
{
    internal const string Table = """
        -A -t 192.0.2.10:80 -s rr
        -a -t 192.0.2.10:80 -r 10.0.1.21:80 -g -w 1
        -a -t 192.0.2.10:80 -r 10.0.1.22:80 -g -w 1
        -A -t 192.0.2.11:443 -s rr
        -a -t 192.0.2.11:443 -r 10.0.1.21:443 -g -w 1
        -A -t 192.0.2.20:80 -s rr
        -a -t 192.0.2.20:80 -r 10.0.2.31:80 -i -w 1
        -A -t 192.0.2.30:80 -s rr
        -a -t 192.0.2.30:80 -r 10.0.3.41:8080 -m -w 1
        -A -t [2001:db8::10]:80 -s rr
        -a -t [2001:db8::10]:80 -r [2001:db8:1::21]:80 -g -w 1
        """;

    private static IReadOnlyList<RealServerRequirement> Derive(string text, Dictionary<uint, IReadOnlyList<string>>? marks = null) =>
        RealServerDerivation.Derive(ConfigurationIpvsadm.Read(text), marks);

    [Fact]
    public void EachRealServerGetsItsMethodAndTheUnionOfItsVips()
    {
        var list = Derive(Table);
        Assert.Equal(new[] { "10.0.1.21", "10.0.1.22", "10.0.2.31", "10.0.3.41", "2001:db8:1::21" }, list.Select(r => r.Address.ToString()));
        var rs1 = list[0];
        Assert.Equal(ForwardingMethod.DirectRouting, rs1.Method);
        Assert.Equal(new[] { "192.0.2.10", "192.0.2.11" }, rs1.VirtualAddresses);
        Assert.Equal(new[] { "tcp/192.0.2.10:80", "tcp/192.0.2.11:443" }, rs1.Services);
        Assert.Equal(RealServerMode.Tunnel, list[2].Mode);
        Assert.Equal(new[] { "192.0.2.20" }, list[2].VirtualAddresses);
        Assert.Equal(ForwardingMethod.Nat, list[3].Method);
        Assert.Null(list[3].Mode);
        Assert.Empty(list[3].VirtualAddresses);
        Assert.Null(list[3].ToSetup());
        Assert.Equal(new[] { "2001:db8::10" }, list[4].VirtualAddresses);
        var setup = rs1.ToSetup(persist: true)!;
        Assert.Equal(RealServerMode.DirectRouting, setup.Mode);
        Assert.True(setup.Persist);
        Assert.Equal(rs1.VirtualAddresses, setup.VirtualAddresses);
    }

    [Fact]
    public void TheDerivedSetupPlansLikeInitializeLvsRealServer()
    {
        var setup = Derive(Table)[0].ToSetup()!;
        var plan = HostPlanner.RealServer(new FakeHost().Snapshot(), setup, null, null);
        Assert.Contains(plan.Changes, c => c.Kind == HostChangeKind.Address && c.Target == "192.0.2.11/32 dev lo");
        Assert.Contains(plan.Changes, c => c.Target == "net.ipv4.conf.all.arp_ignore" && c.After == "1");
    }

    [Fact]
    public void FirewallMarkServicesNeedTheirVipsGiven()
    {
        const string fwm = "-A -f 100 -s rr\n-a -f 100 -r 10.0.1.23:0 -g -w 1\n";
        var e = Assert.Throws<IpvsValidationException>(() => Derive(fwm));
        Assert.Equal("FirewallMarkAddressMissing", e.ErrorId);
        var list = Derive(fwm, new() { [100] = new[] { "192.0.2.40", "192.0.2.41" } });
        Assert.Equal(new[] { "192.0.2.40", "192.0.2.41" }, list.Single().VirtualAddresses);
        Assert.Equal("InvalidFirewallMarkAddress", Assert.Throws<IpvsValidationException>(() => Derive(fwm, new() { [100] = new[] { "2001:db8::1" } })).ErrorId);
        Assert.Equal("InvalidFirewallMarkAddress", Assert.Throws<IpvsValidationException>(() => Derive(fwm, new() { [100] = new[] { "nope" } })).ErrorId);
        // A NAT firewall-mark service needs no VIP on the real server.
        Assert.Equal(ForwardingMethod.Nat, Derive("-A -f 7 -s rr\n-a -f 7 -r 10.0.1.24:0 -m -w 1\n").Single().Method);
    }

    [Fact]
    public void MixedDirectRoutingAndTunnelIsRefusedButNatNextToDrKeepsDr()
    {
        var mixed = "-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.0.1.21:80 -g -w 1\n-A -t 192.0.2.20:80 -s rr\n-a -t 192.0.2.20:80 -r 10.0.1.21:80 -i -w 1\n";
        Assert.Equal("RealServerMixedMethods", Assert.Throws<IpvsValidationException>(() => Derive(mixed)).ErrorId);
        var withNat = "-A -t 192.0.2.30:80 -s rr\n-a -t 192.0.2.30:80 -r 10.0.1.21:80 -m -w 1\n-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.0.1.21:80 -g -w 1\n";
        var r = Derive(withNat).Single();
        Assert.Equal(ForwardingMethod.DirectRouting, r.Method);
        Assert.Equal(new[] { "192.0.2.10" }, r.VirtualAddresses);
        Assert.Equal(2, r.Services.Count);
    }

    [Fact]
    public void HostsAreMatchedByTheirAddresses()
    {
        var list = Derive(Table);
        var hosts = new Dictionary<string, IReadOnlyCollection<IPAddress>>
        {
            ["rs1"] = new[] { IPAddress.Parse("10.0.1.21"), IPAddress.Parse("2001:db8:1::21") },
            ["rs2"] = new[] { IPAddress.Parse("10.0.1.22") },
            ["stray"] = new[] { IPAddress.Parse("10.9.9.9") },
        };
        var m = RealServerDerivation.Match(list, hosts, out var unmatched);
        Assert.Equal(new[] { "10.0.1.21", "2001:db8:1::21" }, m["rs1"].Select(r => r.Address.ToString()));
        Assert.Single(m["rs2"]);
        Assert.Empty(m["stray"]);
        Assert.Equal(new[] { "10.0.2.31", "10.0.3.41" }, unmatched.Select(r => r.Address.ToString()));
        var combined = RealServerDerivation.Combine(m["rs1"])!;
        Assert.Equal(new[] { "192.0.2.10", "192.0.2.11", "2001:db8::10" }, combined.VirtualAddresses);
        Assert.Null(RealServerDerivation.Combine(new[] { list[3] }));
        Assert.Equal("RealServerMixedMethods", Assert.Throws<IpvsValidationException>(() => RealServerDerivation.Combine(new[] { list[0], list[2] })).ErrorId);
    }
}

public class RealServerScriptTests
{
    private static readonly RealServerSetup Dr = new() { Mode = RealServerMode.DirectRouting, VirtualAddresses = new[] { "192.0.2.10", "2001:db8::10" } };

    [Fact]
    public void InstallAddsEachVipToLoAfterTheArpSettings()
    {
        var s = RealServerScript.Generate(Dr, RealServerScript.Kind.Install);
        Assert.StartsWith("#!/bin/sh\n", s);
        var arp = s.IndexOf("set_sysctl \"net.ipv4.conf.$d.arp_ignore\" 1", StringComparison.Ordinal);
        var addr = s.IndexOf("add_addr 192.0.2.10 32 lo\n", StringComparison.Ordinal);
        Assert.True(arp > 0 && addr > arp, "ARP settings come before the VIP");
        Assert.Contains("add_addr 2001:db8::10 128 lo\n", s);
        Assert.DoesNotContain("modprobe ipip", s[s.IndexOf("for d in", StringComparison.Ordinal)..]);
        Assert.DoesNotContain("persist_", s[s.IndexOf("for d in", StringComparison.Ordinal)..]);
        Assert.EndsWith("echo \"changed=$changed failed=$failed\"\n[ \"$failed\" -eq 0 ]\n", s);
    }

    [Fact]
    public void TunnelCreatesTheDevicesAndRelaxesRpFilter()
    {
        var s = RealServerScript.Generate(Dr with { Mode = RealServerMode.Tunnel }, RealServerScript.Kind.Install);
        Assert.Contains("tunnel tunl0 ipip ipip\n", s);
        Assert.Contains("tunnel ip6tnl0 ip6_tunnel ip6tnl\n", s);
        Assert.Contains("set_sysctl net.ipv4.conf.all.rp_filter 0\n", s);
        Assert.Contains("set_sysctl net.ipv4.conf.tunl0.rp_filter 0\n", s);
        Assert.Contains("add_addr 192.0.2.10 32 tunl0\n", s);
        Assert.Contains("add_addr 2001:db8::10 128 ip6tnl0\n", s);
        var t = RealServerScript.Generate(Dr with { Mode = RealServerMode.Tunnel }, RealServerScript.Kind.Test);
        Assert.Contains("check_tunnel tunl0 ipip\n", t);
        Assert.Contains("check_sysctl RpFilter net.ipv4.conf.tunl0.rp_filter '0|2' 0", t);
        Assert.Contains("check_addr 192.0.2.10 32 tunl0\n", t);
    }

    [Fact]
    public void PersistWritesTheSameFilesAsTheCmdlets()
    {
        var s = RealServerScript.Generate(Dr with { Persist = true }, RealServerScript.Kind.Install);
        Assert.Contains("persist_addr 'ip address replace 192.0.2.10/32 dev lo'\n", s);
        Assert.Contains("persist_addr 'ip -6 address replace 2001:db8::10/128 dev lo nodad'\n", s);
        Assert.Contains("ExecStart=/bin/sh /etc/lvsadmin/addresses.sh", s);
        Assert.Contains("persist_sysctl \"net.ipv4.conf.$k.arp_ignore\" 1", s);
    }

    [Fact]
    public void TestChecksWhatTestLvsRealServerChecks()
    {
        var s = RealServerScript.Generate(Dr with { InterfaceNames = new[] { "eth0" } }, RealServerScript.Kind.Test);
        Assert.Contains("check_addr 192.0.2.10 32 lo\n", s);
        Assert.Contains("check_sysctl ArpIgnore \"net.ipv4.conf.$d.arp_ignore\" '1|2' 1", s);
        Assert.Contains("check_sysctl ArpAnnounce \"net.ipv4.conf.$d.arp_announce\" 2 2", s);
        Assert.Contains("LVS_ARP_INTERFACES='eth0'\n", s);
        Assert.DoesNotContain("add_addr", s);
        Assert.DoesNotContain("RpFilter", s);
        Assert.EndsWith("echo \"findings=$failed\"\n[ \"$failed\" -eq 0 ]\n", s);
    }

    [Fact]
    public void BadInputIsRefusedBeforeAnyTextIsMade()
    {
        Assert.Equal("InvalidPrefixLength", Assert.Throws<IpvsValidationException>(() => RealServerScript.Generate(Dr with { VirtualAddresses = new[] { "192.0.2.0/24" } }, RealServerScript.Kind.Install)).ErrorId);
        Assert.Equal("MissingVirtualAddress", Assert.Throws<IpvsValidationException>(() => RealServerScript.Generate(Dr with { VirtualAddresses = Array.Empty<string>() }, RealServerScript.Kind.Test)).ErrorId);
        Assert.Equal("InvalidInterfaceName", Assert.Throws<IpvsValidationException>(() => RealServerScript.Generate(Dr with { InterfaceNames = new[] { "eth0;reboot" } }, RealServerScript.Kind.Install)).ErrorId);
    }

    [Fact]
    public void NatScriptChecksTheRouteBackPerFamilyAndChangesNothing()
    {
        var rs = new[] { System.Net.IPAddress.Parse("10.0.0.21"), System.Net.IPAddress.Parse("2001:db8:1::21") };
        var director = new[] { System.Net.IPAddress.Parse("10.0.0.1"), System.Net.IPAddress.Parse("10.0.1.1") };
        var t = RealServerScript.GenerateNat(rs, director, RealServerScript.Kind.Test, "web1");
        Assert.StartsWith("#!/bin/sh\n# LvsAdmin real-server check: Nat", t);
        Assert.Contains("check_route_back 198.51.100.1 '10.0.0.1 10.0.1.1'\n", t);
        Assert.Contains("finding 0 RouteBack 'replies to clients (route to 2001:db8:ffff:ffff::1)' 'via the director' 'not checked'", t);
        Assert.EndsWith("echo \"findings=$failed\"\n[ \"$failed\" -eq 0 ]\n", t);
        var i = RealServerScript.GenerateNat(rs, director, RealServerScript.Kind.Install);
        Assert.EndsWith("echo \"changed=false failed=$failed\"\n[ \"$failed\" -eq 0 ]\n", i);
        Assert.DoesNotContain("add_addr", i);
        Assert.DoesNotContain("ip route replace", i.Replace("checked, not changed: ip route replace", ""));
    }

    [Fact]
    public void NatScriptWithoutDirectorAddressesFailsSayingWhatItNeeds()
    {
        // Runs for real: without a director address no route is looked up, so no ip is needed.
        var t = RealServerScript.GenerateNat(new[] { System.Net.IPAddress.Parse("10.0.0.21") }, Array.Empty<System.Net.IPAddress>(), RealServerScript.Kind.Test);
        var psi = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Write(t);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("FAIL RouteBack replies to clients (route to 198.51.100.1): expected via the director, found not checked: no address of the director is known: generate the script with -DirectorAddress", output);
        Assert.EndsWith("findings=1\n", output);
    }
}
