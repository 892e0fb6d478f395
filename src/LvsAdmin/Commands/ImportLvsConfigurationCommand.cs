using System.Management.Automation;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Commands;

/// <summary>
/// Reads a configuration file (a JSON document or ipvsadm rules, detected from the content) and brings the live IPVS
/// table to it, the safe replacement of ipvsadm-restore: no flush, only the differences, rollback on failure. A bad
/// line stops it with its line number before anything is applied.
/// </summary>
[Cmdlet(VerbsData.Import, "LvsConfiguration", SupportsShouldProcess = true)]
[OutputType(typeof(ApplyResult))]
public sealed class ImportLvsConfigurationCommand : ConfigurationCmdlet
{
    /// <summary>The configuration file; relative paths and ~ are resolved by PowerShell; no wildcards.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The file's format (Json, Ipvsadm or Keepalived); detected from its content when omitted.</summary>
    [Parameter]
    public ConfigurationFormat Format { get; set; }

    /// <summary>Also remove the live virtual services the file does not name (what ipvsadm-restore's flush did, without cutting the others' connections).</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    /// <summary>Drain the real servers that are removed (weight 0, wait for their connections to end, then remove) instead of removing them at once.</summary>
    [Parameter]
    public SwitchParameter Drain { get; set; }

    /// <summary>How long to wait for a drained real server's connections to end, in seconds (default 300); implies -Drain.</summary>
    [Parameter]
    public uint DrainTimeout { get; set; } = 300;

    /// <summary>Write the result: Changed, Succeeded, RolledBack, the plan and the steps done.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var desired = LoadFile(Path, Given(nameof(Format)) ? Format : null);
        Apply(desired, Prune, Drain || Given(nameof(DrainTimeout)), DrainTimeout, PassThru);
        base.EndProcessing();
    }
}
