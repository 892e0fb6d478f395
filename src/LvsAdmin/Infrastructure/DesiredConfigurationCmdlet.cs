using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
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

    /// <summary>
    /// Treat health state as drift: real servers with health checks that keepalived set to weight 0 or removed are
    /// put back as the document says (and the sorry server as the document has it). Without it they are left to
    /// keepalived's checker.
    /// </summary>
    [Parameter]
    public SwitchParameter RepairHealthState { get; set; }

    /// <summary>
    /// Sessions to directors (New-PSSession -HostName …): the document is read and validated here, then compared,
    /// tested or applied on each of those hosts at once, each with its own plan and its own rollback. Every result
    /// carries the host in PSComputerName; a host that fails (unreachable, no LvsAdmin or another version, the kernel
    /// refuses) is that host's non-terminating error and never stops the others. The sessions are left open.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public PSSession[] Session { get; set; } = [];

    /// <summary>With -Session: how many hosts are worked on at once (default 32).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 32;

    private RemoteCommandRunner? _runner;

    /// <summary>True when -Session was given: the work happens on those hosts.</summary>
    protected bool OnSessions => Session.Length > 0;

    /// <summary>
    /// Runs the LvsAdmin command <paramref name="command"/> on every session of -Session with the document piped in as
    /// JSON (and -Prune, -NetworkNamespace as given here); see <see cref="RemoteCommandRunner.Run"/>.
    /// </summary>
    private protected List<RemoteCommandRunner.HostRun> RunOnSessions(IReadOnlyList<PSSession> sessions, LvsConfiguration desired, string command, Dictionary<string, object?>? parameters = null)
    {
        parameters ??= new Dictionary<string, object?>();
        parameters["Format"] = nameof(ConfigurationFormat.Json);
        if (Prune) parameters["Prune"] = true;
        if (RepairHealthState) parameters["RepairHealthState"] = true;
        if (NetworkNamespace is not null) parameters["NetworkNamespace"] = NetworkNamespace;
        _runner ??= new RemoteCommandRunner(this, ThrottleLimit);
        return _runner.Run(sessions, command, parameters, ConfigurationJson.Write(desired));
    }

    protected override void StopProcessing()
    {
        _runner?.Stop();
        base.StopProcessing();
    }

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
