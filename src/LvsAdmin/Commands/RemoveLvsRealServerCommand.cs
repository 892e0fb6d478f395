using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>Deletes a real server from a virtual service (ipvsadm -d); its connections are dropped.</summary>
[Cmdlet(VerbsCommon.Remove, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveLvsRealServerCommand : RealServerIdentityCmdlet
{
    protected override void ProcessRecord()
    {
        ServiceKey? service = null;
        RealServerKey? server = null;
        if (!Try(IdentityText, () => (service, server) = GetIdentity())) return;
        if (!ShouldProcess(RealServerTarget(service!, server!), "Delete real server (ipvsadm -d)")) return;
        Try(service + " -> " + server, () => Client.DeleteRealServer(service!, server!));
    }
}
