# Pester 5 lab suite: LvsAdmin across hosts over PowerShell's SSH remoting (issue 11, "Prove it in the kernel lab").
# tests/lab/remoting/ssh-hosts.sh builds the hosts: network namespaces on a bridge with the director (the guest's
# root namespace), each with Debian's sshd, the PowerShell subsystem and key authentication; real servers with httpd
# (rs1..rs5, rs5 IPv6 only), a second director (dir2), a session into the director itself (dir1), a host whose pwsh
# has no LvsAdmin (nomod), a host without pwsh (plain) and an unreachable address (down).
# Opening a session costs a pwsh start on the other side (tens of seconds under the lab's emulation): the suite
# opens every session ONCE, all in parallel, in the BeforeAll below, and every test reuses them.
# Runs in the lab: tests/lab/lab.sh run --short-path -- "$LVS_PWSH" -NoProfile -File tests/Invoke-LabPester.ps1
# (-Suite LvsAdmin.Remoting.Tests.ps1 for this suite alone). LVS_SSH_HOSTS_DIR=DIR uses hosts already up in DIR.
BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    $PSStyle.OutputRendering = 'PlainText'
    $script:sshScript = Join-Path $PSScriptRoot 'lab/remoting/ssh-hosts.sh'
    $script:sshDir = $env:LVS_SSH_HOSTS_DIR
    $script:ownHosts = -not $sshDir
    $clock = [Diagnostics.Stopwatch]::StartNew()
    if ($ownHosts) {
        if (-not $env:LVS_PWSH_DLL) { throw 'LVS_PWSH_DLL is not set: source tests/pwsh-env.sh (the remote hosts run that pwsh)' }
        $script:sshDir = Join-Path ([IO.Path]::GetTempPath()) 'lvs-remoting'
        $modules = Split-Path (Split-Path $env:LVSADMIN_MODULE)
        bash $sshScript up $sshDir --modules $modules --pwsh-dll $env:LVS_PWSH_DLL | Write-Host
        if ($LASTEXITCODE) { throw "ssh-hosts.sh up failed with exit code $LASTEXITCODE" }
    }
    $script:hostInfo = @{}
    foreach ($h in (Get-Content (Join-Path $sshDir 'hosts.json') -Raw | ConvertFrom-Json)) { $hostInfo[$h.Name] = $h }
    # PowerShell's SSH transport runs `ssh` from PATH: the wrapper in DIR/bin adds -F DIR/ssh_config (names, key, known hosts).
    $env:PATH = (Join-Path $sshDir 'bin') + [IO.Path]::PathSeparator + $env:PATH
    $script:timing = [ordered]@{ 'hosts up' = $clock.Elapsed.TotalSeconds }

    $clock.Restart()
    $names = 'dir1', 'dir2', 'rs1', 'rs2', 'rs3', 'rs4', 'rs5', 'nomod'
    $opened = New-PSSession -HostName $names -ErrorAction Stop
    # (PowerShell names are case-insensitive: the table is $S, so no loop variable may be called $s)
    $script:S = @{}
    foreach ($session in $opened) { $S[$session.ComputerName] = $session }
    $timing['sessions opened (parallel)'] = $clock.Elapsed.TotalSeconds
    $clock.Restart()
    $script:withModule = @($names | Where-Object { $_ -ne 'nomod' } | ForEach-Object { $S[$_] })
    Invoke-Command -Session $withModule { Import-Module LvsAdmin -ErrorAction Stop }
    $timing['LvsAdmin imported in every session (parallel)'] = $clock.Elapsed.TotalSeconds
    foreach ($k in $timing.Keys) { Write-Host ('remoting: {0}: {1:0.0} s' -f $k, $timing[$k]) }

    # lo's addresses of a host, seen from outside the session (the namespace itself)
    function script:Get-LoAddress([string] $Name) {
        @(ip -n $hostInfo[$Name].Namespace -o addr show dev lo | ForEach-Object { ($_ -split '\s+')[3] })
    }
}

AfterAll {
    $global:PSStyle.OutputRendering = 'Host'
    Get-PSSession | Remove-PSSession
    if ($ownHosts) { bash $sshScript down $sshDir }
}

Describe 'The module inside remote sessions' {
    It 'Invoke-Command runs the cmdlets on each host; the results are deserialized, name their host and render with their views' {
        $changes = @(Invoke-Command -Session $S.rs1, $S.rs5 {
                $vip = if ($env:LVS_SSH_HOST -eq 'rs5') { 'fd77::200' } else { '10.77.0.200' }
                Initialize-LvsRealServer -Mode DirectRouting -VirtualAddress $vip -PassThru
            })
        try {
            ($changes.PSComputerName | Sort-Object -Unique) | Should -Be 'rs1', 'rs5'
            $changes[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.LvsAdmin.HostSetup.HostChange'
            # the hosts' own view of it (outside the sessions)
            Get-LoAddress rs1 | Should -Contain '10.77.0.200/32'
            Get-LoAddress rs5 | Should -Contain 'fd77::200/128'
            Get-LoAddress rs2 | Should -Not -Contain '10.77.0.200/32'
            # the HostChange table view renders them as it renders live changes
            $text = $changes | Where-Object PSComputerName -EQ rs1 | Out-String -Width 250
            $text | Should -Match 'Kind\s+Action\s+Target\s+Before'
            $text | Should -Match '10\.77\.0\.200'
            Invoke-Command -Session $S.rs1 { Test-LvsRealServer DirectRouting 10.77.0.200 -Quiet } | Should -BeTrue
            Invoke-Command -Session $S.rs5 { Test-LvsRealServer DirectRouting fd77::200 -Quiet } | Should -BeTrue
            # a finding that fails on another host comes back with its host and renders in the findings table
            $findings = @(Invoke-Command -Session $S.rs2 { Test-LvsRealServer DirectRouting 10.77.0.200 })
            $failed = @($findings | Where-Object { -not $_.Passed })
            $failed.Count | Should -BeGreaterThan 0
            $failed.PSComputerName | Sort-Object -Unique | Should -Be 'rs2'
            ($failed | Out-String -Width 250) | Should -Match 'Check\s+Target\s+Passed\s+Message'
        } finally {
            Invoke-Command -Session $S.rs1, $S.rs5 { Reset-LvsRealServer -Confirm:$false }
        }
        Get-LoAddress rs1 | Should -Not -Contain '10.77.0.200/32'
        Get-LoAddress rs5 | Should -Not -Contain 'fd77::200/128'
    }

    It 'virtual services from two directors print as ipvsadm -Ln with one "PSComputerName: NAME" header per host' {
        Invoke-Command -Session $S.dir2 {
            Clear-LvsVirtualService -Confirm:$false
            New-LvsVirtualService -Service tcp/10.77.0.150:80 -Scheduler rr
            Add-LvsRealServer -Service tcp/10.77.0.150:80 -Address 10.77.0.11 -ForwardingMethod DirectRouting
            Add-LvsRealServer -Service tcp/10.77.0.150:80 -Address 10.77.0.12 -ForwardingMethod DirectRouting -Weight 2
            New-LvsVirtualService -Service udp/[fd77::150]:53 -Scheduler wlc -Persistent -PersistenceTimeout 300
            Add-LvsRealServer -Service udp/[fd77::150]:53 -Address fd77::15 -ForwardingMethod Tunnel
        }
        New-LvsVirtualService -Service tcp/10.77.0.151:443 -Scheduler sh   # the director itself is dir1
        try {
            $remote = @(Invoke-Command -Session $S.dir1, $S.dir2 { Get-LvsVirtualService } | Sort-Object PSComputerName, Protocol)   # the kernel lists in hash order
            $remote.Count | Should -Be 3
            $remote[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.LvsAdmin.Ipvs.VirtualService'
            $lines = @(($remote | Out-String -Width 200) -split "`r?`n" | Where-Object { $_ -ne '' } | ForEach-Object TrimEnd)
            $lines | Should -Be @(
                'PSComputerName: dir1'
                'Prot LocalAddress:Port Scheduler Flags'
                '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'
                'TCP  10.77.0.151:443 sh'
                'PSComputerName: dir2'
                'Prot LocalAddress:Port Scheduler Flags'
                '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'
                'TCP  10.77.0.150:80 rr'
                '  -> 10.77.0.11:80                Route   1      0          0'
                '  -> 10.77.0.12:80                Route   2      0          0'
                'UDP  [fd77::150]:53 wlc persistent 300'
                '  -> [fd77::15]:53                Tunnel  1      0          0'
            )
        } finally { Clear-LvsVirtualService -Confirm:$false }
    }

    It 'deserialized services and real servers pipe into the local cmdlets by property name: dir2''s table copied to this director' {
        $services = @(Invoke-Command -Session $S.dir2 { Get-LvsVirtualService })
        $services | Should -Not -BeNullOrEmpty
        try {
            $services | New-LvsVirtualService
            $services.RealServers | Add-LvsRealServer
            $here = (Get-LvsVirtualService | Out-String -Width 200).Trim()
            $there = (Invoke-Command -Session $S.dir2 { Get-LvsVirtualService | Out-String -Width 200 }).Trim()
            $here | Should -Be $there
            $here | Should -Match 'fd77::15'
            # a deserialized real server names the local one it matches (Service, Address, Port)
            $services.RealServers | Where-Object Weight -EQ 2 | Set-LvsRealServer -Weight 7
            (Get-LvsRealServer -Address 10.77.0.12).Weight | Should -Be 7
        } finally {
            Clear-LvsVirtualService -Confirm:$false
            Invoke-Command -Session $S.dir2 { Clear-LvsVirtualService -Confirm:$false }
        }
    }
}

Describe 'Real servers from the director''s table' {
    BeforeAll {
        # The director (this namespace): a DR service over rs1, rs2; a TUN service over rs3, rs4; an IPv6 DR service
        # over rs1 (dual-stack) and rs5 (IPv6 only); the VIPs on lo here. The real servers are set up only remotely.
        Clear-LvsVirtualService -Confirm:$false
        Set-LvsConfiguration -Format Ipvsadm -InputObject @'
-A -t 10.77.0.100:80 -s rr
-a -t 10.77.0.100:80 -r 10.77.0.11:80 -g -w 1
-a -t 10.77.0.100:80 -r 10.77.0.12:80 -g -w 1
-A -t 10.77.0.101:80 -s rr
-a -t 10.77.0.101:80 -r 10.77.0.13:80 -i -w 1
-a -t 10.77.0.101:80 -r 10.77.0.14:80 -i -w 1
-A -t [fd77::100]:80 -s rr
-a -t [fd77::100]:80 -r [fd77::11]:80 -g -w 1
-a -t [fd77::100]:80 -r [fd77::15]:80 -g -w 1
'@
        Add-LvsVirtualAddress -Address 10.77.0.100, 10.77.0.101
        # IPv6 answers neighbour solicitations only for the addresses of the interface they come in on (lo answers
        # none): the director's IPv6 VIP goes on the bridge, the clients' link (the real servers keep theirs on lo).
        Add-LvsVirtualAddress -Address fd77::100 -InterfaceName lvsrbr0
        $script:realServers = 'rs1', 'rs2', 'rs3', 'rs4', 'rs5' | ForEach-Object { $S[$_] }

        # HTTP GETs from the client namespace; the answers (each web server answers with its name)
        function script:Get-Answer([string] $Url, [int] $Count) {
            foreach ($i in 1..$Count) { (ip netns exec lvsr-cli busybox wget -q -O - $Url) -join '' }
        }
        function script:Get-TunnelAddress([string] $Name) {
            @(ip -n $hostInfo[$Name].Namespace -o addr show dev tunl0 | ForEach-Object { ($_ -split '\s+')[3] })
        }
    }
    AfterAll {
        Clear-LvsVirtualService -Confirm:$false
        Remove-LvsVirtualAddress -Address 10.77.0.100, 10.77.0.101 -Confirm:$false
        Remove-LvsVirtualAddress -Address fd77::100 -InterfaceName lvsrbr0 -Confirm:$false
    }

    It 'one command sets up every DR and every TUN real server of the table, on its own host, in parallel' {
        $reports = @(Sync-LvsRealServer -Session $realServers)
        ($reports.PSComputerName | Sort-Object) | Should -Be 'rs1', 'rs2', 'rs3', 'rs4', 'rs5'
        $reports | ForEach-Object { $_.Changed | Should -BeTrue -Because $_.PSComputerName }
        ($reports | Where-Object PSComputerName -EQ rs3).Method | Should -Be 'Tunnel'
        ($reports | Where-Object PSComputerName -EQ rs1).Method | Should -Be 'DirectRouting'
        ($reports | Where-Object PSComputerName -EQ rs1).VirtualAddresses | Sort-Object | Should -Be '10.77.0.100', 'fd77::100'
        # what the hosts have now, seen from outside the sessions
        Get-LoAddress rs1 | Should -Contain '10.77.0.100/32'
        Get-LoAddress rs1 | Should -Contain 'fd77::100/128'
        Get-LoAddress rs2 | Should -Contain '10.77.0.100/32'
        Get-LoAddress rs5 | Should -Contain 'fd77::100/128'
        Get-TunnelAddress rs3 | Should -Contain '10.77.0.101/32'
        Get-TunnelAddress rs4 | Should -Contain '10.77.0.101/32'
        ip netns exec lvsr-rs1 cat /proc/sys/net/ipv4/conf/all/arp_ignore | Should -Be 1
        ip netns exec lvsr-rs3 cat /proc/sys/net/ipv4/conf/tunl0/rp_filter | Should -Be 0
    }

    It 'HTTP through the <Name> service alternates across its real servers (rr)' -ForEach @(
        @{ Name = 'DR'; Url = 'http://10.77.0.100/'; Hosts = 'rs1', 'rs2' }
        @{ Name = 'TUN'; Url = 'http://10.77.0.101/'; Hosts = 'rs3', 'rs4' }
        @{ Name = 'IPv6 DR'; Url = 'http://[fd77::100]/'; Hosts = 'rs1', 'rs5' }
    ) {
        $answers = @(Get-Answer $Url 4)
        ($answers | Sort-Object -Unique) | Should -Be $Hosts
        $answers[0] | Should -Not -Be $answers[1]
        $answers[2] | Should -Be $answers[0]
        $answers[3] | Should -Be $answers[1]
    }

    It 'drift: a VIP removed by hand on one host is found on exactly that host, repaired, and the next run changes nothing' {
        ip -n lvsr-rs3 addr del 10.77.0.101/32 dev tunl0
        $failed = @(Test-LvsRealServerFleet -Session $realServers -Failed)
        ($failed.PSComputerName | Sort-Object -Unique) | Should -Be 'rs3'
        $failed.Check | Should -Be 'VirtualAddress'
        $failed.Target | Should -Match '10\.77\.0\.101'
        Test-LvsRealServerFleet -Session $realServers -Quiet | Should -BeFalse
        # -WhatIf: rs3's plan, nothing changed
        $plan = @(Sync-LvsRealServer -Session $realServers -WhatIf)
        ($plan | Where-Object Changed).PSComputerName | Should -Be 'rs3'
        Get-TunnelAddress rs3 | Should -Not -Contain '10.77.0.101/32'
        # the repair
        $repair = @(Sync-LvsRealServer -Session $realServers)
        ($repair | Where-Object Changed).PSComputerName | Should -Be 'rs3'
        ($repair | Where-Object PSComputerName -EQ rs3).Changes -join "`n" | Should -Match '10\.77\.0\.101'
        Get-TunnelAddress rs3 | Should -Contain '10.77.0.101/32'
        # and again: no change anywhere, also in the JSON report for automation
        $again = @(Sync-LvsRealServer -Session $realServers)
        $again.Count | Should -Be 5
        ($again | Where-Object Changed) | Should -BeNullOrEmpty
        (Sync-LvsRealServer -Session $realServers -AsJson | ConvertFrom-Json).changed | Should -BeFalse
        Test-LvsRealServerFleet -Session $realServers -Quiet | Should -BeTrue
        @(Get-Answer 'http://10.77.0.101/' 2 | Sort-Object) | Should -Be 'rs3', 'rs4'
    }

    It 'benchmark (report): checking N hosts in parallel against one (N = 1, 3, 5); the five hosts all pass' {
        # (keys are strings: an int indexes an ordered dictionary by position)
        $times = [ordered]@{}
        $findings = $null
        foreach ($n in 1, 3, 5) {
            $sessions = $realServers[0..($n - 1)]
            # the best of two runs; real servers without a session in this run are errors, not part of the measure
            $best = [double]::MaxValue
            foreach ($run in 1..2) {
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $findings = @(Test-LvsRealServerFleet -Session $sessions -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
                $best = [Math]::Min($best, $clock.Elapsed.TotalSeconds)
            }
            $times["$n"] = $best
        }
        foreach ($n in $times.Keys) {
            Write-Host ('remoting benchmark: Test-LvsRealServerFleet on {0} host(s): {1:0.00} s = {2:0.00} x one host' -f $n, $times[$n], ($times[$n] / $times['1']))
        }
        ($findings.PSComputerName | Sort-Object -Unique) | Should -Be 'rs1', 'rs2', 'rs3', 'rs4', 'rs5'
        @($findings | Where-Object { -not $_.Passed }) | Should -BeNullOrEmpty
    }
}

Describe 'Hosts that cannot be set up, and a host without PowerShell' {
    BeforeAll {
        $script:rulesFile = Join-Path $sshDir 'other-director.rules'
        # a director's file (not this director's table): rs2 and plain (DR) and two hosts that cannot be worked on
        Set-Content $rulesFile @'
-A -t 10.77.0.102:80 -s rr
-a -t 10.77.0.102:80 -r 10.77.0.12:80 -g -w 1
-a -t 10.77.0.102:80 -r 10.77.0.20:80 -g -w 1
-a -t 10.77.0.102:80 -r 10.77.0.99:80 -g -w 1
-a -t 10.77.0.102:80 -r 10.77.0.21:80 -g -w 1
'@
        # `ssh plain sh -s` with the script on stdin: its output lines, and its exit code in $LASTEXITCODE
        function script:Invoke-PlainScript([string] $Script) { $Script | ssh plain sh -s }
    }

    It 'the host without LvsAdmin gets its own error, the others are set up' {
        $reports = @(Sync-LvsRealServer -Path $rulesFile -Session $S.rs2, $S.nomod -ErrorVariable errors -ErrorAction SilentlyContinue)
        $reports.PSComputerName | Should -Be 'rs2'
        Get-LoAddress rs2 | Should -Contain '10.77.0.102/32'
        $missing = @($errors | Where-Object FullyQualifiedErrorId -Like 'LvsAdminModuleMissing*')
        $missing.Count | Should -Be 1
        $missing[0].TargetObject | Should -Be 'nomod'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($missing[0])" | Should -Match '^nomod: LvsAdmin is not installed'
        # the real servers nobody has a session for are named too (10.77.0.99 is down, plain has no pwsh)
        @($errors | Where-Object FullyQualifiedErrorId -Like 'RealServerWithoutSession*').TargetObject | Sort-Object | Should -Be '10.77.0.21', '10.77.0.99'
    }

    It 'the unreachable host gets its own error from -HostName, the others are set up (and their sessions closed again)' {
        $before = @(Get-PSSession).Count
        $reports = @(Sync-LvsRealServer -Path $rulesFile -HostName down, rs2 -ErrorVariable errors -ErrorAction SilentlyContinue)
        $reports.PSComputerName | Should -Be 'rs2'
        $reports[0].Changed | Should -BeFalse   # set up by the test before
        $down = @($errors | Where-Object FullyQualifiedErrorId -Like 'RealServerHostUnreachable*')
        $down.Count | Should -Be 1
        $down[0].TargetObject | Should -Be 'down'
        $down[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        "$($down[0])" | Should -Match '^down: '
        @(Get-PSSession).Count | Should -Be $before   # removed, not only closed
    }

    It 'a real server without pwsh is set up by the generated sh script over plain ssh, and checked with the same findings' {
        $test = Get-LvsRealServerSetup -Path $rulesFile -Address 10.77.0.21 -Script Test
        Invoke-PlainScript $test | Out-Null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'plain is not set up yet'
        $install = Get-LvsRealServerSetup -Path $rulesFile -Address 10.77.0.21 -Script Install
        $output = @(Invoke-PlainScript $install)
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output[-1] | Should -Be 'changed=true failed=0'
        Test-LvsRealServer DirectRouting 10.77.0.102 -NetworkNamespace lvsr-plain -Quiet | Should -BeTrue
        @(Invoke-PlainScript $install)[-1] | Should -Be 'changed=false failed=0'
        Invoke-PlainScript $test | Out-Null
        $LASTEXITCODE | Should -Be 0
        # drift on plain: the script's findings are the cmdlet's findings (check and target)
        ip -n lvsr-plain addr del 10.77.0.102/32 dev lo
        $lines = @(Invoke-PlainScript $test)
        $LASTEXITCODE | Should -Not -Be 0
        # "FAIL CHECK TARGET: expected ..., found ...: ..." (a target such as "10.77.0.102 on lo" has spaces)
        $scriptFailed = @(foreach ($line in $lines) { if ($line -match '^FAIL (\S+) (.+?): expected ') { "$($Matches[1]) $($Matches[2])" } })
        $cmdletFailed = @(Test-LvsRealServer DirectRouting 10.77.0.102 -NetworkNamespace lvsr-plain | Where-Object { -not $_.Passed } |
                ForEach-Object { "$($_.Check) $($_.Target)" })
        $cmdletFailed.Count | Should -BeGreaterThan 0
        $scriptFailed | Should -Be $cmdletFailed
        @(Invoke-PlainScript $install)[-1] | Should -Be 'changed=true failed=0'
        Test-LvsRealServer DirectRouting 10.77.0.102 -NetworkNamespace lvsr-plain -Quiet | Should -BeTrue
    }
}

Describe 'Two directors: one document, and a sync daemon pair' {
    BeforeAll {
        # dir1 is this director (the root namespace, reached over its own sshd); dir2 a second director namespace.
        $script:directors = $S.dir1, $S.dir2
        $script:pairDoc = @'
-A -t 10.77.0.100:80 -s rr
-a -t 10.77.0.100:80 -r 10.77.0.11:80 -g -w 1
-a -t 10.77.0.100:80 -r 10.77.0.12:80 -g -w 1
-A -u 10.77.0.103:53 -s wlc
-a -u 10.77.0.103:53 -r 10.77.0.13:53 -i -w 2
'@
        Invoke-Command -Session $directors {
            Clear-LvsVirtualService -Confirm:$false
            Get-LvsSyncDaemon | ForEach-Object { Stop-LvsSyncDaemon -State $_.State -Confirm:$false }
        }
        function script:Get-Answer([string] $Url, [int] $Count) {
            foreach ($i in 1..$Count) { (ip netns exec lvsr-cli busybox wget -q -O - $Url) -join '' }
        }
    }
    AfterAll {
        Invoke-Command -Session $directors {
            Get-LvsSyncDaemon | ForEach-Object { Stop-LvsSyncDaemon -State $_.State -Confirm:$false }
            Clear-LvsVirtualService -Confirm:$false
        }
        Remove-LvsVirtualAddress -Address 10.77.0.100 -Confirm:$false -ErrorAction SilentlyContinue
    }

    It 'one document to both directors: a plan per host, -WhatIf changes nothing, applied on both, the next run changes nothing' {
        $plans = @(Compare-LvsConfiguration -Session $directors -InputObject $pairDoc -Format Ipvsadm)
        ($plans.PSComputerName | Sort-Object -Unique) | Should -Be 'dir1', 'dir2'
        @($plans | Where-Object PSComputerName -EQ dir2).Count | Should -Be 5   # 2 services, 3 real servers
        @(Test-LvsConfiguration -Session $directors -InputObject $pairDoc -Format Ipvsadm) | Should -Be $false, $false
        Set-LvsConfiguration -Session $directors -InputObject $pairDoc -Format Ipvsadm -WhatIf
        @(Invoke-Command -Session $directors { Get-LvsVirtualService }) | Should -BeNullOrEmpty
        $results = @(Set-LvsConfiguration -Session $directors -InputObject $pairDoc -Format Ipvsadm -PassThru | Sort-Object PSComputerName)
        $results.PSComputerName | Should -Be 'dir1', 'dir2'
        $results.Changed | Should -Be $true, $true
        $results.Succeeded | Should -Be $true, $true
        $here = (Get-LvsVirtualService | Sort-Object Protocol | Out-String -Width 200).Trim()
        $there = (Invoke-Command -Session $S.dir2 { Get-LvsVirtualService | Sort-Object Protocol | Out-String -Width 200 }).Trim()
        $there | Should -Be $here
        $here | Should -Match '10\.77\.0\.13:53'
        $again = @(Set-LvsConfiguration -Session $directors -InputObject $pairDoc -Format Ipvsadm -PassThru)
        $again.Count | Should -Be 2
        $again.Changed | Should -Be $false, $false
        @(Test-LvsConfiguration -Session $directors -InputObject $pairDoc -Format Ipvsadm) | Should -Be $true, $true
    }

    It 'a director without LvsAdmin gets its own error; the others are compared' {
        $plans = @(Compare-LvsConfiguration -Session $S.dir2, $S.nomod -InputObject $pairDoc -Format Ipvsadm -ErrorVariable errors -ErrorAction SilentlyContinue)
        $plans | Should -BeNullOrEmpty   # dir2 is in line
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'LvsAdminModuleMissing*'
        $errors[0].TargetObject | Should -Be 'nomod'
    }

    It 'a master/backup sync daemon pair in one command; connections made on the master appear in the backup''s table' {
        $pair = @(Start-LvsSyncDaemon -MasterSession $S.dir1 -BackupSession $S.dir2 -Interface lvsrbr0 -BackupInterface eth0 -SyncId 77 -PassThru |
                Sort-Object PSComputerName)
        $pair.PSComputerName | Should -Be 'dir1', 'dir2'
        $pair.State | Should -Be 'Master', 'Backup'
        $pair.SyncId | Should -Be 77, 77
        # a second start: the backup already runs on dir2, so the master is not started and nothing is lost
        Start-LvsSyncDaemon -MasterSession $S.dir1 -BackupSession $S.dir2 -Interface lvsrbr0 -BackupInterface eth0 -SyncId 77 -ErrorVariable errors -ErrorAction SilentlyContinue
        ($errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Contain 'SyncDaemonPairNotStarted'
        (Invoke-Command -Session $S.dir2 { Get-LvsSyncDaemon }).State | Should -Be 'Backup'
        (Get-LvsSyncDaemon).State | Should -Be 'Master'

        # traffic through the master (this director): its real servers set up from its table, the VIP here
        Sync-LvsRealServer -Session $S.rs1, $S.rs2, $S.rs3 -WarningAction SilentlyContinue | Out-Null
        Add-LvsVirtualAddress -Address 10.77.0.100
        @(Get-Answer 'http://10.77.0.100/' 4 | Sort-Object -Unique) | Should -Be 'rs1', 'rs2'
        $clock = [Diagnostics.Stopwatch]::StartNew()
        while ($true) {
            $synced = @(Invoke-Command -Session $S.dir2 { Get-LvsConnection } | Where-Object { "$($_.VirtualAddress)" -eq '10.77.0.100' })
            if ($synced.Count -ge 1 -or $clock.Elapsed.TotalSeconds -gt 60) { break }
            Start-Sleep -Seconds 2
        }
        Write-Host ('remoting: {0} connection(s) of the master in the backup''s table after {1:0.0} s' -f $synced.Count, $clock.Elapsed.TotalSeconds)
        $synced.Count | Should -BeGreaterThan 0
        "$($synced[0].ClientAddress)" | Should -Be '10.77.0.50'
        $synced[0].PSComputerName | Should -Be 'dir2'
        "$($synced[0].Origin)" | Should -Be 'Sync'
    }
}

Describe 'NAT real servers: the route back through the director is checked, never changed' {
    BeforeAll {
        Clear-LvsVirtualService -Confirm:$false
        Set-LvsConfiguration -Format Ipvsadm -InputObject @'
-A -t 10.77.0.104:80 -s rr
-a -t 10.77.0.104:80 -r 10.77.0.13:80 -m -w 1
-a -t 10.77.0.104:80 -r 10.77.0.14:80 -m -w 1
'@
    }
    AfterAll {
        Clear-LvsVirtualService -Confirm:$false
        ip -n lvsr-rs4 route replace default via 10.77.0.1
    }

    It 'the live table''s NAT real servers route back through this director; the one that does not is found and left alone' {
        $f = @(Test-LvsRealServerFleet -Session $S.rs3, $S.rs4 | Sort-Object PSComputerName)
        $f.PSComputerName | Should -Be 'rs3', 'rs4'
        $f.Check | Should -Be 'RouteBack', 'RouteBack'
        $f.Passed | Should -Be $true, $true
        $f[0].Actual | Should -Match '^via 10\.77\.0\.1 dev eth0'
        ip -n lvsr-rs4 route replace default via 10.77.0.2
        $failed = @(Test-LvsRealServerFleet -Session $S.rs3, $S.rs4 -Failed)
        $failed.PSComputerName | Should -Be 'rs4'
        $failed[0].Actual | Should -Match '^via 10\.77\.0\.2 '
        Sync-LvsRealServer -Session $S.rs3, $S.rs4 -ErrorVariable errors -ErrorAction SilentlyContinue | Out-Null
        ($errors | ForEach-Object { "$($_.TargetObject)|$($_.FullyQualifiedErrorId.Split(',')[0])" }) | Should -Be 'rs4|RealServerRouteBackMissing'
        (ip -n lvsr-rs4 route show default) -join '' | Should -Match 'via 10\.77\.0\.2'
    }
}
