using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Formats;

/// <summary>keepalived's validate_check_config defaults and the start of the checker (init_services): the table it builds.</summary>
internal sealed partial class KeepalivedReader
{
    /// <summary>One kernel service of a virtual_server (several for a group): its key and, for group entries, the entry port.</summary>
    private readonly record struct Target(ServiceKey Key, bool IsMark);

    private IEnumerable<ConfiguredService> Build(KeepalivedStatement s, ServerBlock vs)
    {
        Group? group = null;
        if (vs.GroupName is not null && !_groups.TryGetValue(vs.GroupName, out group))
        {
            Error(s, $"virtual_server_group {vs.GroupName} is not defined.");
            return Array.Empty<ConfiguredService>();
        }
        if (vs.Reals.Count == 0)
        {
            Note(s, $"{Name(vs)} has no real servers: keepalived ignores it, and so does the import.");
            return Array.Empty<ConfiguredService>();
        }
        var byAddress = group is null ? !vs.IsMark : group.HasAddresses;
        var markOnly = group is null ? vs.IsMark : !group.HasAddresses;
        if (byAddress)
        {
            if (vs.Protocol is null)
            {
                vs.Protocol = IpvsProtocol.Udp;
                vs.Applied.Add("no protocol: UDP (keepalived's default, not TCP)");
            }
            if (vs.OnePacket && vs.Protocol != IpvsProtocol.Udp)
            {
                vs.OnePacket = false;
                vs.Applied.Add("ops with a non-UDP protocol: reset");
            }
            if (vs.PersistenceTimeout == 0 && group is null && vs.Port == 0)
            {
                vs.PersistenceTimeout = VirtualService.DefaultPersistenceTimeout;
                vs.Applied.Add($"port 0 without persistence: persistence_timeout {VirtualService.DefaultPersistenceTimeout}");
            }
        }
        if (vs.PersistenceTimeout == 0 && group is not null && group.Entries.Any(e => !e.IsMark && e.Port == 0))
        {
            vs.PersistenceTimeout = VirtualService.DefaultPersistenceTimeout;
            vs.Applied.Add($"a group address without port and no persistence: persistence_timeout {VirtualService.DefaultPersistenceTimeout}");
        }
        if (vs.Protocol is not null && markOnly)
        {
            vs.Protocol = null;
            vs.Applied.Add("protocol on a firewall-mark service: ignored");
        }
        if (vs.Scheduler is null)
        {
            vs.Scheduler = VirtualService.DefaultScheduler;
            vs.Applied.Add("no lvs_sched: wlc");
        }
        var reals = new List<Server>();
        foreach (var rs in vs.Reals)
        {
            if (reals.Any(x => x.Address.Equals(rs.Address) && x.Port == rs.Port))
            {
                Note(rs.At, $"real_server {Endpoint.Format(rs.Address, rs.Port)} is duplicated: keepalived removes the second, and so does the import.");
                continue;
            }
            reals.Add(rs);
        }
        var defaultMethod = false;
        foreach (var server in vs.Sorry is null ? reals : reals.Append(vs.Sorry))
        {
            if (server.Forwarding is null)
            {
                if (vs.Forwarding is null)
                {
                    vs.Forwarding = new Forwarding(ForwardingMethod.Nat, TunnelType.Ipip, 0, TunnelChecksum.None);
                    defaultMethod = true;
                }
                server.Forwarding = vs.Forwarding;
            }
            server.Weight ??= vs.Weight;
            server.Inhibit ??= vs.Inhibit;
        }
        if (defaultMethod) vs.Applied.Add("no lvs_method: NAT");
        if (vs.Sorry is { } sorry && reals.Any(r => r.Address.Equals(sorry.Address) && r.Port == sorry.Port))
        {
            Error(sorry.At, "A sorry_server that is also a real_server is not supported by the import.");
            return Array.Empty<ConfiguredService>();
        }

        // The kernel services.
        var targets = new List<(ServiceKey Key, ushort EntryPort)>();
        if (group is null)
            targets.Add((vs.IsMark ? ServiceKey.ForFirewallMark(vs.Mark, vs.Family!.Value) : ServiceKey.ForAddress(vs.Protocol!.Value, vs.Address!, vs.Port), vs.Port));
        else
        {
            foreach (var e in group.Entries.Where(e => !e.IsMark))
                foreach (var a in Addresses(e)) targets.Add((ServiceKey.ForAddress(vs.Protocol!.Value, a, e.Port), e.Port));
            var markFamily = vs.Family ?? IpvsAddressFamily.IPv4;
            foreach (var e in group.Entries.Where(e => e.IsMark)) targets.Add((ServiceKey.ForFirewallMark(e.Mark, e.MarkFamily ?? markFamily), 0));
        }

        var resets = new List<string>();
        var result = new List<ConfiguredService>();
        foreach (var (key, entryPort) in targets)
        {
            var service = new VirtualService(key)
            {
                Scheduler = vs.Scheduler,
                SchedulerFlags = vs.Flags,
                OnePacket = vs.OnePacket,
                Persistent = vs.PersistenceTimeout != 0,
                PersistenceTimeout = vs.PersistenceTimeout,
                PersistenceNetmask = vs.PersistenceTimeout != 0 && vs.Granularity is { } g && g != 0xffffffff
                    ? IpvsValidation.DecodeNetmask(key.AddressFamily, g)
                    : new VirtualService(key).PersistenceNetmask,
                PersistenceEngine = vs.PersistenceTimeout != 0 ? vs.Engine : null,
            };
            RealServer ToReal(Server server, int weight) => new(key, server.Address, Port(server, key, entryPort, group is not null, resets))
            {
                ForwardingMethod = server.Forwarding!.Method,
                Weight = weight,
                UpperThreshold = server.Upper,
                LowerThreshold = server.Lower,
                TunnelType = server.Forwarding.Method == ForwardingMethod.Tunnel ? server.Forwarding.TunnelType : TunnelType.Ipip,
                TunnelPort = server.Forwarding.Method == ForwardingMethod.Tunnel ? server.Forwarding.TunnelPort : (ushort)0,
                TunnelChecksum = server.Forwarding.Method == ForwardingMethod.Tunnel ? server.Forwarding.Checksum : TunnelChecksum.None,
            };
            var table = StartState(vs, reals, s, result.Count == 0).Select(x => ToReal(x.Server, x.Weight)).ToList();
            var duplicate = table.GroupBy(r => r.Key).FirstOrDefault(x => x.Count() > 1);
            if (duplicate is not null)
            {
                Error(s, $"{Name(vs)}: after keepalived's port rules two real servers of {key} are both {duplicate.Key}.");
                return Array.Empty<ConfiguredService>();
            }
            try
            {
                IpvsValidation.ValidateService(service);
                foreach (var r in table) IpvsValidation.ValidateRealServer(r);
            }
            catch (IpvsValidationException e)
            {
                Error(s, $"{Name(vs)}: {e.Message}");
                return Array.Empty<ConfiguredService>();
            }
            var health = BuildHealth(vs, reals, server => Port(server, key, entryPort, group is not null, resets));
            result.Add(new ConfiguredService(service, table) { Health = health });
        }
        foreach (var r in resets.Distinct()) vs.Applied.Add(r);
        if (vs.Applied.Count > 0) Note(s, $"{Name(vs)}: keepalived's defaults applied: {string.Join("; ", vs.Applied.Distinct())}.");
        return result;
    }

    private static string Name(ServerBlock vs) =>
        vs.GroupName is not null ? "virtual_server group " + vs.GroupName :
        vs.IsMark ? "virtual_server fwmark " + vs.Mark : "virtual_server " + Endpoint.Format(vs.Address!, vs.Port);

    /// <summary>
    /// The real-server port keepalived gives the kernel (validate_check_config and ipvs_group_cmd): NAT keeps its port
    /// (an address service fills a missing one with the service's); DR and TUN take the service's port (0 for a
    /// firewall mark).
    /// </summary>
    private static ushort Port(Server server, ServiceKey key, ushort entryPort, bool inGroup, List<string> resets)
    {
        var nat = server.Forwarding!.Method == ForwardingMethod.Nat;
        if (inGroup) return nat ? server.Port : entryPort;
        if (nat) return !key.IsFirewallMark && server.Port == 0 ? key.Port : server.Port;
        var port = key.IsFirewallMark ? (ushort)0 : key.Port;
        if (server.Port != 0 && server.Port != port)
            resets.Add($"{server.Forwarding.Method} real server {Endpoint.Format(server.Address, server.Port)} port reset to {port}");
        return port;
    }

    /// <summary>
    /// The real servers (with their weights) that keepalived puts in the kernel at start when every real server is up:
    /// set_quorum_states and update_quorum_state(init) decide whether the sorry server stands in for them.
    /// </summary>
    private IEnumerable<(Server Server, int Weight)> StartState(ServerBlock vs, List<Server> reals, KeepalivedStatement s, bool note)
    {
        var weightSum = reals.Sum(r => (long)r.Weight!.Value);
        var quorum = vs.Quorum;
        if (quorum > weightSum) quorum = (uint)weightSum;
        var hysteresis = vs.Hysteresis >= quorum ? unchecked(quorum - 1) : vs.Hysteresis;
        var up = weightSum >= (long)unchecked(quorum + hysteresis); // unsigned int arithmetic, as in C
        var threshold = (long)unchecked(quorum + (up ? unchecked((uint)-(int)hysteresis) : hysteresis));
        var sorryIn = false;
        if (!up && weightSum >= threshold) up = true;
        else if ((up && (weightSum == 0 || weightSum < threshold)) || (!up && vs.Sorry is not null))
        {
            up = false;
            sorryIn = vs.Sorry is not null;
        }
        var list = new List<(Server, int)>();
        if (!sorryIn)
        {
            list.AddRange(reals.Select(r => (r, r.Weight!.Value)));
            // The sorry server is part of the service's health (ServiceHealth.SorryServer); with sorry_server_inhibit
            // keepalived also puts it in the table with weight 0 while the real servers hold the quorum.
            if (vs.Sorry is not null && vs.SorryInhibit) list.Add((vs.Sorry, 0));
            return list;
        }
        // Quorum down at start: the real servers leave (inhibited ones stay with weight 0) and the sorry server comes in.
        list.AddRange(reals.Where(r => r.Inhibit == true).Select(r => (r, 0)));
        list.Add((vs.Sorry!, 1));
        if (note) Note(s, $"the real servers' weight {weightSum} is below the quorum at start: keepalived puts sorry_server {vs.Sorry!.Address} in the table instead of them.");
        return list;
    }
}
