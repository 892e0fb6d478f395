using System;
using System.Threading;

namespace LvsAdmin.LabTests;

/// <summary>
/// Client source ports for lab sockets, unique for the whole run. A socket bound to port 0 gets a random port from
/// the kernel, and a port a closed connection used can come back: in DR and TUN the director only sees the client's
/// half of a connection, so its entry stays in FIN_WAIT and a new SYN from the same client port is sent to the same
/// real server without being scheduled (conn_reuse_mode=1). That made "rr alternates" fail now and then (CI saw
/// rs1 rs1 in a TUN run). Distinct ports make every connection a new one for IPVS.
/// </summary>
internal static class ClientPorts
{
    private const int First = 20000;
    private const int Last = 32000; // below the default ephemeral range (32768-60999), so no kernel-chosen port clashes
    private static int _next = First - 1;

    /// <summary>The next unused port.</summary>
    public static ushort Next()
    {
        var port = Interlocked.Increment(ref _next);
        if (port > Last) throw new InvalidOperationException($"the lab used more than {Last - First + 1} client ports");
        return (ushort)port;
    }

    /// <summary><paramref name="port"/>, or the next unused port when it is 0.</summary>
    public static ushort OrNext(int port) => port == 0 ? Next() : (ushort)port;
}
