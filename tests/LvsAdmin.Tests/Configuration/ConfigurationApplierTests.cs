using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;
using Xunit;

namespace LvsAdmin.Tests.Configuration;

public class ConfigurationApplierTests
{
    private static readonly ServiceKey Web = ServiceKey.Parse("tcp/10.0.0.1:80");
    private static readonly ServiceKey Api = ServiceKey.Parse("tcp/10.0.0.2:80");
    private static readonly ServiceKey Old = ServiceKey.Parse("tcp/10.0.0.3:80");

    private static RealServer Rs(ServiceKey s, string a, int weight = 1) => new(s, IPAddress.Parse(a), s.Port) { Weight = weight };

    private static LvsConfiguration Live() => new()
    {
        Services = new[]
        {
            new ConfiguredService(new VirtualService(Web), new[] { Rs(Web, "10.0.1.1"), Rs(Web, "10.0.1.2") }),
            new ConfiguredService(new VirtualService(Old) { Scheduler = "rr" }, new[] { Rs(Old, "10.0.1.9", 4) }),
        },
        Timeouts = new IpvsTimeouts(900, 120, 300),
        SyncDaemons = Array.Empty<SyncDaemon>(),
    };

    /// <summary>Every kind of step: service update, real-server add/update/remove, new service, timeouts, daemon, prune.</summary>
    private static LvsConfiguration Desired(string newScheduler = "sed") => new()
    {
        Services = new[]
        {
            new ConfiguredService(new VirtualService(Web) { Scheduler = "rr" }, new[] { Rs(Web, "10.0.1.1", 9), Rs(Web, "10.0.1.3") }),
            new ConfiguredService(new VirtualService(Api) { Scheduler = newScheduler }, new[] { Rs(Api, "10.0.1.4") }),
        },
        Timeouts = new IpvsTimeouts(1000, 0, 0),
        SyncDaemons = new[] { new SyncDaemon { State = SyncDaemonState.Master, Interface = "eth0" } },
    };

    private static readonly PlanOptions Prune = new() { Prune = true };

    [Fact]
    public void AppliesEveryKindOfStep()
    {
        var fake = FakeIpvs.From(Live());
        var applier = new ConfigurationApplier(fake, null, _ => { });
        var result = applier.Apply(Desired(), Prune);
        Assert.True(result.Succeeded);
        Assert.True(result.Changed);
        Assert.Equal(result.Plan.Count, result.Completed.Count);
        Assert.True(ConfigurationPlanner.Plan(Desired(), fake.Snapshot(), Prune).IsEmpty);
        Assert.Equal(new IpvsTimeouts(1000, 120, 300), fake.Timeouts);
        // Edits in place: the surviving real server was updated, never deleted.
        Assert.Contains("update real server 10.0.1.1:80 of tcp/10.0.0.1:80", fake.Log);
        Assert.DoesNotContain("remove real server 10.0.1.1:80 from tcp/10.0.0.1:80", fake.Log);
        Assert.Contains("update virtual service tcp/10.0.0.1:80", fake.Log);
        // Removals come last, real servers before their service.
        var removeRs = fake.Log.IndexOf("remove real server 10.0.1.9:80 from tcp/10.0.0.3:80");
        var removeSvc = fake.Log.IndexOf("remove virtual service tcp/10.0.0.3:80");
        Assert.True(removeRs > fake.Log.IndexOf("add real server 10.0.1.4:80 to tcp/10.0.0.2:80"));
        Assert.True(removeSvc > removeRs);
        // Idempotent.
        var again = applier.Apply(Desired(), Prune);
        Assert.True(again.Succeeded);
        Assert.False(again.Changed);
        Assert.True(again.Plan.IsEmpty);
    }

    [Theory]
    [InlineData("add virtual service tcp/10.0.0.2:80")]
    [InlineData("add real server 10.0.1.4:80 to tcp/10.0.0.2:80")]
    [InlineData("remove real server 10.0.1.9:80 from tcp/10.0.0.3:80")]
    [InlineData("remove virtual service tcp/10.0.0.3:80")]
    public void KernelErrorAtAnyStepRollsBackToTheStateBefore(string failing)
    {
        var fake = FakeIpvs.From(Live());
        fake.Fail = op => op.Describe() == failing ? new SchedulerNotFoundException("twos") : null;
        var before = fake.Snapshot();
        var result = new ConfigurationApplier(fake, null, _ => { }).Apply(Desired(), Prune);
        Assert.False(result.Succeeded);
        Assert.True(result.RolledBack);
        Assert.False(result.Changed);
        Assert.Empty(result.Completed);
        var e = Assert.IsType<ConfigurationApplyException>(result.Error);
        Assert.Equal("ApplyFailedRolledBack", e.ErrorId);
        Assert.IsType<SchedulerNotFoundException>(e.InnerException);
        Assert.Equal(IpvsErrorKind.NotInstalled, e.Kind);
        Assert.Contains("rolled back", e.Message);
        Assert.Equal(failing, ToOp(result.FailedStep!));
        Assert.Empty(ConfigurationApplier.Differences(before, fake.Snapshot()));
        Assert.Equal(before.Timeouts, fake.Timeouts);
        Assert.Empty(fake.Daemons);
        // A rolled-back table still has the removed real server with its weight.
        Assert.Equal(4, fake.Reals[Old].Single().Weight);
        Assert.Throws<ConfigurationApplyException>(() => result.ThrowIfFailed());
    }

    private static string ToOp(PlanStep s) => (s.Action, s.TargetType) switch
    {
        (PlanAction.Add, PlanTargetType.Service) => "add virtual service " + s.Target,
        (PlanAction.Remove, PlanTargetType.Service) => "remove virtual service " + s.Target,
        (PlanAction.Add, PlanTargetType.RealServer) => $"add real server {((RealServer)s.After!).Key} to {((RealServer)s.After!).Service}",
        (PlanAction.Remove, PlanTargetType.RealServer) => $"remove real server {((RealServer)s.Before!).Key} from {((RealServer)s.Before!).Service}",
        _ => s.ToString(),
    };

    [Fact]
    public void FailureOfASingleStepKindRollsBackTheBatchBefore()
    {
        var fake = FakeIpvs.From(Live());
        fake.FailDaemon = _ => new IpvsException("no such device", IpvsErrorKind.NotFound, "IpvsKernelError", 19);
        var before = fake.Snapshot();
        var result = new ConfigurationApplier(fake, null, _ => { }).Apply(Desired(), Prune);
        Assert.True(result.RolledBack);
        Assert.Equal(PlanTargetType.SyncDaemon, result.FailedStep!.TargetType);
        Assert.Empty(ConfigurationApplier.Differences(before, fake.Snapshot()));
        Assert.Equal(new IpvsTimeouts(900, 120, 300), fake.Timeouts);
    }

    [Fact]
    public void AFailedRollbackIsReportedAsIncomplete()
    {
        var fake = FakeIpvs.From(Live());
        var failing = "add real server 10.0.1.4:80 to tcp/10.0.0.2:80";
        fake.Fail = op => op.Describe() == failing || op.Describe() == "remove virtual service tcp/10.0.0.2:80" ? new IpvsException("busy", IpvsErrorKind.ResourceUnavailable, "IpvsKernelError", 16) : null;
        var result = new ConfigurationApplier(fake, null, _ => { }).Apply(Desired(), Prune);
        Assert.False(result.RolledBack);
        Assert.True(result.Changed);
        var e = Assert.IsType<ConfigurationApplyException>(result.Error);
        Assert.Equal("ApplyFailedRollbackIncomplete", e.ErrorId);
        Assert.Contains(e.RollbackErrors, x => x.Contains("tcp/10.0.0.2:80"));
        Assert.Contains("INCOMPLETE", e.Message);
    }

    [Fact]
    public void HostStepsGoThroughTheBackendAndRollBack()
    {
        var host = new FakeHost();
        host.Sysctls["net.ipv4.vs.conntrack"] = "0";
        host.Sysctls["net.ipv4.vs.expire_quiescent_template"] = "0";
        var desired = new LvsConfiguration
        {
            Services = new[] { new ConfiguredService(new VirtualService(Web) { Scheduler = "rr" }) },
            Host = new HostConfiguration
            {
                Sysctls = new Dictionary<string, string> { ["net.ipv4.vs.conntrack"] = "1", ["net.ipv4.vs.expire_quiescent_template"] = "1" },
                Addresses = new[] { new HostAddress("lo", IPAddress.Parse("10.0.0.1"), 32) },
            },
        };
        var fake = FakeIpvs.From(Live());
        Assert.Equal("HostSettingsUnavailable", Assert.ThrowsAny<IpvsException>(() => new ConfigurationApplier(fake, null, _ => { }).Apply(desired)).ErrorId);
        host.FailSysctl = k => k.EndsWith("template") ? new IpvsException("read-only", IpvsErrorKind.PermissionDenied, "SysctlReadOnly") : null;
        var failed = new ConfigurationApplier(fake, host, _ => { }).Apply(desired);
        Assert.True(failed.RolledBack, failed.Error?.Message);
        Assert.Equal("0", host.Sysctls["net.ipv4.vs.conntrack"]);
        Assert.Equal("wlc", fake.Services.Single(s => s.Key.Equals(Web)).Scheduler);
        host.FailSysctl = _ => null;
        var ok = new ConfigurationApplier(fake, host, _ => { }).Apply(desired);
        Assert.True(ok.Succeeded);
        Assert.Equal("1", host.Sysctls["net.ipv4.vs.expire_quiescent_template"]);
        Assert.Single(host.Addresses);
        Assert.True(ConfigurationPlanner.Plan(fake.Snapshot() is var _ ? desired : desired,
            LiveConfiguration.ReadHost(host, desired.Host!) is var h ? new LvsConfiguration { Services = fake.Snapshot().Services, Host = h } : null!).IsEmpty);
    }

    [Fact]
    public void DrainQuiescesWaitsAndRemovesEachServerWhenDrained()
    {
        var fake = FakeIpvs.From(Live());
        fake.SetCounters(Web, new RealServerKey(IPAddress.Parse("10.0.1.2"), 80), 3, 2, 1);
        var polls = 0;
        fake.OnPoll = () =>
        {
            polls++;
            var list = fake.Reals[Web];
            var i = list.FindIndex(x => x.Address.Equals(IPAddress.Parse("10.0.1.2")));
            if (i >= 0 && polls > 2) list[i] = list[i] with { ActiveConnections = Math.Max(0, (int)list[i].ActiveConnections - 1) is var a ? (uint)a : 0, InactiveConnections = 0, PersistentConnections = 0 };
        };
        var progress = new List<DrainProgress>();
        var desired = new LvsConfiguration { Services = new[] { new ConfiguredService(new VirtualService(Web), new[] { Rs(Web, "10.0.1.1") }) } };
        var result = new ConfigurationApplier(fake, null, _ => { }).Apply(desired, new PlanOptions { DrainRemovedRealServers = true },
            new ApplyOptions { Drain = new DrainOptions { Timeout = TimeSpan.FromMinutes(1), Progress = progress.Add } });
        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Single(fake.Reals[Web]);
        Assert.Contains("update real server 10.0.1.2:80 of tcp/10.0.0.1:80", fake.Log); // weight 0 first
        Assert.True(progress.Count >= 3);
        Assert.Equal(1, progress[0].Remaining);
        Assert.Equal(3u, progress[0].Servers[0].ActiveConnections);
        Assert.Equal(0, progress[^1].Remaining);
    }

    [Theory]
    [InlineData(DrainTimeoutAction.LeaveQuiesced)]
    [InlineData(DrainTimeoutAction.RemoveAnyway)]
    public void DrainTimeout(DrainTimeoutAction action)
    {
        var fake = FakeIpvs.From(Live());
        var key = new RealServerKey(IPAddress.Parse("10.0.1.2"), 80);
        fake.SetCounters(Web, key, 1, 0, 0);
        var slept = TimeSpan.Zero;
        // The fake clock: every sleep is the poll interval; the timeout is short in real time too.
        var options = new DrainOptions { Timeout = TimeSpan.FromMilliseconds(300), PollInterval = TimeSpan.FromMilliseconds(50), OnTimeout = action };
        var r = RealServerDrainer.Drain(fake, new[] { (Web, key) }, options, CancellationToken.None, t => { slept += t; Thread.Sleep(t); });
        Assert.True(r.TimedOut);
        Assert.False(r.Drained);
        Assert.Equal("DrainTimeout", r.Error!.ErrorId);
        Assert.Contains("1 active", r.Error.Message);
        Assert.True(slept > TimeSpan.Zero);
        if (action == DrainTimeoutAction.RemoveAnyway)
        {
            Assert.True(r.Removed);
            Assert.DoesNotContain(fake.Reals[Web], x => x.Key.Equals(key));
            Assert.Contains("removed anyway", r.Error.Message);
        }
        else
        {
            Assert.False(r.Removed);
            Assert.Equal(0, fake.Reals[Web].Single(x => x.Key.Equals(key)).Weight);
            Assert.Contains("weight 0", r.Error.Message);
        }
    }

    [Fact]
    public void DrainTimeoutInsideAnApplyRollsBackTheWeight()
    {
        var fake = FakeIpvs.From(Live());
        var key = new RealServerKey(IPAddress.Parse("10.0.1.2"), 80);
        fake.Reals[Web][1] = fake.Reals[Web][1] with { Weight = 6, ActiveConnections = 1 };
        var desired = new LvsConfiguration { Services = new[] { new ConfiguredService(new VirtualService(Web) { Scheduler = "rr" }, new[] { Rs(Web, "10.0.1.1") }) } };
        var result = new ConfigurationApplier(fake, null, _ => { }).Apply(desired, new PlanOptions { DrainRemovedRealServers = true },
            new ApplyOptions { Drain = new DrainOptions { Timeout = TimeSpan.Zero } });
        Assert.True(result.RolledBack, result.Error?.Message);
        Assert.IsType<DrainTimeoutException>(result.Error!.InnerException);
        Assert.Equal(6, fake.Reals[Web].Single(x => x.Key.Equals(key)).Weight);
        Assert.Equal("wlc", fake.Services.Single(s => s.Key.Equals(Web)).Scheduler);
    }

    [Fact]
    public void DrainWaitsForPersistenceTemplatesUnlessToldNot()
    {
        var key = new RealServerKey(IPAddress.Parse("10.0.1.2"), 80);
        foreach (var wait in new[] { true, false })
        {
            var fake = FakeIpvs.From(Live());
            fake.SetCounters(Web, key, 0, 0, 2);
            var r = RealServerDrainer.Drain(fake, new[] { (Web, key) },
                new DrainOptions { Timeout = TimeSpan.Zero, WaitForPersistenceTemplates = wait }, CancellationToken.None, _ => { });
            Assert.Equal(!wait, r.Drained);
            Assert.Equal(wait, r.TimedOut);
        }
    }

    [Fact]
    public void DrainOfAMissingServerChangesNothing()
    {
        var fake = FakeIpvs.From(Live());
        Assert.Throws<RealServerNotFoundException>(() => RealServerDrainer.Drain(fake,
            new[] { (Web, new RealServerKey(IPAddress.Parse("10.0.1.1"), 80)), (Web, new RealServerKey(IPAddress.Parse("10.9.9.9"), 80)) }, null, CancellationToken.None, _ => { }));
        Assert.Empty(fake.Log);
    }

    [Fact]
    public void CancelledDrainInsideAnApplyIsRolledBack()
    {
        var fake = FakeIpvs.From(Live());
        fake.SetCounters(Web, new RealServerKey(IPAddress.Parse("10.0.1.2"), 80), 1, 0, 0);
        using var cts = new CancellationTokenSource();
        var desired = new LvsConfiguration { Services = new[] { new ConfiguredService(new VirtualService(Web), new[] { Rs(Web, "10.0.1.1") }) } };
        var result = new ConfigurationApplier(fake, null, _ => cts.Cancel()).Apply(desired, new PlanOptions { DrainRemovedRealServers = true },
            new ApplyOptions { Drain = new DrainOptions { Timeout = TimeSpan.FromHours(1) } }, cts.Token);
        Assert.True(result.RolledBack);
        Assert.Equal("ApplyCancelled", ((ConfigurationApplyException)result.Error!).Error.ErrorId);
        Assert.Equal(1, fake.Reals[Web].Single(x => x.Address.Equals(IPAddress.Parse("10.0.1.2"))).Weight);
    }

    [Fact]
    public void RollbackIsVerifiedWithinThePlansScopeEvenWhenPlannedAgainstTheWholeTable()
    {
        var fake = FakeIpvs.From(Live());
        // Planned against everything that is live (as a caller may do), without prune: Old is out of scope.
        var desired = new LvsConfiguration { Services = new[] { new ConfiguredService(new VirtualService(Web) { Scheduler = "rr" }, new[] { Rs(Web, "10.0.1.1", 3) }) } };
        var plan = ConfigurationPlanner.Plan(desired, fake.Snapshot());
        fake.Fail = op => op is DeleteRealServerOperation ? new IpvsException("busy", IpvsErrorKind.ResourceUnavailable, "IpvsKernelError", 16) : null;
        var result = new ConfigurationApplier(fake, null, _ => { }).Apply(plan);
        Assert.True(result.RolledBack, result.Error?.Message);
        Assert.Equal("ApplyFailedRolledBack", result.Error!.ErrorId);
    }
}
