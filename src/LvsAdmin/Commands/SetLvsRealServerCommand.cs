using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Changes a real server in place (ipvsadm -e): only the settings given change, the rest is kept; its connections
/// stay. Typical: Get-LvsRealServer -Address 10.0.0.2 | Set-LvsRealServer -Weight 0 to drain a server.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RealServer))]
public sealed class SetLvsRealServerCommand : RealServerSettingsCmdlet
{
    protected override void ProcessRecord()
    {
        RealServer? current = null;
        if (!Try(IdentityText, () =>
            {
                var (service, server) = GetIdentity();
                current = Find(service, server) ?? throw new RealServerNotFoundException(service, server);
            })) return;
        RealServer? updated = null;
        if (!Try(current, () => updated = GetSettings().ApplyTo(current!))) return;
        if (updated!.Equals(current))
        {
            WriteVerbose($"Real server {current} already has these settings.");
        }
        else
        {
            if (!ShouldProcess(RealServerTarget(updated.Service, updated.Key), "Edit real server (ipvsadm -e)")) return;
            if (!Try(updated, () => Client.UpdateRealServer(updated))) return;
        }
        if (PassThru) Try(updated, () => WriteObject(Find(updated.Service, updated.Key) ?? updated));
    }
}
