using System;
using System.Management.Automation;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Commands;

/// <summary>
/// Gets a configuration document: the live IPVS configuration (virtual services with their real servers, timeouts
/// and sync daemons), or the one in a file (-Path, JSON or ipvsadm rules; nothing is applied).
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsConfiguration")]
[OutputType(typeof(LvsConfiguration))]
public sealed class GetLvsConfigurationCommand : ConfigurationCmdlet
{
    /// <summary>Read this configuration file (JSON document or ipvsadm rules) instead of the live table; nothing is applied.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The format of the -Path file (Json, Ipvsadm or Keepalived); detected from its content when omitted.</summary>
    [Parameter]
    public ConfigurationFormat Format { get; set; }

    /// <summary>
    /// Also read the host settings of the live configuration into its host section: every net.ipv4.vs.* sysctl and
    /// the VIPs on lo (not loopback or link-local addresses). Applying such a document sets them back.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeHost { get; set; }

    protected override void EndProcessing()
    {
        if (IncludeHost && Path is not null)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-IncludeHost applies to the live configuration, not to a -Path file."), "IncludeHostWithPath", ErrorCategory.InvalidArgument, Path));
        if (Given(nameof(Format)) && Path is null)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Format applies to a -Path file only."), "FormatWithoutPath", ErrorCategory.InvalidArgument, Format));
        if (Path is not null)
        {
            WriteObject(LoadFile(Path, Given(nameof(Format)) ? Format : null));
        }
        else
        {
            Try(Target("IPVS"), () => WriteObject(ReadLive(IncludeHost)));
        }
        base.EndProcessing();
    }
}
