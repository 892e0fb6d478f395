using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using LvsAdmin.Formats;
using Xunit;
using Xunit.Abstractions;
using static LvsAdmin.Tests.Formats.KeepalivedTestSupport;

namespace LvsAdmin.Tests.Formats;

/// <summary>A fact that is skipped, with the reason, when keepalived is not installed.</summary>
public sealed class KeepalivedFactAttribute : FactAttribute
{
    public const string Program = "/usr/sbin/keepalived";

    public KeepalivedFactAttribute()
    {
        if (!File.Exists(Program)) Skip = $"keepalived is not installed ({Program}; apt-get install keepalived)";
    }
}

/// <summary>
/// keepalived itself checks the exported files: <c>keepalived -t -e -f FILE</c> (configuration test only; -e makes any
/// warning exit 5) exits 0. It starts no VRRP, checker or IPVS change: -t parses, validates and exits.
/// </summary>
public class KeepalivedConfigTestTests
{
    private readonly ITestOutputHelper _output;

    public KeepalivedConfigTestTests(ITestOutputHelper output) => _output = output;

    internal static (int Code, string Output) ConfigTest(string file)
    {
        var psi = new ProcessStartInfo(KeepalivedFactAttribute.Program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-t", "-e", "-l", "-n", "-f", file }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException("keepalived -t did not end within 60 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [KeepalivedFact]
    public void EveryExportedFilePassesKeepalivedsConfigTest()
    {
        var dir = TempDirectory();
        try
        {
            var services = 0;
            foreach (var seed in new[] { 101, 102, 103 })
            {
                var doc = Expressible(seed, 60);
                var warnings = new List<string>();
                var file = Path.Combine(dir, $"export-{seed}.conf");
                File.WriteAllText(file, ConfigurationKeepalived.Write(doc, warnings));
                Assert.Empty(warnings);
                var (code, output) = ConfigTest(file);
                Assert.True(code == 0, $"keepalived -t -e -f {file} exited {code}:\n{output}\n{File.ReadAllText(file)}");
                services += doc.Services.Count;
            }
            Assert.True(services >= 100, $"only {services} services");
            _output.WriteLine($"keepalived -t -e accepted 3 exported files with {services} services");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Exported files with health checks of every kind (and sorry servers, quorums, failure actions) pass too.</summary>
    [KeepalivedFact]
    public void ExportedHealthChecksPassKeepalivedsConfigTest()
    {
        var dir = TempDirectory();
        try
        {
            var checks = 0;
            foreach (var seed in new[] { 201, 202 })
            {
                var doc = LvsAdmin.Tests.Configuration.HealthGenerator.Add(Expressible(seed, 40), seed);
                checks += doc.Services.Where(s => s.Health is not null)
                    .Sum(s => s.RealServers.Sum(r => s.Health!.ChecksFor(r.Key).Count));
                var warnings = new List<string>();
                var file = Path.Combine(dir, $"health-{seed}.conf");
                File.WriteAllText(file, ConfigurationKeepalived.Write(doc, warnings));
                Assert.Empty(warnings);
                var (code, output) = ConfigTest(file);
                Assert.True(code == 0, $"keepalived -t -e -f {file} exited {code}:\n{output}\n{File.ReadAllText(file)}");
            }
            Assert.True(checks >= 100, $"only {checks} checks");
            _output.WriteLine($"keepalived -t -e accepted 2 exported files with {checks} checks");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>The check can fail: keepalived's own warning for a missing protocol makes -e exit 5.</summary>
    [KeepalivedFact]
    public void TheConfigTestFailsOnAKeepalivedWarning()
    {
        var dir = TempDirectory();
        try
        {
            var file = Path.Combine(dir, "bad.conf");
            File.WriteAllText(file, "virtual_server 10.0.0.1 80 {\n  lvs_sched rr\n  lvs_method NAT\n  real_server 10.1.0.1 80 {\n  }\n}\n");
            var (code, output) = ConfigTest(file);
            Assert.Equal(5, code);
            Assert.Contains("no protocol set - defaulting to UDP", output);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
