using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Sets IPVS kernel settings (sysctl net.ipv4.vs.*). Only the settings given change; each is checked against the
/// kernel's range before anything is written, and one whose value is already as asked is left alone. Every setting
/// of the catalog has a typed parameter named like its property (-ExpireNodestConn, -SyncThreshold); -Name and
/// -Value (also by property name from Get-LvsSysctl objects) reach them by sysctl name. -Persist also writes them to /etc/sysctl.d/90-lvsadmin.conf.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsSysctl", DefaultParameterSetName = TypedSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsSysctlValue))]
public sealed class SetLvsSysctlCommand : HostChangeCmdlet
{
    private const string TypedSet = "Typed";
    private const string NameSet = "Name";

    /// <summary>Keep netfilter connection tracking entries for IPVS connections (net.ipv4.vs.conntrack); needed for stateful firewall rules and NAT helpers on the director.</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool Conntrack { get; set; }

    /// <summary>Expire a connection at once when its real server is removed, so the client gets a reset instead of a timeout (net.ipv4.vs.expire_nodest_conn).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool ExpireNodestConn { get; set; }

    /// <summary>Expire the persistence templates of a real server whose weight is 0, so persistent clients move to other servers (net.ipv4.vs.expire_quiescent_template).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool ExpireQuiescentTemplate { get; set; }

    /// <summary>Re-route the replies of NAT real servers after SNAT, for policy routing on the director (net.ipv4.vs.snat_reroute).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool SnatReroute { get; set; }

    /// <summary>Create connection entries for TCP packets other than SYN, for failover with a sync daemon (net.ipv4.vs.sloppy_tcp).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool SloppyTcp { get; set; }

    /// <summary>Create connection entries for SCTP packets other than INIT (net.ipv4.vs.sloppy_sctp).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool SloppySctp { get; set; }

    /// <summary>Schedule ICMP packets that belong to no connection, so a ping to the VIP reaches a real server (net.ipv4.vs.schedule_icmp).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool ScheduleIcmp { get; set; }

    /// <summary>Do not schedule packets that arrive through a tunnel, so a director can also be a TUN real server (net.ipv4.vs.ignore_tunneled).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool IgnoreTunneled { get; set; }

    /// <summary>When no real server is available, pass the packet to its original destination (net.ipv4.vs.cache_bypass).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool CacheBypass { get; set; }

    /// <summary>Send ICMP errors to the client when a packet from a NAT real server has no connection entry (net.ipv4.vs.nat_icmp_send).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool NatIcmpSend { get; set; }

    /// <summary>Path MTU discovery for tunnelled packets; false fragments instead (net.ipv4.vs.pmtu_disc).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool PmtuDisc { get; set; }

    /// <summary>A node running a backup sync daemon does not act as a director while it runs (net.ipv4.vs.backup_only).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool BackupOnly { get; set; }

    /// <summary>Run the rate estimation; false saves CPU with large tables (net.ipv4.vs.run_estimation, Linux 5.19+).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    public bool RunEstimation { get; set; }

    /// <summary>How a new connection that reuses the port of an old entry is scheduled (net.ipv4.vs.conn_reuse_mode): 0 keeps the old entry, 1 reschedules it (kernel default), 2 and 3 also for persistent services.</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 3)]
    public int ConnReuseMode { get; set; }

    /// <summary>Defense strategy: randomly drop connection entries (net.ipv4.vs.drop_entry): 0 never, 1 automatically when memory is low, 2 now, 3 always.</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 3)]
    public int DropEntry { get; set; }

    /// <summary>Defense strategy: drop packets at the rate 1/AmDroprate (net.ipv4.vs.drop_packet): 0 never, 1 automatically, 2 now, 3 always.</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 3)]
    public int DropPacket { get; set; }

    /// <summary>Defense strategy: stricter TCP state timeouts (net.ipv4.vs.secure_tcp): 0 never, 1 automatically, 2 now, 3 always.</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 3)]
    public int SecureTcp { get; set; }

    /// <summary>The drop rate, one packet in N, while the drop_packet defense is active (net.ipv4.vs.am_droprate).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 2147483647)]
    public int AmDroprate { get; set; }

    /// <summary>The available-memory threshold, in pages, below which the automatic defense strategies switch on (net.ipv4.vs.amemthresh).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 2147483647)]
    public int Amemthresh { get; set; }

    /// <summary>The sync protocol version (net.ipv4.vs.sync_version): 1 since Linux 2.6.39, 0 for old backups.</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 1)]
    public int SyncVersion { get; set; }

    /// <summary>1 synchronizes only persistence templates, not every connection (net.ipv4.vs.sync_persist_mode).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 1)]
    public int SyncPersistMode { get; set; }

    /// <summary>The nice value of the rate estimation kthreads (net.ipv4.vs.est_nice, Linux 6.2 and later).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(-20, 19)]
    public int EstNice { get; set; }

    /// <summary>Seconds after which an unused lblc destination entry expires (net.ipv4.vs.lblc_expiration).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 2147483)]
    public int LblcExpiration { get; set; }

    /// <summary>Seconds after which an unused lblcr destination set expires (net.ipv4.vs.lblcr_expiration).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 2147483)]
    public int LblcrExpiration { get; set; }

    /// <summary>The number of sync threads and ports, a power of two (net.ipv4.vs.sync_ports).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(1, 1073741824)]
    public int SyncPorts { get; set; }

    /// <summary>The maximum of queued sync messages (net.ipv4.vs.sync_qlen_max).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(1, 2147483647)]
    public int SyncQlenMax { get; set; }

    /// <summary>Seconds between re-syncs of a connection whose state did not change; 0 uses SyncThreshold (net.ipv4.vs.sync_refresh_period).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 2147483)]
    public int SyncRefreshPeriod { get; set; }

    /// <summary>Retries of a sync message that got no reply within SyncRefreshPeriod (net.ipv4.vs.sync_retries).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 3)]
    public int SyncRetries { get; set; }

    /// <summary>The socket buffer size of the sync daemons; 0 keeps the system default (net.ipv4.vs.sync_sock_size).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateRange(0, 2147483647)]
    public int SyncSockSize { get; set; }

    /// <summary>Sync a connection after N packets, then every M packets, as "N M" with N less than M, or M 0 (net.ipv4.vs.sync_threshold).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateNotNullOrEmpty]
    public string SyncThreshold { get; set; } = "";

    /// <summary>The CPUs the rate estimation kthreads may run on, as a CPU list such as 0-3,6 (net.ipv4.vs.est_cpulist, Linux 6.2 and later).</summary>
    [Parameter(ParameterSetName = TypedSet)]
    [ValidateNotNullOrEmpty]
    public string EstCpulist { get; set; } = "";

    /// <summary>
    /// A setting by sysctl name (sync_threshold), key (net.ipv4.vs.sync_threshold) or property name (SyncThreshold).
    /// Binds from the Name property of piped Get-LvsSysctl objects.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The value of -Name as text (1, true, "3 50", 0-3). Binds from the Value property of piped Get-LvsSysctl objects.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string Value { get; set; } = "";

    protected override void ProcessRecord()
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (ParameterSetName == NameSet)
        {
            values[Name] = Value;
        }
        else
        {
            foreach (var (key, value) in MyInvocation.BoundParameters)
            {
                if (IpvsSysctls.Find(key) is null) continue;
                values[key] = value switch
                {
                    bool b => b ? "1" : "0",
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value?.ToString() ?? "",
                };
            }
            if (values.Count == 0)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Give at least one setting to change, for example -ExpireNodestConn $true, or -Name and -Value."),
                    "NoSysctlGiven", ErrorCategory.InvalidArgument, null));
            }
        }
        var plan = Plan(ParameterSetName == NameSet ? Name : "net.ipv4.vs", () => Setup.PlanIpvsSysctls(values, Persist));
        if (plan is null) return;
        ApplyPlan(plan);
        if (!PassThru) return;
        foreach (var name in values.Keys) Try(name, () => WriteObject(Setup.GetIpvsSysctl(name)));
    }
}
