using System.Management.Automation;

namespace LvsAdmin.Commands;

/// <summary>Deletes every virtual service and real server (ipvsadm -C).</summary>
[Cmdlet(VerbsCommon.Clear, "LvsVirtualService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class ClearLvsVirtualServiceCommand : LvsCmdlet
{
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Target("the IPVS table (every virtual service and real server)"), "Clear (ipvsadm -C)")) return;
        Try("IPVS", () => Client.Flush());
    }
}
