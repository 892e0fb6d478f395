using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using LvsAdmin.Ipvs;

namespace LvsAdmin.HostSetup;

/// <summary>An address the boot script configures.</summary>
public sealed record PersistedAddress(string InterfaceName, IPAddress Address, int PrefixLength, string? Label)
{
    /// <summary>The script line: <c>ip address replace A/P dev IF [label L]</c> (IPv6: <c>ip -6 … nodad</c>).</summary>
    public string ToLine() => Address.AddressFamily == AddressFamily.InterNetworkV6
        ? $"ip -6 address replace {Address}/{PrefixLength} dev {InterfaceName} nodad"
        : $"ip address replace {Address}/{PrefixLength} dev {InterfaceName}{(Label is null || Label == InterfaceName ? "" : " label " + Label)}";
}

/// <summary>
/// The files -Persist writes (paths relative to the persist root, normally "/"), pure so their content is unit
/// tested: sysctls go to one managed /etc/sysctl.d/90-lvsadmin.conf (merged: keys LvsAdmin does not touch are
/// kept, sorted, with a header); addresses go to a generated script /etc/lvsadmin/addresses.sh run at boot by the
/// oneshot unit lvsadmin-addresses.service (enabled through its multi-user.target.wants symlink). See
/// docs/HostPersistence.md.
/// </summary>
public static class HostPersistence
{
    /// <summary>The managed sysctl file.</summary>
    public const string SysctlFile = "etc/sysctl.d/90-lvsadmin.conf";
    /// <summary>The generated address script.</summary>
    public const string AddressScript = "etc/lvsadmin/addresses.sh";
    /// <summary>The systemd unit that runs the script at boot.</summary>
    public const string UnitFile = "etc/systemd/system/lvsadmin-addresses.service";
    /// <summary>The symlink that enables the unit (what systemctl enable creates).</summary>
    public const string WantsLink = "etc/systemd/system/multi-user.target.wants/lvsadmin-addresses.service";
    /// <summary>All files LvsAdmin may write.</summary>
    public static readonly IReadOnlyList<string> ManagedFiles = new[] { SysctlFile, AddressScript, UnitFile, WantsLink };

    /// <summary>The header of the sysctl file.</summary>
    public const string SysctlHeader =
        "# Managed by LvsAdmin (-Persist of Set-LvsRealServerArp, Set-LvsSysctl, Initialize-LvsRealServer, Initialize-LvsDirector).\n" +
        "# LvsAdmin rewrites this file: keys it does not manage are kept, comments are not. Applied at boot by systemd-sysctl.\n";

    /// <summary>The key = value pairs of a sysctl.d file (comments, blank lines and lines without '=' skipped; last wins; a leading '-' kept).</summary>
    public static SortedDictionary<string, string> ParseSysctlFile(string? content)
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (content is null) return d;
        foreach (var raw in content.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            d[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return d;
    }

    /// <summary>
    /// The new sysctl file: the existing keys, with <paramref name="changes"/> applied (a null value removes the
    /// key), sorted by key, after the header. Null when no key is left (the file should be deleted).
    /// </summary>
    public static string? MergeSysctlFile(string? existing, IReadOnlyDictionary<string, string?> changes)
    {
        var d = ParseSysctlFile(existing);
        foreach (var (k, v) in changes)
        {
            if (v is null) d.Remove(k);
            else d[k] = v;
        }
        if (d.Count == 0) return null;
        var sb = new StringBuilder(SysctlHeader);
        foreach (var (k, v) in d) sb.Append(k).Append(" = ").Append(v).Append('\n');
        return sb.ToString();
    }

    private static readonly Regex AddressLine = new(
        @"^ip (?<six>-6 )?address replace (?<addr>[0-9A-Fa-f.:]+)/(?<prefix>\d+) dev (?<dev>\S+)(?: label (?<label>\S+))?(?: nodad)?$",
        RegexOptions.CultureInvariant);

    /// <summary>The address entries of a generated script (other lines are the generator's own and ignored).</summary>
    public static List<PersistedAddress> ParseAddressScript(string? content)
    {
        var list = new List<PersistedAddress>();
        if (content is null) return list;
        foreach (var raw in content.Split('\n'))
        {
            var m = AddressLine.Match(raw.Trim());
            if (!m.Success || !IPAddress.TryParse(m.Groups["addr"].Value, out var a)) continue;
            list.Add(new PersistedAddress(m.Groups["dev"].Value, a, int.Parse(m.Groups["prefix"].Value, System.Globalization.CultureInfo.InvariantCulture),
                m.Groups["label"].Success ? m.Groups["label"].Value : null));
        }
        return list;
    }

    /// <summary>
    /// The boot script for <paramref name="addresses"/>: the managed sysctls first (ARP settings must be in place
    /// before a VIP appears on lo), the tunnel modules and links up, then one <c>ip address replace</c> per address
    /// (idempotent). Null when there is no address (the script, unit and symlink should be deleted).
    /// </summary>
    public static string? RenderAddressScript(IReadOnlyList<PersistedAddress> addresses)
    {
        if (addresses.Count == 0) return null;
        var sb = new StringBuilder();
        sb.Append("#!/bin/sh\n");
        sb.Append("# Generated by LvsAdmin (-Persist of Add-LvsVirtualAddress, Initialize-LvsRealServer, Initialize-LvsDirector).\n");
        sb.Append("# Do not edit: LvsAdmin rewrites it from the 'ip address replace' lines. Run at boot by lvsadmin-addresses.service.\n");
        sb.Append("PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
        sb.Append("if [ -f /etc/sysctl.d/90-lvsadmin.conf ]; then sysctl -q -p /etc/sysctl.d/90-lvsadmin.conf || true; fi\n");
        var devs = addresses.Select(a => a.InterfaceName).Distinct(StringComparer.Ordinal).ToList();
        if (devs.Contains("tunl0")) sb.Append("modprobe ipip\nip link set dev tunl0 up\n");
        if (devs.Contains("ip6tnl0")) sb.Append("modprobe ip6_tunnel\nip link set dev ip6tnl0 up\n");
        if (devs.Contains("tunl0") || devs.Contains("ip6tnl0"))
            sb.Append("if [ -f /etc/sysctl.d/90-lvsadmin.conf ]; then sysctl -q -p /etc/sysctl.d/90-lvsadmin.conf || true; fi\n");
        sb.Append("set -e\n");
        foreach (var a in addresses) sb.Append(a.ToLine()).Append('\n');
        return sb.ToString();
    }

    /// <summary>The systemd unit that runs the script once at boot.</summary>
    public const string UnitContent =
        "# Generated by LvsAdmin: configures the virtual addresses saved with -Persist (see /etc/lvsadmin/addresses.sh).\n" +
        "[Unit]\n" +
        "Description=LvsAdmin virtual addresses\n" +
        "After=network.target systemd-sysctl.service systemd-modules-load.service\n" +
        "Wants=network.target\n" +
        "\n" +
        "[Service]\n" +
        "Type=oneshot\n" +
        "RemainAfterExit=yes\n" +
        "ExecStart=/bin/sh /etc/lvsadmin/addresses.sh\n" +
        "\n" +
        "[Install]\n" +
        "WantedBy=multi-user.target\n";

    /// <summary>The full path of a managed file under <paramref name="root"/>.</summary>
    public static string FullPath(string root, string relative) => Path.Combine(root, relative);

    /// <summary>
    /// The File changes that bring the persistence files to: sysctl file with <paramref name="sysctls"/> merged
    /// (null value = remove the key), address script with <paramref name="addAddresses"/> added (replacing an entry
    /// for the same address) and <paramref name="removeAddresses"/> removed. Only files whose content changes appear.
    /// Error PersistInNamespaceNotSupported when <paramref name="networkNamespace"/> is set (boot files configure the
    /// root namespace).
    /// </summary>
    public static List<HostChange> Plan(HostSnapshot snapshot, IReadOnlyDictionary<string, string?> sysctls,
        IReadOnlyList<PersistedAddress> addAddresses, IReadOnlyList<PersistedAddress> removeAddresses, string? networkNamespace)
    {
        if (networkNamespace is not null)
            throw new IpvsValidationException("Persist", "-Persist writes boot files for the host's own network namespace; it cannot be combined with -NetworkNamespace.", "PersistInNamespaceNotSupported");
        var changes = new List<HostChange>();
        var root = snapshot.PersistRoot;
        string? Current(string rel) => snapshot.PersistedFiles.TryGetValue(rel, out var c) ? c : null;

        if (sysctls.Count > 0)
        {
            var before = Current(SysctlFile);
            var after = MergeSysctlFile(before, sysctls);
            AddFileChange(changes, FullPath(root, SysctlFile), before, after, null, "sysctl settings applied at boot");
        }

        if (addAddresses.Count > 0 || removeAddresses.Count > 0)
        {
            var before = Current(AddressScript);
            var list = ParseAddressScript(before);
            foreach (var r in removeAddresses) list.RemoveAll(e => e.Address.Equals(r.Address) && e.InterfaceName == r.InterfaceName);
            foreach (var a in addAddresses)
            {
                var i = list.FindIndex(e => e.Address.Equals(a.Address));
                if (i >= 0) list[i] = a;
                else list.Add(a);
            }
            var after = RenderAddressScript(list);
            AddFileChange(changes, FullPath(root, AddressScript), before, after, 0x1ED /* 0755 */, "boot script for the virtual addresses");
            var unitBefore = Current(UnitFile);
            var linkBefore = Current(WantsLink);
            var unitTarget = "/" + UnitFile;
            if (after is not null)
            {
                AddFileChange(changes, FullPath(root, UnitFile), unitBefore, UnitContent, null, "systemd unit running the address script at boot");
                if (linkBefore != unitTarget)
                    changes.Add(new HostChange(HostChangeKind.File, HostChangeAction.Symlink, FullPath(root, WantsLink), linkBefore ?? "absent", unitTarget,
                        "Enable lvsadmin-addresses.service at boot (multi-user.target.wants symlink)") { Content = unitTarget });
            }
            else
            {
                if (linkBefore is not null)
                    changes.Add(new HostChange(HostChangeKind.File, HostChangeAction.Delete, FullPath(root, WantsLink), linkBefore, "absent", "Disable lvsadmin-addresses.service (no address left)"));
                if (unitBefore is not null)
                    changes.Add(new HostChange(HostChangeKind.File, HostChangeAction.Delete, FullPath(root, UnitFile), Lines(unitBefore), "absent", "Delete lvsadmin-addresses.service (no address left)"));
            }
        }
        return changes;
    }

    private static string Lines(string content) => content.Count(c => c == '\n') + " lines";

    private static void AddFileChange(List<HostChange> changes, string path, string? before, string? after, int? mode, string what)
    {
        if (before == after) return;
        if (after is null)
            changes.Add(new HostChange(HostChangeKind.File, HostChangeAction.Delete, path, Lines(before!), "absent", $"Delete {path} ({what}: nothing left)"));
        else
            changes.Add(new HostChange(HostChangeKind.File, HostChangeAction.Write, path, before is null ? "absent" : Lines(before), Lines(after), $"Write {path} ({what})")
                { Content = after, FileMode = mode });
    }
}
