using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Sets the ARP behaviour a direct-routing or tunnel real server needs so that it does not answer ARP for the VIP
/// on lo: net.ipv4.conf.{all,lo,IF}.arp_ignore=1 and arp_announce=2. -Reset puts back the kernel defaults (0 and 0).
/// IPv4 only: IPv6 has no ARP, and neighbour discovery does not answer for an address on lo.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsRealServerArp", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(HostChange))]
public sealed class SetLvsRealServerArpCommand : HostChangeCmdlet
{
    /// <summary>
    /// The interfaces that get the settings besides all and lo (eth0, ens3). Default: every interface that is up, is
    /// not a loopback or tunnel, and has an IPv4 address.
    /// </summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string[]? InterfaceName { get; set; }

    /// <summary>Put back the kernel defaults, arp_ignore=0 and arp_announce=0 (undo).</summary>
    [Parameter]
    public SwitchParameter Reset { get; set; }

    protected override void ProcessRecord()
    {
        var plan = Plan("ARP settings", () => Setup.PlanArp(InterfaceName, Reset, Persist));
        if (plan is not null) ApplyAndPassThru(plan);
    }
}
