using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Ipvs;

public class EndpointTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1", null)]
    [InlineData("10.0.0.1:80", "10.0.0.1", 80)]
    [InlineData(" 10.0.0.1:0 ", "10.0.0.1", 0)]
    [InlineData("255.255.255.255:65535", "255.255.255.255", 65535)]
    [InlineData("[2001:db8::1]:443", "2001:db8::1", 443)]
    [InlineData("[2001:db8::1]", "2001:db8::1", null)]
    [InlineData("2001:db8::1", "2001:db8::1", null)]
    [InlineData("::1", "::1", null)]
    [InlineData("2001:db8::1:80", "2001:db8::1:80", null)]   // bare IPv6 never carries a port
    [InlineData("[::ffff:10.0.0.1]:80", "::ffff:10.0.0.1", 80)]
    public void ParsesGoodForms(string text, string address, int? port)
    {
        Assert.True(Endpoint.TryParse(text, out var a, out var p, out var error), error);
        Assert.Equal(IPAddress.Parse(address), a);
        Assert.Equal(port, (int?)p);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("10.0.0:80")]          // three parts
    [InlineData("10.0.0")]
    [InlineData("10.0.0.1.5")]
    [InlineData("10.0.0.256")]
    [InlineData("[10.0.0.1]:80")]      // brackets are for IPv6
    [InlineData("1.2.3.4:70000")]
    [InlineData("1.2.3.4:65536")]
    [InlineData("1.2.3.4:-1")]
    [InlineData("1.2.3.4:+80")]
    [InlineData("1.2.3.4:")]
    [InlineData("1.2.3.4:8 0")]
    [InlineData(":80")]
    [InlineData("x")]
    [InlineData("x:80")]
    [InlineData("fe80::1%eth0")]       // scope ids are not allowed
    [InlineData("[fe80::1%2]:80")]
    [InlineData("[2001:db8::1")]
    [InlineData("[2001:db8::1]80")]
    [InlineData("[2001:db8::1]:")]
    [InlineData("[]:80")]
    [InlineData("1")]
    [InlineData("1:2")]
    [InlineData("010.0.0.1")]          // .NET would read this as octal 8.0.0.1
    [InlineData("0x0a.0.0.1")]         // and this as hex
    [InlineData("10.0.0.01:80")]
    public void RejectsBadForms(string? text)
    {
        Assert.False(Endpoint.TryParse(text, out _, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("10.0.0.1", 80, "10.0.0.1:80")]
    [InlineData("2001:db8::1", 443, "[2001:db8::1]:443")]
    [InlineData("::", 0, "[::]:0")]
    public void Formats(string address, int port, string expected) =>
        Assert.Equal(expected, Endpoint.Format(IPAddress.Parse(address), (ushort)port));

    [Fact]
    public void TryParseAddressRejectsPorts()
    {
        Assert.True(Endpoint.TryParseAddress("10.0.0.1", out var a));
        Assert.Equal(IPAddress.Parse("10.0.0.1"), a);
        Assert.False(Endpoint.TryParseAddress("10.0.0.1:80", out _));
        Assert.False(Endpoint.TryParseAddress("[2001:db8::1]:80", out _));
        Assert.True(Endpoint.TryParseAddress("[2001:db8::1]", out _));
    }

    [Fact]
    public void InetAddrRoundTrip()
    {
        var v4 = Endpoint.ToInetAddr(IPAddress.Parse("10.1.2.3"));
        Assert.Equal(new byte[] { 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, v4);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), Endpoint.FromInetAddr(v4, IpvsAddressFamily.IPv4));
        var v6 = Endpoint.ToInetAddr(IPAddress.Parse("2001:db8::7"));
        Assert.Equal(16, v6.Length);
        Assert.Equal(IPAddress.Parse("2001:db8::7"), Endpoint.FromInetAddr(v6, IpvsAddressFamily.IPv6));
        Assert.Throws<LvsAdmin.Netlink.NetlinkProtocolException>(() => Endpoint.FromInetAddr(new byte[4], IpvsAddressFamily.IPv6));
        Assert.Throws<LvsAdmin.Netlink.NetlinkProtocolException>(() => Endpoint.FromInetAddr(new byte[3], IpvsAddressFamily.IPv4));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("65535", 65535)]
    [InlineData("00080", 80)]
    public void PortsParse(string text, int port)
    {
        Assert.True(Endpoint.TryParsePort(text, out var p));
        Assert.Equal(port, p);
    }

    [Theory]
    [InlineData("")]
    [InlineData("65536")]
    [InlineData("99999")]
    [InlineData("100000")]
    [InlineData("8a")]
    [InlineData("-1")]
    public void BadPortsDoNotParse(string text) => Assert.False(Endpoint.TryParsePort(text, out _));
}

public class ServiceKeyTests
{
    [Theory]
    [InlineData("tcp/10.0.0.1:80", "tcp/10.0.0.1:80", IpvsProtocol.Tcp, IpvsAddressFamily.IPv4, 80, 0u)]
    [InlineData("TCP/10.0.0.1:80", "tcp/10.0.0.1:80", IpvsProtocol.Tcp, IpvsAddressFamily.IPv4, 80, 0u)]
    [InlineData("t/10.0.0.1:80", "tcp/10.0.0.1:80", IpvsProtocol.Tcp, IpvsAddressFamily.IPv4, 80, 0u)]
    [InlineData("10.0.0.1:80", "tcp/10.0.0.1:80", IpvsProtocol.Tcp, IpvsAddressFamily.IPv4, 80, 0u)]
    [InlineData("udp/[2001:db8::1]:53", "udp/[2001:db8::1]:53", IpvsProtocol.Udp, IpvsAddressFamily.IPv6, 53, 0u)]
    [InlineData("u/10.0.0.1:53", "udp/10.0.0.1:53", IpvsProtocol.Udp, IpvsAddressFamily.IPv4, 53, 0u)]
    [InlineData("sctp/10.0.0.1:5060", "sctp/10.0.0.1:5060", IpvsProtocol.Sctp, IpvsAddressFamily.IPv4, 5060, 0u)]
    [InlineData("tcp/10.0.0.1", "tcp/10.0.0.1:0", IpvsProtocol.Tcp, IpvsAddressFamily.IPv4, 0, 0u)]
    [InlineData("[2001:db8::1]:8080", "tcp/[2001:db8::1]:8080", IpvsProtocol.Tcp, IpvsAddressFamily.IPv6, 8080, 0u)]
    [InlineData("fwm/100", "fwm/100", IpvsProtocol.None, IpvsAddressFamily.IPv4, 0, 100u)]
    [InlineData("fwm/0x64", "fwm/100", IpvsProtocol.None, IpvsAddressFamily.IPv4, 0, 100u)]
    [InlineData("FWM/0X64", "fwm/100", IpvsProtocol.None, IpvsAddressFamily.IPv4, 0, 100u)]
    [InlineData("fwm/100/ipv6", "fwm/100/ipv6", IpvsProtocol.None, IpvsAddressFamily.IPv6, 0, 100u)]
    [InlineData("fwm/100/IPv4", "fwm/100", IpvsProtocol.None, IpvsAddressFamily.IPv4, 0, 100u)]
    [InlineData("fwmark/7/6", "fwm/7/ipv6", IpvsProtocol.None, IpvsAddressFamily.IPv6, 0, 7u)]
    [InlineData("f/1", "fwm/1", IpvsProtocol.None, IpvsAddressFamily.IPv4, 0, 1u)]
    [InlineData("fwm:42", "fwm/42", IpvsProtocol.None, IpvsAddressFamily.IPv4, 0, 42u)]
    [InlineData("fwm/4294967295", "fwm/4294967295", IpvsProtocol.None, IpvsAddressFamily.IPv4, 0, 4294967295u)]
    public void ParsesAndFormats(string text, string canonical, IpvsProtocol protocol, IpvsAddressFamily family, int port, uint mark)
    {
        var key = ServiceKey.Parse(text);
        Assert.Equal(canonical, key.ToString());
        Assert.Equal(protocol, key.Protocol);
        Assert.Equal(family, key.AddressFamily);
        Assert.Equal(port, key.Port);
        Assert.Equal(mark, key.FirewallMark);
        Assert.Equal(mark != 0, key.IsFirewallMark);
        Assert.Equal(mark != 0, key.Address is null);
        // Round trip: the canonical text parses to an equal key.
        var again = ServiceKey.Parse(canonical);
        Assert.Equal(key, again);
        Assert.Equal(key.GetHashCode(), again.GetHashCode());
        Assert.Equal(canonical, again.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("icmp/10.0.0.1:80")]
    [InlineData("tcp/")]
    [InlineData("tcp/10.0.0:80")]
    [InlineData("tcp/[10.0.0.1]:80")]
    [InlineData("tcp/x")]
    [InlineData("fwm/0")]
    [InlineData("fwm/")]
    [InlineData("fwm/-1")]
    [InlineData("fwm/4294967296")]
    [InlineData("fwm/0x")]
    [InlineData("fwm/0x1FFFFFFFF")]
    [InlineData("fwm/12abc")]
    [InlineData("fwm/100/ipv5")]
    [InlineData("fwm/100/ipv6/x")]
    [InlineData("fwm:0")]
    public void RejectsBadForms(string text)
    {
        Assert.False(ServiceKey.TryParse(text, out var key, out var error));
        Assert.Null(key);
        Assert.False(string.IsNullOrWhiteSpace(error));
        var e = Assert.Throws<IpvsValidationException>(() => ServiceKey.Parse(text));
        Assert.Equal("Service", e.Parameter);
        Assert.Equal("InvalidService", e.ErrorId);
        Assert.Equal(IpvsErrorKind.InvalidArgument, e.Kind);
    }

    [Theory]
    [InlineData("tcp/10.0.0.1:70000", "70000")]
    [InlineData("udp/[2001:db8::1]:65536", "65536")]
    [InlineData("10.0.0.1:999999999999", "999999999999")]
    public void APortOutOfRangeIsInvalidPortNotInvalidService(string text, string port)
    {
        Assert.False(ServiceKey.TryParse(text, out _, out _));
        var e = Assert.Throws<IpvsValidationException>(() => ServiceKey.Parse(text));
        Assert.Equal("InvalidPort", e.ErrorId);
        Assert.Equal(IpvsErrorKind.InvalidArgument, e.Kind);
        Assert.Equal($"'{text}': Port {port} is out of range: a port is 0 to 65535.", e.Message);
        // Not a number at all stays a bad service text.
        Assert.Equal("InvalidService", Assert.Throws<IpvsValidationException>(() => ServiceKey.Parse("tcp/10.0.0.1:http")).ErrorId);
    }

    [Theory]
    [InlineData(70000L)]
    [InlineData(65536L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    public void CheckPortRefusesNumbersOutsideThePortRange(long value)
    {
        var e = Assert.Throws<IpvsValidationException>(() => Endpoint.CheckPort(value));
        Assert.Equal("InvalidPort", e.ErrorId);
        Assert.Contains("0 to 65535", e.Message);
        Assert.Equal((ushort)65535, Endpoint.CheckPort(65535));
        Assert.Equal((ushort)0, Endpoint.CheckPort(0));
        Assert.Null(Endpoint.CheckPort(null));
    }

    [Fact]
    public void FactoriesMatchParse()
    {
        Assert.Equal(ServiceKey.Parse("udp/10.0.0.1:53"), ServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("10.0.0.1"), 53));
        Assert.Equal(ServiceKey.Parse("fwm/5/ipv6"), ServiceKey.ForFirewallMark(5, IpvsAddressFamily.IPv6));
        Assert.NotEqual(ServiceKey.Parse("fwm/5"), ServiceKey.ForFirewallMark(5, IpvsAddressFamily.IPv6));
        Assert.NotEqual(ServiceKey.Parse("tcp/10.0.0.1:80"), ServiceKey.Parse("udp/10.0.0.1:80"));
        Assert.NotEqual(ServiceKey.Parse("tcp/10.0.0.1:80"), ServiceKey.Parse("tcp/10.0.0.1:81"));
        Assert.NotEqual(ServiceKey.Parse("tcp/10.0.0.1:80"), ServiceKey.Parse("tcp/10.0.0.2:80"));
    }

    [Fact]
    public void IPv4MappedAddressKeepsItsIPv6IdentityEverywhere()
    {
        // The kernel keys a service by family and address bytes; ipvsadm makes [::ffff:a.b.c.d] an AF_INET6 service.
        // Parse, the factory and the decoder must agree, or a listed service would name a different one.
        var parsed = ServiceKey.Parse("tcp/[::ffff:10.0.0.1]:80");
        var built = ServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("::ffff:10.0.0.1"), 80);
        Assert.Equal(IpvsAddressFamily.IPv6, parsed.AddressFamily);
        Assert.Equal(parsed, built);
        Assert.Equal("tcp/[::ffff:10.0.0.1]:80", built.ToString());
    }

    [Fact]
    public void FactoryRejectsBadValues()
    {
        Assert.Equal("Protocol", Assert.Throws<IpvsValidationException>(() => ServiceKey.ForAddress(IpvsProtocol.None, IPAddress.Parse("10.0.0.1"), 80)).Parameter);
        Assert.Equal("Protocol", Assert.Throws<IpvsValidationException>(() => ServiceKey.ForAddress((IpvsProtocol)1, IPAddress.Parse("10.0.0.1"), 80)).Parameter);
        Assert.Equal("Address", Assert.Throws<IpvsValidationException>(() => ServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("fe80::1%2"), 80)).Parameter);
        var mark = Assert.Throws<IpvsValidationException>(() => ServiceKey.ForFirewallMark(0));
        Assert.Equal("FirewallMark", mark.Parameter);
        Assert.Equal("InvalidFirewallMark", mark.ErrorId);
        Assert.Equal("AddressFamily", Assert.Throws<IpvsValidationException>(() => ServiceKey.ForFirewallMark(1, (IpvsAddressFamily)7)).Parameter);
        Assert.Throws<System.ArgumentNullException>(() => ServiceKey.ForAddress(IpvsProtocol.Tcp, null!, 80));
    }

}

public class KeyOrderTests
{
    [Fact]
    public void ServiceKeysSortForListings()
    {
        var texts = new[]
        {
            "fwm/5/ipv6", "udp/10.0.0.1:53", "tcp/192.168.0.1:80", "fwm/3000000000", "tcp/10.0.0.10:80",
            "tcp/[2001:db8::1]:80", "tcp/10.0.0.2:443", "tcp/10.0.0.2:80", "sctp/10.0.0.1:5060", "fwm/7",
        };
        var keys = System.Linq.Enumerable.ToList(System.Linq.Enumerable.Select(texts, ServiceKey.Parse));
        keys.Sort();
        Assert.Equal(new[]
        {
            "tcp/10.0.0.2:80", "tcp/10.0.0.2:443", "tcp/10.0.0.10:80", "tcp/192.168.0.1:80", "udp/10.0.0.1:53",
            "sctp/10.0.0.1:5060", "tcp/[2001:db8::1]:80", "fwm/7", "fwm/3000000000", "fwm/5/ipv6",
        }, System.Linq.Enumerable.Select(keys, k => k.ToString()));
        Assert.Equal(0, ServiceKey.Parse("tcp/10.0.0.1:80").CompareTo(ServiceKey.Parse("10.0.0.1:80")));
        Assert.True(ServiceKey.Parse("fwm/1").CompareTo(null) > 0);
    }

    [Fact]
    public void RealServerKeysSortNumerically()
    {
        var keys = new[] { ("2001:db8::1", 80), ("192.168.0.1", 80), ("10.0.0.10", 80), ("10.0.0.2", 8080), ("10.0.0.2", 80), ("::ffff:10.0.0.1", 80) }
            .Select(t => new RealServerKey(IPAddress.Parse(t.Item1), (ushort)t.Item2)).ToList();
        keys.Sort();
        Assert.Equal(new[] { "10.0.0.2:80", "10.0.0.2:8080", "10.0.0.10:80", "192.168.0.1:80", "[::ffff:10.0.0.1]:80", "[2001:db8::1]:80" },
            keys.Select(k => k.ToString()));
        Assert.Equal(0, Endpoint.CompareAddresses(null, null));
        Assert.True(Endpoint.CompareAddresses(null, IPAddress.Loopback) < 0);
    }
}
