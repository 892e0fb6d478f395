using System;
using System.IO;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.State;

/// <summary>The two file formats of a configuration.</summary>
public enum ConfigurationFormat
{
    Json,
    Ipvsadm,
}

/// <summary>Reading and writing configuration files in either format, with format auto-detection.</summary>
public static class ConfigurationFile
{
    /// <summary>JSON when the first character that is not white space (or a byte-order mark) is '{'; ipvsadm rules otherwise.</summary>
    public static ConfigurationFormat DetectFormat(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (c == '\uFEFF' || char.IsWhiteSpace(c)) continue;
            return c == '{' ? ConfigurationFormat.Json : ConfigurationFormat.Ipvsadm;
        }
        return ConfigurationFormat.Ipvsadm;
    }

    /// <summary>Parses text in <paramref name="format"/> (auto-detected when null).</summary>
    public static LvsConfiguration Parse(string text, ConfigurationFormat? format = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var f = format ?? DetectFormat(text);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        return f == ConfigurationFormat.Json ? ConfigurationJson.Read(text, source) : ConfigurationIpvsadm.Read(text, source);
    }

    /// <summary>Reads a file (UTF-8) in <paramref name="format"/> (auto-detected when null).</summary>
    public static LvsConfiguration Load(string path, ConfigurationFormat? format = null)
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
        return Parse(text, format, path);
    }

    /// <summary>The text of <paramref name="configuration"/> in <paramref name="format"/>.</summary>
    public static string Format(LvsConfiguration configuration, ConfigurationFormat format) =>
        format == ConfigurationFormat.Json ? ConfigurationJson.Write(configuration) : ConfigurationIpvsadm.Write(configuration);
}
