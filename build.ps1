#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds LvsAdmin, lays the module out under out/LvsAdmin/ ready for Import-Module, and runs the tests.
.DESCRIPTION
    1. dotnet publish of the cmdlet assembly: out/LvsAdmin/ gets LvsAdmin.dll, LvsAdmin.Core.dll, LvsAdmin.psd1,
       the format and types files, en-US/LvsAdmin.dll-Help.xml (generated from docs/*.md at build time) and
       en-US/about_LvsAdmin.help.txt. PowerShellStandard.Library is a compile-time reference only and is not copied.
    2. When platyPS is installed, the MAML help is regenerated with New-ExternalHelp from docs/ instead.
    3. With -Package: the PSGallery package. The module folder (exactly LvsAdmin.psd1, LvsAdmin.dll,
       LvsAdmin.Core.dll, the format and types files, en-US help, LICENSE, and the DSC v3 resource
       LvsAdmin.dsc.resource.json with dsc/LvsAdminDsc.ps1; no pdb, deps.json or XML docs) is staged in
       out/package/LvsAdmin and published with PSResourceGet's Publish-PSResource into a local file repository:
       the package is out/packages/LvsAdmin.<version>.nupkg, the .nupkg Publish-PSResource -Repository PSGallery
       would upload. The repository registration lives in out/package/psresourceget (PSResourceGet runs in a child
       pwsh whose XDG_DATA_HOME points there), so your own PSResourceGet configuration (~/.local/share/PSResourceGet)
       is neither read nor changed. tests/Test-Package.ps1 installs the package by name into a clean module path
       and tests it. Needs pwsh 7.4+ (PSResourceGet 1.0+ ships with it).
    4. Unless -NoTest: the xunit unit tests, then, when Pester 5 is present (installed, or named by
       $env:LVS_PESTER_MODULE as tests/pwsh-env.sh exports it), the host Pester suites (tests/host, no kernel
       needed) and the lab Pester suite (tests/*.Tests.ps1). The lab suite needs a kernel with IPVS and root; with
       -Lab it runs inside the qemu kernel lab (tests/lab/lab.sh), which is how this repository's own tests meet a
       real IPVS kernel.
    The full suite including the kernel lab, as CI runs it, is: bash tests/run-tests.sh
.EXAMPLE
    ./build.ps1
    Import-Module ./out/LvsAdmin/LvsAdmin.psd1
.EXAMPLE
    ./build.ps1 -Package -NoTest
    Builds and writes out/packages/LvsAdmin.<version>.nupkg; to publish it: Publish-PSResource -NupkgPath <it> -Repository PSGallery -ApiKey <key>
.EXAMPLE
    ./build.ps1 -Lab
    Builds, runs the unit tests, then the Pester suite inside the kernel lab.
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [switch] $NoTest,
    [switch] $Lab,
    [switch] $Package
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out/LvsAdmin'

Write-Host "Building and laying out the module in $out"
if (Test-Path $out) { Remove-Item -Recurse -Force $out }
dotnet publish (Join-Path $root 'src/LvsAdmin/LvsAdmin.csproj') -c $Configuration -o $out -nologo
if ($LASTEXITCODE -ne 0) { throw "dotnet publish failed ($LASTEXITCODE)" }

if (Get-Module -ListAvailable -Name platyPS) {
    Write-Host 'platyPS found: regenerating MAML help from docs/'
    Import-Module platyPS
    New-ExternalHelp -Path (Join-Path $root 'docs') -OutputPath (Join-Path $out 'en-US') -Force | Out-Null
} else {
    Write-Host 'platyPS not found: using the MAML generated from docs/ by the build (src/LvsAdmin.HelpGen).'
}

if ($Package) {
    Import-Module (Join-Path $root 'build/LvsAdmin.Package.psm1') -Force
    $nupkg = New-LvsAdminPackage -Root $root -ModuleFolder $out
    Write-Host "Package: $nupkg"
}

if ($NoTest) { return }

dotnet test (Join-Path $root 'tests/LvsAdmin.Tests') -c $Configuration -nologo
if ($LASTEXITCODE -ne 0) { throw "unit tests failed ($LASTEXITCODE)" }

$pester = if ($env:LVS_PESTER_MODULE) { Test-Path $env:LVS_PESTER_MODULE } else {
    Get-Module -ListAvailable -Name Pester | Where-Object Version -ge '5.0.0' | Sort-Object Version -Descending | Select-Object -First 1
}
if (-not $pester) {
    Write-Warning 'Pester 5 not found: the Pester suites (tests/host/*.Tests.ps1, tests/*.Tests.ps1) are skipped.'
    return
}
& (Join-Path $root 'tests/Invoke-HostPester.ps1') -ModulePath (Join-Path $out 'LvsAdmin.psd1')
if ($LASTEXITCODE -ne 0) { throw "host Pester suites failed ($LASTEXITCODE)" }
if ($Lab) {
    & bash (Join-Path $root 'tests/lab/lab.sh') run -- pwsh -NoProfile -File (Join-Path $root 'tests/Invoke-LabPester.ps1')
    if ($LASTEXITCODE -ne 0) { throw "Pester suite in the kernel lab failed ($LASTEXITCODE)" }
} else {
    & (Join-Path $root 'tests/Invoke-LabPester.ps1')
    if ($LASTEXITCODE -ne 0) { throw "Pester suite failed ($LASTEXITCODE)" }
}
