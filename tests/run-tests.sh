#!/usr/bin/env bash
# LvsAdmin's one test command (README "Test"; .ci/run calls it):
#   1. build the solution (Release),
#   2. unit tests on the host (xunit),
#   3. pwsh 7.6.9 (dotnet tool restore) and Pester 5.9.1 (NuGet restore), the host Pester suites (tests/host),
#   4. the kernel lab on Linux 6.1 and 6.12 (LVS_LAB_KERNELS): the in-VM C# suite, then every Pester suite
#      (tests/*.Tests.ps1) under real pwsh against the real kernel,
#   5. optionally (LVS_BENCH=1, or LVS_BENCH=full) the benchmarks against ipvsadm in the same VM.
# Prints the count of each part, what was skipped and why, and closes with "N passed, N failed, N skipped".
# Exit code: 0 only if every part that ran passed and the lab booted.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOGDIR=${LVS_TEST_LOGDIR:-$ROOT/out/test-logs}
mkdir -p "$LOGDIR"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# pwsh precompiled (ReadyToRun) for the lab, as Microsoft's packages ship it (tests/pwsh-env.sh).
export LVS_PWSH_R2R=${LVS_PWSH_R2R:-1}

declare -a SUMMARY=() SKIPS=()
TOTAL_PASS=0 TOTAL_FAIL=0 TOTAL_SKIP=0 STATUS=0

section() { printf '\n=== %s ===\n' "$*"; }
add_counts() { # part passed failed skipped
    SUMMARY+=("$1: $2 passed, $3 failed, $4 skipped")
    TOTAL_PASS=$((TOTAL_PASS + $2)); TOTAL_FAIL=$((TOTAL_FAIL + $3)); TOTAL_SKIP=$((TOTAL_SKIP + $4))
    [ "$3" -eq 0 ] || STATUS=1
}

section "build"
if ! command -v dotnet >/dev/null; then
    echo "dotnet SDK not found: install the .NET SDK (10.0 or later) first." >&2
    exit 1
fi
if ! dotnet build LvsAdmin.slnx -c Release -nologo -v quiet 2>&1 | tee "$LOGDIR/build.log" | grep -E "error|Warn|warn" ; then :; fi
if ! grep -q " 0 Error(s)" "$LOGDIR/build.log"; then
    echo "build failed (see $LOGDIR/build.log)"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

section "unit tests (host, xunit)"
dotnet test tests/LvsAdmin.Tests -c Release --no-build -nologo --logger "trx;LogFileName=unit.trx" --results-directory "$LOGDIR" 2>&1 | tee "$LOGDIR/unit.log"
line=$(grep -E "^(Passed|Failed)!" "$LOGDIR/unit.log" | tail -1)
if [ -z "$line" ]; then
    echo "unit tests did not report a result"; add_counts unit 0 1 0
else
    p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line"); f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line"); s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$line")
    add_counts unit "$p" "$f" "$s"
    # xunit prints skipped tests with their reason; keep them for the summary
    while IFS= read -r l; do SKIPS+=("unit: $l"); done < <(grep -E "^\s+Skipped " "$LOGDIR/unit.log" | sed -E 's/^\s+//' || true)
fi

section "PowerShell 7.6.9 and Pester 5.9.1 (local tool manifest, NuGet restore)"
# pwsh and Pester come from NuGet (tests/pwsh-env.sh): a fresh machine gets them here. Without them every
# PowerShell part fails: nothing about PowerShell is skipped.
PWSH_OK=0
if . tests/pwsh-env.sh >"$LOGDIR/pwsh-env.log" 2>&1; then
    PWSH_OK=1
    echo "pwsh: $LVS_PWSH_DLL"; echo "Pester: $LVS_PESTER_MODULE"
    dotnet publish src/LvsAdmin -c Release -o out/LvsAdmin -nologo -v quiet >"$LOGDIR/publish.log" 2>&1 \
        || { echo "publish failed (see $LOGDIR/publish.log)"; PWSH_OK=0; }
else
    cat "$LOGDIR/pwsh-env.log"
fi

# pester_part NAME LOG: the "NAME: N passed, N failed, N skipped" line a Pester runner printed, into the totals.
pester_part() {
    local name=$1 log=$2 rc=$3 line p f s
    line=$(grep -E "^[a-z-]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped" "$log" | tail -1)
    if [ -z "$line" ]; then
        echo "$name did not report a result (exit $rc)"; add_counts "$name" 0 1 0; return
    fi
    read -r p f s < <(sed -E 's/^[a-z-]+: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$line")
    [ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
    add_counts "$name" "$p" "$f" "$s"
    while IFS= read -r l; do SKIPS+=("$name: ${l#SKIP }"); done < <(grep -E "^SKIP " "$log" || true)
    # Pester's skipped tests ("[!] NAME is skipped, because WHY TIME"), one line per reason with the tests it covers.
    while IFS= read -r l; do SKIPS+=("$name: $l"); done < <(grep -E '^\s*\[!\] .* is skipped, because ' "$log" |
        sed -E 's/^\s*\[!\] //; s/ [0-9.]+m?s \([^)]*\)\s*$//' |
        awk '{ id = $1; r = $0; sub(/.* is skipped, because /, "", r)
               if (!(r in ids)) { order[++n] = r; ids[r] = id; cnt[r] = 1 } else { ids[r] = ids[r] ", " id; cnt[r]++ } }
             END { for (i = 1; i <= n; i++) { r = order[i]; printf "%d skipped (%s): %s\n", cnt[r], ids[r], r } }' || true)
}

section "PowerShell on the host (Pester: binding, views, completion, help, manifest)"
if [ "$PWSH_OK" = 1 ] && [ -f tests/Invoke-HostPester.ps1 ]; then
    "$LVS_PWSH" -NoProfile -NonInteractive -File tests/Invoke-HostPester.ps1 2>&1 | tee "$LOGDIR/pester-host.log"
    pester_part pester-host "$LOGDIR/pester-host.log" "${PIPESTATUS[0]}"
elif [ "$PWSH_OK" = 1 ]; then
    SKIPS+=("pester-host: tests/Invoke-HostPester.ps1 is not in this checkout")
else
    add_counts pester-host 0 1 0
fi

section "PowerShell Gallery package (build.ps1 -Package; Install-PSResource into a clean module path)"
if [ "$PWSH_OK" = 1 ]; then
    "$LVS_PWSH" -NoProfile -NonInteractive -File tests/Test-Package.ps1 2>&1 | tee "$LOGDIR/package.log"
    pester_part package "$LOGDIR/package.log" "${PIPESTATUS[0]}"
else
    add_counts package 0 1 0
fi

# The kernel lab, once per kernel: the in-VM C# suite, then the Pester suites under pwsh in the same kernel.
# LVS_LAB_KERNELS="6.1 6.12" by default (6.12 has the twos scheduler and the newer IPVS code).
KERNELS=${LVS_LAB_KERNELS:-6.1 6.12}
FIRST_KERNEL=${KERNELS%% *}
for kernel in $KERNELS; do
    export LVS_LAB_KERNEL=$kernel
    section "kernel lab, Linux $kernel (qemu, Debian kernel with IPVS)"
    LAB_DLL=tests/LvsAdmin.LabTests/bin/Release/net10.0/LvsAdmin.LabTests.dll
    if ! tests/lab/lab.sh prepare 2>&1 | tee "$LOGDIR/lab-prepare-$kernel.log"; then
        echo "the kernel lab ($kernel) could not be prepared (see $LOGDIR/lab-prepare-$kernel.log)"
        add_counts "lab $kernel" 0 1 0; add_counts "pester $kernel" 0 1 0
        continue
    fi
    krel=$(tests/lab/lab.sh kernel 2>/dev/null)
    tests/lab/lab.sh run --timeout "${LVS_LAB_TIMEOUT:-2400}" -- dotnet "$LAB_DLL" 2>&1 | tee "$LOGDIR/lab-$kernel.log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E "^lab: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped" "$LOGDIR/lab-$kernel.log" | tail -1)
    if [ -z "$line" ]; then
        echo "the kernel lab ($krel) did not boot or did not report a result (exit $rc)"
        add_counts "lab $krel" 0 1 0
    else
        read -r p f s < <(sed -E 's/^lab: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$line")
        [ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1   # a non-zero exit with no failed test is still a failure
        add_counts "lab $krel" "$p" "$f" "$s"
        while IFS= read -r l; do SKIPS+=("lab $krel: ${l#SKIP }"); done < <(grep -E "^SKIP " "$LOGDIR/lab-$kernel.log" || true)
    fi

    section "Pester in the kernel lab, Linux $kernel (pwsh 7.6.9: the cmdlets for real)"
    if [ "$PWSH_OK" = 1 ]; then
        # One pwsh process for every suite (pwsh starts in 20-100 s under emulation); a short PATH (lab.sh).
        # The docs-examples suite (every example of docs/, ~7 minutes a kernel) runs on every kernel:
        # LVS_DOCS_EXAMPLES=all (default), first (the first kernel only), or 0.
        case "${LVS_DOCS_EXAMPLES:-all}" in
            all) docs=1 ;; first) [ "$kernel" = "$FIRST_KERNEL" ] && docs=1 || docs=0 ;; *) docs=0 ;;
        esac
        LVS_DOCS_EXAMPLES=$docs tests/lab/lab.sh run --short-path --timeout "${LVS_LAB_TIMEOUT:-2400}" -- \
            "$LVS_PWSH" -NoProfile -NonInteractive -File tests/Invoke-LabPester.ps1 2>&1 | tee "$LOGDIR/pester-$kernel.log"
        rc=${PIPESTATUS[0]}
        pester_part "pester $krel" "$LOGDIR/pester-$kernel.log" "$rc"
    else
        add_counts "pester $krel" 0 1 0
    fi

    # PowerShell SSH remoting across hosts (tests/lab/remoting/ssh-hosts.sh: sshd per network namespace, a pwsh per
    # session): its own boot and timeout (about 15 minutes under emulation). LVS_REMOTING=first (default: the first
    # kernel; the suite tests remoting, not the kernel), all, or 0.
    case "${LVS_REMOTING:-first}" in
        all) remoting=1 ;; first) [ "$kernel" = "$FIRST_KERNEL" ] && remoting=1 || remoting=0 ;; *) remoting=0 ;;
    esac
    if [ "$remoting" = 1 ]; then
        section "Remoting in the kernel lab, Linux $kernel (fleet cmdlets over SSH sessions)"
        if [ "$PWSH_OK" = 1 ]; then
            tests/lab/lab.sh run --short-path --timeout "${LVS_REMOTING_TIMEOUT:-1800}" -- \
                "$LVS_PWSH" -NoProfile -NonInteractive -File tests/Invoke-LabPester.ps1 -Suite LvsAdmin.Remoting.Tests.ps1 \
                2>&1 | tee "$LOGDIR/remoting-$kernel.log"
            pester_part "remoting $krel" "$LOGDIR/remoting-$kernel.log" "${PIPESTATUS[0]}"
        else
            add_counts "remoting $krel" 0 1 0
        fi
    fi

    # The installed package, imported by name in the guest, against the kernel: once, on the first kernel.
    if [ "$kernel" = "$FIRST_KERNEL" ]; then
        section "PowerShell Gallery package in the kernel lab, Linux $kernel"
        if [ "$PWSH_OK" = 1 ] && [ -d out/package-test/.local/share/powershell/Modules/LvsAdmin ]; then
            tests/lab/lab.sh run --short-path --timeout "${LVS_LAB_TIMEOUT:-2400}" -- \
                "$LVS_PWSH" -NoProfile -NonInteractive -File tests/Test-Package.ps1 -Lab 2>&1 | tee "$LOGDIR/package-$kernel.log"
            pester_part "package $krel" "$LOGDIR/package-$kernel.log" "${PIPESTATUS[0]}"
        else
            add_counts "package $krel" 0 1 0
        fi
    fi
done
unset LVS_LAB_KERNEL

case "${LVS_REMOTING:-first}" in
    all) ;;
    first) [ "$FIRST_KERNEL" = "$KERNELS" ] || SKIPS+=("remoting suite (tests/LvsAdmin.Remoting.Tests.ps1): run on Linux $FIRST_KERNEL only (it tests SSH remoting across hosts, not the kernel; LVS_REMOTING=all runs it on every kernel)") ;;
    *) SKIPS+=("remoting suite (tests/LvsAdmin.Remoting.Tests.ps1): not run (LVS_REMOTING=$LVS_REMOTING); tests/host/Remoting.Tests.ps1 still drives the fleet cmdlets over real SSH sessions") ;;
esac
case "${LVS_DOCS_EXAMPLES:-all}" in
    all) ;;
    first) [ "$FIRST_KERNEL" = "$KERNELS" ] || SKIPS+=("docs examples (tests/LvsAdmin.DocsExamples.Tests.ps1): run on Linux $FIRST_KERNEL only (LVS_DOCS_EXAMPLES=first; the default, all, runs them on every kernel)") ;;
    *) SKIPS+=("docs examples (tests/LvsAdmin.DocsExamples.Tests.ps1): not run (LVS_DOCS_EXAMPLES=${LVS_DOCS_EXAMPLES})") ;;
esac

section "playground tour (tests/lab/playground.sh --tour: NAT and DR with real traffic, the table vs ipvsadm)"
if [ "$PWSH_OK" = 1 ]; then
    tests/lab/playground.sh --tour 2>&1 | tee "$LOGDIR/playground.log"
    pester_part playground "$LOGDIR/playground.log" "${PIPESTATUS[0]}"
else
    add_counts playground 0 1 0
fi

if [ -n "${LVS_BENCH:-}" ]; then
    section "benchmarks (reports, not tests)"
    if [ "$LVS_BENCH" = "full" ]; then table=(bench table); conn=(bench conn); plan=(bench plan); else
        table=(bench table --services 2000 --repeat 1); conn=(bench conn --entries 20000); plan=(bench plan --services 2000 --repeat 5); fi
    # One VM run for all, so they are measured side by side with ipvsadm on the same kernel.
    tests/lab/lab.sh run --timeout 3600 -- sh -c "dotnet $LAB_DLL ${table[*]}; dotnet $LAB_DLL ${conn[*]}; dotnet $LAB_DLL ${plan[*]}" 2>&1 | tee "$LOGDIR/bench.log" || true
else
    SKIPS+=("benchmarks: not run (LVS_BENCH=1: 2,000 services x 10, 20,000 connections, plan at 2,000 x 10; LVS_BENCH=full: 10,000 x 10, 100,000, plan at 10,000 x 10)")
fi

section "summary"
for l in "${SUMMARY[@]}"; do echo "$l"; done
if [ "${#SKIPS[@]}" -gt 0 ]; then
    echo "skipped, and why:"
    for l in "${SKIPS[@]}"; do echo "  - $l"; done
fi
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed, $TOTAL_SKIP skipped"
exit $STATUS
