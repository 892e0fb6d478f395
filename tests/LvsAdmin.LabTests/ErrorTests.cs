using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.LabTests;

/// <summary>Kernel errors arrive as typed exceptions; validation errors are raised before anything is sent.</summary>
public sealed class ErrorTests
{
    [LabTest]
    public void DuplicateService(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("tcp/10.20.0.1:80");
        c.AddService(s);
        var e = Check.Throws<ServiceAlreadyExistsException>(() => c.AddService(s with { Scheduler = "rr" }), "add twice");
        Check.Equal(s.Key, e.Service, "exception service");
        Check.Equal("VirtualServiceExists", e.ErrorId, "error id");
        Check.Equal(IpvsErrorKind.AlreadyExists, e.Kind, "kind");
        Check.Equal(Errno.EEXIST, e.Errno, "errno");
        Check.Equal(s, c.GetService(s.Key), "the original is unchanged");
        var f = new VirtualService(ServiceKey.ForFirewallMark(20));
        c.AddService(f);
        Check.Throws<ServiceAlreadyExistsException>(() => c.AddService(f), "fwmark twice");
    }

    [LabTest]
    public void MissingService(LabContext ctx)
    {
        var c = ctx.Client;
        var key = ServiceKey.Parse("tcp/10.21.0.1:80");
        void Missing(Action a, string what)
        {
            var e = Check.Throws<ServiceNotFoundException>(a, what);
            Check.Equal(key, e.Service, what + ": exception service");
            Check.Equal("VirtualServiceNotFound", e.ErrorId, what + ": error id");
            Check.Equal(IpvsErrorKind.NotFound, e.Kind, what + ": kind");
        }
        Missing(() => c.UpdateService(new VirtualService(key)), "update");
        Missing(() => c.DeleteService(key), "delete");
        Missing(() => c.AddRealServer(Same.Real(key, "192.168.21.1", 80)), "add real server");
        Missing(() => c.UpdateRealServer(Same.Real(key, "192.168.21.1", 80)), "update real server");
        Missing(() => c.DeleteRealServer(key, new RealServerKey(IPAddress.Parse("192.168.21.1"), 80)), "delete real server");
        Missing(() => c.GetRealServers(key), "list real servers");
        Missing(() => c.Zero(key), "zero");
        Check.True(c.GetService(key) is null, "GetService of a missing service is null");
        // Same address, other protocol or port: still missing.
        c.AddService(Same.Svc("udp/10.21.0.1:80"));
        Missing(() => c.DeleteService(key), "delete tcp when only udp exists");
        var fw = ServiceKey.ForFirewallMark(21, IpvsAddressFamily.IPv6);
        c.AddService(new VirtualService(ServiceKey.ForFirewallMark(21)));
        Check.Throws<ServiceNotFoundException>(() => c.DeleteService(fw), "fwm/21/ipv6 when only fwm/21 (IPv4) exists");
    }

    [LabTest]
    public void DuplicateAndMissingRealServer(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("tcp/10.22.0.1:80");
        c.AddService(s);
        var r = Same.Real(s.Key, "192.168.22.1", 80);
        c.AddRealServer(r);
        var dup = Check.Throws<RealServerAlreadyExistsException>(() => c.AddRealServer(r with { Weight = 5 }), "add twice");
        Check.Equal(s.Key, dup.Service, "dup: service");
        Check.Equal(r.Key, dup.Server, "dup: server");
        Check.Equal("RealServerExists", dup.ErrorId, "dup: error id");
        Same.RealServer(r, Same.Find(c, s.Key, r.Address, r.Port), "unchanged after duplicate");
        var other = new RealServerKey(IPAddress.Parse("192.168.22.2"), 80);
        var upd = Check.Throws<RealServerNotFoundException>(() => c.UpdateRealServer(Same.Real(s.Key, "192.168.22.2", 80)), "update missing");
        Check.Equal(other, upd.Server, "update missing: server");
        Check.Equal("RealServerNotFound", upd.ErrorId, "error id");
        var del = Check.Throws<RealServerNotFoundException>(() => c.DeleteRealServer(s.Key, other), "delete missing");
        Check.Equal(s.Key, del.Service, "delete missing: service");
        // Same address, other port: a different real server (for Nat).
        Check.Throws<RealServerNotFoundException>(() => c.DeleteRealServer(s.Key, new RealServerKey(r.Address, 81)), "delete other port");
        Check.Equal(1, c.GetRealServers(s.Key).Count, "one real server");
    }

    [LabTest]
    public void UnknownScheduler(LabContext ctx)
    {
        var c = ctx.Client;
        var e = Check.Throws<SchedulerNotFoundException>(() => c.AddService(Same.Svc("tcp/10.23.0.1:80", "nosuch")), "scheduler nosuch");
        Check.Equal("nosuch", e.Scheduler, "exception scheduler");
        Check.Equal(IpvsErrorKind.NotInstalled, e.Kind, "kind");
        Check.True(e.Message.Contains("ip_vs_nosuch"), "message names the module: " + e.Message);
        Check.Equal(0, c.GetServices().Count, "nothing added");
    }

    [LabTest]
    public void UnknownPersistenceEngine(LabContext ctx)
    {
        var c = ctx.Client;
        var e = Check.Throws<PersistenceEngineNotFoundException>(
            () => c.AddService(Same.Svc("udp/10.23.0.2:5060", "rr") with { Persistent = true, PersistenceTimeout = 60, PersistenceEngine = "nosuchpe" }),
            "persistence engine nosuchpe");
        Check.Equal("nosuchpe", e.Engine, "exception engine");
        Check.Equal(0, c.GetServices().Count, "nothing added");
    }

    [LabTest]
    public void ValidationErrorsLeaveTheTableUnchanged(LabContext ctx)
    {
        var c = ctx.Client;
        var s = Same.Svc("tcp/10.24.0.1:80", "rr");
        c.AddService(s);
        c.AddRealServer(Same.Real(s.Key, "192.168.24.1", 80) with { Weight = 4 });
        var before = Same.Table(c);
        var sent = c.Socket.DatagramsReceived;
        var cases = new List<(string What, Action Act, string Parameter)>
        {
            ("port 0 without persistence", () => c.AddService(Same.Svc("tcp/10.24.0.2:0")), "Port"),
            ("scheduler with upper case", () => c.AddService(Same.Svc("tcp/10.24.0.2:80", "RR")), "Scheduler"),
            ("empty scheduler", () => c.UpdateService(s with { Scheduler = "" }), "Scheduler"),
            ("persistence timeout 0", () => c.UpdateService(s with { Persistent = true, PersistenceTimeout = 0 }), "PersistenceTimeout"),
            ("bad IPv4 netmask", () => c.UpdateService(s with { Persistent = true, PersistenceTimeout = 5, PersistenceNetmask = "64" }), "PersistenceNetmask"),
            ("one-packet on TCP", () => c.UpdateService(s with { OnePacket = true }), "OnePacket"),
            ("weight 65536", () => c.AddRealServer(Same.Real(s.Key, "192.168.24.2", 80) with { Weight = 65536 }), "Weight"),
            ("negative weight", () => c.UpdateRealServer(Same.Real(s.Key, "192.168.24.1", 80) with { Weight = -1 }), "Weight"),
            ("lower above upper", () => c.AddRealServer(Same.Real(s.Key, "192.168.24.2", 80) with { UpperThreshold = 5, LowerThreshold = 6 }), "LowerThreshold"),
            ("IPv6 real server under IPv4 service (DR)", () => c.AddRealServer(Same.Real(s.Key, "2001:db8::24", 80)), "Address"),
            ("DR with another port", () => c.AddRealServer(Same.Real(s.Key, "192.168.24.2", 81)), "Port"),
            ("multicast real server", () => c.AddRealServer(Same.Real(s.Key, "224.0.0.1", 80)), "Address"),
            ("Local set explicitly", () => c.AddRealServer(Same.Real(s.Key, "192.168.24.2", 80) with { ForwardingMethod = ForwardingMethod.Local }), "ForwardingMethod"),
            ("tunnel options without tunnel", () => c.AddRealServer(Same.Real(s.Key, "192.168.24.2", 80) with { TunnelType = TunnelType.Gre }), "TunnelType"),
            ("gue without port", () => c.AddRealServer(Same.Real(s.Key, "192.168.24.2", 80) with { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue }), "TunnelPort"),
            ("gre with remote checksum", () => c.AddRealServer(Same.Real(s.Key, "192.168.24.2", 80) with { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre, TunnelChecksum = TunnelChecksum.RemoteChecksum }), "TunnelChecksum"),
        };
        foreach (var (what, act, parameter) in cases)
        {
            var e = Check.Throws<IpvsValidationException>(act, what);
            Check.Equal(parameter, e.Parameter, what + ": parameter");
            Check.Equal(0, e.Errno, what + ": no errno (nothing sent)");
        }
        Check.Equal(sent, c.Socket.DatagramsReceived, "no datagram was exchanged with the kernel");
        Check.SameText(before, Same.Table(c), "table after the validation errors");
        // A batch with one bad operation is rejected as a whole, before anything is sent.
        var ops = new List<IpvsOperation>
        {
            new AddServiceOperation(Same.Svc("tcp/10.24.0.3:80")),
            new AddRealServerOperation(Same.Real(s.Key, "192.168.24.9", 80) with { Weight = 70000 }),
        };
        Check.Throws<IpvsValidationException>(() => c.Apply(ops), "batch with a bad operation");
        Check.SameText(before, Same.Table(c), "table after the rejected batch");
    }

    [LabTest]
    public void ResolvingAMissingFamilyGivesNull(LabContext ctx)
    {
        using var socket = NetlinkSocket.Open(LibC.NETLINK_GENERIC);
        Check.Equal((ushort?)null, GenericNetlink.ResolveFamily(socket, "NOSUCHFAMILY"), "unknown family");
        var ipvs = GenericNetlink.ResolveFamily(socket, "IPVS");
        Check.True(ipvs is > GenericNetlink.GENL_ID_CTRL, "IPVS resolves to a dynamic id: " + ipvs);
        // The same socket still works after the ENOENT answer.
        Check.Equal(ipvs, GenericNetlink.ResolveFamily(socket, "IPVS"), "resolve again");
    }

    private static string LabDll => typeof(ErrorTests).Assembly.Location;

    /// <summary>The lines the child prints: "op=ExceptionType".</summary>
    private static Dictionary<string, string> RunChild(string wrapper)
    {
        var (code, o, e) = LabContext.Run("/bin/sh", $"-c \"{wrapper} dotnet {LabDll} child-eperm\"", timeoutSeconds: 300);
        Check.Equal(0, code, $"child exit code (stderr: {e.Trim()}; stdout: {o.Trim()})");
        return o.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
    }

    private static void CheckDenied(Dictionary<string, string> r, string who)
    {
        foreach (var op in new[] { "open", "add", "list", "info", "flush" })
            Check.True(r.ContainsKey(op), $"{who}: child reported {op}: {string.Join(", ", r.Select(kv => kv.Key + "=" + kv.Value))}");
        Check.Equal("ok", r["open"], who + ": opening (family resolution needs no privilege)");
        Check.Equal(nameof(IpvsPermissionDeniedException), r["add"], who + ": AddService");
        Check.Equal(nameof(IpvsPermissionDeniedException), r["list"], who + ": GetServices");
        Check.Equal(nameof(IpvsPermissionDeniedException), r["info"], who + ": GetInfo");
        Check.Equal(nameof(IpvsPermissionDeniedException), r["flush"], who + ": Flush");
    }

    [LabTest]
    public void PermissionDeniedWithoutCapNetAdmin(LabContext ctx)
    {
        var canary = Same.Svc("tcp/10.25.0.1:80");
        ctx.Client.AddService(canary);
        // Still root, but CAP_NET_ADMIN gone from the bounding set: exec cannot get it back.
        var r = RunChild("setpriv --bounding-set -net_admin --inh-caps -net_admin");
        CheckDenied(r, "root without CAP_NET_ADMIN");
        Check.Equal(canary, ctx.Client.GetServices().Single(), "the table is untouched (the child's flush was refused)");
    }

    [LabTest]
    public void PermissionDeniedAsNobody(LabContext ctx)
    {
        var r = RunChild("HOME=/tmp DOTNET_CLI_HOME=/tmp setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all");
        CheckDenied(r, "nobody");
    }

    /// <summary>The child side of the permission tests: tries each call and prints which exception it got.</summary>
    public static int ChildEperm()
    {
        IpvsClient client;
        try
        {
            client = IpvsClient.Open();
            Console.WriteLine("open=ok");
        }
        catch (Exception e)
        {
            Console.WriteLine("open=" + e.GetType().Name + ": " + e.Message);
            return 0;
        }
        void Try(string name, Action a)
        {
            try
            {
                a();
                Console.WriteLine(name + "=ok");
            }
            catch (Exception e)
            {
                Console.WriteLine(name + "=" + e.GetType().Name);
                Console.Error.WriteLine(name + ": " + e.Message);
            }
        }
        Try("add", () => client.AddService(Same.Svc("tcp/10.25.0.2:80")));
        Try("list", () => client.GetServices());
        Try("info", () => client.GetInfo());
        Try("flush", () => client.Flush());
        client.Dispose();
        return 0;
    }
}
