using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>Deletes a virtual service with its real servers (ipvsadm -D).</summary>
[Cmdlet(VerbsCommon.Remove, "LvsVirtualService", DefaultParameterSetName = ServiceSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveLvsVirtualServiceCommand : ServiceIdentityCmdlet
{
    protected override void ProcessRecord()
    {
        ServiceKey? key = null;
        if (!Try(ServiceText, () => key = GetServiceKey())) return;
        if (!ShouldProcess(Target(key!.ToString()), "Delete virtual service and its real servers (ipvsadm -D)")) return;
        Try(key, () => Client.DeleteService(key));
    }
}
