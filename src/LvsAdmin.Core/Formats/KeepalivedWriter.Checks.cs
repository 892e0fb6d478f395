using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using LvsAdmin.Configuration;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Formats;

/// <summary>
/// The health part of a keepalived.conf: inhibit_on_failure, quorum, hysteresis, alpha and the sorry server in the
/// virtual_server; each real server's checks (its own, else the service's: keepalived has no service-level
/// checkers) as TCP_CHECK, HTTP_GET, SSL_GET, UDP_CHECK, DNS_CHECK and MISC_CHECK blocks with their settings.
/// </summary>
internal static partial class KeepalivedWriter
{
    /// <summary>
    /// global_defs lines a MISC_CHECK needs: keepalived 2.2.7 refuses to run check scripts without script security
    /// (keepalived -t: "SECURITY VIOLATION"), and its default script user keepalived_script rarely exists.
    /// </summary>
    private static IEnumerable<string> ScriptSecurity(LvsConfiguration configuration)
    {
        var commands = configuration.Services.Any(s => s.Health is { } h &&
            h.Checks.Concat(h.RealServers.SelectMany(r => r.Checks)).Any(c => c.Type == HealthCheckType.Command));
        if (!commands) yield break;
        yield return "enable_script_security";
        yield return "script_user root";
    }

    private static void WriteServiceHealth(StringBuilder sb, ConfiguredService configured, ServiceHealth h, List<RealServer> reals, List<string> warnings)
    {
        if (h.OnFailure == HealthFailureAction.Inhibit) Line(sb, 1, "inhibit_on_failure");
        if (h.Quorum != 1) Line(sb, 1, "quorum " + h.Quorum.ToString(CultureInfo.InvariantCulture));
        if (h.Hysteresis != 0) Line(sb, 1, "hysteresis " + h.Hysteresis.ToString(CultureInfo.InvariantCulture));
        if (h.Alpha) Line(sb, 1, "alpha");
        foreach (var r in h.RealServers.Where(x => !reals.Any(y => y.Key.Equals(x.RealServer))))
            warnings.Add($"{configured.Key}: the health settings of real server {r.RealServer} are left out with it.");
        if (h.SorryServer is not { } sorry) return;
        Line(sb, 1, $"sorry_server {sorry.Address} {sorry.Port}");
        Line(sb, 1, "sorry_server_lvs_method " + (sorry.ForwardingMethod switch
        {
            ForwardingMethod.DirectRouting => "DR",
            ForwardingMethod.Tunnel => "TUN",
            _ => "NAT",
        }));
        if (sorry.Inhibit) Line(sb, 1, "sorry_server_inhibit");
    }

    private static void WriteRealServerHealth(StringBuilder sb, ServiceHealth h, RealServer r)
    {
        if (h.RealServers.FirstOrDefault(x => x.RealServer.Equals(r.Key))?.OnFailure is { } own && own != h.OnFailure)
            Line(sb, 2, "inhibit_on_failure " + (own == HealthFailureAction.Inhibit ? "on" : "off"));
        foreach (var check in h.ChecksFor(r.Key)) WriteCheck(sb, check);
    }

    private static void WriteCheck(StringBuilder sb, HealthCheck c)
    {
        Line(sb, 2, c.KeepalivedName + " {");
        if (c.ConnectAddress is { } a) Line(sb, 3, "connect_ip " + a);
        if (c.ConnectPort is { } p) Line(sb, 3, "connect_port " + p.ToString(CultureInfo.InvariantCulture));
        if (c.ConnectTimeout is { } ct) Line(sb, 3, "connect_timeout " + ct.ToString(CultureInfo.InvariantCulture));
        if (c.Interval is { } i) Line(sb, 3, "delay_loop " + i.ToString(CultureInfo.InvariantCulture));
        if (c.Retries is { } n) Line(sb, 3, "retry " + n.ToString(CultureInfo.InvariantCulture));
        if (c.DelayBeforeRetry is { } d) Line(sb, 3, "delay_before_retry " + d.ToString(CultureInfo.InvariantCulture));
        switch (c.Type)
        {
            case HealthCheckType.Http or HealthCheckType.Https:
                if (c.VirtualHost is not null) Line(sb, 3, "virtualhost " + c.VirtualHost);
                Line(sb, 3, "url {");
                Line(sb, 4, "path \"" + (c.Path ?? "/") + "\"");
                if (c.StatusCodes.Count > 0) Line(sb, 4, "status_code " + string.Join(' ', c.StatusCodes));
                if (c.Digest is not null) Line(sb, 4, "digest " + c.Digest);
                if (c.Regex is not null) Line(sb, 4, "regex " + Quote(c.Regex));
                Line(sb, 3, "}");
                break;
            case HealthCheckType.Udp:
                if (c.Payload is not null) Line(sb, 3, "payload " + c.Payload.ToLowerInvariant());
                if (c.RequireReply) Line(sb, 3, "require_reply" + (c.Reply is null ? "" : " " + c.Reply.ToLowerInvariant()));
                break;
            case HealthCheckType.Dns:
                if (c.QueryType is not null) Line(sb, 3, "type " + c.QueryType);
                if (c.QueryName is not null) Line(sb, 3, "name " + c.QueryName);
                break;
            case HealthCheckType.Command:
                Line(sb, 3, "misc_path " + string.Join(' ', c.Command.Select(Word)));
                if (c.CommandTimeout is { } mt) Line(sb, 3, "misc_timeout " + mt.ToString(CultureInfo.InvariantCulture));
                if (c.Dynamic) Line(sb, 3, "misc_dynamic");
                break;
        }
        Line(sb, 2, "}");
    }

    /// <summary>A word as keepalived's quoted-and-escaped reader (misc_path) takes it back: plain when it can be, else "quoted" with \ doubled.</summary>
    private static string Word(string word) => HealthValidation.IsWord(word) ? word : Quote(word);

    /// <summary>"text" with \ doubled (keepalived's alloc_strvec_quoted_escaped undoes it); text has no double quote (validated).</summary>
    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal) + "\"";
}
