#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the lab Pester suite (tests/*.Tests.ps1, not tests/host) against the built module in out/LvsAdmin.
.DESCRIPTION
    The suite changes the IPVS table for real, so run it where that is harmless: inside the kernel lab
    (tests/lab/lab.sh run -- pwsh -NoProfile -File tests/Invoke-LabPester.ps1), as build.ps1 -Lab and
    tests/run-tests.sh do; -Suite runs only the named ones. It prints "pester: N passed, N failed, N skipped" and exits 1 when a test, a block or a file failed.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/LvsAdmin/LvsAdmin.psd1'),
    # Only these suites (file names in tests/, e.g. LvsAdmin.Remoting.Tests.ps1); default: every one.
    [string[]] $Suite
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'PesterRun.ps1')
# Only the top-level suites: Run.Path recurses, and tests/host holds the host suites (tests/Invoke-HostPester.ps1).
# The docs-examples suite (every example of docs/ run against the kernel, about ten minutes under emulation) runs
# with LVS_DOCS_EXAMPLES=1; tests/run-tests.sh sets it on every kernel (LVS_DOCS_EXAMPLES=first: the first only).
# The remoting suite (SSH hosts in network namespaces, a pwsh per session) runs in its own lab boot
# (tests/run-tests.sh, -Suite LvsAdmin.Remoting.Tests.ps1) so it gets its own timeout.
$suites = @(Get-ChildItem -Path $PSScriptRoot -Filter '*.Tests.ps1' -File |
    Where-Object { $env:LVS_DOCS_EXAMPLES -eq '1' -or $_.Name -ne 'LvsAdmin.DocsExamples.Tests.ps1' } |
    Where-Object Name -NE 'LvsAdmin.Remoting.Tests.ps1' | ForEach-Object FullName)
if ($Suite) {
    $suites = @(foreach ($name in $Suite) {
            $file = Join-Path $PSScriptRoot (Split-Path $name -Leaf)
            if (-not (Test-Path $file)) { [Console]::Error.WriteLine("No suite $file"); exit 2 }
            $file
        })
}
exit (Invoke-LvsPesterRun -ModulePath $ModulePath -Path $suites -Label 'pester' -Verbosity Detailed)
