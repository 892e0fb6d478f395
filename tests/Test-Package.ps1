#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Tests the PSGallery package of LvsAdmin: made by build.ps1 -Package, installed by name with Install-PSResource
    into a clean module path, imported by name in a clean pwsh. With -Lab, a smoke test of the installed package
    against the kernel, inside the kernel lab.
.DESCRIPTION
    On the host (no switch):
      1. build.ps1 -Package -NoTest (unless -NoBuild) writes out/packages/LvsAdmin.<version>.nupkg with
         Publish-PSResource;
      2. the .nupkg holds exactly the module files (no PowerShellStandard.Library, pdb, deps.json, tests) and the
         manifest metadata PSGallery shows (ProjectUri, LicenseUri, ReleaseNotes, Tags) with the LICENSE file;
      3. Install-PSResource -Name LvsAdmin -Repository <that folder> installs it into a fresh module path,
         out/package-test/.local/share/powershell/Modules (outside /tmp, so that the lab guest sees it; PSResourceGet
         runs with HOME=out/package-test, so nothing of the user's PSResourceGet configuration or modules is read or
         changed);
      4. a clean pwsh (-NoProfile, PSModulePath = that path and $PSHOME/Modules only) imports LvsAdmin by name and
         checks its version, the exported cmdlets, the help of every cmdlet against docs/, about_LvsAdmin, the format
         and types data, and the DSC resource files.
    In the lab (-Lab; run it there with tests/lab/lab.sh run -- $LVS_PWSH -NoProfile -File tests/Test-Package.ps1
    -Lab, after the host part has installed the package): a clean pwsh imports LvsAdmin by name from
    out/package-test/.local/share/powershell/Modules and creates, lists, exports and clears a virtual service with a real server in
    the guest's kernel.
    Prints "package: N passed, N failed, N skipped" and exits 1 when a check failed.
.PARAMETER NoBuild
    Use the .nupkg already in out/packages instead of running build.ps1 -Package.
#>
[CmdletBinding()]
param(
    [switch] $Lab,
    [switch] $NoBuild,
    # Internal: the checks that run inside the clean pwsh (Host or Lab).
    [ValidateSet('', 'Host', 'Lab')]
    [string] $Inside = ''
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$dataHome = Join-Path $root 'out/package-test'
$modulePath = Join-Path $dataHome '.local/share/powershell/Modules'

# One check: prints "PASS name" or "FAIL name: why"; a check fails when its script block throws.
function Test-Check([string] $Name, [scriptblock] $Body) {
    try { & $Body; "PASS $Name" } catch { "FAIL ${Name}: $($_.Exception.Message)" }
}
function Assert-Equal($Expected, $Actual, [string] $What) {
    $e = @($Expected) -join ', '; $a = @($Actual) -join ', '
    if ($e -cne $a) { throw "$What`n  expected: $e`n  actual:   $a" }
}
function Assert-True([bool] $Condition, [string] $What) { if (-not $Condition) { throw $What } }

# The SYNOPSIS paragraph of a platyPS markdown help file.
function Get-DocSynopsis([string] $Path) {
    $lines = Get-Content $Path
    $i = [array]::IndexOf($lines, '## SYNOPSIS')
    (($lines[($i + 1)..($lines.Count - 1)] | ForEach-Object { $_ } | Where-Object { $_ -ne '' } |
        Select-Object -First 1)).Trim()
}

#region Inside the clean pwsh
if ($Inside) {
    $expectedVersion = $env:LVSPKG_VERSION
    $installed = $env:LVSPKG_MODULE_PATH
    $listed = @(Get-Module -ListAvailable -Name LvsAdmin)
    Test-Check 'Get-Module -ListAvailable finds exactly the installed package' {
        Assert-Equal 1 $listed.Count 'modules named LvsAdmin on PSModulePath'
        Assert-True ($listed[0].ModuleBase.StartsWith($installed + '/')) "ModuleBase $($listed[0].ModuleBase) is not under $installed"
    }
    $module = $null
    Test-Check 'Import-Module LvsAdmin (by name)' {
        $script:module = Import-Module LvsAdmin -PassThru
        Assert-True ($module.ModuleBase.StartsWith($installed + '/')) "imported from $($module.ModuleBase)"
    }
    if (-not $module) { return }

    if ($Inside -eq 'Host') {
        $manifest = Import-PowerShellDataFile (Join-Path $env:LVSPKG_ROOT 'LvsAdmin.psd1')
        Test-Check 'version' { Assert-Equal $expectedVersion ([string]$module.Version) 'module version' }
        Test-Check 'exports exactly the cmdlets of LvsAdmin.psd1' {
            Assert-Equal ($manifest.CmdletsToExport | Sort-Object) ($module.ExportedCmdlets.Keys | Sort-Object) 'exported cmdlets'
            Assert-Equal 0 ($module.ExportedFunctions.Count + $module.ExportedAliases.Count) 'exported functions and aliases'
        }
        Test-Check 'System.Management.Automation is PowerShell''s own (PowerShellStandard.Library is not shipped)' {
            $sma = [System.Management.Automation.PSObject].Assembly.Location
            Assert-True ($sma.StartsWith($PSHOME)) "System.Management.Automation loaded from $sma"
            Assert-Equal @() @(Get-ChildItem -Recurse -File $module.ModuleBase | Where-Object Name -Match 'System\.Management\.Automation|PowerShellStandard') 'SMA files in the package'
        }
        Test-Check 'the help of every cmdlet is the help of docs/' {
            $wrong = foreach ($name in $manifest.CmdletsToExport) {
                $help = Get-Help $name -Full
                $want = Get-DocSynopsis (Join-Path $env:LVSPKG_ROOT "docs/$name.md")
                if ("$($help.Synopsis)".Trim() -cne $want) { "${name}: '$($help.Synopsis)' instead of '$want'" }
                elseif (@($help.examples.example).Count -lt 1) { "${name}: no examples" }
            }
            Assert-Equal @() @($wrong) 'cmdlets whose help is not docs/'
        }
        Test-Check 'about_LvsAdmin and about_LvsAdmin_Automation load' {
            foreach ($topic in 'about_LvsAdmin', 'about_LvsAdmin_Automation') {
                $text = Get-Help $topic | Out-String
                Assert-True ($text -match 'ipvsadm') "$topic is not the module's about topic: $($text.Substring(0, [Math]::Min(200, $text.Length)))"
            }
        }
        Test-Check 'format and types data are loaded' {
            Assert-True (@(Get-FormatData -TypeName LvsAdmin.Ipvs.VirtualService).Count -ge 1) 'no format data for LvsAdmin.Ipvs.VirtualService'
            Assert-True ($null -ne (Get-TypeData -TypeName LvsAdmin.Ipvs.VirtualService)) 'no type data for LvsAdmin.Ipvs.VirtualService'
        }
        Test-Check 'the DSC resource manifest and its script are in the module folder' {
            $dsc = Get-Content -Raw (Join-Path $module.ModuleBase 'LvsAdmin.dsc.resource.json') | ConvertFrom-Json
            Assert-Equal $expectedVersion $dsc.version 'DSC resource version'
            Assert-True (Test-Path (Join-Path $module.ModuleBase 'dsc/LvsAdminDsc.ps1')) 'dsc/LvsAdminDsc.ps1 missing'
        }
    } else {
        $svc = 'tcp/192.0.2.80:80'
        Test-Check 'Clear-LvsVirtualService empties the table' {
            Clear-LvsVirtualService -Confirm:$false
            Assert-Equal 0 @(Get-LvsVirtualService).Count 'services after clearing'
        }
        Test-Check 'New-LvsVirtualService and Add-LvsRealServer' {
            $s = New-LvsVirtualService -Service $svc -Scheduler rr -PassThru
            Assert-Equal $svc $s.Service 'created service'
            Add-LvsRealServer -Service $svc -Address 10.0.0.2:8080 -ForwardingMethod Nat -Weight 3
        }
        Test-Check 'Get-LvsVirtualService and Get-LvsRealServer read them back from the kernel' {
            $s = @(Get-LvsVirtualService)
            Assert-Equal $svc ($s.Service) 'services'
            Assert-Equal 'rr' $s[0].Scheduler 'scheduler'
            $r = @($s[0] | Get-LvsRealServer)
            Assert-Equal 1 $r.Count 'real servers'
            Assert-Equal '10.0.0.2:8080 Nat 3' ('{0}:{1} {2} {3}' -f $r[0].Address, $r[0].Port, $r[0].ForwardingMethod, $r[0].Weight) 'real server'
            $table = Get-LvsVirtualService | Out-String
            Assert-True ($table -match [regex]::Escape('192.0.2.80:80') -and $table -match '\brr\b') "formatted table: $table"
        }
        Test-Check 'Export-LvsConfiguration writes the document' {
            $doc = Export-LvsConfiguration -Format Json | ConvertFrom-Json
            Assert-Equal $svc $doc.services.service 'exported services'
            Assert-Equal '10.0.0.2:8080 nat 3' ('{0} {1} {2}' -f $doc.services[0].realServers[0].address, $doc.services[0].realServers[0].forwardingMethod, $doc.services[0].realServers[0].weight) 'exported real server'
        }
        Test-Check 'Clear-LvsVirtualService removes them' {
            Clear-LvsVirtualService -Confirm:$false
            Assert-Equal 0 @(Get-LvsVirtualService).Count 'services after clearing'
        }
    }
    return
}
#endregion

Import-Module (Join-Path $root 'build/LvsAdmin.Package.psm1') -Force
$version = Get-ModuleVersion $root
$results = [System.Collections.Generic.List[string]]::new()
function Add-Result { process { $results.Add($_); Write-Host $_ } }

if ($Lab) {
    if (-not (Test-Path (Join-Path $modulePath "LvsAdmin/$version/LvsAdmin.psd1"))) {
        Write-Error "The package is not installed in $modulePath; run tests/Test-Package.ps1 on the host first."
        exit 2
    }
    # The guest shares the host's files read-only: pwsh's own data goes to a private temporary folder.
    $guestHome = Join-Path ([IO.Path]::GetTempPath()) "lvsadmin-package-$PID"
    New-Item -ItemType Directory -Force -Path $guestHome | Out-Null
    $environment = Get-IsolatedHome $guestHome
    $environment += @{ PSModulePath = "${modulePath}:$PSHOME/Modules"; LVSPKG_VERSION = $version; LVSPKG_MODULE_PATH = $modulePath; LVSPKG_ROOT = $root }
    try {
        Invoke-ChildPwsh -AllowFailure -ArgumentList '-File', $PSCommandPath, '-Inside', 'Lab' -Environment $environment | Add-Result
    } finally { Remove-Item -Recurse -Force $guestHome -ErrorAction Ignore }
} else {
    $nupkg = Join-Path $root "out/packages/LvsAdmin.$version.nupkg"
    if (-not $NoBuild) {
        & (Join-Path $root 'build.ps1') -Package -NoTest | Out-Host
    }
    Test-Check "the package exists: $nupkg" { Assert-True (Test-Path $nupkg) 'not found' } | Add-Result

    if (Test-Path $nupkg) {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $entries = @($zip.Entries.FullName)
            $nuspec = [xml](New-Object IO.StreamReader ($zip.GetEntry('LvsAdmin.nuspec').Open())).ReadToEnd()
            $licenseBytes = & { $m = [IO.MemoryStream]::new(); $zip.GetEntry('LICENSE').Open().CopyTo($m); $m.ToArray() }
        } finally { $zip.Dispose() }
        $psd = Import-PowerShellDataFile (Join-Path $root 'LvsAdmin.psd1')
        $about = Get-ChildItem (Join-Path $root 'docs') -Filter 'about_*.md' | ForEach-Object { "en-US/$($_.BaseName).help.txt" }
        $expected = @('LvsAdmin.psd1', 'LvsAdmin.dll', 'LvsAdmin.Core.dll', 'LvsAdmin.format.ps1xml', 'LvsAdmin.types.ps1xml',
            'LICENSE', 'LvsAdmin.dsc.resource.json', 'dsc/LvsAdminDsc.ps1', 'en-US/LvsAdmin.dll-Help.xml') + $about
        $nugetParts = '^(LvsAdmin\.nuspec|\[Content_Types\]\.xml|_rels/\.rels|package/services/metadata/core-properties/[0-9a-f]+\.psmdcp)$'

        Test-Check 'the package holds exactly the module files' {
            Assert-Equal ($expected | Sort-Object) ($entries | Where-Object { $_ -notmatch $nugetParts } | Sort-Object) 'module files in the .nupkg'
        } | Add-Result
        Test-Check 'the package holds no PowerShellStandard.Library, pdb, deps.json or test files' {
            Assert-Equal @() @($entries | Where-Object { $_ -match 'PowerShellStandard|System\.Management\.Automation|\.pdb$|\.deps\.json$|Tests?[./]' }) 'forbidden entries'
        } | Add-Result
        Test-Check 'the nuspec has the manifest''s id, version, description and authors' {
            $m = $nuspec.package.metadata
            Assert-Equal 'LvsAdmin' $m.id 'id'
            Assert-Equal $version $m.version 'version'
            Assert-Equal $psd.Description $m.description 'description'
            Assert-Equal $psd.Author $m.authors 'authors'
        } | Add-Result
        Test-Check 'the nuspec has ProjectUri, LicenseUri, ReleaseNotes and Tags' {
            $m = $nuspec.package.metadata; $d = $psd.PrivateData.PSData
            Assert-True ($d.ProjectUri -match '^https://') "ProjectUri '$($d.ProjectUri)'"
            Assert-Equal $d.ProjectUri $m.projectUrl 'projectUrl'
            Assert-True ($d.LicenseUri -match '^https://.*/LICENSE$') "LicenseUri '$($d.LicenseUri)' does not name the LICENSE file"
            Assert-Equal $d.LicenseUri $m.licenseUrl 'licenseUrl'
            Assert-True ($m.releaseNotes.StartsWith("$version ")) "the release notes do not start with the version: $($m.releaseNotes)"
            Assert-Equal ($d.ReleaseNotes -replace "`r", '') ($m.releaseNotes -replace "`r", '') 'releaseNotes'
            $tags = -split $m.tags
            Assert-Equal @() @($d.Tags | Where-Object { $_ -notin $tags }) 'manifest tags missing from the nuspec'
        } | Add-Result
        Test-Check 'the package carries the repository''s LICENSE' {
            $repoLicense = [IO.File]::ReadAllBytes((Join-Path $root 'LICENSE'))
            Assert-True ([Linq.Enumerable]::SequenceEqual([byte[]]$repoLicense, [byte[]]$licenseBytes)) 'LICENSE in the package differs from the repository'
        } | Add-Result

        $installed = $false
        Test-Check 'Install-PSResource installs it by name from the local repository into a clean module path' {
            $path = Install-LvsAdminPackage -NupkgPath $nupkg -DataHome $dataHome -Version $version
            Assert-Equal $modulePath $path 'module path'
            Assert-Equal @($version) @(Get-ChildItem (Join-Path $modulePath 'LvsAdmin') -Directory | ForEach-Object Name) 'installed versions'
            Assert-Equal @('LvsAdmin') @(Get-ChildItem $modulePath -Directory | ForEach-Object Name) 'modules in the clean path'
            $registrations = Join-Path $dataHome '.local/share/PSResourceGet/PSResourceRepository.xml'
            Assert-True ((Get-Content -Raw $registrations) -match 'LvsAdminLocal') "the repository is not registered in $registrations"
            $script:installed = $true
        } | Add-Result
        if ($installed) {
            $environment = Get-IsolatedHome $dataHome
            $environment += @{ PSModulePath = "${modulePath}:$PSHOME/Modules"; LVSPKG_VERSION = $version; LVSPKG_MODULE_PATH = $modulePath; LVSPKG_ROOT = $root }
            Invoke-ChildPwsh -AllowFailure -ArgumentList '-File', $PSCommandPath, '-Inside', 'Host' -Environment $environment | Add-Result
        }
    }
}

$passed = @($results | Where-Object { $_ -like 'PASS *' }).Count
$failed = @($results | Where-Object { $_ -like 'FAIL *' }).Count
# Anything else the clean pwsh printed (an error before its checks ran) is a failure too.
$other = @($results | Where-Object { $_ -notlike 'PASS *' -and $_ -notlike 'FAIL *' -and $_.Trim() }).Count
if ($other -and $failed -eq 0) { $failed = 1 }
"package: $passed passed, $failed failed, 0 skipped"
exit ([int]($failed -gt 0))
