using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>Real servers: every forwarding method, weight range, thresholds and tunnel option, written and read back.</summary>
public sealed class RealServerTests
{
    private static void RoundTrip(IpvsClient c, RealServer r, ForwardingMethod? reported = null)
    {
        c.AddRealServer(r);
        Same.RealServer(r, Same.Find(c, r.Service, r.Address, r.Port), r.ToString(), reported);
    }

    [LabTest]
    public void ForwardingMethodsRoundTrip(LabContext ctx)
    {
        var c = ctx.Client;
        var v4 = Same.Svc("tcp/10.10.0.1:80", "rr");
        var v6 = Same.Svc("tcp/[2001:db8::10]:80", "rr");
        c.AddService(v4);
        c.AddService(v6);
        RoundTrip(c, Same.Real(v4.Key, "192.168.10.1", 8080) with { ForwardingMethod = ForwardingMethod.Nat });
        RoundTrip(c, Same.Real(v4.Key, "192.168.10.2", 80) with { ForwardingMethod = ForwardingMethod.DirectRouting });
        RoundTrip(c, Same.Real(v4.Key, "192.168.10.3", 80) with { ForwardingMethod = ForwardingMethod.Tunnel });
        RoundTrip(c, Same.Real(v4.Key, "192.168.10.4", 80));   // default: DirectRouting, weight 1
        RoundTrip(c, Same.Real(v6.Key, "2001:db8:1::1", 8443) with { ForwardingMethod = ForwardingMethod.Nat });
        RoundTrip(c, Same.Real(v6.Key, "2001:db8:1::2", 80) with { ForwardingMethod = ForwardingMethod.DirectRouting });
        RoundTrip(c, Same.Real(v6.Key, "2001:db8:1::3", 80) with { ForwardingMethod = ForwardingMethod.Tunnel });
        Check.Equal(4, c.GetRealServers(v4.Key).Count, "IPv4 real servers");
        Check.Equal(4 + 3, c.EnumerateTable().Sum(t => t.RealServers.Count), "real servers in the table");
    }

    [LabTest]
    public void LocalRealServer(LabContext ctx)
    {
        // Linux 6.1 no longer turns a local address into the Local method (ipvsadm would show "Local" for it on
        // old kernels): what the kernel reports is what was written.
        var c = ctx.Client;
        var s = Same.Svc("tcp/10.11.0.1:80", "rr");
        c.AddService(s);
        var nat = Same.Real(s.Key, "127.0.0.1", 8080) with { ForwardingMethod = ForwardingMethod.Nat };
        c.AddRealServer(nat);
        var dr = Same.Real(s.Key, "127.0.0.2", 80);
        c.AddRealServer(dr);
        var got = c.GetRealServers(s.Key);

        Same.RealServer(nat, got.Single(r => r.Port == 8080), "127.0.0.1:8080 Nat");
        Same.RealServer(dr, got.Single(r => r.Port == 80), "127.0.0.2:80 DirectRouting");
        // Whatever it reports can be written back (Get → change → Update), so a Local report must be settable.
        foreach (var r in got) c.UpdateRealServer(r with { Weight = 9 });
        Check.True(c.GetRealServers(s.Key).All(r => r.Weight == 9), "updated weights");
    }

    [LabTest]
    public void WeightsAndThresholdsRoundTrip(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("udp/10.12.0.1:53", "wlc");
        c.AddService(s);
        RoundTrip(c, Same.Real(s.Key, "192.168.12.1", 53) with { Weight = 0 });
        RoundTrip(c, Same.Real(s.Key, "192.168.12.2", 53) with { Weight = 65535 });
        RoundTrip(c, Same.Real(s.Key, "192.168.12.3", 53) with { Weight = 7, UpperThreshold = 1000, LowerThreshold = 100 });
        RoundTrip(c, Same.Real(s.Key, "192.168.12.4", 53) with { UpperThreshold = 1 });
        // The kernel refuses a lower threshold above the upper one even when the upper is 0: a validation error.
        var lowOnly = Same.Real(s.Key, "192.168.12.5", 53) with { LowerThreshold = 5 };
        Check.Throws<IpvsValidationException>(() => c.AddRealServer(lowOnly), "lower threshold without an upper one");
        RoundTrip(c, lowOnly with { UpperThreshold = 5 });
        RoundTrip(c, Same.Real(s.Key, "192.168.12.6", 53) with { UpperThreshold = (uint)IpvsValidation.MaxThreshold, LowerThreshold = (uint)IpvsValidation.MaxThreshold });
        var f = new VirtualService(ServiceKey.ForFirewallMark(12));
        c.AddService(f);
        // Firewall-mark services: any real server port, including 0.
        RoundTrip(c, Same.Real(f.Key, "192.168.12.7", 0) with { Weight = 3 });
        RoundTrip(c, Same.Real(f.Key, "192.168.12.8", 8080) with { ForwardingMethod = ForwardingMethod.Nat });
    }

    [LabTest]
    public void TunnelTypesRoundTrip(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("tcp/10.13.0.1:80", "rr");
        c.AddService(s);
        var t = Same.Real(s.Key, "192.168.13.1", 80) with { ForwardingMethod = ForwardingMethod.Tunnel };
        RoundTrip(c, t with { TunnelType = TunnelType.Ipip });
        RoundTrip(c, t with { Address = IPAddress.Parse("192.168.13.2"), TunnelType = TunnelType.Gue, TunnelPort = 6080 });
        RoundTrip(c, t with { Address = IPAddress.Parse("192.168.13.3"), TunnelType = TunnelType.Gue, TunnelPort = 1, TunnelChecksum = TunnelChecksum.Checksum });
        RoundTrip(c, t with { Address = IPAddress.Parse("192.168.13.4"), TunnelType = TunnelType.Gue, TunnelPort = 65535, TunnelChecksum = TunnelChecksum.RemoteChecksum });
        RoundTrip(c, t with { Address = IPAddress.Parse("192.168.13.5"), TunnelType = TunnelType.Gre });
        RoundTrip(c, t with { Address = IPAddress.Parse("192.168.13.6"), TunnelType = TunnelType.Gre, TunnelChecksum = TunnelChecksum.Checksum });
        var v6 = Same.Svc("udp/[2001:db8::13]:4500", "rr");
        c.AddService(v6);
        var t6 = Same.Real(v6.Key, "2001:db8:13::1", 4500) with { ForwardingMethod = ForwardingMethod.Tunnel };
        RoundTrip(c, t6 with { TunnelType = TunnelType.Gue, TunnelPort = 5555, TunnelChecksum = TunnelChecksum.Checksum });
        RoundTrip(c, t6 with { Address = IPAddress.Parse("2001:db8:13::2"), TunnelType = TunnelType.Gre, TunnelChecksum = TunnelChecksum.Checksum });
        Check.Equal(6, c.GetRealServers(s.Key).Count, "IPv4 tunnel servers");
    }

    [LabTest]
    public void MixedFamilyTunnel(LabContext ctx)
    {
        var c = ctx.Client;
        var v6 = Same.Svc("tcp/[2001:db8::14]:80", "rr");
        c.AddService(v6);
        var r4 = Same.Real(v6.Key, "192.168.14.1", 80) with { ForwardingMethod = ForwardingMethod.Tunnel };
        RoundTrip(c, r4);
        var got = c.GetRealServers(v6.Key).Single();
        Check.Equal(IpvsAddressFamily.IPv4, got.AddressFamily, "real server family under an IPv6 service");
        Check.Equal(IpvsAddressFamily.IPv6, got.Service.AddressFamily, "service family");
        var v4 = Same.Svc("tcp/10.14.0.1:80", "rr");
        c.AddService(v4);
        RoundTrip(c, Same.Real(v4.Key, "2001:db8:14::1", 80) with { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080 });
        // Update and delete address the mixed-family server correctly.
        c.UpdateRealServer(r4 with { Weight = 50 });
        Check.Equal(50, c.GetRealServers(v6.Key).Single().Weight, "updated weight");
        c.DeleteRealServer(v6.Key, r4.Key);
        Check.Equal(0, c.GetRealServers(v6.Key).Count, "deleted");
    }

    [LabTest]
    public void UpdateRealServerInPlace(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("tcp/10.15.0.1:80", "wrr");
        c.AddService(s);
        var r = Same.Real(s.Key, "192.168.15.1", 80);
        var other = Same.Real(s.Key, "192.168.15.2", 80) with { Weight = 3 };
        c.AddRealServer(r);
        c.AddRealServer(other);
        var changed = r with { Weight = 100, UpperThreshold = 50, LowerThreshold = 10 };
        c.UpdateRealServer(changed);
        Same.RealServer(changed, Same.Find(c, s.Key, r.Address, r.Port), "weight + thresholds");
        var tunnel = changed with { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre, TunnelChecksum = TunnelChecksum.Checksum };
        c.UpdateRealServer(tunnel);
        Same.RealServer(tunnel, Same.Find(c, s.Key, r.Address, r.Port), "to gre tunnel");
        c.UpdateRealServer(r with { Weight = 0 });
        Same.RealServer(r with { Weight = 0 }, Same.Find(c, s.Key, r.Address, r.Port), "quiesced, back to DR");
        Same.RealServer(other, Same.Find(c, s.Key, other.Address, other.Port), "the other server is untouched");
        Check.Equal(s, c.GetService(s.Key), "service untouched");
    }

    [LabTest]
    public void DeleteRealServer(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("tcp/10.16.0.1:80", "rr");
        c.AddService(s);
        for (var i = 1; i <= 5; i++) c.AddRealServer(Same.Real(s.Key, "192.168.16." + i, 80));
        c.DeleteRealServer(s.Key, new RealServerKey(IPAddress.Parse("192.168.16.3"), 80));
        var left = c.GetRealServers(s.Key).Select(r => r.Address.ToString()).OrderBy(a => a).ToList();
        Check.Equal("192.168.16.1,192.168.16.2,192.168.16.4,192.168.16.5", string.Join(",", left), "remaining");
        // Deleting the service takes its real servers with it; re-adding gives an empty service.
        c.DeleteService(s.Key);
        c.AddService(s);
        Check.Equal(0, c.GetRealServers(s.Key).Count, "re-created service is empty");
    }
}
