using System;
using System.IO;
using System.Linq;
using LvsAdmin.HelpGen;
using Xunit;

namespace LvsAdmin.Tests.Help;

/// <summary>docs/about_LvsAdmin.md: its text rendering, and that it maps every ipvsadm 1.31 command and option.</summary>
public sealed class AboutTopicTests
{
    private static string AboutPath => Path.Combine(HelpPaths.DocsDir, "about_LvsAdmin.md");

    private static string Markdown => File.ReadAllText(AboutPath);

    private static string Text => AboutTopicWriter.Convert(MarkdownReader.Parse(AboutPath, Markdown));

    /// <summary>Every long option of ipvsadm 1.31 (its --help text and ipvsadm(8)).</summary>
    public static readonly string[] IpvsadmLongOptions =
    {
        "--add-service", "--edit-service", "--delete-service", "--clear", "--restore", "--save", "--add-server",
        "--edit-server", "--delete-server", "--list", "--zero", "--set", "--start-daemon", "--stop-daemon", "--help",
        "--version", "--tcp-service", "--udp-service", "--sctp-service", "--fwmark-service", "--ipv6", "--scheduler",
        "--pe", "--persistent", "--netmask", "--real-server", "--gatewaying", "--ipip", "--masquerading", "--tun-type",
        "--tun-port", "--tun-nocsum", "--tun-csum", "--tun-remcsum", "--weight", "--u-threshold", "--l-threshold",
        "--connection", "--timeout", "--daemon", "--stats", "--rate", "--exact", "--thresholds", "--persistent-conn",
        "--tun-info", "--nosort", "--sort", "--ops", "--numeric", "--sched-flags", "--syncid", "--sync-maxlen",
        "--mcast-interface", "--mcast-group", "--mcast-port", "--mcast-ttl",
    };

    /// <summary>Every short option of ipvsadm 1.31.</summary>
    public static readonly string[] IpvsadmShortOptions =
    {
        "-A", "-E", "-D", "-C", "-R", "-S", "-a", "-e", "-d", "-L", "-l", "-Z", "-h", "-v", "-t", "-u", "-f", "-6",
        "-s", "-p", "-M", "-r", "-g", "-i", "-m", "-w", "-x", "-y", "-c", "-o", "-n", "-b",
    };

    public static readonly string[] Cmdlets =
    {
        "Get-LvsVirtualService", "New-LvsVirtualService", "Set-LvsVirtualService", "Remove-LvsVirtualService",
        "Clear-LvsVirtualService", "Get-LvsRealServer", "Add-LvsRealServer", "Set-LvsRealServer", "Remove-LvsRealServer",
        "Reset-LvsStatistic", "Get-LvsTimeout", "Set-LvsTimeout", "Get-LvsSyncDaemon", "Start-LvsSyncDaemon",
        "Stop-LvsSyncDaemon", "Get-LvsInfo", "Get-LvsConnection", "Export-LvsConfiguration", "Import-LvsConfiguration",
        "Get-LvsVirtualAddress", "Add-LvsVirtualAddress", "Remove-LvsVirtualAddress", "Set-LvsRealServerArp", "Get-LvsSysctl",
        "Set-LvsSysctl", "Initialize-LvsRealServer", "Reset-LvsRealServer", "Test-LvsRealServer", "Initialize-LvsDirector",
        "Reset-LvsDirector", "Test-LvsDirector",
    };

    public static readonly string[] Parameters =
    {
        "-Service", "-Protocol", "-Address", "-Port", "-FirewallMark", "-AddressFamily", "-Scheduler", "-SchedulerFlags",
        "-Persistent", "-PersistenceTimeout", "-PersistenceNetmask", "-PersistenceEngine", "-OnePacket", "-PassThru",
        "-Force", "-ForwardingMethod", "-Weight", "-UpperThreshold", "-LowerThreshold", "-TunnelType", "-TunnelPort",
        "-TunnelChecksum", "-TcpTimeout", "-TcpFinTimeout", "-UdpTimeout", "-State", "-Interface", "-SyncId",
        "-MaxLength", "-MulticastGroup", "-MulticastPort", "-MulticastTtl", "-RealServer", "-ClientAddress",
        "-NetworkNamespace",
    };

    [Fact]
    public void EveryIpvsadmLongOptionIsMapped()
    {
        var missing = IpvsadmLongOptions.Where(o => !Markdown.Contains("`" + o, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not in about_LvsAdmin.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryIpvsadmShortOptionIsMapped()
    {
        var missing = IpvsadmShortOptions.Where(o => !Markdown.Contains("`" + o + "`", StringComparison.Ordinal) && !Markdown.Contains("`" + o + " ", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not in about_LvsAdmin.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryCmdletAndParameterIsNamed()
    {
        var missing = Cmdlets.Concat(Parameters).Where(n => !System.Text.RegularExpressions.Regex.IsMatch(Markdown, System.Text.RegularExpressions.Regex.Escape(n) + @"\b")).ToList();
        Assert.True(missing.Count == 0, "not in about_LvsAdmin.md: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("tcp/10.0.0.1:80")]
    [InlineData("udp/[2001:db8::1]:53")]
    [InlineData("sctp/")]
    [InlineData("fwm/100")]
    [InlineData("fwm/100/ipv6")]
    [InlineData("weight of a real server: 1")]
    [InlineData("DirectRouting")]
    [InlineData("wlc")]
    [InlineData("Statistics")]
    [InlineData("Rate")]
    [InlineData("Thresholds")]
    [InlineData("Persistence")]
    [InlineData("Tunnel")]
    public void TheTopicCovers(string text) => Assert.Contains(text, Markdown, StringComparison.Ordinal);

    [Fact]
    public void TheTextTopicLooksLikeAPowerShellAboutTopic()
    {
        var text = Text;
        Assert.StartsWith("TOPIC\n    about_lvsadmin\n\nSHORT DESCRIPTION\n    ", text, StringComparison.Ordinal);
        Assert.Contains("\nLONG DESCRIPTION\n", text, StringComparison.Ordinal);
        var lines = text.Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith('#'));
        Assert.DoesNotContain(lines, l => l.Contains("**", StringComparison.Ordinal) || l.Contains('`'));

        // Prose is wrapped at 80 columns; only code lines (examples) may be longer.
        var codeLines = Markdown.Replace("\r\n", "\n").Split("```").Where((_, i) => i % 2 == 1)
            .SelectMany(block => block.Split('\n').Skip(1)).Select(l => "    " + l).ToHashSet();
        Assert.DoesNotContain(lines, l => l.Length > 80 && !codeLines.Contains(l));
    }
}
