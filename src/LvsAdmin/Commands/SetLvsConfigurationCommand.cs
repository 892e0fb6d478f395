using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Management.Automation;
using LvsAdmin.Configuration;

namespace LvsAdmin.Commands;

/// <summary>
/// Brings the live IPVS table to a desired configuration, idempotently: only the differences are changed, in a safe
/// order (additions and in-place updates first, removals last), never by flushing; a kernel error rolls back the steps
/// already done. -WhatIf lists the plan and changes nothing. With -Session the same document goes to several directors
/// (an active/backup pair, an ECMP group): a plan, a confirmation and a rollback per host.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsConfiguration", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(ApplyResult))]
public sealed class SetLvsConfigurationCommand : DesiredConfigurationCmdlet
{
    /// <summary>Drain the real servers that are removed (weight 0, wait for their connections to end, then remove) instead of removing them at once.</summary>
    [Parameter]
    public SwitchParameter Drain { get; set; }

    /// <summary>How long to wait for a drained real server's connections to end, in seconds (default 300); implies -Drain.</summary>
    [Parameter]
    public uint DrainTimeout { get; set; } = 300;

    /// <summary>Write the result: Changed, Succeeded, RolledBack, the plan and the steps done.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process(LvsConfiguration desired)
    {
        var drain = Drain || Given(nameof(DrainTimeout));
        if (OnSessions) ApplyOnSessions(desired, drain);
        else Apply(desired, Prune, drain, DrainTimeout, PassThru, RepairHealthState);
    }

    /// <summary>
    /// -Session: every director's plan first (in parallel), one ShouldProcess per director that has changes (-WhatIf
    /// lists each host's steps and changes nothing), then the accepted directors apply it at once, each rolling back
    /// its own steps on failure. Directors already in line are not touched (with -PassThru their result says
    /// Changed = False).
    /// </summary>
    private void ApplyOnSessions(LvsConfiguration desired, bool drain)
    {
        var accepted = new List<PSSession>();
        foreach (var plan in RunOnSessions(Session, desired, "Compare-LvsConfiguration"))
        {
            if (plan.Failed) continue;
            if (plan.Output.Count == 0)
            {
                if (PassThru && !WhatIfRequested()) accepted.Add(plan.Session);
                continue;
            }
            var steps = string.Concat(plan.Output.Select(step => "\n  " + step));
            var description = $"{plan.Host}: {plan.Output.Count} change(s):{steps}";
            if (ShouldProcess(description, $"Apply {plan.Output.Count} change(s) on {plan.Host}?{steps}", "Set-LvsConfiguration " + plan.Host)) accepted.Add(plan.Session);
        }
        if (accepted.Count == 0) return;
        var parameters = new Dictionary<string, object?> { ["PassThru"] = true, ["Confirm"] = false, ["WhatIf"] = false };
        if (drain)
        {
            parameters["Drain"] = true;
            parameters["DrainTimeout"] = DrainTimeout;
        }
        foreach (var run in RunOnSessions(accepted, desired, "Set-LvsConfiguration", parameters))
            if (PassThru) WriteObject(run.Output, enumerateCollection: true);
    }
}
