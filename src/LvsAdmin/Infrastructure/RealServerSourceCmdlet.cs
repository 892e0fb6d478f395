using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Management.Automation;
using LvsAdmin.Configuration;
using LvsAdmin.HostSetup;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Base of the cmdlets that derive what each real server needs from the director's table: the live table (default,
/// needs IPVS here), a configuration document (-Configuration, e.g. from Get-LvsConfiguration or
/// Import-LvsConfiguration -PassThru) or a configuration file (-Path: JSON, ipvsadm rules, keepalived.conf), and the
/// VIPs of firewall-mark services (-FirewallMarkAddress). The work is done in EndProcessing, after the pipeline's
/// document has arrived.
/// </summary>
public abstract class RealServerSourceCmdlet : ConfigurationCmdlet
{
    /// <summary>The director's configuration document; default: the live table of this host (or -NetworkNamespace).</summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public LvsConfiguration? Configuration { get; set; }

    /// <summary>A configuration file of the director (JSON, ipvsadm-save rules or keepalived.conf) instead of the live table.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// The VIPs of firewall-mark services, which the table does not hold: a hashtable of mark to address(es), e.g.
    /// @{ 100 = '192.0.2.10', '192.0.2.11' }. A DR or TUN firewall-mark service without an entry is an error.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? FirewallMarkAddress { get; set; }

    /// <summary>
    /// The director's addresses, for the LVS-NAT check that each NAT real server routes its replies back through the
    /// director. Default: with the live table, this host's addresses (or -NetworkNamespace's); with -Path or
    /// -Configuration none are known, and NAT real servers are reported as not checkable until this is given.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? DirectorAddress { get; set; }

    /// <summary>
    /// The director's addresses for the NAT route check: -DirectorAddress (a bad one ends the command before any host
    /// is touched), else this host's when the table is the live one, else none.
    /// </summary>
    protected IReadOnlyList<IPAddress> DirectorAddresses()
    {
        if (DirectorAddress is not null)
        {
            var list = new List<IPAddress>();
            foreach (var text in DirectorAddress)
            {
                if (!IPAddress.TryParse(text, out var ip) || text.Contains('/'))
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-DirectorAddress '{text}' is not an IPv4 or IPv6 address."),
                        "InvalidDirectorAddress", ErrorCategory.InvalidArgument, text));
                list.Add(ip!);
            }
            return list;
        }
        if (!FromLiveTable) return Array.Empty<IPAddress>();
        try
        {
            using var route = RouteNetlinkClient.Open(NetworkNamespace);
            return route.GetAddresses().Select(a => a.Address).Where(a => !IPAddress.IsLoopback(a)).ToList();
        }
        catch (Exception e) when (e is IpvsException or Netlink.NetlinkException)
        {
            ThrowTerminatingError(ErrorRecords.From(e, (object?)NetworkNamespace ?? "host"));
            throw; // not reached
        }
    }

    private LvsConfiguration? _document;

    /// <summary>True when the table is this host's live one (no -Configuration, no -Path).</summary>
    protected bool FromLiveTable => _document is null && Path is null;

    /// <summary>Keeps the last document from the pipeline.</summary>
    protected override void ProcessRecord()
    {
        if (Configuration is not null) _document = Configuration;
    }

    /// <summary>
    /// The requirements of every real server of the table (DR, TUN and NAT). Bad input (both -Configuration and -Path,
    /// a firewall mark without VIPs, mixed methods) ends the command before any host is touched.
    /// </summary>
    protected IReadOnlyList<RealServerRequirement> Requirements()
    {
        if (_document is not null && Path is not null)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give the director's table as -Configuration or as -Path, not both."),
                "ConfigurationSourceConflict", ErrorCategory.InvalidArgument, Path));
        var document = _document ?? (Path is not null ? LoadFile(Path, null) : ReadLive(includeHost: false));
        try
        {
            return RealServerDerivation.Derive(document, Marks());
        }
        catch (IpvsException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, document));
            throw; // not reached
        }
    }

    private Dictionary<uint, IReadOnlyList<string>>? Marks()
    {
        if (FirewallMarkAddress is null) return null;
        var marks = new Dictionary<uint, IReadOnlyList<string>>();
        foreach (DictionaryEntry e in FirewallMarkAddress)
        {
            var key = e.Key is PSObject pk ? pk.BaseObject : e.Key;
            if (!uint.TryParse(Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture), out var mark) || mark == 0)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{key}' is not a firewall mark (1 to 4294967295)."),
                    "InvalidFirewallMarkAddress", ErrorCategory.InvalidArgument, key));
            var values = new List<string>();
            var value = e.Value is PSObject pv ? pv.BaseObject : e.Value;
            if (value is IEnumerable list and not string)
                foreach (var v in list) values.Add(Convert.ToString(v is PSObject p ? p.BaseObject : v, System.Globalization.CultureInfo.InvariantCulture) ?? "");
            else values.Add(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
            marks[mark] = values;
        }
        return marks;
    }
}
