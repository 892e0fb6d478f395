#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the lab Pester suite (tests/*.Tests.ps1, not tests/host) against the built module in out/LvsAdmin.
.DESCRIPTION
    The suite changes the IPVS table for real, so run it where that is harmless: inside the kernel lab
    (tests/lab/lab.sh run -- pwsh -NoProfile -File tests/Invoke-LabPester.ps1), as build.ps1 -Lab and
    tests/run-tests.sh do. It prints "pester: N passed, N failed, N skipped" and exits 1 when a test failed.
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
# LVS_PESTER_MODULE may name a Pester module path (the lab passes LVS_* variables into the guest).
Import-Module ($env:LVS_PESTER_MODULE ? $env:LVS_PESTER_MODULE : 'Pester') -MinimumVersion 5.0.0
$env:LVSADMIN_MODULE = (Resolve-Path $ModulePath).Path
$config = New-PesterConfiguration
# Only the top-level suites: Run.Path recurses, and tests/host holds the host suites (tests/Invoke-HostPester.ps1).
$config.Run.Path = @(Get-ChildItem -Path $PSScriptRoot -Filter '*.Tests.ps1' -File | ForEach-Object FullName)
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
"pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
exit ([int]($result.FailedCount -gt 0))
