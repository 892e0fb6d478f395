using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>Shared completion of fixed word lists.</summary>
internal static class Completion
{
    public static IEnumerable<CompletionResult> Words(IEnumerable<string> words, string? wordToComplete, Func<string, string>? tooltip = null)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        foreach (var w in words)
        {
            if (w.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(w, w, CompletionResultType.ParameterValue, tooltip?.Invoke(w) ?? w);
        }
    }
}

/// <summary>Completes -Scheduler with the IPVS scheduler names.</summary>
public sealed class SchedulerCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Words(IpvsValidation.KnownSchedulers, wordToComplete, w => "ip_vs_" + w);
}

/// <summary>Completes -SchedulerFlags with the flag names that suit the -Scheduler already given (ipvsadm -b).</summary>
public sealed class SchedulerFlagsCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var scheduler = fakeBoundParameters?["Scheduler"]?.ToString()?.ToLowerInvariant();
        var names = new List<string> { "flag-1", "flag-2", "flag-3" };
        if (scheduler is null or "sh") names.AddRange(new[] { "sh-fallback", "sh-port" });
        if (scheduler is null or "mh") names.AddRange(new[] { "mh-fallback", "mh-port" });
        return Completion.Words(names, wordToComplete);
    }
}

/// <summary>Completes -ForwardingMethod with the settable methods and their ipvsadm aliases.</summary>
public sealed class ForwardingMethodCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Words(IpvsNames.ForwardingMethodAliases, wordToComplete, w => IpvsNames.ParseForwardingMethod(w).ToString());
}

/// <summary>Completes -PersistenceEngine with the known persistence engines.</summary>
public sealed class PersistenceEngineCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Words(IpvsValidation.KnownPersistenceEngines, wordToComplete, w => "ip_vs_pe_" + w);
}

/// <summary>
/// Completes -InterfaceName with the names of the live network interfaces (of the -NetworkNamespace already given),
/// read over rtnetlink, sorted by name; nothing when they cannot be read.
/// </summary>
public sealed class InterfaceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var links = new List<LvsAdmin.HostSetup.LinkInfo>();
        try
        {
            using var route = LvsAdmin.HostSetup.RouteNetlinkClient.Open(LvsCmdlet.ResolveNetworkNamespace(fakeBoundParameters?["NetworkNamespace"]?.ToString()));
            links.AddRange(route.GetLinks());
        }
        catch (Exception)
        {
            // Completion must never fail: no namespace, no permission, no netlink → no suggestions.
        }
        var byName = new Dictionary<string, LvsAdmin.HostSetup.LinkInfo>(StringComparer.Ordinal);
        foreach (var l in links) byName[l.Name] = l;
        return Completion.Words(byName.Keys.OrderBy(n => n, StringComparer.Ordinal), wordToComplete, n =>
            n + (byName[n].IsUp ? " (up" : " (down") + (byName[n].Kind is { } kind ? ", " + kind : "") + ")");
    }
}
