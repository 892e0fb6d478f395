using System;
using System.Collections.Generic;
using LvsAdmin.Ipvs;

namespace LvsAdmin.State;

/// <summary>
/// Computes the plan from a live state to a desired document, comparing modulo what the kernel does on its own
/// (see <see cref="Normalize(VirtualService)"/> and <see cref="Normalize(RealServer)"/>). Scope: the services the
/// document names (their real servers are managed exactly: extra real servers are removed); other live services
/// only with <see cref="PlanOptions.Prune"/>; timeouts, sync daemons and host settings only when the document has
/// them. Order: service adds and updates, then real-server adds and updates, timeouts, sync daemons, host settings;
/// removals last (real servers before their services).
/// </summary>
public static class ConfigurationPlanner
{
    /// <summary>The plan that makes <paramref name="live"/> equal to <paramref name="desired"/>. Validates the document first (ConfigurationInvalid).</summary>
    public static ConfigurationPlan Plan(LvsConfiguration desired, LvsConfiguration live, PlanOptions? options = null) => throw new NotImplementedException();

    /// <summary>Reads what the plan needs from the kernel (only the named services unless pruning) and plans.</summary>
    public static ConfigurationPlan Plan(IpvsClient client, LvsConfiguration desired, PlanOptions? options = null, IHostStateBackend? host = null) => throw new NotImplementedException();

    /// <summary>Checks a document: duplicates, real servers of another service, values the kernel refuses. Throws ConfigurationInvalid.</summary>
    public static void Validate(LvsConfiguration configuration) => throw new NotImplementedException();

    /// <summary>A service as the kernel would report it back (timeout and netmask ignored when not persistent, netmask text normalised).</summary>
    public static VirtualService Normalize(VirtualService service) => throw new NotImplementedException();

    /// <summary>A real server as compared (tunnel options cleared unless tunnelling, counters dropped).</summary>
    public static RealServer Normalize(RealServer server) => throw new NotImplementedException();
}
