using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LvsAdmin.Ipvs;
using LvsAdmin.Formats;

namespace LvsAdmin.Configuration;

/// <summary>
/// Computes the plan from a live state to a desired document, comparing modulo what the kernel does on its own
/// (see <see cref="Normalize(VirtualService)"/> and <see cref="Normalize(RealServer)"/>). Scope: the services the
/// document names (their real servers are managed exactly: extra real servers are removed); other live services
/// only with <see cref="PlanOptions.Prune"/>; timeouts, sync daemons and host settings only when the document has
/// them. Order: host settings (addresses and sysctls the rest may need), service adds and updates, then real-server
/// adds and updates, timeouts, sync daemons; removals last (real servers before their services).
/// Health state is not drift: when the document declares health checks for a real server (its own or its service's,
/// <see cref="ServiceHealth"/>), keepalived owns its weight going to 0 (inhibit_on_failure) — a live weight 0 is left
/// as it is (other differences are still updated) — and, with failure action Remove, its absence; the service's
/// sorry server may be in the table or not, with any weight. <see cref="PlanOptions.RepairHealthState"/> turns this off.
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
        return PlanValidated(desired, live, options);
    }

    /// <summary>The plan of an already validated document.</summary>
    internal static ConfigurationPlan PlanValidated(LvsConfiguration desired, LvsConfiguration live, PlanOptions options)
    {
        var b = new Builder(desired, options);
        foreach (var ls in live.Services) b.Live(ls);
        return b.Finish(live, live.Services);
    }

    /// <summary>
    /// Collects the steps while the live services stream past (each is compared with the desired one of its key at
    /// once), so planning against a large table costs about one listing.
    /// </summary>
    private sealed class Builder
    {
        private readonly LvsConfiguration _desired;
        private readonly PlanOptions _options;
        private readonly Dictionary<ServiceKey, ConfiguredService> _wanted;
        private readonly HashSet<ServiceKey> _seen = new();
        public readonly List<PlanStep> ServiceChanges = new();
        public readonly List<PlanStep> RealChanges = new();
        public readonly List<PlanStep> RealRemovals = new();
        public readonly List<PlanStep> ServiceRemovals = new();
        /// <summary>The live services some step touches (what a rollback must restore).</summary>
        public readonly List<ConfiguredService> Touched = new();

        public Builder(LvsConfiguration desired, PlanOptions options)
        {
            _desired = desired;
            _options = options;
            _wanted = new Dictionary<ServiceKey, ConfiguredService>(desired.Services.Count);
            foreach (var s in desired.Services) _wanted[s.Key] = s;
        }

        /// <summary>Compares one live service with the document.</summary>
        public void Live(ConfiguredService ls)
        {
            if (!_seen.Add(ls.Key)) return;
            var before = ServiceChanges.Count + RealChanges.Count + RealRemovals.Count + ServiceRemovals.Count;
            if (_wanted.TryGetValue(ls.Key, out var ds)) Compare(ds, ls);
            else if (_options.Prune)
            {
                foreach (var lr in ls.RealServers)
                    RealRemovals.Add(Step(PlanAction.Remove, PlanTargetType.RealServer, RealTarget(lr), Normalize(lr), null) with { Drain = _options.DrainRemovedRealServers });
                ServiceRemovals.Add(Step(PlanAction.Remove, PlanTargetType.Service, ls.Key.ToString(), Normalize(ls.Service), null));
            }
            if (ServiceChanges.Count + RealChanges.Count + RealRemovals.Count + ServiceRemovals.Count > before) Touched.Add(ls);
        }

        private void Compare(ConfiguredService ds, ConfiguredService ls)
        {
            var want = Normalize(ds.Service);
            var have = Normalize(ls.Service);
            if (!have.Equals(want))
                ServiceChanges.Add(Step(PlanAction.Update, PlanTargetType.Service, ds.Key.ToString(), have, want) with { Changes = ConfigurationPlanner.ServiceChanges(have, want) });
            var live = ls.RealServers;
            var matcher = new RealServerMatcher(live);
            var health = _options.RepairHealthState ? null : ds.Health;
            foreach (var r in ds.RealServers)
            {
                var wantR = Normalize(r);
                var j = matcher.Take(r);
                if (j < 0)
                {
                    if (health is not null && IsHealthAbsence(health, r.Key)) continue;
                    RealChanges.Add(Step(PlanAction.Add, PlanTargetType.RealServer, RealTarget(r), null, wantR));
                    continue;
                }
                var haveR = Normalize(live[j]);
                if (health is not null && IsHealthWeight(health, r.Key, haveR.Weight)) wantR = wantR with { Weight = haveR.Weight };
                if (!haveR.Equals(wantR))
                    RealChanges.Add(Step(PlanAction.Update, PlanTargetType.RealServer, RealTarget(r), haveR, wantR) with { Changes = RealServerChanges(haveR, wantR) });
            }
            for (var j = 0; j < live.Count; j++)
            {
                if (!matcher.Taken(j) && health?.SorryServer?.Key.Equals(live[j].Key) != true)
                    RealRemovals.Add(Step(PlanAction.Remove, PlanTargetType.RealServer, RealTarget(live[j]), Normalize(live[j]), null) with { Drain = _options.DrainRemovedRealServers });
            }
        }

        /// <summary>Adds the services that are not live, the other sections, and orders the steps.</summary>
        public ConfigurationPlan Finish(LvsConfiguration live, IReadOnlyList<ConfiguredService> liveForPlan)
        {
            var adds = new List<PlanStep>();
            var addReals = new List<PlanStep>();
            foreach (var ds in _desired.Services)
            {
                if (_seen.Contains(ds.Key)) continue;
                adds.Add(Step(PlanAction.Add, PlanTargetType.Service, ds.Key.ToString(), null, Normalize(ds.Service)));
                foreach (var r in ds.RealServers)
                    addReals.Add(Step(PlanAction.Add, PlanTargetType.RealServer, RealTarget(r), null, Normalize(r)));
            }
            var serviceChanges = new List<PlanStep>(adds.Count + ServiceChanges.Count);
            serviceChanges.AddRange(adds);
            serviceChanges.AddRange(ServiceChanges);
            var realChanges = new List<PlanStep>(addReals.Count + RealChanges.Count);
            realChanges.AddRange(addReals);
            realChanges.AddRange(RealChanges);
            // Document order: a service that is new or changed, and the real-server steps by their service, in the
            // order the document lists them (stable within a service); the comparison saw them in the kernel's order.
            // Only additions (a new table) are in document order already.
            if ((ServiceChanges.Count > 0 && serviceChanges.Count > 1) || (RealChanges.Count > 0 && realChanges.Count > 1))
            {
                var position = new Dictionary<ServiceKey, int>(_desired.Services.Count);
                for (var i = 0; i < _desired.Services.Count; i++) position[_desired.Services[i].Key] = i;
                if (ServiceChanges.Count > 0) serviceChanges = serviceChanges.OrderBy(x => position[((VirtualService)x.After!).Key]).ToList();
                if (RealChanges.Count > 0) realChanges = realChanges.OrderBy(x => position[((RealServer)x.After!).Service]).ToList();
            }
            return FinishSections(_desired, live, _options, serviceChanges, realChanges, RealRemovals, ServiceRemovals, liveForPlan);
        }
    }

    /// <summary>A live weight keepalived's checker (or its sorry-server handling) set: 0 on a checked real server, any on the sorry server.</summary>
    internal static bool IsHealthWeight(ServiceHealth health, RealServerKey key, int liveWeight) =>
        health.SorryServer?.Key.Equals(key) == true || (liveWeight == 0 && health.IsChecked(key));

    /// <summary>A real server keepalived's checker may have removed: checked, with failure action Remove; or the sorry server.</summary>
    internal static bool IsHealthAbsence(ServiceHealth health, RealServerKey key) =>
        health.SorryServer?.Key.Equals(key) == true || (health.IsChecked(key) && health.OnFailureFor(key) == HealthFailureAction.Remove);

    /// <summary>
    /// Pairs desired real servers with the live ones of one service by address and port. A service has a handful of
    /// real servers, so a scan (from where the last match was, which follows the kernel's order or its reverse) beats
    /// a hash table; past <see cref="ScanLimit"/> a dictionary takes over.
    /// </summary>
    private struct RealServerMatcher
    {
        private const int ScanLimit = 32;
        private readonly IReadOnlyList<RealServer> _live;
        private readonly bool[] _taken;
        private readonly Dictionary<RealServerKey, int>? _index;
        private int _hint;

        public RealServerMatcher(IReadOnlyList<RealServer> live)
        {
            _live = live;
            _taken = live.Count == 0 ? Array.Empty<bool>() : new bool[live.Count];
            _hint = 0;
            _index = null;
            if (live.Count > ScanLimit)
            {
                _index = new Dictionary<RealServerKey, int>(live.Count);
                for (var i = 0; i < live.Count; i++) _index.TryAdd(live[i].Key, i);
            }
        }

        /// <summary>The index of the live real server with <paramref name="r"/>'s address and port (marked taken), or -1.</summary>
        public int Take(RealServer r)
        {
            var n = _live.Count;
            if (_index is not null)
            {
                if (!_index.Remove(r.Key, out var k)) return -1;
                _taken[k] = true;
                return k;
            }
            for (var step = 0; step < n; step++)
            {
                // Look forward from the hint, then backward: both the kernel's order and its reverse match at once.
                var i = (step & 1) == 0 ? _hint + step / 2 : _hint - 1 - step / 2;
                if (i >= n) i -= n;
                if (i < 0) i += n;
                var l = _live[i];
                if (_taken[i] || l.Port != r.Port || !l.Address.Equals(r.Address)) continue;
                _taken[i] = true;
                _hint = i + 1 < n ? i + 1 : 0;
                return i;
            }
            return -1;
        }

        public readonly bool Taken(int i) => _taken[i];
    }

    private static ConfigurationPlan FinishSections(LvsConfiguration desired, LvsConfiguration live, PlanOptions options,
        List<PlanStep> serviceChanges, List<PlanStep> realChanges, List<PlanStep> realRemovals, List<PlanStep> serviceRemovals,
        IReadOnlyList<ConfiguredService> liveServices)
    {
        var other = new List<PlanStep>();
        var hostSteps = new List<PlanStep>();
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
                        hostSteps.Add(Step(PlanAction.Update, PlanTargetType.HostSetting, "sysctl " + key, have is null ? null : new HostSettingValue(key, have), new HostSettingValue(key, value))
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
                        hostSteps.Add(Step(PlanAction.Add, PlanTargetType.HostSetting, "address " + a, null, a));
                    else if (existing.PrefixLength != a.PrefixLength || (a.Label is not null && existing.Label != a.Label))
                        hostSteps.Add(Step(PlanAction.Update, PlanTargetType.HostSetting, "address " + a, existing, a)
                            with { Changes = new[] { $"{existing} -> {a}" } });
                }
            }
        }

        var all = new List<PlanStep>(hostSteps.Count + serviceChanges.Count + realChanges.Count + other.Count + realRemovals.Count + serviceRemovals.Count);
        all.AddRange(hostSteps);
        all.AddRange(serviceChanges);
        all.AddRange(realChanges);
        all.AddRange(other);
        all.AddRange(realRemovals);
        all.AddRange(serviceRemovals);
        for (var i = 0; i < all.Count; i++) all[i] = all[i] with { Index = i + 1 };
        return new ConfigurationPlan(all, desired, live with { Services = liveServices }, options);
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
        var scope = LiveScope(desired, options, host);
        var b = new Builder(desired, options);
        // The table streams through the builder; only the services a step touches are kept (for the rollback).
        var sections = LiveConfiguration.Read(client, scope, b.Live);
        return b.Finish(sections, b.Touched);
    }

    /// <summary>The live read a plan of <paramref name="desired"/> needs.</summary>
    internal static LiveReadOptions LiveScope(LvsConfiguration desired, PlanOptions options, IHostStateBackend? host) => new()
    {
        Services = options.Prune ? null : desired.Services.Select(s => s.Key).ToList(),
        // A plan compares configuration: the kernel's counters and rates are not decoded.
        Statistics = false,
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
            Check(problems, cs.Service, static s => s.Key.ToString(), static s => IpvsValidation.ValidateService(s));
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
                Check(problems, r, static r => RealTarget(r),
                    static r => IpvsValidation.ValidateRealServer(r.ForwardingMethod == ForwardingMethod.Local ? r with { ForwardingMethod = ForwardingMethod.DirectRouting } : r));
            }
            if (cs.Health is not null) Check(problems, cs, static c => c.Key + " health", static c => HealthValidation.Validate(c));
        }
        if (configuration.Timeouts is { } t) Check(problems, t, static _ => "timeouts", static t => IpvsValidation.ValidateTimeouts(t));
        if (configuration.SyncDaemons is { } daemons)
        {
            foreach (var d in daemons) Check(problems, d, static _ => "sync daemon", static d => IpvsValidation.ValidateSyncDaemon(d));
            foreach (var g in daemons.GroupBy(d => d.State).Where(g => g.Count() > 1))
                problems.Add($"{g.Count()} sync daemons have state {g.Key}; there can be one master and one backup.");
            // The kernel refuses a sync daemon while real servers of another address family exist (and such real
            // servers while a daemon runs): its synchronisation protocol cannot carry them (EINVAL).
            if (daemons.Count > 0)
            {
                foreach (var r in configuration.Services.SelectMany(s => s.RealServers).Where(r => r is not null && r.AddressFamily != r.Service.AddressFamily).Take(3))
                    problems.Add($"Real server {r.Key} of {r.Service} is {r.AddressFamily} in an {r.Service.AddressFamily} service: the kernel cannot run a sync daemon with real servers of another address family.");
            }
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

    /// <summary>Runs one check; its target is named only when it fails (a document of 100,000 items names none).</summary>
    private static void Check<T>(List<string> problems, T item, Func<T, string> target, Action<T> check)
    {
        try
        {
            check(item);
        }
        catch (IpvsValidationException e)
        {
            problems.Add(target(item) + ": " + e.Message);
        }
    }

    /// <summary>
    /// A service as compared: the persistence timeout and netmask count only for a persistent service (the kernel
    /// keeps but ignores them otherwise; ipvsadm sends 0 and /32), the netmask in the form the kernel reads back
    /// (/24 → 255.255.255.0), an empty persistence engine as none. The HASHED flag never appears (the codec strips
    /// it); statistics are not part of equality. Returns the same instance when nothing changes.
    /// </summary>
    public static VirtualService Normalize(VirtualService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var defaultMask = service.AddressFamily == IpvsAddressFamily.IPv6 ? "128" : "255.255.255.255";
        string mask;
        if (!service.Persistent) mask = defaultMask;
        else if (service.PersistenceNetmask == defaultMask) mask = defaultMask;
        else
        {
            try
            {
                mask = IpvsValidation.NormalizeNetmask(service.AddressFamily, service.PersistenceNetmask);
            }
            catch (IpvsValidationException)
            {
                mask = service.PersistenceNetmask;
            }
        }
        var timeout = service.Persistent ? service.PersistenceTimeout : 0;
        var engine = string.IsNullOrEmpty(service.PersistenceEngine) ? null : service.PersistenceEngine;
        if (timeout == service.PersistenceTimeout && mask == service.PersistenceNetmask && engine == service.PersistenceEngine) return service;
        return service with { PersistenceTimeout = timeout, PersistenceNetmask = mask, PersistenceEngine = engine };
    }

    /// <summary>
    /// A real server as compared: tunnel options cleared unless it tunnels (they mean nothing otherwise), Local (the
    /// kernel's choice for a director address) read as DirectRouting. Connection counters and statistics are kept
    /// (they are not part of equality). Returns the same instance when nothing changes.
    /// </summary>
    public static RealServer Normalize(RealServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var tunnel = server.ForwardingMethod == ForwardingMethod.Tunnel;
        var method = server.ForwardingMethod == ForwardingMethod.Local ? ForwardingMethod.DirectRouting : server.ForwardingMethod;
        var type = tunnel ? server.TunnelType : TunnelType.Ipip;
        var port = tunnel && server.TunnelType == TunnelType.Gue ? server.TunnelPort : (ushort)0;
        var checksum = tunnel && server.TunnelType != TunnelType.Ipip ? server.TunnelChecksum : TunnelChecksum.None;
        if (method == server.ForwardingMethod && type == server.TunnelType && port == server.TunnelPort && checksum == server.TunnelChecksum) return server;
        return server with { ForwardingMethod = method, TunnelType = type, TunnelPort = port, TunnelChecksum = checksum };
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
