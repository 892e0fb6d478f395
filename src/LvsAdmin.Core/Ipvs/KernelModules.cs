using System;
using System.Collections.Generic;
using System.IO;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Ipvs;

/// <summary>
/// Which IPVS schedulers and persistence engines the kernel has loaded, seen through /proc/modules (loadable
/// modules) and /sys/module (also built-in ones that have parameters). Kernel modules are global, not per network
/// namespace.
/// </summary>
public static class KernelModules
{
    /// <summary>ip_vs_* modules that are neither schedulers nor persistence engines (application helpers).</summary>
    private static readonly HashSet<string> Helpers = new(StringComparer.Ordinal) { "ftp" };

    /// <summary>Module names: the first field of each /proc/modules line.</summary>
    public static IEnumerable<string> ParseProcModules(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n'))
        {
            var t = line.Trim();
            if (t.Length == 0) continue;
            var space = t.IndexOf(' ');
            yield return space < 0 ? t : t[..space];
        }
    }

    /// <summary>Scheduler names among module names (ip_vs_wlc → wlc), sorted, without duplicates.</summary>
    public static List<string> Schedulers(IEnumerable<string> moduleNames)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in moduleNames)
        {
            if (!m.StartsWith("ip_vs_", StringComparison.Ordinal)) continue;
            var name = m["ip_vs_".Length..];
            if (name.Length == 0 || name.StartsWith("pe_", StringComparison.Ordinal) || Helpers.Contains(name)) continue;
            set.Add(name);
        }
        return new List<string>(set);
    }

    /// <summary>Persistence engine names among module names (ip_vs_pe_sip → sip).</summary>
    public static List<string> PersistenceEngines(IEnumerable<string> moduleNames)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in moduleNames)
            if (m.StartsWith("ip_vs_pe_", StringComparison.Ordinal) && m.Length > "ip_vs_pe_".Length) set.Add(m["ip_vs_pe_".Length..]);
        return new List<string>(set);
    }

    /// <summary>
    /// The loaded module names from <paramref name="procModules"/> and the directory names under
    /// <paramref name="sysModule"/>; null when neither can be read.
    /// </summary>
    public static List<string>? ReadModuleNames(string procModules = "/proc/modules", string sysModule = "/sys/module")
    {
        var names = new List<string>();
        var seen = false;
        try
        {
            names.AddRange(ParseProcModules(File.ReadAllText(procModules)));
            seen = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(sysModule, "ip_vs*")) names.Add(Path.GetFileName(dir));
            seen = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return seen ? names : null;
    }

    /// <summary><paramref name="info"/> with the loaded schedulers and persistence engines filled in, when they can be seen.</summary>
    public static IpvsInfo WithModules(IpvsInfo info, IEnumerable<string>? moduleNames)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (moduleNames is null) return info;
        var list = moduleNames as IReadOnlyCollection<string> ?? new List<string>(moduleNames);
        return info with { Schedulers = Schedulers(list), PersistenceEngines = PersistenceEngines(list) };
    }
}
