using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>Marks a lab test: a public instance method taking a <see cref="LabContext"/>, run inside the kernel lab.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LabTestAttribute : Attribute
{
    /// <summary>Tests that leave the IPVS table as they like; the harness flushes before each test anyway.</summary>
    public bool NeedsCleanTable { get; init; } = true;
}

/// <summary>Thrown by a test to say it cannot run here, with the reason (printed as SKIP).</summary>
public sealed class SkipException : Exception
{
    public SkipException(string reason) : base(reason) { }
}

/// <summary>A failed check.</summary>
public sealed class CheckException : Exception
{
    public CheckException(string message) : base(message) { }
}

/// <summary>What a lab test gets: an open client on a flushed table, and a way to run programs such as ipvsadm.</summary>
public sealed class LabContext
{
    public LabContext(IpvsClient client) => Client = client;

    public IpvsClient Client { get; }

    public static void Skip(string reason) => throw new SkipException(reason);

    /// <summary>Runs a program, returns its exit code and output. Optional standard input.</summary>
    public static (int ExitCode, string StdOut, string StdErr) Run(string file, string arguments, string? stdin = null, int timeoutSeconds = 300)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(true);
            throw new CheckException($"{file} {arguments} did not finish in {timeoutSeconds}s");
        }
        return (p.ExitCode, stdoutTask.Result, stderrTask.Result);
    }

    /// <summary>Runs a program and fails the test unless it exits 0; returns its standard output.</summary>
    public static string RunOk(string file, string arguments, string? stdin = null)
    {
        var (code, o, e) = Run(file, arguments, stdin);
        if (code != 0) throw new CheckException($"'{file} {arguments}' exited {code}: {e.Trim()} {o.Trim()}");
        return o;
    }

    /// <summary>Runs a shell command line (sh -c) and fails unless it exits 0.</summary>
    public static string Sh(string command) => RunOk("/bin/sh", "-c \"" + command.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");
}

/// <summary>Assertions for lab tests.</summary>
public static class Check
{
    public static void True(bool condition, string message)
    {
        if (!condition) throw new CheckException(message);
    }

    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new CheckException($"{what}: expected {Show(expected)}, got {Show(actual)}");
    }

    /// <summary>Compares two texts line by line and reports the first difference.</summary>
    public static void SameText(string expected, string actual, string what)
    {
        if (expected == actual) return;
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end>";
            var al = i < a.Length ? a[i] : "<end>";
            if (el != al) throw new CheckException($"{what}: first difference at line {i + 1}:\n  expected: {el}\n  actual:   {al}\n  ({e.Length} vs {a.Length} lines)");
        }
        throw new CheckException($"{what}: texts differ (whitespace)");
    }

    public static TException Throws<TException>(Action action, string what) where TException : Exception
    {
        try
        {
            action();
        }
        catch (TException e)
        {
            return e;
        }
        catch (Exception e)
        {
            throw new CheckException($"{what}: expected {typeof(TException).Name}, got {e.GetType().Name}: {e.Message}");
        }
        throw new CheckException($"{what}: expected {typeof(TException).Name}, nothing was thrown");
    }

    private static string Show<T>(T value) => value is null ? "null" : value is string s ? "\"" + s + "\"" : value.ToString() ?? "";
}

public static class Program
{
    /// <summary>
    /// Runs every [LabTest] (or those whose name contains --filter), then prints one line per test and a closing
    /// "lab: N passed, N failed, N skipped" line; exit code 1 when any failed. "bench ..." runs the benchmarks.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "bench") return Benchmarks.Run(args.Skip(1).ToArray());
        // Hidden child mode of the permission tests (run without CAP_NET_ADMIN by ErrorTests).
        if (args.Length > 0 && args[0] == "child-eperm") return ErrorTests.ChildEperm();
        // Hidden child mode of the host setup error tests (run as nobody, or with /proc/sys read-only).
        if (args.Length > 0 && args[0] == "child-host") return HostSetupTests.ChildHost();
        string? filter = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--filter" && i + 1 < args.Length) filter = args[++i];
        }
        var tests = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => (Type: t, Method: m)))
            .Where(x => x.Method.GetCustomAttribute<LabTestAttribute>() is not null)
            .Select(x => (x.Type, x.Method, Name: x.Type.Name + "." + x.Method.Name))
            .Where(x => filter is null || x.Name.Contains(filter, StringComparison.OrdinalIgnoreCase))
            .OrderBy(x => x.Name, StringComparer.Ordinal)
            .ToList();
        int passed = 0, failed = 0, skipped = 0;
        var failures = new StringBuilder();
        var total = Stopwatch.StartNew();
        IpvsClient client;
        try
        {
            client = IpvsClient.Open();
        }
        catch (Exception e)
        {
            Console.WriteLine("lab: cannot open IPVS: " + e.Message);
            Console.WriteLine($"lab: 0 passed, {tests.Count} failed, 0 skipped");
            return 1;
        }
        foreach (var (type, method, name) in tests)
        {
            var sw = Stopwatch.StartNew();
            try
            {
                client.Flush();
                var instance = Activator.CreateInstance(type)!;
                method.Invoke(instance, new object[] { new LabContext(client) });
                passed++;
                Console.WriteLine($"PASS {name} ({sw.ElapsedMilliseconds} ms)");
            }
            catch (TargetInvocationException tie) when (tie.InnerException is SkipException s)
            {
                skipped++;
                Console.WriteLine($"SKIP {name}: {s.Message}");
            }
            catch (Exception e)
            {
                var inner = e is TargetInvocationException { InnerException: { } ie } ? ie : e;
                failed++;
                Console.WriteLine($"FAIL {name} ({sw.ElapsedMilliseconds} ms): {inner.GetType().Name}: {inner.Message}");
                if (inner is not CheckException) Console.WriteLine(inner.StackTrace);
                failures.AppendLine(name);
            }
            Console.Out.Flush();
        }
        try
        {
            client.Flush();
        }
        catch (Exception)
        {
            // the table is the VM's own; nothing to restore
        }
        client.Dispose();
        if (failed > 0) Console.WriteLine("lab: failed tests:\n" + failures);
        Console.WriteLine($"lab: ran {tests.Count} tests in {total.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"lab: {passed} passed, {failed} failed, {skipped} skipped");
        return failed > 0 ? 1 : 0;
    }
}
