using System;
using System.Collections.Generic;
using System.Threading;
using LvsAdmin.Ipvs;

namespace LvsAdmin.State;

/// <summary>
/// Takes real servers out gracefully: weight 0 (SET_DEST; no new connections), then polls their active and inactive
/// connection counts and persistence templates until all are zero or the timeout runs out, then removes them.
/// </summary>
public static class RealServerDrainer
{
    /// <summary>
    /// Drains <paramref name="servers"/> together. On timeout: <see cref="DrainOptions.OnTimeout"/> decides, and the
    /// result carries a <see cref="DrainTimeoutException"/>. Cancellation restores nothing and throws
    /// OperationCanceledException (the servers stay at weight 0).
    /// </summary>
    public static DrainResult Drain(IpvsClient client, IReadOnlyList<(ServiceKey Service, RealServerKey Server)> servers, DrainOptions? options = null, CancellationToken cancellation = default) => throw new NotImplementedException();
}
