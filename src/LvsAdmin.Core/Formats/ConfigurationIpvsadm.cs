using System;
using System.Collections.Generic;
using System.Linq;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;

namespace LvsAdmin.Formats;

/// <summary>Converts between a <see cref="LvsConfiguration"/> and ipvsadm rules (<c>ipvsadm -Sn</c> / <c>ipvsadm -R</c>).</summary>
public static class ConfigurationIpvsadm
{
    /// <summary>
    /// The rules text, byte-identical to <c>ipvsadm -Sn</c> for the same table when the services are in the kernel's
    /// order (as <see cref="LiveConfiguration.Read(IpvsClient, LiveReadOptions?)"/> gives them). The format cannot hold thresholds, timeouts, sync
    /// daemons or host settings: see <see cref="Omissions"/>.
    /// </summary>
    public static string Write(LvsConfiguration configuration, bool sort = true)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return IpvsadmSaveFormat.Write(configuration.Table, sort);
    }

    /// <summary>
    /// What of <paramref name="configuration"/> the ipvsadm format would really lose, one sentence per thing: the
    /// real servers with connection thresholds (one sentence for all), each timeout that differs from the kernel's
    /// default (<see cref="IpvsTimeouts.KernelDefaults"/>: a restore onto a fresh kernel gets the default back, so a
    /// default is not lost), each sync daemon, and the host settings when there are any. Empty when nothing is lost.
    /// </summary>
    public static IReadOnlyList<string> Omissions(LvsConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        const string UseJson = " (use -Format Json to keep it).";
        var list = new List<string>();
        var thresholds = configuration.Services.SelectMany(s => s.RealServers).Count(r => r.UpperThreshold != 0 || r.LowerThreshold != 0);
        if (thresholds > 0) list.Add($"{thresholds} real servers have connection thresholds, which the ipvsadm format cannot hold (use -Format Json to keep them).");
        if (configuration.Timeouts is { } t)
        {
            var d = IpvsTimeouts.KernelDefaults;
            void Timeout(string name, uint value, uint kernelDefault)
            {
                if (value != kernelDefault)
                    list.Add($"The {name} timeout is {value} s, not the kernel's default {kernelDefault} s; the ipvsadm format has no timeouts" + UseJson);
            }
            Timeout("TCP", t.Tcp, d.Tcp);
            Timeout("TCP FIN", t.TcpFin, d.TcpFin);
            Timeout("UDP", t.Udp, d.Udp);
        }
        foreach (var daemon in configuration.SyncDaemons ?? Array.Empty<SyncDaemon>())
            list.Add($"The {daemon.State.ToString().ToLowerInvariant()} sync daemon (interface {daemon.Interface}, sync ID {daemon.SyncId}) is not part of the ipvsadm format" + UseJson);
        if (configuration.Host is { } h && (h.Sysctls is { Count: > 0 } || h.Addresses is { Count: > 0 }))
            list.Add($"The host settings ({h.Sysctls?.Count ?? 0} sysctls, {h.Addresses?.Count ?? 0} addresses) are not part of the ipvsadm format" + UseJson);
        return list;
    }

    /// <summary>
    /// Reads rules (all of <see cref="IpvsadmSaveFormat.Parse"/>). Timeouts, sync daemons and host are null (not
    /// managed). Throws <see cref="ConfigurationParseException"/> with a line number per bad line.
    /// </summary>
    public static LvsConfiguration Read(string text, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<IpvsadmTableEntry> entries;
        try
        {
            entries = IpvsadmSaveFormat.Parse(text);
        }
        catch (IpvsadmParseException e)
        {
            throw new ConfigurationParseException(e.Errors.Select(x => new ConfigurationError(x.Line, 0, null, x.Message)).ToList(), source, e);
        }
        return FromTable(entries.Select(e => (e.Service, e.RealServers)));
    }

    /// <summary>A document of a table (no timeouts, sync daemons or host section).</summary>
    public static LvsConfiguration FromTable(IEnumerable<(VirtualService Service, IReadOnlyList<RealServer> RealServers)> table) =>
        new() { Services = table.Select(t => new ConfiguredService(t.Service, t.RealServers)).ToList() };
}
