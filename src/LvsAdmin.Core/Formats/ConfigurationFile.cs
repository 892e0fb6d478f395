using System;
using System.IO;
using System.Collections.Generic;
using System.Text;
using LvsAdmin.Formats;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;

namespace LvsAdmin.Formats;

/// <summary>The file formats of a configuration.</summary>
public enum ConfigurationFormat
{
    Json,
    Ipvsadm,
    /// <summary>The LVS half of a keepalived.conf (virtual_server blocks, lvs_timeouts and lvs_sync_daemon).</summary>
    Keepalived,
}

/// <summary>Reading and writing configuration files in either format, with format auto-detection.</summary>
public static class ConfigurationFile
{
    /// <summary>
    /// JSON when the first character that is not white space (or a byte-order mark) is '{'; a keepalived.conf when
    /// the first line that is not blank or a comment ('#', '!') starts with a letter (a keyword such as
    /// virtual_server, global_defs or include); ipvsadm rules otherwise (they start with '-').
    /// </summary>
    public static ConfigurationFormat DetectFormat(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimStart('\uFEFF').Trim();
            if (line.Length == 0 || line[0] is '#' or '!') continue;
            if (line[0] == '{') return ConfigurationFormat.Json;
            return char.IsAsciiLetter(line[0]) ? ConfigurationFormat.Keepalived : ConfigurationFormat.Ipvsadm;
        }
        return ConfigurationFormat.Ipvsadm;
    }

    /// <summary>
    /// Parses text in <paramref name="format"/> (auto-detected when null). A keepalived.conf's relative includes are
    /// resolved against <paramref name="directory"/>; <paramref name="notes"/> gets what its reader says (defaults
    /// applied, sections skipped).
    /// </summary>
    public static LvsConfiguration Parse(string text, ConfigurationFormat? format = null, string? source = null, List<string>? notes = null, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var f = format ?? DetectFormat(text);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        return f switch
        {
            ConfigurationFormat.Json => ConfigurationJson.Read(text, source),
            ConfigurationFormat.Keepalived => ConfigurationKeepalived.Read(text, source, directory, notes),
            _ => ConfigurationIpvsadm.Read(text, source),
        };
    }

    /// <summary>Reads a file (UTF-8) in <paramref name="format"/> (auto-detected when null).</summary>
    public static LvsConfiguration Load(string path, ConfigurationFormat? format = null, List<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IpvsException($"Cannot read configuration file '{path}': {e.Message}",
                e is FileNotFoundException or DirectoryNotFoundException ? IpvsErrorKind.NotFound : e is UnauthorizedAccessException ? IpvsErrorKind.PermissionDenied : IpvsErrorKind.Other,
                "ConfigurationFileUnreadable", 0, e);
        }
        return Parse(text, format, path, notes, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>The text of <paramref name="configuration"/> in <paramref name="format"/>.</summary>
    public static string Format(LvsConfiguration configuration, ConfigurationFormat format) => format switch
    {
        ConfigurationFormat.Json => ConfigurationJson.Write(configuration),
        ConfigurationFormat.Keepalived => ConfigurationKeepalived.Write(configuration),
        _ => ConfigurationIpvsadm.Write(configuration),
    };

    /// <summary>What <paramref name="format"/> would leave out of <paramref name="configuration"/> (empty for Json).</summary>
    public static IReadOnlyList<string> Omissions(LvsConfiguration configuration, ConfigurationFormat format) => format switch
    {
        ConfigurationFormat.Ipvsadm => ConfigurationIpvsadm.Omissions(configuration),
        ConfigurationFormat.Keepalived => ConfigurationKeepalived.Omissions(configuration),
        _ => Array.Empty<string>(),
    };
}
