using System;

namespace LvsAdmin.Netlink;

/// <summary>Generic netlink controller: resolves a family name (e.g. "IPVS") to its id.</summary>
public static class GenericNetlink
{
    public const ushort GENL_ID_CTRL = 0x10;
    public const byte CTRL_CMD_GETFAMILY = 3;
    public const ushort CTRL_ATTR_FAMILY_ID = 1;
    public const ushort CTRL_ATTR_FAMILY_NAME = 2;
    public const ushort CTRL_ATTR_VERSION = 3;
    public const ushort CTRL_ATTR_MAXATTR = 5;

    /// <summary>Writes a CTRL_CMD_GETFAMILY request for <paramref name="name"/>.</summary>
    public static void WriteGetFamily(NetlinkWriter w, string name, uint sequence)
    {
        w.BeginMessage(GENL_ID_CTRL, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK, sequence);
        w.WriteGenlHeader(CTRL_CMD_GETFAMILY, 1);
        w.PutString(CTRL_ATTR_FAMILY_NAME, name);
        w.EndMessage();
    }

    /// <summary>Reads the family id (and version) out of a CTRL_CMD_NEWFAMILY reply.</summary>
    public static (ushort Id, uint Version) DecodeFamily(NetlinkMessage reply)
    {
        if (reply.Payload.Length < NetlinkWriter.GenlHeaderSize) throw new NetlinkProtocolException("truncated generic netlink header");
        var t = NetlinkAttribute.ParseTable(reply.Payload[NetlinkWriter.GenlHeaderSize..], CTRL_ATTR_MAXATTR);
        if (t[CTRL_ATTR_FAMILY_ID] is not { } id) throw new NetlinkProtocolException("family reply without CTRL_ATTR_FAMILY_ID");
        var version = t[CTRL_ATTR_VERSION] is { } v ? v.GetU32() : 0;
        return (id.GetU16(), version);
    }

    /// <summary>
    /// Resolves a family on a socket. Returns null when the family does not exist (ENOENT), i.e. its kernel
    /// module is not loaded.
    /// </summary>
    public static ushort? ResolveFamily(NetlinkSocket socket, string name)
    {
        var w = new NetlinkWriter(64);
        var seq = socket.NextSequence();
        WriteGetFamily(w, name, seq);
        try
        {
            foreach (var m in socket.Request(w, seq, "resolve generic netlink family " + name))
            {
                return DecodeFamily(m).Id;
            }
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        throw new NetlinkProtocolException("no reply to CTRL_CMD_GETFAMILY");
    }
}
