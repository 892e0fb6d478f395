using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Configuration;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Configuration;

/// <summary>The health model: what keepalived accepts passes, anything else is an error naming the property.</summary>
public class HealthValidationTests
{
    private static readonly ServiceKey Key = ServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.0.0.1"), 80);

    private static ConfiguredService Service(ServiceHealth health, ushort port = 80) =>
        new(new VirtualService(Key), new[] { new RealServer(Key, IPAddress.Parse("10.0.1.1"), port) { ForwardingMethod = ForwardingMethod.Nat } }) { Health = health };

    public static IEnumerable<object[]> GoodChecks() => new[]
    {
        new HealthCheck(HealthCheckType.Tcp),
        new HealthCheck(HealthCheckType.Tcp) { ConnectAddress = IPAddress.Parse("10.0.1.9"), ConnectPort = 8080, ConnectTimeout = 3, Interval = 10, Retries = 2, DelayBeforeRetry = 1 },
        new HealthCheck(HealthCheckType.Http) { Path = "/health", StatusCodes = new[] { new HttpStatusRange(200, 299) }, Regex = "ok", VirtualHost = "www.example.com" },
        new HealthCheck(HealthCheckType.Https) { Path = "/", Digest = "0123456789abcdef0123456789abcdef" },
        new HealthCheck(HealthCheckType.Udp) { Payload = "0a0b", RequireReply = true, Reply = "0a" },
        new HealthCheck(HealthCheckType.Dns) { QueryType = "A", QueryName = "www.example.com" },
        new HealthCheck(HealthCheckType.Command) { Command = new[] { "/bin/true", "x" }, CommandTimeout = 5, Dynamic = true },
    }.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(GoodChecks))]
    public void GoodChecksPass(HealthCheck check) => HealthValidation.Validate(check);

    public static IEnumerable<object[]> BadChecks() => new (HealthCheck Check, string Property)[]
    {
        (new HealthCheck(HealthCheckType.Tcp) { ConnectPort = 0 }, "ConnectPort"),
        (new HealthCheck(HealthCheckType.Tcp) { Interval = 0 }, "Interval"),
        (new HealthCheck(HealthCheckType.Tcp) { ConnectTimeout = 0 }, "ConnectTimeout"),
        (new HealthCheck(HealthCheckType.Tcp) { Path = "/" }, "Path"),
        (new HealthCheck(HealthCheckType.Http), "Path"),
        (new HealthCheck(HealthCheckType.Http) { Path = "health" }, "Path"),
        (new HealthCheck(HealthCheckType.Http) { Path = "/a b" }, "Path"),
        (new HealthCheck(HealthCheckType.Http) { Path = "/", StatusCodes = new[] { new HttpStatusRange(299, 200) } }, "StatusCodes"),
        (new HealthCheck(HealthCheckType.Http) { Path = "/", Digest = "ABC" }, "Digest"),
        (new HealthCheck(HealthCheckType.Http) { Path = "/", Regex = "a\"b" }, "Regex"),
        (new HealthCheck(HealthCheckType.Http) { Path = "/", Regex = "(" }, "Regex"),
        (new HealthCheck(HealthCheckType.Http) { Path = "/", VirtualHost = "a b" }, "VirtualHost"),
        (new HealthCheck(HealthCheckType.Udp) { Payload = "abc" }, "Payload"),
        (new HealthCheck(HealthCheckType.Udp) { Reply = "0a" }, "Reply"),
        (new HealthCheck(HealthCheckType.Dns) { QueryType = "PTR" }, "QueryType"),
        (new HealthCheck(HealthCheckType.Dns) { QueryName = "a..b" }, "QueryName"),
        (new HealthCheck(HealthCheckType.Command), "Command"),
        (new HealthCheck(HealthCheckType.Command) { Command = new[] { "true" } }, "Command"),
        (new HealthCheck(HealthCheckType.Command) { Command = new[] { "/bin/true" }, ConnectPort = 80 }, "ConnectAddress"),
        (new HealthCheck(HealthCheckType.Tcp) { Command = new[] { "/bin/true" } }, "Command"),
    }.Select(x => new object[] { x.Check, x.Property });

    [Theory]
    [MemberData(nameof(BadChecks))]
    public void BadChecksAreErrorsNamingTheProperty(HealthCheck check, string property)
    {
        var e = Assert.Throws<IpvsValidationException>(() => HealthValidation.Validate(check));
        Assert.Equal("InvalidHealthCheck", e.ErrorId);
        Assert.Equal(property, e.Parameter);
    }

    [Fact]
    public void ServiceSettingsAreChecked()
    {
        HealthValidation.Validate(Service(new ServiceHealth { Checks = new[] { new HealthCheck(HealthCheckType.Tcp) }, Quorum = 3, Hysteresis = 2 }));
        void Bad(ConfiguredService s, string property)
        {
            var e = Assert.Throws<IpvsValidationException>(() => HealthValidation.Validate(s));
            Assert.Equal("InvalidServiceHealth", e.ErrorId);
            Assert.Equal(property, e.Parameter);
        }
        Bad(Service(new ServiceHealth { Quorum = 0 }), "Quorum");
        Bad(Service(new ServiceHealth { Quorum = 2, Hysteresis = 2 }), "Hysteresis");
        Bad(Service(new ServiceHealth { RealServers = new[] { new RealServerHealth(new RealServerKey(IPAddress.Parse("10.0.9.9"), 80)) } }), "RealServers");
        Bad(Service(new ServiceHealth { SorryServer = new SorryServer(IPAddress.Parse("2001:db8::9"), 80) }), "SorryServer");
        Bad(Service(new ServiceHealth { SorryServer = new SorryServer(IPAddress.Parse("10.0.0.9"), 80) { ForwardingMethod = ForwardingMethod.Local } }), "SorryServer");
        // A real server without port needs a connect port for a network check (a command needs none).
        Bad(Service(new ServiceHealth { Checks = new[] { new HealthCheck(HealthCheckType.Tcp) } }, port: 0), "ConnectPort");
        HealthValidation.Validate(Service(new ServiceHealth { Checks = new[] { new HealthCheck(HealthCheckType.Command) { Command = new[] { "/bin/true" } } } }, port: 0));
    }

    [Fact]
    public void RealServerChecksOverrideTheServices()
    {
        var a = new RealServerKey(IPAddress.Parse("10.0.1.1"), 80);
        var b = new RealServerKey(IPAddress.Parse("10.0.1.2"), 80);
        var tcp = new HealthCheck(HealthCheckType.Tcp);
        var http = new HealthCheck(HealthCheckType.Http) { Path = "/" };
        var h = new ServiceHealth
        {
            Checks = new[] { tcp },
            RealServers = new[] { new RealServerHealth(b, new[] { http }) { OnFailure = HealthFailureAction.Remove } },
        };
        Assert.Equal(new[] { tcp }, h.ChecksFor(a));
        Assert.Equal(new[] { http }, h.ChecksFor(b));
        Assert.Equal(HealthFailureAction.Inhibit, h.OnFailureFor(a));
        Assert.Equal(HealthFailureAction.Remove, h.OnFailureFor(b));
        Assert.True(h.IsChecked(a));
        Assert.False(new ServiceHealth().IsChecked(a));
        // Value equality, whatever order the real servers' settings were given in.
        var c = new RealServerKey(IPAddress.Parse("10.0.1.0"), 80);
        Assert.Equal(h with { RealServers = new[] { new RealServerHealth(b, new[] { http }) { OnFailure = HealthFailureAction.Remove }, new RealServerHealth(c) } },
            h with { RealServers = new[] { new RealServerHealth(c), new RealServerHealth(b, new[] { http }) { OnFailure = HealthFailureAction.Remove } } });
        Assert.NotEqual(h, h with { Quorum = 2 });
    }

    [Theory]
    [InlineData("200", 200, 200)]
    [InlineData("200-299", 200, 299)]
    public void StatusRangesParse(string text, int min, int max)
    {
        Assert.True(HttpStatusRange.TryParse(text, out var r));
        Assert.Equal(new HttpStatusRange(min, max), r);
        Assert.Equal(text, r.ToString());
    }

    [Theory]
    [InlineData("99")]
    [InlineData("600")]
    [InlineData("300-200")]
    [InlineData("2xx")]
    public void BadStatusRangesDoNotParse(string text) => Assert.False(HttpStatusRange.TryParse(text, out _));
}
