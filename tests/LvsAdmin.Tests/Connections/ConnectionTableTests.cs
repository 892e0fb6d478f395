using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;
using Xunit;

namespace LvsAdmin.Tests.Connections;

public class ConnectionTableTests
{
    private static List<IpvsConnection> ParseAll(string text, List<ConnectionParseError>? errors = null) =>
        ConnectionTable.Parse(new StringReader(text), e => errors?.Add(e)).ToList();

    private static string Table(string header, params string[] rows) => header + "\n" + string.Join("\n", rows) + "\n";

    [Fact]
    public void Ipv4RowIsDecodedFromHexAddressesAndPorts()
    {
        // Hand-written exactly as the kernel prints: %-3s %08X %04X %08X %04X %s %04X %-11s %7u%s
        var text = KernelFormat.PlainHeader + "\n" +
                   "TCP 0A470102 D431 0A470064 0050 0A470202 1F90 ESTABLISHED     899\n";
        var errors = new List<ConnectionParseError>();
        var c = Assert.Single(ParseAll(text, errors));
        Assert.Empty(errors);
        Assert.Equal(IpvsProtocol.Tcp, c.Protocol);
        Assert.Equal(IPAddress.Parse("10.71.1.2"), c.ClientAddress);
        Assert.Equal(0xD431, c.ClientPort);
        Assert.Equal(IPAddress.Parse("10.71.0.100"), c.VirtualAddress);
        Assert.Equal(80, c.VirtualPort);
        Assert.Equal(IPAddress.Parse("10.71.2.2"), c.RealServerAddress);
        Assert.Equal(8080, c.RealServerPort);
        Assert.Equal("ESTABLISHED", c.State);
        Assert.Equal(TimeSpan.FromSeconds(899), c.Expires);
        Assert.Null(c.PersistenceEngine);
        Assert.Null(c.PersistenceEngineData);
        Assert.False(c.IsTemplate);
        Assert.Equal(ConnectionOrigin.Unknown, c.Origin);
        Assert.Null(c.FirewallMark);
        Assert.Equal("TCP 14:59 ESTABLISHED 10.71.1.2:54321 10.71.0.100:80 10.71.2.2:8080", c.ToString());
    }

    [Fact]
    public void Ipv6RowIsDecodedFromFullColonForm()
    {
        var text = KernelFormat.PlainHeader + "\n" +
                   "TCP fd71:0001:0000:0000:0000:0000:0000:0002 A1B2 fd71:0000:0000:0000:0000:0000:0000:0100 0050 " +
                   "fd71:0002:0000:0000:0000:0000:0000:0002 1F90 SYN_RECV         59\n";
        var c = Assert.Single(ParseAll(text));
        Assert.Equal(IPAddress.Parse("fd71:1::2"), c.ClientAddress);
        Assert.Equal(0xA1B2, c.ClientPort);
        Assert.Equal(IPAddress.Parse("fd71::100"), c.VirtualAddress);
        Assert.Equal(IPAddress.Parse("fd71:2::2"), c.RealServerAddress);
        Assert.Equal(8080, c.RealServerPort);
        Assert.Equal("SYN_RECV", c.State);
        Assert.Equal(TimeSpan.FromSeconds(59), c.Expires);
        Assert.Equal("TCP 00:59 SYN_RECV [fd71:1::2]:41394 [fd71::100]:80 [fd71:2::2]:8080", c.ToString());
    }

    [Fact]
    public void MixedFamilyIpv6ServiceWithIpv4RealServer()
    {
        // cp->af = AF_INET6 (client + virtual with %pI6), cp->daf = AF_INET (dest with %08X).
        var row = KernelFormat.Plain("TCP", IPAddress.Parse("fd71:1::2"), 40000, IPAddress.Parse("fd71::100"), 81,
            IPAddress.Parse("10.71.2.2"), 81, "SYN_RECV", 55);
        Assert.Contains(" 0A470202 0051 ", row);
        var c = Assert.Single(ParseAll(Table(KernelFormat.PlainHeader, row)));
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, c.VirtualAddress.AddressFamily);
        Assert.Equal(IPAddress.Parse("10.71.2.2"), c.RealServerAddress);
        Assert.Equal(81, c.RealServerPort);
    }

    [Fact]
    public void ClientAndVirtualAddressOfDifferentFamiliesIsABadLine()
    {
        var text = Table(KernelFormat.PlainHeader,
            "TCP 0A470102 D431 fd71:0000:0000:0000:0000:0000:0000:0100 0050 0A470202 1F90 ESTABLISHED     899");
        var errors = new List<ConnectionParseError>();
        Assert.Empty(ParseAll(text, errors));
        Assert.Contains("family", Assert.Single(errors).Reason);
    }

    [Fact]
    public void SipTemplateCarriesPersistenceEngineData()
    {
        // Template: client port 0, template state (NONE/ASSURED), " sip CALLID" appended by ip_vs_conn_seq_show.
        var tpl = KernelFormat.Plain("UDP", IPAddress.Parse("10.71.1.2"), 0, IPAddress.Parse("10.71.0.100"), 5060,
            IPAddress.Parse("10.71.2.2"), 5060, "NONE", 119, "sip", "lab-call-4711@10.71.1.2");
        // The lab shows PE data on the template only; the connection row has none.
        var conn = KernelFormat.Plain("UDP", IPAddress.Parse("10.71.1.2"), 5060, IPAddress.Parse("10.71.0.100"), 5060,
            IPAddress.Parse("10.71.2.2"), 5060, "UDP", 299);
        var list = ParseAll(Table(KernelFormat.PlainHeader, tpl, conn));
        Assert.Equal(2, list.Count);
        Assert.True(list[0].IsTemplate);
        Assert.Equal("sip", list[0].PersistenceEngine);
        Assert.Equal("lab-call-4711@10.71.1.2", list[0].PersistenceEngineData);
        Assert.Equal(0, list[0].ClientPort);
        Assert.Equal(TimeSpan.FromSeconds(119), list[0].Expires);
        Assert.False(list[1].IsTemplate);
        Assert.Equal("UDP", list[1].State);
        Assert.Null(list[1].PersistenceEngine);
        Assert.Null(list[1].PersistenceEngineData);
        Assert.EndsWith(" sip lab-call-4711@10.71.1.2", list[0].ToString());
    }

    [Fact]
    public void PersistenceEngineDataIsTheRestOfTheLine()
    {
        var row = KernelFormat.Plain("UDP", "0A470102", 0, "0A470064", 5060, "0A470202", 5060, "ASSURED", 10, "sip", "odd data with spaces");
        var c = Assert.Single(ParseAll(Table(KernelFormat.PlainHeader, row)));
        Assert.Equal("odd data with spaces", c.PersistenceEngineData);
        Assert.Equal("ASSURED", c.State);
        Assert.True(c.IsTemplate);
    }

    [Fact]
    public void PortTemplateOfTcpService()
    {
        var row = KernelFormat.Plain("TCP", "0A470102", 0, "0A470064", 443, "0A470202", 443, "ASSURED", 118);
        var c = Assert.Single(ParseAll(Table(KernelFormat.PlainHeader, row)));
        Assert.True(c.IsTemplate);
        Assert.Equal(IpvsProtocol.Tcp, c.Protocol);
        Assert.Null(c.FirewallMark);
    }

    [Fact]
    public void FirewallMarkTemplatesShowTheMarkAsVirtualAddress()
    {
        // ip_vs_sched_persist: fwmark template <IPPROTO_IP, caddr, 0, htonl(fwmark), 0, daddr, 0>.
        var v4 = KernelFormat.Plain("IP", "0A470102", 0, "00000007", 0, "0A470202", 0, "NONE", 117);
        var v6 = KernelFormat.Plain("IP", "fd71:0001:0000:0000:0000:0000:0000:0002", 0, "0000:0064:0000:0000:0000:0000:0000:0000", 0,
            "fd71:0002:0000:0000:0000:0000:0000:0002", 0, "ASSURED", 100);
        var list = ParseAll(Table(KernelFormat.PlainHeader, v4, v6));
        Assert.Equal(2, list.Count);
        Assert.All(list, c => Assert.Equal(IpvsProtocol.None, c.Protocol));
        Assert.All(list, c => Assert.True(c.IsTemplate));
        Assert.Equal(7u, list[0].FirewallMark);
        Assert.Equal(IPAddress.Parse("0.0.0.7"), list[0].VirtualAddress);
        Assert.Equal(100u, list[1].FirewallMark);
        Assert.StartsWith("IP ", list[0].ToString());
    }

    [Fact]
    public void SyncTableHasOrigin()
    {
        var text = Table(KernelFormat.SyncHeader,
            KernelFormat.Sync("TCP", "0A470102", 0xD431, "0A470064", 80, "0A470202", 8080, "ESTABLISHED", "LOCAL", 899),
            KernelFormat.Sync("TCP", "0A470103", 0xD432, "0A470064", 80, "0A470202", 8080, "FIN_WAIT", "SYNC", 100),
            KernelFormat.Sync("UDP", "fd71:0001:0000:0000:0000:0000:0000:0002", 53, "fd71:0000:0000:0000:0000:0000:0000:0100", 53,
                "0A470202", 53, "UDP", "SYNC", 290));
        var errors = new List<ConnectionParseError>();
        var list = ParseAll(text, errors);
        Assert.Empty(errors);
        Assert.Equal(new[] { ConnectionOrigin.Local, ConnectionOrigin.Sync, ConnectionOrigin.Sync }, list.Select(c => c.Origin));
        Assert.Equal(TimeSpan.FromSeconds(899), list[0].Expires);
        Assert.Equal("FIN_WAIT", list[1].State);
        Assert.Equal(IPAddress.Parse("10.71.2.2"), list[2].RealServerAddress);
        Assert.All(list, c => Assert.Null(c.PersistenceEngine));
    }

    [Fact]
    public void UdpAndSctpStates()
    {
        var rows = new[] { "INIT1", "INIT", "C-SENT", "C-REPLIED", "C-WAIT", "COOKIE", "C-ECHOED", "ESTABLISHED", "S-SENT", "S-RECEIVED", "S-ACK-SENT", "REJECTED", "CLOSED" }
            .Select((s, i) => KernelFormat.Plain("SCTP", "0A470102", (ushort)(1000 + i), "0A470064", 3868, "0A470202", 3868, s, 10))
            .Append(KernelFormat.Plain("UDP", "0A470102", 999, "0A470064", 53, "0A470202", 5353, "UDP", 300))
            .ToArray();
        var errors = new List<ConnectionParseError>();
        var list = ParseAll(Table(KernelFormat.PlainHeader, rows), errors);
        Assert.Empty(errors);
        Assert.Equal(14, list.Count);
        Assert.All(list.Take(13), c => Assert.Equal(IpvsProtocol.Sctp, c.Protocol));
        Assert.Equal(ConnectionStates.Sctp.Skip(1), list.Take(13).Select(c => c.State));
        Assert.Equal(IpvsProtocol.Udp, list[13].Protocol);
        Assert.Equal("UDP", list[13].State);
        Assert.All(list, c => Assert.False(c.IsTemplate));
        // "SCTP" is wider than %-3s: the column just grows.
        Assert.StartsWith("SCTP 0A470102 ", rows[0]);
    }

    [Fact]
    public void AllTcpStatesParse()
    {
        var rows = ConnectionStates.Tcp.Select((s, i) => KernelFormat.Plain("TCP", "0A470102", (ushort)(2000 + i), "0A470064", 80, "0A470202", 80, s, 5)).ToArray();
        var list = ParseAll(Table(KernelFormat.PlainHeader, rows));
        Assert.Equal(ConnectionStates.Tcp, list.Select(c => c.State));
    }

    [Theory]
    [InlineData("IP_50", 50, "IP_50")]
    [InlineData("IP_51", 51, "IP_51")]
    [InlineData("ICMP", 1, "ICMP")]
    [InlineData("ICMPv6", 58, "ICMPv6")]
    [InlineData("IPIP", 4, "IP_4")]   // newer kernels name 4 and 47; 6.1 prints IP_4 / IP_47
    [InlineData("GRE", 47, "IP_47")]
    public void OtherProtocolNamesMapToTheirNumbers(string name, int number, string printedBy61)
    {
        var c = Assert.Single(ParseAll(Table(KernelFormat.PlainHeader, KernelFormat.Plain(name, "0A470102", 1, "0A470064", 0, "0A470202", 0, "ERR!", 5))));
        Assert.Equal((IpvsProtocol)number, c.Protocol);
        Assert.Equal("ERR!", c.State);
        Assert.Equal(printedBy61, IpvsConnection.ProtocolName(c.Protocol));
    }

    [Fact]
    public void HeaderSelectsTheLayout()
    {
        var plainRow = KernelFormat.Plain("TCP", "0A470102", 1, "0A470064", 80, "0A470202", 80, "ESTABLISHED", 5);
        var syncRow = KernelFormat.Sync("TCP", "0A470102", 1, "0A470064", 80, "0A470202", 80, "ESTABLISHED", "LOCAL", 5);

        var errors = new List<ConnectionParseError>();
        Assert.Single(ParseAll(Table(KernelFormat.PlainHeader, plainRow, syncRow), errors));
        Assert.Equal(3, Assert.Single(errors).LineNumber);
        Assert.Contains("Origin", errors[0].Reason);

        errors.Clear();
        Assert.Single(ParseAll(Table(KernelFormat.SyncHeader, syncRow, plainRow), errors));
        Assert.Equal(3, Assert.Single(errors).LineNumber);
        Assert.Contains("LOCAL or SYNC", errors[0].Reason);

        // No header: each row is recognised by its ninth column.
        errors.Clear();
        var list = ParseAll(plainRow + "\n" + syncRow + "\n", errors);
        Assert.Empty(errors);
        Assert.Equal(new[] { ConnectionOrigin.Unknown, ConnectionOrigin.Local }, list.Select(c => c.Origin));
    }

    [Fact]
    public void HeaderOnlyAndEmptyInputYieldNothing()
    {
        var errors = new List<ConnectionParseError>();
        Assert.Empty(ParseAll(KernelFormat.PlainHeader + "\n", errors));
        Assert.Empty(ParseAll("", errors));
        Assert.Empty(ParseAll("\n\n  \n", errors));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("garbage", "at least 9 columns")]
    [InlineData("TCP 0A470102 D431 0A470064 0050 0A470202 1F90 ESTABLISHED", "at least 9 columns")]
    [InlineData("FOO 0A470102 D431 0A470064 0050 0A470202 1F90 ESTABLISHED 5", "protocol")]
    [InlineData("TCP 0A47010 D431 0A470064 0050 0A470202 1F90 ESTABLISHED 5", "client address")]
    [InlineData("TCP 0A47010Z D431 0A470064 0050 0A470202 1F90 ESTABLISHED 5", "client address")]
    [InlineData("TCP 10.71.1.2 D431 0A470064 0050 0A470202 1F90 ESTABLISHED 5", "client address")]
    [InlineData("TCP 0A470102 1D431 0A470064 0050 0A470202 1F90 ESTABLISHED 5", "client port")]
    [InlineData("TCP 0A470102 D431 0A470064 005G 0A470202 1F90 ESTABLISHED 5", "virtual port")]
    [InlineData("TCP 0A470102 D431 0A470064 0050 fd71::zz 1F90 ESTABLISHED 5", "destination address")]
    [InlineData("TCP 0A470102 D431 0A470064 0050 fe80:0000:0000:0000:0000:0000:0000:0001%2 1F90 ESTABLISHED 5", "destination address")]
    [InlineData("TCP 0A470102 D431 0A470064 0050 0A470202 -1 ESTABLISHED 5", "destination port")]
    [InlineData("TCP 0A470102 D431 0A470064 0050 0A470202 1F90 ESTABLISHED -5", "expiry")]
    [InlineData("TCP 0A470102 D431 0A470064 0050 0A470202 1F90 ESTABLISHED 99999999999", "expiry")]
    [InlineData("IP_0 0A470102 D431 0A470064 0050 0A470202 1F90 NONE 5", "protocol")]
    [InlineData("IP_300 0A470102 D431 0A470064 0050 0A470202 1F90 NONE 5", "protocol")]
    public void MalformedLinesAreSkippedAndReported(string bad, string reasonPart)
    {
        var good = KernelFormat.Plain("TCP", "0A470102", 1, "0A470064", 80, "0A470202", 80, "ESTABLISHED", 5);
        var errors = new List<ConnectionParseError>();
        var list = ParseAll(Table(KernelFormat.PlainHeader, good, bad, good), errors);
        Assert.Equal(2, list.Count);
        var e = Assert.Single(errors);
        Assert.Equal(3, e.LineNumber);
        Assert.Equal(bad, e.Line);
        Assert.Contains(reasonPart, e.Reason);
        Assert.Contains("line 3", e.ToString());
    }

    [Fact]
    public void SyncRowWithExtraColumnsIsRejected()
    {
        var row = KernelFormat.Sync("TCP", "0A470102", 1, "0A470064", 80, "0A470202", 80, "ESTABLISHED", "LOCAL", 5);
        var errors = new List<ConnectionParseError>();
        Assert.Empty(ParseAll(Table(KernelFormat.SyncHeader, row + " extra"), errors));
        Assert.Contains("10 columns", Assert.Single(errors).Reason);
        // trailing blanks are tolerated
        Assert.Single(ParseAll(Table(KernelFormat.SyncHeader, row + "  ")));
    }

    [Fact]
    public void OverlongAndBinaryLinesDoNotThrow()
    {
        var errors = new List<ConnectionParseError>();
        var text = Table(KernelFormat.PlainHeader, new string('A', 100_000), "\0\u0001\u00ff \uffff", "TCP " + new string(' ', 50));
        Assert.Empty(ParseAll(text, errors));
        Assert.Equal(3, errors.Count);
        Assert.True(errors[0].Line.Length < 300);
    }

    [Fact]
    public void ParseWithoutCallbackSkipsBadLinesSilently()
    {
        var text = Table(KernelFormat.PlainHeader, "junk", KernelFormat.Plain("TCP", "0A470102", 1, "0A470064", 80, "0A470202", 80, "CLOSE", 5));
        Assert.Single(ConnectionTable.Parse(new StringReader(text)));
    }

    [Fact]
    public void ParseRejectsNullReader()
    {
        Assert.Throws<ArgumentNullException>(() => ConnectionTable.Parse(null!));
    }

    /// <summary>A reader that serves a fixed number of lines and then fails the test if read further.</summary>
    private sealed class TrapReader : TextReader
    {
        private readonly Queue<string> _lines;
        public TrapReader(IEnumerable<string> lines) => _lines = new Queue<string>(lines);
        public int LinesRead { get; private set; }
        public override string? ReadLine()
        {
            if (_lines.Count == 0) throw new InvalidOperationException("read past the served lines: the parser is not streaming");
            LinesRead++;
            return _lines.Dequeue();
        }
        public override int Read() => throw new InvalidOperationException("only ReadLine is expected");
        public override int Peek() => throw new InvalidOperationException("only ReadLine is expected");
        public override int Read(char[] buffer, int index, int count) => throw new InvalidOperationException("only ReadLine is expected");
        public override string ReadToEnd() => throw new InvalidOperationException("ReadToEnd: the parser is not streaming");
    }

    [Fact]
    public void ParsingIsStreamed()
    {
        var row = KernelFormat.Plain("TCP", "0A470102", 1, "0A470064", 80, "0A470202", 80, "ESTABLISHED", 5);
        var reader = new TrapReader(new[] { KernelFormat.PlainHeader, "bad line", row, row });
        using var e = ConnectionTable.Parse(reader).GetEnumerator();
        Assert.Equal(0, reader.LinesRead); // lazy: nothing read before the first MoveNext
        Assert.True(e.MoveNext());
        Assert.Equal(3, reader.LinesRead);
        Assert.Equal(IPAddress.Parse("10.71.0.100"), e.Current.VirtualAddress);
        Assert.True(e.MoveNext());
        Assert.Equal(4, reader.LinesRead);
        Assert.Throws<InvalidOperationException>(() => e.MoveNext()); // the trap proves nothing was read ahead
    }

    [Fact]
    public void RandomRowsRoundTrip()
    {
        var rng = new Random(4711);
        string[] tcp = ConnectionStates.Tcp.ToArray();
        var rows = new List<(string Line, IPAddress C, ushort Cp, IPAddress V, ushort Vp, IPAddress D, ushort Dp, string State, uint Exp, bool Sync)>();
        for (var i = 0; i < 2000; i++)
        {
            var v6 = rng.Next(2) == 0;
            var d6 = rng.Next(2) == 0;
            IPAddress Rand(bool six)
            {
                var b = new byte[six ? 16 : 4];
                rng.NextBytes(b);
                if (i % 7 == 0) Array.Clear(b, 1, b.Length - 2); // plenty of zero groups (the kernel does not compress them)
                return new IPAddress(b);
            }
            var c = Rand(v6);
            var v = Rand(v6);
            var d = Rand(d6);
            var cp = (ushort)rng.Next(1, 65536);
            var vp = (ushort)rng.Next(0, 65536);
            var dp = (ushort)rng.Next(0, 65536);
            var st = tcp[rng.Next(1, tcp.Length)];
            var exp = (uint)rng.Next(0, int.MaxValue);
            var sync = rng.Next(2) == 0;
            var line = sync ? KernelFormat.Sync("TCP", c, cp, v, vp, d, dp, st, "LOCAL", exp) : KernelFormat.Plain("TCP", c, cp, v, vp, d, dp, st, exp);
            rows.Add((line, c, cp, v, vp, d, dp, st, exp, sync));
        }
        var errors = new List<ConnectionParseError>();
        var parsed = ParseAll(string.Join("\n", rows.Select(r => r.Line)), errors);
        Assert.Empty(errors);
        Assert.Equal(rows.Count, parsed.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (_, c, cp, v, vp, d, dp, st, exp, sync) = rows[i];
            var p = parsed[i];
            Assert.Equal(c, p.ClientAddress);
            Assert.Equal(cp, p.ClientPort);
            Assert.Equal(v, p.VirtualAddress);
            Assert.Equal(vp, p.VirtualPort);
            Assert.Equal(d, p.RealServerAddress);
            Assert.Equal(dp, p.RealServerPort);
            Assert.Equal(st, p.State);
            Assert.Equal(TimeSpan.FromSeconds(exp), p.Expires);
            Assert.Equal(sync ? ConnectionOrigin.Local : ConnectionOrigin.Unknown, p.Origin);
        }
    }

    /// <summary>A reader generating a large table on the fly (no giant string in memory).</summary>
    private sealed class GeneratedTable : TextReader
    {
        private readonly int _rows;
        private int _next = -1;
        public GeneratedTable(int rows) => _rows = rows;
        public override string? ReadLine()
        {
            var i = _next++;
            if (i < 0) return KernelFormat.PlainHeader;
            if (i >= _rows) return null;
            return (i % 3) switch
            {
                0 => KernelFormat.Plain("TCP", (0x0A000000u + (uint)i).ToString("X8"), (ushort)(1024 + i % 60000), "0A470064", 80, "0A470202", 8080, "ESTABLISHED", (uint)(i % 900)),
                1 => KernelFormat.Plain("UDP", "fd71:0001:0000:0000:0000:0000:" + (i >> 16).ToString("x4") + ":" + (i & 0xffff).ToString("x4"), 5353,
                    "fd71:0000:0000:0000:0000:0000:0000:0100", 53, "0A470202", 53, "UDP", 300),
                _ => KernelFormat.Plain("UDP", "0A470102", 0, "0A470064", 5060, "0A470202", 5060, "ASSURED", 120, "sip", "call-" + i + "@example"),
            };
        }
    }

    [Fact]
    public void HundredThousandRowsParseQuickly()
    {
        var sw = Stopwatch.StartNew();
        var errors = 0;
        long count = 0, templates = 0;
        foreach (var c in ConnectionTable.Parse(new GeneratedTable(100_000), _ => errors++))
        {
            count++;
            if (c.IsTemplate) templates++;
        }
        sw.Stop();
        Assert.Equal(0, errors);
        Assert.Equal(100_000, count);
        Assert.Equal(33_333, templates);
        // Typically well under a second; the generous bound only catches pathological (e.g. quadratic) behaviour.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"parsing 100,000 rows took {sw.Elapsed}");
    }

    // ---- file access (Read / OpenIn) ----

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("lvsconn").FullName;
        public void Write(string name, string text) => File.WriteAllText(System.IO.Path.Combine(Path, name), text);
        public void Dispose() => Directory.Delete(Path, true);
    }

    private static List<IpvsConnection> ReadDir(string dir, ConnectionTableSource source)
    {
        using var stream = ConnectionTable.OpenIn(dir, source);
        return ConnectionTable.Parse(new StreamReader(stream)).ToList();
    }

    [Fact]
    public void AutoPrefersTheSyncFileAndFallsBackToThePlainFile()
    {
        using var dir = new TempDir();
        dir.Write("ip_vs_conn", Table(KernelFormat.PlainHeader, KernelFormat.Plain("TCP", "0A470102", 1, "0A470064", 80, "0A470202", 80, "CLOSE", 5, "sip", "x")));
        Assert.Equal(ConnectionOrigin.Unknown, Assert.Single(ReadDir(dir.Path, ConnectionTableSource.Auto)).Origin);
        dir.Write("ip_vs_conn_sync", Table(KernelFormat.SyncHeader, KernelFormat.Sync("TCP", "0A470102", 1, "0A470064", 80, "0A470202", 80, "CLOSE", "SYNC", 5)));
        Assert.Equal(ConnectionOrigin.Sync, Assert.Single(ReadDir(dir.Path, ConnectionTableSource.Auto)).Origin);
        Assert.Equal("x", Assert.Single(ReadDir(dir.Path, ConnectionTableSource.Plain)).PersistenceEngineData);
        Assert.Equal(ConnectionOrigin.Sync, Assert.Single(ReadDir(dir.Path, ConnectionTableSource.Sync)).Origin);
    }

    [Fact]
    public void MissingTableMeansIpvsNotLoaded()
    {
        using var dir = new TempDir();
        Assert.Throws<IpvsNotLoadedException>(() => ConnectionTable.OpenIn(dir.Path, ConnectionTableSource.Auto));
        dir.Write("ip_vs_conn", KernelFormat.PlainHeader + "\n");
        Assert.Throws<IpvsNotLoadedException>(() => ConnectionTable.OpenIn(dir.Path, ConnectionTableSource.Sync));
        Assert.Throws<IpvsNotLoadedException>(() => ConnectionTable.OpenIn(System.IO.Path.Combine(dir.Path, "no-such-dir"), ConnectionTableSource.Auto));
    }

    [Fact]
    public void ReadValidatesItsArgumentsBeforeEnumerating()
    {
        Assert.Equal("InvalidNetworkNamespace", Assert.Throws<IpvsValidationException>(() => ConnectionTable.Read(" ")).ErrorId);
        Assert.Throws<IpvsValidationException>(() => ConnectionTable.Read(null, (ConnectionTableSource)42));
        // A namespace that does not exist is the InvalidNetworkNamespace every other cmdlet gives, at once.
        var missing = "/nonexistent/netns/" + Guid.NewGuid().ToString("N");
        var ex = Assert.Throws<IpvsValidationException>(() => ConnectionTable.Read(missing));
        Assert.Equal("InvalidNetworkNamespace", ex.ErrorId);
        Assert.Equal("NetworkNamespace", ex.Parameter);
    }

    [Fact]
    public void ReadIsLazyAndReportsANamespaceThatCannotBeEnteredWhenEnumerated()
    {
        var notANamespace = System.IO.Path.GetTempFileName(); // exists, but setns refuses it
        try
        {
            var sequence = ConnectionTable.Read(notANamespace); // nothing happens yet
            var ex = Assert.Throws<NetworkNamespaceException>(() => sequence.First());
            Assert.Equal(notANamespace, ex.Path);
        }
        finally
        {
            File.Delete(notANamespace);
        }
    }
}
