using System;
using E = LvsAdmin.Netlink.Errno;
using LvsAdmin.Netlink;

namespace LvsAdmin.Ipvs;

/// <summary>What kind of failure an <see cref="IpvsException"/> is, for mapping to an error category.</summary>
public enum IpvsErrorKind
{
    Other,
    AlreadyExists,
    NotFound,
    PermissionDenied,
    NotInstalled,
    InvalidArgument,
    ResourceUnavailable,
}

/// <summary>Base of every IPVS failure: carries an errno (0 for validation errors) and an error id.</summary>
public class IpvsException : Exception
{
    public IpvsException(string message, IpvsErrorKind kind, string errorId, int errno = 0, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        ErrorId = errorId;
        Errno = errno;
    }

    public IpvsErrorKind Kind { get; }
    /// <summary>A stable identifier for scripts (used as the PowerShell ErrorId).</summary>
    public string ErrorId { get; }
    public int Errno { get; }
}

/// <summary>A bad input, found before anything was sent to the kernel.</summary>
public sealed class IpvsValidationException : IpvsException
{
    public IpvsValidationException(string parameter, string message, string? errorId = null)
        : base(message, IpvsErrorKind.InvalidArgument, errorId ?? "Invalid" + parameter)
    {
        Parameter = parameter;
    }

    /// <summary>The parameter or property that is wrong.</summary>
    public string Parameter { get; }
}

public sealed class ServiceAlreadyExistsException : IpvsException
{
    public ServiceAlreadyExistsException(ServiceKey key, Exception? inner = null)
        : base($"Virtual service {key} already exists.", IpvsErrorKind.AlreadyExists, "VirtualServiceExists", E.EEXIST, inner) => Service = key;
    public ServiceKey Service { get; }
}

public sealed class ServiceNotFoundException : IpvsException
{
    public ServiceNotFoundException(ServiceKey key, Exception? inner = null)
        : base($"Virtual service {key} does not exist.", IpvsErrorKind.NotFound, "VirtualServiceNotFound", E.ESRCH, inner) => Service = key;
    public ServiceKey Service { get; }
}

public sealed class RealServerAlreadyExistsException : IpvsException
{
    public RealServerAlreadyExistsException(ServiceKey service, RealServerKey server, Exception? inner = null)
        : base($"Real server {server} already exists in virtual service {service}.", IpvsErrorKind.AlreadyExists, "RealServerExists", E.EEXIST, inner)
    {
        Service = service;
        Server = server;
    }
    public ServiceKey Service { get; }
    public RealServerKey Server { get; }
}

public sealed class RealServerNotFoundException : IpvsException
{
    public RealServerNotFoundException(ServiceKey service, RealServerKey server, Exception? inner = null)
        : base($"Real server {server} does not exist in virtual service {service}.", IpvsErrorKind.NotFound, "RealServerNotFound", E.ENOENT, inner)
    {
        Service = service;
        Server = server;
    }
    public ServiceKey Service { get; }
    public RealServerKey Server { get; }
}

/// <summary>EPERM: changing IPVS needs root or CAP_NET_ADMIN.</summary>
public sealed class IpvsPermissionDeniedException : IpvsException
{
    public IpvsPermissionDeniedException(string operation, Exception? inner = null)
        : base($"{operation}: permission denied. Changing IPVS needs root or the CAP_NET_ADMIN capability (run pwsh with sudo).",
            IpvsErrorKind.PermissionDenied, "IpvsPermissionDenied", E.EPERM, inner) { }
}

/// <summary>The generic netlink family IPVS does not exist: the ip_vs kernel module is not loaded.</summary>
public sealed class IpvsNotLoadedException : IpvsException
{
    public IpvsNotLoadedException()
        : base("The kernel has no IPVS: the ip_vs module is not loaded. Load it with 'modprobe ip_vs' (and add it to /etc/modules-load.d/ to keep it).",
            IpvsErrorKind.NotInstalled, "IpvsModuleNotLoaded", E.ENOENT) { }
}

/// <summary>The kernel has no scheduler module of that name (ip_vs_NAME).</summary>
public sealed class SchedulerNotFoundException : IpvsException
{
    public SchedulerNotFoundException(string scheduler, Exception? inner = null)
        : base($"Scheduler '{scheduler}' is not available: the kernel module ip_vs_{scheduler} is missing or cannot be loaded ('modprobe ip_vs_{scheduler}')." +
               (scheduler == "twos" ? " The twos scheduler needs Linux 6.2 or later." : ""),
            IpvsErrorKind.NotInstalled, "SchedulerNotAvailable", E.ENOENT, inner) => Scheduler = scheduler;
    public string Scheduler { get; }
}

/// <summary>The kernel has no persistence engine of that name (ip_vs_pe_NAME).</summary>
public sealed class PersistenceEngineNotFoundException : IpvsException
{
    public PersistenceEngineNotFoundException(string engine, Exception? inner = null)
        : base($"Persistence engine '{engine}' is not available: the kernel module ip_vs_pe_{engine} is missing ('modprobe ip_vs_pe_{engine}').",
            IpvsErrorKind.NotInstalled, "PersistenceEngineNotAvailable", E.ENOENT, inner) => Engine = engine;
    public string Engine { get; }
}

/// <summary>A kernel error with no more specific meaning; the message carries the errno text.</summary>
public sealed class IpvsKernelException : IpvsException
{
    public IpvsKernelException(string operation, NetlinkException inner)
        : base($"{operation}: {inner.Message}", Classify(inner.Errno), "IpvsKernelError", inner.Errno, inner) { }

    private static IpvsErrorKind Classify(int errno) => errno switch
    {
        E.EINVAL or E.ERANGE or E.EAFNOSUPPORT => IpvsErrorKind.InvalidArgument,
        E.EEXIST or E.EADDRINUSE => IpvsErrorKind.AlreadyExists,
        E.ENOENT or E.ESRCH or E.ENODEV => IpvsErrorKind.NotFound,
        E.EPERM or E.EACCES => IpvsErrorKind.PermissionDenied,
        E.ENOMEM or E.ENOBUFS or E.EBUSY => IpvsErrorKind.ResourceUnavailable,
        _ => IpvsErrorKind.Other,
    };
}
