using System;
using System.Collections.Generic;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Requests;

/// <summary>
/// The service settings a caller supplied (New-/Set-LvsVirtualService): null means "not given", so a Set changes
/// only what was given and keeps the rest (read-modify-write). The rules follow ipvsadm: a persistence timeout
/// makes the service persistent (-p TIMEOUT); persistence without a timeout means 360 seconds (ipvsadm's IPVS_SVC_PERSISTENT_TIMEOUT; its man page says 300).
/// </summary>
public sealed record VirtualServiceSettings
{
    /// <summary>Scheduler name; lower-cased.</summary>
    public string? Scheduler { get; init; }
    /// <summary>Scheduler flag names (ipvsadm -b words), checked against the resulting scheduler.</summary>
    public IReadOnlyList<string>? SchedulerFlags { get; init; }
    public bool? Persistent { get; init; }
    public uint? PersistenceTimeout { get; init; }
    /// <summary>IPv4 netmask (255.255.255.0 or /24) or IPv6 prefix length (64).</summary>
    public string? PersistenceNetmask { get; init; }
    /// <summary>Persistence engine name; the empty string removes the engine.</summary>
    public string? PersistenceEngine { get; init; }
    public bool? OnePacket { get; init; }

    /// <summary>True when nothing at all was given.</summary>
    public bool IsEmpty => Scheduler is null && SchedulerFlags is null && Persistent is null && PersistenceTimeout is null &&
                           PersistenceNetmask is null && PersistenceEngine is null && OnePacket is null;

    /// <summary>A new service with these settings and ipvsadm's defaults for the rest. Validated.</summary>
    public VirtualService CreateService(ServiceKey key) => ApplyTo(new VirtualService(key) { PersistenceTimeout = 0 });

    /// <summary>
    /// <paramref name="current"/> with the given settings applied and everything else kept. Validated, so a bad
    /// combination fails here, before the kernel is asked.
    /// </summary>
    public VirtualService ApplyTo(VirtualService current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var scheduler = Scheduler is null ? current.Scheduler : Scheduler.Trim().ToLowerInvariant();
        if (scheduler.Length == 0) throw new IpvsValidationException("Scheduler", "The scheduler name is empty.");
        var flags = SchedulerFlags is null ? current.SchedulerFlags : IpvsNames.ParseSchedulerFlags(SchedulerFlags, scheduler);
        var persistent = Persistent ?? (PersistenceTimeout.HasValue || current.Persistent);
        var timeout = PersistenceTimeout ??
                      (persistent && current.PersistenceTimeout == 0 ? VirtualService.DefaultPersistenceTimeout : current.PersistenceTimeout);
        var netmask = PersistenceNetmask is null
            ? current.PersistenceNetmask
            : IpvsValidation.NormalizeNetmask(current.AddressFamily, PersistenceNetmask.Trim());
        var engine = PersistenceEngine is null
            ? current.PersistenceEngine
            : PersistenceEngine.Trim().Length == 0 ? null : PersistenceEngine.Trim().ToLowerInvariant();
        var result = current with
        {
            Scheduler = scheduler,
            SchedulerFlags = flags,
            Persistent = persistent,
            PersistenceTimeout = timeout,
            PersistenceNetmask = netmask,
            PersistenceEngine = engine,
            OnePacket = OnePacket ?? current.OnePacket,
            Statistics = null,
        };
        IpvsValidation.ValidateService(result);
        return result;
    }
}
