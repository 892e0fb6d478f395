using System;
using System.Collections.Generic;
using System.Linq;

namespace LvsAdmin.Formats;

/// <summary>The ipvsadm options a rules file (ipvsadm -S / ipvsadm-save output, ipvsadm -R input) uses.</summary>
internal enum IpvsadmOption
{
    AddService,
    AddServer,
    Clear,
    TcpService,
    UdpService,
    SctpService,
    FwmarkService,
    Ipv6,
    Scheduler,
    Persistent,
    Netmask,
    PersistenceEngine,
    SchedFlags,
    OnePacket,
    RealServer,
    Gatewaying,
    Masquerading,
    Ipip,
    Weight,
    UThreshold,
    LThreshold,
    TunType,
    TunPort,
    TunNocsum,
    TunCsum,
    TunRemcsum,
}

internal enum IpvsadmArgument
{
    None,
    Required,
    /// <summary>popt's POPT_ARGFLAG_OPTIONAL: the next word is the value unless it starts with '-'.</summary>
    Optional,
}

/// <summary>
/// One option as ipvsadm 1.31 declares it (parse_options' poptOption table), with the ipvsadm option class it
/// counts against (optnames[]: one use per line, legality per command). The one table drives both the parser
/// and the writer, whose spelling is ipvsadm's own: the short form when there is one, else the long form.
/// </summary>
internal sealed record IpvsadmOptionSpec(IpvsadmOption Id, string Long, char Short, IpvsadmArgument Argument, string? Class)
{
    /// <summary>How ipvsadm -S spells it.</summary>
    public string Spelling => Short != '\0' ? "-" + Short : "--" + Long;

    /// <summary>Both spellings, for messages: "-s/--scheduler".</summary>
    public string Display => Short != '\0' ? "-" + Short + "/--" + Long : "--" + Long;

    public bool IsCommand => Class == "command";

    private uint _classBit;

    /// <summary>The bit of <see cref="Class"/> in a class set (<see cref="IpvsadmOptions.ClassBit"/>); 0 without a class.</summary>
    public uint ClassBit
    {
        get
        {
            // Looked up once (racing threads store the same value).
            if (_classBit == 0 && Class is not null) _classBit = IpvsadmOptions.ClassBit(Class);
            return _classBit;
        }
    }
}

internal static class IpvsadmOptions
{
    public static readonly IpvsadmOptionSpec[] All =
    {
        new(IpvsadmOption.AddService, "add-service", 'A', IpvsadmArgument.None, "command"),
        new(IpvsadmOption.AddServer, "add-server", 'a', IpvsadmArgument.None, "command"),
        new(IpvsadmOption.Clear, "clear", 'C', IpvsadmArgument.None, "command"),
        new(IpvsadmOption.TcpService, "tcp-service", 't', IpvsadmArgument.Required, "service-address"),
        new(IpvsadmOption.UdpService, "udp-service", 'u', IpvsadmArgument.Required, "service-address"),
        new(IpvsadmOption.SctpService, "sctp-service", '\0', IpvsadmArgument.Required, "service-address"),
        new(IpvsadmOption.FwmarkService, "fwmark-service", 'f', IpvsadmArgument.Required, "service-address"),
        new(IpvsadmOption.Ipv6, "ipv6", '6', IpvsadmArgument.None, null),
        new(IpvsadmOption.Scheduler, "scheduler", 's', IpvsadmArgument.Required, "scheduler"),
        new(IpvsadmOption.Persistent, "persistent", 'p', IpvsadmArgument.Optional, "persistent"),
        new(IpvsadmOption.Netmask, "netmask", 'M', IpvsadmArgument.Required, "netmask"),
        new(IpvsadmOption.PersistenceEngine, "pe", '\0', IpvsadmArgument.Required, "pe"),
        new(IpvsadmOption.SchedFlags, "sched-flags", 'b', IpvsadmArgument.Required, "sched-flags"),
        new(IpvsadmOption.OnePacket, "ops", 'o', IpvsadmArgument.None, "ops"),
        new(IpvsadmOption.RealServer, "real-server", 'r', IpvsadmArgument.Required, "real-server"),
        new(IpvsadmOption.Gatewaying, "gatewaying", 'g', IpvsadmArgument.None, "forwarding-method"),
        new(IpvsadmOption.Masquerading, "masquerading", 'm', IpvsadmArgument.None, "forwarding-method"),
        new(IpvsadmOption.Ipip, "ipip", 'i', IpvsadmArgument.None, "forwarding-method"),
        new(IpvsadmOption.Weight, "weight", 'w', IpvsadmArgument.Required, "weight"),
        new(IpvsadmOption.UThreshold, "u-threshold", 'x', IpvsadmArgument.Required, "u-threshold"),
        new(IpvsadmOption.LThreshold, "l-threshold", 'y', IpvsadmArgument.Required, "l-threshold"),
        new(IpvsadmOption.TunType, "tun-type", '\0', IpvsadmArgument.Required, "tun-type"),
        new(IpvsadmOption.TunPort, "tun-port", '\0', IpvsadmArgument.Required, "tun-port"),
        new(IpvsadmOption.TunNocsum, "tun-nocsum", '\0', IpvsadmArgument.None, "tun-nocsum"),
        new(IpvsadmOption.TunCsum, "tun-csum", '\0', IpvsadmArgument.None, "tun-csum"),
        new(IpvsadmOption.TunRemcsum, "tun-remcsum", '\0', IpvsadmArgument.None, "tun-remcsum"),
    };

    private static readonly Dictionary<IpvsadmOption, IpvsadmOptionSpec> ById = All.ToDictionary(o => o.Id);
    private static readonly Dictionary<string, IpvsadmOptionSpec> ByLong = All.ToDictionary(o => o.Long, StringComparer.Ordinal);
    private static readonly Dictionary<char, IpvsadmOptionSpec> ByShort = All.Where(o => o.Short != '\0').ToDictionary(o => o.Short);

    /// <summary>ipvsadm's other commands: known, but not part of a rules file.</summary>
    public static readonly Dictionary<string, string> OtherCommands = new(StringComparer.Ordinal)
    {
        ["-E"] = "edit-service", ["--edit-service"] = "edit-service",
        ["-D"] = "delete-service", ["--delete-service"] = "delete-service",
        ["-e"] = "edit-server", ["--edit-server"] = "edit-server",
        ["-d"] = "delete-server", ["--delete-server"] = "delete-server",
        ["-L"] = "list", ["-l"] = "list", ["--list"] = "list",
        ["-Z"] = "zero", ["--zero"] = "zero",
        ["-R"] = "restore", ["--restore"] = "restore",
        ["-S"] = "save", ["--save"] = "save",
        ["--set"] = "set",
        ["--start-daemon"] = "start-daemon", ["--stop-daemon"] = "stop-daemon",
        ["-h"] = "help", ["--help"] = "help", ["-v"] = "version", ["--version"] = "version",
    };

    /// <summary>Options each command accepts (commands_v_options: '+' compulsory, ' ' optional; all else illegal).</summary>
    public static readonly Dictionary<IpvsadmOption, (string Name, string[] Required, string[] Optional)> Commands = new()
    {
        [IpvsadmOption.AddService] = ("add-service", new[] { "service-address" },
            new[] { "scheduler", "persistent", "netmask", "ops", "pe", "sched-flags" }),
        [IpvsadmOption.AddServer] = ("add-server", new[] { "service-address", "real-server" },
            new[] { "forwarding-method", "weight", "u-threshold", "l-threshold", "tun-type", "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum" }),
        [IpvsadmOption.Clear] = ("flush", Array.Empty<string>(), Array.Empty<string>()),
    };

    /// <summary>The option classes, "command" first, in the order of <see cref="All"/>: bit i of a class set is class i.</summary>
    public static readonly string[] ClassNames = All.Where(o => o.Class is not null).Select(o => o.Class!).Distinct().ToArray();

    private static readonly Dictionary<string, uint> ClassBits =
        ClassNames.Select((name, i) => (name, bit: 1u << i)).ToDictionary(c => c.name, c => c.bit, StringComparer.Ordinal);

    /// <summary>The bit of an option class in a class set (a line's classes as one number, no hashing per line).</summary>
    public static uint ClassBit(string cls) => ClassBits[cls];

    /// <summary>The classes a command needs and allows, as class sets (<see cref="ClassBit"/>); "command" is allowed.</summary>
    public static readonly Dictionary<IpvsadmOption, (uint Required, uint Allowed)> CommandClassBits = Commands.ToDictionary(
        c => c.Key,
        c => (Bits(c.Value.Required), ClassBit("command") | Bits(c.Value.Required) | Bits(c.Value.Optional)));

    private static uint Bits(IEnumerable<string> classes) => classes.Aggregate(0u, (bits, c) => bits | ClassBit(c));

    public static IpvsadmOptionSpec Get(IpvsadmOption id) => ById[id];

    public static IpvsadmOptionSpec? FindLong(string name) => ByLong.TryGetValue(name, out var o) ? o : null;

    public static IpvsadmOptionSpec? FindShort(char c) => ByShort.TryGetValue(c, out var o) ? o : null;
}
