using System;
using System.Collections.Generic;
using System.Linq;

namespace LvsAdmin.HelpGen;

/// <summary>The help of one cmdlet, read from its platyPS markdown file. Texts are plain (inline markdown removed).</summary>
public sealed class CommandHelp
{
    public const string AllParameterSets = "__AllParameterSets";

    public required string Name { get; init; }

    public required string File { get; init; }

    public required int Line { get; init; }

    public string Verb => Name.Split('-', 2)[0];

    public string Noun => Name.Contains('-') ? Name.Split('-', 2)[1] : string.Empty;

    /// <summary>The front matter's "Module Name".</summary>
    public required string ModuleName { get; init; }

    public string? OnlineVersion { get; set; }

    public List<string> Synopsis { get; } = new();

    public List<string> Description { get; } = new();

    public List<SyntaxSet> Syntax { get; } = new();

    public List<ParameterHelp> Parameters { get; } = new();

    public List<ExampleHelp> Examples { get; } = new();

    public List<TypeHelp> Inputs { get; } = new();

    public List<TypeHelp> Outputs { get; } = new();

    public List<string> Notes { get; } = new();

    public List<LinkHelp> Links { get; } = new();

    public ParameterHelp? FindParameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The parameters of one parameter set in the order its SYNTAX block lists them, with the metadata
    /// (yaml block) that applies to that set.</summary>
    public IEnumerable<(ParameterHelp Parameter, ParameterMetadata Metadata)> ParametersOf(SyntaxSet set)
    {
        foreach (var name in set.ParameterNames)
        {
            var p = FindParameter(name);
            var m = p?.MetadataFor(set.Name);
            if (p is not null && m is not null)
            {
                yield return (p, m);
            }
        }
    }
}

/// <summary>A parameter set: its SYNTAX heading (without " (Default)") and the parameters its code block names.</summary>
public sealed record SyntaxSet(string Name, bool IsDefault, int Line, string Code, IReadOnlyList<string> ParameterNames);

public sealed class ParameterHelp
{
    public required string Name { get; init; }

    public required int Line { get; init; }

    public List<string> Description { get; } = new();

    /// <summary>One entry per yaml block: usually one, several when Required or Position differ between sets.</summary>
    public List<ParameterMetadata> Metadata { get; } = new();

    public ParameterMetadata? MetadataFor(string setName) =>
        Metadata.FirstOrDefault(m => m.Sets.Any(s => string.Equals(s, setName, StringComparison.OrdinalIgnoreCase)))
        ?? Metadata.FirstOrDefault(m => m.AllSets);
}

public sealed class ParameterMetadata
{
    public required int Line { get; init; }

    public required string Type { get; init; }

    /// <summary>True for "Parameter Sets: (All)".</summary>
    public bool AllSets { get; init; }

    public IReadOnlyList<string> Sets { get; init; } = Array.Empty<string>();

    public IReadOnlyList<string> Aliases { get; init; } = Array.Empty<string>();

    public IReadOnlyList<string> AcceptedValues { get; init; } = Array.Empty<string>();

    public bool Required { get; init; }

    /// <summary>"named" or a 0-based position.</summary>
    public string Position { get; init; } = "named";

    public string DefaultValue { get; init; } = "None";

    /// <summary>"False", "True (ByValue)", "True (ByPropertyName)" or "True (ByPropertyName, ByValue)".</summary>
    public string PipelineInput { get; init; } = "False";

    public bool Globbing { get; init; }

    public bool IsSwitch => Type is "SwitchParameter" or "Switch" or "System.Management.Automation.SwitchParameter";

    public bool IsArray => Type.EndsWith("[]", StringComparison.Ordinal);
}

public sealed record ExampleHelp(string Title, int Line, string Code, IReadOnlyList<string> Remarks);

public sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

public sealed record LinkHelp(string Text, string Uri);
