using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Ipvs;

namespace LvsAdmin.HostSetup;

/// <summary>
/// The entry point the cmdlets use for host setup in one network namespace: capture the current state, compute a
/// plan (pure, see <see cref="HostPlanner"/>), apply it change by change, test a setup (<see cref="HostChecks"/>),
/// and read/write the typed IPVS sysctls. Not thread-safe.
/// </summary>
public sealed class HostSetupClient : IDisposable
{
    private HostSetupClient(string? networkNamespace, HostSetupOptions options, RouteNetlinkClient route)
    {
        NetworkNamespace = networkNamespace;
        Options = options;
        Route = route;
        Sysctls = new SysctlStore(networkNamespace, options.SysctlRoot);
    }

    /// <summary>Opens the rtnetlink socket in <paramref name="networkNamespace"/> (null: the caller's).</summary>
    public static HostSetupClient Open(string? networkNamespace = null, HostSetupOptions? options = null) =>
        new(networkNamespace, options ?? new HostSetupOptions(), RouteNetlinkClient.Open(networkNamespace));

    /// <summary>The network namespace path, or null.</summary>
    public string? NetworkNamespace { get; }
    /// <summary>File locations.</summary>
    public HostSetupOptions Options { get; }
    /// <summary>Links and addresses.</summary>
    public RouteNetlinkClient Route { get; }
    /// <summary>Sysctls of the namespace.</summary>
    public SysctlStore Sysctls { get; }

    /// <summary>Reads links, addresses, the sysctls that matter (see <see cref="HostPlanner.SysctlKeys"/>), modules and persistence files.</summary>
    public HostSnapshot Capture()
    {
        var links = Route.GetLinks();
        var addresses = Route.GetAddresses();
        var sysctls = Sysctls.ReadMany(HostPlanner.SysctlKeys(links));
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rel in HostPersistence.ManagedFiles)
        {
            var path = Path.Combine(Options.PersistRoot, rel);
            // A symbolic link (the wants link) is represented by its target, a file by its content.
            if (new FileInfo(path).LinkTarget is { } target) files[rel] = target;
            else if (File.Exists(path)) files[rel] = File.ReadAllText(path);
        }
        return new HostSnapshot
        {
            Links = links,
            Addresses = addresses,
            Sysctls = sysctls,
            LoadedModules = KernelModules.ReadModuleNames(Options.ProcModules, Options.SysModule) is { } m ? new HashSet<string>(m, StringComparer.Ordinal) : null,
            PersistedFiles = files,
            PersistRoot = Options.PersistRoot,
        };
    }

    /// <summary>The undo record file of a role in this namespace (StateDirectory/realserver.json, director.json; with a namespace, realserver@NAME.json).</summary>
    public string RecordPath(string role) => HostPlanner.RecordPath(Options.StateDirectory, role, NetworkNamespace);

    /// <summary>The undo record of a role, or null when there is none. ErrorId HostStateInvalid when it cannot be read.</summary>
    public HostSetupRecord? ReadRecord(string role) => HostRecordFile.Read(RecordPath(role));

    /// <summary>Plan of Initialize-LvsRealServer (validates the request first).</summary>
    public HostPlan PlanRealServer(RealServerSetup setup) =>
        HostPlanner.RealServer(Capture(), setup, ReadRecord(HostPlanner.RealServerRole), RecordPath(HostPlanner.RealServerRole), NetworkNamespace);

    /// <summary>Plan of Reset-LvsRealServer: undo the record, or without one the kernel defaults for <paramref name="fallback"/>.</summary>
    public HostPlan PlanResetRealServer(RealServerSetup? fallback = null, bool persist = false) =>
        HostPlanner.ResetRealServer(Capture(), fallback, ReadRecord(HostPlanner.RealServerRole), RecordPath(HostPlanner.RealServerRole), persist, NetworkNamespace);

    /// <summary>Plan of Initialize-LvsDirector.</summary>
    public HostPlan PlanDirector(DirectorSetup setup) =>
        HostPlanner.Director(Capture(), setup, ReadRecord(HostPlanner.DirectorRole), RecordPath(HostPlanner.DirectorRole), NetworkNamespace);

    /// <summary>Plan of Reset-LvsDirector.</summary>
    public HostPlan PlanResetDirector(DirectorSetup? fallback = null, bool persist = false) =>
        HostPlanner.ResetDirector(Capture(), fallback, ReadRecord(HostPlanner.DirectorRole), RecordPath(HostPlanner.DirectorRole), persist, NetworkNamespace);

    /// <summary>Plan of Set-LvsRealServerArp (reset: back to 0/0).</summary>
    public HostPlan PlanArp(IReadOnlyList<string>? interfaceNames, bool reset = false, bool persist = false) =>
        HostPlanner.Arp(Capture(), interfaceNames, reset, persist, NetworkNamespace);

    /// <summary>Plan of Add-LvsVirtualAddress (empty when the address is already there with that prefix).</summary>
    public HostPlan PlanAddAddress(string address, int? prefixLength = null, string interfaceName = "lo", string? label = null, bool force = false, bool persist = false) =>
        HostPlanner.AddAddress(Capture(), address, prefixLength, interfaceName, label, force, persist, NetworkNamespace);

    /// <summary>Plan of Remove-LvsVirtualAddress. Error AddressNotFound when it is not on the interface.</summary>
    public HostPlan PlanRemoveAddress(string address, int? prefixLength = null, string interfaceName = "lo", bool persist = false) =>
        HostPlanner.RemoveAddress(Capture(), address, prefixLength, interfaceName, persist, NetworkNamespace);

    /// <summary>Plan of Set-LvsSysctl: only the given net.ipv4.vs.* settings, validated.</summary>
    public HostPlan PlanIpvsSysctls(IReadOnlyDictionary<string, string> values, bool persist = false) =>
        HostPlanner.IpvsSysctls(Capture(), values, persist, NetworkNamespace);

    /// <summary>Test-LvsRealServer: one finding per check.</summary>
    public IReadOnlyList<HostFinding> TestRealServer(RealServerSetup setup) => HostChecks.RealServer(Capture(), setup, NetworkNamespace);

    /// <summary>Test-LvsDirector: one finding per check.</summary>
    public IReadOnlyList<HostFinding> TestDirector(DirectorSetup setup) => HostChecks.Director(Capture(), setup, NetworkNamespace);

    /// <summary>Get-LvsSysctl: the typed IPVS settings the kernel has.</summary>
    public IReadOnlyList<IpvsSysctlValue> GetIpvsSysctls() => HostSetup.IpvsSysctls.Read(Sysctls);

    /// <summary>One typed IPVS setting.</summary>
    public IpvsSysctlValue GetIpvsSysctl(string nameOrProperty) => HostSetup.IpvsSysctls.Read(Sysctls, nameOrProperty);

    /// <summary>Applies one change; throws on failure (typed HostSetupException / SysctlException).</summary>
    public void Apply(HostChange change) => HostApplier.Apply(this, change);

    /// <summary>
    /// Applies a plan in order, asking <paramref name="shouldProcess"/> (e.g. the cmdlet's ShouldProcess) for each
    /// change; after the first failure the rest is Skipped. The undo record change writes what was actually applied.
    /// </summary>
    public IReadOnlyList<HostChangeResult> Apply(HostPlan plan, Func<HostChange, bool>? shouldProcess = null) =>
        HostApplier.Apply(this, plan, shouldProcess);

    /// <inheritdoc/>
    public void Dispose() => Route.Dispose();
}
