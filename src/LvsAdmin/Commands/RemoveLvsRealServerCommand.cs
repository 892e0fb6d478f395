using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Commands;

/// <summary>
/// Deletes a real server from a virtual service (ipvsadm -d); its connections are dropped. With -Drain it is taken
/// out gracefully instead: weight 0 first (no new connections), then removed once its connections and persistence
/// templates are gone (Write-Progress while waiting), or left at weight 0 with the error DrainTimeout.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveLvsRealServerCommand : RealServerIdentityCmdlet
{
    private readonly List<(ServiceKey Service, RealServerKey Server)> _drain = new();
    private readonly CancellationTokenSource _stop = new();

    /// <summary>
    /// Drain before deleting: set the weight to 0, wait until the active and inactive connections and the persistence
    /// templates reach zero, then delete. All real servers piped to one command are drained together.
    /// </summary>
    [Parameter]
    public SwitchParameter Drain { get; set; }

    /// <summary>How long -Drain waits, in seconds (default 300); a real server still busy then is left at weight 0 and reported as DrainTimeout. Implies -Drain.</summary>
    [Parameter]
    public uint DrainTimeout { get; set; } = 300;

    private bool Draining => Drain || Given(nameof(DrainTimeout));

    protected override void ProcessRecord()
    {
        ServiceKey? service = null;
        RealServerKey? server = null;
        if (!Try(IdentityText, () => (service, server) = GetIdentity())) return;
        if (!Draining)
        {
            if (!ShouldProcess(RealServerTarget(service!, server!), "Delete real server (ipvsadm -d)")) return;
            Try(service + " -> " + server, () => Client.DeleteRealServer(service!, server!));
            return;
        }
        if (!ShouldProcess(RealServerTarget(service!, server!), "Drain (weight 0, wait for its connections to end) and delete real server")) return;
        // Missing servers are reported here, one by one; the drain itself then finds every server it is given.
        if (!Try(service + " -> " + server, () =>
            {
                if (Find(service!, server!) is null) throw new RealServerNotFoundException(service!, server!);
            })) return;
        if (!_drain.Contains((service!, server!))) _drain.Add((service!, server!));
    }

    protected override void EndProcessing()
    {
        if (_drain.Count > 0)
        {
            var options = new DrainOptions { Timeout = TimeSpan.FromSeconds(DrainTimeout), Progress = ShowProgress };
            DrainResult? result = null;
            try
            {
                Try(Target(_drain.Count == 1 ? _drain[0].Service + " -> " + _drain[0].Server : _drain.Count + " real servers"),
                    () => result = RealServerDrainer.Drain(Client, _drain, options, _stop.Token));
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the servers not yet deleted stay at weight 0; PowerShell stops the pipeline.
            }
            finally
            {
                WriteProgress(new ProgressRecord(1, Activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
            if (result?.Error is { } timeout)
            {
                // One error per real server that is still busy (left at weight 0).
                foreach (var s in timeout.Remaining)
                    WriteError(new ErrorRecord(new DrainTimeoutException(new[] { s }, timeout.Timeout, timeout.Removed), "DrainTimeout",
                        ErrorRecords.Category(timeout), s.Service + " -> " + s.Server));
            }
            else if (result is not null)
            {
                WriteVerbose($"Drained and deleted {result.RemovedServers.Count} real server(s) in {result.Elapsed.TotalSeconds:0.#} s.");
            }
        }
        base.EndProcessing();
    }

    private const string Activity = "Draining real servers (weight 0, waiting for their connections to end)";

    private void ShowProgress(DrainProgress p)
    {
        var status = p.Remaining == 0 ? "All drained" : $"{p.Remaining} still busy: " + string.Join("; ", p.Servers);
        WriteProgress(new ProgressRecord(1, Activity, status)
        {
            PercentComplete = p.PercentComplete,
            SecondsRemaining = (int)Math.Max(0, (p.Timeout - p.Elapsed).TotalSeconds),
        });
    }

    protected override void StopProcessing()
    {
        _stop.Cancel();
        base.StopProcessing();
    }
}
