// PLACEHOLDER for the merge: the connection-table helper owns LvsAdmin.Connections. This file provides exactly the
// agreed API (ConnectionTable.Read, IpvsConnection, ConnectionOrigin) with a small /proc/net/ip_vs_conn reader so
// Get-LvsConnection builds and works; the lead replaces this file with the real implementation when merging.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Threading;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.Connections;

/// <summary>Where a connection entry came from: this director, or a sync message from the master.</summary>
public enum ConnectionOrigin
{
    Local,
    Sync,
}

/// <summary>One entry of the IPVS connection table (ipvsadm -Lnc).</summary>
public sealed record IpvsConnection
{
    public IpvsProtocol Protocol { get; init; }
    public IPAddress ClientAddress { get; init; } = IPAddress.None;
    public ushort ClientPort { get; init; }
    public IPAddress VirtualAddress { get; init; } = IPAddress.None;
    public ushort VirtualPort { get; init; }
    public IPAddress RealServerAddress { get; init; } = IPAddress.None;
    public ushort RealServerPort { get; init; }
    /// <summary>Protocol state as the kernel names it (ESTABLISHED, FIN_WAIT, NONE, UDP, ...).</summary>
    public string State { get; init; } = "";
    public TimeSpan Expires { get; init; }
    public string? PersistenceEngine { get; init; }
    public string? PersistenceEngineData { get; init; }
    /// <summary>A persistence template (not a real connection).</summary>
    public bool IsTemplate { get; init; }
    public ConnectionOrigin Origin { get; init; }
}

/// <summary>Reads the IPVS connection table.</summary>
public static class ConnectionTable
{
    /// <summary>Streams the connection entries of this network namespace or of the one at <paramref name="networkNamespace"/>.</summary>
    public static IEnumerable<IpvsConnection> Read(string? networkNamespace = null)
    {
        using var stream = Open(networkNamespace);
        using var reader = new StreamReader(stream);
        string? line;
        var header = true;
        while ((line = reader.ReadLine()) is not null)
        {
            if (header)
            {
                header = false;
                continue;
            }
            if (TryParseLine(line, out var c)) yield return c!;
        }
    }

    private static Stream Open(string? networkNamespace)
    {
        if (networkNamespace is null) return OpenProc("/proc/net/ip_vs_conn");
        if (!File.Exists(networkNamespace))
            throw new IpvsValidationException("NetworkNamespace", $"Network namespace '{networkNamespace}' does not exist (expected a path such as /run/netns/NAME).");
        Stream? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var ns = LibC.Open(networkNamespace, LibC.O_RDONLY | LibC.O_CLOEXEC);
                if (ns < 0) throw new NetworkNamespaceException(networkNamespace, LibC.LastErrno);
                try
                {
                    if (LibC.SetNs(ns, LibC.CLONE_NEWNET) != 0) throw new NetworkNamespaceException(networkNamespace, LibC.LastErrno);
                }
                finally
                {
                    LibC.Close(ns);
                }
                // A proc file opened by a thread in the namespace keeps showing that namespace's table.
                result = OpenProc("/proc/thread-self/net/ip_vs_conn");
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, 256 * 1024) { IsBackground = true };
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
        return result!;
    }

    private static Stream OpenProc(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 65536);
        }
        catch (FileNotFoundException)
        {
            throw new IpvsNotLoadedException();
        }
        catch (DirectoryNotFoundException)
        {
            throw new IpvsNotLoadedException();
        }
    }

    /// <summary>Parses one line of /proc/net/ip_vs_conn.</summary>
    internal static bool TryParseLine(string line, out IpvsConnection? connection)
    {
        connection = null;
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 9) return false;
        if (!TryAddress(f[1], out var ca) || !TryAddress(f[3], out var va) || !TryAddress(f[5], out var da)) return false;
        if (!TryPort(f[2], out var cp) || !TryPort(f[4], out var vp) || !TryPort(f[6], out var dp)) return false;
        if (!long.TryParse(f[8], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)) return false;
        var protocol = f[0] switch
        {
            "TCP" => IpvsProtocol.Tcp,
            "UDP" => IpvsProtocol.Udp,
            "SCTP" => IpvsProtocol.Sctp,
            _ => IpvsProtocol.None,
        };
        connection = new IpvsConnection
        {
            Protocol = protocol,
            ClientAddress = ca, ClientPort = cp,
            VirtualAddress = va, VirtualPort = vp,
            RealServerAddress = da, RealServerPort = dp,
            State = f[7],
            Expires = TimeSpan.FromSeconds(expires),
            PersistenceEngine = f.Length > 9 ? f[9] : null,
            PersistenceEngineData = f.Length > 10 ? f[10] : null,
            IsTemplate = protocol == IpvsProtocol.None || (cp == 0 && f[7] == "NONE"),
            Origin = ConnectionOrigin.Local,
        };
        return true;
    }

    private static bool TryAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':')) return IPAddress.TryParse(text, out address!);
        if (text.Length != 8 || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)) return false;
        address = new IPAddress(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v });
        return true;
    }

    private static bool TryPort(string text, out ushort port) =>
        ushort.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out port);
}
