using System;
using System.Collections.Generic;
using System.Linq;
using LvsAdmin.Ipvs;

namespace LvsAdmin.HostSetup;

/// <summary>Pure planning over a <see cref="HostSnapshot"/>: which changes bring the host to the requested setup.</summary>
public static partial class HostPlanner
{
    /// <summary>Role name of real-server records.</summary>
    public const string RealServerRole = "RealServer";
    /// <summary>Role name of director records.</summary>
    public const string DirectorRole = "Director";

    /// <summary>The sysctl keys a snapshot needs for these links.</summary>
    public static IReadOnlyList<string> SysctlKeys(IEnumerable<LinkInfo> links) => throw new InvalidOperationException("pending");

    /// <summary>Record path for a role and namespace.</summary>
    public static string RecordPath(string stateDirectory, string role, string? networkNamespace) => throw new InvalidOperationException("pending");

    /// <summary>Initialize-LvsRealServer.</summary>
    public static HostPlan RealServer(HostSnapshot snapshot, RealServerSetup setup, HostSetupRecord? record, string? recordPath, string? networkNamespace = null) => throw new InvalidOperationException("pending");
    /// <summary>Reset-LvsRealServer.</summary>
    public static HostPlan ResetRealServer(HostSnapshot snapshot, RealServerSetup? fallback, HostSetupRecord? record, string? recordPath, bool persist, string? networkNamespace = null) => throw new InvalidOperationException("pending");
    /// <summary>Initialize-LvsDirector.</summary>
    public static HostPlan Director(HostSnapshot snapshot, DirectorSetup setup, HostSetupRecord? record, string? recordPath, string? networkNamespace = null) => throw new InvalidOperationException("pending");
    /// <summary>Reset-LvsDirector.</summary>
    public static HostPlan ResetDirector(HostSnapshot snapshot, DirectorSetup? fallback, HostSetupRecord? record, string? recordPath, bool persist, string? networkNamespace = null) => throw new InvalidOperationException("pending");
    /// <summary>Set-LvsRealServerArp.</summary>
    public static HostPlan Arp(HostSnapshot snapshot, IReadOnlyList<string>? interfaceNames, bool reset, bool persist, string? networkNamespace = null) => throw new InvalidOperationException("pending");
    /// <summary>Add-LvsVirtualAddress.</summary>
    public static HostPlan AddAddress(HostSnapshot snapshot, string address, int? prefixLength, string interfaceName, string? label, bool force, bool persist, string? networkNamespace = null) => throw new InvalidOperationException("pending");
    /// <summary>Remove-LvsVirtualAddress.</summary>
    public static HostPlan RemoveAddress(HostSnapshot snapshot, string address, int? prefixLength, string interfaceName, bool persist, string? networkNamespace = null) => throw new InvalidOperationException("pending");
    /// <summary>Set-LvsSysctl.</summary>
    public static HostPlan IpvsSysctls(HostSnapshot snapshot, IReadOnlyDictionary<string, string> values, bool persist, string? networkNamespace = null) => throw new InvalidOperationException("pending");
}

/// <summary>Pure checks over a snapshot.</summary>
public static class HostChecks
{
    /// <summary>Test-LvsRealServer.</summary>
    public static IReadOnlyList<HostFinding> RealServer(HostSnapshot snapshot, RealServerSetup setup) => throw new InvalidOperationException("pending");
    /// <summary>Test-LvsDirector.</summary>
    public static IReadOnlyList<HostFinding> Director(HostSnapshot snapshot, DirectorSetup setup) => throw new InvalidOperationException("pending");
}

/// <summary>Persistence files.</summary>
public static class HostPersistence
{
    /// <summary>Sysctl file.</summary>
    public const string SysctlFile = "etc/sysctl.d/90-lvsadmin.conf";
    /// <summary>Address script.</summary>
    public const string AddressScript = "etc/lvsadmin/addresses.sh";
    /// <summary>systemd unit.</summary>
    public const string UnitFile = "etc/systemd/system/lvsadmin-addresses.service";
    /// <summary>wants symlink.</summary>
    public const string WantsLink = "etc/systemd/system/multi-user.target.wants/lvsadmin-addresses.service";
    /// <summary>All managed files.</summary>
    public static readonly IReadOnlyList<string> ManagedFiles = new[] { SysctlFile, AddressScript, UnitFile, WantsLink };
}

internal static class HostRecordFile
{
    public static HostSetupRecord? Read(string path) => throw new InvalidOperationException("pending");
}

internal static class HostApplier
{
    public static void Apply(HostSetupClient client, HostChange change) => throw new InvalidOperationException("pending");
    public static IReadOnlyList<HostChangeResult> Apply(HostSetupClient client, HostPlan plan, Func<HostChange, bool>? shouldProcess) => throw new InvalidOperationException("pending");
}
