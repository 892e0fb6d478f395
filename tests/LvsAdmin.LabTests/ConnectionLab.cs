using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Threading;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.LabTests;

/// <summary>Runs code on a short-lived thread that has entered a network namespace (setns(CLONE_NEWNET)).</summary>
internal static class Netns
{
    /// <summary>
    /// Runs <paramref name="action"/> inside the namespace at <paramref name="path"/>. Sockets it creates belong to
    /// that namespace for their whole life and may be used from any thread afterwards.
    /// </summary>
    public static T Run<T>(string path, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
                if (fd < 0) throw new NetworkNamespaceException(path, LibC.LastErrno);
                try
                {
                    if (LibC.SetNs(fd, LibC.CLONE_NEWNET) != 0) throw new NetworkNamespaceException(path, LibC.LastErrno);
                }
                finally
                {
                    LibC.Close(fd);
                }
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, 1024 * 1024);
        thread.Start();
        thread.Join();
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        return result;
    }
}

/// <summary>
/// The three-namespace topology of tests/lab/scenarios/connections.sh (client lvsc-cli, director lvsc-dir, real
/// server lvsc-rs, joined by veth pairs; VIPs 10.71.0.100, 10.71.0.101 (fwmark 7), fd71::100 on the director).
/// The topology is built and removed by that script (`up` / `down`), so the manual scenario and the lab tests share
/// one piece of setup code; the IPVS services are configured here through the library. Dispose removes everything.
/// </summary>
internal sealed class ConnectionLab : IDisposable
{
    public const string ClientName = "lvsc-cli";
    public const string DirectorName = "lvsc-dir";
    public const string RealServerName = "lvsc-rs";
    public const string Client = "/run/netns/" + ClientName;
    public const string Director = "/run/netns/" + DirectorName;
    public const string RealServer = "/run/netns/" + RealServerName;

    public static readonly IPAddress ClientV4 = IPAddress.Parse("10.71.1.2");
    public static readonly IPAddress ClientV6 = IPAddress.Parse("fd71:1::2");
    public static readonly IPAddress Vip = IPAddress.Parse("10.71.0.100");
    public static readonly IPAddress VipMarked = IPAddress.Parse("10.71.0.101");
    public static readonly IPAddress Vip6 = IPAddress.Parse("fd71::100");
    public static readonly IPAddress RealV4 = IPAddress.Parse("10.71.2.2");
    public static readonly IPAddress RealV6 = IPAddress.Parse("fd71:2::2");

    private readonly List<Socket> _sockets = new();
    private IpvsClient? _director;

    private ConnectionLab() { }

    /// <summary>The scenario script, found from the test program's directory or the working directory upwards.</summary>
    public static string Script => s_script ??= FindScript();

    private static string? s_script;

    /// <summary>An IPVS client in the director namespace.</summary>
    public IpvsClient DirectorIpvs => _director ?? throw new InvalidOperationException("the lab is not up");

    /// <summary>Builds the topology (removing any left-over one first) and opens IPVS in the director namespace.</summary>
    public static ConnectionLab Up()
    {
        var lab = new ConnectionLab();
        try
        {
            LabContext.RunOk("/bin/bash", Script + " up");
            lab._director = IpvsClient.Open(Director);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Keeps a socket until the lab is disposed (open connections keep their table entries alive).</summary>
    public T Keep<T>(T socket) where T : Socket
    {
        _sockets.Add(socket);
        return socket;
    }

    /// <summary>TCP listeners in the real server namespace (the handshake completes in the backlog; nothing accepts).</summary>
    public void Listen(params IPEndPoint[] endpoints) => Netns.Run(RealServer, () =>
    {
        foreach (var ep in endpoints)
        {
            var s = Keep(new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
            if (ep.AddressFamily == AddressFamily.InterNetworkV6) s.DualMode = false;
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(ep);
            s.Listen(64);
        }
        return 0;
    });

    /// <summary>A socket created in the client namespace, bound to <paramref name="local"/>.</summary>
    public Socket ClientSocket(IPEndPoint local, SocketType type) => Netns.Run(Client, () =>
    {
        var s = Keep(new Socket(local.AddressFamily, type, type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp));
        if (local.AddressFamily == AddressFamily.InterNetworkV6) s.DualMode = false;
        s.Bind(new IPEndPoint(local.Address, ClientPorts.OrNext(local.Port)));
        return s;
    });

    /// <summary>A TCP connection from the client namespace that completes its handshake (within 30 s).</summary>
    public void Connect(IPEndPoint local, IPEndPoint remote)
    {
        var s = ClientSocket(local, SocketType.Stream);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            s.ConnectAsync(remote, cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            throw new CheckException($"connect {local} -> {remote} from {ClientName}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>A TCP connection attempt that is left pending (only the client's SYN, retransmitted, reaches the director).</summary>
    public void ConnectPending(IPEndPoint local, IPEndPoint remote)
    {
        var s = ClientSocket(local, SocketType.Stream);
        s.Blocking = false;
        try
        {
            s.Connect(remote);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            // the SYN is on its way
        }
    }

    /// <summary>One datagram from the client namespace.</summary>
    public void SendDatagram(IPEndPoint local, IPEndPoint remote, byte[] payload)
    {
        var s = ClientSocket(local, SocketType.Dgram);
        var sent = s.SendTo(payload, remote);
        Check.Equal(payload.Length, sent, $"bytes sent {local} -> {remote}");
    }

    public void Dispose()
    {
        foreach (var s in _sockets)
        {
            try
            {
                s.Dispose();
            }
            catch (Exception)
            {
                // closing is best effort; the namespaces go away next
            }
        }
        _sockets.Clear();
        _director?.Dispose();
        _director = null;
        var (code, o, e) = LabContext.Run("/bin/bash", Script + " down");
        if (code != 0) Console.WriteLine($"lab: {Script} down exited {code}: {e.Trim()} {o.Trim()}");
    }

    private static string FindScript()
    {
        const string relative = "tests/lab/scenarios/connections.sh";
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new SkipException($"{relative} not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
    }
}
