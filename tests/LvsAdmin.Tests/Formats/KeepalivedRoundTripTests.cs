using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using FsCheck;
using FsCheck.Fluent;
using LvsAdmin.Formats;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Tests.Configuration;
using Xunit;
using static LvsAdmin.Tests.Formats.KeepalivedTestSupport;

namespace LvsAdmin.Tests.Formats;

/// <summary>Export to a keepalived.conf and import it back: the same document, with no warning and no note.</summary>
public class KeepalivedRoundTripTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void ExportThenImportIsIdentical(int seed)
    {
        var doc = Expressible(seed, 150);
        Assert.True(doc.Services.Count >= 100);
        var warnings = new List<string>();
        var text = ConfigurationKeepalived.Write(doc, warnings);
        Assert.Empty(warnings);
        var notes = new List<string>();
        var back = Read(text, notes);
        Assert.Empty(notes);
        Assert.Equal(doc.Services.Count, back.Services.Count);
        for (var i = 0; i < doc.Services.Count; i++) Assert.Equal(doc.Services[i], back.Services[i]);
        Assert.Equal(doc, back);
        Assert.Equal(text, ConfigurationKeepalived.Write(back));
    }

    /// <summary>Property over any seed: round trip of an expressible document.</summary>
    [Fact]
    public void RoundTripProperty()
    {
        var property = Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var doc = Expressible(seed, 12);
            var warnings = new List<string>();
            var back = Read(ConfigurationKeepalived.Write(doc, warnings));
            return warnings.Count == 0 && back.Equals(doc);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }

    /// <summary>
    /// Any document (also what keepalived cannot hold): exporting its import again writes the same text without a
    /// warning, and every service it leaves out is named in a warning.
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void AnyDocumentExportsWhatKeepalivedHoldsAndNamesTheRest(int seed)
    {
        var doc = ConfigurationGenerator.Document(seed, 120);
        var warnings = new List<string>();
        var text = ConfigurationKeepalived.Write(doc, warnings);
        var back = Read(text);
        var again = new List<string>();
        Assert.Equal(text, ConfigurationKeepalived.Write(back, again));
        Assert.Empty(again);
        foreach (var s in doc.Services.Where(s => back.FindService(s.Key) is null))
            Assert.Contains(warnings, w => w.StartsWith(s.Key + ":", StringComparison.Ordinal));
        foreach (var s in back.Services)
        {
            var original = doc.FindService(s.Key)!;
            foreach (var r in original.RealServers.Where(r => !s.RealServers.Contains(r)))
                Assert.Contains(warnings, w => w.Contains(s.Key + ": real server " + r.Key + ":", StringComparison.Ordinal));
        }
        Assert.NotEmpty(warnings); // the generator makes services without real servers, fwmark DR ports, host sections
    }

    [Fact]
    public void WritesEveryIpvsSettingExplicitly()
    {
        var key = ServiceKey.Parse("tcp/10.0.0.1:80");
        var doc = new LvsConfiguration
        {
            Services = new[]
            {
                new ConfiguredService(
                    new VirtualService(key) { Scheduler = "sh", SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2, Persistent = true, PersistenceTimeout = 600, PersistenceNetmask = "255.255.255.0", PersistenceEngine = "sip" },
                    new[]
                    {
                        new RealServer(key, IPAddress.Parse("192.168.1.1"), 8080) { ForwardingMethod = ForwardingMethod.Nat, Weight = 3, UpperThreshold = 100, LowerThreshold = 10 },
                        new RealServer(key, IPAddress.Parse("2001:db8::9"), 80) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelChecksum = TunnelChecksum.RemoteChecksum, Weight = 0 },
                    }),
                new ConfiguredService(new VirtualService(ServiceKey.ForFirewallMark(7, IpvsAddressFamily.IPv6)) { Scheduler = "rr", OnePacket = true },
                    new[] { new RealServer(ServiceKey.ForFirewallMark(7, IpvsAddressFamily.IPv6), IPAddress.Parse("2001:db8::1"), 0) }),
            },
            Timeouts = new IpvsTimeouts(900, 0, 300),
            SyncDaemons = new[] { new SyncDaemon { Interface = "eth1", SyncId = 5, MaxLength = 1400 }, new SyncDaemon { State = SyncDaemonState.Backup, Interface = "eth1", SyncId = 5, MaxLength = 1400 } },
        };
        var text = ConfigurationKeepalived.Write(doc);
        var expected = """
            global_defs {
                lvs_timeouts tcp 900 udp 300
                lvs_sync_daemon eth1 id 5 maxlen 1400
            }

            virtual_server 10.0.0.1 80 {
                protocol TCP
                lvs_sched sh
                sh-fallback
                sh-port
                persistence_timeout 600
                persistence_granularity 255.255.255.0
                persistence_engine sip
                real_server 192.168.1.1 8080 {
                    lvs_method NAT
                    weight 3
                    uthreshold 100
                    lthreshold 10
                }
                real_server 2001:db8::9 80 {
                    lvs_method TUN type gue port 6080 remcsum
                    weight 0
                }
            }

            virtual_server fwmark 7 {
                ip_family inet6
                lvs_sched rr
                ops
                real_server 2001:db8::1 0 {
                    lvs_method DR
                    weight 1
                }
            }

            """.Replace("\r", "");
        Assert.EndsWith(expected, text);
        Assert.Equal(doc, Read(text));
    }
}
