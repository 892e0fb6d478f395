using System.Collections.Generic;
using System.Linq;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>IpvsClient.Apply: many operations per datagram, one result per operation.</summary>
public sealed class BatchTests
{
    /// <summary>50 services × 9 real servers = 500 operations, with one failing operation at <paramref name="failAt"/>.</summary>
    private static List<IpvsOperation> Build(int failAt, out IpvsOperation failing)
    {
        var ops = new List<IpvsOperation>();
        for (var i = 0; i < 50; i++)
        {
            var s = Same.Svc($"tcp/10.40.{i / 250}.{i % 250 + 1}:80", "wrr");
            ops.Add(new AddServiceOperation(s));
            for (var j = 1; j <= 9; j++) ops.Add(new AddRealServerOperation(Same.Real(s.Key, $"192.168.{i}.{j}", 80) with { Weight = j }));
        }
        // Replace one real server add in the middle by a duplicate of the one before it.
        if (ops[failAt] is not AddRealServerOperation || ops[failAt - 1] is not AddRealServerOperation prev)
            throw new CheckException($"operation {failAt} must be a real server add following another");
        failing = new AddRealServerOperation(prev.RealServer with { Weight = 99 });
        ops[failAt] = failing;
        return ops;
    }

    [LabTest]
    public void FiveHundredWithAFailureInTheMiddle(LabContext ctx)
    {
        var c = ctx.Client;
        const int failAt = 252;   // in the first datagram (BatchSize 256), so the second one must still be sent
        var ops = Build(failAt, out var failing);
        Check.Equal(500, ops.Count, "operation count");
        var results = c.Apply(ops);
        Check.Equal(500, results.Count, "one result per operation");
        for (var i = 0; i < ops.Count; i++) Check.True(ReferenceEquals(ops[i], results[i].Operation), "result order at " + i);
        var failed = results.Select((r, i) => (r, i)).Where(x => !x.r.Succeeded).ToList();
        Check.Equal(1, failed.Count, "exactly one failure: " + string.Join("; ", failed.Select(f => f.i + ": " + f.r.Error!.Message)));
        Check.Equal(failAt, failed[0].i, "the failing index");
        var e = failed[0].r.Error as RealServerAlreadyExistsException;
        Check.True(e is not null, "typed error: " + failed[0].r.Error!.GetType().Name);
        Check.Equal(((AddRealServerOperation)failing).RealServer.Key, e!.Server, "error names the real server");

        var table = c.EnumerateTable().ToList();
        Check.Equal(50, table.Count, "services");
        Check.Equal(449, table.Sum(t => t.RealServers.Count), "real servers (450 minus the failed duplicate)");
        var dupTarget = ((AddRealServerOperation)failing).RealServer;
        var kept = c.GetRealServers(dupTarget.Service).Single(r => r.Key.Equals(dupTarget.Key));
        Check.True(kept.Weight != 99, "the duplicate did not overwrite the existing server");
        // Everything after the failure, in both datagrams, is there with its settings.
        foreach (var op in ops.Skip(failAt + 1).OfType<AddRealServerOperation>())
        {
            var r = op.RealServer;
            Check.True(table.Single(t => t.Service.Key.Equals(r.Service)).RealServers.Any(x => x.Equals(r)), "applied: " + r);
        }
    }

    [LabTest]
    public void StopAfterFailedBatch(LabContext ctx)
    {
        var c = ctx.Client;
        var ops = Build(105, out _);   // a real server add (index 100 is a service add)
        var results = c.Apply(ops, stopAfterFailedBatch: true);
        Check.Equal(500, results.Count, "one result per operation");
        Check.Equal(1, results.Take(IpvsClient.BatchSize).Count(r => !r.Succeeded), "one failure in the first datagram");
        Check.True(results.Skip(IpvsClient.BatchSize).All(r => r.Error is { ErrorId: "OperationSkipped" }), "the second datagram is reported as not applied");
        var table = c.EnumerateTable().ToList();
        Check.Equal(IpvsClient.BatchSize - 1, table.Count + table.Sum(t => t.RealServers.Count), "only the first datagram's successes are applied");
    }

    [LabTest]
    public void MixedOperations(LabContext ctx)
    {
        var c = ctx.Client;
        var a = Same.Svc("tcp/10.41.0.1:80", "rr");
        var b = Same.Svc("udp/[2001:db8::41]:53", "rr");
        c.AddService(a);
        c.AddRealServer(Same.Real(a.Key, "192.168.41.1", 80));
        c.AddRealServer(Same.Real(a.Key, "192.168.41.2", 80));
        var ops = new List<IpvsOperation>
        {
            new UpdateServiceOperation(a with { Scheduler = "wlc", Persistent = true, PersistenceTimeout = 10 }),
            new UpdateRealServerOperation(Same.Real(a.Key, "192.168.41.1", 80) with { Weight = 42 }),
            new DeleteRealServerOperation(a.Key, new RealServerKey(System.Net.IPAddress.Parse("192.168.41.2"), 80)),
            new AddServiceOperation(b),
            new AddRealServerOperation(Same.Real(b.Key, "2001:db8:41::1", 5353) with { ForwardingMethod = ForwardingMethod.Nat }),
            new DeleteServiceOperation(ServiceKey.Parse("tcp/10.41.0.9:80")),  // missing: fails alone
            new AddServiceOperation(new VirtualService(ServiceKey.ForFirewallMark(41))),
        };
        var results = c.Apply(ops);
        Check.Equal("ok,ok,ok,ok,ok,ServiceNotFoundException,ok", string.Join(",", results.Select(r => r.Succeeded ? "ok" : r.Error!.GetType().Name)), "results");
        Check.Equal(a with { Scheduler = "wlc", Persistent = true, PersistenceTimeout = 10 }, c.GetService(a.Key), "service a updated");
        Check.Equal(42, c.GetRealServers(a.Key).Single().Weight, "a's remaining real server");
        Check.Equal(ForwardingMethod.Nat, c.GetRealServers(b.Key).Single().ForwardingMethod, "b's real server");
        Check.Equal(3, c.GetServices().Count, "services");
        Check.Equal(0, c.Apply(new List<IpvsOperation>()).Count, "empty batch");
    }
}
