using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Formats;
using Xunit;

using LvsAdmin.Tests.Configuration;

namespace LvsAdmin.Tests.Formats;

/// <summary>Golden texts written from ipvsadm 1.31's printf formats (print_title, print_service_entry, print_largenum).</summary>
public class IpvsadmListFormatTests
{
    private static readonly IpvsInfo Info = new(new Version(1, 2, 1), 4096);

    private static (VirtualService, IReadOnlyList<RealServer>) Entry(VirtualService s, params RealServer[] reals) => (s, reals);

    private static readonly ServiceKey Tcp = ServiceKey.Parse("tcp/10.0.0.1:80");
    private static readonly ServiceKey Udp6 = ServiceKey.Parse("udp/[2001:db8::1]:53");

    private static List<(VirtualService, IReadOnlyList<RealServer>)> Table() => new()
    {
        Entry(new VirtualService(ServiceKey.ForFirewallMark(3000000000)) { Scheduler = "rr" }),
        Entry(new VirtualService(Udp6)
            {
                Scheduler = "sh", SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2, Persistent = true, PersistenceTimeout = 600,
                PersistenceNetmask = "64", PersistenceEngine = "sip", OnePacket = true,
            },
            new RealServer(Udp6, IPAddress.Parse("2001:db8::2"), 53) { ForwardingMethod = ForwardingMethod.Tunnel, Weight = 65535, ActiveConnections = 1, InactiveConnections = 2 },
            new RealServer(Udp6, IPAddress.Parse("10.1.1.1"), 53) { ForwardingMethod = ForwardingMethod.Tunnel }),
        Entry(new VirtualService(Tcp),
            new RealServer(Tcp, IPAddress.Parse("192.168.1.2"), 80) { Weight = 0 },
            new RealServer(Tcp, IPAddress.Parse("192.168.1.1"), 8080) { ForwardingMethod = ForwardingMethod.Nat, Weight = 5, ActiveConnections = 3, InactiveConnections = 4 }),
    };

    [Fact]
    public void DefaultListing()
    {
        var expected =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "FWM  -1294967296 rr\n" +
            "TCP  10.0.0.1:80 wlc\n" +
            "  -> 192.168.1.1:8080             Masq    5      3          4         \n" +
            "  -> 192.168.1.2:80               Route   0      0          0         \n" +
            "UDP  [2001:db8::1]:53 sh (sh-fallback,sh-port) persistent 600 mask 64 pe sip ops\n" +
            "  -> 10.1.1.1:53                  Tunnel  1      0          0         \n" +
            "  -> [2001:db8::2]:53             Tunnel  65535  1          2         \n";
        Assert.Equal(expected, IpvsadmListFormat.List(Table(), Info));
    }

    [Fact]
    public void PersistenceEngineIsListedOnlyForPersistentServices()
    {
        var s = new VirtualService(ServiceKey.Parse("udp/10.0.0.1:5060")) { Scheduler = "rr", PersistenceEngine = "sip", PersistenceNetmask = "255.255.255.0" };
        Assert.EndsWith("\nUDP  10.0.0.1:5060 rr\n", IpvsadmListFormat.ListService(s, Array.Empty<RealServer>()));
        var p = s with { Persistent = true, PersistenceTimeout = 360 };
        Assert.EndsWith("UDP  10.0.0.1:5060 rr persistent 360 mask 255.255.255.0 pe sip\n", IpvsadmListFormat.ListService(p, Array.Empty<RealServer>()));
    }

    [Fact]
    public void StatsScaleLikePrintLargenum()
    {
        var s = new VirtualService(Tcp)
        {
            Statistics = new IpvsStatistics { Connections = 123456789, InPackets = 99999999, OutPackets = 1000000000, InBytes = 123456789012345, OutBytes = 100000000000000 },
        };
        // A real server's counters other than bytes keep their low 32 bits (libipvs 1.31 parses them as u32).
        var r = new RealServer(Tcp, IPAddress.Parse("192.168.1.1"), 8080)
        {
            ForwardingMethod = ForwardingMethod.Nat,
            Statistics = new IpvsStatistics { Connections = 5, InPackets = 4294967302, OutPackets = 0, InBytes = 5000000000, OutBytes = 1 },
        };
        var expected =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  10.0.0.1:80                   123456K 99999999    1000M     123T     100T\n" +
            "  -> 192.168.1.1:8080                    5        6        0    5000M        1\n";
        Assert.Equal(expected, IpvsadmListFormat.List(new[] { Entry(s, r) }, Info, IpvsadmListView.Stats));
    }

    [Fact]
    public void RatesOfRealServersHaveThreeUnscaledColumns()
    {
        var key = ServiceKey.Parse("sctp/[fd00::5]:9");
        var rates = new IpvsStatistics { ConnectionRate = 1, InPacketRate = 2, OutPacketRate = 3, InByteRate = 400000000, OutByteRate = 5 };
        var s = new VirtualService(key) { Statistics = rates };
        var r = new RealServer(key, IPAddress.Parse("fd00::6"), 9) { Statistics = rates };
        var expected =
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n" +
            "  -> RemoteAddress:Port\n" +
            "SCTP [fd00::5]:9                         1        2        3  400000K        5\n" +
            "  -> [fd00::6]:9                         1        2        3  400000K        5\n";
        Assert.Equal(expected, IpvsadmListFormat.ListService(s, new[] { r }, IpvsadmListView.Rate));
    }

    [Fact]
    public void ThresholdsAndPersistentConnections()
    {
        var s = new VirtualService(Tcp);
        var r = new RealServer(Tcp, IPAddress.Parse("192.168.1.1"), 8080)
        {
            ForwardingMethod = ForwardingMethod.Nat, Weight = 5, UpperThreshold = 100, LowerThreshold = 10, ActiveConnections = 3, InactiveConnections = 4, PersistentConnections = 6,
        };
        Assert.Equal(
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  10.0.0.1:80 wlc\n" +
            "  -> 192.168.1.1:8080             100        10         3          4         \n",
            IpvsadmListFormat.ListService(s, new[] { r }, IpvsadmListView.Thresholds));
        Assert.Equal(
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  10.0.0.1:80 wlc\n" +
            "  -> 192.168.1.1:8080             5         6           3          4         \n",
            IpvsadmListFormat.ListService(s, new[] { r }, IpvsadmListView.PersistentConnections));
    }

    [Fact]
    public void TunnelInfo()
    {
        var s = new VirtualService(Udp6) { Scheduler = "rr" };
        RealServer R(string a, ForwardingMethod m) => new(Udp6, IPAddress.Parse(a), 53) { ForwardingMethod = m };
        var reals = new[]
        {
            R("2001:db8::5", ForwardingMethod.Nat),
            R("2001:db8::3", ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gre },
            R("2001:db8::2", ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelChecksum = TunnelChecksum.Checksum },
            R("2001:db8::4", ForwardingMethod.Tunnel),
        };
        Assert.Equal(
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n" +
            "UDP  [2001:db8::1]:53 rr\n" +
            "  -> [2001:db8::2]:53             Tunnel  gue:6080:+c   1      0          0         \n" +
            "  -> [2001:db8::3]:53             Tunnel  gre:-c        1      0          0         \n" +
            "  -> [2001:db8::4]:53             Tunnel  ipip          1      0          0         \n" +
            "  -> [2001:db8::5]:53             Masq    n/a           1      0          0         \n",
            IpvsadmListFormat.ListService(s, reals, IpvsadmListView.TunnelInfo));
    }

    [Fact]
    public void NoSortKeepsTheGivenOrder()
    {
        var text = IpvsadmListFormat.List(Table(), Info, sort: false);
        Assert.True(text.IndexOf("UDP  [2001:db8::1]:53", StringComparison.Ordinal) < text.IndexOf("TCP  10.0.0.1:80", StringComparison.Ordinal));
        Assert.True(text.IndexOf("[2001:db8::2]:53", StringComparison.Ordinal) < text.IndexOf("10.1.1.1:53", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0UL, false, "        0")]
    [InlineData(99999999UL, false, " 99999999")]
    [InlineData(100000000UL, false, "  100000K")]
    [InlineData(999999999UL, false, "  999999K")]
    [InlineData(1000000000UL, false, "    1000M")]
    [InlineData(99999999999UL, false, "   99999M")]
    [InlineData(100000000000UL, false, "     100G")]
    [InlineData(99999999999999UL, false, "   99999G")]
    [InlineData(100000000000000UL, false, "     100T")]
    [InlineData(18446744073709551615UL, false, "18446744T")]
    [InlineData(5UL, true, "        5")]
    [InlineData(12345678UL, true, " 12345678")]
    [InlineData(123456789UL, true, " 123456789")]
    [InlineData(12345678901234567890UL, true, " 12345678901234567890")]
    public void LargeNumbers(ulong value, bool exact, string expected) =>
        Assert.Equal(expected, IpvsadmText.LargeNumber(value, exact));

    [Fact]
    public void Timeouts() =>
        Assert.Equal("Timeout (tcp tcpfin udp): 900 120 300\n", IpvsadmListFormat.Timeouts(new IpvsTimeouts(900, 120, 300)));

    [Fact]
    public void Daemons()
    {
        var daemons = new[]
        {
            new SyncDaemon { State = SyncDaemonState.Master, Interface = "eth1", SyncId = 7, MaxLength = 1400, MulticastGroup = IPAddress.Parse("239.1.2.3"), MulticastPort = 8850, MulticastTtl = 3 },
            new SyncDaemon { State = SyncDaemonState.Backup, Interface = "eth2", SyncId = 0, MulticastGroup = IPAddress.Parse("ff02::0:1:2"), MulticastPort = 0 },
        };
        Assert.Equal(
            "master sync daemon (mcast=eth1, syncid=7, maxlen=1400, group=239.1.2.3, port=8850, ttl=3)\n" +
            "backup sync daemon (mcast=eth2, syncid=0, group=ff02::1:2)\n",
            IpvsadmListFormat.Daemons(daemons));
        Assert.Equal("", IpvsadmListFormat.Daemons(Array.Empty<SyncDaemon>()));
    }

    [Theory]
    [InlineData(IpvsadmListView.Default)]
    [InlineData(IpvsadmListView.Stats)]
    [InlineData(IpvsadmListView.Thresholds)]
    public void TitlesAndServiceEntriesMakeTheListing(IpvsadmListView view)
    {
        // Get-LvsVirtualService's default view prints Titles once, then ServiceEntry per service, services and real
        // servers both in IpvsOrder (as the cmdlet lists them): that is ipvsadm's listing without its version line.
        var table = Table().GetRange(1, 2).Select(e => (e.Item1, (IReadOnlyList<RealServer>)IpvsadmText.SortedRealServers(e.Item2))).ToList();
        IpvsOrder.Sort(table, e => e.Item1.Key);
        var pieces = IpvsadmListFormat.Titles(view);
        foreach (var (s, reals) in table) pieces += IpvsadmListFormat.ServiceEntry(s, reals, view);
        var listing = IpvsadmListFormat.List(table, Info, view);
        Assert.Equal(listing[(listing.IndexOf('\n') + 1)..], pieces);
    }

    [Fact]
    public void ServiceEntryKeepsTheGivenOrderAndNeedsNoRealServers()
    {
        var (tcp, reals) = Table()[2];
        Assert.Equal(
            "TCP  10.0.0.1:80 wlc\n" +
            "  -> 192.168.1.2:80               Route   0      0          0         \n" +
            "  -> 192.168.1.1:8080             Masq    5      3          4         \n",
            IpvsadmListFormat.ServiceEntry(tcp, reals));
        Assert.Equal("TCP  10.0.0.1:80 wlc\n", IpvsadmListFormat.ServiceEntry(tcp, null));
        Assert.Throws<ArgumentNullException>(() => IpvsadmListFormat.ServiceEntry(null!, reals));
    }

    [Fact]
    public void ServiceEntryOfSortedRealServersIsIpvsadmsOrder()
    {
        // The cmdlets sort with IpvsOrder, so the view shows what ipvsadm -Ln shows, overflow quirk included.
        var s = new VirtualService(Tcp);
        var reals = new[] { "10.0.0.10", "192.168.0.1", "10.0.0.2" }
            .Select(a => new RealServer(Tcp, IPAddress.Parse(a), 80)).ToList();
        IpvsOrder.SortRealServers(reals);
        var entry = IpvsadmListFormat.ServiceEntry(s, reals);
        var ipvsadm = IpvsadmListFormat.ListService(s, reals);
        Assert.EndsWith(entry, ipvsadm);
        Assert.True(entry.IndexOf("192.168.0.1:", StringComparison.Ordinal) < entry.IndexOf("10.0.0.2:", StringComparison.Ordinal));
        Assert.True(entry.IndexOf("10.0.0.2:", StringComparison.Ordinal) < entry.IndexOf("10.0.0.10:", StringComparison.Ordinal));
    }

    [Fact]
    public void ServiceEntryPrintsLargeMarksAsTheyAreUnlikeIpvsadm()
    {
        var (fwm, reals) = Table()[0];
        Assert.Equal("FWM  3000000000 rr\n", IpvsadmListFormat.ServiceEntry(fwm, reals));
        Assert.Contains("FWM  -1294967296 rr\n", IpvsadmListFormat.List(new[] { (fwm, reals) }, Info));
    }
}
