using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace LvsAdmin.HelpGen;

/// <summary>
/// Reads a cmdlet help file in the layout platyPS 0.14 writes (front matter with schema 2.0.0, "# Verb-Noun", then
/// SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES and RELATED LINKS). Every departure
/// is a <see cref="HelpDocException"/> naming the file and line.
/// </summary>
public static class CommandDocParser
{
    private static readonly string[] KnownYamlKeys =
    {
        "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value",
        "Accept pipeline input", "Accept wildcard characters",
    };

    private static readonly string[] RequiredYamlKeys = { "Type", "Parameter Sets", "Required", "Position", "Accept pipeline input" };

    private static readonly Regex SyntaxParameter = new(@"(?<![\w-])-([A-Za-z][A-Za-z0-9]*)", RegexOptions.CultureInvariant);
    private static readonly Regex PipelineInput = new(@"^(False|True \((ByValue|ByPropertyName)(, ?(ByValue|ByPropertyName))?\))$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    private static readonly Regex LinkRegex = new(@"(?<!\\)\[([^\]]+)\]\(([^)\s]*)\)", RegexOptions.CultureInvariant);

    public static CommandHelp Parse(MarkdownDocument doc, string? expectedHelpFile = null)
    {
        var file = doc.File;
        if (doc.FrontMatter is null)
        {
            throw new HelpDocException(file, 1, "no front matter: a cmdlet help file starts with '---', 'external help file:', 'Module Name:', 'online version:', 'schema: 2.0.0', '---'.");
        }

        if (!doc.FrontMatter.TryGetValue("schema", out var schema) || schema != "2.0.0")
        {
            throw new HelpDocException(file, 1, $"front matter: 'schema: 2.0.0' is required (found '{schema ?? "nothing"}').");
        }

        if (expectedHelpFile is not null &&
            (!doc.FrontMatter.TryGetValue("external help file", out var helpFile) || !string.Equals(helpFile, expectedHelpFile, StringComparison.OrdinalIgnoreCase)))
        {
            throw new HelpDocException(file, 1, $"front matter: 'external help file: {expectedHelpFile}' is required (found '{helpFile ?? "nothing"}').");
        }

        var blocks = doc.Blocks;
        if (blocks.Count == 0 || blocks[0].Kind != BlockKind.Heading || blocks[0].Level != 1)
        {
            throw new HelpDocException(file, blocks.Count > 0 ? blocks[0].Line : 1, "expected the '# Verb-Noun' title heading first.");
        }

        var title = blocks[0];
        var stem = Path.GetFileNameWithoutExtension(file);
        if (!string.Equals(title.Text, stem, StringComparison.OrdinalIgnoreCase))
        {
            throw new HelpDocException(file, title.Line, $"the title '# {title.Text}' does not match the file name '{stem}'.");
        }

        if (!Regex.IsMatch(title.Text, @"^[A-Za-z]+-[A-Za-z][A-Za-z0-9]*$"))
        {
            throw new HelpDocException(file, title.Line, $"'{title.Text}' is not a Verb-Noun command name.");
        }

        if (!doc.FrontMatter.TryGetValue("Module Name", out var module) || module.Length == 0)
        {
            throw new HelpDocException(file, 1, "front matter: 'Module Name:' is required.");
        }

        var help = new CommandHelp { Name = title.Text, File = file, Line = title.Line, ModuleName = module };
        if (doc.FrontMatter.TryGetValue("online version", out var online) && online.Length > 0)
        {
            help.OnlineVersion = online;
        }

        // Split into "## SECTION" groups.
        var sections = new Dictionary<string, (Block Heading, List<Block> Body)>(StringComparer.OrdinalIgnoreCase);
        (Block Heading, List<Block> Body)? current = null;
        for (int i = 1; i < blocks.Count; i++)
        {
            var b = blocks[i];
            if (b.Kind == BlockKind.Heading && b.Level == 1)
            {
                throw new HelpDocException(file, b.Line, $"a second title heading '# {b.Text}': one command per file.");
            }

            if (b.Kind == BlockKind.Heading && b.Level == 2)
            {
                var name = b.Text.ToUpperInvariant();
                if (name is not ("SYNOPSIS" or "SYNTAX" or "DESCRIPTION" or "EXAMPLES" or "PARAMETERS" or "INPUTS" or "OUTPUTS" or "NOTES" or "RELATED LINKS"))
                {
                    throw new HelpDocException(file, b.Line, $"unknown section '## {b.Text}' (expected SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS).");
                }

                if (sections.ContainsKey(name))
                {
                    throw new HelpDocException(file, b.Line, $"section '## {b.Text}' appears twice.");
                }

                current = (b, new List<Block>());
                sections[name] = current.Value;
                continue;
            }

            if (current is null)
            {
                throw new HelpDocException(file, b.Line, "text between the title and the first '## SECTION' heading.");
            }

            current.Value.Body.Add(b);
        }

        if (!sections.TryGetValue("SYNOPSIS", out var synopsis))
        {
            throw new HelpDocException(file, title.Line, $"{help.Name}: missing '## SYNOPSIS' section.");
        }

        help.Synopsis.AddRange(Paragraphs(file, synopsis.Body, "SYNOPSIS"));
        if (help.Synopsis.Count == 0)
        {
            throw new HelpDocException(file, synopsis.Heading.Line, $"{help.Name}: the SYNOPSIS section is empty.");
        }

        if (!sections.TryGetValue("DESCRIPTION", out var description))
        {
            throw new HelpDocException(file, title.Line, $"{help.Name}: missing '## DESCRIPTION' section.");
        }

        help.Description.AddRange(Paragraphs(file, description.Body, "DESCRIPTION"));
        if (help.Description.Count == 0)
        {
            throw new HelpDocException(file, description.Heading.Line, $"{help.Name}: the DESCRIPTION section is empty.");
        }

        if (!sections.TryGetValue("SYNTAX", out var syntax))
        {
            throw new HelpDocException(file, title.Line, $"{help.Name}: missing '## SYNTAX' section.");
        }

        ReadSyntax(help, syntax.Heading, syntax.Body);

        if (sections.TryGetValue("PARAMETERS", out var parameters))
        {
            ReadParameters(help, parameters.Body);
        }

        CheckSyntaxAgainstParameters(help);

        if (sections.TryGetValue("EXAMPLES", out var examples))
        {
            ReadExamples(help, examples.Body);
        }

        if (sections.TryGetValue("INPUTS", out var inputs))
        {
            help.Inputs.AddRange(ReadTypes(file, inputs.Body, "INPUTS"));
        }

        if (sections.TryGetValue("OUTPUTS", out var outputs))
        {
            help.Outputs.AddRange(ReadTypes(file, outputs.Body, "OUTPUTS"));
        }

        if (sections.TryGetValue("NOTES", out var notes))
        {
            help.Notes.AddRange(Paragraphs(file, notes.Body, "NOTES"));
        }

        if (sections.TryGetValue("RELATED LINKS", out var links))
        {
            ReadLinks(help, links.Body);
        }

        return help;
    }

    /// <summary>Paragraphs and list items as plain text; code blocks become paragraphs indented by four spaces.</summary>
    internal static List<string> Paragraphs(string file, IEnumerable<Block> body, string section)
    {
        var result = new List<string>();
        foreach (var b in body)
        {
            switch (b.Kind)
            {
                case BlockKind.Paragraph:
                case BlockKind.ListItem:
                    result.Add(Inline.ToPlainText(b.Text));
                    break;
                case BlockKind.Code:
                    result.Add(string.Join("\n", b.Text.Split('\n').Select(l => "    " + l)));
                    break;
                default:
                    throw new HelpDocException(file, b.Line, $"unexpected heading '{new string('#', b.Level)} {b.Text}' in the {section} section.");
            }
        }

        return result;
    }

    private static void ReadSyntax(CommandHelp help, Block heading, List<Block> body)
    {
        var file = help.File;
        for (int i = 0; i < body.Count; i++)
        {
            var b = body[i];
            string name;
            bool isDefault = false;
            int line = b.Line;
            if (b.Kind == BlockKind.Code && help.Syntax.Count == 0 && body.Count == 1)
            {
                name = CommandHelp.AllParameterSets;
            }
            else if (b.Kind == BlockKind.Heading && b.Level == 3)
            {
                name = b.Text;
                if (name.EndsWith("(Default)", StringComparison.OrdinalIgnoreCase))
                {
                    isDefault = true;
                    name = name[..^"(Default)".Length].TrimEnd();
                }

                if (name.Length == 0)
                {
                    throw new HelpDocException(file, b.Line, "a parameter set heading without a name.");
                }

                if (i + 1 >= body.Count || body[i + 1].Kind != BlockKind.Code)
                {
                    throw new HelpDocException(file, b.Line, $"parameter set '{name}': the '### {b.Text}' heading must be followed by a ``` syntax block.");
                }

                b = body[++i];
            }
            else
            {
                throw new HelpDocException(file, b.Line, "SYNTAX holds '### ParameterSetName' headings, each followed by a ``` syntax block.");
            }

            if (help.Syntax.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new HelpDocException(file, line, $"parameter set '{name}' is listed twice in SYNTAX.");
            }

            var code = b.Text.Trim();
            if (!code.StartsWith(help.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new HelpDocException(file, b.Line, $"parameter set '{name}': the syntax block must start with '{help.Name}'.");
            }

            var names = SyntaxParameter.Matches(code[help.Name.Length..]).Select(m => m.Groups[1].Value)
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            help.Syntax.Add(new SyntaxSet(name, isDefault, b.Line, code, names));
        }

        if (help.Syntax.Count == 0)
        {
            throw new HelpDocException(file, heading.Line, $"{help.Name}: the SYNTAX section has no syntax block.");
        }

        if (help.Syntax.Count(s => s.IsDefault) > 1)
        {
            throw new HelpDocException(file, heading.Line, $"{help.Name}: more than one parameter set is marked (Default).");
        }
    }

    private static void ReadParameters(CommandHelp help, List<Block> body)
    {
        var file = help.File;
        int i = 0;
        while (i < body.Count)
        {
            var h = body[i];
            if (h.Kind != BlockKind.Heading || h.Level != 3)
            {
                throw new HelpDocException(file, h.Line, "PARAMETERS holds '### -Name' headings (and '### CommonParameters').");
            }

            i++;
            if (string.Equals(h.Text, "CommonParameters", StringComparison.OrdinalIgnoreCase))
            {
                while (i < body.Count && body[i].Kind != BlockKind.Heading)
                {
                    i++;
                }

                continue;
            }

            if (!h.Text.StartsWith('-') || !Regex.IsMatch(h.Text, @"^-[A-Za-z][A-Za-z0-9]*$"))
            {
                throw new HelpDocException(file, h.Line, $"'### {h.Text}' is not a parameter heading ('### -Name').");
            }

            var name = h.Text[1..];
            if (help.FindParameter(name) is not null)
            {
                throw new HelpDocException(file, h.Line, $"parameter -{name} is described twice.");
            }

            var p = new ParameterHelp { Name = name, Line = h.Line };
            var text = new List<Block>();
            while (i < body.Count && body[i].Kind != BlockKind.Heading)
            {
                var b = body[i++];
                if (b.Kind == BlockKind.Code && b.Info == "yaml")
                {
                    p.Metadata.Add(ReadYaml(help, p, b));
                }
                else if (p.Metadata.Count > 0)
                {
                    throw new HelpDocException(file, b.Line, $"parameter -{name}: text after the ```yaml block belongs before it.");
                }
                else
                {
                    text.Add(b);
                }
            }

            if (p.Metadata.Count == 0)
            {
                throw new HelpDocException(file, h.Line, $"parameter -{name}: the ```yaml block (Type, Parameter Sets, Aliases, Required, Position, Default value, Accept pipeline input, Accept wildcard characters) is missing.");
            }

            p.Description.AddRange(Paragraphs(file, text, "-" + name));
            if (p.Description.Count == 0)
            {
                throw new HelpDocException(file, h.Line, $"parameter -{name} has no description.");
            }

            help.Parameters.Add(p);
        }
    }

    private static ParameterMetadata ReadYaml(CommandHelp help, ParameterHelp p, Block code)
    {
        var file = help.File;
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lines = code.Text.Split('\n');
        for (int k = 0; k < lines.Length; k++)
        {
            var l = lines[k];
            int lineNo = code.Line + 1 + k;
            if (l.Trim().Length == 0)
            {
                continue;
            }

            int colon = l.IndexOf(':');
            if (colon <= 0)
            {
                throw new HelpDocException(file, lineNo, $"parameter -{p.Name}: yaml line '{l.Trim()}' is not 'Key: value'.");
            }

            var key = l[..colon].Trim();
            if (!KnownYamlKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new HelpDocException(file, lineNo, $"parameter -{p.Name}: unknown yaml key '{key}' (known: {string.Join(", ", KnownYamlKeys)}).");
            }

            if (!pairs.TryAdd(key, l[(colon + 1)..].Trim()))
            {
                throw new HelpDocException(file, lineNo, $"parameter -{p.Name}: yaml key '{key}' appears twice.");
            }
        }

        foreach (var key in RequiredYamlKeys)
        {
            if (!pairs.TryGetValue(key, out var v) || v.Length == 0)
            {
                throw new HelpDocException(file, code.Line, $"parameter -{p.Name}: the yaml block has no '{key}:' value.");
            }
        }

        bool Bool(string key, bool fallback)
        {
            if (!pairs.TryGetValue(key, out var v) || v.Length == 0)
            {
                return fallback;
            }

            return v.ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                _ => throw new HelpDocException(file, code.Line, $"parameter -{p.Name}: '{key}: {v}' is neither True nor False."),
            };
        }

        static IReadOnlyList<string> List(string? v) =>
            v is null || v.Length == 0 || string.Equals(v, "None", StringComparison.OrdinalIgnoreCase)
                ? Array.Empty<string>()
                : v.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();

        var setsText = pairs["Parameter Sets"];
        bool all = string.Equals(setsText, "(All)", StringComparison.OrdinalIgnoreCase);
        var sets = all ? Array.Empty<string>() : List(setsText);
        if (!all && sets.Count == 0)
        {
            throw new HelpDocException(file, code.Line, $"parameter -{p.Name}: 'Parameter Sets:' is empty (use (All) or set names).");
        }

        foreach (var s in sets)
        {
            if (!help.Syntax.Any(x => string.Equals(x.Name, s, StringComparison.OrdinalIgnoreCase)))
            {
                throw new HelpDocException(file, code.Line, $"parameter -{p.Name}: parameter set '{s}' is not one of the SYNTAX sets ({string.Join(", ", help.Syntax.Select(x => x.Name))}).");
            }

            if (p.Metadata.Any(m => m.Sets.Contains(s, StringComparer.OrdinalIgnoreCase)))
            {
                throw new HelpDocException(file, code.Line, $"parameter -{p.Name}: parameter set '{s}' is covered by two yaml blocks.");
            }
        }

        var position = pairs["Position"];
        if (string.Equals(position, "Named", StringComparison.OrdinalIgnoreCase))
        {
            position = "named";
        }
        else if (!int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new HelpDocException(file, code.Line, $"parameter -{p.Name}: 'Position: {position}' is neither Named nor a number.");
        }

        var pipeline = pairs["Accept pipeline input"];
        if (!PipelineInput.IsMatch(pipeline))
        {
            throw new HelpDocException(file, code.Line, $"parameter -{p.Name}: 'Accept pipeline input: {pipeline}' is not False, True (ByValue), True (ByPropertyName) or True (ByPropertyName, ByValue).");
        }

        pairs.TryGetValue("Default value", out var defaultValue);
        pairs.TryGetValue("Aliases", out var aliases);
        pairs.TryGetValue("Accepted values", out var accepted);
        return new ParameterMetadata
        {
            Line = code.Line,
            Type = pairs["Type"],
            AllSets = all,
            Sets = sets,
            Aliases = List(aliases),
            AcceptedValues = List(accepted),
            Required = Bool("Required", false),
            Position = position,
            DefaultValue = string.IsNullOrEmpty(defaultValue) ? "None" : defaultValue,
            PipelineInput = pipeline,
            Globbing = Bool("Accept wildcard characters", false),
        };
    }

    private static void CheckSyntaxAgainstParameters(CommandHelp help)
    {
        var file = help.File;
        foreach (var set in help.Syntax)
        {
            foreach (var name in set.ParameterNames)
            {
                var p = help.FindParameter(name);
                if (p is null)
                {
                    throw new HelpDocException(file, set.Line, $"parameter set '{set.Name}': -{name} is in the syntax block but has no '### -{name}' section under PARAMETERS.");
                }

                if (p.MetadataFor(set.Name) is null)
                {
                    throw new HelpDocException(file, p.Line, $"parameter -{name} is in the syntax of set '{set.Name}' but its yaml 'Parameter Sets:' does not include that set.");
                }
            }
        }

        foreach (var p in help.Parameters)
        {
            foreach (var set in help.Syntax)
            {
                bool inYaml = p.Metadata.Any(m => m.AllSets || m.Sets.Contains(set.Name, StringComparer.OrdinalIgnoreCase));
                bool inSyntax = set.ParameterNames.Contains(p.Name, StringComparer.OrdinalIgnoreCase);
                if (inYaml && !inSyntax)
                {
                    throw new HelpDocException(file, p.Line, $"parameter -{p.Name} belongs to set '{set.Name}' by its yaml but the syntax block of that set does not list it.");
                }
            }
        }
    }

    private static void ReadExamples(CommandHelp help, List<Block> body)
    {
        var file = help.File;
        int i = 0;
        while (i < body.Count)
        {
            var h = body[i];
            if (h.Kind != BlockKind.Heading || h.Level != 3)
            {
                throw new HelpDocException(file, h.Line, "EXAMPLES holds '### Example N: title' headings, each with a ```powershell block and remarks.");
            }

            i++;
            var code = new List<string>();
            var intro = new List<Block>();
            var remarks = new List<Block>();
            while (i < body.Count && body[i].Kind != BlockKind.Heading)
            {
                var b = body[i++];
                if (b.Kind == BlockKind.Code)
                {
                    code.Add(b.Text);
                }
                else if (code.Count == 0)
                {
                    intro.Add(b);
                }
                else
                {
                    remarks.Add(b);
                }
            }

            if (code.Count == 0)
            {
                throw new HelpDocException(file, h.Line, $"example '{h.Text}' has no code block (```powershell).");
            }

            var paras = Paragraphs(file, intro, "EXAMPLES");
            paras.AddRange(Paragraphs(file, remarks, "EXAMPLES"));
            help.Examples.Add(new ExampleHelp(Inline.ToPlainText(h.Text), h.Line, string.Join("\n\n", code), paras));
        }
    }

    private static List<TypeHelp> ReadTypes(string file, List<Block> body, string section)
    {
        var result = new List<TypeHelp>();
        int i = 0;
        while (i < body.Count)
        {
            var h = body[i];
            if (h.Kind != BlockKind.Heading || h.Level != 3)
            {
                throw new HelpDocException(file, h.Line, $"{section} holds '### TypeName' headings, each followed by a description.");
            }

            i++;
            var text = new List<Block>();
            while (i < body.Count && body[i].Kind != BlockKind.Heading)
            {
                text.Add(body[i++]);
            }

            result.Add(new TypeHelp(Inline.ToPlainText(h.Text), Paragraphs(file, text, section)));
        }

        return result;
    }

    private static void ReadLinks(CommandHelp help, List<Block> body)
    {
        if (help.OnlineVersion is not null)
        {
            help.Links.Add(new LinkHelp("Online Version:", help.OnlineVersion));
        }

        foreach (var b in body)
        {
            if (b.Kind is not (BlockKind.Paragraph or BlockKind.ListItem))
            {
                throw new HelpDocException(help.File, b.Line, "RELATED LINKS holds only links: [Text](uri) or [about_Topic]().");
            }

            var matches = LinkRegex.Matches(b.Text);
            if (matches.Count == 0)
            {
                throw new HelpDocException(help.File, b.Line, $"RELATED LINKS: '{b.Text}' is not a link ([Text](uri)).");
            }

            foreach (Match m in matches)
            {
                var uri = m.Groups[2].Value;

                // Like platyPS: only an absolute address is kept; a relative one (Other-Cmdlet.md) leaves the text,
                // which Get-Help shows and Get-Help -Online ignores.
                bool absolute = Uri.TryCreate(uri, UriKind.Absolute, out var u) && (u.Scheme is "http" or "https");
                help.Links.Add(new LinkHelp(Inline.ToPlainText(m.Groups[1].Value), absolute ? uri : string.Empty));
            }
        }
    }
}
