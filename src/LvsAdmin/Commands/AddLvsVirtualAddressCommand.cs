using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Adds a virtual IP address to an interface over rtnetlink (ip address add / ifconfig IF:N VIP up): by default to
/// lo as a host address (/32, /128), as DR real servers need it. Idempotent: an address already on the interface
/// with that prefix is left alone. An address on another interface is the error AddressOnOtherInterface unless -Force
/// moves it.
/// </summary>
[Cmdlet(VerbsCommon.Add, "LvsVirtualAddress", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(InterfaceAddress))]
public sealed class AddLvsVirtualAddressCommand : HostChangeCmdlet
{
    /// <summary>The addresses to add (also from the pipeline, as text): 192.0.2.10, 2001:db8::10, or with a prefix, 192.0.2.10/24.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string[] Address { get; set; } = [];

    /// <summary>The prefix length, 0 to 32 (IPv4) or 128 (IPv6); default 32 or 128, a host address.</summary>
    [Parameter]
    [ValidateRange(0, 128)]
    public int PrefixLength { get; set; }

    /// <summary>The interface that gets the addresses; default lo.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string InterfaceName { get; set; } = "lo";

    /// <summary>An IPv4 label, the interface name followed by a colon and a suffix (lo:0, eth0:vip), as ifconfig aliases show.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Label { get; set; }

    /// <summary>Move an address that is on another interface to this one instead of failing with AddressOnOtherInterface.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var text in Address)
        {
            if (Stopping) return;
            int? prefix = Given(nameof(PrefixLength)) ? PrefixLength : null;
            var plan = Plan(text, () => Setup.PlanAddAddress(text, prefix, InterfaceName, Label, Force, Persist));
            if (plan is null) continue;
            ApplyPlan(plan);
            if (!PassThru) continue;
            // The address as the kernel has it now (also when it was there already).
            Try(text, () =>
            {
                var (address, _) = HostValidation.ParseAddress(text, prefix);
                foreach (var a in Setup.Route.GetAddresses(InterfaceName))
                    if (a.Address.Equals(address)) WriteObject(a);
            });
        }
    }
}
