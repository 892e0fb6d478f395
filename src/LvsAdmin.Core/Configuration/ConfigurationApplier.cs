using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>
/// Executes a plan through an <see cref="IpvsClient"/> (batched with <see cref="IpvsClient.Apply"/>, never
/// flushing). When the kernel refuses step k, every step done so far is undone in reverse order (re-add removed,
/// restore updated, delete added, stop started, restore timeouts and sysctls), the table is re-read and compared
/// with the state the plan was computed from, and the result says both.
/// </summary>
public sealed class ConfigurationApplier
{
    private readonly IIpvsBackend _ipvs;
    private readonly IHostStateBackend? _host;
    private readonly Action<TimeSpan> _sleep;

    /// <summary>An applier over <paramref name="client"/>; <paramref name="host"/> is needed for plans with host settings.</summary>
    public ConfigurationApplier(IpvsClient client, IHostStateBackend? host = null)
        : this(new IpvsClientBackend(client), host, Thread.Sleep)
    {
    }

    internal ConfigurationApplier(IIpvsBackend ipvs, IHostStateBackend? host, Action<TimeSpan> sleep)
    {
        _ipvs = ipvs ?? throw new ArgumentNullException(nameof(ipvs));
        _host = host;
        _sleep = sleep;
    }

    /// <summary>Plans against the live state and applies.</summary>
    public ApplyResult Apply(LvsConfiguration desired, PlanOptions? planOptions = null, ApplyOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(desired);
        planOptions ??= PlanOptions.Default;
        ConfigurationPlanner.Validate(desired);
        if (desired.Host is not null && _host is null)
            throw new IpvsException("The document has a host section, but no host-settings backend was given to read and apply it.", IpvsErrorKind.NotInstalled, "HostSettingsUnavailable");
        if (_ipvs is IpvsClientBackend real) return Apply(ConfigurationPlanner.Plan(real.Client, desired, planOptions, _host), options, cancellation);
        var live = _ipvs.Read(ConfigurationPlanner.LiveScope(desired, planOptions, _host));
        return Apply(ConfigurationPlanner.PlanValidated(desired, live, planOptions), options, cancellation);
    }

    /// <summary>
    /// Applies <paramref name="plan"/> in its order. Returns the result; a kernel error or a drain timeout
    /// (LeaveQuiesced) is not thrown but reported in <see cref="ApplyResult.Error"/> after the rollback. Host steps
    /// without a host backend throw HostSettingsUnavailable before anything is changed.
    /// </summary>
    public ApplyResult Apply(ConfigurationPlan plan, ApplyOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        options ??= new ApplyOptions();
        if (_host is null && plan.Steps.Any(s => s.TargetType == PlanTargetType.HostSetting))
            throw new IpvsException("The plan changes host settings, but no host-settings backend was given.", IpvsErrorKind.NotInstalled, "HostSettingsUnavailable");

        var done = new List<Undo>();
        var completed = new List<PlanStep>();
        var warnings = new List<DrainTimeoutException>();
        PlanStep? failedStep = null;
        IpvsException? error = null;
        var steps = plan.Steps;
        var i = 0;
        try
        {
            while (i < steps.Count && error is null)
            {
                var step = steps[i];
                if (IsBatchable(step))
                {
                    // Service removals get a batch of their own: the kernel goes on after a failed request in the same
                    // datagram, and deleting a service also deletes real servers whose own removal may have failed.
                    var j = i;
                    while (j < steps.Count && IsBatchable(steps[j]) && IsServiceRemoval(steps[j]) == IsServiceRemoval(step)) j++;
                    var batch = steps.Skip(i).Take(j - i).ToList();
                    foreach (var s in batch) options.StepStarting?.Invoke(s);
                    cancellation.ThrowIfCancellationRequested();
                    var results = _ipvs.Apply(batch.Select(ToOperation).ToList());
                    for (var k = 0; k < batch.Count; k++)
                    {
                        if (results[k].Succeeded)
                        {
                            done.Add(new Undo(batch[k], null));
                            completed.Add(batch[k]);
                        }
                        else if (error is null && results[k].Error?.ErrorId != "OperationSkipped")
                        {
                            failedStep = batch[k];
                            error = results[k].Error;
                        }
                    }
                    i = j;
                    continue;
                }
                if (step.Drain && step.Action == PlanAction.Remove && step.TargetType == PlanTargetType.RealServer)
                {
                    var j = i;
                    while (j < steps.Count && steps[j].Drain && steps[j].Action == PlanAction.Remove && steps[j].TargetType == PlanTargetType.RealServer) j++;
                    var batch = steps.Skip(i).Take(j - i).ToList();
                    foreach (var s in batch) options.StepStarting?.Invoke(s);
                    var servers = batch.Select(s => (RealServer)s.Before!).ToList();
                    // Undo for a drain is state-based: whatever happened to each server, put it back as it was.
                    var undo = new Undo(batch[0], servers);
                    done.Add(undo);
                    DrainResult result;
                    try
                    {
                        result = RealServerDrainer.Drain(_ipvs, servers.Select(r => (r.Service, r.Key)).ToList(), options.Drain, cancellation, _sleep);
                    }
                    catch (IpvsException e)
                    {
                        failedStep = batch[0];
                        error = e;
                        break;
                    }
                    if (result.Error is { } timeout)
                    {
                        if (!timeout.Removed)
                        {
                            failedStep = batch.First(s => result.Final.Any(f => RealTargetOf(f) == s.Target));
                            error = timeout;
                            break;
                        }
                        warnings.Add(timeout);
                    }
                    completed.AddRange(batch);
                    i = j;
                    continue;
                }
                options.StepStarting?.Invoke(step);
                cancellation.ThrowIfCancellationRequested();
                try
                {
                    ExecuteSingle(step);
                    done.Add(new Undo(step, null));
                    completed.Add(step);
                }
                catch (IpvsException e)
                {
                    failedStep = step;
                    error = e;
                }
                i++;
            }
        }
        catch (OperationCanceledException)
        {
            failedStep = i < steps.Count ? steps[i] : steps[^1];
            error = new IpvsException("The apply was cancelled.", IpvsErrorKind.Other, "ApplyCancelled");
        }

        if (error is null)
            return new ApplyResult { Plan = plan, Completed = completed, Changed = completed.Count > 0, Warnings = warnings };

        var rollbackErrors = Rollback(done);
        var rolledBack = rollbackErrors.Count == 0 && Verify(plan, rollbackErrors);
        return new ApplyResult
        {
            Plan = plan,
            Completed = rolledBack ? Array.Empty<PlanStep>() : completed,
            Changed = !rolledBack && completed.Count > 0,
            FailedStep = failedStep,
            Error = new ConfigurationApplyException(failedStep!, error, rolledBack, rollbackErrors),
            RolledBack = rolledBack,
            Warnings = warnings,
        };
    }

    private static string RealTargetOf(DrainStatus s) => s.Service + " -> " + s.Server;

    /// <summary>A done step and how to undo it (drains carry the servers as they were).</summary>
    private sealed record Undo(PlanStep Step, List<RealServer>? Drained);

    private static bool IsBatchable(PlanStep s) =>
        s.TargetType is PlanTargetType.Service or PlanTargetType.RealServer && !(s.Drain && s.Action == PlanAction.Remove);

    private static bool IsServiceRemoval(PlanStep s) => s.TargetType == PlanTargetType.Service && s.Action == PlanAction.Remove;

    private static IpvsOperation ToOperation(PlanStep s) => (s.TargetType, s.Action) switch
    {
        (PlanTargetType.Service, PlanAction.Add) => new AddServiceOperation((VirtualService)s.After!),
        (PlanTargetType.Service, PlanAction.Update) => new UpdateServiceOperation((VirtualService)s.After!),
        (PlanTargetType.Service, PlanAction.Remove) => new DeleteServiceOperation(((VirtualService)s.Before!).Key),
        (PlanTargetType.RealServer, PlanAction.Add) => new AddRealServerOperation((RealServer)s.After!),
        (PlanTargetType.RealServer, PlanAction.Update) => new UpdateRealServerOperation((RealServer)s.After!),
        (PlanTargetType.RealServer, PlanAction.Remove) => new DeleteRealServerOperation(((RealServer)s.Before!).Service, ((RealServer)s.Before!).Key),
        _ => throw new ArgumentException("not an IPVS table step: " + s),
    };

    private void ExecuteSingle(PlanStep s)
    {
        switch (s.TargetType)
        {
            case PlanTargetType.Timeouts:
                _ipvs.SetTimeouts((IpvsTimeouts)s.After!);
                break;
            case PlanTargetType.SyncDaemon:
                if (s.Action is PlanAction.Remove or PlanAction.Update) _ipvs.StopSyncDaemon(((SyncDaemon)s.Before!).State);
                if (s.Action is PlanAction.Add or PlanAction.Update)
                {
                    try
                    {
                        _ipvs.StartSyncDaemon((SyncDaemon)s.After!);
                    }
                    catch (IpvsException) when (s.Action == PlanAction.Update)
                    {
                        // Half an update is not a state to leave: restart the old daemon before reporting.
                        TryDo(() => _ipvs.StartSyncDaemon((SyncDaemon)s.Before!), new List<string>(), "");
                        throw;
                    }
                }
                break;
            case PlanTargetType.HostSetting:
                ExecuteHost(s, forward: true);
                break;
            default:
                ApplyOne(ToOperation(s));
                break;
        }
    }

    private void ExecuteHost(PlanStep s, bool forward)
    {
        var host = _host!;
        var from = forward ? s.Before : s.After;
        var to = forward ? s.After : s.Before;
        switch (to ?? from)
        {
            case HostSettingValue:
                if (to is HostSettingValue v) host.WriteSysctl(v.Key, v.Value);
                // A sysctl that did not exist before cannot be put back to "absent"; nothing to undo.
                break;
            case HostAddress:
                if (from is HostAddress old) host.RemoveAddress(old);
                if (to is HostAddress add) host.AddAddress(add);
                break;
        }
    }

    /// <summary>Undoes the done steps in reverse order; returns what could not be undone.</summary>
    private List<string> Rollback(List<Undo> done)
    {
        var errors = new List<string>();
        for (var n = done.Count - 1; n >= 0; n--)
        {
            var (s, drained) = done[n];
            if (drained is not null)
            {
                UndoDrain(drained, errors);
                continue;
            }
            var what = "undo step " + s.Index + " (" + s.Description + ")";
            switch (s.TargetType)
            {
                case PlanTargetType.Service or PlanTargetType.RealServer:
                    var inverse = Inverse(s);
                    TryDo(() => ApplyOne(inverse), errors, what);
                    break;
                case PlanTargetType.Timeouts:
                    if (s.Before is IpvsTimeouts t) TryDo(() => _ipvs.SetTimeouts(t), errors, what);
                    break;
                case PlanTargetType.SyncDaemon:
                    if (s.Action is PlanAction.Add or PlanAction.Update) TryDo(() => _ipvs.StopSyncDaemon(((SyncDaemon)s.After!).State), errors, what);
                    if (s.Action is PlanAction.Remove or PlanAction.Update) TryDo(() => _ipvs.StartSyncDaemon((SyncDaemon)s.Before!), errors, what);
                    break;
                case PlanTargetType.HostSetting:
                    TryDo(() => ExecuteHost(s, forward: false), errors, what);
                    break;
            }
        }
        return errors;
    }

    private void UndoDrain(List<RealServer> servers, List<string> errors)
    {
        foreach (var group in servers.GroupBy(r => r.Service))
        {
            List<RealServer> live;
            try
            {
                live = _ipvs.GetRealServers(group.Key);
            }
            catch (Exception e) when (e is IpvsException)
            {
                errors.Add($"re-read {group.Key} to undo a drain: {e.Message}");
                continue;
            }
            var ops = new List<IpvsOperation>();
            foreach (var r in group)
            {
                var n = ConfigurationPlanner.Normalize(r);
                var now = live.FirstOrDefault(x => x.Key.Equals(r.Key));
                if (now is null) ops.Add(new AddRealServerOperation(n));
                else if (!ConfigurationPlanner.Normalize(now).Equals(n)) ops.Add(new UpdateRealServerOperation(n));
            }
            if (ops.Count == 0) continue;
            foreach (var res in _ipvs.Apply(ops).Where(x => !x.Succeeded))
                errors.Add("undo drain: " + res.Operation.Describe() + ": " + res.Error!.Message);
        }
    }

    private void ApplyOne(IpvsOperation op)
    {
        if (_ipvs.Apply(new[] { op })[0].Error is { } e) throw e;
    }

    private static IpvsOperation Inverse(PlanStep s) => (s.TargetType, s.Action) switch
    {
        (PlanTargetType.Service, PlanAction.Add) => new DeleteServiceOperation(((VirtualService)s.After!).Key),
        (PlanTargetType.Service, PlanAction.Update) => new UpdateServiceOperation((VirtualService)s.Before!),
        (PlanTargetType.Service, PlanAction.Remove) => new AddServiceOperation((VirtualService)s.Before!),
        (PlanTargetType.RealServer, PlanAction.Add) => new DeleteRealServerOperation(((RealServer)s.After!).Service, ((RealServer)s.After!).Key),
        (PlanTargetType.RealServer, PlanAction.Update) => new UpdateRealServerOperation((RealServer)s.Before!),
        (PlanTargetType.RealServer, PlanAction.Remove) => new AddRealServerOperation((RealServer)s.Before!),
        _ => throw new ArgumentException("not an IPVS table step: " + s),
    };

    private static void TryDo(Action action, List<string> errors, string what)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IpvsException or LvsAdmin.Netlink.NetlinkException)
        {
            errors.Add(what + ": " + e.Message);
        }
    }

    /// <summary>
    /// Re-reads what the plan touched (its services, and the timeouts, daemons and sysctls it manages) and compares it
    /// with the state the plan was computed from.
    /// </summary>
    private bool Verify(ConfigurationPlan plan, List<string> errors)
    {
        var keys = new HashSet<ServiceKey>();
        foreach (var step in plan.Steps)
        {
            foreach (var v in new[] { step.Before, step.After })
            {
                if (v is VirtualService vs) keys.Add(vs.Key);
                else if (v is RealServer rs) keys.Add(rs.Service);
            }
        }
        var scope = ConfigurationPlanner.LiveScope(plan.Desired, plan.Options, _host) with { Services = keys.ToList() };
        LvsConfiguration now;
        try
        {
            now = _ipvs.Read(scope);
        }
        catch (Exception e) when (e is IpvsException or LvsAdmin.Netlink.NetlinkException)
        {
            errors.Add("re-read the table to verify the rollback: " + e.Message);
            return false;
        }
        var wantedSysctls = plan.Desired.Host?.Sysctls;
        var before = plan.Live with
        {
            Services = plan.Live.Services.Where(s => keys.Contains(s.Key)).ToList(),
            Timeouts = scope.Timeouts ? plan.Live.Timeouts : null,
            SyncDaemons = scope.SyncDaemons ? plan.Live.SyncDaemons : null,
            Host = plan.Live.Host is null || wantedSysctls is null ? null : plan.Live.Host with
            {
                Sysctls = plan.Live.Host.Sysctls?.Where(kv => wantedSysctls.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            },
        };
        errors.AddRange(Differences(before, now));
        return errors.Count == 0;
    }

    /// <summary>What differs between two live states (services and real servers compared as sets, normalised).</summary>
    internal static List<string> Differences(LvsConfiguration before, LvsConfiguration after)
    {
        var list = new List<string>();
        var a = before.Services.ToDictionary(s => s.Key);
        var b = after.Services.ToDictionary(s => s.Key);
        foreach (var (key, s) in a)
        {
            if (!b.TryGetValue(key, out var t))
            {
                list.Add($"virtual service {key} is missing");
                continue;
            }
            if (!ConfigurationPlanner.Normalize(s.Service).Equals(ConfigurationPlanner.Normalize(t.Service))) list.Add($"virtual service {key} differs");
            var ra = s.RealServers.ToDictionary(r => r.Key);
            var rb = t.RealServers.ToDictionary(r => r.Key);
            foreach (var (rk, r) in ra)
            {
                if (!rb.TryGetValue(rk, out var r2)) list.Add($"real server {rk} of {key} is missing");
                else if (!ConfigurationPlanner.Normalize(r).Equals(ConfigurationPlanner.Normalize(r2))) list.Add($"real server {rk} of {key} differs");
            }
            foreach (var rk in rb.Keys.Where(k => !ra.ContainsKey(k))) list.Add($"real server {rk} of {key} is left over");
        }
        foreach (var key in b.Keys.Where(k => !a.ContainsKey(k))) list.Add($"virtual service {key} is left over");
        if (before.Timeouts is not null && after.Timeouts is not null && !before.Timeouts.Equals(after.Timeouts)) list.Add("the timeouts differ");
        if (before.SyncDaemons is not null && after.SyncDaemons is not null &&
            !before.SyncDaemons.OrderBy(d => d.State).SequenceEqual(after.SyncDaemons.OrderBy(d => d.State)))
            list.Add("the sync daemons differ");
        if (before.Host?.Sysctls is { } hs && after.Host?.Sysctls is { } hs2)
        {
            foreach (var (k, v) in hs)
                if (!hs2.TryGetValue(k, out var v2) || !ConfigurationPlanner.SysctlEquals(v2, v)) list.Add($"sysctl {k} differs");
        }
        return list;
    }
}
