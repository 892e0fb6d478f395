using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Text;

namespace LvsAdmin.HostSetup;

/// <summary>
/// The real-server setup as a POSIX sh script, for hosts without PowerShell (plain ssh, an Ansible <c>script:</c>
/// task). The same setup as <see cref="HostPlanner.RealServer"/> and the same checks as
/// <see cref="HostChecks.RealServer"/> (check names VirtualAddress, ArpIgnore, ArpAnnounce, RpFilter, TunnelDevice,
/// TunnelUp). Install is idempotent: it changes only what differs, prints one line per change and, last, one line
/// <c>changed=true|false failed=N</c> (Ansible: <c>changed_when: "'changed=true' in result.stdout"</c>); exit 1 when a
/// change failed. Test changes nothing, prints one line per check (<c>ok</c>/<c>FAIL</c>) and exits 1 when any failed.
/// Needs sh, ip (iproute2), grep, awk, cat and for Tunnel modprobe.
/// </summary>
public static class RealServerScript
{
    /// <summary>Which script.</summary>
    public enum Kind
    {
        /// <summary>Applies the setup.</summary>
        Install,
        /// <summary>Checks the setup (Test-LvsRealServer's findings).</summary>
        Test,
    }

    private const string Preamble = """
        set -u
        PATH=/usr/sbin:/sbin:/usr/bin:/bin:$PATH
        changed=false
        failed=0
        # The interfaces that get the ARP settings: all, lo and every interface that is up with an IPv4 address and is not
        # a loopback or a tunnel (device types 772 loopback, 768 ipip, 769 ip6tnl, 776 sit, 778 gre, 823 ip6gre, 65534 none).
        arp_interfaces() {
          printf '%s\n' all lo
          if [ -n "${LVS_ARP_INTERFACES:-}" ]; then printf '%s\n' $LVS_ARP_INTERFACES; return; fi
          ip -o -4 addr show up 2>/dev/null | awk '{print $2}' | sort -u | while read -r d; do
            t=$(cat "/sys/class/net/$d/type" 2>/dev/null || echo 0)
            case "$t" in 772|768|769|776|778|823|65534|0) ;; *) printf '%s\n' "$d" ;; esac
          done
        }
        # has_addr ADDR PREFIX DEV: the address is on DEV with that prefix.
        has_addr() { ip -o addr show dev "$3" 2>/dev/null | grep -qF " $1/$2 "; }
        # addr_where ADDR: "ADDR/P on DEV" for every interface that has the address.
        addr_where() { ip -o addr show 2>/dev/null | awk -v a="$1" '{ split($4, p, "/"); if (p[1] == a) printf "%s on %s, ", $4, $2 }' | sed 's/, $//'; }
        sysctl_path() { printf '/proc/sys/%s' "$(printf '%s' "$1" | awk -F. '{ d = $4; for (i = 5; i < NF; i++) d = d "." $i; if ($2 == "ipv4" && $3 == "conf") print $1 "/" $2 "/" $3 "/" d "/" $NF; else { gsub(/\./, "/"); print } }')"; }
        """;

    private const string InstallFunctions = """
        set_sysctl() { # KEY VALUE
          p=$(sysctl_path "$1")
          if [ ! -e "$p" ]; then echo "FAILED $1: $p does not exist"; failed=$((failed + 1)); return; fi
          cur=$(cat "$p")
          [ "$cur" = "$2" ] && return
          if printf '%s\n' "$2" > "$p" 2>/dev/null; then echo "changed $1: $cur -> $2"; changed=true
          else echo "FAILED $1 = $2 (not root, or the kernel refused)"; failed=$((failed + 1)); fi
        }
        add_addr() { # ADDR PREFIX DEV
          has_addr "$1" "$2" "$3" && return
          other=$(addr_where "$1")
          if [ -n "$other" ]; then echo "FAILED address $1/$2 dev $3: it is already on $other (remove it there first)"; failed=$((failed + 1)); return; fi
          case "$1" in *:*) fam=-6; extra=nodad ;; *) fam=-4; extra= ;; esac
          if ip $fam addr add "$1/$2" dev "$3" $extra; then echo "changed address $1/$2 dev $3: absent -> added"; changed=true
          else echo "FAILED ip addr add $1/$2 dev $3"; failed=$((failed + 1)); fi
        }
        tunnel() { # DEV MODULE KIND
          if [ ! -e "/sys/class/net/$1" ]; then
            modprobe "$2" 2>/dev/null
            [ -e "/sys/class/net/$1" ] || ip link add name "$1" type "$3" 2>/dev/null
            if [ -e "/sys/class/net/$1" ]; then echo "changed $1: absent -> created ($2)"; changed=true
            else echo "FAILED $1: cannot create it (module $2 missing?)"; failed=$((failed + 1)); return; fi
          fi
          if ! ip -o link show dev "$1" | grep -q '[<,]UP[,>]'; then
            if ip link set dev "$1" up; then echo "changed link $1: down -> up"; changed=true; else echo "FAILED ip link set $1 up"; failed=$((failed + 1)); fi
          fi
        }
        persist_sysctl() { # KEY VALUE
          f=/etc/sysctl.d/90-lvsadmin.conf
          grep -qxF "$1 = $2" "$f" 2>/dev/null && return
          mkdir -p /etc/sysctl.d
          [ -f "$f" ] || printf '%s\n' '# Managed by LvsAdmin (-Persist of Set-LvsRealServerArp, Set-LvsSysctl, Initialize-LvsRealServer, Initialize-LvsDirector).' > "$f"
          awk -v k="$1" '{ s = $0; sub(/[ \t]*=.*/, "", s); if (s != k) print }' "$f" > "$f.tmp" && printf '%s = %s\n' "$1" "$2" >> "$f.tmp" && mv "$f.tmp" "$f" \
            && { echo "changed $f: $1 = $2"; changed=true; } || { echo "FAILED writing $f"; failed=$((failed + 1)); }
        }
        persist_addr() { # LINE
          f=/etc/lvsadmin/addresses.sh
          grep -qxF "$1" "$f" 2>/dev/null && return
          mkdir -p /etc/lvsadmin
          [ -f "$f" ] || printf '%s\n' '#!/bin/sh' '# Generated by LvsAdmin (-Persist). Run at boot by lvsadmin-addresses.service.' 'PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
            'if [ -f /etc/sysctl.d/90-lvsadmin.conf ]; then sysctl -q -p /etc/sysctl.d/90-lvsadmin.conf || true; fi' > "$f"
          printf '%s\n' "$1" >> "$f" && chmod 0755 "$f" && { echo "changed $f: $1"; changed=true; } || { echo "FAILED writing $f"; failed=$((failed + 1)); }
        }
        persist_unit() { # CONTENT
          u=/etc/systemd/system/lvsadmin-addresses.service
          w=/etc/systemd/system/multi-user.target.wants/lvsadmin-addresses.service
          if [ "$(cat "$u" 2>/dev/null)" != "$1" ]; then mkdir -p /etc/systemd/system && printf '%s\n' "$1" > "$u" && { echo "changed $u"; changed=true; } || { echo "FAILED writing $u"; failed=$((failed + 1)); }; fi
          if [ ! -L "$w" ]; then mkdir -p "${w%/*}" && ln -sf "$u" "$w" && { echo "changed $w -> $u"; changed=true; } || { echo "FAILED linking $w"; failed=$((failed + 1)); }; fi
        }
        """;

    private const string TestFunctions = """
        finding() { # PASSED CHECK TARGET EXPECTED ACTUAL MESSAGE
          if [ "$1" = 1 ]; then echo "ok   $2 $3: $5"; else echo "FAIL $2 $3: expected $4, found $5: $6"; failed=$((failed + 1)); fi
        }
        check_sysctl() { # CHECK KEY GOOD-VALUES(|-separated) EXPECTED MESSAGE
          p=$(sysctl_path "$2"); v=$(cat "$p" 2>/dev/null || echo missing)
          ok=0; case "|$3|" in *"|$v|"*) ok=1 ;; esac
          finding $ok "$1" "$2" "$4" "$v" "$5"
        }
        check_addr() { # ADDR PREFIX DEV
          w=$(addr_where "$1"); [ -n "$w" ] || w=absent
          ok=0; has_addr "$1" "$2" "$3" && ok=1
          finding $ok VirtualAddress "$1 on $3" "$1/$2 on $3" "$w" "the real server drops packets for the VIP (or, on another interface, answers ARP for it)"
        }
        check_tunnel() { # DEV MODULE
          if [ -e "/sys/class/net/$1" ]; then finding 1 TunnelDevice "$1" present present ""
            if ip -o link show dev "$1" | grep -q '[<,]UP[,>]'; then finding 1 TunnelUp "$1" up up ""; else finding 0 TunnelUp "$1" up down "the kernel does not decapsulate on a down device"; fi
          else finding 0 TunnelDevice "$1" present missing "the $2 module is not loaded: IPIP packets from the director are dropped"
            finding 0 TunnelUp "$1" up missing "no $1 device"; fi
        }
        """;

    private const string RouteBackFunction = """
        # check_route_back PROBE "DIRECTOR ADDRESSES": the route to a client (PROBE) must go via one of the director's addresses.
        check_route_back() {
          r=$(ip route get "$1" 2>/dev/null | head -n 1)
          gw=
          case "$r" in
            ''|unreachable*|prohibit*|blackhole*) a=unreachable ;;
            *) gw=$(printf '%s\n' "$r" | awk '{ for (i = 1; i < NF; i++) if ($i == "via") { print $(i + 1); exit } }')
               a=$(printf '%s\n' "$r" | awk '{ v = ""; d = ""; s = ""; for (i = 1; i < NF; i++) { if ($i == "via") v = $(i + 1); if ($i == "dev") d = $(i + 1); if ($i == "src") s = $(i + 1) }
                 o = ""; if (v != "") o = "via " v " "; if (d != "") o = o "dev " d; if (s != "") o = o " src " s; print o }') ;;
          esac
          ok=0; [ -n "$gw" ] && case " $2 " in *" $gw "*) ok=1 ;; esac
          finding $ok RouteBack "replies to clients (route to $1)" "via $(printf '%s' "$2" | sed 's/ / or /g')" "$a" "LVS-NAT replies must go back through the director, which rewrites their source to the VIP (checked, not changed: ip route replace default via the director)"
        }
        """;

    /// <summary>
    /// The script of an LVS-NAT real server: nothing is set up on it; both kinds check, as Test-LvsRealServerFleet
    /// does, that its replies to clients route back through one of <paramref name="directorAddresses"/> (a RouteBack
    /// line per address family of <paramref name="realServerAddresses"/>). Test prints ok/FAIL and "findings=N";
    /// Install changes nothing, prints the same lines and "changed=false failed=N". Both exit 1 when the check failed,
    /// also when no director address of a family is known.
    /// </summary>
    public static string GenerateNat(IReadOnlyCollection<System.Net.IPAddress> realServerAddresses, IReadOnlyCollection<System.Net.IPAddress> directorAddresses, Kind kind, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(realServerAddresses);
        ArgumentNullException.ThrowIfNull(directorAddresses);
        var sb = new StringBuilder("#!/bin/sh\n");
        sb.Append($"# LvsAdmin real-server {(kind == Kind.Install ? "setup" : "check")}: Nat (nothing to set up; the route back through the director is checked)\n");
        if (comment is not null)
            foreach (var line in comment.Split('\n')) sb.Append("# ").Append(line.Replace("\r", "")).Append('\n');
        sb.Append("set -u\nPATH=/usr/sbin:/sbin:/usr/bin:/bin:$PATH\nfailed=0\n");
        sb.Append(TestFunctions.Replace("\r", "")).Append('\n').Append(RouteBackFunction.Replace("\r", "")).Append('\n');
        foreach (var family in HostChecks.RouteBackFamilies(realServerAddresses))
        {
            var probe = HostChecks.ClientProbe(family);
            var director = HostChecks.DirectorAddressesOf(directorAddresses, family);
            if (director.Count == 0)
                sb.Append($"finding 0 RouteBack 'replies to clients (route to {probe})' 'via the director' 'not checked' 'no address of the director is known: generate the script with -DirectorAddress'\n");
            else sb.Append($"check_route_back {probe} '{string.Join(" ", director)}'\n");
        }
        sb.Append(kind == Kind.Install ? "echo \"changed=false failed=$failed\"\n" : "echo \"findings=$failed\"\n");
        sb.Append("[ \"$failed\" -eq 0 ]\n");
        return sb.ToString();
    }

    /// <summary>
    /// The script for <paramref name="setup"/> (validated like Initialize-LvsRealServer: host addresses only). With
    /// <see cref="RealServerSetup.Persist"/> the Install script also writes /etc/sysctl.d/90-lvsadmin.conf,
    /// /etc/lvsadmin/addresses.sh and the lvsadmin-addresses unit, as -Persist does.
    /// </summary>
    public static string Generate(RealServerSetup setup, Kind kind, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var vips = HostPlanner.ParseVips(setup.VirtualAddresses, hostOnly: true);
        if (setup.InterfaceNames is not null)
            foreach (var i in setup.InterfaceNames)
            {
                HostValidation.ValidateInterfaceName(i);
                // The kernel allows quotes and $ in a name; a shell script must not: only the usual name characters.
                if (!i.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
                    throw new Ipvs.IpvsValidationException("InterfaceName", $"Interface name '{i}' has characters a generated shell script cannot carry safely (letters, digits, . _ - @ only).", "InvalidInterfaceName");
            }
        var v4 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetwork);
        var v6 = vips.Any(v => v.Address.AddressFamily == AddressFamily.InterNetworkV6);
        var tun = setup.Mode == RealServerMode.Tunnel;
        var sb = new StringBuilder("#!/bin/sh\n");
        sb.Append($"# LvsAdmin real-server {(kind == Kind.Install ? "setup" : "check")}: {setup.Mode}, VIPs {string.Join(" ", vips.Select(v => v.Address))}\n");
        if (comment is not null)
            foreach (var line in comment.Split('\n')) sb.Append("# ").Append(line.Replace("\r", "")).Append('\n');
        sb.Append(kind == Kind.Install
            ? "# Idempotent: changes only what differs. Last line: changed=true|false failed=N; exit 1 when a change failed.\n"
            : "# Changes nothing: one line per check (ok/FAIL); exit 1 when any check failed.\n");
        sb.Append(Preamble.Replace("\r", "")).Append('\n');
        if (setup.InterfaceNames is not null) sb.Append($"LVS_ARP_INTERFACES='{string.Join(" ", setup.InterfaceNames)}'\n");
        sb.Append((kind == Kind.Install ? InstallFunctions : TestFunctions).Replace("\r", "")).Append('\n');
        if (kind == Kind.Install)
        {
            if (tun && v4) sb.Append("tunnel tunl0 ipip ipip\n");
            if (tun && v6) sb.Append("tunnel ip6tnl0 ip6_tunnel ip6tnl\n");
            if (v4)
            {
                // ARP settings before the VIP appears on lo, as the planner orders them.
                sb.Append("for d in $(arp_interfaces); do\n  set_sysctl \"net.ipv4.conf.$d.arp_ignore\" 1\n  set_sysctl \"net.ipv4.conf.$d.arp_announce\" 2\n");
                if (setup.Persist) sb.Append("  k=$(printf '%s' \"$d\" | tr . /)\n  persist_sysctl \"net.ipv4.conf.$k.arp_ignore\" 1\n  persist_sysctl \"net.ipv4.conf.$k.arp_announce\" 2\n");
                sb.Append("done\n");
                if (tun)
                    foreach (var d in new[] { "all", "tunl0" })
                    {
                        sb.Append($"set_sysctl net.ipv4.conf.{d}.rp_filter 0\n");
                        if (setup.Persist) sb.Append($"persist_sysctl net.ipv4.conf.{d}.rp_filter 0\n");
                    }
            }
            foreach (var (a, p) in vips)
            {
                var dev = HostPlanner.RealServerInterface(setup.Mode, a);
                sb.Append($"add_addr {a} {p} {dev}\n");
                if (setup.Persist) sb.Append($"persist_addr '{new PersistedAddress(dev, a, p, null).ToLine()}'\n");
            }
            if (setup.Persist)
            {
                if (tun && v4) sb.Append("persist_addr 'modprobe ipip; ip link set dev tunl0 up'\n");
                if (tun && v6) sb.Append("persist_addr 'modprobe ip6_tunnel; ip link set dev ip6tnl0 up'\n");
                sb.Append("persist_unit '").Append(HostPersistence.UnitContent.TrimEnd('\n')).Append("'\n");
            }
            sb.Append("echo \"changed=$changed failed=$failed\"\n[ \"$failed\" -eq 0 ]\n");
        }
        else
        {
            if (tun && v4) sb.Append("check_tunnel tunl0 ipip\n");
            if (tun && v6) sb.Append("check_tunnel ip6tnl0 ip6_tunnel\n");
            foreach (var (a, p) in vips) sb.Append($"check_addr {a} {p} {HostPlanner.RealServerInterface(setup.Mode, a)}\n");
            if (v4)
            {
                sb.Append("for d in $(arp_interfaces); do\n");
                sb.Append("  check_sysctl ArpIgnore \"net.ipv4.conf.$d.arp_ignore\" '1|2' 1 'the real server answers ARP requests for the VIP and takes traffic away from the director'\n");
                sb.Append("  check_sysctl ArpAnnounce \"net.ipv4.conf.$d.arp_announce\" 2 2 'ARP requests may carry the VIP as source and poison the neighbours caches'\n");
                sb.Append("done\n");
                if (tun)
                    foreach (var d in new[] { "all", "tunl0" })
                        sb.Append($"check_sysctl RpFilter net.ipv4.conf.{d}.rp_filter '0|2' 0 'strict reverse-path filtering drops the decapsulated client packets'\n");
            }
            sb.Append("echo \"findings=$failed\"\n[ \"$failed\" -eq 0 ]\n");
        }
        return sb.ToString();
    }
}
