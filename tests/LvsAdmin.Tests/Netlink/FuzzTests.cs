using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using FsCheck;
using FsCheck.Fluent;
using LvsAdmin.Netlink;
using LvsAdmin.Tests.Support;
using Xunit;
using U = LvsAdmin.Ipvs.IpvsUapi;

namespace LvsAdmin.Tests.Netlink;

/// <summary>
/// Property-based and mutation fuzzing of every decoder: decoding either succeeds or throws only the documented
/// exceptions (see <see cref="Decoders"/>), and always finishes quickly.
/// </summary>
public class FuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    /// <summary>Valid replies of every kind: the seeds of the mutation fuzzer.</summary>
    internal static List<byte[]> Corpus()
    {
        var flags = Nl.Attr(U.SVC_ATTR_FLAGS, Nl.Concat(BitConverter.GetBytes(0x3u), BitConverter.GetBytes(uint.MaxValue)));
        var stats64 = Nl.Nest(U.SVC_ATTR_STATS64, Nl.U64(1, 5), Nl.U64(2, 6), Nl.U64(4, 7), Nl.U64(10, 8));
        var stats32 = Nl.Nest(U.SVC_ATTR_STATS, Nl.U32(1, 5), Nl.U32(2, 6), Nl.U64(4, 7), Nl.U32(10, 8));
        var service = Nl.Genl(0x1c, 1, Nl.Nest(U.CMD_ATTR_SERVICE,
            Nl.U16(U.SVC_ATTR_AF, U.AF_INET), Nl.U16(U.SVC_ATTR_PROTOCOL, 6), Nl.Attr(U.SVC_ATTR_ADDR, Nl.InetAddr("10.0.0.1")),
            Nl.Be16(U.SVC_ATTR_PORT, 80), Nl.Str(U.SVC_ATTR_SCHED_NAME, "wlc"), flags, Nl.U32(U.SVC_ATTR_TIMEOUT, 300),
            Nl.U32(U.SVC_ATTR_NETMASK, uint.MaxValue), stats32, stats64));
        var service6 = Nl.Genl(0x1c, 1, Nl.Nest(U.CMD_ATTR_SERVICE,
            Nl.U16(U.SVC_ATTR_AF, U.AF_INET6), Nl.U32(U.SVC_ATTR_FWMARK, 9), Nl.Str(U.SVC_ATTR_SCHED_NAME, "sh"),
            Nl.Str(U.SVC_ATTR_PE_NAME, "sip"), flags, Nl.U32(U.SVC_ATTR_NETMASK, 64), stats64));
        var dest = Nl.Genl(0x1c, 5, Nl.Nest(U.CMD_ATTR_DEST,
            Nl.Attr(U.DEST_ATTR_ADDR, Nl.InetAddr("2001:db8::5")), Nl.Be16(U.DEST_ATTR_PORT, 80), Nl.U32(U.DEST_ATTR_FWD_METHOD, 2),
            Nl.U32(U.DEST_ATTR_WEIGHT, 3), Nl.U32(U.DEST_ATTR_U_THRESH, 4), Nl.U32(U.DEST_ATTR_L_THRESH, 2),
            Nl.U32(U.DEST_ATTR_ACTIVE_CONNS, 1), Nl.U32(U.DEST_ATTR_INACT_CONNS, 1), Nl.U32(U.DEST_ATTR_PERSIST_CONNS, 1),
            Nl.U16(U.DEST_ATTR_ADDR_FAMILY, U.AF_INET6), Nl.U8(U.DEST_ATTR_TUN_TYPE, 1), Nl.Be16(U.DEST_ATTR_TUN_PORT, 6080),
            Nl.U16(U.DEST_ATTR_TUN_FLAGS, 1), Nl.Nest(U.DEST_ATTR_STATS64, Nl.U64(1, 1)), Nl.Nest(U.DEST_ATTR_STATS, Nl.U32(1, 1))));
        var daemon = Nl.Genl(0x1c, 9, Nl.Nest(U.CMD_ATTR_DAEMON,
            Nl.U32(1, 1), Nl.Str(2, "eth0"), Nl.U32(3, 5), Nl.U16(4, 1400), Nl.Attr(5, 224, 0, 0, 81),
            Nl.Attr(6, Nl.InetAddr("ff02::51")), Nl.U16(7, 8848), Nl.U8(8, 1)));
        var info = Nl.Genl(0x1c, 14, Nl.U32(1, 0x010201), Nl.U32(2, 4096));
        var timeouts = Nl.Genl(0x1c, 12, Nl.U32(4, 900), Nl.U32(5, 120), Nl.U32(6, 300));
        var family = Nl.Genl(0x10, 1, Nl.U16(1, 0x1c), Nl.Str(2, "IPVS"), Nl.U32(3, 1), Nl.U32(5, 6));
        var error = Nl.Message(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_CAPPED | NetlinkMessage.NLM_F_ACK_TLVS, 1, 0,
            Nl.Concat(BitConverter.GetBytes(-17), Nl.Message(0x1c, 5, 1, 0, Array.Empty<byte>()), Nl.Str(1, "exists"), Nl.U32(2, 20)));
        var errorFull = Nl.Message(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_ACK_TLVS, 1, 0,
            Nl.Concat(BitConverter.GetBytes(-22), Nl.Message(0x1c, 5, 1, 0, new byte[] { 1, 1, 0, 0, 8, 0, 4, 0, 1, 0, 0, 0 }), Nl.Str(1, "invalid")));
        var done = Nl.Message(NetlinkMessage.NLMSG_DONE, NetlinkMessage.NLM_F_MULTI, 1, 0, BitConverter.GetBytes(0));
        return new List<byte[]>
        {
            service, service6, dest, daemon, info, timeouts, family, error, errorFull, done,
            Nl.Concat(service, service6, dest, done),   // a multi-message dump datagram
        };
    }

    [Fact]
    public void CorpusIsValid()
    {
        // Each seed decodes for real, so mutations start from the decoders' happy paths.
        foreach (var seed in Corpus()) Assert.True(Decoders.DecodeEverything(seed) > 0);
        var all = Corpus();
        Assert.Equal("tcp/10.0.0.1:80", LvsAdmin.Ipvs.IpvsCodec.DecodeServiceReply(Nl.Single(all[0])).Service);
        Assert.Equal(NetlinkSocket.ReplyDisposition.End, NetlinkSocket.Classify(Nl.Single(all[9]), null));
    }

    [Fact]
    public void RandomBytesPropertyFsCheck()
    {
        var bytes = Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf();
        var property = Prop.ForAll(bytes.ToArbitrary(), data =>
        {
            Decoders.DecodeEverything(data);
            return true;
        });
        RunWithin(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000).WithEndSize(300), property));
    }

    [Fact]
    public void RandomMessagesWithPlausibleHeadersPropertyFsCheck()
    {
        // Random attribute soup under a correct netlink + genl header, so the attribute parsers get exercised
        // instead of failing fast on the message header.
        var attr = Gen.Choose(0, 40).SelectMany(len => Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf(len),
            (len, payload) => (len, payload));
        var gen = Gen.Zip(Gen.Choose(0, 20), attr.ListOf()).Select(t =>
        {
            var parts = new List<byte[]>();
            foreach (var (len, payload) in t.Item2)
            {
                var type = (ushort)(payload.Length > 0 ? (payload[0] % 16) | (payload.Length % 2 == 0 ? 0x8000 : 0) : 1);
                parts.Add(Nl.Attr(type, payload));
            }
            return Nl.Genl((ushort)(t.Item1 < 3 ? t.Item1 + 1 : 0x1c), (byte)t.Item1, parts.ToArray());
        });
        var property = Prop.ForAll(gen.ToArbitrary(), data =>
        {
            Decoders.DecodeEverything(data);
            return true;
        });
        RunWithin(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), property));
    }

    [Fact]
    public void MutationsOfValidRepliesSeededFuzzer()
    {
        var corpus = Corpus();
        var random = new Random(20240601);
        var decoded = 0;
        const int count = 20000;
        RunWithin(() =>
        {
            for (var i = 0; i < count; i++)
            {
                var data = Mutate(corpus[random.Next(corpus.Count)], random);
                // Every 16th mutant goes through every decoder; the rest through the client's choice of decoder.
                if ((i % 16 == 0 ? Decoders.DecodeEverything(data) : Decoders.DecodeAsClient(data)) > 0) decoded++;
            }
        });
        // Half the mutants get a repaired nlmsg_len: the fuzzer must be reaching the decoders, not bouncing off.
        Assert.True(decoded > count / 3, $"only {decoded} of {count} mutants decoded at all");
    }

    [Fact]
    public void EveryTruncationOfEveryValidReply()
    {
        RunWithin(() =>
        {
            foreach (var seed in Corpus())
            {
                for (var len = 0; len <= seed.Length; len++) Decoders.DecodeAsClient(seed[..len]);
            }
        });
    }

    [Fact]
    public void EveryLengthFieldCorruptionOfEveryValidReply()
    {
        // Sets each 16-bit little-endian word (every nla_len and nlmsg_len candidate) to boundary values.
        ushort[] values = { 0, 1, 3, 4, 5, 8, 15, 16, 17, 0x7FFF, 0x8000, 0xFFFF };
        RunWithin(() =>
        {
            foreach (var seed in Corpus())
            {
                for (var offset = 0; offset + 1 < seed.Length; offset += 2)
                {
                    foreach (var v in values)
                    {
                        var data = (byte[])seed.Clone();
                        data[offset] = (byte)v;
                        data[offset + 1] = (byte)(v >> 8);
                        Decoders.DecodeAsClient(data);
                    }
                }
            }
        });
    }

    [Fact]
    public void EverySingleBitFlipOfEveryValidReply()
    {
        RunWithin(() =>
        {
            foreach (var seed in Corpus())
            {
                for (var bit = 0; bit < seed.Length * 8; bit++)
                {
                    var data = (byte[])seed.Clone();
                    data[bit / 8] ^= (byte)(1 << (bit % 8));
                    Decoders.DecodeAsClient(data);
                }
            }
        });
    }

    private static byte[] Mutate(byte[] seed, Random r)
    {
        var data = new List<byte>(seed);
        var rounds = 1 + r.Next(4);
        for (var k = 0; k < rounds && data.Count > 0; k++)
        {
            switch (r.Next(7))
            {
                case 0: // bit flip
                {
                    var i = r.Next(data.Count);
                    data[i] ^= (byte)(1 << r.Next(8));
                    break;
                }
                case 1: // random byte
                    data[r.Next(data.Count)] = (byte)r.Next(256);
                    break;
                case 2: // truncation
                {
                    var cut = r.Next(data.Count);
                    data.RemoveRange(cut, data.Count - cut);
                    break;
                }
                case 3: // length field corruption at a 4-byte boundary (nlmsg_len or an nla_len)
                {
                    var i = r.Next(data.Count / 4 + 1) * 4;
                    if (i + 1 < data.Count)
                    {
                        var v = r.Next(4) switch { 0 => 0, 1 => r.Next(8), 2 => 0xFFFF, _ => r.Next(0x10000) };
                        data[i] = (byte)v;
                        data[i + 1] = (byte)(v >> 8);
                    }
                    break;
                }
                case 4: // insert random bytes
                {
                    var i = r.Next(data.Count + 1);
                    var n = 1 + r.Next(8);
                    for (var j = 0; j < n; j++) data.Insert(i, (byte)r.Next(256));
                    break;
                }
                case 5: // delete a run
                {
                    var i = r.Next(data.Count);
                    data.RemoveRange(i, Math.Min(data.Count - i, 1 + r.Next(8)));
                    break;
                }
                default: // duplicate a run
                {
                    var i = r.Next(data.Count);
                    var n = Math.Min(data.Count - i, 1 + r.Next(24));
                    data.InsertRange(r.Next(data.Count + 1), data.GetRange(i, n));
                    break;
                }
            }
        }
        // Half the time repair the first nlmsg_len so the corruption reaches the attribute parsers.
        if (r.Next(2) == 0 && data.Count >= 4)
        {
            var len = data.Count;
            for (var b = 0; b < 4; b++) data[b] = (byte)(len >> (8 * b));
        }
        return data.ToArray();
    }

    /// <summary>Runs <paramref name="work"/> and fails if it does not finish within the budget (a hang).</summary>
    private static void RunWithin(Action work)
    {
        var watch = Stopwatch.StartNew();
        var task = Task.Run(work);
        if (!task.Wait(Budget)) Assert.Fail($"decoding did not finish within {Budget.TotalSeconds} s: a decoder loops");
        task.GetAwaiter().GetResult();
        Assert.True(watch.Elapsed < Budget);
    }
}
