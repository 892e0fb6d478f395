using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace LvsAdmin.HelpGen;

/// <summary>
/// Writes the MAML external help file Get-Help reads for a binary module (&lt;helpItems schema="maml"&gt; with one
/// command:command per cmdlet). The element names are those platyPS writes; the element order and the otherwise
/// empty required elements (maml:copyright, dev:version, command:terminatingErrors, command:nonTerminatingErrors,
/// maml:relatedLinks) follow PowerShell's MAML schema (developerCommand.xsd), as Windows PowerShell's own help files
/// do, so the file validates. Get-Help keys every element by its local name, so both forms read the same.
/// </summary>
public static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument ToDocument(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), commands.Select(CommandElement)));

    public static string ToXml(IEnumerable<CommandHelp> commands)
    {
        var doc = ToDocument(commands);
        var settings = new XmlWriterSettings
        {
            Indent = true,
            IndentChars = "  ",
            Encoding = new UTF8Encoding(false),
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };
        using var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, settings))
        {
            doc.Save(w);
        }

        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    public static XElement CommandElement(CommandHelp c)
    {
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", c.Name),
                Description(c.Synopsis),
                new XElement(Maml + "copyright", new XElement(Maml + "para")),
                new XElement(Command + "verb", c.Verb),
                new XElement(Command + "noun", c.Noun),
                new XElement(Dev + "version")),
            Description(c.Description),
            new XElement(Command + "syntax", c.Syntax.Select(s => SyntaxItem(c, s))),
            c.Parameters.Count == 0
                ? null
                : new XElement(Command + "parameters", c.Parameters.Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", Types(c.Inputs).Select(t =>
                new XElement(Command + "inputType", TypeElement(t.TypeName), Description(t.Description)))),
            new XElement(Command + "returnValues", Types(c.Outputs).Select(t =>
                new XElement(Command + "returnValue", TypeElement(t.TypeName), Description(t.Description)))),
            new XElement(Command + "terminatingErrors"),
            new XElement(Command + "nonTerminatingErrors"),
            c.Notes.Count == 0
                ? null
                : new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(c.Notes))),
            c.Examples.Count == 0
                ? null
                : new XElement(Command + "examples", c.Examples.Select(e =>
                    new XElement(Command + "example",
                        new XElement(Maml + "title", PadExampleTitle(e.Title)),
                        new XElement(Dev + "code", e.Code),
                        new XElement(Dev + "remarks", Paras(e.Remarks))))),
            new XElement(Maml + "relatedLinks", Links(c).Select(l =>
                new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", l.Text),
                    new XElement(Maml + "uri", l.Uri)))));
    }

    private static XElement SyntaxItem(CommandHelp c, SyntaxSet set) =>
        new(Command + "syntaxItem",
            new XElement(Maml + "name", c.Name),
            c.ParametersOf(set).Select(x => Parameter(x.Parameter, x.Metadata, inSyntax: true)));

    private static XElement Parameter(ParameterHelp p, ParameterMetadata m, bool inSyntax)
    {
        var type = m.IsSwitch ? "SwitchParameter" : m.Type;
        object? value;
        if (inSyntax && m.AcceptedValues.Count > 0)
        {
            // The schema allows a value or a value group; Get-Help shows the group as -Name {A | B | C}.
            value = new XElement(Command + "parameterValueGroup", m.AcceptedValues.Select(v =>
                new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v)));
        }
        else if (inSyntax && m.IsSwitch)
        {
            value = null; // a switch shows as [-Name] in the syntax, without a value
        }
        else
        {
            value = new XElement(Command + "parameterValue",
                new XAttribute("required", m.IsSwitch ? "false" : "true"),
                new XAttribute("variableLength", Bool(m.IsArray)),
                type);
        }

        string defaultValue = m.IsSwitch && (m.DefaultValue.Length == 0 || m.DefaultValue == "None") ? "False" : m.DefaultValue;
        return new XElement(Command + "parameter",
            new XAttribute("required", Bool(m.Required)),
            new XAttribute("variableLength", Bool(m.IsArray)),
            new XAttribute("globbing", Bool(m.Globbing)),
            new XAttribute("pipelineInput", m.PipelineInput),
            new XAttribute("position", m.Position),
            new XAttribute("aliases", m.Aliases.Count > 0 ? string.Join(", ", m.Aliases) : "none"),
            new XElement(Maml + "name", p.Name),
            Description(p.Description),
            value,
            TypeElement(type),
            new XElement(Dev + "defaultValue", defaultValue));
    }

    private static XElement TypeElement(string name) =>
        new(Dev + "type", new XElement(Maml + "name", name), new XElement(Maml + "uri"));

    private static XElement Description(IReadOnlyList<string> paras) => new(Maml + "description", Paras(paras));

    private static IEnumerable<XElement> Paras(IReadOnlyList<string> paras) =>
        paras.Count == 0 ? new[] { new XElement(Maml + "para") } : paras.Select(p => new XElement(Maml + "para", p));

    private static IEnumerable<TypeHelp> Types(IReadOnlyList<TypeHelp> types) =>
        types.Count > 0 ? types : new[] { new TypeHelp("None", new List<string>()) };

    private static IEnumerable<LinkHelp> Links(CommandHelp c)
    {
        if (c.Links.Count > 0)
        {
            return c.Links;
        }

        // maml:relatedLinks needs a link; the module's about topic is always a relevant one.
        return new[] { new LinkHelp("about_" + c.ModuleName, string.Empty) };
    }

    private static string Bool(bool b) => b ? "true" : "false";

    /// <summary>Pads an example title with dashes to 64 columns, as platyPS does, so Get-Help sets it apart.</summary>
    public static string PadExampleTitle(string title)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Length >= 62)
        {
            return title;
        }

        int pad = (64 - title.Length - 2) / 2;
        var dashes = new string('-', pad);
        return dashes + " " + title + " " + dashes;
    }
}
