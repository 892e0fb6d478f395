using System;
using System.Management.Automation;
using LvsAdmin.Ipvs;
using LvsAdmin.State;

namespace LvsAdmin.Commands;

/// <summary>
/// Gets a configuration document: the live IPVS configuration (virtual services with their real servers, timeouts
/// and sync daemons), or the one in a file (-Path, JSON or ipvsadm rules; nothing is applied).
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsConfiguration", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(LvsConfiguration))]
public sealed class GetLvsConfigurationCommand : ConfigurationCmdlet
{
    private const string LiveSet = "Live";
    private const string PathSet = "Path";

    /// <summary>Read this configuration file (JSON document or ipvsadm rules) instead of the live table; nothing is applied.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The format of the -Path file (Json or Ipvsadm); detected from its content when omitted.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public ConfigurationFormat Format { get; set; }

    protected override void EndProcessing()
    {
        if (ParameterSetName == PathSet)
        {
            WriteObject(LoadFile(Path, Given(nameof(Format)) ? Format : null));
        }
        else
        {
            Try(Target("IPVS"), () => WriteObject(LiveConfiguration.Read(Client)));
        }
        base.EndProcessing();
    }
}
