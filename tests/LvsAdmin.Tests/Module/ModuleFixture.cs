using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Xunit;

namespace LvsAdmin.Tests.Module;

/// <summary>Paths baked in by the test project (see LvsAdmin.Tests.csproj).</summary>
internal static class ModulePaths
{
    private static string Metadata(string key) =>
        typeof(ModulePaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException("missing assembly metadata " + key);

    public static string LvsAdminAssembly => Metadata("LvsAdminAssembly");
    public static string PowerShellReferenceAssembly => Metadata("PowerShellReferenceAssembly");
    public static string RepositoryRoot => Metadata("RepositoryRoot");
    public static string Manifest => Path.Combine(RepositoryRoot, "LvsAdmin.psd1");
    public static string FormatFile => Path.Combine(RepositoryRoot, "src", "LvsAdmin", "LvsAdmin.format.ps1xml");
    public static string TypesFile => Path.Combine(RepositoryRoot, "src", "LvsAdmin", "LvsAdmin.types.ps1xml");

    /// <summary>
    /// PowerShell's schemas at ../shared/schemas/powershell from the repository root; a git worktree deeper down
    /// (e.g. /work/wt/NAME) finds them further up. The first candidate is reported when none exists.
    /// </summary>
    public static string SchemaDirectory
    {
        get
        {
            var first = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "schemas", "powershell"));
            for (var dir = new DirectoryInfo(RepositoryRoot).Parent; dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "schemas", "powershell");
                if (File.Exists(Path.Combine(candidate, "Format.xsd"))) return candidate;
            }
            return first;
        }
    }
}

/// <summary>A fact that is skipped, saying why, when the PowerShell schemas at ../shared/schemas/powershell are absent.</summary>
public sealed class SchemaFactAttribute : FactAttribute
{
    public SchemaFactAttribute()
    {
        if (!File.Exists(Path.Combine(ModulePaths.SchemaDirectory, "Format.xsd")))
            Skip = $"PowerShell schemas not found at {ModulePaths.SchemaDirectory} (../shared/schemas/powershell from the repository root); format/types schema validation skipped.";
    }
}

/// <summary>One cmdlet parameter as PowerShell would see it, read from metadata.</summary>
internal sealed record CmdletParameter(string Name, Type Type, PropertyInfo Property, IReadOnlyList<CustomAttributeData> ParameterAttributes, IReadOnlyList<string> Aliases)
{
    public static string SetOf(CustomAttributeData a) => Named<string>(a, "ParameterSetName") ?? "__AllParameterSets";
    public static T? Named<T>(CustomAttributeData a, string name) =>
        a.NamedArguments.Where(n => n.MemberName == name).Select(n => (T?)n.TypedValue.Value).FirstOrDefault();
    public bool ByPropertyName => ParameterAttributes.Any(a => Named<bool>(a, "ValueFromPipelineByPropertyName"));
    public IEnumerable<string> Sets => ParameterAttributes.Select(SetOf);
    public bool IsMandatoryIn(string set) => ParameterAttributes.Any(a => (SetOf(a) == set || SetOf(a) == "__AllParameterSets") && Named<bool>(a, "Mandatory"));
    public bool InSet(string set) => Sets.Any(s => s == set || s == "__AllParameterSets");
}

/// <summary>One cmdlet class with its [Cmdlet] data.</summary>
internal sealed record CmdletInfo(Type Type, string Verb, string Noun, CustomAttributeData Attribute, IReadOnlyList<CmdletParameter> Parameters)
{
    public string Name => Verb + "-" + Noun;
    public bool SupportsShouldProcess => CmdletParameter.Named<bool>(Attribute, "SupportsShouldProcess");
    public int? ConfirmImpact => Attribute.NamedArguments.Where(n => n.MemberName == "ConfirmImpact").Select(n => (int?)Convert.ToInt32(n.TypedValue.Value)).FirstOrDefault();
    public string? DefaultParameterSetName => CmdletParameter.Named<string>(Attribute, "DefaultParameterSetName");
    public IEnumerable<string> ParameterSets
    {
        get
        {
            var sets = Parameters.SelectMany(p => p.Sets).Where(s => s != "__AllParameterSets").Distinct().ToList();
            if (sets.Count == 0) sets.Add("__AllParameterSets");
            return sets;
        }
    }
    public IEnumerable<Type> OutputTypes => Type.CustomAttributes
        .Where(a => a.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute")
        .SelectMany(a => a.ConstructorArguments)
        .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> many ? many.Select(m => m.Value) : new[] { arg.Value })
        .OfType<Type>();
}

/// <summary>Loads LvsAdmin.dll and the PowerShell reference assembly into a MetadataLoadContext (nothing is executed).</summary>
public sealed class ModuleFixture : IDisposable
{
    private readonly MetadataLoadContext _context;

    public ModuleFixture()
    {
        var dll = ModulePaths.LvsAdminAssembly;
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build src/LvsAdmin first (same configuration as the tests): {dll} is missing.", dll);
        if (!File.Exists(ModulePaths.PowerShellReferenceAssembly))
            throw new FileNotFoundException("PowerShellStandard.Library is not in the NuGet cache: " + ModulePaths.PowerShellReferenceAssembly);
        var paths = new List<string>(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"))
        {
            dll,
            Path.Combine(Path.GetDirectoryName(dll)!, "LvsAdmin.Core.dll"),
            ModulePaths.PowerShellReferenceAssembly,
        };
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Private.CoreLib");
        Assembly = _context.LoadFromAssemblyPath(dll);
        Automation = _context.LoadFromAssemblyPath(ModulePaths.PowerShellReferenceAssembly);
        Core = _context.LoadFromAssemblyPath(Path.Combine(Path.GetDirectoryName(dll)!, "LvsAdmin.Core.dll"));
        Cmdlets = Assembly.GetTypes()
            .Select(t => (Type: t, Attr: t.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute")))
            .Where(x => x.Attr is not null)
            .Select(x => new CmdletInfo(x.Type, (string)x.Attr!.ConstructorArguments[0].Value!, (string)x.Attr.ConstructorArguments[1].Value!, x.Attr, ParametersOf(x.Type)))
            .OrderBy(c => c.Name)
            .ToList();
    }

    public Assembly Assembly { get; }
    public Assembly Automation { get; }
    public Assembly Core { get; }
    internal IReadOnlyList<CmdletInfo> Cmdlets { get; }

    internal CmdletInfo Cmdlet(string name) => Cmdlets.Single(c => c.Name == name);

    private static List<CmdletParameter> ParametersOf(Type type)
    {
        var list = new List<CmdletParameter>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attrs = p.CustomAttributes.Where(a => a.AttributeType.FullName == "System.Management.Automation.ParameterAttribute").ToList();
            if (attrs.Count == 0) continue;
            var aliases = p.CustomAttributes.Where(a => a.AttributeType.FullName == "System.Management.Automation.AliasAttribute")
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> many ? many.Select(m => (string)m.Value!) : new[] { (string)arg.Value! })
                .ToList();
            list.Add(new CmdletParameter(p.Name, p.PropertyType, p, attrs, aliases));
        }
        return list;
    }

    /// <summary>The names in the manifest's CmdletsToExport list.</summary>
    public static List<string> ManifestList(string key)
    {
        var text = File.ReadAllText(ModulePaths.Manifest);
        var m = Regex.Match(text, key + @"\s*=\s*@\((?<body>[^)]*)\)", RegexOptions.Singleline);
        Assert.True(m.Success, $"{key} = @(...) not found in LvsAdmin.psd1");
        return Regex.Matches(m.Groups["body"].Value, "'([^']*)'").Select(x => x.Groups[1].Value).ToList();
    }

    public static string? ManifestValue(string key)
    {
        var m = Regex.Match(File.ReadAllText(ModulePaths.Manifest), @"(?m)^\s*" + key + @"\s*=\s*'([^']*)'");
        return m.Success ? m.Groups[1].Value : null;
    }

    public void Dispose() => _context.Dispose();
}
