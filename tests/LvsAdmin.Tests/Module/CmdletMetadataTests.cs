using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace LvsAdmin.Tests.Module;

/// <summary>
/// What PowerShell would check (or users would trip over) when the module is imported, read from the built
/// LvsAdmin.dll's metadata since no pwsh runs here.
/// </summary>
public class CmdletMetadataTests : IClassFixture<ModuleFixture>
{
    private readonly ModuleFixture _m;

    public CmdletMetadataTests(ModuleFixture m) => _m = m;

    private static readonly string[] ChangingVerbs = { "New", "Set", "Remove", "Add", "Clear", "Reset", "Start", "Stop", "Enable", "Disable", "Restart", "Suspend", "Resume", "Update", "Import", "Sync", "Invoke", "Register", "Unregister", "Rename", "Move", "Copy", "Install", "Uninstall", "Initialize", "Export" };

    /// <summary>Verbs that only read: Get, Compare (a plan), and Test (a check that returns findings or a bool). Export writes a file, so it is a changing verb above.</summary>
    private static readonly string[] ReadingVerbs = { "Get", "Compare", "Test" };

    /// <summary>Changers that undo a whole setup, besides Remove and Clear: ConfirmImpact High.</summary>
    private static readonly string[] DestructiveCmdlets = { "Reset-LvsRealServer", "Reset-LvsDirector" };

    [Fact]
    public void ThereAreTheExpectedCmdlets()
    {
        var expected = new[]
        {
            "Add-LvsRealServer", "Clear-LvsVirtualService", "Get-LvsConnection", "Get-LvsInfo", "Get-LvsRealServer", "Get-LvsSyncDaemon",
            "Get-LvsTimeout", "Get-LvsVirtualService", "New-LvsVirtualService", "Remove-LvsRealServer", "Remove-LvsVirtualService",
            "Reset-LvsStatistic", "Set-LvsRealServer", "Set-LvsTimeout", "Set-LvsVirtualService", "Start-LvsSyncDaemon", "Stop-LvsSyncDaemon",
            // Host setup (issue 4).
            "Get-LvsVirtualAddress", "Add-LvsVirtualAddress", "Remove-LvsVirtualAddress", "Set-LvsRealServerArp", "Get-LvsSysctl", "Set-LvsSysctl",
            "Initialize-LvsRealServer", "Reset-LvsRealServer", "Test-LvsRealServer", "Initialize-LvsDirector", "Reset-LvsDirector", "Test-LvsDirector",
            // Configuration as code (issue 5).
            "Get-LvsConfiguration", "Export-LvsConfiguration", "Import-LvsConfiguration", "Compare-LvsConfiguration", "Set-LvsConfiguration",
            "Test-LvsConfiguration",
            // Across hosts over PowerShell remoting (issue 11).
            "Get-LvsRealServerSetup", "Sync-LvsRealServer", "Test-LvsRealServerFleet", "Install-LvsAdminModule",
            // Health checks (issue 12).
            "Test-LvsRealServerHealth",
        };
        Assert.Equal(expected.OrderBy(x => x, StringComparer.Ordinal), _m.Cmdlets.Select(c => c.Name).OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void VerbsAreApproved()
    {
        var approved = new[] { "VerbsCommon", "VerbsCommunications", "VerbsData", "VerbsDiagnostic", "VerbsLifecycle", "VerbsOther", "VerbsSecurity" }
            .Select(n => _m.Automation.GetType("System.Management.Automation." + n, throwOnError: true)!)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Get", approved);
        Assert.True(approved.Count > 90, "too few verbs read from the reference assembly: " + approved.Count);
        foreach (var c in _m.Cmdlets) Assert.True(approved.Contains(c.Verb), $"{c.Name}: '{c.Verb}' is not an approved verb");
    }

    [Fact]
    public void CmdletClassesFollowTheConventions()
    {
        foreach (var c in _m.Cmdlets)
        {
            Assert.True(c.Type.IsSealed && c.Type.IsPublic, $"{c.Type.Name} must be public and sealed");
            Assert.Equal(c.Verb + c.Noun + "Command", c.Type.Name);
            Assert.Equal("LvsAdmin.Commands", c.Type.Namespace);
            Assert.StartsWith("Lvs", c.Noun);
            Assert.DoesNotMatch("[^s]s$", c.Noun); // singular nouns (Address ends in ss and is singular)
            var baseType = c.Type.BaseType;
            while (baseType is not null && baseType.FullName != "System.Management.Automation.PSCmdlet") baseType = baseType.BaseType;
            Assert.True(baseType is not null, $"{c.Name} does not derive from PSCmdlet");
            // Install-LvsAdminModule copies files over sessions: no table, no namespace to work in.
            if (c.Name != "Install-LvsAdminModule") Assert.True(c.Parameters.Any(p => p.Name == "NetworkNamespace"), $"{c.Name} has no -NetworkNamespace");
        }
    }

    [Fact]
    public void ManifestExportsExactlyTheCmdlets()
    {
        var exported = ModuleFixture.ManifestList("CmdletsToExport");
        Assert.Equal(exported.Count, exported.Distinct().Count());
        Assert.Equal(_m.Cmdlets.Select(c => c.Name).OrderBy(x => x, StringComparer.Ordinal), exported.OrderBy(x => x, StringComparer.Ordinal));
        Assert.Empty(ModuleFixture.ManifestList("FunctionsToExport"));
        Assert.Empty(ModuleFixture.ManifestList("AliasesToExport"));
        Assert.Empty(ModuleFixture.ManifestList("VariablesToExport"));
    }

    [Fact]
    public void ManifestDescribesTheModuleLayout()
    {
        Assert.Equal("LvsAdmin.dll", ModuleFixture.ManifestValue("RootModule"));
        Assert.Equal("7.4", ModuleFixture.ManifestValue("PowerShellVersion"));
        Assert.True(Guid.TryParse(ModuleFixture.ManifestValue("GUID"), out _));
        var props = XDocument.Load(Path.Combine(ModulePaths.RepositoryRoot, "Directory.Build.props"));
        Assert.Equal(props.Descendants("Version").Single().Value, ModuleFixture.ManifestValue("ModuleVersion"));
        Assert.Equal(new[] { "Core" }, ModuleFixture.ManifestList("CompatiblePSEditions"));
        Assert.Equal(new[] { "LvsAdmin.format.ps1xml" }, ModuleFixture.ManifestList("FormatsToProcess"));
        Assert.Equal(new[] { "LvsAdmin.types.ps1xml" }, ModuleFixture.ManifestList("TypesToProcess"));
        var output = Path.GetDirectoryName(ModulePaths.LvsAdminAssembly)!;
        foreach (var f in ModuleFixture.ManifestList("FormatsToProcess").Concat(ModuleFixture.ManifestList("TypesToProcess"))
                     .Concat(ModuleFixture.ManifestList("RequiredAssemblies")).Append("LvsAdmin.psd1"))
            Assert.True(File.Exists(Path.Combine(output, f)), $"{f} is not in the build output {output}");
        Assert.False(File.Exists(Path.Combine(output, "System.Management.Automation.dll")), "the PowerShell reference assembly must not ship with the module");
    }

    [Fact]
    public void StateChangingCmdletsSupportShouldProcess()
    {
        foreach (var c in _m.Cmdlets)
        {
            var changes = ChangingVerbs.Contains(c.Verb);
            Assert.True(changes || ReadingVerbs.Contains(c.Verb), $"{c.Name}: classify verb {c.Verb}");
            Assert.Equal(changes, c.SupportsShouldProcess);
            if (c.Verb is "Remove" or "Clear" || DestructiveCmdlets.Contains(c.Name)) Assert.Equal(3 /* ConfirmImpact.High */, c.ConfirmImpact);
            else if (changes) Assert.NotEqual(3, c.ConfirmImpact ?? 2);
        }
    }

    [Fact]
    public void EveryCmdletDeclaresItsOutput()
    {
        foreach (var c in _m.Cmdlets)
        {
            var types = c.OutputTypes.ToList();
            Assert.True(types.Count > 0, $"{c.Name} has no [OutputType]");
            if (c.Verb == "Get" || c.Parameters.Any(p => p.Name == "PassThru"))
                Assert.DoesNotContain(types, t => t.FullName == "System.Void");
            if (c.Verb is "New" or "Add" or "Set" or "Initialize") Assert.Contains(c.Parameters, p => p.Name == "PassThru");
        }
    }

    [Fact]
    public void PositionsAreUniqueWithinEachParameterSet()
    {
        foreach (var c in _m.Cmdlets)
        {
            foreach (var set in c.ParameterSets)
            {
                var positions = c.Parameters
                    .SelectMany(p => p.ParameterAttributes.Where(a => CmdletParameter.SetOf(a) == set || CmdletParameter.SetOf(a) == "__AllParameterSets")
                        .Select(a => (p.Name, Position: a.NamedArguments.Where(n => n.MemberName == "Position").Select(n => (int?)n.TypedValue.Value).FirstOrDefault())))
                    .Where(x => x.Position is not null && x.Position >= 0)
                    .ToList();
                var dup = positions.GroupBy(x => x.Position).FirstOrDefault(g => g.Count() > 1);
                Assert.True(dup is null, $"{c.Name} set {set}: position {dup?.Key} used by {string.Join(", ", dup?.Select(d => d.Name) ?? Array.Empty<string>())}");
            }
        }
    }

    [Fact]
    public void ParameterNamesAndAliasesAreUnique()
    {
        foreach (var c in _m.Cmdlets)
        {
            var names = c.Parameters.SelectMany(p => p.Aliases.Prepend(p.Name)).ToList();
            var dup = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            Assert.True(dup is null, $"{c.Name}: parameter name or alias '{dup?.Key}' is used twice");
            // Common parameters PowerShell adds itself.
            foreach (var common in new[] { "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable",
                         "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm", "ProgressAction" })
                Assert.DoesNotContain(common, names, StringComparer.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void DefaultParameterSetsExist()
    {
        foreach (var c in _m.Cmdlets)
        {
            if (c.DefaultParameterSetName is { } d) Assert.Contains(d, c.ParameterSets);
            else Assert.True(c.ParameterSets.Count() == 1, $"{c.Name} has several parameter sets but no DefaultParameterSetName");
        }
    }

    [Fact]
    public void ValidateRangeBoundsHaveOneType()
    {
        // PowerShell throws a MetadataException at bind time when min and max are of different types.
        foreach (var c in _m.Cmdlets)
        foreach (var p in c.Parameters)
        foreach (var a in p.Property.CustomAttributes.Where(a => a.AttributeType.FullName == "System.Management.Automation.ValidateRangeAttribute"))
        {
            Assert.Equal(a.ConstructorArguments[0].ArgumentType, a.ConstructorArguments[1].ArgumentType);
            var element = Nullable.GetUnderlyingType(p.Type) ?? p.Type;
            Assert.True(element == a.ConstructorArguments[0].ArgumentType || element.FullName == "System.Int32",
                $"{c.Name} -{p.Name}: ValidateRange of {a.ConstructorArguments[0].ArgumentType.Name} on a {element.Name} parameter");
        }
    }

    [Fact]
    public void EveryParameterHasADocComment()
    {
        var doc = XDocument.Load(Path.ChangeExtension(ModulePaths.LvsAdminAssembly, ".xml"));
        var members = doc.Descendants("member").ToDictionary(e => (string)e.Attribute("name")!, e => e.Element("summary")?.Value.Trim() ?? "");
        foreach (var c in _m.Cmdlets)
        {
            Assert.True(members.TryGetValue("T:" + c.Type.FullName, out var typeDoc) && typeDoc.Length > 0, $"{c.Type.Name} has no summary");
            foreach (var p in c.Parameters)
            {
                var id = "P:" + p.Property.DeclaringType!.FullName + "." + p.Name;
                Assert.True(members.TryGetValue(id, out var text) && text.Length > 10, $"{c.Name} -{p.Name} has no doc comment ({id})");
            }
        }
    }

    // ---- pipeline binding by property name ----

    private IEnumerable<Type> GetOutputTypes() => _m.Cmdlets.Where(c => c.Verb == "Get").SelectMany(c => c.OutputTypes).Distinct();

    private static Dictionary<string, Type> PropertiesOf(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First().PropertyType, StringComparer.OrdinalIgnoreCase);

    private static bool Converts(Type property, Type parameter)
    {
        var target = Nullable.GetUnderlyingType(parameter) ?? parameter;
        return target.FullName is "System.String" or "System.String[]" || target == property ||
               // A -Port is an Int64 so that any number reaches the module's own range check (InvalidPort).
               (target.FullName == "System.Int64" && property.FullName is "System.UInt16" or "System.Int32" or "System.UInt32") ||
               (target.FullName == "System.Management.Automation.SwitchParameter" && property.FullName == "System.Boolean");
    }

    [Fact]
    public void PipelineBindableParametersMatchPropertiesOfTheObjectsTheModuleEmits()
    {
        var outputs = GetOutputTypes().Select(PropertiesOf).ToList();
        Assert.True(outputs.Count >= 5);
        foreach (var c in _m.Cmdlets)
        foreach (var p in c.Parameters.Where(p => p.ByPropertyName))
        {
            var matches = outputs.SelectMany(o => p.Aliases.Prepend(p.Name).Where(o.ContainsKey).Select(n => o[n])).ToList();
            Assert.True(matches.Count > 0, $"{c.Name} -{p.Name} binds by property name, but no emitted object has a property {p.Name} (or alias)");
            Assert.True(matches.Any(t => Converts(t, p.Type)), $"{c.Name} -{p.Name} ({p.Type.Name}) cannot take any property it binds from ({string.Join(", ", matches.Select(t => t.Name))})");
        }
    }

    /// <summary>Every mandatory parameter of <paramref name="target"/>'s set binds by property name from <paramref name="source"/> objects.</summary>
    private void AssertPipes(string source, string target, string set = "__AllParameterSets")
    {
        var output = Assert.Single(_m.Cmdlet(source).OutputTypes);
        var props = PropertiesOf(output);
        var c = _m.Cmdlet(target);
        foreach (var p in c.Parameters.Where(p => p.InSet(set) && p.IsMandatoryIn(set)))
        {
            Assert.True(p.ByPropertyName, $"{source} | {target}: mandatory -{p.Name} does not bind by property name");
            Assert.True(p.Aliases.Prepend(p.Name).Any(props.ContainsKey), $"{source} | {target}: {output.Name} has no property for -{p.Name}");
        }
    }

    [Fact]
    public void DocumentedPipelinesBind()
    {
        AssertPipes("Get-LvsVirtualService", "Get-LvsRealServer");
        AssertPipes("Get-LvsVirtualService", "Remove-LvsVirtualService", "Service");
        AssertPipes("Get-LvsVirtualService", "Set-LvsVirtualService", "Service");
        AssertPipes("Get-LvsRealServer", "Set-LvsRealServer");
        AssertPipes("Get-LvsRealServer", "Remove-LvsRealServer");
        AssertPipes("Get-LvsSyncDaemon", "Stop-LvsSyncDaemon");
        AssertPipes("Get-LvsVirtualAddress", "Remove-LvsVirtualAddress");
        AssertPipes("Get-LvsSysctl", "Set-LvsSysctl", "Name");
        // The service text property the binding relies on.
        Assert.Equal("System.String", PropertiesOf(_m.Core.GetType("LvsAdmin.Ipvs.VirtualService")!)["Service"].FullName);
        // A piped virtual service binds -Service only: its own Address/Port must not become real server filters.
        var vs = PropertiesOf(_m.Core.GetType("LvsAdmin.Ipvs.VirtualService")!);
        foreach (var name in new[] { "Get-LvsRealServer", "Get-LvsConnection", "Reset-LvsStatistic", "Remove-LvsVirtualService", "Set-LvsVirtualService" })
        {
            // (Set-LvsVirtualService's settings bind too, from the service's own settings: same values, no change.)
            var bound = _m.Cmdlet(name).Parameters.Where(p => p.ByPropertyName && p.Aliases.Prepend(p.Name).Any(vs.ContainsKey))
                .Where(p => p.Name is not ("Scheduler" or "SchedulerFlags" or "Persistent" or "PersistenceTimeout" or "PersistenceNetmask" or "PersistenceEngine" or "OnePacket"))
                .Select(p => p.Name).ToList();
            Assert.Equal(new[] { "Service" }, bound);
        }
    }

    [Fact]
    public void ConfigurationCmdletsTakeAFileADocumentOrText()
    {
        var document = Assert.Single(_m.Cmdlet("Get-LvsConfiguration").OutputTypes);
        Assert.Equal("LvsAdmin.Configuration.LvsConfiguration", document.FullName);
        foreach (var name in new[] { "Compare-LvsConfiguration", "Set-LvsConfiguration", "Test-LvsConfiguration" })
        {
            var c = _m.Cmdlet(name);
            Assert.Equal(new[] { "Configuration", "Path", "Text" }, c.ParameterSets.OrderBy(s => s, StringComparer.Ordinal));
            Assert.Equal("Path", c.DefaultParameterSetName);
            Assert.True(c.Parameters.Single(p => p.Name == "Path").IsMandatoryIn("Path"));
            var configuration = c.Parameters.Single(p => p.Name == "Configuration");
            Assert.True(configuration.IsMandatoryIn("Configuration"));
            Assert.Equal(document.FullName, configuration.Type.FullName);
            Assert.Contains(configuration.ParameterAttributes, a => CmdletParameter.Named<bool>(a, "ValueFromPipeline"));
            var text = c.Parameters.Single(p => p.Name == "InputObject");
            Assert.Equal("System.String", text.Type.FullName);
            Assert.Contains(text.ParameterAttributes, a => CmdletParameter.Named<bool>(a, "ValueFromPipeline"));
            Assert.Contains(c.Parameters, p => p.Name == "Prune");
        }
        var export = _m.Cmdlet("Export-LvsConfiguration");
        Assert.Contains(export.Parameters.Single(p => p.Name == "Configuration").ParameterAttributes, a => CmdletParameter.Named<bool>(a, "ValueFromPipeline"));
        Assert.True(_m.Cmdlet("Import-LvsConfiguration").Parameters.Single(p => p.Name == "Path").IsMandatoryIn("__AllParameterSets"));
        foreach (var name in new[] { "Set-LvsConfiguration", "Import-LvsConfiguration", "Remove-LvsRealServer" })
        {
            Assert.Equal("System.Management.Automation.SwitchParameter", _m.Cmdlet(name).Parameters.Single(p => p.Name == "Drain").Type.FullName);
            Assert.Equal("System.UInt32", _m.Cmdlet(name).Parameters.Single(p => p.Name == "DrainTimeout").Type.FullName);
        }
        Assert.Equal(new[] { "System.Boolean", "LvsAdmin.Configuration.PlanStep" }, _m.Cmdlet("Test-LvsConfiguration").OutputTypes.Select(t => t.FullName));
        Assert.Equal("LvsAdmin.Configuration.ApplyResult", Assert.Single(_m.Cmdlet("Set-LvsConfiguration").OutputTypes).FullName);
    }

    [Fact]
    public void IdentityParameterSetsOfServiceCmdlets()
    {
        foreach (var name in new[] { "New-LvsVirtualService", "Set-LvsVirtualService", "Remove-LvsVirtualService" })
        {
            var c = _m.Cmdlet(name);
            Assert.Equal(new[] { "Address", "FirewallMark", "Service" }, c.ParameterSets.OrderBy(s => s, StringComparer.Ordinal));
            Assert.Equal("Service", c.DefaultParameterSetName);
            Assert.True(c.Parameters.Single(p => p.Name == "Service").IsMandatoryIn("Service"));
            Assert.True(c.Parameters.Single(p => p.Name == "Address").IsMandatoryIn("Address"));
            Assert.True(c.Parameters.Single(p => p.Name == "FirewallMark").IsMandatoryIn("FirewallMark"));
            // Only -Service binds from the pipeline among the identity parameters (the others would misbind from services).
            foreach (var p in c.Parameters.Where(p => p.Name is "Protocol" or "Address" or "Port" or "FirewallMark" or "AddressFamily"))
                Assert.False(p.ByPropertyName, $"{name} -{p.Name} must not bind by property name");
        }
    }

    [Fact]
    public void CompletersAndTransformationsAreWired()
    {
        string? CompleterOf(string cmdlet, string parameter) => _m.Cmdlet(cmdlet).Parameters.Single(p => p.Name == parameter).Property.CustomAttributes
            .Where(a => a.AttributeType.FullName == "System.Management.Automation.ArgumentCompleterAttribute")
            .Select(a => ((Type)a.ConstructorArguments[0].Value!).Name).SingleOrDefault();
        Assert.Equal("SchedulerCompleter", CompleterOf("New-LvsVirtualService", "Scheduler"));
        Assert.Equal("SchedulerFlagsCompleter", CompleterOf("Set-LvsVirtualService", "SchedulerFlags"));
        Assert.Equal("ForwardingMethodCompleter", CompleterOf("Add-LvsRealServer", "ForwardingMethod"));
        var fm = _m.Cmdlet("Set-LvsRealServer").Parameters.Single(p => p.Name == "ForwardingMethod");
        Assert.Contains(fm.Property.CustomAttributes, a => a.AttributeType.Name == "ForwardingMethodTransformationAttribute");
        foreach (var name in new[] { "Add-LvsVirtualAddress", "Remove-LvsVirtualAddress", "Get-LvsVirtualAddress", "Set-LvsRealServerArp", "Initialize-LvsRealServer",
                     "Reset-LvsRealServer", "Test-LvsRealServer", "Initialize-LvsDirector", "Reset-LvsDirector", "Test-LvsDirector" })
            Assert.Equal("InterfaceNameCompleter", CompleterOf(name, "InterfaceName"));
        // -Mode is an enum: PowerShell completes its values itself (an ArgumentCompleter on an enum parameter is not used).
        foreach (var name in new[] { "Initialize-LvsRealServer", "Reset-LvsRealServer", "Test-LvsRealServer", "Initialize-LvsDirector", "Reset-LvsDirector", "Test-LvsDirector" })
            Assert.True(_m.Cmdlet(name).Parameters.Single(p => p.Name == "Mode").Type.IsEnum, name + " -Mode is not an enum");
        // PowerShell completes enum (and ValidateSet) parameters itself and never asks their ArgumentCompleter
        // (CompletionCompleters.ProcessParameter): a completer on one would be dead, as -ForwardingMethod's was.
        foreach (var c in _m.Cmdlets)
            foreach (var p in c.Parameters.Where(p => p.Property.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Management.Automation.ArgumentCompleterAttribute")))
                Assert.False((p.Type.IsArray ? p.Type.GetElementType()! : p.Type).IsEnum, $"{c.Name} -{p.Name}: an ArgumentCompleter on an enum parameter is never used");
        var completer = _m.Automation.GetType("System.Management.Automation.IArgumentCompleter", true)!;
        foreach (var t in _m.Assembly.GetTypes().Where(t => t.Name.EndsWith("Completer", StringComparison.Ordinal)))
            Assert.Contains(t.GetInterfaces(), i => i.FullName == completer.FullName);
    }

    [Fact]
    public void HostSetupChangersPersistAndPassThruAndTestsAreQuiet()
    {
        foreach (var c in _m.Cmdlets.Where(c => c.Noun is "LvsVirtualAddress" or "LvsRealServerArp" or "LvsSysctl" or "LvsDirector"
                     || (c.Noun == "LvsRealServer" && c.Verb is "Initialize" or "Reset" or "Test")))
        {
            var names = c.Parameters.Select(p => p.Name).ToHashSet();
            if (c.SupportsShouldProcess)
            {
                Assert.Contains("Persist", names);
                Assert.Contains("PassThru", names);
            }
            if (c.Verb == "Test")
            {
                Assert.Contains("Quiet", names);
                Assert.Contains(c.OutputTypes, t => t.FullName == "System.Boolean");
                Assert.Contains(c.OutputTypes, t => t.FullName == "LvsAdmin.HostSetup.HostFinding");
            }
        }
    }

    [Fact]
    public void SetLvsSysctlTypedParametersMatchTheKernelCatalog()
    {
        var c = _m.Cmdlet("Set-LvsSysctl");
        var typed = c.Parameters.Where(p => p.Sets.Contains("Typed")).Select(p => p.Name).ToList();
        Assert.True(typed.Count >= 10, "too few typed settings: " + string.Join(", ", typed));
        // Every setting of the catalog, so the Fix of a failed IpvsSysctl finding ("Set-LvsSysctl -<PropertyName> value") always works.
        foreach (var def in LvsAdmin.HostSetup.IpvsSysctls.All) Assert.Contains(def.PropertyName, typed);
        // The metadata load context cannot run code: the catalog is read from the Core assembly the tests reference.
        foreach (var p in c.Parameters.Where(p => p.Sets.Contains("Typed")))
        {
            var def = LvsAdmin.HostSetup.IpvsSysctls.Find(p.Name);
            Assert.True(def is not null, $"Set-LvsSysctl -{p.Name} names no net.ipv4.vs setting");
            Assert.Equal(def!.PropertyName, p.Name);
            if (def.Type == LvsAdmin.HostSetup.IpvsSysctlType.Boolean) Assert.Equal("System.Boolean", p.Type.FullName);
            else if (def.Type is LvsAdmin.HostSetup.IpvsSysctlType.IntegerPair or LvsAdmin.HostSetup.IpvsSysctlType.CpuList) Assert.Equal("System.String", p.Type.FullName);
            else
            {
                Assert.Equal("System.Int32", p.Type.FullName);
                var range = p.Property.CustomAttributes.Single(a => a.AttributeType.FullName == "System.Management.Automation.ValidateRangeAttribute");
                Assert.Equal(def.Minimum, Convert.ToInt64(range.ConstructorArguments[0].Value));
                Assert.Equal(Math.Min(def.Maximum, int.MaxValue), Convert.ToInt64(range.ConstructorArguments[1].Value));
            }
        }
    }
}
