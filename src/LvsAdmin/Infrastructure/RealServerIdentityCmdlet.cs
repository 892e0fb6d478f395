using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Base of the cmdlets that act on one real server: -Service, -Address and -Port, all bindable by property name from
/// real server objects (live or deserialized: they bind as text).
/// </summary>
public abstract class RealServerIdentityCmdlet : LvsCmdlet
{
    /// <summary>
    /// The virtual service as text (tcp/10.0.0.1:80, udp/[2001:db8::1]:53, fwm/100). Binds from the Service property
    /// of piped real server and virtual service objects.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Service { get; set; } = "";

    /// <summary>The real server's IP address; it may carry the port, as in 10.0.0.2:8080 or [2001:db8::2]:443.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = "";

    /// <summary>The real server's port; the service's port when omitted (ipvsadm's rule).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public long Port { get; set; }

    /// <summary>Parses the service and real server identity. Throws IpvsValidationException for bad text.</summary>
    protected (ServiceKey Service, RealServerKey Server) GetIdentity()
    {
        var key = ServiceKey.Parse(Service);
        return (key, IpvsNames.RealServerFromParts(key, Address, Given(nameof(Port)) ? Port : null));
    }

    /// <summary>Text naming the real server before it could be parsed.</summary>
    protected string IdentityText => Service + " -> " + Address + (Given(nameof(Port)) ? " port " + Port : "");

    /// <summary>The ShouldProcess target for a real server: "tcp/10.0.0.1:80 -> 10.0.0.2:80".</summary>
    protected string RealServerTarget(ServiceKey service, RealServerKey server) => Target(service + " -> " + server);

    /// <summary>The real server as the kernel has it now, or null.</summary>
    protected RealServer? Find(ServiceKey service, RealServerKey server) =>
        Client.GetRealServers(service).Find(r => r.Key.Equals(server));
}
