using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;
using LvsAdmin.Ipvs;
using LvsAdmin.Tests.Configuration;
using Xunit;
using static LvsAdmin.Tests.Formats.KeepalivedTestSupport;

namespace LvsAdmin.Tests.Formats;

/// <summary>Health settings through the JSON document (and its schema) and through keepalived.conf, both ways.</summary>
public class HealthFormatTests
{
    private const string Json = """
        {
          "schemaVersion": 1,
          "services": [
            {
              "service": "tcp/10.0.0.1:80",
              "scheduler": "rr",
              "persistent": false,
              "onePacket": false,
              "health": {
                "checks": [
                  {
                    "type": "http",
                    "connectTimeout": 3,
                    "interval": 5,
                    "retries": 2,
                    "delayBeforeRetry": 1,
                    "path": "/health",
                    "statusCodes": [
                      "200-299"
                    ],
                    "regex": "ok\\d"
                  }
                ],
                "onFailure": "inhibit",
                "sorryServer": {
                  "address": "10.0.0.9:8080",
                  "forwardingMethod": "nat",
                  "inhibit": false
                },
                "quorum": 2,
                "hysteresis": 1,
                "alpha": true
              },
              "realServers": [
                {
                  "address": "10.0.1.1:80",
                  "forwardingMethod": "nat",
                  "weight": 1,
                  "upperThreshold": 0,
                  "lowerThreshold": 0
                },
                {
                  "address": "10.0.1.2:80",
                  "forwardingMethod": "nat",
                  "weight": 2,
                  "upperThreshold": 0,
                  "lowerThreshold": 0,
                  "checks": [
                    {
                      "type": "command",
                      "command": [
                        "/usr/local/bin/check",
                        "10.0.1.2"
                      ],
                      "commandTimeout": 5
                    }
                  ],
                  "onFailure": "remove"
                }
              ]
            }
          ]
        }

        """;

    [Fact]
    public void JsonReadsAndWritesTheHealthSection()
    {
        var doc = ConfigurationJson.Read(Json);
        var h = Assert.Single(doc.Services).Health!;
        var http = Assert.Single(h.Checks);
        Assert.Equal(HealthCheckType.Http, http.Type);
        Assert.Equal("/health", http.Path);
        Assert.Equal(new[] { new HttpStatusRange(200, 299) }, http.StatusCodes);
        Assert.Equal("ok\\d", http.Regex);
        Assert.Equal((3u, 5u, 2u, 1u), (http.ConnectTimeout!.Value, http.Interval!.Value, http.Retries!.Value, http.DelayBeforeRetry!.Value));
        Assert.Equal(new SorryServer(IPAddress.Parse("10.0.0.9"), 8080), h.SorryServer);
        Assert.Equal((2u, 1u, true), (h.Quorum, h.Hysteresis, h.Alpha));
        var own = Assert.Single(h.RealServers);
        Assert.Equal(HealthFailureAction.Remove, own.OnFailure);
        Assert.Equal(new[] { "/usr/local/bin/check", "10.0.1.2" }, Assert.Single(own.Checks).Command);
        Assert.Equal(Json.Replace("\r\n", "\n"), ConfigurationJson.Write(doc));
    }

    [Fact]
    public void DocumentsWithoutHealthStayAsTheyWere()
    {
        var doc = ConfigurationJson.Read("""{"schemaVersion": 1, "services": [{"service": "tcp/10.0.0.1:80", "realServers": [{"address": "10.0.1.1"}]}]}""");
        Assert.Null(Assert.Single(doc.Services).Health);
        Assert.DoesNotContain("health", ConfigurationJson.Write(doc));
        Assert.DoesNotContain("checks", ConfigurationJson.Write(doc));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void GeneratedHealthRoundTripsThroughJson(int seed)
    {
        var doc = ConfigurationGenerator.Canonical(HealthGenerator.Add(ConfigurationGenerator.Document(seed, 80), seed));
        Assert.True(doc.Services.Count(s => s.Health is not null) >= 20);
        Assert.Equal(doc, ConfigurationJson.Read(ConfigurationJson.Write(doc)));
    }

    [Theory]
    [InlineData("""{"type": "ftp"}""", "'ftp' is not one of")]
    [InlineData("""{"type": "tcp", "path": "/"}""", "Path does not apply to a TCP_CHECK check")]
    [InlineData("""{"type": "http", "statusCodes": ["2xx"]}""", "'2xx' is not a status code")]
    [InlineData("""{"type": "http", "digest": "XYZ"}""", "MD5 digest")]
    [InlineData("""{"type": "command"}""", "absolute path")]
    [InlineData("""{"type": "tcp", "connectPort": 0}""", "out of range")]
    [InlineData("""{"type": "tcp", "interval": 0}""", "out of range")]
    [InlineData("""{"type": "dns", "queryType": "PTR"}""", "DNS query type")]
    [InlineData("""{"type": "tcp", "bogus": 1}""", "Unknown property 'bogus' in a health check")]
    public void BadChecksAreErrorsWithTheirPath(string check, string message)
    {
        var json = $$$"""{"schemaVersion": 1, "services": [{"service": "tcp/10.0.0.1:80", "health": {"checks": [{{{check}}}]}, "realServers": [{"address": "10.0.1.1"}]}]}""";
        var e = Assert.Throws<ConfigurationParseException>(() => ConfigurationJson.Read(json));
        Assert.Contains(e.Errors, x => x.Message.Contains(message, StringComparison.Ordinal) && x.Path!.StartsWith("$.services[0].health.checks[0]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"quorum": 2, "hysteresis": 2}""", "hysteresis (2) must be less than the quorum")]
    [InlineData("""{"onFailure": "drain"}""", "'drain' is not one of")]
    [InlineData("""{"sorryServer": {"address": "2001:db8::9"}}""", "another address family")]
    [InlineData("""{"sorryServer": {}}""", "needs the property 'address'")]
    public void BadServiceHealthIsAnError(string health, string message)
    {
        var json = $$$"""{"schemaVersion": 1, "services": [{"service": "tcp/10.0.0.1:80", "health": {{{health}}}, "realServers": [{"address": "10.0.1.1"}]}]}""";
        var e = Assert.Throws<ConfigurationParseException>(() => ConfigurationJson.Read(json));
        Assert.Contains(e.Errors, x => x.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HealthDocumentsMatchTheSchema()
    {
        var schema = await NJsonSchema.JsonSchema.FromJsonAsync(File.ReadAllText(Path.Combine(ConfigurationSchemaTests.RepoRoot(), "docs", "schema", "lvsadmin-configuration-v1.schema.json")));
        Assert.Empty(schema.Validate(Json));
        foreach (var seed in new[] { 31, 32 })
        {
            var errors = schema.Validate(ConfigurationJson.Write(HealthGenerator.Add(ConfigurationGenerator.Document(seed, 60), seed)));
            Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.ToString())));
        }
        // ... and it rejects what the reader rejects.
        foreach (var bad in new[] { """{"type": "ftp"}""", """{"type": "http", "statusCodes": ["2xx"]}""", """{"type": "tcp", "bogus": 1}""", """{"type": "udp", "payload": "abc"}""" })
        {
            var json = $$$"""{"schemaVersion": 1, "services": [{"service": "tcp/10.0.0.1:80", "health": {"checks": [{{{bad}}}]}}]}""";
            Assert.NotEmpty(schema.Validate(json));
            Assert.Throws<ConfigurationParseException>(() => ConfigurationJson.Read(json));
        }
    }

    // ------------------------------------------------------------------------------------------ keepalived.conf

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    public void GeneratedHealthRoundTripsThroughKeepalived(int seed)
    {
        var doc = HealthGenerator.Add(Expressible(seed, 80), seed);
        Assert.True(doc.Services.Count(s => s.Health is not null) >= 20);
        var warnings = new List<string>();
        var text = ConfigurationKeepalived.Write(doc, warnings);
        Assert.Empty(warnings);
        var notes = new List<string>();
        var back = Read(text, notes);
        Assert.Empty(notes);
        for (var i = 0; i < doc.Services.Count; i++) Assert.Equal(doc.Services[i], back.Services[i]);
        Assert.Equal(doc, back);
        Assert.Equal(text, ConfigurationKeepalived.Write(back));
    }

    [Fact]
    public void ExportWritesEveryCheckerWithItsKeywords()
    {
        var doc = ConfigurationJson.Read(Json);
        var text = ConfigurationKeepalived.Write(doc);
        Assert.Contains("    inhibit_on_failure\n    quorum 2\n    hysteresis 1\n    alpha\n    sorry_server 10.0.0.9 8080\n    sorry_server_lvs_method NAT\n", text);
        Assert.Contains("        HTTP_GET {\n            connect_timeout 3\n            delay_loop 5\n            retry 2\n            delay_before_retry 1\n            url {\n                path \"/health\"\n                status_code 200-299\n                regex \"ok\\\\d\"\n            }\n        }\n", text);
        Assert.Contains("        inhibit_on_failure off\n        MISC_CHECK {\n            misc_path /usr/local/bin/check 10.0.1.2\n            misc_timeout 5\n        }\n", text);
        Assert.Contains("global_defs {\n    enable_script_security\n    script_user root\n}\n", text);
        // keepalived has no service-level checkers: the service's HTTP check is written into 10.0.1.1's block, and as the
        // real servers' checks differ, the import gives each its own. Every real server keeps its checks.
        var back = Assert.Single(Read(text).Services);
        var original = Assert.Single(doc.Services);
        Assert.Equal(original.Service, back.Service);
        Assert.Equal(original.RealServers, back.RealServers);
        foreach (var r in original.RealServers)
        {
            Assert.Equal(original.Health!.ChecksFor(r.Key), back.Health!.ChecksFor(r.Key));
            Assert.Equal(original.Health.OnFailureFor(r.Key), back.Health.OnFailureFor(r.Key));
        }
        Assert.Equal(original.Health! with { Checks = ValueList<HealthCheck>.Empty, RealServers = ValueList<RealServerHealth>.Empty },
            back.Health! with { Checks = ValueList<HealthCheck>.Empty, RealServers = ValueList<RealServerHealth>.Empty });
    }

    [Fact]
    public void ImportReadsHandWrittenCheckers()
    {
        var notes = new List<string>();
        var s = One("""
            virtual_server 10.0.0.1 80 {
              protocol TCP
              lvs_sched rr
              lvs_method NAT
              delay_loop 7
              retry 4
              inhibit_on_failure
              real_server 10.0.1.1 80 {
                connect_timeout 2
                HTTP_GET {
                  url {
                    path /a
                    digest 0123456789ABCDEF0123456789ABCDEF
                  }
                  url {
                    path /b
                    status_code 200 301-302
                  }
                  virtualhost www.example.com
                  http_protocol 1.1
                }
              }
              real_server 10.0.1.2 80 {
                UDP_CHECK {
                  connect_port 53
                  payload 0a 0b
                  require_reply
                }
                DNS_CHECK {
                  type aaaa
                  name example.com
                }
                SMTP_CHECK {
                }
              }
            }
            """, notes);
        var h = s.Health!;
        Assert.Empty(h.Checks);
        var a = h.ChecksFor(new RealServerKey(IPAddress.Parse("10.0.1.1"), 80));
        Assert.Equal(2, a.Count);
        Assert.Equal(new HealthCheck(HealthCheckType.Http) { Path = "/a", Digest = "0123456789abcdef0123456789abcdef", VirtualHost = "www.example.com", ConnectTimeout = 2, Interval = 7, Retries = 4 }, a[0]);
        Assert.Equal(new[] { new HttpStatusRange(200, 200), new HttpStatusRange(301, 302) }, a[1].StatusCodes);
        var b = h.ChecksFor(new RealServerKey(IPAddress.Parse("10.0.1.2"), 80));
        Assert.Equal(new HealthCheck(HealthCheckType.Udp) { ConnectPort = 53, Payload = "0a0b", RequireReply = true, Interval = 7, Retries = 4 }, b[0]);
        Assert.Equal(new HealthCheck(HealthCheckType.Dns) { QueryType = "AAAA", QueryName = "example.com", Interval = 7, Retries = 4 }, b[1]);
        Assert.Equal(HealthFailureAction.Inhibit, h.OnFailure);
        Assert.Contains(notes, n => n.Contains("http_protocol not modelled", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("2 url blocks", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("SMTP_CHECK, PING_CHECK", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("HTTP_GET {\n connect_port 0\n url {\n path /\n }\n}", "connect_port '0'")]
    [InlineData("HTTP_GET {\n}", "has no url")]
    [InlineData("HTTP_GET {\n url {\n status_code 200\n }\n}", "has no path")]
    [InlineData("HTTP_GET {\n url {\n path /\n status_code 700\n }\n}", "status code '700'")]
    [InlineData("TCP_CHECK {\n bogus 1\n}", "Unknown keyword 'bogus' in TCP_CHECK")]
    [InlineData("MISC_CHECK {\n connect_timeout 3\n misc_path /bin/true\n}", "Unknown keyword 'connect_timeout' in MISC_CHECK")]
    [InlineData("MISC_CHECK {\n}", "no misc_path")]
    [InlineData("UDP_CHECK {\n payload xyz\n}", "Invalid hex string")]
    [InlineData("DNS_CHECK {\n type PTR\n}", "Unknown DNS check type")]
    [InlineData("TCP_CHECK {\n delay_loop 1.5\n}", "whole seconds")]
    public void BadCheckersAreErrorsWithTheirLine(string checker, string message)
    {
        var e = Fails("virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.1.1 80 {\n" + checker + "\n }\n}\n");
        Assert.Contains(e.Errors, x => x.Message.Contains(message, StringComparison.Ordinal) && x.Line >= 4);
    }

    [Fact]
    public void EscapesAreKeepalivedsOwn()
    {
        Assert.Equal("a\\b\"c\n\x41", KeepalivedReader.Unescape("a\\\\b\\\"c\\n\\x41"));
        Assert.Equal("plain", KeepalivedReader.Unescape("plain"));
    }
}
