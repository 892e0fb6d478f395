using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using LvsAdmin.Formats;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using LvsAdmin.Tests.Configuration;
using Xunit;

namespace LvsAdmin.Tests.Formats;

/// <summary>Documents keepalived can hold in full, and helpers to read keepalived.conf text.</summary>
internal static class KeepalivedTestSupport
{
    /// <summary>
    /// A random document (<see cref="ConfigurationGenerator.Document"/>) made expressible: DR/TUN ports of a
    /// firewall-mark service 0, NAT ports of an address service not 0, at least one real server, the keepalived
    /// schedulers only, no persistence engine without persistence, the timeouts or a master/backup sync daemon pair, no host section.
    /// </summary>
    public static LvsConfiguration Expressible(int seed, int count)
    {
        var r = new Random(seed);
        var doc = ConfigurationGenerator.Document(seed, count);
        var services = doc.Services.Select(s =>
        {
            var key = s.Key;
            var reals = s.RealServers.Count > 0 ? s.RealServers : new[] { ConfigurationGenerator.RealServer(r, key) };
            reals = reals.Select(x => x.ForwardingMethod == ForwardingMethod.Nat
                    ? x with { Port = !key.IsFirewallMark && x.Port == 0 ? (ushort)r.Next(1, 65536) : x.Port }
                    : x with { Port = key.IsFirewallMark ? (ushort)0 : key.Port })
                .GroupBy(x => x.Key).Select(g => g.First()).ToList();
            // keepalived sends a persistence engine only with persistence.
            return new ConfiguredService(s.Service.Persistent ? s.Service : s.Service with { PersistenceEngine = null }, reals);
        }).ToList();
        var daemons = doc.SyncDaemons is { Count: > 0 } d
            ? new List<SyncDaemon> { d[0] with { State = SyncDaemonState.Master }, d[0] with { State = SyncDaemonState.Backup } }
            : null;
        if (daemons is not null)
            services = services.Select(s => s with { RealServers = s.RealServers.Where(x => x.AddressFamily == s.Key.AddressFamily).ToList() })
                .Where(s => s.RealServers.Count > 0).ToList();
        var timeouts = doc.Timeouts is { } t && (t.Tcp | t.TcpFin | t.Udp) != 0 ? t : null;
        return new LvsConfiguration { Services = services, Timeouts = timeouts, SyncDaemons = daemons };
    }

    public static LvsConfiguration Read(string text, List<string>? notes = null, string? directory = null) =>
        ConfigurationKeepalived.Read(text, "keepalived.conf", directory, notes);

    /// <summary>The one service of a text that holds one.</summary>
    public static ConfiguredService One(string text, List<string>? notes = null) => Assert.Single(Read(text, notes).Services);

    public static ConfigurationParseException Fails(string text, string? directory = null) =>
        Assert.Throws<ConfigurationParseException>(() => ConfigurationKeepalived.Read(text, "keepalived.conf", directory));

    /// <summary>A fresh temporary directory, deleted by the caller.</summary>
    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lvsadmin-keepalived-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
