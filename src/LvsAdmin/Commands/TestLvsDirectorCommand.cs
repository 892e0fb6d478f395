using System.Collections;
using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Checks that this host is set up as an LVS director for the VIPs and mode and returns one finding per check
/// (Check, Target, Passed, Expected, Actual, Message, Fix). -Quiet returns $true when every check passed. Changes
/// nothing.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LvsDirector")]
[OutputType(typeof(HostFinding), typeof(bool))]
public sealed class TestLvsDirectorCommand : HostTestCmdlet
{
    /// <summary>The forwarding method of the real servers: Nat, DirectRouting or Tunnel.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public DirectorMode Mode { get; set; }

    /// <summary>The virtual IP addresses the director must have (192.0.2.10, 192.0.2.10/24, 2001:db8::10).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] VirtualAddress { get; set; } = [];

    /// <summary>The interface that must have the VIPs (eth0).</summary>
    [Parameter(Mandatory = true, Position = 2)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string InterfaceName { get; set; } = "";

    /// <summary>IPVS sysctls that must have these values, by name or property name: @{ ExpireNodestConn = 1 }.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? IpvsSysctl { get; set; }

    protected override void ProcessRecord()
    {
        var setup = new DirectorSetup
        {
            Mode = Mode, VirtualAddresses = VirtualAddress, InterfaceName = InterfaceName,
            IpvsSettings = SysctlValues(IpvsSysctl),
        };
        WriteFindings(VirtualAddress, () => Setup.TestDirector(setup));
    }
}
