#!/bin/bash
# Guest side of tests/lab/playground.sh: build the guides' network, then pwsh with the playground loaded.
#   start.sh                  interactive pwsh (the lab's terminal)
#   start.sh --tour           run the tour and its checks; exit 1 if one failed
#   start.sh -c COMMAND       run COMMAND (PowerShell) in the playground; its exit code
#   start.sh SCRIPT [ARGS]    run a PowerShell script in the playground; its exit code
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/topology.sh"
load=". '$here/Playground.ps1'"
case "${1:-}" in
    "")     exec pwsh -NoLogo -NoProfile -NoExit -Command "$load" ;;
    --tour) exec pwsh -NoProfile -NonInteractive -Command "$load -Tour; exit [int](\$global:PlaygroundTourFailed -ne 0)" ;;
    -c)     shift; exec pwsh -NoProfile -NonInteractive -Command "$load -Quiet; $*" ;;
    *)      script=$1; shift
            exec pwsh -NoProfile -NonInteractive -Command "$load -Quiet; & '$script' @args; exit \$LASTEXITCODE" "$@" ;;
esac
