using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.Connections;

/// <summary>
/// Reads the IPVS connection table (what <c>ipvsadm -Lnc</c> shows) from /proc/net/ip_vs_conn_sync or
/// /proc/net/ip_vs_conn, streaming: rows are yielded as they are read, line by line, so a table of millions of
/// entries is never held in memory. The kernel has no netlink dump of connections; /proc is the only interface.
/// </summary>
public static class ConnectionTable
{
    /// <summary>File name of the table with the Origin column.</summary>
    public const string SyncFileName = "ip_vs_conn_sync";
    /// <summary>File name of the table with the persistence-engine columns.</summary>
    public const string PlainFileName = "ip_vs_conn";

    private const int BufferSize = 16 * 1024;

    /// <summary>
    /// Streams the connection table of the caller's network namespace, or of <paramref name="networkNamespace"/>
    /// (a path such as /run/netns/lab or /proc/PID/ns/net). Reads ip_vs_conn_sync (it has the Origin column; it has
    /// no persistence-engine data: use <see cref="Read(string?, ConnectionTableSource, Action{ConnectionParseError}?)"/>
    /// with <see cref="ConnectionTableSource.Plain"/> for the SIP Call-ID). Malformed lines are skipped.
    /// The file is opened when enumeration starts: a missing table (ip_vs not loaded) throws
    /// <see cref="IpvsNotLoadedException"/> from the first MoveNext; a namespace that does not exist throws
    /// <see cref="IpvsValidationException"/> (InvalidNetworkNamespace) at once, one that cannot be entered throws
    /// <see cref="NetworkNamespaceException"/>.
    /// </summary>
    public static IEnumerable<IpvsConnection> Read(string? networkNamespace = null) =>
        Read(networkNamespace, ConnectionTableSource.Auto, null);

    /// <summary>
    /// Streams the connection table from the chosen <paramref name="source"/>; every skipped malformed line is
    /// reported to <paramref name="onBadLine"/> (the enumeration never throws for a bad line).
    /// </summary>
    public static IEnumerable<IpvsConnection> Read(string? networkNamespace, ConnectionTableSource source, Action<ConnectionParseError>? onBadLine = null)
    {
        if (networkNamespace is not null && string.IsNullOrWhiteSpace(networkNamespace))
            throw new IpvsValidationException("NetworkNamespace", "The network namespace path is empty; give a path like /run/netns/NAME or /proc/PID/ns/net, or none for the current namespace.");
        if (!Enum.IsDefined(source))
            throw new IpvsValidationException("Source", $"'{source}' is not a connection table source (Auto, Sync, Plain).");
        // Checked here, not when the enumeration enters the namespace: a missing one is the same InvalidNetworkNamespace
        // as for every other cmdlet, not a NetlinkError from setns.
        IpvsValidation.RequireNetworkNamespace(networkNamespace);
        return ReadIterator(networkNamespace, source, onBadLine);
    }

    private static IEnumerable<IpvsConnection> ReadIterator(string? networkNamespace, ConnectionTableSource source, Action<ConnectionParseError>? onBadLine)
    {
        using var stream = Open(networkNamespace, source);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, BufferSize);
        foreach (var connection in ParseIterator(reader, onBadLine))
            yield return connection;
    }

    /// <summary>Parses a connection table from text (either layout, recognised from the header line); bad lines are skipped.</summary>
    public static IEnumerable<IpvsConnection> Parse(TextReader reader) => Parse(reader, null);

    /// <summary>
    /// Parses a connection table from text, lazily: one line is read per row yielded. The header line selects the
    /// layout (ip_vs_conn: "... State Expires PEName PEData"; ip_vs_conn_sync: "... State Origin Expires"); without a
    /// header each row's layout is recognised from its ninth column. Blank lines are ignored; every other line that
    /// is not a well-formed row of the layout is skipped and reported to <paramref name="onBadLine"/>.
    /// </summary>
    public static IEnumerable<IpvsConnection> Parse(TextReader reader, Action<ConnectionParseError>? onBadLine)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ParseIterator(reader, onBadLine);
    }

    private static IEnumerable<IpvsConnection> ParseIterator(TextReader reader, Action<ConnectionParseError>? onBadLine)
    {
        var format = ConnectionTableFormat.Unknown;
        long lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line)) continue;
            if (ConnectionLineParser.TryParseHeader(line, out var announced))
            {
                format = announced;
                continue;
            }
            if (ConnectionLineParser.TryParse(line, format, out var connection, out var reason))
                yield return connection!;
            else
                onBadLine?.Invoke(new ConnectionParseError(lineNumber, line.Length > 200 ? line[..200] + "…" : line, reason));
        }
    }

    /// <summary>
    /// Opens the table file of a namespace. For another namespace the file is opened on a short-lived thread that
    /// has entered it with setns(CLONE_NEWNET), through /proc/thread-self/net (the per-thread view; /proc/net follows
    /// the process's main thread). The open file stays bound to that namespace, so the stream is read from the
    /// calling thread, which never changes namespace.
    /// </summary>
    internal static Stream Open(string? networkNamespace, ConnectionTableSource source)
    {
        if (networkNamespace is null) return OpenIn(CurrentNetDirectory(), source);

        return NetworkNamespace.Run(networkNamespace, () => OpenIn("/proc/thread-self/net", source));
    }

    private static string CurrentNetDirectory() =>
        Directory.Exists("/proc/thread-self/net") ? "/proc/thread-self/net" : "/proc/net";

    /// <summary>Opens the table in <paramref name="directory"/> (a /proc/.../net directory, or a test directory).</summary>
    internal static Stream OpenIn(string directory, ConnectionTableSource source)
    {
        var names = source switch
        {
            ConnectionTableSource.Sync => new[] { SyncFileName },
            ConnectionTableSource.Plain => new[] { PlainFileName },
            _ => new[] { SyncFileName, PlainFileName },
        };
        foreach (var name in names)
        {
            try
            {
                // Unbuffered: the StreamReader on top buffers (BufferSize); proc files report length 0, read to EOF.
                return new FileStream(Path.Combine(directory, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // try the next name; none left → IPVS is not loaded
            }
        }
        throw new IpvsNotLoadedException();
    }
}
