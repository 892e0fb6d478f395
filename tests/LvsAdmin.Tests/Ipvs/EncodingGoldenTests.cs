using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;
using LvsAdmin.Tests.Support;
using Xunit;

namespace LvsAdmin.Tests.Ipvs;

/// <summary>
/// Every IPVS request against bytes written out by hand from the uapi layout (include/uapi/linux/ip_vs.h,
/// linux/netlink.h, linux/genetlink.h) and libipvs's ipvs_nl_fill_service_attr / ipvs_nl_fill_dest_attr /
/// ipvs_start_daemon. nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32 (little-endian); genlmsghdr: cmd,
/// version 1, reserved u16; nlattr: len u16, type u16 (| 0x8000 for nests), payload padded to 4.
/// Ports are big-endian; IPv4 netmasks are the mask bytes in network order; IPv6 netmasks a host u32 prefix length.
/// </summary>
public class EncodingGoldenTests
{
    private const ushort Family = 0x1c;

    private static byte[] Op(IpvsOperation op, uint seq = 7)
    {
        var w = new NetlinkWriter();
        IpvsClient.WriteOperation(w, Family, op, seq);
        Assert.Equal(1, w.MessageCount);
        return w.ToArray();
    }

    private static readonly ServiceKey Tcp80 = ServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.0.0.1"), 80);

    // The service identity tcp/10.0.0.1:80, a nest of 48 bytes, shared by several requests.
    private const string Tcp80Identity =
        "30 00 01 80" +                                                   // nest len 48, CMD_ATTR_SERVICE | NLA_F_NESTED
        "06 00 01 00 02 00 00 00" +                                       // SVC_ATTR_AF = AF_INET (u16) + pad
        "06 00 02 00 06 00 00 00" +                                       // SVC_ATTR_PROTOCOL = 6 (u16) + pad
        "14 00 03 00 0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00" +   // SVC_ATTR_ADDR nf_inet_addr 10.0.0.1
        "06 00 04 00 00 50 00 00";                                        // SVC_ATTR_PORT 80 big-endian + pad

    [Fact]
    public void NewServiceTcpIPv4WithPersistenceNetmaskSchedulerFlagsAndPersistenceEngine()
    {
        var svc = new VirtualService(Tcp80)
        {
            Scheduler = "wrr",
            SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2,
            Persistent = true,
            PersistenceTimeout = 600,
            PersistenceNetmask = "255.255.255.0",
            PersistenceEngine = "sip",
        };
        var expected = Hex.Parse(
            "70 00 00 00", "1c 00", "05 00", "01 00 00 00", "00 00 00 00",  // len 112, family, REQUEST|ACK, seq 1, pid 0
            "01 01 00 00",                                                    // IPVS_CMD_NEW_SERVICE, version 1
            "5c 00 01 80",                                                    // CMD_ATTR_SERVICE nest, len 92
            "06 00 01 00 02 00 00 00",                                        // AF_INET
            "06 00 02 00 06 00 00 00",                                        // IPPROTO_TCP
            "14 00 03 00 0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00",    // 10.0.0.1
            "06 00 04 00 00 50 00 00",                                        // port 80
            "08 00 06 00 77 72 72 00",                                        // SCHED_NAME "wrr\0"
            "08 00 0b 00 73 69 70 00",                                        // PE_NAME "sip\0"
            "0c 00 07 00 19 00 00 00 ff ff ff ff",                            // FLAGS {PERSISTENT|SCHED1|SCHED2, mask ~0}
            "08 00 08 00 58 02 00 00",                                        // TIMEOUT 600
            "08 00 09 00 ff ff ff 00");                                       // NETMASK 255.255.255.0 in network order
        Hex.Equal(expected, Op(new AddServiceOperation(svc), 1));
    }

    [Fact]
    public void NewServiceUdpIPv6OnePacketDefaultPrefix()
    {
        var key = ServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("2001:db8::1"), 53);
        var svc = new VirtualService(key) { Scheduler = "rr", OnePacket = true };
        var expected = Hex.Parse(
            "68 00 00 00 1c 00 05 00 0d 0c 0b 0a 00 00 00 00",               // len 104, seq 0x0a0b0c0d little-endian
            "01 01 00 00",
            "54 00 01 80",                                                    // nest len 84
            "06 00 01 00 0a 00 00 00",                                        // AF_INET6
            "06 00 02 00 11 00 00 00",                                        // IPPROTO_UDP
            "14 00 03 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",    // 2001:db8::1
            "06 00 04 00 00 35 00 00",                                        // port 53
            "07 00 06 00 72 72 00 00",                                        // "rr\0", len 7 padded to 8
            "0c 00 07 00 04 00 00 00 ff ff ff ff",                            // ONEPACKET
            "08 00 08 00 00 00 00 00",                                        // timeout 0
            "08 00 09 00 80 00 00 00");                                       // prefix length 128 as host u32
        Hex.Equal(expected, Op(new AddServiceOperation(svc), 0x0a0b0c0d));
    }

    [Fact]
    public void NewServiceFirewallMarkIPv4HasNoProtocolAddressOrPort()
    {
        var svc = new VirtualService(ServiceKey.ForFirewallMark(100));
        var expected = Hex.Parse(
            "4c 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",               // len 76
            "01 01 00 00",
            "38 00 01 80",                                                    // nest len 56
            "06 00 01 00 02 00 00 00",                                        // AF_INET
            "08 00 05 00 64 00 00 00",                                        // FWMARK 100
            "08 00 06 00 77 6c 63 00",                                        // default scheduler "wlc"
            "0c 00 07 00 00 00 00 00 ff ff ff ff",
            "08 00 08 00 00 00 00 00",
            "08 00 09 00 ff ff ff ff");                                       // default netmask 255.255.255.255
        Hex.Equal(expected, Op(new AddServiceOperation(svc)));
    }

    [Fact]
    public void NewServiceFirewallMarkIPv6PersistentWithPrefix()
    {
        var svc = new VirtualService(ServiceKey.Parse("fwm/0x10000/ipv6"))
        {
            Scheduler = "mh",
            SchedulerFlags = SchedulerFlags.Flag1,
            Persistent = true,
            PersistenceTimeout = 300,
            PersistenceNetmask = "64",
        };
        var expected = Hex.Parse(
            "4c 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "01 01 00 00",
            "38 00 01 80",
            "06 00 01 00 0a 00 00 00",                                        // AF_INET6
            "08 00 05 00 00 00 01 00",                                        // FWMARK 65536 (host u32)
            "07 00 06 00 6d 68 00 00",                                        // "mh\0"
            "0c 00 07 00 09 00 00 00 ff ff ff ff",                            // PERSISTENT|SCHED1
            "08 00 08 00 2c 01 00 00",                                        // 300
            "08 00 09 00 40 00 00 00");                                       // /64
        Hex.Equal(expected, Op(new AddServiceOperation(svc)));
    }

    [Fact]
    public void SetService()
    {
        var key = ServiceKey.Parse("tcp/192.168.1.10:443");
        var svc = new VirtualService(key) { Scheduler = "lc" };
        var expected = Hex.Parse(
            "68 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "02 01 00 00",                                                    // IPVS_CMD_SET_SERVICE
            "54 00 01 80",
            "06 00 01 00 02 00 00 00",
            "06 00 02 00 06 00 00 00",
            "14 00 03 00 c0 a8 01 0a 00 00 00 00 00 00 00 00 00 00 00 00",
            "06 00 04 00 01 bb 00 00",                                        // 443 big-endian
            "07 00 06 00 6c 63 00 00",
            "0c 00 07 00 00 00 00 00 ff ff ff ff",
            "08 00 08 00 00 00 00 00",
            "08 00 09 00 ff ff ff ff");
        Hex.Equal(expected, Op(new UpdateServiceOperation(svc)));
    }

    [Fact]
    public void DelServiceSendsOnlyTheIdentity()
    {
        var expected = Hex.Parse("44 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00", "03 01 00 00", Tcp80Identity);
        Hex.Equal(expected, Op(new DeleteServiceOperation(Tcp80)));
    }

    [Fact]
    public void DelServiceFirewallMarkIPv6()
    {
        var expected = Hex.Parse(
            "28 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "03 01 00 00",
            "14 00 01 80",
            "06 00 01 00 0a 00 00 00",
            "08 00 05 00 ff ff ff ff");                                       // mark 4294967295
        Hex.Equal(expected, Op(new DeleteServiceOperation(ServiceKey.Parse("fwm/4294967295/ipv6"))));
    }

    [Fact]
    public void NewDestNat()
    {
        var rs = new RealServer(Tcp80, IPAddress.Parse("192.168.0.2"), 8080)
        {
            ForwardingMethod = ForwardingMethod.Nat,
            Weight = 5,
            UpperThreshold = 1000,
            LowerThreshold = 10,
        };
        var expected = Hex.Parse(
            "a4 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",               // len 164
            "05 01 00 00",                                                    // IPVS_CMD_NEW_DEST
            Tcp80Identity,
            "60 00 02 80",                                                    // CMD_ATTR_DEST nest, len 96
            "06 00 0b 00 02 00 00 00",                                        // DEST_ATTR_ADDR_FAMILY AF_INET
            "14 00 01 00 c0 a8 00 02 00 00 00 00 00 00 00 00 00 00 00 00",    // DEST_ATTR_ADDR
            "06 00 02 00 1f 90 00 00",                                        // DEST_ATTR_PORT 8080 big-endian
            "08 00 03 00 00 00 00 00",                                        // FWD_METHOD masq
            "08 00 04 00 05 00 00 00",                                        // WEIGHT 5
            "05 00 0d 00 00 00 00 00",                                        // TUN_TYPE ipip (u8)
            "06 00 0e 00 00 00 00 00",                                        // TUN_PORT 0
            "06 00 0f 00 00 00 00 00",                                        // TUN_FLAGS 0
            "08 00 05 00 e8 03 00 00",                                        // U_THRESH 1000
            "08 00 06 00 0a 00 00 00");                                       // L_THRESH 10
        Hex.Equal(expected, Op(new AddRealServerOperation(rs)));
    }

    [Fact]
    public void NewDestDirectRoutingDefaults()
    {
        var rs = new RealServer(Tcp80, IPAddress.Parse("10.0.1.5"), 80);
        var expected = Hex.Parse(
            "a4 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "05 01 00 00",
            Tcp80Identity,
            "60 00 02 80",
            "06 00 0b 00 02 00 00 00",
            "14 00 01 00 0a 00 01 05 00 00 00 00 00 00 00 00 00 00 00 00",
            "06 00 02 00 00 50 00 00",
            "08 00 03 00 03 00 00 00",                                        // DROUTE
            "08 00 04 00 01 00 00 00",                                        // default weight 1
            "05 00 0d 00 00 00 00 00",
            "06 00 0e 00 00 00 00 00",
            "06 00 0f 00 00 00 00 00",
            "08 00 05 00 00 00 00 00",
            "08 00 06 00 00 00 00 00");
        Hex.Equal(expected, Op(new AddRealServerOperation(rs)));
    }

    [Fact]
    public void SetDestTunnelGueWithPortAndChecksum()
    {
        var rs = new RealServer(Tcp80, IPAddress.Parse("10.0.2.7"), 80)
        {
            ForwardingMethod = ForwardingMethod.Tunnel,
            Weight = 2,
            TunnelType = TunnelType.Gue,
            TunnelPort = 6080,
            TunnelChecksum = TunnelChecksum.Checksum,
        };
        var expected = Hex.Parse(
            "a4 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "06 01 00 00",                                                    // IPVS_CMD_SET_DEST
            Tcp80Identity,
            "60 00 02 80",
            "06 00 0b 00 02 00 00 00",
            "14 00 01 00 0a 00 02 07 00 00 00 00 00 00 00 00 00 00 00 00",
            "06 00 02 00 00 50 00 00",
            "08 00 03 00 02 00 00 00",                                        // TUNNEL
            "08 00 04 00 02 00 00 00",
            "05 00 0d 00 01 00 00 00",                                        // TUN_TYPE gue
            "06 00 0e 00 17 c0 00 00",                                        // TUN_PORT 6080 big-endian
            "06 00 0f 00 01 00 00 00",                                        // TUN_FLAGS csum (host u16)
            "08 00 05 00 00 00 00 00",
            "08 00 06 00 00 00 00 00");
        Hex.Equal(expected, Op(new UpdateRealServerOperation(rs)));
    }

    [Fact]
    public void NewDestIPv4RealServerBehindIPv6ServiceByTunnel()
    {
        var svc = ServiceKey.Parse("tcp/[2001:db8::1]:80");
        var rs = new RealServer(svc, IPAddress.Parse("10.0.3.9"), 80) { ForwardingMethod = ForwardingMethod.Tunnel };
        var expected = Hex.Parse(
            "a4 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "05 01 00 00",
            "30 00 01 80",
            "06 00 01 00 0a 00 00 00",                                        // service AF_INET6
            "06 00 02 00 06 00 00 00",
            "14 00 03 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",
            "06 00 04 00 00 50 00 00",
            "60 00 02 80",
            "06 00 0b 00 02 00 00 00",                                        // real server AF_INET
            "14 00 01 00 0a 00 03 09 00 00 00 00 00 00 00 00 00 00 00 00",
            "06 00 02 00 00 50 00 00",
            "08 00 03 00 02 00 00 00",
            "08 00 04 00 01 00 00 00",
            "05 00 0d 00 00 00 00 00",
            "06 00 0e 00 00 00 00 00",
            "06 00 0f 00 00 00 00 00",
            "08 00 05 00 00 00 00 00",
            "08 00 06 00 00 00 00 00");
        Hex.Equal(expected, Op(new AddRealServerOperation(rs)));
    }

    [Fact]
    public void DelDestSendsOnlyAddressFamilyAddressAndPort()
    {
        var op = new DeleteRealServerOperation(Tcp80, new RealServerKey(IPAddress.Parse("192.168.0.2"), 8080));
        var expected = Hex.Parse(
            "6c 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",               // len 108
            "07 01 00 00",                                                    // IPVS_CMD_DEL_DEST
            Tcp80Identity,
            "28 00 02 80",                                                    // dest nest len 40
            "06 00 0b 00 02 00 00 00",
            "14 00 01 00 c0 a8 00 02 00 00 00 00 00 00 00 00 00 00 00 00",
            "06 00 02 00 1f 90 00 00");
        Hex.Equal(expected, Op(op));
    }

    [Fact]
    public void DelDestIPv6()
    {
        var svc = ServiceKey.Parse("udp/[2001:db8::1]:53");
        var op = new DeleteRealServerOperation(svc, new RealServerKey(IPAddress.Parse("2001:db8::a:b"), 53));
        var expected = Hex.Parse(
            "6c 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "07 01 00 00",
            "30 00 01 80",
            "06 00 01 00 0a 00 00 00",
            "06 00 02 00 11 00 00 00",
            "14 00 03 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",
            "06 00 04 00 00 35 00 00",
            "28 00 02 80",
            "06 00 0b 00 0a 00 00 00",
            "14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 0a 00 0b",
            "06 00 02 00 00 35 00 00");
        Hex.Equal(expected, Op(op));
    }

    private static byte[] Request(byte cmd, System.Action<NetlinkWriter>? body, bool dump = false, uint seq = 7)
    {
        var w = new NetlinkWriter();
        IpvsCodec.BeginRequest(w, Family, cmd, seq, dump);
        body?.Invoke(w);
        w.EndMessage();
        return w.ToArray();
    }

    [Fact]
    public void NewDaemonIPv4GroupWithPortTtlAndMaxLength()
    {
        var d = new SyncDaemon
        {
            State = SyncDaemonState.Master,
            Interface = "eth0",
            SyncId = 7,
            MaxLength = 1472,
            MulticastGroup = IPAddress.Parse("224.0.0.81"),
            MulticastPort = 8848,
            MulticastTtl = 2,
        };
        var expected = Hex.Parse(
            "54 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",               // len 84
            "09 01 00 00",                                                    // IPVS_CMD_NEW_DAEMON
            "40 00 03 80",                                                    // CMD_ATTR_DAEMON nest, len 64
            "08 00 01 00 01 00 00 00",                                        // STATE master
            "09 00 02 00 65 74 68 30 00 00 00 00",                            // MCAST_IFN "eth0\0"
            "08 00 03 00 07 00 00 00",                                        // SYNC_ID 7
            "06 00 04 00 c0 05 00 00",                                        // SYNC_MAXLEN 1472 (host u16)
            "08 00 05 00 e0 00 00 51",                                        // MCAST_GROUP 224.0.0.81 (in_addr)
            "06 00 07 00 90 22 00 00",                                        // MCAST_PORT 8848 (host u16, as libipvs)
            "05 00 08 00 02 00 00 00");                                       // MCAST_TTL 2
        Hex.Equal(expected, Request(IpvsUapi.CMD_NEW_DAEMON, w => IpvsCodec.WriteSyncDaemon(w, d)));
    }

    [Fact]
    public void NewDaemonIPv6Group()
    {
        var d = new SyncDaemon
        {
            State = SyncDaemonState.Backup,
            Interface = "ens3",
            MulticastGroup = IPAddress.Parse("ff02::51"),
            MulticastPort = 8849,
            MulticastTtl = 1,
        };
        var expected = Hex.Parse(
            "58 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",               // len 88
            "09 01 00 00",
            "44 00 03 80",                                                    // nest len 68
            "08 00 01 00 02 00 00 00",                                        // STATE backup
            "09 00 02 00 65 6e 73 33 00 00 00 00",                            // "ens3\0"
            "08 00 03 00 00 00 00 00",                                        // SYNC_ID 0
            "14 00 06 00 ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 51",    // MCAST_GROUP6 ff02::51
            "06 00 07 00 91 22 00 00",
            "05 00 08 00 01 00 00 00");
        Hex.Equal(expected, Request(IpvsUapi.CMD_NEW_DAEMON, w => IpvsCodec.WriteSyncDaemon(w, d)));
    }

    [Fact]
    public void NewDaemonWithoutOptionalSettingsOmitsThem()
    {
        var d = new SyncDaemon { State = SyncDaemonState.Master, Interface = "eth1", SyncId = 255 };
        var expected = Hex.Parse(
            "34 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",               // len 52
            "09 01 00 00",
            "20 00 03 80",                                                    // nest len 32
            "08 00 01 00 01 00 00 00",
            "09 00 02 00 65 74 68 31 00 00 00 00",
            "08 00 03 00 ff 00 00 00");
        Hex.Equal(expected, Request(IpvsUapi.CMD_NEW_DAEMON, w => IpvsCodec.WriteSyncDaemon(w, d)));
    }

    [Fact]
    public void DelDaemon()
    {
        // As IpvsClient.StopSyncDaemon builds it: the daemon nest with only the state (all the kernel reads).
        var expected = Hex.Parse(
            "20 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "0a 01 00 00",                                                    // IPVS_CMD_DEL_DAEMON
            "0c 00 03 80",
            "08 00 01 00 02 00 00 00");
        Hex.Equal(expected, Request(IpvsUapi.CMD_DEL_DAEMON, w => IpvsCodec.WriteSyncDaemonState(w, SyncDaemonState.Backup)));
    }

    [Fact]
    public void SetConfigTimeouts()
    {
        var expected = Hex.Parse(
            "2c 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "0c 01 00 00",                                                    // IPVS_CMD_SET_CONFIG
            "08 00 04 00 84 03 00 00",                                        // TIMEOUT_TCP 900
            "08 00 05 00 78 00 00 00",                                        // TIMEOUT_TCP_FIN 120
            "08 00 06 00 2c 01 00 00");                                       // TIMEOUT_UDP 300
        Hex.Equal(expected, Request(IpvsUapi.CMD_SET_CONFIG, w => IpvsCodec.WriteTimeouts(w, new IpvsTimeouts(900, 120, 300))));
    }

    [Fact]
    public void SetConfigLeavesZeroTimeoutsOut()
    {
        var expected = Hex.Parse(
            "1c 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "0c 01 00 00",
            "08 00 06 00 3c 00 00 00");                                       // only UDP 60
        Hex.Equal(expected, Request(IpvsUapi.CMD_SET_CONFIG, w => IpvsCodec.WriteTimeouts(w, new IpvsTimeouts(0, 0, 60))));
    }

    [Fact]
    public void ZeroAll()
    {
        Hex.Equal(Hex.Parse("14 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00", "10 01 00 00"), Request(IpvsUapi.CMD_ZERO, null));
    }

    [Fact]
    public void ZeroOneService()
    {
        var expected = Hex.Parse("44 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00", "10 01 00 00", Tcp80Identity);
        Hex.Equal(expected, Request(IpvsUapi.CMD_ZERO, w => IpvsCodec.WriteServiceIdentity(w, Tcp80)));
    }

    [Fact]
    public void Flush()
    {
        Hex.Equal(Hex.Parse("14 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00", "11 01 00 00"), Request(IpvsUapi.CMD_FLUSH, null));
    }

    [Fact]
    public void GetServiceDump()
    {
        // NLM_F_REQUEST | NLM_F_ROOT | NLM_F_MATCH = 0x0301.
        Hex.Equal(Hex.Parse("14 00 00 00 1c 00 01 03 07 00 00 00 00 00 00 00", "04 01 00 00"), Request(IpvsUapi.CMD_GET_SERVICE, null, dump: true));
    }

    [Fact]
    public void GetDestDumpOfOneService()
    {
        var expected = Hex.Parse("44 00 00 00 1c 00 01 03 07 00 00 00 00 00 00 00", "08 01 00 00", Tcp80Identity);
        Hex.Equal(expected, Request(IpvsUapi.CMD_GET_DEST, w => IpvsCodec.WriteServiceIdentity(w, Tcp80), dump: true));
    }

    [Fact]
    public void GetServiceOfOneFirewallMark()
    {
        var expected = Hex.Parse(
            "28 00 00 00 1c 00 05 00 07 00 00 00 00 00 00 00",
            "04 01 00 00",
            "14 00 01 80",
            "06 00 01 00 02 00 00 00",
            "08 00 05 00 64 00 00 00");
        Hex.Equal(expected, Request(IpvsUapi.CMD_GET_SERVICE, w => IpvsCodec.WriteServiceIdentity(w, ServiceKey.Parse("fwm/100"))));
    }

    [Fact]
    public void CtrlGetFamily()
    {
        var w = new NetlinkWriter();
        GenericNetlink.WriteGetFamily(w, "IPVS", 3);
        var expected = Hex.Parse(
            "20 00 00 00", "10 00", "05 00", "03 00 00 00", "00 00 00 00",  // GENL_ID_CTRL, REQUEST|ACK, seq 3
            "03 01 00 00",                                                    // CTRL_CMD_GETFAMILY, version 1
            "09 00 02 00 49 50 56 53 00 00 00 00");                           // CTRL_ATTR_FAMILY_NAME "IPVS\0"
        Hex.Equal(expected, w.WrittenSpan);
    }

    [Fact]
    public void BatchOfOperationsIsBackToBackMessagesWithTheirOwnSequences()
    {
        var w = new NetlinkWriter();
        IpvsClient.WriteOperation(w, Family, new DeleteServiceOperation(ServiceKey.Parse("fwm/1")), 10);
        IpvsClient.WriteOperation(w, Family, new DeleteServiceOperation(ServiceKey.Parse("fwm/2")), 11);
        var expected = Hex.Parse(
            "28 00 00 00 1c 00 05 00 0a 00 00 00 00 00 00 00", "03 01 00 00",
            "14 00 01 80 06 00 01 00 02 00 00 00 08 00 05 00 01 00 00 00",
            "28 00 00 00 1c 00 05 00 0b 00 00 00 00 00 00 00", "03 01 00 00",
            "14 00 01 80 06 00 01 00 02 00 00 00 08 00 05 00 02 00 00 00");
        Assert.Equal(2, w.MessageCount);
        Hex.Equal(expected, w.WrittenSpan);
    }
}
