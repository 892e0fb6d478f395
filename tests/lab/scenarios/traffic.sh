#!/usr/bin/env bash
# Lab scenario topologies for the real-traffic tests (tests/LvsAdmin.LabTests/TrafficTests.cs, --filter Traffic).
# Run INSIDE the kernel lab as root:
#   traffic.sh up nat|dr|tun    build one topology (removing any left-over one first)
#   traffic.sh down             remove every namespace of every topology
# This is lab plumbing only: namespaces, veth pairs, the bridge, interface addresses, routes, the router's forwarding.
# Everything the product does on a director or a real server (VIPs, ip_forward, send_redirects, arp_ignore/arp_announce,
# tunl0, rp_filter) is NOT done here: the tests do it through LvsAdmin.HostSetup. See traffic.md.
#
# nat:  lvst-cli c0 10.72.1.2,.3/24 ── d0 10.72.1.1 lvst-dir d1 10.72.2.1 ── br0 (lvst-sw) ── e0 10.72.2.11 lvst-rs1
#                                                                                          └── e0 10.72.2.12 lvst-rs2
#       client gateway 10.72.1.1, real servers' gateway 10.72.2.1 (the DIP). VIP 10.72.1.100 (set by the tests).
# dr:   one bridge br0 (lvst-sw): lvst-cli c0 10.72.3.2,.3 fd72:3::2,::3 / lvst-dir d0 10.72.3.1 fd72:3::1 /
#       lvst-rs1 e0 10.72.3.11 fd72:3::11 / lvst-rs2 e0 10.72.3.12 fd72:3::12 (/24, /64). VIPs 10.72.3.100, fd72:3::100.
# tun:  lvst-cli c0 10.72.4.2 ── r1 10.72.4.1 lvst-rt r2 10.72.5.1 ── d0 10.72.5.2 lvst-dir
#                                             lvst-rt r3 10.72.6.1 ── br0 (lvst-sw) ── e0 10.72.6.11 lvst-rs1, 10.72.6.12 lvst-rs2
#       the router forwards and routes the VIP 10.72.0.100/32 to the director; everybody's gateway is the router.
#       IPv6 alongside: fd72:4::2 / fd72:4::1, fd72:5::2 / fd72:5::1, fd72:6::1 / fd72:6::11, fd72:6::12 (/64), the VIP
#       fd72::100/128 routed to the director the same way.
set -u
P=lvst
ALL="$P-cli $P-dir $P-rs1 $P-rs2 $P-sw $P-rt"

# Every `ip` is a process start, slow under emulation: the commands are collected and run as a few `ip -batch`
# runs (one in the root namespace for namespaces and veth pairs, then one per namespace).
ROOT=""
declare -A NSB=()
root() { ROOT+="$*"$'\n'; }
in_ns() { local n=$1; shift; NSB[$n]+="$*"$'\n'; }
commit() {
    printf '%s' "$ROOT" | ip -b -
    local n
    for n in "${!NSB[@]}"; do printf '%s' "${NSB[$n]}" | ip -n "$P-$n" -b -; done
}

cleanup() { local n; for n in $ALL; do echo "netns del $n"; done | ip -force -b - 2>/dev/null; return 0; }

# ns NAME...: new namespaces with lo up
ns() { local n; for n in "$@"; do root netns add "$P-$n"; in_ns "$n" link set lo up; done; }

# bridge: br0 in lvst-sw
bridge() { ns sw; in_ns sw link add br0 type bridge; in_ns sw link set br0 up; }

# port NS IF: interface IF in lvst-NS, its peer a port of br0 in lvst-sw
port() {
    root link add "$2" netns "$P-$1" type veth peer name "$1-$2" netns "$P-sw"
    in_ns sw link set "$1-$2" master br0 up
    in_ns "$1" link set "$2" up
}

# wire NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up
wire() {
    root link add "$2" netns "$P-$1" type veth peer name "$4" netns "$P-$3"
    in_ns "$1" link set "$2" up; in_ns "$3" link set "$4" up
}

# addr NS IF ADDRESS...: addresses (IPv6 without duplicate address detection, usable at once)
addr() {
    local n=$1 i=$2 a; shift 2
    for a in "$@"; do
        case $a in *:*) in_ns "$n" addr add "$a" dev "$i" nodad ;; *) in_ns "$n" addr add "$a" dev "$i" ;; esac
    done
}

# gw NS ADDRESS: default route
gw() { case $2 in *:*) in_ns "$1" route add ::/0 via "$2" ;; *) in_ns "$1" route add default via "$2" ;; esac; }

up_nat() {
    ns cli dir rs1 rs2; bridge
    wire cli c0 dir d0
    port dir d1; port rs1 e0; port rs2 e0
    addr cli c0 10.72.1.2/24 10.72.1.3/24
    addr dir d0 10.72.1.1/24; addr dir d1 10.72.2.1/24
    addr rs1 e0 10.72.2.11/24; addr rs2 e0 10.72.2.12/24
    gw cli 10.72.1.1; gw rs1 10.72.2.1; gw rs2 10.72.2.1
    commit
}

up_dr() {
    ns cli dir rs1 rs2; bridge
    port cli c0; port dir d0; port rs1 e0; port rs2 e0
    addr cli c0 10.72.3.2/24 10.72.3.3/24 fd72:3::2/64 fd72:3::3/64
    addr dir d0 10.72.3.1/24 fd72:3::1/64
    addr rs1 e0 10.72.3.11/24 fd72:3::11/64
    addr rs2 e0 10.72.3.12/24 fd72:3::12/64
    commit
}

up_tun() {
    ns cli rt dir rs1 rs2; bridge
    wire cli c0 rt r1; wire dir d0 rt r2
    port rt r3; port rs1 e0; port rs2 e0
    addr cli c0 10.72.4.2/24; addr rt r1 10.72.4.1/24
    addr dir d0 10.72.5.2/24; addr rt r2 10.72.5.1/24
    addr rt r3 10.72.6.1/24; addr rs1 e0 10.72.6.11/24; addr rs2 e0 10.72.6.12/24
    addr cli c0 fd72:4::2/64; addr rt r1 fd72:4::1/64
    addr dir d0 fd72:5::2/64; addr rt r2 fd72:5::1/64
    addr rt r3 fd72:6::1/64; addr rs1 e0 fd72:6::11/64; addr rs2 e0 fd72:6::12/64
    in_ns rt route add 10.72.0.100/32 via 10.72.5.2
    in_ns rt route add fd72::100/128 via fd72:5::2
    gw cli 10.72.4.1; gw dir 10.72.5.1; gw rs1 10.72.6.1; gw rs2 10.72.6.1
    gw cli fd72:4::1; gw dir fd72:5::1; gw rs1 fd72:6::1; gw rs2 fd72:6::1
    commit
    ip netns exec $P-rt sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

case "${1:-}" in
    up)
        case "${2:-}" in
            nat|dr|tun) cleanup; set -e; "up_$2"; exit 0 ;;
            *) echo "usage: $0 up nat|dr|tun" >&2; exit 2 ;;
        esac ;;
    down) cleanup; exit 0 ;;
    *) echo "usage: $0 up nat|dr|tun | down" >&2; exit 2 ;;
esac
