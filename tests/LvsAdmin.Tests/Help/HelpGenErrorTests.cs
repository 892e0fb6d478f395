using System;
using System.IO;
using LvsAdmin.HelpGen;
using Xunit;

namespace LvsAdmin.Tests.Help;

/// <summary>Malformed help sources stop the build with the file and line of the problem.</summary>
public sealed class HelpGenErrorTests
{
    private static string Sample => File.ReadAllText(Path.Combine(HelpPaths.SamplesDir, "Add-LvsRealServer.md")).Replace("\r\n", "\n");

    private static HelpDocException Fails(string markdown, string file = "/docs/Add-LvsRealServer.md") =>
        Assert.Throws<HelpDocException>(() => CommandDocParser.Parse(MarkdownReader.Parse(file, markdown), "LvsAdmin.dll-Help.xml"));

    private static int LineOf(string markdown, string text)
    {
        var lines = markdown.Split('\n');
        int i = Array.FindIndex(lines, l => l == text);
        Assert.True(i >= 0, $"'{text}' not in the markdown");
        return i + 1;
    }

    private static string Cut(string markdown, string from, string to)
    {
        int a = markdown.IndexOf(from, StringComparison.Ordinal);
        int b = markdown.IndexOf(to, a + from.Length, StringComparison.Ordinal);
        Assert.True(a >= 0 && b > a, $"'{from}'..'{to}' not in the markdown");
        return markdown[..a] + markdown[b..];
    }

    [Fact]
    public void TheSampleItselfIsWellFormed() => Assert.Equal("Add-LvsRealServer", HelpGenConverterTests.ParseSample().Name);

    [Fact]
    public void MissingSynopsisPointsAtTheTitle()
    {
        var md = Cut(Sample, "## SYNOPSIS", "## SYNTAX");
        var e = Fails(md);
        Assert.Contains("SYNOPSIS", e.Message);
        Assert.Equal(LineOf(md, "# Add-LvsRealServer"), e.Line);
        Assert.Equal("/docs/Add-LvsRealServer.md(" + e.Line + "): error HELPGEN: " + e.Message, e.ToMSBuildError());
    }

    [Fact]
    public void EmptySynopsisIsAnError()
    {
        var md = Sample.Replace("Adds a **real server** to a virtual service.\n", string.Empty);
        var e = Fails(md);
        Assert.Equal(LineOf(md, "## SYNOPSIS"), e.Line);
    }

    [Fact]
    public void ExampleWithoutCodePointsAtTheExample()
    {
        var md = Sample.Replace("```powershell\nGet-LvsVirtualService | Add-LvsRealServer -Address 192.168.0.3\n```\n", "Just words.\n");
        var e = Fails(md);
        Assert.Contains("no code block", e.Message);
        Assert.Equal(LineOf(md, "### Example 2: Pipe services"), e.Line);
    }

    [Fact]
    public void ParameterWithoutYamlPointsAtTheParameter()
    {
        var md = Cut(Sample, "```yaml\nType: Int32", "### -PassThru");
        var e = Fails(md);
        Assert.Contains("yaml", e.Message);
        Assert.Equal(LineOf(md, "### -Weight"), e.Line);
    }

    [Fact]
    public void YamlWithAnUnknownKeyPointsAtTheLine()
    {
        var md = Sample.Replace("Type: Int32\n", "Type: Int32\nColour: blue\n");
        var e = Fails(md);
        Assert.Contains("Colour", e.Message);
        Assert.Equal(LineOf(md, "Colour: blue"), e.Line);
    }

    [Fact]
    public void YamlWithoutRequiredIsAnError()
    {
        var md = Sample.Replace("Type: Int32\nParameter Sets: (All)\nAliases:\n\nRequired: False\n", "Type: Int32\nParameter Sets: (All)\nAliases:\n\n");
        Assert.Contains("Required", Fails(md).Message);
    }

    [Fact]
    public void SyntaxParameterWithoutSectionIsAnError()
    {
        var md = Sample.Replace("[-Weight <Int32>] [-PassThru] [<CommonParameters>]\n```\n\n### ByObject", "[-Weight <Int32>] [-Colour <String>] [-PassThru] [<CommonParameters>]\n```\n\n### ByObject");
        var e = Fails(md);
        Assert.Contains("-Colour", e.Message);
    }

    [Fact]
    public void ParameterSectionMissingFromSyntaxIsAnError()
    {
        var md = Sample.Replace(" [-Weight <Int32>] [-PassThru] [<CommonParameters>]\n```\n\n## DESCRIPTION", " [-PassThru] [<CommonParameters>]\n```\n\n## DESCRIPTION");
        var e = Fails(md);
        Assert.Contains("-Weight", e.Message);
        Assert.Equal(LineOf(md, "### -Weight"), e.Line);
    }

    [Fact]
    public void UnknownParameterSetIsAnError()
    {
        var md = Sample.Replace("Parameter Sets: ByObject", "Parameter Sets: ByPipeline");
        Assert.Contains("ByPipeline", Fails(md).Message);
    }

    [Fact]
    public void UnknownSectionIsAnError()
    {
        var md = Sample.Replace("## NOTES", "## REMARKS");
        var e = Fails(md);
        Assert.Equal(LineOf(md, "## REMARKS"), e.Line);
    }

    [Fact]
    public void UnclosedCodeFenceIsAnError()
    {
        var md = "# Get-Thing\n\n## EXAMPLES\n\n### Example 1\n```powershell\nGet-Thing\n";
        var e = Assert.Throws<HelpDocException>(() => MarkdownReader.Parse("x.md", md));
        Assert.Contains("never closed", e.Message);
        Assert.Equal(6, e.Line);
    }

    [Fact]
    public void MissingFrontMatterOrWrongSchemaIsAnError()
    {
        Assert.Contains("front matter", Fails(Sample[(Sample.IndexOf("\n---\n", StringComparison.Ordinal) + 5)..]).Message);
        Assert.Contains("2.0.0", Fails(Sample.Replace("schema: 2.0.0", "schema: 1.0.0")).Message);
        Assert.Contains("external help file", Fails(Sample.Replace("external help file: LvsAdmin.dll-Help.xml", "external help file: Other.dll-Help.xml")).Message);
    }

    [Fact]
    public void TitleMustMatchTheFileName() =>
        Assert.Contains("file name", Fails(Sample, "/docs/Get-Something.md").Message);

    [Fact]
    public void ProgramReportsEveryBadFileAsAnMSBuildErrorAndExitsWithOne()
    {
        var dir = Directory.CreateTempSubdirectory("helpgen-bad-");
        var stderr = Console.Error;
        try
        {
            var docs = Directory.CreateDirectory(Path.Combine(dir.FullName, "docs")).FullName;
            File.WriteAllText(Path.Combine(docs, "Add-LvsRealServer.md"), Cut(Sample, "## SYNOPSIS", "## SYNTAX"));
            File.WriteAllText(Path.Combine(docs, "about_Bad.md"), "# about_Bad\n\nno sections\n");
            var err = new StringWriter();
            Console.SetError(err);
            var rc = LvsAdmin.HelpGen.Program.Main(new[] { "--docs", docs, "--out", Path.Combine(dir.FullName, "out") });
            Assert.Equal(1, rc);
            var text = err.ToString();
            Assert.Contains(Path.Combine(docs, "Add-LvsRealServer.md") + $"({LineOf(Sample, "# Add-LvsRealServer")}): error HELPGEN: Add-LvsRealServer: missing '## SYNOPSIS' section.", text);
            Assert.Contains(Path.Combine(docs, "about_Bad.md") + "(1): error HELPGEN:", text);
            Assert.False(File.Exists(Path.Combine(dir.FullName, "out", "LvsAdmin.dll-Help.xml")));
        }
        finally
        {
            Console.SetError(stderr);
            dir.Delete(recursive: true);
        }
    }
}
