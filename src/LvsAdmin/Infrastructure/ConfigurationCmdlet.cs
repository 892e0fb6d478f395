using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Commands;

/// <summary>
/// Base of the configuration-as-code cmdlets: resolving PowerShell paths, reading configuration files and text
/// (errors end the command before the kernel is touched), planning against the live table, and applying a plan with
/// one ShouldProcess per step, progress, Ctrl+C and the result/error reporting shared by Set- and Import-.
/// </summary>
public abstract class ConfigurationCmdlet : LvsCmdlet
{
    private readonly CancellationTokenSource _stop = new();
    private HostSetupStateBackend? _host;

    /// <summary>Cancelled when the user presses Ctrl+C (the applier rolls back, the drainer stops waiting).</summary>
    protected CancellationToken StopToken => _stop.Token;

    /// <summary>The file system path of a PowerShell path (relative to the current location, ~ expanded; no wildcards).</summary>
    protected string ResolvePath(string path) => GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>
    /// Reads a configuration file; a parse error (with its line number) or an unreadable file ends the command. What
    /// the reader says of a keepalived.conf (keepalived's defaults it applied, sections it skipped) is written as warnings.
    /// </summary>
    protected LvsConfiguration LoadFile(string path, ConfigurationFormat? format)
    {
        var full = ResolvePath(path);
        try
        {
            var notes = new List<string>();
            var document = ConfigurationFile.Load(full, format, notes);
            foreach (var note in notes) WriteWarning(note);
            return document;
        }
        catch (IpvsException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, full));
            throw; // not reached
        }
    }

    /// <summary>Parses configuration text (JSON, ipvsadm rules or a keepalived.conf); errors end the command, notes are warnings.</summary>
    protected LvsConfiguration ParseText(string text, ConfigurationFormat? format)
    {
        try
        {
            var notes = new List<string>();
            var document = ConfigurationFile.Parse(text, format, null, notes);
            foreach (var note in notes) WriteWarning(note);
            return document;
        }
        catch (IpvsException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, "InputObject"));
            throw; // not reached
        }
    }

    /// <summary>
    /// The host-setup backend (sysctls and addresses over LvsAdmin.HostSetup, in -NetworkNamespace), opened on first
    /// use: only documents with a host section and -IncludeHost need it. Opening failures end the command.
    /// </summary>
    protected HostSetupStateBackend HostBackend
    {
        get
        {
            if (_host is not null) return _host;
            try
            {
                return _host = HostSetupStateBackend.Open(NetworkNamespace);
            }
            catch (Exception e) when (e is IpvsException or Netlink.NetlinkException)
            {
                ThrowTerminatingError(ErrorRecords.From(e, (object?)NetworkNamespace ?? "host"));
                throw; // not reached
            }
        }
    }

    /// <summary>The backend for <paramref name="desired"/>: the host one when it has a host section, else none.</summary>
    private IHostStateBackend? HostBackendFor(LvsConfiguration desired) => desired.Host is null ? null : HostBackend;

    /// <summary>The live configuration; with <paramref name="includeHost"/> also the host section (ReadForExport).</summary>
    protected LvsConfiguration ReadLive(bool includeHost)
    {
        // Settings only: a document holds no counters, so they are not decoded.
        var live = LiveConfiguration.Read(Client, new LiveReadOptions { Statistics = false });
        return includeHost ? live with { Host = HostBackend.ReadForExport() } : live;
    }

    /// <summary>Validates <paramref name="desired"/> and plans it against the live table; failures end the command.</summary>
    protected ConfigurationPlan PlanFor(LvsConfiguration desired, bool prune, bool drain, bool repairHealthState = false)
    {
        var options = new PlanOptions { Prune = prune, DrainRemovedRealServers = drain, RepairHealthState = repairHealthState };
        try
        {
            return ConfigurationPlanner.Plan(Client, desired, options, HostBackendFor(desired));
        }
        catch (Exception e) when (e is IpvsException or Netlink.NetlinkException or Netlink.NetlinkProtocolException or Netlink.NetlinkDumpInterruptedException)
        {
            ThrowTerminatingError(ErrorRecords.From(e, desired));
            throw; // not reached
        }
    }

    /// <summary>The caption of the ShouldProcess question of one step.</summary>
    private string StepText(PlanStep step) => Target(step.ToString());

    /// <summary>
    /// Plans <paramref name="desired"/> and applies it: each step is offered to ShouldProcess (so -WhatIf lists the
    /// plan and changes nothing, -Confirm asks per step); the accepted steps are applied in the plan's order with
    /// rollback on failure. A failure ends the command with ApplyFailedRolledBack or ApplyFailedRollbackIncomplete;
    /// with <paramref name="passThru"/> the result object is written first.
    /// </summary>
    protected void Apply(LvsConfiguration desired, bool prune, bool drain, uint drainTimeoutSeconds, bool passThru, bool repairHealthState = false)
    {
        var plan = PlanFor(desired, prune, drain, repairHealthState);
        // Asked per step; when asking would only answer yes in silence, the steps' texts are not even built.
        var accepted = new List<PlanStep>(plan.Count);
        if (ShouldProcessIsSilent())
        {
            accepted.AddRange(plan.Steps);
        }
        else
        {
            foreach (var step in plan.Steps)
            {
                var text = StepText(step);
                if (ShouldProcess(text, text + "?", $"{MyInvocation.MyCommand.Name}: step {step.Index} of {plan.Count}")) accepted.Add(step);
            }
        }
        if (accepted.Count < plan.Count)
        {
            // -WhatIf (or "No" to every step): nothing is applied. Declined steps under -Confirm are left out.
            if (accepted.Count == 0) return;
            plan = new ConfigurationPlan(accepted, plan.Desired, plan.Live, plan.Options);
        }

        const int activity = 1;
        var title = "Applying the LvsAdmin configuration";
        // One progress record per percent, not per step: a whole table is tens of thousands of steps, applied in
        // batches of requests, and a record per step cost more than the kernel's work for it.
        var shownPercent = -1;
        var options = new ApplyOptions
        {
            Drain = new DrainOptions { Timeout = TimeSpan.FromSeconds(drainTimeoutSeconds), Progress = p => WriteDrainProgress(activity + 1, activity, p) },
            StepStarting = s =>
            {
                var percent = Math.Min(100, (s.Index - 1) * 100 / Math.Max(1, plan.Count));
                if (percent == shownPercent) return;
                shownPercent = percent;
                WriteProgress(new ProgressRecord(activity, title, s.ToString()) { PercentComplete = percent });
            },
        };
        ApplyResult result;
        try
        {
            result = new ConfigurationApplier(Client, HostBackendFor(desired)).Apply(plan, options, StopToken);
        }
        catch (Exception e) when (e is IpvsException or Netlink.NetlinkException or Netlink.NetlinkProtocolException or Netlink.NetlinkDumpInterruptedException)
        {
            ThrowTerminatingError(ErrorRecords.From(e, desired));
            throw; // not reached
        }
        finally
        {
            WriteProgress(new ProgressRecord(activity, title, "Done") { RecordType = ProgressRecordType.Completed });
        }
        foreach (var w in result.Warnings) WriteWarning(w.Message);
        if (VerboseOutput())
            foreach (var s in result.Completed) WriteVerbose("Done: " + StepText(s));
        if (passThru) WriteObject(result);
        if (result.Error is { } error) ThrowTerminatingError(ErrorRecords.From(error, result.FailedStep));
    }

    /// <summary>Shows a drain as a progress bar: time elapsed of the timeout, and the connections still open.</summary>
    protected void WriteDrainProgress(int activityId, int parentId, DrainProgress p)
    {
        var status = p.Remaining == 0
            ? "All drained"
            : $"{p.Remaining} real server(s) still busy: " + string.Join("; ", p.Servers);
        WriteProgress(new ProgressRecord(activityId, "Draining real servers (weight 0, waiting for their connections to end)", status)
        {
            ParentActivityId = parentId,
            PercentComplete = p.PercentComplete,
            SecondsRemaining = (int)Math.Max(0, (p.Timeout - p.Elapsed).TotalSeconds),
        });
    }

    protected override void StopProcessing()
    {
        _stop.Cancel();
        base.StopProcessing();
    }

    protected override void EndProcessing()
    {
        base.EndProcessing();
        _host?.Dispose();
        _host = null;
    }
}
