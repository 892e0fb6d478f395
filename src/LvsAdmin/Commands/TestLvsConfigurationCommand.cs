using System.Collections.Generic;
using System.Management.Automation;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Commands;

/// <summary>
/// Tests whether the live IPVS table matches a desired configuration: $true or $false, or with -Detailed the drift
/// (the plan steps that would bring it in line; nothing when it matches). Nothing is changed. With -Session one
/// answer per director ($true/$false, or its steps), each with the host in PSComputerName.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LvsConfiguration", DefaultParameterSetName = PathSet)]
[OutputType(typeof(bool), typeof(PlanStep))]
public sealed class TestLvsConfigurationCommand : DesiredConfigurationCmdlet
{
    /// <summary>Return the differing steps (Action, TargetType, Target, Before, After, Changes) instead of one Boolean.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void Process(LvsConfiguration desired)
    {
        if (OnSessions)
        {
            var parameters = new Dictionary<string, object?>();
            if (Detailed) parameters["Detailed"] = true;
            foreach (var run in RunOnSessions(Session, desired, "Test-LvsConfiguration", parameters)) WriteObject(run.Output, enumerateCollection: true);
            return;
        }
        var plan = PlanFor(desired, Prune, drain: false, RepairHealthState);
        if (Detailed) WriteObject(plan.Steps, enumerateCollection: true);
        else WriteObject(plan.IsEmpty);
    }
}
