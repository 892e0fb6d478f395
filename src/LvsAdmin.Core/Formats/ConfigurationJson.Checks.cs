using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using LvsAdmin.Configuration;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Formats;

/// <summary>
/// The health part of the JSON document: a service's "health" object (checks, onFailure, sorryServer, quorum,
/// hysteresis, alpha) and a real server's own "checks" and "onFailure". Optional and backward compatible: a document
/// without them is schemaVersion 1 as before.
/// </summary>
public static partial class ConfigurationJson
{
    private static readonly (string Name, HealthCheckType Value)[] CheckTypeNames =
    {
        ("tcp", HealthCheckType.Tcp), ("http", HealthCheckType.Http), ("https", HealthCheckType.Https),
        ("udp", HealthCheckType.Udp), ("dns", HealthCheckType.Dns), ("command", HealthCheckType.Command),
    };

    private static readonly (string Name, HealthFailureAction Value)[] FailureNames =
    {
        ("inhibit", HealthFailureAction.Inhibit), ("remove", HealthFailureAction.Remove),
    };

    private static readonly string[] CheckProperties =
    {
        "type", "connectAddress", "connectPort", "connectTimeout", "interval", "retries", "delayBeforeRetry", "path",
        "statusCodes", "digest", "regex", "virtualHost", "payload", "requireReply", "reply", "queryType", "queryName",
        "command", "commandTimeout", "dynamic",
    };

    private static void WriteServiceHealth(Utf8JsonWriter w, ServiceHealth? h)
    {
        if (h is null) return;
        w.WriteStartObject("health");
        if (h.Checks.Count > 0) WriteChecks(w, h.Checks);
        w.WriteString("onFailure", FailureNames.First(x => x.Value == h.OnFailure).Name);
        if (h.SorryServer is { } s)
        {
            w.WriteStartObject("sorryServer");
            w.WriteString("address", Endpoint.Format(s.Address, s.Port));
            w.WriteString("forwardingMethod", ForwardingName(s.ForwardingMethod));
            w.WriteBoolean("inhibit", s.Inhibit);
            w.WriteEndObject();
        }
        w.WriteNumber("quorum", h.Quorum);
        w.WriteNumber("hysteresis", h.Hysteresis);
        w.WriteBoolean("alpha", h.Alpha);
        w.WriteEndObject();
    }

    private static void WriteRealServerHealth(Utf8JsonWriter w, ServiceHealth? h, RealServerKey key)
    {
        if (h?.RealServers.FirstOrDefault(r => r.RealServer.Equals(key)) is not { } own) return;
        if (own.Checks.Count > 0) WriteChecks(w, own.Checks);
        if (own.OnFailure is { } a) w.WriteString("onFailure", FailureNames.First(x => x.Value == a).Name);
    }

    private static void WriteChecks(Utf8JsonWriter w, IReadOnlyList<HealthCheck> checks)
    {
        w.WriteStartArray("checks");
        foreach (var c in checks)
        {
            w.WriteStartObject();
            w.WriteString("type", CheckTypeNames.First(x => x.Value == c.Type).Name);
            if (c.ConnectAddress is { } a) w.WriteString("connectAddress", a.ToString());
            if (c.ConnectPort is { } p) w.WriteNumber("connectPort", p);
            if (c.ConnectTimeout is { } ct) w.WriteNumber("connectTimeout", ct);
            if (c.Interval is { } i) w.WriteNumber("interval", i);
            if (c.Retries is { } r) w.WriteNumber("retries", r);
            if (c.DelayBeforeRetry is { } d) w.WriteNumber("delayBeforeRetry", d);
            if (c.Path is not null) w.WriteString("path", c.Path);
            if (c.StatusCodes.Count > 0)
            {
                w.WriteStartArray("statusCodes");
                foreach (var range in c.StatusCodes) w.WriteStringValue(range.ToString());
                w.WriteEndArray();
            }
            if (c.Digest is not null) w.WriteString("digest", c.Digest);
            if (c.Regex is not null) w.WriteString("regex", c.Regex);
            if (c.VirtualHost is not null) w.WriteString("virtualHost", c.VirtualHost);
            if (c.Payload is not null) w.WriteString("payload", c.Payload);
            if (c.RequireReply) w.WriteBoolean("requireReply", true);
            if (c.Reply is not null) w.WriteString("reply", c.Reply);
            if (c.QueryType is not null) w.WriteString("queryType", c.QueryType);
            if (c.QueryName is not null) w.WriteString("queryName", c.QueryName);
            if (c.Command.Count > 0)
            {
                w.WriteStartArray("command");
                foreach (var word in c.Command) w.WriteStringValue(word);
                w.WriteEndArray();
            }
            if (c.CommandTimeout is { } mt) w.WriteNumber("commandTimeout", mt);
            if (c.Dynamic) w.WriteBoolean("dynamic", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private sealed partial class DocumentReader
    {
        /// <summary>A real server's own "checks" and "onFailure" (null when it has neither).</summary>
        private RealServerHealth? ReadRealServerHealth(Node n, RealServerKey key)
        {
            var checks = n["checks"] is { } cn ? ReadChecks(cn) : null;
            var onFailure = Enum(n["onFailure"], FailureNames);
            if (checks is null && onFailure is null) return null;
            return new RealServerHealth(key, checks) { OnFailure = onFailure };
        }

        /// <summary>The service's health from its "health" object and its real servers' own settings (null when there are none).</summary>
        private ServiceHealth? ReadServiceHealth(Node? n, List<RealServerHealth> realServers, ServiceKey key)
        {
            if (n is null) return realServers.Count == 0 ? null : new ServiceHealth { RealServers = realServers };
            if (!Object(n, "the health settings", "checks", "onFailure", "sorryServer", "quorum", "hysteresis", "alpha")) return null;
            var checks = n["checks"] is { } cn ? ReadChecks(cn) : new List<HealthCheck>();
            var onFailure = Enum(n["onFailure"], FailureNames) ?? HealthFailureAction.Inhibit;
            SorryServer? sorry = null;
            if (n["sorryServer"] is { } sn && Object(sn, "a sorry server", "address", "forwardingMethod", "inhibit"))
            {
                var addressNode = Required(sn, "address", "A sorry server");
                var text = String(addressNode);
                var method = Enum(sn["forwardingMethod"], ("nat", ForwardingMethod.Nat), ("directRouting", ForwardingMethod.DirectRouting),
                    ("tunnel", ForwardingMethod.Tunnel)) ?? ForwardingMethod.Nat;
                var inhibit = Bool(sn["inhibit"]) ?? false;
                if (text is not null)
                {
                    if (Endpoint.TryParse(text, out var address, out var port, out var why))
                        sorry = new SorryServer(address, port ?? key.Port) { ForwardingMethod = method, Inhibit = inhibit };
                    else Error(addressNode!, why);
                }
            }
            var quorum = Integer(n["quorum"], 1, uint.MaxValue) ?? 1;
            var hysteresis = Integer(n["hysteresis"], 0, uint.MaxValue) ?? 0;
            var alpha = Bool(n["alpha"]) ?? false;
            return new ServiceHealth
            {
                Checks = checks,
                RealServers = realServers,
                OnFailure = onFailure,
                SorryServer = sorry,
                Quorum = (uint)quorum,
                Hysteresis = (uint)hysteresis,
                Alpha = alpha,
            };
        }

        private List<HealthCheck> ReadChecks(Node n)
        {
            var list = new List<HealthCheck>();
            foreach (var cn in Array(n))
                if (ReadCheck(cn) is { } c) list.Add(c);
            return list;
        }

        private HealthCheck? ReadCheck(Node n)
        {
            if (!Object(n, "a health check", CheckProperties)) return null;
            var errorsBefore = Errors.Count;
            var type = Enum(Required(n, "type", "A health check"), CheckTypeNames);
            IPAddress? connectAddress = null;
            var addressNode = n["connectAddress"];
            if (String(addressNode) is { } at && !Endpoint.TryParseAddress(at, out connectAddress!)) Error(addressNode!, $"'{at}' is not an IPv4 or IPv6 address.");
            var statusCodes = new List<HttpStatusRange>();
            foreach (var sn in Array(n["statusCodes"]))
            {
                if (String(sn) is not { } st) continue;
                if (HttpStatusRange.TryParse(st, out var range)) statusCodes.Add(range);
                else Error(sn, $"'{st}' is not a status code or range within {HealthCheck.MinStatusCode}-{HealthCheck.MaxStatusCode} (such as 200 or 200-299).");
            }
            var command = Array(n["command"]).Select(x => String(x)).ToList();
            var check = new HealthCheck(type ?? HealthCheckType.Tcp)
            {
                ConnectAddress = connectAddress,
                ConnectPort = (ushort?)Integer(n["connectPort"], 1, 65535),
                ConnectTimeout = (uint?)Integer(n["connectTimeout"], 1, HealthValidation.MaxTimeout),
                Interval = (uint?)Integer(n["interval"], 1, HealthValidation.MaxInterval),
                Retries = (uint?)Integer(n["retries"], 0, HealthValidation.MaxRetries),
                DelayBeforeRetry = (uint?)Integer(n["delayBeforeRetry"], 0, HealthValidation.MaxInterval),
                Path = String(n["path"]) ?? (type is HealthCheckType.Http or HealthCheckType.Https ? "/" : null),
                StatusCodes = statusCodes,
                Digest = String(n["digest"]),
                Regex = String(n["regex"]),
                VirtualHost = String(n["virtualHost"]),
                Payload = String(n["payload"]),
                RequireReply = Bool(n["requireReply"]) ?? false,
                Reply = String(n["reply"]),
                QueryType = String(n["queryType"]),
                QueryName = String(n["queryName"]),
                Command = command.Where(c => c is not null).Select(c => c!).ToList(),
                CommandTimeout = (uint?)Integer(n["commandTimeout"], 1, HealthValidation.MaxTimeout),
                Dynamic = Bool(n["dynamic"]) ?? false,
            };
            if (type is null || Errors.Count > errorsBefore) return null;
            try
            {
                HealthValidation.Validate(check);
            }
            catch (IpvsValidationException e)
            {
                Error(n, e.Message);
                return null;
            }
            return check;
        }
    }
}
