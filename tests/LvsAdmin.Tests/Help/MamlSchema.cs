using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace LvsAdmin.Tests.Help;

/// <summary>
/// PowerShell's MAML schema set (Maml.xsd and the ~50 files it includes and imports), loaded from disk, and
/// validation of generated help against it.
/// </summary>
internal sealed class MamlSchema
{
    private static readonly object Gate = new();
    private static MamlSchema? cached;

    private MamlSchema(XmlSchemaSet set, IReadOnlyList<string> compileMessages)
    {
        Set = set;
        CompileMessages = compileMessages;
    }

    public XmlSchemaSet Set { get; }

    /// <summary>Warnings (and errors) reported while the set was read and compiled.</summary>
    public IReadOnlyList<string> CompileMessages { get; }

    public static MamlSchema Load(string dir)
    {
        lock (Gate)
        {
            if (cached is not null)
            {
                return cached;
            }

            var messages = new List<string>();
            var resolver = new CaseInsensitiveFileResolver();
            var set = new XmlSchemaSet { XmlResolver = resolver };
            set.ValidationEventHandler += (_, e) => messages.Add($"{e.Severity}: {e.Message} ({e.Exception?.SourceUri}:{e.Exception?.LineNumber})");
            var entry = HelpPaths.EntrySchema(dir) ?? throw new FileNotFoundException("Maml.xsd not found", dir);
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = resolver };
            using (var reader = XmlReader.Create(entry, settings))
            {
                set.Add(null, reader);
            }

            // developerCommand.xsd holds command:command; it is reached through developer.xsd, but add it directly
            // so the command namespace is present even if an import is not followed.
            var command = Path.Combine(dir, "developerCommand.xsd");
            if (File.Exists(command) && !set.Contains("http://schemas.microsoft.com/maml/dev/command/2004/10"))
            {
                using var reader = XmlReader.Create(command, settings);
                set.Add(null, reader);
            }

            set.Compile();
            cached = new MamlSchema(set, messages);
            return cached;
        }
    }

    /// <summary>
    /// Validates every command:command of a help file. The helpItems root (namespace http://msh) is PowerShell's
    /// container and is not in the MAML schema, so each command is validated as its own document. The
    /// 'aliases' attribute of command:parameter, which platyPS writes and PowerShell 7's Get-Help shows, postdates
    /// the 2004 schema and is removed before validation; everything else must validate as is.
    /// </summary>
    public IReadOnlyList<string> Validate(XDocument help)
    {
        var errors = new List<string>();
        var root = help.Root;
        if (root is null || root.Name != XName.Get("helpItems", "http://msh") || (string?)root.Attribute("schema") != "maml")
        {
            errors.Add($"the root is {root?.Name}, not <helpItems schema=\"maml\" xmlns=\"http://msh\">.");
            return errors;
        }

        foreach (var child in root.Elements())
        {
            if (child.Name != XName.Get("command", "http://schemas.microsoft.com/maml/dev/command/2004/10"))
            {
                errors.Add($"unexpected element {child.Name} under helpItems.");
                continue;
            }

            var copy = new XElement(child);
            var name = (string?)copy.Element(XName.Get("details", copy.Name.NamespaceName))?.Element(XName.Get("name", copy.Name.NamespaceName)) ?? "?";
            foreach (var p in copy.Descendants(XName.Get("parameter", copy.Name.NamespaceName)))
            {
                p.Attribute("aliases")?.Remove();
            }

            var doc = new XDocument(copy);
            doc.Validate(Set, (_, e) => errors.Add($"{name}: {e.Severity}: {e.Message}"), addSchemaInfo: false);
        }

        return errors;
    }

    /// <summary>The schemas import "maml.xsd" while the file is Maml.xsd: resolve file names case-insensitively.</summary>
    private sealed class CaseInsensitiveFileResolver : XmlUrlResolver
    {
        public override Uri ResolveUri(Uri? baseUri, string? relativeUri)
        {
            var uri = base.ResolveUri(baseUri, relativeUri);
            if (uri.IsFile && !File.Exists(uri.LocalPath))
            {
                var dir = Path.GetDirectoryName(uri.LocalPath);
                var file = Path.GetFileName(uri.LocalPath);
                if (dir is not null && Directory.Exists(dir))
                {
                    var match = Directory.EnumerateFiles(dir).FirstOrDefault(f => string.Equals(Path.GetFileName(f), file, StringComparison.OrdinalIgnoreCase));
                    if (match is not null)
                    {
                        return new Uri(match);
                    }
                }
            }

            return uri;
        }
    }
}
