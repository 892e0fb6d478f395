# Shared by tests/Invoke-LabPester.ps1 and tests/Invoke-HostPester.ps1 (dot-sourced): runs Pester on the given test
# files against the module laid out at $ModulePath, prints one line "LABEL: N passed, N failed, N skipped" and returns
# the exit code: 0, 1 when anything failed (a test, a block such as BeforeAll, or a file) or nothing passed, 2 when
# the module is not laid out.
function Invoke-LvsPesterRun {
    param(
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [string[]] $Path,
        [Parameter(Mandatory)] [string] $Label,
        [string] $Verbosity = 'Normal'
    )
    if (-not (Test-Path $ModulePath)) {
        [Console]::Error.WriteLine("The module is not laid out at $ModulePath; run: dotnet publish src/LvsAdmin -c Release -o out/LvsAdmin")
        return 2
    }
    # LVS_PESTER_MODULE may name a Pester module path (tests/pwsh-env.sh exports the pinned one; the lab passes
    # LVS_* variables into the guest).
    Import-Module ($env:LVS_PESTER_MODULE ? $env:LVS_PESTER_MODULE : 'Pester') -MinimumVersion 5.0.0
    $env:LVSADMIN_MODULE = (Resolve-Path $ModulePath).Path
    $config = New-PesterConfiguration
    $config.Run.Path = $Path
    $config.Run.PassThru = $true
    $config.Output.Verbosity = $Verbosity
    # LVS_PESTER_FULLNAME='*Two directors*' runs only the tests whose full name matches (file-level setup still runs).
    if ($env:LVS_PESTER_FULLNAME) { $config.Filter.FullName = $env:LVS_PESTER_FULLNAME }
    $result = Invoke-Pester -Configuration $config
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Write-Host "${Label}: $($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped"
    [int]($failed -gt 0 -or $result.PassedCount -eq 0)
}
