using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Formats;

/// <summary>
/// One statement of a keepalived.conf: its words (the keyword first), where it is, and its { } block (null when it
/// has none).
/// </summary>
public sealed record KeepalivedStatement(IReadOnlyList<string> Words, string File, int Line, IReadOnlyList<KeepalivedStatement>? Block)
{
    public string Keyword => Words[0];

    /// <summary>"file:line".</summary>
    public string Where => File + ":" + Line;
}

/// <summary>
/// Reads keepalived.conf text into statements the way keepalived 2.2.7's lib/parser.c does: '#' and '!' start a
/// comment (not inside "double quotes"; a backslash escapes them), "double quotes" keep a word with blanks together,
/// '{' and '}' are words of their own wherever they stand, a block may open on the keyword's line or the next one,
/// and <c>include PATTERN</c> (also includer/includem/includew/includeb/includea) reads the files the glob pattern
/// matches, relative to the directory of the including file, in sorted order. The parameter definitions
/// ($NAME=...), conditional lines (@id ...) and ~SEQ/~LST of keepalived are errors here (LvsAdmin does not expand
/// them). Every problem is collected with its file and line.
/// </summary>
public sealed class KeepalivedLexer
{
    private const int MaxIncludeDepth = 32;
    private readonly List<ConfigurationError> _errors;
    private readonly List<string> _notes;

    private KeepalivedLexer(List<ConfigurationError> errors, List<string> notes)
    {
        _errors = errors;
        _notes = notes;
    }

    private readonly record struct Token(string Text, bool Quoted, string File, int Line, bool LineStart);

    /// <summary>
    /// The statements of <paramref name="text"/> (named <paramref name="file"/>; includes are resolved relative to
    /// <paramref name="directory"/>, and are an error when it is null).
    /// </summary>
    public static IReadOnlyList<KeepalivedStatement> Read(string text, string file, string? directory, List<ConfigurationError> errors, List<string> notes)
    {
        var lexer = new KeepalivedLexer(errors, notes);
        var tokens = new List<Token>();
        lexer.Tokenize(text, file, directory, tokens, 0);
        var position = 0;
        return lexer.Statements(tokens, ref position, topLevel: true);
    }

    private void Error(string file, int line, string message) => _errors.Add(new ConfigurationError(line, 0, null, message) { File = file });

    private void Tokenize(string text, string file, string? directory, List<Token> tokens, int depth)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNo = i + 1;
            var line = Decomment(lines[i].TrimEnd('\r'), file, lineNo).Trim();
            if (line.Length == 0) continue;
            if (IsInclude(line, out var pattern))
            {
                Include(pattern, file, lineNo, directory, tokens, depth);
                continue;
            }
            if (line[0] is '$' or '@' or '~')
            {
                Error(file, lineNo, $"'{line}': keepalived parameter definitions ($NAME=), conditional lines (@id) and ~SEQ/~LST are not supported by LvsAdmin; expand them first.");
                continue;
            }
            Words(line, file, lineNo, tokens);
        }
    }

    /// <summary>The line without its comment; an escaped \# or \! outside quotes stands for the character.</summary>
    private string Decomment(string line, string file, int lineNo)
    {
        var sb = new StringBuilder(line.Length);
        var quote = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"') quote = !quote;
            else if (c == '\\' && i + 1 < line.Length)
            {
                if (!quote && line[i + 1] is '#' or '!') { sb.Append(line[++i]); continue; }
                sb.Append(c).Append(line[++i]);
                continue;
            }
            else if (!quote && c is '#' or '!') break;
            sb.Append(c);
        }
        if (quote) Error(file, lineNo, "Unterminated quote.");
        return sb.ToString();
    }

    private static bool IsInclude(string line, out string pattern)
    {
        pattern = "";
        if (!line.StartsWith("include", StringComparison.Ordinal) || line.Length < 8) return false;
        int rest;
        if (char.IsWhiteSpace(line[7])) rest = 8;
        else if ("rmwba".Contains(line[7]) && line.Length > 8 && char.IsWhiteSpace(line[8])) rest = 9;
        else return false;
        pattern = line[rest..].Trim();
        return true;
    }

    private void Include(string pattern, string file, int lineNo, string? directory, List<Token> tokens, int depth)
    {
        if (pattern.Length == 0)
        {
            Error(file, lineNo, "include needs a file name or pattern.");
            return;
        }
        if (directory is null && !Path.IsPathRooted(pattern))
        {
            Error(file, lineNo, $"include {pattern}: a relative include needs the configuration to come from a file (use -Path).");
            return;
        }
        if (depth >= MaxIncludeDepth)
        {
            Error(file, lineNo, $"include {pattern}: includes nest deeper than {MaxIncludeDepth} (an include loop?).");
            return;
        }
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(directory!, pattern);
        var matches = Glob(full);
        if (matches.Count == 0)
        {
            if (HasWildcard(pattern)) _notes.Add($"{file}:{lineNo}: include {pattern} matches no file.");
            else Error(file, lineNo, $"include {pattern}: no such file ({full}).");
            return;
        }
        foreach (var m in matches)
        {
            string content;
            try
            {
                content = File.ReadAllText(m, Encoding.UTF8);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Error(file, lineNo, $"include {pattern}: cannot read {m}: {e.Message}");
                continue;
            }
            if (content.Length > 0 && content[0] == '\uFEFF') content = content[1..];
            Tokenize(content, m, Path.GetDirectoryName(m), tokens, depth + 1);
        }
    }

    private static bool HasWildcard(string s) => s.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

    /// <summary>The files an absolute glob pattern matches (*, ? and [...] in any path segment), sorted ordinally as glob(3) does in the C locale.</summary>
    internal static List<string> Glob(string pattern)
    {
        if (!HasWildcard(pattern)) return File.Exists(pattern) ? new List<string> { pattern } : new List<string>();
        var root = Path.GetPathRoot(pattern) ?? "/";
        var segments = pattern[root.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { root };
        for (var s = 0; s < segments.Length; s++)
        {
            var last = s == segments.Length - 1;
            var seg = segments[s];
            var next = new List<string>();
            foreach (var dir in current)
            {
                if (!HasWildcard(seg))
                {
                    var p = Path.Combine(dir, seg);
                    if (last ? File.Exists(p) : Directory.Exists(p)) next.Add(p);
                    continue;
                }
                if (!Directory.Exists(dir)) continue;
                var regex = new Regex("^" + GlobToRegex(seg) + "$", RegexOptions.CultureInvariant);
                IEnumerable<string> entries;
                try
                {
                    entries = last ? Directory.EnumerateFiles(dir) : Directory.EnumerateDirectories(dir);
                    entries = entries.ToList();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                foreach (var entry in entries)
                {
                    var name = Path.GetFileName(entry);
                    if (name.StartsWith('.') && !seg.StartsWith('.')) continue;
                    if (regex.IsMatch(name)) next.Add(entry);
                }
            }
            current = next;
        }
        current.Sort(StringComparer.Ordinal);
        return current;
    }

    private static string GlobToRegex(string seg)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < seg.Length; i++)
        {
            var c = seg[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                    var close = seg.IndexOf(']', i + 2);
                    if (close < 0) { sb.Append("\\["); break; }
                    var body = seg[(i + 1)..close];
                    if (body.StartsWith('!')) body = "^" + body[1..];
                    sb.Append('[').Append(body.Replace("\\", "\\\\")).Append(']');
                    i = close;
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Splits a decommented line into words: blanks separate, "quotes" group, { and } stand alone.</summary>
    private void Words(string line, string file, int lineNo, List<Token> tokens)
    {
        var i = 0;
        var first = true;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i])) { i++; continue; }
            if (line[i] is '{' or '}')
            {
                tokens.Add(new Token(line[i].ToString(), false, file, lineNo, first));
                first = false;
                i++;
                continue;
            }
            var sb = new StringBuilder();
            var quoted = false;
            while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not ('{' or '}'))
            {
                if (line[i] == '"')
                {
                    var end = line.IndexOf('"', i + 1);
                    if (end < 0) { sb.Append(line[(i + 1)..]); i = line.Length; break; }
                    sb.Append(line, i + 1, end - i - 1);
                    quoted = true;
                    i = end + 1;
                    continue;
                }
                sb.Append(line[i++]);
            }
            tokens.Add(new Token(sb.ToString(), quoted, file, lineNo, first));
            first = false;
        }
    }

    private List<KeepalivedStatement> Statements(List<Token> tokens, ref int p, bool topLevel) => Statements(tokens, ref p, topLevel, out _);

    /// <summary>Statements up to a closing brace (or the end at top level); <paramref name="closed"/> says whether the brace came.</summary>
    private List<KeepalivedStatement> Statements(List<Token> tokens, ref int p, bool topLevel, out bool closed)
    {
        var list = new List<KeepalivedStatement>();
        closed = false;
        while (p < tokens.Count)
        {
            var t = tokens[p];
            if (!t.Quoted && t.Text == "}")
            {
                p++;
                if (topLevel)
                {
                    Error(t.File, t.Line, "Extra '}' found.");
                    continue;
                }
                closed = true;
                return list;
            }
            if (!t.Quoted && t.Text == "{")
            {
                Error(t.File, t.Line, "Unexpected '{' (a block without a keyword).");
                p++;
                Statements(tokens, ref p, topLevel: false);
                continue;
            }
            var words = new List<string> { t.Text };
            p++;
            while (p < tokens.Count && !tokens[p].LineStart && !IsBrace(tokens[p])) words.Add(tokens[p++].Text);
            IReadOnlyList<KeepalivedStatement>? block = null;
            // The block opens on the keyword's line or at the start of a following line (keepalived's need_bob).
            if (p < tokens.Count && !tokens[p].Quoted && tokens[p].Text == "{")
            {
                var open = tokens[p];
                p++;
                block = Statements(tokens, ref p, topLevel: false, out var blockClosed);
                if (!blockClosed) Error(open.File, open.Line, $"The '{t.Text}' block opened here is not closed with '}}'.");
            }
            list.Add(new KeepalivedStatement(words, t.File, t.Line, block));
        }
        return list;
    }

    private static bool IsBrace(Token t) => !t.Quoted && t.Text is "{" or "}";
}
