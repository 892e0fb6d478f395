using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;
using Xunit;

using LvsAdmin.Tests.Configuration;

namespace LvsAdmin.Tests.Formats;

public class ConfigurationJsonTests
{
    internal static LvsConfiguration Sample()
    {
        var web = ServiceKey.Parse("tcp/10.0.0.1:80");
        var dns = ServiceKey.Parse("udp/[2001:db8::53]:53");
        var mark = ServiceKey.Parse("fwm/7");
        return new LvsConfiguration
        {
            Services = new[]
            {
                new ConfiguredService(new VirtualService(mark) { Scheduler = "sh", SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2, Persistent = true, PersistenceTimeout = 600, PersistenceNetmask = "255.255.255.0" },
                    new[] { new RealServer(mark, IPAddress.Parse("10.0.2.1"), 0) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelChecksum = TunnelChecksum.RemoteChecksum } }),
                new ConfiguredService(new VirtualService(dns) { Scheduler = "rr", OnePacket = true },
                    new[] { new RealServer(dns, IPAddress.Parse("2001:db8::2"), 5353) { ForwardingMethod = ForwardingMethod.Nat, Weight = 0 } }),
                new ConfiguredService(new VirtualService(web) { Scheduler = "wrr" },
                    new[]
                    {
                        new RealServer(web, IPAddress.Parse("10.0.1.2"), 80) { Weight = 5, UpperThreshold = 100, LowerThreshold = 50 },
                        new RealServer(web, IPAddress.Parse("10.0.1.1"), 80) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre, TunnelChecksum = TunnelChecksum.Checksum },
                    }),
            },
            Timeouts = new IpvsTimeouts(900, 120, 300),
            SyncDaemons = new[] { new SyncDaemon { State = SyncDaemonState.Master, Interface = "eth1", SyncId = 5 } },
            Host = new HostConfiguration
            {
                Sysctls = new Dictionary<string, string> { ["net.ipv4.vs.expire_quiescent_template"] = "1", ["net.ipv4.vs.conntrack"] = "1" },
                Addresses = new[] { new HostAddress("lo", IPAddress.Parse("10.0.0.1"), 32, "lo:vip") },
            },
        };
    }

    internal const string SampleJson = """
{
  "schemaVersion": 1,
  "services": [
    {
      "service": "tcp/10.0.0.1:80",
      "scheduler": "wrr",
      "persistent": false,
      "onePacket": false,
      "realServers": [
        {
          "address": "10.0.1.1:80",
          "forwardingMethod": "tunnel",
          "weight": 1,
          "upperThreshold": 0,
          "lowerThreshold": 0,
          "tunnel": {
            "type": "gre",
            "checksum": "checksum"
          }
        },
        {
          "address": "10.0.1.2:80",
          "forwardingMethod": "directRouting",
          "weight": 5,
          "upperThreshold": 100,
          "lowerThreshold": 50
        }
      ]
    },
    {
      "service": "udp/[2001:db8::53]:53",
      "scheduler": "rr",
      "persistent": false,
      "onePacket": true,
      "realServers": [
        {
          "address": "[2001:db8::2]:5353",
          "forwardingMethod": "nat",
          "weight": 0,
          "upperThreshold": 0,
          "lowerThreshold": 0
        }
      ]
    },
    {
      "service": "fwm/7",
      "scheduler": "sh",
      "schedulerFlags": [
        "sh-fallback",
        "sh-port"
      ],
      "persistent": true,
      "persistenceTimeout": 600,
      "persistenceNetmask": "255.255.255.0",
      "onePacket": false,
      "realServers": [
        {
          "address": "10.0.2.1:0",
          "forwardingMethod": "tunnel",
          "weight": 1,
          "upperThreshold": 0,
          "lowerThreshold": 0,
          "tunnel": {
            "type": "gue",
            "port": 6080,
            "checksum": "remoteChecksum"
          }
        }
      ]
    }
  ],
  "timeouts": {
    "tcp": 900,
    "tcpFin": 120,
    "udp": 300
  },
  "syncDaemons": [
    {
      "state": "master",
      "interface": "eth1",
      "syncId": 5
    }
  ],
  "host": {
    "sysctls": {
      "net.ipv4.vs.conntrack": "1",
      "net.ipv4.vs.expire_quiescent_template": "1"
    },
    "addresses": [
      {
        "interface": "lo",
        "address": "10.0.0.1",
        "prefixLength": 32,
        "label": "lo:vip"
      }
    ]
  }
}

""";

    [Fact]
    public void WriteIsDeterministicSortedCamelCase() => Assert.Equal(SampleJson, ConfigurationJson.Write(Sample()));

    [Fact]
    public void ReadGivesTheDocumentBackInDocumentOrder()
    {
        var read = ConfigurationJson.Read(SampleJson);
        Assert.Equal(ConfigurationGenerator.Canonical(Sample()), read);
        Assert.Equal(SampleJson, ConfigurationJson.Write(read));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void ExportImportExportIsIdentical(int seed)
    {
        var doc = ConfigurationGenerator.Document(seed, 200);
        var text = ConfigurationJson.Write(doc);
        var read = ConfigurationJson.Read(text);
        Assert.Equal(ConfigurationGenerator.Canonical(doc), read);
        Assert.Equal(text, ConfigurationJson.Write(read));
        // Order of the input does not matter to the output.
        var shuffled = doc with { Services = doc.Services.Reverse().Select(s => s with { RealServers = s.RealServers.Reverse().ToList() }).ToList() };
        Assert.Equal(text, ConfigurationJson.Write(shuffled));
        // And the planner sees no difference between the document and what was read back.
        Assert.True(ConfigurationPlanner.Plan(doc with { Host = null }, read with { Host = null }).IsEmpty);
    }

    [Fact]
    public void DefaultsAreIpvsadmDefaults()
    {
        var c = ConfigurationJson.Read("""
            {"schemaVersion": 1, "services": [
              {"service": "tcp/10.0.0.1:80", "realServers": [{"address": "10.0.1.1"}]},
              {"service": "tcp/10.0.0.2:443", "persistent": true},
              {"service": "fwm/9/ipv6", "realServers": [{"address": "2001:db8::9"}]}]}
            """);
        var s = c.Services[0];
        Assert.Equal("wlc", s.Service.Scheduler);
        Assert.False(s.Service.Persistent);
        var r = Assert.Single(s.RealServers);
        Assert.Equal((ushort)80, r.Port);
        Assert.Equal(1, r.Weight);
        Assert.Equal(ForwardingMethod.DirectRouting, r.ForwardingMethod);
        Assert.Equal(360u, c.Services[1].Service.PersistenceTimeout);
        Assert.Equal("255.255.255.255", c.Services[1].Service.PersistenceNetmask);
        Assert.Equal((ushort)0, c.Services[2].RealServers[0].Port);
        Assert.Null(c.Timeouts);
        Assert.Null(c.SyncDaemons);
        Assert.Null(c.Host);
    }

    [Fact]
    public void NetmaskIsReadInAnyFormAndWrittenAsTheKernelReportsIt()
    {
        var c = ConfigurationJson.Read("""{"schemaVersion": 1, "services": [{"service": "tcp/10.0.0.1:0", "persistent": true, "persistenceNetmask": "/24"}]}""");
        Assert.Equal("255.255.255.0", c.Services[0].Service.PersistenceNetmask);
    }

    private static ConfigurationParseException Fails(string json)
    {
        var e = Assert.Throws<ConfigurationParseException>(() => ConfigurationJson.Read(json, "test.json"));
        Assert.Equal("ConfigurationParseError", e.ErrorId);
        Assert.Equal(IpvsErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("test.json", e.Message);
        return e;
    }

    [Fact]
    public void UnknownPropertyIsAnErrorWithLineAndPath()
    {
        var e = Fails("{\n  \"schemaVersion\": 1,\n  \"services\": [\n    {\"service\": \"tcp/10.0.0.1:80\",\n     \"shceduler\": \"rr\"}\n  ]\n}");
        var err = Assert.Single(e.Errors);
        Assert.Equal(5, err.Line);
        Assert.Equal("$.services[0].shceduler", err.Path);
        Assert.Contains("Unknown property 'shceduler'", err.Message);
        Assert.Contains("line 5", e.Message);
    }

    [Fact]
    public void WrongTypesBadAddressesAndRangesAreAllReported()
    {
        var e = Fails("""
            {
              "schemaVersion": 1,
              "services": [
                {"service": "tcp/10.0.0.1:80", "persistent": "yes",
                 "realServers": [
                   {"address": "10.0.1.300:80"},
                   {"address": "10.0.1.2:80", "weight": 70000},
                   {"address": "10.0.1.3:80", "weight": 1.5},
                   {"address": "10.0.1.4:80", "forwardingMethod": "masq"}
                 ]},
                {"service": "tcp/010.0.0.1:80"}
              ],
              "timeouts": {"tcp": 1, "udp": 2}
            }
            """);
        var byLine = e.Errors.ToDictionary(x => x.Line);
        Assert.Contains("true or false", byLine[4].Message);
        Assert.Equal("$.services[0].persistent", byLine[4].Path);
        Assert.Contains("10.0.1.300", byLine[6].Message);
        Assert.Contains("70000 is out of range", byLine[7].Message);
        Assert.Contains("whole number", byLine[8].Message);
        Assert.Contains("'masq' is not one of", byLine[9].Message);
        Assert.Contains("010.0.0.1", byLine[11].Message);
        Assert.Contains("'tcpFin'", byLine[13].Message);
        Assert.Equal(7, e.Errors.Count);
    }

    [Fact]
    public void SyntaxErrorHasLineAndColumn()
    {
        var e = Fails("{\n  \"schemaVersion\": 1,\n  \"services\": [\n    {\"service\": \"tcp/10.0.0.1:80\",}\n  ]\n}");
        var err = Assert.Single(e.Errors);
        Assert.Equal(4, err.Line);
        Assert.True(err.Column > 1);
        Assert.StartsWith("Not valid JSON", err.Message);
    }

    [Fact]
    public void DuplicatesAreErrors()
    {
        var e = Fails("""
            {"schemaVersion": 1, "services": [
              {"service": "tcp/10.0.0.1:80", "realServers": [{"address": "10.0.1.1:80"}, {"address": "10.0.1.1"}]},
              {"service": "TCP/10.0.0.1:80"}]}
            """);
        Assert.Equal(2, e.Errors.Count);
        Assert.Contains(e.Errors, x => x.Message.Contains("Real server 10.0.1.1:80") && x.Line == 2);
        Assert.Contains(e.Errors, x => x.Message.Contains("already defined at line 2") && x.Line == 3);
        var dup = Fails("{\"schemaVersion\": 1, \"schemaVersion\": 1}");
        Assert.Contains("appears twice", dup.Errors[0].Message);
    }

    [Fact]
    public void KernelRulesAreCheckedOnRead()
    {
        var e = Fails("""
            {"schemaVersion": 1, "services": [
              {"service": "tcp/10.0.0.1:80", "onePacket": true},
              {"service": "tcp/10.0.0.2:80", "realServers": [
                 {"address": "10.0.1.1:81"},
                 {"address": "10.0.1.2:80", "tunnel": {"type": "ipip"}},
                 {"address": "10.0.1.3:80", "forwardingMethod": "tunnel", "tunnel": {"type": "gue"}},
                 {"address": "10.0.1.4:80", "upperThreshold": 5, "lowerThreshold": 6}]}]}
            """);
        Assert.Contains(e.Errors, x => x.Line == 2 && x.Message.Contains("one-packet"));
        Assert.Contains(e.Errors, x => x.Line == 4 && x.Message.Contains("port"));
        Assert.Contains(e.Errors, x => x.Line == 5 && x.Message.Contains("only valid with"));
        Assert.Contains(e.Errors, x => x.Line == 6 && x.Message.Contains("TunnelPort"));
        Assert.Contains(e.Errors, x => x.Line == 7 && x.Message.Contains("threshold"));
    }

    [Fact]
    public void FutureSchemaVersionIsRefusedClearly()
    {
        var e = Assert.Throws<UnsupportedSchemaVersionException>(() => ConfigurationJson.Read("{\n\"schemaVersion\": 2, \"services\": [], \"newThing\": {}}"));
        Assert.Equal("UnsupportedSchemaVersion", e.ErrorId);
        Assert.Equal(2, e.Version);
        Assert.Equal(2, e.Line);
        Assert.Contains("schemaVersion 1", e.Message);
        var missing = Fails("{\"services\": []}");
        Assert.Contains("schemaVersion", missing.Errors[0].Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\": 1} {}")]
    [InlineData("{\"schemaVersion\": 1, \"services\": {}}")]
    [InlineData("{\"schemaVersion\": 1, \"host\": {\"sysctls\": {\"Net..x\": \"1\"}}}")]
    [InlineData("{\"schemaVersion\": 1, \"host\": {\"addresses\": [{\"interface\": \"lo\", \"address\": \"10.0.0.1\", \"prefixLength\": 33}]}}")]
    [InlineData("{\"schemaVersion\": 1, \"syncDaemons\": [{\"state\": \"master\", \"interface\": \"eth0\"}, {\"state\": \"master\", \"interface\": \"eth1\"}]}")]
    [InlineData("{\"schemaVersion\": 1, \"services\": [{\"service\": \"10.0.0.1:80\"}]}")]
    [InlineData("{\"schemaVersion\": 1, \"services\": [{\"service\": \"tcp/10.0.0.1:80\", \"schedulerFlags\": [\"sh-port\"]}]}")]
    [InlineData("{\"schemaVersion\": 1, /* comment */ \"services\": []}")]
    public void MoreBadDocuments(string json)
    {
        Assert.ThrowsAny<IpvsException>(() => ConfigurationJson.Read(json));
    }

    [Fact]
    public void HostSectionRoundTrips()
    {
        var c = ConfigurationJson.Read("""{"schemaVersion": 1, "host": {"sysctls": {"net.ipv4.vs.conntrack": 1}, "addresses": [{"interface": "lo", "address": "2001:db8::1"}]}}""");
        Assert.Equal("1", c.Host!.Sysctls!["net.ipv4.vs.conntrack"]);
        Assert.Equal(128, c.Host.Addresses![0].PrefixLength);
        Assert.Equal(c, ConfigurationJson.Read(ConfigurationJson.Write(c)));
    }
}

/// <summary>
/// The written documents against docs/schema/lvsadmin-configuration-v1.schema.json, with NJsonSchema (draft-07).
/// The schema is checked to reject bad documents too, so these tests can fail both ways.
/// </summary>
public class ConfigurationSchemaTests
{
    private static readonly Lazy<NJsonSchema.JsonSchema> Schema = new(() =>
        NJsonSchema.JsonSchema.FromJsonAsync(File.ReadAllText(Path.Combine(RepoRoot(), "docs", "schema", "lvsadmin-configuration-v1.schema.json"))).GetAwaiter().GetResult());

    internal static string RepoRoot() =>
        typeof(ConfigurationSchemaTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;

    private static ICollection<NJsonSchema.Validation.ValidationError> Validate(string json) => Schema.Value.Validate(json);

    [Fact]
    public void SampleIsValid() => Assert.Empty(Validate(ConfigurationJsonTests.SampleJson));

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void WrittenDocumentsAreValid(int seed)
    {
        var errors = Validate(ConfigurationJson.Write(ConfigurationGenerator.Document(seed, 100)));
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.ToString())));
    }

    [Theory]
    [InlineData("{\"schemaVersion\": 2}")]
    [InlineData("{\"services\": []}")]
    [InlineData("{\"schemaVersion\": 1, \"extra\": 1}")]
    [InlineData("{\"schemaVersion\": 1, \"services\": [{\"service\": \"tcp/10.0.0.1:80\", \"shceduler\": \"rr\"}]}")]
    [InlineData("{\"schemaVersion\": 1, \"services\": [{\"service\": \"http://x\"}]}")]
    [InlineData("{\"schemaVersion\": 1, \"services\": [{\"service\": \"tcp/10.0.0.1:80\", \"realServers\": [{\"address\": \"10.0.0.2:80\", \"weight\": 70000}]}]}")]
    [InlineData("{\"schemaVersion\": 1, \"services\": [{\"service\": \"tcp/10.0.0.1:80\", \"realServers\": [{\"address\": \"10.0.0.2:80\", \"forwardingMethod\": \"masq\"}]}]}")]
    [InlineData("{\"schemaVersion\": 1, \"timeouts\": {\"tcp\": 1}}")]
    [InlineData("{\"schemaVersion\": 1, \"syncDaemons\": [{\"state\": \"primary\", \"interface\": \"eth0\"}]}")]
    [InlineData("{\"schemaVersion\": 1, \"host\": {\"sysctls\": {\"Bad Key\": \"1\"}}}")]
    public void SchemaRejectsWhatTheReaderRejects(string json)
    {
        Assert.NotEmpty(Validate(json));
        Assert.ThrowsAny<IpvsException>(() => ConfigurationJson.Read(json));
    }
}
