using System.Collections.Generic;
using System.Linq;
using System.Text;
using LvsAdmin.Configuration;

namespace LvsAdmin.Formats;

/// <summary>
/// A director's own part of its keepalived.conf: router_id and the VRRP-driven lvs_sync_daemon in global_defs, and
/// the vrrp_instance carrying the pair's VIPs.
/// </summary>
internal static partial class KeepalivedWriter
{
    /// <summary>lvs_sync_daemon INTERFACE INSTANCE id N ...: the master daemon runs where the instance is MASTER, the backup elsewhere.</summary>
    private static string? VrrpSyncDaemonLine(LvsConfiguration configuration, Director? director)
    {
        if (director is null || configuration.DirectorPair is not { SyncDaemon: { } d } pair) return null;
        var line = new StringBuilder("lvs_sync_daemon ").Append(d.Interface ?? director.Interface).Append(' ').Append(pair.Instance)
            .Append(" id ").Append(d.SyncId);
        return AppendSyncOptions(line, d.MaxLength, d.MulticastPort, d.MulticastTtl, d.MulticastGroup);
    }

    /// <summary>lvs_sync_daemon's optional words (maxlen, port, ttl, group), for the plain and the VRRP-driven daemon.</summary>
    private static string AppendSyncOptions(StringBuilder line, ushort? maxLength, ushort? port, byte? ttl, System.Net.IPAddress? group)
    {
        if (maxLength is { } maxlen) line.Append(" maxlen ").Append(maxlen);
        if (port is { } p) line.Append(" port ").Append(p);
        if (ttl is { } t) line.Append(" ttl ").Append(t);
        if (group is { } g) line.Append(" group ").Append(g);
        return line.ToString();
    }

    private static void WriteVrrp(StringBuilder sb, LvsConfiguration configuration, Director? director, List<string> warnings)
    {
        if (configuration.DirectorPair is not { } pair) return;
        if (director is null)
        {
            warnings.Add($"The director pair ({string.Join(", ", pair.Directors.Select(d => d.Name))}) is left out: export each director's file with -Director NAME (or all of them with -Director * -Path DIRECTORY).");
            return;
        }
        sb.Append('\n').Append("vrrp_instance ").Append(pair.Instance).Append(" {\n");
        Line(sb, 1, "state " + (director.State == VrrpState.Master ? "MASTER" : "BACKUP"));
        Line(sb, 1, "interface " + director.Interface);
        Line(sb, 1, "virtual_router_id " + pair.VirtualRouterId);
        Line(sb, 1, "priority " + director.Priority);
        Line(sb, 1, "advert_int " + pair.AdvertisementInterval);
        if (pair.NoPreempt) Line(sb, 1, "nopreempt");
        if (director.UnicastSource is { } source) Line(sb, 1, "unicast_src_ip " + source);
        if (director.UnicastPeers is { } peers)
        {
            Line(sb, 1, "unicast_peer {");
            foreach (var peer in peers) Line(sb, 2, peer.ToString());
            Line(sb, 1, "}");
        }
        Line(sb, 1, "virtual_ipaddress {");
        foreach (var a in pair.VirtualAddresses) Line(sb, 2, $"{a.Address}/{a.PrefixLength} dev {a.Interface ?? director.Interface}");
        Line(sb, 1, "}");
        sb.Append("}\n");
        var vips = pair.VirtualAddresses.Select(a => a.Address).ToHashSet();
        foreach (var s in configuration.Services.Where(s => !s.Key.IsFirewallMark && !vips.Contains(s.Key.Address!)))
            warnings.Add($"{s.Key}: its address is not among the pair's virtual addresses: it does not move with the VRRP instance.");
    }
}
