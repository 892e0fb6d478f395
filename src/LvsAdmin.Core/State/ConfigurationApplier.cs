using System;
using System.Threading;
using LvsAdmin.Ipvs;

namespace LvsAdmin.State;

/// <summary>
/// Executes a plan through an <see cref="IpvsClient"/> (batched, never flushing). When the kernel refuses step k,
/// every step done so far is undone in reverse order (re-add removed, restore updated, delete added), the table is
/// re-read and compared with the state before, and the result says both.
/// </summary>
public sealed class ConfigurationApplier
{
    public ConfigurationApplier(IpvsClient client, IHostStateBackend? host = null) => throw new NotImplementedException();

    /// <summary>Applies <paramref name="plan"/>; never throws for a kernel error (see <see cref="ApplyResult.Error"/>).</summary>
    public ApplyResult Apply(ConfigurationPlan plan, ApplyOptions? options = null, CancellationToken cancellation = default) => throw new NotImplementedException();

    /// <summary>Plans against the live state and applies.</summary>
    public ApplyResult Apply(LvsConfiguration desired, PlanOptions? planOptions = null, ApplyOptions? options = null, CancellationToken cancellation = default) => throw new NotImplementedException();
}
