using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LvsAdmin.Ipvs;

namespace LvsAdmin.State;

/// <summary>
/// Computes the plan from a live state to a desired document, comparing modulo what the kernel does on its own
/// (see <see cref="Normalize(VirtualService)"/> and <see cref="Normalize(RealServer)"/>). Scope: the services the
/// document names (their real servers are managed exactly: extra real servers are removed); other live services
/// only with <see cref="PlanOptions.Prune"/>; timeouts, sync daemons and host settings only when the document has
/// them. Order: service adds and updates, then real-server adds and updates, timeouts, sync daemons, host settings;
/// removals last (real servers before their services).
/// </summary>
public static class ConfigurationPlanner
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The plan that makes <paramref name="live"/> equal to <paramref name="desired"/>. Validates the document first (ConfigurationInvalid).</summary>
    public static ConfigurationPlan Plan(LvsConfiguration desired, LvsConfiguration live, PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(live);
        options ??= PlanOptions.Default;
        Validate(desired);

        var serviceChanges = new List<PlanStep>();
        var realChanges = new List<PlanStep>();
        var other = new List<PlanStep>();
        var realRemovals = new List<PlanStep>();
        var serviceRemovals = new List<PlanStep>();

        var liveServices = new Dictionary<ServiceKey, ConfiguredService>(live.Services.Count);
        foreach (var s in live.Services) liveServices[s.Key] = s;

        foreach (var ds in desired.Services)
        {
            var want = Normalize(ds.Service);
            if (!liveServices.TryGetValue(ds.Key, out var ls))
            {
                serviceChanges.Add(Step(PlanAction.Add, PlanTargetType.Service, ds.Key.ToString(), null, want));
                foreach (var r in ds.RealServers)
                    realChanges.Add(Step(PlanAction.Add, PlanTargetType.RealServer, RealTarget(r), null, Normalize(r)));
                continue;
            }
            var have = Normalize(ls.Service);
            if (!have.Equals(want))
                serviceChanges.Add(Step(PlanAction.Update, PlanTargetType.Service, ds.Key.ToString(), have, want) with { Changes = ServiceChanges(have, want) });
            var liveReals = new Dictionary<RealServerKey, RealServer>(ls.RealServers.Count);
            foreach (var r in ls.RealServers) liveReals[r.Key] = r;
            var desiredKeys = new HashSet<RealServerKey>();
            foreach (var r in ds.RealServers)
            {
                desiredKeys.Add(r.Key);
                var wantR = Normalize(r);
                if (!liveReals.TryGetValue(r.Key, out var lr))
                {
                    realChanges.Add(Step(PlanAction.Add, PlanTargetType.RealServer, RealTarget(r), null, wantR));
                    continue;
                }
                var haveR = Normalize(lr);
                if (!haveR.Equals(wantR))
                    realChanges.Add(Step(PlanAction.Update, PlanTargetType.RealServer, RealTarget(r), haveR, wantR) with { Changes = RealServerChanges(haveR, wantR) });
            }
            foreach (var lr in ls.RealServers)
            {
                if (!desiredKeys.Contains(lr.Key))
                    realRemovals.Add(Step(PlanAction.Remove, PlanTargetType.RealServer, RealTarget(lr), Normalize(lr), null) with { Drain = options.DrainRemovedRealServers });
            }
        }

        if (options.Prune)
        {
            var named = new HashSet<ServiceKey>(desired.Services.Select(s => s.Key));
            foreach (var ls in live.Services)
            {
                if (named.Contains(ls.Key)) continue;
                foreach (var lr in ls.RealServers)
                    realRemovals.Add(Step(PlanAction.Remove, PlanTargetType.RealServer, RealTarget(lr), Normalize(lr), null) with { Drain = options.DrainRemovedRealServers });
                serviceRemovals.Add(Step(PlanAction.Remove, PlanTargetType.Service, ls.Key.ToString(), Normalize(ls.Service), null));
            }
        }

        if (desired.Timeouts is { } dt)
        {
            var lt = live.Timeouts;
            // 0 in a document means "leave as is" (the kernel's rule for IPVS_CMD_SET_CONFIG).
            var effective = lt is null ? dt : new IpvsTimeouts(dt.Tcp == 0 ? lt.Tcp : dt.Tcp, dt.TcpFin == 0 ? lt.TcpFin : dt.TcpFin, dt.Udp == 0 ? lt.Udp : dt.Udp);
            if (lt is null || !lt.Equals(effective))
                other.Add(Step(PlanAction.Update, PlanTargetType.Timeouts, "timeouts", lt, effective) with { Changes = lt is null ? Array.Empty<string>() : TimeoutChanges(lt, effective) });
        }

        if (desired.SyncDaemons is { } dd)
        {
            var liveDaemons = live.SyncDaemons ?? Array.Empty<SyncDaemon>();
            foreach (var state in new[] { SyncDaemonState.Master, SyncDaemonState.Backup })
            {
                var d = dd.FirstOrDefault(x => x.State == state);
                var l = liveDaemons.FirstOrDefault(x => x.State == state);
                var target = "sync daemon " + state.ToString().ToLowerInvariant();
                if (d is not null && l is null) other.Add(Step(PlanAction.Add, PlanTargetType.SyncDaemon, target, null, d));
                else if (d is null && l is not null) other.Add(Step(PlanAction.Remove, PlanTargetType.SyncDaemon, target, l, null));
                else if (d is not null && l is not null && !DaemonMatches(d, l))
                    other.Add(Step(PlanAction.Update, PlanTargetType.SyncDaemon, target, l, d) with { Changes = DaemonChanges(l, d) });
            }
        }

        if (desired.Host is { } dh)
        {
            var lh = live.Host ?? new HostConfiguration();
            if (dh.Sysctls is not null)
            {
                foreach (var (key, value) in dh.Sysctls.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    string? have = null;
                    lh.Sysctls?.TryGetValue(key, out have);
                    if (!SysctlEquals(have, value))
                        other.Add(Step(PlanAction.Update, PlanTargetType.HostSetting, "sysctl " + key, have is null ? null : new HostSettingValue(key, have), new HostSettingValue(key, value))
                            with { Changes = new[] { $"{key}: {have ?? "(absent)"} -> {value}" } });
                }
            }
            if (dh.Addresses is not null)
            {
                var liveAddresses = lh.Addresses ?? Array.Empty<HostAddress>();
                foreach (var a in dh.Addresses)
                {
                    var existing = liveAddresses.FirstOrDefault(x => x.Interface == a.Interface && x.Address.Equals(a.Address));
                    if (existing is null)
                        other.Add(Step(PlanAction.Add, PlanTargetType.HostSetting, "address " + a, null, a));
                    else if (existing.PrefixLength != a.PrefixLength || (a.Label is not null && existing.Label != a.Label))
                        other.Add(Step(PlanAction.Update, PlanTargetType.HostSetting, "address " + a, existing, a)
                            with { Changes = new[] { $"{existing} -> {a}" } });
                }
            }
        }

        var all = new List<PlanStep>(serviceChanges.Count + realChanges.Count + other.Count + realRemovals.Count + serviceRemovals.Count);
        all.AddRange(serviceChanges);
        all.AddRange(realChanges);
        all.AddRange(other);
        all.AddRange(realRemovals);
        all.AddRange(serviceRemovals);
        for (var i = 0; i < all.Count; i++) all[i] = all[i] with { Index = i + 1 };
        return new ConfigurationPlan(all, desired, live, options);
    }

    /// <summary>Reads what the plan needs from the kernel (only the named services unless pruning) and plans.</summary>
    public static ConfigurationPlan Plan(IpvsClient client, LvsConfiguration desired, PlanOptions? options = null, IHostStateBackend? host = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(desired);
        options ??= PlanOptions.Default;
        Validate(desired);
        if (desired.Host is not null && host is null)
            throw new IpvsException("The document has a host section, but no host-settings backend was given to read and apply it.", IpvsErrorKind.NotInstalled, "HostSettingsUnavailable");
        var live = LiveConfiguration.Read(client, LiveScope(desired, options, host));
        return Plan(desired, live, options);
    }

    /// <summary>The live read a plan of <paramref name="desired"/> needs.</summary>
    internal static LiveReadOptions LiveScope(LvsConfiguration desired, PlanOptions options, IHostStateBackend? host) => new()
    {
        Services = options.Prune ? null : desired.Services.Select(s => s.Key).ToList(),
        Timeouts = desired.Timeouts is not null,
        SyncDaemons = desired.SyncDaemons is not null,
        Host = desired.Host,
        HostBackend = host,
    };

    /// <summary>Checks a document: duplicates, real servers of another service, values the kernel refuses. Throws ConfigurationInvalid.</summary>
    public static void Validate(LvsConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        if (configuration.SchemaVersion != LvsConfiguration.CurrentSchemaVersion)
            problems.Add($"schemaVersion {configuration.SchemaVersion} is not {LvsConfiguration.CurrentSchemaVersion}.");
        var keys = new HashSet<ServiceKey>();
        foreach (var cs in configuration.Services)
        {
            if (cs?.Service is null)
            {
                problems.Add("A service entry is empty.");
                continue;
            }
            if (!keys.Add(cs.Key)) problems.Add($"Virtual service {cs.Key} is listed twice.");
            Check(problems, cs.Key.ToString(), () => IpvsValidation.ValidateService(cs.Service));
            var reals = new HashSet<RealServerKey>();
            foreach (var r in cs.RealServers)
            {
                if (r is null)
                {
                    problems.Add($"{cs.Key}: a real server entry is empty.");
                    continue;
                }
                if (!r.Service.Equals(cs.Key)) problems.Add($"Real server {r.Key} is listed under {cs.Key} but belongs to {r.Service}.");
                if (!reals.Add(r.Key)) problems.Add($"Real server {r.Key} of {cs.Key} is listed twice.");
                Check(problems, RealTarget(r), () => IpvsValidation.ValidateRealServer(r.ForwardingMethod == ForwardingMethod.Local ? r with { ForwardingMethod = ForwardingMethod.DirectRouting } : r));
            }
        }
        if (configuration.Timeouts is { } t) Check(problems, "timeouts", () => IpvsValidation.ValidateTimeouts(t));
        if (configuration.SyncDaemons is { } daemons)
        {
            foreach (var d in daemons) Check(problems, "sync daemon", () => IpvsValidation.ValidateSyncDaemon(d));
            foreach (var g in daemons.GroupBy(d => d.State).Where(g => g.Count() > 1))
                problems.Add($"{g.Count()} sync daemons have state {g.Key}; there can be one master and one backup.");
        }
        if (configuration.Host?.Sysctls is { } sysctls)
        {
            foreach (var key in sysctls.Keys.Where(k => !ConfigurationJson.IsSysctlKey(k)))
                problems.Add($"'{key}' is not a sysctl key (dotted lower-case names such as net.ipv4.vs.conntrack).");
        }
        if (configuration.Host?.Addresses is { } addresses)
        {
            foreach (var a in addresses)
            {
                var max = Endpoint.FamilyOf(a.Address) == IpvsAddressFamily.IPv6 ? 128 : 32;
                if (a.PrefixLength < 0 || a.PrefixLength > max) problems.Add($"Host address {a}: prefix length must be 0 to {max}.");
            }
        }
        if (problems.Count > 0) throw new ConfigurationInvalidException(problems);
    }

    private static void Check(List<string> problems, string target, Action check)
    {
        try
        {
            check();
        }
        catch (IpvsValidationException e)
        {
            problems.Add(target + ": " + e.Message);
        }
    }

    /// <summary>
    /// A service as compared: the persistence timeout and netmask count only for a persistent service (the kernel
    /// keeps but ignores them otherwise; ipvsadm sends 0 and /32), the netmask in the form the kernel reads back
    /// (/24 → 255.255.255.0), an empty persistence engine as none, no statistics. The HASHED flag never appears
    /// (the codec strips it).
    /// </summary>
    public static VirtualService Normalize(VirtualService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var defaultMask = service.AddressFamily == IpvsAddressFamily.IPv6 ? "128" : "255.255.255.255";
        string mask;
        try
        {
            mask = service.Persistent ? IpvsValidation.NormalizeNetmask(service.AddressFamily, service.PersistenceNetmask) : defaultMask;
        }
        catch (IpvsValidationException)
        {
            mask = service.PersistenceNetmask;
        }
        return service with
        {
            PersistenceTimeout = service.Persistent ? service.PersistenceTimeout : 0,
            PersistenceNetmask = mask,
            PersistenceEngine = string.IsNullOrEmpty(service.PersistenceEngine) ? null : service.PersistenceEngine,
            Statistics = null,
        };
    }

    /// <summary>
    /// A real server as compared: tunnel options cleared unless it tunnels (they mean nothing otherwise), Local (the
    /// kernel's choice for a director address) read as DirectRouting, no counters or statistics.
    /// </summary>
    public static RealServer Normalize(RealServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var tunnel = server.ForwardingMethod == ForwardingMethod.Tunnel;
        return server with
        {
            ForwardingMethod = server.ForwardingMethod == ForwardingMethod.Local ? ForwardingMethod.DirectRouting : server.ForwardingMethod,
            TunnelType = tunnel ? server.TunnelType : TunnelType.Ipip,
            TunnelPort = tunnel && server.TunnelType == TunnelType.Gue ? server.TunnelPort : (ushort)0,
            TunnelChecksum = tunnel && server.TunnelType != TunnelType.Ipip ? server.TunnelChecksum : TunnelChecksum.None,
            ActiveConnections = 0,
            InactiveConnections = 0,
            PersistentConnections = 0,
            Statistics = null,
        };
    }

    /// <summary>"tcp/10.0.0.1:80 -> 10.0.1.1:80".</summary>
    public static string RealTarget(RealServer r) => r.Service + " -> " + r.Key;

    private static PlanStep Step(PlanAction action, PlanTargetType type, string target, object? before, object? after) =>
        new(0, action, type, target, before, after);

    private static string[] ServiceChanges(VirtualService a, VirtualService b)
    {
        var list = new List<string>();
        Diff(list, "Scheduler", a.Scheduler, b.Scheduler);
        Diff(list, "SchedulerFlags", a.SchedulerFlags, b.SchedulerFlags);
        Diff(list, "Persistent", a.Persistent, b.Persistent);
        Diff(list, "PersistenceTimeout", a.PersistenceTimeout, b.PersistenceTimeout);
        Diff(list, "PersistenceNetmask", a.PersistenceNetmask, b.PersistenceNetmask);
        Diff(list, "PersistenceEngine", a.PersistenceEngine, b.PersistenceEngine);
        Diff(list, "OnePacket", a.OnePacket, b.OnePacket);
        return list.ToArray();
    }

    private static string[] RealServerChanges(RealServer a, RealServer b)
    {
        var list = new List<string>();
        Diff(list, "ForwardingMethod", a.ForwardingMethod, b.ForwardingMethod);
        Diff(list, "Weight", a.Weight, b.Weight);
        Diff(list, "UpperThreshold", a.UpperThreshold, b.UpperThreshold);
        Diff(list, "LowerThreshold", a.LowerThreshold, b.LowerThreshold);
        Diff(list, "TunnelType", a.TunnelType, b.TunnelType);
        Diff(list, "TunnelPort", a.TunnelPort, b.TunnelPort);
        Diff(list, "TunnelChecksum", a.TunnelChecksum, b.TunnelChecksum);
        return list.ToArray();
    }

    private static string[] TimeoutChanges(IpvsTimeouts a, IpvsTimeouts b)
    {
        var list = new List<string>();
        Diff(list, "Tcp", a.Tcp, b.Tcp);
        Diff(list, "TcpFin", a.TcpFin, b.TcpFin);
        Diff(list, "Udp", a.Udp, b.Udp);
        return list.ToArray();
    }

    /// <summary>A desired daemon matches a live one when every value it gives is equal (null = kernel default, not compared).</summary>
    internal static bool DaemonMatches(SyncDaemon desired, SyncDaemon live) =>
        desired.State == live.State && desired.Interface == live.Interface && desired.SyncId == live.SyncId &&
        (desired.MaxLength is null || desired.MaxLength == live.MaxLength) &&
        (desired.MulticastGroup is null || desired.MulticastGroup.Equals(live.MulticastGroup)) &&
        (desired.MulticastPort is null || desired.MulticastPort == live.MulticastPort) &&
        (desired.MulticastTtl is null || desired.MulticastTtl == live.MulticastTtl);

    private static string[] DaemonChanges(SyncDaemon a, SyncDaemon b)
    {
        var list = new List<string>();
        Diff(list, "Interface", a.Interface, b.Interface);
        Diff(list, "SyncId", a.SyncId, b.SyncId);
        if (b.MaxLength is not null) Diff(list, "MaxLength", a.MaxLength, b.MaxLength);
        if (b.MulticastGroup is not null) Diff(list, "MulticastGroup", a.MulticastGroup, b.MulticastGroup);
        if (b.MulticastPort is not null) Diff(list, "MulticastPort", a.MulticastPort, b.MulticastPort);
        if (b.MulticastTtl is not null) Diff(list, "MulticastTtl", a.MulticastTtl, b.MulticastTtl);
        return list.ToArray();
    }

    /// <summary>Sysctl values compare after collapsing white space (the kernel prints vectors tab-separated).</summary>
    internal static bool SysctlEquals(string? live, string desired) =>
        live is not null && string.Join(' ', live.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) ==
        string.Join(' ', desired.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static void Diff<T>(List<string> list, string name, T a, T b)
    {
        if (!EqualityComparer<T>.Default.Equals(a, b))
            list.Add(FormattableString.Invariant($"{name}: {(object?)a ?? "(none)"} -> {(object?)b ?? "(none)"}"));
    }
}
