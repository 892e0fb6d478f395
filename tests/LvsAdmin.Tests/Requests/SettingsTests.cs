using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Requests;
using Xunit;

namespace LvsAdmin.Tests.Requests;

public class VirtualServiceSettingsTests
{
    private static readonly ServiceKey Tcp = ServiceKey.Parse("tcp/10.0.0.1:80");

    [Fact]
    public void NewServiceGetsIpvsadmDefaults()
    {
        var s = new VirtualServiceSettings().CreateService(Tcp);
        Assert.Equal("wlc", s.Scheduler);
        Assert.False(s.Persistent);
        Assert.Equal(0u, s.PersistenceTimeout);
        Assert.Equal("255.255.255.255", s.PersistenceNetmask);
        Assert.Null(s.PersistenceEngine);
    }

    [Fact]
    public void PersistentWithoutTimeoutMeans360LikeIpvsadm()
    {
        var s = new VirtualServiceSettings { Persistent = true }.CreateService(Tcp);
        Assert.True(s.Persistent);
        Assert.Equal(360u, s.PersistenceTimeout);
    }

    [Fact]
    public void TimeoutImpliesPersistent()
    {
        var s = new VirtualServiceSettings { PersistenceTimeout = 60 }.CreateService(Tcp);
        Assert.True(s.Persistent);
        Assert.Equal(60u, s.PersistenceTimeout);
        var off = new VirtualServiceSettings { PersistenceTimeout = 60, Persistent = false }.CreateService(Tcp);
        Assert.False(off.Persistent);
    }

    [Fact]
    public void SetChangesOnlyWhatWasGiven()
    {
        var current = new VirtualService(Tcp)
        {
            Scheduler = "sh", SchedulerFlags = SchedulerFlags.Flag2, Persistent = true, PersistenceTimeout = 120,
            PersistenceNetmask = "255.255.255.0", PersistenceEngine = "sip",
            Statistics = new IpvsStatistics { Connections = 5 },
        };
        var changed = new VirtualServiceSettings { PersistenceTimeout = 600 }.ApplyTo(current);
        Assert.Equal(current with { PersistenceTimeout = 600 }, changed);
        Assert.Null(changed.Statistics);
        Assert.Equal(current, new VirtualServiceSettings().ApplyTo(current));

        var sched = new VirtualServiceSettings { Scheduler = "RR", SchedulerFlags = new[] { "flag-1" } }.ApplyTo(current);
        Assert.Equal("rr", sched.Scheduler);
        Assert.Equal(SchedulerFlags.Flag1, sched.SchedulerFlags);
        Assert.True(sched.Persistent);
        Assert.Equal(120u, sched.PersistenceTimeout);
    }

    [Fact]
    public void FlagsAreCheckedAgainstTheResultingScheduler()
    {
        var current = new VirtualService(Tcp) { Scheduler = "sh" };
        Assert.Equal(SchedulerFlags.Flag2, new VirtualServiceSettings { SchedulerFlags = new[] { "sh-port" } }.ApplyTo(current).SchedulerFlags);
        var e = Assert.Throws<IpvsValidationException>(() => new VirtualServiceSettings { Scheduler = "wlc", SchedulerFlags = new[] { "sh-port" } }.ApplyTo(current));
        Assert.Equal("IncompatibleSchedulerFlag", e.ErrorId);
    }

    [Fact]
    public void PersistenceOffKeepsTimeoutAndEngineCanBeRemoved()
    {
        var current = new VirtualService(Tcp) { Persistent = true, PersistenceTimeout = 120, PersistenceEngine = "sip" };
        var s = new VirtualServiceSettings { Persistent = false, PersistenceEngine = "" }.ApplyTo(current);
        Assert.False(s.Persistent);
        Assert.Equal(120u, s.PersistenceTimeout);
        Assert.Null(s.PersistenceEngine);
    }

    [Fact]
    public void NetmaskIsNormalised()
    {
        Assert.Equal("255.255.255.0", new VirtualServiceSettings { Persistent = true, PersistenceNetmask = "/24" }.CreateService(Tcp).PersistenceNetmask);
        var v6 = ServiceKey.Parse("tcp/[2001:db8::1]:80");
        Assert.Equal("64", new VirtualServiceSettings { Persistent = true, PersistenceNetmask = "/64" }.CreateService(v6).PersistenceNetmask);
        Assert.Throws<IpvsValidationException>(() => new VirtualServiceSettings { PersistenceNetmask = "255.0.255.0.1" }.CreateService(Tcp));
    }

    [Fact]
    public void ResultIsValidated()
    {
        Assert.Equal("OnePacket", Assert.Throws<IpvsValidationException>(() => new VirtualServiceSettings { OnePacket = true }.CreateService(Tcp)).Parameter);
        Assert.Equal("Scheduler", Assert.Throws<IpvsValidationException>(() => new VirtualServiceSettings { Scheduler = "w-lc" }.CreateService(Tcp)).Parameter);
        Assert.Equal("Scheduler", Assert.Throws<IpvsValidationException>(() => new VirtualServiceSettings { Scheduler = " " }.CreateService(Tcp)).Parameter);
        Assert.Equal("Port", Assert.Throws<IpvsValidationException>(() => new VirtualServiceSettings().CreateService(ServiceKey.Parse("tcp/10.0.0.1:0"))).Parameter);
        Assert.True(new VirtualServiceSettings().IsEmpty);
        Assert.False(new VirtualServiceSettings { OnePacket = false }.IsEmpty);
    }
}

public class RealServerSettingsTests
{
    private static readonly ServiceKey Tcp = ServiceKey.Parse("tcp/10.0.0.1:80");
    private static readonly RealServerKey Rs = new(IPAddress.Parse("10.0.0.2"), 80);

    [Fact]
    public void NewRealServerGetsIpvsadmDefaults()
    {
        var r = new RealServerSettings().CreateRealServer(Tcp, Rs);
        Assert.Equal(ForwardingMethod.DirectRouting, r.ForwardingMethod);
        Assert.Equal(1, r.Weight);
    }

    [Fact]
    public void SetChangesOnlyWhatWasGiven()
    {
        var current = new RealServer(Tcp, Rs.Address, 80) { ForwardingMethod = ForwardingMethod.Nat, Weight = 5, UpperThreshold = 100, LowerThreshold = 10, ActiveConnections = 3 };
        var r = new RealServerSettings { Weight = 0 }.ApplyTo(current);
        Assert.Equal(current with { Weight = 0 }, r);
        Assert.Equal(0u, r.ActiveConnections);
        Assert.Equal(current, new RealServerSettings().ApplyTo(current));
    }

    [Fact]
    public void TunnelOptionsFollowTheMethod()
    {
        var gue = new RealServerSettings { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelChecksum = TunnelChecksum.RemoteChecksum }.CreateRealServer(Tcp, Rs);
        Assert.Equal(gue with { Weight = 3 }, new RealServerSettings { Weight = 3 }.ApplyTo(gue));
        var dr = new RealServerSettings { ForwardingMethod = ForwardingMethod.DirectRouting }.ApplyTo(gue);
        Assert.Equal(TunnelType.Ipip, dr.TunnelType);
        Assert.Equal(0, dr.TunnelPort);
        Assert.Equal(TunnelChecksum.None, dr.TunnelChecksum);
        var gre = new RealServerSettings { TunnelType = TunnelType.Gre }.ApplyTo(gue);
        Assert.Equal(0, gre.TunnelPort);
        Assert.Equal(TunnelChecksum.None, gre.TunnelChecksum);
        Assert.Equal(TunnelType.Ipip, new RealServerSettings { ForwardingMethod = ForwardingMethod.Tunnel }.CreateRealServer(Tcp, Rs).TunnelType);
        var e = Assert.Throws<IpvsValidationException>(() => new RealServerSettings { TunnelType = TunnelType.Gre }.CreateRealServer(Tcp, Rs));
        Assert.Equal("TunnelOptionsWithoutTunnel", e.ErrorId);
        Assert.Throws<IpvsValidationException>(() => new RealServerSettings { ForwardingMethod = ForwardingMethod.Nat, TunnelPort = 5555 }.ApplyTo(gue));
    }

    [Fact]
    public void PipedTunnelOptionsDoNotBlockLeavingTunnel()
    {
        // Get-LvsRealServer | Set-LvsRealServer -ForwardingMethod DirectRouting: the server's own tunnel options arrive too.
        var gue = new RealServerSettings { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelChecksum = TunnelChecksum.Checksum }.CreateRealServer(Tcp, Rs);
        var dr = new RealServerSettings
        {
            ForwardingMethod = ForwardingMethod.DirectRouting, Weight = gue.Weight,
            TunnelType = gue.TunnelType, TunnelPort = gue.TunnelPort, TunnelChecksum = gue.TunnelChecksum,
        }.ApplyTo(gue);
        Assert.Equal(new RealServer(Tcp, Rs.Address, Rs.Port), dr);
        // A plain server piped back with its default tunnel fields is unchanged.
        var plain = new RealServer(Tcp, Rs.Address, Rs.Port) { Weight = 4 };
        Assert.Equal(plain, new RealServerSettings { ForwardingMethod = ForwardingMethod.DirectRouting, TunnelType = TunnelType.Ipip, TunnelPort = 0, TunnelChecksum = TunnelChecksum.None }.ApplyTo(plain));
    }

    [Fact]
    public void ResultIsValidated()
    {
        Assert.Equal("Weight", Assert.Throws<IpvsValidationException>(() => new RealServerSettings { Weight = 70000 }.CreateRealServer(Tcp, Rs)).Parameter);
        Assert.Equal("Port", Assert.Throws<IpvsValidationException>(() => new RealServerSettings().CreateRealServer(Tcp, Rs with { Port = 8080 })).Parameter);
        Assert.Equal(8080, new RealServerSettings { ForwardingMethod = ForwardingMethod.Nat }.CreateRealServer(Tcp, Rs with { Port = 8080 }).Port);
        var current = new RealServer(Tcp, Rs.Address, 80) { UpperThreshold = 100, LowerThreshold = 50 };
        Assert.Equal("LowerThreshold", Assert.Throws<IpvsValidationException>(() => new RealServerSettings { UpperThreshold = 40 }.ApplyTo(current)).Parameter);
    }
}

public class TimeoutSettingsTests
{
    [Fact]
    public void OnlyGivenTimeoutsAreSent()
    {
        Assert.Equal(new IpvsTimeouts(900, 0, 0), TimeoutSettings.Create(900, null, null));
        Assert.Equal(new IpvsTimeouts(0, 30, 60), TimeoutSettings.Create(null, 30, 60));
        Assert.Equal(new IpvsTimeouts(900, 120, 300), TimeoutSettings.Merge(new IpvsTimeouts(900, 120, 300), new IpvsTimeouts(0, 0, 0)));
        Assert.Equal(new IpvsTimeouts(10, 120, 300), TimeoutSettings.Merge(new IpvsTimeouts(900, 120, 300), new IpvsTimeouts(10, 0, 0)));
    }

    [Fact]
    public void ZeroAndNothingAreRefused()
    {
        Assert.Equal("NoTimeoutGiven", Assert.Throws<IpvsValidationException>(() => TimeoutSettings.Create(null, null, null)).ErrorId);
        Assert.Equal("UdpTimeout", Assert.Throws<IpvsValidationException>(() => TimeoutSettings.Create(5, null, 0)).Parameter);
        Assert.Equal("TcpTimeout", Assert.Throws<IpvsValidationException>(() => TimeoutSettings.Create(IpvsValidation.MaxTimeout + 1, null, null)).Parameter);
    }
}
