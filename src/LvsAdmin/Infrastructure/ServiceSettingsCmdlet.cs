using System.Management.Automation;
using LvsAdmin.Requests;

namespace LvsAdmin.Commands;

/// <summary>Base of New- and Set-LvsVirtualService: the service settings, collected as "only what was supplied".</summary>
public abstract class ServiceSettingsCmdlet : ServiceIdentityCmdlet
{
    /// <summary>The scheduler: rr, wrr, lc, wlc (the default), lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh or twos (Linux 6.2+).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SchedulerCompleter))]
    [ValidateNotNullOrEmpty]
    public string Scheduler { get; set; } = "";

    /// <summary>
    /// Scheduler flags as ipvsadm -b names them: flag-1, flag-2, flag-3; for sh also sh-fallback and sh-port; for mh
    /// also mh-fallback and mh-port. An empty list (or None) clears them.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SchedulerFlagsCompleter))]
    [AllowEmptyCollection]
    [AllowNull]
    public string[]? SchedulerFlags { get; set; }

    /// <summary>
    /// Make the service persistent (ipvsadm -p): a client keeps going to the same real server for the persistence
    /// timeout (360 seconds, ipvsadm's default, unless -PersistenceTimeout says otherwise). -Persistent:$false turns it off.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter Persistent { get; set; }

    /// <summary>The persistence timeout in seconds (1 to 2678400, 31 days); giving it makes the service persistent.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint PersistenceTimeout { get; set; }

    /// <summary>
    /// The persistence granularity (ipvsadm -M): an IPv4 netmask such as 255.255.255.0 or /24, or an IPv6 prefix
    /// length such as 64. Clients in the same network share their real server.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string PersistenceNetmask { get; set; } = "";

    /// <summary>The persistence engine (ipvsadm --pe), for example sip; an empty string removes it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PersistenceEngineCompleter))]
    [AllowEmptyString]
    [AllowNull]
    public string? PersistenceEngine { get; set; }

    /// <summary>One-packet scheduling (ipvsadm -o): schedule each UDP datagram on its own. -OnePacket:$false turns it off.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter OnePacket { get; set; }

    /// <summary>Write the resulting virtual service to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The settings the caller supplied; everything else stays null (= keep, or the default for a new service).</summary>
    protected VirtualServiceSettings GetSettings() => new()
    {
        Scheduler = Given(nameof(Scheduler)) ? Scheduler : null,
        SchedulerFlags = Given(nameof(SchedulerFlags)) ? SchedulerFlags ?? System.Array.Empty<string>() : null,
        Persistent = Given(nameof(Persistent)) ? Persistent.IsPresent : null,
        PersistenceTimeout = Given(nameof(PersistenceTimeout)) ? PersistenceTimeout : null,
        PersistenceNetmask = Given(nameof(PersistenceNetmask)) ? PersistenceNetmask : null,
        PersistenceEngine = Given(nameof(PersistenceEngine)) ? PersistenceEngine ?? "" : null,
        OnePacket = Given(nameof(OnePacket)) ? OnePacket.IsPresent : null,
    };
}
