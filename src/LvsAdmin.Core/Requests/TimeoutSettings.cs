using LvsAdmin.Ipvs;

namespace LvsAdmin.Requests;

/// <summary>Set-LvsTimeout's rule: change only the timeouts given; the kernel reads 0 as "leave unchanged".</summary>
public static class TimeoutSettings
{
    /// <summary>
    /// The timeouts to send: the given ones, 0 for the rest. A given 0 is refused (it would silently do nothing),
    /// and at least one must be given. Range-checked.
    /// </summary>
    public static IpvsTimeouts Create(uint? tcp, uint? tcpFin, uint? udp)
    {
        if (tcp is null && tcpFin is null && udp is null)
            throw new IpvsValidationException("TcpTimeout", "Give at least one of -TcpTimeout, -TcpFinTimeout, -UdpTimeout.", "NoTimeoutGiven");
        Check("TcpTimeout", tcp);
        Check("TcpFinTimeout", tcpFin);
        Check("UdpTimeout", udp);
        var t = new IpvsTimeouts(tcp ?? 0, tcpFin ?? 0, udp ?? 0);
        IpvsValidation.ValidateTimeouts(t);
        return t;
    }

    /// <summary>What the timeouts will read after <paramref name="change"/> is applied to <paramref name="current"/>.</summary>
    public static IpvsTimeouts Merge(IpvsTimeouts current, IpvsTimeouts change) =>
        new(change.Tcp != 0 ? change.Tcp : current.Tcp, change.TcpFin != 0 ? change.TcpFin : current.TcpFin, change.Udp != 0 ? change.Udp : current.Udp);

    private static void Check(string parameter, uint? value)
    {
        if (value is 0)
            throw new IpvsValidationException(parameter, $"-{parameter} 0 would leave the timeout unchanged (the kernel reads 0 so); give 1 to {IpvsValidation.MaxTimeout} seconds, or leave the parameter out.");
    }
}
