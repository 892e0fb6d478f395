#!/usr/bin/env bash
# Source this file (". tests/pwsh-env.sh") to get PowerShell 7.6.9 and Pester 5.9.1 as the repository pins them:
#   pwsh    from the local tool manifest .config/dotnet-tools.json (dotnet tool restore),
#   Pester  from the PackageDownload in tests/LvsAdmin.Tests/LvsAdmin.Tests.csproj (dotnet restore).
# It exports
#   LVS_PWSH_DLL        the pwsh.dll of the tool package, or of its ReadyToRun copy with LVS_PWSH_R2R=1
#                       (run it as: dotnet "$LVS_PWSH_DLL" ...)
#   LVS_PWSH            a launcher script, out/bin/pwsh, that does exactly that (works for any user who can read it)
#   LVS_PESTER_MODULE   Pester.psd1 of the package
# and returns non-zero with a message when either cannot be had. Nothing is installed outside the NuGet cache.
_lvs_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lvs_pwsh_env() {
    local root=$_lvs_root nuget ver pver
    ver=$(sed -n '/"powershell"/,/}/s/.*"version": *"\([^"]*\)".*/\1/p' "$root/.config/dotnet-tools.json" | head -n1)
    pver=$(sed -n 's/.*PackageDownload Include="Pester" Version="\[\([^]]*\)\]".*/\1/p' "$root/tests/LvsAdmin.Tests/LvsAdmin.Tests.csproj")
    [ -n "$ver" ] && [ -n "$pver" ] || { echo "pwsh-env: cannot read the pinned pwsh/Pester versions" >&2; return 1; }
    nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages}
    local dll="$nuget/powershell/$ver/tools/net10.0/any/unix/pwsh.dll"
    if [ ! -f "$dll" ]; then
        (cd "$root" && dotnet tool restore >&2) || { echo "pwsh-env: dotnet tool restore failed" >&2; return 1; }
    fi
    [ -f "$dll" ] || { echo "pwsh-env: $dll not found after dotnet tool restore" >&2; return 1; }
    local pester="$nuget/pester/$pver/tools/Pester.psd1"
    if [ ! -f "$pester" ]; then
        dotnet restore "$root/tests/LvsAdmin.Tests" -nologo -v quiet >&2 || { echo "pwsh-env: restore of Pester failed" >&2; return 1; }
    fi
    [ -f "$pester" ] || { echo "pwsh-env: $pester not found after restore" >&2; return 1; }
    # LVS_PWSH_R2R=1: run a ReadyToRun copy of the package (tests/lab/pwsh-r2r.sh), as precompiled as the pwsh of
    # Microsoft's Linux packages; the tool package is IL only, and JIT-compiling PowerShell dominates a pwsh start
    # under the lab's emulation. Falls back to the package itself when the copy cannot be made.
    if [ "${LVS_PWSH_R2R:-0}" = 1 ]; then
        dll=$("$root/tests/lab/pwsh-r2r.sh" "$dll") || return 1
    fi
    mkdir -p "$root/out/bin"
    # A launcher rather than the package's apphost: the apphost is executable by its owner only, and needs DOTNET_ROOT.
    printf '#!/bin/sh\nexec dotnet %q "$@"\n' "$dll" > "$root/out/bin/pwsh"
    chmod 755 "$root/out/bin/pwsh"
    export LVS_PWSH_DLL=$dll LVS_PWSH=$root/out/bin/pwsh LVS_PESTER_MODULE=$pester
}
lvs_pwsh_env
