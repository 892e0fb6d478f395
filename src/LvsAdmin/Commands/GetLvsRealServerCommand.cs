using System.Collections.Generic;
using System.Management.Automation;
using LvsAdmin.Ipvs;
using LvsAdmin.Requests;

namespace LvsAdmin.Commands;

/// <summary>
/// Gets real servers (ipvsadm -L): of the services named by -Service (or piped in), or of every service, optionally
/// only those at -Address / -Port.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsRealServer", DefaultParameterSetName = ServiceSet)]
[OutputType(typeof(RealServer))]
public sealed class GetLvsRealServerCommand : LvsCmdlet
{
    private const string ServiceSet = "Service";
    private const string InputObjectSet = "InputObject";

    /// <summary>
    /// The virtual services whose real servers to get (tcp/10.0.0.1:80, fwm/100, ...); every service when omitted.
    /// Binds from the Service property of piped real servers and deserialized virtual services (a live virtual service
    /// binds -InputObject).
    /// </summary>
    [Parameter(ParameterSetName = ServiceSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>
    /// A virtual service piped from Get-LvsVirtualService (bound by value, so PowerShell need not look up its Service
    /// property): its real servers. Straight from Get-LvsVirtualService in the same pipeline, they are the ones it
    /// has just read with the service (<see cref="ServiceInFlight"/>); otherwise they are read from the kernel.
    /// </summary>
    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    public VirtualService? InputObject { get; set; }

    /// <summary>
    /// Only real servers at this address; it may carry the port (10.0.0.2:8080, [2001:db8::2]:443). Not bound from
    /// the pipeline, so a piped virtual service's own address does not become a filter.
    /// </summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Address { get; set; }

    /// <summary>Only real servers on this port.</summary>
    [Parameter]
    public long Port { get; set; }

    private RealServerFilter? _filter;

    protected override void BeginProcessing()
    {
        try
        {
            _filter = RealServerFilter.Create(Address, Given(nameof(Port)) ? Port : null);
        }
        catch (IpvsValidationException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Address));
        }
    }

    protected override void ProcessRecord()
    {
        if (InputObject is { } piped)
        {
            if (Stopping) return;
            var list = ServiceInFlight.RealServersOf(piped, NetworkNamespace);
            if (list is null && !Try(piped.Key, () => list = Client.GetRealServers(piped.Key))) return;
            Write(list!);
            return;
        }
        if (Service is { Length: > 0 })
        {
            foreach (var text in Service)
            {
                if (Stopping) return;
                List<RealServer>? list = null;
                if (!Try(text, () => list = Client.GetRealServers(ServiceKey.Parse(text)))) continue;
                Write(list!);
            }
            return;
        }
        List<VirtualService>? services = null;
        if (!Try("IPVS", () => services = Client.GetServices())) return;
        // ipvsadm's order (IpvsOrder): the services, then each one's real servers.
        IpvsOrder.SortServices(services!);
        foreach (var s in services!)
        {
            if (Stopping) return;
            List<RealServer>? list = null;
            try
            {
                list = Client.GetRealServers(s.Key);
            }
            catch (ServiceNotFoundException)
            {
                continue; // deleted since it was listed
            }
            catch (System.Exception e) when (e is IpvsException or Netlink.NetlinkException)
            {
                WriteFailure(e, s.Key);
                continue;
            }
            Write(list);
        }
    }

    private void Write(List<RealServer> list)
    {
        IpvsOrder.SortRealServers(list);
        foreach (var r in list)
            if (_filter!.Matches(r)) WriteObject(r);
    }
}
