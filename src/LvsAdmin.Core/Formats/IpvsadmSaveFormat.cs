using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Formats;

/// <summary>One virtual service of a rules file with its real servers, in file order.</summary>
public sealed record IpvsadmTableEntry(VirtualService Service, IReadOnlyList<RealServer> RealServers);

/// <summary>One problem in a rules file: the 1-based line number and what is wrong.</summary>
public sealed record IpvsadmParseError(int Line, string Message)
{
    public override string ToString() => $"line {Line}: {Message}";
}

/// <summary>A rules file had errors; <see cref="Errors"/> lists every one (nothing was returned or applied).</summary>
public sealed class IpvsadmParseException : IpvsException
{
    public IpvsadmParseException(IReadOnlyList<IpvsadmParseError> errors)
        : base(BuildMessage(errors), IpvsErrorKind.InvalidArgument, "InvalidIpvsadmRules")
    {
        Errors = errors;
    }

    public IReadOnlyList<IpvsadmParseError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<IpvsadmParseError> errors)
    {
        var sb = new StringBuilder();
        sb.Append(errors.Count == 1 ? "The ipvsadm rules have an error:" : $"The ipvsadm rules have {errors.Count} errors:");
        foreach (var e in errors) sb.Append("\n  ").Append(e);
        return sb.ToString();
    }
}

/// <summary>
/// The rules text of <c>ipvsadm -Sn</c> (ipvsadm-save -n), read by <c>ipvsadm -R</c>. <see cref="Write(IEnumerable{ValueTuple{VirtualService, IReadOnlyList{RealServer}}}, bool)"/>
/// produces exactly ipvsadm 1.31's bytes; <see cref="Parse"/> reads -A and -a lines (every option, long and short)
/// with ipvsadm's own defaults, plus -C, comments (#) and blank lines.
/// </summary>
public static partial class IpvsadmSaveFormat
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>
    /// The text <c>ipvsadm -Sn</c> prints for <paramref name="table"/>. With <paramref name="sort"/> (ipvsadm's
    /// default) services and real servers are ordered as ipvsadm orders them; its comparison overflows, so for a
    /// table read from the kernel give it in the kernel's order (as <see cref="IpvsClient"/> lists it) to get the same
    /// bytes. With <paramref name="sort"/> false the order is kept (<c>ipvsadm -Sn --nosort</c>).
    /// Thresholds are not part of ipvsadm's save format, so they are not written.
    /// </summary>
    public static string Write(IEnumerable<(VirtualService Service, IReadOnlyList<RealServer> RealServers)> table, bool sort = true)
    {
        var sb = new StringBuilder();
        foreach (var (s, reals) in IpvsadmText.Order(table, sort))
        {
            var svc = ServiceRuleName(s.Key);
            sb.Append(Spec(IpvsadmOption.AddService).Spelling).Append(' ').Append(svc)
              .Append(' ').Append(Spec(IpvsadmOption.Scheduler).Spelling).Append(' ').Append(s.Scheduler);
            if (s.Persistent)
            {
                sb.Append(' ').Append(Spec(IpvsadmOption.Persistent).Spelling).Append(' ').Append(s.PersistenceTimeout.ToString(C));
                if (IpvsadmText.NetmaskText(s) is { } mask) sb.Append(' ').Append(Spec(IpvsadmOption.Netmask).Spelling).Append(' ').Append(mask);
            }
            if (!string.IsNullOrEmpty(s.PersistenceEngine)) sb.Append(' ').Append(Spec(IpvsadmOption.PersistenceEngine).Spelling).Append(' ').Append(s.PersistenceEngine);
            if (s.OnePacket) sb.Append(' ').Append(Spec(IpvsadmOption.OnePacket).Spelling);
            if (s.SchedulerFlags != SchedulerFlags.None)
                sb.Append(' ').Append(Spec(IpvsadmOption.SchedFlags).Spelling).Append(' ').Append(IpvsadmText.SchedulerFlagsText(s.Scheduler, s.SchedulerFlags));
            sb.Append('\n');
            foreach (var r in reals)
            {
                sb.Append(Spec(IpvsadmOption.AddServer).Spelling).Append(' ').Append(svc)
                  .Append(' ').Append(Spec(IpvsadmOption.RealServer).Spelling).Append(' ').Append(IpvsadmText.AddrPort(r.Address, r.Port))
                  .Append(' ').Append(ForwardingSwitch(r.ForwardingMethod))
                  .Append(' ').Append(Spec(IpvsadmOption.Weight).Spelling).Append(' ').Append(r.Weight.ToString(C));
                if (r.ForwardingMethod == ForwardingMethod.Tunnel && Enum.IsDefined(r.TunnelType))
                {
                    sb.Append(' ').Append(Spec(IpvsadmOption.TunType).Spelling).Append(' ').Append(IpvsadmText.TunnelTypeName(r.TunnelType));
                    if (r.TunnelType == TunnelType.Gue)
                        sb.Append(' ').Append(Spec(IpvsadmOption.TunPort).Spelling).Append(' ').Append(r.TunnelPort.ToString(C));
                    if (r.TunnelType is TunnelType.Gue or TunnelType.Gre)
                        sb.Append(' ').Append(ChecksumSwitch(r.TunnelChecksum));
                }
                sb.Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary>Writes a parsed table back (see <see cref="Write(IEnumerable{ValueTuple{VirtualService, IReadOnlyList{RealServer}}}, bool)"/>).</summary>
    public static string Write(IEnumerable<IpvsadmTableEntry> table, bool sort = true) =>
        Write(table.Select(e => (e.Service, e.RealServers)), sort);

    /// <summary>"-t 10.0.0.1:80", "--sctp-service [2001:db8::1]:5060", "-f 100 -6" (marks above 2^31 print negative, as ipvsadm's %d does).</summary>
    internal static string ServiceRuleName(ServiceKey key)
    {
        if (key.IsFirewallMark)
            return Spec(IpvsadmOption.FwmarkService).Spelling + " " + IpvsadmText.AsInt(key.FirewallMark) +
                   (key.AddressFamily == IpvsAddressFamily.IPv6 ? " " + Spec(IpvsadmOption.Ipv6).Spelling : "");
        var opt = key.Protocol switch
        {
            IpvsProtocol.Tcp => Spec(IpvsadmOption.TcpService).Spelling,
            IpvsProtocol.Udp => Spec(IpvsadmOption.UdpService).Spelling,
            IpvsProtocol.Sctp => Spec(IpvsadmOption.SctpService).Spelling,
            _ => "--xxx-service",
        };
        return opt + " " + IpvsadmText.AddrPort(key.Address!, key.Port);
    }

    private static string ForwardingSwitch(ForwardingMethod m) => m switch
    {
        ForwardingMethod.Nat => Spec(IpvsadmOption.Masquerading).Spelling,
        ForwardingMethod.Tunnel => Spec(IpvsadmOption.Ipip).Spelling,
        ForwardingMethod.DirectRouting or ForwardingMethod.Local => Spec(IpvsadmOption.Gatewaying).Spelling,
        _ => "(null)",
    };

    private static string ChecksumSwitch(TunnelChecksum c) => c switch
    {
        TunnelChecksum.None => Spec(IpvsadmOption.TunNocsum).Spelling,
        TunnelChecksum.Checksum => Spec(IpvsadmOption.TunCsum).Spelling,
        TunnelChecksum.RemoteChecksum => Spec(IpvsadmOption.TunRemcsum).Spelling,
        _ => "(null)",
    };

    private static IpvsadmOptionSpec Spec(IpvsadmOption id) => IpvsadmOptions.Get(id);
}
