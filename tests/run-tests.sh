#!/usr/bin/env bash
# LvsAdmin's one test command (README "Test"; .ci/run calls it):
#   1. build the solution (Release),
#   2. unit tests on the host (xunit),
#   3. the kernel lab: boot Debian's kernel with IPVS under qemu and run the in-VM suite against the real kernel,
#   4. the Pester suite when pwsh and Pester are present (never in CI: no PowerShell on the registries),
#   5. optionally (LVS_BENCH=1, or LVS_BENCH=full) the benchmarks against ipvsadm in the same VM.
# Prints the count of each part, what was skipped and why, and closes with "N passed, N failed, N skipped".
# Exit code: 0 only if every part that ran passed and the lab booted.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOGDIR=${LVS_TEST_LOGDIR:-$ROOT/out/test-logs}
mkdir -p "$LOGDIR"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

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

section "kernel lab (qemu, Debian kernel with IPVS)"
LAB_DLL=tests/LvsAdmin.LabTests/bin/Release/net10.0/LvsAdmin.LabTests.dll
if ! tests/lab/lab.sh prepare 2>&1 | tee "$LOGDIR/lab-prepare.log"; then
    echo "the kernel lab could not be prepared (see $LOGDIR/lab-prepare.log)"
    add_counts lab 0 1 0
else
    tests/lab/lab.sh run --timeout "${LVS_LAB_TIMEOUT:-2400}" -- dotnet "$LAB_DLL" 2>&1 | tee "$LOGDIR/lab.log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E "^lab: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped" "$LOGDIR/lab.log" | tail -1)
    if [ -z "$line" ]; then
        echo "the kernel lab did not boot or did not report a result (exit $rc)"
        add_counts lab 0 1 0
    else
        read -r p f s < <(sed -E 's/^lab: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$line")
        [ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1   # a non-zero exit with no failed test is still a failure
        add_counts lab "$p" "$f" "$s"
        while IFS= read -r l; do SKIPS+=("lab: ${l#SKIP }"); done < <(grep -E "^SKIP " "$LOGDIR/lab.log" || true)
    fi
fi

section "Pester (cmdlets for real, in the lab)"
# pwsh on PATH, or LVS_PWSH=/path/to/pwsh; Pester 5 through PSModulePath, or LVS_PESTER_MODULE=/path/to/Pester.
PWSH=${LVS_PWSH:-$(command -v pwsh || true)}
if [ -n "$PWSH" ] && "$PWSH" -NoProfile -c 'Import-Module ($env:LVS_PESTER_MODULE ? $env:LVS_PESTER_MODULE : "Pester") -MinimumVersion 5.0.0 -ErrorAction Stop' >/dev/null 2>&1; then
    dotnet publish src/LvsAdmin -c Release -o out/LvsAdmin -nologo -v quiet >"$LOGDIR/publish.log" 2>&1 || echo "publish failed (see $LOGDIR/publish.log)"
    tests/lab/lab.sh run -- "$PWSH" -NoProfile -File tests/Invoke-LabPester.ps1 2>&1 | tee "$LOGDIR/pester.log"
    line=$(grep -E "^pester: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped" "$LOGDIR/pester.log" | tail -1)
    if [ -z "$line" ]; then add_counts pester 0 1 0; else
        read -r p f s < <(sed -E 's/^pester: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$line")
        add_counts pester "$p" "$f" "$s"
    fi
else
    SKIPS+=("pester: the Pester suite (tests/*.Tests.ps1) needs pwsh 7.4+ with Pester 5; neither is on this machine's package registries")
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
