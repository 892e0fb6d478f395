using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Gets the IP addresses of the host's interfaces over rtnetlink (ip address show), without the loopback and
/// link-local ones unless -IncludeAll: the virtual IPs on lo, tunl0 and the director's interfaces.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsVirtualAddress")]
[OutputType(typeof(InterfaceAddress))]
public sealed class GetLvsVirtualAddressCommand : HostSetupCmdlet
{
    /// <summary>Only these addresses (192.0.2.10, 2001:db8::10).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? Address { get; set; }

    /// <summary>Only addresses on these interfaces; wildcards are allowed (eth*).</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    public string[]? InterfaceName { get; set; }

    /// <summary>Also the host-scope (127.0.0.1, ::1) and link-local (fe80::/10) addresses.</summary>
    [Parameter]
    public SwitchParameter IncludeAll { get; set; }

    protected override void ProcessRecord()
    {
        var wanted = new List<IPAddress>();
        foreach (var text in Address ?? [])
            if (Try(text, () => wanted.Add(HostValidation.ParseAddress(text).Address)) == false) return;
        var patterns = (InterfaceName ?? []).Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
        IReadOnlyList<InterfaceAddress> all = [];
        if (!Try("host", () => all = Setup.Route.GetAddresses())) return;
        foreach (var a in all)
        {
            if (!IncludeAll && wanted.Count == 0 && (a.Scope is AddressScope.Host or AddressScope.Link || IPAddress.IsLoopback(a.Address))) continue;
            if (wanted.Count > 0 && !wanted.Contains(a.Address)) continue;
            if (patterns.Count > 0 && !patterns.Any(p => p.IsMatch(a.InterfaceName))) continue;
            WriteObject(a);
        }
        foreach (var name in InterfaceName ?? [])
            if (!WildcardPattern.ContainsWildcardCharacters(name) && all.All(a => a.InterfaceName != name))
                Try(name, () => Setup.Route.RequireLink(name));
        foreach (var ip in wanted)
            if (!all.Any(a => a.Address.Equals(ip)))
                WriteError(new ErrorRecord(new ItemNotFoundException($"Address {ip} is not configured on any interface{(NetworkNamespace is null ? "" : " in network namespace " + NetworkNamespace)}."),
                    "AddressNotFound", ErrorCategory.ObjectNotFound, ip.ToString()));
    }
}
