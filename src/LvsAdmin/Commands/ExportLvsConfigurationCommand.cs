using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LvsAdmin.Ipvs;
using System.Management.Automation;
using System.Text;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Commands;

/// <summary>
/// Exports a configuration (the live one, or a piped document) as a versioned JSON document, as ipvsadm rules
/// (byte-identical to ipvsadm -Sn) or as the LVS half of a keepalived.conf (with -Director, each director's whole keepalived.conf), to a file (UTF-8 without BOM, replaced atomically) or as text.
/// </summary>
[Cmdlet(VerbsData.Export, "LvsConfiguration", SupportsShouldProcess = true)]
[OutputType(typeof(string))]
public sealed class ExportLvsConfigurationCommand : ConfigurationCmdlet
{
    /// <summary>The file to write; without it the text is written to the pipeline. Relative paths and ~ are resolved by PowerShell; no wildcards.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// Json (default: everything, versioned), Ipvsadm (ipvsadm-save rules; thresholds, non-default timeouts, sync
    /// daemons and host settings are left out, with one warning for each) or Keepalived (the LVS half of a
    /// keepalived.conf; what keepalived cannot express is left out with a warning that names it).
    /// </summary>
    [Parameter]
    public ConfigurationFormat Format { get; set; } = ConfigurationFormat.Json;

    /// <summary>A configuration document to export instead of the live one (from Get-LvsConfiguration -Path, to convert a file).</summary>
    [Parameter(ValueFromPipeline = true)]
    public LvsConfiguration? Configuration { get; set; }

    /// <summary>
    /// Also read the host settings of the live configuration into its host section: every net.ipv4.vs.* sysctl and
    /// the VIPs on lo (not loopback or link-local addresses). Applying such a document sets them back.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeHost { get; set; }

    /// <summary>
    /// The directors of the document's pair (directorPair) to write a keepalived.conf for: router_id, the VRRP-driven
    /// sync daemon, the vrrp_instance with the VIPs, and the virtual servers. Wildcards allowed (* = every director).
    /// One director: -Path is its file (or the text goes to the pipeline); -Path an existing directory: one file
    /// DIRECTORY/NAME.conf per director. Implies -Format Keepalived.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Director { get; set; }

    /// <summary>Do not overwrite an existing file: the error FileExists instead.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Overwrite a read-only file (and overrides -NoClobber).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        LvsConfiguration? document = Configuration;
        if (document is null && !Try(Target("IPVS"), () => document = ReadLive(IncludeHost))) return;
        if (Director is not null)
        {
            ExportDirectors(document!);
            return;
        }
        foreach (var omission in ConfigurationFile.Omissions(document!, Format)) WriteWarning(omission);
        var text = ConfigurationFile.Format(document!, Format);
        if (Path is null)
        {
            WriteObject(text.EndsWith('\n') ? text[..^1] : text);
            return;
        }
        Save(ResolvePath(Path), text, "Write the LvsAdmin configuration (" + Format + ")");
    }

    /// <summary>
    /// -Director: every selected director's keepalived.conf is built (and the pair validated) before any file is
    /// written; then to -Path (a file for one director, NAME.conf in an existing directory) or to the pipeline.
    /// </summary>
    private void ExportDirectors(LvsConfiguration document)
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Format)) && Format != ConfigurationFormat.Keepalived)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Director writes keepalived.conf files: use -Format Keepalived (or leave -Format out), not {Format}."),
                "DirectorNeedsKeepalivedFormat", ErrorCategory.InvalidArgument, Format));
        var files = new List<(string Name, string Text)>();
        try
        {
            foreach (var d in SelectDirectors(document))
            {
                var warnings = new List<string>();
                files.Add((d.Name, ConfigurationKeepalived.WriteDirector(document, d.Name, warnings)));
                foreach (var w in warnings) WriteWarning(d.Name + ": " + w);
            }
        }
        catch (IpvsException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, Director));
        }
        var target = Path is null ? null : ResolvePath(Path);
        var intoDirectory = target is not null && Directory.Exists(target);
        if (files.Count > 1 && !intoDirectory)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Director selects {files.Count} directors ({string.Join(", ", files.Select(f => f.Name))}): give -Path an existing directory, where each gets NAME.conf."),
                "DirectoryRequired", ErrorCategory.InvalidArgument, Path));
        foreach (var (name, text) in files)
        {
            if (target is null) WriteObject(text.EndsWith('\n') ? text[..^1] : text);
            else Save(intoDirectory ? System.IO.Path.Combine(target, name + ".conf") : target, text, $"Write director {name}'s keepalived.conf");
        }
    }

    /// <summary>The directors -Director names (wildcards match names, case-sensitive); a name without a match is DirectorNotFound.</summary>
    private List<LvsAdmin.Configuration.Director> SelectDirectors(LvsConfiguration document)
    {
        if (document.DirectorPair is not { } pair) return new() { ConfigurationKeepalived.FindDirector(document, Director![0]) };
        var chosen = new List<LvsAdmin.Configuration.Director>();
        foreach (var name in Director!)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name)) chosen.Add(ConfigurationKeepalived.FindDirector(document, name));
            else
            {
                var pattern = WildcardPattern.Get(name, WildcardOptions.None);
                var matched = pair.Directors.Where(d => pattern.IsMatch(d.Name)).ToList();
                if (matched.Count == 0)
                    throw new DirectorNotFoundException($"No director of the pair matches '{name}' (it has: {string.Join(", ", pair.Directors.Select(d => d.Name))}).");
                chosen.AddRange(matched);
            }
        }
        return chosen.Distinct().ToList();
    }

    private void Save(string file, string text, string action)
    {
        if (!ShouldProcess(file, action)) return;
        try
        {
            WriteFile(file, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var id = e is FileExistsException ? "FileExists" : "ConfigurationFileUnwritable";
            var category = e is FileExistsException ? ErrorCategory.ResourceExists : e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError;
            ThrowTerminatingError(new ErrorRecord(e, id, category, file));
        }
    }

    /// <summary>Writes to a temporary file beside <paramref name="file"/> and renames it over, keeping the old file's mode.</summary>
    private void WriteFile(string file, string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n')) text += "\n";
        var exists = File.Exists(file);
        if (exists && NoClobber && !Force) throw new FileExistsException($"The file '{file}' exists and -NoClobber was given.");
        if (Directory.Exists(file)) throw new IOException($"'{file}' is a directory.");
        if (exists && !Force && (File.GetAttributes(file) & FileAttributes.ReadOnly) != 0)
            throw new UnauthorizedAccessException($"The file '{file}' is read-only; use -Force to replace it.");
        var dir = System.IO.Path.GetDirectoryName(file)!;
        var temp = System.IO.Path.Combine(dir, "." + System.IO.Path.GetFileName(file) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            if (exists && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, File.GetUnixFileMode(file));
            File.Move(temp, file, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private sealed class FileExistsException : IOException
    {
        public FileExistsException(string message) : base(message) { }
    }
}
