using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;
using Xunit;

using LvsAdmin.Tests.Configuration;

namespace LvsAdmin.Tests.Formats;

public class ConfigurationIpvsadmTests
{
    private const string Rules =
        "-A -t 10.0.0.1:80 -s wrr\n" +
        "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 5\n" +
        "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum\n" +
        "-A -u [2001:db8::1]:53 -s rr -o\n" +
        "-a -u [2001:db8::1]:53 -r [2001:db8::2]:5353 -m -w 0\n" +
        "-A -f 7 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port\n" +
        "-a -f 7 -r 10.0.2.1:0 -g -w 1\n";

    [Fact]
    public void ReadThenWriteGivesTheSameRules()
    {
        var c = ConfigurationIpvsadm.Read(Rules);
        Assert.Equal(3, c.Services.Count);
        Assert.Null(c.Timeouts);
        Assert.Null(c.SyncDaemons);
        Assert.Equal(Rules, ConfigurationIpvsadm.Write(c, sort: false));
        // Through JSON and back: the same rules (JSON holds more, never less).
        var viaJson = ConfigurationJson.Read(ConfigurationJson.Write(c));
        Assert.Equal(IpvsadmSaveFormat.Write(c.Table), ConfigurationIpvsadm.Write(viaJson));
    }

    [Fact]
    public void BadLineIsAParseErrorWithItsLineNumber()
    {
        var e = Assert.Throws<ConfigurationParseException>(() => ConfigurationFile.Parse("# saved\n-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -w x\n", source: "rules"));
        Assert.Equal("ConfigurationParseError", e.ErrorId);
        Assert.Equal(3, e.Line);
        Assert.Contains("line 3", e.Message);
        Assert.IsType<IpvsadmParseException>(e.InnerException);
    }

    [Theory]
    [InlineData("{\"schemaVersion\": 1}", ConfigurationFormat.Json)]
    [InlineData("\uFEFF  \n {\"schemaVersion\": 1}", ConfigurationFormat.Json)]
    [InlineData("-A -t 10.0.0.1:80 -s rr\n", ConfigurationFormat.Ipvsadm)]
    [InlineData("# {json?}\n-A -t 10.0.0.1:80\n", ConfigurationFormat.Ipvsadm)]
    [InlineData("", ConfigurationFormat.Ipvsadm)]
    public void DetectsTheFormat(string text, ConfigurationFormat format)
    {
        Assert.Equal(format, ConfigurationFile.DetectFormat(text));
        ConfigurationFile.Parse(text); // both parse
    }

    [Fact]
    public void LoadReadsFilesAndReportsMissingOnes()
    {
        var dir = Directory.CreateTempSubdirectory("lvsconf");
        try
        {
            var json = Path.Combine(dir.FullName, "a.json");
            File.WriteAllText(json, ConfigurationJsonTests.SampleJson);
            Assert.Equal(ConfigurationGenerator.Canonical(ConfigurationJsonTests.Sample()), ConfigurationFile.Load(json));
            var rules = Path.Combine(dir.FullName, "rules");
            File.WriteAllText(rules, Rules);
            Assert.Equal(3, ConfigurationFile.Load(rules).Services.Count);
            var e = Assert.Throws<IpvsException>(() => ConfigurationFile.Load(Path.Combine(dir.FullName, "missing")));
            Assert.Equal("ConfigurationFileUnreadable", e.ErrorId);
            Assert.Equal(IpvsErrorKind.NotFound, e.Kind);
            File.WriteAllText(json, "{\"schemaVersion\": 1, \"bogus\": 1}");
            var pe = Assert.Throws<ConfigurationParseException>(() => ConfigurationFile.Load(json));
            Assert.Contains(json, pe.Message);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void OmissionsNameWhatTheIpvsadmFormatDrops()
    {
        Assert.Empty(ConfigurationIpvsadm.Omissions(ConfigurationIpvsadm.Read(Rules)));
        // The sample has thresholds, a sync daemon and host settings; its timeouts are the kernel's defaults.
        var o = ConfigurationIpvsadm.Omissions(ConfigurationJsonTests.Sample());
        Assert.Equal(3, o.Count);
        Assert.Contains(o, x => x.Contains("thresholds"));
        Assert.Contains(o, x => x.Contains("master sync daemon (interface eth1, sync ID 5)"));
        Assert.Contains(o, x => x.Contains("host settings (2 sysctls, 1 addresses)"));
        Assert.DoesNotContain(o, x => x.Contains("timeout"));
    }

    [Fact]
    public void OmissionsAreSilentForALiveTableAtTheKernelDefaults()
    {
        // What Export-LvsConfiguration -Format Ipvsadm reads from a plain director: a table, the default timeouts,
        // no sync daemon. Nothing is lost, so cron gets no warning.
        var live = ConfigurationIpvsadm.Read(Rules) with { Timeouts = IpvsTimeouts.KernelDefaults, SyncDaemons = new List<SyncDaemon>() };
        Assert.Empty(ConfigurationIpvsadm.Omissions(live));
        Assert.Empty(ConfigurationIpvsadm.Omissions(live with { Host = new HostConfiguration { Sysctls = new Dictionary<string, string>(), Addresses = new List<HostAddress>() } }));
        Assert.Equal(new IpvsTimeouts(900, 120, 300), IpvsTimeouts.KernelDefaults);
    }

    [Theory]
    [InlineData(1000u, 120u, 300u, "The TCP timeout is 1000 s, not the kernel's default 900 s")]
    [InlineData(900u, 60u, 300u, "The TCP FIN timeout is 60 s, not the kernel's default 120 s")]
    [InlineData(900u, 120u, 30u, "The UDP timeout is 30 s, not the kernel's default 300 s")]
    public void EachNonDefaultTimeoutIsOneWarning(uint tcp, uint fin, uint udp, string expected)
    {
        var o = ConfigurationIpvsadm.Omissions(ConfigurationIpvsadm.Read(Rules) with { Timeouts = new IpvsTimeouts(tcp, fin, udp) });
        Assert.StartsWith(expected, Assert.Single(o));
        var all = ConfigurationIpvsadm.Omissions(ConfigurationIpvsadm.Read(Rules) with { Timeouts = new IpvsTimeouts(1, 2, 3) });
        Assert.Equal(3, all.Count);
    }

    [Fact]
    public void EachSyncDaemonIsOneWarning()
    {
        var daemons = new List<SyncDaemon>
        {
            new() { State = SyncDaemonState.Master, Interface = "eth1", SyncId = 10 },
            new() { State = SyncDaemonState.Backup, Interface = "eth2", SyncId = 10 },
        };
        var o = ConfigurationIpvsadm.Omissions(ConfigurationIpvsadm.Read(Rules) with { SyncDaemons = daemons });
        Assert.Equal(2, o.Count);
        Assert.StartsWith("The master sync daemon (interface eth1, sync ID 10) is not part of the ipvsadm format", o[0]);
        Assert.StartsWith("The backup sync daemon (interface eth2, sync ID 10)", o[1]);
    }

    [Fact]
    public void ThresholdsAndHostSettingsAreOneWarningEach()
    {
        var doc = ConfigurationIpvsadm.Read(Rules);
        var withThresholds = doc with
        {
            Services = doc.Services.Select(s => s with { RealServers = s.RealServers.Select(r => r with { UpperThreshold = 100 }).ToList() }).ToList(),
        };
        var count = doc.Services.Sum(s => s.RealServers.Count);
        Assert.Equal($"{count} real servers have connection thresholds, which the ipvsadm format cannot hold (use -Format Json to keep them).",
            Assert.Single(ConfigurationIpvsadm.Omissions(withThresholds)));
        var host = doc with { Host = new HostConfiguration { Sysctls = new Dictionary<string, string> { ["net.ipv4.vs.conntrack"] = "1" } } };
        Assert.StartsWith("The host settings (1 sysctls, 0 addresses)", Assert.Single(ConfigurationIpvsadm.Omissions(host)));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void RandomDocumentsSurviveIpvsadmAndJson(int seed)
    {
        // sh/mh with flag-3 has no ipvsadm spelling; thresholds are not in the format.
        var doc = ConfigurationGenerator.Document(seed, 150, sections: false);
        doc = doc with
        {
            Services = doc.Services.Where(s => !(s.Service.Scheduler is "sh" or "mh" && (s.Service.SchedulerFlags & SchedulerFlags.Flag3) != 0))
                .Select(s => s with { RealServers = s.RealServers.Select(r => r with { UpperThreshold = 0, LowerThreshold = 0 }).ToList() }).ToList(),
        };
        var rules = ConfigurationIpvsadm.Write(doc, sort: false);
        var back = ConfigurationIpvsadm.Read(rules);
        Assert.True(ConfigurationPlanner.Plan(doc, back).IsEmpty);
        Assert.Equal(rules, ConfigurationIpvsadm.Write(back, sort: false));
        Assert.Equal(ConfigurationJson.Write(doc), ConfigurationJson.Write(back));
    }
}
