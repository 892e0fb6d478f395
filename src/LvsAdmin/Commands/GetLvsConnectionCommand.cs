using System;
using System.Management.Automation;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.Commands;

/// <summary>
/// Gets entries of the IPVS connection table (ipvsadm -Lnc), streamed, optionally only those of a virtual service, a
/// real server, a client or in given states.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsConnection")]
[OutputType(typeof(IpvsConnection))]
public sealed class GetLvsConnectionCommand : LvsCmdlet
{
    /// <summary>
    /// Only connections to this virtual service (tcp/10.0.0.1:80; port 0 matches every port). Firewall-mark services
    /// cannot be told apart in the table. Binds from the Service property of piped objects.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary>Only connections forwarded to this real server: an address, or address:port (10.0.0.2:80, [2001:db8::2]:80).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RealServer { get; set; }

    /// <summary>Only connections from this client: an address, or address:port.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientAddress { get; set; }

    /// <summary>Only connections in these states (ESTABLISHED, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, NONE, UDP, ...).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? State { get; set; }

    protected override void ProcessRecord()
    {
        ConnectionFilter? filter = null;
        if (!Try(Service, () => filter = ConnectionFilter.Create(Service, RealServer, ClientAddress, State))) return;
        try
        {
            foreach (var c in ConnectionTable.Read(NetworkNamespace))
            {
                if (Stopping) return;
                if (filter!.Matches(c)) WriteObject(c);
            }
        }
        catch (Exception e) when (e is IpvsException or NetlinkException or System.IO.IOException or UnauthorizedAccessException)
        {
            // Reading the table is setup: when it fails it fails for every item.
            var record = e is IpvsException or NetlinkException
                ? ErrorRecords.From(e, "IPVS")
                : new ErrorRecord(e, "ConnectionTableUnreadable", ErrorCategory.ReadError, "IPVS");
            ThrowTerminatingError(record);
        }
    }
}
