using System.Net;

namespace LvsAdmin.LabTests;

/// <summary>Director setup of the NAT scenarios through `ip`/sysctl until LvsAdmin.HostSetup (branch host) can do it; then replaced by its calls.</summary>
internal static class Setup
{
    public const string Nat = "nat";
    public static void DirectorNat(string ns, IPAddress vip, string ifname)
    {
        var n = ns.Replace("/run/netns/", "");
        LabContext.RunOk("ip", $"-n {n} addr add {vip}/32 dev {ifname}");
        LabContext.RunOk("ip", $"netns exec {n} sysctl -qw net.ipv4.ip_forward=1");
    }
}
