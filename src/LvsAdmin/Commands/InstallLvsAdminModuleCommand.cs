using System;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace LvsAdmin.Commands;

/// <summary>
/// Copies this LvsAdmin module over PSSessions into each remote user's module path (Copy-Item -ToSession), as
/// LvsAdmin/VERSION, so the fleet cmdlets find the same version there. A host that already has this version is left
/// alone (Changed false) unless -Force. One result per host; one failing host is a non-terminating error for it.
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "LvsAdminModule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PSObject))]
public sealed class InstallLvsAdminModuleCommand : PSCmdlet
{
    /// <summary>The sessions to copy the module over.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public PSSession[] Session { get; set; } = [];

    /// <summary>The remote module directory to copy into; default the remote user's own (~/.local/share/powershell/Modules).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>Copy even when the host already has this version.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private const string Query = """
        param($Destination, $Version)
        if (-not $Destination) { $Destination = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'powershell/Modules' }
        $target = Join-Path $Destination "LvsAdmin/$Version"
        [pscustomobject]@{ Target = $target; Present = (Test-Path (Join-Path $target 'LvsAdmin.psd1')) }
        """;

    private const string Copy = """
        param($Session, $Source, $Target)
        Invoke-Command -Session $Session -ScriptBlock { param($t) New-Item -ItemType Directory -Force -Path $t | Out-Null } -ArgumentList $Target -ErrorAction Stop
        Copy-Item -Path (Join-Path $Source '*') -Destination $Target -ToSession $Session -Recurse -Force -ErrorAction Stop
        """;

    protected override void ProcessRecord()
    {
        var module = MyInvocation.MyCommand.Module;
        var version = module?.Version?.ToString() ?? typeof(InstallLvsAdminModuleCommand).Assembly.GetName().Version!.ToString(3);
        var source = module?.ModuleBase ?? System.IO.Path.GetDirectoryName(typeof(InstallLvsAdminModuleCommand).Assembly.Location)!;
        foreach (var s in Session)
        {
            try
            {
                using var q = PowerShell.Create(RunspaceMode.CurrentRunspace);
                q.AddCommand("Invoke-Command").AddParameter("Session", s).AddParameter("ScriptBlock", ScriptBlock.Create(Query))
                    .AddParameter("ArgumentList", new object?[] { Destination, version }).AddParameter("ErrorAction", ActionPreference.Stop);
                var info = q.Invoke().FirstOrDefault() ?? throw new InvalidOperationException("The host returned nothing.");
                var target = info.Properties["Target"].Value?.ToString() ?? "";
                var present = info.Properties["Present"].Value is true;
                var changed = false;
                if (present && !Force) WriteVerbose($"{s.ComputerName}: LvsAdmin {version} is already in {target}.");
                else if (ShouldProcess(s.ComputerName, $"Copy LvsAdmin {version} from {source} to {target}"))
                {
                    using var c = PowerShell.Create(RunspaceMode.CurrentRunspace);
                    c.AddScript(Copy).AddParameter("Session", s).AddParameter("Source", source).AddParameter("Target", target);
                    c.Invoke();
                    if (c.HadErrors) throw new InvalidOperationException(string.Join("; ", c.Streams.Error.Select(e => e.ToString())));
                    changed = true;
                }
                var result = new PSObject();
                result.Properties.Add(new PSNoteProperty("PSComputerName", s.ComputerName));
                result.Properties.Add(new PSNoteProperty("Version", version));
                result.Properties.Add(new PSNoteProperty("Path", target));
                result.Properties.Add(new PSNoteProperty("Changed", changed));
                WriteObject(result);
            }
            catch (Exception e) when (e is RuntimeException or InvalidOperationException)
            {
                WriteError(new ErrorRecord(e, "ModuleCopyFailed", ErrorCategory.WriteError, s.ComputerName)
                    { ErrorDetails = new ErrorDetails($"{s.ComputerName}: cannot copy LvsAdmin {version}: {e.Message}") });
            }
        }
    }
}
