using System;
using System.Management.Automation;
using LvsAdmin.HostSetup;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.Commands;

/// <summary>Maps LvsAdmin.Core exceptions to PowerShell error records (ErrorId and category).</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(Exception e, object? target) => e switch
    {
        IpvsException ie => new ErrorRecord(ie, ie.ErrorId, Category(ie), target),
        NetlinkSocketException se => new ErrorRecord(se, "NetlinkSocketError", FromErrno(se.Errno, ErrorCategory.ConnectionError), target),
        NetlinkException ne => new ErrorRecord(ne, "NetlinkError", FromErrno(ne.Errno, ErrorCategory.NotSpecified), target),
        NetlinkProtocolException pe => new ErrorRecord(pe, "NetlinkProtocolError", ErrorCategory.InvalidResult, target),
        NetlinkDumpInterruptedException de => new ErrorRecord(de, "IpvsTableChanged", ErrorCategory.ResourceBusy, target),
        _ => new ErrorRecord(e, e.GetType().Name, ErrorCategory.NotSpecified, target),
    };

    /// <summary>
    /// Failures that would repeat for every item: IPVS missing, no permission (also for host setup: not root, a
    /// read-only /proc/sys), an unusable network namespace, a broken netlink socket. They end the command instead of flooding the error stream.
    /// </summary>
    public static bool IsSetupFailure(Exception e) => e switch
    {
        IpvsNotLoadedException or IpvsPermissionDeniedException => true,
        IpvsValidationException v => v.Parameter == "NetworkNamespace",
        NetworkNamespaceException or NetlinkSocketException => true,
        // Host setup: not root, or a read-only /proc/sys (a container), fails every change alike.
        HostSetupException h => h.ErrorId is "HostPermissionDenied" or "SysctlReadOnly" or "SysctlPermissionDenied",
        _ => false,
    };

    public static ErrorCategory Category(IpvsException e) => e.Kind switch
    {
        IpvsErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        IpvsErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        IpvsErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        IpvsErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        IpvsErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        IpvsErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        _ => FromErrno(e.Errno, ErrorCategory.NotSpecified),
    };

    public static ErrorCategory FromErrno(int errno, ErrorCategory otherwise) => errno switch
    {
        Errno.EPERM or Errno.EACCES => ErrorCategory.PermissionDenied,
        Errno.ENOENT or Errno.ESRCH or Errno.ENODEV or Errno.ENXIO => ErrorCategory.ObjectNotFound,
        Errno.EEXIST or Errno.EADDRINUSE => ErrorCategory.ResourceExists,
        Errno.EINVAL or Errno.ERANGE or Errno.EAFNOSUPPORT or Errno.E2BIG => ErrorCategory.InvalidArgument,
        Errno.EBUSY or Errno.EAGAIN => ErrorCategory.ResourceBusy,
        Errno.ENOMEM or Errno.ENOBUFS or Errno.ENOSPC => ErrorCategory.ResourceUnavailable,
        Errno.ETIMEDOUT => ErrorCategory.OperationTimeout,
        Errno.EOPNOTSUPP or Errno.EPROTONOSUPPORT => ErrorCategory.NotImplemented,
        Errno.EINTR => ErrorCategory.OperationStopped,
        Errno.EIO or Errno.EMSGSIZE or Errno.EFAULT => ErrorCategory.ProtocolError,
        _ => otherwise,
    };
}
