using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Configuration;

/// <summary>What a health check does: keepalived's TCP_CHECK, HTTP_GET, SSL_GET, UDP_CHECK, DNS_CHECK and MISC_CHECK.</summary>
public enum HealthCheckType
{
    /// <summary>A TCP connect (TCP_CHECK).</summary>
    Tcp,
    /// <summary>An HTTP GET (HTTP_GET): status code, optional MD5 digest or regular expression of the body.</summary>
    Http,
    /// <summary>An HTTP GET over TLS (SSL_GET).</summary>
    Https,
    /// <summary>A UDP datagram, optionally with a required reply (UDP_CHECK).</summary>
    Udp,
    /// <summary>A DNS query that must be answered (DNS_CHECK).</summary>
    Dns,
    /// <summary>An external command that must exit 0 (MISC_CHECK).</summary>
    Command,
}

/// <summary>What keepalived does with a real server whose checks fail.</summary>
public enum HealthFailureAction
{
    /// <summary>Weight 0 (keepalived's inhibit_on_failure): no new connections, existing ones drain. LvsAdmin's default.</summary>
    Inhibit,
    /// <summary>The real server is removed from the table (keepalived's own default): its connections break.</summary>
    Remove,
}

/// <summary>An immutable list with value equality (element by element), for the records of the health model.</summary>
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    public ValueList(IEnumerable<T>? items) => _items = items?.ToArray() ?? Array.Empty<T>();

    public static readonly ValueList<T> Empty = new(null);

    public T this[int index] => _items[index];
    public int Count => _items.Length;
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(ValueList<T>? other) => other is not null && _items.SequenceEqual(other._items);
    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);
    public override int GetHashCode() => _items.Length == 0 ? 0 : HashCode.Combine(_items.Length, _items[0]);
    public override string ToString() => string.Join(", ", _items);

    public static implicit operator ValueList<T>(T[] items) => new(items);
    public static implicit operator ValueList<T>(List<T> items) => new(items);
}

/// <summary>A range of HTTP status codes (keepalived's status_code 200-299); a single code has Min = Max.</summary>
public readonly record struct HttpStatusRange(int Min, int Max)
{
    public bool Contains(int code) => code >= Min && code <= Max;

    /// <summary>"200" or "200-299".</summary>
    public override string ToString() => Min == Max ? Min.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Min}-{Max}";

    /// <summary>Parses "200" or "200-299" (100-599, min ≤ max).</summary>
    public static bool TryParse(string text, out HttpStatusRange range)
    {
        range = default;
        var dash = text.IndexOf('-');
        var ns = System.Globalization.NumberStyles.None;
        var c = System.Globalization.CultureInfo.InvariantCulture;
        if (!int.TryParse(dash < 0 ? text : text[..dash], ns, c, out var min)) return false;
        var max = min;
        if (dash >= 0 && !int.TryParse(text[(dash + 1)..], ns, c, out max)) return false;
        if (min < HealthCheck.MinStatusCode || max > HealthCheck.MaxStatusCode || min > max) return false;
        range = new HttpStatusRange(min, max);
        return true;
    }
}

/// <summary>
/// One health check of a real server, as keepalived 2.2.7 runs it. Null settings are keepalived's defaults (not
/// written to a keepalived.conf): connect to the real server's address and port, connect_timeout 5 s, delay_loop
/// (interval) 60 s, the checker's retry count and delay_before_retry. The type-specific settings are null for other
/// types (validated by <see cref="HealthValidation"/>).
/// </summary>
public sealed record HealthCheck
{
    public const int MinStatusCode = 100, MaxStatusCode = 599;
    /// <summary>keepalived's connect_timeout default (seconds), used by the one-shot runner when none is given.</summary>
    public const uint DefaultConnectTimeout = 5;

    public HealthCheck(HealthCheckType type) => Type = type;

    public HealthCheckType Type { get; init; }

    /// <summary>Address to connect to instead of the real server's (connect_ip), or null.</summary>
    public IPAddress? ConnectAddress { get; init; }
    /// <summary>Port to connect to instead of the real server's (connect_port), or null.</summary>
    public ushort? ConnectPort { get; init; }
    /// <summary>Seconds a connection (or the command, see <see cref="CommandTimeout"/>) may take (connect_timeout), or null.</summary>
    public uint? ConnectTimeout { get; init; }
    /// <summary>Seconds between checks (delay_loop), or null.</summary>
    public uint? Interval { get; init; }
    /// <summary>Retries after a failure before the real server counts as down (retry), or null.</summary>
    public uint? Retries { get; init; }
    /// <summary>Seconds between retries (delay_before_retry), or null.</summary>
    public uint? DelayBeforeRetry { get; init; }

    /// <summary>HTTP/HTTPS: the path to GET (url path); null means "/".</summary>
    public string? Path { get; init; }
    /// <summary>HTTP/HTTPS: the status codes that pass (status_code); empty means 200-299 (keepalived's default).</summary>
    public ValueList<HttpStatusRange> StatusCodes { get; init; } = ValueList<HttpStatusRange>.Empty;
    /// <summary>HTTP/HTTPS: the MD5 digest the body must have (digest; 32 lower-case hex digits), or null.</summary>
    public string? Digest { get; init; }
    /// <summary>HTTP/HTTPS: a regular expression the body must match (regex; keepalived uses PCRE2), or null.</summary>
    public string? Regex { get; init; }
    /// <summary>HTTP/HTTPS: the Host header (virtualhost), or null for the connect address.</summary>
    public string? VirtualHost { get; init; }

    /// <summary>UDP: the datagram to send, as hex digits (payload), or null for an empty one.</summary>
    public string? Payload { get; init; }
    /// <summary>UDP: a reply is required (require_reply); with <see cref="Reply"/> it must start with those bytes.</summary>
    public bool RequireReply { get; init; }
    /// <summary>UDP: the bytes the reply must start with, as hex digits (require_reply HEX), or null.</summary>
    public string? Reply { get; init; }

    /// <summary>DNS: the query type (type; A, NS, CNAME, SOA, MX, TXT or AAAA), or null for SOA.</summary>
    public string? QueryType { get; init; }
    /// <summary>DNS: the name queried (name), or null for "." (keepalived's default).</summary>
    public string? QueryName { get; init; }

    /// <summary>Command: the program (an absolute path) and its arguments (misc_path); keepalived runs it without a shell, as its script_user; exit 0 passes.</summary>
    public ValueList<string> Command { get; init; } = ValueList<string>.Empty;
    /// <summary>Command: seconds the command may run (misc_timeout), or null.</summary>
    public uint? CommandTimeout { get; init; }
    /// <summary>Command: its exit code 2-255 sets the weight to code - 2 (misc_dynamic).</summary>
    public bool Dynamic { get; init; }

    /// <summary>The keepalived block name: TCP_CHECK, HTTP_GET, SSL_GET, UDP_CHECK, DNS_CHECK or MISC_CHECK.</summary>
    public string KeepalivedName => KeepalivedNameOf(Type);

    public static string KeepalivedNameOf(HealthCheckType type) => type switch
    {
        HealthCheckType.Tcp => "TCP_CHECK",
        HealthCheckType.Http => "HTTP_GET",
        HealthCheckType.Https => "SSL_GET",
        HealthCheckType.Udp => "UDP_CHECK",
        HealthCheckType.Dns => "DNS_CHECK",
        _ => "MISC_CHECK",
    };

    /// <summary>"HTTP_GET /health" and the like.</summary>
    public override string ToString() => Type switch
    {
        HealthCheckType.Http or HealthCheckType.Https => $"{KeepalivedName} {Path ?? "/"}",
        HealthCheckType.Dns => $"{KeepalivedName} {QueryType ?? "SOA"} {QueryName ?? "."}",
        HealthCheckType.Command => $"{KeepalivedName} {string.Join(' ', Command)}",
        _ => KeepalivedName + (ConnectPort is { } p ? " port " + p : ""),
    };
}

/// <summary>The checks of one real server (overriding the service's) and, optionally, its own failure action.</summary>
public sealed record RealServerHealth
{
    public RealServerHealth(RealServerKey realServer, IEnumerable<HealthCheck>? checks = null)
    {
        RealServer = realServer ?? throw new ArgumentNullException(nameof(realServer));
        Checks = new ValueList<HealthCheck>(checks);
    }

    /// <summary>The real server (address and port) of the service.</summary>
    public RealServerKey RealServer { get; init; }
    /// <summary>Its checks; when empty, the service's checks apply.</summary>
    public ValueList<HealthCheck> Checks { get; init; }
    /// <summary>Its failure action, or null for the service's.</summary>
    public HealthFailureAction? OnFailure { get; init; }
}

/// <summary>A sorry server: keepalived puts it in the table when the real servers' weight falls below the quorum.</summary>
public sealed record SorryServer
{
    public SorryServer(IPAddress address, ushort port)
    {
        Address = address ?? throw new ArgumentNullException(nameof(address));
        Port = port;
    }

    public IPAddress Address { get; init; }
    public ushort Port { get; init; }
    /// <summary>Its forwarding method (sorry_server_lvs_method); Local and Bypass are not allowed.</summary>
    public ForwardingMethod ForwardingMethod { get; init; } = ForwardingMethod.Nat;
    /// <summary>It stays in the table with weight 0 while the real servers hold the quorum (sorry_server_inhibit).</summary>
    public bool Inhibit { get; init; }

    public RealServerKey Key => new(Address, Port);
    public override string ToString() => Endpoint.Format(Address, Port);
}

/// <summary>
/// The health checking of a virtual service (run by keepalived; <c>Test-LvsRealServerHealth</c> runs the checks once).
/// <see cref="Checks"/> apply to each real server that has no checks of its own in <see cref="RealServers"/>.
/// </summary>
public sealed record ServiceHealth
{
    /// <summary>The checks of every real server without its own.</summary>
    public ValueList<HealthCheck> Checks { get; init; } = ValueList<HealthCheck>.Empty;
    /// <summary>Real servers with their own checks or failure action (each one of the service's real servers, at most once), kept in address order.</summary>
    public ValueList<RealServerHealth> RealServers
    {
        get => _realServers;
        init => _realServers = new ValueList<RealServerHealth>((value ?? ValueList<RealServerHealth>.Empty).OrderBy(r => r.RealServer));
    }

    private readonly ValueList<RealServerHealth> _realServers = ValueList<RealServerHealth>.Empty;
    /// <summary>What a failure does (inhibit: weight 0, the default; remove).</summary>
    public HealthFailureAction OnFailure { get; init; } = HealthFailureAction.Inhibit;
    /// <summary>The sorry server, or null.</summary>
    public SorryServer? SorryServer { get; init; }
    /// <summary>The minimum total weight of the live real servers (quorum; keepalived's default 1).</summary>
    public uint Quorum { get; init; } = 1;
    /// <summary>Tolerance around the quorum before keepalived switches (hysteresis; default 0).</summary>
    public uint Hysteresis { get; init; }
    /// <summary>Real servers start as down until their checks pass (alpha).</summary>
    public bool Alpha { get; init; }

    /// <summary>The checks of <paramref name="realServer"/>: its own, else the service's.</summary>
    public IReadOnlyList<HealthCheck> ChecksFor(RealServerKey realServer)
    {
        var own = RealServers.FirstOrDefault(r => r.RealServer.Equals(realServer));
        return own is { Checks.Count: > 0 } ? own.Checks : Checks;
    }

    /// <summary>The failure action of <paramref name="realServer"/>: its own, else the service's.</summary>
    public HealthFailureAction OnFailureFor(RealServerKey realServer) =>
        RealServers.FirstOrDefault(r => r.RealServer.Equals(realServer))?.OnFailure ?? OnFailure;

    /// <summary>True when keepalived checks this real server (it has checks, its own or the service's).</summary>
    public bool IsChecked(RealServerKey realServer) => ChecksFor(realServer).Count > 0;
}
