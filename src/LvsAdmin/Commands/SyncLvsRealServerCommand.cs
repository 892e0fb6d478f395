using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Sets up every direct-routing and tunnel real server of the director's table on its own host, over PowerShell
/// remoting, in parallel: each host gets the VIPs of all its services on lo (DR) or tunl0/ip6tnl0 (TUN), the ARP
/// settings and for TUN rp_filter, exactly as Initialize-LvsRealServer does there; NAT real servers are not changed,
/// but their route back through the director is checked (RealServerRouteBackMissing). One report per host (Changed,
/// Changes); -WhatIf shows each host's plan; -AsJson writes one JSON report for automation (Ansible changed_when).
/// </summary>
[Cmdlet(VerbsData.Sync, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = SessionSet)]
[OutputType(typeof(RealServerHostReport), typeof(string))]
public sealed class SyncLvsRealServerCommand : RealServerFleetCmdlet
{
    /// <summary>Also make the setup survive a reboot on each host (as Initialize-LvsRealServer -Persist).</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    /// <summary>Write one JSON document ({"changed", "failed", "hosts", "failures"}) instead of the report objects.</summary>
    [Parameter]
    public SwitchParameter AsJson { get; set; }

    protected override void EndProcessing()
    {
        var requirements = Requirements();
        var director = DirectorAddresses();
        var hosts = Prepare(requirements, Persist);
        var routeBack = CheckRouteBack(hosts, director);
        var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && ((SwitchParameter)w).IsPresent;
        var work = new Dictionary<string, (FleetHost Host, string Action)>();
        var reports = new List<RealServerHostReport>();
        foreach (var h in hosts)
        {
            if (h.Setup is null)
            {
                reports.Add(Report(h, false, new List<string>(), routeBack.GetValueOrDefault(h.Host) ?? new List<string>()));
                continue;
            }
            var text = $"{h.Setup.Mode} real server {string.Join(", ", h.RealServers.Select(r => r.Address))}: VIPs {string.Join(", ", h.Setup.VirtualAddresses)}";
            if (ShouldProcess(h.Host, "Set up " + text)) work[h.Host] = (h, "Apply");
            else if (whatIf) work[h.Host] = (h, "Plan");
        }
        var sessions = work.Values.Select(v => v.Host.Session).ToList();
        foreach (var o in Invoker.Invoke(sessions, RemoteScripts.RealServer, s => RemoteParameters(work[s.ComputerName].Host, work[s.ComputerName].Action)))
        {
            var (h, action) = work[o.Host];
            foreach (var e in o.Errors) WriteRemoteError(o.Host, e);
            if (o.Failure is not null)
            {
                WriteHostError(o.Host, "RemoteCommandFailed", ErrorCategory.OperationStopped, o.Failure.Message, o.Failure);
                continue;
            }
            var changes = o.Output.Select(x => x.BaseObject?.ToString() ?? "").ToList();
            reports.Add(Report(h, action == "Plan", changes, o.Errors.Select(e => e.ToString()).Concat(routeBack.GetValueOrDefault(h.Host) ?? new List<string>()).ToList()));
        }
        if (AsJson) WriteObject(FleetReportJson.Write(reports.OrderBy(r => r.PSComputerName), Failures));
        else
            foreach (var r in reports.OrderBy(r => r.PSComputerName))
            {
                WriteVerbose(r.ToString());
                WriteObject(r);
            }
        base.EndProcessing();
    }

    /// <summary>
    /// LVS-NAT real servers are not changed, but their route back through the director is checked: a failed check is
    /// the host's RealServerRouteBackMissing error (with the route to add). Returns the problems per host.
    /// </summary>
    private Dictionary<string, List<string>> CheckRouteBack(List<FleetHost> hosts, IReadOnlyList<System.Net.IPAddress> director)
    {
        var nat = NatHosts(hosts).ToDictionary(h => h.Host);
        var problems = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var o in Invoker.Invoke(nat.Values.Select(h => h.Session).ToList(), RemoteScripts.RealServer, s => RouteBackParameters(nat[s.ComputerName], director)))
        {
            foreach (var e in o.Errors) WriteRemoteError(o.Host, e);
            if (o.Failure is not null) WriteHostError(o.Host, "RemoteCommandFailed", ErrorCategory.OperationStopped, o.Failure.Message, o.Failure);
            foreach (var f in o.Output.Where(f => f.Properties["Passed"]?.Value is false))
            {
                var text = $"{f.Properties["Message"]?.Value} Fix: {f.Properties["Fix"]?.Value}";
                WriteHostError(o.Host, "RealServerRouteBackMissing", ErrorCategory.InvalidResult, text);
                if (!problems.TryGetValue(o.Host, out var list)) problems[o.Host] = list = new List<string>();
                list.Add(text);
            }
        }
        return problems;
    }

    private static RealServerHostReport Report(FleetHost h, bool whatIf, List<string> changes, List<string> errors) => new()
    {
        PSComputerName = h.Host,
        RealServers = h.RealServers.Select(r => r.Address.ToString()).ToList(),
        Method = h.Setup?.Mode.ToString() ?? "Nat",
        VirtualAddresses = h.Setup?.VirtualAddresses ?? new List<string>(),
        Changed = changes.Count > 0,
        WhatIf = whatIf,
        Changes = changes,
        Errors = errors,
    };
}
