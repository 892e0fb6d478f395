using System;

namespace LvsAdmin.Netlink;

/// <summary>The kernel answered a netlink request with an error (NLMSG_ERROR with a negative errno).</summary>
public class NetlinkException : Exception
{
    public NetlinkException(int errno, string? kernelMessage = null, string? context = null)
        : base(Compose(errno, kernelMessage, context))
    {
        Errno = errno;
        KernelMessage = kernelMessage;
    }

    protected NetlinkException(string message, int errno, Exception? inner = null) : base(message, inner)
    {
        Errno = errno;
    }

    /// <summary>The positive errno value (e.g. 17 for EEXIST).</summary>
    public int Errno { get; }

    /// <summary>The extended-ack text the kernel attached to the error, when it sent one.</summary>
    public string? KernelMessage { get; }

    private static string Compose(int errno, string? kernelMessage, string? context)
    {
        var text = (context is null ? "" : context + ": ") + LvsAdmin.Netlink.Errno.Describe(errno) + " (errno " + errno + ")";
        return string.IsNullOrEmpty(kernelMessage) ? text : text + ": " + kernelMessage;
    }
}

/// <summary>A netlink reply that does not follow the protocol: truncated, bad lengths, garbage.</summary>
public sealed class NetlinkProtocolException : Exception
{
    public NetlinkProtocolException(string message) : base("Malformed netlink data: " + message) { }
}

/// <summary>A dump was interrupted by a concurrent change of the table (NLM_F_DUMP_INTR); it can be retried.</summary>
public sealed class NetlinkDumpInterruptedException : Exception
{
    public NetlinkDumpInterruptedException() : base("The kernel table changed while it was being listed (NLM_F_DUMP_INTR); list it again.") { }
}

/// <summary>A system call on the netlink socket failed (socket, bind, send, receive, setns).</summary>
public sealed class NetlinkSocketException : NetlinkException
{
    public NetlinkSocketException(string operation, int errno)
        : base(operation + " failed: " + LvsAdmin.Netlink.Errno.Describe(errno) + " (errno " + errno + ")", errno)
    {
        Operation = operation;
    }

    public string Operation { get; }
}
