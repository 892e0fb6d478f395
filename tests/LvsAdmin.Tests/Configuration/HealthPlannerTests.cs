using System;
using System.Linq;
using System.Net;
using LvsAdmin.Configuration;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Configuration;

/// <summary>Plan/apply does not fight keepalived: the health state of checked real servers is not drift.</summary>
public class HealthPlannerTests
{
    private static readonly ServiceKey Web = ServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.0.0.1"), 80);
    private static readonly HealthCheck Tcp = new(HealthCheckType.Tcp);

    private static RealServer Rs(string a, int weight = 1) => new(Web, IPAddress.Parse(a), 80) { Weight = weight, ForwardingMethod = ForwardingMethod.Nat };

    private static LvsConfiguration Doc(ServiceHealth? health, params RealServer[] reals) =>
        new() { Services = new[] { new ConfiguredService(new VirtualService(Web) { Scheduler = "rr" }, reals) { Health = health } } };

    private static ConfigurationPlan Plan(LvsConfiguration desired, LvsConfiguration live, bool repair = false) =>
        ConfigurationPlanner.Plan(desired, live, new PlanOptions { RepairHealthState = repair });

    [Fact]
    public void AnInhibitedCheckedRealServerIsNotDrift()
    {
        var health = new ServiceHealth { Checks = new[] { Tcp } };
        var desired = Doc(health, Rs("10.0.1.1", 5), Rs("10.0.1.2", 5));
        var live = Doc(null, Rs("10.0.1.1", 0), Rs("10.0.1.2", 5));
        Assert.True(Plan(desired, live).IsEmpty);
        // Without checks, or asked to repair, the weight is drift.
        Assert.Equal(new[] { "Weight: 0 -> 5" }, Assert.Single(Plan(desired with { Services = new[] { desired.Services[0] with { Health = null } } }, live).Steps).Changes);
        Assert.Equal(new[] { "Weight: 0 -> 5" }, Assert.Single(Plan(desired, live, repair: true).Steps).Changes);
        // Other changes of an inhibited real server are still made, keeping its weight 0.
        var step = Assert.Single(Plan(Doc(health, Rs("10.0.1.1", 5) with { UpperThreshold = 9 }, Rs("10.0.1.2", 5)), live).Steps);
        Assert.Equal(new[] { "UpperThreshold: 0 -> 9" }, step.Changes);
        Assert.Equal(0, ((RealServer)step.After!).Weight);
        // A weight other than 0 is not keepalived's: drift.
        Assert.Single(Plan(desired, Doc(null, Rs("10.0.1.1", 3), Rs("10.0.1.2", 5))).Steps);
    }

    [Fact]
    public void OnlyCheckedRealServersAreLeftToKeepalived()
    {
        // 10.0.1.2 has no checks of its own and the service has none: its weight 0 is drift.
        var health = new ServiceHealth { RealServers = new[] { new RealServerHealth(Rs("10.0.1.1").Key, new[] { Tcp }) } };
        var desired = Doc(health, Rs("10.0.1.1", 5), Rs("10.0.1.2", 5));
        var step = Assert.Single(Plan(desired, Doc(null, Rs("10.0.1.1", 0), Rs("10.0.1.2", 0))).Steps);
        Assert.Equal("tcp/10.0.0.1:80 -> 10.0.1.2:80", step.Target);
    }

    [Fact]
    public void ARemovedCheckedRealServerIsNotDriftWhenTheFailureActionIsRemove()
    {
        var live = Doc(null, Rs("10.0.1.2", 5));
        var remove = Doc(new ServiceHealth { Checks = new[] { Tcp }, OnFailure = HealthFailureAction.Remove }, Rs("10.0.1.1", 5), Rs("10.0.1.2", 5));
        Assert.True(Plan(remove, live).IsEmpty);
        Assert.Equal(PlanAction.Add, Assert.Single(Plan(remove, live, repair: true).Steps).Action);
        // With inhibit (the default) keepalived never removes it: missing is drift.
        var inhibit = Doc(new ServiceHealth { Checks = new[] { Tcp } }, Rs("10.0.1.1", 5), Rs("10.0.1.2", 5));
        Assert.Equal(PlanAction.Add, Assert.Single(Plan(inhibit, live).Steps).Action);
    }

    [Fact]
    public void TheSorryServerComesAndGoesWithoutDrift()
    {
        var sorry = new SorryServer(IPAddress.Parse("10.0.0.99"), 80);
        var desired = Doc(new ServiceHealth { Checks = new[] { Tcp }, SorryServer = sorry }, Rs("10.0.1.1", 5));
        // Every real server failed: keepalived inhibited it and put the sorry server in.
        var live = Doc(null, Rs("10.0.1.1", 0), new RealServer(Web, sorry.Address, 80) { ForwardingMethod = ForwardingMethod.Nat, Weight = 1 });
        Assert.True(Plan(desired, live).IsEmpty);
        var repair = Plan(desired, live, repair: true);
        Assert.Equal(new[] { PlanAction.Update, PlanAction.Remove }, repair.Steps.Select(s => s.Action));
    }

    [Fact]
    public void HealthErrorsMakeTheDocumentInvalid()
    {
        var bad = Doc(new ServiceHealth { Quorum = 2, Hysteresis = 5 }, Rs("10.0.1.1", 5));
        var e = Assert.ThrowsAny<IpvsException>(() => ConfigurationPlanner.Plan(bad, Doc(null)));
        Assert.Contains("hysteresis", e.Message);
    }
}
