using System;

namespace LvsAdmin.HelpGen;

/// <summary>A malformed help document: carries the file and 1-based line so the build can point at it.</summary>
public sealed class HelpDocException : Exception
{
    public HelpDocException(string file, int line, string message) : base(message)
    {
        File = file;
        Line = line;
    }

    public string File { get; }

    public int Line { get; }

    /// <summary>The canonical MSBuild error form, <c>file(line): error HELPGEN: message</c>, which Exec turns into a build error.</summary>
    public string ToMSBuildError() => $"{File}({Math.Max(Line, 1)}): error HELPGEN: {Message}";

    public override string ToString() => $"{File}:{Math.Max(Line, 1)}: {Message}";
}
