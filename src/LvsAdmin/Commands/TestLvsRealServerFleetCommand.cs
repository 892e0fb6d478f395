using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace LvsAdmin.Commands;

/// <summary>
/// Checks every direct-routing and tunnel real server of the director's table on its own host, over PowerShell
/// remoting, in parallel: Test-LvsRealServer's findings from each host, each with the host in PSComputerName.
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
        var hosts = Prepare(Requirements(), persist: false).Where(h => h.Setup is not null).ToDictionary(h => h.Host);
        var passed = true;
        foreach (var o in Invoker.Invoke(hosts.Values.Select(h => h.Session).ToList(), RemoteScripts.RealServer, s => RemoteParameters(hosts[s.ComputerName], "Test")))
        {
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
                if (f.Properties["PSComputerName"] is null) f.Properties.Add(new PSNoteProperty("PSComputerName", o.Host));
                WriteObject(f);
            }
        }
        if (Quiet) WriteObject(passed && Failures.Count == 0);
        base.EndProcessing();
    }
}
