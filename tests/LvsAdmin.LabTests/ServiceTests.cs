using System;
using System.Linq;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>Virtual services: every attribute written, read back (list and single get) and compared field by field.</summary>
public sealed class ServiceTests
{
    /// <summary>The schedulers Linux 6.1 ships (twos came in 6.2 and has its own test).</summary>
    public static readonly string[] Schedulers = { "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh" };

    private static void RoundTrip(IpvsClient c, VirtualService s)
    {
        c.AddService(s);
        Same.Service(s, c.GetService(s.Key), s.Service + " (get)");
        var listed = c.GetServices().SingleOrDefault(x => x.Key.Equals(s.Key));
        Same.Service(s, listed, s.Service + " (list)");
    }

    [LabTest]
    public void ProtocolsAndFamiliesRoundTrip(LabContext ctx)
    {
        var c = ctx.Client;
        string[] keys =
        {
            "tcp/10.0.0.1:80", "udp/10.0.0.1:53", "sctp/10.0.0.1:5060",
            "tcp/[2001:db8::1]:443", "udp/[2001:db8::1]:53", "sctp/[2001:db8::1]:5060",
            "tcp/10.0.0.2:65535", "udp/[fd00::abcd]:1",
        };
        foreach (var k in keys) RoundTrip(c, Same.Svc(k, "rr"));
        Check.Equal(keys.Length, c.GetServices().Count, "service count");
        // The text form round-trips as well (what scripts pass back in).
        foreach (var s in c.GetServices()) Check.Equal(s.Key, ServiceKey.Parse(s.Service), "ServiceKey.Parse(" + s.Service + ")");
    }

    [LabTest]
    public void FirewallMarkServicesRoundTrip(LabContext ctx)
    {
        var c = ctx.Client;
        RoundTrip(c, new VirtualService(ServiceKey.ForFirewallMark(100)) { Scheduler = "wrr" });
        RoundTrip(c, new VirtualService(ServiceKey.ForFirewallMark(100, IpvsAddressFamily.IPv6)) { Scheduler = "wrr" });
        RoundTrip(c, new VirtualService(ServiceKey.ForFirewallMark(uint.MaxValue)) { Scheduler = "lc" });
        RoundTrip(c, new VirtualService(ServiceKey.Parse("fwm/0x2a/ipv6")) { Scheduler = "sh", Persistent = true, PersistenceTimeout = 60, PersistenceNetmask = "48" });
        // fwm 100 IPv4 and IPv6 are two distinct services.
        Check.Equal(4, c.GetServices().Count, "service count");
        Check.Equal(IpvsAddressFamily.IPv6, c.GetService(ServiceKey.Parse("fwm/100/ipv6"))!.AddressFamily, "fwm/100/ipv6 family");
    }

    [LabTest]
    public void EverySchedulerRoundTrips(LabContext ctx)
    {
        var c = ctx.Client;
        var port = (ushort)1000;
        foreach (var sched in Schedulers)
        {
            RoundTrip(c, Same.Svc($"tcp/10.1.0.1:{port}", sched));
            RoundTrip(c, Same.Svc($"udp/[2001:db8::5]:{port}", sched));
            port++;
        }
        var listed = c.GetServices().Select(s => s.Scheduler).Distinct().OrderBy(s => s, StringComparer.Ordinal);
        Check.Equal(string.Join(",", Schedulers.OrderBy(s => s, StringComparer.Ordinal)), string.Join(",", listed), "schedulers listed");
    }

    [LabTest]
    public void TwosScheduler(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("tcp/10.1.0.2:80", "twos");
        try
        {
            c.AddService(s);
        }
        catch (SchedulerNotFoundException e)
        {
            Check.Equal("twos", e.Scheduler, "exception scheduler");
            Check.Equal("SchedulerNotAvailable", e.ErrorId, "error id");
            Check.True(e.Message.Contains("6.2"), "the message says twos needs Linux 6.2: " + e.Message);
            Check.Equal(0, c.GetServices().Count, "nothing added");
            var release = LabContext.RunOk("uname", "-r").Trim();
            var parts = release.Split('.', '-');
            var tooOld = int.Parse(parts[0]) < 6 || (int.Parse(parts[0]) == 6 && int.Parse(parts[1]) < 2);
            Check.True(tooOld, $"kernel {release} is 6.2+ but rejected twos");
            LabContext.Skip($"twos needs Linux 6.2+; this kernel is {release}");
        }
        Same.Service(s, c.GetService(s.Key), "twos service");
    }

    [LabTest]
    public void SchedulerFlagsRoundTrip(LabContext ctx)
    {
        var c = ctx.Client;
        RoundTrip(c, Same.Svc("tcp/10.2.0.1:80", "sh") with { SchedulerFlags = SchedulerFlags.Flag1 });
        RoundTrip(c, Same.Svc("tcp/10.2.0.1:81", "sh") with { SchedulerFlags = SchedulerFlags.Flag2 });
        RoundTrip(c, Same.Svc("tcp/10.2.0.1:82", "sh") with { SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2 });
        RoundTrip(c, Same.Svc("tcp/10.2.0.1:83", "mh") with { SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2 });
        RoundTrip(c, Same.Svc("udp/[2001:db8::2]:83", "mh") with { SchedulerFlags = SchedulerFlags.Flag2 });
        RoundTrip(c, Same.Svc("tcp/10.2.0.1:84", "rr") with { SchedulerFlags = SchedulerFlags.Flag3 });
        RoundTrip(c, Same.Svc("tcp/10.2.0.1:85", "sh") with { SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2 | SchedulerFlags.Flag3 });
    }

    [LabTest]
    public void PersistenceRoundTrips(LabContext ctx)
    {
        var c = ctx.Client;
        RoundTrip(c, Same.Svc("tcp/10.3.0.1:80") with { Persistent = true, PersistenceTimeout = 300 });
        RoundTrip(c, Same.Svc("tcp/10.3.0.1:443") with { Persistent = true, PersistenceTimeout = 3600, PersistenceNetmask = "255.255.255.0" });
        RoundTrip(c, Same.Svc("udp/10.3.0.1:53") with { Persistent = true, PersistenceTimeout = 1, PersistenceNetmask = "255.255.0.0" });
        RoundTrip(c, Same.Svc("tcp/10.3.0.1:8080") with { Persistent = true, PersistenceTimeout = IpvsValidation.MaxTimeout });
        RoundTrip(c, Same.Svc("tcp/[2001:db8::3]:80") with { Persistent = true, PersistenceTimeout = 600, PersistenceNetmask = "64" });
        RoundTrip(c, Same.Svc("tcp/[2001:db8::3]:81") with { Persistent = true, PersistenceTimeout = 600, PersistenceNetmask = "128" });
        RoundTrip(c, Same.Svc("tcp/[2001:db8::3]:82") with { Persistent = true, PersistenceTimeout = 600, PersistenceNetmask = "1" });
        // Port 0 = all ports, allowed only with persistence.
        RoundTrip(c, Same.Svc("tcp/10.3.0.2:0") with { Persistent = true, PersistenceTimeout = 120 });
        // A /24 written as a prefix reads back as the dotted mask.
        var prefixed = Same.Svc("tcp/10.3.0.3:80") with { Persistent = true, PersistenceTimeout = 60, PersistenceNetmask = "/24" };
        c.AddService(prefixed);
        Same.Service(prefixed with { PersistenceNetmask = "255.255.255.0" }, c.GetService(prefixed.Key), "netmask /24");
        Check.Equal("255.255.255.0", IpvsValidation.NormalizeNetmask(IpvsAddressFamily.IPv4, "/24"), "NormalizeNetmask");
        // Not persistent: timeout 0 and host netmask read back as written.
        RoundTrip(c, Same.Svc("tcp/10.3.0.4:80"));
    }

    [LabTest]
    public void PersistenceEngineSip(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("udp/10.4.0.1:5060", "rr") with { Persistent = true, PersistenceTimeout = 900, PersistenceEngine = "sip" };
        try
        {
            c.AddService(s);
        }
        catch (PersistenceEngineNotFoundException)
        {
            var (code, _, err) = LabContext.Run("modprobe", "ip_vs_pe_sip");
            if (code != 0) LabContext.Skip("persistence engine sip is not available: modprobe ip_vs_pe_sip: " + err.Trim());
            c.AddService(s);
        }
        Same.Service(s, c.GetService(s.Key), "sip service (get)");
        Same.Service(s, c.GetServices().Single(), "sip service (list)");
        // Removing the engine with an update.
        var plain = s with { PersistenceEngine = null };
        c.UpdateService(plain);
        Same.Service(plain, c.GetService(s.Key), "sip removed");
    }

    [LabTest]
    public void OnePacketRoundTrips(LabContext ctx)
    {
        var c = ctx.Client;
        RoundTrip(c, Same.Svc("udp/10.5.0.1:53", "rr") with { OnePacket = true });
        RoundTrip(c, Same.Svc("udp/[2001:db8::5]:53", "rr") with { OnePacket = true, Persistent = true, PersistenceTimeout = 30 });
        RoundTrip(c, new VirtualService(ServiceKey.ForFirewallMark(5)) { OnePacket = true });
    }

    [LabTest]
    public void UpdateServiceKeepsRealServers(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("tcp/10.6.0.1:80", "rr");
        c.AddService(s);
        var reals = Enumerable.Range(1, 3).Select(i => Same.Real(s.Key, "192.168.6." + i, 8080) with { ForwardingMethod = ForwardingMethod.Nat, Weight = i }).ToList();
        foreach (var r in reals) c.AddRealServer(r);
        var updated = s with { Scheduler = "sh", SchedulerFlags = SchedulerFlags.Flag1, Persistent = true, PersistenceTimeout = 77, PersistenceNetmask = "255.255.255.128" };
        c.UpdateService(updated);
        Same.Service(updated, c.GetService(s.Key), "after update");
        var after = c.GetRealServers(s.Key).OrderBy(r => r.Weight).ToList();
        Check.Equal(3, after.Count, "real servers kept");
        for (var i = 0; i < 3; i++) Same.RealServer(reals[i], after[i], "real server " + i);
        // And back to non-persistent.
        c.UpdateService(s);
        Same.Service(s, c.GetService(s.Key), "after second update");
        Check.Equal(3, c.GetRealServers(s.Key).Count, "real servers kept again");
        // A failed update (unknown scheduler) changes nothing.
        Check.Throws<SchedulerNotFoundException>(() => c.UpdateService(s with { Scheduler = "nosuch" }), "update to scheduler nosuch");
        Same.Service(s, c.GetService(s.Key), "after failed update");
    }

    [LabTest]
    public void DeleteService(LabContext ctx)
    {
        var c = ctx.Client;
        var a = Same.Svc("tcp/10.7.0.1:80");
        var b = Same.Svc("tcp/[2001:db8::7]:80");
        var f = new VirtualService(ServiceKey.ForFirewallMark(7));
        c.AddService(a);
        c.AddService(b);
        c.AddService(f);
        c.AddRealServer(Same.Real(a.Key, "192.168.7.1", 80));
        c.DeleteService(a.Key);
        Check.True(c.GetService(a.Key) is null, "deleted service is gone (GetService null)");
        Check.Throws<ServiceNotFoundException>(() => c.GetRealServers(a.Key), "real servers of a deleted service");
        c.DeleteService(f.Key);
        Check.Equal(b, c.GetServices().Single(), "the remaining service");
        c.DeleteService(b.Key);
        Check.Equal(0, c.GetServices().Count, "empty");
    }

    [LabTest]
    public void FlushRemovesEverything(LabContext ctx)
    {
        var c = ctx.Client;
        for (var i = 1; i <= 20; i++)
        {
            var s = Same.Svc($"tcp/10.8.0.{i}:80");
            c.AddService(s);
            c.AddRealServer(Same.Real(s.Key, $"192.168.8.{i}", 80));
        }
        c.AddService(new VirtualService(ServiceKey.ForFirewallMark(8, IpvsAddressFamily.IPv6)));
        Check.Equal(21, c.GetServices().Count, "before flush");
        c.Flush();
        Check.Equal(0, c.GetServices().Count, "after flush");
        Check.Equal(0, c.EnumerateTable().Count(), "table after flush");
        c.Flush();
        Check.Equal(0, c.GetServices().Count, "flushing an empty table is fine");
    }
}
