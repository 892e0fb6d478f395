using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Adds a real server to a virtual service (ipvsadm -a). Settings not given take ipvsadm's defaults (DirectRouting,
/// weight 1). With -Force an existing real server is updated in place to exactly the given settings (SET_DEST: its
/// connections stay), so the command can be run again with the same result.
/// </summary>
[Cmdlet(VerbsCommon.Add, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RealServer))]
public sealed class AddLvsRealServerCommand : RealServerSettingsCmdlet
{
    /// <summary>
    /// If the real server exists, set it to the given settings (defaults for the rest) instead of failing with
    /// ResourceExists. Its connections are kept.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        RealServer? spec = null;
        if (!Try(IdentityText, () =>
            {
                var (service, server) = GetIdentity();
                spec = GetSettings().CreateRealServer(service, server);
            })) return;
        var target = RealServerTarget(spec!.Service, spec.Key);
        if (!ShouldProcess(target, Force ? "Add real server, or update it if it exists (ipvsadm -a / -e)" : "Add real server (ipvsadm -a)")) return;
        var ok = Try(spec, () =>
        {
            try
            {
                Client.AddRealServer(spec);
            }
            catch (RealServerAlreadyExistsException) when (Force)
            {
                WriteVerbose($"Real server {spec} exists; updating it in place (-Force).");
                Client.UpdateRealServer(spec);
            }
        });
        if (ok && PassThru) Try(spec, () => WriteObject(Find(spec.Service, spec.Key) ?? spec));
    }
}
