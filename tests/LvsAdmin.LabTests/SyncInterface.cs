using System;
using System.Diagnostics;
using System.Linq;
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
            StopAll();
            using var c = IpvsClient.Open();
            c.SetTimeouts(new IpvsTimeouts(900, 120, 300));
            LabContext.Run("ip", "link del " + name);
        }
    }

    /// <summary>
    /// Stops every sync daemon. The kernel answers a stop once the daemon's threads and sockets are gone; under the
    /// lab's emulation a stop of IPv6 daemons has twice taken minutes (once over 300 s; the next request then went
    /// through). That stall is the kernel's, not what these tests check: a stop that does not answer in 30 s is
    /// reported here (with the kernel log), then a daemon listing waits for the kernel (it takes the same lock) for up
    /// to 15 minutes, and whatever is still running is stopped. A kernel that never finishes still fails the test.
    /// </summary>
    public static void StopAll()
    {
        var wait = TimeSpan.FromSeconds(30);
        using var c = IpvsClient.Open(timeout: wait);
        c.DaemonTimeout = wait;
        foreach (var d in c.GetSyncDaemons())
        {
            var sw = Stopwatch.StartNew();
            try
            {
                c.StopSyncDaemon(d.State);
            }
            catch (TimeoutException)
            {
                Console.WriteLine($"  the kernel did not answer stopping the {d.State} sync daemon within {wait.TotalSeconds:0.###} s; waiting for it. Kernel log:");
                foreach (var line in LabContext.Run("dmesg", "").StdOut.Split('\n').TakeLast(15)) Console.WriteLine("    " + line);
                using var patient = IpvsClient.Open(timeout: TimeSpan.FromMinutes(15));
                var left = patient.GetSyncDaemons();
                Console.WriteLine($"  the kernel answered after {sw.Elapsed.TotalSeconds:0.0} s; daemons left: {left.Count}");
                foreach (var l in left)
                {
                    try
                    {
                        patient.StopSyncDaemon(l.State);
                    }
                    catch (IpvsException e) when (e.Kind == IpvsErrorKind.NotFound)
                    {
                        // listed while the stalled stop was still under way: it is gone now
                    }
                }
                return; // every daemon left is stopped (the first client's socket still has the late answer pending)
            }
            if (sw.Elapsed > TimeSpan.FromSeconds(5))
                Console.WriteLine($"  stopping the {d.State} sync daemon took {sw.Elapsed.TotalSeconds:0.0} s (the kernel waits for its threads)");
        }
    }
}
