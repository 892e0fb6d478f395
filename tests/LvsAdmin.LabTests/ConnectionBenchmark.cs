using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Connections;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>
/// <c>bench conn</c>: N real connection entries in the director namespace of the connections lab, then the full
/// table read by the library (ConnectionTable.Read) against <c>ipvsadm -Lnc</c> (process wall time, output drained).
/// The entries are made by real packets: UDP datagrams with distinct source address/port pairs, written by one raw
/// socket (IP_HDRINCL) in the client namespace, through a NAT service udp/10.71.0.100:9000 whose UDP timeout is
/// raised to an hour for the run. Every datagram makes one UDP connection entry (state UDP).
/// </summary>
public static partial class Benchmarks
{
    private const int PortsPerAddress = 65536 - 1024;
    private const ushort BenchPort = 9000;

    public static int RunConn(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        int entries = 100_000, repeat = 3, budget = 300;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--entries" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n): entries = n; i++; break;
                case "--repeat" when i + 1 < args.Length && int.TryParse(args[i + 1], out var r): repeat = r; i++; break;
                case "--budget" when i + 1 < args.Length && int.TryParse(args[i + 1], out var b): budget = b; i++; break;
                default:
                    Console.WriteLine(Usage);
                    return 2;
            }
        }
        if (entries < 1 || entries > 200 * PortsPerAddress || repeat < 1 || budget < 10)
        {
            Console.WriteLine($"bench conn: --entries must be 1..{200 * PortsPerAddress}, --repeat >= 1, --budget >= 10 s");
            return 2;
        }
        return BenchConn(entries, repeat, budget);
    }

    private static int BenchConn(int wanted, int repeat, int budgetSeconds)
    {
        var backlog = File.ReadAllText("/proc/sys/net/core/netdev_max_backlog").Trim();
        using var lab = ConnectionLab.Up();
        try
        {
            return BenchConnIn(lab, wanted, repeat, budgetSeconds);
        }
        finally
        {
            File.WriteAllText("/proc/sys/net/core/netdev_max_backlog", backlog);
        }
    }

    private static int BenchConnIn(ConnectionLab lab, int wanted, int repeat, int budgetSeconds)
    {
        var ipvs = lab.DirectorIpvs;
        // No conntrack in the director for this run (the shared topology turns it on for the fwmark/SIP tests): its
        // table would fill and drop packets long before IPVS. A deep backlog so bursts from the sender are not dropped.
        LabContext.RunOk("ip", $"netns exec {ConnectionLab.DirectorName} sysctl -qw net.ipv4.vs.conntrack=0");
        File.WriteAllText("/proc/sys/net/core/netdev_max_backlog", "100000");
        ipvs.SetTimeouts(new IpvsTimeouts(0, 0, 3600));
        var service = ServiceKey.ForAddress(IpvsProtocol.Udp, ConnectionLab.Vip, BenchPort);
        ipvs.AddService(new VirtualService(service) { Scheduler = "rr" });
        ipvs.AddRealServer(new RealServer(service, ConnectionLab.RealV4, BenchPort) { ForwardingMethod = ForwardingMethod.Nat });

        var ipvsadmNs = File.Exists("/usr/bin/nsenter")
            ? ("/usr/bin/nsenter", $"--net={ConnectionLab.Director} ipvsadm -Lnc", "nsenter --net ipvsadm -Lnc")
            : ("ip", $"netns exec {ConnectionLab.DirectorName} ipvsadm -Lnc", "ip netns exec ipvsadm -Lnc");
        var (emptyMs, _, _) = TimeProcess(ipvsadmNs.Item1, ipvsadmNs.Item2);
        Console.WriteLine($"bench conn: {ipvsadmNs.Item3} on an empty table (process start floor): {emptyMs:F1} ms");

        // Client addresses 10.71.1.10, .11, ... each with source ports 1024..65535.
        var addresses = (wanted + PortsPerAddress - 1) / PortsPerAddress;
        for (var a = 0; a < addresses; a++)
            LabContext.RunOk("ip", $"-n {ConnectionLab.ClientName} addr add 10.71.1.{10 + a}/24 dev c0");

        using var raw = Netns.Run(ConnectionLab.Client, () => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw));
        var destination = new IPEndPoint(ConnectionLab.Vip, 0).Serialize();
        var packet = new byte[20 + 8 + 4];
        packet[0] = 0x45;                                                   // IPv4, 20-byte header
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = 64;                                                     // TTL
        packet[9] = (byte)ProtocolType.Udp;
        ConnectionLab.Vip.TryWriteBytes(packet.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), BenchPort);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), 8 + 4);   // UDP length; checksum 0 = none (IPv4)
        "bench"u8[..4].CopyTo(packet.AsSpan(28));
        void Send(int i)
        {
            // The kernel fills the IP checksum (and the id) of IP_HDRINCL packets.
            packet[12] = 10; packet[13] = 71; packet[14] = 1; packet[15] = (byte)(10 + i / PortsPerAddress);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), (ushort)(1024 + i % PortsPerAddress));
            raw.SendTo(packet, SocketFlags.None, destination);
        }

        var budget = TimeSpan.FromSeconds(budgetSeconds);
        var create = Stopwatch.StartNew();
        var sent = 0;
        var step = Math.Max(1, wanted / 10);
        while (sent < wanted && create.Elapsed < budget)
        {
            Send(sent++);
            if (sent % step == 0)
                Console.WriteLine($"bench conn: sent {sent} datagrams in {create.Elapsed.TotalSeconds:F1} s");
        }
        var sendSeconds = create.Elapsed.TotalSeconds;
        if (sent < wanted)
            Console.WriteLine($"bench conn: the {budgetSeconds} s budget ran out after {sent} of {wanted} datagrams: measuring {sent} entries");

        // Verify (the first read also JIT-compiles the reader: timed as the cold read); resend what is missing.
        int CountEntries(out HashSet<int> present, out int all, out double ms)
        {
            var set = new HashSet<int>();
            all = 0;
            var sw = Stopwatch.StartNew();
            foreach (var c in ConnectionTable.Read(ConnectionLab.Director))
            {
                all++;
                if (c.Protocol != IpvsProtocol.Udp || c.VirtualPort != BenchPort) continue;
                var b = c.ClientAddress.GetAddressBytes();
                set.Add((b[3] - 10) * PortsPerAddress + c.ClientPort - 1024);
            }
            ms = sw.Elapsed.TotalMilliseconds;
            present = set;
            return set.Count;
        }
        var count = CountEntries(out var present, out var total, out var coldMs);
        for (var round = 0; round < 3 && count < sent; round++)
        {
            Console.WriteLine($"bench conn: {count} of {sent} entries present, resending the {sent - count} missing");
            for (var i = 0; i < sent; i++)
                if (!present.Contains(i)) Send(i);
            count = CountEntries(out present, out total, out _);
        }
        Console.WriteLine($"bench conn: {count} UDP entries from {sent} datagrams ({total} entries in the table) made in " +
                          $"{create.Elapsed.TotalSeconds:F1} s (sending {sendSeconds:F1} s, {sent / sendSeconds:F0}/s; " +
                          $"the first, cold library read took {coldMs / 1000:F1} s)");
        if (count != sent)
        {
            Console.WriteLine($"bench conn: ERROR: {sent - count} datagrams made no entry");
            return 1;
        }

        // The measurements, interleaved, each a full enumeration of the same table. The kernel rebuilds the text for
        // every read() and its seq_file restarts the walk of the connection hash from the start at each one, so the
        // cost grows with entries x reads: the slow variants that only explain the numbers run once.
        var methods = new List<(string Name, bool Once, long Expected, Func<(double Ms, long Items, string Note)> Run)>
        {
            ("library ConnectionTable.Read (ip_vs_conn_sync, default)", false, total, () => TimeRead(ConnectionTableSource.Auto)),
            ("library ConnectionTable.Read (ip_vs_conn, Plain)", false, total, () => TimeRead(ConnectionTableSource.Plain)),
            ("ipvsadm -Lnc via " + ipvsadmNs.Item3.Split(' ')[0], false, total + 2, () => TimeProcess(ipvsadmNs.Item1, ipvsadmNs.Item2)),
            ("kernel text only: ip_vs_conn, 16 KiB read()s", false, total, () => TimeRawRead(16 * 1024)),
            ("kernel text only: ip_vs_conn, 1 KiB read()s (once)", true, total, () => TimeRawRead(1024)),
            ("ipvsadm -Lnc via ip netns exec (once)", true, total + 2, () => TimeProcess("ip", $"netns exec {ConnectionLab.DirectorName} ipvsadm -Lnc")),
        };
        var times = methods.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < repeat; r++)
        {
            for (var m = 0; m < methods.Count; m++)
            {
                if (methods[m].Once && r > 0) continue;
                var (ms, items, note) = methods[m].Run();
                times[m].Add(ms);
                Console.WriteLine($"bench conn: run {r + 1}: {methods[m].Name}: {ms:F0} ms{(note.Length > 0 ? ", " + note : "")}");
                if (items != methods[m].Expected)
                    Console.WriteLine($"bench conn: WARNING: {methods[m].Name} gave {items} rows, expected {methods[m].Expected}");
            }
        }

        double Median(List<double> v)
        {
            var s = v.OrderBy(x => x).ToList();
            return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        }
        var libraryMedian = Median(times[0]);
        Console.WriteLine();
        Console.WriteLine($"bench conn: {total} entries, {repeat} repetitions; cold first library read {coldMs:F0} ms (JIT included)");
        Console.WriteLine($"{"method",-58} {"min ms",9} {"median ms",10} {"max ms",9} {"median / library",17}");
        for (var m = 0; m < methods.Count; m++)
        {
            var med = Median(times[m]);
            Console.WriteLine($"{methods[m].Name,-58} {times[m].Min(),9:F1} {med,10:F1} {times[m].Max(),9:F1} {med / libraryMedian,16:F2}x");
        }
        var ratio = Median(times[2]) / libraryMedian;
        Console.WriteLine($"bench conn: library read is {ratio:F2}x faster than {ipvsadmNs.Item3} (median; target >= 2x: {(ratio >= 2 ? "met" : "NOT met")})");
        return 0;
    }

    private static (double Ms, long Items, string Note) TimeRead(ConnectionTableSource source)
    {
        var sw = Stopwatch.StartNew();
        long n = 0;
        foreach (var _ in ConnectionTable.Read(ConnectionLab.Director, source, null)) n++;
        return (sw.Elapsed.TotalMilliseconds, n, "");
    }

    /// <summary>Reads ip_vs_conn without parsing: the kernel's share (the seq_file restarts its walk at every read()).</summary>
    private static (double Ms, long Items, string Note) TimeRawRead(int chunk)
    {
        var buffer = new byte[chunk];
        var sw = Stopwatch.StartNew();
        long bytes = 0, reads = 0, lines = 0;
        using (var s = ConnectionTable.Open(ConnectionLab.Director, ConnectionTableSource.Plain))
        {
            int n;
            while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
            {
                bytes += n;
                reads++;
                lines += buffer.AsSpan(0, n).Count((byte)'\n');
            }
        }
        return (sw.Elapsed.TotalMilliseconds, lines - 1, $"{bytes} bytes in {reads} read()s ({bytes / Math.Max(1, reads)} bytes each)");
    }

    /// <summary>Wall time of a process from start to exit with its standard output drained; counts the output lines.</summary>
    private static (double Ms, long Items, string Note) TimeProcess(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var buffer = new byte[64 * 1024];
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        var err = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.BaseStream;
        long lines = 0, bytes = 0;
        int n;
        while ((n = stdout.Read(buffer, 0, buffer.Length)) > 0)
        {
            bytes += n;
            lines += buffer.AsSpan(0, n).Count((byte)'\n');
        }
        p.WaitForExit();
        var ms = sw.Elapsed.TotalMilliseconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} exited {p.ExitCode}: {err.Result.Trim()}");
        return (ms, lines, $"{bytes} bytes of output");
    }
}
