using System;
using System.Collections.Generic;
using System.Linq;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>
/// Checks the health model against what keepalived 2.2.7 accepts (check_api.c, check_http.c, check_udp.c,
/// check_dns.c, check_misc.c). Every failure is an <see cref="IpvsValidationException"/> with ErrorId
/// InvalidHealthCheck (a check) or InvalidServiceHealth (the service's health settings) and the property named.
/// </summary>
public static class HealthValidation
{
    public const uint MaxTimeout = 3600, MaxInterval = 86400, MaxRetries = 1_000_000;

    /// <summary>The DNS query types keepalived knows (check_dns.c DNS_TYPE).</summary>
    public static readonly string[] DnsTypes = { "A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA", "RRSIG", "DNSKEY" };

    private static IpvsValidationException Check(string property, string message) => new(property, message, "InvalidHealthCheck");
    private static IpvsValidationException Service(string property, string message) => new(property, message, "InvalidServiceHealth");

    /// <summary>Throws when <paramref name="check"/> is not something keepalived accepts as written.</summary>
    public static void Validate(HealthCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var t = check.Type;
        var name = check.KeepalivedName;
        if (!Enum.IsDefined(t)) throw Check("Type", $"Unknown health check type {(int)t}.");
        if (check.ConnectPort == 0) throw Check("ConnectPort", "The connect port must be 1-65535.");
        Range(check.ConnectTimeout, 1, MaxTimeout, "ConnectTimeout");
        Range(check.Interval, 1, MaxInterval, "Interval");
        Range(check.Retries, 0, MaxRetries, "Retries");
        Range(check.DelayBeforeRetry, 0, MaxInterval, "DelayBeforeRetry");
        if (t == HealthCheckType.Command && (check.ConnectAddress is not null || check.ConnectPort is not null || check.ConnectTimeout is not null))
            throw Check("ConnectAddress", "A command check has no connect address, port or timeout (use CommandTimeout).");
        if (check.ConnectAddress is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6, ScopeId: not 0 })
            throw Check("ConnectAddress", "A connect address cannot have a scope id.");

        var http = t is HealthCheckType.Http or HealthCheckType.Https;
        Only(http, check.Path is not null, "Path", name);
        Only(http, check.StatusCodes.Count > 0, "StatusCodes", name);
        Only(http, check.Digest is not null, "Digest", name);
        Only(http, check.Regex is not null, "Regex", name);
        Only(http, check.VirtualHost is not null, "VirtualHost", name);
        if (http)
        {
            if (check.Path is null) throw Check("Path", $"{name} needs a path (for example /).");
            if (check.Path.Length == 0 || check.Path[0] != '/' || check.Path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '"'))
                throw Check("Path", $"The path '{check.Path}' must start with / and contain no blanks or double quotes.");
            foreach (var r in check.StatusCodes)
                if (r.Min < HealthCheck.MinStatusCode || r.Max > HealthCheck.MaxStatusCode || r.Min > r.Max)
                    throw Check("StatusCodes", $"The status code range {r} is not within {HealthCheck.MinStatusCode}-{HealthCheck.MaxStatusCode}.");
            if (check.Digest is not null && (check.Digest.Length != 32 || !check.Digest.All(Uri.IsHexDigit) || check.Digest.Any(char.IsUpper)))
                throw Check("Digest", $"The digest '{check.Digest}' must be an MD5 digest: 32 lower-case hex digits.");
            if (check.Regex is not null)
            {
                if (check.Regex.Length == 0 || check.Regex.Any(c => c == '"' || char.IsControl(c)))
                    throw Check("Regex", "The regular expression must not be empty nor contain double quotes or control characters.");
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(check.Regex);
                }
                catch (ArgumentException e)
                {
                    throw Check("Regex", $"The regular expression '{check.Regex}' is not valid: {e.Message}");
                }
            }
            if (check.VirtualHost is not null && !IsWord(check.VirtualHost))
                throw Check("VirtualHost", $"The virtual host '{check.VirtualHost}' must be a host name without blanks, quotes, braces, # or !.");
        }

        var udp = t == HealthCheckType.Udp;
        Only(udp, check.Payload is not null, "Payload", name);
        Only(udp, check.RequireReply, "RequireReply", name);
        Only(udp, check.Reply is not null, "Reply", name);
        if (check.Payload is not null && !IsHex(check.Payload)) throw Check("Payload", $"The payload '{check.Payload}' must be hex digits, two per byte.");
        if (check.Reply is not null)
        {
            if (!IsHex(check.Reply)) throw Check("Reply", $"The reply '{check.Reply}' must be hex digits, two per byte.");
            if (!check.RequireReply) throw Check("Reply", "An expected reply needs RequireReply.");
        }

        var dns = t == HealthCheckType.Dns;
        Only(dns, check.QueryType is not null, "QueryType", name);
        Only(dns, check.QueryName is not null, "QueryName", name);
        if (check.QueryType is not null && !DnsTypes.Contains(check.QueryType))
            throw Check("QueryType", $"The DNS query type '{check.QueryType}' is not one of {string.Join(", ", DnsTypes)}.");
        if (check.QueryName is not null && (!IsWord(check.QueryName) || check.QueryName.Contains("..") || (check.QueryName.StartsWith('.') && check.QueryName != ".")))
            throw Check("QueryName", $"The DNS name '{check.QueryName}' is not a name (no empty label, blank, quote, brace, # or !).");

        var command = t == HealthCheckType.Command;
        Only(command, check.Command.Count > 0, "Command", name);
        Only(command, check.CommandTimeout is not null, "CommandTimeout", name);
        Only(command, check.Dynamic, "Dynamic", name);
        if (command)
        {
            if (check.Command.Count == 0 || check.Command[0].Length == 0 || check.Command[0][0] != '/')
                throw Check("Command", "A command check needs the absolute path of the program (keepalived runs it without a shell), then its arguments.");
            if (check.Command.Any(a => a.Length == 0 || a.Any(c => c == '"' || char.IsControl(c))))
                throw Check("Command", "A command argument must not be empty nor contain double quotes or control characters.");
            Range(check.CommandTimeout, 1, MaxTimeout, "CommandTimeout");
        }
    }

    /// <summary>Throws when the health settings of <paramref name="service"/> are wrong (each check, the real servers named, the sorry server, quorum and hysteresis).</summary>
    public static void Validate(ConfiguredService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Health is not { } h) return;
        foreach (var c in h.Checks) Validate(c);
        if (!Enum.IsDefined(h.OnFailure)) throw Service("OnFailure", $"Unknown failure action {(int)h.OnFailure}.");
        var seen = new HashSet<RealServerKey>();
        foreach (var r in h.RealServers)
        {
            if (!service.RealServers.Any(x => x.Key.Equals(r.RealServer)))
                throw Service("RealServers", $"{service.Key}: health settings for {r.RealServer}, which is not a real server of the service.");
            if (!seen.Add(r.RealServer)) throw Service("RealServers", $"{service.Key}: real server {r.RealServer} has health settings twice.");
            if (r.OnFailure is { } a && !Enum.IsDefined(a)) throw Service("OnFailure", $"Unknown failure action {(int)a}.");
            foreach (var c in r.Checks) Validate(c);
        }
        foreach (var r in service.RealServers.Where(r => r.Port == 0 && h.SorryServer?.Key.Equals(r.Key) != true))
            if (h.ChecksFor(r.Key).FirstOrDefault(c => c.Type != HealthCheckType.Command && c.ConnectPort is null) is { } portless)
                throw Service("ConnectPort", $"{service.Key}: real server {r.Key} has no port: its {portless.KeepalivedName} check needs a connect port.");
        if (h.Quorum == 0) throw Service("Quorum", $"{service.Key}: the quorum must be 1 or more.");
        if (h.Hysteresis >= h.Quorum) throw Service("Hysteresis", $"{service.Key}: the hysteresis ({h.Hysteresis}) must be less than the quorum ({h.Quorum}).");
        if (h.SorryServer is { } s)
        {
            if (s.ForwardingMethod is not (ForwardingMethod.Nat or ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel))
                throw Service("SorryServer", $"{service.Key}: the sorry server's forwarding method must be NAT, DR or TUN.");
            if (s.ForwardingMethod != ForwardingMethod.Tunnel &&
                (s.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != (service.Key.AddressFamily == IpvsAddressFamily.IPv6))
                throw Service("SorryServer", $"{service.Key}: the sorry server {s} is of another address family (only a TUN sorry server may be).");
        }
    }

    private static void Range(uint? value, uint min, uint max, string property)
    {
        if (value is { } v && (v < min || v > max)) throw Check(property, $"{property} must be {min}-{max}, not {v}.");
    }

    private static void Only(bool allowed, bool given, string property, string name)
    {
        if (given && !allowed) throw Check(property, $"{property} does not apply to a {name} check.");
    }

    private static bool IsHex(string s) => s.Length > 0 && s.Length % 2 == 0 && s.All(Uri.IsHexDigit);

    /// <summary>One keepalived word: no blanks, quotes, braces, comment characters or control characters.</summary>
    internal static bool IsWord(string s) =>
        s.Length > 0 && !s.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '{' or '}' or '#' or '!' or '\\');
}
