using System;
using System.Collections.Generic;
using System.IO;
using LvsAdmin.Netlink;

namespace LvsAdmin.Ipvs;

/// <summary>
/// The IPVS generic netlink client: every command of include/uapi/linux/ip_vs.h. Validates inputs before anything
/// is sent and maps kernel errors to typed <see cref="IpvsException"/>s. One instance holds one netlink socket; it
/// is not thread-safe.
/// </summary>
public sealed class IpvsClient : IDisposable
{
    /// <summary>How many requests go into one datagram in <see cref="Apply"/> (their ACKs must fit the receive buffer).</summary>
    public const int BatchSize = 256;
    private const int DumpRetries = 5;

    private readonly NetlinkSocket _socket;
    private readonly ushort _family;
    private readonly NetlinkWriter _writer = new(4096);

    private IpvsClient(NetlinkSocket socket, ushort family)
    {
        _socket = socket;
        _family = family;
    }

    /// <summary>The netlink socket (for diagnostics).</summary>
    public NetlinkSocket Socket => _socket;

    /// <summary>
    /// Connects to IPVS, optionally inside the network namespace at <paramref name="networkNamespace"/> (a path such
    /// as /run/netns/lab or /proc/1234/ns/net). Throws <see cref="IpvsNotLoadedException"/> when the ip_vs module is
    /// not loaded.
    /// </summary>
    public static IpvsClient Open(string? networkNamespace = null, TimeSpan? timeout = null)
    {
        IpvsValidation.RequireNetworkNamespace(networkNamespace);
        NetlinkSocket socket;
        try
        {
            socket = NetlinkSocket.Open(LibC.NETLINK_GENERIC, networkNamespace, timeout);
        }
        catch (NetworkNamespaceException e) when (e.Errno is Errno.EPERM)
        {
            throw new IpvsPermissionDeniedException($"Enter network namespace '{networkNamespace}'", e);
        }
        try
        {
            var family = GenericNetlink.ResolveFamily(socket, IpvsUapi.FamilyName) ?? throw new IpvsNotLoadedException();
            return new IpvsClient(socket, family);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _secondary?.Dispose();
        _socket.Dispose();
    }

    // ---- reading ----

    public IpvsInfo GetInfo()
    {
        var m = Single(IpvsUapi.CMD_GET_INFO, null, "get IPVS info");
        return IpvsCodec.DecodeInfoReply(m);
    }

    /// <summary>
    /// Lists every virtual service in the kernel's order (as libipvs's ipvs_get_services does; listings sort it once
    /// with <see cref="IpvsOrder"/>, as ipvsadm does). Retries when the table changed during the dump.
    /// </summary>
    public List<VirtualService> GetServices() => Retry(() => new List<VirtualService>(EnumerateServices()));

    /// <summary>
    /// Streams the virtual services as the kernel sends them (memory stays flat however large the table); without
    /// <paramref name="statistics"/> their counters are not decoded (left null).
    /// </summary>
    public IEnumerable<VirtualService> EnumerateServices(bool statistics = true)
    {
        var seq = BeginDump(IpvsUapi.CMD_GET_SERVICE);
        _writer.EndMessage();
        _socket.Send(_writer.WrittenSpan);
        foreach (var m in Replies(seq, "list virtual services", null))
            yield return IpvsCodec.DecodeServiceReply(m, statistics);
    }

    /// <summary>One virtual service, or null when it does not exist; without <paramref name="statistics"/> its counters are left null.</summary>
    public VirtualService? GetService(ServiceKey key, bool statistics = true)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var m = Single(IpvsUapi.CMD_GET_SERVICE, w => IpvsCodec.WriteServiceIdentity(w, key), "get virtual service " + key);
            return IpvsCodec.DecodeServiceReply(m, statistics);
        }
        catch (NetlinkException e) when (e.Errno is Errno.ESRCH or Errno.ENOENT)
        {
            return null;
        }
    }

    /// <summary>
    /// Lists the real servers of a virtual service in the kernel's order (listings sort it once with
    /// <see cref="IpvsOrder"/>; without <paramref name="statistics"/> their counters are left null). Throws
    /// <see cref="ServiceNotFoundException"/> if it does not exist.
    /// </summary>
    public List<RealServer> GetRealServers(ServiceKey service, bool statistics = true)
    {
        var list = Retry(() => new List<RealServer>(EnumerateRealServers(service, statistics)));
        // The kernel answers a dump for a missing service with an empty list, not an error: tell the two apart.
        if (list.Count == 0 && GetService(service) is null) throw new ServiceNotFoundException(service);
        return list;
    }

    /// <summary>
    /// Streams the whole table: each virtual service with its real servers. Services stream from this socket while a
    /// second socket lists each one's real servers, so memory stays flat however many services there are. Without
    /// <paramref name="statistics"/> the counters and rates of services and real servers are not decoded (left null;
    /// connection counts are still read): what a configuration read needs.
    /// </summary>
    public IEnumerable<(VirtualService Service, List<RealServer> RealServers)> EnumerateTable(bool statistics = true)
    {
        _secondary ??= Open(_socket.NetworkNamespace);
        foreach (var svc in EnumerateServices(statistics))
        {
            yield return (svc, new List<RealServer>(_secondary.EnumerateRealServers(svc.Key, statistics)));
        }
    }

    private IpvsClient? _secondary;

    /// <summary>Streams the real servers of a service; without <paramref name="statistics"/> their counters and rates are left null.</summary>
    public IEnumerable<RealServer> EnumerateRealServers(ServiceKey service, bool statistics = true)
    {
        ArgumentNullException.ThrowIfNull(service);
        var seq = BeginDump(IpvsUapi.CMD_GET_DEST);
        IpvsCodec.WriteServiceIdentity(_writer, service);
        _writer.EndMessage();
        _socket.Send(_writer.WrittenSpan);
        foreach (var m in Replies(seq, "list real servers of " + service, new ErrorContext(IpvsUapi.CMD_GET_DEST, service, null, null)))
            yield return IpvsCodec.DecodeRealServerReply(m, service, statistics);
    }

    public IpvsTimeouts GetTimeouts() => IpvsCodec.DecodeTimeoutsReply(Single(IpvsUapi.CMD_GET_CONFIG, null, "get IPVS timeouts"));

    public List<SyncDaemon> GetSyncDaemons()
    {
        var seq = BeginDump(IpvsUapi.CMD_GET_DAEMON);
        _writer.EndMessage();
        _socket.Send(_writer.WrittenSpan);
        var list = new List<SyncDaemon>();
        foreach (var m in Replies(seq, "list sync daemons", null)) list.Add(IpvsCodec.DecodeSyncDaemonReply(m));
        return list;
    }

    // ---- changing ----

    public void AddService(VirtualService service)
    {
        IpvsValidation.ValidateService(service);
        Do(IpvsUapi.CMD_NEW_SERVICE, w => IpvsCodec.WriteService(w, service), new ErrorContext(IpvsUapi.CMD_NEW_SERVICE, service.Key, service, null));
    }

    /// <summary>Edits a service in place (SET_SERVICE): connections and real servers stay.</summary>
    public void UpdateService(VirtualService service)
    {
        IpvsValidation.ValidateService(service);
        Do(IpvsUapi.CMD_SET_SERVICE, w => IpvsCodec.WriteService(w, service), new ErrorContext(IpvsUapi.CMD_SET_SERVICE, service.Key, service, null));
    }

    public void DeleteService(ServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Do(IpvsUapi.CMD_DEL_SERVICE, w => IpvsCodec.WriteServiceIdentity(w, key), new ErrorContext(IpvsUapi.CMD_DEL_SERVICE, key, null, null));
    }

    public void AddRealServer(RealServer server)
    {
        IpvsValidation.ValidateRealServer(server);
        Do(IpvsUapi.CMD_NEW_DEST, w => WriteDest(w, server, true), new ErrorContext(IpvsUapi.CMD_NEW_DEST, server.Service, null, server.Key));
    }

    /// <summary>Edits a real server in place (SET_DEST): its connections stay.</summary>
    public void UpdateRealServer(RealServer server)
    {
        IpvsValidation.ValidateRealServer(server);
        Do(IpvsUapi.CMD_SET_DEST, w => WriteDest(w, server, true), new ErrorContext(IpvsUapi.CMD_SET_DEST, server.Service, null, server.Key));
    }

    public void DeleteRealServer(ServiceKey service, RealServerKey server)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(server);
        var probe = new RealServer(service, server.Address, server.Port);
        Do(IpvsUapi.CMD_DEL_DEST, w => WriteDest(w, probe, false), new ErrorContext(IpvsUapi.CMD_DEL_DEST, service, null, server));
    }

    /// <summary>Sets connection timeouts; a 0 leaves that timeout unchanged (the kernel's rule).</summary>
    public void SetTimeouts(IpvsTimeouts timeouts)
    {
        IpvsValidation.ValidateTimeouts(timeouts);
        Do(IpvsUapi.CMD_SET_CONFIG, w => IpvsCodec.WriteTimeouts(w, timeouts), null);
    }

    public void StartSyncDaemon(SyncDaemon daemon)
    {
        IpvsValidation.ValidateSyncDaemon(daemon);
        WithDaemonTimeout(() => Do(IpvsUapi.CMD_NEW_DAEMON, w => IpvsCodec.WriteSyncDaemon(w, daemon), null, "start sync daemon (" + daemon.State + ")"));
    }

    public void StopSyncDaemon(SyncDaemonState state)
    {
        if (state is not (SyncDaemonState.Master or SyncDaemonState.Backup))
            throw new IpvsValidationException("State", $"Sync daemon state {state} is not Master or Backup.");
        WithDaemonTimeout(() => Do(IpvsUapi.CMD_DEL_DAEMON, w => IpvsCodec.WriteSyncDaemonState(w, state), null, "stop sync daemon (" + state + ")"));
    }

    /// <summary>
    /// How long a sync daemon start or stop may take. The kernel answers only after it has created or stopped the
    /// daemon's threads and sockets (kthread_stop, socket release, multicast leave), which on a busy or emulated host
    /// has been seen to take close to a minute: a shorter wait would report a failure for a daemon that then stops.
    /// </summary>
    public static readonly TimeSpan SyncDaemonTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How long this client waits for a sync daemon start or stop (default <see cref="SyncDaemonTimeout"/>; never less than the socket's timeout).</summary>
    public TimeSpan DaemonTimeout
    {
        get => _daemonTimeout;
        set => _daemonTimeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The sync daemon timeout must be positive.");
    }

    private TimeSpan _daemonTimeout = SyncDaemonTimeout;

    private void WithDaemonTimeout(Action request)
    {
        var saved = _socket.Timeout;
        if (saved >= _daemonTimeout)
        {
            request();
            return;
        }
        _socket.Timeout = _daemonTimeout;
        try
        {
            request();
        }
        finally
        {
            _socket.Timeout = saved;
        }
    }

    /// <summary>Zeroes the counters of one service, or of all when <paramref name="service"/> is null.</summary>
    public void Zero(ServiceKey? service = null) =>
        Do(IpvsUapi.CMD_ZERO, service is null ? null : w => IpvsCodec.WriteServiceIdentity(w, service),
            service is null ? null : new ErrorContext(IpvsUapi.CMD_ZERO, service, null, null));

    /// <summary>Removes every virtual service and real server (ipvsadm -C).</summary>
    public void Flush() => Do(IpvsUapi.CMD_FLUSH, null, null, "flush the IPVS table");

    /// <summary>
    /// Applies many operations with few system calls: up to <see cref="BatchSize"/> requests per datagram, each
    /// failure answered on its own and one ACK per datagram (on its last request). Every operation is validated
    /// before anything is sent. Returns one result per operation, in order; the kernel carries on after a failed request, so later ones still run unless
    /// <paramref name="stopAfterFailedBatch"/> is set (then batches after the first failure are not sent and their
    /// operations report an error saying so).
    /// </summary>
    public List<IpvsOperationResult> Apply(IReadOnlyList<IpvsOperation> operations, bool stopAfterFailedBatch = false)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var op in operations) ValidateOperation(op);
        var results = new List<IpvsOperationResult>(operations.Count);
        var failed = false;
        for (var start = 0; start < operations.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, operations.Count - start);
            if (failed && stopAfterFailedBatch)
            {
                for (var i = 0; i < count; i++)
                    results.Add(new IpvsOperationResult(operations[start + i], new IpvsException("Not applied: an earlier operation failed.", IpvsErrorKind.Other, "OperationSkipped")));
                continue;
            }
            _writer.Reset();
            var first = _socket.NextSequence();
            for (var i = 0; i < count; i++)
            {
                var seq = i == 0 ? first : _socket.NextSequence();
                // Only the last request of a datagram asks for an ACK: the others answer only when they fail, and the
                // last one's ACK comes after all of them (ReceiveAcks). A whole table is then a few hundred replies,
                // not one per request.
                WriteOperation(_writer, _family, operations[start + i], seq, ack: i == count - 1);
            }
            _socket.Send(_writer.WrittenSpan);
            var acks = _socket.ReceiveAcks(first, count);
            for (var i = 0; i < count; i++)
            {
                var op = operations[start + i];
                IpvsException? error = null;
                if (acks[i].Errno != 0)
                {
                    error = MapError(new NetlinkException(acks[i].Errno, acks[i].KernelMessage, op.Describe()), ContextOf(op), op.Describe());
                    failed = true;
                }
                results.Add(new IpvsOperationResult(op, error));
            }
        }
        return results;
    }

    /// <summary>Encodes one operation as a request (public for golden-byte tests and benchmarks).</summary>
    public void WriteOperation(NetlinkWriter w, IpvsOperation op, uint seq) => WriteOperation(w, _family, op, seq);

    /// <summary>Encodes one operation as a request for the IPVS family id <paramref name="family"/> (no socket needed).</summary>
    internal static void WriteOperation(NetlinkWriter w, ushort family, IpvsOperation op, uint seq, bool ack = true)
    {
        switch (op)
        {
            case AddServiceOperation a:
                IpvsCodec.BeginRequest(w, family, IpvsUapi.CMD_NEW_SERVICE, seq, ack: ack);
                IpvsCodec.WriteService(w, a.VirtualService);
                break;
            case UpdateServiceOperation u:
                IpvsCodec.BeginRequest(w, family, IpvsUapi.CMD_SET_SERVICE, seq, ack: ack);
                IpvsCodec.WriteService(w, u.VirtualService);
                break;
            case DeleteServiceOperation d:
                IpvsCodec.BeginRequest(w, family, IpvsUapi.CMD_DEL_SERVICE, seq, ack: ack);
                IpvsCodec.WriteServiceIdentity(w, d.Key);
                break;
            case AddRealServerOperation ar:
                IpvsCodec.BeginRequest(w, family, IpvsUapi.CMD_NEW_DEST, seq, ack: ack);
                WriteDest(w, ar.RealServer, true);
                break;
            case UpdateRealServerOperation ur:
                IpvsCodec.BeginRequest(w, family, IpvsUapi.CMD_SET_DEST, seq, ack: ack);
                WriteDest(w, ur.RealServer, true);
                break;
            case DeleteRealServerOperation dr:
                IpvsCodec.BeginRequest(w, family, IpvsUapi.CMD_DEL_DEST, seq, ack: ack);
                WriteDest(w, new RealServer(dr.Key, dr.Server.Address, dr.Server.Port), false);
                break;
            default:
                throw new ArgumentException("Unknown operation " + op.GetType().Name, nameof(op));
        }
        w.EndMessage();
    }

    private static void ValidateOperation(IpvsOperation op)
    {
        switch (op)
        {
            case AddServiceOperation a: IpvsValidation.ValidateService(a.VirtualService); break;
            case UpdateServiceOperation u: IpvsValidation.ValidateService(u.VirtualService); break;
            case AddRealServerOperation ar: IpvsValidation.ValidateRealServer(ar.RealServer); break;
            case UpdateRealServerOperation ur: IpvsValidation.ValidateRealServer(ur.RealServer); break;
            case DeleteServiceOperation or DeleteRealServerOperation: break;
            case null: throw new ArgumentNullException(nameof(op));
            default: throw new ArgumentException("Unknown operation " + op.GetType().Name, nameof(op));
        }
    }

    private static ErrorContext ContextOf(IpvsOperation op) => op switch
    {
        AddServiceOperation a => new ErrorContext(IpvsUapi.CMD_NEW_SERVICE, a.Service, a.VirtualService, null),
        UpdateServiceOperation u => new ErrorContext(IpvsUapi.CMD_SET_SERVICE, u.Service, u.VirtualService, null),
        DeleteServiceOperation d => new ErrorContext(IpvsUapi.CMD_DEL_SERVICE, d.Service, null, null),
        AddRealServerOperation ar => new ErrorContext(IpvsUapi.CMD_NEW_DEST, ar.Service, null, ar.RealServer.Key),
        UpdateRealServerOperation ur => new ErrorContext(IpvsUapi.CMD_SET_DEST, ur.Service, null, ur.RealServer.Key),
        DeleteRealServerOperation dr => new ErrorContext(IpvsUapi.CMD_DEL_DEST, dr.Service, null, dr.Server),
        _ => new ErrorContext(0, op.Service, null, null),
    };

    private static void WriteDest(NetlinkWriter w, RealServer server, bool full)
    {
        IpvsCodec.WriteServiceIdentity(w, server.Service);
        IpvsCodec.WriteRealServer(w, server, full);
    }

    // ---- plumbing ----

    private sealed record ErrorContext(byte Command, ServiceKey? Service, VirtualService? Definition, RealServerKey? Server);

    private uint BeginDump(byte command)
    {
        _writer.Reset();
        var seq = _socket.NextSequence();
        IpvsCodec.BeginRequest(_writer, _family, command, seq, dump: true);
        return seq;
    }

    private IEnumerable<NetlinkMessage> Replies(uint seq, string what, ErrorContext? ctx)
    {
        using var e = _socket.ReceiveReplies(seq, what).GetEnumerator();
        while (true)
        {
            NetlinkMessage m;
            try
            {
                if (!e.MoveNext()) yield break;
                m = e.Current;
            }
            catch (NetlinkException ex)
            {
                throw MapError(ex, ctx, what);
            }
            yield return m;
        }
    }

    private NetlinkMessage Single(byte command, Action<NetlinkWriter>? body, string what)
    {
        _writer.Reset();
        var seq = _socket.NextSequence();
        IpvsCodec.BeginRequest(_writer, _family, command, seq);
        body?.Invoke(_writer);
        _writer.EndMessage();
        List<NetlinkMessage> replies;
        try
        {
            replies = _socket.Request(_writer, seq, what);
        }
        catch (NetlinkException e) when (e.Errno is Errno.EPERM)
        {
            throw new IpvsPermissionDeniedException(what, e);
        }
        if (replies.Count == 0) throw new NetlinkProtocolException(what + ": the kernel sent no reply");
        return replies[0];
    }

    private void Do(byte command, Action<NetlinkWriter>? body, ErrorContext? ctx, string? what = null)
    {
        _writer.Reset();
        var seq = _socket.NextSequence();
        IpvsCodec.BeginRequest(_writer, _family, command, seq);
        body?.Invoke(_writer);
        _writer.EndMessage();
        what ??= Describe(command, ctx);
        try
        {
            _socket.Request(_writer, seq, what);
        }
        catch (NetlinkException e) when (e is not NetlinkSocketException)
        {
            throw MapError(e, ctx, what);
        }
    }

    private static string Describe(byte command, ErrorContext? ctx) => command switch
    {
        IpvsUapi.CMD_NEW_SERVICE => $"add virtual service {ctx?.Service}",
        IpvsUapi.CMD_SET_SERVICE => $"update virtual service {ctx?.Service}",
        IpvsUapi.CMD_DEL_SERVICE => $"remove virtual service {ctx?.Service}",
        IpvsUapi.CMD_NEW_DEST => $"add real server {ctx?.Server} to {ctx?.Service}",
        IpvsUapi.CMD_SET_DEST => $"update real server {ctx?.Server} of {ctx?.Service}",
        IpvsUapi.CMD_DEL_DEST => $"remove real server {ctx?.Server} from {ctx?.Service}",
        IpvsUapi.CMD_SET_CONFIG => "set IPVS timeouts",
        IpvsUapi.CMD_ZERO => ctx?.Service is null ? "zero all counters" : $"zero the counters of {ctx.Service}",
        _ => "IPVS command " + command,
    };

    /// <summary>Turns a kernel errno into the typed exception that says what it means for this command.</summary>
    private static IpvsException MapError(NetlinkException e, ErrorContext? ctx, string what)
    {
        if (e.Errno is Errno.EPERM or Errno.EACCES) return new IpvsPermissionDeniedException(what, e);
        if (ctx?.Service is { } svc)
        {
            switch (ctx.Command)
            {
                case IpvsUapi.CMD_NEW_SERVICE when e.Errno == Errno.EEXIST:
                    return new ServiceAlreadyExistsException(svc, e);
                case IpvsUapi.CMD_NEW_SERVICE or IpvsUapi.CMD_SET_SERVICE when e.Errno == Errno.ENOENT && ctx.Definition is { } def:
                    // The kernel answers ENOENT for a missing scheduler or persistence engine module.
                    if (def.PersistenceEngine is { } pe && Directory.Exists("/sys/module/ip_vs_" + def.Scheduler))
                        return new PersistenceEngineNotFoundException(pe, e);
                    return new SchedulerNotFoundException(def.Scheduler, e);
                case IpvsUapi.CMD_SET_SERVICE or IpvsUapi.CMD_DEL_SERVICE or IpvsUapi.CMD_ZERO or IpvsUapi.CMD_GET_DEST
                    or IpvsUapi.CMD_NEW_DEST or IpvsUapi.CMD_SET_DEST or IpvsUapi.CMD_DEL_DEST when e.Errno == Errno.ESRCH:
                    return new ServiceNotFoundException(svc, e);
                case IpvsUapi.CMD_NEW_DEST when e.Errno == Errno.EEXIST && ctx.Server is { } s:
                    return new RealServerAlreadyExistsException(svc, s, e);
                case IpvsUapi.CMD_SET_DEST or IpvsUapi.CMD_DEL_DEST when e.Errno == Errno.ENOENT && ctx.Server is { } s:
                    return new RealServerNotFoundException(svc, s, e);
            }
        }
        return new IpvsKernelException(what, e);
    }

    private static T Retry<T>(Func<T> list)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return list();
            }
            catch (NetlinkDumpInterruptedException) when (attempt < DumpRetries)
            {
            }
        }
    }
}
