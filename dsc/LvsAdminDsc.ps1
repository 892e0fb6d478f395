#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The commands of the DSC v3 resource LvsAdmin/Configuration (LvsAdmin.dsc.resource.json): get, set, test, export.
.DESCRIPTION
    DSC starts it as `pwsh -NoLogo -NonInteractive -NoProfile -Command <...> <operation>` and writes the desired
    state, an LvsAdmin configuration document as compressed JSON, to its standard input. It only calls the LvsAdmin
    cmdlets; all logic is in the module.

    The instance is the configuration document (schemaVersion, services, timeouts, syncDaemons) plus two DSC
    canonical properties: _purge (true = also remove the virtual services the document does not name, the cmdlets'
    -Prune) and _inDesiredState (written by test).

    Output (standard output, JSON lines): get and export write the live document; test writes the live document with
    _inDesiredState, then the names of the properties that differ; set writes the document after the change, then
    the names of the properties it changed. Errors are written to standard error as a DSC trace line {"error": ...}.

    Exit codes (the manifest's exitCodes): 0 success; 1 unexpected error; 2 the desired state is not a valid
    document (nothing applied); 3 applying failed and was rolled back (the table is as before); 4 applying failed and
    the rollback is incomplete; 5 IPVS is not usable here (no ip_vs module, not root / no CAP_NET_ADMIN).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory, Position = 0)]
    [ValidateSet('get', 'set', 'test', 'export')]
    [string] $Operation
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Write-Trace([string] $Level, [string] $Message) {
    [Console]::Error.WriteLine((@{ $Level = $Message } | ConvertTo-Json -Compress))
}

# The live document as one compressed JSON object, with extra properties.
function Get-LiveState([hashtable] $Extra = @{}) {
    $state = Export-LvsConfiguration -Format Json | ConvertFrom-Json -AsHashtable
    $state.Remove('$schema')
    foreach ($k in $Extra.Keys) { $state[$k] = $Extra[$k] }
    $state | ConvertTo-Json -Depth 32 -Compress
}

# Which top-level properties of the document the plan steps touch, as a compressed JSON array.
function Get-PropertyName($Steps) {
    $names = foreach ($s in $Steps) {
        switch ([string]$s.TargetType) {
            'Service' { 'services' } 'RealServer' { 'services' } 'Timeouts' { 'timeouts' }
            'SyncDaemon' { 'syncDaemons' } 'HostSetting' { 'host' }
        }
    }
    ConvertTo-Json -Compress -InputObject ([string[]]@($names | Select-Object -Unique))
}

try {
    $module = Join-Path $PSScriptRoot '..' 'LvsAdmin.psd1'
    Import-Module $module -ErrorAction Stop

    $desiredText = $null
    $prune = $false
    if ($Operation -in 'set', 'test') {
        $text = [Console]::In.ReadToEnd()
        if ([string]::IsNullOrWhiteSpace($text)) {
            Write-Trace error "No desired state on standard input: $Operation needs an LvsAdmin configuration document as JSON."
            exit 2
        }
        try {
            $instance = $text | ConvertFrom-Json -AsHashtable
        } catch {
            Write-Trace error "The desired state is not JSON: $($_.Exception.Message)"
            exit 2
        }
        $prune = [bool]$instance['_purge']
        foreach ($k in @($instance.Keys)) { if ($k -like '_*') { $instance.Remove($k) } }
        $desiredText = $instance | ConvertTo-Json -Depth 32
    }

    switch ($Operation) {
        'get' { Get-LiveState }
        'export' { Get-LiveState }
        'test' {
            $drift = @(Test-LvsConfiguration -InputObject $desiredText -Format Json -Prune:$prune -Detailed)
            foreach ($s in $drift) { Write-Trace info ("drift: " + $s) }
            Get-LiveState @{ _inDesiredState = ($drift.Count -eq 0) }
            Get-PropertyName $drift
        }
        'set' {
            $result = Set-LvsConfiguration -InputObject $desiredText -Format Json -Prune:$prune -PassThru -Confirm:$false
            foreach ($s in $result.Completed) { Write-Trace info ("done: " + $s) }
            Get-LiveState
            Get-PropertyName $result.Completed
        }
    }
    exit 0
} catch {
    $id = [string]$_.FullyQualifiedErrorId
    Write-Trace error $_.Exception.Message
    $code = switch -Regex ($id) {
        '^(ConfigurationParseError|UnsupportedSchemaVersion|ConfigurationInvalid)\b' { 2 }
        '^ApplyFailedRolledBack\b' { 3 }
        '^ApplyFailedRollbackIncomplete\b' { 4 }
        '^(IpvsModuleNotLoaded|IpvsPermissionDenied)\b' { 5 }
        default { 1 }
    }
    exit $code
}
