using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace LvsAdmin.HelpGen;

public enum BlockKind
{
    Heading,
    Paragraph,
    ListItem,
    Code,
}

/// <summary>One block of a markdown file. <see cref="Text"/> is raw markdown (inline formatting kept) except for code.</summary>
/// <param name="Kind">Heading, paragraph, list item or fenced code block.</param>
/// <param name="Line">1-based line where the block starts.</param>
/// <param name="Text">Heading text, paragraph text (soft breaks joined by a space, hard breaks as '\n'), list item
/// text (with its marker, "- " or "1. "), or the code block's content.</param>
/// <param name="Level">Heading level (1-6); 0 for other blocks.</param>
/// <param name="Info">The info string of a code fence ("powershell", "yaml"), empty otherwise.</param>
public sealed record Block(BlockKind Kind, int Line, string Text, int Level = 0, string Info = "");

public sealed record MarkdownDocument(
    string File,
    IReadOnlyDictionary<string, string>? FrontMatter,
    IReadOnlyList<Block> Blocks);

/// <summary>
/// A small block-level markdown reader, enough for the layout platyPS writes: YAML front matter, ATX headings,
/// paragraphs, bullet and numbered list items, fenced code blocks and pipe tables (kept line by line).
/// </summary>
public static class MarkdownReader
{
    private static readonly Regex HeadingRegex = new(@"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", RegexOptions.CultureInvariant);
    private static readonly Regex FenceRegex = new(@"^( {0,3})(`{3,}|~{3,})[ \t]*([^`]*?)[ \t]*$", RegexOptions.CultureInvariant);
    private static readonly Regex ListRegex = new(@"^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+(.*)$", RegexOptions.CultureInvariant);

    public static MarkdownDocument Parse(string file, string text)
    {
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        int i = 0;
        Dictionary<string, string>? front = null;
        if (lines.Length > 0 && lines[0].TrimEnd() == "---")
        {
            front = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            i = 1;
            bool closed = false;
            for (; i < lines.Length; i++)
            {
                var l = lines[i];
                if (l.TrimEnd() == "---")
                {
                    closed = true;
                    i++;
                    break;
                }

                if (l.Trim().Length == 0 || l.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                int colon = l.IndexOf(':');
                if (colon <= 0)
                {
                    throw new HelpDocException(file, i + 1, $"front matter line '{l.Trim()}' is not 'key: value'.");
                }

                front[l[..colon].Trim()] = l[(colon + 1)..].Trim();
            }

            if (!closed)
            {
                throw new HelpDocException(file, 1, "the front matter opened by '---' on line 1 is never closed by a '---' line.");
            }
        }

        var blocks = new List<Block>();
        var para = new StringBuilder();
        int paraLine = 0;
        BlockKind paraKind = BlockKind.Paragraph;
        bool table = false;

        void Flush()
        {
            if (para.Length > 0)
            {
                blocks.Add(new Block(paraKind, paraLine, para.ToString().TrimEnd()));
            }

            para.Clear();
            table = false;
            paraKind = BlockKind.Paragraph;
        }

        void AppendLine(string line)
        {
            if (para.Length > 0 && para[^1] != '\n')
            {
                para.Append(table ? '\n' : ' ');
            }

            bool hardBreak = line.EndsWith("  ", StringComparison.Ordinal) || (line.EndsWith('\\') && !line.EndsWith("\\\\", StringComparison.Ordinal));
            var content = line.Trim();
            if (hardBreak && content.EndsWith('\\'))
            {
                content = content[..^1].TrimEnd();
            }

            para.Append(content);
            if (hardBreak)
            {
                para.Append('\n');
            }
        }

        for (; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0)
            {
                Flush();
                continue;
            }

            var fence = FenceRegex.Match(line);
            if (fence.Success)
            {
                Flush();
                int start = i + 1;
                string marker = fence.Groups[2].Value;
                int indent = fence.Groups[1].Value.Length;
                var code = new List<string>();
                bool closed = false;
                for (i++; i < lines.Length; i++)
                {
                    var l = lines[i];
                    var t = l.Trim();
                    if (t.Length >= marker.Length && t.Trim(marker[0]).Length == 0 && t[0] == marker[0])
                    {
                        closed = true;
                        break;
                    }

                    int strip = 0;
                    while (strip < indent && strip < l.Length && l[strip] == ' ')
                    {
                        strip++;
                    }

                    code.Add(l[strip..].TrimEnd());
                }

                if (!closed)
                {
                    throw new HelpDocException(file, start, $"the code block opened by '{marker}' is never closed.");
                }

                blocks.Add(new Block(BlockKind.Code, start, string.Join("\n", code), 0, fence.Groups[3].Value.Trim().ToLowerInvariant()));
                continue;
            }

            var heading = HeadingRegex.Match(line);
            if (heading.Success)
            {
                Flush();
                blocks.Add(new Block(BlockKind.Heading, i + 1, heading.Groups[2].Value.Trim(), heading.Groups[1].Value.Length));
                continue;
            }

            var item = ListRegex.Match(line);
            if (item.Success && !(para.Length > 0 && paraKind == BlockKind.Paragraph && !table && char.IsDigit(item.Groups[1].Value[0])))
            {
                Flush();
                paraKind = BlockKind.ListItem;
                paraLine = i + 1;
                var marker = char.IsDigit(item.Groups[1].Value[0]) ? item.Groups[1].Value : "-";
                AppendLine(marker + " " + item.Groups[2].Value);
                continue;
            }

            if (line.TrimStart().StartsWith('|'))
            {
                if (!table)
                {
                    Flush();
                    table = true;
                    paraLine = i + 1;
                }

                AppendLine(line);
                continue;
            }

            if (table)
            {
                Flush();
            }

            if (para.Length == 0)
            {
                paraLine = i + 1;
            }

            AppendLine(line);
        }

        Flush();
        return new MarkdownDocument(file, front, blocks);
    }
}
