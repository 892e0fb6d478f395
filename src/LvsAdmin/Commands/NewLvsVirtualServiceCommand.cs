using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Creates a virtual service (ipvsadm -A). Settings not given take ipvsadm's defaults (scheduler wlc, not
/// persistent). With -Force an existing service is updated in place to exactly the given settings (SET_SERVICE:
/// its real servers and connections stay), so the command can be run again and again with the same result.
/// </summary>
[Cmdlet(VerbsCommon.New, "LvsVirtualService", DefaultParameterSetName = ServiceSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VirtualService))]
public sealed class NewLvsVirtualServiceCommand : ServiceSettingsCmdlet
{
    /// <summary>
    /// If the service exists, set it to the given settings (defaults for the rest) instead of failing with
    /// ResourceExists. Real servers and connections are kept.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        VirtualService? spec = null;
        if (!Try(ServiceText, () => spec = GetSettings().CreateService(GetServiceKey()))) return;
        var key = spec!.Key;
        if (!ShouldProcess(Target(key.ToString()), Force ? "Create or update virtual service (ipvsadm -A, or -E if it exists)" : "Create virtual service (ipvsadm -A)"))
            return;
        var ok = Try(key, () =>
        {
            try
            {
                Client.AddService(spec);
            }
            catch (ServiceAlreadyExistsException) when (Force)
            {
                WriteVerbose($"Virtual service {key} exists; updating it in place (-Force).");
                Client.UpdateService(spec);
            }
        });
        if (ok && PassThru) Try(key, () => WriteObject(Client.GetService(key) ?? spec));
    }
}
