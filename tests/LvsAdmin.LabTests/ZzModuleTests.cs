using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>
/// Runs last (the harness orders tests by name): unloads ip_vs and every module using it, checks that
/// IpvsClient.Open reports IpvsNotLoadedException, then loads them back. Only inside the kernel lab.
/// </summary>
public sealed class ZzModuleTests
{
    /// <summary>Modules that use <paramref name="module"/>, directly or not, in an order rmmod accepts (users first).</summary>
    private static List<string> UsersOf(string module)
    {
        var usedBy = File.ReadAllLines("/proc/modules").Select(l => l.Split(' '))
            .ToDictionary(f => f[0], f => f[3] == "-" ? Array.Empty<string>() : f[3].Split(',', StringSplitOptions.RemoveEmptyEntries));
        var order = new List<string>();
        void Visit(string m)
        {
            foreach (var u in usedBy.GetValueOrDefault(m, Array.Empty<string>()))
            {
                if (order.Contains(u)) continue;
                Visit(u);
                order.Add(u);
            }
        }
        Visit(module);
        return order;
    }

    [LabTest]
    public void ZzIpvsNotLoaded(LabContext ctx)
    {
        if (!File.ReadAllText("/proc/cmdline").Contains("lab.kver="))
            LabContext.Skip("unloads the ip_vs module: only inside the kernel lab");
        foreach (var d in ctx.Client.GetSyncDaemons()) ctx.Client.StopSyncDaemon(d.State);
        ctx.Client.Flush();
        var users = UsersOf("ip_vs");
        // Resolving the IPVS family makes the kernel request_module("net-pf-16-proto-16-family-IPVS"), an alias of
        // ip_vs: with a working modprobe the module comes back by itself. Point the kernel's modprobe helper at
        // /bin/false to see what a host that cannot load it gets.
        const string helper = "/proc/sys/kernel/modprobe";
        var modprobe = File.ReadAllText(helper).Trim();
        try
        {
            if (users.Count > 0) LabContext.RunOk("rmmod", string.Join(" ", users));
            LabContext.RunOk("rmmod", "ip_vs");
            Check.True(!Directory.Exists("/sys/module/ip_vs"), "ip_vs is gone");
            File.WriteAllText(helper, "/bin/false\n");
            var e = Check.Throws<IpvsNotLoadedException>(() => IpvsClient.Open(), "Open without ip_vs (module loading disabled)");
            Check.Equal("IpvsModuleNotLoaded", e.ErrorId, "error id");
            Check.Equal(IpvsErrorKind.NotInstalled, e.Kind, "kind");
            Check.True(e.Message.Contains("modprobe ip_vs"), "message says how to fix it: " + e.Message);
            Check.True(!Directory.Exists("/sys/module/ip_vs"), "still not loaded");
            File.WriteAllText(helper, modprobe + "\n");
            using (var auto = IpvsClient.Open())
            {
                Check.True(Directory.Exists("/sys/module/ip_vs"), "Open loaded ip_vs through the kernel's family alias");
                Check.Equal(new Version(1, 2, 1), auto.GetInfo().Version, "auto-loaded IPVS answers");
            }
        }
        finally
        {
            File.WriteAllText(helper, modprobe + "\n");
            LabContext.Run("modprobe", "ip_vs");
            foreach (var m in Enumerable.Reverse(users)) LabContext.Run("modprobe", m);
        }
        Console.WriteLine("  unloaded and reloaded: ip_vs " + string.Join(" ", users));
        // Back: a new client works (the family id may have changed).
        using var again = IpvsClient.Open();
        Check.Equal(new Version(1, 2, 1), again.GetInfo().Version, "IPVS back after modprobe");
        again.AddService(Same.Svc("tcp/10.50.0.1:80", "rr"));
        Check.Equal(1, again.GetServices().Count, "usable again");
        again.Flush();
    }
}
