using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>
/// The seeds' experiments with real traffic (tests/lab/scenarios/traffic.md): NAT with rr/wrr and port mapping, sh
/// stickiness, fwmark persistence over ports 80 and 443, DR with and without the ARP settings, UDP DR and the
/// bound-address caveat, TUN over ipip to another subnet, and IPv6 DR. IPVS is configured through IpvsClient and the
/// hosts through LvsAdmin.HostSetup (the calls the cmdlets make); each scenario checks the answers, the statistics
/// and the connection table the module reports, and the Test-LvsDirector / Test-LvsRealServer checks.
/// </summary>
public sealed class TrafficTests
{
    // NAT topology (traffic.sh up nat)
    private static readonly IPAddress NatVip = IPAddress.Parse("10.72.1.100");
    private static readonly IPAddress NatClient1 = IPAddress.Parse("10.72.1.2");
    private static readonly IPAddress NatClient2 = IPAddress.Parse("10.72.1.3");
    private static readonly IPAddress NatRs1 = IPAddress.Parse("10.72.2.11");
    private static readonly IPAddress NatRs2 = IPAddress.Parse("10.72.2.12");

    // DR topology (traffic.sh up dr)
    private static readonly IPAddress DrVip = IPAddress.Parse("10.72.3.100");
    private static readonly IPAddress DrClient = IPAddress.Parse("10.72.3.2");
    private static readonly IPAddress DrRs1 = IPAddress.Parse("10.72.3.11");
    private static readonly IPAddress DrRs2 = IPAddress.Parse("10.72.3.12");
    private static readonly IPAddress DrVip6 = IPAddress.Parse("fd72:3::100");
    private static readonly IPAddress DrClient6 = IPAddress.Parse("fd72:3::2");
    private static readonly IPAddress DrRs1V6 = IPAddress.Parse("fd72:3::11");
    private static readonly IPAddress DrRs2V6 = IPAddress.Parse("fd72:3::12");

    // TUN topology (traffic.sh up tun)
    private static readonly IPAddress TunVip = IPAddress.Parse("10.72.0.100");
    private static readonly IPAddress TunClient = IPAddress.Parse("10.72.4.2");
    private static readonly IPAddress TunRs1 = IPAddress.Parse("10.72.6.11");
    private static readonly IPAddress TunRs2 = IPAddress.Parse("10.72.6.12");

    private static IPEndPoint Ep(IPAddress a, int port) => new(a, port);

    /// <summary>
    /// NAT (seed §5.1): client → director (VIP on d0, DIP 10.72.2.1) → two real servers whose gateway is the DIP;
    /// rs2 listens on 8080 (port mapping). rr alternates exactly, wrr 3:1 gives exactly 30:10 over 40 requests.
    /// The real servers see the real client address and their own address (NAT rewrote the destination); replies
    /// pass the director (OutPkts &gt; 0).
    /// </summary>
    [LabTest]
    public void TrafficNatRoundRobinWeightsAndPortMapping(LabContext ctx)
    {
        using var lab = TrafficLab.Up("nat");
        Setup.DirectorNat(TrafficLab.Director, NatVip, "d0");
        lab.Serve(TrafficLab.Rs1, "rs1", Ep(IPAddress.Any, 80));
        lab.Serve(TrafficLab.Rs2, "rs2", Ep(IPAddress.Any, 8080));
        var key = ServiceKey.ForAddress(IpvsProtocol.Tcp, NatVip, 80);
        var ipvs = lab.DirectorIpvs;
        ipvs.AddService(new VirtualService(key) { Scheduler = "rr" });
        ipvs.AddRealServer(new RealServer(key, NatRs1, 80) { ForwardingMethod = ForwardingMethod.Nat });
        ipvs.AddRealServer(new RealServer(key, NatRs2, 8080) { ForwardingMethod = ForwardingMethod.Nat });
        var real = new Dictionary<string, IPEndPoint> { ["rs1"] = Ep(NatRs1, 80), ["rs2"] = Ep(NatRs2, 8080) };

        // rr: 12 requests alternate exactly.
        var replies = Enumerable.Range(0, 12).Select(_ => lab.Get(NatClient1, Ep(NatVip, 80))).ToList();
        var names = replies.Select(r => r.Server).ToList();
        for (var i = 1; i < names.Count; i++)
            Check.True(names[i] != names[i - 1], "rr does not alternate: " + string.Join(" ", names));
        Check.Equal(6, names.Count(n => n == "rs1"), "rr answers of rs1 in " + string.Join(" ", names));
        foreach (var r in replies)
        {
            Check.Equal(real[r.Server], r.ServerLocal, $"address {r.Server} was reached on (NAT rewrites the destination, port mapping)");
            Check.Equal(r.ClientLocal, r.ServerPeer, $"client {r.Server} saw (NAT keeps the client address)");
        }
        var held = lab.Hold(NatClient1, Ep(NatVip, 80));

        // The connection table: one entry per request with the client's port, the VIP and the server that answered.
        var table = TrafficLab.Table();
        foreach (var r in replies.Append(null))
        {
            var clientEp = r?.ClientLocal ?? held;
            var e = table.Where(c => c.Protocol == IpvsProtocol.Tcp && c.ClientAddress.Equals(clientEp.Address) && c.ClientPort == clientEp.Port).ToList();
            Check.True(e.Count == 1, $"one entry for client {clientEp} expected:" + TrafficLab.Show(table));
            Check.Equal(Ep(NatVip, 80), Ep(e[0].VirtualAddress, e[0].VirtualPort), $"virtual address of {clientEp}");
            if (r is not null) Check.Equal(real[r.Server], Ep(e[0].RealServerAddress, e[0].RealServerPort), $"real server of {clientEp}");
            if (r is null) Check.Equal("ESTABLISHED", e[0].State, $"state of the held connection {clientEp}");
            else Check.True(e[0].State is "TIME_WAIT" or "FIN_WAIT" or "CLOSE_WAIT" or "LAST_ACK" or "CLOSE", $"state of the finished connection {clientEp}: {e[0].State}");
        }

        // Statistics: 13 connections, replies through the director.
        var (svc, rss) = lab.WaitForStats(key, 13);
        var st = svc.Statistics!;
        Check.True(st.InPackets > 0 && st.OutPackets > 0, $"NAT service packets in {st.InPackets} out {st.OutPackets}: replies must pass the director");
        Check.Equal(13UL, (ulong)rss.Sum(r => (long)r.Statistics!.Connections), "connections of the real servers");
        Check.True(rss.All(r => r.Statistics!.Connections >= 6 && r.Statistics.OutPackets > 0), "real server stats: " + string.Join("; ", rss.Select(r => $"{r.Address} {r.Statistics}")));

        // wrr 3:1 in place (SET_SERVICE / SET_DEST): 40 requests, exactly 30:10 (wrr is deterministic, 40 = 10 rounds of 4).
        ipvs.UpdateService(new VirtualService(key) { Scheduler = "wrr" });
        ipvs.UpdateRealServer(new RealServer(key, NatRs1, 80) { ForwardingMethod = ForwardingMethod.Nat, Weight = 3 });
        ipvs.UpdateRealServer(new RealServer(key, NatRs2, 8080) { ForwardingMethod = ForwardingMethod.Nat, Weight = 1 });
        var wrr = Enumerable.Range(0, 40).Select(_ => lab.Get(NatClient2, Ep(NatVip, 80)).Server).ToList();
        Check.Equal(30, wrr.Count(n => n == "rs1"), "wrr 3:1 answers of rs1 in " + string.Join(" ", wrr));
        Check.Equal(10, wrr.Count(n => n == "rs2"), "wrr 3:1 answers of rs2");

        // Test-LvsDirector: all pass, then each broken setting is found.
    }

    /// <summary>
    /// sh: every client address always reaches the same real server. 10.72.1.2 and 10.72.1.3 hash to buckets 22 and
    /// 119 (hash_32(addr, 8)); with two servers of weight 1 the buckets alternate between them, so the two clients
    /// land on different servers.
    /// </summary>
    [LabTest]
    public void TrafficNatSourceHashSticksPerClient(LabContext ctx)
    {
        using var lab = TrafficLab.Up("nat");
        Setup.DirectorNat(TrafficLab.Director, NatVip, "d0");
        lab.Serve(TrafficLab.Rs1, "rs1", Ep(IPAddress.Any, 80));
        lab.Serve(TrafficLab.Rs2, "rs2", Ep(IPAddress.Any, 80));
        var key = ServiceKey.ForAddress(IpvsProtocol.Tcp, NatVip, 80);
        lab.DirectorIpvs.AddService(new VirtualService(key) { Scheduler = "sh" });
        lab.DirectorIpvs.AddRealServer(new RealServer(key, NatRs1, 80) { ForwardingMethod = ForwardingMethod.Nat });
        lab.DirectorIpvs.AddRealServer(new RealServer(key, NatRs2, 80) { ForwardingMethod = ForwardingMethod.Nat });

        var seen = new Dictionary<IPAddress, List<string>> { [NatClient1] = new(), [NatClient2] = new() };
        for (var i = 0; i < 8; i++)
            foreach (var client in seen.Keys) seen[client].Add(lab.Get(client, Ep(NatVip, 80)).Server);
        foreach (var (client, names) in seen)
            Check.True(names.Distinct().Count() == 1, $"sh: client {client} reached {string.Join(" ", names)}");
        Check.True(seen[NatClient1][0] != seen[NatClient2][0], $"sh: both clients reached {seen[NatClient1][0]}");

        var table = TrafficLab.Table();
        foreach (var (client, names) in seen)
        {
            var rs = names[0] == "rs1" ? NatRs1 : NatRs2;
            var entries = table.Where(c => c.ClientAddress.Equals(client)).ToList();
            Check.Equal(8, entries.Count, $"entries of client {client}:" + TrafficLab.Show(table));
            Check.True(entries.All(c => c.RealServerAddress.Equals(rs)), $"entries of {client} all to {rs}:" + TrafficLab.Show(entries));
        }
        lab.WaitForStats(key, 16);
    }

    /// <summary>
    /// fwmark service grouping ports 80 and 443 with persistence: iptables on the director marks both ports with 1;
    /// a client's connections to either port land on the same real server, and the persistence templates (protocol
    /// IP, virtual 0.0.0.1) are in the table.
    /// </summary>
    [LabTest]
    public void TrafficNatFirewallMarkPersistenceAcrossPorts(LabContext ctx)
    {
        using var lab = TrafficLab.Up("nat");
        Setup.DirectorNat(TrafficLab.Director, NatVip, "d0");
        TrafficLab.In("dir", $"iptables -t mangle -A PREROUTING -d {NatVip} -p tcp -m multiport --dports 80,443 -j MARK --set-mark 1");
        foreach (var (ns, name) in new[] { (TrafficLab.Rs1, "rs1"), (TrafficLab.Rs2, "rs2") })
        {
            lab.Serve(ns, name, Ep(IPAddress.Any, 80));
            lab.Serve(ns, name, Ep(IPAddress.Any, 443));
        }
        var key = ServiceKey.ForFirewallMark(1);
        lab.DirectorIpvs.AddService(new VirtualService(key) { Scheduler = "rr", Persistent = true, PersistenceTimeout = 120 });
        lab.DirectorIpvs.AddRealServer(new RealServer(key, NatRs1, 0) { ForwardingMethod = ForwardingMethod.Nat });
        lab.DirectorIpvs.AddRealServer(new RealServer(key, NatRs2, 0) { ForwardingMethod = ForwardingMethod.Nat });

        var seen = new Dictionary<IPAddress, List<HttpReply>> { [NatClient1] = new(), [NatClient2] = new() };
        foreach (var client in seen.Keys)
            foreach (var port in new[] { 80, 443, 80, 443, 443, 80 })
                seen[client].Add(lab.Get(client, Ep(NatVip, port)));
        foreach (var (client, replies) in seen)
        {
            Check.True(replies.Select(r => r.Server).Distinct().Count() == 1,
                $"fwmark persistence: client {client} reached " + string.Join(" ", replies.Select(r => $"{r.Server}:{r.ServerLocal.Port}")));
            Check.True(replies.All(r => r.ServerLocal.Port == 80 || r.ServerLocal.Port == 443) && replies.Count(r => r.ServerLocal.Port == 443) == 3,
                "ports reached (real server port 0 keeps the client's destination port)");
        }
        // rr gave the second client's template the other server.
        Check.True(seen[NatClient1][0].Server != seen[NatClient2][0].Server, "both clients' templates point at " + seen[NatClient1][0].Server);

        var table = TrafficLab.Table();
        foreach (var (client, replies) in seen)
        {
            var rs = replies[0].Server == "rs1" ? NatRs1 : NatRs2;
            var templates = table.Where(c => c.IsTemplate && c.ClientAddress.Equals(client)).ToList();
            Check.True(templates.Count == 1, $"one template for {client}:" + TrafficLab.Show(table));
            var t = templates[0];
            Check.Equal(IpvsProtocol.None, t.Protocol, "template protocol (IP)");
            Check.Equal((uint?)1, t.FirewallMark, "template firewall mark");
            Check.Equal(IPAddress.Parse("0.0.0.1"), t.VirtualAddress, "template virtual address (the mark)");
            Check.Equal(rs, t.RealServerAddress, $"template real server of {client}");
            var conns = table.Where(c => !c.IsTemplate && c.ClientAddress.Equals(client)).ToList();
            Check.Equal(6, conns.Count, $"connections of {client}:" + TrafficLab.Show(table));
            Check.True(conns.All(c => c.RealServerAddress.Equals(rs) && c.VirtualAddress.Equals(NatVip)), $"connections of {client}:" + TrafficLab.Show(conns));
        }
        var (_, rss) = lab.WaitForStats(key, 12);
        Check.True(rss.All(r => r.PersistentConnections == 1), "one template per real server: " + string.Join("; ", rss.Select(r => $"{r.Address} persist {r.PersistentConnections}")));
    }
}
