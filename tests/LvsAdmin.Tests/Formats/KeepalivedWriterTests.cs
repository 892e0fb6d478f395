using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Formats;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using Xunit;

namespace LvsAdmin.Tests.Formats;

/// <summary>What keepalived cannot express is left out with a warning that names it.</summary>
public class KeepalivedWriterTests
{
    private static readonly ServiceKey Web = ServiceKey.Parse("tcp/10.0.0.1:80");

    private static (string Text, List<string> Warnings) Write(LvsConfiguration doc)
    {
        var warnings = new List<string>();
        return (ConfigurationKeepalived.Write(doc, warnings), warnings);
    }

    private static RealServer Real(ServiceKey key, string address, ushort port, ForwardingMethod method = ForwardingMethod.DirectRouting) =>
        new(key, IPAddress.Parse(address), port) { ForwardingMethod = method };

    [Fact]
    public void AServiceWithoutRealServersIsLeftOutWithAWarning()
    {
        var (text, warnings) = Write(new LvsConfiguration { Services = new[] { new ConfiguredService(new VirtualService(Web)) } });
        Assert.DoesNotContain("virtual_server", text);
        Assert.Equal("tcp/10.0.0.1:80: keepalived ignores a virtual_server without real servers: the service is left out.", Assert.Single(warnings));
    }

    [Fact]
    public void RealServersKeepalivedWouldChangeAreLeftOutWithAWarning()
    {
        var mark = ServiceKey.ForFirewallMark(3);
        var (text, warnings) = Write(new LvsConfiguration
        {
            Services = new[]
            {
                new ConfiguredService(new VirtualService(Web), new[] { Real(Web, "10.0.0.5", 8080), Real(Web, "10.0.0.6", 80), Real(Web, "10.0.0.7", 80, ForwardingMethod.Local) }),
                new ConfiguredService(new VirtualService(mark), new[] { Real(mark, "10.0.0.8", 80), Real(mark, "10.0.0.9", 0) }),
            },
        });
        Assert.Equal(new[]
        {
            "tcp/10.0.0.1:80: real server 10.0.0.5:8080: a DR port 8080 other than 80 cannot be written (keepalived resets it): left out.",
            "tcp/10.0.0.1:80: real server 10.0.0.7:80: keepalived has no forwarding method Local: left out.",
            "fwm/3: real server 10.0.0.8:80: a DR port 80 other than 0 cannot be written (keepalived resets it): left out.",
        }, warnings);
        Assert.Contains("real_server 10.0.0.6 80 {", text);
        Assert.Contains("real_server 10.0.0.9 0 {", text);
    }

    [Fact]
    public void SyncDaemonsHostSectionAndPersistenceLeftoversAreNamed()
    {
        var doc = new LvsConfiguration
        {
            Services = new[] { new ConfiguredService(new VirtualService(Web) { PersistenceTimeout = 300, Scheduler = "rr" }, new[] { Real(Web, "10.0.0.6", 80) }) },
            SyncDaemons = new[] { new SyncDaemon { Interface = "eth0" } },
            Host = new HostConfiguration { Sysctls = new Dictionary<string, string> { ["net.ipv4.vs.conntrack"] = "1" } },
        };
        var (text, warnings) = Write(doc);
        Assert.Equal(3, warnings.Count);
        Assert.StartsWith("The sync daemons (Master on eth0) are left out", warnings[0]);
        Assert.StartsWith("The host section", warnings[1]);
        Assert.StartsWith("tcp/10.0.0.1:80: a persistence timeout, granularity or engine on a non-persistent service", warnings[2]);
        Assert.DoesNotContain("lvs_sync_daemon", text);
        Assert.DoesNotContain("persistence_timeout", text);
    }

    [Fact]
    public void AllZeroWeightsAreWrittenWithAWarningAboutKeepalivedsQuorumCheck()
    {
        var doc = new LvsConfiguration { Services = new[] { new ConfiguredService(new VirtualService(Web) { Scheduler = "rr" }, new[] { Real(Web, "10.0.0.6", 80) with { Weight = 0 } }) } };
        var (text, warnings) = Write(doc);
        Assert.StartsWith("tcp/10.0.0.1:80: every real server has weight 0: keepalived warns", Assert.Single(warnings));
        Assert.Equal(doc, ConfigurationKeepalived.Read(text));
    }

    [Fact]
    public void ExpressedDocumentsGiveNoWarning()
    {
        var doc = new LvsConfiguration
        {
            Services = new[] { new ConfiguredService(new VirtualService(Web) { Scheduler = "rr" }, new[] { Real(Web, "10.0.0.6", 80) }) },
            Timeouts = new IpvsTimeouts(0, 0, 0),
            SyncDaemons = Array.Empty<SyncDaemon>(),
        };
        var (text, warnings) = Write(doc);
        Assert.Empty(warnings);
        Assert.DoesNotContain("global_defs", text);
    }
}
