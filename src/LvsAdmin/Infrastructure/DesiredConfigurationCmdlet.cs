using System.Management.Automation;
using System.Text;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;

namespace LvsAdmin.Commands;

/// <summary>
/// Base of the cmdlets that take a desired configuration: from a file (-Path), as a document object (-Configuration,
/// from Get-LvsConfiguration or from the pipeline), or as text (-InputObject: JSON or ipvsadm rules, e.g. from
/// Get-Content or standard input; piped lines are joined and read once at the end). -Prune widens the scope to
/// every live service.
/// </summary>
public abstract class DesiredConfigurationCmdlet : ConfigurationCmdlet
{
    protected const string PathSet = "Path";
    protected const string ConfigurationSet = "Configuration";
    protected const string TextSet = "Text";

    private StringBuilder? _text;

    /// <summary>
    /// The configuration file: a JSON document or ipvsadm rules (as written by ipvsadm-save or ipvsadm -Sn), detected
    /// from its content unless -Format is given. Relative paths and ~ are resolved by PowerShell; no wildcards.
    /// </summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>A configuration document object, as Get-LvsConfiguration returns it (also from the pipeline).</summary>
    [Parameter(ParameterSetName = ConfigurationSet, Mandatory = true, ValueFromPipeline = true)]
    public LvsConfiguration? Configuration { get; set; }

    /// <summary>
    /// The configuration as text (a JSON document or ipvsadm rules), for example from Get-Content or from standard
    /// input; piped lines are joined and read as one text at the end.
    /// </summary>
    [Parameter(ParameterSetName = TextSet, Mandatory = true, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string InputObject { get; set; } = "";

    /// <summary>The format of -Path or -InputObject (Json, Ipvsadm or Keepalived); detected from the content when omitted.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = TextSet)]
    public ConfigurationFormat Format { get; set; }

    /// <summary>
    /// Also manage the live virtual services the document does not name: they are removed. Without it only the
    /// services in the document (with all their real servers) are compared and changed.
    /// </summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    private ConfigurationFormat? FormatOrNull => Given(nameof(Format)) ? Format : null;

    /// <summary>Does the cmdlet's work for one desired configuration.</summary>
    protected abstract void Process(LvsConfiguration desired);

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case TextSet:
                (_text ??= new StringBuilder()).Append(InputObject).Append('\n');
                break;
            case ConfigurationSet:
                Process(Configuration!);
                break;
            default:
                Process(LoadFile(Path, FormatOrNull));
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (_text is not null) Process(ParseText(_text.ToString(), FormatOrNull));
        base.EndProcessing();
    }
}
