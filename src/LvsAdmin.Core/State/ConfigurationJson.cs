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

namespace LvsAdmin.State;

/// <summary>
/// The JSON form of a <see cref="LvsConfiguration"/> (docs/ConfigurationDocument.md, schema
/// docs/schema/lvsadmin-configuration-v1.schema.json). <see cref="Write"/> is deterministic: services sorted by
/// address services first (family, protocol, address, port) then firewall marks, real servers by family, address and
/// port, properties in a fixed order, camelCase names, enums as camelCase strings, 2-space indentation, "\n" line ends
/// and a final newline. <see cref="Read"/> is strict: unknown properties, wrong types, bad addresses or values,
/// duplicates and an unknown schemaVersion are errors with line, column and JSON path; nothing is returned unless
/// everything is right.
/// </summary>
public static class ConfigurationJson
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
        if (d.MaxLength is { } ml) w.WriteNumber("maxLength", ml);
        if (d.MulticastGroup is { } g) w.WriteString("multicastGroup", g.ToString());
        if (d.MulticastPort is { } p) w.WriteNumber("multicastPort", p);
        if (d.MulticastTtl is { } ttl) w.WriteNumber("multicastTtl", ttl);
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

    /// <summary>Maps the node tree to the model, collecting every error.</summary>
    private sealed class DocumentReader
    {
        private readonly string? _source;
        public readonly List<ConfigurationError> Errors = new();

        public DocumentReader(string? source) => _source = source;

        private void Error(Node n, string message) => Errors.Add(new ConfigurationError(n.Line, n.Column, n.Path, message));

        /// <summary>True when <paramref name="n"/> is an object; reports properties not in <paramref name="allowed"/>.</summary>
        private bool Object(Node n, string what, params string[] allowed)
        {
            if (n.Kind != Kind.Object)
            {
                Error(n, $"Expected {what} (a JSON object), found {n.KindName}.");
                return false;
            }
            foreach (var (name, value) in n.Properties!)
            {
                if (System.Array.IndexOf(allowed, name) < 0)
                    Errors.Add(new ConfigurationError(value.Line, value.Column, value.Path,
                        $"Unknown property '{name}' in {what}. Allowed: {string.Join(", ", allowed)}."));
            }
            return true;
        }

        private Node? Required(Node obj, string name, string what)
        {
            var v = obj[name];
            if (v is null) Error(obj, $"{what} needs the property '{name}'.");
            return v;
        }

        private string? String(Node? n)
        {
            if (n is null) return null;
            if (n.Kind != Kind.String)
            {
                Error(n, $"Expected a string, found {n.KindName}.");
                return null;
            }
            return n.Text;
        }

        private bool? Bool(Node? n)
        {
            if (n is null) return null;
            if (n.Kind != Kind.Bool)
            {
                Error(n, $"Expected true or false, found {n.KindName}.");
                return null;
            }
            return n.Bool;
        }

        private long? Integer(Node? n, long min, long max)
        {
            if (n is null) return null;
            if (n.Kind != Kind.Number || !long.TryParse(n.Text, NumberStyles.AllowLeadingSign, C, out var v))
            {
                Error(n, n.Kind == Kind.Number ? $"Expected a whole number, found {n.Text}." : $"Expected a whole number, found {n.KindName}.");
                return null;
            }
            if (v < min || v > max)
            {
                Error(n, $"{v} is out of range: must be {min} to {max}.");
                return null;
            }
            return v;
        }

        private List<Node> Array(Node? n)
        {
            if (n is null) return new List<Node>();
            if (n.Kind != Kind.Array)
            {
                Error(n, $"Expected an array, found {n.KindName}.");
                return new List<Node>();
            }
            return n.Items!;
        }

        private T? Enum<T>(Node? n, params (string Name, T Value)[] names) where T : struct
        {
            var s = String(n);
            if (s is null) return null;
            foreach (var (name, value) in names) if (name == s) return value;
            Error(n!, $"'{s}' is not one of: {string.Join(", ", names.Select(x => x.Name))}.");
            return null;
        }

        public LvsConfiguration? ReadRoot(Node root)
        {
            if (!Object(root, "the document", "$schema", "schemaVersion", "services", "timeouts", "syncDaemons", "host")) return null;
            var versionNode = root["schemaVersion"];
            if (versionNode is null)
            {
                Error(root, "The document needs \"schemaVersion\": 1.");
            }
            else if (versionNode.Kind != Kind.Number || !long.TryParse(versionNode.Text, NumberStyles.AllowLeadingSign, C, out var version))
            {
                Error(versionNode, $"schemaVersion must be a whole number, found {versionNode.KindName}.");
            }
            else if (version != LvsConfiguration.CurrentSchemaVersion)
            {
                throw new UnsupportedSchemaVersionException(version, versionNode.Line, _source);
            }
            String(root["$schema"]);
            var services = new List<ConfiguredService>();
            var serviceNodes = new Dictionary<ServiceKey, Node>();
            foreach (var sn in Array(root["services"]))
            {
                var cs = ReadService(sn);
                if (cs is null) continue;
                if (serviceNodes.TryGetValue(cs.Key, out var first))
                {
                    Error(sn, $"Virtual service {cs.Key} is already defined at line {first.Line} ({first.Path}).");
                    continue;
                }
                serviceNodes[cs.Key] = sn;
                services.Add(cs);
            }
            IpvsTimeouts? timeouts = null;
            if (root["timeouts"] is { } tn && Object(tn, "timeouts", "tcp", "tcpFin", "udp"))
            {
                var tcp = Integer(Required(tn, "tcp", "timeouts"), 0, IpvsValidation.MaxTimeout);
                var fin = Integer(Required(tn, "tcpFin", "timeouts"), 0, IpvsValidation.MaxTimeout);
                var udp = Integer(Required(tn, "udp", "timeouts"), 0, IpvsValidation.MaxTimeout);
                if (tcp is not null && fin is not null && udp is not null) timeouts = new IpvsTimeouts((uint)tcp, (uint)fin, (uint)udp);
            }
            List<SyncDaemon>? daemons = null;
            if (root["syncDaemons"] is { } dn)
            {
                daemons = new List<SyncDaemon>();
                var states = new Dictionary<SyncDaemonState, Node>();
                foreach (var d in Array(dn))
                {
                    var daemon = ReadDaemon(d);
                    if (daemon is null) continue;
                    if (states.TryGetValue(daemon.State, out var other))
                    {
                        Error(d, $"A {daemon.State.ToString().ToLowerInvariant()} sync daemon is already defined at line {other.Line}; there can be one master and one backup.");
                        continue;
                    }
                    states[daemon.State] = d;
                    daemons.Add(daemon);
                }
            }
            HostConfiguration? host = root["host"] is { } hn ? ReadHost(hn) : null;
            return new LvsConfiguration { Services = services, Timeouts = timeouts, SyncDaemons = daemons, Host = host };
        }

        private ConfiguredService? ReadService(Node n)
        {
            if (!Object(n, "a virtual service", "service", "scheduler", "schedulerFlags", "persistent", "persistenceTimeout",
                    "persistenceNetmask", "persistenceEngine", "onePacket", "realServers")) return null;
            var errorsBefore = Errors.Count;
            var keyNode = Required(n, "service", "A virtual service");
            var keyText = String(keyNode);
            ServiceKey? key = null;
            if (keyText is not null && !ServiceKey.TryParse(keyText, out key, out var why)) Error(keyNode!, why);
            if (keyText is not null && key is not null && !keyText.Contains('/'))
            {
                Error(keyNode!, $"'{keyText}': write the protocol, e.g. tcp/{keyText}.");
                key = null;
            }
            var scheduler = String(n["scheduler"]) ?? VirtualService.DefaultScheduler;
            var flags = SchedulerFlags.None;
            foreach (var fn in Array(n["schedulerFlags"]))
            {
                var f = String(fn);
                if (f is null) continue;
                switch (f)
                {
                    case "flag-1": flags |= SchedulerFlags.Flag1; break;
                    case "flag-2": flags |= SchedulerFlags.Flag2; break;
                    case "flag-3": flags |= SchedulerFlags.Flag3; break;
                    case "sh-fallback" or "sh-port" or "mh-fallback" or "mh-port":
                        if (scheduler != f[..2]) Error(fn, $"Scheduler flag '{f}' is for the {f[..2]} scheduler, not {scheduler}.");
                        flags |= f.EndsWith("fallback", StringComparison.Ordinal) ? SchedulerFlags.Flag1 : SchedulerFlags.Flag2;
                        break;
                    default:
                        Error(fn, $"'{f}' is not a scheduler flag: use flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback or mh-port.");
                        break;
                }
            }
            var persistent = Bool(n["persistent"]) ?? false;
            var timeout = Integer(n["persistenceTimeout"], persistent ? 1 : 0, IpvsValidation.MaxTimeout);
            var netmaskNode = n["persistenceNetmask"];
            var netmask = String(netmaskNode);
            var pe = String(n["persistenceEngine"]);
            var onePacket = Bool(n["onePacket"]) ?? false;
            var realNodes = Array(n["realServers"]);
            if (key is null) return null;
            // The real servers are checked even when the service has errors, so that every error is reported at once.
            var serviceErrors = Errors.Count > errorsBefore;
            var reals = ReadRealServers(realNodes, key);
            if (serviceErrors) return null;
            var svc = new VirtualService(key)
            {
                Scheduler = scheduler,
                SchedulerFlags = flags,
                Persistent = persistent,
                PersistenceTimeout = (uint)(timeout ?? (persistent ? VirtualService.DefaultPersistenceTimeout : 0)),
                PersistenceEngine = pe,
                OnePacket = onePacket,
            };
            if (netmask is not null)
            {
                try
                {
                    svc = svc with { PersistenceNetmask = IpvsValidation.NormalizeNetmask(key.AddressFamily, netmask) };
                }
                catch (IpvsValidationException e)
                {
                    Error(netmaskNode!, e.Message);
                    return null;
                }
            }
            try
            {
                IpvsValidation.ValidateService(svc);
            }
            catch (IpvsValidationException e)
            {
                Error(n, e.Message);
                return null;
            }
            return new ConfiguredService(svc, reals);
        }

        private List<RealServer> ReadRealServers(List<Node> realNodes, ServiceKey key)
        {
            var reals = new List<RealServer>();
            var seen = new Dictionary<RealServerKey, Node>();
            foreach (var rn in realNodes)
            {
                var r = ReadRealServer(rn, key);
                if (r is null) continue;
                if (seen.TryGetValue(r.Key, out var other))
                {
                    Error(rn, $"Real server {r.Key} of {key} is already defined at line {other.Line}.");
                    continue;
                }
                seen[r.Key] = rn;
                reals.Add(r);
            }
            return reals;
        }

        private RealServer? ReadRealServer(Node n, ServiceKey service)
        {
            if (!Object(n, "a real server", "address", "forwardingMethod", "weight", "upperThreshold", "lowerThreshold", "tunnel")) return null;
            var errorsBefore = Errors.Count;
            var addressNode = Required(n, "address", "A real server");
            var text = String(addressNode);
            IPAddress? address = null;
            ushort? port = null;
            if (text is not null && !Endpoint.TryParse(text, out address, out port, out var why))
            {
                Error(addressNode!, why);
                address = null;
            }
            var method = Enum(n["forwardingMethod"], ("directRouting", ForwardingMethod.DirectRouting), ("nat", ForwardingMethod.Nat),
                ("tunnel", ForwardingMethod.Tunnel), ("local", ForwardingMethod.Local)) ?? ForwardingMethod.DirectRouting;
            var weight = Integer(n["weight"], 0, IpvsValidation.MaxWeight) ?? RealServer.DefaultWeight;
            var upper = Integer(n["upperThreshold"], 0, IpvsValidation.MaxThreshold) ?? 0;
            var lower = Integer(n["lowerThreshold"], 0, IpvsValidation.MaxThreshold) ?? 0;
            var tunType = TunnelType.Ipip;
            ushort tunPort = 0;
            var checksum = TunnelChecksum.None;
            if (n["tunnel"] is { } tn)
            {
                if (Object(tn, "tunnel options", "type", "port", "checksum"))
                {
                    tunType = Enum(Required(tn, "type", "Tunnel options"), ("ipip", TunnelType.Ipip), ("gue", TunnelType.Gue), ("gre", TunnelType.Gre)) ?? TunnelType.Ipip;
                    tunPort = (ushort)(Integer(tn["port"], 1, 65535) ?? 0);
                    checksum = Enum(tn["checksum"], ("none", TunnelChecksum.None), ("checksum", TunnelChecksum.Checksum), ("remoteChecksum", TunnelChecksum.RemoteChecksum)) ?? TunnelChecksum.None;
                }
                if (method != ForwardingMethod.Tunnel) Error(tn, "Tunnel options are only valid with \"forwardingMethod\": \"tunnel\".");
            }
            if (address is null || Errors.Count > errorsBefore) return null;
            // ipvsadm's rule: without a port a real server gets the service's (0 for firewall-mark services).
            var r = new RealServer(service, address, port ?? service.Port)
            {
                ForwardingMethod = method,
                Weight = (int)weight,
                UpperThreshold = (uint)upper,
                LowerThreshold = (uint)lower,
                TunnelType = tunType,
                TunnelPort = tunPort,
                TunnelChecksum = checksum,
            };
            try
            {
                IpvsValidation.ValidateRealServer(r.ForwardingMethod == ForwardingMethod.Local ? r with { ForwardingMethod = ForwardingMethod.DirectRouting } : r);
            }
            catch (IpvsValidationException e)
            {
                Error(n, e.Message);
                return null;
            }
            return r;
        }

        private SyncDaemon? ReadDaemon(Node n)
        {
            if (!Object(n, "a sync daemon", "state", "interface", "syncId", "maxLength", "multicastGroup", "multicastPort", "multicastTtl")) return null;
            var errorsBefore = Errors.Count;
            var state = Enum(Required(n, "state", "A sync daemon"), ("master", SyncDaemonState.Master), ("backup", SyncDaemonState.Backup));
            var iface = String(Required(n, "interface", "A sync daemon"));
            var syncId = Integer(n["syncId"], 0, 255) ?? 0;
            var maxLen = Integer(n["maxLength"], 1, IpvsValidation.MaxSyncLength);
            var groupNode = n["multicastGroup"];
            var groupText = String(groupNode);
            IPAddress? group = null;
            if (groupText is not null && !Endpoint.TryParseAddress(groupText, out group!)) Error(groupNode!, $"'{groupText}' is not an IPv4 or IPv6 address.");
            var port = Integer(n["multicastPort"], 1, 65535);
            var ttl = Integer(n["multicastTtl"], 1, 255);
            if (state is null || iface is null || Errors.Count > errorsBefore) return null;
            var d = new SyncDaemon
            {
                State = state.Value,
                Interface = iface,
                SyncId = (uint)syncId,
                MaxLength = (ushort?)maxLen,
                MulticastGroup = group,
                MulticastPort = (ushort?)port,
                MulticastTtl = (byte?)ttl,
            };
            try
            {
                IpvsValidation.ValidateSyncDaemon(d);
            }
            catch (IpvsValidationException e)
            {
                Error(n, e.Message);
                return null;
            }
            return d;
        }

        private HostConfiguration? ReadHost(Node n)
        {
            if (!Object(n, "the host section", "sysctls", "addresses")) return null;
            SortedDictionary<string, string>? sysctls = null;
            if (n["sysctls"] is { } sn && Object(sn, "sysctls"))
            {
                // Object() reported every property as unknown: the keys are free-form here, so drop those reports.
                Errors.RemoveAll(e => e.Path is not null && e.Path.StartsWith(sn.Path + ".", StringComparison.Ordinal) && e.Message.StartsWith("Unknown property", StringComparison.Ordinal));
                sysctls = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var (key, value) in sn.Properties!)
                {
                    if (!IsSysctlKey(key))
                    {
                        Error(value, $"'{key}' is not a sysctl key (dotted lower-case names such as net.ipv4.vs.conntrack).");
                        continue;
                    }
                    var text = value.Kind switch
                    {
                        Kind.String => value.Text,
                        Kind.Number => value.Text,
                        _ => null,
                    };
                    if (text is null)
                    {
                        Error(value, $"A sysctl value must be a string or a number, found {value.KindName}.");
                        continue;
                    }
                    sysctls[key] = text;
                }
            }
            List<HostAddress>? addresses = null;
            if (n["addresses"] is { } an)
            {
                addresses = new List<HostAddress>();
                var seen = new HashSet<(string, IPAddress)>();
                foreach (var a in Array(an))
                {
                    if (!Object(a, "a host address", "interface", "address", "prefixLength", "label")) continue;
                    var errorsBefore = Errors.Count;
                    var iface = String(Required(a, "interface", "A host address"));
                    var addrNode = Required(a, "address", "A host address");
                    var addrText = String(addrNode);
                    IPAddress? ip = null;
                    if (addrText is not null && !Endpoint.TryParseAddress(addrText, out ip!)) Error(addrNode!, $"'{addrText}' is not an IPv4 or IPv6 address.");
                    var label = String(a["label"]);
                    if (iface is not null && (iface.Length is 0 or > 15 || iface.Contains('/') || iface.Any(char.IsWhiteSpace)))
                        Error(a, $"'{iface}' is not an interface name (1-15 characters, no '/' or spaces).");
                    if (ip is null || iface is null || Errors.Count > errorsBefore) continue;
                    var max = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
                    var prefix = Integer(a["prefixLength"], 0, max) ?? max;
                    if (Errors.Count > errorsBefore) continue;
                    if (!seen.Add((iface, ip)))
                    {
                        Error(a, $"Address {ip} on {iface} is listed twice.");
                        continue;
                    }
                    addresses.Add(new HostAddress(iface, ip, (int)prefix, label));
                }
            }
            return new HostConfiguration { Sysctls = sysctls, Addresses = addresses };
        }
    }

    /// <summary>A dotted sysctl key: lower-case letters, digits, '_', '-', '.'; at least two parts; no "..".</summary>
    internal static bool IsSysctlKey(string key) =>
        key.Length > 0 && key.Contains('.') && !key.Contains("..") && key[0] != '.' && key[^1] != '.' &&
        key.All(c => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c is '_' or '-' or '.');
}
