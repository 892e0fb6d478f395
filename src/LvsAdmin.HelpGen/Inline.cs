using System;
using System.Text;
using System.Text.RegularExpressions;

namespace LvsAdmin.HelpGen;

/// <summary>
/// Markdown inline formatting to plain help text: code spans keep their content, emphasis markers go, links become
/// their text (followed by the address in parentheses when it is absolute), backslash escapes are resolved.
/// </summary>
public static class Inline
{
    private static readonly Regex CodeSpan = new(@"(`+)(.+?)\1", RegexOptions.CultureInvariant | RegexOptions.Singleline);
    private static readonly Regex Link = new(@"(?<!\\)\[([^\]]*)\]\(([^)\s]*)(?:\s+""[^""]*"")?\)", RegexOptions.CultureInvariant);
    private static readonly Regex AutoLink = new(@"<((?:https?|ftp|mailto):[^>\s]+)>", RegexOptions.CultureInvariant);
    private static readonly Regex Strong = new(@"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", RegexOptions.CultureInvariant);
    private static readonly Regex Emphasis = new(@"(?<![\w*\\])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", RegexOptions.CultureInvariant);
    private static readonly Regex UnderscoreEmphasis = new(@"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)", RegexOptions.CultureInvariant);
    private static readonly Regex Escape = new(@"\\([!-/:-@\[-`{-~])", RegexOptions.CultureInvariant);

    public static string ToPlainText(string markdown)
    {
        var sb = new StringBuilder(markdown.Length);
        int pos = 0;
        foreach (Match m in CodeSpan.Matches(markdown))
        {
            // A backtick preceded by a backslash is a literal backtick, not a code span.
            if (m.Index > 0 && markdown[m.Index - 1] == '\\')
            {
                continue;
            }

            sb.Append(Plain(markdown[pos..m.Index]));
            var code = m.Groups[2].Value;
            sb.Append(code.Length > 2 && code[0] == ' ' && code[^1] == ' ' ? code[1..^1] : code);
            pos = m.Index + m.Length;
        }

        sb.Append(Plain(markdown[pos..]));
        return sb.ToString();
    }

    private static string Plain(string s)
    {
        if (s.Length == 0)
        {
            return s;
        }

        s = Link.Replace(s, m =>
        {
            var text = m.Groups[1].Value;
            var uri = m.Groups[2].Value;
            bool absolute = Uri.TryCreate(uri, UriKind.Absolute, out var u) && (u.Scheme is "http" or "https" or "ftp" or "mailto");
            if (text.Length == 0)
            {
                return uri;
            }

            return absolute && !string.Equals(text, uri, StringComparison.Ordinal) ? $"{text} ({uri})" : text;
        });
        s = AutoLink.Replace(s, "$1");
        s = Strong.Replace(s, "$2");
        s = Emphasis.Replace(s, "$1");
        s = UnderscoreEmphasis.Replace(s, "$1");
        return Escape.Replace(s, "$1");
    }
}
