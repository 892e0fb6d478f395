using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Formats;

/// <summary>
/// Writes a document as the LVS half of a keepalived.conf for keepalived 2.2.7: lvs_timeouts and lvs_sync_daemon
/// in global_defs, and a virtual_server block per service with every setting written out (protocol always, since
/// keepalived's default is UDP; lvs_sched before the sh/mh flags, which keepalived ignores before it; lvs_method
/// per real server). What keepalived cannot express is left out and named in a warning.
/// </summary>
internal static partial class KeepalivedWriter
{
    public static string Write(LvsConfiguration configuration, List<string> warnings, Director? director = null)
    {
        var sb = new StringBuilder();
        sb.Append("# The LVS part of a keepalived.conf, written by LvsAdmin (Export-LvsConfiguration -Format Keepalived).\n");
        sb.Append(configuration.Services.Any(s => s.Health is not null)
            ? "# Health checks, sorry servers and quorums come from the document's health settings; keepalived runs them.\n"
            : "# Every real server is taken as up: add health checks (TCP_CHECK, HTTP_GET, ...) in the real_server blocks.\n");
        var global = new List<string>();
        if (director is not null) global.Add("router_id " + director.Name);
        if (configuration.Timeouts is { } t && (t.Tcp != 0 || t.TcpFin != 0 || t.Udp != 0))
        {
            var line = new StringBuilder("lvs_timeouts");
            if (t.Tcp != 0) line.Append(" tcp ").Append(t.Tcp);
            if (t.TcpFin != 0) line.Append(" tcpfin ").Append(t.TcpFin);
            if (t.Udp != 0) line.Append(" udp ").Append(t.Udp);
            global.Add(line.ToString());
        }
        if (configuration.SyncDaemons is { Count: > 0 } daemons && SyncDaemonLine(daemons, warnings) is { } sync) global.Add(sync);
        if (VrrpSyncDaemonLine(configuration, director) is { } vrrpSync) global.Add(vrrpSync);
        global.AddRange(ScriptSecurity(configuration));
        if (configuration.Host is not null)
            warnings.Add("The host section (sysctls and addresses) is not part of a keepalived.conf's LVS half: left out (VIPs belong in a vrrp_instance's virtual_ipaddress).");
        if (global.Count > 0)
        {
            sb.Append("\nglobal_defs {\n");
            foreach (var g in global) sb.Append("    ").Append(g).Append('\n');
            sb.Append("}\n");
        }
        WriteVrrp(sb, configuration, director, warnings);
        foreach (var service in configuration.Services) WriteService(sb, service, warnings);
        return sb.ToString();
    }

    private static string? SyncDaemonLine(IReadOnlyList<SyncDaemon> daemons, List<string> warnings)
    {
        // Without a VRRP instance keepalived starts a master and a backup daemon with the same settings.
        var master = daemons.FirstOrDefault(d => d.State == SyncDaemonState.Master);
        var backup = daemons.FirstOrDefault(d => d.State == SyncDaemonState.Backup);
        if (daemons.Count != 2 || master is null || backup is null || master with { State = SyncDaemonState.Backup } != backup)
        {
            warnings.Add($"The sync daemons ({string.Join(", ", daemons.Select(d => d.State + " on " + d.Interface))}) are left out: without VRRP keepalived runs a master and a backup daemon with the same settings, and a lone master or backup follows a vrrp_instance (lvs_sync_daemon ... inst NAME), which LvsAdmin does not write.");
            return null;
        }
        if (master.Interface.Length >= 16 || master.Interface.Any(c => char.IsWhiteSpace(c) || c is '"' or '#' or '!' or '{' or '}'))
        {
            warnings.Add($"The sync daemon interface '{master.Interface}' cannot be written in a keepalived.conf: the sync daemons are left out.");
            return null;
        }
        var line = new StringBuilder("lvs_sync_daemon ").Append(master.Interface).Append(" id ").Append(master.SyncId);
        return AppendSyncOptions(line, master.MaxLength, master.MulticastPort, master.MulticastTtl, master.MulticastGroup);
    }

    private static void WriteService(StringBuilder sb, ConfiguredService configured, List<string> warnings)
    {
        var s = configured.Service;
        var key = s.Key;
        var name = key.ToString();
        if (!KeepalivedReader.Schedulers.Contains(s.Scheduler))
        {
            warnings.Add($"{name}: keepalived does not know the scheduler '{s.Scheduler}': the service is left out.");
            return;
        }
        if (!key.IsFirewallMark && key.Port == 0 && !s.Persistent)
        {
            warnings.Add($"{name}: port 0 without persistence cannot be written (keepalived makes it persistent): the service is left out.");
            return;
        }
        var reals = new List<RealServer>();
        var health = configured.Health;
        foreach (var r in configured.RealServers)
        {
            // The sorry server's own table entry (keepalived puts it there): written as sorry_server below.
            if (health?.SorryServer is { } sorry && sorry.Key.Equals(r.Key)) continue;
            if (Problem(r, key) is { } problem) warnings.Add($"{name}: real server {r.Key}: {problem}: left out.");
            else reals.Add(r);
        }
        if (reals.Count == 0)
        {
            warnings.Add($"{name}: keepalived ignores a virtual_server without real servers: the service is left out.");
            return;
        }
        var quorum = health?.Quorum ?? 1;
        if (quorum > reals.Sum(r => (long)r.Weight))
            warnings.Add(reals.All(r => r.Weight == 0)
                ? $"{name}: every real server has weight 0: keepalived warns that the quorum exceeds the total weight and lowers it (no effect on the table without a sorry_server), so keepalived -t -e exits 5 for this file."
                : $"{name}: the quorum {quorum} exceeds the real servers' total weight: keepalived warns and lowers it, so keepalived -t -e exits 5 for this file.");
        if (s.OnePacket && !key.IsFirewallMark && key.Protocol != IpvsProtocol.Udp)
            warnings.Add($"{name}: one-packet scheduling on a non-UDP service cannot be written (keepalived resets it): ops left out.");
        if (!s.Persistent && (s.PersistenceTimeout != 0 || s.PersistenceNetmask != new VirtualService(key).PersistenceNetmask || s.PersistenceEngine is not null))
            warnings.Add($"{name}: a persistence timeout, granularity or engine on a non-persistent service cannot be written (keepalived sends them only with persistence): left out.");

        sb.Append('\n');
        sb.Append(key.IsFirewallMark ? $"virtual_server fwmark {key.FirewallMark} {{\n" : $"virtual_server {key.Address} {key.Port} {{\n");
        if (key.IsFirewallMark) Line(sb, 1, "ip_family " + (key.AddressFamily == IpvsAddressFamily.IPv6 ? "inet6" : "inet"));
        else Line(sb, 1, "protocol " + key.Protocol.ToString().ToUpperInvariant());
        Line(sb, 1, "lvs_sched " + s.Scheduler);
        foreach (var flag in FlagWords(s.Scheduler, s.SchedulerFlags)) Line(sb, 1, flag);
        if (s.OnePacket && (key.IsFirewallMark || key.Protocol == IpvsProtocol.Udp)) Line(sb, 1, "ops");
        if (s.Persistent)
        {
            Line(sb, 1, "persistence_timeout " + s.PersistenceTimeout.ToString(CultureInfo.InvariantCulture));
            if (s.PersistenceNetmask != new VirtualService(key).PersistenceNetmask) Line(sb, 1, "persistence_granularity " + s.PersistenceNetmask);
            if (s.PersistenceEngine is not null) Line(sb, 1, "persistence_engine " + s.PersistenceEngine);
        }
        if (health is not null) WriteServiceHealth(sb, configured, health, reals, warnings);
        foreach (var r in reals)
        {
            Line(sb, 1, $"real_server {r.Address} {r.Port} {{");
            Line(sb, 2, "lvs_method " + Method(r));
            Line(sb, 2, "weight " + r.Weight.ToString(CultureInfo.InvariantCulture));
            if (r.UpperThreshold != 0) Line(sb, 2, "uthreshold " + r.UpperThreshold.ToString(CultureInfo.InvariantCulture));
            if (r.LowerThreshold != 0) Line(sb, 2, "lthreshold " + r.LowerThreshold.ToString(CultureInfo.InvariantCulture));
            if (health is not null) WriteRealServerHealth(sb, health, r);
            Line(sb, 1, "}");
        }
        sb.Append("}\n");
    }

    /// <summary>Why keepalived cannot hold this real server as it is, or null.</summary>
    private static string? Problem(RealServer r, ServiceKey key)
    {
        switch (r.ForwardingMethod)
        {
            case ForwardingMethod.Nat:
                if (!key.IsFirewallMark && r.Port == 0) return "a NAT port 0 cannot be written (keepalived gives it the service's port)";
                break;
            case ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel:
                var port = key.IsFirewallMark ? 0 : key.Port;
                if (r.Port != port) return $"a {(r.ForwardingMethod == ForwardingMethod.Tunnel ? "TUN" : "DR")} port {r.Port} other than {port} cannot be written (keepalived resets it)";
                break;
            default:
                return $"keepalived has no forwarding method {r.ForwardingMethod}";
        }
        if (r.ForwardingMethod != ForwardingMethod.Tunnel && r.AddressFamily != key.AddressFamily)
            return "only a TUN real server may be of another address family";
        if (r.ForwardingMethod == ForwardingMethod.Tunnel)
        {
            if ((r.TunnelType == TunnelType.Gue) != (r.TunnelPort != 0)) return "a gue tunnel needs a port and other tunnels cannot have one";
            if (r.TunnelType == TunnelType.Ipip && r.TunnelChecksum != TunnelChecksum.None) return "an ipip tunnel cannot have a checksum option";
            if (r.TunnelType == TunnelType.Gre && r.TunnelChecksum == TunnelChecksum.RemoteChecksum) return "a gre tunnel cannot have remcsum";
        }
        return null;
    }

    private static string Method(RealServer r)
    {
        switch (r.ForwardingMethod)
        {
            case ForwardingMethod.Nat: return "NAT";
            case ForwardingMethod.DirectRouting: return "DR";
        }
        var sb = new StringBuilder("TUN");
        if (r.TunnelType == TunnelType.Gue) sb.Append(" type gue port ").Append(r.TunnelPort);
        else if (r.TunnelType == TunnelType.Gre) sb.Append(" type gre");
        if (r.TunnelChecksum == TunnelChecksum.Checksum) sb.Append(" csum");
        else if (r.TunnelChecksum == TunnelChecksum.RemoteChecksum) sb.Append(" remcsum");
        return sb.ToString();
    }

    /// <summary>The flag keywords: sh-fallback/sh-port (mh-...) for sh and mh, flag-N otherwise.</summary>
    private static IEnumerable<string> FlagWords(string scheduler, SchedulerFlags flags)
    {
        var named = scheduler is "sh" or "mh";
        if ((flags & SchedulerFlags.Flag1) != 0) yield return named ? scheduler + "-fallback" : "flag-1";
        if ((flags & SchedulerFlags.Flag2) != 0) yield return named ? scheduler + "-port" : "flag-2";
        if ((flags & SchedulerFlags.Flag3) != 0) yield return "flag-3";
    }

    private static void Line(StringBuilder sb, int depth, string text) => sb.Append(' ', depth * 4).Append(text).Append('\n');
}
