#!/usr/bin/env bash
# Makes a ReadyToRun copy of the pwsh tool package for the kernel lab and prints its pwsh.dll.
#   tests/lab/pwsh-r2r.sh /path/to/tools/net10.0/any/unix/pwsh.dll
# The PowerShell dotnet tool ships IL only (the pwsh that Microsoft's Linux packages install is precompiled), so a
# tool pwsh JIT-compiles most of System.Management.Automation at every start; under the lab's software emulation
# that is most of a pwsh start. crossgen2 (from NuGet, the version of the installed .NET runtime) precompiles the
# package's own assemblies once; the copy is cached in ${LVS_LAB_CACHE:-$HOME/.cache/lvsadmin-lab}/pwsh-r2r-*.
# On any failure it prints the original pwsh.dll: the copy is an optimisation, never a requirement.
set -uo pipefail
src_dll=${1:?usage: pwsh-r2r.sh PWSH_DLL}
src=$(dirname "$src_dll")
cache=${LVS_LAB_CACHE:-$HOME/.cache/lvsadmin-lab}
rt=$(dotnet --list-runtimes 2>/dev/null | sed -n 's/^Microsoft.NETCore.App \([0-9.]*\) \[\(.*\)\]$/\1 \2/p' | sort -V | tail -n1)
rtver=${rt%% *}; rtdir=${rt#* }/$rtver
arch=$(uname -m); case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
key=$(echo "$src_dll $rtver $arch" | sha256sum | cut -c1-12)
out=$cache/pwsh-r2r-$key
fallback() { echo "pwsh-r2r: $*; using the IL-only pwsh" >&2; echo "$src_dll"; exit 0; }
[ -f "$out/.done" ] && { echo "$out/pwsh.dll"; exit 0; }
[ -n "$rtver" ] && [ -d "$rtdir" ] || fallback "no .NET runtime found"
mkdir -p "$cache"
exec 8>"$cache/.pwsh-r2r.lock"; flock 8
[ -f "$out/.done" ] && { echo "$out/pwsh.dll"; exit 0; }
# crossgen2 for this runtime, fetched by a throw-away project's restore into the NuGet cache.
proj=$cache/crossgen2-$rtver
mkdir -p "$proj"
cat > "$proj/crossgen2.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net$(echo "$rtver" | cut -d. -f1-2)</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Microsoft.NETCore.App.Crossgen2.linux-$arch" Version="[$rtver]" /></ItemGroup>
</Project>
PROJ
dotnet restore "$proj/crossgen2.csproj" -nologo -v quiet >&2 || fallback "crossgen2 $rtver could not be restored"
cg=${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.netcore.app.crossgen2.linux-$arch/$rtver/tools/crossgen2
[ -x "$cg" ] || fallback "crossgen2 not found at $cg"
echo "pwsh-r2r: precompiling pwsh's assemblies with crossgen2 $rtver (once; cached in $out)" >&2
rm -rf "$out.tmp"; cp -a "$src" "$out.tmp" || fallback "copy failed"
n=0
for f in "$src"/*.dll; do
    # Only IL assemblies that reference no missing framework: crossgen2 refuses the others; they stay IL.
    "$cg" -r "$rtdir/" -r "$src/" --targetos:linux --targetarch:"$arch" -O "$f" -o "$out.tmp/$(basename "$f")" \
        >/dev/null 2>&1 && n=$((n + 1)) || cp -a "$f" "$out.tmp/$(basename "$f")"
done
chmod -R a+rX "$out.tmp"
touch "$out.tmp/.done"
rm -rf "$out"; mv "$out.tmp" "$out"
echo "pwsh-r2r: $n assemblies precompiled" >&2
echo "$out/pwsh.dll"
