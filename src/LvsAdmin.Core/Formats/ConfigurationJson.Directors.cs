using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using LvsAdmin.Configuration;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Formats;

/// <summary>The directorPair section of the JSON document: the VRRP instance the directors share, and its directors.</summary>
public static partial class ConfigurationJson
{
    private static void WriteDirectorPair(Utf8JsonWriter w, DirectorPair p)
    {
        w.WriteStartObject("directorPair");
        w.WriteString("instance", p.Instance);
        w.WriteNumber("virtualRouterId", p.VirtualRouterId);
        w.WriteNumber("advertisementInterval", p.AdvertisementInterval);
        w.WriteBoolean("noPreempt", p.NoPreempt);
        w.WriteStartArray("virtualAddresses");
        foreach (var a in p.VirtualAddresses)
        {
            w.WriteStartObject();
            w.WriteString("address", a.Address.ToString());
            w.WriteNumber("prefixLength", a.PrefixLength);
            if (a.Interface is not null) w.WriteString("interface", a.Interface);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (p.SyncDaemon is { } d)
        {
            w.WriteStartObject("syncDaemon");
            if (d.Interface is not null) w.WriteString("interface", d.Interface);
            w.WriteNumber("syncId", d.SyncId);
            WriteSyncOptions(w, d.MaxLength, d.MulticastGroup, d.MulticastPort, d.MulticastTtl);
            w.WriteEndObject();
        }
        w.WriteStartArray("directors");
        foreach (var r in p.Directors)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("state", r.State == VrrpState.Master ? "master" : "backup");
            w.WriteNumber("priority", r.Priority);
            w.WriteString("interface", r.Interface);
            if (r.UnicastSource is { } src) w.WriteString("unicastSource", src.ToString());
            if (r.UnicastPeers is { } peers)
            {
                w.WriteStartArray("unicastPeers");
                foreach (var peer in peers) w.WriteStringValue(peer.ToString());
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A sync daemon's optional settings (a document sync daemon's and the pair's).</summary>
    private static void WriteSyncOptions(Utf8JsonWriter w, ushort? maxLength, IPAddress? group, ushort? port, byte? ttl)
    {
        if (maxLength is { } ml) w.WriteNumber("maxLength", ml);
        if (group is { } g) w.WriteString("multicastGroup", g.ToString());
        if (port is { } p) w.WriteNumber("multicastPort", p);
        if (ttl is { } t) w.WriteNumber("multicastTtl", t);
    }

    private sealed partial class DocumentReader
    {
        /// <summary>The directorPair section; its semantic problems (<see cref="DirectorPair.Problems"/>) are errors at its line.</summary>
        private DirectorPair? ReadDirectorPair(Node n, LvsConfiguration document)
        {
            if (!Object(n, "the director pair", "instance", "virtualRouterId", "advertisementInterval", "noPreempt", "virtualAddresses", "syncDaemon", "directors")) return null;
            var errorsBefore = Errors.Count;
            var instance = String(n["instance"]) ?? DirectorPair.DefaultInstance;
            var routerId = Integer(Required(n, "virtualRouterId", "The director pair"), 1, 255);
            var interval = Integer(n["advertisementInterval"], 1, 255) ?? 1;
            var noPreempt = Bool(n["noPreempt"]) ?? false;
            var addresses = new List<VrrpAddress>();
            foreach (var a in Array(Required(n, "virtualAddresses", "The director pair")))
            {
                if (!Object(a, "a virtual address", "address", "prefixLength", "interface")) continue;
                var ip = Address(Required(a, "address", "A virtual address"));
                var max = ip?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
                var prefix = Integer(a["prefixLength"], 0, max) ?? max;
                var iface = String(a["interface"]);
                if (ip is not null) addresses.Add(new VrrpAddress(ip, (int)prefix, iface));
            }
            DirectorSyncDaemon? sync = null;
            if (n["syncDaemon"] is { } sn && Object(sn, "the pair's sync daemon", "interface", "syncId", "maxLength", "multicastGroup", "multicastPort", "multicastTtl"))
            {
                sync = new DirectorSyncDaemon
                {
                    Interface = String(sn["interface"]),
                    SyncId = (uint)(Integer(Required(sn, "syncId", "The pair's sync daemon"), 0, 255) ?? 0),
                    MaxLength = (ushort?)Integer(sn["maxLength"], 1, Ipvs.IpvsValidation.MaxSyncLength),
                    MulticastGroup = sn["multicastGroup"] is { } g ? Address(g) : null,
                    MulticastPort = (ushort?)Integer(sn["multicastPort"], 1, 65535),
                    MulticastTtl = (byte?)Integer(sn["multicastTtl"], 1, 255),
                };
            }
            var directors = new List<Director>();
            foreach (var d in Array(Required(n, "directors", "The director pair")))
            {
                if (!Object(d, "a director", "name", "state", "priority", "interface", "unicastSource", "unicastPeers")) continue;
                var name = String(Required(d, "name", "A director"));
                var state = Enum(Required(d, "state", "A director"), ("master", VrrpState.Master), ("backup", VrrpState.Backup));
                var priority = Integer(Required(d, "priority", "A director"), 1, 255);
                var iface = String(Required(d, "interface", "A director"));
                var source = d["unicastSource"] is { } s ? Address(s) : null;
                List<IPAddress>? peers = d["unicastPeers"] is { } pn ? Array(pn).Select(Address).OfType<IPAddress>().ToList() : null;
                if (name is not null && state is not null && priority is not null && iface is not null)
                    directors.Add(new Director(name, state.Value, (int)priority, iface) { UnicastSource = source, UnicastPeers = peers });
            }
            if (routerId is null || Errors.Count > errorsBefore) return null;
            var pair = new DirectorPair
            {
                Instance = instance, VirtualRouterId = (int)routerId, AdvertisementInterval = (int)interval, NoPreempt = noPreempt,
                VirtualAddresses = addresses, SyncDaemon = sync, Directors = directors,
            };
            foreach (var problem in DirectorPair.Problems(document with { DirectorPair = pair })) Error(n, problem);
            return Errors.Count > errorsBefore ? null : pair;
        }

        private IPAddress? Address(Node? n)
        {
            var text = String(n);
            if (text is null) return null;
            if (Endpoint.TryParseAddress(text, out var ip)) return ip;
            Error(n!, $"'{text}' is not an IPv4 or IPv6 address.");
            return null;
        }
    }
}
