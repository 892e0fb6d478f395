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
. (Join-Path $PSScriptRoot 'PesterRun.ps1')
exit (Invoke-LvsPesterRun -ModulePath $ModulePath -Path (Join-Path $PSScriptRoot 'host') -Label 'pester-host')
