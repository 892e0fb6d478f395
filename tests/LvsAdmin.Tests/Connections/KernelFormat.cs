using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LvsAdmin.Tests.Connections;

/// <summary>
/// Writes rows exactly as net/netfilter/ipvs/ip_vs_conn.c (Linux 6.1) does, so tests feed the parser the kernel's
/// own layout: "%-3s %08X %04X %08X %04X %s %04X %-11s %7u%s" (ip_vs_conn) and
/// "%-3s %08X %04X %08X %04X %s %04X %-11s %-6s %7u" (ip_vs_conn_sync), %pI6 for IPv6 (8 lowercase 4-digit groups).
/// </summary>
internal static class KernelFormat
{
    public const string PlainHeader = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData";
    public const string SyncHeader = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires";

    /// <summary>%08X of the host-order IPv4 address, or %pI6.</summary>
    public static string Addr(IPAddress a)
    {
        var b = a.GetAddressBytes();
        if (a.AddressFamily == AddressFamily.InterNetwork)
            return ((uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3])).ToString("X8", CultureInfo.InvariantCulture);
        var sb = new StringBuilder(39);
        for (var i = 0; i < 16; i += 2)
        {
            if (i > 0) sb.Append(':');
            sb.Append(b[i].ToString("x2", CultureInfo.InvariantCulture)).Append(b[i + 1].ToString("x2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    public static string Plain(string proto, string caddr, ushort cport, string vaddr, ushort vport, string daddr, ushort dport,
        string state, uint expires, string? peName = null, string? peData = null)
    {
        var pe = peName is null ? "" : " " + peName + " " + peData;
        return string.Format(CultureInfo.InvariantCulture, "{0,-3} {1} {2:X4} {3} {4:X4} {5} {6:X4} {7,-11} {8,7}{9}",
            proto, caddr, cport, vaddr, vport, daddr, dport, state, expires, pe);
    }

    public static string Sync(string proto, string caddr, ushort cport, string vaddr, ushort vport, string daddr, ushort dport,
        string state, string origin, uint expires) =>
        string.Format(CultureInfo.InvariantCulture, "{0,-3} {1} {2:X4} {3} {4:X4} {5} {6:X4} {7,-11} {8,-6} {9,7}",
            proto, caddr, cport, vaddr, vport, daddr, dport, state, origin, expires);

    public static string Plain(string proto, IPAddress c, ushort cport, IPAddress v, ushort vport, IPAddress d, ushort dport,
        string state, uint expires, string? peName = null, string? peData = null) =>
        Plain(proto, Addr(c), cport, Addr(v), vport, Addr(d), dport, state, expires, peName, peData);

    public static string Sync(string proto, IPAddress c, ushort cport, IPAddress v, ushort vport, IPAddress d, ushort dport,
        string state, string origin, uint expires) =>
        Sync(proto, Addr(c), cport, Addr(v), vport, Addr(d), dport, state, origin, expires);
}
