using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace LvsAdmin.Commands;

/// <summary>
/// What every cmdlet that works on other hosts over PSSessions shares: the module version the hosts must have, the
/// per-host error records (target: the host, text prefixed with it, the remote ErrorId kept), PSComputerName on
/// every result, and the check that a host has this LvsAdmin before anything runs there.
/// </summary>
internal static class RemoteHosts
{
    /// <summary>The LvsAdmin version every remote host must have: the version of the module <paramref name="cmdlet"/> comes from.</summary>
    public static string ModuleVersion(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.MyCommand.Module?.Version?.ToString() ?? typeof(RemoteHosts).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>A per-host error: <paramref name="errorId"/>, the host as target, "HOST: message" as its text.</summary>
    public static ErrorRecord HostError(string host, string errorId, ErrorCategory category, string message, Exception? inner = null) =>
        new(inner ?? new InvalidOperationException(message), errorId, category, host) { ErrorDetails = new ErrorDetails($"{host}: {message}") };

    /// <summary>A remote error record as this host's error: its ErrorId (without the command part) and category kept.</summary>
    public static ErrorRecord FromRemote(string host, ErrorRecord remote) =>
        new(remote.Exception, ErrorId(remote), remote.CategoryInfo.Category, host) { ErrorDetails = new ErrorDetails($"{host}: {remote}") };

    /// <summary>The ErrorId of a (remote) error record without its ",Command" suffix.</summary>
    public static string ErrorId(ErrorRecord record) => record.FullyQualifiedErrorId.Split(',')[0];

    /// <summary>The error record inside a failed session's exception (a remote terminating error), or null.</summary>
    public static ErrorRecord? RecordOf(Exception? failure) => (failure as IContainsErrorRecord)?.ErrorRecord;

    /// <summary>
    /// Marks <paramref name="result"/> as coming from <paramref name="host"/> as Invoke-Command does: PSComputerName,
    /// and PSShowComputerName so that PowerShell's table and list views add a PSComputerName column.
    /// </summary>
    public static PSObject Named(PSObject result, string host)
    {
        if (result.Properties["PSComputerName"] is null) result.Properties.Add(new PSNoteProperty("PSComputerName", host));
        if (result.Properties["PSShowComputerName"] is null) result.Properties.Add(new PSNoteProperty("PSShowComputerName", true));
        return result;
    }

    /// <summary>A property value that is a list of strings (deserialized ArrayList or a single value).</summary>
    public static List<string> Strings(object? value)
    {
        value = value is PSObject p ? p.BaseObject : value;
        if (value is null) return new List<string>();
        if (value is string s) return new List<string> { s };
        if (value is IEnumerable e) return e.Cast<object?>().Select(x => (x is PSObject px ? px.BaseObject : x)?.ToString() ?? "").Where(x => x.Length > 0).ToList();
        return new List<string> { value.ToString() ?? "" };
    }

    /// <summary>
    /// Runs one LvsAdmin command on a host: the module of version $Version is imported (when the remote user has no
    /// such version, one object with LvsAdminVersions is returned instead and nothing runs), then $Command with
    /// $Parameters, the configuration JSON piped in when $Json is given.
    /// </summary>
    public const string RunCommand = """
        param([string]$Version, [string]$Command, [hashtable]$Parameters, [string]$Json)
        $versions = @(Get-Module -ListAvailable -Name LvsAdmin | ForEach-Object { $_.Version.ToString() } | Select-Object -Unique)
        if ($versions -notcontains $Version) { return [pscustomobject]@{ LvsAdminVersions = [string[]]$versions } }
        Import-Module LvsAdmin -RequiredVersion $Version -ErrorAction Stop
        if ($Json) { $Json | & $Command @Parameters } else { & $Command @Parameters }
        """;

    /// <summary>
    /// The error for a host whose output is RunCommand's LvsAdminVersions marker (LvsAdminModuleMissing or
    /// LvsAdminModuleVersionMismatch), or null when the output is the command's.
    /// </summary>
    public static ErrorRecord? ModuleProblem(string host, IReadOnlyList<PSObject> output, string version) =>
        output.Count == 1 && output[0].Properties["LvsAdminVersions"] is { } marker ? VersionProblem(host, Strings(marker.Value), version) : null;

    /// <summary>
    /// LvsAdminModuleMissing (no version) or LvsAdminModuleVersionMismatch (not <paramref name="version"/>) for a host
    /// whose remote user can import <paramref name="versions"/>; null when it has this version.
    /// </summary>
    public static ErrorRecord? VersionProblem(string host, IReadOnlyCollection<string> versions, string version)
    {
        if (versions.Count == 0)
            return HostError(host, "LvsAdminModuleMissing", ErrorCategory.ObjectNotFound,
                $"LvsAdmin is not installed for the remote user (this side has {version}). Copy it with: Install-LvsAdminModule -Session $session");
        if (!versions.Contains(version))
            return HostError(host, "LvsAdminModuleVersionMismatch", ErrorCategory.InvalidResult,
                $"the host has LvsAdmin {string.Join(", ", versions)}, this side {version}; versions are not mixed. Copy this one with: Install-LvsAdminModule -Session $session");
        return null;
    }
}

/// <summary>
/// Runs one LvsAdmin command on many hosts at once (<see cref="RemoteHosts.RunCommand"/> through
/// <see cref="SessionInvoker"/>) for a cmdlet: each host's problems (module missing or another version, the remote
/// command's errors, a broken session) are written as that host's non-terminating errors; what ran comes back per host.
/// </summary>
internal sealed class RemoteCommandRunner
{
    private readonly PSCmdlet _cmdlet;
    private readonly SessionInvoker _invoker;

    public RemoteCommandRunner(PSCmdlet cmdlet, int throttleLimit)
    {
        _cmdlet = cmdlet;
        _invoker = new SessionInvoker { ThrottleLimit = throttleLimit };
    }

    /// <summary>One host's run: its output (results marked with PSComputerName) and whether it failed (its errors are written).</summary>
    public sealed record HostRun(PSSession Session, IReadOnlyList<PSObject> Output, bool Failed)
    {
        public string Host => Session.ComputerName;
    }

    /// <summary>
    /// Runs <paramref name="command"/> with <paramref name="parameters"/> on every session (<paramref name="json"/>,
    /// when given, piped in), at most the throttle limit at once. Returns the hosts where it ran, ordered by host name;
    /// hosts without this LvsAdmin are errors and not returned.
    /// </summary>
    public List<HostRun> Run(IReadOnlyList<PSSession> sessions, string command, IDictionary<string, object?> parameters, string? json = null)
    {
        var version = RemoteHosts.ModuleVersion(_cmdlet);
        var runs = new List<HostRun>();
        var args = new Dictionary<string, object?>
        {
            ["Version"] = version, ["Command"] = command, ["Parameters"] = new Hashtable(parameters.ToDictionary(p => p.Key, p => p.Value)), ["Json"] = json,
        };
        foreach (var o in _invoker.Invoke(sessions, RemoteHosts.RunCommand, _ => args))
        {
            if (RemoteHosts.ModuleProblem(o.Host, o.Output, version) is { } problem)
            {
                _cmdlet.WriteError(problem);
                continue;
            }
            foreach (var e in o.Errors) _cmdlet.WriteError(RemoteHosts.FromRemote(o.Host, e));
            if (o.Failure is not null)
                _cmdlet.WriteError(RemoteHosts.RecordOf(o.Failure) is { } r && r.FullyQualifiedErrorId != "RemoteException"
                    ? RemoteHosts.FromRemote(o.Host, r)
                    : RemoteHosts.HostError(o.Host, "RemoteCommandFailed", ErrorCategory.OperationStopped, o.Failure.Message, o.Failure));
            runs.Add(new HostRun(o.Session, o.Output.Select(x => RemoteHosts.Named(x, o.Host)).ToList(), o.Failure is not null || o.Errors.Count > 0));
        }
        return runs.OrderBy(r => r.Host, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Stops every host's running command (Ctrl+C).</summary>
    public void Stop() => _invoker.Stop();
}
