using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using LvsAdmin.HostSetup;

namespace LvsAdmin.Commands;

/// <summary>
/// Base of the cmdlets that work on every real server of the director's table at once over PowerShell remoting
/// (Sync-LvsRealServer, Test-LvsRealServerFleet): sessions given (-Session) or opened over SSH (-HostName, with keys,
/// an agent or ssh_config; closed again at the end), each host's addresses and LvsAdmin versions queried remotely,
/// hosts matched to real servers by those addresses (or -RealServerMap), and one script per host run in parallel
/// through <see cref="SessionInvoker"/> (-ThrottleLimit). Every per-host problem is a non-terminating error whose
/// target is the host: RealServerHostUnreachable, RealServerWithoutSession, LvsAdminModuleMissing,
/// LvsAdminModuleVersionMismatch, RemoteCommandFailed; a session that matches no real server is a warning.
/// </summary>
public abstract class RealServerFleetCmdlet : RealServerSourceCmdlet
{
    /// <summary>The parameter set of -Session.</summary>
    protected const string SessionSet = "Session";
    /// <summary>The parameter set of -HostName.</summary>
    protected const string HostNameSet = "HostName";

    /// <summary>Sessions to the real servers (New-PSSession -HostName …). They are left open.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
    [ValidateNotNullOrEmpty]
    public PSSession[] Session { get; set; } = [];

    /// <summary>SSH host names (or user@host) of the real servers: sessions are opened with New-PSSession -HostName and closed at the end.</summary>
    [Parameter(Mandatory = true, ParameterSetName = HostNameSet)]
    [ValidateNotNullOrEmpty]
    public string[] HostName { get; set; } = [];

    /// <summary>The SSH user for -HostName (default: ssh_config, then the local user).</summary>
    [Parameter(ParameterSetName = HostNameSet)]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    /// <summary>The private key for -HostName (default: the agent and ssh_config's IdentityFile). No password is ever taken.</summary>
    [Parameter(ParameterSetName = HostNameSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    /// <summary>The SSH port for -HostName (default 22 or ssh_config's Port).</summary>
    [Parameter(ParameterSetName = HostNameSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>SSH options for -HostName, as ssh -o takes them (New-PSSession -Options), e.g. @{ ConnectTimeout = 5 }.</summary>
    [Parameter(ParameterSetName = HostNameSet)]
    [ValidateNotNull]
    public Hashtable? SshOption { get; set; }

    /// <summary>How many hosts are worked on at once (default 32).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 32;

    /// <summary>
    /// Real servers to hosts by hand: a hashtable of real-server address to the session's computer name, e.g.
    /// @{ '10.0.1.21' = 'web1' } (behind NAT, or when the host does not have the address the director uses). Real
    /// servers not in the map are matched by the addresses each host has.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? RealServerMap { get; set; }

    private SessionInvoker? _invoker;

    /// <summary>The hosts that are LVS-NAT real servers (their route back is checked).</summary>
    protected static List<FleetHost> NatHosts(IEnumerable<FleetHost> hosts) =>
        hosts.Where(h => h.RealServers.Any(r => r.Method == Ipvs.ForwardingMethod.Nat)).ToList();

    /// <summary>The parameters of <see cref="RemoteScripts.RealServer"/> for a NAT host's RouteBack check.</summary>
    private protected Dictionary<string, object?> RouteBackParameters(FleetHost host, IReadOnlyList<IPAddress> director) => new()
    {
        ["Version"] = ModuleVersion, ["Action"] = "RouteBack",
        ["NatAddress"] = host.RealServers.Where(r => r.Method == Ipvs.ForwardingMethod.Nat).Select(r => r.Address.ToString()).ToArray(),
        ["DirectorAddress"] = director.Select(a => a.ToString()).ToArray(),
    };

    /// <summary>The module version every remote host must have: the version of the module this command comes from.</summary>
    protected string ModuleVersion => RemoteHosts.ModuleVersion(this);

    /// <summary>One host to work on: its session, the real servers it is, and the setup those need (null: Nat only).</summary>
    protected sealed record FleetHost(PSSession Session, IReadOnlyList<RealServerRequirement> RealServers, RealServerSetup? Setup)
    {
        /// <summary>The session's computer name.</summary>
        public string Host => Session.ComputerName;
    }

    /// <summary>The parameters of <see cref="RemoteScripts.RealServer"/> for a host: Test, Plan or Apply of its setup.</summary>
    private protected Dictionary<string, object?> RemoteParameters(FleetHost host, string action) => new()
    {
        ["Version"] = ModuleVersion, ["Action"] = action, ["Mode"] = host.Setup!.Mode.ToString(),
        ["VirtualAddress"] = host.Setup.VirtualAddresses.ToArray(), ["Persist"] = action != "Test" && host.Setup.Persist,
    };

    /// <summary>Every host problem so far (for the JSON report).</summary>
    protected List<FleetFailure> Failures { get; } = new();

    /// <summary>Writes a per-host non-terminating error (target: the host) and records it.</summary>
    protected void WriteHostError(string host, string errorId, ErrorCategory category, string message, Exception? inner = null)
    {
        Failures.Add(new FleetFailure(host, errorId, message));
        WriteError(RemoteHosts.HostError(host, errorId, category, message, inner));
    }

    /// <summary>
    /// Opens (or takes) the sessions, queries each host, matches hosts to real servers, checks the module version, and
    /// returns the hosts to work on; <paramref name="persist"/> goes into each host's setup. Problems are per-host errors.
    /// </summary>
    protected List<FleetHost> Prepare(IReadOnlyList<RealServerRequirement> requirements, bool persist)
    {
        var sessions = ParameterSetName == HostNameSet ? OpenSessions() : Session.ToList();
        var discovered = new Dictionary<string, (PSSession Session, IReadOnlyCollection<IPAddress> Addresses, IReadOnlyList<string> Versions)>(StringComparer.OrdinalIgnoreCase);
        foreach (var o in Invoker.Invoke(sessions, RemoteScripts.Discover, _ => new Dictionary<string, object?>()))
        {
            var info = o.Output.FirstOrDefault();
            if (o.Failure is not null || info is null)
            {
                WriteHostError(o.Host, "RealServerHostUnreachable", ErrorCategory.ConnectionError,
                    $"cannot query the host: {o.Failure?.Message ?? string.Join("; ", o.Errors.Select(e => e.ToString()))}", o.Failure);
                continue;
            }
            var addresses = Strings(info.Properties["Addresses"]?.Value).Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).OfType<IPAddress>().ToList();
            discovered[o.Host] = (o.Session, addresses, Strings(info.Properties["Versions"]?.Value));
        }
        var byHost = discovered.ToDictionary(d => d.Key, d => (IReadOnlyCollection<IPAddress>)d.Value.Addresses, StringComparer.OrdinalIgnoreCase);
        var mapped = MapByHand(requirements, byHost);
        var matches = RealServerDerivation.Match(requirements.Where(r => !mapped.Any(m => m.Value.Contains(r))).ToList(), byHost, out var unmatched);
        foreach (var (host, list) in mapped)
            if (matches.TryGetValue(host, out var m)) m.InsertRange(0, list);
        foreach (var r in unmatched)
            WriteHostError(r.Address.ToString(), "RealServerWithoutSession", ErrorCategory.ObjectNotFound,
                $"real server {r.Address} ({r.Method}, {string.Join(", ", r.Services)}) has no session: no host has this address (give one with -Session/-HostName, or -RealServerMap).");
        var hosts = new List<FleetHost>();
        foreach (var (host, list) in matches.OrderBy(m => m.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (list.Count == 0)
            {
                WriteWarning($"{host}: the session matches no real server of the director's table (its addresses: {string.Join(", ", byHost[host])}).");
                continue;
            }
            if (RemoteHosts.VersionProblem(host, discovered[host].Versions, ModuleVersion) is { } problem)
            {
                Failures.Add(new FleetFailure(host, RemoteHosts.ErrorId(problem), problem.Exception.Message));
                WriteError(problem);
                continue;
            }
            RealServerSetup? setup = null;
            try
            {
                setup = RealServerDerivation.Combine(list, persist);
            }
            catch (Ipvs.IpvsException e)
            {
                WriteHostError(host, e.ErrorId, ErrorCategory.InvalidArgument, e.Message, e);
                continue;
            }
            hosts.Add(new FleetHost(discovered[host].Session, list, setup));
        }
        return hosts;
    }

    private Dictionary<string, List<RealServerRequirement>> MapByHand(IReadOnlyList<RealServerRequirement> requirements, Dictionary<string, IReadOnlyCollection<IPAddress>> hosts)
    {
        var result = new Dictionary<string, List<RealServerRequirement>>(StringComparer.OrdinalIgnoreCase);
        if (RealServerMap is null) return result;
        foreach (DictionaryEntry e in RealServerMap)
        {
            var address = Convert.ToString(e.Key is PSObject pk ? pk.BaseObject : e.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            var host = Convert.ToString(e.Value is PSObject pv ? pv.BaseObject : e.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            var r = IPAddress.TryParse(address, out var ip) ? requirements.FirstOrDefault(x => x.Address.Equals(ip)) : null;
            if (r is null)
            {
                WriteHostError(address, "RealServerMapUnknownAddress", ErrorCategory.ObjectNotFound, $"-RealServerMap names '{address}', which is not a real server of the director's table.");
                continue;
            }
            if (!hosts.ContainsKey(host))
            {
                WriteHostError(host, "RealServerMapUnknownHost", ErrorCategory.ObjectNotFound, $"-RealServerMap maps {address} to '{host}', which is no session's computer name.");
                continue;
            }
            if (!result.TryGetValue(host, out var list)) result[host] = list = new List<RealServerRequirement>();
            list.Add(r);
        }
        return result;
    }

    private List<PSSession> OpenSessions()
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand("New-PSSession").AddParameter("HostName", HostName).AddParameter("ErrorAction", ActionPreference.SilentlyContinue);
        if (UserName is not null) ps.AddParameter("UserName", UserName);
        if (KeyFilePath is not null) ps.AddParameter("KeyFilePath", GetUnresolvedProviderPathFromPSPath(KeyFilePath));
        if (Port != 0) ps.AddParameter("Port", Port);
        if (SshOption is not null) ps.AddParameter("Options", SshOption);
        var sessions = ps.Invoke<PSSession>().ToList();
        _opened.AddRange(sessions);
        var errors = ps.Streams.Error.ToList();
        foreach (var h in HostName)
        {
            var name = h.Contains('@') ? h[(h.IndexOf('@') + 1)..] : h;
            if (sessions.Any(s => string.Equals(s.ComputerName, name, StringComparison.OrdinalIgnoreCase))) continue;
            var error = errors.FirstOrDefault(e => e.ToString().Contains(name, StringComparison.OrdinalIgnoreCase)) ?? errors.FirstOrDefault();
            WriteHostError(name, "RealServerHostUnreachable", ErrorCategory.ConnectionError,
                $"cannot open an SSH session: {error?.ToString() ?? "New-PSSession returned no session"}", error?.Exception);
        }
        return sessions;
    }

    private readonly List<PSSession> _opened = new();

    /// <summary>The invoker (throttled by -ThrottleLimit).</summary>
    internal SessionInvoker Invoker => _invoker ??= new SessionInvoker { ThrottleLimit = ThrottleLimit };

    /// <summary>Re-writes a remote error record as this host's non-terminating error (its ErrorId kept, target the host).</summary>
    protected void WriteRemoteError(string host, ErrorRecord remote)
    {
        Failures.Add(new FleetFailure(host, RemoteHosts.ErrorId(remote), remote.ToString()));
        WriteError(RemoteHosts.FromRemote(host, remote));
    }

    /// <summary>A property value that is a list of strings (deserialized ArrayList or a single value).</summary>
    protected static List<string> Strings(object? value) => RemoteHosts.Strings(value);

    /// <summary>Ctrl+C stops every host's running command.</summary>
    protected override void StopProcessing()
    {
        _invoker?.Stop();
        base.StopProcessing();
    }

    /// <summary>
    /// Closes the sessions -HostName opened, with Remove-PSSession so that Get-PSSession does not list them afterwards;
    /// off the pipeline thread (a disposal after Ctrl+C) their runspaces are closed directly.
    /// </summary>
    protected override void ReleaseResources()
    {
        base.ReleaseResources();
        if (_opened.Count == 0) return;
        try
        {
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand("Remove-PSSession").AddParameter("Session", _opened.ToArray()).AddParameter("ErrorAction", ActionPreference.SilentlyContinue).Invoke();
            _opened.Clear();
            return;
        }
        catch (Exception e) when (e is InvalidOperationException or PSInvalidOperationException or RuntimeException)
        {
            // not on the pipeline thread: close them below
        }
        foreach (var s in _opened)
        {
            try
            {
                s.Runspace.Dispose();
            }
            catch (InvalidOperationException)
            {
                // already closed
            }
        }
        _opened.Clear();
    }
}

/// <summary>The PowerShell scripts the fleet cmdlets run on each host (text, so nothing but the module is needed there).</summary>
internal static class RemoteScripts
{
    /// <summary>The host's addresses (no scope id) and the LvsAdmin versions the remote user can import. Needs no module.</summary>
    public const string Discover = """
        $versions = @(Get-Module -ListAvailable -Name LvsAdmin | ForEach-Object { $_.Version.ToString() } | Select-Object -Unique)
        $addresses = @([System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces() |
            ForEach-Object { $_.GetIPProperties().UnicastAddresses } | ForEach-Object { $_.Address.ToString() -replace '%.*$', '' })
        [pscustomobject]@{ Versions = $versions; Addresses = $addresses; User = [Environment]::UserName }
        """;

    /// <summary>
    /// RouteBack: the LVS-NAT route check's findings (HostChecks.NatRouteBack). Test: Test-LvsRealServer's findings. Plan: the changes Initialize-LvsRealServer would make (as text). Apply:
    /// Initialize-LvsRealServer -PassThru (the applied changes as text; failures are its own error records).
    /// </summary>
    public const string RealServer = """
        param([string]$Version, [string]$Action, [string]$Mode, [string[]]$VirtualAddress, [bool]$Persist, [string[]]$NatAddress, [string[]]$DirectorAddress)
        Import-Module LvsAdmin -RequiredVersion $Version -ErrorAction Stop
        switch ($Action) {
            'RouteBack' {
                $route = [LvsAdmin.HostSetup.RouteNetlinkClient]::Open([NullString]::Value)
                try {
                    [LvsAdmin.HostSetup.HostChecks]::NatRouteBack($route, [System.Net.IPAddress[]]$NatAddress, [System.Net.IPAddress[]]@($DirectorAddress | Where-Object { $_ }))
                } finally { $route.Dispose() }
            }
            'Test' { Test-LvsRealServer -Mode $Mode -VirtualAddress $VirtualAddress }
            'Plan' {
                $client = [LvsAdmin.HostSetup.HostSetupClient]::Open([NullString]::Value, [LvsAdmin.HostSetup.HostSetupOptions]::FromEnvironment())
                try {
                    $setup = [LvsAdmin.HostSetup.RealServerSetup]@{ Mode = $Mode; VirtualAddresses = [string[]]$VirtualAddress; Persist = $Persist }
                    $client.PlanRealServer($setup).Changes | ForEach-Object { $_.ToString() }
                } finally { $client.Dispose() }
            }
            'Apply' {
                Initialize-LvsRealServer -Mode $Mode -VirtualAddress $VirtualAddress -Persist:$Persist -PassThru -Confirm:$false -WhatIf:$false |
                    ForEach-Object { $_.ToString() }
            }
        }
        """;
}
