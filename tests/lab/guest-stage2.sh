#!/bin/bash
# LvsAdmin kernel lab -- guest stage 2 (runs as PID 1 after switch_root).
#
# The root filesystem is now the HOST's root (read-only 9p) with tmpfs on
# /tmp, /var/tmp and /run, and the lab kernel's modules at /lib/modules/<kver>.
# lab.sh copies this file into the job dir for every run, so edits take
# effect without rebuilding the initramfs.
#
# Serial ports (see lab.sh):  /dev/ttyS0 -> host stdout,  /dev/ttyS1 -> host stderr.
# Job dir (writable 9p share):  /run/lab-job
#   in:  job.sh (cwd, env, command), rw-mounts
#   out: started (guest uptime when init handed over), job-start, job-end,
#        rc (job exit code), modules (load summary), dmesg
#
# No `set -e`: this is PID 1. Whatever happens we must reach the poweroff at
# the bottom (if PID 1 exits the kernel panics; panic=-1 + qemu -no-reboot
# turn that into a qemu exit as well, but without an rc file).

JOB=/run/lab-job
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Status output goes to ttyS1 (host stderr); nothing reads our stdin.
exec </dev/null >/dev/ttyS1 2>&1

# Serial lines in raw mode: no \n -> \r\n translation, no echo.
stty -F /dev/ttyS0 raw -echo 2>/dev/null
stty -F /dev/ttyS1 raw -echo 2>/dev/null

# Kernel messages (e.g. IPVS warnings) must not interleave with job output:
# lab.sh boots with loglevel=0 (nothing reaches the console; LVS_LAB_DEBUG=1
# keeps them); the kernel log is saved to $JOB/dmesg at the end instead.

uptime_s() { cut -d' ' -f1 /proc/uptime; }
DEBUG=0; grep -qw lab.debug=1 /proc/cmdline && DEBUG=1
dbg() { [ "$DEBUG" = 1 ] && echo "lab-stage2 [$(uptime_s)]: $*"; return 0; }
dbg "stage 2 started"

hostname lvs-lab 2>/dev/null

# --- load the modules the lab promises ----------------------------------------
# Uses the host's kmod against the lab kernel's modules (bind-mounted by the
# initramfs), so soft dependencies (ip_vs -> crc32c) and aliases are honoured.
# Required ones fail the run; optional ones are only reported. (In 6.1 the
# MARK target lives in xt_mark; ip_vs_twos only exists from 6.2 on.)
REQUIRED="crc32c_generic ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr
          ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh
          nf_conntrack veth bridge dummy"
OPTIONAL="ip_vs_twos ip_vs_ftp ip_vs_pe_sip ipip ip_gre gre ip6_tunnel fou fou6 tun
          nf_tables nft_compat nft_chain_nat nft_ct nft_nat nf_nat
          x_tables ip_tables ip6_tables iptable_filter iptable_mangle iptable_nat
          ip6table_filter ip6table_mangle ip6table_nat
          xt_mark xt_connmark xt_multiport xt_conntrack xt_tcpudp xt_ipvs xt_comment xt_addrtype
          8021q macvlan sch_netem"
loaded=() missing_req=() missing_opt=()
is_loaded() { [ -d "/sys/module/${1//-/_}" ]; }
# One modprobe process for the whole list is much faster than one per module
# under TCG (each exec reads kmod's indexes over 9p); then check each module
# and retry the ones that are not there individually, to report them.
dbg "modprobe -a"
modprobe -a -q $REQUIRED $OPTIONAL 2>/dev/null
dbg "modprobe -a done"
for m in $REQUIRED; do
    if is_loaded "$m" || modprobe -q "$m" 2>/dev/null; then loaded+=("$m"); else missing_req+=("$m"); fi
done
for m in $OPTIONAL; do
    if is_loaded "$m" || modprobe -q "$m" 2>/dev/null; then loaded+=("$m"); else missing_opt+=("$m"); fi
done
summary="lab: kernel $(uname -r): loaded ${#loaded[@]} modules; missing required: ${missing_req[*]:-none}; missing optional: ${missing_opt[*]:-none}"
{ echo "$summary"; echo "loaded: ${loaded[*]}"; } > "$JOB/modules"
echo "$summary"

dbg "modules checked"

# --- make the job's paths enterable for every user ------------------------------
# A clone under /root (mode 700) cannot be entered by a test's child that drops
# to nobody. For each directory on the way to the paths lab.sh listed that
# others may not enter, put a tmpfs (mode 755) over it and bind every entry of
# the original back in place: contents and their own modes stay as they are.
shadow_dir() {
    local d=$1 keep e name
    keep=/run/lab/shadow$(echo "$d" | tr / _)
    mkdir -p "$keep" && mount --rbind "$d" "$keep" || return 1
    mount -t tmpfs -o mode=755 tmpfs "$d" || { umount -l "$keep"; return 1; }
    for e in "$keep"/* "$keep"/.[!.]* "$keep"/..?*; do
        [ -e "$e" ] || [ -L "$e" ] || continue
        name=${e##*/}
        if [ -L "$e" ]; then cp -P "$e" "$d/$name"
        elif [ -d "$e" ]; then mkdir "$d/$name" && mount --rbind "$e" "$d/$name"
        else : > "$d/$name" && mount --bind "$e" "$d/$name"; fi
    done
    dbg "made $d enterable"
}
if [ -f "$JOB/traverse" ]; then
    while read -r target; do
        [ -n "$target" ] || continue
        p=""
        for part in $(echo "$target" | tr / ' '); do
            p="$p/$part"
            [ -d "$p" ] || break
            perm=$(stat -c %A "$p")
            [ "${perm:9:1}" = x ] || [ "${perm:9:1}" = t ] || shadow_dir "$p"
        done
    done < "$JOB/traverse"
fi

# --- basic networking -----------------------------------------------------------
ip link set lo up

# --- run the job ---------------------------------------------------------------
# job.sh (written by the host) sets cwd + environment and execs the command.
# Its stdout/stderr go through pipes (not straight to the serial ttys) so the
# job sees the same "output is redirected" world as in CI: no tty-only
# progress bars or colour codes.
mkdir -p /tmp/home
mkfifo /run/lab/out /run/lab/err
cat /run/lab/out > /dev/ttyS0 & pout=$!
cat /run/lab/err > /dev/ttyS1 & perr=$!

if [ ${#missing_req[@]} -gt 0 ]; then
    echo "lab: FATAL: required modules failed to load: ${missing_req[*]}" > /run/lab/err
    : > /run/lab/out
    rc=125
else
    uptime_s > "$JOB/job-start"
    if [ -f "$JOB/interactive" ]; then
        # lab.sh run --interactive: the job's terminal is ttyS0 (qemu's stdio), its controlling tty in a new
        # session, with the host terminal's size; the output pumps only see the end of the run.
        read -r rows cols < "$JOB/interactive"
        stty -F /dev/ttyS0 sane rows "${rows:-24}" cols "${cols:-80}" 2>/dev/null
        setsid -w -c env -i /bin/bash "$JOB/job.sh" < /dev/ttyS0 > /dev/ttyS0 2>&1
        rc=$?
        : > /run/lab/out; : > /run/lab/err
    else
        env -i /bin/bash "$JOB/job.sh" < /dev/null > /run/lab/out 2> /run/lab/err
        rc=$?
    fi
    uptime_s > "$JOB/job-end"
fi

# Let the output pumps finish; if the job left background processes holding
# the pipes open, give up on them after a few seconds.
for _ in $(seq 50); do
    kill -0 "$pout" 2>/dev/null || kill -0 "$perr" 2>/dev/null || break
    sleep 0.1
done
kill "$pout" "$perr" 2>/dev/null
wait "$pout" "$perr" 2>/dev/null

# --- report back and power off --------------------------------------------------
dmesg > "$JOB/dmesg" 2>/dev/null
echo "$rc" > "$JOB/rc"
sync
# Drain the serial transmit buffers (tcsetattr with TCSADRAIN waits until the
# UART has sent everything) so the tail of the output is not lost.
stty -F /dev/ttyS0 raw 2>/dev/null
stty -F /dev/ttyS1 raw 2>/dev/null
sleep 0.2
if [ -x /bin/busybox ]; then /bin/busybox poweroff -f; fi
echo o > /proc/sysrq-trigger
sleep 30
