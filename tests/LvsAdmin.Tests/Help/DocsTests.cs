using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace LvsAdmin.Tests.Help;

/// <summary>
/// House rules for docs/*.md (cmdlet help), checked straight on the markdown, independently of HelpGen: SYNOPSIS and
/// DESCRIPTION, at least two examples each with code, and SYNTAX and PARAMETERS naming the same parameters.
/// </summary>
public sealed class DocsTests
{
    public static IEnumerable<string> CmdletDocs() =>
        Directory.GetFiles(HelpPaths.DocsDir, "*.md")
            .Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal);

    /// <summary>Every problem of one cmdlet help file, as "file: message" lines.</summary>
    internal static List<string> Problems(string file, string text)
    {
        var problems = new List<string>();
        var name = Path.GetFileName(file);
        text = text.Replace("\r\n", "\n");
        var sections = Regex.Split(text, @"^## ", RegexOptions.Multiline)
            .Skip(1)
            .Select(s => (Title: s[..s.IndexOf('\n')].Trim(), Body: s[(s.IndexOf('\n') + 1)..]))
            .ToList();
        string? Section(string title) => sections.FirstOrDefault(s => s.Title == title).Body;

        foreach (var required in new[] { "SYNOPSIS", "DESCRIPTION" })
        {
            var body = Section(required);
            if (body is null || body.Trim().Length == 0)
            {
                problems.Add($"{name}: no {required} text");
            }
        }

        var examples = Regex.Split(Section("EXAMPLES") ?? string.Empty, @"^### ", RegexOptions.Multiline).Skip(1).ToList();
        if (examples.Count < 2)
        {
            problems.Add($"{name}: {examples.Count} example(s), at least 2 expected");
        }

        foreach (var ex in examples)
        {
            if (!Regex.IsMatch(ex, @"^```[a-z]*\n\s*\S[\s\S]*?\n```", RegexOptions.Multiline))
            {
                problems.Add($"{name}: example '{ex[..ex.IndexOf('\n')]}' has no code");
            }
        }

        var syntaxParams = Regex.Matches(Section("SYNTAX") ?? string.Empty, @"(?<![\w-])-([A-Za-z][A-Za-z0-9]*)")
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var sectionParams = Regex.Matches(Section("PARAMETERS") ?? string.Empty, @"^### -([A-Za-z][A-Za-z0-9]*)\s*$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var p in syntaxParams.Except(sectionParams, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{name}: -{p} is in SYNTAX but has no '### -{p}' section");
        }

        foreach (var p in sectionParams.Except(syntaxParams, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{name}: '### -{p}' is not in any SYNTAX block");
        }

        return problems;
    }

    [Fact]
    public void EveryCmdletDocFollowsTheHouseRules()
    {
        var problems = CmdletDocs().SelectMany(f => Problems(f, File.ReadAllText(f))).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheDocsFolderHasTheAboutTopic() =>
        Assert.True(File.Exists(Path.Combine(HelpPaths.DocsDir, "about_LvsAdmin.md")));

    [Fact]
    public void TheSampleFollowsTheHouseRules()
    {
        var f = Path.Combine(HelpPaths.SamplesDir, "Add-LvsRealServer.md");
        Assert.Empty(Problems(f, File.ReadAllText(f)));
    }

    [Fact]
    public void TheRulesCatchEachKindOfProblem()
    {
        var f = Path.Combine(HelpPaths.SamplesDir, "Add-LvsRealServer.md");
        var sample = File.ReadAllText(f).Replace("\r\n", "\n");

        var noSynopsis = sample.Replace("Adds a **real server** to a virtual service.\n", string.Empty);
        Assert.Contains(Problems(f, noSynopsis), p => p.Contains("no SYNOPSIS"));

        var oneExample = sample[..sample.IndexOf("### Example 2", StringComparison.Ordinal)] + sample[sample.IndexOf("## PARAMETERS", StringComparison.Ordinal)..];
        Assert.Contains(Problems(f, oneExample), p => p.Contains("at least 2"));

        var noCode = sample.Replace("```powershell\nGet-LvsVirtualService | Add-LvsRealServer -Address 192.168.0.3\n```\n", "Words only.\n");
        Assert.Contains(Problems(f, noCode), p => p.Contains("has no code"));

        var extraSyntax = sample.Replace("[-PassThru] [<CommonParameters>]", "[-PassThru] [-Colour <String>] [<CommonParameters>]");
        Assert.Contains(Problems(f, extraSyntax), p => p.Contains("-Colour is in SYNTAX"));

        var extraSection = sample.Replace("### CommonParameters", "### -Colour\nA colour.\n\n### CommonParameters");
        Assert.Contains(Problems(f, extraSection), p => p.Contains("'### -Colour' is not in any SYNTAX"));
    }
}
