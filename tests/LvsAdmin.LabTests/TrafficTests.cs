using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Connections;
using LvsAdmin.HostSetup;
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
    private static readonly IPAddress TunVip6 = IPAddress.Parse("fd72::100");
    private static readonly IPAddress TunClient6 = IPAddress.Parse("fd72:4::2");
    private static readonly IPAddress TunRs1V6 = IPAddress.Parse("fd72:6::11");
    private static readonly IPAddress TunRs2V6 = IPAddress.Parse("fd72:6::12");

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
        var director = Host.Director(DirectorMode.Nat, "d0", NatVip);
        Host.Initialize(TrafficLab.Director, director);
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
        CheckTable(lab, replies, held, Ep(NatVip, 80), real, NatFinished);

        // Statistics: 13 connections, replies through the director.
        var (svc, rss) = lab.WaitForStats(key, 13);
        lab.Trace("stats");
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

        // Test-LvsDirector -Mode Nat: every check passes; each broken setting is found (and Initialize repairs it).
        BreakEach(lab, TrafficLab.Director, () => Host.Test(TrafficLab.Director, director), () => Host.Initialize(TrafficLab.Director, director),
            ("ip_forward=0", "ip netns exec lvst-dir sysctl -qw net.ipv4.ip_forward=0", "IpForward"),
            ("the VIP removed from d0", $"ip -n lvst-dir addr del {NatVip}/32 dev d0", "VirtualAddress"),
            ("send_redirects=1 on d0", "ip netns exec lvst-dir sysctl -qw net.ipv4.conf.d0.send_redirects=1", "SendRedirects"),
            // The DIP side too: the kernel ORs all with each interface, so all=0 alone lets redirects out of d1.
            ("send_redirects=1 on d1", "ip netns exec lvst-dir sysctl -qw net.ipv4.conf.d1.send_redirects=1", "SendRedirects"));
        // ... and the repaired director forwards again.
        Check.True(lab.Get(NatClient1, Ep(NatVip, 80)).Server.StartsWith("rs", StringComparison.Ordinal), "request after the repairs");

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
        Host.Initialize(TrafficLab.Director, Host.Director(DirectorMode.Nat, "d0", NatVip));
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
        Host.Initialize(TrafficLab.Director, Host.Director(DirectorMode.Nat, "d0", NatVip));
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

    /// <summary>
    /// DR (seed §5.2): director and real servers on one bridge with the client. With only the VIP on lo (no ARP
    /// settings) the real servers answer ARP for the VIP (the seeds' failure). Initialize-LvsRealServer -Mode
    /// DirectRouting makes the director the only one; then replies go straight from the real servers to the client:
    /// the client counts reply packets by source MAC (real servers only, none from the director), IPVS counts no
    /// outbound packet, and the connection table shows client → VIP → real server.
    /// </summary>
    [LabTest]
    public void TrafficDrArpAndDirectReplies(LabContext ctx)
    {
        using var lab = TrafficLab.Up("dr");
        var director = Host.Director(DirectorMode.DirectRouting, "d0", DrVip);
        var realServer = Host.RealServer(RealServerMode.DirectRouting, DrVip);
        Host.Initialize(TrafficLab.Director, director);
        var mac = new Dictionary<string, string> { ["dir"] = TrafficLab.Mac("dir", "d0"), ["rs1"] = TrafficLab.Mac("rs1", "e0"), ["rs2"] = TrafficLab.Mac("rs2", "e0") };
        lab.Trace("director initialized, MACs read");

        // The VIP on lo without the ARP settings: the real servers answer ARP for it, and Test-LvsRealServer says so.
        Host.AddAddress(TrafficLab.Rs1, DrVip);
        Host.AddAddress(TrafficLab.Rs2, DrVip);
        lab.Trace("VIPs on lo");
        var repliers = TrafficLab.ArpRepliers(DrVip, DrClient, m => m.Contains(mac["rs1"]) && m.Contains(mac["rs2"]) && m.Contains(mac["dir"]));
        lab.Trace("arping");
        Check.True(repliers.Contains(mac["rs1"]) && repliers.Contains(mac["rs2"]) && repliers.Contains(mac["dir"]),
            $"ARP for the VIP without arp_ignore/arp_announce: replies from {string.Join(", ", repliers)}; rs1 {mac["rs1"]} rs2 {mac["rs2"]} dir {mac["dir"]}");
        Findings.OnlyFailed(Host.Test(TrafficLab.Rs1, realServer), ["ArpIgnore", "ArpAnnounce"], "rs1 with the VIP on lo only");
        lab.Trace("ARP failure shown");

        // Initialize-LvsRealServer -Mode DirectRouting: only the director answers.
        Host.Initialize(TrafficLab.Rs1, realServer);
        Host.Initialize(TrafficLab.Rs2, realServer);
        repliers = TrafficLab.ArpRepliers(DrVip, DrClient);
        Check.True(repliers.SetEquals([mac["dir"]]), $"ARP for the VIP after Initialize-LvsRealServer: replies from {string.Join(", ", repliers)}, expected only the director {mac["dir"]}");

        lab.Serve(TrafficLab.Rs1, "rs1", Ep(IPAddress.Any, 80));
        lab.Serve(TrafficLab.Rs2, "rs2", Ep(IPAddress.Any, 80));
        var key = ServiceKey.ForAddress(IpvsProtocol.Tcp, DrVip, 80);
        lab.DirectorIpvs.AddService(new VirtualService(key) { Scheduler = "rr" });
        lab.DirectorIpvs.AddRealServer(new RealServer(key, DrRs1, 80) { ForwardingMethod = ForwardingMethod.DirectRouting });
        lab.DirectorIpvs.AddRealServer(new RealServer(key, DrRs2, 80) { ForwardingMethod = ForwardingMethod.DirectRouting });
        // The client counts the VIP's reply packets by the MAC they arrive from.
        foreach (var (name, m) in mac)
            TrafficLab.In("cli", $"iptables -t mangle -A PREROUTING -s {DrVip} -p tcp --sport 80 -m mac --mac-source {m} -m comment --comment from-{name}");
        lab.Trace("services, servers, client counters");

        var replies = Enumerable.Range(0, 12).Select(_ => lab.Get(DrClient, Ep(DrVip, 80))).ToList();
        var held = lab.Hold(DrClient, Ep(DrVip, 80));
        lab.Trace("requests done");
        CheckAlternates(replies);
        foreach (var r in replies)
        {
            Check.Equal(Ep(DrVip, 80), r.ServerLocal, $"address {r.Server} was reached on (DR keeps the VIP)");
            Check.Equal(r.ClientLocal, r.ServerPeer, $"client {r.Server} saw");
        }
        Check.Equal(mac["dir"], TrafficLab.NeighbourMac("cli", DrVip), "the client's neighbour entry for the VIP");
        var fromRs1 = TrafficLab.IptablesPackets("cli", "mangle", "PREROUTING", "from-rs1");
        var fromRs2 = TrafficLab.IptablesPackets("cli", "mangle", "PREROUTING", "from-rs2");
        var fromDir = TrafficLab.IptablesPackets("cli", "mangle", "PREROUTING", "from-dir");
        Check.True(fromRs1 > 0 && fromRs2 > 0 && fromDir == 0,
            $"reply packets at the client by source MAC: rs1 {fromRs1}, rs2 {fromRs2}, director {fromDir} (DR replies bypass the director)");

        var (svc, rss) = lab.WaitForStats(key, 13);
        lab.Trace("stats");
        Check.True(svc.Statistics!.InPackets > 0, "DR service in packets");
        Check.Equal(0UL, svc.Statistics.OutPackets, "DR service out packets (replies never pass the director)");
        Check.True(rss.All(r => r.Statistics!.OutPackets == 0 && r.Statistics.Connections >= 6), "DR real server stats: " + string.Join("; ", rss.Select(r => $"{r.Address} {r.Statistics}")));
        CheckTable(lab, replies, held, Ep(DrVip, 80), new() { ["rs1"] = Ep(DrRs1, 80), ["rs2"] = Ep(DrRs2, 80) });

        // Test-LvsRealServer / Test-LvsDirector -Mode DirectRouting: each broken setting is found, Initialize repairs it.
        BreakEach(lab, TrafficLab.Rs1, () => Host.Test(TrafficLab.Rs1, realServer), () => Host.Initialize(TrafficLab.Rs1, realServer),
            ("the VIP removed from lo", $"ip -n lvst-rs1 addr del {DrVip}/32 dev lo", "VirtualAddress"),
            ("arp_ignore=0", "ip netns exec lvst-rs1 sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.lo.arp_ignore=0 net.ipv4.conf.e0.arp_ignore=0", "ArpIgnore"),
            ("arp_announce=0", "ip netns exec lvst-rs1 sysctl -qw net.ipv4.conf.all.arp_announce=0 net.ipv4.conf.lo.arp_announce=0 net.ipv4.conf.e0.arp_announce=0", "ArpAnnounce"));
        BreakEach(lab, TrafficLab.Director, () => Host.Test(TrafficLab.Director, director), () => Host.Initialize(TrafficLab.Director, director),
            ("the VIP removed from d0", $"ip -n lvst-dir addr del {DrVip}/32 dev d0", "VirtualAddress"),
            ("send_redirects=1 on all", "ip netns exec lvst-dir sysctl -qw net.ipv4.conf.all.send_redirects=1", "SendRedirects"));
        repliers = TrafficLab.ArpRepliers(DrVip, DrClient);
        Check.True(repliers.SetEquals([mac["dir"]]), $"ARP for the VIP after the repairs: replies from {string.Join(", ", repliers)}");
    }

    /// <summary>
    /// UDP DR and the DR seed's caveat: a UDP server bound to 0.0.0.0 answers a datagram sent to the VIP from its real
    /// address (source address selection), so a connected client drops the answer; bound to the VIP it answers from
    /// the VIP and the service works, balanced.
    /// </summary>
    [LabTest]
    public void TrafficDrUdpBoundToVip(LabContext ctx)
    {
        using var lab = TrafficLab.Up("dr");
        Host.Initialize(TrafficLab.Director, Host.Director(DirectorMode.DirectRouting, "d0", DrVip));
        var realServer = Host.RealServer(RealServerMode.DirectRouting, DrVip);
        foreach (var (ns, name) in new[] { (TrafficLab.Rs1, "rs1"), (TrafficLab.Rs2, "rs2") })
        {
            Host.Initialize(ns, realServer);
            lab.ServeUdp(ns, name, Ep(DrVip, 53));
            lab.ServeUdp(ns, name, Ep(IPAddress.Any, 5353));
        }
        var bound = ServiceKey.ForAddress(IpvsProtocol.Udp, DrVip, 53);
        var wildcard = ServiceKey.ForAddress(IpvsProtocol.Udp, DrVip, 5353);
        foreach (var (key, port) in new[] { (bound, (ushort)53), (wildcard, (ushort)5353) })
        {
            lab.DirectorIpvs.AddService(new VirtualService(key) { Scheduler = "rr" });
            lab.DirectorIpvs.AddRealServer(new RealServer(key, DrRs1, port));
            lab.DirectorIpvs.AddRealServer(new RealServer(key, DrRs2, port));
        }

        // Bound to the VIP: connected clients get their answers, from the VIP, alternating between the servers.
        var names = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var answer = lab.Udp(DrClient, Ep(DrVip, 53), connected: true, TimeSpan.FromSeconds(10))
                         ?? throw new CheckException($"no UDP answer from {DrVip}:53 (server bound to the VIP), datagram {i + 1}");
            var t = answer.Text.Split(' ');
            Check.Equal($"{DrVip}:53", t[1], "address the UDP server received on");
            names.Add(t[0]);
        }
        for (var i = 1; i < names.Count; i++) Check.True(names[i] != names[i - 1], "rr over UDP does not alternate: " + string.Join(" ", names));

        // Bound to 0.0.0.0: the answer leaves from the real address ...
        var loose = lab.Udp(DrClient, Ep(DrVip, 5353), connected: false, TimeSpan.FromSeconds(10))
                    ?? throw new CheckException($"no UDP answer at all from the server bound to 0.0.0.0:5353");
        Check.True(loose.From.Address.Equals(DrRs1) || loose.From.Address.Equals(DrRs2),
            $"the server bound to 0.0.0.0 answered from {loose.From} ('{loose.Text}'), expected a real server's own address");
        // ... so a client that connected its socket to the VIP never sees it.
        var dropped = lab.Udp(DrClient, Ep(DrVip, 5353), connected: true, TimeSpan.FromSeconds(2));
        Check.True(dropped is null, $"a connected client accepted '{dropped?.Text}' from the server bound to 0.0.0.0");

        var (svc, _) = lab.WaitForStats(bound, 6);
        Check.Equal(0UL, svc.Statistics!.OutPackets, "UDP DR out packets");
        var table = TrafficLab.Table();
        var udp = table.Where(c => c.Protocol == IpvsProtocol.Udp && c.VirtualPort == 53).ToList();
        Check.Equal(6, udp.Count, "UDP entries of the VIP's port 53:" + TrafficLab.Show(table));
        Check.True(udp.All(c => c.State == "UDP" && c.ClientAddress.Equals(DrClient) && c.VirtualAddress.Equals(DrVip) && (c.RealServerAddress.Equals(DrRs1) || c.RealServerAddress.Equals(DrRs2))),
            "UDP entries:" + TrafficLab.Show(udp));
        Check.Equal(3, udp.Count(c => c.RealServerAddress.Equals(DrRs1)), "UDP entries to rs1");
    }

    /// <summary>
    /// TUN: the director (10.72.5.2) encapsulates to real servers in another subnet (10.72.6.0/24) through a router;
    /// Initialize-LvsRealServer -Mode Tunnel puts the VIP on tunl0 and relaxes rp_filter; replies go from the real
    /// servers through the router to the client. rp_filter=1 on tunl0 drops the decapsulated packets.
    /// </summary>
    [LabTest]
    public void TrafficTunnelToAnotherSubnet(LabContext ctx)
    {
        using var lab = TrafficLab.Up("tun");
        var (director, realServer) = Tunnel(lab, TunVip, TunClient, TunRs1, TunRs2);

        BreakEach(lab, TrafficLab.Director, () => Host.Test(TrafficLab.Director, director), () => Host.Initialize(TrafficLab.Director, director),
            ("the VIP removed from d0", $"ip -n lvst-dir addr del {TunVip}/32 dev d0", "VirtualAddress"));
        BreakEach(lab, TrafficLab.Rs1, () => Host.Test(TrafficLab.Rs1, realServer), () => Host.Initialize(TrafficLab.Rs1, realServer),
            ("the VIP removed from tunl0", $"ip -n lvst-rs1 addr del {TunVip}/32 dev tunl0", "VirtualAddress"),
            ("tunl0 down", "ip -n lvst-rs1 link set tunl0 down", "TunnelUp"),
            ("rp_filter=1 on tunl0", "ip netns exec lvst-rs1 sysctl -qw net.ipv4.conf.tunl0.rp_filter=1", "RpFilter"));

        // rp_filter=1 on rs1's tunl0 really drops: of two new connections (rr), the one to rs1 gets no answer.
        LabContext.Sh("ip netns exec lvst-rs1 sysctl -qw net.ipv4.conf.tunl0.rp_filter=1");
        CheckRs1Dropped(lab, TunVip, TunClient, "rp_filter=1 on rs1's tunl0");
    }

    /// <summary>
    /// The TUN scenario both address families share: host setup of the director and both real servers, an HTTP
    /// server on each, an rr service with two tunnelled real servers; 12 answers alternate, the servers see the VIP
    /// and the client, OutPkts 0 (replies go through the router), and the connection table matches.
    /// </summary>
    private static (DirectorSetup Director, RealServerSetup RealServer) Tunnel(TrafficLab lab, IPAddress vip, IPAddress client, IPAddress rs1, IPAddress rs2)
    {
        var director = Host.Director(DirectorMode.Tunnel, "d0", vip);
        var realServer = Host.RealServer(RealServerMode.Tunnel, vip);
        Host.Initialize(TrafficLab.Director, director);
        Host.Initialize(TrafficLab.Rs1, realServer);
        Host.Initialize(TrafficLab.Rs2, realServer);
        var any = vip.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        lab.Serve(TrafficLab.Rs1, "rs1", Ep(any, 80));
        lab.Serve(TrafficLab.Rs2, "rs2", Ep(any, 80));
        var key = ServiceKey.ForAddress(IpvsProtocol.Tcp, vip, 80);
        lab.DirectorIpvs.AddService(new VirtualService(key) { Scheduler = "rr" });
        lab.DirectorIpvs.AddRealServer(new RealServer(key, rs1, 80) { ForwardingMethod = ForwardingMethod.Tunnel });
        lab.DirectorIpvs.AddRealServer(new RealServer(key, rs2, 80) { ForwardingMethod = ForwardingMethod.Tunnel });

        var replies = Enumerable.Range(0, 12).Select(_ => lab.Get(client, Ep(vip, 80))).ToList();
        var held = lab.Hold(client, Ep(vip, 80));
        CheckAlternates(replies);
        foreach (var r in replies)
        {
            Check.Equal(Ep(vip, 80), r.ServerLocal, $"address {r.Server} was reached on (the decapsulated packet is for the VIP)");
            Check.Equal(r.ClientLocal, r.ServerPeer, $"client {r.Server} saw");
        }
        var (svc, _) = lab.WaitForStats(key, 13);
        Check.True(svc.Statistics!.InPackets > 0, "TUN in packets");
        Check.Equal(0UL, svc.Statistics.OutPackets, "TUN out packets (replies go from the real servers through the router)");
        CheckTable(lab, replies, held, Ep(vip, 80), new() { ["rs1"] = Ep(rs1, 80), ["rs2"] = Ep(rs2, 80) });
        return (director, realServer);
    }

    /// <summary>With rs1 broken: of two new connections (rr) the one to rs1 gets no answer, rs2 answers the other.</summary>
    private static void CheckRs1Dropped(TrafficLab lab, IPAddress vip, IPAddress client, string what)
    {
        var tries = Enumerable.Range(0, 2).Select(_ => lab.TryGet(client, Ep(vip, 80), TimeSpan.FromSeconds(3))).ToList();
        Check.True(tries.Count(t => t is null) == 1 && tries.Single(t => t is not null)!.Server == "rs2",
            $"with {what}: " + string.Join(", ", tries.Select(t => t?.Server ?? "no answer")));
    }

    /// <summary>
    /// IPv6 TUN through the router: the director encapsulates IPv6 in IPv6 to real servers in another subnet, whose
    /// VIP is a /128 on ip6tnl0 (Initialize-LvsRealServer -Mode Tunnel loads ip6_tunnel and brings the fallback
    /// device up). IPv6 has no rp_filter, so there is nothing to relax; replies go from the real servers through the
    /// router, never through the director.
    /// </summary>
    [LabTest]
    public void TrafficTunnelIpv6(LabContext ctx)
    {
        using var lab = TrafficLab.Up("tun");
        var (director, realServer) = Tunnel(lab, TunVip6, TunClient6, TunRs1V6, TunRs2V6);
        Check.True(LabContext.RunOk("ip", "-n lvst-rs1 -6 addr show dev ip6tnl0").Contains(TunVip6 + "/128", StringComparison.Ordinal), "rs1: the VIP on ip6tnl0");
        Check.Equal("0", LabContext.RunOk("ip", "netns exec lvst-rs1 cat /proc/sys/net/ipv4/conf/all/rp_filter").Trim(), "rs1 rp_filter (not touched for an IPv6 VIP)");

        Findings.AllPass(Host.Test(TrafficLab.Director, director), "director (IPv6 TUN)");
        BreakEach(lab, TrafficLab.Rs1, () => Host.Test(TrafficLab.Rs1, realServer), () => Host.Initialize(TrafficLab.Rs1, realServer),
            ("the IPv6 VIP removed from ip6tnl0", $"ip -n lvst-rs1 addr del {TunVip6}/128 dev ip6tnl0", "VirtualAddress"));
        // ip6tnl0 down: Linux drops the IPv6 addresses of a link that goes down (keep_addr_on_down=0), so both the
        // device and the VIP checks fail, and Initialize restores both.
        LabContext.Sh("ip -n lvst-rs1 link set ip6tnl0 down");
        Findings.OnlyFailed(Host.Test(TrafficLab.Rs1, realServer), ["TunnelUp", "VirtualAddress"], "rs1 with ip6tnl0 down");
        Host.Initialize(TrafficLab.Rs1, realServer);
        Findings.AllPass(Host.Test(TrafficLab.Rs1, realServer), "rs1 repaired after ip6tnl0 down");

        // ip6tnl0 down on rs1 really drops.
        LabContext.Sh("ip -n lvst-rs1 link set ip6tnl0 down");
        CheckRs1Dropped(lab, TunVip6, TunClient6, "ip6tnl0 down on rs1");
    }

    /// <summary>
    /// IPv6 DR: the VIP as /128 on the real servers' lo (Initialize-LvsRealServer); no ARP equivalent is needed
    /// because Linux answers neighbour solicitations only for addresses on the receiving interface, so the client
    /// resolves the VIP to the director alone and the arp_* sysctls stay untouched.
    /// </summary>
    [LabTest]
    public void TrafficDrIpv6(LabContext ctx)
    {
        using var lab = TrafficLab.Up("dr");
        var director = Host.Director(DirectorMode.DirectRouting, "d0", DrVip6);
        var realServer = Host.RealServer(RealServerMode.DirectRouting, DrVip6);
        Host.Initialize(TrafficLab.Director, director);
        Host.Initialize(TrafficLab.Rs1, realServer);
        Host.Initialize(TrafficLab.Rs2, realServer);
        Check.Equal("0", LabContext.RunOk("ip", "netns exec lvst-rs1 cat /proc/sys/net/ipv4/conf/all/arp_ignore").Trim(), "rs1 arp_ignore with an IPv6 VIP only");
        TrafficLab.WaitForDad("dir");
        var mac = TrafficLab.Mac("dir", "d0");

        lab.Serve(TrafficLab.Rs1, "rs1", Ep(IPAddress.IPv6Any, 80));
        lab.Serve(TrafficLab.Rs2, "rs2", Ep(IPAddress.IPv6Any, 80));
        var key = ServiceKey.ForAddress(IpvsProtocol.Tcp, DrVip6, 80);
        lab.DirectorIpvs.AddService(new VirtualService(key) { Scheduler = "rr" });
        lab.DirectorIpvs.AddRealServer(new RealServer(key, DrRs1V6, 80));
        lab.DirectorIpvs.AddRealServer(new RealServer(key, DrRs2V6, 80));

        var replies = Enumerable.Range(0, 12).Select(_ => lab.Get(DrClient6, Ep(DrVip6, 80))).ToList();
        var held = lab.Hold(DrClient6, Ep(DrVip6, 80));
        CheckAlternates(replies);
        foreach (var r in replies)
        {
            Check.Equal(Ep(DrVip6, 80), r.ServerLocal, $"address {r.Server} was reached on");
            Check.Equal(r.ClientLocal, r.ServerPeer, $"client {r.Server} saw");
        }
        Check.Equal(mac, TrafficLab.NeighbourMac("cli", DrVip6), "the client's neighbour entry for the IPv6 VIP (only the director answers NDP)");
        var (svc, _) = lab.WaitForStats(key, 13);
        Check.Equal(0UL, svc.Statistics!.OutPackets, "IPv6 DR out packets");
        CheckTable(lab, replies, held, Ep(DrVip6, 80), new() { ["rs1"] = Ep(DrRs1V6, 80), ["rs2"] = Ep(DrRs2V6, 80) });

        Findings.AllPass(Host.Test(TrafficLab.Director, director), "director (IPv6 DR)");
        BreakEach(lab, TrafficLab.Rs1, () => Host.Test(TrafficLab.Rs1, realServer), () => Host.Initialize(TrafficLab.Rs1, realServer),
            ("the IPv6 VIP removed from lo", $"ip -n lvst-rs1 addr del {DrVip6}/128 dev lo", "VirtualAddress"));
    }

    /// <summary>
    /// State of a finished connection in DR and TUN: IPVS sees only the client's packets (input-only state table);
    /// the server closes first, the client's last packet is its FIN, which moves ESTABLISHED to FIN_WAIT.
    /// </summary>
    private const string InputOnlyFinished = "FIN_WAIT";

    /// <summary>State of a finished NAT connection: IPVS sees both directions of the close.</summary>
    private const string NatFinished = "TIME_WAIT";

    /// <summary>Consecutive answers come from alternating servers, half each (rr over two servers).</summary>
    private static void CheckAlternates(List<HttpReply> replies)
    {
        var names = replies.Select(r => r.Server).ToList();
        for (var i = 1; i < names.Count; i++) Check.True(names[i] != names[i - 1], "rr does not alternate: " + string.Join(" ", names));
        Check.Equal(names.Count / 2, names.Count(n => n == "rs1"), "rr answers of rs1 in " + string.Join(" ", names));
    }

    /// <summary>
    /// The director's table has one TCP entry per request (client address and port, the VIP, the real server that
    /// answered), finished connections in <paramref name="finished"/> and the held connection ESTABLISHED.
    /// </summary>
    private static void CheckTable(TrafficLab lab, List<HttpReply> replies, IPEndPoint held, IPEndPoint vip, Dictionary<string, IPEndPoint> real, string finished = InputOnlyFinished)
    {
        // The last close may still be in flight (its final packets cross the director): read again for up to 3 s.
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var table = TrafficLab.Table();
            try
            {
                foreach (var r in replies.Append(null))
                {
                    var clientEp = r?.ClientLocal ?? held;
                    var e = table.Where(c => c.Protocol == IpvsProtocol.Tcp && c.ClientAddress.Equals(clientEp.Address) && c.ClientPort == clientEp.Port).ToList();
                    Check.True(e.Count == 1, $"one entry for client {clientEp} expected:" + TrafficLab.Show(table));
                    Check.Equal(vip, Ep(e[0].VirtualAddress, e[0].VirtualPort), $"virtual address of {clientEp}");
                    Check.True(!e[0].IsTemplate, $"entry of {clientEp} is no template");
                    if (r is not null) Check.Equal(real[r.Server], Ep(e[0].RealServerAddress, e[0].RealServerPort), $"real server of {clientEp}");
                    Check.Equal(r is null ? "ESTABLISHED" : finished, e[0].State, $"state of the {(r is null ? "held" : "finished")} connection {clientEp}");
                }
                lab.Trace("table:" + TrafficLab.Show(table));
                return;
            }
            catch (CheckException) when (sw.Elapsed < TimeSpan.FromSeconds(3))
            {
                System.Threading.Thread.Sleep(200);
            }
        }
    }

    /// <summary>
    /// Test-* on a correct setup passes every check; then each setting is broken (by hand, with ip/sysctl) one at a
    /// time: exactly its check fails with a fix, and Initialize (the fix) repairs it so that everything passes again.
    /// </summary>
    private static void BreakEach(TrafficLab lab, string ns, Func<IReadOnlyList<HostFinding>> test, Action repair, params (string What, string Command, string Check)[] breaks)
    {
        Findings.AllPass(test(), ns + " set up");
        foreach (var (what, command, check) in breaks)
        {
            LabContext.Sh(command);
            Findings.OnlyFailed(test(), [check], $"{ns} with {what}");
            repair();
            Findings.AllPass(test(), $"{ns} repaired after {what}");
            lab.Trace($"{ns}: {what} found and repaired");
        }
    }
}
