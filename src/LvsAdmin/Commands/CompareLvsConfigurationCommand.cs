using System.Management.Automation;
using LvsAdmin.Configuration;

namespace LvsAdmin.Commands;

/// <summary>
/// Compares a desired configuration with the live IPVS table and returns the plan: the steps (Add, Update, Remove)
/// that Set-LvsConfiguration would execute, in its order. Nothing is changed; no output means no difference.
/// </summary>
[Cmdlet(VerbsData.Compare, "LvsConfiguration", DefaultParameterSetName = PathSet)]
[OutputType(typeof(PlanStep))]
public sealed class CompareLvsConfigurationCommand : DesiredConfigurationCmdlet
{
    protected override void Process(LvsConfiguration desired) =>
        WriteObject(PlanFor(desired, Prune, drain: false).Steps, enumerateCollection: true);
}
