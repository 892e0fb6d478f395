using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Removes a virtual IP address from an interface over rtnetlink (ip address del). Addresses from
/// Get-LvsVirtualAddress can be piped in. With -Persist the address also leaves the persisted address script.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "LvsVirtualAddress", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(HostChange))]
public sealed class RemoveLvsVirtualAddressCommand : HostChangeCmdlet
{
    /// <summary>The addresses to remove (192.0.2.10, 2001:db8::10, 192.0.2.10/24), each on its own. Binds from the Address property of piped addresses.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Address { get; set; } = [];

    /// <summary>Only remove the address if it has this prefix length. Binds from the PrefixLength property.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, 128)]
    public int PrefixLength { get; set; }

    /// <summary>The interface the address is on; default lo. Binds from the InterfaceName property.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string InterfaceName { get; set; } = "lo";

    protected override void ProcessRecord()
    {
        int? prefix = Given(nameof(PrefixLength)) ? PrefixLength : null;
        foreach (var text in Address)
        {
            var plan = Plan(text, () => Setup.PlanRemoveAddress(text, prefix, InterfaceName, Persist));
            if (plan is not null) ApplyAndPassThru(plan);
        }
    }
}
