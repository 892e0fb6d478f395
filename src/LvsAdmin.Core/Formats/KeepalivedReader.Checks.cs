using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using LvsAdmin.Configuration;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Formats;

/// <summary>
/// The health checkers of a real_server (TCP_CHECK, HTTP_GET, SSL_GET, UDP_CHECK, DNS_CHECK, MISC_CHECK; keepalived
/// 2.2.7's check_api.c, check_http.c, check_udp.c, check_dns.c, check_misc.c) and the checker defaults of the
/// virtual and real server (delay_loop, retry, delay_before_retry, connect_timeout), turned into the service's
/// <see cref="ServiceHealth"/>. Settings LvsAdmin does not model are skipped with a note.
/// </summary>
internal sealed partial class KeepalivedReader
{
    /// <summary>The checker blocks read into the health model.</summary>
    private static readonly HashSet<string> ModelledCheckers = new(StringComparer.Ordinal)
    {
        "TCP_CHECK", "HTTP_GET", "SSL_GET", "UDP_CHECK", "DNS_CHECK", "MISC_CHECK",
    };

    /// <summary>Valid checker keywords LvsAdmin does not model (skipped with a note).</summary>
    private static readonly HashSet<string> UnmodelledCheckKeywords = new(StringComparer.Ordinal)
    {
        "bindto", "bind_port", "bind_if", "fwmark", "warmup", "log_all_failures", "alpha", "http_protocol", "enable_sni",
        "fast_recovery", "min_reply_length", "max_reply_length", "user",
    };

    /// <summary>Checker settings a virtual or real server gives its checkers (keepalived fills a checker's unset ones from the real server, then the virtual server).</summary>
    private sealed class CheckDefaults
    {
        public uint? Interval, Retries, DelayBeforeRetry, ConnectTimeout;

        public HealthCheck Apply(HealthCheck c) => c with
        {
            Interval = c.Interval ?? Interval,
            Retries = c.Retries ?? Retries,
            DelayBeforeRetry = c.DelayBeforeRetry ?? DelayBeforeRetry,
            ConnectTimeout = c.Type == HealthCheckType.Command ? null : c.ConnectTimeout ?? ConnectTimeout,
        };
    }

    /// <summary>True when <paramref name="k"/> is a checker default (delay_loop, retry, delay_before_retry, connect_timeout) and was read into <paramref name="d"/>.</summary>
    private bool ReadCheckDefault(KeepalivedStatement k, CheckDefaults d)
    {
        switch (k.Keyword)
        {
            case "delay_loop": d.Interval = Seconds(k, 1, HealthValidation.MaxInterval) ?? d.Interval; return true;
            case "retry": d.Retries = Seconds(k, 0, HealthValidation.MaxRetries) ?? d.Retries; return true;
            case "delay_before_retry": d.DelayBeforeRetry = Seconds(k, 0, HealthValidation.MaxInterval) ?? d.DelayBeforeRetry; return true;
            case "connect_timeout": d.ConnectTimeout = Seconds(k, 1, HealthValidation.MaxTimeout) ?? d.ConnectTimeout; return true;
            default: return false;
        }
    }

    /// <summary>A whole number argument min-max (seconds or a count), or null with an error.</summary>
    private uint? Seconds(KeepalivedStatement k, uint min, uint max)
    {
        var arg = k.Words.Count > 1 ? k.Words[1] : null;
        if (arg is not null && TryUnsigned(arg, min, max, out var v)) return v;
        Error(k, $"{k.Keyword} '{arg}' must be a whole number {min}-{max} (LvsAdmin reads whole seconds only).");
        return null;
    }

    /// <summary>The checks of one checker block (an HTTP_GET or SSL_GET with several url blocks gives one check per url).</summary>
    private List<HealthCheck> ReadChecker(KeepalivedStatement k)
    {
        var type = k.Keyword switch
        {
            "TCP_CHECK" => HealthCheckType.Tcp,
            "HTTP_GET" => HealthCheckType.Http,
            "SSL_GET" => HealthCheckType.Https,
            "UDP_CHECK" => HealthCheckType.Udp,
            "DNS_CHECK" => HealthCheckType.Dns,
            _ => HealthCheckType.Command,
        };
        var check = new HealthCheck(type);
        var urls = new List<HealthCheck>();
        var defaults = new CheckDefaults();
        var skipped = new List<string>();
        foreach (var s in k.Block ?? Array.Empty<KeepalivedStatement>())
        {
            var w = s.Words;
            var arg = w.Count > 1 ? w[1] : null;
            if (s.Block is not null && s.Keyword != "url" || s.Keyword == "url" && (s.Block is null || type is not (HealthCheckType.Http or HealthCheckType.Https)))
            {
                Error(s, $"'{s.Keyword}' in {k.Keyword}: unexpected {{ }} block or keyword.");
                continue;
            }
            var connection = type != HealthCheckType.Command;
            if (connection && ReadCheckDefault(s, defaults)) continue;
            switch (s.Keyword)
            {
                case "delay_loop" or "retry" or "delay_before_retry" when !connection:
                    ReadCheckDefault(s, defaults);
                    break;
                case "connect_ip" when connection:
                    if (arg is not null && TryAddress(s, arg, out var address)) check = check with { ConnectAddress = address };
                    break;
                case "connect_port" when connection:
                    if (arg is not null && TryUnsigned(arg, 1, 65535, out var port)) check = check with { ConnectPort = (ushort)port };
                    else Error(s, $"Invalid checker connect_port '{arg}' (1-65535).");
                    break;
                case "nb_get_retry" when type is HealthCheckType.Http or HealthCheckType.Https:
                    defaults.Retries = Seconds(s, 0, HealthValidation.MaxRetries) ?? defaults.Retries;
                    break;
                case "virtualhost" when type is HealthCheckType.Http or HealthCheckType.Https:
                    if (arg is null) Error(s, "virtualhost needs a host name.");
                    else check = check with { VirtualHost = arg };
                    break;
                case "url":
                    if (ReadUrl(s, type) is { } url) urls.Add(url);
                    break;
                case "payload" when type == HealthCheckType.Udp:
                    if (Hex(s) is { } payload) check = check with { Payload = payload };
                    break;
                case "require_reply" when type == HealthCheckType.Udp:
                    check = check with { RequireReply = true, Reply = w.Count > 1 ? Hex(s) : null };
                    break;
                case "type" when type == HealthCheckType.Dns:
                    var queryType = arg?.ToUpperInvariant();
                    if (queryType is null || !HealthValidation.DnsTypes.Contains(queryType)) Error(s, $"Unknown DNS check type '{arg}' ({string.Join(", ", HealthValidation.DnsTypes)}).");
                    else check = check with { QueryType = queryType };
                    break;
                case "name" when type == HealthCheckType.Dns:
                    if (arg is null) Error(s, "DNS_CHECK name needs a name.");
                    else check = check with { QueryName = arg };
                    break;
                case "misc_path" when type == HealthCheckType.Command:
                    check = check with { Command = w.Skip(1).Select(Unescape).ToList() };
                    break;
                case "misc_timeout" when type == HealthCheckType.Command:
                    check = check with { CommandTimeout = Seconds(s, 1, HealthValidation.MaxTimeout) };
                    break;
                case "misc_dynamic" when type == HealthCheckType.Command:
                    check = check with { Dynamic = true };
                    break;
                default:
                    if (UnmodelledCheckKeywords.Contains(s.Keyword)) skipped.Add(s.Keyword);
                    else Error(s, $"Unknown keyword '{s.Keyword}' in {k.Keyword}.");
                    break;
            }
        }
        if (skipped.Count > 0) Note(k, $"{k.Keyword}: {string.Join(", ", skipped.Distinct())} not modelled by LvsAdmin: skipped (the check is read without it).");
        check = defaults.Apply(check);
        var checks = type is HealthCheckType.Http or HealthCheckType.Https
            ? urls.Select(u => check with { Path = u.Path, StatusCodes = u.StatusCodes, Digest = u.Digest, Regex = u.Regex, VirtualHost = u.VirtualHost ?? check.VirtualHost }).ToList()
            : new List<HealthCheck> { check };
        if (type is HealthCheckType.Http or HealthCheckType.Https && urls.Count == 0) Error(k, $"{k.Keyword} has no url {{ path ... }} block (keepalived drops it).");
        if (urls.Count > 1) Note(k, $"{k.Keyword} with {urls.Count} url blocks: read as {urls.Count} checks, one per url (all must pass, as in keepalived).");
        if (type == HealthCheckType.Command && check.Command.Count == 0) Error(k, "MISC_CHECK has no misc_path (keepalived drops it).");
        var valid = new List<HealthCheck>();
        foreach (var c in checks)
        {
            try
            {
                HealthValidation.Validate(c);
                valid.Add(c);
            }
            catch (IpvsValidationException e)
            {
                Error(k, $"{k.Keyword}: {e.Message}");
            }
        }
        return valid;
    }

    private HealthCheck? ReadUrl(KeepalivedStatement u, HealthCheckType type)
    {
        var url = new HealthCheck(type);
        var skipped = new List<string>();
        foreach (var s in u.Block!)
        {
            var arg = s.Words.Count > 1 ? s.Words[1] : null;
            switch (s.Keyword)
            {
                case "path":
                    url = url with { Path = arg };
                    break;
                case "digest":
                    if (arg is null || arg.Length != 32 || !arg.All(Uri.IsHexDigit)) Error(s, $"digest '{arg}' must be 32 hex digits (an MD5 digest).");
                    else if (url.Digest is not null) Error(s, $"Digest '{arg}' is a duplicate.");
                    else url = url with { Digest = arg.ToLowerInvariant() };
                    break;
                case "status_code":
                    var ranges = new List<HttpStatusRange>(url.StatusCodes);
                    foreach (var code in s.Words.Skip(1))
                    {
                        if (HttpStatusRange.TryParse(code, out var range)) ranges.Add(range);
                        else Error(s, $"Invalid HTTP_GET status code '{code}' ({HealthCheck.MinStatusCode}-{HealthCheck.MaxStatusCode}, or a range such as 200-299).");
                    }
                    url = url with { StatusCodes = ranges };
                    break;
                case "virtualhost":
                    if (arg is null) Error(s, "Missing HTTP_GET virtualhost name.");
                    else url = url with { VirtualHost = arg };
                    break;
                case "regex":
                    if (s.Words.Count != 2) Error(s, "regex needs one \"quoted\" expression.");
                    else url = url with { Regex = Unescape(arg!) };
                    break;
                case "regex_no_match" or "regex_options" or "regex_min_offset" or "regex_max_offset" or "regex_stack":
                    skipped.Add(s.Keyword);
                    break;
                default:
                    Error(s, $"Unknown keyword '{s.Keyword}' in url.");
                    break;
            }
        }
        if (skipped.Count > 0) Note(u, $"url: {string.Join(", ", skipped.Distinct())} not modelled by LvsAdmin: skipped.");
        if (url.Path is null)
        {
            Error(u, "HTTP/SSL_GET checker url has no path (keepalived ignores it).");
            return null;
        }
        return url;
    }

    /// <summary>The hex digits of a payload or reply (the words joined, as keepalived's make_strvec_str), lower-case; null with an error when not hex.</summary>
    private string? Hex(KeepalivedStatement s)
    {
        var text = string.Concat(s.Words.Skip(1)).ToLowerInvariant();
        if (text.Length > 0 && text.Length % 2 == 0 && text.All(Uri.IsHexDigit)) return text;
        Error(s, $"Invalid hex string '{text}' for UDP_CHECK {s.Keyword} (hex digits, two per byte; LvsAdmin reads no masks).");
        return null;
    }

    /// <summary>keepalived's escapes of a quoted-and-escaped word (alloc_strvec_quoted_escaped): \\, \", \n, \t, \r, \xHH, octal; any other \c is c.</summary>
    internal static string Unescape(string word)
    {
        if (!word.Contains('\\')) return word;
        var sb = new StringBuilder(word.Length);
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (c != '\\' || i + 1 >= word.Length)
            {
                sb.Append(c);
                continue;
            }
            var e = word[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'x' when i + 1 < word.Length && Uri.IsHexDigit(word[i + 1]):
                    var v = 0;
                    while (i + 1 < word.Length && Uri.IsHexDigit(word[i + 1])) v = (v << 4 | Convert.ToInt32(word[++i].ToString(), 16)) & 0xff;
                    sb.Append((char)v);
                    break;
                case >= '0' and <= '7':
                    var o = e - '0';
                    for (var n = 0; n < 2 && i + 1 < word.Length && word[i + 1] is >= '0' and <= '7'; n++) o = (o << 3) + (word[++i] - '0');
                    sb.Append((char)(o & 0xff));
                    break;
                default: sb.Append(e); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The service's health from what the virtual_server block declared (null when it declared nothing about health):
    /// the checks of each real server (with the real and virtual server's checker defaults), made the service's checks
    /// when every real server has the same ones; inhibit_on_failure; the sorry server; quorum, hysteresis and alpha.
    /// </summary>
    private ServiceHealth? BuildHealth(ServerBlock vs, List<Server> reals, Func<Server, ushort> port)
    {
        var checks = reals.Select(r => r.Checks.Select(c => vs.Defaults.Apply(r.Defaults.Apply(c))).ToList()).ToList();
        var declared = checks.Any(c => c.Count > 0) || vs.InhibitGiven || reals.Any(r => r.OwnInhibit is not null) || vs.Sorry is not null ||
            vs.Quorum != 1 || vs.Hysteresis != 0 || vs.Alpha;
        if (!declared) return null;
        var shared = checks[0].Count > 0 && checks.All(c => c.SequenceEqual(checks[0]));
        var onFailure = vs.Inhibit ? HealthFailureAction.Inhibit : HealthFailureAction.Remove;
        var own = new List<RealServerHealth>();
        for (var i = 0; i < reals.Count; i++)
        {
            var r = reals[i];
            HealthFailureAction? action = r.OwnInhibit is { } inhibit && inhibit != vs.Inhibit
                ? inhibit ? HealthFailureAction.Inhibit : HealthFailureAction.Remove
                : null;
            var mine = shared ? new List<HealthCheck>() : checks[i];
            if (mine.Count > 0 || action is not null)
                own.Add(new RealServerHealth(new RealServerKey(r.Address, port(r)), mine) { OnFailure = action });
        }
        SorryServer? sorry = null;
        if (vs.Sorry is { } s)
            sorry = new SorryServer(s.Address, port(s)) { ForwardingMethod = s.Forwarding!.Method, Inhibit = vs.SorryInhibit };
        var hysteresis = vs.Hysteresis;
        if (hysteresis >= vs.Quorum)
        {
            Note(vs.Sorry?.At ?? reals[0].At, $"hysteresis {vs.Hysteresis} is not below the quorum {vs.Quorum}: keepalived lowers it to {vs.Quorum - 1}, and so does the import.");
            hysteresis = vs.Quorum - 1;
        }
        return new ServiceHealth
        {
            Checks = shared ? checks[0] : new List<HealthCheck>(),
            RealServers = own,
            OnFailure = onFailure,
            SorryServer = sorry,
            Quorum = vs.Quorum,
            Hysteresis = hysteresis,
            Alpha = vs.Alpha,
        };
    }
}
