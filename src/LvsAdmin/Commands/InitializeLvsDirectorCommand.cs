using System.Collections;
using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Sets up this host as an LVS director in one idempotent step: the VIPs on -InterfaceName, IP forwarding for Nat
/// (net.ipv4.ip_forward, net.ipv6.conf.all.forwarding for IPv6 VIPs), ICMP redirects off, and optional IPVS
/// sysctls. It keeps an undo record for Reset-LvsDirector; -Persist also writes the settings to survive a reboot.
/// The virtual services themselves are made with New-LvsVirtualService and Add-LvsRealServer.
/// </summary>
[Cmdlet(VerbsData.Initialize, "LvsDirector", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(HostChange))]
public sealed class InitializeLvsDirectorCommand : HostChangeCmdlet
{
    /// <summary>The forwarding method of the real servers: Nat, DirectRouting or Tunnel.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public DirectorMode Mode { get; set; }

    /// <summary>The virtual IP addresses (192.0.2.10 as /32, or 192.0.2.10/24 as an alias in the interface's subnet; IPv6 too).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] VirtualAddress { get; set; } = [];

    /// <summary>The interface the clients reach the VIPs on (eth0).</summary>
    [Parameter(Mandatory = true, Position = 2)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string InterfaceName { get; set; } = "";

    /// <summary>An IPv4 label for the VIPs, the interface name, a colon and a suffix (eth0:0), as ifconfig aliases show.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Label { get; set; }

    /// <summary>IPVS sysctls to set as well, by name or property name: @{ ExpireNodestConn = 1; Conntrack = $true }.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? IpvsSysctl { get; set; }

    protected override void ProcessRecord()
    {
        var setup = new DirectorSetup
        {
            Mode = Mode, VirtualAddresses = VirtualAddress, InterfaceName = InterfaceName, Label = Label,
            IpvsSettings = SysctlValues(IpvsSysctl), Persist = Persist,
        };
        var plan = Plan(string.Join(", ", VirtualAddress), () => Setup.PlanDirector(setup));
        if (plan is not null) ApplyAndPassThru(plan);
    }
}
