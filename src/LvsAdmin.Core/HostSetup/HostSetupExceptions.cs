using System;
using System.Net;
using LvsAdmin.Ipvs;
using E = LvsAdmin.Netlink.Errno;

namespace LvsAdmin.HostSetup;

/// <summary>
/// A host setup failure (sysctl, address, link, state or persistence file) with a stable ErrorId. Derives from
/// <see cref="IpvsException"/> so the cmdlets map it to an ErrorRecord with the right category. Bad input is
/// reported with <see cref="IpvsValidationException"/> instead, before anything is touched.
/// </summary>
public class HostSetupException : IpvsException
{
    /// <summary>Creates the exception.</summary>
    public HostSetupException(string message, IpvsErrorKind kind, string errorId, int errno = 0, Exception? inner = null)
        : base(message, kind, errorId, errno, inner) { }
}

/// <summary>A sysctl could not be read or written. ErrorIds: SysctlNotFound, SysctlReadOnly, SysctlPermissionDenied, SysctlInvalidValue, SysctlError.</summary>
public sealed class SysctlException : HostSetupException
{
    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    public SysctlException(string key, string message, IpvsErrorKind kind, string errorId, int errno = 0, Exception? inner = null)
        : base(message, kind, errorId, errno, inner) => Key = key;

    /// <summary>The sysctl key, e.g. net.ipv4.conf.lo.arp_ignore.</summary>
    public string Key { get; }

    internal static SysctlException NotFound(string key, string? hint = null) =>
        new(key, $"Sysctl '{key}' does not exist in this kernel or network namespace{(hint is null ? "." : ": " + hint)}", IpvsErrorKind.NotFound, "SysctlNotFound", E.ENOENT);

    internal static SysctlException ReadOnly(string key, Exception? inner = null) =>
        new(key, $"Cannot write sysctl '{key}': /proc/sys is mounted read-only (a container without the right to change kernel settings?). Set it on the host or give the container a writable /proc/sys.",
            IpvsErrorKind.PermissionDenied, "SysctlReadOnly", E.EROFS, inner);

    internal static SysctlException PermissionDenied(string key, int errno, Exception? inner = null) =>
        new(key, $"Cannot write sysctl '{key}': permission denied. Changing kernel settings needs root (run pwsh with sudo).",
            IpvsErrorKind.PermissionDenied, "SysctlPermissionDenied", errno, inner);

    internal static SysctlException InvalidValue(string key, string value, string why, int errno = 0, Exception? inner = null) =>
        new(key, $"Invalid value '{value}' for sysctl '{key}': {why}", IpvsErrorKind.InvalidArgument, "SysctlInvalidValue", errno, inner);
}

/// <summary>The named network interface does not exist (in the network namespace). ErrorId InterfaceNotFound.</summary>
public sealed class InterfaceNotFoundException : HostSetupException
{
    /// <summary>Creates the exception.</summary>
    public InterfaceNotFoundException(string interfaceName, string? networkNamespace = null)
        : base($"Network interface '{interfaceName}' does not exist{(networkNamespace is null ? "" : " in network namespace " + networkNamespace)}.",
            IpvsErrorKind.NotFound, "InterfaceNotFound", E.ENODEV) => InterfaceName = interfaceName;

    /// <summary>The interface that was asked for.</summary>
    public string InterfaceName { get; }
}

/// <summary>The address is already configured on another interface. ErrorId AddressOnOtherInterface.</summary>
public sealed class AddressOnOtherInterfaceException : HostSetupException
{
    /// <summary>Creates the exception.</summary>
    public AddressOnOtherInterfaceException(IPAddress address, string interfaceName, string otherInterface)
        : base($"Address {address} is already configured on interface '{otherInterface}', not on '{interfaceName}'. Remove it there first (Remove-LvsVirtualAddress -Address {address} -InterfaceName {otherInterface}) or use -Force to move it.",
            IpvsErrorKind.AlreadyExists, "AddressOnOtherInterface", E.EEXIST)
    {
        Address = address;
        InterfaceName = interfaceName;
        OtherInterface = otherInterface;
    }

    /// <summary>The address.</summary>
    public IPAddress Address { get; }
    /// <summary>The interface it was meant for.</summary>
    public string InterfaceName { get; }
    /// <summary>The interface that has it.</summary>
    public string OtherInterface { get; }
}
