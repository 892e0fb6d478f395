using System;
using System.Linq;
using System.Net;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;
using LvsAdmin.Requests;
using Xunit;

namespace LvsAdmin.Tests.Requests;

public class FilterTests
{
    private static VirtualService Svc(string s) => new(ServiceKey.Parse(s));

    [Fact]
    public void ServiceFilter()
    {
        var all = new[] { Svc("tcp/10.0.0.1:80"), Svc("udp/10.0.0.1:53"), Svc("tcp/[2001:db8::1]:443"), Svc("fwm/7"), Svc("fwm/8/ipv6") };
        string[] Pick(ServiceFilter f) => all.Where(f.Matches).Select(s => s.Service).ToArray();
        Assert.Equal(5, Pick(new ServiceFilter()).Length);
        Assert.Equal(new[] { "tcp/10.0.0.1:80", "tcp/[2001:db8::1]:443" }, Pick(LvsAdmin.Requests.ServiceFilter.Create(IpvsProtocol.Tcp, null, null, null, null)));
        Assert.Equal(new[] { "tcp/10.0.0.1:80", "udp/10.0.0.1:53" }, Pick(LvsAdmin.Requests.ServiceFilter.Create(null, "10.0.0.1", null, null, null)));
        Assert.Equal(new[] { "udp/10.0.0.1:53" }, Pick(LvsAdmin.Requests.ServiceFilter.Create(null, "10.0.0.1:53", null, null, null)));
        Assert.Equal(new[] { "fwm/7" }, Pick(LvsAdmin.Requests.ServiceFilter.Create(null, null, null, 7, null)));
        Assert.Equal(new[] { "tcp/[2001:db8::1]:443", "fwm/8/ipv6" }, Pick(LvsAdmin.Requests.ServiceFilter.Create(null, null, null, null, IpvsAddressFamily.IPv6)));
        Assert.Throws<IpvsValidationException>(() => LvsAdmin.Requests.ServiceFilter.Create(null, "10.0.0.1:53", 54, null, null));
        Assert.Throws<IpvsValidationException>(() => LvsAdmin.Requests.ServiceFilter.Create(IpvsProtocol.None, null, null, null, null));
        Assert.Equal("InvalidPort", Assert.Throws<IpvsValidationException>(() => LvsAdmin.Requests.ServiceFilter.Create(null, null, 70000, null, null)).ErrorId);
        Assert.Equal("InvalidPort", Assert.Throws<IpvsValidationException>(() => LvsAdmin.Requests.ServiceFilter.Create(null, "10.0.0.1:70000", null, null, null)).ErrorId);
    }

    [Fact]
    public void RealServerFilter()
    {
        var key = ServiceKey.Parse("tcp/10.0.0.1:80");
        var a = new RealServer(key, IPAddress.Parse("10.0.0.2"), 80);
        var b = new RealServer(key, IPAddress.Parse("10.0.0.2"), 8080);
        var c = new RealServer(key, IPAddress.Parse("10.0.0.3"), 80);
        Assert.True(LvsAdmin.Requests.RealServerFilter.Create(null, null).Matches(a));
        var byAddress = LvsAdmin.Requests.RealServerFilter.Create("10.0.0.2", null);
        Assert.True(byAddress.Matches(a) && byAddress.Matches(b) && !byAddress.Matches(c));
        var byEndpoint = LvsAdmin.Requests.RealServerFilter.Create("10.0.0.2:8080", null);
        Assert.True(!byEndpoint.Matches(a) && byEndpoint.Matches(b));
        Assert.True(LvsAdmin.Requests.RealServerFilter.Create(null, 80).Matches(c));
        Assert.Throws<IpvsValidationException>(() => LvsAdmin.Requests.RealServerFilter.Create("10.0.0.2:1", 2));
        var e = Assert.Throws<IpvsValidationException>(() => LvsAdmin.Requests.RealServerFilter.Create(null, 70000));
        Assert.Equal("InvalidPort", e.ErrorId);
        Assert.Equal("Port 70000 is out of range: a port is 0 to 65535.", e.Message);
    }

    private static IpvsConnection Conn(string client, ushort cport, string vip, ushort vport, string rs, ushort rport, string state) => new()
    {
        Protocol = IpvsProtocol.Tcp,
        ClientAddress = IPAddress.Parse(client), ClientPort = cport,
        VirtualAddress = IPAddress.Parse(vip), VirtualPort = vport,
        RealServerAddress = IPAddress.Parse(rs), RealServerPort = rport,
        State = state, Expires = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public void ConnectionFilter()
    {
        var c = Conn("192.0.2.9", 40000, "10.0.0.1", 80, "10.0.0.2", 80, "ESTABLISHED");
        Assert.True(LvsAdmin.Connections.ConnectionFilter.Create(null, null, null, null).Matches(c));
        Assert.True(LvsAdmin.Connections.ConnectionFilter.Create("tcp/10.0.0.1:80", "10.0.0.2", "192.0.2.9", new[] { "established" }).Matches(c));
        Assert.True(LvsAdmin.Connections.ConnectionFilter.Create("tcp/10.0.0.1:0", "10.0.0.2:80", "192.0.2.9:40000", null).Matches(c));
        Assert.False(LvsAdmin.Connections.ConnectionFilter.Create("udp/10.0.0.1:80", null, null, null).Matches(c));
        Assert.False(LvsAdmin.Connections.ConnectionFilter.Create("tcp/10.0.0.1:81", null, null, null).Matches(c));
        Assert.False(LvsAdmin.Connections.ConnectionFilter.Create(null, "10.0.0.2:81", null, null).Matches(c));
        Assert.False(LvsAdmin.Connections.ConnectionFilter.Create(null, null, "192.0.2.10", null).Matches(c));
        Assert.False(LvsAdmin.Connections.ConnectionFilter.Create(null, null, null, new[] { "FIN_WAIT", "NONE" }).Matches(c));
        Assert.Equal("FirewallMarkConnectionFilterNotSupported", Assert.Throws<IpvsValidationException>(() => LvsAdmin.Connections.ConnectionFilter.Create("fwm/1", null, null, null)).ErrorId);
        Assert.Equal("RealServer", Assert.Throws<IpvsValidationException>(() => LvsAdmin.Connections.ConnectionFilter.Create(null, "nope", null, null)).Parameter);
    }
}
