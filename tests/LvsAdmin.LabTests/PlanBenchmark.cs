using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.LabTests;

/// <summary>
/// <c>bench plan [--services N] [--reals M] [--repeat R]</c>, default 10000 × 10 (a report, not a timed test):
/// (a) one full listing (EnumerateTable with every counter, as Get-LvsVirtualService reads it, and
/// LiveConfiguration.Read which builds the document from it);
/// (b) plan a document with one change against the live table and apply it (validate + read the settings, without
/// decoding counters and rates + compare + one SET_DEST + verify), ratio b/a, target ≤ 1.2; the parts of planning are
/// also timed alone; (c) apply the whole document to an empty table (fresh network namespace) vs <c>ipvsadm -R</c> of
/// the same content (ConfigurationIpvsadm.Write of the document), target ≥ 2×.
/// </summary>
public static partial class Benchmarks
{
    private const double PlanTarget = 1.2;
    private const double DocumentApplyTarget = 2.0;

    public static int RunPlan(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (!TryParseSize(args, "plan", minReals: 1, out var services, out var reals, out var repeat)) return 2;
        return BenchPlan(services, reals, repeat);
    }

    private static LvsConfiguration Document(int services, int reals)
    {
        var list = new List<ConfiguredService>(services);
        for (var i = 0; i < services; i++)
        {
            var key = Key(i);
            var rs = new List<RealServer>(reals);
            for (var j = 0; j < reals; j++) rs.Add(new RealServer(key, RealAddress(i, j), 80) { ForwardingMethod = ForwardingMethod.Nat, Weight = 1 });
            list.Add(new ConfiguredService(new VirtualService(key) { Scheduler = "wlc" }, rs));
        }
        return new LvsConfiguration { Services = list };
    }

    /// <summary>The document with the weight of one real server (in the middle of the table) set to <paramref name="weight"/>.</summary>
    private static LvsConfiguration WithWeight(LvsConfiguration doc, int weight)
    {
        var services = doc.Services.ToList();
        var k = services.Count / 2;
        var s = services[k];
        var rs = s.RealServers.ToList();
        rs[0] = rs[0] with { Weight = weight };
        services[k] = s with { RealServers = rs };
        return doc with { Services = services };
    }

    private static void Quiesce()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static int BenchPlan(int services, int reals, int repeat)
    {
        var total = Stopwatch.StartNew();
        var entries = (long)services * (reals + 1);
        Console.WriteLine($"bench plan: {services} services x {reals} real servers = {entries} entries; kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}, " +
                          $"{Environment.ProcessorCount} CPU(s), .NET {Environment.Version}");
        var doc = Document(services, reals);
        var rules = ConfigurationIpvsadm.Write(doc, sort: false);

        // (c1) ipvsadm -R of the same content into a fresh namespace.
        NewNamespace("planA");
        var nsExec = Median(Enumerable.Range(0, 3).Select(_ => Time("ip", "netns exec planA true").Seconds).ToList());
        var ipvsadmRestore = Time("ip", "netns exec planA ipvsadm -R", rules).Seconds - nsExec;
        Console.WriteLine($"bench plan: ipvsadm -R: {F(ipvsadmRestore)} ('ip netns exec' overhead of {F(nsExec)} subtracted)");
        var ca = IpvsClient.Open("/run/netns/planA");
        var afterIpvsadm = ListAll(ca);
        DropNamespace(ca, "planA");

        // (c2) the whole document applied by the library into a fresh namespace (read live, validate, plan, batches).
        var c = IpvsClient.Open(NewNamespace("planB"));
        var applier = new ConfigurationApplier(c);
        ListAll(c); // JIT and the second socket, as a warm process would have them
        var sw = Stopwatch.StartNew();
        var full = applier.Apply(doc);
        sw.Stop();
        var documentApply = sw.Elapsed.TotalSeconds;
        if (!full.Succeeded) throw new InvalidOperationException("document apply failed: " + full.Error!.Message);
        var afterCore = ListAll(c);
        if (afterCore != afterIpvsadm) throw new InvalidOperationException($"the document built a different table than ipvsadm -R: {afterCore} vs {afterIpvsadm}");
        Console.WriteLine($"bench plan: document apply: {F(documentApply)} ({full.Completed.Count} steps; tables identical: {afterCore.Services} services, {afterCore.Reals} real servers)");

        // (a) one full listing, and (b) plan + apply of one change, alternating so each run has exactly one change.
        var listings = new List<double>();
        var reads = new List<double>();
        var plans = new List<double>();
        var planOnly = new List<double>();
        var validations = new List<double>();
        var streamed = new List<double>();
        var compared = new List<double>();
        LiveConfiguration.Read(c, new LiveReadOptions { Timeouts = false, SyncDaemons = false }); // warm up the document path
        for (var i = 0; i < repeat; i++)
        {
            // Each timed part starts with a collected heap, so one does not pay for the garbage of another.
            Quiesce();
            sw.Restart();
            ListAll(c);
            listings.Add(sw.Elapsed.TotalSeconds);
            Quiesce();
            sw.Restart();
            LiveConfiguration.Read(c, new LiveReadOptions { Timeouts = false, SyncDaemons = false });
            reads.Add(sw.Elapsed.TotalSeconds);
            var changed = WithWeight(doc, 2 + i);
            Quiesce();
            // The parts of planning, measured alone: validating the document, and reading the scope it names.
            sw.Restart();
            ConfigurationPlanner.Validate(changed);
            validations.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            var seen = 0;
            LiveConfiguration.Read(c, ConfigurationPlanner.LiveScope(changed, PlanOptions.Default, null), _ => seen++);
            streamed.Add(sw.Elapsed.TotalSeconds);
            var liveDoc = LiveConfiguration.Read(c, new LiveReadOptions { Timeouts = false, SyncDaemons = false });
            Quiesce();
            sw.Restart();
            ConfigurationPlanner.Plan(changed, liveDoc);
            compared.Add(sw.Elapsed.TotalSeconds);
            liveDoc = null;
            Quiesce();

            sw.Restart();
            var plan = ConfigurationPlanner.Plan(c, changed);
            var planned = sw.Elapsed.TotalSeconds;
            var result = applier.Apply(plan);
            plans.Add(sw.Elapsed.TotalSeconds);
            planOnly.Add(planned);
            if (plan.Count != 1 || plan.Steps[0].Action != PlanAction.Update || !result.Succeeded)
                throw new InvalidOperationException($"expected one in-place update, got {plan.Count} steps: {plan}; {result.Error?.Message}");
        }
        DropNamespace(c, "planB");

        var list = Median(listings);
        var read = Median(reads);
        var planApply = Median(plans);
        var settings = Median(streamed);
        var ratioPlan = planApply / list;
        var ratioApply = ipvsadmRestore / documentApply;
        Console.WriteLine();
        Console.WriteLine($"| {services} x {reals} ({entries} entries)                 | time                 | ratio  | target  | met |");
        Console.WriteLine("|-----------------------------------------------|----------------------|--------|---------|-----|");
        Console.WriteLine($"| (a) one full listing (EnumerateTable)         | {F(list),-20} |        |         |     |");
        Console.WriteLine($"| (a') LiveConfiguration.Read, with counters    | {F(read),-20} |        |         |     |");
        Console.WriteLine($"| (a'') settings only (what a plan reads)       | {F(settings),-20} |        |         |     |");
        Console.WriteLine($"| (b) plan one change + apply it                | {F(planApply),-20} | {ratioPlan,5:F2}x | <= {PlanTarget:F1}x | {(ratioPlan <= PlanTarget ? "yes" : "NO"),-3} |");
        Console.WriteLine($"| (b) relative to (a'') instead                 |                      | {planApply / settings,5:F2}x |         |     |");
        Console.WriteLine($"| (c) whole document into an empty table        | {F(documentApply),-20} |        |         |     |");
        Console.WriteLine($"| (c) ipvsadm -R of the same content            | {F(ipvsadmRestore),-20} | {ratioApply,5:F1}x | >= {DocumentApplyTarget:F1}x | {(ratioApply >= DocumentApplyTarget ? "yes" : "NO"),-3} |");
        Console.WriteLine();
        Console.WriteLine($"bench plan: listing runs {string.Join(", ", listings.Select(F))}; plan+apply runs {string.Join(", ", plans.Select(F))} (of which planning {string.Join(", ", planOnly.Select(F))})");
        Console.WriteLine($"bench plan: parts alone: validating the document {string.Join(", ", validations.Select(F))}; reading the named services {string.Join(", ", streamed.Select(F))}; " +
                          $"validating and comparing with a table already read {string.Join(", ", compared.Select(F))}");
        Console.WriteLine("bench plan: (b)/(a) = plan+apply of one change relative to one full listing; (c) = ipvsadm -R time / document apply time.");
        Console.WriteLine("bench plan: a plan reads settings only: the kernel still sends every counter, but they are not decoded (see (a) vs (a'')).");
        Console.WriteLine($"bench plan: total {total.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
}
