#!/usr/bin/env bash
# LvsAdmin playground: try LVS with one command, on a machine without IPVS or PowerShell.
#
# Installs what it needs (qemu and the lab's Debian packages, the kernel, PowerShell 7.6.9 from the repository's tool
# manifest), builds the module, boots the kernel lab with the LVS guides' network in namespaces (a client, this
# director with rs1:80 and rs2:8080 behind NAT, and a DR segment with rs3 and rs4) and opens pwsh with LvsAdmin
# imported and a printed tour.
#
# Usage (from anywhere in the clone):
#   tests/lab/playground.sh [--kernel 6.1|6.12]                     interactive pwsh; `exit` powers the lab off
#   tests/lab/playground.sh [--kernel K] --tour                     run the tour with its checks (CI does)
#   tests/lab/playground.sh [--kernel K] -c 'Get-LvsVirtualService' run PowerShell, return its exit code
#   tests/lab/playground.sh [--kernel K] path/to/script.ps1 [ARGS]  run a script (a path inside the clone)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ "${1:-}" = --kernel ]; then export LVS_LAB_KERNEL=${2:?--kernel needs 6.1 or 6.12}; shift 2; fi

say() { echo "playground: $*" >&2; }
command -v dotnet >/dev/null || { say "the .NET SDK (10.0) is needed: install it first"; exit 1; }
tests/lab/lab.sh prepare >&2
# Build the module when any source or help is newer than the laid-out module (a few seconds when nothing changed).
if [ ! -f out/LvsAdmin/LvsAdmin.dll ] || [ -n "$(find src docs LvsAdmin.psd1 -newer out/LvsAdmin/LvsAdmin.dll -type f -print -quit)" ]; then
    say "building the module into out/LvsAdmin"
    dotnet publish src/LvsAdmin -c Release -o out/LvsAdmin -nologo -v quiet >&2
fi
. tests/pwsh-env.sh >&2
args=(--short-path --timeout "${LVS_PLAYGROUND_TIMEOUT:-86400}")
if [ $# -eq 0 ]; then
    [ -t 0 ] && [ -t 1 ] || { say "no terminal: give --tour, -c COMMAND or a script"; exit 2; }
    args+=(--interactive)
    say "booting the lab (about half a minute), then pwsh starts (slow under emulation: up to a minute or two)"
fi
exec tests/lab/lab.sh run "${args[@]}" -- bash tests/lab/playground/start.sh "$@"
