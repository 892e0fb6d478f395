#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the host Pester suites (tests/host/*.Tests.ps1) against the module laid out in out/LvsAdmin.
.DESCRIPTION
    These suites need PowerShell but no kernel: parameter binding and parameter sets, pipeline binding by property
    name (also of deserialized objects), the format views as golden text, argument completion (TabExpansion2),
    Get-Help of every cmdlet, Test-ModuleManifest and the exported commands. They never touch IPVS, so they run on
    any host, fast: pwsh -NoProfile -File tests/Invoke-HostPester.ps1.
    It prints exactly one summary line, "pester-host: N passed, N failed, N skipped", and exits 1 when a test failed
    (2 when the module is not laid out).
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/LvsAdmin/LvsAdmin.psd1')
)
$ErrorActionPreference = 'Stop'
if (-not (Test-Path $ModulePath)) {
    Write-Error "The module is not laid out at $ModulePath; run: dotnet publish src/LvsAdmin -c Release -o out/LvsAdmin"
    exit 2
}
# LVS_PESTER_MODULE may name a Pester module path (tests/pwsh-env.sh exports the pinned one).
Import-Module ($env:LVS_PESTER_MODULE ? $env:LVS_PESTER_MODULE : 'Pester') -MinimumVersion 5.0.0
$env:LVSADMIN_MODULE = (Resolve-Path $ModulePath).Path
$config = New-PesterConfiguration
$config.Run.Path = Join-Path $PSScriptRoot 'host'
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$result = Invoke-Pester -Configuration $config
# A failing BeforeAll or a file that does not parse fails a block or a container, not a test: count those too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
"pester-host: $($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped"
exit ([int]($failed -gt 0 -or $result.PassedCount -eq 0))
