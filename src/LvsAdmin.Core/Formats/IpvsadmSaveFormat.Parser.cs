using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Formats;

public static partial class IpvsadmSaveFormat
{
    // ------------------------------------------------------------------------------------------------------------
    // Parsing
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Reads ipvsadm rules: -A/--add-service and -a/--add-server lines with all their options, long or short
    /// (--opt=value and -oVALUE too), -C/--clear (forget what came before), a leading "ipvsadm" word, comments from
    /// '#' to the end of the line and blank lines. The values get ipvsadm 1.31's defaults (scheduler wlc, weight 1,
    /// direct routing, persistence 360 s, the service port for a real server without one and always for direct
    /// routing and tunnels, /32 or /128 persistence granularity). Every line is checked as ipvsadm and the kernel
    /// would (plus <see cref="IpvsValidation"/>), and a real server needs its service on an earlier line. Any error
    /// throws one <see cref="IpvsadmParseException"/> listing them all.
    /// Unlike ipvsadm, port and host names are not resolved (use numeric output, ipvsadm -Sn), and a negative
    /// firewall mark is read as the unsigned mark ipvsadm -S printed that way.
    /// </summary>
    public static List<IpvsadmTableEntry> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new List<IpvsadmParseError>();
        var services = new List<(VirtualService Service, List<RealServer> Reals, int Line)>();
        var index = new Dictionary<ServiceKey, int>();
        var realLines = new Dictionary<(ServiceKey, IPAddress, ushort), int>();
        var lines = text.Split('\n');
        // Each line is read on its own (ParseLine is pure), in parallel for a large table; what depends on earlier
        // lines (-C, duplicates, a real server's service) is then checked in order.
        var parsedLines = new ParsedLine?[lines.Length];
        var lineErrors = new string?[lines.Length];
        if (lines.Length >= ParallelLines && Environment.ProcessorCount > 1)
        {
            System.Threading.Tasks.Parallel.ForEach(
                System.Collections.Concurrent.Partitioner.Create(0, lines.Length, Math.Max(ParallelLines / 4, lines.Length / (4 * Environment.ProcessorCount))),
                range => ParseLines(lines, range.Item1, range.Item2, parsedLines, lineErrors));
        }
        else
        {
            ParseLines(lines, 0, lines.Length, parsedLines, lineErrors);
        }
        for (var n = 0; n < lines.Length; n++)
        {
            var lineNo = n + 1;
            if (lineErrors[n] is { } message)
            {
                errors.Add(new IpvsadmParseError(lineNo, message));
                continue;
            }
            if (parsedLines[n] is not { } parsed) continue;
            switch (parsed.Command)
            {
                case IpvsadmOption.Clear:
                    services.Clear();
                    index.Clear();
                    realLines.Clear();
                    break;
                case IpvsadmOption.AddService:
                {
                    var s = parsed.Service!;
                    if (index.TryGetValue(s.Key, out var i))
                    {
                        errors.Add(new IpvsadmParseError(lineNo, $"virtual service {s.Key} is already defined on line {services[i].Line}."));
                        break;
                    }
                    index[s.Key] = services.Count;
                    services.Add((s, new List<RealServer>(), lineNo));
                    break;
                }
                case IpvsadmOption.AddServer:
                {
                    var r = parsed.RealServer!;
                    if (!index.TryGetValue(r.Service, out var i))
                    {
                        errors.Add(new IpvsadmParseError(lineNo, $"virtual service {r.Service} is not defined: add it with -A on an earlier line."));
                        break;
                    }
                    var rk = (r.Service, r.Address, r.Port);
                    if (realLines.TryGetValue(rk, out var other))
                    {
                        errors.Add(new IpvsadmParseError(lineNo, $"real server {r.Key} of {r.Service} is already defined on line {other}."));
                        break;
                    }
                    realLines[rk] = lineNo;
                    services[i].Reals.Add(r);
                    break;
                }
            }
        }
        if (errors.Count > 0) throw new IpvsadmParseException(errors);
        return services.Select(e => new IpvsadmTableEntry(e.Service, e.Reals)).ToList();
    }

    /// <summary>Tables of at least this many lines are read by several threads.</summary>
    private const int ParallelLines = 4096;

    /// <summary>Reads lines [from, to): each one's command and entry, or its error; blank and comment lines stay null.</summary>
    private static void ParseLines(string[] lines, int from, int to, ParsedLine?[] parsed, string?[] errors)
    {
        for (var n = from; n < to; n++)
        {
            var line = lines[n];
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            var words = line.Split(WordSeparators, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            var start = words[0] == "ipvsadm" ? 1 : 0;
            if (start == words.Length) continue;
            try
            {
                parsed[n] = ParseLine(start == 0 ? words : words.AsSpan(start).ToArray());
            }
            catch (RuleException e)
            {
                errors[n] = e.Message;
            }
        }
    }

    private static readonly char[] WordSeparators = { ' ', '\t', '\r', '\f', '\v' };

    private static readonly string[] TunnelOptionNames = { "tun-type", "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum" };

    private static readonly uint TunnelOptionBits = TunnelOptionNames.Aggregate(0u, (bits, t) => bits | IpvsadmOptions.ClassBit(t));

    private sealed class RuleException : Exception
    {
        public RuleException(string message) : base(message) { }
    }

    private sealed record ParsedLine(IpvsadmOption Command, VirtualService? Service, RealServer? RealServer);

    // ipvsadm's struct ipvs_command_entry, as far as -A and -a use it (zero-initialised, then ipvsadm's defaults).
    private sealed class Entry
    {
        public IpvsadmOption? Command;
        // The option classes given: as bits (IpvsadmOptions.ClassBit) to look them up, and in the order given, so that
        // the first illegal one is the one reported. A set of bits instead of a HashSet per line: growing a HashSet
        // was most of the time of reading a large table.
        public uint ClassBits;
        public readonly string[] ClassOrder = new string[IpvsadmOptions.ClassNames.Length];
        public int ClassCount;

        public bool Has(string cls) => (ClassBits & IpvsadmOptions.ClassBit(cls)) != 0;

        /// <summary>Adds a class; false when the line already has it.</summary>
        public bool AddClass(string cls, uint bit)
        {
            if ((ClassBits & bit) != 0) return false;
            ClassBits |= bit;
            ClassOrder[ClassCount++] = cls;
            return true;
        }
        public ushort SvcAf;
        public IpvsProtocol SvcProtocol;
        public IPAddress? SvcAddress;
        public ushort SvcPort;
        public uint FwMark;
        public string Scheduler = "";
        public bool Persistent;
        public bool OnePacket;
        public uint Timeout;
        public uint Netmask = 0xffffffff; // IPv4: the mask bytes as stored (s_addr); IPv6: the prefix length
        public string? PersistenceEngine;
        public string? SchedFlagsArg;
        public ushort DestAf;
        public IPAddress? DestAddress;
        public ushort DestPort;
        public ForwardingMethod Forwarding = ForwardingMethod.DirectRouting;
        public int Weight = 1;
        public uint UThreshold;
        public uint LThreshold;
        public TunnelType TunType = TunnelType.Ipip;
        public ushort TunPort;
        public ushort TunFlags;
    }

    private static ParsedLine ParseLine(string[] words)
    {
        var e = new Entry();
        var leftovers = new List<string>();
        var first = true;
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i];
            if (w.Length < 2 || w[0] != '-')
            {
                if (first) throw new RuleException($"'{w}' is not a command: a line starts with -A/--add-service or -a/--add-server (or -C/--clear).");
                leftovers.Add(w);
                continue;
            }
            if (w.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = w.IndexOf('=');
                var name = eq >= 0 ? w[2..eq] : w[2..];
                var spec = IpvsadmOptions.FindLong(name) ?? throw Unknown(w);
                string? value = null;
                if (spec.Argument == IpvsadmArgument.None)
                {
                    if (eq >= 0) throw new RuleException($"option --{spec.Long} takes no value ('{w}').");
                }
                else if (eq >= 0)
                {
                    value = w[(eq + 1)..];
                }
                else if (spec.Argument == IpvsadmArgument.Required)
                {
                    if (i + 1 >= words.Length) throw new RuleException($"option --{spec.Long} needs a value.");
                    value = words[++i];
                }
                else if (i + 1 < words.Length && !words[i + 1].StartsWith('-'))
                {
                    value = words[++i];
                }
                Apply(e, spec, value, ref first);
                continue;
            }
            // A cluster of short options: -6o, -w5, -p300 (the rest of the word is the value of an option taking one).
            for (var k = 1; k < w.Length; k++)
            {
                var spec = IpvsadmOptions.FindShort(w[k]) ?? throw Unknown(k == 1 ? w : "-" + w[k]);
                string? value = null;
                if (spec.Argument != IpvsadmArgument.None)
                {
                    if (k + 1 < w.Length)
                    {
                        value = w[(k + 1)..];
                    }
                    else if (spec.Argument == IpvsadmArgument.Required)
                    {
                        if (i + 1 >= words.Length) throw new RuleException($"option -{spec.Short} needs a value.");
                        value = words[++i];
                    }
                    else if (i + 1 < words.Length && !words[i + 1].StartsWith('-'))
                    {
                        value = words[++i];
                    }
                    Apply(e, spec, value, ref first);
                    break;
                }
                Apply(e, spec, null, ref first);
            }
        }
        if (leftovers.Count > 0) throw new RuleException($"unexpected argument '{leftovers[0]}'.");
        return Finish(e);
    }

    private static RuleException Unknown(string word) =>
        IpvsadmOptions.OtherCommands.TryGetValue(word, out var cmd)
            ? new RuleException($"'{word}' ({cmd}) does not belong in ipvsadm rules: only -A/--add-service, -a/--add-server and -C/--clear do.")
            : new RuleException($"unknown option '{word}'.");

    private static void Apply(Entry e, IpvsadmOptionSpec spec, string? value, ref bool first)
    {
        if (first)
        {
            if (!spec.IsCommand) throw new RuleException($"a line starts with the command (-A/--add-service, -a/--add-server or -C/--clear), not {spec.Display}.");
            first = false;
        }
        else if (spec.IsCommand)
        {
            throw new RuleException("multiple commands specified.");
        }
        if (spec.Class is { } cls && !e.AddClass(cls, spec.ClassBit))
            throw new RuleException($"multiple '{cls}' options specified.");
        switch (spec.Id)
        {
            case IpvsadmOption.AddService or IpvsadmOption.AddServer or IpvsadmOption.Clear:
                e.Command = spec.Id;
                break;
            case IpvsadmOption.TcpService or IpvsadmOption.UdpService or IpvsadmOption.SctpService:
            {
                e.SvcProtocol = spec.Id switch
                {
                    IpvsadmOption.TcpService => IpvsProtocol.Tcp,
                    IpvsadmOption.UdpService => IpvsProtocol.Udp,
                    _ => IpvsProtocol.Sctp,
                };
                var (addr, port) = ParseAddressPort(value!, "virtual service");
                e.SvcAddress = addr;
                e.SvcAf = (ushort)Endpoint.FamilyOf(addr);
                if (addr.AddressFamily == AddressFamily.InterNetworkV6) e.Netmask = 128;
                if (port is { } p) e.SvcPort = p;
                break;
            }
            case IpvsadmOption.FwmarkService:
                e.SvcAf = (ushort)IpvsAddressFamily.IPv4;
                e.SvcProtocol = IpvsProtocol.Tcp; // ipvsadm sets it "to a sane value, even though it is not used"
                e.FwMark = ParseFwmark(value!);
                break;
            case IpvsadmOption.Ipv6:
                if (e.FwMark == 0) throw new RuleException("-6 used before -f (it makes a firewall-mark service IPv6).");
                e.SvcAf = (ushort)IpvsAddressFamily.IPv6;
                e.Netmask = 128;
                break;
            case IpvsadmOption.Scheduler:
                // ipvsadm keeps at most IP_VS_SCHEDNAME_MAXLEN - 1 characters.
                e.Scheduler = value!.Length > 15 ? value[..15] : value;
                break;
            case IpvsadmOption.Persistent:
                e.Persistent = true;
                e.Timeout = value is null ? 360 : ParseNumber(value, 1, IpvsValidation.MaxTimeout, "persistence timeout");
                break;
            case IpvsadmOption.Netmask:
                if (e.SvcAf != (ushort)IpvsAddressFamily.IPv6)
                {
                    if (!Endpoint.TryParseAddress(value, out var mask) || mask.AddressFamily != AddressFamily.InterNetwork)
                        throw new RuleException($"illegal virtual server persistent mask '{value}': give a dotted IPv4 mask such as 255.255.255.0.");
                    e.Netmask = BitConverter.ToUInt32(mask.GetAddressBytes());
                }
                else
                {
                    e.Netmask = ParseNumber(value!, 1, 128, "IPv6 persistence prefix length");
                }
                break;
            case IpvsadmOption.PersistenceEngine:
                e.PersistenceEngine = value!.Length > 16 ? value[..16] : value;
                break;
            case IpvsadmOption.SchedFlags:
                e.SchedFlagsArg = value;
                break;
            case IpvsadmOption.OnePacket:
                e.OnePacket = true;
                break;
            case IpvsadmOption.RealServer:
            {
                var (addr, port) = ParseAddressPort(value!, "real server");
                e.DestAddress = addr;
                e.DestAf = (ushort)Endpoint.FamilyOf(addr);
                // ipvsadm copies the service port (as known at this point of the line) when none is given.
                e.DestPort = port ?? e.SvcPort;
                break;
            }
            case IpvsadmOption.Gatewaying: e.Forwarding = ForwardingMethod.DirectRouting; break;
            case IpvsadmOption.Masquerading: e.Forwarding = ForwardingMethod.Nat; break;
            case IpvsadmOption.Ipip: e.Forwarding = ForwardingMethod.Tunnel; break;
            case IpvsadmOption.Weight:
                e.Weight = (int)ParseNumber(value!, 0, IpvsValidation.MaxWeight, "weight");
                break;
            case IpvsadmOption.UThreshold:
                e.UThreshold = ParseNumber(value!, 0, int.MaxValue, "upper threshold");
                break;
            case IpvsadmOption.LThreshold:
                e.LThreshold = ParseNumber(value!, 0, int.MaxValue, "lower threshold");
                break;
            case IpvsadmOption.TunType:
                e.TunType = value switch
                {
                    "ipip" => TunnelType.Ipip,
                    "gue" => TunnelType.Gue,
                    "gre" => TunnelType.Gre,
                    _ => throw new RuleException($"illegal tunnel type '{value}': use ipip, gue or gre."),
                };
                break;
            case IpvsadmOption.TunPort:
                e.TunPort = (ushort)ParseNumber(value!, 1, 65535, "tunnel port");
                break;
            case IpvsadmOption.TunNocsum: e.TunFlags |= (ushort)TunnelChecksum.None; break;
            case IpvsadmOption.TunCsum: e.TunFlags |= (ushort)TunnelChecksum.Checksum; break;
            case IpvsadmOption.TunRemcsum: e.TunFlags |= (ushort)TunnelChecksum.RemoteChecksum; break;
            default:
                throw new RuleException($"option {spec.Display} is not handled.");
        }
    }

    private static ParsedLine Finish(Entry e)
    {
        var command = e.Command!.Value;
        var (cmdName, required, _) = IpvsadmOptions.Commands[command];
        var (requiredBits, allowedBits) = IpvsadmOptions.CommandClassBits[command];
        if ((e.ClassBits & requiredBits) != requiredBits)
        {
            foreach (var r in required)
            {
                if (!e.Has(r)) throw new RuleException($"the '{cmdName}' command needs the '{r}' option{Hint(r)}.");
            }
        }
        if ((e.ClassBits & ~allowedBits) != 0)
        {
            for (var i = 0; i < e.ClassCount; i++)
            {
                var c = e.ClassOrder[i];
                if ((IpvsadmOptions.ClassBit(c) & allowedBits) == 0) throw new RuleException($"illegal '{c}' option with the '{cmdName}' command.");
            }
        }
        if (command == IpvsadmOption.Clear) return new ParsedLine(command, null, null);

        var key = e.FwMark != 0
            ? ServiceKey.ForFirewallMark(e.FwMark, (IpvsAddressFamily)e.SvcAf)
            : ServiceKey.ForAddress(e.SvcProtocol, e.SvcAddress!, e.SvcPort);
        if (command == IpvsadmOption.AddService)
        {
            if (e.FwMark == 0 && e.SvcPort == 0 && !e.Persistent)
                throw new RuleException($"zero port specified for non-persistent service {key}.");
            if (e.OnePacket && e.FwMark == 0 && e.SvcProtocol != IpvsProtocol.Udp)
                throw new RuleException($"one-packet scheduling (-o/--ops) is only for UDP virtual services, not {key}.");
            var scheduler = e.Scheduler.Length == 0 ? VirtualService.DefaultScheduler : e.Scheduler;
            var flags = e.SchedFlagsArg is null ? SchedulerFlags.None : ParseSchedulerFlags(scheduler, e.SchedFlagsArg);
            var svc = new VirtualService(key)
            {
                Scheduler = scheduler,
                SchedulerFlags = flags,
                Persistent = e.Persistent,
                PersistenceTimeout = e.Timeout,
                PersistenceNetmask = IpvsValidation.DecodeNetmask(key.AddressFamily, e.Netmask),
                PersistenceEngine = e.PersistenceEngine,
                OnePacket = e.OnePacket,
            };
            Validate(svc, IpvsValidation.ValidateService);
            return new ParsedLine(command, svc, null);
        }

        // add-server
        string? tunnelOption = null;
        if ((e.ClassBits & TunnelOptionBits) != 0)
        {
            foreach (var t in TunnelOptionNames)
            {
                if (!e.Has(t)) continue;
                tunnelOption = t;
                break;
            }
        }
        var port = e.DestPort;
        if (e.FwMark == 0 && e.Forwarding is ForwardingMethod.Tunnel or ForwardingMethod.DirectRouting) port = e.SvcPort;
        if (e.DestAf != e.SvcAf && e.Forwarding != ForwardingMethod.Tunnel)
            throw new RuleException($"real server {e.DestAddress} and virtual service {key} are of different address families, which only tunnelling (-i/--ipip) allows.");
        if (tunnelOption is not null && e.Forwarding != ForwardingMethod.Tunnel)
            throw new RuleException($"tunnel option '{tunnelOption}' conflicts with the forwarding method: it needs -i/--ipip.");
        // Without -i there are no tunnel options (checked above), which every tunnel type allows.
        if (e.Forwarding == ForwardingMethod.Tunnel) CheckTunnelOptions(e.TunType, e);
        var real = new RealServer(key, e.DestAddress!, port)
        {
            ForwardingMethod = e.Forwarding,
            Weight = e.Weight,
            UpperThreshold = e.UThreshold,
            LowerThreshold = e.LThreshold,
            TunnelType = e.TunType,
            TunnelPort = e.TunPort,
            TunnelChecksum = (TunnelChecksum)e.TunFlags,
        };
        Validate(real, IpvsValidation.ValidateRealServer);
        return new ParsedLine(command, null, real);
    }

    private static string Hint(string cls) => cls switch
    {
        "service-address" => " (-t, -u, --sctp-service or -f)",
        "real-server" => " (-r/--real-server)",
        _ => "",
    };

    // tunnel_types_v_options: ipip takes none; gue needs --tun-port and at most one checksum option; gre no port,
    // at most one of --tun-nocsum/--tun-csum.
    private static void CheckTunnelOptions(TunnelType type, Entry classes)
    {
        var name = IpvsadmText.TunnelTypeName(type);
        var (port, nocsum, csum, remcsum) = type switch
        {
            TunnelType.Ipip => ('x', 'x', 'x', 'x'),
            TunnelType.Gue => ('+', '1', '1', '1'),
            _ => ('x', '1', '1', 'x'),
        };
        var rules = new[] { ("tun-port", port), ("tun-nocsum", nocsum), ("tun-csum", csum), ("tun-remcsum", remcsum) };
        string? last = null;
        foreach (var (opt, rule) in rules)
        {
            if (!classes.Has(opt))
            {
                if (rule == '+') throw new RuleException($"the '{name}' tunnel type needs the '{opt}' option.");
                continue;
            }
            if (rule == 'x') throw new RuleException($"illegal '{opt}' option with the '{name}' tunnel type.");
            if (rule == '1')
            {
                if (last is not null) throw new RuleException($"the option '{opt}' conflicts with the '{last}' option in the '{name}' tunnel type.");
                last = opt;
            }
        }
    }

    /// <summary>Runs the model's check of <paramref name="value"/>; its error becomes the line's error.</summary>
    private static void Validate<T>(T value, Action<T> check)
    {
        try
        {
            check(value);
        }
        catch (IpvsValidationException v)
        {
            throw new RuleException(v.Message);
        }
    }

    private static SchedulerFlags ParseSchedulerFlags(string scheduler, string arg)
    {
        var flags = SchedulerFlags.None;
        var parts = arg.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new RuleException($"invalid scheduler flags '{arg}'.");
        foreach (var f in parts)
        {
            switch (f)
            {
                case "flag-1": flags |= SchedulerFlags.Flag1; break;
                case "flag-2": flags |= SchedulerFlags.Flag2; break;
                case "flag-3": flags |= SchedulerFlags.Flag3; break;
                case "sh-fallback" or "sh-port" or "mh-fallback" or "mh-port":
                    if (scheduler != f[..2]) throw new RuleException($"incompatible scheduler flag '{f}' for scheduler {scheduler}.");
                    flags |= f.EndsWith("fallback", StringComparison.Ordinal) ? SchedulerFlags.Flag1 : SchedulerFlags.Flag2;
                    break;
                default:
                    throw new RuleException($"invalid scheduler flag '{f}': use flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback or mh-port.");
            }
        }
        return flags;
    }

    /// <summary>string_to_number: strtol base 10 over the whole word (sign allowed), then the range.</summary>
    private static uint ParseNumber(string text, long min, long max, string what)
    {
        if (!TryStrtol(text, out var v) || v < min || v > max)
            throw new RuleException($"illegal {what} '{text}': must be {min} to {max}.");
        return (uint)v;
    }

    internal static bool TryStrtol(string text, out long value)
    {
        value = 0;
        var s = text.AsSpan().TrimStart(" \t\n\v\f\r");
        var negative = false;
        if (s.Length > 0 && (s[0] == '+' || s[0] == '-'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.Length == 0) return false;
        foreach (var c in s) if (c < '0' || c > '9') return false;
        if (!long.TryParse(s, NumberStyles.None, C, out var v)) return false;
        value = negative ? -v : v;
        return true;
    }

    /// <summary>parse_fwmark: 1 to 4294967295; also -2147483648 to -1, which is how ipvsadm -S prints marks above 2^31.</summary>
    private static uint ParseFwmark(string text)
    {
        if (TryStrtol(text, out var v))
        {
            if (v > 0 && v <= uint.MaxValue) return (uint)v;
            if (v < 0 && v >= int.MinValue) return unchecked((uint)(int)v);
        }
        throw new RuleException($"invalid fwmark value '{text}': must be 1 to 4294967295.");
    }

    /// <summary>parse_service: "[v6]:port", "v6" (no port), "v4:port", "v4". Numeric only.</summary>
    private static (IPAddress Address, ushort? Port) ParseAddressPort(string text, string what)
    {
        string host;
        string? portText = null;
        if (text.Length == 0 || AllDigits(text))
            throw new RuleException($"illegal {what} address[:port] '{text}'.");
        if (text[0] == '[')
        {
            var close = text.IndexOf(']');
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
                throw new RuleException($"illegal {what} address[:port] '{text}': write an IPv6 address as [address]:port.");
            host = text[1..close];
            portText = text[(close + 2)..];
            if (!TryParseIPv6(host, out var a6))
                throw new RuleException($"illegal {what} address '{host}': brackets are for IPv6 addresses.");
            return (a6, ParsePort(portText, text));
        }
        if (TryParseIPv6(text, out var v6)) return (v6, null);
        var colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            host = text[..colon];
            portText = text[(colon + 1)..];
        }
        else
        {
            host = text;
        }
        if (!TryParseIPv4(host, out var v4))
            throw new RuleException($"illegal {what} address '{host}': give a numeric IPv4 or IPv6 address (host names are not resolved).");
        return (v4, portText is null ? null : ParsePort(portText, text));
    }

    private static ushort ParsePort(string portText, string whole)
    {
        if (TryStrtol(portText, out var v) && v >= 0 && v <= 65535) return (ushort)v;
        throw new RuleException($"illegal port '{portText}' in '{whole}': give a number 0-65535 (service names are not resolved; save with ipvsadm -Sn).");
    }

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    private static bool TryParseIPv6(string s, out IPAddress address)
    {
        address = IPAddress.None;
        // An IPv6 address has at least two colons ("::"); "10.0.0.1:80" has one and is not tried.
        var first = s.IndexOf(':');
        if (first < 0 || s.IndexOf(':', first + 1) < 0 || s.Contains('%') || s.Contains('[') || !IPAddress.TryParse(s, out var a) || a.AddressFamily != AddressFamily.InterNetworkV6)
            return false;
        address = a;
        return true;
    }

    private static bool TryParseIPv4(string s, out IPAddress address)
    {
        address = IPAddress.None;
        // Four dot-separated decimal numbers of 1-3 digits, each 0-255 (inet_aton's shorter forms are not accepted).
        Span<byte> bytes = stackalloc byte[4];
        var span = s.AsSpan();
        for (var i = 0; i < 4; i++)
        {
            var dot = span.IndexOf('.');
            if ((dot >= 0) != (i < 3)) return false;
            var part = dot >= 0 ? span[..dot] : span;
            if (part.Length == 0 || part.Length > 3 || !AllDigits(part)) return false;
            var v = 0;
            foreach (var c in part) v = v * 10 + (c - '0');
            if (v > 255) return false;
            bytes[i] = (byte)v;
            span = dot >= 0 ? span[(dot + 1)..] : ReadOnlySpan<char>.Empty;
        }
        address = new IPAddress(bytes);
        return true;
    }
}
