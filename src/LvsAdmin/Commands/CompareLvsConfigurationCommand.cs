using System.Management.Automation;
using LvsAdmin.Configuration;

namespace LvsAdmin.Commands;

/// <summary>
/// Compares a desired configuration with the live IPVS table and returns the plan: the steps (Add, Update, Remove)
/// that Set-LvsConfiguration would execute, in its order. Nothing is changed; no output means no difference. With
/// -Session each director's plan, its steps named by PSComputerName.
/// </summary>
[Cmdlet(VerbsData.Compare, "LvsConfiguration", DefaultParameterSetName = PathSet)]
[OutputType(typeof(PlanStep))]
public sealed class CompareLvsConfigurationCommand : DesiredConfigurationCmdlet
{
    protected override void Process(LvsConfiguration desired)
    {
        if (!OnSessions)
        {
            WriteObject(PlanFor(desired, Prune, drain: false, RepairHealthState).Steps, enumerateCollection: true);
            return;
        }
        foreach (var run in RunOnSessions(Session, desired, "Compare-LvsConfiguration")) WriteObject(run.Output, enumerateCollection: true);
    }
}
