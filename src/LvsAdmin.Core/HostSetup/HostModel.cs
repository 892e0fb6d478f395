using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace LvsAdmin.HostSetup;

/// <summary>What a <see cref="HostChange"/> changes.</summary>
public enum HostChangeKind
{
    /// <summary>A /proc/sys setting (Target = sysctl key).</summary>
    Sysctl,
    /// <summary>An address on an interface (Target = "ADDR/PREFIX dev IF").</summary>
    Address,
    /// <summary>A link's up/down state (Target = interface).</summary>
    Link,
    /// <summary>A kernel module / the fallback tunnel device it creates (Target = "ipip (tunl0)").</summary>
    KernelModule,
    /// <summary>A file: persistence files and the undo record (Target = path).</summary>
    File,
}

/// <summary>What is done to the target.</summary>
public enum HostChangeAction
{
    /// <summary>Set a sysctl value.</summary>
    Set,
    /// <summary>Add an address.</summary>
    Add,
    /// <summary>Remove an address.</summary>
    Remove,
    /// <summary>Bring a link up.</summary>
    Up,
    /// <summary>Bring a link down.</summary>
    Down,
    /// <summary>Load a module / create the fallback tunnel device.</summary>
    Load,
    /// <summary>Write (create or replace) a file.</summary>
    Write,
    /// <summary>Delete a file.</summary>
    Delete,
    /// <summary>Create a symbolic link (After = its target).</summary>
    Symlink,
}

/// <summary>
/// One step of a host setup plan: shown by -WhatIf, confirmed by ShouldProcess (Target, Description), applied by
/// <see cref="HostSetupClient.Apply(HostChange)"/>. Before/After are short display values ("0" → "1", "absent" → "10.0.0.1/32").
/// </summary>
public sealed record HostChange(HostChangeKind Kind, HostChangeAction Action, string Target, string? Before, string? After, string Description)
{
    /// <summary>Address/Link/KernelModule: the interface (lo, eth0, tunl0, ip6tnl0).</summary>
    public string? InterfaceName { get; init; }
    /// <summary>Address: the address.</summary>
    public IPAddress? Address { get; init; }
    /// <summary>Address: the prefix length.</summary>
    public int PrefixLength { get; init; }
    /// <summary>Address: the IPv4 label (e.g. lo:0) or null.</summary>
    public string? Label { get; init; }
    /// <summary>KernelModule: the link kind to create (ipip, ip6tnl).</summary>
    public string? LinkKind { get; init; }
    /// <summary>File Write: the full new content; Symlink: the link target.</summary>
    public string? Content { get; init; }
    /// <summary>File: file mode for a new file (e.g. 0755 for the address script); null = 0644.</summary>
    public int? FileMode { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} {Action} {Target}: {Before ?? "-"} -> {After ?? "-"}";
}

/// <summary>A computed list of changes (nothing applied yet). Empty when the host is already as asked.</summary>
public sealed class HostPlan
{
    internal HostPlan(string operation, IReadOnlyList<HostChange> changes, HostSetupRecord? record, string? recordPath)
    {
        Operation = operation;
        Changes = changes;
        Record = record;
        RecordPath = recordPath;
    }

    /// <summary>What the plan is for, e.g. "Initialize real server (DirectRouting)".</summary>
    public string Operation { get; }

    /// <summary>The changes in the order they are applied.</summary>
    public IReadOnlyList<HostChange> Changes { get; }

    /// <summary>True when there is nothing to do.</summary>
    public bool IsEmpty => Changes.Count == 0;

    /// <summary>The undo record this plan starts from (Initialize: previous record or a new one; Reset: the record being undone).</summary>
    internal HostSetupRecord? Record { get; }

    /// <summary>Where the undo record lives (null: the plan keeps none).</summary>
    internal string? RecordPath { get; }
}

/// <summary>Outcome of applying one change.</summary>
public enum HostChangeStatus
{
    /// <summary>Done.</summary>
    Applied,
    /// <summary>Not applied: the caller declined it (ShouldProcess false) or an earlier change failed.</summary>
    Skipped,
    /// <summary>Tried and failed (see Error).</summary>
    Failed,
}

/// <summary>The result of one change of a plan.</summary>
public sealed record HostChangeResult(HostChange Change, HostChangeStatus Status, Exception? Error = null)
{
    /// <summary>True when applied.</summary>
    public bool Succeeded => Status == HostChangeStatus.Applied;
}

/// <summary>One check of Test-LvsRealServer / Test-LvsDirector.</summary>
/// <param name="Check">What is checked (stable name: VirtualAddress, ArpIgnore, ArpAnnounce, RpFilter, TunnelDevice, TunnelUp, IpForward, Ipv6Forwarding, SendRedirects, IpvsModule, InterfaceUp, IpvsSysctl).</param>
/// <param name="Target">What it was checked on: a sysctl key, "10.0.0.1 on lo", an interface, a module.</param>
/// <param name="Passed">True when as required.</param>
/// <param name="Expected">The required state.</param>
/// <param name="Actual">The state found.</param>
/// <param name="Message">What is wrong (or "OK" text when passed).</param>
/// <param name="Fix">How to fix it, naming the cmdlet (null when passed).</param>
public sealed record HostFinding(string Check, string Target, bool Passed, string Expected, string Actual, string Message, string? Fix);

/// <summary>How a real server receives the director's packets.</summary>
public enum RealServerMode
{
    /// <summary>LVS-DR: VIP on lo, ARP for the VIP suppressed.</summary>
    DirectRouting,
    /// <summary>LVS-TUN: VIP on tunl0/ip6tnl0, rp_filter relaxed.</summary>
    Tunnel,
}

/// <summary>The director's forwarding method.</summary>
public enum DirectorMode
{
    /// <summary>LVS-NAT: IP forwarding on.</summary>
    Nat,
    /// <summary>LVS-DR.</summary>
    DirectRouting,
    /// <summary>LVS-TUN.</summary>
    Tunnel,
}

/// <summary>What Initialize-/Test-/Reset-LvsRealServer work on.</summary>
public sealed record RealServerSetup
{
    /// <summary>DirectRouting or Tunnel.</summary>
    public RealServerMode Mode { get; init; } = RealServerMode.DirectRouting;
    /// <summary>VIPs: "10.0.0.100", "2001:db8::100", optionally with /32 or /128 (nothing else makes sense on lo/tunl0).</summary>
    public IReadOnlyList<string> VirtualAddresses { get; init; } = Array.Empty<string>();
    /// <summary>Interfaces that get arp_ignore/arp_announce besides all and lo; null = every interface that is up,
    /// not loopback, not a tunnel and has an IPv4 address.</summary>
    public IReadOnlyList<string>? InterfaceNames { get; init; }
    /// <summary>Also write the persistence files.</summary>
    public bool Persist { get; init; }
}

/// <summary>What Initialize-/Test-/Reset-LvsDirector work on.</summary>
public sealed record DirectorSetup
{
    /// <summary>Nat, DirectRouting or Tunnel.</summary>
    public DirectorMode Mode { get; init; } = DirectorMode.Nat;
    /// <summary>VIPs, "10.0.0.100" (/32 by default) or "10.0.0.100/24" for an alias in the interface's subnet.</summary>
    public IReadOnlyList<string> VirtualAddresses { get; init; } = Array.Empty<string>();
    /// <summary>The interface that gets the VIPs (required).</summary>
    public string InterfaceName { get; init; } = "";
    /// <summary>IPv4 label for the VIPs (e.g. eth0:0), optional.</summary>
    public string? Label { get; init; }
    /// <summary>Optional net.ipv4.vs.* values by name or property name (e.g. "conntrack" = "1", "ExpireNodestConn" = "1").</summary>
    public IReadOnlyDictionary<string, string>? IpvsSettings { get; init; }
    /// <summary>Also write the persistence files.</summary>
    public bool Persist { get; init; }
}

/// <summary>Where the host setup keeps its files; tests point them into a temporary directory.</summary>
public sealed record HostSetupOptions
{
    /// <summary>Directory of the undo records (realserver*.json, director*.json). Default /var/lib/lvsadmin.</summary>
    public string StateDirectory { get; init; } = "/var/lib/lvsadmin";
    /// <summary>Prefix of the persistence files (/etc/sysctl.d/…, /etc/lvsadmin/…, /etc/systemd/…). Default "/".</summary>
    public string PersistRoot { get; init; } = "/";
    /// <summary>Root of the sysctl tree. Default /proc/sys.</summary>
    public string SysctlRoot { get; init; } = SysctlStore.DefaultRoot;
    /// <summary>The module list file. Default /proc/modules.</summary>
    public string ProcModules { get; init; } = "/proc/modules";
    /// <summary>The module directory. Default /sys/module.</summary>
    public string SysModule { get; init; } = "/sys/module";

    /// <summary>Environment variable that moves <see cref="StateDirectory"/>.</summary>
    public const string StateDirectoryVariable = "LVSADMIN_STATE_DIRECTORY";
    /// <summary>Environment variable that moves <see cref="PersistRoot"/>.</summary>
    public const string PersistRootVariable = "LVSADMIN_PERSIST_ROOT";

    /// <summary>The defaults, moved by LVSADMIN_STATE_DIRECTORY and LVSADMIN_PERSIST_ROOT when they are set (image builds, tests; also what a remote session uses).</summary>
    public static HostSetupOptions FromEnvironment()
    {
        var options = new HostSetupOptions();
        if (Environment.GetEnvironmentVariable(StateDirectoryVariable) is { Length: > 0 } state) options = options with { StateDirectory = state };
        if (Environment.GetEnvironmentVariable(PersistRootVariable) is { Length: > 0 } root) options = options with { PersistRoot = root };
        return options;
    }
}

/// <summary>
/// The state a plan or check is computed from: links, addresses, the sysctls that matter, loaded modules, and the
/// current persistence files. Captured by <see cref="HostSetupClient.Capture"/>, or built by hand in unit tests.
/// </summary>
public sealed record HostSnapshot
{
    /// <summary>All links.</summary>
    public IReadOnlyList<LinkInfo> Links { get; init; } = Array.Empty<LinkInfo>();
    /// <summary>All IPv4/IPv6 addresses.</summary>
    public IReadOnlyList<InterfaceAddress> Addresses { get; init; } = Array.Empty<InterfaceAddress>();
    /// <summary>Sysctl values by key; a missing key or null value = the sysctl does not exist.</summary>
    public IReadOnlyDictionary<string, string?> Sysctls { get; init; } = new Dictionary<string, string?>();
    /// <summary>Loaded (or built-in) module names; null = unknown.</summary>
    public IReadOnlyCollection<string>? LoadedModules { get; init; }
    /// <summary>Current content of persistence files by path relative to the persist root (e.g. "etc/sysctl.d/90-lvsadmin.conf"); absent = no file.</summary>
    public IReadOnlyDictionary<string, string> PersistedFiles { get; init; } = new Dictionary<string, string>();
    /// <summary>The directory the persistence files are relative to ("/" normally; a temporary directory in tests).</summary>
    public string PersistRoot { get; init; } = "/";

    /// <summary>The value of a sysctl, or null.</summary>
    public string? Sysctl(string key) => Sysctls.TryGetValue(key, out var v) ? v : null;
    /// <summary>The link, or null.</summary>
    public LinkInfo? Link(string name) => Links.FirstOrDefault(l => l.Name == name);
    /// <summary>Where the address is configured, or null.</summary>
    public InterfaceAddress? FindAddress(IPAddress address) => Addresses.FirstOrDefault(a => a.Address.Equals(address));
    /// <summary>True when the module is loaded (false when unknown).</summary>
    public bool ModuleLoaded(string name) => LoadedModules?.Contains(name) == true;
}

/// <summary>One sysctl an Initialize changed: its value before and the value set.</summary>
public sealed record RecordedSysctl(string Key, string? Before, string After);

/// <summary>One address an Initialize added.</summary>
public sealed record RecordedAddress(string InterfaceName, string Address, int PrefixLength, string? Label);

/// <summary>
/// The undo record Initialize-LvsRealServer / Initialize-LvsDirector leave in the state directory, so Reset restores
/// exactly what was there before and removes only what was added. JSON.
/// </summary>
public sealed record HostSetupRecord
{
    /// <summary>Format version (1).</summary>
    public int Version { get; init; } = 1;
    /// <summary>"RealServer" or "Director".</summary>
    public string Role { get; init; } = "";
    /// <summary>The mode of the (last) Initialize.</summary>
    public string Mode { get; init; } = "";
    /// <summary>The network namespace the setup was done in, or null.</summary>
    public string? NetworkNamespace { get; init; }
    /// <summary>Sysctls changed (first Before wins when initialized repeatedly).</summary>
    public IReadOnlyList<RecordedSysctl> Sysctls { get; init; } = Array.Empty<RecordedSysctl>();
    /// <summary>Addresses added.</summary>
    public IReadOnlyList<RecordedAddress> Addresses { get; init; } = Array.Empty<RecordedAddress>();
    /// <summary>Links brought up.</summary>
    public IReadOnlyList<string> LinksUp { get; init; } = Array.Empty<string>();
    /// <summary>Fallback tunnel devices created (tunl0, ip6tnl0).</summary>
    public IReadOnlyList<string> TunnelsCreated { get; init; } = Array.Empty<string>();
}
