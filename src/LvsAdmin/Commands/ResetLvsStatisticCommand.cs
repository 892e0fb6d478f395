using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>Zeroes the packet, byte and connection counters (ipvsadm -Z) of one virtual service, or of all.</summary>
[Cmdlet(VerbsCommon.Reset, "LvsStatistic", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class ResetLvsStatisticCommand : LvsCmdlet
{
    /// <summary>
    /// The virtual service whose counters to zero (tcp/10.0.0.1:80, fwm/100, ...); every service when omitted. Binds
    /// from the Service property of piped objects.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    protected override void ProcessRecord()
    {
        if (Service is null)
        {
            if (ShouldProcess(Target("every virtual service"), "Zero counters (ipvsadm -Z)")) Try("IPVS", () => Client.Zero());
            return;
        }
        ServiceKey? key = null;
        if (!Try(Service, () => key = ServiceKey.Parse(Service))) return;
        if (ShouldProcess(Target(key!.ToString()), "Zero counters (ipvsadm -Z)")) Try(key, () => Client.Zero(key));
    }
}
