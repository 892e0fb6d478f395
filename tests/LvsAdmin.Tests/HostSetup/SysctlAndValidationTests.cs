using System;
using System.IO;
using System.Net;
using LvsAdmin.HostSetup;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.HostSetup;

public sealed class SysctlStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lvs-sysctl-" + Guid.NewGuid().ToString("N"));

    public SysctlStoreTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "net/ipv4/conf/eth0.100"));
        Directory.CreateDirectory(Path.Combine(_root, "net/ipv4/vs"));
        File.WriteAllText(Path.Combine(_root, "net/ipv4/conf/eth0.100/arp_ignore"), "0\n");
        File.WriteAllText(Path.Combine(_root, "net/ipv4/vs/sync_threshold"), "3\t50\n");
        File.WriteAllText(Path.Combine(_root, "net/ipv4/vs/conntrack"), "0\n");
    }

    public void Dispose() => Directory.Delete(_root, true);

    [Theory]
    [InlineData("net.ipv4.conf.lo.arp_ignore", "net/ipv4/conf/lo/arp_ignore")]
    [InlineData("net.ipv4.conf.eth0/100.rp_filter", "net/ipv4/conf/eth0.100/rp_filter")]
    [InlineData("net.ipv4.vs.expire_nodest_conn", "net/ipv4/vs/expire_nodest_conn")]
    public void KeysMapToPathsBothWays(string key, string path)
    {
        Assert.Equal(path, SysctlStore.KeyToPath(key));
        Assert.Equal(key, SysctlStore.PathToKey(path));
    }

    [Fact]
    public void InterfaceKeysMapDotsToSlashes()
    {
        Assert.Equal("net.ipv4.conf.eth0/100.arp_ignore", SysctlStore.IPv4Key("eth0.100", "arp_ignore"));
        Assert.Equal("net.ipv6.conf.all.forwarding", SysctlStore.InterfaceKey("ipv6", "all", "forwarding"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("net..ipv4")]
    [InlineData("net.ipv4.conf.a b.x")]
    [InlineData("net/../../etc/passwd")]
    [InlineData("net.ipv4.conf.x;rm.y")]
    public void MalformedKeysAreNotFound(string key)
    {
        var e = Assert.Throws<SysctlException>(() => SysctlStore.KeyToPath(key));
        Assert.Equal("SysctlNotFound", e.ErrorId);
    }

    [Fact]
    public void ReadWriteListInARoot()
    {
        var s = new SysctlStore(null, _root);
        Assert.Equal("0", s.Read("net.ipv4.conf.eth0/100.arp_ignore"));
        s.Write("net.ipv4.conf.eth0/100.arp_ignore", "1");
        Assert.Equal("1\n", File.ReadAllText(Path.Combine(_root, "net/ipv4/conf/eth0.100/arp_ignore")));
        Assert.Equal(1, s.ReadInt64("net.ipv4.conf.eth0/100.arp_ignore"));
        Assert.Equal("3\t50", s.Read("net.ipv4.vs.sync_threshold"));
        Assert.Null(s.TryRead("net.ipv4.conf.lo.arp_ignore"));
        Assert.False(s.Exists("net.ipv4.conf.lo.arp_ignore"));
        Assert.Equal(new[] { "net.ipv4.vs.conntrack", "net.ipv4.vs.sync_threshold" }, s.List("net.ipv4.vs"));
        Assert.Empty(s.List("net.ipv4.nothing"));
        var m = s.ReadMany(new[] { "net.ipv4.vs.conntrack", "net.nope.x" });
        Assert.Equal("0", m["net.ipv4.vs.conntrack"]);
        Assert.Null(m["net.nope.x"]);
        Assert.Equal("SysctlNotFound", Assert.Throws<SysctlException>(() => s.Read("net.ipv4.conf.lo.arp_ignore")).ErrorId);
        Assert.Equal("SysctlNotFound", Assert.Throws<SysctlException>(() => s.Write("net.ipv4.conf.lo.arp_ignore", "1")).ErrorId);
        Assert.Equal("SysctlInvalidValue", Assert.Throws<SysctlException>(() => s.Write("net.ipv4.vs.conntrack", "1\n2")).ErrorId);
        Assert.Equal("SysctlInvalidValue", Assert.Throws<SysctlException>(() => s.ReadInt64("net.ipv4.vs.sync_threshold")).ErrorId);
    }

    [Fact]
    public void IpvsSysctlsReadOnlyWhatExists()
    {
        var s = new SysctlStore(null, _root);
        var all = IpvsSysctls.Read(s);
        Assert.Equal(new[] { "conntrack", "sync_threshold" }, System.Linq.Enumerable.Select(all, v => v.Name));
        Assert.Equal(false, all[0].Value);
        Assert.True(all[0].IsDefault);
        Assert.Equal("3 50", all[1].Value);
        Assert.Equal("SysctlNotFound", Assert.Throws<SysctlException>(() => IpvsSysctls.Read(s, "ExpireNodestConn")).ErrorId);
        IpvsSysctls.Write(s, "Conntrack", "true");
        Assert.Equal("1", s.Read("net.ipv4.vs.conntrack"));
        Assert.Throws<IpvsNotLoadedException>(() => IpvsSysctls.Read(new SysctlStore(null, Path.Combine(_root, "none"))));
    }
}

public class IpvsSysctlCatalogTests
{
    [Fact]
    public void NamesAndLookup()
    {
        Assert.Equal("ExpireNodestConn", IpvsSysctls.Pascal("expire_nodest_conn"));
        Assert.Equal("conn_reuse_mode", IpvsSysctls.Find("ConnReuseMode")!.Name);
        Assert.Equal("conntrack", IpvsSysctls.Find("net.ipv4.vs.conntrack")!.Name);
        Assert.Equal("net.ipv4.vs.sloppy_tcp", IpvsSysctls.Find("SLOPPY_TCP")!.Key);
        Assert.Null(IpvsSysctls.Find("nosuch"));
        Assert.Equal("UnknownIpvsSysctl", Assert.Throws<IpvsValidationException>(() => IpvsSysctls.Require("nosuch")).ErrorId);
        foreach (var n in new[] { "conntrack", "expire_nodest_conn", "expire_quiescent_template", "conn_reuse_mode", "snat_reroute", "sloppy_tcp", "sloppy_sctp",
                     "schedule_icmp", "ignore_tunneled", "nat_icmp_send", "pmtu_disc", "backup_only", "cache_bypass", "drop_entry", "drop_packet", "secure_tcp",
                     "amemthresh", "am_droprate", "sync_threshold", "sync_version", "sync_ports" })
            Assert.NotNull(IpvsSysctls.Find(n));
        Assert.All(IpvsSysctls.All, d => Assert.False(string.IsNullOrWhiteSpace(d.Description)));
    }

    [Theory]
    [InlineData("conntrack", "1", "1")]
    [InlineData("conntrack", "TRUE", "1")]
    [InlineData("conntrack", "false", "0")]
    [InlineData("conn_reuse_mode", "2", "2")]
    [InlineData("drop_entry", "3", "3")]
    [InlineData("sync_ports", "4", "4")]
    [InlineData("sync_threshold", "3\t50", "3 50")]
    [InlineData("sync_threshold", "10 0", "10 0")]
    [InlineData("est_nice", "-5", "-5")]
    [InlineData("est_cpulist", "0-3,6", "0-3,6")]
    public void ValidValues(string name, string value, string written) => Assert.Equal(written, IpvsSysctls.Validate(IpvsSysctls.Require(name), value));

    [Theory]
    [InlineData("conntrack", "2")]
    [InlineData("conntrack", "yes")]
    [InlineData("drop_entry", "4")]
    [InlineData("sync_ports", "3")]
    [InlineData("sync_ports", "0")]
    [InlineData("sync_threshold", "50 3")]
    [InlineData("sync_threshold", "3")]
    [InlineData("est_nice", "20")]
    [InlineData("est_cpulist", "a-b")]
    [InlineData("amemthresh", "-1")]
    public void InvalidValues(string name, string value)
    {
        var e = Assert.Throws<IpvsValidationException>(() => IpvsSysctls.Validate(IpvsSysctls.Require(name), value));
        Assert.Equal("SysctlInvalidValue", e.ErrorId);
        Assert.Contains(name, e.Message);
    }
}

public class HostValidationTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1", 32)]
    [InlineData("10.0.0.1/24", "10.0.0.1", 24)]
    [InlineData("2001:db8::1", "2001:db8::1", 128)]
    [InlineData("[2001:db8::1]/64", "2001:db8::1", 64)]
    public void Addresses(string text, string address, int prefix)
    {
        var (a, p) = HostValidation.ParseAddress(text);
        Assert.Equal(IPAddress.Parse(address), a);
        Assert.Equal(prefix, p);
    }

    [Theory]
    [InlineData("", "InvalidAddress")]
    [InlineData("10.0.0", "InvalidAddress")]
    [InlineData("nope", "InvalidAddress")]
    [InlineData("0.0.0.0", "InvalidAddress")]
    [InlineData("224.0.0.1", "InvalidAddress")]
    [InlineData("255.255.255.255", "InvalidAddress")]
    [InlineData("ff02::1", "InvalidAddress")]
    [InlineData("fe80::1", "InvalidAddress")]
    [InlineData("::ffff:10.0.0.1", "InvalidAddress")]
    [InlineData("10.0.0.1/33", "InvalidPrefixLength")]
    [InlineData("10.0.0.1/128", "InvalidPrefixLength")]
    [InlineData("10.0.0.1/0", "InvalidPrefixLength")]
    [InlineData("2001:db8::1/129", "InvalidPrefixLength")]
    [InlineData("10.0.0.1/x", "InvalidPrefixLength")]
    public void BadAddresses(string text, string errorId) =>
        Assert.Equal(errorId, Assert.Throws<IpvsValidationException>(() => HostValidation.ParseAddress(text)).ErrorId);

    [Fact]
    public void IPv4With128SaysWhy()
    {
        var e = Assert.Throws<IpvsValidationException>(() => HostValidation.ParseAddress("10.0.0.1", 128));
        Assert.Contains("IPv6", e.Message);
        Assert.Equal("InvalidPrefixLength", Assert.Throws<IpvsValidationException>(() => HostValidation.ParseAddress("10.0.0.1/32", 24)).ErrorId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("eth0/1")]
    [InlineData("eth 0")]
    [InlineData("lo:0")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("abcdefghijklmnop")]
    public void BadInterfaceNames(string name) =>
        Assert.Equal("InvalidInterfaceName", Assert.Throws<IpvsValidationException>(() => HostValidation.ValidateInterfaceName(name)).ErrorId);

    [Fact]
    public void GoodInterfaceNamesAndLabels()
    {
        HostValidation.ValidateInterfaceName("abcdefghijklmno");
        HostValidation.ValidateInterfaceName("eth0.100");
        HostValidation.ValidateLabel("lo:0", "lo", IPAddress.Parse("10.0.0.1"));
        HostValidation.ValidateLabel("lo", "lo", IPAddress.Parse("10.0.0.1"));
        Assert.Equal("InvalidLabel", Assert.Throws<IpvsValidationException>(() => HostValidation.ValidateLabel("eth0:0", "lo", IPAddress.Parse("10.0.0.1"))).ErrorId);
        Assert.Equal("InvalidLabel", Assert.Throws<IpvsValidationException>(() => HostValidation.ValidateLabel("lo:0", "lo", IPAddress.Parse("2001:db8::1"))).ErrorId);
        Assert.Equal("InvalidLabel", Assert.Throws<IpvsValidationException>(() => HostValidation.ValidateLabel("lo:0123456789abc", "lo", IPAddress.Parse("10.0.0.1"))).ErrorId);
    }
}
