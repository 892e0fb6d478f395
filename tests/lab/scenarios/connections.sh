#!/usr/bin/env bash
# Lab scenario: create real IPVS connection entries (IPv4, IPv6, mixed family, UDP, persistence templates for a
# port service, a fwmark service and the SIP persistence engine, optionally SCTP) inside network namespaces, then
# print /proc/net/ip_vs_conn and /proc/net/ip_vs_conn_sync of the director namespace.
# Run it INSIDE the kernel lab (as root):  tests/lab/lab.sh run --timeout 900 -- tests/lab/scenarios/connections.sh
# With LVS_CONN_KEEP=1 the namespaces are left in place (for a test program to read /run/netns/lvsc-dir).
#
# Topology (all NAT except the mixed-family service, which must be a tunnel: IPVS allows a real server of another
# family only with IP tunnelling):
#   lvsc-cli 10.71.1.2 fd71:1::2 --veth-- 10.71.1.1 fd71:1::1 lvsc-dir 10.71.2.1 fd71:2::1 --veth-- 10.71.2.2 fd71:2::2 lvsc-rs
#   VIPs on the director's lo: 10.71.0.100/32, 10.71.0.101/32 (fwmark 7), fd71::100/128
#
# Shared setup: `connections.sh up` only builds the topology below (namespaces, veths, addresses, routes, VIPs,
# forwarding, the fwmark rule) and exits; `connections.sh down` removes it. The lab tests
# (tests/LvsAdmin.LabTests/ConnectionTests.cs) use these two and configure the IPVS services through the library.
set -u
NS_CLI=lvsc-cli NS_DIR=lvsc-dir NS_RS=lvsc-rs
cli() { ip netns exec "$NS_CLI" "$@"; }
dir() { ip netns exec "$NS_DIR" "$@"; }
rs()  { ip netns exec "$NS_RS" "$@"; }

cleanup() { for n in $NS_CLI $NS_DIR $NS_RS; do ip netns del "$n" 2>/dev/null || true; done; }

topology_up() {
    set -e
    cleanup
    for n in $NS_CLI $NS_DIR $NS_RS; do ip netns add "$n"; ip -n "$n" link set lo up; done
    ip link add c0 netns "$NS_CLI" type veth peer name d0 netns "$NS_DIR"
    ip link add r0 netns "$NS_RS" type veth peer name d1 netns "$NS_DIR"
    for n in $NS_CLI $NS_DIR $NS_RS; do
        ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    done
    ip -n "$NS_CLI" addr add 10.71.1.2/24 dev c0; ip -n "$NS_CLI" addr add fd71:1::2/64 dev c0 nodad; ip -n "$NS_CLI" link set c0 up
    ip -n "$NS_DIR" addr add 10.71.1.1/24 dev d0; ip -n "$NS_DIR" addr add fd71:1::1/64 dev d0 nodad; ip -n "$NS_DIR" link set d0 up
    ip -n "$NS_DIR" addr add 10.71.2.1/24 dev d1; ip -n "$NS_DIR" addr add fd71:2::1/64 dev d1 nodad; ip -n "$NS_DIR" link set d1 up
    ip -n "$NS_RS" addr add 10.71.2.2/24 dev r0; ip -n "$NS_RS" addr add fd71:2::2/64 dev r0 nodad; ip -n "$NS_RS" link set r0 up
    ip -n "$NS_CLI" route add default via 10.71.1.1; ip -n "$NS_CLI" -6 route add default via fd71:1::1
    ip -n "$NS_RS" route add default via 10.71.2.1; ip -n "$NS_RS" -6 route add default via fd71:2::1
    ip -n "$NS_DIR" addr add 10.71.0.100/32 dev lo; ip -n "$NS_DIR" addr add 10.71.0.101/32 dev lo; ip -n "$NS_DIR" addr add fd71::100/128 dev lo
    dir sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.vs.conntrack=1
    dir iptables -t mangle -A PREROUTING -d 10.71.0.101 -j MARK --set-mark 7
    set +e
}

case "${1:-}" in
    up) topology_up; exit 0 ;;
    down) cleanup; exit 0 ;;
    "") ;;
    *) echo "usage: $0 [up|down]" >&2; exit 2 ;;
esac
topology_up

# Services (ipvsadm is only the scenario's driver here; the library under test only reads the tables).
dir ipvsadm -A -t 10.71.0.100:80 -s rr
dir ipvsadm -a -t 10.71.0.100:80 -r 10.71.2.2:8080 -m
dir ipvsadm -A -t '[fd71::100]:80' -s rr
dir ipvsadm -a -t '[fd71::100]:80' -r '[fd71:2::2]:8080' -m
dir ipvsadm -A -t '[fd71::100]:81' -s rr                              # mixed family: IPv6 VIP, IPv4 real server
dir ipvsadm -a -t '[fd71::100]:81' -r 10.71.2.2:81 -i
dir ipvsadm -A -u 10.71.0.100:53 -s rr
dir ipvsadm -a -u 10.71.0.100:53 -r 10.71.2.2:5353 -m
dir ipvsadm -A -t 10.71.0.100:443 -s rr -p 120                        # persistent port service -> TCP template
dir ipvsadm -a -t 10.71.0.100:443 -r 10.71.2.2:443 -m
dir ipvsadm -A -f 7 -s rr -p 120                                      # persistent fwmark service -> "IP" template
dir ipvsadm -a -f 7 -r 10.71.2.2:0 -m
if dir ipvsadm -A -u 10.71.0.100:5060 -s rr -p 120 --pe sip; then     # SIP persistence engine -> pe data
    dir ipvsadm -a -u 10.71.0.100:5060 -r 10.71.2.2:5060 -m
fi
if modprobe -q sctp 2>/dev/null; then
    dir ipvsadm -A --sctp-service 10.71.0.100:3868 -s rr
    dir ipvsadm -a --sctp-service 10.71.0.100:3868 -r 10.71.2.2:3868 -m
fi

# A listener on the real server makes the TCP entries ESTABLISHED (without one they are CLOSE/SYN_RECV, still
# entries). python3 is optional; bash alone creates the entries.
if command -v python3 >/dev/null 2>&1; then
    rs python3 - <<'PY' &
import socket, threading, time
def serve(fam, addr, port):
    s = socket.socket(fam, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port)); s.listen(16)
    while True:
        c, _ = s.accept(); threading.Thread(target=lambda c=c: (time.sleep(600), c.close()), daemon=True).start()
for fam, addr, port in [(socket.AF_INET, "0.0.0.0", 8080), (socket.AF_INET6, "::", 8080), (socket.AF_INET, "0.0.0.0", 443)]:
    threading.Thread(target=serve, args=(fam, addr, port), daemon=True).start()
time.sleep(900)
PY
    # python starts slowly under emulation: wait until the three listeners are up (at most 60 s)
    for _ in $(seq 60); do [ "$(rs ss -Hltn | wc -l)" -ge 3 ] && break; sleep 1; done
fi
echo "=== services"
dir ipvsadm -Ln

# Client traffic: bash /dev/tcp and /dev/udp. Connections are held open in the background.
cli bash -c 'exec 3<>/dev/tcp/10.71.0.100/80; sleep 600' &
cli bash -c 'exec 3<>/dev/tcp/fd71::100/80; sleep 600' &
cli timeout 3 bash -c 'exec 3<>/dev/tcp/fd71::100/81' 2>/dev/null &
cli bash -c 'echo query > /dev/udp/10.71.0.100/53'
cli bash -c 'exec 3<>/dev/tcp/10.71.0.100/443; sleep 600' &
cli timeout 3 bash -c 'exec 3<>/dev/tcp/10.71.0.101/8000' 2>/dev/null &
# One datagram: bash's own stdout is line-buffered (every line would be a datagram of its own, and the SIP PE drops
# a first datagram without Call-ID), so the message goes through a file and cat (a single write()).
printf 'OPTIONS sip:rs@10.71.0.100 SIP/2.0\r\nVia: SIP/2.0/UDP 10.71.1.2:5060\r\nCall-ID: lab-call-4711@10.71.1.2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' > /tmp/lvsc-sip.msg
cli bash -c 'cat /tmp/lvsc-sip.msg > /dev/udp/10.71.0.100/5060'
if command -v python3 >/dev/null 2>&1 && lsmod | grep -q '^sctp'; then
    cli timeout 3 python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132); s.settimeout(2)
try: s.connect(("10.71.0.100", 3868))
except Exception: pass' 2>/dev/null &
fi
sleep 4

echo "=== ipvsadm -Lnc"
dir ipvsadm -Lnc
echo "=== ipvsadm -Lnc --persistent-conn"
dir ipvsadm -Lnc --persistent-conn
echo "=== stats"
dir ipvsadm -Ln --stats
echo "=== /proc/net/ip_vs_conn"
dir cat /proc/net/ip_vs_conn
echo "=== /proc/net/ip_vs_conn_sync"
dir cat /proc/net/ip_vs_conn_sync
echo "=== end"
export LVS_CONN_RAW_SYNC_LINES=$(dir cat /proc/net/ip_vs_conn_sync | wc -l)

if [ -n "${LVS_CONN_RUN:-}" ]; then
    # Optional: run a program against the live tables (e.g. the LabTests dll) while the entries exist.
    eval "$LVS_CONN_RUN"
fi
if [ -z "${LVS_CONN_KEEP:-}" ]; then
    kill $(jobs -p) 2>/dev/null
    cleanup
fi
exit 0
