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

    /// <summary>
    /// Every decoder on every message (slow: most throw). Returns how many decodes succeeded (so the caller can see
    /// the fuzzer reached the decoders).
    /// </summary>
    public static int DecodeEverything(byte[] datagram) => Decode(datagram, all: true);

    /// <summary>The decoder(s) the client would pick for each message by its type and genl command (fast).</summary>
    public static int DecodeAsClient(byte[] datagram) => Decode(datagram, all: false);

    private static int Decode(byte[] datagram, bool all)
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
            var cmd = m.Payload.Length > 0 ? m.Payload.Span[0] : -1;
            var ipvs = m.Type > NetlinkMessage.NLMSG_OVERRUN && m.Type != GenericNetlink.GENL_ID_CTRL;
            if (all || (ipvs && cmd is IpvsUapi.CMD_NEW_SERVICE or IpvsUapi.CMD_GET_SERVICE)) ok += Try(() => IpvsCodec.DecodeServiceReply(m));
            if (all || (ipvs && cmd is IpvsUapi.CMD_NEW_DEST or IpvsUapi.CMD_GET_DEST))
            {
                ok += Try(() => IpvsCodec.DecodeRealServerReply(m, V4));
                ok += Try(() => IpvsCodec.DecodeRealServerReply(m, V6));
            }
            if (all || (ipvs && cmd is IpvsUapi.CMD_NEW_DAEMON)) ok += Try(() => IpvsCodec.DecodeSyncDaemonReply(m));
            if (all || (ipvs && cmd is IpvsUapi.CMD_SET_INFO or IpvsUapi.CMD_GET_INFO)) ok += Try(() => IpvsCodec.DecodeInfoReply(m));
            if (all || (ipvs && cmd is IpvsUapi.CMD_SET_CONFIG or IpvsUapi.CMD_GET_CONFIG)) ok += Try(() => IpvsCodec.DecodeTimeoutsReply(m));
            if (all || m.Type == GenericNetlink.GENL_ID_CTRL) ok += Try(() => GenericNetlink.DecodeFamily(m));
            if (all || m.Type == NetlinkMessage.NLMSG_ERROR) ok += Try(() => m.DecodeError());
            ok += Try(() => NetlinkSocket.Classify(m, "fuzz"));
            if (all)
            {
                if (m.Payload.Length >= 4) ok += Try(() => Walk(NetlinkAttribute.ParseAll(m.Payload[4..]), 0));
                ok += Try(() => Walk(NetlinkAttribute.ParseAll(m.Payload), 0));
            }
        }
        return ok;
    }

    /// <summary>Descends into every attribute as if it were nested (depth 3): the generic attribute parser on garbage.</summary>
    private static int Walk(List<NetlinkAttribute> attrs, int depth)
    {
        var n = 0;
        foreach (var a in attrs)
        {
            a.GetString();
            if (depth < 3 && a.Payload.Length >= NetlinkWriter.AttributeHeaderSize) n += Try(() => Walk(a.Nested(), depth + 1));
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
