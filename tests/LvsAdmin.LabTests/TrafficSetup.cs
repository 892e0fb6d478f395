using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using LvsAdmin.HostSetup;

namespace LvsAdmin.LabTests;

/// <summary>
/// Host setup of the traffic scenarios through LvsAdmin.HostSetup, the calls Initialize-LvsDirector,
/// Initialize-LvsRealServer, Add-LvsVirtualAddress and Test-LvsDirector / Test-LvsRealServer
/// make: plan, apply every change (each must succeed), test. The undo records go to the guest's /tmp (the host
/// root is read-only in the lab); the namespaces are thrown away afterwards, so nothing is reset here.
/// </summary>
internal static class Host
{
    /// <summary>Undo records of the scenarios (one file per namespace and role).</summary>
    public const string StateDirectory = "/tmp/lvst-state";

    private static HostSetupClient Open(string ns) => HostSetupClient.Open(ns, new HostSetupOptions { StateDirectory = StateDirectory });

    /// <summary>Removes the undo records (a new topology reuses the namespace names).</summary>
    public static void ForgetRecords()
    {
        if (Directory.Exists(StateDirectory)) Directory.Delete(StateDirectory, recursive: true);
    }

    public static DirectorSetup Director(DirectorMode mode, string ifname, params IPAddress[] vips) =>
        new() { Mode = mode, InterfaceName = ifname, VirtualAddresses = vips.Select(v => v.ToString()).ToList() };

    public static RealServerSetup RealServer(RealServerMode mode, params IPAddress[] vips) =>
        new() { Mode = mode, VirtualAddresses = vips.Select(v => v.ToString()).ToList() };

    /// <summary>Initialize-LvsDirector in a namespace.</summary>
    public static void Initialize(string ns, DirectorSetup setup)
    {
        using var h = Open(ns);
        ApplyAll(h, h.PlanDirector(setup), ns);
        NothingLeft(h.PlanDirector(setup), ns);
    }

    /// <summary>Initialize-LvsRealServer in a namespace.</summary>
    public static void Initialize(string ns, RealServerSetup setup)
    {
        using var h = Open(ns);
        ApplyAll(h, h.PlanRealServer(setup), ns);
        NothingLeft(h.PlanRealServer(setup), ns);
    }

    /// <summary>Add-LvsVirtualAddress (default interface lo, host prefix) in a namespace: the VIP only, no ARP settings.</summary>
    public static void AddAddress(string ns, IPAddress address, string ifname = "lo")
    {
        using var h = Open(ns);
        ApplyAll(h, h.PlanAddAddress(address.ToString(), null, ifname), ns);
    }

    /// <summary>Test-LvsDirector in a namespace.</summary>
    public static IReadOnlyList<HostFinding> Test(string ns, DirectorSetup setup)
    {
        using var h = Open(ns);
        return h.TestDirector(setup);
    }

    /// <summary>Test-LvsRealServer in a namespace.</summary>
    public static IReadOnlyList<HostFinding> Test(string ns, RealServerSetup setup)
    {
        using var h = Open(ns);
        return h.TestRealServer(setup);
    }

    private static void ApplyAll(HostSetupClient h, HostPlan plan, string ns)
    {
        Check.True(!plan.IsEmpty, $"{plan.Operation} in {ns}: empty plan on a fresh namespace");
        var results = h.Apply(plan);
        var bad = results.Where(r => !r.Succeeded).ToList();
        Check.True(bad.Count == 0, $"{plan.Operation} in {ns}: " + string.Join("; ", bad.Select(r => $"{r.Change} {r.Status} {r.Error?.Message}")));
        Check.Equal(plan.Changes.Count, results.Count, $"{plan.Operation} in {ns}: results");
    }

    /// <summary>Initialize is idempotent: planned again right after, only the undo record may be rewritten.</summary>
    private static void NothingLeft(HostPlan plan, string ns) =>
        Check.True(plan.Changes.All(c => c.Kind == HostChangeKind.File), $"{plan.Operation} in {ns} again: " + string.Join("; ", plan.Changes));
}

/// <summary>Assertions over Test-LvsDirector / Test-LvsRealServer findings.</summary>
internal static class Findings
{
    /// <summary>Every check passed (and there are checks).</summary>
    public static void AllPass(IReadOnlyList<HostFinding> findings, string what)
    {
        Check.True(findings.Count > 0, what + ": no findings at all");
        var failed = findings.Where(f => !f.Passed).ToList();
        Check.True(failed.Count == 0, what + ": failed checks on a correct setup: " + Show(failed));
        foreach (var f in findings)
            Check.True(f.Fix is null && !string.IsNullOrWhiteSpace(f.Check) && !string.IsNullOrWhiteSpace(f.Target),
                $"{what}: passed finding {f.Check} {f.Target} has fix '{f.Fix}'");
    }

    /// <summary>
    /// Exactly the checks <paramref name="checks"/> failed (one or more findings of it, e.g. one per sysctl key), each
    /// with a message, the actual value and a fix naming a cmdlet; every other check passed.
    /// </summary>
    public static void OnlyFailed(IReadOnlyList<HostFinding> findings, string[] checks, string what)
    {
        var failed = findings.Where(f => !f.Passed).ToList();
        var names = string.Join("+", checks);
        foreach (var check in checks)
            Check.True(failed.Any(f => f.Check == check), $"{what}: check {check} did not fail: " + Show(findings));
        Check.True(failed.All(f => checks.Contains(f.Check)), $"{what}: expected only {names} to fail, failed: " + Show(failed));
        foreach (var f in failed)
        {
            Check.True(!string.IsNullOrWhiteSpace(f.Message) && f.Actual != f.Expected, $"{what}: finding without message/values: {f}");
            Check.True(f.Fix is not null && f.Fix.Contains("-Lvs", StringComparison.Ordinal), $"{what}: fix of {f.Check} {f.Target} names no cmdlet: '{f.Fix}'");
        }
    }

    public static string Show(IEnumerable<HostFinding> findings) =>
        string.Join("; ", findings.Select(f => $"{f.Check} {f.Target} {(f.Passed ? "ok" : "FAILED")} (expected {f.Expected}, actual {f.Actual}) fix: {f.Fix}"));
}
