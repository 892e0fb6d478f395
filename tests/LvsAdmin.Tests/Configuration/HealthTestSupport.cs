using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Configuration;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Tests.Configuration;

/// <summary>
/// Seeded random health settings for documents: every check type with its settings, failure actions, sorry servers,
/// quorum, hysteresis and alpha. <see cref="Add"/> keeps to the form a keepalived.conf gives back (the service's checks
/// either shared by every real server, or each real server's own and not all alike; a quorum the real servers hold at
/// start; an inhibited sorry server in the table with weight 0, where keepalived puts it).
/// </summary>
internal static class HealthGenerator
{
    private static readonly string[] Words = { "health", "status", "ok", "ping", "v1", "ready" };

    public static HealthCheck Check(Random r, RealServer real)
    {
        var type = (HealthCheckType)r.Next(6);
        var c = new HealthCheck(type);
        if (type != HealthCheckType.Command)
        {
            c = c with
            {
                ConnectPort = real.Port == 0 || r.Next(3) == 0 ? (ushort)r.Next(1, 65536) : null,
                ConnectTimeout = r.Next(2) == 0 ? (uint)r.Next(1, 30) : null,
                ConnectAddress = r.Next(4) == 0 ? ConfigurationGenerator.Address(r, real.AddressFamily == IpvsAddressFamily.IPv6) : null,
            };
        }
        c = c with
        {
            Interval = r.Next(2) == 0 ? (uint)r.Next(1, 120) : null,
            Retries = r.Next(2) == 0 ? (uint)r.Next(0, 5) : null,
            DelayBeforeRetry = r.Next(2) == 0 ? (uint)r.Next(0, 10) : null,
        };
        var word = Words[r.Next(Words.Length)];
        switch (type)
        {
            case HealthCheckType.Http or HealthCheckType.Https:
                c = c with
                {
                    Path = "/" + word + (r.Next(2) == 0 ? "?probe=1" : ""),
                    StatusCodes = r.Next(2) == 0 ? new[] { new HttpStatusRange(200, 299) } : r.Next(2) == 0 ? new[] { new HttpStatusRange(200, 200), new HttpStatusRange(301, 302) } : Array.Empty<HttpStatusRange>(),
                    Digest = r.Next(4) == 0 ? Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant() : null,
                    Regex = r.Next(3) == 0 ? word + "\\s*(up|ok) #\\d{1,3}!" : null,
                    VirtualHost = r.Next(3) == 0 ? word + ".example.com" : null,
                };
                break;
            case HealthCheckType.Udp:
                c = c with { Payload = r.Next(2) == 0 ? "0a0b0c" : null, RequireReply = r.Next(2) == 0 };
                if (c.RequireReply && r.Next(2) == 0) c = c with { Reply = "0a" };
                break;
            case HealthCheckType.Dns:
                c = c with
                {
                    QueryType = r.Next(2) == 0 ? LvsAdmin.Configuration.HealthValidation.DnsTypes[r.Next(7)] : null,
                    QueryName = r.Next(2) == 0 ? word + ".example.com" : null,
                };
                break;
            case HealthCheckType.Command:
                c = c with
                {
                    Command = r.Next(2) == 0 ? new[] { "/bin/true" } : new[] { "/bin/test", "-n", "it's " + word, "a\\b" },
                    CommandTimeout = r.Next(2) == 0 ? (uint)r.Next(1, 30) : null,
                    Dynamic = r.Next(3) == 0,
                };
                break;
        }
        return c;
    }

    private static List<HealthCheck> Checks(Random r, RealServer real, int min = 1) =>
        Enumerable.Range(0, r.Next(min, 3)).Select(_ => Check(r, real)).ToList();

    /// <summary>The document with health settings on about two services in three (in the form the keepalived import gives back).</summary>
    public static LvsConfiguration Add(LvsConfiguration doc, int seed)
    {
        var r = new Random(seed);
        var services = doc.Services.Select(s => r.Next(3) == 0 || s.RealServers.Count == 0 ? s : WithHealth(r, s)).ToList();
        return doc with { Services = services };
    }

    private static ConfiguredService WithHealth(Random r, ConfiguredService s)
    {
        var key = s.Key;
        var reals = s.RealServers.ToList();
        var onFailure = r.Next(3) == 0 ? HealthFailureAction.Remove : HealthFailureAction.Inhibit;
        var shared = reals.Count == 1 || r.Next(2) == 0;
        var own = new List<RealServerHealth>();
        List<HealthCheck> serviceChecks;
        if (shared)
        {
            // Shared checks must suit every real server: a connect port when one of them has port 0.
            var portless = reals.Any(x => x.Port == 0);
            serviceChecks = Checks(r, reals[0], 0).Select(c => c.Type == HealthCheckType.Command ? c : c with
            {
                ConnectPort = portless ? c.ConnectPort ?? 80 : c.ConnectPort,
                ConnectAddress = null,
            }).ToList();
        }
        else
        {
            serviceChecks = new List<HealthCheck>();
            for (var i = 0; i < reals.Count; i++)
            {
                // The first check differs per real server, so that the import does not make them the service's.
                var first = new HealthCheck(HealthCheckType.Tcp) { ConnectPort = (ushort)(1000 + i) };
                own.Add(new RealServerHealth(reals[i].Key, new[] { first }.Concat(Checks(r, reals[i], 0))));
            }
        }
        for (var i = 0; i < reals.Count; i++)
        {
            if (r.Next(4) != 0) continue;
            var action = onFailure == HealthFailureAction.Inhibit ? HealthFailureAction.Remove : HealthFailureAction.Inhibit;
            var at = own.FindIndex(x => x.RealServer.Equals(reals[i].Key));
            if (at >= 0) own[at] = own[at] with { OnFailure = action };
            else own.Add(new RealServerHealth(reals[i].Key) { OnFailure = action });
        }
        var total = reals.Sum(x => (long)x.Weight);
        uint quorum = 1, hysteresis = 0;
        if (total >= 2 && r.Next(2) == 0)
        {
            quorum = (uint)r.NextInt64(1, Math.Min(total, 1000) + 1);
            hysteresis = (uint)r.NextInt64(0, Math.Min(quorum - 1, total - quorum) + 1);
        }
        SorryServer? sorry = null;
        if (total >= quorum + hysteresis && r.Next(3) == 0)
        {
            var method = r.Next(2) == 0 ? ForwardingMethod.Nat : ForwardingMethod.DirectRouting;
            var port = method == ForwardingMethod.DirectRouting || key.Port == 0 && !key.IsFirewallMark ? (key.IsFirewallMark ? (ushort)0 : key.Port) : (ushort)r.Next(1, 65536);
            if (method == ForwardingMethod.Nat && port == 0 && !key.IsFirewallMark) method = ForwardingMethod.DirectRouting;
            var candidate = new SorryServer(ConfigurationGenerator.Address(r, key.AddressFamily == IpvsAddressFamily.IPv6), port)
            {
                ForwardingMethod = method,
                Inhibit = r.Next(2) == 0,
            };
            if (!reals.Any(x => x.Key.Equals(candidate.Key))) sorry = candidate;
        }
        if (total < quorum) quorum = 1;
        if (sorry is { Inhibit: true })
            reals.Add(new RealServer(key, sorry.Address, sorry.Port) { ForwardingMethod = sorry.ForwardingMethod, Weight = 0 });
        var health = new ServiceHealth
        {
            Checks = serviceChecks,
            RealServers = own,
            OnFailure = onFailure,
            SorryServer = sorry,
            Quorum = quorum,
            Hysteresis = hysteresis,
            Alpha = r.Next(4) == 0,
        };
        // Nothing a keepalived.conf would show (no check, removal, no sorry server, default quorum): no health at all.
        if (health == new ServiceHealth { OnFailure = HealthFailureAction.Remove }) return s;
        var result = s with { RealServers = reals, Health = health };
        LvsAdmin.Configuration.HealthValidation.Validate(result);
        return result;
    }
}
