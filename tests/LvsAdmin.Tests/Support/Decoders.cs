using System;
using System.Collections.Generic;
using LvsAdmin.Ipvs;
using LvsAdmin.Netlink;

namespace LvsAdmin.Tests.Support;

/// <summary>
/// Runs every decoder of the core over a datagram, the way the client would meet it. The documented failures are
/// <see cref="NetlinkProtocolException"/> (malformed data) and <see cref="NetlinkException"/> (an error reply);
/// anything else escapes and fails the calling test.
/// </summary>
internal static class Decoders
{
    private static readonly ServiceKey V4 = ServiceKey.Parse("tcp/10.0.0.1:80");
    private static readonly ServiceKey V6 = ServiceKey.Parse("udp/[2001:db8::1]:53");

    /// <summary>Returns how many decodes succeeded (so the caller can see the fuzzer reached the decoders).</summary>
    public static int DecodeEverything(byte[] datagram)
    {
        List<NetlinkMessage> messages;
        try
        {
            messages = NetlinkMessage.ParseAll(datagram);
        }
        catch (NetlinkProtocolException)
        {
            return 0;
        }
        var ok = 0;
        foreach (var m in messages)
        {
            ok += Try(() => IpvsCodec.DecodeServiceReply(m));
            ok += Try(() => IpvsCodec.DecodeRealServerReply(m, V4));
            ok += Try(() => IpvsCodec.DecodeRealServerReply(m, V6));
            ok += Try(() => IpvsCodec.DecodeSyncDaemonReply(m));
            ok += Try(() => IpvsCodec.DecodeInfoReply(m));
            ok += Try(() => IpvsCodec.DecodeTimeoutsReply(m));
            ok += Try(() => GenericNetlink.DecodeFamily(m));
            ok += Try(() => m.DecodeError());
            ok += Try(() => NetlinkSocket.Classify(m, "fuzz"));
            if (m.Payload.Length >= 4) ok += Try(() => Walk(NetlinkAttribute.ParseAll(m.Payload[4..]), 0));
            ok += Try(() => Walk(NetlinkAttribute.ParseAll(m.Payload), 0));
        }
        return ok;
    }

    /// <summary>Reads every attribute with every getter and descends into each as if nested (depth 4).</summary>
    private static int Walk(List<NetlinkAttribute> attrs, int depth)
    {
        var n = 0;
        foreach (var a in attrs)
        {
            n += Try(() => a.GetU8()) + Try(() => a.GetU16()) + Try(() => a.GetBe16()) + Try(() => a.GetU32()) +
                 Try(() => a.GetBe32()) + Try(() => a.GetU64()) + Try(() => a.GetString());
            n += Try(() => IpvsCodec.DecodeService(a));
            n += Try(() => IpvsCodec.DecodeRealServer(a, V4));
            n += Try(() => IpvsCodec.DecodeStatistics(a, null));
            n += Try(() => IpvsCodec.DecodeStatistics(null, a));
            n += Try(() => a.NestedTable(IpvsUapi.SVC_ATTR_MAX));
            if (depth < 4) n += Try(() => Walk(a.Nested(), depth + 1));
        }
        return n;
    }

    private static int Try<T>(Func<T> decode)
    {
        try
        {
            decode();
            return 1;
        }
        catch (NetlinkProtocolException)
        {
            return 0;
        }
        catch (NetlinkException)
        {
            return 0;
        }
    }
}
