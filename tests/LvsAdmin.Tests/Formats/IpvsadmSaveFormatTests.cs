using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Formats;
using Xunit;

using LvsAdmin.Tests.Configuration;

namespace LvsAdmin.Tests.Formats;

public class IpvsadmSaveFormatTests
{
    private static (VirtualService, IReadOnlyList<RealServer>) Entry(VirtualService s, params RealServer[] reals) => (s, reals);

    private static VirtualService Svc(string key) => new(ServiceKey.Parse(key));

    // ---- writing ----------------------------------------------------------------------------------------------

    [Fact]
    public void WritesIpvsadmBytesInIpvsadmOrder()
    {
        var tcp = ServiceKey.Parse("tcp/10.0.0.1:80");
        var udp6 = ServiceKey.Parse("udp/[2001:db8::1]:53");
        var table = new[]
        {
            Entry(new VirtualService(ServiceKey.ForFirewallMark(100, IpvsAddressFamily.IPv6)) { Scheduler = "sh", SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2 }),
            Entry(new VirtualService(udp6) { Scheduler = "rr", Persistent = true, PersistenceTimeout = 600, PersistenceNetmask = "64", PersistenceEngine = "sip", OnePacket = true },
                new RealServer(udp6, IPAddress.Parse("2001:db8::2"), 53) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelChecksum = TunnelChecksum.Checksum },
                new RealServer(udp6, IPAddress.Parse("10.9.9.9"), 53) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre, TunnelChecksum = TunnelChecksum.None, Weight = 0 }),
            Entry(new VirtualService(tcp),
                new RealServer(tcp, IPAddress.Parse("192.168.1.2"), 80) { UpperThreshold = 100, LowerThreshold = 5 },
                new RealServer(tcp, IPAddress.Parse("192.168.1.1"), 8080) { ForwardingMethod = ForwardingMethod.Nat, Weight = 5 },
                new RealServer(tcp, IPAddress.Parse("192.168.1.3"), 80) { ForwardingMethod = ForwardingMethod.Tunnel }),
            Entry(new VirtualService(ServiceKey.Parse("sctp/10.0.0.3:5060")) { Scheduler = "mh", SchedulerFlags = SchedulerFlags.Flag2 }),
            Entry(new VirtualService(ServiceKey.ForFirewallMark(3000000000)) { Scheduler = "lc", Persistent = true, PersistenceTimeout = 30, PersistenceNetmask = "255.255.255.0" }),
            Entry(new VirtualService(ServiceKey.Parse("udp/10.0.0.1:80")) { SchedulerFlags = SchedulerFlags.Flag3 }),
            Entry(new VirtualService(ServiceKey.Parse("tcp/10.0.0.1:0")) { Persistent = true, PersistenceTimeout = 360 }),
        };
        var expected =
            "-A -f -1294967296 -s lc -p 30 -M 255.255.255.0\n" +
            "-A -t 10.0.0.1:0 -s wlc -p 360\n" +
            "-A -t 10.0.0.1:80 -s wlc\n" +
            "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 5\n" +
            "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -g -w 1\n" +
            "-a -t 10.0.0.1:80 -r 192.168.1.3:80 -i -w 1 --tun-type ipip\n" +
            "-A -u 10.0.0.1:80 -s wlc -b flag-3\n" +
            "-A --sctp-service 10.0.0.3:5060 -s mh -b mh-port\n" +
            "-A -u [2001:db8::1]:53 -s rr -p 600 -M 64 --pe sip -o\n" +
            "-a -u [2001:db8::1]:53 -r 10.9.9.9:53 -i -w 0 --tun-type gre --tun-nocsum\n" +
            "-a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum\n" +
            "-A -f 100 -6 -s sh -b sh-fallback,sh-port\n";
        Assert.Equal(expected, IpvsadmSaveFormat.Write(table));
    }

    [Fact]
    public void WritesWhatIpvsadmWritesForOddCases()
    {
        var t = new[]
        {
            // sh has no name for flag-3: ipvsadm prints "-b " and nothing after it.
            Entry(Svc("tcp/10.0.0.1:1") with { Scheduler = "sh", SchedulerFlags = SchedulerFlags.Flag3 }),
            // -M only with -p; --pe also without -p; default masks never.
            Entry(Svc("udp/10.0.0.1:2") with { PersistenceNetmask = "255.0.0.0", PersistenceEngine = "sip" }),
            Entry(Svc("udp/10.0.0.1:3") with { Persistent = true, PersistenceTimeout = 1, PersistenceNetmask = "/32" }),
            Entry(Svc("tcp/[::10.1.2.3]:4") with { Persistent = true, PersistenceTimeout = 5, PersistenceNetmask = "128" }),
        };
        Assert.Equal(
            "-A -t 10.0.0.1:1 -s sh -b \n" +
            "-A -u 10.0.0.1:2 -s wlc --pe sip\n" +
            "-A -u 10.0.0.1:3 -s wlc -p 1\n" +
            "-A -t [::10.1.2.3]:4 -s wlc -p 5\n",
            IpvsadmSaveFormat.Write(t));
    }

    [Fact]
    public void SortReproducesTheOverflowingComparison()
    {
        // 10.x < 100.x < 200.x < 10.x as ipvsadm compares (unsigned differences read as int): the order depends on
        // the input, exactly as glibc's merge sort leaves it.
        var a = Entry(Svc("tcp/10.0.0.1:80"));
        var b = Entry(Svc("tcp/100.0.0.1:80"));
        var c = Entry(Svc("tcp/200.0.0.1:80"));
        string Order(params (VirtualService, IReadOnlyList<RealServer>)[] t) =>
            string.Join(" ", IpvsadmSaveFormat.Write(t).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[2].Split('.')[0]));
        Assert.Equal("10 100 200", Order(a, b, c));
        Assert.Equal("200 10 100", Order(c, b, a));
        Assert.Equal("200 10 100", Order(c, a, b));
        // Within half the circle the order is the plain one whatever the input.
        var d = Entry(Svc("tcp/10.0.0.2:80"));
        var e = Entry(Svc("tcp/10.0.0.2:81"));
        Assert.Equal("-A -t 10.0.0.1:80 -s wlc\n-A -t 10.0.0.2:80 -s wlc\n-A -t 10.0.0.2:81 -s wlc\n", IpvsadmSaveFormat.Write(new[] { e, a, d }));
        Assert.Equal("-A -t 10.0.0.2:81 -s wlc\n-A -t 10.0.0.1:80 -s wlc\n-A -t 10.0.0.2:80 -s wlc\n", IpvsadmSaveFormat.Write(new[] { e, a, d }, sort: false));
    }

    [Fact]
    public void MixedFamilyRealServersCompareByTheFirstOnesFamily()
    {
        var k = ServiceKey.Parse("tcp/[2001:db8::1]:80");
        RealServer T(string a) => new(k, IPAddress.Parse(a), 80) { ForwardingMethod = ForwardingMethod.Tunnel };
        var text = IpvsadmSaveFormat.Write(new[] { Entry(new VirtualService(k), T("2001:db8::2"), T("10.0.0.1"), T("::1:2"), T("32.1.13.184")) });
        // The merge sort sees: P=2001:db8::2 vs Q=10.0.0.1 from P's side (four words: P is bigger); ::1:2 vs
        // 32.1.13.184 (0x20010db8) from the IPv6 side (::1:2 smaller); then 10.0.0.1 vs ::1:2 by one word only
        // (10.0.0.1 bigger), and 2001:db8::2 vs 32.1.13.184 from the IPv6 side, where the IPv4 zero padding loses.
        Assert.Equal(
            "-A -t [2001:db8::1]:80 -s wlc\n" +
            "-a -t [2001:db8::1]:80 -r [::0.1.0.2]:80 -i -w 1 --tun-type ipip\n" +
            "-a -t [2001:db8::1]:80 -r 10.0.0.1:80 -i -w 1 --tun-type ipip\n" +
            "-a -t [2001:db8::1]:80 -r 32.1.13.184:80 -i -w 1 --tun-type ipip\n" +
            "-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -i -w 1 --tun-type ipip\n",
            text);
    }

    [Theory]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("::ffff:1.2.3.4", "::ffff:1.2.3.4")]
    [InlineData("::1.2.3.4", "::1.2.3.4")]
    [InlineData("::ffff:0:1.2.3.4", "::ffff:0:102:304")]
    [InlineData("2001:db8::", "2001:db8::")]
    [InlineData("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1")]
    [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")]
    [InlineData("2001:0:0:1:1:0:0:1", "2001::1:1:0:0:1")]
    [InlineData("1:0:0:0:0:0:0:0", "1::")]
    [InlineData("0:0:0:0:0:0:1:0", "::0.1.0.0")]
    [InlineData("0:0:0:0:0:1:0:0", "::1:0:0")]
    [InlineData("fe80::1:0:0:1", "fe80::1:0:0:1")]
    [InlineData("2001:db8:1:2:3:4:0:6", "2001:db8:1:2:3:4:0:6")]
    [InlineData("::1:2", "::0.1.0.2")]
    [InlineData("ff02::0:1:2", "ff02::1:2")]
    public void InetNtopIsGlibcs(string address, string expected) =>
        Assert.Equal(expected, IpvsadmText.InetNtop(IPAddress.Parse(address)));

    // ---- parsing ----------------------------------------------------------------------------------------------

    [Fact]
    public void ParsesWithIpvsadmDefaults()
    {
        var t = IpvsadmSaveFormat.Parse("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2\n-a -t 10.0.0.1:80 -r 10.0.0.3 -m\n-A -u 10.0.0.1:0 -p\n-A -f 5 -6 -p\n");
        Assert.Equal(3, t.Count);
        var s = t[0].Service;
        Assert.Equal(new VirtualService(ServiceKey.Parse("tcp/10.0.0.1:80")) { Scheduler = "wlc" }, s);
        Assert.Equal(new RealServer(s.Key, IPAddress.Parse("10.0.0.2"), 80) { ForwardingMethod = ForwardingMethod.DirectRouting, Weight = 1 }, t[0].RealServers[0]);
        Assert.Equal(new RealServer(s.Key, IPAddress.Parse("10.0.0.3"), 80) { ForwardingMethod = ForwardingMethod.Nat, Weight = 1 }, t[0].RealServers[1]);
        Assert.Equal(new VirtualService(ServiceKey.Parse("udp/10.0.0.1:0")) { Persistent = true, PersistenceTimeout = 360 }, t[1].Service);
        Assert.Equal(new VirtualService(ServiceKey.ForFirewallMark(5, IpvsAddressFamily.IPv6)) { Persistent = true, PersistenceTimeout = 360, PersistenceNetmask = "128" }, t[2].Service);
    }

    [Fact]
    public void ParsesEveryServiceOptionLongAndShort()
    {
        var expected = new VirtualService(ServiceKey.Parse("udp/[2001:db8::1]:53"))
        {
            Scheduler = "sh", SchedulerFlags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2, Persistent = true, PersistenceTimeout = 600,
            PersistenceNetmask = "64", PersistenceEngine = "sip", OnePacket = true,
        };
        foreach (var line in new[]
        {
            "-A -u [2001:db8::1]:53 -s sh -p 600 -M 64 --pe sip -o -b sh-fallback,sh-port",
            "--add-service --udp-service [2001:db8::1]:53 --scheduler sh --persistent 600 --netmask 64 --pe sip --ops --sched-flags sh-port,sh-fallback",
            "--add-service --udp-service=[2001:db8::1]:53 --scheduler=sh --persistent=600 --netmask=64 --pe=sip --ops --sched-flags=flag-1,flag-2",
            "ipvsadm -A -u[2001:db8::1]:53 -ssh -p600 -M64 --pe sip -o -bflag-2,sh-fallback",
            "-A\t-u [2001:db8::1]:53   -b flag-1,flag-2 -o --pe sip -M 64 -p 600 -s sh   # comment",
        })
        {
            var t = IpvsadmSaveFormat.Parse(line);
            Assert.Single(t);
            Assert.Equal(expected, t[0].Service);
        }
        var tcp = IpvsadmSaveFormat.Parse("-A --tcp-service 10.0.0.1:80 -p 30 -M 255.255.0.0")[0].Service;
        Assert.Equal(new VirtualService(ServiceKey.Parse("tcp/10.0.0.1:80")) { Persistent = true, PersistenceTimeout = 30, PersistenceNetmask = "255.255.0.0" }, tcp);
        var sctp = IpvsadmSaveFormat.Parse("-A --sctp-service 10.0.0.1:5060 -s rr")[0].Service;
        Assert.Equal(ServiceKey.Parse("sctp/10.0.0.1:5060"), sctp.Key);
        var fw = IpvsadmSaveFormat.Parse("-A --fwmark-service 7 --ipv6 -s rr -o")[0].Service;
        Assert.Equal(new VirtualService(ServiceKey.ForFirewallMark(7, IpvsAddressFamily.IPv6)) { Scheduler = "rr", OnePacket = true, PersistenceNetmask = "128" }, fw);
        var fw4 = IpvsadmSaveFormat.Parse("-A -f 4294967295 -s rr -6o")[0].Service;
        Assert.Equal(ServiceKey.ForFirewallMark(uint.MaxValue, IpvsAddressFamily.IPv6), fw4.Key);
        Assert.True(fw4.OnePacket);
    }

    [Fact]
    public void ParsesEveryRealServerOptionLongAndShort()
    {
        const string svc = "-A -t 10.0.0.1:80\n-A -u [2001:db8::1]:53\n";
        var k4 = ServiceKey.Parse("tcp/10.0.0.1:80");
        var k6 = ServiceKey.Parse("udp/[2001:db8::1]:53");
        void Is(string line, RealServer expected)
        {
            var t = IpvsadmSaveFormat.Parse(svc + line);
            var r = t.SelectMany(e => e.RealServers).Single();
            Assert.Equal(expected, r);
            Assert.Equal(expected.UpperThreshold, r.UpperThreshold);
        }
        var nat = new RealServer(k4, IPAddress.Parse("10.0.0.2"), 8080) { ForwardingMethod = ForwardingMethod.Nat, Weight = 7, UpperThreshold = 100, LowerThreshold = 50 };
        Is("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 7 -x 100 -y 50", nat);
        Is("--add-server --tcp-service 10.0.0.1:80 --real-server 10.0.0.2:8080 --masquerading --weight 7 --u-threshold 100 --l-threshold 50", nat);
        Is("-a -t 10.0.0.1:80 --real-server=10.0.0.2:8080 -m --weight=7 --u-threshold=100 --l-threshold=50", nat);
        Is("-a -t 10.0.0.1:80 -r 10.0.0.2 --gatewaying -w 0", new RealServer(k4, IPAddress.Parse("10.0.0.2"), 80) { Weight = 0 });
        Is("-a -t 10.0.0.1:80 -r 10.0.0.2:9999 -g", new RealServer(k4, IPAddress.Parse("10.0.0.2"), 80)); // DR: the service port, always
        Is("-a -t 10.0.0.1:80 -r 10.0.0.2:9999 -i", new RealServer(k4, IPAddress.Parse("10.0.0.2"), 80) { ForwardingMethod = ForwardingMethod.Tunnel });
        Is("-a -t 10.0.0.1:80 -r 2001:db8::9 --ipip --tun-type ipip", new RealServer(k4, IPAddress.Parse("2001:db8::9"), 80) { ForwardingMethod = ForwardingMethod.Tunnel });
        var gue = new RealServer(k6, IPAddress.Parse("10.0.0.9"), 53) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelChecksum = TunnelChecksum.RemoteChecksum };
        Is("-a -u [2001:db8::1]:53 -r 10.0.0.9 -i --tun-type gue --tun-port 6080 --tun-remcsum", gue);
        Is("-a -u [2001:db8::1]:53 -r 10.0.0.9:53 --tun-remcsum --tun-port=6080 --tun-type=gue -i", gue);
        Is("-a -u [2001:db8::1]:53 -r 10.0.0.9 -i --tun-type gue --tun-port 6080 --tun-csum", gue with { TunnelChecksum = TunnelChecksum.Checksum });
        Is("-a -u [2001:db8::1]:53 -r 10.0.0.9 -i --tun-type gue --tun-port 6080 --tun-nocsum", gue with { TunnelChecksum = TunnelChecksum.None });
        Is("-a -u [2001:db8::1]:53 -r 10.0.0.9 -i --tun-type gue --tun-port 6080", gue with { TunnelChecksum = TunnelChecksum.None });
        Is("-a -u [2001:db8::1]:53 -r [2001:db8::3]:53 -i --tun-type gre --tun-csum",
            new RealServer(k6, IPAddress.Parse("2001:db8::3"), 53) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre, TunnelChecksum = TunnelChecksum.Checksum });
        Is("-a -u [2001:db8::1]:53 -r 2001:db8::3 -m -w 65535", new RealServer(k6, IPAddress.Parse("2001:db8::3"), 53) { ForwardingMethod = ForwardingMethod.Nat, Weight = 65535 });
        Is("-a -u [2001:db8::1]:53 -r [2001:db8::3]:5353 -m", new RealServer(k6, IPAddress.Parse("2001:db8::3"), 5353) { ForwardingMethod = ForwardingMethod.Nat });
    }

    [Fact]
    public void FirewallMarkRealServersKeepTheirPortOrZero()
    {
        var t = IpvsadmSaveFormat.Parse("-A -f 1\n-a -f 1 -r 10.0.0.2\n-a -f 1 -r 10.0.0.3:443 -g\n-A -f -1294967296\n");
        Assert.Equal(new ushort[] { 0, 443 }, t[0].RealServers.Select(r => r.Port).ToArray());
        // ipvsadm -S prints marks above 2^31 as negative ints; they read back as the mark.
        Assert.Equal(3000000000u, t[1].Service.FirewallMark);
    }

    [Fact]
    public void ARealServerPortDefaultsToTheServicePortKnownSoFar()
    {
        Assert.Equal(80, IpvsadmSaveFormat.Parse("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.3 -m\n")[0].RealServers[0].Port);
        // ipvsadm copies the service port when it reads -r: before -t it is still 0, which a NAT server of a
        // service with a port cannot have.
        var e = Assert.Throws<IpvsadmParseException>(() => IpvsadmSaveFormat.Parse("-A -t 10.0.0.1:80\n-a -r 10.0.0.3 -t 10.0.0.1:80 -m\n"));
        Assert.Contains("port 0", Assert.Single(e.Errors).Message);
        // For direct routing the service port is used anyway.
        Assert.Equal(80, IpvsadmSaveFormat.Parse("-A -t 10.0.0.1:80\n-a -r 10.0.0.3 -t 10.0.0.1:80\n")[0].RealServers[0].Port);
    }

    [Fact]
    public void AnIpv4MappedAddressStaysAnIpv6Service()
    {
        // ipvsadm (and the kernel) keep [::ffff:10.0.0.1]:80 an IPv6 service, distinct from 10.0.0.1:80.
        var t = IpvsadmSaveFormat.Parse("-A -t [::ffff:10.0.0.1]:80\n-A -t 10.0.0.1:80\n-a -t [::ffff:10.0.0.1]:80 -r 2001:db8::2 -m\n");
        Assert.Equal(IpvsAddressFamily.IPv6, t[0].Service.AddressFamily);
        Assert.Equal(IpvsAddressFamily.IPv4, t[1].Service.AddressFamily);
        Assert.Equal("-A -t 10.0.0.1:80 -s wlc\n-A -t [::ffff:10.0.0.1]:80 -s wlc\n-a -t [::ffff:10.0.0.1]:80 -r [2001:db8::2]:80 -m -w 1\n",
            IpvsadmSaveFormat.Write(t));
    }

    [Fact]
    public void NetmaskOptionOrderFollowsIpvsadm()
    {
        // -6 resets the granularity to /128 whatever -M said before it.
        Assert.Equal("128", IpvsadmSaveFormat.Parse("-A -f 1 -M 255.255.255.0 -6 -p")[0].Service.PersistenceNetmask);
        Assert.Equal("48", IpvsadmSaveFormat.Parse("-A -f 1 -6 -M 48 -p")[0].Service.PersistenceNetmask);
        Assert.Equal("128", IpvsadmSaveFormat.Parse("-A -M 255.255.255.0 -t [::1]:80 -p")[0].Service.PersistenceNetmask);
    }

    [Fact]
    public void CommentsBlankLinesAndClear()
    {
        var text = "# saved table\n\n   \nipvsadm -A -t 10.0.0.9:80   # old\n-C\n\r\n-A -t 10.0.0.1:80 -s rr # web\n  # nothing\n-a -t 10.0.0.1:80 -r 10.0.0.2:80\r\n";
        var t = IpvsadmSaveFormat.Parse(text);
        Assert.Single(t);
        Assert.Equal("rr", t[0].Service.Scheduler);
        Assert.Single(t[0].RealServers);
        Assert.Empty(IpvsadmSaveFormat.Parse(""));
        Assert.Empty(IpvsadmSaveFormat.Parse("# only a comment\n\n"));
    }

    [Fact]
    public void RoundTripOfCanonicalText()
    {
        var text =
            "-A -f -1294967296 -s lc -p 30 -M 255.255.255.0\n" +
            "-a -f -1294967296 -r 10.0.0.5:0 -g -w 3\n" +
            "-A -t 10.0.0.1:0 -s wlc -p 360\n" +
            "-A -t 10.0.0.1:80 -s wlc\n" +
            "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 5\n" +
            "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -g -w 1\n" +
            "-a -t 10.0.0.1:80 -r 192.168.1.3:80 -i -w 1 --tun-type ipip\n" +
            "-A -u 10.0.0.1:80 -s wlc -b flag-3\n" +
            "-A --sctp-service 10.0.0.3:5060 -s mh -b mh-port\n" +
            "-A -u [2001:db8::1]:53 -s rr -p 600 -M 64 --pe sip -o\n" +
            "-a -u [2001:db8::1]:53 -r 10.9.9.9:53 -i -w 0 --tun-type gre --tun-nocsum\n" +
            "-a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum\n" +
            "-a -u [2001:db8::1]:53 -r [2001:db8::3]:53 -i -w 1 --tun-type gue --tun-port 1 --tun-remcsum\n" +
            "-A -f 100 -6 -s sh -b sh-fallback,sh-port\n" +
            "-a -f 100 -6 -r [2001:db8::7]:0 -m -w 65535\n";
        var parsed = IpvsadmSaveFormat.Parse(text);
        Assert.Equal(text, IpvsadmSaveFormat.Write(parsed));
        Assert.Equal(text, IpvsadmSaveFormat.Write(parsed, sort: false));
        Assert.Equal(text, IpvsadmSaveFormat.Write(IpvsadmSaveFormat.Parse(IpvsadmSaveFormat.Write(parsed))));
    }

    // ---- errors -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("-t 10.0.0.1:80 -A", "starts with the command")]
    [InlineData("-A -A -t 10.0.0.1:80", "multiple commands")]
    [InlineData("-A -t 10.0.0.1:80 -u 10.0.0.1:80", "multiple 'service-address'")]
    [InlineData("-A -s rr", "needs the 'service-address'")]
    [InlineData("-A -t 10.0.0.1:80 -w 3", "illegal 'weight' option with the 'add-service'")]
    [InlineData("-A -t 10.0.0.1:80 -r 10.0.0.2", "illegal 'real-server'")]
    [InlineData("-A -t 10.0.0.1:80 -w 3 -r 10.0.0.2", "illegal 'weight'")] // the first illegal option given is named
    [InlineData("-A -t 10.0.0.1:80 -r 10.0.0.2 -w 3", "illegal 'real-server'")]
    [InlineData("-a -r 10.0.0.2 -w 3", "needs the 'service-address'")]
    [InlineData("-a -t 10.0.0.1:80 -w 3", "needs the 'real-server'")]
    [InlineData("-A -t 10.0.0.1", "zero port")]
    [InlineData("-A -t 10.0.0.1:80 -o", "only for UDP")]
    [InlineData("-A -t 10.0.0.1:80 -b sh-port", "incompatible scheduler flag")]
    [InlineData("-A -t 10.0.0.1:80 -b flag-4", "invalid scheduler flag")]
    [InlineData("-A -t 10.0.0.1:80 -p 0", "persistence timeout")]
    [InlineData("-A -t 10.0.0.1:80 -p 2678401", "persistence timeout")]
    [InlineData("-A -t 10.0.0.1:80 -M 255.255.255.0.1", "persistent mask")]
    [InlineData("-A -t [::1]:80 -M 129", "IPv6 persistence prefix")]
    [InlineData("-A -t 10.0.0.1:http", "service names are not resolved")]
    [InlineData("-A -t www.example.com:80", "host names are not resolved")]
    [InlineData("-A -t 10.0.0.1:65536", "illegal port")]
    [InlineData("-A -t 80", "illegal virtual service")]
    [InlineData("-A -t [10.0.0.1]:80", "brackets are for IPv6")]
    [InlineData("-A -t [::1]", "[address]:port")]
    [InlineData("-A -6 -f 1", "-6 used before -f")]
    [InlineData("-A -f 0", "invalid fwmark")]
    [InlineData("-A -f 4294967296", "invalid fwmark")]
    [InlineData("-A -t 10.0.0.1:80 -s Bad", "Scheduler")]
    [InlineData("-A -t 10.0.0.1:80 extra", "unexpected argument 'extra'")]
    [InlineData("-A -t 10.0.0.1:80 --bogus", "unknown option '--bogus'")]
    [InlineData("-E -t 10.0.0.1:80", "does not belong in ipvsadm rules")]
    [InlineData("--set 1 2 3", "does not belong")]
    [InlineData("-A -t 10.0.0.1:80 --ops=1", "takes no value")]
    [InlineData("-A -t 10.0.0.1:80 -s", "needs a value")]
    [InlineData("-C -t 10.0.0.1:80", "illegal 'service-address' option with the 'flush'")]
    public void ServiceLineErrors(string line, string fragment)
    {
        var e = Assert.Throws<IpvsadmParseException>(() => IpvsadmSaveFormat.Parse("# header\n" + line + "\n"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains(fragment, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("InvalidIpvsadmRules", e.ErrorId);
    }

    [Fact]
    public void ALargeTableIsReadInParallelWithTheSameResultAndErrorsInLineOrder()
    {
        // Above 4,096 lines the lines are read by several threads; the entries keep the file's order and the errors
        // (a bad line, a duplicate, a real server of an unknown service) are reported by line, as for a small file.
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < 600; i++)
        {
            var vip = $"10.0.{i / 250}.{i % 250 + 1}:80";
            text.Append($"-A -t {vip} -s rr\n");
            for (var j = 0; j < 9; j++) text.Append($"-a -t {vip} -r 192.168.{j}.{i % 250 + 1}:8080 -m -w {j}\n");
        }
        var good = text.ToString();
        var table = IpvsadmSaveFormat.Parse(good);
        Assert.Equal(600, table.Count);
        Assert.All(table, t => Assert.Equal(9, t.RealServers.Count));
        Assert.Equal("tcp/10.0.2.100:80", table[599].Service.Key.ToString());
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, table[0].RealServers.Select(r => r.Weight));

        var lines = good.TrimEnd('\n').Split('\n');
        lines[11] = "-a -t 10.0.0.2:80 -r 192.168.0.2:8080 -m -w 99999"; // line 12: weight out of range
        lines[4001] = lines[1];                                          // line 4002: real server defined on line 2
        lines[5998] = "-a -t 10.9.9.9:80 -r 192.168.0.1:80 -m";           // line 5999: no such service
        var e = Assert.Throws<IpvsadmParseException>(() => IpvsadmSaveFormat.Parse(string.Join('\n', lines)));
        Assert.Equal(new[] { 12, 4002, 5999 }, e.Errors.Select(x => x.Line));
        Assert.Contains("weight", e.Errors[0].Message);
        Assert.Contains("already defined on line 2", e.Errors[1].Message);
        Assert.Contains("not defined", e.Errors[2].Message);
    }

    [Theory]
    [InlineData("-a -t 10.0.0.1:80", "needs the 'real-server'")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -g -m", "multiple 'forwarding-method'")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -s rr", "illegal 'scheduler'")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 65536", "weight")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -w -1", "weight")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -x 2147483648", "upper threshold")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -x 5 -y 6", "above the upper threshold")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -y 6", "needs an upper threshold")]
    [InlineData("-a -t 10.0.0.1:80 -r 2001:db8::2 -m", "different address families")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 --tun-type gre", "conflicts with the forwarding method")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue", "needs the 'tun-port'")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 1 --tun-csum --tun-remcsum", "conflicts with the 'tun-csum'")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-port 1", "illegal 'tun-port' option with the 'ipip'")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-remcsum", "illegal 'tun-remcsum' option with the 'gre'")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type vxlan", "illegal tunnel type")]
    [InlineData("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 0", "tunnel port")]
    [InlineData("-a -t 10.0.0.1:80 -r 224.0.0.1", "unicast")]
    [InlineData("-a -t 10.0.0.2:80 -r 10.0.0.9", "not defined")]
    public void RealServerLineErrors(string line, string fragment)
    {
        var e = Assert.Throws<IpvsadmParseException>(() => IpvsadmSaveFormat.Parse("-A -t 10.0.0.1:80\n" + line));
        var error = Assert.Single(e.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains(fragment, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CollectsEveryErrorWithItsLine()
    {
        var text =
            "-A -t 10.0.0.1:80\n" +          // 1 ok
            "-A -t 10.0.0.1:80 -s rr\n" +    // 2 duplicate
            "# fine\n" +                      // 3
            "-a -t 10.0.0.1:80 -r 10.0.0.2\n" + // 4 ok
            "-a -t 10.0.0.1:80 -r 10.0.0.2:80 -w 2\n" + // 5 duplicate real server
            "-A -t 10.0.0.1:81 -w 5\n" +     // 6 illegal option
            "\n" +                            // 7
            "-a -u 10.0.0.1:80 -r 10.0.0.3\n"; // 8 no such service
        var e = Assert.Throws<IpvsadmParseException>(() => IpvsadmSaveFormat.Parse(text));
        Assert.Equal(new[] { 2, 5, 6, 8 }, e.Errors.Select(x => x.Line).ToArray());
        Assert.Contains("already defined on line 1", e.Errors[0].Message);
        Assert.Contains("already defined on line 4", e.Errors[1].Message);
        Assert.Contains("4 errors", e.Message);
        Assert.Contains("line 8:", e.Message);
    }
}
