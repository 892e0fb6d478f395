using System;
using System.Collections.Generic;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Formats;

/// <summary>The column sets of ipvsadm -L (-Ln, -Ln --stats, --rate, --thresholds, --persistent-conn, --tun-info).</summary>
public enum IpvsadmListView
{
    /// <summary>Forward, Weight, ActiveConn, InActConn.</summary>
    Default,
    /// <summary>--stats: Conns, InPkts, OutPkts, InBytes, OutBytes.</summary>
    Stats,
    /// <summary>--rate: CPS, InPPS, OutPPS, InBPS, OutBPS.</summary>
    Rate,
    /// <summary>--thresholds: Uthreshold, Lthreshold, ActiveConn, InActConn.</summary>
    Thresholds,
    /// <summary>--persistent-conn: Weight, PersistConn, ActiveConn, InActConn.</summary>
    PersistentConnections,
    /// <summary>--tun-info: Forward, TunnelInfo, Weight, ActiveConn, InActConn.</summary>
    TunnelInfo,
}

/// <summary>
/// The listings of ipvsadm 1.31 -L in numeric form, byte for byte (list_all, print_title, print_service_entry,
/// list_timeout, list_daemon, print_largenum), from the model. Give the table in the kernel's order (as
/// <see cref="IpvsClient"/> lists it) to get ipvsadm's order (see <see cref="IpvsadmSaveFormat"/>).
/// </summary>
public static class IpvsadmListFormat
{
    /// <summary>
    /// ipvsadm -Ln [--stats|--rate|--thresholds|--persistent-conn|--tun-info] [--exact] [--nosort]: the version line,
    /// the column titles and every service with its real servers.
    /// </summary>
    public static string List(IEnumerable<(VirtualService Service, IReadOnlyList<RealServer> RealServers)> table, IpvsInfo info,
        IpvsadmListView view = IpvsadmListView.Default, bool exact = false, bool sort = true)
    {
        ArgumentNullException.ThrowIfNull(info);
        var sb = new StringBuilder();
        sb.Append("IP Virtual Server version ").Append(info.Version.Major).Append('.').Append(info.Version.Minor).Append('.')
          .Append(info.Version.Build < 0 ? 0 : info.Version.Build).Append(" (size=").Append(IpvsadmText.AsInt(info.ConnectionTableSize)).Append(")\n");
        Title(sb, view);
        foreach (var (s, reals) in IpvsadmText.Order(table, sort)) Service(sb, s, reals, view, exact, sort: false);
        return sb.ToString();
    }

    /// <summary>ipvsadm -Ln -t|-u|--sctp-service|-f SERVICE [view options]: titles and the one service (no version line).</summary>
    public static string ListService(VirtualService service, IReadOnlyList<RealServer> realServers,
        IpvsadmListView view = IpvsadmListView.Default, bool exact = false, bool sort = true)
    {
        ArgumentNullException.ThrowIfNull(service);
        var sb = new StringBuilder();
        Title(sb, view);
        Service(sb, service, realServers ?? Array.Empty<RealServer>(), view, exact, sort);
        return sb.ToString();
    }

    /// <summary>The column titles of a view: ipvsadm's "Prot LocalAddress:Port …" and "  -> RemoteAddress:Port …" lines.</summary>
    public static string Titles(IpvsadmListView view = IpvsadmListView.Default)
    {
        var sb = new StringBuilder();
        Title(sb, view);
        return sb.ToString();
    }

    /// <summary>
    /// One service as ipvsadm -Ln lists it, without the titles: the service line, then its real servers, one "  -> "
    /// line each. Get-LvsVirtualService's default view prints this for every service it gets. The real servers are
    /// printed in the order given: Get-LvsVirtualService's RealServers are already in ipvsadm's order
    /// (<see cref="IpvsOrder"/>), and sorting them again could change the order of a list whose addresses differ by
    /// 2^31 or more (ipvsadm's comparison is not transitive). One deliberate difference from ipvsadm 1.31: a firewall
    /// mark above 2^31 prints as its true value, not as a negative number.
    /// </summary>
    public static string ServiceEntry(VirtualService service, IReadOnlyList<RealServer>? realServers,
        IpvsadmListView view = IpvsadmListView.Default, bool exact = false)
    {
        ArgumentNullException.ThrowIfNull(service);
        var sb = new StringBuilder();
        Service(sb, service, realServers ?? Array.Empty<RealServer>(), view, exact, sort: false, signedMarks: false);
        return sb.ToString();
    }

    /// <summary>ipvsadm -L --timeout.</summary>
    public static string Timeouts(IpvsTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        return "Timeout (tcp tcpfin udp): " + IpvsadmText.AsInt(timeouts.Tcp) + " " + IpvsadmText.AsInt(timeouts.TcpFin) + " " +
               IpvsadmText.AsInt(timeouts.Udp) + "\n";
    }

    /// <summary>ipvsadm -L --daemon: one line per running daemon (empty when none), in the order given (the kernel's: master first).</summary>
    public static string Daemons(IEnumerable<SyncDaemon> daemons)
    {
        ArgumentNullException.ThrowIfNull(daemons);
        var sb = new StringBuilder();
        var count = 0;
        foreach (var d in daemons)
        {
            if (count++ == 2) break; // libipvs keeps two
            var type = ((uint)d.State & 1) != 0 ? "master" : ((uint)d.State & 2) != 0 ? "backup" : null;
            if (type is null) continue;
            sb.Append(type).Append(" sync daemon (mcast=").Append(d.Interface).Append(", syncid=").Append(IpvsadmText.AsInt(d.SyncId));
            if (d.MaxLength is { } m and not 0) sb.Append(", maxlen=").Append(m);
            if (d.MulticastGroup is { } g) sb.Append(", group=").Append(IpvsadmText.InetNtop(g));
            if (d.MulticastPort is { } p and not 0) sb.Append(", port=").Append(p);
            if (d.MulticastTtl is { } t and not 0) sb.Append(", ttl=").Append(t);
            sb.Append(")\n");
        }
        return sb.ToString();
    }

    private static void Title(StringBuilder sb, IpvsadmListView view)
    {
        const string prot = "Prot LocalAddress:Port";
        switch (view)
        {
            case IpvsadmListView.Stats:
                sb.Append(IpvsadmText.Left(prot, 33)).Append(' ').Append(Cols8("Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"))
                  .Append("\n  -> RemoteAddress:Port\n");
                break;
            case IpvsadmListView.Rate:
                sb.Append(IpvsadmText.Left(prot, 33)).Append(' ').Append(Cols8("CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"))
                  .Append("\n  -> RemoteAddress:Port\n");
                break;
            case IpvsadmListView.Thresholds:
                sb.Append(IpvsadmText.Left(prot, 33)).Append(' ').Append(IpvsadmText.Left("Uthreshold", 10)).Append(' ')
                  .Append(IpvsadmText.Left("Lthreshold", 10)).Append(' ').Append(IpvsadmText.Left("ActiveConn", 10)).Append(' ')
                  .Append(IpvsadmText.Left("InActConn", 10)).Append("\n  -> RemoteAddress:Port\n");
                break;
            case IpvsadmListView.PersistentConnections:
                sb.Append(IpvsadmText.Left(prot, 33)).Append(' ').Append(IpvsadmText.Left("Weight", 9)).Append(' ')
                  .Append(IpvsadmText.Left("PersistConn", 11)).Append(' ').Append(IpvsadmText.Left("ActiveConn", 10)).Append(' ')
                  .Append(IpvsadmText.Left("InActConn", 10)).Append("\n  -> RemoteAddress:Port\n");
                break;
            case IpvsadmListView.TunnelInfo:
                sb.Append("Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
                break;
            default:
                sb.Append("Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
                break;
        }
    }

    private static string Cols8(params string[] names)
    {
        var parts = new string[names.Length];
        for (var i = 0; i < names.Length; i++) parts[i] = IpvsadmText.Right(names[i], 8);
        return string.Join(' ', parts);
    }

    /// <summary>"TCP  10.0.0.1:80", "FWM  100", "FWM  100 IPv6" (IPv4 names cut at 33 characters, as ipvsadm does).</summary>
    private static string ServiceName(ServiceKey key, bool signedMarks)
    {
        if (key.IsFirewallMark)
            return "FWM  " + (signedMarks ? IpvsadmText.AsInt(key.FirewallMark) : key.FirewallMark.ToString(IpvsadmText.C)) + (key.AddressFamily == IpvsAddressFamily.IPv6 ? " IPv6" : "");
        var name = IpvsadmText.Left(IpvsadmText.ProtocolName(key.Protocol), 4) + " " + IpvsadmText.AddrPort(key.Address!, key.Port);
        if (key.AddressFamily != IpvsAddressFamily.IPv6 && name.Length > 33) name = name[..33];
        return name;
    }

    private static void Service(StringBuilder sb, VirtualService s, IReadOnlyList<RealServer> reals, IpvsadmListView view, bool exact, bool sort,
        bool signedMarks = true)
    {
        var name = ServiceName(s.Key, signedMarks);
        var st = s.Statistics ?? IpvsStatistics.Zero;
        switch (view)
        {
            case IpvsadmListView.Stats:
                sb.Append(IpvsadmText.Left(name, 33)).Append(Large(exact, st.Connections, st.InPackets, st.OutPackets, st.InBytes, st.OutBytes));
                break;
            case IpvsadmListView.Rate:
                sb.Append(IpvsadmText.Left(name, 33)).Append(Large(exact, st.ConnectionRate, st.InPacketRate, st.OutPacketRate, st.InByteRate, st.OutByteRate));
                break;
            default:
                sb.Append(name).Append(' ').Append(s.Scheduler);
                if (s.SchedulerFlags != SchedulerFlags.None) sb.Append(" (").Append(IpvsadmText.SchedulerFlagsText(s.Scheduler, s.SchedulerFlags)).Append(')');
                if (s.Persistent)
                {
                    sb.Append(" persistent ").Append(s.PersistenceTimeout);
                    if (IpvsadmText.NetmaskText(s) is { } mask) sb.Append(" mask ").Append(mask);
                    if (!string.IsNullOrEmpty(s.PersistenceEngine)) sb.Append(" pe ").Append(s.PersistenceEngine);
                }
                if (s.OnePacket) sb.Append(" ops");
                break;
        }
        sb.Append('\n');
        var ordered = sort ? IpvsadmText.SortedRealServers(reals) : new List<RealServer>(reals);
        foreach (var r in ordered) RealServerLine(sb, r, view, exact);
    }

    private static void RealServerLine(StringBuilder sb, RealServer r, IpvsadmListView view, bool exact)
    {
        var dname = IpvsadmText.AddrPort(r.Address, r.Port);
        if (r.AddressFamily != IpvsAddressFamily.IPv6 && dname.Length > 28) dname = dname[..28];
        // libipvs 1.31 reads a real server's 64-bit counters with its 32-bit parser: all but the byte counts keep
        // only their low 32 bits.
        var st = r.Statistics ?? IpvsStatistics.Zero;
        static ulong Low(ulong v) => v & 0xffffffffUL;
        sb.Append("  -> ");
        switch (view)
        {
            case IpvsadmListView.Stats:
                sb.Append(IpvsadmText.Left(dname, 28)).Append(Large(exact, Low(st.Connections), Low(st.InPackets), Low(st.OutPackets), st.InBytes, st.OutBytes)).Append('\n');
                break;
            case IpvsadmListView.Rate:
                sb.Append(IpvsadmText.Left(dname, 28)).Append(' ').Append(IpvsadmText.Right(Low(st.ConnectionRate).ToString(IpvsadmText.C), 8))
                  .Append(' ').Append(IpvsadmText.Right(Low(st.InPacketRate).ToString(IpvsadmText.C), 8))
                  .Append(' ').Append(IpvsadmText.Right(Low(st.OutPacketRate).ToString(IpvsadmText.C), 8))
                  .Append(Large(exact, Low(st.InByteRate), Low(st.OutByteRate))).Append('\n');
                break;
            case IpvsadmListView.Thresholds:
                sb.Append(IpvsadmText.Left(dname, 28)).Append(' ').Append(U10(r.UpperThreshold)).Append(' ').Append(U10(r.LowerThreshold))
                  .Append(' ').Append(U10(r.ActiveConnections)).Append(' ').Append(U10(r.InactiveConnections)).Append('\n');
                break;
            case IpvsadmListView.PersistentConnections:
                sb.Append(IpvsadmText.Left(dname, 28)).Append(' ').Append(IpvsadmText.Left(unchecked((uint)r.Weight).ToString(IpvsadmText.C), 9))
                  .Append(' ').Append(IpvsadmText.Left(r.PersistentConnections.ToString(IpvsadmText.C), 11))
                  .Append(' ').Append(U10(r.ActiveConnections)).Append(' ').Append(U10(r.InactiveConnections)).Append('\n');
                break;
            case IpvsadmListView.TunnelInfo:
                sb.Append(IpvsadmText.Left(dname, 28)).Append(' ').Append(IpvsadmText.Left(ForwardName(r.ForwardingMethod), 7))
                  .Append(' ').Append(IpvsadmText.Left(TunnelInfo(r) ?? "n/a", 13))
                  .Append(' ').Append(IpvsadmText.Left(r.Weight.ToString(IpvsadmText.C), 6))
                  .Append(' ').Append(U10(r.ActiveConnections)).Append(' ').Append(U10(r.InactiveConnections)).Append('\n');
                break;
            default:
                sb.Append(IpvsadmText.Left(dname, 28)).Append(' ').Append(IpvsadmText.Left(ForwardName(r.ForwardingMethod), 7))
                  .Append(' ').Append(IpvsadmText.Left(r.Weight.ToString(IpvsadmText.C), 6))
                  .Append(' ').Append(U10(r.ActiveConnections)).Append(' ').Append(U10(r.InactiveConnections)).Append('\n');
                break;
        }
    }

    private static string U10(uint v) => IpvsadmText.Left(v.ToString(IpvsadmText.C), 10);

    private static string Large(bool exact, params ulong[] values)
    {
        var sb = new StringBuilder();
        foreach (var v in values) sb.Append(IpvsadmText.LargeNumber(v, exact));
        return sb.ToString();
    }

    /// <summary>fwd_name: Masq, Local, Tunnel, Route ("(null)" for anything else, as glibc prints a null %s).</summary>
    private static string ForwardName(ForwardingMethod m) => m switch
    {
        ForwardingMethod.Nat => "Masq",
        ForwardingMethod.Local => "Local",
        ForwardingMethod.Tunnel => "Tunnel",
        ForwardingMethod.DirectRouting => "Route",
        _ => "(null)",
    };

    /// <summary>fwd_tun_info: "ipip", "gue:PORT:-c|+c|r+c", "gre:-c|+c" for tunnels; null otherwise (printed n/a).</summary>
    private static string? TunnelInfo(RealServer r)
    {
        if (r.ForwardingMethod != ForwardingMethod.Tunnel) return null;
        var flags = r.TunnelChecksum switch
        {
            TunnelChecksum.None => "-c",
            TunnelChecksum.Checksum => "+c",
            TunnelChecksum.RemoteChecksum => "r+c",
            _ => "(null)",
        };
        var info = r.TunnelType switch
        {
            TunnelType.Ipip => "ipip",
            TunnelType.Gue => "gue:" + r.TunnelPort + ":" + flags,
            TunnelType.Gre => "gre:" + flags,
            _ => null,
        };
        // snprintf(info, 16, ...) keeps at most 15 characters.
        return info is { Length: > 15 } ? info[..15] : info;
    }
}
