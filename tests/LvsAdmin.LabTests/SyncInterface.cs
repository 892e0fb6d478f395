using System;
using System.Diagnostics;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>
/// A dummy multicast interface for sync daemon tests. Afterwards every daemon is stopped (each stop timed: the
/// kernel answers only when the daemon's threads are gone, and under emulation that has taken up to a minute), the
/// timeouts are put back and the interface removed.
/// </summary>
internal static class SyncInterface
{
    public static void Use(string name, string ipv4Cidr, string? ipv6Cidr, Action body)
    {
        var v6 = ipv6Cidr is null ? "" : $" && ip addr add {ipv6Cidr} dev {name} nodad";
        LabContext.Sh($"ip link add {name} type dummy && ip link set {name} multicast on up && ip addr add {ipv4Cidr} dev {name}{v6}");
        try
        {
            body();
        }
        finally
        {
            using var c = IpvsClient.Open();
            foreach (var d in c.GetSyncDaemons())
            {
                var sw = Stopwatch.StartNew();
                c.StopSyncDaemon(d.State);
                if (sw.Elapsed > TimeSpan.FromSeconds(5))
                    Console.WriteLine($"  stopping the {d.State} sync daemon took {sw.Elapsed.TotalSeconds:0.0} s (the kernel waits for its threads)");
            }
            c.SetTimeouts(new IpvsTimeouts(900, 120, 300));
            LabContext.Run("ip", "link del " + name);
        }
    }
}
