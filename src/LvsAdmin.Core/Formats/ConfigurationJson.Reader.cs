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

public static partial class ConfigurationJson
{
    /// <summary>Maps the node tree to the model, collecting every error.</summary>
    private sealed partial class DocumentReader
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
            if (!Object(root, "the document", "$schema", "schemaVersion", "services", "timeouts", "syncDaemons", "host", "directorPair")) return null;
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
            var document = new LvsConfiguration { Services = services, Timeouts = timeouts, SyncDaemons = daemons, Host = host };
            return root["directorPair"] is { } pn ? document with { DirectorPair = ReadDirectorPair(pn, document) } : document;
        }

        private ConfiguredService? ReadService(Node n)
        {
            if (!Object(n, "a virtual service", "service", "scheduler", "schedulerFlags", "persistent", "persistenceTimeout",
                    "persistenceNetmask", "persistenceEngine", "onePacket", "health", "realServers")) return null;
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
            var realHealth = new List<RealServerHealth>();
            var reals = ReadRealServers(realNodes, key, realHealth);
            var errorsBeforeHealth = Errors.Count;
            var health = ReadServiceHealth(n["health"], realHealth, key);
            if (serviceErrors || Errors.Count > errorsBeforeHealth) return null;
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
            var configured = new ConfiguredService(svc, reals) { Health = health };
            try
            {
                HealthValidation.Validate(configured);
            }
            catch (IpvsValidationException e)
            {
                Error(n["health"] ?? n, e.Message);
                return null;
            }
            return configured;
        }

        private List<RealServer> ReadRealServers(List<Node> realNodes, ServiceKey key, List<RealServerHealth> health)
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
                if (ReadRealServerHealth(rn, r.Key) is { } h) health.Add(h);
            }
            return reals;
        }

        private RealServer? ReadRealServer(Node n, ServiceKey service)
        {
            if (!Object(n, "a real server", "address", "forwardingMethod", "weight", "upperThreshold", "lowerThreshold", "tunnel", "checks", "onFailure")) return null;
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
