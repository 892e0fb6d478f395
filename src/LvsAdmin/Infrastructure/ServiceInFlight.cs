using System.Collections.Generic;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// The virtual service Get-LvsVirtualService is writing on this thread at this moment, with the real servers it has
/// just read for it. PowerShell runs the next commands of a pipeline inside WriteObject, so in
/// `Get-LvsVirtualService | Get-LvsRealServer` the service arrives at Get-LvsRealServer while it is still here, and
/// its real servers are exactly what a second dump would return a moment later: Get-LvsRealServer takes them instead
/// of reading every service's real servers twice. Any other service object (kept in a variable, from another
/// namespace, deserialized) is not in flight, and its real servers are read from the kernel as before. Public for the
/// host tests, which put a service in flight without a kernel.
/// </summary>
public static class ServiceInFlight
{
    [System.ThreadStatic] private static VirtualService? t_service;
    [System.ThreadStatic] private static RealServer[]? t_realServers;
    [System.ThreadStatic] private static string? t_networkNamespace;

    /// <summary>Runs <paramref name="write"/> (the WriteObject of <paramref name="service"/>) with the service in flight.</summary>
    public static void Write(VirtualService service, RealServer[] realServers, string? networkNamespace, System.Action write)
    {
        var (s, r, n) = (t_service, t_realServers, t_networkNamespace);
        (t_service, t_realServers, t_networkNamespace) = (service, realServers, networkNamespace);
        try
        {
            write();
        }
        finally
        {
            // Restored, not cleared: a pipeline nested in a downstream script block writes its own services meanwhile.
            (t_service, t_realServers, t_networkNamespace) = (s, r, n);
        }
    }

    /// <summary>
    /// The real servers read with <paramref name="service"/> when it is the very object being written in the same
    /// network namespace; otherwise null (read them from the kernel).
    /// </summary>
    public static List<RealServer>? RealServersOf(VirtualService service, string? networkNamespace) =>
        ReferenceEquals(service, t_service) && t_realServers is { } reals && networkNamespace == t_networkNamespace
            ? new List<RealServer>(reals)
            : null;
}
