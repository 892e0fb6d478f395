using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using LvsAdmin.Formats;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using Xunit;
using static LvsAdmin.Tests.Formats.KeepalivedTestSupport;

namespace LvsAdmin.Tests.Formats;

/// <summary>keepalived's defaults, applied and reported; skipped sections; sorry servers and groups.</summary>
public class KeepalivedReaderTests
{
    private static string Note(List<string> notes, string part) => Assert.Single(notes, n => n.Contains(part, StringComparison.Ordinal));

    [Fact]
    public void NoProtocolIsUdpNoMethodIsNatNoSchedulerIsWlcAndEachIsReported()
    {
        var notes = new List<string>();
        var s = One("virtual_server 10.0.0.1 80 {\n  real_server 10.1.0.1 8080 {\n  }\n}\n", notes);
        Assert.Equal(ServiceKey.Parse("udp/10.0.0.1:80"), s.Key);
        Assert.Equal("wlc", s.Service.Scheduler);
        var r = Assert.Single(s.RealServers);
        Assert.Equal(ForwardingMethod.Nat, r.ForwardingMethod);
        Assert.Equal(8080, r.Port);
        Assert.Equal(1, r.Weight);
        var note = Note(notes, "keepalived's defaults applied");
        Assert.StartsWith("keepalived.conf:1: virtual_server 10.0.0.1:80", note);
        Assert.Contains("no protocol: UDP", note);
        Assert.Contains("no lvs_method: NAT", note);
        Assert.Contains("no lvs_sched: wlc", note);
    }

    [Fact]
    public void BarePersistenceTimeoutIs360()
    {
        var notes = new List<string>();
        var s = One("virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n persistence_timeout\n real_server 10.0.0.5 80 {\n }\n}\n", notes);
        Assert.True(s.Service.Persistent);
        Assert.Equal(360u, s.Service.PersistenceTimeout);
        Assert.Contains("persistence_timeout without a value: 360 s", Note(notes, "defaults applied"));
    }

    [Fact]
    public void GranularityAloneMakesThePersistence360()
    {
        var notes = new List<string>();
        var s = One("virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n persistence_granularity 255.255.0.0\n real_server 10.0.0.5 80 {\n }\n}\n", notes);
        Assert.Equal((true, 360u, "255.255.0.0"), (s.Service.Persistent, s.Service.PersistenceTimeout, s.Service.PersistenceNetmask));
        Assert.Contains("persistence_granularity without a persistence_timeout", Note(notes, "defaults applied"));
    }

    [Fact]
    public void ZeroPortWithoutPersistenceBecomesPersistent()
    {
        var notes = new List<string>();
        var s = One("virtual_server 10.0.0.1 0 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n real_server 10.0.0.5 {\n }\n}\n", notes);
        Assert.Equal((true, 360u), (s.Service.Persistent, s.Service.PersistenceTimeout));
        Assert.Contains("port 0 without persistence", Note(notes, "defaults applied"));
    }

    [Fact]
    public void DrAndTunPortsAreResetToTheServicePortNatKeepsItsOwn()
    {
        var notes = new List<string>();
        var s = One("""
            virtual_server 10.0.0.1 80 {
              protocol TCP
              lvs_sched rr
              real_server 10.0.0.5 8080 {
                lvs_method DR
              }
              real_server 10.0.0.6 {
                lvs_method TUN
              }
              real_server 10.0.0.7 9000 {
                lvs_method NAT
              }
              real_server 10.0.0.8 {
                lvs_method NAT
              }
            }
            """, notes);
        Assert.Equal(new ushort[] { 80, 80, 9000, 80 }, s.RealServers.Select(r => r.Port));
        var note = Note(notes, "defaults applied");
        Assert.Contains("DirectRouting real server 10.0.0.5:8080 port reset to 80", note);
        Assert.DoesNotContain("10.0.0.6", note); // no port given: nothing was reset
    }

    [Fact]
    public void FirewallMarkClearsDrPortsAndIgnoresProtocol()
    {
        var notes = new List<string>();
        var s = One("virtual_server fwmark 9 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n real_server 2001:db8::5 80 {\n }\n}\n", notes);
        Assert.Equal(ServiceKey.ForFirewallMark(9, IpvsAddressFamily.IPv6), s.Key);
        Assert.Equal(0, Assert.Single(s.RealServers).Port);
        var note = Note(notes, "defaults applied");
        Assert.Contains("protocol on a firewall-mark service: ignored", note);
        Assert.Contains("port reset to 0", note);
    }

    [Fact]
    public void OnePacketOnTcpIsReset()
    {
        var notes = new List<string>();
        var s = One("virtual_server 10.0.0.1 80 {\n protocol TCP\n ops\n lvs_sched rr\n lvs_method DR\n real_server 10.0.0.5 80 {\n }\n}\n", notes);
        Assert.False(s.Service.OnePacket);
        Assert.Contains("ops with a non-UDP protocol: reset", Note(notes, "defaults applied"));
    }

    [Fact]
    public void MethodAndWeightAreInheritedFromTheVirtualServer()
    {
        var s = One("virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method TUN type gre csum\n weight 7\n real_server 10.0.0.5 80 {\n }\n real_server 10.0.0.6 80 {\n  weight 2\n  lvs_method DR\n }\n}\n");
        Assert.Equal((ForwardingMethod.Tunnel, TunnelType.Gre, TunnelChecksum.Checksum, 7), (s.RealServers[0].ForwardingMethod, s.RealServers[0].TunnelType, s.RealServers[0].TunnelChecksum, s.RealServers[0].Weight));
        Assert.Equal((ForwardingMethod.DirectRouting, 2), (s.RealServers[1].ForwardingMethod, s.RealServers[1].Weight));
    }

    [Fact]
    public void ShFlagsCountOnlyAfterTheScheduler()
    {
        var s = One("virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_sched sh\n sh-port\n sh-fallback\n lvs_method DR\n real_server 10.0.0.5 80 {\n }\n}\n");
        Assert.Equal(SchedulerFlags.Flag1 | SchedulerFlags.Flag2, s.Service.SchedulerFlags);
        var e = Fails("virtual_server 10.0.0.1 80 {\n protocol TCP\n sh-port\n lvs_sched sh\n lvs_method DR\n real_server 10.0.0.5 80 {\n }\n}\n");
        Assert.Equal("keepalived.conf:3: sh-port only applies after lvs_sched sh (keepalived ignores it here).", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void VirtualServerWithoutRealServersIsIgnoredWithANote()
    {
        var notes = new List<string>();
        var doc = Read("virtual_server 10.0.0.1 80 {\n protocol TCP\n}\n", notes);
        Assert.Empty(doc.Services);
        Assert.Contains("has no real servers", Assert.Single(notes));
    }

    [Fact]
    public void VrrpGlobalDefsAndHealthChecksAreSkippedWithANote()
    {
        var notes = new List<string>();
        var doc = Read("""
            global_defs {
              router_id LVS_A
              lvs_timeouts tcp 7200 udp 60
            }
            vrrp_instance VI_1 {
              state MASTER
              interface eth0
              virtual_router_id 51
              virtual_ipaddress {
                10.0.0.1
              }
            }
            virtual_server 10.0.0.1 80 {
              delay_loop 6
              protocol TCP
              lvs_sched rr
              lvs_method DR
              real_server 10.0.0.5 80 {
                weight 2
                TCP_CHECK {
                  connect_timeout 3
                }
              }
            }
            """, notes);
        Assert.Equal(new IpvsTimeouts(7200, 0, 60), doc.Timeouts);
        Assert.Null(doc.SyncDaemons);
        Assert.Equal(2, Assert.Single(Assert.Single(doc.Services).RealServers).Weight);
        Assert.Contains(notes, n => n.StartsWith("keepalived.conf:5: 'vrrp_instance' is not part of the LVS table", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("keepalived.conf:1: global_defs: 1 setting(s)", StringComparison.Ordinal));
        // The TCP_CHECK is read into the service's health, with the virtual server's delay_loop.
        var health = Assert.Single(doc.Services).Health!;
        Assert.Equal(new HealthCheck(HealthCheckType.Tcp) { ConnectTimeout = 3, Interval = 6 }, Assert.Single(health.Checks));
        Assert.Equal(HealthFailureAction.Remove, health.OnFailure);
        Assert.DoesNotContain(notes, n => n.Contains("health check", StringComparison.Ordinal));
    }

    [Fact]
    public void SyncDaemonWithoutVrrpIsAMasterAndABackup()
    {
        var doc = Read("global_defs {\n lvs_sync_daemon eth1 id 7 maxlen 1400 port 8849 ttl 2 group 239.1.1.1\n}\n");
        var d = new SyncDaemon { Interface = "eth1", SyncId = 7, MaxLength = 1400, MulticastPort = 8849, MulticastTtl = 2, MulticastGroup = IPAddress.Parse("239.1.1.1") };
        Assert.Equal(new[] { d, d with { State = SyncDaemonState.Backup } }, doc.SyncDaemons);
        var notes = new List<string>();
        Assert.Null(Read("global_defs {\n lvs_sync_daemon eth1 inst VI_1\n}\n", notes).SyncDaemons);
        Assert.Contains("follows VRRP instance VI_1", Assert.Single(notes));
    }

    [Fact]
    public void SorryServerIsOutWhileTheRealServersHoldTheQuorum()
    {
        var notes = new List<string>();
        var s = One("virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n sorry_server 10.0.0.99 80\n real_server 10.0.0.5 80 {\n }\n}\n", notes);
        Assert.Equal("10.0.0.5", Assert.Single(s.RealServers).Address.ToString());
        Assert.Empty(notes);
        // The sorry server is the service's health setting now (keepalived puts it in when the quorum is lost).
        Assert.Equal(new SorryServer(IPAddress.Parse("10.0.0.99"), 80) { ForwardingMethod = ForwardingMethod.DirectRouting }, s.Health!.SorryServer);
        Assert.Equal(HealthFailureAction.Remove, s.Health.OnFailure);
        Assert.Empty(s.Health.Checks);
    }

    [Fact]
    public void InhibitedSorryServerIsInWithWeightZero()
    {
        var s = One("virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n sorry_server 10.0.0.99 80\n sorry_server_inhibit\n real_server 10.0.0.5 80 {\n  weight 3\n }\n}\n");
        Assert.Equal(new[] { ("10.0.0.5", 3), ("10.0.0.99", 0) }, s.RealServers.Select(r => (r.Address.ToString(), r.Weight)));
    }

    [Fact]
    public void SorryServerStandsInWhenTheWeightsAreZero()
    {
        var notes = new List<string>();
        var s = One("virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method NAT\n sorry_server 10.0.0.99 8080\n real_server 10.0.0.5 80 {\n  weight 0\n }\n real_server 10.0.0.6 80 {\n  weight 0\n  inhibit_on_failure\n }\n}\n", notes);
        Assert.Equal(new[] { ("10.0.0.6", 80, 0), ("10.0.0.99", 8080, 1) }, s.RealServers.Select(r => (r.Address.ToString(), (int)r.Port, r.Weight)));
        Assert.Contains(notes, n => n.Contains("puts sorry_server 10.0.0.99 in the table instead", StringComparison.Ordinal));
    }

    [Fact]
    public void GroupsExpandAddressesRangesBlocksAndMarks()
    {
        var doc = Read("""
            virtual_server_group web {
              10.0.0.1 80
              10.0.0.10-12 80
              10.0.1.0/31 443
              fwmark 5
              fwmark 6 inet
            }
            virtual_server group web {
              protocol TCP
              lvs_sched wrr
              lvs_method DR
              persistence_timeout 60
              real_server 10.0.2.1 {
              }
              real_server 10.0.2.2 8080 {
                lvs_method NAT
              }
            }
            """);
        Assert.Equal(new[]
        {
            "tcp/10.0.0.1:80", "tcp/10.0.0.10:80", "tcp/10.0.0.11:80", "tcp/10.0.0.12:80", "tcp/10.0.1.0:443", "tcp/10.0.1.1:443",
            "fwm/5", "fwm/6",
        }, doc.Services.Select(s => s.Key.ToString()));
        Assert.All(doc.Services, s => Assert.Equal(("wrr", 60u), (s.Service.Scheduler, s.Service.PersistenceTimeout)));
        var https = doc.Services[4];
        Assert.Equal(new ushort[] { 443, 8080 }, https.RealServers.Select(r => r.Port));
        Assert.Equal(new ushort[] { 0, 8080 }, doc.Services[6].RealServers.Select(r => r.Port));
    }

    [Fact]
    public void Ipv6GroupRangesStepTheLastSixteenBits()
    {
        var doc = Read("virtual_server_group v6 {\n 2001:db8::fffe-2001:db8::ffff 80\n 2001:db8::1:a-b 81\n}\nvirtual_server group v6 {\n protocol UDP\n lvs_sched rr\n lvs_method DR\n real_server 2001:db8:1::1 {\n }\n}\n");
        Assert.Equal(new[] { "udp/[2001:db8::fffe]:80", "udp/[2001:db8::ffff]:80", "udp/[2001:db8::1:a]:81", "udp/[2001:db8::1:b]:81" }, doc.Services.Select(s => s.Key.ToString()));
    }

    [Fact]
    public void DetectsTheFormatFromTheContent()
    {
        Assert.Equal(ConfigurationFormat.Keepalived, ConfigurationFile.DetectFormat("! Configuration File for keepalived\n\nglobal_defs {\n}\n"));
        Assert.Equal(ConfigurationFormat.Keepalived, ConfigurationFile.DetectFormat("# comment\nvirtual_server 10.0.0.1 80 {\n}\n"));
        Assert.Equal(ConfigurationFormat.Ipvsadm, ConfigurationFile.DetectFormat("# rules\n-A -t 10.0.0.1:80 -s rr\n"));
        Assert.Equal(ConfigurationFormat.Json, ConfigurationFile.DetectFormat("\n{ \"schemaVersion\": 1 }"));
        Assert.Equal(ConfigurationFormat.Ipvsadm, ConfigurationFile.DetectFormat(""));
    }
}
