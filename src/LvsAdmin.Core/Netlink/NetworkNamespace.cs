using System;
using System.Threading;

namespace LvsAdmin.Netlink;

/// <summary>Runs work inside another network namespace without moving the calling thread.</summary>
public static class NetworkNamespace
{
    /// <summary>
    /// Runs <paramref name="work"/> on a short-lived thread that has entered the network namespace at
    /// <paramref name="path"/> (e.g. /run/netns/lab, /proc/PID/ns/net) with setns(CLONE_NEWNET), and returns its
    /// result. Sockets and /proc/thread-self/net files opened there stay bound to that namespace, so the caller can
    /// use them from its own thread, which never changes namespace. Failures are rethrown on the calling thread.
    /// </summary>
    public static T Run<T>(string path, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var ns = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
                if (ns < 0) throw new NetworkNamespaceException(path, LibC.LastErrno);
                try
                {
                    if (LibC.SetNs(ns, LibC.CLONE_NEWNET) != 0) throw new NetworkNamespaceException(path, LibC.LastErrno);
                }
                finally
                {
                    LibC.Close(ns);
                }
                // This thread now lives in the target namespace and ends right after the work.
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, 256 * 1024);
        thread.IsBackground = true;
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
        return result;
    }
}
