using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace LvsAdmin.Tests.Help;

/// <summary>
/// Every ErrorId the help names must be one the code can emit: a script that catches by the documented id must not
/// miss the error. The docs name ids in a few forms, all recognised here:
/// <list type="bullet">
/// <item>after "the error", "error", "ErrorId"/"ErrorIds" or "stops the cmdlet/it with", a list of ids
/// ("the error A", "ErrorId `B`", "ErrorId **C**", "with A, B or C (category InvalidArgument)");</item>
/// <item>the heads of the list items under a paragraph that mentions ErrorId ("- A, B (InvalidArgument): why; C: why");</item>
/// <item>the first column of a table whose first header is ErrorId ("| A / B | when |").</item>
/// </list>
/// The code can emit an id when it is a string literal in src (every ErrorId is one: exception constructors, error
/// records), or when it is Invalid + a parameter name given as a literal (IpvsValidationException's default id).
/// </summary>
public sealed class DocumentedErrorIdTests
{
    private const string Id = @"[`*]*(?<id>[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)[`*]*(?:\s*\([^()]*\))?";
    private const string Separator = @"(?:\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+|\s*/\s*)";
    private static readonly Regex AfterTrigger = new(
        @"(?:\bthe error|\berrors?|\bErrorIds?|\bstops (?:the cmdlet|it) with)\s+\(?" + Id + "(?:" + Separator + Id + ")*");
    private static readonly Regex IdList = new("^" + Id + "(?:" + Separator + Id + @")*(?:\s*,\s*\.\.\.)?(?:\s*\([^()]*\))?$");

    /// <summary>The documented ids, each with the places ("file:line") that name it.</summary>
    internal static Dictionary<string, List<string>> DocumentedIds()
    {
        var ids = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var files = Directory.GetFiles(HelpPaths.DocsDir, "*.md", SearchOption.AllDirectories)
            .Append(Path.Combine(HelpPaths.RepoRoot, "README.md"));
        foreach (var file in files.OrderBy(f => f, StringComparer.Ordinal))
            foreach (var (id, line) in IdsIn(File.ReadAllText(file)))
            {
                if (!ids.TryGetValue(id, out var places)) ids[id] = places = new List<string>();
                places.Add(Path.GetRelativePath(HelpPaths.RepoRoot, file) + ":" + line);
            }
        return ids;
    }

    /// <summary>The ids one markdown text names, with their line numbers (code blocks are skipped).</summary>
    internal static List<(string Id, int Line)> IdsIn(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var found = new List<(string, int)>();
        var block = new List<(string Text, int Line)>(); // a paragraph, or one list item with its wrapped lines
        var blockIsItem = false;
        var inCode = false;
        var idTable = false;
        var idList = false; // list items under a paragraph that mentions ErrorId

        void End()
        {
            if (block.Count == 0) return;
            // Joined, so a list of ids may wrap; match positions map back to lines.
            var text = string.Join(" ", block.Select(b => b.Text));
            int LineAt(int index)
            {
                var offset = 0;
                foreach (var (t, n) in block)
                {
                    if (index <= offset + t.Length) return n;
                    offset += t.Length + 1;
                }
                return block[^1].Line;
            }
            foreach (Match m in AfterTrigger.Matches(text))
                foreach (Capture c in m.Groups["id"].Captures) found.Add((c.Value, LineAt(c.Index)));
            if (blockIsItem && idList)
            {
                // "A, B (Category): why; C (Category): why": the head of each clause is a list of ids.
                var flat = Regex.Replace(text, @"\([^()]*\)", m => m.Value.Replace(':', ' ').Replace(';', ' '));
                foreach (var clause in flat.Split(';'))
                {
                    var colon = clause.IndexOf(':');
                    if (colon < 0) continue;
                    var head = IdList.Match(clause[..colon].Trim());
                    if (head.Success)
                        foreach (Capture c in head.Groups["id"].Captures) found.Add((c.Value, block[0].Line));
                }
            }
            if (!blockIsItem) idList = text.Contains("ErrorId", StringComparison.Ordinal);
            block.Clear();
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                End();
                inCode = !inCode;
                continue;
            }
            if (inCode) continue;
            if (trimmed.StartsWith('|'))
            {
                End();
                var cells = trimmed.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
                if (cells[0] == "ErrorId") idTable = true;
                else if (idTable && !cells[0].StartsWith("---", StringComparison.Ordinal))
                    foreach (var part in cells[0].Split('/'))
                        if (Regex.Match(part.Trim(), "^" + Id + "$") is { Success: true } m) found.Add((m.Groups["id"].Value, i + 1));
                continue;
            }
            idTable = false;
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                End();
                if (trimmed.StartsWith('#')) idList = false;
                continue;
            }
            if (trimmed.StartsWith("- ", StringComparison.Ordinal))
            {
                End();
                blockIsItem = true;
                block.Add((trimmed[2..], i + 1));
                continue;
            }
            if (blockIsItem && block.Count > 0 && line.StartsWith(' '))
            {
                block.Add((trimmed, i + 1)); // a wrapped list item
                continue;
            }
            if (blockIsItem) End();
            blockIsItem = false;
            block.Add((trimmed, i + 1));
        }
        End();
        return found;
    }

    /// <summary>Every identifier-like string literal in the module's sources (src/LvsAdmin and src/LvsAdmin.Core).</summary>
    internal static HashSet<string> SourceLiterals()
    {
        var literals = new HashSet<string>(StringComparer.Ordinal);
        foreach (var project in new[] { "LvsAdmin", "LvsAdmin.Core" })
        {
            var dir = Path.Combine(HelpPaths.RepoRoot, "src", project);
            foreach (var file in Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                var rel = Path.GetRelativePath(dir, file).Replace('\\', '/');
                if (rel.StartsWith("obj/", StringComparison.Ordinal) || rel.StartsWith("bin/", StringComparison.Ordinal)) continue;
                foreach (Match m in Regex.Matches(File.ReadAllText(file), "(?<![A-Za-z0-9_$@])\"([A-Z][A-Za-z0-9]*)\"")) literals.Add(m.Groups[1].Value);
            }
        }
        return literals;
    }

    /// <summary>Whether the code can emit <paramref name="id"/> (see the class summary).</summary>
    internal static bool Emittable(string id, HashSet<string> literals) =>
        literals.Contains(id) || (id.StartsWith("Invalid", StringComparison.Ordinal) && id.Length > 7 && literals.Contains(id[7..]));

    [Fact]
    public void EveryDocumentedErrorIdIsOneTheCodeCanEmit()
    {
        var literals = SourceLiterals();
        var wrong = DocumentedIds()
            .Where(kv => !Emittable(kv.Key, literals))
            .Select(kv => $"{kv.Key} (named in {string.Join(", ", kv.Value)})")
            .ToList();
        Assert.True(wrong.Count == 0, "Documented ErrorIds the code never emits:\n" + string.Join("\n", wrong));
    }

    /// <summary>PowerShell's ErrorCategory names: the docs give them in parentheses, they are never ids.</summary>
    private static readonly HashSet<string> ErrorCategories = new(StringComparer.Ordinal)
    {
        "NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected", "InvalidArgument", "InvalidData",
        "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError", "NotImplemented", "NotInstalled", "ObjectNotFound",
        "OperationStopped", "OperationTimeout", "SyntaxError", "ParserError", "PermissionDenied", "ResourceBusy", "ResourceExists",
        "ResourceUnavailable", "ReadError", "WriteError", "FromStdErr", "SecurityError", "ProtocolError", "ConnectionError",
        "AuthenticationError", "LimitsExceeded", "QuotaExceeded", "NotEnabled",
    };

    [Fact]
    public void TheRecogniserFindsTheIdsOfEveryForm()
    {
        // If the doc forms drift away from what IdsIn recognises, the check above would pass vacuously.
        var ids = DocumentedIds();
        foreach (var expected in new[]
                 {
                     "VirtualServiceExists", "VirtualServiceNotFound", "RealServerExists", "IpvsModuleNotLoaded", "InvalidPort",
                     "ConfigurationParseError", "UnsupportedSchemaVersion", "ApplyFailedRollbackIncomplete", "HostSettingsUnavailable",
                     "InterfaceNotFound", "SysctlReadOnly", "PersistInNamespaceNotSupported", "DrainTimeout", "FileExists",
                 })
            Assert.True(ids.ContainsKey(expected), expected + " is documented but was not recognised");
        Assert.DoesNotContain(ids.Keys, k => ErrorCategories.Contains(k));
        Assert.True(ids.Count >= 40, $"only {ids.Count} documented ids recognised");
    }

    [Theory]
    [InlineData("A service that does not exist is the error ServiceNotFound (category ObjectNotFound).", "ServiceNotFound")]
    [InlineData("the cmdlet stops with the error IpvsNotLoaded (category NotInstalled).", "IpvsNotLoaded")]
    [InlineData("stops the cmdlet with ConfigurationParseError, UnsupportedSchemaVersion or ConfigurationInvalid (category InvalidArgument).",
        "ConfigurationParseError UnsupportedSchemaVersion ConfigurationInvalid")]
    [InlineData("fails with ErrorId `UnsupportedSchemaVersion`; then ErrorId **ApplyFailedRolledBack** and the ErrorId (DrainTimeout, ...).",
        "UnsupportedSchemaVersion ApplyFailedRolledBack DrainTimeout")]
    [InlineData("Errors, with their ErrorId and category:\n\n- InvalidAddress, InvalidLabel (InvalidArgument): bad; SysctlNotFound (ObjectNotFound): gone.\n- HostStateInvalid: unreadable.",
        "InvalidAddress InvalidLabel SysctlNotFound HostStateInvalid")]
    [InlineData("| ErrorId | when |\n| --- | --- |\n| ApplyFailedRolledBack / ApplyFailedRollbackIncomplete | a step failed |", "ApplyFailedRolledBack ApplyFailedRollbackIncomplete")]
    [InlineData("- `-6`, `--ipv6` (with -f): -Service fwm/MARK/ipv6, or -FirewallMark MARK -AddressFamily IPv6.", "")]
    [InlineData("a bad value stops the cmdlet with an error and an ErrorId, and nothing changes.\n```\ncatch { $_.FullyQualifiedErrorId -eq 'NotAnId' }\n```", "")]
    public void IdsAreRecognisedInEachForm(string markdown, string expected)
    {
        var ids = IdsIn(markdown).Select(x => x.Id).Distinct().ToList();
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), ids);
    }

    [Fact]
    public void AnIdTheCodeNeverEmitsIsCaught()
    {
        var literals = SourceLiterals();
        Assert.True(Emittable("VirtualServiceNotFound", literals));
        Assert.True(Emittable("InvalidWeight", literals)); // IpvsValidationException("Weight", ...)
        foreach (var wrong in new[] { "ServiceNotFound", "ServiceAlreadyExists", "RealServerAlreadyExists", "IpvsNotLoaded" })
            Assert.False(Emittable(wrong, literals), wrong);
    }
}
