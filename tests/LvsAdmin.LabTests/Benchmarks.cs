using System;
using System.Linq;

namespace LvsAdmin.LabTests;

/// <summary>
/// Benchmarks against ipvsadm in the same VM run (reports, not timed tests). <c>bench NAME [options]</c>:
/// <list type="bullet">
/// <item><description><c>table [--services N] [--reals M] [--repeat R]</c>: apply and list a whole table
/// (<see cref="RunTable"/>, TableBenchmark.cs).</description></item>
/// <item><description><c>conn [--entries N] [--repeat R] [--budget S]</c>: the connection table
/// (<see cref="RunConn"/>, ConnectionBenchmark.cs).</description></item>
/// <item><description><c>plan [--services N] [--reals M] [--repeat R]</c>: plan/apply of a configuration document
/// (<see cref="RunPlan"/>, PlanBenchmark.cs).</description></item>
/// </list>
/// Each benchmark lives in its own file of this partial class and gets one case below.
/// </summary>
public static partial class Benchmarks
{
    private const string Usage = "bench: usage: bench table [--services N] [--reals M] [--repeat R] | bench conn [--entries N] [--repeat R] [--budget SECONDS] | bench plan [--services N] [--reals M] [--repeat R]";

    public static int Run(string[] args)
    {
        var rest = args.Skip(1).ToArray();
        Func<string[], int>? bench = args.FirstOrDefault() switch
        {
            "table" => RunTable,
            "conn" => RunConn,
            "plan" => RunPlan,
            _ => null,
        };
        if (bench is null)
        {
            Console.WriteLine(Usage);
            return 2;
        }
        // A benchmark is a report: any failure prints and exits 1, it never throws out of the process.
        try
        {
            return bench(rest);
        }
        catch (Exception e)
        {
            Console.WriteLine($"bench {args[0]}: ERROR: " + e);
            return 1;
        }
    }
}
