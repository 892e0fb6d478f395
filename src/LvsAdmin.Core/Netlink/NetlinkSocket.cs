using System;
using System.Collections.Generic;
using System.Threading;

namespace LvsAdmin.Netlink;

/// <summary>The outcome of one request of a batch: its sequence number and errno (0 = success).</summary>
public readonly record struct NetlinkAck(uint Sequence, int Errno, string? KernelMessage);

/// <summary>
/// An AF_NETLINK socket: sends requests, receives replies, matches them by sequence number and port id, follows
/// multi-part dumps to NLMSG_DONE, turns NLMSG_ERROR into <see cref="NetlinkException"/>, grows its receive buffer
/// to the datagram size, and times out instead of hanging. Not thread-safe: one socket per caller.
/// </summary>
public sealed unsafe class NetlinkSocket : IDisposable
{
    private int _fd;
    private uint _sequence;
    private byte[] _receiveBuffer = new byte[64 * 1024];

    private NetlinkSocket(int fd, uint portId, string? netnsPath)
    {
        _fd = fd;
        PortId = portId;
        NetworkNamespace = netnsPath;
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>The port id the kernel gave this socket (nl_pid).</summary>
    public uint PortId { get; }

    /// <summary>The network namespace path the socket was opened in, or null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>Count of datagrams received (for diagnostics and benchmarks).</summary>
    public long DatagramsReceived { get; private set; }

    /// <summary>
    /// Opens a netlink socket of <paramref name="protocol"/> (e.g. NETLINK_GENERIC). With <paramref name="netnsPath"/>
    /// (e.g. /run/netns/lab or /proc/PID/ns/net) the socket is created inside that network namespace, on a short-lived
    /// thread that enters it, so the calling thread never changes namespace.
    /// </summary>
    public static NetlinkSocket Open(int protocol, string? netnsPath = null, TimeSpan? timeout = null)
    {
        var t = timeout ?? TimeSpan.FromSeconds(30);
        int fd;
        if (netnsPath is null)
        {
            fd = CreateFd(protocol);
        }
        else
        {
            fd = LvsAdmin.Netlink.NetworkNamespace.Run(netnsPath, () => CreateFd(protocol));
        }

        try
        {
            var addr = new LibC.SockAddrNl { Family = LibC.AF_NETLINK };
            if (LibC.Bind(fd, &addr, sizeof(LibC.SockAddrNl)) != 0) throw new NetlinkSocketException("bind(AF_NETLINK)", LibC.LastErrno);
            var len = sizeof(LibC.SockAddrNl);
            if (LibC.GetSockName(fd, &addr, &len) != 0) throw new NetlinkSocketException("getsockname", LibC.LastErrno);
            var one = 1;
            // Best effort: capped ACKs (no request echo) and extended-ack error strings.
            LibC.SetSockOpt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, &one, sizeof(int));
            LibC.SetSockOpt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, &one, sizeof(int));
            var rcv = 4 * 1024 * 1024;
            if (LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &rcv, sizeof(int)) != 0)
                LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, &rcv, sizeof(int));
            var snd = 1024 * 1024;
            if (LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, &snd, sizeof(int)) != 0)
                LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, &snd, sizeof(int));
            SetTimeout(fd, t);
            var tv = ToTimeVal(t);
            LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_SNDTIMEO, &tv, sizeof(LibC.TimeVal));
            return new NetlinkSocket(fd, addr.Pid, netnsPath) { _timeout = t };
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    private TimeSpan _timeout;
    private bool _timedOut;

    /// <summary>
    /// How long a receive waits for the kernel before <see cref="TimeoutException"/> (SO_RCVTIMEO). Settable, so one
    /// slow request (stopping the sync daemon's kernel threads) can wait longer than the rest.
    /// </summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        set
        {
            ThrowIfDisposed();
            if (value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(value), value, "The netlink timeout must be positive.");
            SetTimeout(_fd, value);
            _timeout = value;
        }
    }

    /// <summary>The timeout as a timeval, to the microsecond; never all zero (that would mean "wait forever").</summary>
    private static LibC.TimeVal ToTimeVal(TimeSpan t)
    {
        var micros = t.Ticks / 10;
        return new LibC.TimeVal { Seconds = micros / 1_000_000, Microseconds = micros >= 1 ? micros % 1_000_000 : 1 };
    }

    private static void SetTimeout(int fd, TimeSpan t)
    {
        var tv = ToTimeVal(t);
        if (LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, &tv, sizeof(LibC.TimeVal)) != 0)
            throw new NetlinkSocketException("setsockopt(SO_RCVTIMEO)", LibC.LastErrno);
    }

    private static int CreateFd(int protocol)
    {
        var fd = LibC.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0) throw new NetlinkSocketException("socket(AF_NETLINK)", LibC.LastErrno);
        return fd;
    }

    /// <summary>The next sequence number to put in a request.</summary>
    public uint NextSequence() => ++_sequence;

    /// <summary>Sends one datagram (one or many messages back to back).</summary>
    public void Send(ReadOnlySpan<byte> data)
    {
        ThrowIfDisposed();
        var addr = new LibC.SockAddrNl { Family = LibC.AF_NETLINK };
        fixed (byte* p = data)
        {
            while (true)
            {
                var n = LibC.SendTo(_fd, p, (nuint)data.Length, 0, &addr, sizeof(LibC.SockAddrNl));
                if (n >= 0) return;
                var errno = LibC.LastErrno;
                if (errno == Errno.EINTR) continue;
                throw new NetlinkSocketException("sendto(netlink)", errno);
            }
        }
    }

    /// <summary>
    /// Receives one datagram from the kernel, with one recvfrom: the buffer (64 KiB) is larger than any datagram the
    /// kernel sends here (a dump's datagrams are at most 32 KiB, replies and ACKs are small). A larger one would be
    /// cut; MSG_TRUNC tells, and that is an error (the buffer grows for the next one) rather than a silently short reply.
    /// </summary>
    public ReadOnlyMemory<byte> ReceiveDatagram()
    {
        ThrowIfDisposed();
        while (true)
        {
            var addr = default(LibC.SockAddrNl);
            var alen = sizeof(LibC.SockAddrNl);
            nint n;
            fixed (byte* p = _receiveBuffer)
            {
                n = LibC.RecvFrom(_fd, p, (nuint)_receiveBuffer.Length, LibC.MSG_TRUNC, &addr, &alen);
            }
            if (n < 0)
            {
                var errno = LibC.LastErrno;
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN)
                {
                    _timedOut = true;
                    throw new TimeoutException($"The kernel did not answer the netlink request within {_timeout.TotalSeconds:0.#} s.");
                }
                throw new NetlinkSocketException("recvfrom(netlink)", errno);
            }
            if (n > _receiveBuffer.Length)
            {
                var size = _receiveBuffer.Length;
                _receiveBuffer = new byte[NetlinkWriter.Align((int)n) + 4096];
                throw new NetlinkProtocolException($"a {n}-byte netlink datagram did not fit the {size}-byte receive buffer and was cut");
            }
            if (addr.Pid != 0) continue; // only the kernel talks to us; drop anything else
            DatagramsReceived++;
            // Copy out: the caller may hold on to message payloads while we receive the next datagram.
            return _receiveBuffer.AsSpan(0, (int)n).ToArray();
        }
    }

    /// <summary>
    /// Receives the replies to the request with sequence <paramref name="sequence"/>: data messages are yielded;
    /// the ACK (or NLMSG_DONE of a dump) ends the sequence; an error throws. Messages of other sequence numbers
    /// (left over from an abandoned request) are skipped. If the caller stops early, the rest is drained.
    /// </summary>
    public IEnumerable<NetlinkMessage> ReceiveReplies(uint sequence, string? context = null)
    {
        var finished = false;
        var interrupted = false;
        _timedOut = false;
        try
        {
            while (!finished)
            {
                foreach (var m in NetlinkMessage.ParseAll(ReceiveDatagram()))
                {
                    if (m.Sequence != sequence || (m.PortId != PortId && m.PortId != 0)) continue;
                    if ((m.Flags & NetlinkMessage.NLM_F_DUMP_INTR) != 0) interrupted = true;
                    // An error or done message ends the replies even when it throws (then there is nothing to drain).
                    if (m.Type is NetlinkMessage.NLMSG_ERROR or NetlinkMessage.NLMSG_DONE) finished = true;
                    var disposition = Classify(m, context);
                    if (disposition == ReplyDisposition.Skip) continue;
                    if (disposition == ReplyDisposition.End) break;
                    yield return m;
                }
            }
            if (interrupted) throw new NetlinkDumpInterruptedException();
        }
        finally
        {
            // After a timeout there is nothing to wait for again: a late reply is skipped by its sequence number.
            if (!finished && !_disposed && !_timedOut) Drain(sequence);
        }
    }

    internal enum ReplyDisposition { Data, Skip, End }

    /// <summary>
    /// What one reply message of a request means: data for the caller, a message to skip, or the end of the replies
    /// (the ACK, or NLMSG_DONE of a dump). An error (NLMSG_ERROR with an errno, NLMSG_DONE carrying an error,
    /// NLMSG_OVERRUN) throws. Pure, so the protocol rules are unit-tested without a socket.
    /// </summary>
    internal static ReplyDisposition Classify(NetlinkMessage m, string? context)
    {
        switch (m.Type)
        {
            case NetlinkMessage.NLMSG_NOOP:
                return ReplyDisposition.Skip;
            case NetlinkMessage.NLMSG_ERROR:
            {
                var (errno, text, _) = m.DecodeError();
                if (errno != 0) throw new NetlinkException(errno, text, context);
                return ReplyDisposition.End;
            }
            case NetlinkMessage.NLMSG_DONE:
            {
                var span = m.Payload.Span;
                if (span.Length >= 4)
                {
                    var err = -System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span);
                    if (err > 0) throw new NetlinkException(err, null, context);
                }
                return ReplyDisposition.End;
            }
            case NetlinkMessage.NLMSG_OVERRUN:
                throw new NetlinkProtocolException("NLMSG_OVERRUN: the kernel dropped data");
            default:
                return ReplyDisposition.Data;
        }
    }

    /// <summary>Sends one request and returns its data replies as a list.</summary>
    public List<NetlinkMessage> Request(NetlinkWriter request, uint sequence, string? context = null)
    {
        Send(request.WrittenSpan);
        return new List<NetlinkMessage>(ReceiveReplies(sequence, context));
    }

    /// <summary>
    /// Receives the outcome of a batch of <paramref name="count"/> requests with consecutive sequence numbers from
    /// <paramref name="firstSequence"/>, sent in one datagram. The kernel handles the requests of a datagram in order
    /// before sendto returns, answers an error for each one that fails and an ACK only where NLM_F_ACK was asked, so
    /// a batch needs it on its last request only: its reply (ACK or error) comes after every other reply of the batch.
    /// Returns one <see cref="NetlinkAck"/> per request, in order (Errno 0 for a request with no error); errors do not
    /// throw here, so the caller sees exactly which request failed.
    /// </summary>
    public NetlinkAck[] ReceiveAcks(uint firstSequence, int count)
    {
        var acks = new NetlinkAck[count];
        for (var i = 0; i < count; i++) acks[i] = new NetlinkAck(unchecked(firstSequence + (uint)i), 0, null);
        if (count == 0) return acks;
        var last = count - 1;
        var done = false;
        while (!done)
        {
            foreach (var m in NetlinkMessage.ParseAll(ReceiveDatagram()))
            {
                if (m.Type != NetlinkMessage.NLMSG_ERROR) continue;
                var index = unchecked((long)(m.Sequence - firstSequence));
                if (index < 0 || index >= count) continue;
                var (errno, text, _) = m.DecodeError();
                if (errno != 0) acks[index] = new NetlinkAck(m.Sequence, errno, text);
                if (index == last) done = true;
            }
        }
        return acks;
    }

    private void Drain(uint sequence)
    {
        try
        {
            while (true)
            {
                foreach (var m in NetlinkMessage.ParseAll(ReceiveDatagram()))
                {
                    if (m.Sequence == sequence && (m.Type == NetlinkMessage.NLMSG_DONE || m.Type == NetlinkMessage.NLMSG_ERROR)) return;
                }
            }
        }
        catch (Exception)
        {
            // Best effort: a stale reply is skipped later by its sequence number anyway.
        }
    }

    private bool _disposed;

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(NetlinkSocket));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        LibC.Close(_fd);
        _fd = -1;
        GC.SuppressFinalize(this);
    }

    ~NetlinkSocket()
    {
        if (!_disposed && _fd >= 0) LibC.Close(_fd);
    }
}

/// <summary>The network namespace given by path could not be entered.</summary>
public sealed class NetworkNamespaceException : NetlinkException
{
    public NetworkNamespaceException(string path, int errno)
        : base($"Cannot enter network namespace '{path}': {LvsAdmin.Netlink.Errno.Describe(errno)} (errno {errno})", errno)
    {
        Path = path;
    }

    public string Path { get; }
}
