using System;
using System.Net;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Connections;

public class ConnectionFilterTests
{
    private static IpvsConnection Conn(IpvsProtocol p, string client, ushort cport, string vip, ushort vport, string rs, ushort rport,
        string state = "ESTABLISHED", bool template = false) => new()
    {
        Protocol = p,
        ClientAddress = IPAddress.Parse(client),
        ClientPort = cport,
        VirtualAddress = IPAddress.Parse(vip),
        VirtualPort = vport,
        RealServerAddress = IPAddress.Parse(rs),
        RealServerPort = rport,
        State = state,
        IsTemplate = template,
    };

    private static readonly IpvsConnection Web = Conn(IpvsProtocol.Tcp, "192.0.2.7", 40000, "10.0.0.100", 80, "10.0.2.2", 8080);
    private static readonly IpvsConnection Web6 = Conn(IpvsProtocol.Tcp, "2001:db8::7", 40000, "2001:db8::100", 80, "10.0.2.2", 80);
    private static readonly IpvsConnection FtpTemplate = Conn(IpvsProtocol.Tcp, "192.0.2.0", 0, "10.0.0.100", 0, "10.0.2.2", 0, "ASSURED", true);

    [Fact]
    public void EmptyFilterMatchesEverything()
    {
        var f = new ConnectionFilter();
        Assert.True(f.IsEmpty);
        Assert.True(f.Matches(Web));
        Assert.True(f.Matches(FtpTemplate));
        Assert.Throws<ArgumentNullException>(() => f.Matches(null!));
    }

    [Fact]
    public void ServiceMatchesProtocolAddressAndPort()
    {
        Assert.True(new ConnectionFilter(ServiceKey.Parse("tcp/10.0.0.100:80")).Matches(Web));
        Assert.False(new ConnectionFilter(ServiceKey.Parse("udp/10.0.0.100:80")).Matches(Web));
        Assert.False(new ConnectionFilter(ServiceKey.Parse("tcp/10.0.0.100:81")).Matches(Web));
        Assert.False(new ConnectionFilter(ServiceKey.Parse("tcp/10.0.0.101:80")).Matches(Web));
        Assert.True(new ConnectionFilter(ServiceKey.Parse("tcp/[2001:db8::100]:80")).Matches(Web6));
        Assert.False(new ConnectionFilter(ServiceKey.Parse("tcp/[2001:db8::100]:80")).Matches(Web));
    }

    [Fact]
    public void PortZeroServiceMatchesEveryPortAndPortZeroTemplatesMatchTheirService()
    {
        Assert.True(new ConnectionFilter(ServiceKey.Parse("tcp/10.0.0.100:0")).Matches(Web));
        Assert.True(new ConnectionFilter(ServiceKey.Parse("tcp/10.0.0.100:21")).Matches(FtpTemplate));
        Assert.False(new ConnectionFilter(ServiceKey.Parse("udp/10.0.0.100:21")).Matches(FtpTemplate));
        // a non-template entry with virtual port 0 does not match a port service
        var odd = Web with { VirtualPort = 0 };
        Assert.False(new ConnectionFilter(ServiceKey.Parse("tcp/10.0.0.100:80")).Matches(odd));
    }

    [Fact]
    public void FirewallMarkServicesAreRejected()
    {
        var e = Assert.Throws<IpvsValidationException>(() => new ConnectionFilter(ServiceKey.Parse("fwm/7")));
        Assert.Equal("FirewallMarkConnectionFilterNotSupported", e.ErrorId);
        Assert.Equal("Service", e.Parameter);
        // also through 'with', which bypasses the constructor
        Assert.Throws<IpvsValidationException>(() => new ConnectionFilter() with { Service = ServiceKey.Parse("fwm/7/ipv6") });
    }

    [Fact]
    public void RealServerAndClientCriteria()
    {
        Assert.True(new ConnectionFilter(RealServerAddress: IPAddress.Parse("10.0.2.2"), RealServerPort: 8080).Matches(Web));
        Assert.False(new ConnectionFilter(RealServerAddress: IPAddress.Parse("10.0.2.3")).Matches(Web));
        Assert.False(new ConnectionFilter(RealServerPort: 80).Matches(Web));
        Assert.True(new ConnectionFilter(RealServerPort: 80).Matches(FtpTemplate)); // template port 0 = any
        Assert.True(new ConnectionFilter(ClientAddress: IPAddress.Parse("192.0.2.7")).Matches(Web));
        Assert.False(new ConnectionFilter(ClientAddress: IPAddress.Parse("192.0.2.8")).Matches(Web));
        // IPv4-mapped IPv6 input is taken as IPv4; a scope id is dropped
        Assert.True(new ConnectionFilter(ClientAddress: IPAddress.Parse("::ffff:192.0.2.7")).Matches(Web));
        Assert.Equal(IPAddress.Parse("192.0.2.7"), new ConnectionFilter(ClientAddress: IPAddress.Parse("::ffff:192.0.2.7")).ClientAddress);
        Assert.True(new ConnectionFilter(ClientAddress: IPAddress.Parse("2001:db8::7%3")).Matches(Web6));
    }

    [Fact]
    public void StateIsCaseInsensitiveAndValidated()
    {
        Assert.True(new ConnectionFilter(State: "established").Matches(Web));
        Assert.True(new ConnectionFilter(State: " ESTABLISHED ").Matches(Web));
        Assert.False(new ConnectionFilter(State: "SYN_RECV").Matches(Web));
        Assert.Equal("InvalidState", Assert.Throws<IpvsValidationException>(() => new ConnectionFilter(State: " ")).ErrorId);
        Assert.Throws<IpvsValidationException>(() => new ConnectionFilter(State: "SYN RECV"));
        Assert.Throws<IpvsValidationException>(() => new ConnectionFilter() with { State = "" });
    }

    [Fact]
    public void AllCriteriaMustMatch()
    {
        var f = new ConnectionFilter(ServiceKey.Parse("tcp/10.0.0.100:80"), IPAddress.Parse("10.0.2.2"), 8080, IPAddress.Parse("192.0.2.7"), "ESTABLISHED");
        Assert.False(f.IsEmpty);
        Assert.True(f.Matches(Web));
        Assert.False((f with { State = "CLOSE" }).Matches(Web));
        Assert.False((f with { RealServerPort = 1 }).Matches(Web));
    }

    [Fact]
    public void KnownStateLists()
    {
        Assert.Contains("SYN_RECV", ConnectionStates.Tcp);
        Assert.Contains("C-ECHOED", ConnectionStates.Sctp);
        Assert.Equal(new[] { "UDP" }, ConnectionStates.Udp);
        Assert.Equal(new[] { "NONE", "ASSURED" }, ConnectionStates.Template);
        Assert.Equal(ConnectionStates.All.Count, new System.Collections.Generic.HashSet<string>(ConnectionStates.All).Count);
        Assert.Contains("ASSURED", ConnectionStates.All);
    }
}
