using System;
using System.Collections.Generic;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>
/// What the applier and the drainer need from the kernel. <see cref="IpvsClientBackend"/> is the real one; unit
/// tests use an in-memory table that can refuse chosen operations.
/// </summary>
internal interface IIpvsBackend
{
    List<IpvsOperationResult> Apply(IReadOnlyList<IpvsOperation> operations);
    void SetTimeouts(IpvsTimeouts timeouts);
    void StartSyncDaemon(SyncDaemon daemon);
    void StopSyncDaemon(SyncDaemonState state);
    /// <summary>The real servers of a service (with connection counters); throws ServiceNotFoundException.</summary>
    List<RealServer> GetRealServers(ServiceKey service);
    LvsConfiguration Read(LiveReadOptions options);
}

internal sealed class IpvsClientBackend : IIpvsBackend
{
    private readonly IpvsClient _client;

    public IpvsClientBackend(IpvsClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    public IpvsClient Client => _client;

    public List<IpvsOperationResult> Apply(IReadOnlyList<IpvsOperation> operations) => _client.Apply(operations, stopAfterFailedBatch: true);
    public void SetTimeouts(IpvsTimeouts timeouts) => _client.SetTimeouts(timeouts);
    public void StartSyncDaemon(SyncDaemon daemon) => _client.StartSyncDaemon(daemon);
    public void StopSyncDaemon(SyncDaemonState state) => _client.StopSyncDaemon(state);
    public List<RealServer> GetRealServers(ServiceKey service) => _client.GetRealServers(service);
    public LvsConfiguration Read(LiveReadOptions options) => LiveConfiguration.Read(_client, options);
}
