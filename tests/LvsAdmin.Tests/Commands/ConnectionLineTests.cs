using System;
using System.Net;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Commands;

// Covers the placeholder reader in Connections/ConnectionApi.cs (replaced at merge together with this file if the
// real implementation's parser differs).
public class ConnectionLineTests
{
    [Fact]
    public void ParsesIpv4Line()
    {
        Assert.True(ConnectionTable.TryParseLine("TCP C0000209 9C40 0A000001 0050 0A000002 0050 ESTABLISHED    895", out var c));
        Assert.Equal(IpvsProtocol.Tcp, c!.Protocol);
        Assert.Equal(IPAddress.Parse("192.0.2.9"), c.ClientAddress);
        Assert.Equal(40000, c.ClientPort);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), c.VirtualAddress);
        Assert.Equal(80, c.VirtualPort);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), c.RealServerAddress);
        Assert.Equal("ESTABLISHED", c.State);
        Assert.Equal(TimeSpan.FromSeconds(895), c.Expires);
        Assert.False(c.IsTemplate);
    }

    [Fact]
    public void ParsesIpv6TemplateWithEngine()
    {
        Assert.True(ConnectionTable.TryParseLine("UDP 2001:0db8:0000:0000:0000:0000:0000:0009 0000 2001:0db8:0000:0000:0000:0000:0000:0001 13C4 2001:0db8:0000:0000:0000:0000:0000:0002 13C4 NONE           120 sip abc", out var c));
        Assert.Equal(IPAddress.Parse("2001:db8::9"), c!.ClientAddress);
        Assert.Equal(5060, c.VirtualPort);
        Assert.True(c.IsTemplate);
        Assert.Equal("sip", c.PersistenceEngine);
        Assert.Equal("abc", c.PersistenceEngineData);
        Assert.False(ConnectionTable.TryParseLine("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData", out _));
    }
}
