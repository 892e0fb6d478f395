using System;
using System.IO;

namespace LvsAdmin.Tests.Help;

/// <summary>Where the repository, its docs and PowerShell's shared schemas are.</summary>
internal static class HelpPaths
{
    public const string SharedDirVariable = "LVS_SHARED_DIR";

    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LvsAdmin.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"LvsAdmin.slnx not found above {AppContext.BaseDirectory}.");
    });

    public static string RepoRoot => Root.Value;

    public static string DocsDir => Path.Combine(RepoRoot, "docs");

    public static string SamplesDir => Path.Combine(RepoRoot, "tests", "LvsAdmin.Tests", "Help", "Samples");

    /// <summary>
    /// The folder of PowerShell's MAML schemas (…/schemas/powershell/PSMaml), or null with the reason. Looked for
    /// in $LVS_SHARED_DIR (the shared folder, or its schemas/powershell folder) and then in shared/schemas/powershell
    /// next to the repository root or any folder above it (the layout is ../shared beside the checkout).
    /// </summary>
    public static string? FindMamlSchemaDir(out string reason)
    {
        var env = Environment.GetEnvironmentVariable(SharedDirVariable);
        if (!string.IsNullOrEmpty(env))
        {
            foreach (var candidate in new[] { Path.Combine(env, "schemas", "powershell", "PSMaml"), Path.Combine(env, "PSMaml") })
            {
                if (HasEntry(candidate))
                {
                    reason = string.Empty;
                    return candidate;
                }
            }

            reason = $"${SharedDirVariable} is '{env}' but neither {env}/schemas/powershell/PSMaml/Maml.xsd nor {env}/PSMaml/Maml.xsd exists.";
            return null;
        }

        for (var dir = new DirectoryInfo(RepoRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "schemas", "powershell", "PSMaml");
            if (HasEntry(candidate))
            {
                reason = string.Empty;
                return candidate;
            }
        }

        reason = $"PowerShell's MAML schemas (shared/schemas/powershell/PSMaml/Maml.xsd) were not found beside {RepoRoot} or any folder above it, and ${SharedDirVariable} is not set.";
        return null;
    }

    /// <summary>The entry schema file (Maml.xsd; the schemas themselves spell it maml.xsd too).</summary>
    public static string? EntrySchema(string dir)
    {
        foreach (var name in new[] { "Maml.xsd", "maml.xsd" })
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static bool HasEntry(string dir) => Directory.Exists(dir) && EntrySchema(dir) is not null;
}
