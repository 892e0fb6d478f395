using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using LvsAdmin.Ipvs;

namespace LvsAdmin.HostSetup;

/// <summary>How an IPVS sysctl's value is written.</summary>
public enum IpvsSysctlType
{
    /// <summary>0 or 1.</summary>
    Boolean,
    /// <summary>An integer in [Minimum, Maximum].</summary>
    Integer,
    /// <summary>An integer number of seconds (the kernel keeps jiffies).</summary>
    Seconds,
    /// <summary>Two integers separated by whitespace (sync_threshold).</summary>
    IntegerPair,
    /// <summary>A CPU list such as "0-3,6" (est_cpulist).</summary>
    CpuList,
}

/// <summary>One net.ipv4.vs.* setting: its sysctl name, PowerShell property name, type, range, kernel default and meaning.</summary>
public sealed record IpvsSysctlDefinition(string Name, string PropertyName, IpvsSysctlType Type, long Minimum, long Maximum, string? Default, string Description)
{
    /// <summary>The sysctl key, net.ipv4.vs.NAME.</summary>
    public string Key => IpvsSysctls.Prefix + "." + Name;
    /// <summary>The value must be a power of two (sync_ports).</summary>
    public bool PowerOfTwo { get; init; }
}

/// <summary>A setting read from the kernel.</summary>
/// <param name="Definition">The catalog entry.</param>
/// <param name="RawValue">The text of /proc/sys (tabs between fields kept as one space).</param>
public sealed record IpvsSysctlValue(IpvsSysctlDefinition Definition, string RawValue)
{
    /// <summary>The sysctl name.</summary>
    public string Name => Definition.Name;
    /// <summary>The property name (Conntrack, ExpireNodestConn, …).</summary>
    public string PropertyName => Definition.PropertyName;
    /// <summary>The key.</summary>
    public string Key => Definition.Key;
    /// <summary>bool for Boolean, long for Integer/Seconds, string otherwise.</summary>
    public object Value => IpvsSysctls.Typed(Definition, RawValue);
    /// <summary>True when the value equals the kernel default (false when the default is unknown).</summary>
    public bool IsDefault => Definition.Default is not null && IpvsSysctls.Normalize(RawValue) == Definition.Default;
}

/// <summary>
/// The catalog of net.ipv4.vs.* sysctls (Documentation/networking/ipvs-sysctl.rst, net/netfilter/ipvs/ip_vs_ctl.c)
/// and typed access: only what exists in the running kernel is read; unknown names are a clear error; values are
/// validated before writing. The net.ipv4.vs directory exists once ip_vs is loaded, per network namespace.
/// </summary>
public static class IpvsSysctls
{
    /// <summary>net.ipv4.vs.</summary>
    public const string Prefix = "net.ipv4.vs";

    private static IpvsSysctlDefinition B(string name, string def, string text) => new(name, Pascal(name), IpvsSysctlType.Boolean, 0, 1, def, text);
    private static IpvsSysctlDefinition I(string name, long min, long max, string? def, string text) => new(name, Pascal(name), IpvsSysctlType.Integer, min, max, def, text);

    /// <summary>All settings this module knows, sorted by name.</summary>
    public static readonly IReadOnlyList<IpvsSysctlDefinition> All = new List<IpvsSysctlDefinition>
    {
        I("am_droprate", 0, int.MaxValue, "10", "Drop rate (1/N packets) while the drop_packet defense is active."),
        I("amemthresh", 0, int.MaxValue, "1024", "Available-memory threshold (pages) below which the automatic defense strategies switch on."),
        B("backup_only", "0", "1: a backup sync daemon node does not act as a director (no forwarding) while the backup daemon runs."),
        B("cache_bypass", "0", "1: when no real server is available, pass the packet to the original destination (cache clusters)."),
        B("conn_reuse_mode", "1", "Bit 1 (1): reschedule a new connection that reuses a port of a TIME_WAIT entry; bit 2 (2) also for persistent services. 0 keeps the old behaviour.") with { Type = IpvsSysctlType.Integer, Maximum = 3 },
        B("conntrack", "0", "1: keep netfilter connection tracking entries for IPVS connections (needed for iptables state rules and NAT helpers on the director)."),
        I("drop_entry", 0, 3, "0", "Defense: randomly drop connection entries (0 never, 1 automatic when memory is low, 2 now, 3 always)."),
        I("drop_packet", 0, 3, "0", "Defense: drop packets at rate 1/am_droprate (0 never, 1 automatic, 2 now, 3 always)."),
        new("est_cpulist", "EstCpulist", IpvsSysctlType.CpuList, 0, 0, null, "CPUs the rate estimation kthreads may run on (Linux 6.2+)."),
        I("est_nice", -20, 19, "0", "Nice value of the rate estimation kthreads (Linux 6.2+)."),
        B("expire_nodest_conn", "0", "1: expire a connection at once when its real server was removed (the client gets a reset instead of a timeout)."),
        B("expire_quiescent_template", "0", "1: expire persistence templates of a real server whose weight is 0, so persistent clients move."),
        B("ignore_tunneled", "0", "1: do not schedule packets that arrive through a tunnel (ipip, gre) — lets a director also be a TUN real server."),
        new("lblc_expiration", "LblcExpiration", IpvsSysctlType.Seconds, 0, int.MaxValue / 1000, "86400", "Seconds after which an unused lblc destination entry expires."),
        new("lblcr_expiration", "LblcrExpiration", IpvsSysctlType.Seconds, 0, int.MaxValue / 1000, "86400", "Seconds after which an unused lblcr destination set expires."),
        B("nat_icmp_send", "0", "1: send ICMP errors to the client when a NAT real server's connection has no entry."),
        B("pmtu_disc", "1", "1: path MTU discovery for tunneled packets (DF set, ICMP frag-needed back to the client); 0 fragments."),
        B("run_estimation", "1", "1: run the rate estimation (Linux 5.19+); 0 saves CPU on large tables."),
        B("schedule_icmp", "0", "1: schedule ICMP packets that belong to no connection (e.g. ping the VIP goes to a real server)."),
        I("secure_tcp", 0, 3, "0", "Defense: stricter TCP state timeouts under attack (0 never, 1 automatic, 2 now, 3 always)."),
        B("sloppy_sctp", "0", "1: create connection entries for SCTP packets other than INIT (failover with a sync daemon)."),
        B("sloppy_tcp", "0", "1: create connection entries for TCP packets other than SYN (failover with a sync daemon)."),
        B("snat_reroute", "1", "1: re-route replies of NAT real servers after SNAT (policy routing on the director)."),
        I("sync_persist_mode", 0, 1, "0", "1: synchronize only persistence templates, not every connection."),
        new("sync_ports", "SyncPorts", IpvsSysctlType.Integer, 1, 1 << 30, "1", "Number of sync threads/ports (a power of two).") { PowerOfTwo = true },
        I("sync_qlen_max", 1, long.MaxValue, null, "Maximum queued sync messages (default: 1/32 of free memory pages)."),
        new("sync_refresh_period", "SyncRefreshPeriod", IpvsSysctlType.Seconds, 0, int.MaxValue / 1000, "0", "Seconds between re-syncs of a connection whose state did not change (0: use sync_threshold)."),
        I("sync_retries", 0, 3, "0", "Retries of a sync message that got no reply in the sync_refresh_period."),
        I("sync_sock_size", 0, int.MaxValue, "0", "Socket buffer size of the sync daemons (0: the system default)."),
        new("sync_threshold", "SyncThreshold", IpvsSysctlType.IntegerPair, 0, int.MaxValue, "3 50", "Sync a connection after N packets, then every M packets (\"N M\", N < M or M = 0)."),
        I("sync_version", 0, 1, "1", "Sync protocol version (1 since Linux 2.6.39; 0 for old backups)."),
    }.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

    /// <summary>"expire_nodest_conn" → "ExpireNodestConn".</summary>
    public static string Pascal(string name) =>
        string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    /// <summary>The definition by sysctl name, key or property name (case-insensitive), or null.</summary>
    public static IpvsSysctlDefinition? Find(string nameOrProperty)
    {
        ArgumentNullException.ThrowIfNull(nameOrProperty);
        var n = nameOrProperty.StartsWith(Prefix + ".", StringComparison.OrdinalIgnoreCase) ? nameOrProperty[(Prefix.Length + 1)..] : nameOrProperty;
        return All.FirstOrDefault(d => string.Equals(d.Name, n, StringComparison.OrdinalIgnoreCase) || string.Equals(d.PropertyName, n, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The definition, or an IpvsValidationException (ErrorId UnknownIpvsSysctl) listing the known names.</summary>
    public static IpvsSysctlDefinition Require(string nameOrProperty) =>
        Find(nameOrProperty) ?? throw new IpvsValidationException("Name",
            $"'{nameOrProperty}' is not an IPVS sysctl. Known: {string.Join(", ", All.Select(d => d.Name))}.", "UnknownIpvsSysctl");

    /// <summary>The kernel text with runs of whitespace made one space.</summary>
    public static string Normalize(string raw) => Regex.Replace(raw.Trim(), @"\s+", " ");

    private static readonly Regex CpuListPattern = new(@"^\d+(-\d+)?(,\d+(-\d+)?)*$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Checks <paramref name="value"/> for <paramref name="definition"/> and returns the text to write (booleans
    /// also accept true/false). ErrorId SysctlInvalidValue (an IpvsValidationException, parameter "Value").
    /// </summary>
    public static string Validate(IpvsSysctlDefinition definition, string value)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var v = (value ?? "").Trim();
        IpvsValidationException Bad(string why) => new("Value", $"Invalid value '{value}' for {definition.Key}: {why}", "SysctlInvalidValue");
        switch (definition.Type)
        {
            case IpvsSysctlType.Boolean:
                if (v is "0" or "1") return v;
                if (v.Equals("true", StringComparison.OrdinalIgnoreCase)) return "1";
                if (v.Equals("false", StringComparison.OrdinalIgnoreCase)) return "0";
                throw Bad("expected 0 or 1.");
            case IpvsSysctlType.Integer:
            case IpvsSysctlType.Seconds:
            {
                if (!long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) throw Bad("expected an integer.");
                if (n < definition.Minimum || n > definition.Maximum) throw Bad($"expected {definition.Minimum} to {definition.Maximum}.");
                if (definition.PowerOfTwo && (n & (n - 1)) != 0) throw Bad("expected a power of two.");
                return n.ToString(CultureInfo.InvariantCulture);
            }
            case IpvsSysctlType.IntegerPair:
            {
                var parts = v.Split(new[] { ' ', '\t', ',' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a) ||
                    !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b))
                    throw Bad("expected two non-negative integers \"N M\".");
                if (b != 0 && a >= b) throw Bad("the first number must be less than the second (or the second 0).");
                return a + " " + b;
            }
            case IpvsSysctlType.CpuList:
                if (!CpuListPattern.IsMatch(v)) throw Bad("expected a CPU list such as 0-3,6.");
                return v;
            default:
                throw Bad("unknown type.");
        }
    }

    /// <summary>The value typed: bool for Boolean, long for Integer/Seconds, the normalized string otherwise.</summary>
    public static object Typed(IpvsSysctlDefinition definition, string raw)
    {
        var n = Normalize(raw);
        return definition.Type switch
        {
            IpvsSysctlType.Boolean when n is "0" or "1" => n == "1",
            IpvsSysctlType.Integer or IpvsSysctlType.Seconds when long.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
            _ => n,
        };
    }

    /// <summary>The settings the kernel has (in the store's namespace), in catalog order. Keys the kernel has but the
    /// catalog does not know are left out. Error IpvsModuleNotLoaded when net.ipv4.vs does not exist.</summary>
    public static IReadOnlyList<IpvsSysctlValue> Read(SysctlStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var values = store.ReadMany(All.Select(d => d.Key));
        if (values.Values.All(v => v is null)) throw new IpvsNotLoadedException();
        return All.Where(d => values[d.Key] is not null).Select(d => new IpvsSysctlValue(d, Normalize(values[d.Key]!))).ToList();
    }

    /// <summary>One setting. Errors: UnknownIpvsSysctl, IpvsModuleNotLoaded, SysctlNotFound (this kernel lacks it).</summary>
    public static IpvsSysctlValue Read(SysctlStore store, string nameOrProperty)
    {
        var d = Require(nameOrProperty);
        var raw = store.TryRead(d.Key);
        if (raw is null)
        {
            if (store.List(Prefix).Count == 0) throw new IpvsNotLoadedException();
            throw SysctlException.NotFound(d.Key, "this kernel does not have it (it is newer or older than this setting).");
        }
        return new IpvsSysctlValue(d, Normalize(raw));
    }

    /// <summary>Validates and writes one setting (same errors as Read, plus SysctlInvalidValue, SysctlReadOnly, SysctlPermissionDenied).</summary>
    public static void Write(SysctlStore store, string nameOrProperty, string value)
    {
        var d = Require(nameOrProperty);
        var text = Validate(d, value);
        Read(store, d.Name); // exists?
        store.Write(d.Key, text);
    }
}
