using System;
using System.IO;
using System.Linq;
using LvsAdmin.Ipvs;
using Xunit;

namespace LvsAdmin.Tests.Requests;

public class KernelModulesTests
{
    private const string ProcModules =
        "ip_vs_wlc 12288 1 - Live 0x0000000000000000\n" +
        "ip_vs_rr 12288 0 - Live 0x0000000000000000\n" +
        "ip_vs_pe_sip 12288 0 - Live 0x0000000000000000\n" +
        "ip_vs_ftp 16384 0 - Live 0x0000000000000000\n" +
        "ip_vs 192512 8 ip_vs_wlc,ip_vs_rr,ip_vs_pe_sip,ip_vs_ftp, Live 0x0000000000000000\n" +
        "nf_conntrack 180224 3 ip_vs, Live 0x0000000000000000\n";

    [Fact]
    public void ParsesProcModules()
    {
        var names = KernelModules.ParseProcModules(ProcModules).ToList();
        Assert.Equal(new[] { "ip_vs_wlc", "ip_vs_rr", "ip_vs_pe_sip", "ip_vs_ftp", "ip_vs", "nf_conntrack" }, names);
        Assert.Equal(new[] { "rr", "wlc" }, KernelModules.Schedulers(names));
        Assert.Equal(new[] { "sip" }, KernelModules.PersistenceEngines(names));
    }

    [Fact]
    public void ReadsBothSources()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lvsadmin-km-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "sys", "ip_vs_sh"));
            Directory.CreateDirectory(Path.Combine(dir, "sys", "ip_vs_wlc"));
            Directory.CreateDirectory(Path.Combine(dir, "sys", "tcp_cubic"));
            File.WriteAllText(Path.Combine(dir, "modules"), ProcModules);
            var names = KernelModules.ReadModuleNames(Path.Combine(dir, "modules"), Path.Combine(dir, "sys"));
            Assert.NotNull(names);
            var info = KernelModules.WithModules(new IpvsInfo(new Version(1, 2, 1), 4096), names);
            Assert.Equal(new[] { "rr", "sh", "wlc" }, info.Schedulers);
            Assert.Equal(new[] { "sip" }, info.PersistenceEngines);
            Assert.Null(KernelModules.ReadModuleNames(Path.Combine(dir, "none"), Path.Combine(dir, "none")));
            Assert.Null(KernelModules.WithModules(new IpvsInfo(new Version(1, 2, 1), 4096), null).Schedulers);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
