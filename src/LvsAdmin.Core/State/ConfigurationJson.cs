using System;
using LvsAdmin.Ipvs;

namespace LvsAdmin.State;

/// <summary>
/// The JSON form of a <see cref="LvsConfiguration"/> (docs/ConfigurationDocument.md, schema
/// docs/schema/lvsadmin-configuration-v1.schema.json). <see cref="Write"/> is deterministic: services sorted by family,
/// protocol, address, port (firewall marks after), real servers by address and port, properties in a fixed order,
/// camelCase names, enums as camelCase strings, 2-space indentation, "\n" line ends and a final newline.
/// <see cref="Read"/> is strict: unknown properties, wrong types, bad addresses or values, duplicates and an unknown
/// schemaVersion are errors with line, column and JSON path; nothing is returned unless everything is right.
/// </summary>
public static class ConfigurationJson
{
    /// <summary>The JSON text of <paramref name="configuration"/>.</summary>
    public static string Write(LvsConfiguration configuration) => throw new NotImplementedException();

    /// <summary>
    /// Reads a document. Throws <see cref="ConfigurationParseException"/> (ConfigurationParseError) listing every
    /// problem, or <see cref="UnsupportedSchemaVersionException"/> when schemaVersion is not 1.
    /// </summary>
    public static LvsConfiguration Read(string json, string? source = null) => throw new NotImplementedException();
}
