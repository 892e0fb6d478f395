#!/usr/bin/env bash
# SSH hosts for the PowerShell-remoting lab suite (tests/LvsAdmin.Remoting.Tests.ps1): network namespaces on one
# bridge with the director, each running Debian's sshd with the PowerShell subsystem and key authentication.
# Runs as root in the kernel lab (the director is the guest's root namespace) and on a development host (the
# director is the namespace lvsr-dir there, so nothing touches the host's own network; run the client in it with
# `ip netns exec lvsr-dir ...`; LVS_SSH_DIRECTOR_NETNS=NAME chooses, "" = the root namespace).
#
#   ssh-hosts.sh up DIR [--pwsh-dll DLL] [--modules DIR]   build everything (removing a left-over topology first)
#   ssh-hosts.sh down DIR                                  stop the daemons, remove the namespaces
#
# Hosts (namespace lvsr-NAME, interface eth0 on the bridge lvsrbr0; IPv6 without duplicate address detection):
#   director  10.77.0.1   fd77::1     sshd too (host name dir1): a session into the director itself
#   dir2      10.77.0.2               a second director (pwsh + LvsAdmin)
#   rs1       10.77.0.11  fd77::11    real servers: pwsh + LvsAdmin, busybox httpd :80 answering its own name
#   rs2..rs4  10.77.0.12 .. .14
#   rs5                   fd77::15    IPv6 only (its session goes over IPv6)
#   nomod     10.77.0.20              pwsh whose module path has no LvsAdmin
#   plain     10.77.0.21              sshd without pwsh (sh only) + httpd: a real server set up by a sh script
#   cli       10.77.0.50  fd77::50    an HTTP client (no sshd), default routes via the director
#   down      10.77.0.99              in the ssh config but no host there: unreachable
# Nothing here touches IPVS, VIPs or the LVS sysctls: the tests do that through LvsAdmin over the sessions.
#
# Written to DIR:
#   id_ed25519{,.pub}  the client key (authorized for root on every host), known_hosts (every host key),
#   ssh_config         Host entries for every name above (User root, the key, BatchMode, ConnectTimeout 120: sshd re-executes itself per connection, slow under emulation),
#   bin/ssh            `ssh -F DIR/ssh_config "$@"`: put DIR/bin first on PATH and New-PSSession -HostName rs1 works,
#   hosts.json         [{Name, Namespace, IPv4, IPv6, Pwsh, Module, Httpd}] for the tests,
#   hosts/NAME/        sshd_config, host key, pwsh-sshs.sh (the subsystem: short PATH, HOME, module path, the
#                      LvsAdmin state and persist directories of that host), home/, state/, persist/, www/, logs.
set -euo pipefail

P=lvsr
BR=lvsrbr0
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
if [ -n "${LVS_SSH_DIRECTOR_NETNS+set}" ]; then DIRNS=$LVS_SSH_DIRECTOR_NETNS
elif [ "${LVS_LAB_GUEST:-0}" = 1 ]; then DIRNS=""
else DIRNS=$P-dir; fi

# name ipv4 ipv6 pwsh module httpd
HOSTS="dir2 10.77.0.2 - 1 1 0
rs1 10.77.0.11 fd77::11 1 1 1
rs2 10.77.0.12 - 1 1 1
rs3 10.77.0.13 - 1 1 1
rs4 10.77.0.14 - 1 1 1
rs5 - fd77::15 1 1 1
nomod 10.77.0.20 - 1 0 0
plain 10.77.0.21 - 0 0 1"

die() { echo "ssh-hosts: ERROR: $*" >&2; exit 1; }
in_dir() { if [ -n "$DIRNS" ]; then ip netns exec "$DIRNS" "$@"; else "$@"; fi; }
ipd() { if [ -n "$DIRNS" ]; then ip -n "$DIRNS" "$@"; else ip "$@"; fi; }

stop() {
    local dir=$1 f
    for f in "$dir"/hosts/*/*.pid; do
        [ -f "$f" ] || continue
        kill "$(cat "$f")" 2>/dev/null || true
        rm -f "$f"
    done
    { for n in $(echo "$HOSTS" | cut -d' ' -f1) cli; do echo "netns del $P-$n"; done
      [ -z "$DIRNS" ] || echo "netns del $DIRNS"; } | ip -force -b - 2>/dev/null || true
    [ -n "$DIRNS" ] || ip link del "$BR" 2>/dev/null || true
}

# sshd NAME NETNS LISTEN... : config, host key and the subsystem wrapper of one host; starts sshd in NETNS
start_sshd() {
    local name=$1 ns=$2; shift 2
    local h=$DIR/hosts/$name a
    mkdir -p "$h/home" "$h/state" "$h/persist"
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$h/ssh_host_ed25519_key"
    local pub; pub=$(cut -d' ' -f1,2 "$h/ssh_host_ed25519_key.pub")
    for a in "$@"; do echo "$a $pub" >> "$DIR/known_hosts"; done
    {
        echo "ListenAddress ${1}"; [ $# -lt 2 ] || echo "ListenAddress ${2}"
        echo "HostKey $h/ssh_host_ed25519_key"
        echo "PidFile $h/sshd.pid"
        echo "AuthorizedKeysFile $DIR/authorized_keys"
        echo "StrictModes no"
        echo "UsePAM no"
        echo "PermitRootLogin yes"
        echo "PubkeyAuthentication yes"
        echo "PasswordAuthentication no"
        echo "KbdInteractiveAuthentication no"
        echo "UseDNS no"
        echo "PrintMotd no"
        echo "MaxStartups 64"
        echo "MaxSessions 64"
        # sshd runs every command and subsystem through root's login shell, bash, which reads ~/.bashrc when started by
        # sshd: root's (pyenv, cargo, ...) costs half a minute per command over the lab's 9p. A HOME of the host's own
        # (empty) keeps it out; PATH as for the pwsh below.
        echo "SetEnv HOME=$h/home PATH=$PATH"
        [ "$pwsh" = 1 ] && echo "Subsystem powershell $h/pwsh-sshs.sh"
    } > "$h/sshd_config"
    if [ "$pwsh" = 1 ]; then
        # sshd gives the subsystem its own environment (PATH=/usr/bin:/bin:..., HOME=/root): pwsh lstat()s every
        # file on PATH, minutes over the lab's 9p, so the wrapper passes the caller's (short) PATH; HOME must be
        # writable (/root is read-only in the lab); each host keeps its own LvsAdmin undo records and -Persist files.
        local modpath=$MODULES
        [ "$module" = 1 ] || modpath=$h/no-modules
        mkdir -p "$modpath"
        {
            echo '#!/bin/sh'
            printf 'export PATH=%q HOME=%q XDG_CONFIG_HOME=%q XDG_DATA_HOME=%q XDG_CACHE_HOME=%q\n' \
                "$PATH" "$h/home" "$h/home/.config" "$h/home/.local/share" "$h/home/.cache"
            printf 'export DOTNET_ROOT=%q DOTNET_CLI_HOME=%q DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_TieredPGO=0\n' \
                "$DOTNET_DIR" "$h/home"
            echo 'export TERM=dumb LANG=C.UTF-8 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off'
            printf 'export PSModulePath=%q LVSADMIN_STATE_DIRECTORY=%q LVSADMIN_PERSIST_ROOT=%q LVS_SSH_HOST=%q\n' \
                "$modpath" "$h/state" "$h/persist" "$name"
            printf 'exec %q %q -sshs -NoProfile\n' "$DOTNET" "$PWSH_DLL"
        } > "$h/pwsh-sshs.sh"
        chmod 755 "$h/pwsh-sshs.sh"
    fi
    # Daemons must not inherit the caller's stdout/stderr: a caller that reads them (pwsh piping this script,
    # `| tail`) would wait for an end of file that never comes while they run.
    if [ -n "$ns" ]; then ip netns exec "$ns" /usr/sbin/sshd -f "$h/sshd_config" -E "$h/sshd.log" </dev/null >/dev/null 2>&1
    else /usr/sbin/sshd -f "$h/sshd_config" -E "$h/sshd.log" </dev/null >/dev/null 2>&1; fi
}

up() {
    DIR=$1; shift
    PWSH_DLL=${LVS_PWSH_DLL:-}
    MODULES=$REPO/out
    while [ $# -gt 0 ]; do
        case "$1" in
            --pwsh-dll) PWSH_DLL=$2; shift 2 ;;
            --modules) MODULES=$2; shift 2 ;;
            *) die "up: unexpected argument '$1'" ;;
        esac
    done
    [ "$(id -u)" = 0 ] || die "run as root"
    [ -n "$PWSH_DLL" ] && [ -f "$PWSH_DLL" ] || die "no pwsh.dll: source tests/pwsh-env.sh (LVS_PWSH_DLL) or give --pwsh-dll"
    [ -f "$MODULES/LvsAdmin/LvsAdmin.psd1" ] || die "$MODULES/LvsAdmin/LvsAdmin.psd1 missing: dotnet publish src/LvsAdmin -c Release -o out/LvsAdmin"
    DOTNET=$(readlink -f "$(command -v dotnet)") || die "dotnet not found"
    DOTNET_DIR=$(dirname "$DOTNET")
    stop "$DIR"
    rm -rf "$DIR"; mkdir -p "$DIR/bin" "$DIR/hosts"
    DIR=$(cd "$DIR" && pwd)
    mkdir -p /run/sshd    # sshd's privilege separation directory (/run is private in the lab)

    # Topology in a few `ip -batch` runs (every process start is slow under emulation).
    local b="" name v4 v6 pwsh module httpd
    [ -z "$DIRNS" ] || b+="netns add $DIRNS"$'\n'
    while read -r name v4 v6 pwsh module httpd; do b+="netns add $P-$name"$'\n'; done <<< "$HOSTS"$'\ncli - - 0 0 0'
    printf '%s' "$b" | ip -b -
    local d="link set lo up"$'\n'"link add $BR type bridge"$'\n'"link set $BR up"$'\n'
    d+="addr add 10.77.0.1/24 dev $BR"$'\n'"addr add fd77::1/64 dev $BR nodad"$'\n'
    b=""
    while read -r name v4 v6 pwsh module httpd; do
        b+="link add $name-p netns ${DIRNS:-1} type veth peer name eth0 netns $P-$name"$'\n'
        d+="link set $name-p master $BR up"$'\n'
    done <<< "$HOSTS"$'\ncli - - 0 0 0'
    # `netns 1` would be PID 1's namespace: in the root namespace create the veth there and move only the peer.
    [ -n "$DIRNS" ] || b=${b// netns 1 / }
    printf '%s' "$b" | ip -b -
    printf '%s' "$d" | ipd -b -
    while read -r name v4 v6 pwsh module httpd; do
        b="link set lo up"$'\n'"link set eth0 up"$'\n'
        [ "$v4" = - ] || b+="addr add $v4/24 dev eth0"$'\n'"route add default via 10.77.0.1"$'\n'
        [ "$v6" = - ] || b+="addr add $v6/64 dev eth0 nodad"$'\n'"route add ::/0 via fd77::1"$'\n'
        printf '%s' "$b" | ip -n "$P-$name" -b -
    done <<< "$HOSTS"$'\ncli 10.77.0.50 fd77::50 0 0 0'

    ssh-keygen -q -t ed25519 -N '' -C lvsadmin-lab -f "$DIR/id_ed25519"
    cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
    : > "$DIR/known_hosts"
    {
        echo "# generated by tests/lab/remoting/ssh-hosts.sh"
        echo "Host *"
        echo "    User root"
        echo "    IdentityFile $DIR/id_ed25519"
        echo "    IdentitiesOnly yes"
        echo "    UserKnownHostsFile $DIR/known_hosts"
        echo "    StrictHostKeyChecking yes"
        echo "    GlobalKnownHostsFile /dev/null"
        echo "    BatchMode yes"
        echo "    ConnectTimeout 120"
        echo "    LogLevel ERROR"
    } > "$DIR/ssh_config.tail"
    : > "$DIR/ssh_config"
    printf '#!/bin/sh\nexec %q -F %q "$@"\n' "$(command -v ssh)" "$DIR/ssh_config" > "$DIR/bin/ssh"
    chmod 755 "$DIR/bin/ssh"

    local json="" sep=""
    pwsh=1 module=1 start_sshd dir1 "$DIRNS" 10.77.0.1 fd77::1
    printf 'Host dir1\n    HostName 10.77.0.1\n' >> "$DIR/ssh_config"
    json+="{\"Name\":\"dir1\",\"Namespace\":\"${DIRNS}\",\"IPv4\":\"10.77.0.1\",\"IPv6\":\"fd77::1\",\"Pwsh\":true,\"Module\":true,\"Httpd\":false}"
    while read -r name v4 v6 pwsh module httpd; do
        local addrs=() h=$DIR/hosts/$name
        [ "$v4" = - ] || addrs+=("$v4")
        [ "$v6" = - ] || addrs+=("$v6")
        start_sshd "$name" "$P-$name" "${addrs[@]}"
        printf 'Host %s\n    HostName %s\n' "$name" "${addrs[0]}" >> "$DIR/ssh_config"
        if [ "$httpd" = 1 ]; then
            mkdir -p "$h/www"; echo "$name" > "$h/www/index.html"
            ip netns exec "$P-$name" busybox httpd -f -p 80 -h "$h/www" </dev/null >"$h/httpd.log" 2>&1 & echo $! > "$h/httpd.pid"
        fi
        json+=",{\"Name\":\"$name\",\"Namespace\":\"$P-$name\",\"IPv4\":$([ "$v4" = - ] && echo null || echo "\"$v4\""),"
        json+="\"IPv6\":$([ "$v6" = - ] && echo null || echo "\"$v6\""),\"Pwsh\":$([ "$pwsh" = 1 ] && echo true || echo false),"
        json+="\"Module\":$([ "$module" = 1 ] && echo true || echo false),\"Httpd\":$([ "$httpd" = 1 ] && echo true || echo false)}"
    done <<< "$HOSTS"
    json+=",{\"Name\":\"cli\",\"Namespace\":\"$P-cli\",\"IPv4\":\"10.77.0.50\",\"IPv6\":\"fd77::50\",\"Pwsh\":false,\"Module\":false,\"Httpd\":false}"
    json+=",{\"Name\":\"down\",\"Namespace\":null,\"IPv4\":\"10.77.0.99\",\"IPv6\":null,\"Pwsh\":false,\"Module\":false,\"Httpd\":false}"
    printf 'Host down\n    HostName 10.77.0.99\n' >> "$DIR/ssh_config"
    cat "$DIR/ssh_config.tail" >> "$DIR/ssh_config"; rm "$DIR/ssh_config.tail"
    echo "[$json]" > "$DIR/hosts.json"
    echo "$DIRNS" > "$DIR/director-netns"
    # sshd daemonizes once it listens: wait for every pid file (a second at most in practice).
    local i n
    for i in $(seq 100); do
        n=0; for name in dir1 $(echo "$HOSTS" | cut -d' ' -f1); do [ -s "$DIR/hosts/$name/sshd.pid" ] || n=$((n + 1)); done
        [ "$n" = 0 ] && break; sleep 0.1
    done
    [ "$n" = 0 ] || die "$n sshd did not start (see $DIR/hosts/*/sshd.log)"
    echo "ssh-hosts: up in $DIR (director: ${DIRNS:-root namespace})"
}

case "${1:-}" in
    up) [ $# -ge 2 ] || die "usage: $0 up DIR [--pwsh-dll DLL] [--modules DIR]"; shift; up "$@" ;;
    down)
        [ $# -ge 2 ] || die "usage: $0 down DIR"
        [ ! -f "$2/director-netns" ] || DIRNS=$(cat "$2/director-netns")
        stop "$2" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
