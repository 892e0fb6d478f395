# Runs the commands of the DSC v3 resource manifest LvsAdmin.dsc.resource.json the way DSC does, for
# tests/LvsAdmin.Dsc.Tests.ps1 (lab) and tests/host/Dsc.Tests.ps1 (host). The dsc CLI is not on any package registry
# here. What DSC does with a command resource: it resolves the declared executable through PATH, runs it with exactly
# the declared args, writes the instance JSON to standard input (input: stdin), and reads the state (and for
# set/test with return stateAndDiff, a second line: the property names) as JSON lines from standard output, trace
# lines ({"error": ...}) from standard error, and the exit code, which it looks up in the manifest's exitCodes.
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../build/LvsAdmin.Package.psm1')

function New-DscHost {
    <#
    .SYNOPSIS
        What DSC's host needs for the module in ModuleFolder (a folder named LvsAdmin): pwsh on PATH, the module where
        Get-Module -ListAvailable finds it, and a fresh HOME, all under WorkFolder. Returns the manifest and the
        environment of the commands.
    #>
    param([Parameter(Mandatory)] [string] $ModuleFolder, [Parameter(Mandatory)] [string] $WorkFolder)
    $shim = Join-Path $WorkFolder 'bin'
    New-Item -ItemType Directory -Force -Path $shim | Out-Null
    $pwsh = Join-Path $shim 'pwsh'
    Set-Content -Path $pwsh -Value ("#!/bin/sh`nexec " + ((Get-PwshCommand | ForEach-Object { "'$_'" }) -join ' ') + ' "$@"')
    & chmod 755 $pwsh
    $environment = Get-IsolatedHome (Join-Path $WorkFolder 'home')
    $environment.PATH = "${shim}:$env:PATH"
    $environment.PSModulePath = Split-Path -Parent $ModuleFolder
    [pscustomobject]@{
        Manifest    = Get-Content -Raw (Join-Path $ModuleFolder 'LvsAdmin.dsc.resource.json') | ConvertFrom-Json -AsHashtable
        Environment = $environment
    }
}

function Invoke-DscOperation {
    <#
    .SYNOPSIS
        Runs the manifest's command for one operation as DSC would. Returns ExitCode, Lines (standard output),
        Output (each line parsed as JSON; arrays stay arrays), Errors (standard error lines) and Traces (the parsed
        {"level": "message"} trace lines). Prefix: a command line to run it under (e.g. setpriv ... --).
    #>
    param(
        [Parameter(Mandatory)] $DscHost,
        [Parameter(Mandatory)] [string] $Operation,
        [AllowEmptyString()] [string] $InputJson = '',
        [string[]] $Prefix = @()
    )
    $op = $DscHost.Manifest[$Operation]
    if ($op.input -ne 'stdin') { throw "the $Operation command takes its input as '$($op.input)', not on standard input" }
    $exe = $DscHost.Environment.PATH -split ':' | Where-Object { $_ } | ForEach-Object { Join-Path $_ $op.executable } |
        Where-Object { Test-Path $_ -PathType Leaf } | Select-Object -First 1
    if (-not $exe) { throw "'$($op.executable)' is not on PATH" }
    $argv = @($Prefix) + @($exe) + @($op.args)
    $psi = [System.Diagnostics.ProcessStartInfo]::new($argv[0])
    foreach ($a in $argv | Select-Object -Skip 1) { $psi.ArgumentList.Add($a) }
    foreach ($k in $DscHost.Environment.Keys) { $psi.Environment[$k] = $DscHost.Environment[$k] }
    $psi.RedirectStandardInput = $psi.RedirectStandardOutput = $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $p = [System.Diagnostics.Process]::Start($psi)
    $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEndAsync()
    if ($InputJson) { $p.StandardInput.Write($InputJson) }
    $p.StandardInput.Close()
    if (-not $p.WaitForExit(900000)) { $p.Kill($true); throw "the $Operation command did not end within 15 minutes" }
    $p.WaitForExit()
    $lines = @($out.Result -split "`n" | Where-Object { $_.Trim() })
    $errors = @($err.Result -split "`n" | Where-Object { $_.Trim() })
    [pscustomobject]@{
        ExitCode = $p.ExitCode
        Lines    = $lines
        Output   = @($lines | ForEach-Object { , ($_ | ConvertFrom-Json -AsHashtable -NoEnumerate) })
        Errors   = $errors
        Traces   = @($errors | ForEach-Object { try { $_ | ConvertFrom-Json -AsHashtable -ErrorAction Stop } catch { $null } } |
                Where-Object { $_ -is [hashtable] })
    }
}

Export-ModuleMember -Function New-DscHost, Invoke-DscOperation
