using System;

namespace LvsAdmin.LabTests;

/// <summary>Benchmarks against ipvsadm in the same VM run (reports, not timed tests).</summary>
public static partial class Benchmarks
{
    public static int Run(string[] args)
    {
        Console.WriteLine("bench: usage: bench [table] [--services N] [--reals M]");
        Console.WriteLine("bench: no benchmark written yet");
        return 2;
    }
}
