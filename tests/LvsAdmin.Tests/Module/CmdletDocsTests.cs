using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace LvsAdmin.Tests.Module;

/// <summary>Every exported cmdlet has its docs/&lt;Verb-Noun&gt;.md, and the page documents exactly its parameters.</summary>
public class CmdletDocsTests : IClassFixture<ModuleFixture>
{
    private readonly ModuleFixture _m;

    public CmdletDocsTests(ModuleFixture m) => _m = m;

    private static string PageOf(string cmdlet) => Path.Combine(ModulePaths.RepositoryRoot, "docs", cmdlet + ".md");

    [Fact]
    public void EveryCmdletHasAHelpPage()
    {
        var missing = _m.Cmdlets.Where(c => !File.Exists(PageOf(c.Name))).Select(c => c.Name).ToList();
        Assert.True(missing.Count == 0, "no docs page for: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryPageBelongsToACmdlet()
    {
        var names = _m.Cmdlets.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.GetFiles(Path.Combine(ModulePaths.RepositoryRoot, "docs"), "*-*.md")
            .Select(Path.GetFileNameWithoutExtension).Where(n => !names.Contains(n!)).ToList();
        Assert.True(orphans.Count == 0, "docs pages without a cmdlet: " + string.Join(", ", orphans));
    }

    [Fact]
    public void EveryParameterIsDocumentedAndNothingElse()
    {
        foreach (var c in _m.Cmdlets)
        {
            var text = File.ReadAllText(PageOf(c.Name));
            var documented = Regex.Matches(text, @"^### -(\w+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var expected = c.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (c.SupportsShouldProcess)
            {
                expected.Add("WhatIf");
                expected.Add("Confirm");
            }
            var undocumented = expected.Except(documented, StringComparer.OrdinalIgnoreCase).ToList();
            var unknown = documented.Except(expected, StringComparer.OrdinalIgnoreCase).ToList();
            Assert.True(undocumented.Count == 0, $"{c.Name}: parameters without a ### -Name section: {string.Join(", ", undocumented)}");
            Assert.True(unknown.Count == 0, $"{c.Name}: documented parameters the cmdlet does not have: {string.Join(", ", unknown)}");
            Assert.True(Regex.Matches(text, @"^### Example \d+", RegexOptions.Multiline).Count >= 2, $"{c.Name}: fewer than two examples");
        }
    }
}
