using System;
using System.Collections.Generic;
using System.Linq;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>What a plan step does.</summary>
public enum PlanAction
{
    Add,
    Update,
    Remove,
}

/// <summary>What a plan step changes.</summary>
public enum PlanTargetType
{
    Service,
    RealServer,
    Timeouts,
    SyncDaemon,
    HostSetting,
}

/// <summary>
/// One step of a plan. <see cref="Before"/> is the live value (null for Add) and <see cref="After"/> the desired value
/// (null for Remove): a <see cref="VirtualService"/>, <see cref="RealServer"/>, <see cref="IpvsTimeouts"/>,
/// <see cref="SyncDaemon"/>, <see cref="HostSettingValue"/> or <see cref="HostAddress"/>. <see cref="Target"/> names the
/// object: "tcp/10.0.0.1:80", "tcp/10.0.0.1:80 -> 10.0.1.1:80", "timeouts", "sync daemon master", "sysctl KEY",
/// "address 10.0.0.1/32 dev lo". <see cref="Changes"/> lists the changed properties of an Update ("Weight: 1 -> 5").
/// </summary>
public sealed record PlanStep(int Index, PlanAction Action, PlanTargetType TargetType, string Target, object? Before, object? After)
{
    /// <summary>For Update: "Property: before -> after" for each differing property; empty otherwise.</summary>
    public IReadOnlyList<string> Changes { get; init; } = Array.Empty<string>();

    /// <summary>True for a real-server removal that is drained first (weight 0, wait, remove).</summary>
    public bool Drain { get; init; }

    /// <summary>"Update real server tcp/10.0.0.1:80 -> 10.0.1.1:80 (Weight: 1 -> 5)".</summary>
    public string Description =>
        $"{Action} {TargetName(TargetType)}{Target}" + (Changes.Count > 0 ? " (" + string.Join(", ", Changes) + ")" : "") + (Drain ? " (drained)" : "");

    private static string TargetName(PlanTargetType t) => t switch
    {
        PlanTargetType.Service => "virtual service ",
        PlanTargetType.RealServer => "real server ",
        PlanTargetType.Timeouts => "",
        PlanTargetType.SyncDaemon => "",
        PlanTargetType.HostSetting => "host ",
        _ => t + " ",
    };

    public override string ToString() => Description;
}

/// <summary>A sysctl value of a host-setting plan step.</summary>
public sealed record HostSettingValue(string Key, string Value)
{
    public override string ToString() => Key + " = " + Value;
}

/// <summary>
/// An ordered list of steps that turns the live state into the desired one (see <see cref="ConfigurationPlanner"/>),
/// with the live state it was computed from (<see cref="Live"/>, used to verify a rollback).
/// </summary>
public sealed class ConfigurationPlan
{
    public ConfigurationPlan(IReadOnlyList<PlanStep> steps, LvsConfiguration desired, LvsConfiguration live, PlanOptions options)
    {
        Steps = steps;
        Desired = desired;
        Live = live;
        Options = options;
    }

    public IReadOnlyList<PlanStep> Steps { get; }
    public LvsConfiguration Desired { get; }
    /// <summary>
    /// The live state the plan was computed against: the timeouts, daemons and host settings it manages, and at least
    /// the services its steps touch (planning against the kernel keeps only those; the pure overload keeps what it was given).
    /// </summary>
    public LvsConfiguration Live { get; }
    public PlanOptions Options { get; }

    /// <summary>True when the live state already matches (nothing to do).</summary>
    public bool IsEmpty => Steps.Count == 0;

    public int Count => Steps.Count;

    public override string ToString() => IsEmpty ? "No changes." : string.Join("\n", Steps.Select(s => s.Index + ". " + s));
}

/// <summary>Options of planning (and applying).</summary>
public sealed record PlanOptions
{
    /// <summary>Also remove live services that the document does not name (default: only named services are managed).</summary>
    public bool Prune { get; init; }

    /// <summary>Drain real servers that are removed (weight 0 and wait) instead of removing them at once.</summary>
    public bool DrainRemovedRealServers { get; init; }

    /// <summary>
    /// Also repair what keepalived's health checking did to the real servers the document declares checks for (see
    /// <see cref="ConfigurationPlanner"/>): by default a checked real server at live weight 0, a checked real server
    /// with failure action Remove that is missing, and the sorry server coming and going are health state, not drift.
    /// </summary>
    public bool RepairHealthState { get; init; }

    public static PlanOptions Default { get; } = new();
}
