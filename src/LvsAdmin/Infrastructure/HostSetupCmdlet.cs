using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using LvsAdmin.HostSetup;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.Commands;

/// <summary>
/// Base of the host setup cmdlets (addresses, ARP and IPVS sysctls, real server and director setup): a lazily opened
/// <see cref="HostSetupClient"/> in the -NetworkNamespace (rtnetlink socket and /proc/sys of that namespace). The
/// file locations can be moved with the environment variables LVSADMIN_STATE_DIRECTORY (undo records, default
/// /var/lib/lvsadmin) and LVSADMIN_PERSIST_ROOT (prefix of the -Persist files, default /), for image builds and tests.
/// </summary>
public abstract class HostSetupCmdlet : LvsCmdlet
{
    /// <summary>Environment variable that moves the directory of the undo records.</summary>
    public const string StateDirectoryVariable = HostSetupOptions.StateDirectoryVariable;

    /// <summary>Environment variable that moves the root the -Persist files are written under.</summary>
    public const string PersistRootVariable = HostSetupOptions.PersistRootVariable;

    private HostSetupClient? _setup;

    /// <summary>The host setup client, opened on first use. Opening failures terminate the command.</summary>
    protected HostSetupClient Setup => _setup ??= OpenSetup();

    private HostSetupClient OpenSetup()
    {
        try
        {
            return HostSetupClient.Open(NetworkNamespace, Options());
        }
        catch (Exception e) when (e is IpvsException or NetlinkException)
        {
            ThrowTerminatingError(ErrorRecords.From(e, (object?)NetworkNamespace ?? "host"));
            throw; // not reached
        }
    }

    /// <summary>The file locations: the defaults, moved by the environment variables when they are set.</summary>
    internal static HostSetupOptions Options() => HostSetupOptions.FromEnvironment();

    /// <summary>An -IpvsSysctl hashtable as sysctl texts ($true → 1, numbers invariant); null when not given.</summary>
    internal static IReadOnlyDictionary<string, string>? SysctlValues(Hashtable? table)
    {
        if (table is null) return null;
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in table)
        {
            var value = e.Value is PSObject ps ? ps.BaseObject : e.Value;
            values[e.Key?.ToString() ?? ""] = value switch
            {
                bool b => b ? "1" : "0",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value?.ToString() ?? "",
            };
        }
        return values;
    }

    /// <summary>Closes the rtnetlink socket along with the IPVS one.</summary>
    protected override void ReleaseResources()
    {
        base.ReleaseResources();
        _setup?.Dispose();
        _setup = null;
    }
}

/// <summary>
/// Base of the host setup cmdlets that change the host: -Persist, -PassThru, and applying a plan change by change
/// with one ShouldProcess each, so -WhatIf lists every sysctl, address, link and file with its value before and after,
/// and -Confirm asks for each. An empty plan means the host is already as asked: nothing is done and -Verbose says so.
/// A failed change is a non-terminating error (the changes after it are not applied); a failure that would repeat for
/// every change (not root, read-only /proc/sys) ends the command.
/// </summary>
public abstract class HostChangeCmdlet : HostSetupCmdlet
{
    /// <summary>
    /// Also write the settings so that they survive a reboot: sysctls to /etc/sysctl.d/90-lvsadmin.conf, addresses
    /// to /etc/lvsadmin/addresses.sh run by the lvsadmin-addresses systemd service. Only what the command changes is
    /// written; -WhatIf shows the files.
    /// </summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    /// <summary>Write the result to the pipeline (see each cmdlet); by default nothing is written.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The ShouldProcess action text of a change: its description with the value before and after.</summary>
    internal static string ActionText(HostChange change) =>
        $"{change.Description} ({Show(change.Before)} -> {Show(change.After)})";

    private static string Show(string? value) => value is null or "" ? "none" : value;

    /// <summary>
    /// Computes a plan (validation errors are non-terminating for <paramref name="target"/>); null when it failed.
    /// </summary>
    protected HostPlan? Plan(object target, Func<HostPlan> plan)
    {
        HostPlan? result = null;
        return Try(target, () => result = plan()) ? result : null;
    }

    /// <summary>
    /// Applies <paramref name="plan"/> with a ShouldProcess per change and reports each result: verbose for applied
    /// changes, an error for the failed one, verbose for those skipped after it. Returns the changes applied.
    /// </summary>
    protected IReadOnlyList<HostChange> ApplyPlan(HostPlan plan)
    {
        var applied = new List<HostChange>();
        if (plan.IsEmpty)
        {
            WriteVerbose($"{plan.Operation}: nothing to change, the host is already as asked{(NetworkNamespace is null ? "" : " in network namespace " + NetworkNamespace)}.");
            return applied;
        }
        IReadOnlyList<HostChangeResult> results = Array.Empty<HostChangeResult>();
        if (!Try(plan.Operation, () => results = Setup.Apply(plan, c => !Stopping && ShouldProcess(Target(c.Target), ActionText(c))))) return applied;
        var failed = false;
        foreach (var r in results)
        {
            switch (r.Status)
            {
                case HostChangeStatus.Applied:
                    WriteVerbose($"{ActionText(r.Change)}: {r.Change.Target}");
                    applied.Add(r.Change);
                    break;
                case HostChangeStatus.Failed:
                    failed = true;
                    WriteFailure(r.Error ?? new InvalidOperationException("The change failed."), r.Change.Target);
                    break;
                case HostChangeStatus.Skipped when failed:
                    WriteVerbose($"Not applied after the failure above: {ActionText(r.Change)}: {r.Change.Target}");
                    break;
            }
        }
        return applied;
    }

    /// <summary>Applies the plan and, with -PassThru, writes the applied changes.</summary>
    protected void ApplyAndPassThru(HostPlan plan)
    {
        var applied = ApplyPlan(plan);
        if (PassThru) WriteObject(applied, enumerateCollection: true);
    }
}

/// <summary>
/// Base of Test-LvsRealServer and Test-LvsDirector: runs the checks of a setup and writes one finding per check (the
/// failed ones also as verbose lines), or with -Quiet only whether every check passed. Changes nothing.
/// </summary>
public abstract class HostTestCmdlet : HostSetupCmdlet
{
    /// <summary>Return only $true (every check passed) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Runs <paramref name="checks"/> and writes their findings (or the -Quiet bool); failures are per item.</summary>
    protected void WriteFindings(IReadOnlyList<string> virtualAddresses, Func<IReadOnlyList<HostFinding>> checks)
    {
        Try(string.Join(", ", virtualAddresses), () =>
        {
            var findings = checks();
            foreach (var f in findings.Where(f => !f.Passed)) WriteVerbose($"{f.Check} {f.Target}: {f.Message}");
            if (Quiet) WriteObject(findings.All(f => f.Passed));
            else WriteObject(findings, enumerateCollection: true);
        });
    }
}
