using System.Net;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Requests;

public class IpvsNamesTests
{
    [Theory]
    [InlineData("DirectRouting", ForwardingMethod.DirectRouting)]
    [InlineData("route", ForwardingMethod.DirectRouting)]
    [InlineData("Gateway", ForwardingMethod.DirectRouting)]
    [InlineData(" g ", ForwardingMethod.DirectRouting)]
    [InlineData("NAT", ForwardingMethod.Nat)]
    [InlineData("Masquerade", ForwardingMethod.Nat)]
    [InlineData("masq", ForwardingMethod.Nat)]
    [InlineData("Tunnel", ForwardingMethod.Tunnel)]
    [InlineData("ipip", ForwardingMethod.Tunnel)]
    [InlineData("3", ForwardingMethod.DirectRouting)]
    [InlineData("0", ForwardingMethod.Nat)]
    public void ForwardingMethodAliases(string text, ForwardingMethod expected) =>
        Assert.Equal(expected, IpvsNames.ParseForwardingMethod(text));

    [Theory]
    [InlineData("Local")]
    [InlineData("Bypass")]
    [InlineData("bogus")]
    [InlineData("")]
    [InlineData(null)]
    public void ForwardingMethodRejects(string? text)
    {
        var e = Assert.Throws<IpvsValidationException>(() => IpvsNames.ParseForwardingMethod(text));
        Assert.Equal("ForwardingMethod", e.Parameter);
    }

    [Fact]
    public void EveryAdvertisedAliasParses()
    {
        foreach (var a in IpvsNames.ForwardingMethodAliases) IpvsNames.ParseForwardingMethod(a);
        foreach (var a in IpvsNames.ForwardingMethodNames) Assert.Equal(a, IpvsNames.ParseForwardingMethod(a).ToString());
    }

    [Theory]
    [InlineData(ForwardingMethod.DirectRouting, "Route")]
    [InlineData(ForwardingMethod.Nat, "Masq")]
    [InlineData(ForwardingMethod.Tunnel, "Tunnel")]
    [InlineData(ForwardingMethod.Local, "Local")]
    public void ForwardingMethodIpvsadmWords(ForwardingMethod m, string word) => Assert.Equal(word, IpvsNames.FormatForwardingMethod(m));

    [Fact]
    public void SchedulerFlagsLikeIpvsadm()
    {
        Assert.Equal(SchedulerFlags.Flag1 | SchedulerFlags.Flag2, IpvsNames.ParseSchedulerFlags(new[] { "sh-fallback,sh-port" }, "sh"));
        Assert.Equal(SchedulerFlags.Flag1 | SchedulerFlags.Flag2, IpvsNames.ParseSchedulerFlags(new[] { "mh-fallback", "mh-port" }, "MH"));
        Assert.Equal(SchedulerFlags.Flag3, IpvsNames.ParseSchedulerFlags(new[] { "flag-3" }, "rr"));
        Assert.Equal(SchedulerFlags.Flag1 | SchedulerFlags.Flag2, IpvsNames.ParseSchedulerFlags(new[] { "Flag1, Flag2" }, "wlc"));
        Assert.Equal(SchedulerFlags.Flag2, IpvsNames.ParseSchedulerFlags(new[] { "16" }, "wlc"));
        Assert.Equal(SchedulerFlags.None, IpvsNames.ParseSchedulerFlags(new[] { "None" }, "wlc"));
        Assert.Equal(SchedulerFlags.None, IpvsNames.ParseSchedulerFlags(null, "wlc"));
    }

    [Theory]
    [InlineData("sh-port", "wlc")]
    [InlineData("sh-fallback", "mh")]
    [InlineData("mh-port", "sh")]
    [InlineData("mh-fallback", null)]
    public void SchedulerFlagsIncompatible(string flag, string? scheduler)
    {
        var e = Assert.Throws<IpvsValidationException>(() => IpvsNames.ParseSchedulerFlags(new[] { flag }, scheduler));
        Assert.Equal("IncompatibleSchedulerFlag", e.ErrorId);
    }

    [Theory]
    [InlineData("flag-4")]
    [InlineData("64")]
    [InlineData("port")]
    public void SchedulerFlagsInvalid(string flag)
    {
        var e = Assert.Throws<IpvsValidationException>(() => IpvsNames.ParseSchedulerFlags(new[] { flag }, "sh"));
        Assert.Equal("InvalidSchedulerFlag", e.ErrorId);
    }

    [Fact]
    public void SchedulerFlagsFormatPerScheduler()
    {
        var f = SchedulerFlags.Flag1 | SchedulerFlags.Flag2;
        Assert.Equal("sh-fallback,sh-port", IpvsNames.FormatSchedulerFlags(f, "sh"));
        Assert.Equal("mh-fallback,mh-port", IpvsNames.FormatSchedulerFlags(f, "mh"));
        Assert.Equal("flag-1,flag-2", IpvsNames.FormatSchedulerFlags(f, "wlc"));
        Assert.Equal("", IpvsNames.FormatSchedulerFlags(SchedulerFlags.None, "wlc"));
    }

    [Fact]
    public void ServiceOptionsReadLikeIpvsadm()
    {
        var key = ServiceKey.Parse("tcp/10.0.0.1:80");
        Assert.Equal("", IpvsNames.FormatServiceOptions(new VirtualService(key)));
        var s = new VirtualService(key) { Scheduler = "sh", SchedulerFlags = SchedulerFlags.Flag2, Persistent = true, PersistenceTimeout = 300, PersistenceNetmask = "255.255.255.0", PersistenceEngine = "sip" };
        Assert.Equal("(sh-port) persistent 300 mask 255.255.255.0 pe sip", IpvsNames.FormatServiceOptions(s));
        var u = new VirtualService(ServiceKey.Parse("udp/[2001:db8::1]:53")) { OnePacket = true, Persistent = true, PersistenceTimeout = 60 };
        Assert.Equal("persistent 60 ops", IpvsNames.FormatServiceOptions(u));
    }

    [Fact]
    public void TunnelText()
    {
        var key = ServiceKey.Parse("tcp/10.0.0.1:80");
        var r = new RealServer(key, IPAddress.Parse("10.0.0.2"), 80);
        Assert.Equal("", IpvsNames.FormatTunnel(r));
        Assert.Equal("ipip", IpvsNames.FormatTunnel(r with { ForwardingMethod = ForwardingMethod.Tunnel }));
        Assert.Equal("gue:6080,csum", IpvsNames.FormatTunnel(r with { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelChecksum = TunnelChecksum.Checksum }));
        Assert.Equal("gre,nocsum", IpvsNames.FormatTunnel(r with { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre }));
    }

    [Fact]
    public void ServiceFromParts()
    {
        Assert.Equal("udp/10.0.0.1:53", IpvsNames.ServiceFromParts(IpvsProtocol.Udp, "10.0.0.1", 53).ToString());
        Assert.Equal("tcp/10.0.0.1:80", IpvsNames.ServiceFromParts(IpvsProtocol.Tcp, "10.0.0.1:80", null).ToString());
        Assert.Equal("sctp/[2001:db8::1]:5060", IpvsNames.ServiceFromParts(IpvsProtocol.Sctp, "[2001:db8::1]:5060", 5060).ToString());
        Assert.Equal("Port", Assert.Throws<IpvsValidationException>(() => IpvsNames.ServiceFromParts(IpvsProtocol.Tcp, "10.0.0.1:80", 81)).Parameter);
        // -Port 70000 and an address with port 70000: the module's own InvalidPort, not a binder or address error.
        Assert.Equal("InvalidPort", Assert.Throws<IpvsValidationException>(() => IpvsNames.ServiceFromParts(IpvsProtocol.Tcp, "10.0.0.1", 70000)).ErrorId);
        Assert.Equal("InvalidPort", Assert.Throws<IpvsValidationException>(() => IpvsNames.ServiceFromParts(IpvsProtocol.Tcp, "10.0.0.1:70000", null)).ErrorId);
        var svc = ServiceKey.Parse("tcp/10.0.0.1:80");
        Assert.Equal("InvalidPort", Assert.Throws<IpvsValidationException>(() => IpvsNames.RealServerFromParts(svc, "10.0.0.2", -1)).ErrorId);
        Assert.Equal("InvalidPort", Assert.Throws<IpvsValidationException>(() => IpvsNames.RealServerFromParts(svc, "[2001:db8::2]:65536", null)).ErrorId);
        Assert.Equal("Port", Assert.Throws<IpvsValidationException>(() => IpvsNames.ServiceFromParts(IpvsProtocol.Tcp, "10.0.0.1", null)).Parameter);
        Assert.Equal("Address", Assert.Throws<IpvsValidationException>(() => IpvsNames.ServiceFromParts(IpvsProtocol.Tcp, "10.0.0", 80)).Parameter);
        Assert.Equal("Protocol", Assert.Throws<IpvsValidationException>(() => IpvsNames.ServiceFromParts(IpvsProtocol.None, "10.0.0.1", 80)).Parameter);
    }

    [Fact]
    public void RealServerFromParts()
    {
        var svc = ServiceKey.Parse("tcp/10.0.0.1:80");
        Assert.Equal(new RealServerKey(IPAddress.Parse("10.0.0.2"), 80), IpvsNames.RealServerFromParts(svc, "10.0.0.2", null));
        Assert.Equal(new RealServerKey(IPAddress.Parse("10.0.0.2"), 8080), IpvsNames.RealServerFromParts(svc, "10.0.0.2:8080", null));
        Assert.Equal(new RealServerKey(IPAddress.Parse("10.0.0.2"), 8080), IpvsNames.RealServerFromParts(svc, "10.0.0.2", 8080));
        Assert.Equal(new RealServerKey(IPAddress.Parse("2001:db8::2"), 443), IpvsNames.RealServerFromParts(svc, "[2001:db8::2]:443", null));
        Assert.Equal(new RealServerKey(IPAddress.Parse("10.0.0.2"), 0), IpvsNames.RealServerFromParts(ServiceKey.Parse("fwm/7"), "10.0.0.2", null));
        Assert.Throws<IpvsValidationException>(() => IpvsNames.RealServerFromParts(svc, "10.0.0.2:81", 82));
        Assert.Throws<IpvsValidationException>(() => IpvsNames.RealServerFromParts(svc, "host.example", null));
    }
}
