#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Times what a pwsh user feels: the cmdlets in one fresh pwsh process, next to ipvsadm in the same run.
.DESCRIPTION
    Run it inside the kernel lab, as root, in a NEW pwsh process (the first call is only first once):

        . tests/pwsh-env.sh
        tests/lab/lab.sh run --timeout 3000 -- $LVS_PWSH -NoProfile -File tests/bench/Measure-CmdletPerformance.ps1

    It changes the IPVS table (it flushes the current namespace's table first and makes network namespaces
    lvsbench-*), so run it where that is harmless. The rows, in the order they are measured:

      Import-Module LvsAdmin                                   (the first thing the process does)
      ipvsadm -R of the whole table into an empty table        (a fresh namespace; then the listings' table, untimed)
      ipvsadm -Ln, three times                                 (the best is the anchor of the listings)
      first  Get-LvsVirtualService | Get-LvsRealServer         (objects, the first LvsAdmin call of the session)
      warm   the same                                          (best of -Repeat)
      Get-LvsVirtualService | Out-String                       (the default, ipvsadm -Ln-like view)
      Get-LvsVirtualService | Get-LvsRealServer | Out-String   (the real servers' default table view)
      Export-LvsConfiguration -Format Ipvsadm                  (vs ipvsadm -Sn to a file)
      Import-LvsConfiguration of the whole table into an empty table (a fresh namespace; vs the ipvsadm -R above)
      Import-LvsConfiguration of the same document again       (nothing to change)

    Then the floors, measured in the same run, that no cmdlet can go below:

      kernel CPU time of a listing        the system time of ipvsadm -Ln (its best run) and of the cmdlets' best warm
                                          listing: IPVS has one dump per service's real servers, for any tool
      PowerShell alone: strings as text   as many plain strings as the table has lines, through Out-String (warm)
      PowerShell alone: entries as text   one string per service holding its lines, through Out-String (warm)
      PowerShell alone: objects as text   as many [pscustomobject]s of five properties as real servers, Out-String (warm)
      PowerShell alone: first Out-String  one object, the first formatting of a new pwsh process (timed inside it)
      PowerShell alone: first cmdlet call Get-Item / | Get-Item, the first pipeline of binary cmdlets in that process
      kernel CPU time of the import       the system time of ipvsadm -R and of Import-LvsConfiguration

    The listings are compared with ipvsadm -Ln piped to cat, the best of three runs. Both imports go into the empty
    table of a fresh network namespace of their own, never after ipvsadm -C: Linux 6.1 keeps flushed real servers in a
    trash list (per namespace, for about two minutes) that every later add scans, which slowed ipvsadm -R of a
    10,000-service table from 34 s to 65 s when it ran after an earlier run's flush. The listings read the current
    namespace, which gets the same rules (flushed and restored, untimed). Times are wall-clock seconds; ipvsadm's include its process start, the cmdlets'
    do not include pwsh's start. It prints a markdown table and checks every result (object and line counts), so a
    fast wrong answer cannot pass; it exits 1 when a check fails.
.PARAMETER Services
    Virtual services in the table (2,000 by default; 10,000 for the large run).
.PARAMETER RealServers
    Real servers of each service (10).
.PARAMETER Repeat
    Runs of the warm listing; the best is reported.
.PARAMETER ModulePath
    The laid-out module (dotnet publish src/LvsAdmin -c Release -o out/LvsAdmin).
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 65000)] [int] $Services = 2000,
    [ValidateRange(1, 250)] [int] $RealServers = 10,
    [ValidateRange(1, 20)] [int] $Repeat = 2,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/LvsAdmin/LvsAdmin.psd1'),
    [string] $Ipvsadm = 'ipvsadm'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# ---- Import-Module: the first thing this process does ----
$watch = [Diagnostics.Stopwatch]::StartNew()
Import-Module $ModulePath
$importSeconds = $watch.Elapsed.TotalSeconds

$failures = [Collections.Generic.List[string]]::new()
function Check([bool] $ok, [string] $what) { if (-not $ok) { $failures.Add($what); Write-Warning "check failed: $what" } }

# Each measurement also goes to stderr as soon as it is taken, so a slow or stuck run shows how far it got.
$clock = [Diagnostics.Stopwatch]::StartNew()
function Note([string] $what, [double] $seconds) {
    [Console]::Error.WriteLine(('bench: {0,7:0.0} s  {1}: {2:0.00} s' -f $clock.Elapsed.TotalSeconds, $what, $seconds))
}
Note 'Import-Module LvsAdmin' $importSeconds

function Time([string] $what, [scriptblock] $work) {
    $w = [Diagnostics.Stopwatch]::StartNew()
    $result = & $work
    $seconds = $w.Elapsed.TotalSeconds
    Note $what $seconds
    return [pscustomobject]@{ Seconds = $seconds; Result = $result }
}

# A command line timed by bash's time: the wall-clock and the kernel (system) CPU seconds; throws when it fails.
function KernelTimed([string] $command) {
    $out = & bash -c "TIMEFORMAT='%R %S'; { time $command ; } 2>&1"
    if ($LASTEXITCODE -ne 0) { throw "'$command' failed with exit code $LASTEXITCODE" }
    $t = ("$out".Trim() -split '\s+')[-2..-1] | ForEach-Object { [double]::Parse($_, [cultureinfo]::InvariantCulture) }
    Note "$command (system $($t[1].ToString('0.00')) s)" $t[0]
    return [pscustomobject]@{ Real = $t[0]; Sys = $t[1] }
}

# A command line through /bin/sh, so ipvsadm writes to a pipe or a file as it would in a shell; throws when it fails.
function Shell([string] $command) {
    $w = [Diagnostics.Stopwatch]::StartNew()
    & /bin/sh -c $command
    if ($LASTEXITCODE -ne 0) { throw "'$command' failed with exit code $LASTEXITCODE" }
    $seconds = $w.Elapsed.TotalSeconds
    Note $command $seconds
    return $seconds
}

$work = Join-Path ([IO.Path]::GetTempPath()) "lvsbench-$PID"
New-Item -ItemType Directory -Path $work -Force | Out-Null
$rules = Join-Path $work 'table.rules'
$namespace = "lvsbench-$PID"
$restoreNamespace = "lvsbench-R-$PID"
$expectedReals = $Services * $RealServers

try {
    # The table: service i on 10.a.b.c:80 (a distinct address each), real servers 192.168.j.(i%250):80, masquerading.
    $sb = [Text.StringBuilder]::new()
    for ($i = 0; $i -lt $Services; $i++) {
        $vip = '10.{0}.{1}.{2}:80' -f [math]::Floor($i / 62500), ([math]::Floor($i / 250) % 250), ($i % 250 + 1)
        [void]$sb.Append("-A -t $vip -s wlc`n")
        for ($j = 0; $j -lt $RealServers; $j++) { [void]$sb.Append("-a -t $vip -r 192.168.$j.$($i % 250 + 1):80 -m -w 1`n") }
    }
    [IO.File]::WriteAllText($rules, $sb.ToString())

    Shell "ip netns add $restoreNamespace && ip -n $restoreNamespace link set lo up" | Out-Null
    $restore = KernelTimed "ip netns exec $restoreNamespace $Ipvsadm -R < '$rules'"
    $ipvsadmRestore = $restore.Real
    Shell "ip netns delete $restoreNamespace" | Out-Null
    # The table the listings read: the current namespace's (untimed).
    Shell "$Ipvsadm -C && $Ipvsadm -R < '$rules'" | Out-Null
    # ipvsadm's best of three listings (the VM's speed wanders by tens of percent from one minute to the next), with
    # the kernel (system) CPU time of the best one from bash's time.
    $ipvsadmList = [double]::MaxValue
    $ipvsadmSys = 0.0
    for ($k = 0; $k -lt 3; $k++) {
        $timed = KernelTimed "$Ipvsadm -Ln | cat > /dev/null"
        if ($timed.Real -lt $ipvsadmList) { $ipvsadmList = $timed.Real; $ipvsadmSys = $timed.Sys }
    }
    $listLines = @(& $Ipvsadm -Ln).Count
    Check ($listLines -eq 3 + $Services + $expectedReals) "ipvsadm -Ln lists $listLines lines, expected $(3 + $Services + $expectedReals)"

    # ---- listings ----
    $first = Time 'first Get-LvsVirtualService | Get-LvsRealServer' { @(Get-LvsVirtualService | Get-LvsRealServer) }
    Check ($first.Result.Count -eq $expectedReals) "first listing: $($first.Result.Count) real servers, expected $expectedReals"
    $warmSeconds = [double]::MaxValue
    $warmSys = 0.0
    $self = [Diagnostics.Process]::GetCurrentProcess()
    for ($k = 0; $k -lt $Repeat; $k++) {
        $self.Refresh(); $sys = $self.PrivilegedProcessorTime.TotalSeconds
        $run = Time 'warm Get-LvsVirtualService | Get-LvsRealServer' { @(Get-LvsVirtualService | Get-LvsRealServer) }
        $self.Refresh(); $sys = $self.PrivilegedProcessorTime.TotalSeconds - $sys
        Check ($run.Result.Count -eq $expectedReals) "warm listing: $($run.Result.Count) real servers, expected $expectedReals"
        if ($run.Seconds -lt $warmSeconds) { $warmSeconds = $run.Seconds; $warmSys = $sys }
    }
    Note 'kernel CPU time of that listing (system time of this process)' $warmSys
    $first.Result = $null
    $serviceText = Time 'Get-LvsVirtualService | Out-String' { Get-LvsVirtualService | Out-String }
    $serviceLines = @($serviceText.Result -split "`n" | Where-Object { $_.Trim() -ne '' }).Count
    Check ($serviceLines -eq 2 + $Services + $expectedReals) "the services' default view has $serviceLines lines, expected $(2 + $Services + $expectedReals)"
    $line = '  -> {0,-28} {1,-7} {2,-6} {3,-10} {4,-10}' -f '192.168.0.1:80', 'Masq', 1, 0, 0
    Check ($serviceText.Result.Contains($line)) "the services' default view lacks the line '$line' (ipvsadm's columns)"
    $realText = Time 'Get-LvsVirtualService | Get-LvsRealServer | Out-String' { Get-LvsVirtualService | Get-LvsRealServer | Out-String }
    $groups = ([regex]::Matches($realText.Result, 'Virtual service: ')).Count
    Check ($groups -eq $Services) "the real servers' default view has $groups groups, expected $Services"

    # ---- export ----
    $exportFile = Join-Path $work 'export.rules'
    # (the ipvsadm format has no timeouts, which Export-LvsConfiguration warns about)
    $export = Time 'Export-LvsConfiguration -Format Ipvsadm' { Export-LvsConfiguration -Format Ipvsadm -Path $exportFile -WarningAction SilentlyContinue }
    $ipvsadmSave = Shell "$Ipvsadm -Sn > '$work/save.rules'"
    $exported = @(Get-Content $exportFile | Where-Object { $_ -clike '-a *' }).Count
    Check ($exported -eq $expectedReals) "Export-LvsConfiguration wrote $exported real servers, expected $expectedReals"

    # ---- import into an empty table (a fresh namespace), then the same again ----
    # lo up: a namespace gets its local routing table with its first address, and IPVS refuses a real server whose
    # address type it cannot look up there (EINVAL).
    Shell "ip netns add $namespace && ip -n $namespace link set lo up" | Out-Null
    $self.Refresh(); $importSys = $self.PrivilegedProcessorTime.TotalSeconds
    $import = Time 'Import-LvsConfiguration (empty table)' { Import-LvsConfiguration -Path $exportFile -Format Ipvsadm -NetworkNamespace $namespace }
    $self.Refresh(); $importSys = $self.PrivilegedProcessorTime.TotalSeconds - $importSys
    Note 'kernel CPU time of that import (system time of this process)' $importSys
    $imported = @(Get-LvsVirtualService -NetworkNamespace $namespace | Get-LvsRealServer -NetworkNamespace $namespace).Count
    Check ($imported -eq $expectedReals) "Import-LvsConfiguration made $imported real servers, expected $expectedReals"
    $again = Time 'Import-LvsConfiguration (again)' { Import-LvsConfiguration -Path $exportFile -Format Ipvsadm -NetworkNamespace $namespace -PassThru }
    Check (@($again.Result.Completed).Count -eq 0) "the second import changed $(@($again.Result.Completed).Count) things, expected none"

    # ---- the floors: PowerShell's own formatting, without LvsAdmin ----
    $strings = [string[]]::new(2 + $Services + $expectedReals)
    for ($k = 0; $k -lt $strings.Length; $k++) { $strings[$k] = $line }
    $stringText = Time 'PowerShell alone: strings | Out-String' { $strings | Out-String }
    Check (@($stringText.Result -split "`n" | Where-Object { $_.Trim() -ne '' }).Count -eq $strings.Length) 'the strings as text'
    # One string per service holding its lines: the least any per-service view can cost.
    $entry = (@($line) * (1 + $RealServers)) -join "`n"
    $entries = [string[]]::new($Services)
    for ($k = 0; $k -lt $Services; $k++) { $entries[$k] = $entry }
    $entryText = Time 'PowerShell alone: a string per service | Out-String' { $entries | Out-String }
    Check (@($entryText.Result -split "`n" | Where-Object { $_.Trim() -ne '' }).Count -eq $Services * (1 + $RealServers)) 'the entries as text'
    $objects = [Collections.Generic.List[object]]::new($expectedReals)
    for ($k = 0; $k -lt $expectedReals; $k++) {
        $objects.Add([pscustomobject]@{ Server = '192.168.0.1:80'; Forward = 'Masq'; Weight = 1; ActiveConnections = 0; InactiveConnections = 0 })
    }
    $objectText = Time 'PowerShell alone: objects | Out-String' { $objects | Out-String }
    Check ($objectText.Result.Length -gt $expectedReals * 40) 'the objects as text'
    $objects = $null
    # A new pwsh process calls a binary cmdlet of its own and then formats one object, each for the first time; it
    # times them inside itself (its own start is not counted).
    $pwshArgs = @()
    if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $pwshArgs += [Environment]::GetCommandLineArgs()[0] }
    $probe = '$w = [Diagnostics.Stopwatch]::StartNew(); $null = @(Get-Item -LiteralPath / | Get-Item); $a = $w.Elapsed.TotalSeconds; ' +
        '$w.Restart(); $null = [pscustomobject]@{ A = 1; B = 2 } | Out-String; $b = $w.Elapsed.TotalSeconds; ' +
        '"$($a.ToString([cultureinfo]::InvariantCulture)) $($b.ToString([cultureinfo]::InvariantCulture))"'
    $probed = "$(& ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $probe | Select-Object -Last 1)".Trim() -split ' '
    $firstCmdlet = [double]::Parse($probed[0], [cultureinfo]::InvariantCulture)
    $firstFormat = [double]::Parse($probed[1], [cultureinfo]::InvariantCulture)
    Note 'PowerShell alone: the first Get-Item | Get-Item of a new pwsh' $firstCmdlet
    Note 'PowerShell alone: the first Out-String of a new pwsh' $firstFormat
}
finally {
    & ip netns delete $namespace 2>$null
    & ip netns delete $restoreNamespace 2>$null
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

function Ratio([double] $ours, [double] $theirs) {
    if ($theirs -le 0 -or $ours -le 0) { return '' }
    if ($ours -le $theirs) { return '{0:0.0}× faster' -f ($theirs / $ours) }
    return '{0:0.0}× slower' -f ($ours / $theirs)
}
function Verdict([double] $ours, [double] $theirs, [double] $times) {
    if ($ours -le 0 -or $theirs -le 0) { return '' }
    if ($theirs / $ours -ge $times) { return 'met' }
    return 'not met'
}
$ln = "``-Ln`` {0:0.0} s" -f $ipvsadmList
$rows = @(
    [pscustomobject]@{ What = 'first `Get-LvsVirtualService | Get-LvsRealServer` in the session (objects)'; Ours = $first.Seconds; Theirs = $ipvsadmList; Label = $ln; Target = 1; TargetText = 'as fast as -Ln' }
    [pscustomobject]@{ What = 'the same, warm'; Ours = $warmSeconds; Theirs = $ipvsadmList; Label = $ln; Target = 3; TargetText = '≥ 3× faster' }
    [pscustomobject]@{ What = '`Get-LvsVirtualService | Out-String` (the default, ipvsadm-like view)'; Ours = $serviceText.Seconds; Theirs = $ipvsadmList; Label = $ln; Target = 1; TargetText = 'as fast as -Ln' }
    [pscustomobject]@{ What = '`Get-LvsVirtualService | Get-LvsRealServer | Out-String`'; Ours = $realText.Seconds; Theirs = $ipvsadmList; Label = $ln; Target = 1; TargetText = 'as fast as -Ln' }
    [pscustomobject]@{ What = '`Export-LvsConfiguration -Format Ipvsadm`'; Ours = $export.Seconds; Theirs = $ipvsadmSave; Label = ("``-Sn`` {0:0.0} s" -f $ipvsadmSave); Target = 0; TargetText = '' }
    [pscustomobject]@{ What = '`Import-LvsConfiguration` of the whole table into an empty table'; Ours = $import.Seconds; Theirs = $ipvsadmRestore; Label = ("``-R`` {0:0.0} s" -f $ipvsadmRestore); Target = 4; TargetText = '≥ 4× faster' }
    [pscustomobject]@{ What = 'the same document again (nothing to change)'; Ours = $again.Seconds; Theirs = 0; Label = '–'; Target = 0; TargetText = '' }
    [pscustomobject]@{ What = '`Import-Module LvsAdmin`'; Ours = $importSeconds; Theirs = 0; Label = '–'; Target = 0; TargetText = '< 0.5 s on the host' }
    [pscustomobject]@{ What = 'floor: kernel CPU time of a listing (the warm one; ipvsadm''s best `-Ln`)'; Ours = $warmSys; Theirs = $ipvsadmSys; Label = ("``-Ln`` {0:0.0} s" -f $ipvsadmSys); Target = 0; TargetText = '' }
    [pscustomobject]@{ What = "floor: PowerShell alone, $($strings.Length) strings ``| Out-String``"; Ours = $stringText.Seconds; Theirs = $ipvsadmList; Label = $ln; Target = 0; TargetText = '' }
    [pscustomobject]@{ What = "floor: PowerShell alone, $Services strings of $(1 + $RealServers) lines ``| Out-String``"; Ours = $entryText.Seconds; Theirs = $ipvsadmList; Label = $ln; Target = 0; TargetText = '' }
    [pscustomobject]@{ What = "floor: PowerShell alone, $expectedReals objects of 5 properties ``| Out-String``"; Ours = $objectText.Seconds; Theirs = $ipvsadmList; Label = $ln; Target = 0; TargetText = '' }
    [pscustomobject]@{ What = 'floor: PowerShell alone, the first `Out-String` (one object) of a new pwsh'; Ours = $firstFormat; Theirs = $ipvsadmList; Label = $ln; Target = 0; TargetText = '' }
    [pscustomobject]@{ What = 'floor: PowerShell alone, the first `Get-Item / | Get-Item` of a new pwsh'; Ours = $firstCmdlet; Theirs = $ipvsadmList; Label = $ln; Target = 0; TargetText = '' }
    [pscustomobject]@{ What = 'floor: kernel CPU time of the import into an empty table'; Ours = $importSys; Theirs = $restore.Sys; Label = ("``-R`` {0:0.0} s" -f $restore.Sys); Target = 0; TargetText = '' }
)
"LvsAdmin cmdlets vs $Ipvsadm, $Services services × $RealServers real servers, pwsh $($PSVersionTable.PSVersion), one process"
''
'| | LvsAdmin | ipvsadm | ratio | target | |'
'| --- | --- | --- | --- | --- | --- |'
foreach ($r in $rows) {
    $verdict = if ($r.Target -gt 0) { Verdict $r.Ours $r.Theirs $r.Target } else { '' }
    # a | inside a markdown table cell, even in code, must be written \|
    '| {0} | {1:0.0} s | {2} | {3} | {4} | {5} |' -f $r.What.Replace('|', '\|'), $r.Ours, $r.Label, (Ratio $r.Ours $r.Theirs), $r.TargetText, $verdict
}
''
if ($failures.Count -gt 0) {
    "bench: $($failures.Count) check(s) failed: $($failures -join '; ')"
    exit 1
}
'bench: all checks passed'
