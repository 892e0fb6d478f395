using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LvsAdmin.HostSetup;

/// <summary>
/// What Sync-LvsRealServer did (or, with -WhatIf, would do) on one host: the real servers the host is, the setup it
/// got, whether anything changed and each change. A second run on a host that is already set up has Changed false.
/// </summary>
public sealed record RealServerHostReport
{
    /// <summary>The host (the session's computer name), as Invoke-Command names it.</summary>
    public required string PSComputerName { get; init; }
    /// <summary>The real-server addresses of the director's table this host has.</summary>
    public IReadOnlyList<string> RealServers { get; init; } = Array.Empty<string>();
    /// <summary>The forwarding method (DirectRouting, Tunnel; Nat needs nothing on the host).</summary>
    public string Method { get; init; } = "";
    /// <summary>The VIPs the host must accept.</summary>
    public IReadOnlyList<string> VirtualAddresses { get; init; } = Array.Empty<string>();
    /// <summary>True when a change was applied (with -WhatIf: when one would be).</summary>
    public bool Changed { get; init; }
    /// <summary>True for a -WhatIf report (nothing was applied).</summary>
    public bool WhatIf { get; init; }
    /// <summary>The changes applied (or planned), as text: "Sysctl Set net.ipv4.conf.all.arp_ignore: 0 -> 1".</summary>
    public IReadOnlyList<string> Changes { get; init; } = Array.Empty<string>();
    /// <summary>The errors of this host (its failed changes), as text; empty when it succeeded.</summary>
    public IReadOnlyList<string> Errors { get; init; } = Array.Empty<string>();
    /// <summary>True when the host had no error.</summary>
    public bool Succeeded => Errors.Count == 0;

    /// <summary>"rs1: DirectRouting 192.0.2.10 (changed, 5 changes)".</summary>
    public override string ToString() =>
        $"{PSComputerName}: {Method} {string.Join(",", VirtualAddresses)} ({(Changed ? "changed" : "unchanged")}, {Changes.Count} change(s){(Succeeded ? "" : ", failed")})";
}

/// <summary>One host that did not get a report: unreachable, without the module, or a real server without a host.</summary>
/// <param name="Host">The host name, or the real-server address that has no session.</param>
/// <param name="ErrorId">The error's id (RealServerHostUnreachable, LvsAdminModuleMissing, …).</param>
/// <param name="Message">What went wrong.</param>
public sealed record FleetFailure(string Host, string ErrorId, string Message);

/// <summary>The JSON report of a fleet run, for Ansible's changed_when/failed_when and other automation.</summary>
public static class FleetReportJson
{
    /// <summary>
    /// <c>{"changed": bool, "failed": bool, "hosts": [{"host", "realServers", "method", "virtualAddresses", "changed",
    /// "whatIf", "changes", "errors"}], "failures": [{"host", "errorId", "message"}]}</c>. changed is true when any host
    /// changed; failed when any host failed or any failure was recorded.
    /// </summary>
    public static string Write(IEnumerable<RealServerHostReport> reports, IEnumerable<FleetFailure> failures)
    {
        var list = reports.ToList();
        var fails = failures.ToList();
        var hosts = new JsonArray();
        foreach (var r in list)
        {
            hosts.Add(new JsonObject
            {
                ["host"] = r.PSComputerName,
                ["realServers"] = Array(r.RealServers),
                ["method"] = r.Method,
                ["virtualAddresses"] = Array(r.VirtualAddresses),
                ["changed"] = r.Changed,
                ["whatIf"] = r.WhatIf,
                ["changes"] = Array(r.Changes),
                ["errors"] = Array(r.Errors),
            });
        }
        var failuresJson = new JsonArray();
        foreach (var f in fails) failuresJson.Add(new JsonObject { ["host"] = f.Host, ["errorId"] = f.ErrorId, ["message"] = f.Message });
        var root = new JsonObject
        {
            ["changed"] = list.Any(r => r.Changed),
            ["failed"] = fails.Count > 0 || list.Any(r => !r.Succeeded),
            ["hosts"] = hosts,
            ["failures"] = failuresJson,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}
