using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>
/// Takes real servers out gracefully: weight 0 (SET_DEST, in place: the scheduler sends no new connections there,
/// existing ones go on), then polls their active and inactive connection counts and persistence templates
/// (IPVS_DEST_ATTR_PERSIST_CONNS) until they are zero or the timeout runs out; each server is removed as soon as it
/// is drained. See docs/guides/ConfigurationDocument.md ("Graceful drain") for persistence templates and
/// net.ipv4.vs.expire_quiescent_template.
/// </summary>
public static class RealServerDrainer
{
    /// <summary>
    /// Drains <paramref name="servers"/> together. On timeout: <see cref="DrainOptions.OnTimeout"/> decides (remove the
    /// rest anyway, or leave them at weight 0), and the result carries a <see cref="DrainTimeoutException"/>.
    /// Cancellation throws OperationCanceledException and leaves the servers not yet removed at weight 0.
    /// Throws RealServerNotFoundException (nothing changed) when a server does not exist.
    /// </summary>
    public static DrainResult Drain(IpvsClient client, IReadOnlyList<(ServiceKey Service, RealServerKey Server)> servers, DrainOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Drain(new IpvsClientBackend(client), servers, options, cancellation, Thread.Sleep);
    }

    internal static DrainResult Drain(IIpvsBackend backend, IReadOnlyList<(ServiceKey Service, RealServerKey Server)> servers, DrainOptions? options,
        CancellationToken cancellation, Action<TimeSpan> sleep)
    {
        ArgumentNullException.ThrowIfNull(servers);
        options ??= new DrainOptions();
        if (options.Timeout < TimeSpan.Zero) throw new IpvsValidationException("DrainTimeout", "The drain timeout must not be negative.");
        if (options.PollInterval <= TimeSpan.Zero) throw new IpvsValidationException("PollInterval", "The poll interval must be positive.");
        var clock = Stopwatch.StartNew();

        // Find every server first: nothing is changed when one is missing.
        var before = new List<RealServer>();
        foreach (var group in servers.GroupBy(s => s.Service))
        {
            var live = backend.GetRealServers(group.Key);
            foreach (var (svc, key) in group)
            {
                var r = live.FirstOrDefault(x => x.Key.Equals(key)) ?? throw new RealServerNotFoundException(svc, key);
                if (!before.Any(b => b.Service.Equals(svc) && b.Key.Equals(key))) before.Add(r);
            }
        }
        if (before.Count == 0)
            return new DrainResult { Servers = before, Final = Array.Empty<DrainStatus>(), RemovedServers = Array.Empty<RealServer>(), Drained = true, Removed = true };

        // Quiesce: weight 0 in place.
        var quiesce = before.Where(r => r.Weight != 0).Select(r => (IpvsOperation)new UpdateRealServerOperation(ConfigurationPlanner.Normalize(r) with { Weight = 0 })).ToList();
        if (quiesce.Count > 0)
        {
            var results = backend.Apply(quiesce);
            var failed = results.FirstOrDefault(x => !x.Succeeded);
            if (failed is not null)
            {
                // Put back the weights that were set, then report.
                var undo = results.Where(x => x.Succeeded).Select(x => ((UpdateRealServerOperation)x.Operation).RealServer)
                    .Select(q => (IpvsOperation)new UpdateRealServerOperation(ConfigurationPlanner.Normalize(before.First(b => b.Service.Equals(q.Service) && b.Key.Equals(q.Key))))).ToList();
                if (undo.Count > 0) backend.Apply(undo);
                throw failed.Error!;
            }
        }

        var pending = new List<RealServer>(before);
        var removed = new List<RealServer>();
        var last = new List<DrainStatus>();
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            last = Poll(backend, pending);
            var elapsed = clock.Elapsed;
            // Remove each drained server at once (or count it as done when only quiescing).
            var done = pending.Where((r, i) => last[i].IsDrained(options.WaitForPersistenceTemplates)).ToList();
            if (done.Count > 0)
            {
                if (options.Remove) Remove(backend, done, removed);
                pending.RemoveAll(done.Contains);
                last = last.Where(s => pending.Any(p => p.Service.Equals(s.Service) && p.Key.Equals(s.Server))).ToList();
            }
            options.Progress?.Invoke(new DrainProgress(last, elapsed, options.Timeout) { Remaining = pending.Count });
            if (pending.Count == 0)
                return new DrainResult { Servers = before, Final = last, RemovedServers = removed, Drained = true, Removed = options.Remove, Elapsed = clock.Elapsed };
            if (elapsed >= options.Timeout)
            {
                var removeAnyway = options.Remove && options.OnTimeout == DrainTimeoutAction.RemoveAnyway;
                if (removeAnyway) Remove(backend, pending, removed);
                var error = new DrainTimeoutException(last, options.Timeout, removeAnyway);
                return new DrainResult
                {
                    Servers = before, Final = last, RemovedServers = removed, Drained = false, Removed = removeAnyway,
                    TimedOut = true, Elapsed = clock.Elapsed, Error = error,
                };
            }
            var wait = options.PollInterval;
            var left = options.Timeout - elapsed;
            if (left < wait) wait = left;
            if (cancellation.WaitHandle.WaitOne(0)) cancellation.ThrowIfCancellationRequested();
            sleep(wait);
        }
    }

    private static List<DrainStatus> Poll(IIpvsBackend backend, List<RealServer> pending)
    {
        var status = new List<DrainStatus>(pending.Count);
        var cache = new Dictionary<ServiceKey, List<RealServer>>();
        foreach (var r in pending)
        {
            if (!cache.TryGetValue(r.Service, out var live))
            {
                try
                {
                    live = backend.GetRealServers(r.Service);
                }
                catch (ServiceNotFoundException)
                {
                    live = new List<RealServer>();
                }
                cache[r.Service] = live;
            }
            var now = live.FirstOrDefault(x => x.Key.Equals(r.Key));
            // A server that disappeared (removed by someone else) has nothing left to drain.
            status.Add(new DrainStatus(r.Service, r.Key, now?.ActiveConnections ?? 0, now?.InactiveConnections ?? 0, now?.PersistentConnections ?? 0));
        }
        return status;
    }

    private static void Remove(IIpvsBackend backend, List<RealServer> servers, List<RealServer> removed)
    {
        var ops = servers.Select(r => (IpvsOperation)new DeleteRealServerOperation(r.Service, r.Key)).ToList();
        var results = backend.Apply(ops);
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Succeeded || results[i].Error is RealServerNotFoundException) removed.Add(servers[i]);
        }
        var failed = results.FirstOrDefault(x => !x.Succeeded && x.Error is not RealServerNotFoundException);
        if (failed is not null) throw failed.Error!;
    }
}
