using System;
using System.Collections.Generic;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>What to do with a drained real server that still has connections when the drain timeout runs out.</summary>
public enum DrainTimeoutAction
{
    /// <summary>Leave it at weight 0 (no new connections) and report DrainTimeout. Inside an apply, the apply fails and is rolled back.</summary>
    LeaveQuiesced,
    /// <summary>Remove it anyway (its remaining connections are cut) and report DrainTimeout as a warning.</summary>
    RemoveAnyway,
}

/// <summary>Progress of a drain, reported after every poll.</summary>
public sealed record DrainProgress(IReadOnlyList<DrainStatus> Servers, TimeSpan Elapsed, TimeSpan Timeout)
{
    /// <summary>How many of the servers still have connections or templates.</summary>
    public int Remaining { get; init; }

    /// <summary>0-100 by time elapsed (for Write-Progress).</summary>
    public int PercentComplete => Timeout <= TimeSpan.Zero ? 100 : (int)Math.Min(100, Elapsed.TotalMilliseconds * 100 / Timeout.TotalMilliseconds);
}

/// <summary>Connection counts of one real server being drained.</summary>
public sealed record DrainStatus(ServiceKey Service, RealServerKey Server, uint ActiveConnections, uint InactiveConnections, uint PersistenceTemplates)
{
    /// <summary>True when nothing is left to wait for (templates count only when waited for).</summary>
    public bool IsDrained(bool waitForTemplates) => ActiveConnections == 0 && InactiveConnections == 0 && (!waitForTemplates || PersistenceTemplates == 0);

    public override string ToString() => $"{Service} -> {Server}: {ActiveConnections} active, {InactiveConnections} inactive, {PersistenceTemplates} persistence templates";
}

/// <summary>Options of <see cref="RealServerDrainer"/>.</summary>
public sealed record DrainOptions
{
    /// <summary>How long to wait for the connections to end (default 5 minutes).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How often to read the counters (default 1 s).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Also wait for persistence templates (IPVS_DEST_ATTR_PERSIST_CONNS) to expire (default true).</summary>
    public bool WaitForPersistenceTemplates { get; init; } = true;
    /// <summary>Remove the real servers once drained (default true; false only quiesces and waits).</summary>
    public bool Remove { get; init; } = true;
    public DrainTimeoutAction OnTimeout { get; init; } = DrainTimeoutAction.LeaveQuiesced;
    /// <summary>Called after every poll.</summary>
    public Action<DrainProgress>? Progress { get; init; }
}

/// <summary>The outcome of a drain.</summary>
public sealed record DrainResult
{
    /// <summary>The real servers as they were before (weights to restore).</summary>
    public required IReadOnlyList<RealServer> Servers { get; init; }
    /// <summary>Counts at the end (of the servers not yet removed when the last poll was made).</summary>
    public required IReadOnlyList<DrainStatus> Final { get; init; }
    /// <summary>The servers (as they were before) that were removed: each as soon as it was drained, the rest on a RemoveAnyway timeout.</summary>
    public required IReadOnlyList<RealServer> RemovedServers { get; init; }
    /// <summary>True when every server reached zero before the timeout.</summary>
    public bool Drained { get; init; }
    /// <summary>True when every server was removed.</summary>
    public bool Removed { get; init; }
    public bool TimedOut { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>DrainTimeout when <see cref="TimedOut"/>; null otherwise.</summary>
    public DrainTimeoutException? Error { get; init; }
}

/// <summary>Options of <see cref="ConfigurationApplier"/>.</summary>
public sealed record ApplyOptions
{
    /// <summary>Drain settings for real-server removals marked <see cref="PlanStep.Drain"/>; null uses <see cref="DrainOptions"/>' defaults.</summary>
    public DrainOptions? Drain { get; init; }
    /// <summary>Called before each step is executed.</summary>
    public Action<PlanStep>? StepStarting { get; init; }
}

/// <summary>
/// The outcome of applying a plan. <see cref="Changed"/> is true when the live state was changed (and stayed
/// changed: a rolled-back apply has Changed false). On failure, <see cref="Error"/> is a
/// <see cref="ConfigurationApplyException"/> (ApplyFailedRolledBack or ApplyFailedRollbackIncomplete).
/// </summary>
public sealed record ApplyResult
{
    public required ConfigurationPlan Plan { get; init; }
    /// <summary>Steps that were executed and remain in effect (empty after a rollback).</summary>
    public required IReadOnlyList<PlanStep> Completed { get; init; }
    public bool Changed { get; init; }
    public bool Succeeded => Error is null;
    public PlanStep? FailedStep { get; init; }
    public IpvsException? Error { get; init; }
    /// <summary>True when a failure was rolled back and the re-read table equals the one before.</summary>
    public bool RolledBack { get; init; }
    /// <summary>Drain timeouts that did not fail the apply (RemoveAnyway).</summary>
    public IReadOnlyList<DrainTimeoutException> Warnings { get; init; } = Array.Empty<DrainTimeoutException>();

    /// <summary>Throws <see cref="Error"/> if the apply failed.</summary>
    public ApplyResult ThrowIfFailed() => Error is null ? this : throw Error;
}
