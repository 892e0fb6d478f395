using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Undoes Initialize-LvsDirector: from its undo record, puts back each sysctl's value from before (IP forwarding,
/// send_redirects, IPVS sysctls) and removes only the VIPs it added. Without a record it puts the kernel defaults
/// back: the -VirtualAddress addresses leave -InterfaceName, send_redirects=1, and for Nat IP forwarding off. Virtual
/// services are not touched (Clear-LvsVirtualService).
/// </summary>
[Cmdlet(VerbsCommon.Reset, "LvsDirector", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(HostChange))]
public sealed class ResetLvsDirectorCommand : HostChangeCmdlet
{
    /// <summary>Without an undo record: the mode that was set up by hand (Nat, DirectRouting or Tunnel).</summary>
    [Parameter(Position = 0)]
    public DirectorMode Mode { get; set; }

    /// <summary>Without an undo record: the virtual IP addresses to remove from -InterfaceName.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[]? VirtualAddress { get; set; }

    /// <summary>Without an undo record: the interface that has the VIPs (required then).</summary>
    [Parameter(Position = 2)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string? InterfaceName { get; set; }

    protected override void ProcessRecord()
    {
        DirectorSetup? fallback = Given(nameof(Mode)) || VirtualAddress is not null || InterfaceName is not null
            ? new DirectorSetup { Mode = Mode, VirtualAddresses = VirtualAddress ?? [], InterfaceName = InterfaceName ?? "", Persist = Persist }
            : null;
        var plan = Plan("director setup", () => Setup.PlanResetDirector(fallback, Persist));
        if (plan is not null) ApplyAndPassThru(plan);
    }
}
