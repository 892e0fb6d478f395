using System;
using System.Collections.Generic;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>
/// One problem in a configuration file: 1-based line (0 when unknown), 1-based column (0 when unknown), the JSON
/// path ($.services[2].realServers[0].weight; null for ipvsadm rules and keepalived.conf), what is wrong, and for a
/// keepalived.conf the file (it may be an included one).
/// </summary>
public sealed record ConfigurationError(int Line, int Column, string? Path, string Message)
{
    /// <summary>The file the line is in, when the configuration spans files (a keepalived.conf and its includes); else null.</summary>
    public string? File { get; init; }

    public override string ToString()
    {
        if (File is not null) return $"{File}:{Line}: {Message}";
        var where = new StringBuilder();
        if (Line > 0) where.Append("line ").Append(Line);
        if (Column > 0) where.Append(", column ").Append(Column);
        if (Path is not null) where.Append(where.Length > 0 ? " " : "").Append('(').Append(Path).Append(')');
        return where.Length > 0 ? where + ": " + Message : Message;
    }
}

/// <summary>
/// A configuration file could not be read (syntax, unknown property, wrong type, bad address, bad value, duplicate):
/// ErrorId ConfigurationParseError. Nothing was applied. <see cref="Errors"/> lists every problem found.
/// </summary>
public sealed class ConfigurationParseException : IpvsException
{
    public ConfigurationParseException(IReadOnlyList<ConfigurationError> errors, string? source = null, Exception? inner = null)
        : base(BuildMessage(errors, source), IpvsErrorKind.InvalidArgument, "ConfigurationParseError", 0, inner)
    {
        Errors = errors;
        Source = source;
    }

    public IReadOnlyList<ConfigurationError> Errors { get; }

    /// <summary>The file name (or null for text).</summary>
    public new string? Source { get; }

    /// <summary>The line of the first error (0 when unknown).</summary>
    public int Line => Errors.Count > 0 ? Errors[0].Line : 0;

    private static string BuildMessage(IReadOnlyList<ConfigurationError> errors, string? source)
    {
        var sb = new StringBuilder();
        sb.Append("The configuration");
        if (source is not null) sb.Append(" '").Append(source).Append('\'');
        sb.Append(errors.Count == 1 ? " has an error (nothing was applied):" : $" has {errors.Count} errors (nothing was applied):");
        foreach (var e in errors) sb.Append("\n  ").Append(e);
        return sb.ToString();
    }
}

/// <summary>The document's schemaVersion is newer (or otherwise unknown) than this library reads: ErrorId UnsupportedSchemaVersion.</summary>
public sealed class UnsupportedSchemaVersionException : IpvsException
{
    public UnsupportedSchemaVersionException(long version, int line, string? source = null)
        : base($"The configuration{(source is null ? "" : " '" + source + "'")} has schemaVersion {version}{(line > 0 ? " (line " + line + ")" : "")}, " +
               $"but this LvsAdmin reads schemaVersion {LvsConfiguration.CurrentSchemaVersion} only. Update LvsAdmin or export the document again with this version.",
            IpvsErrorKind.InvalidArgument, "UnsupportedSchemaVersion")
    {
        Version = version;
        Line = line;
    }

    public long Version { get; }
    public int Line { get; }
}

/// <summary>
/// A document built in code (or from a PowerShell object) is not valid: duplicate services or real servers, a real
/// server listed under another service, values the kernel would refuse. ErrorId ConfigurationInvalid; nothing was applied.
/// </summary>
public sealed class ConfigurationInvalidException : IpvsException
{
    public ConfigurationInvalidException(IReadOnlyList<string> problems)
        : base(BuildMessage(problems), IpvsErrorKind.InvalidArgument, "ConfigurationInvalid")
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }

    private static string BuildMessage(IReadOnlyList<string> problems)
    {
        var sb = new StringBuilder(problems.Count == 1 ? "The configuration is not valid (nothing was applied):" : $"The configuration has {problems.Count} problems (nothing was applied):");
        foreach (var p in problems) sb.Append("\n  ").Append(p);
        return sb.ToString();
    }
}

/// <summary>
/// Applying a plan failed at one step. ErrorId ApplyFailedRolledBack when the steps done before were undone and a
/// re-read showed the table as it was; ApplyFailedRollbackIncomplete when undoing failed or the re-read differs
/// (<see cref="RollbackErrors"/> says what). <see cref="Exception.InnerException"/> is the kernel error.
/// </summary>
public sealed class ConfigurationApplyException : IpvsException
{
    public ConfigurationApplyException(PlanStep failedStep, IpvsException error, bool rolledBack, IReadOnlyList<string> rollbackErrors)
        : base(BuildMessage(failedStep, error, rolledBack, rollbackErrors), error.Kind,
            rolledBack ? "ApplyFailedRolledBack" : "ApplyFailedRollbackIncomplete", error.Errno, error)
    {
        FailedStep = failedStep;
        Error = error;
        RolledBack = rolledBack;
        RollbackErrors = rollbackErrors;
    }

    public PlanStep FailedStep { get; }
    public IpvsException Error { get; }
    /// <summary>True when the table was verified to be back as it was before the apply.</summary>
    public bool RolledBack { get; }
    public IReadOnlyList<string> RollbackErrors { get; }

    private static string BuildMessage(PlanStep step, IpvsException error, bool rolledBack, IReadOnlyList<string> rollbackErrors)
    {
        var sb = new StringBuilder();
        sb.Append("Applying the configuration failed at step ").Append(step.Index).Append(" (").Append(step.Description).Append("): ").Append(error.Message);
        if (rolledBack)
        {
            sb.Append("\nThe steps done before were rolled back; the table is as it was before.");
        }
        else
        {
            sb.Append("\nThe rollback is INCOMPLETE; the table differs from before:");
            foreach (var r in rollbackErrors) sb.Append("\n  ").Append(r);
        }
        return sb.ToString();
    }
}

/// <summary>
/// A drained real server still had connections (or persistence templates) when the drain timeout ran out: ErrorId
/// DrainTimeout. Whether it was removed anyway or left at weight 0 is in <see cref="Removed"/>.
/// </summary>
public sealed class DrainTimeoutException : IpvsException
{
    public DrainTimeoutException(IReadOnlyList<DrainStatus> remaining, TimeSpan timeout, bool removed)
        : base(BuildMessage(remaining, timeout, removed), IpvsErrorKind.ResourceUnavailable, "DrainTimeout")
    {
        Remaining = remaining;
        Timeout = timeout;
        Removed = removed;
    }

    /// <summary>The real servers that still had connections, with their counts at the end.</summary>
    public IReadOnlyList<DrainStatus> Remaining { get; }
    public TimeSpan Timeout { get; }
    public bool Removed { get; }

    private static string BuildMessage(IReadOnlyList<DrainStatus> remaining, TimeSpan timeout, bool removed)
    {
        var sb = new StringBuilder($"Draining did not finish within {timeout.TotalSeconds:0.#} s: ");
        sb.Append(string.Join("; ", remaining));
        sb.Append(removed ? ". They were removed anyway (their connections are cut)." : ". They were left in place at weight 0 (no new connections).");
        return sb.ToString();
    }
}
