using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;
using LvsAdmin.Ipvs;
using Xunit;
using static LvsAdmin.Tests.Formats.KeepalivedTestSupport;

namespace LvsAdmin.Tests.Formats;

/// <summary>The director pair: its JSON section, its validation, and each director's keepalived.conf.</summary>
public class DirectorPairTests
{
    private static readonly ServiceKey Web = ServiceKey.Parse("tcp/10.0.0.50:80");

    /// <summary>A valid pair on <paramref name="iface"/> with one DR service on its VIP.</summary>
    private static LvsConfiguration Pair(string iface = "eth0") => new()
    {
        Services = new[] { new ConfiguredService(new VirtualService(Web) { Scheduler = "rr" }, new[] { new RealServer(Web, IPAddress.Parse("10.0.0.11"), 80) }) },
        DirectorPair = new DirectorPair
        {
            Instance = "VI_WEB",
            VirtualRouterId = 51,
            VirtualAddresses = new[] { new VrrpAddress(IPAddress.Parse("10.0.0.50"), 24) },
            SyncDaemon = new DirectorSyncDaemon { SyncId = 51 },
            Directors = new[]
            {
                new Director("lvs1", VrrpState.Master, 150, iface),
                new Director("lvs2", VrrpState.Backup, 100, iface),
            },
        },
    };

    private static LvsConfiguration WithPair(Func<DirectorPair, DirectorPair> change)
    {
        var doc = Pair();
        return doc with { DirectorPair = change(doc.DirectorPair!) };
    }

    [Fact]
    public void ThePairRoundTripsThroughJson()
    {
        var doc = WithPair(p => p with
        {
            AdvertisementInterval = 2,
            NoPreempt = true,
            VirtualAddresses = new[] { new VrrpAddress(IPAddress.Parse("10.0.0.50"), 24), new VrrpAddress(IPAddress.Parse("10.0.1.50"), 32, "eth1") },
            SyncDaemon = new DirectorSyncDaemon { Interface = "eth2", SyncId = 7, MaxLength = 1400, MulticastGroup = IPAddress.Parse("239.1.2.3"), MulticastPort = 8850, MulticastTtl = 2 },
            Directors = new[]
            {
                new Director("lvs1", VrrpState.Backup, 150, "eth0") { UnicastSource = IPAddress.Parse("10.0.0.2"), UnicastPeers = new[] { IPAddress.Parse("10.0.0.3") } },
                new Director("lvs2", VrrpState.Backup, 100, "eth0") { UnicastSource = IPAddress.Parse("10.0.0.3"), UnicastPeers = new[] { IPAddress.Parse("10.0.0.2") } },
            },
        });
        var json = ConfigurationJson.Write(doc);
        Assert.Contains("\"directorPair\": {", json);
        Assert.Contains("\"unicastPeers\": [", json);
        var back = ConfigurationJson.Read(json);
        Assert.Equal(doc, back);
        Assert.Equal(json, ConfigurationJson.Write(back));
        Assert.NotEqual(doc, back with { DirectorPair = back.DirectorPair! with { NoPreempt = false } });
    }

    [Fact]
    public void DefaultsApplyWhenLeftOut()
    {
        var doc = ConfigurationJson.Read("""
            {"schemaVersion": 1, "directorPair": {"virtualRouterId": 9, "virtualAddresses": [{"address": "192.0.2.1"}],
              "directors": [{"name": "a", "state": "master", "priority": 20, "interface": "eth0"}, {"name": "b", "state": "backup", "priority": 10, "interface": "eth0"}]}}
            """);
        var p = doc.DirectorPair!;
        Assert.Equal((DirectorPair.DefaultInstance, 1, false, 32, (DirectorSyncDaemon?)null), (p.Instance, p.AdvertisementInterval, p.NoPreempt, p.VirtualAddresses[0].PrefixLength, p.SyncDaemon));
        Assert.Null(p.VirtualAddresses[0].Interface);
        Assert.Null(p.Directors[0].UnicastPeers);
    }

    [Theory]
    [InlineData("""{"virtualRouterId": 9, "virtualAddresses": [{"address": "192.0.2.1"}], "directors": [], "vrid": 3}""", "Unknown property 'vrid' in the director pair")]
    [InlineData("""{"virtualAddresses": [{"address": "192.0.2.1"}], "directors": []}""", "The director pair needs the property 'virtualRouterId'")]
    [InlineData("""{"virtualRouterId": 256, "virtualAddresses": [{"address": "192.0.2.1"}], "directors": []}""", "256 is out of range: must be 1 to 255")]
    [InlineData("""{"virtualRouterId": 9, "virtualAddresses": [{"address": "192.0.2.300"}], "directors": []}""", "'192.0.2.300' is not an IPv4 or IPv6 address")]
    [InlineData("""{"virtualRouterId": 9, "virtualAddresses": [{"address": "192.0.2.1"}], "directors": [{"name": "a", "state": "primary", "priority": 1, "interface": "eth0"}]}""", "'primary' is not one of: master, backup")]
    [InlineData("""{"virtualRouterId": 9, "virtualAddresses": [{"address": "192.0.2.1"}], "directors": [{"name": "a", "state": "master", "priority": 1, "interface": "eth0"}]}""", "directorPair.directors has 1 director(s): a pair needs at least two")]
    public void BadPairsAreErrorsWithTheirLine(string pair, string message)
    {
        var e = Assert.Throws<ConfigurationParseException>(() => ConfigurationJson.Read("{\"schemaVersion\": 1,\n\"directorPair\": " + pair + "}"));
        Assert.Equal("ConfigurationParseError", e.ErrorId);
        Assert.Contains(e.Errors, x => x.Message.Contains(message, StringComparison.Ordinal) && x.Line == 2);
    }

    public static IEnumerable<object[]> Problems() => new[]
    {
        new object[] { WithPair(p => p with { NoPreempt = true }), "'lvs1': noPreempt needs every director in state backup" },
        new object[] { WithPair(p => p with { Directors = new[] { p.Directors[0], p.Directors[0] with { State = VrrpState.Backup } } }), "'lvs1' is listed twice" },
        new object[] { WithPair(p => p with { Directors = new[] { p.Directors[0] with { Interface = "lo" }, p.Directors[1] } }), "the loopback interface lo cannot carry VRRP" },
        new object[] { WithPair(p => p with { Directors = new[] { p.Directors[0] with { Name = "../etc" }, p.Directors[1] } }), "the name must be letters, digits" },
        new object[] { WithPair(p => p with { VirtualAddresses = new[] { p.VirtualAddresses[0], new VrrpAddress(IPAddress.Parse("2001:db8::50"), 64) } }), "mixes IPv4 and IPv6" },
        new object[] { WithPair(p => p with { VirtualAddresses = new[] { p.VirtualAddresses[0], p.VirtualAddresses[0] } }), "lists 10.0.0.50 twice" },
        new object[] { WithPair(p => p with { VirtualAddresses = Array.Empty<VrrpAddress>() }), "needs at least one VIP" },
        new object[] { WithPair(p => p with { Directors = new[] { p.Directors[0] with { UnicastSource = IPAddress.Parse("10.0.0.2") }, p.Directors[1] } }), "unicastSource without unicastPeers" },
        new object[] { WithPair(p => p with { Directors = new[] { p.Directors[0] with { UnicastPeers = new[] { IPAddress.Parse("2001:db8::3") } }, p.Directors[1] } }), "unicast address 2001:db8::3 is not of the VIPs' address family" },
        new object[] { Pair() with { SyncDaemons = new[] { new SyncDaemon() } }, "both syncDaemons and directorPair.syncDaemon" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void ProblemsAreNamedAndNothingIsExported(LvsConfiguration doc, string problem)
    {
        Assert.Empty(DirectorPair.Problems(Pair()));
        Assert.Contains(DirectorPair.Problems(doc), p => p.Contains(problem, StringComparison.Ordinal));
        var e = Assert.Throws<DirectorPairInvalidException>(() => ConfigurationKeepalived.WriteDirector(doc, "lvs2", new List<string>()));
        Assert.Equal(("DirectorPairInvalid", IpvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains(problem, e.Message);
        // The JSON reader refuses the same document, at the directorPair line.
        Assert.Throws<ConfigurationParseException>(() => ConfigurationJson.Read(ConfigurationJson.Write(doc)));
    }

    [Fact]
    public void EachDirectorGetsItsOwnKeepalivedConf()
    {
        var doc = Pair();
        var warnings = new List<string>();
        var master = ConfigurationKeepalived.WriteDirector(doc, "lvs1", warnings);
        var backup = ConfigurationKeepalived.WriteDirector(doc, "lvs2", warnings);
        Assert.Empty(warnings);
        Assert.Contains("""
            global_defs {
                router_id lvs1
                lvs_sync_daemon eth0 VI_WEB id 51
            }

            vrrp_instance VI_WEB {
                state MASTER
                interface eth0
                virtual_router_id 51
                priority 150
                advert_int 1
                virtual_ipaddress {
                    10.0.0.50/24 dev eth0
                }
            }

            virtual_server 10.0.0.50 80 {
            """.Replace("\r\n", "\n"), master);
        Assert.Contains("router_id lvs2", backup);
        Assert.Contains("    state BACKUP\n", backup);
        Assert.Contains("    priority 100\n", backup);
        Assert.DoesNotContain("nopreempt", master);
        // Both files hold the same virtual servers, which import back to the document's services (VRRP skipped with a note).
        var notes = new List<string>();
        var imported = Read(backup, notes);
        Assert.Equal(doc.Services, imported.Services);
        Assert.Contains(notes, n => n.Contains("'vrrp_instance' is not part of the LVS table: skipped", StringComparison.Ordinal));
        Assert.Equal(master[master.IndexOf("virtual_server", StringComparison.Ordinal)..], backup[backup.IndexOf("virtual_server", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void UnicastNoPreemptAndSyncOptionsAreWritten()
    {
        var doc = WithPair(p => p with
        {
            NoPreempt = true,
            AdvertisementInterval = 3,
            VirtualAddresses = new[] { new VrrpAddress(IPAddress.Parse("10.0.0.50"), 24), new VrrpAddress(IPAddress.Parse("10.0.0.60"), 32, "eth1") },
            SyncDaemon = new DirectorSyncDaemon { Interface = "eth1", SyncId = 9, MaxLength = 1400, MulticastPort = 8850, MulticastTtl = 2, MulticastGroup = IPAddress.Parse("239.1.2.3") },
            Directors = new[]
            {
                new Director("lvs1", VrrpState.Backup, 150, "eth0") { UnicastSource = IPAddress.Parse("10.0.0.2"), UnicastPeers = new[] { IPAddress.Parse("10.0.0.3"), IPAddress.Parse("10.0.0.4") } },
                new Director("lvs2", VrrpState.Backup, 100, "eth0"),
            },
        });
        var text = ConfigurationKeepalived.WriteDirector(doc, "lvs1", new List<string>());
        Assert.Contains("lvs_sync_daemon eth1 VI_WEB id 9 maxlen 1400 port 8850 ttl 2 group 239.1.2.3\n", text);
        Assert.Contains("    advert_int 3\n    nopreempt\n    unicast_src_ip 10.0.0.2\n    unicast_peer {\n        10.0.0.3\n        10.0.0.4\n    }\n", text);
        Assert.Contains("        10.0.0.50/24 dev eth0\n        10.0.0.60/32 dev eth1\n", text);
    }

    [Fact]
    public void AnUnknownDirectorOrAMissingPairIsDirectorNotFound()
    {
        var e = Assert.Throws<DirectorNotFoundException>(() => ConfigurationKeepalived.WriteDirector(Pair(), "lvs3", new List<string>()));
        Assert.Equal(("DirectorNotFound", IpvsErrorKind.NotFound), (e.ErrorId, e.Kind));
        Assert.Contains("(it has: lvs1, lvs2)", e.Message);
        var none = Assert.Throws<DirectorNotFoundException>(() => ConfigurationKeepalived.WriteDirector(Pair() with { DirectorPair = null }, "lvs1", new List<string>()));
        Assert.Contains("has no director pair", none.Message);
    }

    [Fact]
    public void WithoutADirectorThePairIsNamedInAWarning()
    {
        var warnings = new List<string>();
        var text = ConfigurationKeepalived.Write(Pair(), warnings);
        Assert.DoesNotContain("vrrp_instance", text);
        Assert.DoesNotContain("router_id", text);
        Assert.Equal("The director pair (lvs1, lvs2) is left out: export each director's file with -Director NAME (or all of them with -Director * -Path DIRECTORY).", Assert.Single(warnings));
    }

    [Fact]
    public void AServiceOffTheVipsIsWarnedAbout()
    {
        var other = ServiceKey.Parse("tcp/10.0.9.9:80");
        var doc = Pair();
        doc = doc with { Services = doc.Services.Append(new ConfiguredService(new VirtualService(other), new[] { new RealServer(other, IPAddress.Parse("10.0.0.11"), 80) })).ToList() };
        var warnings = new List<string>();
        ConfigurationKeepalived.WriteDirector(doc, "lvs1", warnings);
        Assert.Equal("tcp/10.0.9.9:80: its address is not among the pair's virtual addresses: it does not move with the VRRP instance.", Assert.Single(warnings));
    }

    /// <summary>keepalived -t -e (any warning exits 5) accepts both directors' files; VRRP needs an interface that exists here.</summary>
    [KeepalivedFact]
    public void KeepalivedAcceptsEachDirectorsFile()
    {
        var iface = Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).FirstOrDefault(n => n != "lo");
        Assert.True(iface is not null, "no network interface other than lo on this host");
        var doc = WithPair(p => p with
        {
            VirtualAddresses = new[] { new VrrpAddress(IPAddress.Parse("10.0.0.50"), 24) },
            SyncDaemon = new DirectorSyncDaemon { SyncId = 51, MaxLength = 1400, MulticastPort = 8850, MulticastTtl = 2, MulticastGroup = IPAddress.Parse("239.1.2.3") },
            Directors = p.Directors.Select(d => d with { Interface = iface! }).ToList(),
        });
        var unicast = doc with
        {
            DirectorPair = doc.DirectorPair! with
            {
                NoPreempt = true,
                Directors = new[]
                {
                    new Director("u1", VrrpState.Backup, 150, iface!) { UnicastSource = IPAddress.Parse("10.0.0.2"), UnicastPeers = new[] { IPAddress.Parse("10.0.0.3") } },
                    new Director("u2", VrrpState.Backup, 100, iface!) { UnicastSource = IPAddress.Parse("10.0.0.3"), UnicastPeers = new[] { IPAddress.Parse("10.0.0.2") } },
                },
            },
        };
        var dir = TempDirectory();
        try
        {
            foreach (var d in new[] { doc, unicast })
            foreach (var director in d.DirectorPair!.Directors)
            {
                var file = Path.Combine(dir, director.Name + ".conf");
                File.WriteAllText(file, ConfigurationKeepalived.WriteDirector(d, director.Name, new List<string>()));
                var (code, output) = KeepalivedConfigTestTests.ConfigTest(file);
                Assert.True(code == 0, $"keepalived -t -e -f {file} exited {code}:\n{output}\n{File.ReadAllText(file)}");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
