using System.Net;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Ipvs;

/// <summary>Model equality compares configuration only: statistics and connection counters never count.</summary>
public class ModelTests
{
    private static readonly ServiceKey Key = ServiceKey.Parse("tcp/10.0.0.1:80");

    private static VirtualService Svc() => new(Key)
    {
        Scheduler = "wrr", SchedulerFlags = SchedulerFlags.Flag1, Persistent = true, PersistenceTimeout = 300,
        PersistenceNetmask = "255.255.255.0", PersistenceEngine = "sip", OnePacket = false,
    };

    [Fact]
    public void ServiceStatisticsAreNotPartOfEquality()
    {
        var a = Svc() with { Statistics = new IpvsStatistics { Connections = 5, InBytes = 1000 } };
        var b = Svc() with { Statistics = null };
        var c = Svc() with { Statistics = IpvsStatistics.Zero };
        Assert.Equal(a, b);
        Assert.Equal(b, c);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a.GetHashCode(), c.GetHashCode());
    }

    public static TheoryData<string, VirtualService> ServiceChanges() => new()
    {
        { "key", Svc() with { Key = ServiceKey.Parse("tcp/10.0.0.1:81") } },
        { "scheduler", Svc() with { Scheduler = "rr" } },
        { "scheduler flags", Svc() with { SchedulerFlags = SchedulerFlags.Flag2 } },
        { "persistent", Svc() with { Persistent = false } },
        { "timeout", Svc() with { PersistenceTimeout = 301 } },
        { "netmask", Svc() with { PersistenceNetmask = "255.255.0.0" } },
        { "engine", Svc() with { PersistenceEngine = null } },
        { "one packet", Svc() with { OnePacket = true } },
    };

    [Theory]
    [MemberData(nameof(ServiceChanges))]
    public void ServiceConfigurationDifferencesAreDetected(string what, VirtualService changed)
    {
        Assert.NotNull(what);
        Assert.NotEqual(Svc(), changed);
        Assert.False(Svc() == changed);
        Assert.True(Svc() != changed);
    }

    [Fact]
    public void ServiceDefaultsAndDerivedProperties()
    {
        var v4 = new VirtualService(Key);
        Assert.Equal("wlc", v4.Scheduler);
        Assert.Equal("255.255.255.255", v4.PersistenceNetmask);
        Assert.Equal(0u, v4.PersistenceTimeout);
        Assert.Equal(0u, v4.KernelFlags);
        Assert.Equal("tcp/10.0.0.1:80", v4.Service);
        Assert.Equal("tcp/10.0.0.1:80", v4.ToString());
        Assert.Equal(IPAddress.Parse("10.0.0.1"), v4.Address);
        Assert.Equal((ushort)80, v4.Port);
        Assert.Equal(IpvsProtocol.Tcp, v4.Protocol);
        Assert.Equal("128", new VirtualService(ServiceKey.Parse("fwm/1/ipv6")).PersistenceNetmask);
        Assert.Equal(1u | 4u | 0x8u | 0x20u, (Svc() with { OnePacket = true, SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag3 }).KernelFlags);
        Assert.Throws<System.ArgumentNullException>(() => new VirtualService(null!));
    }

    private static RealServer Rs() => new(Key, IPAddress.Parse("10.0.0.2"), 80)
    {
        ForwardingMethod = ForwardingMethod.Tunnel, Weight = 3, UpperThreshold = 100, LowerThreshold = 10,
        TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelChecksum = TunnelChecksum.Checksum,
    };

    [Fact]
    public void RealServerCountersAndStatisticsAreNotPartOfEquality()
    {
        var a = Rs() with { ActiveConnections = 10, InactiveConnections = 20, PersistentConnections = 3, Statistics = new IpvsStatistics { Connections = 7 } };
        var b = Rs();
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    public static TheoryData<string, RealServer> RealServerChanges() => new()
    {
        { "service", Rs() with { Service = ServiceKey.Parse("udp/10.0.0.1:80") } },
        { "address", Rs() with { Address = IPAddress.Parse("10.0.0.3") } },
        { "port", Rs() with { Port = 81 } },
        { "method", Rs() with { ForwardingMethod = ForwardingMethod.DirectRouting } },
        { "weight", Rs() with { Weight = 4 } },
        { "upper", Rs() with { UpperThreshold = 101 } },
        { "lower", Rs() with { LowerThreshold = 11 } },
        { "tunnel type", Rs() with { TunnelType = TunnelType.Gre } },
        { "tunnel port", Rs() with { TunnelPort = 6081 } },
        { "tunnel checksum", Rs() with { TunnelChecksum = TunnelChecksum.RemoteChecksum } },
    };

    [Theory]
    [MemberData(nameof(RealServerChanges))]
    public void RealServerConfigurationDifferencesAreDetected(string what, RealServer changed)
    {
        Assert.NotNull(what);
        Assert.NotEqual(Rs(), changed);
    }

    [Fact]
    public void RealServerDefaultsAndKey()
    {
        var r = new RealServer(ServiceKey.Parse("tcp/[2001:db8::1]:80"), IPAddress.Parse("10.0.0.2"), 80);
        Assert.Equal(ForwardingMethod.DirectRouting, r.ForwardingMethod);
        Assert.Equal(1, r.Weight);
        Assert.Equal(IpvsAddressFamily.IPv4, r.AddressFamily);
        Assert.Equal(new RealServerKey(IPAddress.Parse("10.0.0.2"), 80), r.Key);
        Assert.Equal("10.0.0.2:80", r.Key.ToString());
        Assert.Equal("[2001:db8::2]:8080", new RealServerKey(IPAddress.Parse("2001:db8::2"), 8080).ToString());
        Assert.Equal("tcp/[2001:db8::1]:80 -> 10.0.0.2:80", r.ToString());
        Assert.Throws<System.ArgumentNullException>(() => new RealServer(null!, IPAddress.Loopback, 1));
        Assert.Throws<System.ArgumentNullException>(() => new RealServer(Key, null!, 1));
    }

    [Fact]
    public void StatisticsThemselvesCompareByValue()
    {
        Assert.Equal(new IpvsStatistics { InBytes = 5 }, new IpvsStatistics { InBytes = 5 });
        Assert.NotEqual(new IpvsStatistics { InBytes = 5 }, new IpvsStatistics { OutBytes = 5 });
        Assert.Equal(new IpvsStatistics(), IpvsStatistics.Zero);
    }

    [Fact]
    public void DaemonsTimeoutsAndInfoCompareByValue()
    {
        Assert.Equal(new SyncDaemon { MulticastGroup = IPAddress.Parse("224.0.0.81") }, new SyncDaemon { MulticastGroup = IPAddress.Parse("224.0.0.81") });
        Assert.NotEqual(new SyncDaemon { SyncId = 1 }, new SyncDaemon { SyncId = 2 });
        Assert.NotEqual(new SyncDaemon(), new SyncDaemon { State = SyncDaemonState.Backup });
        Assert.Equal("eth0", new SyncDaemon().Interface);
        Assert.Equal(new IpvsTimeouts(1, 2, 3), new IpvsTimeouts(1, 2, 3));
        Assert.NotEqual(new IpvsTimeouts(1, 2, 3), new IpvsTimeouts(1, 2, 4));
        Assert.Equal(new IpvsInfo(new System.Version(1, 2, 1), 4096), new IpvsInfo(new System.Version(1, 2, 1), 4096));
    }
}
