using System;
using System.Collections.Generic;
using LvsAdmin.Ipvs;

namespace LvsAdmin.State;

/// <summary>What <see cref="LiveConfiguration.Read"/> reads.</summary>
public sealed record LiveReadOptions
{
    /// <summary>Read only these services (null = all). Services that do not exist are left out.</summary>
    public IReadOnlyCollection<ServiceKey>? Services { get; init; }
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
    /// <summary>The live table (in the kernel's order), timeouts and sync daemons (per <paramref name="options"/>).</summary>
    public static LvsConfiguration Read(IpvsClient client, LiveReadOptions? options = null) => throw new NotImplementedException();
}
