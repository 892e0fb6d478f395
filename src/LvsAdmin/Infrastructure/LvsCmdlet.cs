using System;
using System.Management.Automation;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.Commands;

/// <summary>
/// Base of every LvsAdmin cmdlet: the common -NetworkNamespace parameter, a lazily opened <see cref="IpvsClient"/>
/// (one netlink socket per cmdlet invocation, closed when the pipeline ends), and the mapping of IPVS failures to
/// PowerShell errors. Failures of the setup (no ip_vs module, no permission, no such namespace) end the command;
/// failures of one item are written as non-terminating errors and the pipeline goes on.
/// </summary>
public abstract class LvsCmdlet : PSCmdlet, IDisposable
{
    private IpvsClient? _client;

    private string? _networkNamespace;

    /// <summary>
    /// Work in this network namespace instead of the current one: the name of a namespace made by `ip netns add`
    /// (lab, resolved to /run/netns/lab) or the path of a namespace file (/run/netns/lab, /proc/1234/ns/net).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NetworkNamespace
    {
        get => _networkNamespace;
        set => _networkNamespace = ResolveNetworkNamespace(value);
    }

    /// <summary>A bare name (no '/') is an `ip netns` name: /run/netns/NAME; anything else is a path, kept as given.</summary>
    internal static string? ResolveNetworkNamespace(string? value) =>
        value is { Length: > 0 } && !value.Contains('/') ? "/run/netns/" + value : value;

    /// <summary>The IPVS client, opened on first use. Opening failures terminate the command.</summary>
    protected IpvsClient Client => _client ??= OpenClient();

    private IpvsClient OpenClient()
    {
        try
        {
            return IpvsClient.Open(NetworkNamespace);
        }
        catch (Exception e) when (e is IpvsException or NetlinkException)
        {
            ThrowTerminatingError(ErrorRecords.From(e, (object?)NetworkNamespace ?? "IPVS"));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    /// <summary>True when the caller supplied the parameter (on the command line or from the pipeline).</summary>
    protected bool Given(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

    /// <summary>
    /// True when ShouldProcess would return true and write nothing: no -WhatIf (nor $WhatIfPreference), no -Confirm
    /// (nor a $ConfirmPreference at or below this command's ConfirmImpact) and no verbose output. A command that asks
    /// once per plan step (tens of thousands for a whole table) then skips building every step's text. Anything it
    /// cannot read counts as "not silent", so the command asks as usual.
    /// </summary>
    protected bool ShouldProcessIsSilent()
    {
        try
        {
            if (WhatIfRequested() || VerboseOutput()) return false;
            var bound = MyInvocation.BoundParameters;
            var impact = ((CmdletAttribute?)Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute)))?.ConfirmImpact ?? ConfirmImpact.Medium;
            if (impact == ConfirmImpact.None) return true;
            var preference = bound.TryGetValue("Confirm", out var c)
                ? ((SwitchParameter)c).IsPresent ? ConfirmImpact.Low : ConfirmImpact.None
                : LanguagePrimitives.ConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference") ?? ConfirmImpact.High);
            return preference == ConfirmImpact.None || impact < preference;
        }
        catch (Exception e) when (e is PSInvalidCastException or InvalidCastException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// True under -WhatIf, or without the switch when $WhatIfPreference is set: any value PowerShell reads as true
    /// (as its own ShouldProcess does, e.g. 1 or a non-empty string).
    /// </summary>
    protected bool WhatIfRequested() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
            ? w is SwitchParameter { IsPresent: true }
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>True when verbose messages are shown (-Verbose, or $VerbosePreference other than SilentlyContinue or Ignore).</summary>
    protected bool VerboseOutput()
    {
        try
        {
            if (MyInvocation.BoundParameters.TryGetValue("Verbose", out var v)) return ((SwitchParameter)v).IsPresent;
            var preference = LanguagePrimitives.ConvertTo<ActionPreference>(GetVariableValue("VerbosePreference") ?? ActionPreference.SilentlyContinue);
            return preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
        }
        catch (Exception e) when (e is PSInvalidCastException or InvalidCastException or ArgumentException)
        {
            return true;
        }
    }

    /// <summary>The ShouldProcess target text: the item, with the network namespace when one was given.</summary>
    protected string Target(string item) => NetworkNamespace is null ? item : item + " (network namespace " + NetworkNamespace + ")";

    /// <summary>
    /// Runs one item's work; an IPVS failure becomes a non-terminating error for <paramref name="target"/>, except a
    /// setup failure, which terminates. Returns whether the work succeeded.
    /// </summary>
    protected bool Try(object? target, Action work)
    {
        try
        {
            work();
            return true;
        }
        catch (Exception e) when (e is IpvsException or NetlinkException or NetlinkProtocolException or NetlinkDumpInterruptedException)
        {
            WriteFailure(e, target);
            return false;
        }
    }

    /// <summary>Writes <paramref name="e"/> as an error: terminating for setup failures, else non-terminating.</summary>
    protected void WriteFailure(Exception e, object? target)
    {
        var record = ErrorRecords.From(e, target);
        if (ErrorRecords.IsSetupFailure(e)) ThrowTerminatingError(record);
        WriteError(record);
    }

    protected override void EndProcessing()
    {
        base.EndProcessing();
        ReleaseResources();
    }

    /// <summary>
    /// Ctrl+C: the pipeline thread still owns the socket (closing it under a blocked receive is unsafe), so this only
    /// lets loops see <see cref="Cmdlet.Stopping"/>; <see cref="Dispose"/> closes the socket when PowerShell disposes
    /// the command right after.
    /// </summary>
    protected override void StopProcessing() => base.StopProcessing();

    /// <summary>Closes the netlink socket (PowerShell disposes each command when its pipeline ends, also after errors).</summary>
    public void Dispose()
    {
        ReleaseResources();
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the sockets the command opened; derived classes that open more close them here too.</summary>
    protected virtual void ReleaseResources()
    {
        _client?.Dispose();
        _client = null;
    }
}
