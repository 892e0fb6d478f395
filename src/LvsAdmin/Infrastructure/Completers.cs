using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using LvsAdmin.Ipvs;
using LvsAdmin.Management;

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
