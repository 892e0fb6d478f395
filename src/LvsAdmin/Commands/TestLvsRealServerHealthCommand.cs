using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LvsAdmin.Configuration;
using LvsAdmin.Formats;
using LvsAdmin.Health;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Runs health checks once and returns one result per real server and check (Passed, Latency, Reason, HttpStatus):
/// the checks a configuration document declares (-Path, -Configuration), or one check given by parameters for given
/// real servers. From the director's network namespace with -NetworkNamespace; in parallel (-ThrottleLimit). For
/// continuous checking the engine is keepalived (Export-LvsConfiguration -Format Keepalived).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LvsRealServerHealth", DefaultParameterSetName = PathSet)]
[OutputType(typeof(HealthCheckResult))]
public sealed class TestLvsRealServerHealthCommand : ConfigurationCmdlet
{
    private const string PathSet = "Path";
    private const string ConfigurationSet = "Configuration";
    private const string CheckSet = "Check";

    /// <summary>A configuration file (JSON document or keepalived.conf) whose declared checks are run.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The format of -Path (Json, Ipvsadm or Keepalived); detected from the content when omitted.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public ConfigurationFormat Format { get; set; }

    /// <summary>A configuration document object (Import-LvsConfiguration -PassThru is not needed: Get-LvsConfiguration -Path gives one).</summary>
    [Parameter(ParameterSetName = ConfigurationSet, Mandatory = true, ValueFromPipeline = true)]
    public LvsConfiguration? Configuration { get; set; }

    /// <summary>
    /// With -Path or -Configuration: only these services (tcp/10.0.0.1:80, fwm/100). With -Type: the service the real
    /// servers belong to (one), named in the results.
    /// </summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = ConfigurationSet)]
    [Parameter(ParameterSetName = CheckSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>The real servers to check (10.0.1.1:80, [2001:db8::1]:80).</summary>
    [Parameter(ParameterSetName = CheckSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[] RealServer { get; set; } = Array.Empty<string>();

    /// <summary>The check to run: Tcp, Http, Https, Udp, Dns or Command.</summary>
    [Parameter(ParameterSetName = CheckSet, Mandatory = true)]
    public HealthCheckType Type { get; set; }

    /// <summary>Port to check instead of the real server's (connect_port).</summary>
    [Parameter(ParameterSetName = CheckSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Http, Https: the path to GET (default /).</summary>
    [Parameter(ParameterSetName = CheckSet)]
    public string HttpPath { get; set; } = "/";

    /// <summary>Http, Https: status codes or ranges that pass (200, 200-299; default 200-299).</summary>
    [Parameter(ParameterSetName = CheckSet)]
    public string[] StatusCode { get; set; } = Array.Empty<string>();

    /// <summary>Http, Https: a regular expression the body must match.</summary>
    [Parameter(ParameterSetName = CheckSet)]
    public string? Regex { get; set; }

    /// <summary>Command: the program (absolute path) and its arguments; exit code 0 passes.</summary>
    [Parameter(ParameterSetName = CheckSet)]
    public string[] CommandLine { get; set; } = Array.Empty<string>();

    /// <summary>Seconds a connection (or the command) may take (default 5).</summary>
    [Parameter(ParameterSetName = CheckSet)]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; }

    /// <summary>How many checks run at the same time (default 16).</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 16;

    protected override void ProcessRecord()
    {
        IReadOnlyList<HealthCheckTarget> targets = ParameterSetName switch
        {
            CheckSet => CheckTargets(),
            ConfigurationSet => DocumentTargets(Configuration!),
            _ => DocumentTargets(LoadFile(Path, Given(nameof(Format)) ? Format : null)),
        };
        if (targets.Count == 0)
        {
            WriteWarning("No health checks to run: the document declares none" + (Service is null ? "." : " for the services given."));
            return;
        }
        WriteVerbose(Target($"Running {targets.Count} health check(s)"));
        IReadOnlyList<HealthCheckResult> results;
        try
        {
            results = HealthCheckRunner.Run(targets, NetworkNamespace, ThrottleLimit);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            // Parallel.For wraps what a check thread threw (a network namespace that cannot be entered).
            ThrowTerminatingError(ErrorRecords.From(e.InnerException, (object?)NetworkNamespace ?? "health checks"));
            return;
        }
        WriteObject(results, enumerateCollection: true);
    }

    private IReadOnlyList<HealthCheckTarget> DocumentTargets(LvsConfiguration document)
    {
        HashSet<ServiceKey>? wanted = null;
        if (Service is not null) wanted = new HashSet<ServiceKey>(Service.Select(ParseService));
        return HealthCheckRunner.Targets(document, wanted is null ? null : wanted.Contains);
    }

    private ServiceKey ParseService(string text)
    {
        if (ServiceKey.TryParse(text, out var key, out var why) && key is not null) return key;
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(why), "InvalidService", ErrorCategory.InvalidArgument, text));
        throw new InvalidOperationException(); // not reached
    }

    private IReadOnlyList<HealthCheckTarget> CheckTargets()
    {
        if (Service!.Length != 1)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("With -Type, -Service names the one service the real servers belong to."), "InvalidService", ErrorCategory.InvalidArgument, Service));
        var service = ParseService(Service[0]);
        var statusCodes = new List<HttpStatusRange>();
        foreach (var s in StatusCode)
        {
            if (HttpStatusRange.TryParse(s, out var range)) statusCodes.Add(range);
            else ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{s}' is not a status code or range within 100-599 (such as 200 or 200-299)."), "InvalidHealthCheck", ErrorCategory.InvalidArgument, s));
        }
        var http = Type is HealthCheckType.Http or HealthCheckType.Https;
        var check = new HealthCheck(Type)
        {
            ConnectPort = Given(nameof(Port)) ? (ushort)Port : null,
            ConnectTimeout = Given(nameof(TimeoutSeconds)) && Type != HealthCheckType.Command ? (uint)TimeoutSeconds : null,
            CommandTimeout = Given(nameof(TimeoutSeconds)) && Type == HealthCheckType.Command ? (uint)TimeoutSeconds : null,
            Path = http || Given(nameof(HttpPath)) ? HttpPath : null,
            StatusCodes = statusCodes,
            Regex = Regex,
            Command = CommandLine,
        };
        try
        {
            HealthValidation.Validate(check);
        }
        catch (IpvsValidationException e)
        {
            ThrowTerminatingError(ErrorRecords.From(e, check));
        }
        var targets = new List<HealthCheckTarget>();
        foreach (var text in RealServer)
        {
            if (!Endpoint.TryParse(text, out var address, out var port, out var why))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(why), "InvalidRealServer", ErrorCategory.InvalidArgument, text));
            var realPort = port ?? service.Port;
            if (realPort == 0 && check.ConnectPort is null && Type != HealthCheckType.Command)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"Real server {text} has no port: give -Port."), "InvalidHealthCheck", ErrorCategory.InvalidArgument, text));
            targets.Add(new HealthCheckTarget(service, new RealServerKey(address, realPort), check));
        }
        return targets;
    }
}
