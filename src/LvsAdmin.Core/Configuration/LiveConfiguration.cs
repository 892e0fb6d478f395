using System;
using System.Collections.Generic;
using System.Linq;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>What <see cref="LiveConfiguration.Read(IpvsClient, LiveReadOptions?)"/> reads.</summary>
public sealed record LiveReadOptions
{
    /// <summary>Read only these services (null = all). Services that do not exist are left out.</summary>
    public IReadOnlyCollection<ServiceKey>? Services { get; init; }
    /// <summary>Decode the counters and rates of services and real servers (default true); a plan does not need them.</summary>
    public bool Statistics { get; init; } = true;
    /// <summary>Read the timeouts (default true).</summary>
    public bool Timeouts { get; init; } = true;
    /// <summary>Read the sync daemons (default true).</summary>
    public bool SyncDaemons { get; init; } = true;
    /// <summary>Read these host settings (the keys and addresses named; null = no host section).</summary>
    public HostConfiguration? Host { get; init; }
    /// <summary>Reads the host settings; required when <see cref="Host"/> is set.</summary>
    public IHostStateBackend? HostBackend { get; init; }
}

/// <summary>Builds a <see cref="LvsConfiguration"/> from the running kernel.</summary>
public static class LiveConfiguration
{
    /// <summary>Up to this many named services are read one by one; more are read with one table dump.</summary>
    internal const int IndividualReadLimit = 64;

    /// <summary>
    /// The live table (in the kernel's order), timeouts and sync daemons (per <paramref name="options"/>). A real
    /// server the kernel reports as Local (its address is the director's) is read as DirectRouting, the method
    /// ipvsadm -S writes for it.
    /// </summary>
    public static LvsConfiguration Read(IpvsClient client, LiveReadOptions? options = null) => Read(client, options, null);

    /// <summary>
    /// Like <see cref="Read(IpvsClient, LiveReadOptions?)"/>, but each service goes to <paramref name="sink"/> as it is
    /// read instead of into the result (whose Services are then empty): memory stays flat.
    /// </summary>
    internal static LvsConfiguration Read(IpvsClient client, LiveReadOptions? options, Action<ConfiguredService>? sink)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new LiveReadOptions();
        var services = new List<ConfiguredService>();
        void Emit(ConfiguredService s)
        {
            if (sink is null) services.Add(s);
            else sink(s);
        }
        if (options.Services is { } wanted && wanted.Count <= IndividualReadLimit)
        {
            foreach (var key in wanted.Distinct())
            {
                var svc = client.GetService(key, options.Statistics);
                if (svc is null) continue;
                List<RealServer> reals;
                try
                {
                    reals = client.GetRealServers(key, options.Statistics);
                }
                catch (ServiceNotFoundException)
                {
                    continue; // removed meanwhile
                }
                Emit(Clean(svc, reals));
            }
        }
        else
        {
            var filter = options.Services is null ? null : new HashSet<ServiceKey>(options.Services);
            foreach (var (svc, reals) in client.EnumerateTable(options.Statistics))
            {
                if (filter is not null && !filter.Contains(svc.Key)) continue;
                Emit(Clean(svc, reals));
            }
        }
        HostConfiguration? host = null;
        if (options.Host is { } wantedHost)
        {
            var backend = options.HostBackend ?? throw new ArgumentException("LiveReadOptions.HostBackend is needed to read host settings.", nameof(options));
            host = ReadHost(backend, wantedHost);
        }
        return new LvsConfiguration
        {
            Services = services,
            Timeouts = options.Timeouts ? client.GetTimeouts() : null,
            SyncDaemons = options.SyncDaemons ? client.GetSyncDaemons() : null,
            Host = host,
        };
    }

    /// <summary>The live values of the sysctls and the addresses of the interfaces that <paramref name="wanted"/> names.</summary>
    public static HostConfiguration ReadHost(IHostStateBackend backend, HostConfiguration wanted)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(wanted);
        SortedDictionary<string, string>? sysctls = null;
        if (wanted.Sysctls is not null)
        {
            sysctls = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in wanted.Sysctls.Keys)
                if (backend.ReadSysctl(key) is { } v) sysctls[key] = v;
        }
        List<HostAddress>? addresses = null;
        if (wanted.Addresses is not null)
        {
            addresses = new List<HostAddress>();
            foreach (var iface in wanted.Addresses.Select(a => a.Interface).Distinct(StringComparer.Ordinal))
                addresses.AddRange(backend.ReadAddresses(iface));
        }
        return new HostConfiguration { Sysctls = sysctls, Addresses = addresses };
    }

    /// <summary>Local (the kernel's choice) is read as DirectRouting; everything else is kept as read (counters included).</summary>
    private static ConfiguredService Clean(VirtualService svc, List<RealServer> reals)
    {
        for (var i = 0; i < reals.Count; i++)
            if (reals[i].ForwardingMethod == ForwardingMethod.Local) reals[i] = reals[i] with { ForwardingMethod = ForwardingMethod.DirectRouting };
        return new ConfiguredService(svc, reals);
    }
}
