#!/usr/bin/env bash
# LvsAdmin kernel lab: run a command inside a Debian 12 kernel (6.1 or 6.12,
# IPVS as modules) booted under qemu in pure software emulation (TCG, no KVM).
#
# The guest's root filesystem is the HOST's root, shared read-only over 9p, so
# every host tool (dotnet, pwsh, ipvsadm, iproute2, iptables, the repo at the
# same path) is available in the guest. /tmp, /var/tmp and /run are private
# tmpfs in the guest; a current directory below them (a clone under /tmp) is
# shared on its own and mounted at the same path, so a run works from any
# clone location. Directories on the way to the current directory, the NuGet
# cache and dotnet that other users cannot enter (/root is 700) are made
# enterable in the guest (each entry bind-mounted as it is), so a test that
# drops to nobody can still run the build's files.
# The guest can write to the host only through `--rw DIR`.
#
# Usage:
#   tests/lab/lab.sh prepare
#       install host packages, fetch + extract the kernel, build the initramfs
#       (idempotent; cached in ${LVS_LAB_CACHE:-$HOME/.cache/lvsadmin-lab})
#   tests/lab/lab.sh run [--timeout S] [--mem MB] [--rw DIR]... [--short-path] [--interactive] -- CMD [ARGS...]
#       prepare if needed, boot, run CMD in the guest (cwd = current dir),
#       exit with CMD's exit code. Job stdout -> stdout, job stderr -> stderr,
#       lab messages -> stderr. --short-path gives the job a PATH of one
#       directory of links to the commands the tests use (LAB_COMMANDS below):
#       pwsh lstat()s every file on PATH for Get-Help and its first command
#       lookup, and over 9p that costs minutes with the host's /usr/bin.
#       --interactive gives the job this terminal (the guest's first serial
#       port, with this terminal's size) instead of pipes: for a shell.
#   tests/lab/lab.sh kernel
#       print the kernel release the lab boots (after prepare)
#   tests/lab/lab.sh shell-check
#       boot and run a built-in IPVS/netns/dotnet smoke test; exit 0 if fine.
#
# Exit codes of `run`: the job's own code, or
#   124  the --timeout (default 2400 s) expired; qemu was killed
#   125  the lab could not boot / the guest died before reporting a result
#
# Environment:
#   LVS_LAB_KERNEL        which Debian kernel: 6.1 (default, linux-image-amd64)
#                         or 6.12 (linux-image-6.12-amd64, bookworm-security)
#   LVS_LAB_CACHE         cache dir (default $HOME/.cache/lvsadmin-lab); must
#                         not be under /tmp, /run, /dev, /proc or /sys
#   LVS_LAB_BOOT_TIMEOUT  seconds to wait for the guest to come up (default 300)
#   LVS_LAB_9P_CACHE      9p cache mode for the host root (default loose)
#   LVS_LAB_DEBUG=1       show kernel + init messages
#   LVS_LAB_DOTNET_PGO=1  keep .NET dynamic PGO on (default off in the guest:
#                         DOTNET_TieredPGO=0 makes startup ~30% faster)
#   LVS_LAB_KEEP_JOBDIR=1 keep the job dir ($CACHE/jobs/job.*) after the run
#   LVS_*                 all passed through into the job's environment
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${LVS_LAB_CACHE:-$HOME/.cache/lvsadmin-lab}
LAB_KERNEL=${LVS_LAB_KERNEL:-6.1}
case "$LAB_KERNEL" in
    6.1)  KERNEL_META=linux-image-amd64 ;;
    6.12) KERNEL_META=linux-image-6.12-amd64 ;;
    *) echo "lab: ERROR: LVS_LAB_KERNEL=$LAB_KERNEL: use 6.1 or 6.12" >&2; exit 2 ;;
esac
KROOT=$CACHE/kernel-$LAB_KERNEL     # extracted linux-image package
DEFAULT_TIMEOUT=2400
DEFAULT_MEM=4096

# Host packages (Debian names). busybox-static provides the initramfs shell and
# /bin/busybox, which the guest also uses for poweroff.
PACKAGES=(qemu-system-x86 busybox-static cpio kmod ipvsadm iproute2 iptables xz-utils zstd keepalived openssh-server openssh-client)
# Modules the initramfs itself must load to reach the host root (dependencies
# are added automatically from modules.dep).
INITRAMFS_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

msg() { echo "lab: $*" >&2; }
die() { echo "lab: ERROR: $*" >&2; exit 1; }

check_cache_path() {
    case "$CACHE/" in
        /tmp/*|/run/*|/var/tmp/*|/dev/*|/proc/*|/sys/*)
            die "LVS_LAB_CACHE=$CACHE is hidden from the guest (its /tmp, /var/tmp, /run are private); choose another path" ;;
    esac
}

# ---------------------------------------------------------------------------
# prepare: packages
# ---------------------------------------------------------------------------
APT_UPDATED=0
apt_update_once() {
    if [ "$APT_UPDATED" = 0 ]; then
        msg "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
        APT_UPDATED=1
    fi
}

ensure_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root; install them first"
    apt_update_once
    msg "installing: ${missing[*]}"
    # keepalived's and openssh-server's packages would start their services: the lab only runs them inside the guest's namespaces, so no
    # service may start on this host during the install (policy-rc.d 101 = not allowed).
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; own_policy=1; fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
            > "$CACHE/apt.log" 2>&1; then
        [ "$own_policy" = 0 ] || rm -f "$policy"
        cat "$CACHE/apt.log" >&2
        die "apt-get install ${missing[*]} failed"
    fi
    [ "$own_policy" = 0 ] || rm -f "$policy"
}

# ---------------------------------------------------------------------------
# prepare: kernel (downloaded, extracted into the cache, never installed)
# ---------------------------------------------------------------------------
kver() { cat "$KROOT/.kver"; }

ensure_kernel() {
    ensure_kernel_package
    local k
    k=$(kver)
    if [ ! -f "$KROOT/boot/vmlinux-$k" ] && [ ! -f "$KROOT/.no-vmlinux" ]; then
        extract_vmlinux "$KROOT/boot/vmlinuz-$k" "$KROOT/boot/vmlinux-$k" || touch "$KROOT/.no-vmlinux"
    fi
}

ensure_kernel_package() {
    [ -f "$KROOT/.kver" ] && [ -f "$KROOT/boot/vmlinuz-$(kver)" ] && return 0
    apt_update_once
    # linux-image-amd64 (and linux-image-6.12-amd64) is a metapackage; its
    # Depends names the real one, e.g. linux-image-6.1.0-56-amd64 or
    # linux-image-6.12.117+deb12-amd64.
    local pkg
    pkg=$(apt-cache depends "$KERNEL_META" 2>/dev/null \
          | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1)
    [ -n "$pkg" ] || die "cannot resolve $KERNEL_META to a versioned kernel package"
    msg "downloading $pkg"
    local dl=$CACHE/download
    rm -rf "$dl" "$KROOT.new"
    mkdir -p "$dl" "$KROOT.new"
    chmod 755 "$CACHE" "$dl"    # apt's _apt user may try to write here
    (cd "$dl" && apt-get download -q "$pkg" 2>&1 | grep -v 'Download is performed unsandboxed' >&2 || true)
    local deb
    deb=$(ls "$dl"/"$pkg"_*.deb 2>/dev/null | head -n1)
    [ -n "$deb" ] || die "apt-get download $pkg produced no .deb"
    msg "extracting $(basename "$deb")"
    dpkg-deb -x "$deb" "$KROOT.new"
    local k
    k=$(ls "$KROOT.new/lib/modules" | head -n1)
    [ -n "$k" ] && [ -f "$KROOT.new/boot/vmlinuz-$k" ] || die "unexpected layout in $deb"
    # The .deb ships no modules.dep (its postinst runs depmod): generate it.
    depmod -b "$KROOT.new" "$k"
    echo "$k" > "$KROOT.new/.kver"
    rm -rf "$KROOT" "$dl"
    mv "$KROOT.new" "$KROOT"
    msg "kernel $k ready in $KROOT"
}

# Decompress the bzImage's payload into a plain ELF vmlinux. Debian's kernel
# has CONFIG_PVH=y, so qemu can boot the ELF directly (PVH entry point): that
# skips the in-guest xz decompression, which takes ~3.5 s under TCG.
# Best effort: without it lab.sh boots the bzImage.
extract_vmlinux() {
    local in=$1 out=$2 magic tool off
    for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
        tool=${magic%%:*}
        off=$(LC_ALL=C grep -obUaP "${magic#*:}" "$in" 2>/dev/null | head -n1 | cut -d: -f1 || true)
        [ -n "$off" ] || continue
        case "$tool" in
            xz)   tail -c +"$((off + 1))" "$in" | xz -dcq    > "$out" 2>/dev/null || true ;;
            zstd) tail -c +"$((off + 1))" "$in" | zstd -dcq > "$out" 2>/dev/null || true ;;
            gzip) tail -c +"$((off + 1))" "$in" | gzip -dcq > "$out" 2>/dev/null || true ;;
        esac
        # Keep it only if it is an ELF file and the kernel has a PVH entry.
        if [ "$(head -c4 "$out" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] \
           && grep -qx 'CONFIG_PVH=y' "$(dirname "$in")"/config-*; then
            return 0
        fi
    done
    rm -f "$out"
    msg "note: could not extract an ELF vmlinux; booting the compressed bzImage (slower)"
    return 1
}

# ---------------------------------------------------------------------------
# prepare: initramfs (busybox + the 9p/virtio/overlay module chain + /init)
# ---------------------------------------------------------------------------
# Ordered, de-duplicated list of module files to insmod for INITRAMFS_MODULES,
# computed from the extracted kernel's modules.dep via host kmod.
initramfs_module_files() {
    local m
    for m in "${INITRAMFS_MODULES[@]}"; do
        modprobe -d "$KROOT" -S "$(kver)" --show-depends "$m" | awk '$1=="insmod"{print $2}'
    done | awk '!seen[$0]++'
}

initramfs_hash() {
    { cat "$LAB_DIR/guest-init.sh"; kver; echo "${INITRAMFS_MODULES[*]}"; sha256sum /bin/busybox; } \
        | sha256sum | cut -c1-16
}

initramfs_path() { echo "$CACHE/initramfs-$LAB_KERNEL-$(initramfs_hash).cpio.gz"; }

ensure_initramfs() {
    local out
    out=$(initramfs_path)
    [ -f "$out" ] && return 0
    msg "building initramfs $(basename "$out")"
    local work
    work=$(mktemp -d "$CACHE/initramfs-build.XXXXXX")
    mkdir -p "$work"/{bin,etc,lib/modules,proc,sys,dev,host}
    cp /bin/busybox "$work/bin/busybox"
    # busybox insmod cannot read compressed modules: store them uncompressed.
    local f base
    : > "$work/etc/lab-modules"
    while read -r f; do
        base=$(basename "$f")
        case "$f" in
            *.ko.xz)  base=${base%.xz};  xz -dc "$f"   > "$work/lib/modules/$base" ;;
            *.ko.zst) base=${base%.zst}; zstd -qdc "$f" > "$work/lib/modules/$base" ;;
            *.ko.gz)  base=${base%.gz};  gzip -dc "$f" > "$work/lib/modules/$base" ;;
            *)        cp "$f" "$work/lib/modules/$base" ;;
        esac
        echo "$base" >> "$work/etc/lab-modules"
    done < <(initramfs_module_files)
    [ -s "$work/etc/lab-modules" ] || die "could not compute the initramfs module list"
    install -m 755 "$LAB_DIR/guest-init.sh" "$work/init"
    msg "initramfs modules: $(tr '\n' ' ' < "$work/etc/lab-modules")"
    (cd "$work" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$work.cpio.gz"
    mv "$work.cpio.gz" "$out"
    rm -rf "$work"
    # Drop images built from older init templates (not recent ones: a
    # concurrent run may be about to boot one).
    find "$CACHE" -maxdepth 1 -name "initramfs-$LAB_KERNEL-*.cpio.gz" ! -path "$out" -mmin +60 -delete
}

cmd_prepare() {
    check_cache_path
    mkdir -p "$CACHE"
    # Several lab.sh may run at once (parallel runs share the cache): one
    # prepare at a time; the others wait and then find everything built.
    exec 9>"$CACHE/.prepare.lock"
    flock 9
    local t0=$SECONDS
    ensure_packages
    ensure_kernel
    ensure_initramfs
    msg "prepared (kernel $(kver), cache $CACHE) in $((SECONDS - t0)) s"
    exec 9>&-
}

# ---------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------
QEMU_PID=""
JOBDIR=""
ERR_PUMP_PID=""
cleanup() {
    if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
        kill "$QEMU_PID" 2>/dev/null || true
        sleep 1
        kill -9 "$QEMU_PID" 2>/dev/null || true
    fi
    if [ -n "$ERR_PUMP_PID" ]; then wait "$ERR_PUMP_PID" 2>/dev/null || true; fi
    if [ -n "$JOBDIR" ] && [ -z "${LVS_LAB_KEEP_JOBDIR:-}" ]; then rm -rf "$JOBDIR"; fi
}

# Write the job script: cwd, environment and the command, shell-quoted.
# The commands a --short-path job finds (links in /run/lab/bin, made by the job
# script from the full PATH before it switches). pwsh comes from $LVS_PWSH.
LAB_COMMANDS="bash sh env dotnet ip ipvsadm ipvsadm-save ipvsadm-restore iptables ip6tables iptables-save nft
    setpriv unshare nsenter mount umount sysctl modprobe lsmod busybox keepalived sshd ssh ssh-keygen ssh-keyscan
    curl wget nc timeout tc ping id whoami hostname uname ls mkdir rm rmdir cp mv chmod chown ln touch cat tee head
    tail wc sort uniq cut tr date sleep true false test expr stat readlink realpath dirname basename find xargs
    flock seq printf echo kill ps pgrep pkill grep sed awk diff cmp od sha256sum tar gzip mktemp sync getent"

write_job() {
    local file=$1 short_path=$2; shift 2
    local dotnet_dir="" v
    if command -v dotnet >/dev/null 2>&1; then
        dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
    fi
    {
        echo '#!/bin/bash'
        echo '# generated by tests/lab/lab.sh'
        printf 'export PATH=%q\n' "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${dotnet_dir:+:$dotnet_dir}"
        [ -n "$dotnet_dir" ] && printf 'export DOTNET_ROOT=%q\n' "$dotnet_dir"
        echo 'export HOME=/tmp/home DOTNET_CLI_HOME=/tmp DOTNET_NOLOGO=1'
        echo 'export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1'
        # Dynamic PGO instrumentation costs ~30% of a short process's startup
        # under TCG (hello world 2.9 s -> 2.0 s). LVS_LAB_DOTNET_PGO=1 keeps it.
        [ "${LVS_LAB_DOTNET_PGO:-0}" = 1 ] || echo 'export DOTNET_TieredPGO=0'
        if [ "${LAB_INTERACTIVE:-0}" = 1 ]; then
            printf 'export TERM=%q LANG=C.UTF-8 LVS_LAB_GUEST=1\n' "${TERM:-xterm}"
        else
            echo 'export TERM=dumb LANG=C.UTF-8 LVS_LAB_GUEST=1'
        fi
        # Pass LVS_* variables from the host through.
        for v in $(compgen -e | grep '^LVS_' || true); do
            case "$v" in LVS_LAB_GUEST) continue ;; esac
            printf 'export %s=%q\n' "$v" "${!v}"
        done
        echo 'mkdir -p "$HOME"'
        if [ "$short_path" = 1 ]; then
            echo 'mkdir -p /run/lab/bin'
            # One directory listing per PATH entry (a lookup per command costs a 9p round trip per PATH entry).
            printf 'declare -A want=(); for c in %s; do want[$c]=1; done\n' "$(echo $LAB_COMMANDS)"
            echo 'for d in ${PATH//:/ }; do for f in $(ls "$d" 2>/dev/null); do [ -n "${want[$f]:-}" ] && [ ! -e /run/lab/bin/"$f" ] && ln -s "$d/$f" /run/lab/bin/"$f"; done; done; unset want'

            [ -n "${LVS_PWSH:-}" ] && printf 'ln -sf %q /run/lab/bin/pwsh\n' "$LVS_PWSH"
            echo 'export PATH=/run/lab/bin'
        fi
        printf 'cd %q || exit 125\n' "$PWD"
        printf 'exec'; printf ' %q' "$@"; echo
    } > "$file"
}

cmd_run() {
    local timeout=$DEFAULT_TIMEOUT mem=$DEFAULT_MEM rw=() short_path=0
    LAB_INTERACTIVE=0
    while [ $# -gt 0 ]; do
        case "$1" in
            --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
            --timeout=*) timeout=${1#*=}; shift ;;
            --mem) mem=${2:?--mem needs MB}; shift 2 ;;
            --mem=*) mem=${1#*=}; shift ;;
            --rw) rw+=("$(cd "${2:?--rw needs a directory}" && pwd)"); shift 2 ;;
            --rw=*) rw+=("$(cd "${1#*=}" && pwd)"); shift ;;
            --short-path) short_path=1; shift ;;
            --interactive) LAB_INTERACTIVE=1; shift ;;
            --) shift; break ;;
            *) die "run: unexpected argument '$1' (usage: run [--timeout S] [--mem MB] [--rw DIR]... -- CMD [ARGS...])" ;;
        esac
    done
    [ $# -gt 0 ] || die "run: no command given (usage: run [--timeout S] [--mem MB] -- CMD [ARGS...])"
    [[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout must be whole seconds"
    [[ "$mem" =~ ^[0-9]+$ ]] || die "--mem must be MB"
    # A current directory below the guest's private /tmp, /var/tmp or /run is
    # shared on its own (its git top level, so ../ of a subfolder works too).
    local ro_share=""
    if hidden_in_guest "$PWD"; then
        ro_share=$(git -C "$PWD" rev-parse --show-toplevel 2>/dev/null || echo "$PWD")
        hidden_in_guest "$ro_share" || ro_share=$PWD
    fi

    cmd_prepare_quiet
    local k initrd kernel
    k=$(kver); initrd=$(initramfs_path)
    kernel=$KROOT/boot/vmlinuz-$k
    [ -f "$KROOT/boot/vmlinux-$k" ] && kernel=$KROOT/boot/vmlinux-$k

    mkdir -p "$CACHE/jobs"
    # Job dirs left behind by killed runs.
    find "$CACHE/jobs" -mindepth 1 -maxdepth 1 -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
    JOBDIR=$(mktemp -d "$CACHE/jobs/job.XXXXXX")
    trap cleanup EXIT
    trap 'msg "interrupted"; exit 130' INT TERM
    cp "$LAB_DIR/guest-stage2.sh" "$JOBDIR/stage2.sh"
    write_job "$JOBDIR/job.sh" "$short_path" "$@"

    local qemu_rw=() i=0 d
    : > "$JOBDIR/rw-mounts"
    if [ -n "$ro_share" ]; then
        qemu_rw+=(-virtfs "local,path=$ro_share,mount_tag=ro0,security_model=none,readonly=on,multidevs=remap")
        echo "ro0 $ro_share ro" >> "$JOBDIR/rw-mounts"
    fi
    for d in "${rw[@]}"; do
        qemu_rw+=(-virtfs "local,path=$d,mount_tag=rw$i,security_model=none,multidevs=remap")
        echo "rw$i $d rw" >> "$JOBDIR/rw-mounts"
        i=$((i + 1))
    done
    # --interactive: the job gets the first serial port as its terminal, with this terminal's size.
    if [ "$LAB_INTERACTIVE" = 1 ]; then
        [ -t 0 ] && [ -t 1 ] || die "--interactive needs a terminal on stdin and stdout"
        stty size > "$JOBDIR/interactive" 2>/dev/null || echo "24 80" > "$JOBDIR/interactive"
    fi
    # Paths whose ancestors the guest makes enterable for every user (stage 2).
    {
        echo "$PWD"
        [ -n "${LVS_PWSH_DLL:-}" ] && dirname "$LVS_PWSH_DLL"
        [ -n "${LVS_PESTER_MODULE:-}" ] && dirname "$LVS_PESTER_MODULE"
        command -v dotnet >/dev/null 2>&1 && dirname "$(readlink -f "$(command -v dotnet)")"
    } > "$JOBDIR/traverse"

    # ttyS1 (kernel console, init + lab messages, job stderr) -> host stderr,
    # through a fifo so it works whatever fd 2 is (tty, pipe, file, socket).
    mkfifo "$JOBDIR/serial-err"
    cat "$JOBDIR/serial-err" >&2 &
    ERR_PUMP_PID=$!

    local append="console=ttyS1 panic=-1 rdinit=/init lab.kver=$k lab.kdir=$KROOT"
    append+=" lab.9pcache=${LVS_LAB_9P_CACHE:-loose} mitigations=off random.trust_cpu=on"
    if [ "${LVS_LAB_DEBUG:-0}" = 1 ]; then append+=" loglevel=7 lab.debug=1"; else append+=" quiet loglevel=0"; fi

    # qboot (minimal firmware shipped with qemu) boots faster than SeaBIOS and
    # prints nothing; SeaBIOS would write its banner to ttyS0 = job stdout.
    local bios=()
    [ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)

    local t0 now
    t0=$(date +%s.%N)
    # ttyS0 = qemu stdio (job stdout); stdin is /dev/null so qemu never puts
    # the terminal into raw mode and Ctrl-C reaches us normally. Interactive:
    # stdin is the terminal, in raw mode while qemu runs (Ctrl-C goes to the job).
    local stdin_src=/dev/null
    [ "$LAB_INTERACTIVE" = 1 ] && stdin_src=/dev/stdin
    qemu-system-x86_64 \
        -nodefaults -no-user-config -nographic -no-reboot \
        -machine pc -accel tcg,thread=multi -cpu max -smp 2 -m "$mem" \
        "${bios[@]}" \
        -kernel "$kernel" -initrd "$initrd" -append "$append" \
        -serial stdio \
        -chardev "file,id=serr,path=$JOBDIR/serial-err" -serial chardev:serr \
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
        -virtfs "local,path=$JOBDIR,mount_tag=labjob,security_model=none,multidevs=remap" \
        "${qemu_rw[@]}" \
        -nic none \
        < "$stdin_src" &
    QEMU_PID=$!

    # Watch: boot deadline, overall deadline.
    local boot_timeout=${LVS_LAB_BOOT_TIMEOUT:-300} booted=0 status=""
    while kill -0 "$QEMU_PID" 2>/dev/null; do
        now=$(date +%s.%N)
        if [ "$booted" = 0 ] && [ -f "$JOBDIR/started" ]; then booted=1; fi
        if [ "$booted" = 0 ] && awk -v a="$now" -v b="$t0" -v l="$boot_timeout" 'BEGIN{exit !(a-b>l)}'; then
            status=boot-timeout; break
        fi
        if awk -v a="$now" -v b="$t0" -v l="$timeout" 'BEGIN{exit !(a-b>l)}'; then
            status=timeout; break
        fi
        sleep 0.2
    done
    if [ -n "$status" ]; then
        kill "$QEMU_PID" 2>/dev/null || true
    fi
    wait "$QEMU_PID" 2>/dev/null || true
    QEMU_PID=""
    wait "$ERR_PUMP_PID" 2>/dev/null || true
    ERR_PUMP_PID=""
    local wall
    wall=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN{printf "%.1f", a-b}')

    # Keep the guest's kernel log of the last run for post-mortems.
    [ -f "$JOBDIR/dmesg" ] && cp "$JOBDIR/dmesg" "$CACHE/last-dmesg.txt"

    if [ "$status" = timeout ]; then
        msg "TIMEOUT: the job did not finish within ${timeout} s; qemu killed (wall ${wall} s)"
        return 124
    fi
    if [ ! -f "$JOBDIR/started" ]; then
        if [ "$status" = boot-timeout ]; then
            msg "lab could not boot: guest did not come up within ${boot_timeout} s (try LVS_LAB_DEBUG=1)"
        else
            msg "lab could not boot: qemu exited before the guest came up (try LVS_LAB_DEBUG=1)"
        fi
        return 125
    fi
    if [ ! -f "$JOBDIR/rc" ]; then
        msg "guest died before reporting the job's exit code (wall ${wall} s; kernel log: $CACHE/last-dmesg.txt if any; try LVS_LAB_DEBUG=1)"
        return 125
    fi
    local rc boot="?" job="?"
    rc=$(cat "$JOBDIR/rc")
    # Guest uptime at hand-over = boot time; job-start..job-end = job time.
    # (Under TCG the guest clock follows the host's wall clock.)
    [ -f "$JOBDIR/job-start" ] && boot=$(cat "$JOBDIR/job-start")
    [ -f "$JOBDIR/job-start" ] && [ -f "$JOBDIR/job-end" ] && \
        job=$(awk -v a="$(cat "$JOBDIR/job-end")" -v b="$(cat "$JOBDIR/job-start")" 'BEGIN{printf "%.1f", a-b}')
    msg "boot ${boot} s, job ${job} s, total wall ${wall} s, exit code ${rc}"
    return "$rc"
}

hidden_in_guest() {
    case "$1/" in /tmp/*|/run/*|/var/tmp/*) return 0 ;; esac
    return 1
}

# prepare, but silent when everything is already cached.
cmd_prepare_quiet() {
    check_cache_path
    mkdir -p "$CACHE"
    if [ -f "$KROOT/.kver" ] && [ -f "$(initramfs_path)" ] && ensure_packages_quiet \
       && { [ -f "$KROOT/boot/vmlinux-$(kver)" ] || [ -f "$KROOT/.no-vmlinux" ]; }; then
        return 0
    fi
    cmd_prepare
}

ensure_packages_quiet() {
    local p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
    done
}

# ---------------------------------------------------------------------------
# shell-check: built-in smoke test
# ---------------------------------------------------------------------------
cmd_shell_check() {
    local rc=0
    cmd_run --timeout 600 -- bash -c '
        set -u
        fail=0
        step() { echo "== $*"; "$@" || { echo "!! FAILED: $*"; fail=1; }; }
        echo "kernel: $(uname -r)"
        step sh -c "lsmod | grep ip_vs"
        step ipvsadm -A -t 10.0.0.1:80 -s rr
        step ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -m
        step ipvsadm -Ln
        step sh -c "ipvsadm -Ln | grep -q 10.0.0.2:80"
        step ip netns add x
        step ip netns exec x ipvsadm -Ln
        step ls /usr/share/dotnet
        echo "modules: $(cat /run/lab-job/modules | head -n1)"
        exit $fail
    ' || rc=$?
    if [ "$rc" = 0 ]; then msg "shell-check: OK"; else msg "shell-check: FAILED (exit $rc)"; fi
    return "$rc"
}

case "${1:-}" in
    prepare)     shift; cmd_prepare "$@" ;;
    kernel)      shift; cmd_prepare_quiet >&2; kver ;;
    run)         shift; cmd_run "$@" ;;
    shell-check) shift; cmd_shell_check "$@" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
