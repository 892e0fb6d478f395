using System;
using System.IO;
using System.Linq;
using LvsAdmin.Ipvs;
using LvsAdmin.State;
using Xunit;

namespace LvsAdmin.Tests.State;

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
        var o = ConfigurationIpvsadm.Omissions(ConfigurationJsonTests.Sample());
        Assert.Equal(4, o.Count);
        Assert.Contains(o, x => x.Contains("thresholds"));
        Assert.Contains(o, x => x.Contains("timeouts"));
        Assert.Contains(o, x => x.Contains("sync daemons"));
        Assert.Contains(o, x => x.Contains("host"));
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
