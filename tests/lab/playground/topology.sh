#!/bin/bash
# The LVS guides' two experiments as network namespaces inside the lab guest (run as root by playground.sh).
# The guest's root namespace is the director.
#
#   client ─ eth0 203.0.113.22/24 ── ext0 203.0.113.1/24 (director; the NAT VIP 203.0.113.11 comes with the tour)
#   NAT segment  (bridge lan-nat, director 10.10.20.11/24, the real servers' default gateway):
#       rs1 10.10.20.12 (httpd :80)      rs2 10.10.20.13 (httpd :8080)
#   DR segment   (bridge lan-dr, director 10.10.10.11/24; the DR VIP 10.10.10.100 comes with the tour):
#       client eth1 10.10.10.240         rs3 10.10.10.12 (httpd :80)      rs4 10.10.10.13 (httpd :80)
# Each web server answers with its own name (rs1 ... rs4). Nothing here touches IPVS or the LVS sysctls: the
# tour does that with LvsAdmin's cmdlets.
set -eu
www=/tmp/playground

ip link set lo up
ip link add lan-nat type bridge && ip link set lan-nat up
ip link add lan-dr type bridge && ip link set lan-dr up
ip address add 10.10.20.11/24 dev lan-nat
ip address add 10.10.10.11/24 dev lan-dr

ip netns add client
ip link add ext0 type veth peer name eth0 netns client
ip address add 203.0.113.1/24 dev ext0 && ip link set ext0 up
ip -n client link set lo up
ip -n client address add 203.0.113.22/24 dev eth0 && ip -n client link set eth0 up
ip link add cl-dr type veth peer name eth1 netns client
ip link set cl-dr master lan-dr up
ip -n client address add 10.10.10.240/24 dev eth1 && ip -n client link set eth1 up

# host NAME BRIDGE ADDRESS PORT [GATEWAY]
host() {
    local name=$1 bridge=$2 address=$3 port=$4 gateway=${5:-}
    ip netns add "$name"
    ip link add "$name-p" type veth peer name eth0 netns "$name"
    ip link set "$name-p" master "$bridge" up
    ip -n "$name" link set lo up
    ip -n "$name" address add "$address/24" dev eth0 && ip -n "$name" link set eth0 up
    [ -z "$gateway" ] || ip -n "$name" route add default via "$gateway"
    mkdir -p "$www/$name"
    echo "$name" > "$www/$name/index.html"
    ip netns exec "$name" busybox httpd -p "$port" -h "$www/$name"
}
host rs1 lan-nat 10.10.20.12 80 10.10.20.11
host rs2 lan-nat 10.10.20.13 8080 10.10.20.11
host rs3 lan-dr 10.10.10.12 80
host rs4 lan-dr 10.10.10.13 80
echo "playground: namespaces client, rs1, rs2 (NAT), rs3, rs4 (DR); the director is the guest itself"
