using System;
using System.Linq;
using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Derives what each real server of the director's table needs: one object per real-server address with its
/// forwarding method, the VIPs it must accept and the services it serves. With -Script, the setup (Install) or the
/// check (Test) of each real server as a POSIX sh script for hosts without PowerShell (for a NAT real server, both
/// check its route back through the director: -DirectorAddress). Changes nothing.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsRealServerSetup")]
[OutputType(typeof(RealServerRequirement), typeof(string))]
public sealed class GetLvsRealServerSetupCommand : RealServerSourceCmdlet
{
    /// <summary>Only these real servers (addresses as the director knows them).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? Address { get; set; }

    /// <summary>Write each real server's setup (Install) or check (Test) as a sh script instead of the objects (NAT: the route-back check).</summary>
    [Parameter]
    public RealServerScript.Kind? Script { get; set; }

    /// <summary>With -Script Install: the script also writes the boot-time files, as Initialize-LvsRealServer -Persist.</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    protected override void EndProcessing()
    {
        var all = Requirements();
        var director = Script is null ? Array.Empty<System.Net.IPAddress>() : DirectorAddresses();
        var wanted = all.ToList();
        if (Address is not null)
        {
            wanted.Clear();
            foreach (var a in Address)
            {
                var match = all.FirstOrDefault(r => System.Net.IPAddress.TryParse(a, out var ip) && r.Address.Equals(ip));
                if (match is null)
                    WriteError(new ErrorRecord(new ArgumentException($"{a} is not a real server of the director's table."), "RealServerNotFound", ErrorCategory.ObjectNotFound, a));
                else wanted.Add(match);
            }
        }
        foreach (var r in wanted)
        {
            if (Script is null)
            {
                WriteObject(r);
                continue;
            }
            if (r.ToSetup(Persist) is not { } setup)
            {
                // NAT: nothing to set up; the script checks the route back through the director.
                WriteObject(RealServerScript.GenerateNat(new[] { r.Address }, director, Script.Value, $"Real server {r.Address}; services {string.Join(", ", r.Services)}."));
                continue;
            }
            Try(r.Address, () => WriteObject(RealServerScript.Generate(setup, Script.Value, $"Real server {r.Address}; services {string.Join(", ", r.Services)}.")));
        }
        base.EndProcessing();
    }
}
