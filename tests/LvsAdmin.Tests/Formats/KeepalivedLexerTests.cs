using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LvsAdmin.Formats;
using LvsAdmin.Ipvs;
using LvsAdmin.Configuration;
using Xunit;
using static LvsAdmin.Tests.Formats.KeepalivedTestSupport;

namespace LvsAdmin.Tests.Formats;

/// <summary>keepalived.conf syntax (comments, quotes, braces, includes) and errors with file:line.</summary>
public class KeepalivedLexerTests
{
    [Fact]
    public void CommentsQuotesAndBracesWhereverTheyStand()
    {
        var s = One("""
            ! Configuration File for keepalived
            virtual_server 10.0.0.1 80   # the web VIP
            {
              protocol "TCP"   ! quoted words are words
              lvs_sched rr
              lvs_method DR
              real_server 10.0.0.5 80 { weight 4 }
              real_server 10.0.0.6 80 { weight 2
              }
            }
            """);
        Assert.Equal(ServiceKey.Parse("tcp/10.0.0.1:80"), s.Key);
        Assert.Equal(new[] { 4, 2 }, s.RealServers.Select(r => r.Weight));
    }

    [Fact]
    public void CommentCharactersInsideQuotesOrEscapedAreKept()
    {
        var statements = KeepalivedLexer.Read("notify \"/bin/echo a#b!c\" x\\#y # comment\n", "f", null, new List<ConfigurationError>(), new List<string>());
        Assert.Equal(new[] { "notify", "/bin/echo a#b!c", "x#y" }, Assert.Single(statements).Words);
    }

    [Fact]
    public void IncludeGlobsRelativeToTheIncludingFileInSortedOrder()
    {
        var dir = TempDirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "conf.d"));
            File.WriteAllText(Path.Combine(dir, "keepalived.conf"), "global_defs {\n lvs_timeouts tcp 100\n}\ninclude conf.d/*.conf\n");
            File.WriteAllText(Path.Combine(dir, "conf.d", "b.conf"), "virtual_server 10.0.0.2 80 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n include servers/two\n}\n");
            File.WriteAllText(Path.Combine(dir, "conf.d", "a.conf"), "virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n real_server 10.0.0.5 80 {\n }\n}\n");
            File.WriteAllText(Path.Combine(dir, "conf.d", "ignored.txt"), "this is not read\n");
            Directory.CreateDirectory(Path.Combine(dir, "conf.d", "servers"));
            File.WriteAllText(Path.Combine(dir, "conf.d", "servers", "two"), "real_server 10.0.0.6 80 {\n}\nreal_server 10.0.0.7 80 {\n}\n");
            var doc = ConfigurationFile.Load(Path.Combine(dir, "keepalived.conf"));
            Assert.Equal(new[] { "tcp/10.0.0.1:80", "tcp/10.0.0.2:80" }, doc.Services.Select(s => s.Key.ToString()));
            Assert.Equal(2, doc.Services[1].RealServers.Count);
            Assert.Equal(new IpvsTimeouts(100, 0, 0), doc.Timeouts);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void AnErrorInAnIncludedFileNamesThatFileAndLine()
    {
        var dir = TempDirectory();
        try
        {
            File.WriteAllText(Path.Combine(dir, "main.conf"), "include lvs.conf\nvirtual_server 10.0.0.9 80 {\n protocol TCPX\n real_server 10.0.0.5 80 {\n }\n}\n");
            File.WriteAllText(Path.Combine(dir, "lvs.conf"), "\n\nvirtual_server 10.0.0.1 80 {\n  lvs_sched fastest\n  real_server 10.0.0.5 80 {\n    weight 70000\n  }\n}\n");
            var e = Assert.Throws<ConfigurationParseException>(() => ConfigurationFile.Load(Path.Combine(dir, "main.conf"), ConfigurationFormat.Keepalived));
            Assert.Equal("ConfigurationParseError", e.ErrorId);
            Assert.Equal(new[]
            {
                $"{Path.Combine(dir, "lvs.conf")}:4: Invalid lvs_sched 'fastest' (rr, wrr, lc, wlc, lblc, sh, mh, dh, fo, ovf, lblcr, sed, nq, twos).",
                $"{Path.Combine(dir, "lvs.conf")}:6: Real server weight '70000' must be 0-65535.",
                $"{Path.Combine(dir, "main.conf")}:3: Unknown protocol 'TCPX' (TCP, UDP or SCTP).",
            }, e.Errors.Select(x => x.ToString()));
            Assert.Contains("nothing was applied", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("include missing.conf\n", "keepalived.conf:1: include missing.conf: no such file")]
    [InlineData("virtual_server 10.0.0.1 80 {\n protocol TCP\n", "keepalived.conf:1: The 'virtual_server' block opened here is not closed")]
    [InlineData("}\n", "keepalived.conf:1: Extra '}' found.")]
    [InlineData("virtual_server 10.0.0.1 80 {\n protocl TCP\n}\n", "keepalived.conf:2: Unknown keyword 'protocl' in virtual_server.")]
    [InlineData("$IF=eth0\n", "keepalived.conf:1: '$IF=eth0': keepalived parameter definitions")]
    [InlineData("virtual_server 10.0.0.300 80 {\n}\n", "keepalived.conf:1: '10.0.0.300' is not an IPv4 or IPv6 address.")]
    [InlineData("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  lvs_method TUN type gue\n }\n}\n", "keepalived.conf:3: gue tunnels require port")]
    [InlineData("virtual_server 10.0.0.1 80 {\n real_server 2001:db8::2 80 {\n  lvs_method DR\n }\n}\n", "keepalived.conf:2: The address family of real_server 2001:db8::2 does not match")]
    [InlineData("virtual_server group nope {\n real_server 10.0.0.2 80 {\n }\n}\n", "keepalived.conf:1: virtual_server_group nope is not defined.")]
    [InlineData("virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n }\n}\nvirtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.3 80 {\n }\n}\n",
        "keepalived.conf:6: virtual service tcp/10.0.0.1:80 is defined twice (first at keepalived.conf:1).")]
    [InlineData("global_defs {\n lvs_timeouts tcp\n}\n", "keepalived.conf:2: lvs_timeouts requires at least one option")]
    [InlineData("virtual_server_group g {\n 10.0.0.1/24 80\n}\n", "keepalived.conf:2: Address mask bits not empty in 10.0.0.1/24.")]
    public void EachErrorHasItsFileAndLine(string text, string expected)
    {
        var e = Fails(text, directory: Path.GetTempPath());
        Assert.StartsWith(expected, e.Errors[0].ToString());
        Assert.Equal("keepalived.conf", e.Errors[0].File);
    }

    [Fact]
    public void ARelativeIncludeInTextNeedsAFile()
    {
        var e = Fails("include other.conf\n");
        Assert.Contains("a relative include needs the configuration to come from a file", Assert.Single(e.Errors).Message);
    }

    [Fact]
    public void AnIncludeLoopIsAnError()
    {
        var dir = TempDirectory();
        try
        {
            File.WriteAllText(Path.Combine(dir, "loop.conf"), "include loop.conf\n");
            var e = Assert.Throws<ConfigurationParseException>(() => ConfigurationFile.Load(Path.Combine(dir, "loop.conf")));
            Assert.Contains("includes nest deeper than 32", e.Errors[0].Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
