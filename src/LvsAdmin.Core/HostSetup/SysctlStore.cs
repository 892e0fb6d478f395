using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;
using E = LvsAdmin.Netlink.Errno;

namespace LvsAdmin.HostSetup;

/// <summary>
/// Reads and writes kernel settings under /proc/sys by their sysctl key ("net.ipv4.conf.lo.arp_ignore"), in the
/// caller's network namespace or in <see cref="NetworkNamespace"/> (the files under /proc/sys/net belong to the
/// namespace of the thread that opens them, so every access runs inside <see cref="Netlink.NetworkNamespace.Run"/>).
/// Keys follow sysctl(8): '.' separates the levels and '/' in a key stands for a '.' in a name, so the key of
/// interface "eth0.100" is "net.ipv4.conf.eth0/100.arp_ignore". Failures are <see cref="SysctlException"/>s.
/// </summary>
public sealed class SysctlStore
{
    /// <summary>Where sysctls live.</summary>
    public const string DefaultRoot = "/proc/sys";

    /// <summary>Creates a store for the network namespace at <paramref name="networkNamespace"/> (null: the caller's).
    /// <paramref name="root"/> replaces /proc/sys (unit tests use a directory of plain files).</summary>
    public SysctlStore(string? networkNamespace = null, string root = DefaultRoot)
    {
        NetworkNamespace = networkNamespace;
        Root = root;
    }

    /// <summary>The network namespace path, or null for the caller's.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>The directory keys are resolved under (normally /proc/sys).</summary>
    public string Root { get; }

    /// <summary>
    /// The path of <paramref name="key"/> relative to /proc/sys: '.' becomes '/', '/' becomes '.'
    /// ("net.ipv4.conf.eth0/100.rp_filter" → "net/ipv4/conf/eth0.100/rp_filter"). Throws SysctlNotFound for a
    /// malformed key (empty level, "..", characters outside [A-Za-z0-9_-:@/]).
    /// </summary>
    public static string KeyToPath(string key)
    {
        ValidateKey(key);
        var sb = new StringBuilder(key.Length);
        foreach (var c in key) sb.Append(c == '.' ? '/' : c == '/' ? '.' : c);
        return sb.ToString();
    }

    /// <summary>The key of a path relative to /proc/sys (the inverse of <see cref="KeyToPath"/>).</summary>
    public static string PathToKey(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var sb = new StringBuilder(relativePath.Length);
        foreach (var c in relativePath.Trim('/')) sb.Append(c == '/' ? '.' : c == '.' ? '/' : c);
        return sb.ToString();
    }

    /// <summary>The key of a per-interface setting: <c>net.{family}.conf.{interface}.{name}</c> with dots of the name mapped to '/'.
    /// <paramref name="interfaceName"/> may be "all" or "default".</summary>
    public static string InterfaceKey(string family, string interfaceName, string name) =>
        $"net.{family}.conf.{interfaceName.Replace('.', '/')}.{name}";

    /// <summary>The IPv4 per-interface key (net.ipv4.conf.IF.NAME).</summary>
    public static string IPv4Key(string interfaceName, string name) => InterfaceKey("ipv4", interfaceName, name);

    private static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0 || key.Length > 255) throw SysctlException.NotFound(key, "the key is empty or too long.");
        foreach (var part in key.Split('.'))
        {
            if (part.Length == 0 || part.Trim('/').Length == 0 || part.Contains("//"))
                throw SysctlException.NotFound(key, "the key has an empty level.");
        }
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':' or '@' or '+'))
                throw SysctlException.NotFound(key, $"the key contains the character '{c}'.");
        }
    }

    private string FullPath(string key) => Path.Combine(Root, KeyToPath(key));

    private T InNamespace<T>(Func<T> work) => NetworkNamespace is null ? work() : Netlink.NetworkNamespace.Run(NetworkNamespace, work);

    /// <summary>True when the key exists (in the namespace).</summary>
    public bool Exists(string key)
    {
        var path = FullPath(key);
        return InNamespace(() => File.Exists(path));
    }

    /// <summary>The value of <paramref name="key"/> without the trailing newline; tabs between fields stay.</summary>
    public string Read(string key)
    {
        var path = FullPath(key);
        return InNamespace(() => ReadFile(key, path) ?? throw SysctlException.NotFound(key));
    }

    /// <summary>The value, or null when the key does not exist.</summary>
    public string? TryRead(string key)
    {
        var path = FullPath(key);
        return InNamespace(() => ReadFile(key, path));
    }

    /// <summary>Reads many keys at once (one namespace switch); missing keys map to null.</summary>
    public Dictionary<string, string?> ReadMany(IEnumerable<string> keys)
    {
        var list = keys.Distinct(StringComparer.Ordinal).Select(k => (Key: k, Path: FullPath(k))).ToList();
        return InNamespace(() =>
        {
            var result = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (k, p) in list) result[k] = ReadFile(k, p);
            return result;
        });
    }

    /// <summary>The value as an integer; SysctlInvalidValue when it is not one.</summary>
    public long ReadInt64(string key)
    {
        var text = Read(key);
        if (!long.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v))
            throw SysctlException.InvalidValue(key, text, "it is not a single integer.");
        return v;
    }

    /// <summary>
    /// Writes <paramref name="value"/> (a newline is appended). Errors: SysctlNotFound, SysctlReadOnly (EROFS),
    /// SysctlPermissionDenied (EACCES/EPERM), SysctlInvalidValue (the kernel refused it: EINVAL/ERANGE).
    /// </summary>
    public void Write(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\n')) throw SysctlException.InvalidValue(key, value, "a value must be one line.");
        var path = FullPath(key);
        InNamespace(() =>
        {
            WriteFile(key, path, value);
            return 0;
        });
    }

    /// <summary>Writes many key/value pairs in order (one namespace switch); stops at the first failure.</summary>
    public void WriteMany(IEnumerable<KeyValuePair<string, string>> values)
    {
        var list = values.Select(kv => (kv.Key, Path: FullPath(kv.Key), kv.Value)).ToList();
        InNamespace(() =>
        {
            foreach (var (k, p, v) in list) WriteFile(k, p, v);
            return 0;
        });
    }

    /// <summary>The keys directly under <paramref name="prefixKey"/> (e.g. "net.ipv4.vs"), sorted; empty when it does not exist.</summary>
    public IReadOnlyList<string> List(string prefixKey)
    {
        var dir = FullPath(prefixKey);
        return InNamespace(() =>
        {
            if (!Directory.Exists(dir)) return (IReadOnlyList<string>)Array.Empty<string>();
            return Directory.EnumerateFiles(dir)
                .Select(f => prefixKey + "." + PathToKey(Path.GetFileName(f)))
                .OrderBy(k => k, StringComparer.Ordinal)
                .ToList();
        });
    }

    private static unsafe string? ReadFile(string key, string path)
    {
        var fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            var errno = LibC.LastErrno;
            if (errno is E.ENOENT or 20 /* ENOTDIR */) return null;
            if (errno is E.EACCES or E.EPERM)
                throw new SysctlException(key, $"Cannot read sysctl '{key}': permission denied.", IpvsErrorKind.PermissionDenied, "SysctlPermissionDenied", errno);
            throw new SysctlException(key, $"Cannot read sysctl '{key}': {E.Describe(errno)} (errno {errno}).", IpvsErrorKind.Other, "SysctlError", errno);
        }
        try
        {
            var buffer = new byte[4096];
            var total = 0;
            fixed (byte* p = buffer)
            {
                while (total < buffer.Length)
                {
                    var n = LibC.Read(fd, p + total, (nuint)(buffer.Length - total));
                    if (n < 0)
                    {
                        var errno = LibC.LastErrno;
                        if (errno == E.EINTR) continue;
                        if (errno is E.EACCES or E.EPERM)
                            throw new SysctlException(key, $"Cannot read sysctl '{key}': permission denied.", IpvsErrorKind.PermissionDenied, "SysctlPermissionDenied", errno);
                        throw new SysctlException(key, $"Cannot read sysctl '{key}': {E.Describe(errno)} (errno {errno}).", IpvsErrorKind.Other, "SysctlError", errno);
                    }
                    if (n == 0) break;
                    total += (int)n;
                }
            }
            return Encoding.UTF8.GetString(buffer, 0, total).TrimEnd('\n');
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    private static unsafe void WriteFile(string key, string path, string value)
    {
        var fd = LibC.Open(path, LibC.O_WRONLY | LibC.O_TRUNC | LibC.O_CLOEXEC);
        if (fd < 0) throw WriteError(key, value, LibC.LastErrno);
        try
        {
            var bytes = Encoding.UTF8.GetBytes(value + "\n");
            fixed (byte* p = bytes)
            {
                while (true)
                {
                    var n = LibC.Write(fd, p, (nuint)bytes.Length);
                    if (n >= 0) return;
                    var errno = LibC.LastErrno;
                    if (errno == E.EINTR) continue;
                    throw WriteError(key, value, errno);
                }
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    private static SysctlException WriteError(string key, string value, int errno) => errno switch
    {
        E.ENOENT or 20 => SysctlException.NotFound(key),
        E.EROFS => SysctlException.ReadOnly(key),
        E.EACCES or E.EPERM => SysctlException.PermissionDenied(key, errno),
        E.EINVAL or E.ERANGE => SysctlException.InvalidValue(key, value, $"the kernel refused it ({E.Describe(errno)}).", errno),
        _ => new SysctlException(key, $"Cannot write sysctl '{key}': {E.Describe(errno)} (errno {errno}).", IpvsErrorKind.Other, "SysctlError", errno),
    };
}
