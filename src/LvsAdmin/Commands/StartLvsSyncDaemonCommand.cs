using System.Management.Automation;
using System.Net;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>Starts a connection synchronisation daemon in the kernel (ipvsadm --start-daemon).</summary>
[Cmdlet(VerbsLifecycle.Start, "LvsSyncDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SyncDaemon))]
public sealed class StartLvsSyncDaemonCommand : LvsCmdlet
{
    /// <summary>The role: Master sends this director's connections, Backup receives a master's.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public SyncDaemonState State { get; set; }

    /// <summary>The interface the sync messages go out of or come in on (ipvsadm --mcast-interface).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
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

    protected override void ProcessRecord()
    {
        SyncDaemon? daemon = null;
        if (!Try(State, () =>
            {
                IPAddress? group = null;
                if (!string.IsNullOrEmpty(MulticastGroup) && !Endpoint.TryParseAddress(MulticastGroup, out group))
                    throw new IpvsValidationException("MulticastGroup", $"'{MulticastGroup}' is not an IPv4 or IPv6 address.");
                daemon = new SyncDaemon
                {
                    State = State, Interface = Interface, SyncId = SyncId, MaxLength = MaxLength,
                    MulticastGroup = group, MulticastPort = MulticastPort, MulticastTtl = MulticastTtl,
                };
                IpvsValidation.ValidateSyncDaemon(daemon);
            })) return;
        if (!ShouldProcess(Target($"{State} sync daemon on {Interface} (sync id {SyncId})"), "Start sync daemon (ipvsadm --start-daemon)")) return;
        if (!Try(State, () => Client.StartSyncDaemon(daemon!))) return;
        if (PassThru) Try(State, () => WriteObject(Client.GetSyncDaemons().Find(d => d.State == State) ?? daemon));
    }
}
