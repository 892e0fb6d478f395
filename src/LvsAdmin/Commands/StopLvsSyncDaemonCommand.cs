using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>Stops a connection synchronisation daemon (ipvsadm --stop-daemon).</summary>
[Cmdlet(VerbsLifecycle.Stop, "LvsSyncDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class StopLvsSyncDaemonCommand : LvsCmdlet
{
    /// <summary>The role of the daemon to stop: Master or Backup. Binds from the State property of piped daemons.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public SyncDaemonState State { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Target($"{State} sync daemon"), "Stop sync daemon (ipvsadm --stop-daemon)")) return;
        Try(State, () => Client.StopSyncDaemon(State));
    }
}
