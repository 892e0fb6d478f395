using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Module;

/// <summary>
/// LvsAdmin.format.ps1xml and LvsAdmin.types.ps1xml: valid against PowerShell's schemas, and every type, property
/// and static method they name exists (PowerShell would only complain at Import-Module, or print empty columns).
/// </summary>
public class FormatAndTypesTests : IClassFixture<ModuleFixture>
{
    private static readonly Assembly Core = typeof(VirtualService).Assembly;
    private readonly ModuleFixture _module;

    public FormatAndTypesTests(ModuleFixture module) => _module = module;

    /// <summary>A type the files name: from LvsAdmin.Core, or from LvsAdmin.dll (read as metadata only).</summary>
    private Type? FindType(string name) => Core.GetType(name) ?? _module.Assembly.GetType(name);
    private static readonly XDocument Format = XDocument.Load(ModulePaths.FormatFile);
    private static readonly XDocument Types = XDocument.Load(ModulePaths.TypesFile);

    private static List<string> Validate(string file, string schema)
    {
        var errors = new List<string>();
        var set = new XmlSchemaSet();
        set.Add(null, Path.Combine(ModulePaths.SchemaDirectory, schema));
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = set };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} line {e.Exception?.LineNumber}: {e.Message}");
        using (var reader = XmlReader.Create(file, settings))
            while (reader.Read()) { }
        return errors;
    }

    [SchemaFact]
    public void FormatFileIsValid() => Assert.Empty(Validate(ModulePaths.FormatFile, "Format.xsd"));

    [SchemaFact]
    public void TypesFileIsValid() => Assert.Empty(Validate(ModulePaths.TypesFile, "Types.xsd"));

    [SchemaFact]
    public void TheSchemaCatchesMistakes()
    {
        // The validation is real: a column without PropertyName/ScriptBlock order is rejected.
        var bad = Path.Combine(Path.GetTempPath(), "lvsadmin-bad-" + Guid.NewGuid().ToString("N") + ".ps1xml");
        try
        {
            File.WriteAllText(bad, "<Configuration><ViewDefinitions><View><Name>x</Name><TableControl/></View></ViewDefinitions></Configuration>");
            Assert.NotEmpty(Validate(bad, "Format.xsd"));
        }
        finally
        {
            File.Delete(bad);
        }
    }

    private static Type Resolve(string typeName)
    {
        var name = typeName.StartsWith("Deserialized.", StringComparison.Ordinal) ? typeName["Deserialized.".Length..] : typeName;
        return Core.GetType(name) ?? throw new Xunit.Sdk.XunitException($"'{typeName}' names no type in LvsAdmin.Core");
    }

    /// <summary>The members PowerShell will see on a type: its public properties plus those types.ps1xml adds.</summary>
    private static HashSet<string> MembersOf(Type t)
    {
        var set = t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var entry = Types.Root!.Elements("Type").SingleOrDefault(e => e.Element("Name")!.Value == t.FullName);
        if (entry?.Element("Members") is { } members)
            foreach (var m in members.Elements().Where(e => e.Name.LocalName != "MemberSet"))
                set.Add(m.Element("Name")!.Value);
        return set;
    }

    private void CheckScript(string script, Type type, string where)
    {
        foreach (Match m in Regex.Matches(script, @"\$(?:_|this)\.(\w+)"))
            Assert.True(MembersOf(type).Contains(m.Groups[1].Value), $"{where}: {type.Name} has no member '{m.Groups[1].Value}' ({script})");
        foreach (Match m in Regex.Matches(script, @"\[(LvsAdmin\.[\w.]+)\]::(\w+)\("))
        {
            var t = FindType(m.Groups[1].Value);
            Assert.True(t is not null, $"{where}: no type {m.Groups[1].Value}");
            Assert.True(t!.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(x => x.Name == m.Groups[2].Value),
                $"{where}: {t.Name} has no public static {m.Groups[2].Value}");
        }
    }

    [Fact]
    public void EveryTypesEntryNamesRealMembers()
    {
        var names = Types.Root!.Elements("Type").Select(e => e.Element("Name")!.Value).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var expected in new[] { "VirtualService", "RealServer", "IpvsTimeouts", "SyncDaemon", "IpvsInfo", "IpvsConnection" })
            Assert.Contains(names, n => n.EndsWith("." + expected, StringComparison.Ordinal));
        foreach (var e in Types.Root.Elements("Type"))
        {
            var type = Resolve(e.Element("Name")!.Value);
            var clr = type.GetProperties().Select(p => p.Name).ToHashSet();
            foreach (var sp in e.Descendants("ScriptProperty"))
            {
                Assert.DoesNotContain(sp.Element("Name")!.Value, clr); // would hide the real property
                CheckScript(sp.Element("GetScriptBlock")!.Value, type, type.Name + "." + sp.Element("Name")!.Value);
            }
            foreach (var cp in e.Descendants("CodeProperty"))
            {
                var name = cp.Element("Name")!.Value;
                Assert.DoesNotContain(name, clr);
                var reference = cp.Element("GetCodeReference")!;
                var t = FindType(reference.Element("TypeName")!.Value);
                Assert.True(t is not null, $"{type.Name}.{name}: no type {reference.Element("TypeName")!.Value}");
                // PowerShell calls a code property's getter as a public static method of one PSObject parameter.
                var getter = t!.GetMethods(BindingFlags.Public | BindingFlags.Static).SingleOrDefault(x => x.Name == reference.Element("MethodName")!.Value);
                Assert.True(getter is not null, $"{type.Name}.{name}: {t.Name} has no public static {reference.Element("MethodName")!.Value}");
                Assert.Equal("System.Management.Automation.PSObject", Assert.Single(getter!.GetParameters()).ParameterType.FullName);
            }
            foreach (var ap in e.Descendants("AliasProperty"))
                Assert.Contains(ap.Element("ReferencedMemberName")!.Value, MembersOf(type));
            foreach (var ps in e.Descendants("PropertySet"))
            foreach (var n in ps.Element("ReferencedProperties")!.Elements("Name"))
                Assert.True(MembersOf(type).Contains(n.Value), $"{type.Name} {ps.Element("Name")!.Value}: no property {n.Value}");
            Assert.Contains(e.Descendants("PropertySet"), ps => ps.Element("Name")!.Value == "DefaultDisplayPropertySet");
        }
    }

    [Fact]
    public void ListedTypesComputeTheirExtraPropertiesInCSharp()
    {
        // Services, real servers and connections are listed by the thousand, and the formatter reads these properties
        // once per object: a script property would run a script block for each (and compile it in each session).
        foreach (var name in new[] { "LvsAdmin.Ipvs.VirtualService", "LvsAdmin.Ipvs.RealServer", "LvsAdmin.Connections.IpvsConnection" })
        {
            var entry = Types.Root!.Elements("Type").Single(e => e.Element("Name")!.Value == name);
            Assert.Empty(entry.Descendants("ScriptProperty"));
            Assert.NotEmpty(entry.Descendants("CodeProperty"));
        }
    }

    [Fact]
    public void EveryViewNamesRealTypesAndProperties()
    {
        var views = Format.Descendants("View").ToList();
        Assert.NotEmpty(views);
        foreach (var v in views)
        {
            var name = v.Element("Name")!.Value;
            var types = v.Element("ViewSelectedBy")!.Elements("TypeName").Select(t => Resolve(t.Value)).Distinct().ToList();
            Assert.Single(types);
            var type = types[0];
            var where = $"view {name} of {type.Name}";
            foreach (var p in v.Descendants("PropertyName")) Assert.True(MembersOf(type).Contains(p.Value), $"{where}: no property {p.Value}");
            foreach (var s in v.Descendants("ScriptBlock")) CheckScript(s.Value, type, where);
            if (v.Element("TableControl") is { } table)
            {
                var headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").Count();
                foreach (var row in table.Descendants("TableRowEntry"))
                    Assert.Equal(headers, row.Element("TableColumnItems")!.Elements("TableColumnItem").Count());
            }
        }
    }

    [Fact]
    public void ViewsAreTheAgreedOnes()
    {
        Dictionary<string, List<string>> byType = Format.Descendants("View")
            .GroupBy(v => Resolve(v.Element("ViewSelectedBy")!.Elements("TypeName").First().Value).Name)
            .ToDictionary(g => g.Key, g => g.Select(v => v.Element("Name")!.Value).ToList());
        // The first view of a type is its default.
        // Services default to the ipvsadm -Ln listing (titles once per host, each service with its real servers
        // under it, both from the core's IpvsadmListFormat); Format-Table picks the VirtualService table view.
        Assert.Equal("VirtualServiceList", byType["VirtualService"][0]);
        Assert.Contains("VirtualService", byType["VirtualService"]);
        var listView = Format.Descendants("View").Single(v => v.Element("Name")!.Value == "VirtualServiceList");
        Assert.NotNull(listView.Element("CustomControl"));
        // ServiceListView prints live and deserialized services alike (tests/host/Format.Tests.ps1 pins the text).
        Assert.Contains("[LvsAdmin.Commands.ServiceListView]::Entry(", listView.Element("CustomControl")!.Value);
        Assert.Contains("[LvsAdmin.Commands.ServiceListView]::Header(", listView.Element("GroupBy")!.Element("CustomControl")!.Value);
        Assert.Equal("RealServer", byType["RealServer"][0]);
        foreach (var named in new[] { "Statistics", "Rate", "Thresholds", "Persistence" })
        {
            Assert.Contains(named, byType["VirtualService"]);
            Assert.Contains(named, byType["RealServer"]);
        }
        Assert.Contains("Connection", byType["IpvsConnection"]);
        foreach (var list in byType.Values) Assert.Equal(list.Count, list.Distinct().Count());
        // Real server tables are grouped by their service, like ipvsadm -Ln.
        foreach (var v in Format.Descendants("View").Where(v => v.Element("ViewSelectedBy")!.Elements("TypeName").First().Value == "LvsAdmin.Ipvs.RealServer"))
            Assert.Equal("Service", v.Element("GroupBy")?.Element("PropertyName")?.Value);
        // Every view also formats deserialized objects (remoting, jobs, Import-Clixml).
        foreach (var v in Format.Descendants("View"))
            Assert.Contains(v.Element("ViewSelectedBy")!.Elements("TypeName"), t => t.Value.StartsWith("Deserialized.", StringComparison.Ordinal));
    }
}
