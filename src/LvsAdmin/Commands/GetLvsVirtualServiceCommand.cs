using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LvsAdmin.Ipvs;
using LvsAdmin.Requests;

namespace LvsAdmin.Commands;

/// <summary>
/// Gets virtual services (ipvsadm -L): all, the ones named by -Service, or those matching -Protocol, -Address, -Port,
/// -FirewallMark and -AddressFamily. Each service carries its real servers in a RealServers property, so the default
/// view lists them under it, as ipvsadm -Ln does.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsVirtualService", DefaultParameterSetName = ServiceSet)]
[OutputType(typeof(VirtualService))]
public sealed class GetLvsVirtualServiceCommand : LvsCmdlet
{
    private const string ServiceSet = "Service";
    private const string AddressSet = "Address";
    private const string FirewallMarkSet = "FirewallMark";

    /// <summary>
    /// The virtual services to get, as text: tcp/10.0.0.1:80, udp/[2001:db8::1]:53, fwm/100. A named service that
    /// does not exist is an error. Binds from the Service property of piped objects.
    /// </summary>
    [Parameter(ParameterSetName = ServiceSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Only services of this protocol (Tcp, Udp or Sctp).</summary>
    [Parameter(ParameterSetName = AddressSet)]
    public IpvsProtocol Protocol { get; set; }

    /// <summary>Only services on this virtual address (it may carry the port: 10.0.0.1:80).</summary>
    [Parameter(ParameterSetName = AddressSet)]
    [ValidateNotNullOrEmpty]
    public string? Address { get; set; }

    /// <summary>Only services on this virtual port.</summary>
    [Parameter(ParameterSetName = AddressSet)]
    public long Port { get; set; }

    /// <summary>Only the firewall-mark service with this mark.</summary>
    [Parameter(ParameterSetName = FirewallMarkSet, Mandatory = true)]
    [ValidateRange(1u, uint.MaxValue)]
    public uint FirewallMark { get; set; }

    /// <summary>Only services of this address family (IPv4 or IPv6).</summary>
    [Parameter]
    public IpvsAddressFamily AddressFamily { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ServiceSet && Service is { Length: > 0 })
        {
            foreach (var text in Service)
            {
                ServiceKey? key = null;
                VirtualService? found = null;
                List<RealServer>? reals = null;
                if (!Try(text, () =>
                    {
                        key = ServiceKey.Parse(text);
                        found = Client.GetService(key);
                        if (found is not null && (!Given(nameof(AddressFamily)) || found.AddressFamily == AddressFamily))
                        {
                            reals = Client.GetRealServers(key);
                            IpvsOrder.SortRealServers(reals);
                        }
                    })) continue;
                if (found is null)
                {
                    WriteFailure(new ServiceNotFoundException(key!), key);
                    continue;
                }
                if (reals is not null) WriteService(found, reals);
            }
            return;
        }
        ServiceFilter? filter = null;
        List<VirtualService>? services = null;
        if (!Try(null, () =>
            {
                filter = ServiceFilter.Create(
                    Given(nameof(Protocol)) ? Protocol : null,
                    Address,
                    Given(nameof(Port)) ? Port : null,
                    Given(nameof(FirewallMark)) ? FirewallMark : null,
                    Given(nameof(AddressFamily)) ? AddressFamily : null);
                services = Client.GetServices();
            })) return;
        // Listed in ipvsadm's order (IpvsOrder), services and each one's real servers, not in the kernel's hash order.
        IpvsOrder.SortServices(services!);
        foreach (var s in services!)
        {
            if (Stopping) return;
            if (!filter!.Matches(s)) continue;
            List<RealServer>? reals = null;
            // A service removed since the listing has an empty real-server dump: it is still written, as listed.
            if (Try(s.Key, () =>
                {
                    reals = Client.EnumerateRealServers(s.Key).ToList();
                    IpvsOrder.SortRealServers(reals);
                })) WriteService(s, reals!);
        }
    }

    private void WriteService(VirtualService service, List<RealServer> realServers)
    {
        var item = ToOutput(service, realServers);
        // In flight while it is written, so that a Get-LvsRealServer further down this pipeline takes its real servers.
        ServiceInFlight.Write(service, (RealServer[])item.Properties["RealServers"].Value, NetworkNamespace, () => WriteObject(item));
    }

    /// <summary>
    /// What this cmdlet writes for a service: the service with its real servers as the RealServers note property (a
    /// RealServer[]), which the default view lists under it. Public so that the host tests format exactly this shape.
    /// </summary>
    public static PSObject ToOutput(VirtualService service, IEnumerable<RealServer> realServers)
    {
        var item = new PSObject(service);
        item.Properties.Add(new PSNoteProperty("RealServers", realServers.ToArray()));
        return item;
    }
}
