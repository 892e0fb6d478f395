using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Connections;

/// <summary>
/// Tables captured verbatim in the kernel lab (Debian 6.1.0-56-amd64) by tests/lab/scenarios/connections.sh:
/// NAT services over IPv4 and IPv6, a mixed-family tunnel service, UDP, a persistent TCP service and a persistent
/// fwmark (7) service.
/// </summary>
public class CapturedTablesTests
{
    private const string CapturedPlain =
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n" +
        "TCP 0A470102 0000 0A470064 01BB 0A470202 01BB ASSURED         113\n" +
        "TCP 0A470102 B168 0A470064 01BB 0A470202 01BB ESTABLISHED     893\n" +
        "UDP 0A470102 CB76 0A470064 0035 0A470202 14E9 UDP             291\n" +
        "TCP fd71:0001:0000:0000:0000:0000:0000:0002 E8C0 fd71:0000:0000:0000:0000:0000:0000:0100 0050 fd71:0002:0000:0000:0000:0000:0000:0002 1F90 CLOSE             1\n" +
        "TCP 0A470102 E9AE 0A470064 0050 0A470202 1F90 CLOSE             1\n" +
        "TCP fd71:0001:0000:0000:0000:0000:0000:0002 DC0A fd71:0000:0000:0000:0000:0000:0000:0100 0051 0A470202 0051 SYN_RECV         53\n" +
        "IP  0A470102 0000 00000007 0000 0A470202 0000 NONE            113\n" +
        "TCP 0A470102 C96E 0A470065 1F40 0A470202 1F40 CLOSE             3\n";

    private const string CapturedSync =
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires\n" +
        "TCP 0A470102 0000 0A470064 01BB 0A470202 01BB ASSURED     LOCAL      111\n" +
        "TCP 0A470102 B168 0A470064 01BB 0A470202 01BB ESTABLISHED LOCAL      891\n" +
        "UDP 0A470102 CB76 0A470064 0035 0A470202 14E9 UDP         LOCAL      290\n" +
        "TCP fd71:0001:0000:0000:0000:0000:0000:0002 E8C0 fd71:0000:0000:0000:0000:0000:0000:0100 0050 fd71:0002:0000:0000:0000:0000:0000:0002 1F90 CLOSE       LOCAL        0\n" +
        "TCP 0A470102 E9AE 0A470064 0050 0A470202 1F90 CLOSE       LOCAL        0\n" +
        "TCP fd71:0001:0000:0000:0000:0000:0000:0002 DC0A fd71:0000:0000:0000:0000:0000:0000:0100 0051 0A470202 0051 SYN_RECV    LOCAL       51\n" +
        "IP  0A470102 0000 00000007 0000 0A470202 0000 NONE        LOCAL      112\n" +
        "TCP 0A470102 C96E 0A470065 1F40 0A470202 1F40 CLOSE       LOCAL        2\n";

    /// <summary>What ipvsadm 1.31 -Lnc printed for the same entries (protocol, state, source, virtual, destination).</summary>
    private static readonly string[] IpvsadmView =
    {
        "TCP ASSURED 10.71.1.2:0 10.71.0.100:443 10.71.2.2:443",
        "TCP ESTABLISHED 10.71.1.2:45416 10.71.0.100:443 10.71.2.2:443",
        "UDP UDP 10.71.1.2:52086 10.71.0.100:53 10.71.2.2:5353",
        "TCP CLOSE [fd71:1::2]:59584 [fd71::100]:80 [fd71:2::2]:8080",
        "TCP CLOSE 10.71.1.2:59822 10.71.0.100:80 10.71.2.2:8080",
        "TCP SYN_RECV [fd71:1::2]:56330 [fd71::100]:81 10.71.2.2:81",
        "IP NONE 10.71.1.2:0 0.0.0.7:0 10.71.2.2:0",
        "TCP CLOSE 10.71.1.2:51566 10.71.0.101:8000 10.71.2.2:8000",
    };

    private static string View(IpvsConnection c) =>
        $"{IpvsConnection.ProtocolName(c.Protocol)} {c.State} {Endpoint.Format(c.ClientAddress, c.ClientPort)} " +
        $"{Endpoint.Format(c.VirtualAddress, c.VirtualPort)} {Endpoint.Format(c.RealServerAddress, c.RealServerPort)}";

    [Theory]
    [InlineData(CapturedPlain)]
    [InlineData(CapturedSync)]
    public void CapturedTableMatchesIpvsadm(string table)
    {
        var errors = new List<ConnectionParseError>();
        var list = ConnectionTable.Parse(new StringReader(table), errors.Add).ToList();
        Assert.Empty(errors);
        Assert.Equal(IpvsadmView, list.Select(View));
        Assert.Equal(new[] { true, false, false, false, false, false, true, false }, list.Select(c => c.IsTemplate));
        Assert.Equal(7u, list[6].FirewallMark);
        Assert.All(list.Where((_, i) => i != 6), c => Assert.Null(c.FirewallMark));
    }

    [Fact]
    public void CapturedSyncTableHasOriginAndExpiry()
    {
        var list = ConnectionTable.Parse(new StringReader(CapturedSync)).ToList();
        Assert.All(list, c => Assert.Equal(ConnectionOrigin.Local, c.Origin));
        Assert.Equal(new uint[] { 111, 891, 290, 0, 0, 51, 112, 2 }, list.Select(c => (uint)c.Expires.TotalSeconds));
    }

    [Fact]
    public void CapturedSipRows()
    {
        // Captured with the service udp/10.71.0.100:5060 -p 120 --pe sip and one OPTIONS datagram; ipvsadm 1.31
        // --persistent-conn showed "UDP 01:53 NONE 10.71.1.2:0 10.71.0.100:5060 10.71.2.2:5060 sip lab-call-4711@10.71.1.2".
        const string plain =
            "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n" +
            "UDP 0A470102 E565 0A470064 13C4 0A470202 13C4 UDP             292\n" +
            "UDP 0A470102 0000 0A470064 13C4 0A470202 13C4 NONE            112 sip lab-call-4711@10.71.1.2\n";
        const string sync =
            "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires\n" +
            "UDP 0A470102 E565 0A470064 13C4 0A470202 13C4 UDP         LOCAL      291\n" +
            "UDP 0A470102 0000 0A470064 13C4 0A470202 13C4 NONE        LOCAL      111\n";
        var errors = new List<ConnectionParseError>();
        var p = ConnectionTable.Parse(new StringReader(plain), errors.Add).ToList();
        var s = ConnectionTable.Parse(new StringReader(sync), errors.Add).ToList();
        Assert.Empty(errors);
        Assert.Equal(new[] { false, true }, p.Select(c => c.IsTemplate));
        Assert.Equal(new[] { false, true }, s.Select(c => c.IsTemplate));
        Assert.Null(p[0].PersistenceEngine);
        Assert.Equal("sip", p[1].PersistenceEngine);
        Assert.Equal("lab-call-4711@10.71.1.2", p[1].PersistenceEngineData);
        Assert.Equal(5060, p[1].VirtualPort);
        Assert.Equal(TimeSpan.FromSeconds(112), p[1].Expires);
        Assert.All(s, c => Assert.Null(c.PersistenceEngine)); // the sync file has no PE columns
        Assert.Equal(ConnectionOrigin.Local, s[1].Origin);
    }

    [Fact]
    public void FiltersOnTheCapturedTable()
    {
        var list = ConnectionTable.Parse(new StringReader(CapturedPlain)).ToList();
        Assert.Equal(2, list.Count(new ConnectionFilter(ServiceKey.Parse("tcp/10.71.0.100:443")).Matches));
        Assert.Single(list, new ConnectionFilter(ServiceKey.Parse("tcp/[fd71::100]:81")).Matches);
        Assert.Equal(3, list.Count(new ConnectionFilter(State: "close").Matches));
        Assert.Equal(2, list.Count(new ConnectionFilter(ClientAddress: IPAddress.Parse("fd71:1::2")).Matches));
        Assert.Equal(7, list.Count(new ConnectionFilter(RealServerAddress: IPAddress.Parse("10.71.2.2")).Matches));
        Assert.Single(list, new ConnectionFilter(RealServerAddress: IPAddress.Parse("fd71:2::2")).Matches);
        // Port 443: the connection, its port template, and the fwmark template (real server port 0 = any port).
        Assert.Equal(new[] { 0, 1, 6 }, Enumerable.Range(0, list.Count).Where(i => new ConnectionFilter(RealServerPort: 443).Matches(list[i])));
    }
}
