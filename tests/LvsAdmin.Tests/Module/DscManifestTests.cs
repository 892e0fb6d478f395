using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;
using Xunit;

namespace LvsAdmin.Tests.Module;

/// <summary>
/// LvsAdmin.dsc.resource.json (the DSC v3 resource LvsAdmin/Configuration) and dsc/LvsAdminDsc.ps1: the manifest has
/// the fields DSC requires, its commands run the shipped script with the right operation, the script calls only
/// exported cmdlets and exits only with documented codes, and both files ship with the module.
/// </summary>
public class DscManifestTests
{
    private static string ManifestPath => Path.Combine(ModulePaths.RepositoryRoot, "LvsAdmin.dsc.resource.json");
    private static string ScriptPath => Path.Combine(ModulePaths.RepositoryRoot, "dsc", "LvsAdminDsc.ps1");
    private static readonly string[] Operations = { "get", "set", "test", "export" };

    private static JsonElement Manifest()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ManifestPath));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void ManifestHasTheRequiredFields()
    {
        var m = Manifest();
        Assert.Equal("https://aka.ms/dsc/schemas/v3/bundled/resource/manifest.json", m.GetProperty("$schema").GetString());
        Assert.Matches(@"^\w+(\.\w+){0,2}/\w+$", m.GetProperty("type").GetString()!);
        Assert.Equal("LvsAdmin/Configuration", m.GetProperty("type").GetString());
        Assert.Equal(ModuleFixture.ManifestValue("ModuleVersion"), m.GetProperty("version").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", m.GetProperty("version").GetString()!);
        Assert.False(string.IsNullOrWhiteSpace(m.GetProperty("description").GetString()));
        foreach (var tag in m.GetProperty("tags").EnumerateArray()) Assert.Matches(@"^\w+$", tag.GetString()!);
        var known = new HashSet<string> { "$schema", "type", "version", "description", "tags", "get", "set", "test", "export", "exitCodes", "schema", "kind", "whatIf", "delete", "validate" };
        foreach (var p in m.EnumerateObject()) Assert.True(known.Contains(p.Name), "unknown manifest property " + p.Name);
    }

    [Fact]
    public void EveryOperationRunsTheShippedScriptWithItsName()
    {
        var m = Manifest();
        foreach (var op in Operations)
        {
            var method = m.GetProperty(op);
            Assert.Equal("pwsh", method.GetProperty("executable").GetString());
            var args = method.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();
            Assert.Contains("-NonInteractive", args);
            Assert.Contains("-NoProfile", args);
            var command = args[args.IndexOf("-Command") + 1];
            // pwsh -Command exits 1 for any failing script unless the script's code is passed on explicitly.
            Assert.Matches(@"'dsc/LvsAdminDsc\.ps1'\) " + op + @"; exit \$LASTEXITCODE$", command);
            Assert.Contains("Get-Module -ListAvailable LvsAdmin", command);
            if (op is "set" or "test")
            {
                Assert.Equal("stdin", method.GetProperty("input").GetString());
                Assert.Equal("stateAndDiff", method.GetProperty("return").GetString());
            }
        }
        Assert.True(m.GetProperty("set").GetProperty("implementsPretest").GetBoolean());
        var script = File.ReadAllText(ScriptPath);
        var set = Regex.Match(script, @"\[ValidateSet\(([^)]*)\)\]").Groups[1].Value;
        Assert.Equal(Operations.OrderBy(x => x), Regex.Matches(set, "'(\\w+)'").Select(x => x.Groups[1].Value).OrderBy(x => x));
    }

    [Fact]
    public void TheScriptCallsOnlyExportedCmdletsAndUsesDocumentedExitCodes()
    {
        var script = File.ReadAllText(ScriptPath);
        var exported = ModuleFixture.ManifestList("CmdletsToExport");
        var used = Regex.Matches(script, @"\b[A-Z][a-z]+-Lvs\w+").Select(x => x.Value).Distinct().ToList();
        Assert.Contains("Set-LvsConfiguration", used);
        Assert.Contains("Test-LvsConfiguration", used);
        Assert.Contains("Export-LvsConfiguration", used);
        foreach (var c in used) Assert.True(exported.Contains(c), $"dsc/LvsAdminDsc.ps1 calls {c}, which the module does not export");

        var codes = Manifest().GetProperty("exitCodes").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Contains("0", codes);
        Assert.All(codes, c => Assert.Matches("^[0-9]+$", c));
        var exits = Regex.Matches(script, @"\bexit (\d+)|\{ (\d+) \}").Select(x => x.Groups[1].Success ? x.Groups[1].Value : x.Groups[2].Value).Distinct().ToList();
        Assert.True(exits.Count >= 5, "too few exit codes found in the script: " + string.Join(",", exits));
        foreach (var e in exits) Assert.True(codes.Contains(e), $"the script exits with {e}, which exitCodes does not document");
        foreach (var c in codes) Assert.True(exits.Contains(c), $"exitCodes declares {c}, which the script never exits with");
    }

    [Fact]
    public void TheEmbeddedSchemaAllowsEveryPropertyOfTheDocument()
    {
        var schema = Manifest().GetProperty("schema").GetProperty("embedded");
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        var allowed = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Contains("_purge", allowed);
        Assert.Contains("_inDesiredState", allowed);
        var doc = new LvsConfiguration
        {
            Services = new[] { new ConfiguredService(new VirtualService(ServiceKey.Parse("tcp/10.0.0.1:80"))) },
            Timeouts = new IpvsTimeouts(900, 120, 300),
            SyncDaemons = Array.Empty<SyncDaemon>(),
            Host = new HostConfiguration { Sysctls = new Dictionary<string, string> { ["net.ipv4.vs.conntrack"] = "1" } },
        };
        using var written = JsonDocument.Parse(ConfigurationJson.Write(doc));
        foreach (var p in written.RootElement.EnumerateObject())
            Assert.True(allowed.Contains(p.Name), $"the document property '{p.Name}' is not in the DSC instance schema");
        Assert.Equal(LvsConfiguration.CurrentSchemaVersion, schema.GetProperty("properties").GetProperty("schemaVersion").GetProperty("const").GetInt32());
    }

    [Fact]
    public void TheManifestAndScriptShipWithTheModule()
    {
        var output = Path.GetDirectoryName(ModulePaths.LvsAdminAssembly)!;
        Assert.True(File.Exists(Path.Combine(output, "LvsAdmin.dsc.resource.json")), "LvsAdmin.dsc.resource.json is not in " + output);
        Assert.True(File.Exists(Path.Combine(output, "dsc", "LvsAdminDsc.ps1")), "dsc/LvsAdminDsc.ps1 is not in " + output);
        // The script imports the module from its parent folder (the module root).
        Assert.Contains("Join-Path $PSScriptRoot '..' 'LvsAdmin.psd1'", File.ReadAllText(ScriptPath));
    }
}
