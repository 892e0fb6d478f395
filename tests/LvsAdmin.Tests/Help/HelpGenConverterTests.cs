using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using LvsAdmin.HelpGen;
using Xunit;

namespace LvsAdmin.Tests.Help;

/// <summary>The markdown-to-MAML converter on a platyPS-style sample (Samples/Add-LvsRealServer.md).</summary>
public sealed class HelpGenConverterTests
{
    private static readonly XNamespace Maml = MamlWriter.Maml;
    private static readonly XNamespace Command = MamlWriter.Command;
    private static readonly XNamespace Dev = MamlWriter.Dev;

    internal static CommandHelp ParseSample(string name = "Add-LvsRealServer.md")
    {
        var path = Path.Combine(HelpPaths.SamplesDir, name);
        return CommandDocParser.Parse(MarkdownReader.Parse(path, File.ReadAllText(path)), "LvsAdmin.dll-Help.xml");
    }

    private static XElement SampleCommand() =>
        XDocument.Parse(MamlWriter.ToXml(new[] { ParseSample() })).Root!.Element(Command + "command")!;

    private static void AssertXml(string expected, XElement actual)
    {
        var wrapped = XElement.Parse(
            $"<w xmlns:maml=\"{Maml}\" xmlns:command=\"{Command}\" xmlns:dev=\"{Dev}\">{expected}</w>");
        var want = wrapped.Elements().Single();
        Assert.True(XNode.DeepEquals(Normalize(want), Normalize(actual)), $"expected:\n{want}\nactual:\n{actual}");
    }

    private static XElement Normalize(XElement e) =>
        new(e.Name,
            e.Attributes().Where(a => !a.IsNamespaceDeclaration).OrderBy(a => a.Name.ToString()),
            e.Nodes().Select(n => n is XElement c ? (XNode)Normalize(c) : n is XText t ? new XText(t.Value) : n));

    [Fact]
    public void RootIsHelpItemsInTheMshNamespace()
    {
        var doc = XDocument.Parse(MamlWriter.ToXml(new[] { ParseSample() }));
        Assert.Equal(XName.Get("helpItems", "http://msh"), doc.Root!.Name);
        Assert.Equal("maml", (string?)doc.Root.Attribute("schema"));
        Assert.Single(doc.Root.Elements(Command + "command"));
    }

    [Fact]
    public void DetailsHoldNameVerbNounAndTheSynopsisWithoutMarkdown()
    {
        AssertXml(
            """
            <command:details>
              <command:name>Add-LvsRealServer</command:name>
              <maml:description><maml:para>Adds a real server to a virtual service.</maml:para></maml:description>
              <maml:copyright><maml:para /></maml:copyright>
              <command:verb>Add</command:verb>
              <command:noun>LvsRealServer</command:noun>
              <dev:version />
            </command:details>
            """,
            SampleCommand().Element(Command + "details")!);
    }

    [Fact]
    public void DescriptionParagraphsJoinSoftBreaksAndDropInlineMarkup()
    {
        AssertXml(
            """
            <maml:description>
              <maml:para>The Add-LvsRealServer cmdlet adds a real server, like ipvsadm -a. The defaults are those of ipvsadm: weight 1, direct routing.</maml:para>
              <maml:para>Use Set-LvsRealServer to change it later.</maml:para>
            </maml:description>
            """,
            SampleCommand().Element(Maml + "description")!);
    }

    [Fact]
    public void OneSyntaxItemPerParameterSetInSyntaxBlockOrder()
    {
        var items = SampleCommand().Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        Assert.Equal(2, items.Count);
        string[] Names(XElement item) => item.Elements(Command + "parameter").Select(p => (string)p.Element(Maml + "name")!).ToArray();
        Assert.Equal(new[] { "Service", "Address", "ForwardingMethod", "Weight", "PassThru" }, Names(items[0]));
        Assert.Equal(new[] { "InputObject", "Address", "ForwardingMethod", "Weight", "PassThru" }, Names(items[1]));
        Assert.All(items, i => Assert.Equal("Add-LvsRealServer", (string)i.Element(Maml + "name")!));
    }

    [Fact]
    public void SyntaxParameterWithAcceptedValuesHasAValueGroupOnly()
    {
        var p = SampleCommand().Element(Command + "syntax")!.Element(Command + "syntaxItem")!
            .Elements(Command + "parameter").Single(x => (string)x.Element(Maml + "name")! == "ForwardingMethod");
        AssertXml(
            """
            <command:parameter required="false" variableLength="false" globbing="false" pipelineInput="False" position="named" aliases="none">
              <maml:name>ForwardingMethod</maml:name>
              <maml:description><maml:para>How packets reach the server.</maml:para></maml:description>
              <command:parameterValueGroup>
                <command:parameterValue required="false" variableLength="false">DirectRouting</command:parameterValue>
                <command:parameterValue required="false" variableLength="false">Nat</command:parameterValue>
                <command:parameterValue required="false" variableLength="false">Tunnel</command:parameterValue>
              </command:parameterValueGroup>
              <dev:type><maml:name>ForwardingMethod</maml:name><maml:uri /></dev:type>
              <dev:defaultValue>DirectRouting</dev:defaultValue>
            </command:parameter>
            """,
            p);
    }

    [Fact]
    public void SwitchHasNoValueInSyntaxAndFalseAsDefault()
    {
        var syntax = SampleCommand().Element(Command + "syntax")!.Element(Command + "syntaxItem")!
            .Elements(Command + "parameter").Single(x => (string)x.Element(Maml + "name")! == "PassThru");
        Assert.Null(syntax.Element(Command + "parameterValue"));
        Assert.Equal("False", (string)syntax.Element(Dev + "defaultValue")!);
        Assert.Equal("SwitchParameter", (string)syntax.Element(Dev + "type")!.Element(Maml + "name")!);
    }

    [Fact]
    public void ParametersSectionCarriesRequiredPositionPipelineAndAliases()
    {
        var service = SampleCommand().Element(Command + "parameters")!.Elements(Command + "parameter")
            .Single(x => (string)x.Element(Maml + "name")! == "Service");
        AssertXml(
            """
            <command:parameter required="true" variableLength="false" globbing="false" pipelineInput="True (ByPropertyName)" position="0" aliases="VirtualService">
              <maml:name>Service</maml:name>
              <maml:description><maml:para>The virtual service, as tcp/10.0.0.1:80 or fwm/100.</maml:para></maml:description>
              <command:parameterValue required="true" variableLength="false">ServiceKey</command:parameterValue>
              <dev:type><maml:name>ServiceKey</maml:name><maml:uri /></dev:type>
              <dev:defaultValue>None</dev:defaultValue>
            </command:parameter>
            """,
            service);
        var names = SampleCommand().Element(Command + "parameters")!.Elements(Command + "parameter").Select(x => (string)x.Element(Maml + "name")!);
        Assert.Equal(new[] { "Service", "InputObject", "Address", "ForwardingMethod", "Weight", "PassThru" }, names);
    }

    [Fact]
    public void ExamplesHavePaddedTitleCodeAndEscapedRemarks()
    {
        var examples = SampleCommand().Element(Command + "examples")!.Elements(Command + "example").ToList();
        Assert.Equal(2, examples.Count);
        AssertXml(
            """
            <command:example>
              <maml:title>--------------- Example 1: Add a server with NAT ---------------</maml:title>
              <dev:code>Add-LvsRealServer -Service tcp/10.0.0.1:80 -Address 192.168.0.2:8080 -ForwardingMethod Nat</dev:code>
              <dev:remarks><maml:para>The server gets weight 1 &amp; the &lt;NAT&gt; method.</maml:para></dev:remarks>
            </command:example>
            """,
            examples[0]);
        Assert.Equal(64, ((string)examples[0].Element(Maml + "title")!).Length);
    }

    [Fact]
    public void InputsOutputsNotesAndLinks()
    {
        var c = SampleCommand();
        AssertXml(
            """
            <command:inputTypes>
              <command:inputType>
                <dev:type><maml:name>LvsAdmin.Ipvs.VirtualService</maml:name><maml:uri /></dev:type>
                <maml:description><maml:para /></maml:description>
              </command:inputType>
            </command:inputTypes>
            """,
            c.Element(Command + "inputTypes")!);
        AssertXml(
            """
            <command:returnValues>
              <command:returnValue>
                <dev:type><maml:name>LvsAdmin.Ipvs.RealServer</maml:name><maml:uri /></dev:type>
                <maml:description><maml:para>With -PassThru.</maml:para></maml:description>
              </command:returnValue>
            </command:returnValues>
            """,
            c.Element(Command + "returnValues")!);
        AssertXml(
            """<maml:alertSet><maml:alert><maml:para>Needs CAP_NET_ADMIN.</maml:para></maml:alert></maml:alertSet>""",
            c.Element(Maml + "alertSet")!);
        AssertXml(
            """
            <maml:relatedLinks>
              <maml:navigationLink><maml:linkText>Online Version:</maml:linkText><maml:uri>https://example.org/lvsadmin/Add-LvsRealServer</maml:uri></maml:navigationLink>
              <maml:navigationLink><maml:linkText>Get-LvsRealServer</maml:linkText><maml:uri /></maml:navigationLink>
              <maml:navigationLink><maml:linkText>ipvsadm(8)</maml:linkText><maml:uri>https://manpages.debian.org/ipvsadm.8</maml:uri></maml:navigationLink>
            </maml:relatedLinks>
            """,
            c.Element(Maml + "relatedLinks")!);
    }

    [Fact]
    public void ElementOrderFollowsTheCommandSchema()
    {
        var order = SampleCommand().Elements().Select(e => e.Name.LocalName).ToArray();
        Assert.Equal(
            new[] { "details", "description", "syntax", "parameters", "inputTypes", "returnValues", "terminatingErrors", "nonTerminatingErrors", "alertSet", "examples", "relatedLinks" },
            order);
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("**bold** and *em* and `code`", "bold and em and code")]
    [InlineData("keep `**stars**` in code", "keep **stars** in code")]
    [InlineData("about_LvsAdmin and snake_case_name stay", "about_LvsAdmin and snake_case_name stay")]
    [InlineData("see [Get-Help](https://learn.microsoft.com/x)", "see Get-Help (https://learn.microsoft.com/x)")]
    [InlineData("see [Get-LvsInfo](Get-LvsInfo.md)", "see Get-LvsInfo")]
    [InlineData(@"escaped \<tag\> and \* star", "escaped <tag> and * star")]
    [InlineData("udp/[2001:db8::1]:53 stays", "udp/[2001:db8::1]:53 stays")]
    [InlineData("2 * 3 * 4", "2 * 3 * 4")]
    public void InlineMarkupToPlainText(string markdown, string expected) =>
        Assert.Equal(expected, Inline.ToPlainText(markdown));

    [Fact]
    public void ProgramWritesTheMamlAndAboutTopicsAndReturnsZero()
    {
        var dir = Directory.CreateTempSubdirectory("helpgen-");
        try
        {
            var docs = Directory.CreateDirectory(Path.Combine(dir.FullName, "docs"));
            File.Copy(Path.Combine(HelpPaths.SamplesDir, "Add-LvsRealServer.md"), Path.Combine(docs.FullName, "Add-LvsRealServer.md"));
            File.WriteAllText(Path.Combine(docs.FullName, "about_Sample.md"), "# about_Sample\n\n## about_Sample\n\n# SHORT DESCRIPTION\nShort **text**.\n\n# LONG DESCRIPTION\nLong text.\n");
            var outDir = Path.Combine(dir.FullName, "out");
            var rc = LvsAdmin.HelpGen.Program.Main(new[] { "--docs", docs.FullName, "--out", outDir });
            Assert.Equal(0, rc);
            Assert.Single(XDocument.Load(Path.Combine(outDir, "LvsAdmin.dll-Help.xml")).Root!.Elements());
            Assert.Equal("TOPIC\n    about_sample\n\nSHORT DESCRIPTION\n    Short text.\n\nLONG DESCRIPTION\n    Long text.\n",
                File.ReadAllText(Path.Combine(outDir, "about_Sample.help.txt")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
