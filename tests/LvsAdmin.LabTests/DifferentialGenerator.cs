using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>
/// Seeded random IPVS tables for the differential tests against ipvsadm: every protocol, both families, every
/// scheduler but twos, persistence, scheduler flags, one-packet, 0-5 real servers with every forwarding method and
/// tunnel variant, weights (0 too), thresholds, mixed-family tunnels. And the same table as ipvsadm rules text in
/// varied spellings (long/short options, --opt=value, shuffled options, omitted defaults).
/// </summary>
internal sealed class DifferentialGenerator
{
    public static readonly string[] Schedulers = { "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh" };

    private readonly Random _r;
    private readonly bool _withPersistenceEngine;

    public DifferentialGenerator(int seed, bool withPersistenceEngine)
    {
        _r = new Random(seed);
        _withPersistenceEngine = withPersistenceEngine;
    }

    public List<(VirtualService Service, IReadOnlyList<RealServer> RealServers)> Table(int count)
    {
        var keys = new HashSet<ServiceKey>();
        var table = new List<(VirtualService, IReadOnlyList<RealServer>)>();
        while (table.Count < count)
        {
            var key = Key();
            if (!keys.Add(key)) continue;
            var svc = Service(key);
            table.Add((svc, Reals(svc)));
        }
        return table;
    }

    private ServiceKey Key()
    {
        var kind = _r.Next(10);
        if (kind < 2)
        {
            uint mark = _r.Next(4) switch
            {
                0 => (uint)_r.Next(1, 100),
                1 => (uint)_r.NextInt64(0x80000000L, 0x100000000L), // printed negative by ipvsadm, sorted first
                2 => uint.MaxValue - (uint)_r.Next(0, 3),
                _ => (uint)_r.NextInt64(1, 0x80000000L),
            };
            return ServiceKey.ForFirewallMark(mark, _r.Next(3) == 0 ? IpvsAddressFamily.IPv6 : IpvsAddressFamily.IPv4);
        }
        var protocol = kind switch { < 5 => IpvsProtocol.Tcp, < 8 => IpvsProtocol.Udp, _ => IpvsProtocol.Sctp };
        var address = _r.Next(3) == 0 ? V6(forService: true) : V4();
        var port = _r.Next(6) switch
        {
            0 => (ushort)0,
            1 => (ushort)_r.Next(1, 1024),
            2 => (ushort)_r.Next(32768, 65536),
            _ => new ushort[] { 80, 443, 53, 5060, 8080, 65535, 1 }[_r.Next(7)],
        };
        // ForKernelAddress: an IPv4-mapped address stays an IPv6 service, as in the kernel and ipvsadm.
        return ServiceKey.ForAddress(protocol, address, port);
    }

    private IPAddress V4()
    {
        // First octets all round the 32-bit circle, so ipvsadm's overflowing comparison is not transitive here.
        var first = new byte[] { 1, 10, 45, 100, 130, 172, 192, 203 }[_r.Next(8)];
        return new IPAddress(new[] { first, (byte)_r.Next(256), (byte)_r.Next(256), (byte)_r.Next(1, 255) });
    }

    private IPAddress V6(bool forService)
    {
        var b = new byte[16];
        switch (_r.Next(forService ? 6 : 5))
        {
            case 0:
                b[0] = 0x20; b[1] = 0x01; b[2] = 0x0d; b[3] = 0xb8;
                b[4] = (byte)_r.Next(256); b[5] = (byte)_r.Next(256);
                b[15] = (byte)_r.Next(1, 256);
                break;
            case 1:
                b[0] = 0xfd; _r.NextBytes(b.AsSpan(1));
                break;
            case 2:
                b[0] = 0x2a; _r.NextBytes(b.AsSpan(1));
                break;
            case 3:
                // zero runs of different lengths: exercises inet_ntop's "::" choice
                b[0] = 0x20; b[1] = 0x01; b[2] = 0x0d; b[3] = 0xb8;
                for (var w = 2; w < 8; w++)
                {
                    if (_r.Next(2) == 0) continue;
                    b[2 * w] = (byte)_r.Next(2);
                    b[2 * w + 1] = (byte)_r.Next(1, 256);
                }
                if (b[15] == 0 && b[14] == 0) b[15] = 1;
                break;
            case 4:
                b[0] = 0xfe; b[1] = 0xc0; b[15] = (byte)_r.Next(1, 256); b[7] = (byte)_r.Next(256);
                break;
            default:
                // IPv4-compatible ::a.b.c.d or IPv4-mapped ::ffff:a.b.c.d (both printed in dotted form by inet_ntop);
                // service addresses only (the kernel refuses them for real servers)
                if (_r.Next(2) == 0) { b[10] = 0xff; b[11] = 0xff; }
                b[12] = (byte)_r.Next(1, 224); b[13] = (byte)_r.Next(256); b[14] = (byte)_r.Next(256); b[15] = (byte)_r.Next(1, 255);
                break;
        }
        return new IPAddress(b);
    }

    private VirtualService Service(ServiceKey key)
    {
        var scheduler = Schedulers[_r.Next(Schedulers.Length)];
        var flags = SchedulerFlags.None;
        if (scheduler is "sh" or "mh")
        {
            // Flag3 is left out: ipvsadm -S prints "-b " with nothing after it for sh/mh, which ipvsadm -R refuses.
            if (_r.Next(2) == 0) flags |= SchedulerFlags.Flag1;
            if (_r.Next(2) == 0) flags |= SchedulerFlags.Flag2;
        }
        else if (_r.Next(8) == 0)
        {
            flags = (SchedulerFlags)((uint)_r.Next(1, 8) << 3);
        }
        var persistent = key.Port == 0 && !key.IsFirewallMark || _r.Next(3) == 0;
        var timeout = 0u;
        var netmask = key.AddressFamily == IpvsAddressFamily.IPv6 ? "128" : "255.255.255.255";
        if (persistent)
        {
            timeout = _r.Next(5) switch
            {
                0 => 360,
                1 => 1,
                2 => IpvsValidation.MaxTimeout,
                _ => (uint)_r.Next(2, 100000),
            };
            if (_r.Next(2) == 0)
            {
                if (key.AddressFamily == IpvsAddressFamily.IPv6)
                {
                    netmask = _r.Next(1, 129).ToString(CultureInfo.InvariantCulture);
                }
                else if (_r.Next(6) == 0)
                {
                    netmask = new IPAddress(new[] { (byte)255, (byte)_r.Next(256), (byte)0, (byte)255 }).ToString(); // not contiguous: allowed
                }
                else
                {
                    var prefix = _r.Next(0, 33);
                    var m = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
                    netmask = new IPAddress(new[] { (byte)(m >> 24), (byte)(m >> 16), (byte)(m >> 8), (byte)m }).ToString();
                }
            }
        }
        var onePacket = (key.IsFirewallMark || key.Protocol == IpvsProtocol.Udp) && _r.Next(3) == 0;
        string? pe = null;
        if (_withPersistenceEngine && (key.IsFirewallMark || key.Protocol == IpvsProtocol.Udp) && _r.Next(6) == 0) pe = "sip";
        return new VirtualService(key)
        {
            Scheduler = scheduler,
            SchedulerFlags = flags,
            Persistent = persistent,
            PersistenceTimeout = timeout,
            PersistenceNetmask = netmask,
            PersistenceEngine = pe,
            OnePacket = onePacket,
        };
    }

    private IReadOnlyList<RealServer> Reals(VirtualService svc)
    {
        var key = svc.Key;
        var count = _r.Next(6);
        var list = new List<RealServer>();
        var seen = new HashSet<(IPAddress, ushort)>();
        var attempts = 0;
        while (list.Count < count && attempts++ < 50)
        {
            var method = _r.Next(3) switch { 0 => ForwardingMethod.Nat, 1 => ForwardingMethod.DirectRouting, _ => ForwardingMethod.Tunnel };
            var family = key.AddressFamily;
            if (method == ForwardingMethod.Tunnel && _r.Next(3) == 0)
                family = family == IpvsAddressFamily.IPv4 ? IpvsAddressFamily.IPv6 : IpvsAddressFamily.IPv4;
            var address = family == IpvsAddressFamily.IPv6 ? V6(forService: false) : V4();
            ushort port = key.Port;
            if (method == ForwardingMethod.Nat || key.IsFirewallMark)
            {
                port = _r.Next(3) switch { 0 => key.Port, 1 => (ushort)_r.Next(1, 65536), _ => (ushort)(key.Port == 0 ? 0 : _r.Next(1, 65536)) };
                if (key.IsFirewallMark && _r.Next(3) == 0) port = 0;
            }
            if (!seen.Add((address, port))) continue;
            var weight = _r.Next(10) switch { 0 => 0, 1 => _r.Next(0, 65536), 2 => 65535, 3 or 4 => 1, _ => _r.Next(1, 11) };
            uint upper = 0, lower = 0;
            if (_r.Next(3) == 0)
            {
                upper = _r.Next(5) == 0 ? int.MaxValue : (uint)_r.Next(1, 100000);
                lower = _r.Next(2) == 0 ? 0 : (uint)_r.NextInt64(0, upper + 1L);
            }
            var r = new RealServer(key, address, port)
            {
                ForwardingMethod = method,
                Weight = weight,
                UpperThreshold = upper,
                LowerThreshold = lower,
            };
            if (method == ForwardingMethod.Tunnel)
            {
                var type = (TunnelType)_r.Next(3);
                r = r with
                {
                    TunnelType = type,
                    TunnelPort = type == TunnelType.Gue ? (ushort)_r.Next(1, 65536) : (ushort)0,
                    TunnelChecksum = type switch
                    {
                        TunnelType.Gue => (TunnelChecksum)_r.Next(3),
                        TunnelType.Gre => (TunnelChecksum)_r.Next(2),
                        _ => TunnelChecksum.None,
                    },
                };
            }
            list.Add(r);
        }
        return list;
    }

    // ---- the same table as ipvsadm -R input, in varied spellings ----------------------------------------------

    /// <summary>
    /// Rules text for <paramref name="table"/> in spellings ipvsadm -R accepts: long and short options, --opt=value,
    /// options in random order after the service, defaults sometimes left out or written out, a DR/TUN real server
    /// sometimes with a wrong port (ipvsadm replaces it by the service's), marks above 2^31 unsigned, blank lines.
    /// </summary>
    public string VariedRules(IEnumerable<(VirtualService Service, IReadOnlyList<RealServer> RealServers)> table)
    {
        var sb = new StringBuilder();
        foreach (var (s, reals) in table)
        {
            var words = new List<string>();
            if (_r.Next(5) == 0) words.Add("ipvsadm");
            words.Add(Pick("-A", "--add-service"));
            words.AddRange(ServiceWords(s.Key));
            var groups = new List<string[]>();
            if (s.Scheduler != "wlc" || _r.Next(2) == 0) groups.Add(Valued("-s", "scheduler", s.Scheduler));
            if (s.Persistent)
            {
                if (s.PersistenceTimeout == 360 && _r.Next(2) == 0) groups.Add(new[] { Pick("-p", "--persistent") });
                else groups.Add(Valued("-p", "persistent", s.PersistenceTimeout.ToString(CultureInfo.InvariantCulture)));
                var defaultMask = s.AddressFamily == IpvsAddressFamily.IPv6 ? "128" : "255.255.255.255";
                if (s.PersistenceNetmask != defaultMask || _r.Next(4) == 0) groups.Add(Valued("-M", "netmask", s.PersistenceNetmask));
            }
            if (s.PersistenceEngine is { } pe) groups.Add(Valued(null, "pe", pe));
            if (s.OnePacket) groups.Add(new[] { Pick("-o", "--ops") });
            if (s.SchedulerFlags != SchedulerFlags.None) groups.Add(Valued("-b", "sched-flags", FlagsText(s.Scheduler, s.SchedulerFlags)));
            Shuffle(groups);
            foreach (var g in groups) words.AddRange(g);
            Line(sb, words);
            foreach (var r in reals)
            {
                words = new List<string>();
                words.Add(Pick("-a", "--add-server"));
                words.AddRange(ServiceWords(s.Key));
                groups = new List<string[]>();
                var port = r.Port;
                var omitPort = false;
                if (!s.Key.IsFirewallMark && r.ForwardingMethod != ForwardingMethod.Nat && _r.Next(4) == 0)
                    port = (ushort)_r.Next(0, 65536); // ipvsadm forces the service port for DR and TUN
                else if (port == s.Key.Port && _r.Next(2) == 0)
                    omitPort = true;
                var address = r.Address.ToString();
                var realText = omitPort
                    ? address
                    : r.AddressFamily == IpvsAddressFamily.IPv6 ? "[" + address + "]:" + port : address + ":" + port;
                groups.Add(Valued("-r", "real-server", realText));
                switch (r.ForwardingMethod)
                {
                    case ForwardingMethod.Nat: groups.Add(new[] { Pick("-m", "--masquerading") }); break;
                    case ForwardingMethod.Tunnel: groups.Add(new[] { Pick("-i", "--ipip") }); break;
                    default: if (_r.Next(2) == 0) groups.Add(new[] { Pick("-g", "--gatewaying") }); break;
                }
                if (r.Weight != 1 || _r.Next(3) == 0) groups.Add(Valued("-w", "weight", r.Weight.ToString(CultureInfo.InvariantCulture)));
                if (r.UpperThreshold != 0 || _r.Next(8) == 0) groups.Add(Valued("-x", "u-threshold", r.UpperThreshold.ToString(CultureInfo.InvariantCulture)));
                if (r.LowerThreshold != 0 || _r.Next(8) == 0) groups.Add(Valued("-y", "l-threshold", r.LowerThreshold.ToString(CultureInfo.InvariantCulture)));
                if (r.ForwardingMethod == ForwardingMethod.Tunnel)
                {
                    if (r.TunnelType != TunnelType.Ipip || _r.Next(2) == 0)
                        groups.Add(Valued(null, "tun-type", r.TunnelType.ToString().ToLowerInvariant()));
                    if (r.TunnelType == TunnelType.Gue) groups.Add(Valued(null, "tun-port", r.TunnelPort.ToString(CultureInfo.InvariantCulture)));
                    if (r.TunnelType != TunnelType.Ipip)
                    {
                        switch (r.TunnelChecksum)
                        {
                            case TunnelChecksum.Checksum: groups.Add(new[] { "--tun-csum" }); break;
                            case TunnelChecksum.RemoteChecksum: groups.Add(new[] { "--tun-remcsum" }); break;
                            default: if (_r.Next(2) == 0) groups.Add(new[] { "--tun-nocsum" }); break;
                        }
                    }
                }
                // -r stays first after the service: before it, ipvsadm would copy a port it has not read yet.
                var rest = groups.Skip(1).ToList();
                Shuffle(rest);
                words.AddRange(groups[0]);
                foreach (var g in rest) words.AddRange(g);
                Line(sb, words);
            }
            if (_r.Next(10) == 0) sb.Append('\n');
        }
        return sb.ToString();
    }

    private IEnumerable<string> ServiceWords(ServiceKey key)
    {
        if (key.IsFirewallMark)
        {
            var words = Valued("-f", "fwmark-service", key.FirewallMark.ToString(CultureInfo.InvariantCulture)).ToList();
            if (key.AddressFamily == IpvsAddressFamily.IPv6) words.Add(Pick("-6", "--ipv6"));
            return words;
        }
        var addr = key.Address!.ToString();
        string text;
        if (key.AddressFamily == IpvsAddressFamily.IPv6)
            text = key.Port == 0 && _r.Next(2) == 0 ? addr : "[" + addr + "]:" + key.Port;
        else
            text = key.Port == 0 && _r.Next(2) == 0 ? addr : addr + ":" + key.Port;
        return key.Protocol switch
        {
            IpvsProtocol.Tcp => Valued("-t", "tcp-service", text),
            IpvsProtocol.Udp => Valued("-u", "udp-service", text),
            _ => Valued(null, "sctp-service", text),
        };
    }

    private string FlagsText(string scheduler, SchedulerFlags flags)
    {
        var parts = new List<string>();
        for (var bit = 0; bit < 3; bit++)
        {
            var f = (SchedulerFlags)(0x8u << bit);
            if ((flags & f) == 0) continue;
            if (bit < 2 && scheduler is "sh" or "mh" && _r.Next(2) == 0)
                parts.Add(scheduler + (bit == 0 ? "-fallback" : "-port"));
            else
                parts.Add("flag-" + (bit + 1));
        }
        Shuffle(parts);
        return string.Join(",", parts);
    }

    private string[] Valued(string? shortForm, string longName, string value) =>
        (_r.Next(3), shortForm) switch
        {
            (0, not null) => new[] { shortForm, value },
            (1, _) => new[] { "--" + longName + "=" + value },
            _ => new[] { "--" + longName, value },
        };

    private string Pick(string a, string b) => _r.Next(2) == 0 ? a : b;

    private void Shuffle<T>(List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = _r.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private void Line(StringBuilder sb, List<string> words)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if (i > 0) sb.Append(_r.Next(8) == 0 ? "\t" : _r.Next(8) == 0 ? "  " : " ");
            sb.Append(words[i]);
        }
        sb.Append('\n');
    }
}
