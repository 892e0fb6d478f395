#!/bin/busybox sh
# LvsAdmin kernel lab -- initramfs /init (runs as PID 1 under busybox sh).
#
# This file is copied verbatim into the initramfs by tests/lab/lab.sh; the
# initramfs is rebuilt automatically whenever this file changes (hashed).
#
# Job: bring up just enough to mount the HOST root filesystem (shared by qemu
# over 9p/virtio), make it usable as a root (tmpfs /tmp and /run, proc, sys,
# dev, the lab kernel's modules visible at /lib/modules/<kver>), then
# switch_root into it and hand over to the per-run stage 2 script that the
# host placed in the job directory (a second, writable 9p share).
#
# Kernel command line parameters read here (set by lab.sh):
#   lab.kver=<kver>        kernel release, e.g. 6.1.0-56-amd64
#   lab.kdir=<path>        host path of the extracted kernel package root
#   lab.9pcache=<mode>     9p cache mode for the (read-only) host root
#   lab.debug=1            verbose init

/bin/busybox mkdir -p /proc /sys /dev /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Everything this script prints goes to /dev/console, which lab.sh points at
# the second serial port (ttyS1) = the host's stderr.
log() { [ "$LAB_DEBUG" = 1 ] && echo "lab-init: $*"; return 0; }

# If anything essential fails, say so loudly and power off: the host sees no
# "started" marker in the job dir and reports "lab could not boot".
die() {
    echo "lab-init: FATAL: $*"
    echo "lab-init: dropping to poweroff (host will report that the lab could not boot)"
    sync
    poweroff -f
    sleep 5
    echo o > /proc/sysrq-trigger
    sleep 60
}

# --- parse our parameters from the kernel command line -------------------------
KVER="" KDIR="" P9CACHE="loose" LAB_DEBUG=0
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        lab.kver=*)    KVER="${arg#lab.kver=}" ;;
        lab.kdir=*)    KDIR="${arg#lab.kdir=}" ;;
        lab.9pcache=*) P9CACHE="${arg#lab.9pcache=}" ;;
        lab.debug=1)   LAB_DEBUG=1 ;;
    esac
done
[ -n "$KVER" ] && [ -n "$KDIR" ] || die "lab.kver/lab.kdir missing from kernel command line"

# --- step 1: load virtio-pci + 9p + overlay -------------------------------------
# In Debian's kernel these are modules, not built-in. lab.sh computed their
# dependency order from the kernel's modules.dep at initramfs build time and
# listed it in /etc/lab-modules (one .ko file name per line, in load order).
while read -r ko; do
    [ -n "$ko" ] || continue
    log "insmod $ko"
    insmod "/lib/modules/$ko" || die "insmod $ko failed"
done < /etc/lab-modules

# --- step 2: mount the host root read-only at /host ----------------------------
# Read-only share; cache=loose lets the guest cache file data and metadata,
# which matters a lot for dotnet startup (thousands of small reads).
mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache="$P9CACHE" hostroot /host \
    || die "cannot mount the host root over 9p (tag hostroot)"

# --- step 3: private writable scratch: /tmp, /var/tmp and /run are tmpfs -------
# dotnet needs a writable /tmp (shared-memory / IPC dir); ip netns needs /run.
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /host/tmp || die "tmpfs /tmp"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /host/run || die "tmpfs /run"
[ -d /host/var/tmp ] && mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /host/var/tmp

# --- step 4: the job directory (writable 9p share, tag labjob) -----------------
# The host wrote stage2.sh + job.sh there; the guest writes markers, the exit
# code and dmesg back. No caching: the host must see our writes.
mkdir -p /host/run/lab-job
mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=512000,cache=none labjob /host/run/lab-job \
    || die "cannot mount the job directory over 9p (tag labjob)"

# --- step 5: extra host directories (lab.sh run --rw DIR; a cwd under /tmp) ---
# lab.sh lists them in the job dir as "<tag> <path> <rw|ro>". The mount point
# exists in the read-only root because the directory exists on the host,
# except below the guest's own tmpfs /tmp, /var/tmp, /run: created there.
if [ -f /host/run/lab-job/rw-mounts ]; then
    while read -r tag path mode; do
        [ -n "$tag" ] || continue
        case "$path/" in /tmp/*|/var/tmp/*|/run/*) mkdir -p "/host$path" ;; esac
        if [ "$mode" = ro ]; then opts="ro,cache=$P9CACHE"; else opts="rw,cache=none"; fi
        mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,$opts "$tag" "/host$path" \
            || die "cannot mount shared directory $path ($mode)"
    done < /host/run/lab-job/rw-mounts
fi

# --- step 6: proc, sys, dev inside the new root --------------------------------
mount --move /proc /host/proc || die "move /proc"
mount --move /sys /host/sys   || die "move /sys"
mount --move /dev /host/dev   || die "move /dev"
mkdir -p /host/dev/pts /host/dev/shm /host/dev/mqueue
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /host/dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /host/dev/shm
mount -t mqueue mqueue /host/dev/mqueue 2>/dev/null
mount -t tmpfs -o mode=755 tmpfs /host/sys/fs/cgroup 2>/dev/null && \
    { mount -t cgroup2 cgroup2 /host/sys/fs/cgroup 2>/dev/null || umount /host/sys/fs/cgroup; }

# --- step 7: make the lab kernel's modules appear at /lib/modules/<kver> -------
# The host root is read-only and typically has no /lib/modules/<kver> for this
# kernel (often no /lib/modules at all), so put an overlayfs (upper layer on
# the /run tmpfs) over the real directory behind /lib, create modules/<kver>
# in it and bind the extracted kernel's module tree (visible through the 9p
# root at <kdir>/lib/modules/<kver>) there. Then the host's own kmod
# (modprobe, with softdeps, aliases, ...) works unchanged inside the guest,
# and so does the kernel's automatic module loading (request_module).
libdir=$(readlink -f /host/lib)            # e.g. /host/usr/lib on merged-/usr
case "$libdir" in /host/*) ;; *) die "unexpected /lib resolution: $libdir" ;; esac
mkdir -p /host/run/lab/ovl/upper /host/run/lab/ovl/work
mount -t overlay overlay \
    -o lowerdir="$libdir",upperdir=/host/run/lab/ovl/upper,workdir=/host/run/lab/ovl/work "$libdir" \
    || die "overlayfs over $libdir failed"
mkdir -p "$libdir/modules/$KVER"
mount --bind "/host$KDIR/lib/modules/$KVER" "$libdir/modules/$KVER" \
    || die "bind of lab kernel modules failed"

# --- step 8: tell the host we are up --------------------------------------------
cut -d' ' -f1 /host/proc/uptime > /host/run/lab-job/started
log "switching root"

# --- step 9: switch_root into the host root, run stage 2 as PID 1 --------------
# switch_root (not a plain chroot in a child) so that PID 1's root -- which
# kernel threads share -- becomes the host root: the kernel's own module
# autoloading then finds /sbin/modprobe and /lib/modules there.
[ -f /host/run/lab-job/stage2.sh ] || die "stage2.sh missing in the job dir"
exec switch_root /host /bin/bash /run/lab-job/stage2.sh
die "switch_root failed"
