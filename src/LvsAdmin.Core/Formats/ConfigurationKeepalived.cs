using System;
using System.Collections.Generic;
using System.Linq;
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

    /// <summary>
    /// The keepalived.conf of one director of the document's pair: router_id, the VRRP-driven lvs_sync_daemon, the
    /// vrrp_instance with the VIPs, and the virtual servers. Throws <see cref="DirectorNotFoundException"/> when the
    /// document has no pair or no director of that name, <see cref="DirectorPairInvalidException"/> when the pair is not valid.
    /// </summary>
    public static string WriteDirector(LvsConfiguration configuration, string director, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(director);
        ArgumentNullException.ThrowIfNull(warnings);
        DirectorPair.Validate(configuration);
        var d = FindDirector(configuration, director);
        return KeepalivedWriter.Write(configuration, warnings, d);
    }

    /// <summary>The director named <paramref name="name"/>; <see cref="DirectorNotFoundException"/> when there is none.</summary>
    public static Director FindDirector(LvsConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.DirectorPair is not { } pair)
            throw new DirectorNotFoundException($"The configuration has no director pair (directorPair), so there is no director '{name}' to export.");
        return pair.Find(name) ?? throw new DirectorNotFoundException(
            $"The director pair has no director '{name}' (it has: {string.Join(", ", pair.Directors.Select(d => d.Name))}).");
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
