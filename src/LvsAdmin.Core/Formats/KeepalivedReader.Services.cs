using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using LvsAdmin.Ipvs;
using LvsAdmin.Formats;

namespace LvsAdmin.Formats;

/// <summary>A virtual_server block read in keyword order (as keepalived's handlers run), then turned into the table keepalived builds at start.</summary>
internal sealed partial class KeepalivedReader
{
    private static IpvsAddressFamily FamilyOf(IPAddress a) =>
        a.AddressFamily == AddressFamily.InterNetworkV6 ? IpvsAddressFamily.IPv6 : IpvsAddressFamily.IPv4;

    private ServerBlock? ReadVirtualServer(KeepalivedStatement s)
    {
        var w = s.Words;
        if (s.Block is null)
        {
            Error(s, "virtual_server needs a { } block.");
            return null;
        }
        var vs = new ServerBlock();
        if (w.Count >= 2 && w[1] == "group")
        {
            if (w.Count != 3) { Error(s, "virtual_server group needs one group name."); return null; }
            vs.GroupName = w[2];
        }
        else if (w.Count >= 2 && w[1] == "fwmark")
        {
            if (w.Count != 3 || !TryUnsigned(w[2], 1, uint.MaxValue, out var mark))
            {
                Error(s, $"virtual_server fwmark needs a mark 1-{uint.MaxValue}.");
                return null;
            }
            vs.IsMark = true;
            vs.Mark = mark;
        }
        else
        {
            if (w.Count < 2 || w.Count > 3) { Error(s, "virtual_server needs ADDRESS [PORT], fwmark MARK or group NAME."); return null; }
            if (!TryAddress(s, w[1], out var address)) return null;
            ushort port = 0;
            if (w.Count == 3 && !TryPort(w[2], out port)) { Error(s, $"Bad port '{w[2]}' (0-65535)."); return null; }
            vs.Address = address;
            vs.Port = port;
            vs.Family = FamilyOf(address);
        }
        var checkers = 0;
        foreach (var k in s.Block)
        {
            if (k.Block is not null && k.Keyword is not ("real_server" or "sorry_server") && !Checkers.Contains(k.Keyword))
            {
                Error(k, $"'{k.Keyword}' takes no {{ }} block.");
                continue;
            }
            var arg = k.Words.Count > 1 ? k.Words[1] : null;
            switch (k.Keyword)
            {
                case "ip_family":
                    var family = arg switch { "inet" => IpvsAddressFamily.IPv4, "inet6" => IpvsAddressFamily.IPv6, _ => (IpvsAddressFamily?)null };
                    if (family is null) Error(k, $"Unknown address family '{arg}' (inet or inet6).");
                    else if (vs.Family is not null && vs.Family != family) Error(k, $"ip_family {arg} conflicts with the virtual server's family.");
                    else vs.Family = family;
                    break;
                case "lvs_sched" or "lb_algo":
                    if (arg is null || !Schedulers.Contains(arg)) Error(k, $"Invalid lvs_sched '{arg}' ({string.Join(", ", Schedulers)}).");
                    else vs.Scheduler = arg;
                    break;
                case "ops": vs.OnePacket = true; break;
                case "flag-1": vs.Flags |= SchedulerFlags.Flag1; break;
                case "flag-2": vs.Flags |= SchedulerFlags.Flag2; break;
                case "flag-3": vs.Flags |= SchedulerFlags.Flag3; break;
                case "sh-port" or "sh-fallback" or "mh-port" or "mh-fallback":
                    var sched = k.Keyword[..2];
                    if (vs.Scheduler != sched) Error(k, $"{k.Keyword} only applies after lvs_sched {sched} (keepalived ignores it here).");
                    else vs.Flags |= k.Keyword.EndsWith("port", StringComparison.Ordinal) ? SchedulerFlags.Flag2 : SchedulerFlags.Flag1;
                    break;
                case "hashed":
                    Note(k, "hashed is kernel-internal: ignored.");
                    break;
                case "lvs_method" or "lb_kind":
                    vs.Forwarding = ReadForwarding(k, vs.Forwarding);
                    break;
                case "persistence_engine":
                    if (arg is null || arg.Length > 15) Error(k, "persistence_engine needs a name of at most 15 characters.");
                    else vs.Engine = arg;
                    break;
                case "persistence_timeout":
                    if (arg is null)
                    {
                        vs.PersistenceTimeout = VirtualService.DefaultPersistenceTimeout;
                        vs.Applied.Add($"persistence_timeout without a value: {VirtualService.DefaultPersistenceTimeout} s");
                    }
                    else if (!TryUnsigned(arg, 1, IpvsValidation.MaxTimeout, out var timeout)) Error(k, $"persistence_timeout '{arg}' must be 1-{IpvsValidation.MaxTimeout}.");
                    else vs.PersistenceTimeout = timeout;
                    break;
                case "persistence_granularity":
                    ReadGranularity(k, vs);
                    break;
                case "protocol":
                    var protocol = arg?.ToUpperInvariant() switch { "TCP" => IpvsProtocol.Tcp, "UDP" => IpvsProtocol.Udp, "SCTP" => IpvsProtocol.Sctp, _ => (IpvsProtocol?)null };
                    if (protocol is null) Error(k, $"Unknown protocol '{arg}' (TCP, UDP or SCTP).");
                    else vs.Protocol = protocol;
                    break;
                case "weight":
                    if (arg is null || !TryUnsigned(arg, 1, IpvsValidation.MaxWeight, out var vw)) Error(k, $"virtual_server weight '{arg}' must be 1-{IpvsValidation.MaxWeight}.");
                    else vs.Weight = (int)vw;
                    break;
                case "quorum":
                    if (arg is null || !TryUnsigned(arg, 1, uint.MaxValue, out var q)) Error(k, $"quorum '{arg}' must be 1 or more.");
                    else vs.Quorum = q;
                    break;
                case "hysteresis":
                    if (arg is null || !TryUnsigned(arg, 0, uint.MaxValue, out var h)) Error(k, $"hysteresis '{arg}' must be 0 or more.");
                    else vs.Hysteresis = h;
                    break;
                case "inhibit_on_failure":
                    if (OnOff(k) is { } vsInhibit)
                    {
                        vs.Inhibit = vsInhibit;
                        vs.InhibitGiven = true;
                    }
                    break;
                case "alpha":
                    vs.Alpha = OnOff(k) ?? vs.Alpha;
                    break;
                case "delay_loop" or "retry" or "delay_before_retry" or "connect_timeout":
                    ReadCheckDefault(k, vs.Defaults);
                    break;
                case "real_server":
                    if (ReadServer(k, vs, real: true) is { } rs) vs.Reals.Add(rs);
                    break;
                case "sorry_server":
                    if (ReadServer(k, vs, real: false) is { } ss) vs.Sorry = ss;
                    break;
                case "sorry_server_inhibit":
                    if (vs.Sorry is null) Error(k, "sorry_server_inhibit before or without sorry_server.");
                    else vs.SorryInhibit = true;
                    break;
                case "sorry_server_lvs_method":
                    if (vs.Sorry is null) Error(k, "sorry_server_lvs_method without sorry_server.");
                    else vs.Sorry.Forwarding = ReadForwarding(k, vs.Sorry.Forwarding);
                    break;
                default:
                    if (Checkers.Contains(k.Keyword)) checkers++;
                    else if (!CheckingKeywords.Contains(k.Keyword) && k.Keyword is not ("quorum_up" or "quorum_down"))
                        Error(k, $"Unknown keyword '{k.Keyword}' in virtual_server.");
                    break;
            }
        }
        if (checkers > 0) Note(s, $"{checkers} health check(s) outside a real_server skipped (keepalived runs checkers of real servers only).");
        // vs_end_handler: a non-tunnel sorry server fixes the family; else (fwmark) the real servers', else IPv4.
        if (vs.Sorry is { } sorry && sorry.Forwarding?.Method != ForwardingMethod.Tunnel)
        {
            if (vs.Family is null) vs.Family = FamilyOf(sorry.Address);
            else if (vs.Family != FamilyOf(sorry.Address)) Error(sorry.At, $"The address family of sorry_server {sorry.Address} does not match the virtual server's.");
        }
        if (vs.Family is null && vs.GroupName is null)
        {
            var families = (vs.Sorry is null ? Enumerable.Empty<Server>() : new[] { vs.Sorry }).Concat(vs.Reals).Select(r => FamilyOf(r.Address)).Distinct().ToList();
            vs.Family = families.Count == 1 ? families[0] : IpvsAddressFamily.IPv4;
        }
        return vs;
    }

    /// <summary>An optional on/off argument (true/on/yes, false/off/no; none means on), or null with an error.</summary>
    private bool? OnOff(KeepalivedStatement k)
    {
        var arg = k.Words.Count > 1 ? k.Words[1] : null;
        if (arg is null || arg is "true" or "on" or "yes") return true;
        if (arg is "false" or "off" or "no") return false;
        Error(k, $"Invalid {k.Keyword} '{arg}' (on or off).");
        return null;
    }

    private void ReadGranularity(KeepalivedStatement k, ServerBlock vs)
    {
        var arg = k.Words.Count > 1 ? k.Words[1] : "";
        var family = vs.Family ?? (arg.Contains('.') ? IpvsAddressFamily.IPv4 : IpvsAddressFamily.IPv6);
        if (family == IpvsAddressFamily.IPv6)
        {
            if (!TryUnsigned(arg, 1, 128, out var prefix)) { Error(k, $"Invalid IPv6 persistence_granularity '{arg}' (a prefix length 1-128)."); return; }
            vs.Granularity = prefix;
        }
        else
        {
            if (!IPAddress.TryParse(arg, out var mask) || mask.AddressFamily != AddressFamily.InterNetwork || !arg.Contains('.'))
            {
                Error(k, $"Invalid IPv4 persistence_granularity '{arg}' (a netmask such as 255.255.255.0).");
                return;
            }
            vs.Granularity = BitConverter.ToUInt32(mask.GetAddressBytes());
        }
        vs.Family ??= family;
        if (vs.PersistenceTimeout == 0)
        {
            vs.PersistenceTimeout = VirtualService.DefaultPersistenceTimeout;
            vs.Applied.Add($"persistence_granularity without a persistence_timeout before it: {VirtualService.DefaultPersistenceTimeout} s");
        }
    }

    private Server? ReadServer(KeepalivedStatement k, ServerBlock vs, bool real)
    {
        var w = k.Words;
        if (w.Count < 2 || w.Count > 3) { Error(k, $"{w[0]} needs ADDRESS [PORT]."); return null; }
        if (!TryAddress(k, w[1], out var address)) return null;
        ushort port = 0;
        if (w.Count == 3 && !TryPort(w[2], out port)) { Error(k, $"Bad port '{w[2]}' (0-65535)."); return null; }
        // alloc_rs / alloc_ssvr: the method set on the virtual server so far is inherited.
        var server = new Server { Address = address, Port = port, Forwarding = vs.Forwarding, At = k };
        if (!real)
        {
            server.Weight = 1;
            if (k.Block is not null) Error(k, "sorry_server takes no { } block.");
            return server;
        }
        var checkers = 0;
        foreach (var r in k.Block ?? Array.Empty<KeepalivedStatement>())
        {
            var arg = r.Words.Count > 1 ? r.Words[1] : null;
            if (r.Block is not null && !Checkers.Contains(r.Keyword))
            {
                Error(r, $"'{r.Keyword}' takes no {{ }} block.");
                continue;
            }
            switch (r.Keyword)
            {
                case "weight":
                    if (arg is null || !TryUnsigned(arg, 0, IpvsValidation.MaxWeight, out var weight)) Error(r, $"Real server weight '{arg}' must be 0-{IpvsValidation.MaxWeight}.");
                    else server.Weight = (int)weight;
                    break;
                case "lvs_method":
                    server.Forwarding = ReadForwarding(r, server.Forwarding);
                    break;
                case "uthreshold" or "lthreshold":
                    if (arg is null || !TryUnsigned(arg, 0, uint.MaxValue, out var threshold)) Error(r, $"{r.Keyword} '{arg}' must be 0-{uint.MaxValue}.");
                    else if (r.Keyword[0] == 'u') server.Upper = threshold;
                    else server.Lower = threshold;
                    break;
                case "inhibit_on_failure":
                    if (OnOff(r) is { } on) server.Inhibit = server.OwnInhibit = on;
                    break;
                case "delay_loop" or "retry" or "delay_before_retry" or "connect_timeout":
                    ReadCheckDefault(r, server.Defaults);
                    break;
                case "alpha":
                    Note(r, $"real_server {w[1]}: alpha on a real server is not modelled by LvsAdmin (alpha is a service setting there): skipped.");
                    break;
                default:
                    if (ModelledCheckers.Contains(r.Keyword)) server.Checks.AddRange(ReadChecker(r));
                    else if (Checkers.Contains(r.Keyword)) checkers++;
                    else if (!CheckingKeywords.Contains(r.Keyword)) Error(r, $"Unknown keyword '{r.Keyword}' in real_server.");
                    break;
            }
        }
        if (checkers > 0) Note(k, $"real_server {w[1]}: {checkers} health check(s) of a kind LvsAdmin does not model (SMTP_CHECK, PING_CHECK, FILE_CHECK, BFD_CHECK, track_file, track_bfd) skipped.");
        // rs_end_handler: a non-tunnel real server must share the virtual server's family (and fixes it when unknown).
        if (server.Forwarding?.Method != ForwardingMethod.Tunnel)
        {
            if (vs.Family is null) vs.Family = FamilyOf(address);
            else if (vs.Family != FamilyOf(address))
            {
                Error(k, $"The address family of real_server {w[1]} does not match the virtual server's (only TUN may mix families).");
                return null;
            }
        }
        return server;
    }
}
