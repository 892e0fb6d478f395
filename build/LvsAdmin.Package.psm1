# Packaging helpers for build.ps1 -Package and tests/Test-Package.ps1: the PSGallery package of the module, made and
# installed with PSResourceGet (Microsoft.PowerShell.PSResourceGet, shipped with pwsh 7.4+).
#
# PSResourceGet keeps its repository registrations in $XDG_DATA_HOME/PSResourceGet/PSResourceRepository.xml (.NET's
# LocalApplicationData), but installs -Scope CurrentUser into $HOME/.local/share/powershell/Modules whatever
# XDG_DATA_HOME says. These helpers therefore run PSResourceGet in a child pwsh whose HOME (and XDG_DATA_HOME,
# XDG_CONFIG_HOME, XDG_CACHE_HOME below it) is a folder of their own under out/: the local repository registration
# and the installed module never touch the user's real PSResourceGet configuration or module path (~/.local/share).
Set-StrictMode -Version Latest

# Files of the publish folder that are build by-products, not part of the module.
$script:ByProducts = @('*.pdb', '*.deps.json')

function Get-PwshCommand {
    # The pwsh running this script, as a command line prefix: its apphost, or dotnet + pwsh.dll when pwsh runs as
    # `dotnet pwsh.dll` (the dotnet tool package, tests/pwsh-env.sh's launcher).
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { return @($exe, (Join-Path $PSHOME 'pwsh.dll')) }
    @($exe)
}

function Invoke-ChildPwsh {
    <#
    .SYNOPSIS
        Runs pwsh -NoProfile -NonInteractive with extra environment variables (set for the child only) and returns its
        output lines; throws when it exits non-zero unless -AllowFailure.
    #>
    param(
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [hashtable] $Environment = @{},
        [switch] $AllowFailure
    )
    $saved = @{}
    foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
    try {
        $cmd = @(Get-PwshCommand)
        $exeArgs = @($cmd | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $ArgumentList
        $output = & $cmd[0] @exeArgs 2>&1 | ForEach-Object { "$_" }
        if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) {
            throw "pwsh $($ArgumentList -join ' ') exited with $LASTEXITCODE`n$($output -join "`n")"
        }
        $output
    } finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
    }
}

function Get-IsolatedHome {
    <# The environment variables that make DataHome the home of a child pwsh (see the top of this file). #>
    param([Parameter(Mandatory)] [string] $DataHome)
    $environment = @{
        HOME = $DataHome; XDG_DATA_HOME = Join-Path $DataHome '.local/share'
        XDG_CONFIG_HOME = Join-Path $DataHome '.config'; XDG_CACHE_HOME = Join-Path $DataHome '.cache'
    }
    # They must exist: .NET's GetFolderPath(LocalApplicationData) is '' for a folder that does not, and PSResourceGet
    # would then keep its repository registrations in ./PSResourceGet of the current directory.
    New-Item -ItemType Directory -Force -Path $environment.XDG_DATA_HOME, $environment.XDG_CONFIG_HOME, $environment.XDG_CACHE_HOME | Out-Null
    $environment
}

function Get-ModuleVersion([string] $Root) {
    (Import-PowerShellDataFile (Join-Path $Root 'LvsAdmin.psd1')).ModuleVersion
}

function New-LvsAdminPackage {
    <#
    .SYNOPSIS
        Stages the laid-out module (out/LvsAdmin) without build by-products into out/package/LvsAdmin and publishes it
        with Publish-PSResource into the local file repository out/packages, giving out/packages/LvsAdmin.<ver>.nupkg.
        Returns the path of the .nupkg.
    #>
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $ModuleFolder
    )
    $version = Get-ModuleVersion $Root
    $stage = Join-Path $Root 'out/package/LvsAdmin'
    $repository = Join-Path $Root 'out/packages'
    $psrgHome = Join-Path $Root 'out/package/psresourceget'
    foreach ($d in $stage, $psrgHome) { if (Test-Path $d) { Remove-Item -Recurse -Force $d } }
    New-Item -ItemType Directory -Force -Path $stage, $repository, $psrgHome | Out-Null

    # The module: everything the publish folder has, less pdb/deps.json and the XML documentation of its assemblies
    # (LvsAdmin.xml beside LvsAdmin.dll; en-US/LvsAdmin.dll-Help.xml is help and stays).
    $dlls = Get-ChildItem -Path $ModuleFolder -Filter *.dll -File | ForEach-Object BaseName
    Get-ChildItem -Path $ModuleFolder -Recurse -File | ForEach-Object {
        $rel = [IO.Path]::GetRelativePath($ModuleFolder, $_.FullName)
        $byProduct = ($ByProducts | Where-Object { $_ -and $rel -like $_ }) -or
            ($_.DirectoryName -eq (Resolve-Path $ModuleFolder).Path -and $_.Extension -eq '.xml' -and $_.BaseName -in $dlls)
        if (-not $byProduct) {
            $dest = Join-Path $stage $rel
            New-Item -ItemType Directory -Force -Path (Split-Path $dest) | Out-Null
            Copy-Item -LiteralPath $_.FullName -Destination $dest
        }
    }

    Get-ChildItem -Path $repository -Filter "LvsAdmin.$version.nupkg" | Remove-Item -Force
    $script = @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name LvsAdminLocal -Uri $env:LVSPKG_REPOSITORY -Trusted
Publish-PSResource -Path $env:LVSPKG_STAGE -Repository LvsAdminLocal
'@
    $environment = Get-IsolatedHome $psrgHome
    $environment += @{ LVSPKG_REPOSITORY = $repository; LVSPKG_STAGE = $stage }
    Invoke-ChildPwsh -ArgumentList '-Command', $script -Environment $environment | Write-Verbose
    $nupkg = Get-ChildItem -Path $repository -Filter "LvsAdmin.$version.nupkg" | Select-Object -First 1
    if (-not $nupkg) { throw "Publish-PSResource did not write LvsAdmin.$version.nupkg into $repository" }
    $nupkg.FullName
}

function Install-LvsAdminPackage {
    <#
    .SYNOPSIS
        Installs LvsAdmin by name with Install-PSResource from the local file repository that holds NupkgPath into a
        fresh home folder (its CurrentUser scope: <DataHome>/.local/share/powershell/Modules). Returns that module path.
    #>
    param(
        [Parameter(Mandatory)] [string] $NupkgPath,
        [Parameter(Mandatory)] [string] $DataHome,
        [Parameter(Mandatory)] [string] $Version
    )
    if (Test-Path $DataHome) { Remove-Item -Recurse -Force $DataHome }
    New-Item -ItemType Directory -Force -Path $DataHome | Out-Null
    $script = @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name LvsAdminLocal -Uri $env:LVSPKG_REPOSITORY -Trusted
Install-PSResource -Name LvsAdmin -Version $env:LVSPKG_VERSION -Repository LvsAdminLocal -Scope CurrentUser -TrustRepository -Quiet
'@
    $environment = Get-IsolatedHome $DataHome
    $environment += @{ LVSPKG_REPOSITORY = (Split-Path -Parent (Resolve-Path $NupkgPath).Path); LVSPKG_VERSION = $Version }
    Invoke-ChildPwsh -ArgumentList '-Command', $script -Environment $environment | Write-Verbose
    Join-Path $environment.XDG_DATA_HOME 'powershell/Modules'
}

Export-ModuleMember -Function Get-PwshCommand, Invoke-ChildPwsh, Get-IsolatedHome, Get-ModuleVersion, New-LvsAdminPackage, Install-LvsAdminPackage
