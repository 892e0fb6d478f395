using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace LvsAdmin.Commands;

/// <summary>
/// Checks every real server of the director's table on its own host, over PowerShell remoting, in parallel:
/// Test-LvsRealServer's findings from each direct-routing and tunnel host, and for each NAT real server the RouteBack
/// finding (its replies to clients go via the director), each with the host in PSComputerName.
/// Changes nothing. -Quiet returns $true only when every host was reached and every check passed.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LvsRealServerFleet", DefaultParameterSetName = SessionSet)]
[OutputType(typeof(LvsAdmin.HostSetup.HostFinding), typeof(bool))]
public sealed class TestLvsRealServerFleetCommand : RealServerFleetCmdlet
{
    /// <summary>Return only $true (every host reached, every check passed) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Return only the failed checks.</summary>
    [Parameter]
    public SwitchParameter Failed { get; set; }

    protected override void EndProcessing()
    {
        var requirements = Requirements();
        var director = DirectorAddresses();
        var prepared = Prepare(requirements, persist: false);
        var hosts = prepared.Where(h => h.Setup is not null).ToDictionary(h => h.Host);
        var nat = NatHosts(prepared).ToDictionary(h => h.Host);
        var passed = true;
        foreach (var o in Invoker.Invoke(hosts.Values.Select(h => h.Session).ToList(), RemoteScripts.RealServer, s => RemoteParameters(hosts[s.ComputerName], "Test")))
            passed &= WriteFindings(o);
        // LVS-NAT real servers: their replies must route back through the director (checked, never changed).
        foreach (var o in Invoker.Invoke(nat.Values.Select(h => h.Session).ToList(), RemoteScripts.RealServer, s => RouteBackParameters(nat[s.ComputerName], director)))
            passed &= WriteFindings(o);
        if (Quiet) WriteObject(passed && Failures.Count == 0);
        base.EndProcessing();
    }

    /// <summary>Writes one host's findings (named by PSComputerName) and errors; false when anything failed.</summary>
    private bool WriteFindings(SessionInvoker.Outcome o)
    {
        var passed = true;
        foreach (var e in o.Errors) WriteRemoteError(o.Host, e);
        if (o.Failure is not null) WriteHostError(o.Host, "RemoteCommandFailed", ErrorCategory.OperationStopped, o.Failure.Message, o.Failure);
        if (o.Failure is not null || o.Errors.Count > 0) passed = false;
        foreach (var f in o.Output)
        {
            var ok = f.Properties["Passed"]?.Value is bool b && b;
            if (!ok)
            {
                passed = false;
                WriteVerbose($"{o.Host}: {f.Properties["Check"]?.Value} {f.Properties["Target"]?.Value}: {f.Properties["Message"]?.Value}");
            }
            if (Quiet || (Failed && ok)) continue;
            WriteObject(RemoteHosts.Named(f, o.Host));
        }
        return passed;
    }
}
