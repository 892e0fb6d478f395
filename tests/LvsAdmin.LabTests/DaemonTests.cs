using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>Global settings: info, timeouts, counters, connection sync daemons.</summary>
public sealed class DaemonTests
{
    [LabTest]
    public void InfoVersionAndTableSize(LabContext ctx)
    {
        var info = ctx.Client.GetInfo();
        Check.Equal(new Version(1, 2, 1), info.Version, "IPVS version");
        var bits = int.Parse(File.ReadAllText("/sys/module/ip_vs/parameters/conn_tab_bits").Trim());
        Check.Equal(1u << bits, info.ConnectionTableSize, "connection table size = 2^conn_tab_bits");
        Check.Equal($"IP Virtual Server version 1.2.1 (size={1 << bits})", info.ToString(), "header line");
    }

    [LabTest]
    public void TimeoutsSetOneLeaveOthers(LabContext ctx)
    {
        var c = ctx.Client;
        var original = c.GetTimeouts();
        Check.True(original.Tcp > 0 && original.TcpFin > 0 && original.Udp > 0, "timeouts are positive: " + original);
        try
        {
            c.SetTimeouts(new IpvsTimeouts(0, 0, 123));
            Check.Equal(original with { Udp = 123 }, c.GetTimeouts(), "only udp changed");
            c.SetTimeouts(new IpvsTimeouts(4567, 0, 0));
            Check.Equal(original with { Tcp = 4567, Udp = 123 }, c.GetTimeouts(), "then only tcp changed");
            c.SetTimeouts(new IpvsTimeouts(0, 89, 0));
            Check.Equal(new IpvsTimeouts(4567, 89, 123), c.GetTimeouts(), "then only tcpfin changed");
            c.SetTimeouts(new IpvsTimeouts(0, 0, 0));
            Check.Equal(new IpvsTimeouts(4567, 89, 123), c.GetTimeouts(), "all zero changes nothing");
            c.SetTimeouts(new IpvsTimeouts(IpvsValidation.MaxTimeout, 1, 1));
            Check.Equal(new IpvsTimeouts(IpvsValidation.MaxTimeout, 1, 1), c.GetTimeouts(), "extremes");
            Check.Throws<IpvsValidationException>(() => c.SetTimeouts(new IpvsTimeouts(IpvsValidation.MaxTimeout + 1, 0, 0)), "timeout above 31 days");
            Check.Equal(new IpvsTimeouts(IpvsValidation.MaxTimeout, 1, 1), c.GetTimeouts(), "unchanged after the validation error");
        }
        finally
        {
            c.SetTimeouts(original);
        }
        Check.Equal(original, c.GetTimeouts(), "restored");
    }

    [LabTest]
    public void ZeroCounters(LabContext ctx)
    {
        var c = ctx.Client;
        // A dummy interface holds the virtual addresses; the real servers sit behind it (the dummy drops what
        // IPVS forwards, which is fine: IPVS counts the packets before it transmits them).
        LabContext.Sh("ip link add lvsz type dummy && ip addr add 10.99.0.1/24 dev lvsz && ip link set lvsz up");
        try
        {
            var a = Same.Svc("udp/10.99.0.1:5001", "rr");
            var b = Same.Svc("udp/10.99.0.1:5002", "rr");
            c.AddService(a);
            c.AddService(b);
            c.AddRealServer(Same.Real(a.Key, "10.99.0.2", 5001));
            c.AddRealServer(Same.Real(b.Key, "10.99.0.3", 5002));
            using (var udp = new UdpClient(AddressFamily.InterNetwork))
            {
                for (var i = 0; i < 3; i++)
                {
                    udp.Send(new byte[100], 100, new IPEndPoint(IPAddress.Parse("10.99.0.1"), 5001));
                    udp.Send(new byte[100], 100, new IPEndPoint(IPAddress.Parse("10.99.0.1"), 5002));
                }
            }
            // The kernel folds its per-CPU counters into what it reports every 2 s (the rate estimator): wait.
            var wait = System.Diagnostics.Stopwatch.StartNew();
            IpvsStatistics sa, sb;
            while (true)
            {
                sa = c.GetService(a.Key)!.Statistics!;
                sb = c.GetService(b.Key)!.Statistics!;
                if ((sa.InPackets >= 3 && sb.InPackets >= 3) || wait.Elapsed.TotalSeconds > 15) break;
                System.Threading.Thread.Sleep(500);
            }
            Check.Equal(3UL, sa.InPackets, "service a packets");
            Check.Equal(3UL, sb.InPackets, "service b packets");
            Check.True(sa.Connections >= 1 && sa.InBytes >= 300, "service a counted traffic: " + sa);
            var ra = c.GetRealServers(a.Key).Single().Statistics!;
            Check.Equal(3UL, ra.InPackets, "real server of a packets");

            c.Zero(a.Key);
            var za = c.GetService(a.Key)!.Statistics!;
            Check.Equal(0UL, za.InPackets, "a packets after zeroing a");
            Check.Equal(0UL, za.Connections, "a connections after zeroing a");
            Check.Equal(0UL, za.InBytes, "a bytes after zeroing a");
            Check.Equal(0UL, c.GetRealServers(a.Key).Single().Statistics!.InPackets, "a's real server zeroed too");
            Check.Equal(sb.InPackets, c.GetService(b.Key)!.Statistics!.InPackets, "b untouched by zeroing a");

            c.Zero();
            Check.Equal(0UL, c.GetService(b.Key)!.Statistics!.InPackets, "b after zeroing all");
            Check.Equal(0UL, c.GetRealServers(b.Key).Single().Statistics!.InPackets, "b's real server after zeroing all");

            var missing = ServiceKey.Parse("udp/10.99.0.1:9");
            var e = Check.Throws<ServiceNotFoundException>(() => c.Zero(missing), "zero a missing service");
            Check.Equal(missing, e.Service, "exception names the service");
        }
        finally
        {
            c.Flush();
            LabContext.Run("ip", "link del lvsz");
        }
    }

    [LabTest]
    public void ZeroEmptyTable(LabContext ctx)
    {
        ctx.Client.Zero();
        Check.Equal(0, ctx.Client.GetServices().Count, "still empty");
    }

    private static void WithSyncInterface(Action body) => SyncInterface.Use("lvs0", "192.168.250.1/24", "fd00:250::1/64", body);

    [LabTest]
    public void SyncDaemonMasterAndBackupDefaults(LabContext ctx)
    {
        var c = ctx.Client;
        Check.Equal(0, c.GetSyncDaemons().Count, "no daemon at start");
        WithSyncInterface(() =>
        {
            c.StartSyncDaemon(new SyncDaemon { State = SyncDaemonState.Master, Interface = "lvs0", SyncId = 7 });
            var m = c.GetSyncDaemons().Single();
            Check.Equal(SyncDaemonState.Master, m.State, "state");
            Check.Equal("lvs0", m.Interface, "interface");
            Check.Equal(7u, m.SyncId, "sync id");
            Check.Equal(IPAddress.Parse("224.0.0.81"), m.MulticastGroup, "default group");
            Check.Equal((ushort?)8848, m.MulticastPort, "default port");
            Check.Equal((byte?)1, m.MulticastTtl, "default ttl");
            Check.True(m.MaxLength is > 0 and <= 1500, "kernel-chosen max length from the MTU: " + m.MaxLength);
            c.StartSyncDaemon(new SyncDaemon { State = SyncDaemonState.Backup, Interface = "lvs0", SyncId = 8 });
            var both = c.GetSyncDaemons().OrderBy(d => d.State).ToList();
            Check.Equal(2, both.Count, "master and backup");
            Check.Equal(SyncDaemonState.Backup, both[1].State, "second is backup");
            Check.Equal(8u, both[1].SyncId, "backup sync id");
            var dup = Check.Throws<IpvsException>(() => c.StartSyncDaemon(new SyncDaemon { State = SyncDaemonState.Master, Interface = "lvs0" }), "a second master");
            Check.Equal(IpvsErrorKind.AlreadyExists, dup.Kind, "second master: kind (errno " + dup.Errno + ")");
            c.StopSyncDaemon(SyncDaemonState.Master);
            Check.Equal(SyncDaemonState.Backup, c.GetSyncDaemons().Single().State, "backup left");
            c.StopSyncDaemon(SyncDaemonState.Backup);
            Check.Equal(0, c.GetSyncDaemons().Count, "none left");
        });
    }

    [LabTest]
    public void SyncDaemonMulticastOptionsIPv4(LabContext ctx)
    {
        var c = ctx.Client;
        WithSyncInterface(() =>
        {
            var master = new SyncDaemon
            {
                State = SyncDaemonState.Master, Interface = "lvs0", SyncId = 200, MaxLength = 1000,
                MulticastGroup = IPAddress.Parse("239.1.2.3"), MulticastPort = 9000, MulticastTtl = 5,
            };
            c.StartSyncDaemon(master);
            var backup = master with { State = SyncDaemonState.Backup, SyncId = 201, MulticastPort = 9001, MulticastTtl = 1, MaxLength = 1400 };
            c.StartSyncDaemon(backup);
            var got = c.GetSyncDaemons().OrderBy(d => d.State).ToList();
            Check.Equal(master, got[0], "master read back");
            Check.Equal(backup, got[1], "backup read back");
        });
    }

    [LabTest]
    public void SyncDaemonMulticastOptionsIPv6(LabContext ctx)
    {
        var c = ctx.Client;
        WithSyncInterface(() =>
        {
            var master = new SyncDaemon
            {
                State = SyncDaemonState.Master, Interface = "lvs0", SyncId = 1, MaxLength = 1200,
                MulticastGroup = IPAddress.Parse("ff02::8848"), MulticastPort = 8850, MulticastTtl = 3,
            };
            c.StartSyncDaemon(master);
            var backup = master with { State = SyncDaemonState.Backup, MulticastGroup = IPAddress.Parse("ff05::1:3"), MulticastTtl = 1 };
            c.StartSyncDaemon(backup);
            var got = c.GetSyncDaemons().OrderBy(d => d.State).ToList();
            Check.Equal(master, got[0], "master read back");
            Check.Equal(backup, got[1], "backup read back");
            Check.Equal(AddressFamily.InterNetworkV6, got[0].MulticastGroup!.AddressFamily, "IPv6 group");
        });
    }

    [LabTest]
    public void SyncDaemonErrors(LabContext ctx)
    {
        var c = ctx.Client;
        var noIf = Check.Throws<IpvsException>(() => c.StartSyncDaemon(new SyncDaemon { Interface = "nosuchif0" }), "missing interface");
        Check.True(noIf is not IpvsValidationException, "a missing interface is the kernel's error, not a validation error");
        Check.Equal(IpvsErrorKind.NotFound, noIf.Kind, "missing interface kind (errno " + noIf.Errno + ")");
        Check.Throws<IpvsValidationException>(() => c.StartSyncDaemon(new SyncDaemon { Interface = "bad/name" }), "bad interface name");
        Check.Throws<IpvsValidationException>(() => c.StartSyncDaemon(new SyncDaemon { Interface = "lo", SyncId = 256 }), "sync id 256");
        Check.Throws<IpvsValidationException>(() => c.StartSyncDaemon(new SyncDaemon { Interface = "lo", MulticastGroup = IPAddress.Parse("10.0.0.1") }), "unicast group");
        Check.Equal(0, c.GetSyncDaemons().Count, "nothing started");
        var stop = Check.Throws<IpvsException>(() => c.StopSyncDaemon(SyncDaemonState.Master), "stopping a master that is not running");
        Check.True(stop.Errno != 0, "kernel errno reported: " + stop.Message);
    }
}
