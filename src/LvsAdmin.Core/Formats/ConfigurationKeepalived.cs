using System;
using System.Collections.Generic;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Formats;

/// <summary>
/// Converts between a <see cref="LvsConfiguration"/> and the LVS half of a keepalived.conf (keepalived 2.2.7):
/// <see cref="Write(LvsConfiguration, List{string})"/> with warnings for what keepalived cannot express, <see cref="Read"/> with notes for the
/// defaults keepalived applies and the sections skipped, and errors with file:line.
/// </summary>
public static class ConfigurationKeepalived
{
    /// <summary>The keepalived.conf text; what it cannot hold goes to <paramref name="warnings"/> (one sentence each).</summary>
    public static string Write(LvsConfiguration configuration, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(warnings);
        return KeepalivedWriter.Write(configuration, warnings);
    }

    /// <summary>The keepalived.conf text (the warnings dropped).</summary>
    public static string Write(LvsConfiguration configuration) => Write(configuration, new List<string>());

    /// <summary>What of <paramref name="configuration"/> a keepalived.conf would leave out (empty when nothing).</summary>
    public static IReadOnlyList<string> Omissions(LvsConfiguration configuration)
    {
        var warnings = new List<string>();
        Write(configuration, warnings);
        return warnings;
    }

    /// <summary>
    /// Reads keepalived.conf text. <paramref name="source"/> names it in errors; relative includes are resolved
    /// against <paramref name="directory"/> (null: a relative include is an error). Timeouts and sync daemons are
    /// null (not managed) unless global_defs sets them. Throws <see cref="ConfigurationParseException"/> with every
    /// error (file:line) when anything is wrong; <paramref name="notes"/> gets the defaults applied and what was skipped.
    /// </summary>
    public static LvsConfiguration Read(string text, string? source = null, string? directory = null, List<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new List<ConfigurationError>();
        var found = new List<string>();
        var statements = KeepalivedLexer.Read(text, source ?? "(text)", directory, errors, found);
        var document = new KeepalivedReader(errors, found).Read(statements);
        if (errors.Count > 0) throw new ConfigurationParseException(errors, source);
        notes?.AddRange(found);
        return document;
    }
}
