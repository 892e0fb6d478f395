using System.Management.Automation;
using LvsAdmin.Ipvs;
using LvsAdmin.Requests;

namespace LvsAdmin.Commands;

/// <summary>
/// Sets IPVS connection timeouts (ipvsadm --set). Only the timeouts given change: the others are sent as 0, which
/// the kernel reads as "leave unchanged".
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsTimeout", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsTimeouts))]
public sealed class SetLvsTimeoutCommand : LvsCmdlet
{
    /// <summary>Timeout of established TCP connections, in seconds (1 to 2678400). Binds from the Tcp property of piped timeouts.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Tcp")]
    public uint TcpTimeout { get; set; }

    /// <summary>Timeout of TCP connections after the client's FIN, in seconds (1 to 2678400). Binds from the TcpFin property.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("TcpFin")]
    public uint TcpFinTimeout { get; set; }

    /// <summary>Timeout of UDP connection entries, in seconds (1 to 2678400). Binds from the Udp property.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Udp")]
    public uint UdpTimeout { get; set; }

    /// <summary>Write the timeouts as they are afterwards to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        IpvsTimeouts? change = null;
        if (!Try("IPVS", () => change = TimeoutSettings.Create(
                Given(nameof(TcpTimeout)) ? TcpTimeout : null,
                Given(nameof(TcpFinTimeout)) ? TcpFinTimeout : null,
                Given(nameof(UdpTimeout)) ? UdpTimeout : null))) return;
        var text = $"tcp {Show(change!.Tcp)}, tcpfin {Show(change.TcpFin)}, udp {Show(change.Udp)}";
        if (!ShouldProcess(Target("IPVS timeouts"), "Set timeouts (ipvsadm --set): " + text)) return;
        if (!Try("IPVS", () => Client.SetTimeouts(change))) return;
        if (PassThru) Try("IPVS", () => WriteObject(Client.GetTimeouts()));
    }

    private static string Show(uint seconds) => seconds == 0 ? "unchanged" : seconds + "s";
}
