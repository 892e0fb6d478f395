using System;
using System.Net;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Ipvs;

/// <summary>Every rule of IpvsValidation: the boundary value that passes and the one that fails.</summary>
public class ValidationTests
{
    private const uint Max = IpvsValidation.MaxTimeout;   // 31 days
    private static readonly ServiceKey Tcp80 = ServiceKey.Parse("tcp/10.0.0.1:80");
    private static readonly ServiceKey Tcp0 = ServiceKey.Parse("tcp/10.0.0.1:0");
    private static readonly ServiceKey Udp53 = ServiceKey.Parse("udp/10.0.0.1:53");
    private static readonly ServiceKey V6 = ServiceKey.Parse("tcp/[2001:db8::1]:80");
    private static readonly ServiceKey Fwm = ServiceKey.Parse("fwm/1");

    private static void Fails(Action action, string parameter, string? errorId = null)
    {
        var e = Assert.Throws<IpvsValidationException>(action);
        Assert.Equal(parameter, e.Parameter);
        Assert.Equal(errorId ?? "Invalid" + parameter, e.ErrorId);
        Assert.Equal(IpvsErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(0, e.Errno);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    private static void Svc(VirtualService s) => IpvsValidation.ValidateService(s);
    private static VirtualService S(ServiceKey k) => new(k);

    // ---- services ----

    [Fact]
    public void DefaultsPass()
    {
        Svc(S(Tcp80));
        Svc(S(V6));
        Svc(S(Fwm));
        IpvsValidation.ValidateRealServer(new RealServer(Tcp80, IPAddress.Parse("10.0.0.2"), 80));
        IpvsValidation.ValidateSyncDaemon(new SyncDaemon());
        IpvsValidation.ValidateTimeouts(new IpvsTimeouts(0, 0, 0));
    }

    [Fact]
    public void PortZeroOnlyForPersistentServices()
    {
        Fails(() => Svc(S(Tcp0)), "Port");
        Svc(S(Tcp0) with { Persistent = true, PersistenceTimeout = 300 });
        Svc(S(ServiceKey.Parse("tcp/10.0.0.1:1")));
        Svc(S(Fwm));   // firewall marks have no port
    }

    [Theory]
    [InlineData("rr")]
    [InlineData("lblcr")]
    [InlineData("my_sched2")]
    [InlineData("abcdefghijklmno")]   // 15 characters: the kernel's 16 with the NUL
    public void SchedulerNamesPass(string name) => Svc(S(Tcp80) with { Scheduler = name });

    [Theory]
    [InlineData("")]
    [InlineData("abcdefghijklmnop")]  // 16 characters
    [InlineData("RR")]
    [InlineData("w-rr")]
    [InlineData("rr ")]
    [InlineData("../rr")]
    [InlineData("ŕr")]
    public void SchedulerNamesFail(string name) => Fails(() => Svc(S(Tcp80) with { Scheduler = name }), "Scheduler");

    [Fact]
    public void NullSchedulerFails() => Fails(() => Svc(S(Tcp80) with { Scheduler = null! }), "Scheduler");

    [Fact]
    public void SchedulerFlags()
    {
        Svc(S(Tcp80) with { SchedulerFlags = LvsAdmin.Ipvs.SchedulerFlags.Flag1 | LvsAdmin.Ipvs.SchedulerFlags.Flag2 | LvsAdmin.Ipvs.SchedulerFlags.Flag3 });
        Fails(() => Svc(S(Tcp80) with { SchedulerFlags = (SchedulerFlags)0x40 }), "SchedulerFlags");
        Fails(() => Svc(S(Tcp80) with { SchedulerFlags = (SchedulerFlags)0x1 }), "SchedulerFlags");   // PERSISTENT is not a scheduler flag
        Fails(() => Svc(S(Tcp80) with { SchedulerFlags = (SchedulerFlags)0x2 }), "SchedulerFlags");   // nor HASHED
    }

    [Fact]
    public void PersistenceEngine()
    {
        Svc(S(Udp53) with { PersistenceEngine = "sip" });
        Svc(S(Udp53) with { PersistenceEngine = "abcdefghijklmno" });
        Fails(() => Svc(S(Udp53) with { PersistenceEngine = "abcdefghijklmnop" }), "PersistenceEngine");
        Fails(() => Svc(S(Udp53) with { PersistenceEngine = "" }), "PersistenceEngine");
        Fails(() => Svc(S(Udp53) with { PersistenceEngine = "SIP" }), "PersistenceEngine");
    }

    [Fact]
    public void PersistentTimeoutIsOneSecondTo31Days()
    {
        Fails(() => Svc(S(Tcp80) with { Persistent = true, PersistenceTimeout = 0 }), "PersistenceTimeout");
        Svc(S(Tcp80) with { Persistent = true, PersistenceTimeout = 1 });
        Svc(S(Tcp80) with { Persistent = true, PersistenceTimeout = Max });
        Fails(() => Svc(S(Tcp80) with { Persistent = true, PersistenceTimeout = Max + 1 }), "PersistenceTimeout");
    }

    [Fact]
    public void NonPersistentTimeoutIsAtMost31Days()
    {
        Svc(S(Tcp80) with { PersistenceTimeout = 0 });
        Svc(S(Tcp80) with { PersistenceTimeout = Max });
        Fails(() => Svc(S(Tcp80) with { PersistenceTimeout = Max + 1 }), "PersistenceTimeout");
    }

    [Fact]
    public void ServiceNetmask()
    {
        Svc(S(Tcp80) with { PersistenceNetmask = "255.255.255.0" });
        Svc(S(Tcp80) with { PersistenceNetmask = "/24" });
        Fails(() => Svc(S(Tcp80) with { PersistenceNetmask = "64" }), "PersistenceNetmask");
        Svc(S(V6) with { PersistenceNetmask = "64" });
        Fails(() => Svc(S(V6) with { PersistenceNetmask = "255.255.255.0" }), "PersistenceNetmask");
        Fails(() => Svc(S(V6) with { PersistenceNetmask = "0" }), "PersistenceNetmask");
    }

    [Fact]
    public void OnePacketOnlyForUdpOrFirewallMark()
    {
        Svc(S(Udp53) with { OnePacket = true });
        Svc(S(Fwm) with { OnePacket = true });
        Fails(() => Svc(S(Tcp80) with { OnePacket = true }), "OnePacket");
        Fails(() => Svc(S(ServiceKey.Parse("sctp/10.0.0.1:80")) with { OnePacket = true }), "OnePacket");
    }

    [Fact]
    public void NullsThrowArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => IpvsValidation.ValidateService(null!));
        Assert.Throws<ArgumentNullException>(() => IpvsValidation.ValidateRealServer(null!));
        Assert.Throws<ArgumentNullException>(() => IpvsValidation.ValidateTimeouts(null!));
        Assert.Throws<ArgumentNullException>(() => IpvsValidation.ValidateSyncDaemon(null!));
    }

    // ---- netmasks ----

    [Theory]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    [InlineData("255.255.255.0", 0x00FFFFFFu)]    // bytes ff ff ff 00 in memory: network order
    [InlineData("255.255.0.0", 0x0000FFFFu)]
    [InlineData("255.0.0.0", 0x000000FFu)]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("/32", 0xFFFFFFFFu)]
    [InlineData("/24", 0x00FFFFFFu)]
    [InlineData("/25", 0x80FFFFFFu)]
    [InlineData("/1", 0x00000080u)]
    [InlineData("/0", 0u)]
    public void IPv4NetmaskEncoding(string text, uint word)
    {
        Assert.Equal(word, IpvsValidation.EncodeNetmask(IpvsAddressFamily.IPv4, text));
        // The word's memory bytes are the mask in network order.
        var mask = new IPAddress(BitConverter.GetBytes(word)).ToString();
        Assert.Equal(mask, IpvsValidation.DecodeNetmask(IpvsAddressFamily.IPv4, word));
        Assert.Equal(mask, IpvsValidation.NormalizeNetmask(IpvsAddressFamily.IPv4, text));
    }

    [Fact]
    public void NormalizedNetmaskOfSlash24()
    {
        Assert.Equal("255.255.255.0", IpvsValidation.NormalizeNetmask(IpvsAddressFamily.IPv4, "/24"));
        Assert.Equal("255.255.255.128", IpvsValidation.NormalizeNetmask(IpvsAddressFamily.IPv4, "/25"));
        Assert.Equal("0.0.0.0", IpvsValidation.NormalizeNetmask(IpvsAddressFamily.IPv4, "/0"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/33")]
    [InlineData("/-1")]
    [InlineData("/")]
    [InlineData("24")]
    [InlineData("255.255.255")]
    [InlineData("255.255.255.0/24")]
    [InlineData("ffff::")]
    [InlineData("x")]
    public void BadIPv4Netmasks(string? text) =>
        Fails(() => IpvsValidation.EncodeNetmask(IpvsAddressFamily.IPv4, text), "PersistenceNetmask");

    [Theory]
    [InlineData("1", 1u)]
    [InlineData("64", 64u)]
    [InlineData("/64", 64u)]
    [InlineData("128", 128u)]
    public void IPv6Prefixes(string text, uint word)
    {
        Assert.Equal(word, IpvsValidation.EncodeNetmask(IpvsAddressFamily.IPv6, text));
        Assert.Equal(word.ToString(), IpvsValidation.DecodeNetmask(IpvsAddressFamily.IPv6, word));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("129")]
    [InlineData("-1")]
    [InlineData("ffff:ffff::")]
    [InlineData("255.255.255.0")]
    [InlineData(" 64")]
    public void BadIPv6Prefixes(string? text) =>
        Fails(() => IpvsValidation.EncodeNetmask(IpvsAddressFamily.IPv6, text), "PersistenceNetmask");

    // ---- real servers ----

    private static RealServer R(ServiceKey svc, string address, ushort port) => new(svc, IPAddress.Parse(address), port);
    private static void Rs(RealServer r) => IpvsValidation.ValidateRealServer(r);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.255")]
    public void NonUnicastIPv4RealServersFail(string address) => Fails(() => Rs(R(Tcp80, address, 80)), "Address");

    [Theory]
    [InlineData("223.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("1.0.0.0")]
    public void UnicastIPv4BoundariesPass(string address) => Rs(R(Tcp80, address, 80));

    [Fact]
    public void NonUnicastIPv6RealServersFail()
    {
        Fails(() => Rs(R(V6, "::", 80)), "Address");
        Fails(() => Rs(R(V6, "ff02::1", 80)), "Address");
        Rs(R(V6, "fe80::1", 80));
        Rs(R(V6, "::1", 80));
    }

    [Fact]
    public void ForwardingMethods()
    {
        Rs(R(Tcp80, "10.0.0.2", 80) with { ForwardingMethod = ForwardingMethod.Nat });
        Rs(R(Tcp80, "10.0.0.2", 80) with { ForwardingMethod = ForwardingMethod.DirectRouting });
        Rs(R(Tcp80, "10.0.0.2", 80) with { ForwardingMethod = ForwardingMethod.Tunnel });
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 80) with { ForwardingMethod = ForwardingMethod.Local }), "ForwardingMethod");
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 80) with { ForwardingMethod = ForwardingMethod.Bypass }), "ForwardingMethod");
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 80) with { ForwardingMethod = (ForwardingMethod)7 }), "ForwardingMethod");
    }

    [Fact]
    public void MixedAddressFamiliesOnlyWithTunnel()
    {
        Rs(R(V6, "10.0.3.9", 80) with { ForwardingMethod = ForwardingMethod.Tunnel });
        Rs(R(Tcp80, "2001:db8::9", 80) with { ForwardingMethod = ForwardingMethod.Tunnel });
        Fails(() => Rs(R(V6, "10.0.3.9", 80)), "Address");
        Fails(() => Rs(R(Tcp80, "2001:db8::9", 80) with { ForwardingMethod = ForwardingMethod.Nat }), "Address");
    }

    [Fact]
    public void Weight()
    {
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 80) with { Weight = -1 }), "Weight");
        Rs(R(Tcp80, "10.0.0.2", 80) with { Weight = 0 });
        Rs(R(Tcp80, "10.0.0.2", 80) with { Weight = 65535 });
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 80) with { Weight = 65536 }), "Weight");
    }

    [Fact]
    public void Thresholds()
    {
        var max = (uint)int.MaxValue;
        Rs(R(Tcp80, "10.0.0.2", 80) with { UpperThreshold = max });
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 80) with { UpperThreshold = max + 1 }), "UpperThreshold");
        Rs(R(Tcp80, "10.0.0.2", 80) with { UpperThreshold = max, LowerThreshold = max });
        // The kernel refuses a lower threshold above the upper one even when the upper is 0 (ERANGE, seen in the lab).
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 80) with { LowerThreshold = 1 }), "LowerThreshold");
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 80) with { UpperThreshold = max, LowerThreshold = max + 1 }), "LowerThreshold");
        Rs(R(Tcp80, "10.0.0.2", 80) with { UpperThreshold = 100, LowerThreshold = 100 });
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 80) with { UpperThreshold = 100, LowerThreshold = 101 }), "LowerThreshold");
    }

    [Fact]
    public void RealServerPortZero()
    {
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 0) with { ForwardingMethod = ForwardingMethod.Nat }), "Port");
        Rs(R(Tcp0, "10.0.0.2", 0));                           // all-ports service
        Rs(R(Fwm, "10.0.0.2", 0));                            // firewall mark
        Rs(R(Fwm, "10.0.0.2", 8080));
    }

    [Fact]
    public void DirectRoutingAndTunnelCannotMapPorts()
    {
        Rs(R(Tcp80, "10.0.0.2", 8080) with { ForwardingMethod = ForwardingMethod.Nat });
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 8080)), "Port");
        Fails(() => Rs(R(Tcp80, "10.0.0.2", 81) with { ForwardingMethod = ForwardingMethod.Tunnel }), "Port");
        Fails(() => Rs(R(Tcp0, "10.0.0.2", 80)), "Port");    // an all-ports service passes the port through
        Rs(R(Fwm, "10.0.0.2", 443));
    }

    [Fact]
    public void TunnelOptionsWithoutTunnel()
    {
        var dr = R(Tcp80, "10.0.0.2", 80);
        Fails(() => Rs(dr with { TunnelType = TunnelType.Gue }), "TunnelType", "TunnelOptionsWithoutTunnel");
        Fails(() => Rs(dr with { TunnelPort = 1 }), "TunnelType", "TunnelOptionsWithoutTunnel");
        Fails(() => Rs(dr with { ForwardingMethod = ForwardingMethod.Nat, TunnelChecksum = TunnelChecksum.Checksum }), "TunnelType", "TunnelOptionsWithoutTunnel");
        Rs(dr with { TunnelType = TunnelType.Ipip, TunnelPort = 0, TunnelChecksum = TunnelChecksum.None });
    }

    private static RealServer Tun(TunnelType type, ushort port, TunnelChecksum csum) =>
        R(Tcp80, "10.0.0.2", 80) with { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = type, TunnelPort = port, TunnelChecksum = csum };

    [Fact]
    public void IpipTunnel()
    {
        Rs(Tun(TunnelType.Ipip, 0, TunnelChecksum.None));
        Fails(() => Rs(Tun(TunnelType.Ipip, 1, TunnelChecksum.None)), "TunnelPort");
        Fails(() => Rs(Tun(TunnelType.Ipip, 0, TunnelChecksum.Checksum)), "TunnelChecksum");
    }

    [Fact]
    public void GueTunnel()
    {
        Fails(() => Rs(Tun(TunnelType.Gue, 0, TunnelChecksum.None)), "TunnelPort");
        Rs(Tun(TunnelType.Gue, 1, TunnelChecksum.None));
        Rs(Tun(TunnelType.Gue, 65535, TunnelChecksum.RemoteChecksum));
        Rs(Tun(TunnelType.Gue, 6080, TunnelChecksum.Checksum));
        Fails(() => Rs(Tun(TunnelType.Gue, 6080, (TunnelChecksum)3)), "TunnelChecksum");
    }

    [Fact]
    public void GreTunnel()
    {
        Rs(Tun(TunnelType.Gre, 0, TunnelChecksum.None));
        Rs(Tun(TunnelType.Gre, 0, TunnelChecksum.Checksum));
        Fails(() => Rs(Tun(TunnelType.Gre, 1, TunnelChecksum.None)), "TunnelPort");
        Fails(() => Rs(Tun(TunnelType.Gre, 0, TunnelChecksum.RemoteChecksum)), "TunnelChecksum");
        Fails(() => Rs(Tun(TunnelType.Gre, 0, (TunnelChecksum)4)), "TunnelChecksum");
    }

    [Fact]
    public void UnknownTunnelType() => Fails(() => Rs(Tun((TunnelType)3, 0, TunnelChecksum.None)), "TunnelType");

    // ---- timeouts ----

    [Fact]
    public void Timeouts()
    {
        IpvsValidation.ValidateTimeouts(new IpvsTimeouts(Max, Max, Max));
        Fails(() => IpvsValidation.ValidateTimeouts(new IpvsTimeouts(Max + 1, 0, 0)), "TcpTimeout");
        Fails(() => IpvsValidation.ValidateTimeouts(new IpvsTimeouts(0, Max + 1, 0)), "TcpFinTimeout");
        Fails(() => IpvsValidation.ValidateTimeouts(new IpvsTimeouts(0, 0, Max + 1)), "UdpTimeout");
    }

    // ---- sync daemons ----

    private static void D(SyncDaemon d) => IpvsValidation.ValidateSyncDaemon(d);

    [Fact]
    public void DaemonState()
    {
        D(new SyncDaemon { State = SyncDaemonState.Backup });
        Fails(() => D(new SyncDaemon { State = 0 }), "State");
        Fails(() => D(new SyncDaemon { State = (SyncDaemonState)3 }), "State");
    }

    [Theory]
    [InlineData("eth0")]
    [InlineData("a")]
    [InlineData("abcdefghijklmno")]   // 15
    [InlineData("br-lan.100")]
    [InlineData("veth@x")]
    public void InterfaceNamesPass(string name) => D(new SyncDaemon { Interface = name });

    [Theory]
    [InlineData("")]
    [InlineData("abcdefghijklmnop")]  // 16
    [InlineData("eth 0")]
    [InlineData("eth/0")]
    [InlineData("eth:0")]
    [InlineData("eth\t0")]
    [InlineData("eth\u007f")]
    [InlineData("éth0")]
    public void InterfaceNamesFail(string name) => Fails(() => D(new SyncDaemon { Interface = name }), "Interface");

    [Fact]
    public void NullInterfaceFails() => Fails(() => D(new SyncDaemon { Interface = null! }), "Interface");

    [Fact]
    public void SyncId()
    {
        D(new SyncDaemon { SyncId = 255 });
        Fails(() => D(new SyncDaemon { SyncId = 256 }), "SyncId");
    }

    [Fact]
    public void MaxLength()
    {
        Fails(() => D(new SyncDaemon { MaxLength = 0 }), "MaxLength");
        D(new SyncDaemon { MaxLength = 1 });
        D(new SyncDaemon { MaxLength = (ushort)IpvsValidation.MaxSyncLength });
        Fails(() => D(new SyncDaemon { MaxLength = (ushort)(IpvsValidation.MaxSyncLength + 1) }), "MaxLength");
        Assert.Equal(65507, IpvsValidation.MaxSyncLength);
    }

    [Theory]
    [InlineData("224.0.0.0")]
    [InlineData("224.0.0.81")]
    [InlineData("239.255.255.255")]
    [InlineData("ff02::51")]
    [InlineData("ff05::1:3")]
    public void MulticastGroupsPass(string group) => D(new SyncDaemon { MulticastGroup = IPAddress.Parse(group) });

    [Theory]
    [InlineData("223.255.255.255")]
    [InlineData("240.0.0.0")]
    [InlineData("10.0.0.1")]
    [InlineData("2001:db8::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:224.0.0.81")]
    public void MulticastGroupsFail(string group) => Fails(() => D(new SyncDaemon { MulticastGroup = IPAddress.Parse(group) }), "MulticastGroup");

    [Fact]
    public void MulticastPortAndTtl()
    {
        Fails(() => D(new SyncDaemon { MulticastPort = 0 }), "MulticastPort");
        D(new SyncDaemon { MulticastPort = 1 });
        D(new SyncDaemon { MulticastPort = 65535 });
        Fails(() => D(new SyncDaemon { MulticastTtl = 0 }), "MulticastTtl");
        D(new SyncDaemon { MulticastTtl = 1 });
        D(new SyncDaemon { MulticastTtl = 255 });
    }
}
