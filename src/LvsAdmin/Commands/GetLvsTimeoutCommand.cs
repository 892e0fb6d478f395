using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>Gets the IPVS connection timeouts for TCP, TCP FIN_WAIT and UDP, in seconds (ipvsadm -L --timeout).</summary>
[Cmdlet(VerbsCommon.Get, "LvsTimeout")]
[OutputType(typeof(IpvsTimeouts))]
public sealed class GetLvsTimeoutCommand : LvsCmdlet
{
    protected override void ProcessRecord()
    {
        IpvsTimeouts? t = null;
        if (Try("IPVS", () => t = Client.GetTimeouts())) WriteObject(t);
    }
}
