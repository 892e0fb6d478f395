using System.Linq;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>Each network namespace has its own IPVS table; IpvsClient.Open(path) works inside one.</summary>
public sealed class NamespaceTests
{
    [LabTest]
    public void TablesAreSeparatePerNamespace(LabContext ctx)
    {
        // Without lo up a fresh namespace has no local routing table, and the kernel refuses IPv4 real servers
        // with EINVAL (inet_addr_type gives RTN_BROADCAST); that case is checked below.
        LabContext.Sh("ip netns add labns");
        try
        {
            using var ns = IpvsClient.Open("/run/netns/labns");
            Check.Equal("/run/netns/labns", ns.Socket.NetworkNamespace, "socket namespace");
            Check.Equal(new System.Version(1, 2, 1), ns.GetInfo().Version, "IPVS in the namespace");
            Check.Equal(0, ns.GetServices().Count, "new namespace starts empty");

            var inner = Same.Svc("tcp/10.30.0.1:80", "rr");
            ns.AddService(inner);
            var bare = Check.Throws<IpvsKernelException>(() => ns.AddRealServer(Same.Real(inner.Key, "192.168.30.1", 80)), "real server in a namespace whose lo is down");
            Check.Equal(LvsAdmin.Netlink.Errno.EINVAL, bare.Errno, "errno");
            LabContext.Sh("ip -n labns link set lo up");
            ns.AddRealServer(Same.Real(inner.Key, "192.168.30.1", 80) with { Weight = 5 });
            Check.Equal(0, ctx.Client.GetServices().Count, "root table stays empty");
            Check.True(ctx.Client.GetService(inner.Key) is null, "root cannot see the namespace's service");

            var outer = Same.Svc("udp/10.30.0.2:53", "wrr");
            ctx.Client.AddService(outer);
            Check.Equal(inner, ns.GetServices().Single(), "namespace sees only its own service");
            Check.Equal(outer, ctx.Client.GetServices().Single(), "root sees only its own service");
            // The same key may exist in both, with different settings.
            ctx.Client.AddService(inner with { Scheduler = "lc" });
            Check.Equal("rr", ns.GetService(inner.Key)!.Scheduler, "namespace copy keeps rr");
            Check.Equal("lc", ctx.Client.GetService(inner.Key)!.Scheduler, "root copy is lc");

            // EnumerateTable opens its second socket in the same namespace.
            var table = ns.EnumerateTable().ToList();
            Check.Equal(1, table.Count, "namespace table services");
            Check.Equal(5, table[0].RealServers.Single().Weight, "namespace real server via EnumerateTable");
            Check.Equal(0, ctx.Client.GetRealServers(inner.Key).Count, "root's copy has no real servers");

            // Flushing one leaves the other alone.
            ns.Flush();
            Check.Equal(0, ns.GetServices().Count, "namespace flushed");
            Check.Equal(2, ctx.Client.GetServices().Count, "root untouched by the namespace flush");

            // Timeouts are per namespace as well.
            var rootTimeouts = ctx.Client.GetTimeouts();
            ns.SetTimeouts(new IpvsTimeouts(0, 0, rootTimeouts.Udp + 11));
            Check.Equal(rootTimeouts.Udp + 11, ns.GetTimeouts().Udp, "namespace udp timeout");
            Check.Equal(rootTimeouts, ctx.Client.GetTimeouts(), "root timeouts untouched");
        }
        finally
        {
            LabContext.Run("ip", "netns del labns");
        }
    }

    [LabTest]
    public void MissingNamespaceIsAValidationError(LabContext ctx)
    {
        var e = Check.Throws<IpvsValidationException>(() => IpvsClient.Open("/run/netns/nosuchns"), "missing namespace");
        Check.Equal("NetworkNamespace", e.Parameter, "parameter");
    }

    [LabTest]
    public void NamespaceByProcessPath(LabContext ctx)
    {
        // /proc/self/ns/net is the root namespace here: the same table as the harness's client.
        using var self = IpvsClient.Open("/proc/self/ns/net");
        var s = Same.Svc("tcp/10.31.0.1:80");
        self.AddService(s);
        Check.Equal(s, ctx.Client.GetServices().Single(), "same table through /proc/self/ns/net");
    }
}
