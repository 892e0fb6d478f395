using System.Collections.Generic;
using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>Gets the running connection synchronisation daemons (ipvsadm -L --daemon).</summary>
[Cmdlet(VerbsCommon.Get, "LvsSyncDaemon")]
[OutputType(typeof(SyncDaemon))]
public sealed class GetLvsSyncDaemonCommand : LvsCmdlet
{
    /// <summary>Only the daemon in this role (Master or Backup).</summary>
    [Parameter(Position = 0)]
    public SyncDaemonState State { get; set; }

    protected override void ProcessRecord()
    {
        List<SyncDaemon>? daemons = null;
        if (!Try("IPVS", () => daemons = Client.GetSyncDaemons())) return;
        foreach (var d in daemons!)
            if (!Given(nameof(State)) || d.State == State) WriteObject(d);
    }
}
