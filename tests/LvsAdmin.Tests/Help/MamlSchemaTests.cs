using System.IO;
using System.Linq;
using System.Xml.Linq;
using LvsAdmin.HelpGen;
using Xunit;
using Xunit.Abstractions;

namespace LvsAdmin.Tests.Help;

/// <summary>The generated MAML against PowerShell's own MAML schema (shared/schemas/powershell/PSMaml).</summary>
public sealed class MamlSchemaTests
{
    private readonly ITestOutputHelper output;

    public MamlSchemaTests(ITestOutputHelper output) => this.output = output;

    private MamlSchema Schema()
    {
        var dir = HelpPaths.FindMamlSchemaDir(out var reason);
        Assert.True(dir is not null, reason);
        var schema = MamlSchema.Load(dir!);
        foreach (var m in schema.CompileMessages)
        {
            output.WriteLine("schema set: " + m);
        }

        Assert.True(schema.Set.IsCompiled);
        Assert.Contains(schema.Set.GlobalElements.Names.Cast<System.Xml.XmlQualifiedName>(),
            n => n.Name == "command" && n.Namespace == MamlWriter.Command.NamespaceName);
        return schema;
    }

    [MamlSchemaFact]
    public void MamlOfTheRealDocsValidates()
    {
        var dir = Directory.CreateTempSubdirectory("helpgen-docs-");
        try
        {
            LvsAdmin.HelpGen.Program.Generate(HelpPaths.DocsDir, dir.FullName, "LvsAdmin.dll-Help.xml");
            var doc = XDocument.Load(Path.Combine(dir.FullName, "LvsAdmin.dll-Help.xml"));
            var cmdletDocs = Directory.GetFiles(HelpPaths.DocsDir, "*.md").Count(f => !Path.GetFileName(f).StartsWith("about_", System.StringComparison.OrdinalIgnoreCase));
            Assert.Equal(cmdletDocs, doc.Root!.Elements().Count());
            var errors = Schema().Validate(doc);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [MamlSchemaFact]
    public void MamlOfTheSampleValidates()
    {
        var doc = XDocument.Parse(MamlWriter.ToXml(new[] { HelpGenConverterTests.ParseSample() }));
        var errors = Schema().Validate(doc);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [MamlSchemaFact]
    public void TheValidatorRejectsMamlThatBreaksTheSchema()
    {
        // platyPS's own habit of writing both a parameterValueGroup and a parameterValue, and leaving out
        // dev:version, must be caught: the validation is not a formality.
        var doc = XDocument.Parse(MamlWriter.ToXml(new[] { HelpGenConverterTests.ParseSample() }));
        var details = doc.Descendants(MamlWriter.Command + "details").Single();
        details.Element(MamlWriter.Dev + "version")!.Remove();
        var errors = Schema().Validate(doc);
        Assert.NotEmpty(errors);

        doc = XDocument.Parse(MamlWriter.ToXml(new[] { HelpGenConverterTests.ParseSample() }));
        var group = doc.Descendants(MamlWriter.Command + "parameterValueGroup").First();
        group.AddAfterSelf(new XElement(MamlWriter.Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), "ForwardingMethod"));
        Assert.NotEmpty(Schema().Validate(doc));
    }
}
