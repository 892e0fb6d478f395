using System.Management.Automation;
using LvsAdmin.Configuration;

namespace LvsAdmin.Commands;

/// <summary>
/// Brings the live IPVS table to a desired configuration, idempotently: only the differences are changed, in a safe
/// order (additions and in-place updates first, removals last), never by flushing; a kernel error rolls back the steps
/// already done. -WhatIf lists the plan and changes nothing.
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

    protected override void Process(LvsConfiguration desired) =>
        Apply(desired, Prune, Drain || Given(nameof(DrainTimeout)), DrainTimeout, PassThru);
}
