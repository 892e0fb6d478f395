using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Undoes Initialize-LvsRealServer: from its undo record, puts back each sysctl's value from before, removes only
/// the addresses it added and sets down the links it brought up. Without a record (another machine, a manual setup)
/// it sets arp_ignore/arp_announce back to 0 and removes the -VirtualAddress addresses if they are there.
/// </summary>
[Cmdlet(VerbsCommon.Reset, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(HostChange))]
public sealed class ResetLvsRealServerCommand : HostChangeCmdlet
{
    /// <summary>Without an undo record: the mode that was set up by hand (DirectRouting or Tunnel).</summary>
    [Parameter(Position = 0)]
    public RealServerMode Mode { get; set; }

    /// <summary>Without an undo record: the virtual IP addresses to remove from lo (or tunl0/ip6tnl0).</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[]? VirtualAddress { get; set; }

    /// <summary>Without an undo record: the interfaces whose ARP settings go back to 0 besides all and lo.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string[]? InterfaceName { get; set; }

    protected override void ProcessRecord()
    {
        RealServerSetup? fallback = Given(nameof(Mode)) || VirtualAddress is not null || InterfaceName is not null
            ? new RealServerSetup { Mode = Mode, VirtualAddresses = VirtualAddress ?? [], InterfaceNames = InterfaceName, Persist = Persist }
            : null;
        var plan = Plan("real server setup", () => Setup.PlanResetRealServer(fallback, Persist));
        if (plan is not null) ApplyAndPassThru(plan);
    }
}
