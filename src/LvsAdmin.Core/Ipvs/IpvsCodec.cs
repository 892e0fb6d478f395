using System;
using System.Collections.Generic;
using System.Net;
using LvsAdmin.Netlink;

namespace LvsAdmin.Ipvs;

/// <summary>
/// Encodes IPVS generic netlink requests and decodes replies. Pure functions over byte buffers: no socket, so
/// they are unit-tested against golden bytes and fuzzed.
/// </summary>
public static class IpvsCodec
{
    /// <summary>Begins an IPVS request message (netlink header + genl header).</summary>
    public static void BeginRequest(NetlinkWriter w, ushort familyId, byte command, uint sequence, bool dump = false, bool ack = true)
    {
        var flags = (ushort)(NetlinkMessage.NLM_F_REQUEST | (dump ? NetlinkMessage.NLM_F_DUMP : ack ? NetlinkMessage.NLM_F_ACK : 0));
        w.BeginMessage(familyId, flags, sequence);
        w.WriteGenlHeader(command, IpvsUapi.GenlVersion);
    }

    /// <summary>The nested service attribute with only the identity (for dest, delete, zero and get commands).</summary>
    public static void WriteServiceIdentity(NetlinkWriter w, ServiceKey key)
    {
        var nest = w.BeginNested(IpvsUapi.CMD_ATTR_SERVICE);
        WriteIdentityAttributes(w, key);
        w.EndNested(nest);
    }

    private static void WriteIdentityAttributes(NetlinkWriter w, ServiceKey key)
    {
        w.PutU16(IpvsUapi.SVC_ATTR_AF, (ushort)key.AddressFamily);
        if (key.IsFirewallMark)
        {
            w.PutU32(IpvsUapi.SVC_ATTR_FWMARK, key.FirewallMark);
        }
        else
        {
            w.PutU16(IpvsUapi.SVC_ATTR_PROTOCOL, (ushort)key.Protocol);
            w.PutBytes(IpvsUapi.SVC_ATTR_ADDR, Endpoint.ToInetAddr(key.Address!));
            w.PutBe16(IpvsUapi.SVC_ATTR_PORT, key.Port);
        }
    }

    /// <summary>The nested service attribute with every setting (for NEW_SERVICE and SET_SERVICE).</summary>
    public static void WriteService(NetlinkWriter w, VirtualService s)
    {
        var nest = w.BeginNested(IpvsUapi.CMD_ATTR_SERVICE);
        WriteIdentityAttributes(w, s.Key);
        w.PutString(IpvsUapi.SVC_ATTR_SCHED_NAME, s.Scheduler);
        if (s.PersistenceEngine is not null) w.PutString(IpvsUapi.SVC_ATTR_PE_NAME, s.PersistenceEngine);
        Span<byte> flags = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(flags, s.KernelFlags);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(flags[4..], uint.MaxValue);
        w.PutBytes(IpvsUapi.SVC_ATTR_FLAGS, flags);
        w.PutU32(IpvsUapi.SVC_ATTR_TIMEOUT, s.PersistenceTimeout);
        w.PutU32(IpvsUapi.SVC_ATTR_NETMASK, IpvsValidation.EncodeNetmask(s.Key.AddressFamily, s.PersistenceNetmask));
        w.EndNested(nest);
    }

    /// <summary>The nested destination attribute; <paramref name="full"/> = false writes only address and port (delete).</summary>
    public static void WriteRealServer(NetlinkWriter w, RealServer r, bool full)
    {
        var nest = w.BeginNested(IpvsUapi.CMD_ATTR_DEST);
        w.PutU16(IpvsUapi.DEST_ATTR_ADDR_FAMILY, (ushort)r.AddressFamily);
        w.PutBytes(IpvsUapi.DEST_ATTR_ADDR, Endpoint.ToInetAddr(r.Address));
        w.PutBe16(IpvsUapi.DEST_ATTR_PORT, r.Port);
        if (full)
        {
            w.PutU32(IpvsUapi.DEST_ATTR_FWD_METHOD, (uint)r.ForwardingMethod & IpvsUapi.CONN_F_FWD_MASK);
            w.PutU32(IpvsUapi.DEST_ATTR_WEIGHT, (uint)r.Weight);
            w.PutU8(IpvsUapi.DEST_ATTR_TUN_TYPE, (byte)r.TunnelType);
            w.PutBe16(IpvsUapi.DEST_ATTR_TUN_PORT, r.TunnelPort);
            w.PutU16(IpvsUapi.DEST_ATTR_TUN_FLAGS, (ushort)r.TunnelChecksum);
            w.PutU32(IpvsUapi.DEST_ATTR_U_THRESH, r.UpperThreshold);
            w.PutU32(IpvsUapi.DEST_ATTR_L_THRESH, r.LowerThreshold);
        }
        w.EndNested(nest);
    }

    public static void WriteSyncDaemon(NetlinkWriter w, SyncDaemon d)
    {
        var nest = w.BeginNested(IpvsUapi.CMD_ATTR_DAEMON);
        w.PutU32(IpvsUapi.DAEMON_ATTR_STATE, (uint)d.State);
        w.PutString(IpvsUapi.DAEMON_ATTR_MCAST_IFN, d.Interface);
        w.PutU32(IpvsUapi.DAEMON_ATTR_SYNC_ID, d.SyncId);
        if (d.MaxLength is { } m) w.PutU16(IpvsUapi.DAEMON_ATTR_SYNC_MAXLEN, m);
        if (d.MulticastGroup is { } g)
        {
            if (g.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) w.PutBytes(IpvsUapi.DAEMON_ATTR_MCAST_GROUP6, g.GetAddressBytes());
            else w.PutBytes(IpvsUapi.DAEMON_ATTR_MCAST_GROUP, g.GetAddressBytes());
        }
        if (d.MulticastPort is { } p) w.PutU16(IpvsUapi.DAEMON_ATTR_MCAST_PORT, p);
        if (d.MulticastTtl is { } t) w.PutU8(IpvsUapi.DAEMON_ATTR_MCAST_TTL, t);
        w.EndNested(nest);
    }

    /// <summary>The nested daemon attribute with only the state: all DEL_DAEMON needs.</summary>
    public static void WriteSyncDaemonState(NetlinkWriter w, SyncDaemonState state)
    {
        var nest = w.BeginNested(IpvsUapi.CMD_ATTR_DAEMON);
        w.PutU32(IpvsUapi.DAEMON_ATTR_STATE, (uint)state);
        w.EndNested(nest);
    }

    public static void WriteTimeouts(NetlinkWriter w, IpvsTimeouts t)
    {
        if (t.Tcp != 0) w.PutU32(IpvsUapi.CMD_ATTR_TIMEOUT_TCP, t.Tcp);
        if (t.TcpFin != 0) w.PutU32(IpvsUapi.CMD_ATTR_TIMEOUT_TCP_FIN, t.TcpFin);
        if (t.Udp != 0) w.PutU32(IpvsUapi.CMD_ATTR_TIMEOUT_UDP, t.Udp);
    }

    /// <summary>The first-level attributes of an IPVS reply (after the genl header).</summary>
    public static NetlinkAttribute?[] ReplyAttributes(NetlinkMessage m)
    {
        if (m.Payload.Length < NetlinkWriter.GenlHeaderSize) throw new NetlinkProtocolException("truncated generic netlink header");
        return NetlinkAttribute.ParseTable(m.Payload[NetlinkWriter.GenlHeaderSize..], IpvsUapi.CMD_ATTR_MAX);
    }

    /// <summary>Decodes a service from a GET_SERVICE reply; without <paramref name="statistics"/> its counters are left null.</summary>
    public static VirtualService DecodeServiceReply(NetlinkMessage m, bool statistics = true)
    {
        var top = ReplyAttributes(m);
        if (top[IpvsUapi.CMD_ATTR_SERVICE] is not { } svc) throw new NetlinkProtocolException("service reply without IPVS_CMD_ATTR_SERVICE");
        return DecodeService(svc, statistics);
    }

    public static ServiceKey DecodeServiceKey(NetlinkAttribute?[] a)
    {
        if (a[IpvsUapi.SVC_ATTR_AF] is not { } afAttr) throw new NetlinkProtocolException("service without IPVS_SVC_ATTR_AF");
        var af = afAttr.GetU16() switch
        {
            IpvsUapi.AF_INET => IpvsAddressFamily.IPv4,
            IpvsUapi.AF_INET6 => IpvsAddressFamily.IPv6,
            var other => throw new NetlinkProtocolException($"service address family {other} is not AF_INET or AF_INET6"),
        };
        if (a[IpvsUapi.SVC_ATTR_FWMARK] is { } fw && fw.GetU32() != 0)
            return ServiceKey.ForFirewallMark(fw.GetU32(), af);
        if (a[IpvsUapi.SVC_ATTR_PROTOCOL] is not { } proto || a[IpvsUapi.SVC_ATTR_ADDR] is not { } addr || a[IpvsUapi.SVC_ATTR_PORT] is not { } port)
            throw new NetlinkProtocolException("service without protocol, address and port, nor a firewall mark");
        var p = (IpvsProtocol)proto.GetU16();
        if (p is not (IpvsProtocol.Tcp or IpvsProtocol.Udp or IpvsProtocol.Sctp))
            throw new NetlinkProtocolException($"service protocol {(ushort)p} is not TCP, UDP or SCTP");
        return ServiceKey.ForAddress(p, Endpoint.FromInetAddr(addr.Payload.Span, af), port.GetBe16());
    }

    public static VirtualService DecodeService(NetlinkAttribute nested, bool statistics = true)
    {
        var a = nested.NestedTable(IpvsUapi.SVC_ATTR_MAX);
        var key = DecodeServiceKey(a);
        uint flags = 0;
        if (a[IpvsUapi.SVC_ATTR_FLAGS] is { } f) flags = f.GetU32();
        flags &= ~IpvsUapi.SVC_F_HASHED;
        return new VirtualService(key)
        {
            Scheduler = a[IpvsUapi.SVC_ATTR_SCHED_NAME]?.GetString() ?? "",
            SchedulerFlags = (SchedulerFlags)(flags & (IpvsUapi.SVC_F_SCHED1 | IpvsUapi.SVC_F_SCHED2 | IpvsUapi.SVC_F_SCHED3)),
            Persistent = (flags & IpvsUapi.SVC_F_PERSISTENT) != 0,
            OnePacket = (flags & IpvsUapi.SVC_F_ONEPACKET) != 0,
            PersistenceTimeout = a[IpvsUapi.SVC_ATTR_TIMEOUT]?.GetU32() ?? 0,
            PersistenceNetmask = IpvsValidation.DecodeNetmask(key.AddressFamily, a[IpvsUapi.SVC_ATTR_NETMASK]?.GetU32() ?? 0),
            PersistenceEngine = a[IpvsUapi.SVC_ATTR_PE_NAME] is { } pe && pe.GetString() is { Length: > 0 } pen ? pen : null,
            Statistics = statistics ? DecodeStatistics(a[IpvsUapi.SVC_ATTR_STATS64], a[IpvsUapi.SVC_ATTR_STATS]) : null,
        };
    }

    /// <summary>Decodes statistics, preferring the 64-bit attribute set and falling back to the 32-bit one.</summary>
    public static IpvsStatistics? DecodeStatistics(NetlinkAttribute? stats64, NetlinkAttribute? stats32)
    {
        if (stats64 is { } s64)
        {
            var t = s64.NestedTable(IpvsUapi.STATS_ATTR_MAX);
            ulong G(int i) => t[i] is { } x ? x.GetU64() : 0;
            return new IpvsStatistics
            {
                Connections = G(IpvsUapi.STATS_ATTR_CONNS), InPackets = G(IpvsUapi.STATS_ATTR_INPKTS), OutPackets = G(IpvsUapi.STATS_ATTR_OUTPKTS),
                InBytes = G(IpvsUapi.STATS_ATTR_INBYTES), OutBytes = G(IpvsUapi.STATS_ATTR_OUTBYTES), ConnectionRate = G(IpvsUapi.STATS_ATTR_CPS),
                InPacketRate = G(IpvsUapi.STATS_ATTR_INPPS), OutPacketRate = G(IpvsUapi.STATS_ATTR_OUTPPS),
                InByteRate = G(IpvsUapi.STATS_ATTR_INBPS), OutByteRate = G(IpvsUapi.STATS_ATTR_OUTBPS),
            };
        }
        if (stats32 is { } s32)
        {
            var t = s32.NestedTable(IpvsUapi.STATS_ATTR_MAX);
            ulong G32(int i) => t[i] is { } x ? x.GetU32() : 0;
            ulong G64(int i) => t[i] is { } x ? x.GetU64() : 0;
            return new IpvsStatistics
            {
                Connections = G32(IpvsUapi.STATS_ATTR_CONNS), InPackets = G32(IpvsUapi.STATS_ATTR_INPKTS), OutPackets = G32(IpvsUapi.STATS_ATTR_OUTPKTS),
                InBytes = G64(IpvsUapi.STATS_ATTR_INBYTES), OutBytes = G64(IpvsUapi.STATS_ATTR_OUTBYTES), ConnectionRate = G32(IpvsUapi.STATS_ATTR_CPS),
                InPacketRate = G32(IpvsUapi.STATS_ATTR_INPPS), OutPacketRate = G32(IpvsUapi.STATS_ATTR_OUTPPS),
                InByteRate = G32(IpvsUapi.STATS_ATTR_INBPS), OutByteRate = G32(IpvsUapi.STATS_ATTR_OUTBPS),
            };
        }
        return null;
    }

    /// <summary>Decodes a real server from a GET_DEST reply, for the virtual service <paramref name="service"/>.</summary>
    public static RealServer DecodeRealServerReply(NetlinkMessage m, ServiceKey service, bool statistics = true)
    {
        var top = ReplyAttributes(m);
        if (top[IpvsUapi.CMD_ATTR_DEST] is not { } dest) throw new NetlinkProtocolException("destination reply without IPVS_CMD_ATTR_DEST");
        return DecodeRealServer(dest, service, statistics);
    }

    /// <summary>Decodes a real server; without <paramref name="statistics"/> its counters and rates are left null (the connection counts are always read).</summary>
    public static RealServer DecodeRealServer(NetlinkAttribute nested, ServiceKey service, bool statistics = true)
    {
        var a = nested.NestedTable(IpvsUapi.DEST_ATTR_MAX);
        var af = service.AddressFamily;
        if (a[IpvsUapi.DEST_ATTR_ADDR_FAMILY] is { } daf)
        {
            af = daf.GetU16() switch
            {
                IpvsUapi.AF_INET => IpvsAddressFamily.IPv4,
                IpvsUapi.AF_INET6 => IpvsAddressFamily.IPv6,
                var other => throw new NetlinkProtocolException($"destination address family {other} is not AF_INET or AF_INET6"),
            };
        }
        if (a[IpvsUapi.DEST_ATTR_ADDR] is not { } addr || a[IpvsUapi.DEST_ATTR_PORT] is not { } port)
            throw new NetlinkProtocolException("destination without address or port");
        var method = (ForwardingMethod)((a[IpvsUapi.DEST_ATTR_FWD_METHOD]?.GetU32() ?? 0) & IpvsUapi.CONN_F_FWD_MASK);
        var tunType = a[IpvsUapi.DEST_ATTR_TUN_TYPE]?.GetU8() ?? 0;
        var tunFlags = a[IpvsUapi.DEST_ATTR_TUN_FLAGS]?.GetU16() ?? 0;
        return new RealServer(service, Endpoint.FromInetAddr(addr.Payload.Span, af), port.GetBe16())
        {
            ForwardingMethod = method,
            Weight = (int)(a[IpvsUapi.DEST_ATTR_WEIGHT]?.GetU32() ?? 0),
            UpperThreshold = a[IpvsUapi.DEST_ATTR_U_THRESH]?.GetU32() ?? 0,
            LowerThreshold = a[IpvsUapi.DEST_ATTR_L_THRESH]?.GetU32() ?? 0,
            ActiveConnections = a[IpvsUapi.DEST_ATTR_ACTIVE_CONNS]?.GetU32() ?? 0,
            InactiveConnections = a[IpvsUapi.DEST_ATTR_INACT_CONNS]?.GetU32() ?? 0,
            PersistentConnections = a[IpvsUapi.DEST_ATTR_PERSIST_CONNS]?.GetU32() ?? 0,
            TunnelType = (TunnelType)tunType,
            TunnelPort = a[IpvsUapi.DEST_ATTR_TUN_PORT]?.GetBe16() ?? 0,
            TunnelChecksum = (TunnelChecksum)tunFlags,
            Statistics = statistics ? DecodeStatistics(a[IpvsUapi.DEST_ATTR_STATS64], a[IpvsUapi.DEST_ATTR_STATS]) : null,
        };
    }

    public static SyncDaemon DecodeSyncDaemonReply(NetlinkMessage m)
    {
        var top = ReplyAttributes(m);
        if (top[IpvsUapi.CMD_ATTR_DAEMON] is not { } d) throw new NetlinkProtocolException("daemon reply without IPVS_CMD_ATTR_DAEMON");
        var a = d.NestedTable(IpvsUapi.DAEMON_ATTR_MAX);
        if (a[IpvsUapi.DAEMON_ATTR_STATE] is not { } state) throw new NetlinkProtocolException("daemon without IPVS_DAEMON_ATTR_STATE");
        IPAddress? group = null;
        if (a[IpvsUapi.DAEMON_ATTR_MCAST_GROUP6] is { } g6) group = Endpoint.FromInetAddr(g6.Payload.Span, IpvsAddressFamily.IPv6);
        else if (a[IpvsUapi.DAEMON_ATTR_MCAST_GROUP] is { } g4) group = Endpoint.FromInetAddr(g4.Payload.Span, IpvsAddressFamily.IPv4);
        return new SyncDaemon
        {
            State = (SyncDaemonState)state.GetU32(),
            Interface = a[IpvsUapi.DAEMON_ATTR_MCAST_IFN]?.GetString() ?? "",
            SyncId = a[IpvsUapi.DAEMON_ATTR_SYNC_ID]?.GetU32() ?? 0,
            MaxLength = a[IpvsUapi.DAEMON_ATTR_SYNC_MAXLEN]?.GetU16(),
            MulticastGroup = group,
            MulticastPort = a[IpvsUapi.DAEMON_ATTR_MCAST_PORT]?.GetU16(),
            MulticastTtl = a[IpvsUapi.DAEMON_ATTR_MCAST_TTL]?.GetU8(),
        };
    }

    public static IpvsInfo DecodeInfoReply(NetlinkMessage m)
    {
        if (m.Payload.Length < NetlinkWriter.GenlHeaderSize) throw new NetlinkProtocolException("truncated generic netlink header");
        var a = NetlinkAttribute.ParseTable(m.Payload[NetlinkWriter.GenlHeaderSize..], IpvsUapi.INFO_ATTR_MAX);
        var v = a[IpvsUapi.INFO_ATTR_VERSION]?.GetU32() ?? 0;
        return new IpvsInfo(new Version((int)((v >> 16) & 0xFF), (int)((v >> 8) & 0xFF), (int)(v & 0xFF)), a[IpvsUapi.INFO_ATTR_CONN_TAB_SIZE]?.GetU32() ?? 0);
    }

    public static IpvsTimeouts DecodeTimeoutsReply(NetlinkMessage m)
    {
        var a = ReplyAttributes(m);
        return new IpvsTimeouts(a[IpvsUapi.CMD_ATTR_TIMEOUT_TCP]?.GetU32() ?? 0, a[IpvsUapi.CMD_ATTR_TIMEOUT_TCP_FIN]?.GetU32() ?? 0, a[IpvsUapi.CMD_ATTR_TIMEOUT_UDP]?.GetU32() ?? 0);
    }
}
