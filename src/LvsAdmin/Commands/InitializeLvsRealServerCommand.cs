using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Sets up this host as a direct-routing or tunnel real server in one idempotent step: the VIPs as host addresses on
/// lo (DirectRouting) or tunl0/ip6tnl0 (Tunnel, created when missing), the ARP settings (arp_ignore=1,
/// arp_announce=2) and for Tunnel rp_filter=0. It keeps an undo record for Reset-LvsRealServer; -Persist also writes
/// the settings to survive a reboot.
/// </summary>
[Cmdlet(VerbsData.Initialize, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(HostChange))]
public sealed class InitializeLvsRealServerCommand : HostChangeCmdlet
{
    /// <summary>How the director forwards to this real server: DirectRouting or Tunnel.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public RealServerMode Mode { get; set; }

    /// <summary>The virtual IP addresses of the services (192.0.2.10, 2001:db8::10); IPv4 and IPv6 may be mixed.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] VirtualAddress { get; set; } = [];

    /// <summary>
    /// The interfaces that get the ARP settings besides all and lo. Default: every interface that is up, is not a
    /// loopback or tunnel, and has an IPv4 address.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string[]? InterfaceName { get; set; }

    protected override void ProcessRecord()
    {
        var setup = new RealServerSetup { Mode = Mode, VirtualAddresses = VirtualAddress, InterfaceNames = InterfaceName, Persist = Persist };
        var plan = Plan(string.Join(", ", VirtualAddress), () => Setup.PlanRealServer(setup));
        if (plan is not null) ApplyAndPassThru(plan);
    }
}
