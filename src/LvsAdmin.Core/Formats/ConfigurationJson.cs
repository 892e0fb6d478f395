using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;

namespace LvsAdmin.Formats;

/// <summary>
/// The JSON form of a <see cref="LvsConfiguration"/> (docs/guides/ConfigurationDocument.md, schema
/// docs/schema/lvsadmin-configuration-v1.schema.json). <see cref="Write"/> is deterministic: services sorted by
/// address services first (family, protocol, address, port) then firewall marks, real servers by family, address and
/// port, properties in a fixed order, camelCase names, enums as camelCase strings, 2-space indentation, "\n" line ends
/// and a final newline. <see cref="Read"/> is strict: unknown properties, wrong types, bad addresses or values,
/// duplicates and an unknown schemaVersion are errors with line, column and JSON path; nothing is returned unless
/// everything is right.
/// </summary>
public static partial class ConfigurationJson
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    // ------------------------------------------------------------------------------------------------------------
    // Writing
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>The JSON text of <paramref name="configuration"/>.</summary>
    public static string Write(LvsConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", configuration.SchemaVersion);
            w.WriteStartArray("services");
            foreach (var s in configuration.Services.OrderBy(s => s.Key, ServiceKeyOrder.Instance))
                WriteService(w, s);
            w.WriteEndArray();
            if (configuration.Timeouts is { } t)
            {
                w.WriteStartObject("timeouts");
                w.WriteNumber("tcp", t.Tcp);
                w.WriteNumber("tcpFin", t.TcpFin);
                w.WriteNumber("udp", t.Udp);
                w.WriteEndObject();
            }
            if (configuration.SyncDaemons is { } daemons)
            {
                w.WriteStartArray("syncDaemons");
                foreach (var d in daemons.OrderBy(d => d.State)) WriteDaemon(w, d);
                w.WriteEndArray();
            }
            if (configuration.Host is { } h) WriteHost(w, h);
            if (configuration.DirectorPair is { } pair) WriteDirectorPair(w, pair);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan).Replace("\r\n", "\n") + "\n";
    }

    private static void WriteService(Utf8JsonWriter w, ConfiguredService cs)
    {
        var s = cs.Service;
        w.WriteStartObject();
        w.WriteString("service", s.Key.ToString());
        w.WriteString("scheduler", s.Scheduler);
        if (s.SchedulerFlags != SchedulerFlags.None)
        {
            w.WriteStartArray("schedulerFlags");
            foreach (var f in SchedulerFlagNames(s.Scheduler, s.SchedulerFlags)) w.WriteStringValue(f);
            w.WriteEndArray();
        }
        w.WriteBoolean("persistent", s.Persistent);
        if (s.Persistent)
        {
            w.WriteNumber("persistenceTimeout", s.PersistenceTimeout);
            w.WriteString("persistenceNetmask", IpvsValidation.NormalizeNetmask(s.AddressFamily, s.PersistenceNetmask));
        }
        if (!string.IsNullOrEmpty(s.PersistenceEngine)) w.WriteString("persistenceEngine", s.PersistenceEngine);
        w.WriteBoolean("onePacket", s.OnePacket);
        WriteServiceHealth(w, cs.Health);
        w.WriteStartArray("realServers");
        foreach (var r in cs.RealServers.OrderBy(r => r, RealServerOrder.Instance))
        {
            w.WriteStartObject();
            w.WriteString("address", Endpoint.Format(r.Address, r.Port));
            w.WriteString("forwardingMethod", ForwardingName(r.ForwardingMethod));
            w.WriteNumber("weight", r.Weight);
            w.WriteNumber("upperThreshold", r.UpperThreshold);
            w.WriteNumber("lowerThreshold", r.LowerThreshold);
            if (r.ForwardingMethod == ForwardingMethod.Tunnel)
            {
                w.WriteStartObject("tunnel");
                w.WriteString("type", TunnelName(r.TunnelType));
                if (r.TunnelType == TunnelType.Gue) w.WriteNumber("port", r.TunnelPort);
                if (r.TunnelType != TunnelType.Ipip) w.WriteString("checksum", ChecksumName(r.TunnelChecksum));
                w.WriteEndObject();
            }
            WriteRealServerHealth(w, cs.Health, r.Key);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteDaemon(Utf8JsonWriter w, SyncDaemon d)
    {
        w.WriteStartObject();
        w.WriteString("state", d.State == SyncDaemonState.Master ? "master" : d.State == SyncDaemonState.Backup ? "backup" : ((uint)d.State).ToString(C));
        w.WriteString("interface", d.Interface);
        w.WriteNumber("syncId", d.SyncId);
        WriteSyncOptions(w, d.MaxLength, d.MulticastGroup, d.MulticastPort, d.MulticastTtl);
        w.WriteEndObject();
    }

    private static void WriteHost(Utf8JsonWriter w, HostConfiguration h)
    {
        w.WriteStartObject("host");
        if (h.Sysctls is { } sysctls)
        {
            w.WriteStartObject("sysctls");
            foreach (var kv in sysctls.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(kv.Key, kv.Value);
            w.WriteEndObject();
        }
        if (h.Addresses is { } addresses)
        {
            w.WriteStartArray("addresses");
            foreach (var a in addresses.OrderBy(a => a.Interface, StringComparer.Ordinal).ThenBy(a => Endpoint.FamilyOf(a.Address))
                         .ThenBy(a => a.Address.GetAddressBytes(), ByteOrder.Instance).ThenBy(a => a.PrefixLength))
            {
                w.WriteStartObject();
                w.WriteString("interface", a.Interface);
                w.WriteString("address", a.Address.ToString());
                w.WriteNumber("prefixLength", a.PrefixLength);
                if (a.Label is not null) w.WriteString("label", a.Label);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>Scheduler flag names: sh-fallback/sh-port (sh), mh-fallback/mh-port (mh), flag-1/flag-2 otherwise; flag-3 always.</summary>
    internal static IEnumerable<string> SchedulerFlagNames(string scheduler, SchedulerFlags flags)
    {
        var named = scheduler is "sh" or "mh";
        if ((flags & SchedulerFlags.Flag1) != 0) yield return named ? scheduler + "-fallback" : "flag-1";
        if ((flags & SchedulerFlags.Flag2) != 0) yield return named ? scheduler + "-port" : "flag-2";
        if ((flags & SchedulerFlags.Flag3) != 0) yield return "flag-3";
    }

    internal static string ForwardingName(ForwardingMethod m) => m switch
    {
        ForwardingMethod.Nat => "nat",
        ForwardingMethod.Tunnel => "tunnel",
        ForwardingMethod.DirectRouting => "directRouting",
        ForwardingMethod.Local => "local",
        ForwardingMethod.Bypass => "bypass",
        _ => ((uint)m).ToString(C),
    };

    private static string TunnelName(TunnelType t) => t switch
    {
        TunnelType.Ipip => "ipip",
        TunnelType.Gue => "gue",
        TunnelType.Gre => "gre",
        _ => ((byte)t).ToString(C),
    };

    private static string ChecksumName(TunnelChecksum c) => c switch
    {
        TunnelChecksum.None => "none",
        TunnelChecksum.Checksum => "checksum",
        TunnelChecksum.RemoteChecksum => "remoteChecksum",
        _ => ((ushort)c).ToString(C),
    };

    /// <summary>The document's service order: address services (IPv4 before IPv6, TCP, UDP, SCTP, address bytes, port), then firewall marks (family, mark).</summary>
    internal sealed class ServiceKeyOrder : IComparer<ServiceKey>
    {
        public static readonly ServiceKeyOrder Instance = new();

        public int Compare(ServiceKey? a, ServiceKey? b)
        {
            if (ReferenceEquals(a, b)) return 0;
            if (a is null) return -1;
            if (b is null) return 1;
            var c = a.IsFirewallMark.CompareTo(b.IsFirewallMark);
            if (c != 0) return c;
            c = a.AddressFamily.CompareTo(b.AddressFamily);
            if (c != 0) return c;
            if (a.IsFirewallMark) return a.FirewallMark.CompareTo(b.FirewallMark);
            c = ((ushort)a.Protocol).CompareTo((ushort)b.Protocol);
            if (c != 0) return c;
            c = ByteOrder.Instance.Compare(a.Address!.GetAddressBytes(), b.Address!.GetAddressBytes());
            return c != 0 ? c : a.Port.CompareTo(b.Port);
        }
    }

    /// <summary>Real servers by family, address bytes, port.</summary>
    internal sealed class RealServerOrder : IComparer<RealServer>
    {
        public static readonly RealServerOrder Instance = new();

        public int Compare(RealServer? a, RealServer? b)
        {
            if (ReferenceEquals(a, b)) return 0;
            if (a is null) return -1;
            if (b is null) return 1;
            var c = a.AddressFamily.CompareTo(b.AddressFamily);
            if (c != 0) return c;
            c = ByteOrder.Instance.Compare(a.Address.GetAddressBytes(), b.Address.GetAddressBytes());
            return c != 0 ? c : a.Port.CompareTo(b.Port);
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? a, byte[]? b) => a.AsSpan().SequenceCompareTo(b.AsSpan());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reading
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Reads a document. Throws <see cref="ConfigurationParseException"/> (ConfigurationParseError) listing every
    /// problem, or <see cref="UnsupportedSchemaVersionException"/> when schemaVersion is not 1.
    /// </summary>
    public static LvsConfiguration Read(string json, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var bytes = Encoding.UTF8.GetBytes(json);
        var lines = new LineMap(bytes);
        Node root;
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 64 });
            if (!reader.Read()) throw new ConfigurationParseException(new[] { new ConfigurationError(1, 1, "$", "The document is empty; expected a JSON object.") }, source);
            root = Node.Parse(ref reader, lines, "$");
            if (reader.Read())
            {
                var (l, c) = lines.At(reader.TokenStartIndex);
                throw new ConfigurationParseException(new[] { new ConfigurationError(l, c, "$", "Unexpected text after the end of the document.") }, source);
            }
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            var col = (int)(e.BytePositionInLine ?? 0) + 1;
            var msg = e.Message;
            var cut = msg.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) msg = msg[..cut];
            throw new ConfigurationParseException(new[] { new ConfigurationError(line, col, null, "Not valid JSON: " + msg) }, source, e);
        }
        catch (DuplicatePropertyException d)
        {
            throw new ConfigurationParseException(new[] { d.Error }, source);
        }
        var r = new DocumentReader(source);
        var result = r.ReadRoot(root);
        if (r.Errors.Count > 0) throw new ConfigurationParseException(r.Errors, source);
        return result!;
    }

    private sealed class DuplicatePropertyException : Exception
    {
        public DuplicatePropertyException(ConfigurationError error) : base(error.Message) => Error = error;
        public ConfigurationError Error { get; }
    }

    /// <summary>Byte offset to 1-based line and column (columns count UTF-8 bytes, as System.Text.Json does).</summary>
    private sealed class LineMap
    {
        private readonly List<int> _starts = new() { 0 };

        public LineMap(byte[] bytes)
        {
            for (var i = 0; i < bytes.Length; i++) if (bytes[i] == (byte)'\n') _starts.Add(i + 1);
        }

        public (int Line, int Column) At(long offset)
        {
            var i = _starts.BinarySearch((int)offset);
            if (i < 0) i = ~i - 1;
            return (i + 1, (int)offset - _starts[i] + 1);
        }
    }

    private enum Kind { Object, Array, String, Number, Bool, Null }

    /// <summary>A parsed JSON value with its position and path.</summary>
    private sealed class Node
    {
        public Kind Kind;
        public string Path = "$";
        public int Line, Column;
        public string? Text;      // string value or raw number text
        public bool Bool;
        public List<(string Name, Node Value)>? Properties;
        public List<Node>? Items;

        public string KindName => Kind switch
        {
            Kind.Object => "an object",
            Kind.Array => "an array",
            Kind.String => "a string",
            Kind.Number => "a number",
            Kind.Bool => "true/false",
            _ => "null",
        };

        public static Node Parse(ref Utf8JsonReader reader, LineMap lines, string path)
        {
            var (line, col) = lines.At(reader.TokenStartIndex);
            var n = new Node { Path = path, Line = line, Column = col };
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    n.Kind = Kind.Object;
                    n.Properties = new();
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        var name = reader.GetString()!;
                        var (pl, pc) = lines.At(reader.TokenStartIndex);
                        var childPath = path + "." + name;
                        if (!seen.Add(name)) throw new DuplicatePropertyException(new ConfigurationError(pl, pc, childPath, $"Property '{name}' appears twice."));
                        reader.Read();
                        n.Properties.Add((name, Parse(ref reader, lines, childPath)));
                    }
                    break;
                case JsonTokenType.StartArray:
                    n.Kind = Kind.Array;
                    n.Items = new();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        n.Items.Add(Parse(ref reader, lines, path + "[" + n.Items.Count.ToString(C) + "]"));
                    break;
                case JsonTokenType.String:
                    n.Kind = Kind.String;
                    n.Text = reader.GetString();
                    break;
                case JsonTokenType.Number:
                    n.Kind = Kind.Number;
                    n.Text = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray());
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    n.Kind = Kind.Bool;
                    n.Bool = reader.TokenType == JsonTokenType.True;
                    break;
                default:
                    n.Kind = Kind.Null;
                    break;
            }
            return n;
        }

        public Node? this[string name] => Properties?.FirstOrDefault(p => p.Name == name).Value;
    }
}
