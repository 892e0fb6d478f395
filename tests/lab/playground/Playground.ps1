<#
.SYNOPSIS
    The LvsAdmin playground inside the kernel lab: LvsAdmin imported, helpers for the namespaces, and the tour.
.DESCRIPTION
    Dot-sourced by tests/lab/playground/start.sh in the lab guest, after topology.sh built the guides' network:
    a client, a NAT director (this guest) with rs1 (port 80) and rs2 (port 8080) behind it, and a DR segment with rs3
    and rs4. It imports the module, defines
        lab NAMESPACE COMMAND [ARGS]   run a shell command in a namespace (client, rs1 ... rs4)
        Get-PlaygroundPage URL [-Count N]   fetch URL from the client N times; each answer is the server's name
        Show-PlaygroundTour            print the tour
        Invoke-PlaygroundTour          run the tour step by step and check what it promises
    and prints the tour. -Tour runs it at once (CI does, non-interactively) and sets $global:PlaygroundTourFailed.
#>
[CmdletBinding()]
param(
    [switch] $Tour,
    [switch] $Quiet,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../../out/LvsAdmin/LvsAdmin.psd1')
)

Import-Module $ModulePath -ErrorAction Stop

function global:lab {
    <# .SYNOPSIS Runs COMMAND [ARGS] in the network namespace NAME (client, rs1, rs2, rs3, rs4): lab rs3 ip address #>
    param([Parameter(Mandatory)][ArgumentCompleter({ param($c, $p, $w) 'client', 'rs1', 'rs2', 'rs3', 'rs4' | Where-Object { $_ -like "$w*" } })][string] $Namespace)
    if ($args.Count -eq 0) { throw "usage: lab NAMESPACE COMMAND [ARGS], e.g. lab client busybox wget -qO- http://203.0.113.11/" }
    ip netns exec $Namespace @args
}

function global:Get-PlaygroundPage {
    <# .SYNOPSIS Fetches URL from the client namespace Count times; every answer is the name of the real server. #>
    param([Parameter(Mandatory)][string] $Url, [int] $Count = 4)
    foreach ($i in 1..$Count) {
        $page = ip netns exec client busybox wget -q -T 5 -O - $Url 2>&1
        if ($LASTEXITCODE -ne 0) { "(no answer: $page)" } else { "$page".Trim() }
    }
}

# The tour: each step is what a user types, run as it is printed. Check, when present, says what the step promised.
$global:PlaygroundTour = @(
    @{ Title = 'NAT, as in the guides: the director owns the VIP and forwards; the real servers route back through it'
       Code = @'
Initialize-LvsDirector -Mode Nat -VirtualAddress 203.0.113.11 -InterfaceName ext0
New-LvsVirtualService -Service tcp/203.0.113.11:80 -Scheduler rr
Add-LvsRealServer -Service tcp/203.0.113.11:80 -Address 10.10.20.12 -ForwardingMethod Nat
Add-LvsRealServer -Service tcp/203.0.113.11:80 -Address 10.10.20.13:8080 -ForwardingMethod Nat
Get-LvsVirtualService -Service tcp/203.0.113.11:80
'@ }
    @{ Title = 'curl the VIP from the client: rr alternates between rs1 (port 80) and rs2 (port 8080)'
       Code = '$nat = Get-PlaygroundPage http://203.0.113.11/ -Count 4; $nat'
       Check = { Test-Alternation $nat 'rs1', 'rs2' } }
    @{ Title = 'DR: the VIP on the director, and on lo of each real server with ARP for it turned off there'
       Code = @'
Initialize-LvsDirector -Mode DirectRouting -VirtualAddress 10.10.10.100 -InterfaceName lan-dr
'rs3', 'rs4' | ForEach-Object { Initialize-LvsRealServer -Mode DirectRouting -VirtualAddress 10.10.10.100 -NetworkNamespace $_ }
New-LvsVirtualService -Service tcp/10.10.10.100:80 -Scheduler rr
Add-LvsRealServer -Service tcp/10.10.10.100:80 -Address 10.10.10.12
Add-LvsRealServer -Service tcp/10.10.10.100:80 -Address 10.10.10.13
Test-LvsRealServer -Mode DirectRouting -VirtualAddress 10.10.10.100 -NetworkNamespace rs3
'@ }
    @{ Title = 'curl the DR VIP: rs3 and rs4 answer the client directly (the director sees only the requests)'
       Code = '$dr = Get-PlaygroundPage http://10.10.10.100/ -Count 4; $dr'
       Check = { Test-Alternation $dr 'rs3', 'rs4' } }
    @{ Title = 'The table with its real servers and counters, the connection table, and the table as ipvsadm-save text'
       Code = @'
Get-LvsVirtualService | Get-LvsRealServer
Get-LvsConnection | Format-Table
Export-LvsConfiguration -Format Ipvsadm
'@
       Check = { Test-TableMatchesIpvsadm } }
)

function global:Test-Alternation([string[]] $Answers, [string[]] $Servers) {
    # rr over two servers: each answer differs from the one before, and both servers answered.
    $ok = $Answers.Count -ge 4 -and @($Servers | Where-Object { $_ -notin $Answers }).Count -eq 0
    for ($i = 1; $ok -and $i -lt $Answers.Count; $i++) { $ok = $Answers[$i] -ne $Answers[$i - 1] -and $Answers[$i] -in $Servers }
    [pscustomobject]@{ Check = "rr alternates between $($Servers -join ' and ')"; Passed = $ok; Detail = $Answers -join ' ' }
}

function global:Test-TableMatchesIpvsadm {
    # The default view's real-server lines are ipvsadm -Ln's, and the ipvsadm export is ipvsadm -Sn's text.
    $view = (Get-LvsVirtualService | Sort-Object Address | Out-String -Width 200) -split "`r?`n" | Where-Object { $_ -match '^\s+->\s+\d' }
    $ipvsadm = (ipvsadm -Ln) | Where-Object { $_ -match '^\s+->\s+\d' }
    $export = (Export-LvsConfiguration -Format Ipvsadm) -join "`n"
    $save = (ipvsadm -Sn) -join "`n"
    $ok = (($view | Sort-Object) -join "`n") -eq (($ipvsadm | Sort-Object) -join "`n") -and $export.Trim() -eq $save.Trim() -and $view.Count -eq 4
    [pscustomobject]@{ Check = 'the table matches ipvsadm -Ln and ipvsadm -Sn'; Passed = $ok; Detail = "$($view.Count) real servers" }
}

function global:Show-PlaygroundTour {
    $n = 0
    foreach ($step in $global:PlaygroundTour) {
        $n++
        Write-Host "`n# $n. $($step.Title)" -ForegroundColor Green
        Write-Host $step.Code
    }
}

function global:Invoke-PlaygroundTour {
    $n = 0; $results = @()
    foreach ($step in $global:PlaygroundTour) {
        $n++
        Write-Host "`n# $n. $($step.Title)" -ForegroundColor Green
        foreach ($line in $step.Code -split "`n") { Write-Host "PS> $line" -ForegroundColor Cyan }
        . ([scriptblock]::Create($step.Code)) | Out-Host
        if ($step.Check) {
            $r = & $step.Check
            $results += $r
            Write-Host ("{0}: {1} ({2})" -f ($r.Passed ? 'PASS' : 'FAIL'), $r.Check, $r.Detail) -ForegroundColor ($r.Passed ? 'Green' : 'Red')
        }
    }
    $failed = @($results | Where-Object { -not $_.Passed }).Count
    $global:PlaygroundTourFailed = $failed
    "playground: $($results.Count - $failed) passed, $failed failed, 0 skipped"
}

if (-not $Quiet) {
    Write-Host @"

LvsAdmin playground — Linux $(uname -r), LvsAdmin $((Get-Module LvsAdmin).Version), PowerShell $($PSVersionTable.PSVersion)
This guest is the director. Namespaces: client (203.0.113.22 and 10.10.10.240), rs1 10.10.20.12:80 and
rs2 10.10.20.13:8080 behind NAT, rs3 10.10.10.12 and rs4 10.10.10.13 on the DR segment.
  lab client busybox wget -qO- http://203.0.113.11/     a shell command in a namespace
  Get-PlaygroundPage http://10.10.10.100/ -Count 6      the client fetches a VIP; each answer names its server
  Invoke-PlaygroundTour                                 run the tour below step by step
  exit                                                  power the lab off
"@
    Show-PlaygroundTour
}
if ($Tour) { Invoke-PlaygroundTour }
