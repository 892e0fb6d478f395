using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace LvsAdmin.HelpGen;

/// <summary>
/// Converts an about topic written in platyPS's about layout ("# about_Name", "## about_Name", "# SHORT DESCRIPTION",
/// "# LONG DESCRIPTION", "## Subtopic", ...) into the plain-text about_Name.help.txt Get-Help shows, the way platyPS's
/// New-ExternalHelp renders it: the title becomes TOPIC, heading markers go, level-1 headings are upper-cased,
/// text is indented by four spaces and wrapped at 80 columns, code blocks are indented.
/// </summary>
public static class AboutTopicWriter
{
    private const string Indent = "    ";
    private const int Width = 80;

    public static string Convert(MarkdownDocument doc)
    {
        var file = doc.File;
        var blocks = doc.Blocks;
        var stem = Path.GetFileNameWithoutExtension(file);
        if (blocks.Count == 0 || blocks[0].Kind != BlockKind.Heading || blocks[0].Level != 1)
        {
            throw new HelpDocException(file, blocks.Count > 0 ? blocks[0].Line : 1, $"an about topic starts with '# {stem}'.");
        }

        if (!string.Equals(blocks[0].Text, stem, StringComparison.OrdinalIgnoreCase))
        {
            throw new HelpDocException(file, blocks[0].Line, $"the title '# {blocks[0].Text}' does not match the file name '{stem}'.");
        }

        if (!blocks.Any(b => b.Kind == BlockKind.Heading && b.Level == 1 && string.Equals(b.Text, "SHORT DESCRIPTION", StringComparison.OrdinalIgnoreCase)))
        {
            throw new HelpDocException(file, blocks[0].Line, "an about topic needs a '# SHORT DESCRIPTION' section.");
        }

        if (!blocks.Any(b => b.Kind == BlockKind.Heading && b.Level == 1 && string.Equals(b.Text, "LONG DESCRIPTION", StringComparison.OrdinalIgnoreCase)))
        {
            throw new HelpDocException(file, blocks[0].Line, "an about topic needs a '# LONG DESCRIPTION' section.");
        }

        var sb = new StringBuilder();
        sb.Append("TOPIC\n");
        int start = 1;
        if (blocks.Count > 1 && blocks[1].Kind == BlockKind.Heading && blocks[1].Level == 2)
        {
            sb.Append(Indent).Append(blocks[1].Text.ToLowerInvariant()).Append("\n\n");
            start = 2;
        }
        else
        {
            sb.Append(Indent).Append(stem.ToLowerInvariant()).Append("\n\n");
        }

        for (int i = start; i < blocks.Count; i++)
        {
            var b = blocks[i];
            switch (b.Kind)
            {
                case BlockKind.Heading when b.Level == 1:
                    sb.Append(Inline.ToPlainText(b.Text).ToUpperInvariant()).Append('\n');
                    break;
                case BlockKind.Heading when b.Level == 2:
                    sb.Append(Inline.ToPlainText(b.Text)).Append('\n');
                    break;
                case BlockKind.Heading:
                    sb.Append(Indent).Append(Inline.ToPlainText(b.Text).ToUpperInvariant()).Append('\n');
                    break;
                case BlockKind.Code:
                    foreach (var line in b.Text.Split('\n'))
                    {
                        sb.Append(line.Length == 0 ? string.Empty : Indent + line).Append('\n');
                    }

                    sb.Append('\n');
                    break;
                case BlockKind.Paragraph when b.Text.StartsWith('|'):
                    foreach (var line in b.Text.Split('\n'))
                    {
                        sb.Append(Indent).Append(Inline.ToPlainText(line)).Append('\n');
                    }

                    sb.Append('\n');
                    break;
                case BlockKind.ListItem:
                    {
                        var text = Inline.ToPlainText(b.Text);
                        int marker = text.IndexOf(' ') + 1;
                        AppendWrapped(sb, text, Indent, Indent + new string(' ', marker));
                        bool nextIsItem = i + 1 < blocks.Count && blocks[i + 1].Kind == BlockKind.ListItem;
                        if (!nextIsItem)
                        {
                            sb.Append('\n');
                        }

                        break;
                    }

                default:
                    AppendWrapped(sb, Inline.ToPlainText(b.Text), Indent, Indent);
                    sb.Append('\n');
                    break;
            }
        }

        return sb.ToString().TrimEnd('\n') + "\n";
    }

    private static void AppendWrapped(StringBuilder sb, string text, string first, string rest)
    {
        foreach (var hardLine in text.Split('\n'))
        {
            var line = new StringBuilder(first);
            int lineStart = 0;
            bool empty = true;
            foreach (var word in hardLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!empty && line.Length - lineStart + 1 + word.Length > Width)
                {
                    sb.Append(line).Append('\n');
                    line.Clear().Append(rest);
                    empty = true;
                }

                if (!empty)
                {
                    line.Append(' ');
                }

                line.Append(word);
                empty = false;
            }

            sb.Append(line.ToString().TrimEnd()).Append('\n');
            first = rest;
        }
    }
}
