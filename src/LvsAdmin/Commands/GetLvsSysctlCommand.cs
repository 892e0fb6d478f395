using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Gets the IPVS kernel settings (sysctl net.ipv4.vs.*) of the network namespace, typed: booleans as $true/$false,
/// numbers as numbers; only those the running kernel has.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsSysctl")]
[OutputType(typeof(IpvsSysctlValue))]
public sealed class GetLvsSysctlCommand : HostSetupCmdlet
{
    /// <summary>
    /// Only these settings, by sysctl name (expire_nodest_conn), key (net.ipv4.vs.expire_nodest_conn) or property
    /// name (ExpireNodestConn); wildcards are allowed (sync_*).
    /// </summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<IpvsSysctlValue> all = [];
        if (!Try("net.ipv4.vs", () => all = Setup.GetIpvsSysctls())) return;
        if (Name is not { Length: > 0 })
        {
            WriteObject(all, enumerateCollection: true);
            return;
        }
        foreach (var n in Name)
        {
            if (WildcardPattern.ContainsWildcardCharacters(n))
            {
                var p = WildcardPattern.Get(n, WildcardOptions.IgnoreCase);
                WriteObject(all.Where(v => p.IsMatch(v.Name) || p.IsMatch(v.PropertyName) || p.IsMatch(v.Key)), enumerateCollection: true);
            }
            else
            {
                // Unknown names are UnknownIpvsSysctl; names this kernel lacks are SysctlNotFound.
                Try(n, () => WriteObject(Setup.GetIpvsSysctl(n)));
            }
        }
    }
}
