using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Tests.Configuration;

/// <summary>Seeded random configuration documents (every attribute the kernel keeps) for round-trip and plan tests.</summary>
internal static class ConfigurationGenerator
{
    private static readonly string[] Schedulers = { "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos" };

    public static IPAddress Address(Random r, bool v6)
    {
        if (!v6) return new IPAddress(new[] { (byte)r.Next(1, 224), (byte)r.Next(256), (byte)r.Next(256), (byte)r.Next(1, 255) });
        var b = new byte[16];
        b[0] = 0x20; b[1] = 0x01; b[2] = 0x0d; b[3] = 0xb8;
        for (var i = 4; i < 16; i += 2) if (r.Next(2) == 0) b[i + 1] = (byte)r.Next(256);
        b[15] |= 1;
        return new IPAddress(b);
    }

    public static VirtualService Service(Random r, ServiceKey key)
    {
        var v6 = key.AddressFamily == IpvsAddressFamily.IPv6;
        var sched = Schedulers[r.Next(Schedulers.Length)];
        var persistent = (!key.IsFirewallMark && key.Port == 0) || r.Next(2) == 0;
        var svc = new VirtualService(key)
        {
            Scheduler = sched,
            SchedulerFlags = (SchedulerFlags)((uint)r.Next(0, 8) << 3),
            Persistent = persistent,
            PersistenceTimeout = persistent ? (uint)r.Next(1, (int)IpvsValidation.MaxTimeout + 1) : 0,
            PersistenceNetmask = !persistent ? (v6 ? "128" : "255.255.255.255") : v6 ? r.Next(1, 129).ToString() : "/" + r.Next(0, 33),
            PersistenceEngine = r.Next(5) == 0 ? "sip" : null,
            OnePacket = (key.IsFirewallMark || key.Protocol == IpvsProtocol.Udp) && r.Next(2) == 0,
        };
        return svc with { PersistenceNetmask = IpvsValidation.NormalizeNetmask(key.AddressFamily, svc.PersistenceNetmask) };
    }

    public static RealServer RealServer(Random r, ServiceKey key)
    {
        var v6 = key.AddressFamily == IpvsAddressFamily.IPv6;
        var method = new[] { ForwardingMethod.Nat, ForwardingMethod.DirectRouting, ForwardingMethod.Tunnel }[r.Next(3)];
        var realV6 = method == ForwardingMethod.Tunnel && r.Next(3) == 0 ? !v6 : v6;
        var port = method == ForwardingMethod.Nat || key.IsFirewallMark ? (ushort)(key.Port == 0 && !key.IsFirewallMark ? r.Next(0, 65536) : r.Next(1, 65536)) : key.Port;
        var upper = (uint)r.Next(0, 3) * (uint)r.Next(0, 100000);
        var real = new RealServer(key, Address(r, realV6), port)
        {
            ForwardingMethod = method,
            Weight = r.Next(0, 65536),
            UpperThreshold = upper,
            LowerThreshold = upper == 0 ? 0 : (uint)r.Next(0, (int)upper + 1),
        };
        if (method == ForwardingMethod.Tunnel)
        {
            var type = (TunnelType)r.Next(3);
            real = real with
            {
                TunnelType = type,
                TunnelPort = type == TunnelType.Gue ? (ushort)r.Next(1, 65536) : (ushort)0,
                TunnelChecksum = type == TunnelType.Gue ? (TunnelChecksum)r.Next(3) : type == TunnelType.Gre ? (TunnelChecksum)r.Next(2) : TunnelChecksum.None,
            };
        }
        return real;
    }

    public static ServiceKey Key(Random r)
    {
        var v6 = r.Next(3) == 0;
        return r.Next(5) == 0
            ? ServiceKey.ForFirewallMark((uint)r.NextInt64(1, 0x100000000L), v6 ? IpvsAddressFamily.IPv6 : IpvsAddressFamily.IPv4)
            : ServiceKey.ForAddress(new[] { IpvsProtocol.Tcp, IpvsProtocol.Udp, IpvsProtocol.Sctp }[r.Next(3)], Address(r, v6), (ushort)r.Next(0, 65536));
    }

    /// <summary>A document of <paramref name="count"/> services with 0-5 real servers each; timeouts, daemons and host section at random.</summary>
    public static LvsConfiguration Document(int seed, int count, bool sections = true)
    {
        var r = new Random(seed);
        var keys = new HashSet<ServiceKey>();
        var services = new List<ConfiguredService>();
        while (services.Count < count)
        {
            var key = Key(r);
            if (!keys.Add(key)) continue;
            var reals = new List<RealServer>();
            var seen = new HashSet<RealServerKey>();
            for (var i = r.Next(0, 6); i > 0; i--)
            {
                var real = RealServer(r, key);
                if (seen.Add(real.Key)) reals.Add(real);
            }
            services.Add(new ConfiguredService(Service(r, key), reals));
        }
        if (!sections || r.Next(4) == 0) return new LvsConfiguration { Services = services };
        var daemons = new List<SyncDaemon>();
        if (r.Next(2) == 0) daemons.Add(new SyncDaemon { State = SyncDaemonState.Master, Interface = "eth" + r.Next(3), SyncId = (uint)r.Next(256) });
        if (r.Next(2) == 0)
            daemons.Add(new SyncDaemon
            {
                State = SyncDaemonState.Backup, Interface = "veth" + r.Next(9), SyncId = (uint)r.Next(256), MaxLength = (ushort)r.Next(100, 1500),
                MulticastGroup = IPAddress.Parse("224.0.0." + r.Next(1, 255)), MulticastPort = (ushort)r.Next(1, 65536), MulticastTtl = (byte)r.Next(1, 256),
            });
        // The kernel runs no sync daemon next to real servers of another address family (ConfigurationInvalid).
        if (daemons.Count > 0)
            services = services.Select(s => s with { RealServers = s.RealServers.Where(x => x.AddressFamily == s.Key.AddressFamily).ToList() }).ToList();
        return new LvsConfiguration
        {
            Services = services,
            Timeouts = new IpvsTimeouts((uint)r.Next(0, 100000), (uint)r.Next(0, 1000), (uint)r.Next(0, 1000)),
            SyncDaemons = daemons,
            Host = r.Next(2) == 0 ? null : new HostConfiguration
            {
                Sysctls = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    ["net.ipv4.vs.conntrack"] = r.Next(2).ToString(),
                    ["net.ipv4.vs.expire_quiescent_template"] = r.Next(2).ToString(),
                },
                Addresses = new List<HostAddress> { new("lo", Address(r, false), 32, r.Next(2) == 0 ? null : "lo:vip"), new("eth0", Address(r, true), 64) },
            },
        };
    }

    /// <summary>The document as the JSON reader gives it back: services and real servers in document order, values normalised.</summary>
    public static LvsConfiguration Canonical(LvsConfiguration c) => c with
    {
        Services = c.Services.OrderBy(s => s.Key, ConfigurationJson.ServiceKeyOrder.Instance)
            .Select(s => new ConfiguredService(ConfigurationPlanner.Normalize(s.Service),
                s.RealServers.OrderBy(x => x, ConfigurationJson.RealServerOrder.Instance).Select(ConfigurationPlanner.Normalize).ToList()) { Health = s.Health })
            .ToList(),
        SyncDaemons = c.SyncDaemons?.OrderBy(d => d.State).ToList(),
        Host = c.Host is null ? null : c.Host with
        {
            Addresses = c.Host.Addresses?.OrderBy(a => a.Interface, StringComparer.Ordinal).ThenBy(a => Endpoint.FamilyOf(a.Address))
                .ThenBy(a => a.Address.ToString(), StringComparer.Ordinal).ToList(),
        },
    };
}

/// <summary>An in-memory IPVS table for applier and drainer tests; <see cref="Fail"/> makes chosen operations fail like the kernel would.</summary>
internal sealed class FakeIpvs : IIpvsBackend
{
    public readonly List<VirtualService> Services = new();
    public readonly Dictionary<ServiceKey, List<RealServer>> Reals = new();
    public IpvsTimeouts Timeouts = new(900, 120, 300);
    public readonly List<SyncDaemon> Daemons = new();
    /// <summary>Return an error to refuse an operation (it then changes nothing).</summary>
    public Func<IpvsOperation, IpvsException?> Fail = _ => null;
    /// <summary>Called on every GetRealServers (e.g. to let connections end while draining).</summary>
    public Action? OnPoll;
    public readonly List<string> Log = new();

    public static FakeIpvs From(LvsConfiguration c)
    {
        var f = new FakeIpvs();
        foreach (var s in c.Services)
        {
            f.Services.Add(s.Service);
            f.Reals[s.Key] = s.RealServers.ToList();
        }
        if (c.Timeouts is not null) f.Timeouts = c.Timeouts;
        if (c.SyncDaemons is not null) f.Daemons.AddRange(c.SyncDaemons);
        return f;
    }

    public LvsConfiguration Snapshot() => new()
    {
        Services = Services.Select(s => new ConfiguredService(s, Reals[s.Key].ToList())).ToList(),
        Timeouts = Timeouts,
        SyncDaemons = Daemons.ToList(),
    };

    public List<IpvsOperationResult> Apply(IReadOnlyList<IpvsOperation> operations)
    {
        var results = new List<IpvsOperationResult>();
        foreach (var op in operations)
        {
            Log.Add(op.Describe());
            var error = Fail(op) ?? Do(op);
            results.Add(new IpvsOperationResult(op, error));
        }
        return results;
    }

    private IpvsException? Do(IpvsOperation op)
    {
        switch (op)
        {
            case AddServiceOperation a:
                if (Reals.ContainsKey(a.Service)) return new ServiceAlreadyExistsException(a.Service);
                Services.Add(a.VirtualService);
                Reals[a.Service] = new List<RealServer>();
                return null;
            case UpdateServiceOperation u:
            {
                var i = Services.FindIndex(s => s.Key.Equals(u.Service));
                if (i < 0) return new ServiceNotFoundException(u.Service);
                Services[i] = u.VirtualService;
                return null;
            }
            case DeleteServiceOperation d:
                if (!Reals.Remove(d.Service)) return new ServiceNotFoundException(d.Service);
                Services.RemoveAll(s => s.Key.Equals(d.Service));
                return null;
            case AddRealServerOperation ar:
            {
                if (!Reals.TryGetValue(ar.Service, out var list)) return new ServiceNotFoundException(ar.Service);
                if (list.Any(x => x.Key.Equals(ar.RealServer.Key))) return new RealServerAlreadyExistsException(ar.Service, ar.RealServer.Key);
                list.Add(ar.RealServer);
                return null;
            }
            case UpdateRealServerOperation ur:
            {
                if (!Reals.TryGetValue(ur.Service, out var list)) return new ServiceNotFoundException(ur.Service);
                var i = list.FindIndex(x => x.Key.Equals(ur.RealServer.Key));
                if (i < 0) return new RealServerNotFoundException(ur.Service, ur.RealServer.Key);
                // SET_DEST keeps the connection counters.
                list[i] = ur.RealServer with { ActiveConnections = list[i].ActiveConnections, InactiveConnections = list[i].InactiveConnections, PersistentConnections = list[i].PersistentConnections };
                return null;
            }
            case DeleteRealServerOperation dr:
            {
                if (!Reals.TryGetValue(dr.Service, out var list)) return new ServiceNotFoundException(dr.Service);
                if (list.RemoveAll(x => x.Key.Equals(dr.Server)) == 0) return new RealServerNotFoundException(dr.Service, dr.Server);
                return null;
            }
        }
        throw new InvalidOperationException(op.ToString());
    }

    public void SetTimeouts(IpvsTimeouts t)
    {
        Log.Add("timeouts");
        Timeouts = new IpvsTimeouts(t.Tcp == 0 ? Timeouts.Tcp : t.Tcp, t.TcpFin == 0 ? Timeouts.TcpFin : t.TcpFin, t.Udp == 0 ? Timeouts.Udp : t.Udp);
    }

    public Func<SyncDaemon, IpvsException?> FailDaemon = _ => null;

    public void StartSyncDaemon(SyncDaemon daemon)
    {
        Log.Add("start " + daemon.State);
        if (FailDaemon(daemon) is { } e) throw e;
        if (Daemons.Any(d => d.State == daemon.State)) throw new IpvsException("exists", IpvsErrorKind.AlreadyExists, "SyncDaemonRunning", 17);
        Daemons.Add(daemon);
    }

    public void StopSyncDaemon(SyncDaemonState state)
    {
        Log.Add("stop " + state);
        if (Daemons.RemoveAll(d => d.State == state) == 0) throw new IpvsException("not running", IpvsErrorKind.NotFound, "SyncDaemonNotRunning", 3);
    }

    public List<RealServer> GetRealServers(ServiceKey service)
    {
        OnPoll?.Invoke();
        return Reals.TryGetValue(service, out var list) ? list.ToList() : throw new ServiceNotFoundException(service);
    }

    public LvsConfiguration Read(LiveReadOptions options)
    {
        var wanted = options.Services is null ? null : new HashSet<ServiceKey>(options.Services);
        return new LvsConfiguration
        {
            Services = Services.Where(s => wanted is null || wanted.Contains(s.Key)).Select(s => new ConfiguredService(s, Reals[s.Key].ToList())).ToList(),
            Timeouts = options.Timeouts ? Timeouts : null,
            SyncDaemons = options.SyncDaemons ? Daemons.ToList() : null,
            Host = options.Host is null ? null : LiveConfiguration.ReadHost(options.HostBackend!, options.Host),
        };
    }

    public void SetCounters(ServiceKey service, RealServerKey server, uint active, uint inactive, uint templates)
    {
        var list = Reals[service];
        var i = list.FindIndex(x => x.Key.Equals(server));
        list[i] = list[i] with { ActiveConnections = active, InactiveConnections = inactive, PersistentConnections = templates };
    }
}

/// <summary>An in-memory host for host-section tests.</summary>
internal sealed class FakeHost : IHostStateBackend
{
    public readonly Dictionary<string, string> Sysctls = new(StringComparer.Ordinal);
    public readonly List<HostAddress> Addresses = new();
    public Func<string, IpvsException?> FailSysctl = _ => null;

    public string? ReadSysctl(string key) => Sysctls.TryGetValue(key, out var v) ? v : null;

    public void WriteSysctl(string key, string value)
    {
        if (FailSysctl(key) is { } e) throw e;
        Sysctls[key] = value;
    }

    public IReadOnlyList<HostAddress> ReadAddresses(string interfaceName) => Addresses.Where(a => a.Interface == interfaceName).ToList();
    public void AddAddress(HostAddress address) => Addresses.Add(address);
    public void RemoveAddress(HostAddress address) => Addresses.RemoveAll(a => a.Interface == address.Interface && a.Address.Equals(address.Address));
}
