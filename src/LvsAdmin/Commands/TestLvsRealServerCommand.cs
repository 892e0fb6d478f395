using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Checks that this host is set up as a direct-routing or tunnel real server for the VIPs and returns one finding
/// per check (Check, Target, Passed, Expected, Actual, Message, Fix). -Quiet returns $true when every check passed.
/// Changes nothing.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LvsRealServer")]
[OutputType(typeof(HostFinding), typeof(bool))]
public sealed class TestLvsRealServerCommand : HostTestCmdlet
{
    /// <summary>How the director forwards to this real server: DirectRouting or Tunnel.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public RealServerMode Mode { get; set; }

    /// <summary>The virtual IP addresses the real server must accept (192.0.2.10, 2001:db8::10).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] VirtualAddress { get; set; } = [];

    /// <summary>The interfaces whose ARP settings are checked besides all and lo; default as Initialize-LvsRealServer chooses them.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string[]? InterfaceName { get; set; }

    protected override void ProcessRecord()
    {
        var setup = new RealServerSetup { Mode = Mode, VirtualAddresses = VirtualAddress, InterfaceNames = InterfaceName };
        WriteFindings(VirtualAddress, () => Setup.TestRealServer(setup));
    }
}
