using System;
using System.IO;

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
    public static ConfigurationFormat DetectFormat(string text) => throw new NotImplementedException();

    /// <summary>Parses text in <paramref name="format"/> (auto-detected when null).</summary>
    public static LvsConfiguration Parse(string text, ConfigurationFormat? format = null, string? source = null) => throw new NotImplementedException();

    /// <summary>Reads a file (UTF-8) in <paramref name="format"/> (auto-detected when null).</summary>
    public static LvsConfiguration Load(string path, ConfigurationFormat? format = null) => throw new NotImplementedException();

    /// <summary>The text of <paramref name="configuration"/> in <paramref name="format"/>.</summary>
    public static string Format(LvsConfiguration configuration, ConfigurationFormat format) => throw new NotImplementedException();
}
