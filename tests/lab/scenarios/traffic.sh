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
set -u
P=lvst
ALL="$P-cli $P-dir $P-rs1 $P-rs2 $P-sw $P-rt"

cleanup() { for n in $ALL; do ip netns del "$n" 2>/dev/null; done; return 0; }

# ns NAME...: new namespaces with lo up
ns() { for n in "$@"; do ip netns add "$P-$n"; ip -n "$P-$n" link set lo up; done; }

# bridge: br0 in lvst-sw
bridge() { ns sw; ip -n $P-sw link add br0 type bridge; ip -n $P-sw link set br0 up; }

# port NS IF: interface IF in lvst-NS, its peer a port of br0 in lvst-sw
port() {
    ip link add "$2" netns "$P-$1" type veth peer name "$1-$2" netns $P-sw
    ip -n $P-sw link set "$1-$2" master br0 up
    ip -n "$P-$1" link set "$2" up
}

# wire NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up
wire() {
    ip link add "$2" netns "$P-$1" type veth peer name "$4" netns "$P-$3"
    ip -n "$P-$1" link set "$2" up; ip -n "$P-$3" link set "$4" up
}

# addr NS IF ADDRESS...: addresses (IPv6 without duplicate address detection, usable at once)
addr() {
    local n=$1 i=$2 a; shift 2
    for a in "$@"; do
        case $a in *:*) ip -n "$P-$n" addr add "$a" dev "$i" nodad ;; *) ip -n "$P-$n" addr add "$a" dev "$i" ;; esac
    done
}

up_nat() {
    ns cli dir rs1 rs2; bridge
    wire cli c0 dir d0
    port dir d1; port rs1 e0; port rs2 e0
    addr cli c0 10.72.1.2/24 10.72.1.3/24
    addr dir d0 10.72.1.1/24; addr dir d1 10.72.2.1/24
    addr rs1 e0 10.72.2.11/24; addr rs2 e0 10.72.2.12/24
    ip -n $P-cli route add default via 10.72.1.1
    ip -n $P-rs1 route add default via 10.72.2.1; ip -n $P-rs2 route add default via 10.72.2.1
}

up_dr() {
    ns cli dir rs1 rs2; bridge
    port cli c0; port dir d0; port rs1 e0; port rs2 e0
    addr cli c0 10.72.3.2/24 10.72.3.3/24 fd72:3::2/64 fd72:3::3/64
    addr dir d0 10.72.3.1/24 fd72:3::1/64
    addr rs1 e0 10.72.3.11/24 fd72:3::11/64
    addr rs2 e0 10.72.3.12/24 fd72:3::12/64
}

up_tun() {
    ns cli rt dir rs1 rs2; bridge
    wire cli c0 rt r1; wire dir d0 rt r2
    port rt r3; port rs1 e0; port rs2 e0
    addr cli c0 10.72.4.2/24; addr rt r1 10.72.4.1/24
    addr dir d0 10.72.5.2/24; addr rt r2 10.72.5.1/24
    addr rt r3 10.72.6.1/24; addr rs1 e0 10.72.6.11/24; addr rs2 e0 10.72.6.12/24
    ip netns exec $P-rt sysctl -qw net.ipv4.ip_forward=1
    ip -n $P-rt route add 10.72.0.100/32 via 10.72.5.2
    ip -n $P-cli route add default via 10.72.4.1
    ip -n $P-dir route add default via 10.72.5.1
    ip -n $P-rs1 route add default via 10.72.6.1; ip -n $P-rs2 route add default via 10.72.6.1
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
