using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Formats;

/// <summary>
/// Reads the LVS half of a keepalived.conf (keepalived 2.2.7's check_parser.c, check_data.c and global_parser.c):
/// virtual_server by address, fwmark or group; virtual_server_group entries (addresses, ranges A-B or A-N, CIDR
/// blocks, fwmarks); real_server; sorry_server; lvs_timeouts and lvs_sync_daemon in global_defs. It builds the
/// table keepalived itself would build at start with every real server up, applying keepalived's defaults (no
/// protocol: UDP; no method: NAT; no scheduler: wlc; bare persistence_timeout or zero port: 360 s; DR/TUN real
/// server ports set to the service's) and saying which it applied in the notes. Health checks, inhibit_on_failure,
/// the sorry server, quorum, hysteresis and alpha become the service's <see cref="ServiceHealth"/>; VRRP and other
/// sections are skipped with a note. Anything keepalived would report as a configuration error is an error here,
/// with its file and line.
/// </summary>
internal sealed partial class KeepalivedReader
{
    /// <summary>The schedulers keepalived 2.2.7 accepts (check_parser.c lvs_schedulers), in its order.</summary>
    internal static readonly string[] Schedulers = { "rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed", "nq", "twos" };

    /// <summary>Real-server and virtual-server keywords that only concern health checking, notification or SNMP (no effect on the table at start).</summary>
    private static readonly HashSet<string> CheckingKeywords = new(StringComparer.Ordinal)
    {
        "retry", "delay_before_retry", "warmup", "connect_timeout", "delay_loop", "inhibit_on_failure", "alpha", "omega",
        "quorum_up", "quorum_down", "ha_suspend", "smtp_alert", "virtualhost", "snmp_name", "notify_up", "notify_down",
    };

    /// <summary>Health-checker blocks of a real server (and track_file / track_bfd), skipped with a note.</summary>
    private static readonly HashSet<string> Checkers = new(StringComparer.Ordinal)
    {
        "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "SMTP_CHECK", "DNS_CHECK", "UDP_CHECK", "PING_CHECK", "FILE_CHECK",
        "BFD_CHECK", "track_file", "track_bfd",
    };

    private readonly List<ConfigurationError> _errors;
    private readonly List<string> _notes;
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);

    public KeepalivedReader(List<ConfigurationError> errors, List<string> notes)
    {
        _errors = errors;
        _notes = notes;
    }

    private void Error(KeepalivedStatement s, string message) => _errors.Add(new ConfigurationError(s.Line, 0, null, message) { File = s.File });

    private void Note(KeepalivedStatement s, string message) => _notes.Add(s.Where + ": " + message);

    /// <summary>The document of <paramref name="statements"/>; problems go to the error list (the caller throws when it is not empty).</summary>
    public LvsConfiguration Read(IReadOnlyList<KeepalivedStatement> statements)
    {
        IpvsTimeouts? timeouts = null;
        List<SyncDaemon>? daemons = null;
        var skipped = new List<string>();
        // Groups may be defined after the virtual servers that use them: read them first.
        foreach (var s in statements.Where(s => s.Keyword == "virtual_server_group")) ReadGroup(s);
        var servers = new List<(KeepalivedStatement Statement, ServerBlock Block)>();
        foreach (var s in statements)
        {
            switch (s.Keyword)
            {
                case "virtual_server_group":
                    break;
                case "virtual_server":
                    if (ReadVirtualServer(s) is { } vs) servers.Add((s, vs));
                    break;
                case "global_defs":
                    ReadGlobal(s, ref timeouts, ref daemons);
                    break;
                default:
                    skipped.Add(s.Keyword);
                    Note(s, $"'{s.Keyword}' is not part of the LVS table: skipped" + (s.Keyword.StartsWith("vrrp", StringComparison.Ordinal) ? " (VRRP is not managed by LvsAdmin)." : "."));
                    break;
            }
        }
        var services = new List<ConfiguredService>();
        var keys = new Dictionary<ServiceKey, string>();
        foreach (var (statement, block) in servers)
        {
            foreach (var service in Build(statement, block))
            {
                if (keys.TryGetValue(service.Key, out var first))
                {
                    Error(statement, $"virtual service {service.Key} is defined twice (first at {first}).");
                    continue;
                }
                keys[service.Key] = statement.Where;
                services.Add(service);
            }
        }
        return new LvsConfiguration { Services = services, Timeouts = timeouts, SyncDaemons = daemons };
    }

    // ---------------------------------------------------------------- global_defs

    private void ReadGlobal(KeepalivedStatement s, ref IpvsTimeouts? timeouts, ref List<SyncDaemon>? daemons)
    {
        if (s.Block is null)
        {
            Error(s, "global_defs needs a { } block.");
            return;
        }
        var others = 0;
        foreach (var k in s.Block)
        {
            switch (k.Keyword)
            {
                case "lvs_timeouts":
                    timeouts = ReadTimeouts(k, timeouts);
                    break;
                case "lvs_sync_daemon":
                    if (daemons is { Count: > 0 }) Error(k, "lvs_sync_daemon is given twice.");
                    else daemons = ReadSyncDaemon(k);
                    break;
                case "enable_script_security" or "script_user":
                    break; // what an exported MISC_CHECK needs (KeepalivedWriter): not part of the table
                case "lvs_flush":
                case "lvs_flush_onstop":
                    Note(k, $"{k.Keyword}: keepalived empties the whole IPVS table at start or stop; LvsAdmin does not (use -Prune to remove the services the file does not name).");
                    break;
                default:
                    others++;
                    break;
            }
        }
        if (others > 0) Note(s, $"global_defs: {others} setting(s) other than lvs_timeouts and lvs_sync_daemon skipped (not part of the LVS table).");
    }

    private IpvsTimeouts? ReadTimeouts(KeepalivedStatement k, IpvsTimeouts? previous)
    {
        var w = k.Words;
        if (w.Count < 3)
        {
            Error(k, "lvs_timeouts requires at least one option (tcp N, tcpfin N, udp N).");
            return previous;
        }
        uint tcp = previous?.Tcp ?? 0, fin = previous?.TcpFin ?? 0, udp = previous?.Udp ?? 0;
        for (var i = 1; i < w.Count; i++)
        {
            if (w[i] is not ("tcp" or "tcpfin" or "udp"))
            {
                Error(k, $"Unknown option {w[i]} for lvs_timeouts (tcp, tcpfin, udp).");
                continue;
            }
            if (i + 1 >= w.Count || !TryUnsigned(w[i + 1], 0, IpvsValidation.MaxTimeout, out var v))
            {
                Error(k, $"lvs_timeouts {w[i]} needs a number of seconds 0-{IpvsValidation.MaxTimeout}.");
                i++;
                continue;
            }
            if (w[i] == "tcp") tcp = v; else if (w[i] == "tcpfin") fin = v; else udp = v;
            i++;
        }
        return new IpvsTimeouts(tcp, fin, udp);
    }

    private List<SyncDaemon>? ReadSyncDaemon(KeepalivedStatement k)
    {
        var w = k.Words;
        if (w.Count < 2)
        {
            Error(k, "lvs_sync_daemon requires an interface.");
            return null;
        }
        if (w[1].Length >= 16)
        {
            Error(k, $"lvs_sync_daemon interface name '{w[1]}' is too long (at most 15 characters).");
            return null;
        }
        var d = new SyncDaemon { Interface = w[1] };
        for (var i = 2; i < w.Count; i++)
        {
            var option = w[i];
            string? value = i + 1 < w.Count ? w[i + 1] : null;
            switch (option)
            {
                case "inst":
                    Note(k, $"lvs_sync_daemon follows VRRP instance {value}: its master/backup role changes with VRRP, which LvsAdmin does not manage; skipped.");
                    return null;
                case "id" when value is not null && TryUnsigned(value, 0, 255, out var id):
                    d = d with { SyncId = id };
                    break;
                case "maxlen" when value is not null && TryUnsigned(value, 1, 65535 - 20 - 8, out var maxlen):
                    d = d with { MaxLength = (ushort)maxlen };
                    break;
                case "port" when value is not null && TryUnsigned(value, 1, 65535, out var port):
                    d = d with { MulticastPort = (ushort)port };
                    break;
                case "ttl" when value is not null && TryUnsigned(value, 1, 255, out var ttl):
                    d = d with { MulticastTtl = (byte)ttl };
                    break;
                case "group" when value is not null && IPAddress.TryParse(value, out var group) && IsMulticast(group):
                    d = d with { MulticastGroup = group };
                    break;
                case "id" or "maxlen" or "port" or "ttl" or "group":
                    Error(k, $"lvs_sync_daemon {option} has a bad or missing value '{value}'.");
                    break;
                default:
                    if (i == 2)
                    {
                        Note(k, $"lvs_sync_daemon follows VRRP instance {option} (the old form): its role changes with VRRP, which LvsAdmin does not manage; skipped.");
                        return null;
                    }
                    Error(k, $"Unknown option {option} for lvs_sync_daemon.");
                    continue;
            }
            i++;
        }
        // Without a VRRP instance the checker starts both a master and a backup daemon with these settings
        // (check_daemon.c: ipvs_syncd_cmd(IPVS_STARTDAEMON, ..., IPVS_MASTER_BACKUP)).
        return new List<SyncDaemon> { d with { State = SyncDaemonState.Master }, d with { State = SyncDaemonState.Backup } };
    }

    private static bool IsMulticast(IPAddress a) =>
        a.AddressFamily == AddressFamily.InterNetworkV6 ? a.IsIPv6Multicast : (a.GetAddressBytes()[0] & 0xF0) == 0xE0;

    internal static bool TryUnsigned(string text, uint min, uint max, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
