using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Management.Automation;
using System.Net;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Starts a connection synchronisation daemon in the kernel (ipvsadm --start-daemon). With -MasterSession and
/// -BackupSession it starts a director pair's daemons in one command over PowerShell remoting: the backups first (so
/// no sync message is lost), then the master; when a host fails, the daemons this command started are stopped again.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "LvsSyncDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = LocalSet)]
[OutputType(typeof(SyncDaemon))]
public sealed class StartLvsSyncDaemonCommand : LvsCmdlet
{
    private const string LocalSet = "Local";
    private const string PairSet = "Pair";

    /// <summary>The role: Master sends this director's connections, Backup receives a master's.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = LocalSet)]
    public SyncDaemonState State { get; set; }

    /// <summary>The session to the director whose daemon is the master (New-PSSession -HostName …).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PairSet)]
    [ValidateNotNull]
    public PSSession? MasterSession { get; set; }

    /// <summary>Sessions to the directors whose daemons are backups of that master.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PairSet)]
    [ValidateNotNullOrEmpty]
    public PSSession[] BackupSession { get; set; } = [];

    /// <summary>The backups' interface when it is named differently there (default: -Interface).</summary>
    [Parameter(ParameterSetName = PairSet)]
    [ValidateNotNullOrEmpty]
    public string? BackupInterface { get; set; }

    /// <summary>The interface the sync messages go out of or come in on (ipvsadm --mcast-interface); with -MasterSession the master's.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = LocalSet)]
    [Parameter(Mandatory = true, ParameterSetName = PairSet)]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    /// <summary>The sync id, 0 to 255 (ipvsadm --syncid); a backup with id 0 accepts every master.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0u, 255u)]
    public uint SyncId { get; set; }

    /// <summary>The largest sync message payload in bytes (ipvsadm --sync-maxlen); the kernel's default when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public ushort? MaxLength { get; set; }

    /// <summary>The multicast group (ipvsadm --mcast-group), IPv4 or IPv6; 224.0.0.81 when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public string? MulticastGroup { get; set; }

    /// <summary>The UDP port (ipvsadm --mcast-port); 8848 when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public ushort? MulticastPort { get; set; }

    /// <summary>The multicast TTL, 1 to 255 (ipvsadm --mcast-ttl); 1 when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public byte? MulticastTtl { get; set; }

    /// <summary>Write the started daemon to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private RemoteCommandRunner? _runner;

    /// <summary>The daemon the parameters describe for <paramref name="state"/> on <paramref name="interfaceName"/>, validated.</summary>
    private SyncDaemon Validated(SyncDaemonState state, string interfaceName)
    {
        IPAddress? group = null;
        if (!string.IsNullOrEmpty(MulticastGroup) && !Endpoint.TryParseAddress(MulticastGroup, out group))
            throw new IpvsValidationException("MulticastGroup", $"'{MulticastGroup}' is not an IPv4 or IPv6 address.");
        var daemon = new SyncDaemon
        {
            State = state, Interface = interfaceName, SyncId = SyncId, MaxLength = MaxLength,
            MulticastGroup = group, MulticastPort = MulticastPort, MulticastTtl = MulticastTtl,
        };
        IpvsValidation.ValidateSyncDaemon(daemon);
        return daemon;
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PairSet)
        {
            StartPair();
            return;
        }
        SyncDaemon? daemon = null;
        if (!Try(State, () => daemon = Validated(State, Interface))) return;
        if (!ShouldProcess(Target(Text(daemon!)), "Start sync daemon (ipvsadm --start-daemon)")) return;
        if (!Try(State, () => Client.StartSyncDaemon(daemon!))) return;
        if (PassThru) Try(State, () => WriteObject(Client.GetSyncDaemons().Find(d => d.State == State) ?? daemon));
    }

    /// <summary>
    /// -MasterSession/-BackupSession: both daemons validated here first; one ShouldProcess per host; the backups start
    /// (in parallel), then the master. If a backup fails the master is not started; if the master fails the backups
    /// started are stopped again (SyncDaemonPairNotStarted). With -PassThru each host's daemon, named by PSComputerName.
    /// </summary>
    private void StartPair()
    {
        SyncDaemon master, backup;
        try
        {
            master = Validated(SyncDaemonState.Master, Interface);
            backup = Validated(SyncDaemonState.Backup, BackupInterface ?? Interface);
        }
        catch (IpvsException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Interface));
            return;
        }
        var hosts = BackupSession.Select(b => b.ComputerName).Append(MasterSession!.ComputerName).ToList();
        if (hosts.Distinct(StringComparer.OrdinalIgnoreCase).Count() != hosts.Count)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"A host is given twice ({string.Join(", ", hosts)}): a director runs the master or a backup of one pair, not both."),
                "SyncDaemonPairHostRepeated", ErrorCategory.InvalidArgument, hosts));
        var backups = BackupSession.Where(b => ShouldProcess($"{b.ComputerName}: {Text(backup)}", "Start sync daemon (ipvsadm --start-daemon backup)")).ToList();
        var startMaster = ShouldProcess($"{MasterSession.ComputerName}: {Text(master)}", "Start sync daemon (ipvsadm --start-daemon master)");
        if (backups.Count == 0 && !startMaster) return;
        _runner ??= new RemoteCommandRunner(this, 32);

        var started = new List<RemoteCommandRunner.HostRun>();
        var backupRuns = _runner.Run(backups, "Start-LvsSyncDaemon", Parameters(backup));
        started.AddRange(backupRuns.Where(r => !r.Failed));
        var failed = backups.Count - started.Count;
        if (failed == 0 && startMaster)
        {
            var masterRun = _runner.Run(new[] { MasterSession }, "Start-LvsSyncDaemon", Parameters(master));
            if (masterRun.Count == 1 && !masterRun[0].Failed) started.AddRange(masterRun);
            else failed++;
        }
        if (failed > 0)
        {
            // Leave nothing half-started: stop the backups this command started.
            var undo = started.Select(r => r.Session).ToList();
            if (undo.Count > 0) _runner.Run(undo, "Stop-LvsSyncDaemon", new Dictionary<string, object?> { ["State"] = "Backup", ["Confirm"] = false, ["WhatIf"] = false });
            WriteError(new ErrorRecord(new InvalidOperationException(
                    $"The sync daemon pair was not started: {failed} host(s) failed (their errors above); " +
                    (undo.Count > 0 ? $"the daemons started on {string.Join(", ", undo.Select(u => u.ComputerName))} were stopped again." : "nothing was left running.")),
                "SyncDaemonPairNotStarted", ErrorCategory.OperationStopped, MasterSession.ComputerName));
            return;
        }
        if (PassThru)
            foreach (var r in started) WriteObject(r.Output, enumerateCollection: true);
    }

    private static string Text(SyncDaemon d) => $"{d.State} sync daemon on {d.Interface} (sync id {d.SyncId})";

    /// <summary>The remote Start-LvsSyncDaemon's parameters for <paramref name="d"/> (only what was given here).</summary>
    private Dictionary<string, object?> Parameters(SyncDaemon d)
    {
        var p = new Dictionary<string, object?>
        {
            ["State"] = d.State.ToString(), ["Interface"] = d.Interface, ["SyncId"] = d.SyncId, ["PassThru"] = true, ["Confirm"] = false, ["WhatIf"] = false,
        };
        if (MaxLength is { } max) p["MaxLength"] = max;
        if (!string.IsNullOrEmpty(MulticastGroup)) p["MulticastGroup"] = MulticastGroup;
        if (MulticastPort is { } port) p["MulticastPort"] = port;
        if (MulticastTtl is { } ttl) p["MulticastTtl"] = ttl;
        if (NetworkNamespace is not null) p["NetworkNamespace"] = NetworkNamespace;
        return p;
    }

    protected override void StopProcessing()
    {
        _runner?.Stop();
        base.StopProcessing();
    }
}
