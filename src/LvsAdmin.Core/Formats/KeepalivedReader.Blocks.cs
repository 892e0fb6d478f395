using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Ipvs;
using LvsAdmin.Formats;

namespace LvsAdmin.Formats;

/// <summary>The virtual_server, real_server, sorry_server and virtual_server_group blocks as keepalived's parser handlers fill them.</summary>
internal sealed partial class KeepalivedReader
{
    private sealed record Forwarding(ForwardingMethod Method, TunnelType TunnelType, ushort TunnelPort, TunnelChecksum Checksum);

    private sealed class Server
    {
        public required IPAddress Address;
        public ushort Port;
        public Forwarding? Forwarding;
        public int? Weight;
        public uint Upper, Lower;
        public bool? Inhibit;
        /// <summary>inhibit_on_failure as the real_server block itself gives it (null: not given).</summary>
        public bool? OwnInhibit;
        public readonly List<LvsAdmin.Configuration.HealthCheck> Checks = new();
        public readonly CheckDefaults Defaults = new();
        public required KeepalivedStatement At;
    }

    private sealed class ServerBlock
    {
        public IPAddress? Address;
        public ushort Port;
        public uint Mark;
        public bool IsMark;
        public string? GroupName;
        public IpvsAddressFamily? Family;
        public IpvsProtocol? Protocol;
        public string? Scheduler;
        public SchedulerFlags Flags;
        public bool OnePacket;
        public Forwarding? Forwarding;
        public uint PersistenceTimeout;
        public uint? Granularity; // the kernel word (IPv4 mask bytes in network order, or an IPv6 prefix length)
        public string? Engine;
        public int Weight = 1;
        public uint Quorum = 1, Hysteresis;
        public bool Inhibit, InhibitGiven, Alpha;
        public readonly CheckDefaults Defaults = new();
        public readonly List<Server> Reals = new();
        public Server? Sorry;
        public bool SorryInhibit;
        public readonly List<string> Applied = new();
    }

    private sealed record GroupEntry(IPAddress? Start, IPAddress? End, ushort Port, uint Mark, IpvsAddressFamily? MarkFamily, KeepalivedStatement At)
    {
        public bool IsMark => Start is null;
    }

    private sealed class Group
    {
        public required KeepalivedStatement At;
        public readonly List<GroupEntry> Entries = new();
        public bool HasIPv4 => Entries.Any(e => e.IsMark ? e.MarkFamily == IpvsAddressFamily.IPv4 : e.Start!.AddressFamily == AddressFamily.InterNetwork);
        public bool HasIPv6 => Entries.Any(e => e.IsMark ? e.MarkFamily == IpvsAddressFamily.IPv6 : e.Start!.AddressFamily == AddressFamily.InterNetworkV6);
        public bool HasAddresses => Entries.Any(e => !e.IsMark);
    }

    // ---------------------------------------------------------------- virtual_server_group

    private void ReadGroup(KeepalivedStatement s)
    {
        if (s.Words.Count < 2 || s.Block is null)
        {
            Error(s, "virtual_server_group needs a name and a { } block.");
            return;
        }
        var name = s.Words[1];
        if (_groups.ContainsKey(name))
        {
            Error(s, $"virtual_server_group {name} is defined twice.");
            return;
        }
        var group = new Group { At = s };
        foreach (var e in s.Block)
        {
            if (e.Block is not null) Error(e, $"A virtual_server_group entry takes no block ('{e.Keyword}').");
            else if (ReadGroupEntry(e) is { } entry) group.Entries.Add(entry);
        }
        if (group.Entries.Count == 0) Error(s, $"virtual_server_group {name} has no entries (keepalived removes it).");
        else if (group.HasIPv4 && group.HasIPv6 && group.Entries.Any(x => x.IsMark && x.MarkFamily is null))
            Error(s, $"virtual_server_group {name} cannot have IPv4, IPv6 and a fwmark without family (keepalived removes it).");
        _groups[name] = group;
    }

    private GroupEntry? ReadGroupEntry(KeepalivedStatement e)
    {
        var w = e.Words;
        if (w[0] == "fwmark")
        {
            if (w.Count < 2 || !TryUnsigned(w[1], 0, uint.MaxValue, out var mark) || mark == 0)
            {
                Error(e, $"fwmark '{(w.Count > 1 ? w[1] : "")}' must be 1-{uint.MaxValue}.");
                return null;
            }
            IpvsAddressFamily? family = null;
            if (w.Count > 2)
            {
                if (w[2] == "inet") family = IpvsAddressFamily.IPv4;
                else if (w[2] == "inet6") family = IpvsAddressFamily.IPv6;
                else
                {
                    Error(e, $"fwmark {mark} family '{w[2]}' is not inet or inet6.");
                    return null;
                }
            }
            if (w.Count > 3) Error(e, $"Extra words after fwmark {mark}: {string.Join(' ', w.Skip(3))}.");
            return new GroupEntry(null, null, 0, mark, family, e);
        }
        ushort port = 0;
        if (w.Count >= 2 && !TryPort(w[1], out port))
        {
            Error(e, $"Bad port '{w[1]}' (0-65535).");
            return null;
        }
        if (w.Count > 2) Error(e, $"Extra words after {w[0]} {w[1]}: {string.Join(' ', w.Skip(2))}.");
        var text = w[0];
        var cut = text.IndexOfAny(new[] { '-', '/' });
        if (!IPAddress.TryParse(cut < 0 ? text : text[..cut], out var start) || (start.AddressFamily == AddressFamily.InterNetworkV6 && start.ScopeId != 0))
        {
            Error(e, $"'{text}' is not an address, range (A-B, A-N) or block (A/N).");
            return null;
        }
        var v6 = start.AddressFamily == AddressFamily.InterNetworkV6;
        var bytes = start.GetAddressBytes();
        var end = start;
        if (cut >= 0 && text[cut] == '/')
        {
            if (!TryUnsigned(text[(cut + 1)..], 1, v6 ? 128u : 32u, out var prefix))
            {
                Error(e, $"Invalid netmask in {text}.");
                return null;
            }
            var endBytes = (byte[])bytes.Clone();
            for (var bit = (int)prefix; bit < bytes.Length * 8; bit++)
            {
                if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
                {
                    Error(e, $"Address mask bits not empty in {text}.");
                    return null;
                }
                endBytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }
            if (v6 && prefix < 112)
            {
                // keepalived steps an IPv6 range through its last 16 bits only.
                Error(e, $"{text}: keepalived walks an IPv6 block through the last 16 bits only; use a prefix of 112 or more.");
                return null;
            }
            end = new IPAddress(endBytes);
        }
        else if (cut >= 0)
        {
            var tail = text[(cut + 1)..];
            if (tail.Contains(v6 ? ':' : '.'))
            {
                if (!IPAddress.TryParse(tail, out end) || end.AddressFamily != start.AddressFamily)
                {
                    Error(e, $"Invalid range end in {text}.");
                    return null;
                }
                if (Endpoint.CompareAddresses(end, start) < 0)
                {
                    Error(e, $"Address range end is less than address range start in {text}.");
                    return null;
                }
                if (v6 && !bytes.AsSpan(0, 14).SequenceEqual(end.GetAddressBytes().AsSpan(0, 14)))
                {
                    Error(e, $"{text}: keepalived walks an IPv6 range through the last 16 bits only; the addresses must differ there only.");
                    return null;
                }
                if (!v6 && !bytes.AsSpan(0, 3).SequenceEqual(end.GetAddressBytes().AsSpan(0, 3)) && Count(start, end) > 65536)
                {
                    Error(e, $"{text}: more than 65536 addresses.");
                    return null;
                }
            }
            else
            {
                if (!uint.TryParse(tail, v6 ? System.Globalization.NumberStyles.AllowHexSpecifier : System.Globalization.NumberStyles.None,
                        System.Globalization.CultureInfo.InvariantCulture, out var last) || last > (v6 ? 0xffffu : 255u))
                {
                    Error(e, $"Virtual server group range '{text}' end is not a number 0-{(v6 ? "ffff (hex)" : "255")}.");
                    return null;
                }
                var first = v6 ? (uint)(bytes[14] << 8 | bytes[15]) : bytes[3];
                if (first >= last)
                {
                    Error(e, $"Address range end is not greater than address range start in {text}.");
                    return null;
                }
                var endBytes = (byte[])bytes.Clone();
                if (v6) { endBytes[14] = (byte)(last >> 8); endBytes[15] = (byte)last; }
                else endBytes[3] = (byte)last;
                end = new IPAddress(endBytes);
            }
        }
        return new GroupEntry(start, end, port, 0, null, e);
    }

    private static long Count(IPAddress a, IPAddress b) =>
        (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b.GetAddressBytes()) - System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes()) + 1;

    /// <summary>The addresses of a range entry, in order.</summary>
    private static IEnumerable<IPAddress> Addresses(GroupEntry e)
    {
        var bytes = e.Start!.GetAddressBytes();
        var end = e.End!.GetAddressBytes();
        while (true)
        {
            yield return new IPAddress(bytes);
            if (bytes.AsSpan().SequenceEqual(end)) yield break;
            if (bytes.Length == 4)
            {
                var v = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) + 1;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, v);
            }
            else
            {
                var v = (ushort)((bytes[14] << 8 | bytes[15]) + 1);
                bytes[14] = (byte)(v >> 8);
                bytes[15] = (byte)v;
            }
        }
    }

    private static bool TryPort(string text, out ushort port)
    {
        port = 0;
        if (!TryUnsigned(text, 0, 65535, out var p)) return false;
        port = (ushort)p;
        return true;
    }

    private bool TryAddress(KeepalivedStatement s, string text, out IPAddress address)
    {
        if (IPAddress.TryParse(text, out address!) && (address.AddressFamily != AddressFamily.InterNetworkV6 || address.ScopeId == 0) && !text.Contains('/') && !text.Contains('-'))
            return true;
        Error(s, $"'{text}' is not an IPv4 or IPv6 address.");
        return false;
    }

    // ---------------------------------------------------------------- lvs_method

    /// <summary>keepalived's svr_forwarding_handler: NAT, DR or TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum].</summary>
    private Forwarding? ReadForwarding(KeepalivedStatement s, Forwarding? previous)
    {
        var w = s.Words;
        if (w.Count < 2)
        {
            Error(s, $"{w[0]} needs NAT, DR or TUN.");
            return previous;
        }
        ForwardingMethod method;
        switch (w[1])
        {
            case "NAT": method = ForwardingMethod.Nat; break;
            case "DR": method = ForwardingMethod.DirectRouting; break;
            case "TUN": method = ForwardingMethod.Tunnel; break;
            default:
                Error(s, $"Unknown routing method '{w[1]}' (NAT, DR or TUN).");
                return previous;
        }
        var type = TunnelType.Ipip;
        uint port = 0;
        var checksum = TunnelChecksum.None;
        for (var i = 2; i < w.Count; i++)
        {
            switch (w[i])
            {
                case "type" when i + 1 < w.Count && w[i + 1] is "ipip" or "gue" or "gre":
                    type = w[++i] switch { "gue" => TunnelType.Gue, "gre" => TunnelType.Gre, _ => TunnelType.Ipip };
                    break;
                case "port" when i + 1 < w.Count && TryUnsigned(w[i + 1], 1, 65535, out port):
                    i++;
                    break;
                case "nocsum": checksum = TunnelChecksum.None; break;
                case "csum": checksum = TunnelChecksum.Checksum; break;
                case "remcsum": checksum = TunnelChecksum.RemoteChecksum; break;
                default:
                    Error(s, $"Invalid tunnel option '{w[i]}'" + (w[i] is "type" or "port" && i + 1 < w.Count ? $" {w[i + 1]}" : "") + ".");
                    return previous;
            }
        }
        if (method != ForwardingMethod.Tunnel && w.Count > 2)
        {
            Error(s, $"Tunnel options apply to TUN only, not {w[1]}.");
            return previous;
        }
        if ((type == TunnelType.Gue) != (port != 0))
        {
            Error(s, "gue tunnels require port, otherwise cannot have port.");
            return previous;
        }
        if (type == TunnelType.Ipip && checksum != TunnelChecksum.None)
        {
            Error(s, "ipip tunnels do not support checksum option.");
            return previous;
        }
        if (type == TunnelType.Gre && checksum == TunnelChecksum.RemoteChecksum)
        {
            Error(s, "gre tunnels do not support remote checksum option.");
            return previous;
        }
        return new Forwarding(method, type, (ushort)port, checksum);
    }
}
