using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Base of the cmdlets that act on one virtual service named by -Service (text, also from the pipeline), by
/// -Protocol/-Address/-Port, or by -FirewallMark/-AddressFamily.
/// </summary>
public abstract class ServiceIdentityCmdlet : LvsCmdlet
{
    protected const string ServiceSet = "Service";
    protected const string AddressSet = "Address";
    protected const string FirewallMarkSet = "FirewallMark";

    /// <summary>
    /// The virtual service as text: tcp/10.0.0.1:80, udp/[2001:db8::1]:53, sctp/10.0.0.1:5060, fwm/100 or
    /// fwm/100/ipv6. Binds from the Service property of piped virtual service and real server objects.
    /// </summary>
    [Parameter(ParameterSetName = ServiceSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Service { get; set; } = "";

    /// <summary>The protocol of the virtual service (Tcp, Udp or Sctp); Tcp when omitted.</summary>
    [Parameter(ParameterSetName = AddressSet)]
    public IpvsProtocol Protocol { get; set; } = IpvsProtocol.Tcp;

    /// <summary>The virtual IP address (IPv4 or IPv6); it may carry the port, as in 10.0.0.1:80 or [2001:db8::1]:443.</summary>
    [Parameter(ParameterSetName = AddressSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = "";

    /// <summary>The virtual port (0-65535; 0 means all ports and needs a persistent service).</summary>
    [Parameter(ParameterSetName = AddressSet)]
    public long Port { get; set; }

    /// <summary>The firewall mark (1-4294967295) that selects the traffic of a firewall-mark service.</summary>
    [Parameter(ParameterSetName = FirewallMarkSet, Mandatory = true)]
    [ValidateRange(1u, uint.MaxValue)]
    public uint FirewallMark { get; set; }

    /// <summary>The address family of a firewall-mark service (IPv4 or IPv6); IPv4 when omitted.</summary>
    [Parameter(ParameterSetName = FirewallMarkSet)]
    public IpvsAddressFamily AddressFamily { get; set; } = IpvsAddressFamily.IPv4;

    /// <summary>The service identity from whichever parameter set was used. Throws IpvsValidationException for bad text.</summary>
    protected ServiceKey GetServiceKey() => ParameterSetName switch
    {
        AddressSet => IpvsNames.ServiceFromParts(Protocol, Address, Given(nameof(Port)) ? Port : null),
        FirewallMarkSet => ServiceKey.ForFirewallMark(FirewallMark, AddressFamily),
        _ => ServiceKey.Parse(Service),
    };

    /// <summary>Text naming the service for messages and errors before it could be parsed.</summary>
    protected string ServiceText => ParameterSetName switch
    {
        AddressSet => Protocol.ToString().ToLowerInvariant() + "/" + Address + (Given(nameof(Port)) ? ":" + Port : ""),
        FirewallMarkSet => "fwm/" + FirewallMark,
        _ => Service,
    };
}
