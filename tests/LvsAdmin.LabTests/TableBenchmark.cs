using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>
/// Benchmarks against ipvsadm in the same VM run (reports, not tests: exit 0 unless something errored).
/// <c>bench table [--services N] [--reals M] [--repeat R]</c>, default 10000 × 10:
/// (a) apply N services × M real servers from an empty table: core Apply() vs <c>ipvsadm -R</c>;
/// (b) list the whole table: core EnumerateTable() (cold first call and warm) vs <c>ipvsadm -Ln</c>;
/// (c) peak memory of a listing at N/10 and N services, each in a fresh child process.
/// </summary>
public static partial class Benchmarks
{
    private const double ApplyTarget = 2.0;
    private const double ListTarget = 1.5;

    public static int RunTable(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length == 2 && args[0] == "list-memory") return ListMemoryChild(args[1]);
        if (!TryParseSize(args, "table", minReals: 0, out var services, out var reals, out var repeat)) return 2;
        return Bench(services, reals, repeat);
    }

    private static ServiceKey Key(int i) =>
        ServiceKey.ForAddress(IpvsProtocol.Tcp, new IPAddress(new byte[] { 10, (byte)(100 + (i >> 16)), (byte)(i >> 8), (byte)i }), 80);

    private static IPAddress RealAddress(int i, int j) => new(new byte[] { 172, (byte)(16 + j / 250), (byte)(j % 250 + 1), (byte)(i % 250 + 1) });

    private static List<IpvsOperation> Operations(int from, int to, int reals)
    {
        var ops = new List<IpvsOperation>((to - from) * (reals + 1));
        for (var i = from; i < to; i++)
        {
            var key = Key(i);
            ops.Add(new AddServiceOperation(new VirtualService(key) { Scheduler = "wlc" }));
            for (var j = 0; j < reals; j++)
                ops.Add(new AddRealServerOperation(new RealServer(key, RealAddress(i, j), 80) { ForwardingMethod = ForwardingMethod.Nat, Weight = 1 }));
        }
        return ops;
    }

    private static string Rules(int services, int reals)
    {
        var sb = new StringBuilder(services * (reals + 1) * 48);
        for (var i = 0; i < services; i++)
        {
            var vip = Key(i).Address + ":80";
            sb.Append("-A -t ").Append(vip).Append(" -s wlc\n");
            for (var j = 0; j < reals; j++) sb.Append("-a -t ").Append(vip).Append(" -r ").Append(RealAddress(i, j)).Append(":80 -m -w 1\n");
        }
        return sb.ToString();
    }

    /// <summary>Runs a program, feeding <paramref name="stdin"/> and draining its output; returns (seconds, output bytes).</summary>
    private static (double Seconds, long Bytes) Time(string file, string arguments, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var drain = System.Threading.Tasks.Task.Run(() =>
        {
            var buf = new char[65536];
            long n = 0;
            int r;
            while ((r = p.StandardOutput.Read(buf, 0, buf.Length)) > 0) n += r;
            return n;
        });
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        p.WaitForExit();
        var bytes = drain.Result;
        sw.Stop();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} exited {p.ExitCode}: {err.Result.Trim()}");
        return (sw.Elapsed.TotalSeconds, bytes);
    }

    /// <summary>Lists the whole table without keeping it; returns (services, real servers, an order-independent checksum).</summary>
    private static (int Services, long Reals, long Hash) ListAll(IpvsClient c)
    {
        int n = 0;
        long r = 0, h = 0;
        foreach (var (svc, list) in c.EnumerateTable())
        {
            n++;
            long sh = svc.GetHashCode();
            foreach (var x in list)
            {
                r++;
                sh += (long)x.GetHashCode() * 0x9E3779B1L;
            }
            // Sum over services: the kernel's service order depends on the namespace (its hash mixes in a pointer).
            h += sh * 0x100000001B3L ^ (sh >> 17);
        }
        return (n, r, h);
    }

    private static string F(double seconds) => seconds < 1 ? $"{seconds * 1000:F0} ms" : $"{seconds:F2} s";

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static int Bench(int services, int reals, int repeat)
    {
        var total = Stopwatch.StartNew();
        var entries = (long)services * (reals + 1);
        Console.WriteLine($"bench: {services} services x {reals} real servers = {entries} entries; kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}, " +
                          $"{Environment.ProcessorCount} CPU(s), .NET {Environment.Version}, ipvsadm: {LabContext.RunOk("ipvsadm", "--version").Trim()}");
        var rules = Rules(services, reals);

        // Every phase runs in a fresh network namespace: after a flush, Linux (6.1 at least) keeps the removed real
        // servers in a trash list for minutes and every later add scans it, so re-applying into a flushed table
        // would make whichever tool goes second look quadratic. A new namespace has an empty table and trash.
        var nsA = NewNamespace("benchA");
        var nsExec = Median(Enumerable.Range(0, 3).Select(_ => Time("ip", "netns exec benchA true").Seconds).ToList());

        // (a1) ipvsadm -R; it also builds the table the listing benchmark reads, so the core listing is cold.
        var ipvsadmApply = Time("ip", "netns exec benchA ipvsadm -R", rules).Seconds - nsExec;
        Console.WriteLine($"bench: ipvsadm -R: {F(ipvsadmApply)} ('ip netns exec' overhead of {F(nsExec)} subtracted)");

        // (b) listing: the first EnumerateTable() of this process is the cold one (JIT, second socket).
        var c = IpvsClient.Open(nsA);
        var cold = Stopwatch.StartNew();
        var afterIpvsadm = ListAll(c);
        cold.Stop();
        if (afterIpvsadm.Services != services || afterIpvsadm.Reals != (long)services * reals)
            throw new InvalidOperationException($"ipvsadm -R built {afterIpvsadm.Services} services, {afterIpvsadm.Reals} real servers");
        var warm = new List<double>();
        var ipvsadmList = new List<double>();
        long listBytes = 0;
        for (var i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            ListAll(c);
            warm.Add(sw.Elapsed.TotalSeconds);
            var (t, b) = Time("ip", "netns exec benchA ipvsadm -Ln");
            ipvsadmList.Add(t - nsExec);
            listBytes = b;
        }
        DropNamespace(c, "benchA");

        // (a2) core Apply from an empty table.
        c = IpvsClient.Open(NewNamespace("benchB"));
        var ops = Operations(0, services, reals);
        var applySw = Stopwatch.StartNew();
        var results = c.Apply(ops);
        applySw.Stop();
        var failed = results.Count(r => !r.Succeeded);
        if (failed > 0) throw new InvalidOperationException($"core Apply: {failed} operations failed, first: {results.First(r => !r.Succeeded).Error!.Message}");
        var afterCore = ListAll(c);
        if (afterCore != afterIpvsadm)
            throw new InvalidOperationException($"core Apply built a different table than ipvsadm -R: {afterCore} vs {afterIpvsadm}");
        Console.WriteLine($"bench: core Apply: {F(applySw.Elapsed.TotalSeconds)} (tables identical: {afterCore.Services} services, {afterCore.Reals} real servers)");
        ops = null;
        results = null;
        DropNamespace(c, "benchB");

        // (c) memory, each size listed by a fresh process (peak working set is per process and only grows).
        var nsC = NewNamespace("benchC");
        c = IpvsClient.Open(nsC);
        var small = Math.Max(1, services / 10);
        c.Apply(Operations(0, small, reals));
        var memSmall = RunMemoryChild(nsC);
        c.Apply(Operations(small, services, reals));
        var memFull = RunMemoryChild(nsC);
        DropNamespace(c, "benchC");

        var coreList = Median(warm);
        var admList = Median(ipvsadmList);
        var applyRatio = ipvsadmApply / applySw.Elapsed.TotalSeconds;
        var listRatio = admList / coreList;
        Console.WriteLine();
        Console.WriteLine($"| {services} x {reals} ({entries} entries)          | LvsAdmin.Core        | ipvsadm              | core faster by | target | met |");
        Console.WriteLine("|---------------------------------------|----------------------|----------------------|----------------|--------|-----|");
        Console.WriteLine($"| (a) apply from an empty table         | {F(applySw.Elapsed.TotalSeconds),-20} | {F(ipvsadmApply) + " (-R)",-20} | {applyRatio,13:F1}x | {ApplyTarget:F1}x   | {(applyRatio >= ApplyTarget ? "yes" : "NO"),-3} |");
        Console.WriteLine($"| (b) list everything, warm (median {repeat}) | {F(coreList),-20} | {F(admList) + " (-Ln)",-20} | {listRatio,13:F1}x | {ListTarget:F1}x   | {(listRatio >= ListTarget ? "yes" : "NO"),-3} |");
        Console.WriteLine($"| (b) list everything, cold first call  | {F(cold.Elapsed.TotalSeconds),-20} |                      | {admList / cold.Elapsed.TotalSeconds,13:F1}x |        |     |");
        Console.WriteLine();
        Console.WriteLine($"bench: core list warm runs: {string.Join(", ", warm.Select(F))}; ipvsadm -Ln runs: {string.Join(", ", ipvsadmList.Select(F))} ({listBytes} bytes of output each, drained through a pipe)");
        Console.WriteLine("bench: ipvsadm times include its process start (minus the 'ip netns exec' wrapper); core times are in-process (no dotnet start).");
        Console.WriteLine("bench: cold = the first EnumerateTable() of the process (JIT, opening the second socket); warm = later calls.");
        Console.WriteLine();
        Console.WriteLine("| (c) listing memory, fresh process | services | real servers | live heap max during listing | allocated during listing | peak working set (before -> after listing) |");
        Console.WriteLine("|-----------------------------------|----------|--------------|------------------------------|--------------------------|--------------------------------------------|");
        foreach (var m in new[] { memSmall, memFull })
            Console.WriteLine($"| {(m == memSmall ? "N/10" : "N"),-33} | {m["services"],8} | {m["reals"],12} | {m["liveMaxKB"] + " KB",28} | {long.Parse(m["allocatedKB"]) / 1024 + " MB",24} | {m["peakBeforeMB"] + " MB -> " + m["peakAfterMB"] + " MB",-42} |");
        var growth = double.Parse(memFull["peakAfterMB"], CultureInfo.InvariantCulture) - double.Parse(memSmall["peakAfterMB"], CultureInfo.InvariantCulture);
        Console.WriteLine($"bench: peak working set grows by {growth:F1} MB from N/10 to N ({services / 10} -> {services} services): {(Math.Abs(growth) < 16 ? "flat" : "NOT flat")}");
        Console.WriteLine($"bench: total {total.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static string NewNamespace(string name)
    {
        LabContext.Run("ip", "netns del " + name);
        LabContext.Sh($"ip netns add {name} && ip -n {name} link set lo up");
        return "/run/netns/" + name;
    }

    /// <summary>Flushes (synchronously), closes and deletes a namespace, then lets its cleanup settle.</summary>
    private static void DropNamespace(IpvsClient c, string name)
    {
        c.Flush();
        c.Dispose();
        LabContext.RunOk("ip", "netns del " + name);
        System.Threading.Thread.Sleep(3000);
    }

    private static Dictionary<string, string> RunMemoryChild(string netns)
    {
        var dll = typeof(Benchmarks).Assembly.Location;
        var (code, o, e) = LabContext.Run("dotnet", $"{dll} bench table list-memory {netns}", timeoutSeconds: 1800);
        if (code != 0) throw new InvalidOperationException($"list-memory child exited {code}: {e.Trim()} {o.Trim()}");
        var line = o.Split('\n').Single(l => l.StartsWith("mem:", StringComparison.Ordinal));
        return line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
    }

    /// <summary>Child: lists the current table once, consuming it without storing, and reports memory.</summary>
    private static int ListMemoryChild(string netns)
    {
        using var c = IpvsClient.Open(netns);
        c.GetInfo();
        using var self = Process.GetCurrentProcess();
        var baseline = GC.GetTotalMemory(true);
        self.Refresh();
        var peakBefore = self.PeakWorkingSet64;
        var allocBefore = GC.GetTotalAllocatedBytes(true);
        long liveMax = 0;
        int n = 0;
        long reals = 0;
        foreach (var (svc, list) in c.EnumerateTable())
        {
            n++;
            reals += list.Count;
            if (n % 500 == 0) liveMax = Math.Max(liveMax, GC.GetTotalMemory(true) - baseline);
        }
        liveMax = Math.Max(liveMax, GC.GetTotalMemory(true) - baseline);
        var allocated = GC.GetTotalAllocatedBytes(true) - allocBefore;
        self.Refresh();
        Console.WriteLine($"mem: services={n} reals={reals} liveMaxKB={liveMax / 1024} allocatedKB={allocated / 1024} " +
                          $"peakBeforeMB={peakBefore / 1048576.0:F1} peakAfterMB={self.PeakWorkingSet64 / 1048576.0:F1}");
        return 0;
    }

    /// <summary>
    /// The size options of <c>bench table|plan</c>: --services N (10..262144), --reals M (<paramref name="minReals"/>..250)
    /// and --repeat R (≥ 1), default 10000 × 10 × 3. Prints the usage and returns false on anything else.
    /// </summary>
    private static bool TryParseSize(string[] args, string bench, int minReals, out int services, out int reals, out int repeat)
    {
        services = 10000; reals = 10; repeat = 3;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--services" when i + 1 < args.Length: services = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reals" when i + 1 < args.Length: reals = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeat" when i + 1 < args.Length: repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.WriteLine($"bench: usage: bench {bench} [--services N] [--reals M] [--repeat R]");
                    return false;
            }
        }
        if (services < 10 || services > 65536 * 4 || reals < minReals || reals > 250 || repeat < 1)
        {
            Console.WriteLine($"bench: --services must be 10..262144, --reals {minReals}..250, --repeat >= 1");
            return false;
        }
        return true;
    }
}
