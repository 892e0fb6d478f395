using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;

namespace LvsAdmin.Commands;

/// <summary>
/// Runs one script in many PSSessions at once: a PowerShell per session on the session's runspace, started with
/// BeginInvoke, at most ThrottleLimit at a time. Results come back in completion order on the caller's thread (so a
/// cmdlet writes them from its pipeline thread); a failure of one session (broken connection, a terminating remote
/// error) is that session's outcome and never stops the others. <see cref="Stop"/> stops the running ones (Ctrl+C).
/// </summary>
internal sealed class SessionInvoker
{
    /// <summary>What one session returned: its output, its error records and, when it failed as a whole, the exception.</summary>
    internal sealed record Outcome(PSSession Session, Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, Exception? Failure)
    {
        /// <summary>The session's computer name (the host every result and error is named by).</summary>
        public string Host => Session.ComputerName;
    }

    private readonly ConcurrentDictionary<PowerShell, bool> _running = new();
    private volatile bool _stopped;

    /// <summary>How many sessions run at once (at least 1).</summary>
    public int ThrottleLimit { get; init; } = 32;

    /// <summary>
    /// Runs <paramref name="script"/> with the parameters <paramref name="parameters"/> gives for each session, and
    /// yields each outcome as it completes.
    /// </summary>
    public IEnumerable<Outcome> Invoke(IReadOnlyList<PSSession> sessions, string script, Func<PSSession, IDictionary<string, object?>> parameters)
    {
        if (sessions.Count == 0) yield break;
        using var gate = new SemaphoreSlim(Math.Max(1, ThrottleLimit));
        var tasks = sessions.Select(s => Task.Run(() => Run(s, script, parameters(s), gate))).ToList();
        while (tasks.Count > 0)
        {
            var i = Task.WaitAny(tasks.ToArray<Task>());
            var done = tasks[i];
            tasks.RemoveAt(i);
            yield return done.Result;
        }
    }

    private async Task<Outcome> Run(PSSession session, string script, IDictionary<string, object?> parameters, SemaphoreSlim gate)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        using var ps = PowerShell.Create();
        try
        {
            if (_stopped) return new Outcome(session, new Collection<PSObject>(), Array.Empty<ErrorRecord>(), new PipelineStoppedException());
            if (session.Runspace.RunspaceStateInfo.State != RunspaceState.Opened)
                return new Outcome(session, new Collection<PSObject>(), Array.Empty<ErrorRecord>(),
                    new InvalidOperationException($"The session to {session.ComputerName} is {session.Runspace.RunspaceStateInfo.State}."));
            ps.Runspace = session.Runspace;
            ps.AddScript(script);
            foreach (var (k, v) in parameters) ps.AddParameter(k, v);
            _running[ps] = true;
            var output = await Task.Factory.FromAsync(ps.BeginInvoke(), ps.EndInvoke).ConfigureAwait(false);
            return new Outcome(session, new Collection<PSObject>(output.ToList()), ps.Streams.Error.ToList(), null);
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException or System.Management.Automation.Remoting.PSRemotingTransportException or InvalidRunspaceStateException)
        {
            return new Outcome(session, new Collection<PSObject>(), ps.Streams.Error.ToList(), e);
        }
        finally
        {
            _running.TryRemove(ps, out _);
            gate.Release();
        }
    }

    /// <summary>Stops every running session command; those not started yet do not start.</summary>
    public void Stop()
    {
        _stopped = true;
        foreach (var ps in _running.Keys)
        {
            try
            {
                ps.BeginStop(null, null);
            }
            catch (InvalidOperationException)
            {
                // already finished
            }
        }
    }
}
