using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Changes a virtual service in place (ipvsadm -E): only the settings given change, the rest is kept; real servers
/// and connections stay.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsVirtualService", DefaultParameterSetName = ServiceSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VirtualService))]
public sealed class SetLvsVirtualServiceCommand : ServiceSettingsCmdlet
{
    protected override void ProcessRecord()
    {
        ServiceKey? key = null;
        VirtualService? current = null;
        if (!Try(ServiceText, () =>
            {
                key = GetServiceKey();
                current = Client.GetService(key) ?? throw new ServiceNotFoundException(key);
            })) return;
        VirtualService? updated = null;
        if (!Try(key, () => updated = GetSettings().ApplyTo(current!))) return;
        if (updated!.Equals(current))
        {
            WriteVerbose($"Virtual service {key} already has these settings.");
        }
        else
        {
            if (!ShouldProcess(Target(key!.ToString()), "Edit virtual service (ipvsadm -E)")) return;
            if (!Try(key, () => Client.UpdateService(updated))) return;
        }
        if (PassThru) Try(key, () => WriteObject(Client.GetService(key!) ?? updated));
    }
}
