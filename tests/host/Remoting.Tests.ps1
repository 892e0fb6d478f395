# Pester 5, host only (no IPVS needed): the real-server fleet cmdlets over real PowerShell SSH remoting. Each "real
# server" is a throwaway network namespace with its own sshd (Debian's openssh-server, key auth, the powershell
# subsystem running this pwsh), reached over a veth pair; the director's table is a configuration document.
#   rs1 10.77.1.2  DR  (VIPs 192.0.2.10, 192.0.2.11)
#   rs2 10.77.2.2  DR  (VIP 192.0.2.10)
#   rs3 10.77.3.2 + 2001:db8:77:3::2  DR for the IPv6 service (VIP 2001:db8::10) and the IPv4 one
#   rs4 10.77.4.2  DR, but its pwsh has no LvsAdmin (LvsAdminModuleMissing)
#   10.77.9.2      a real server of the table no session has (RealServerWithoutSession)
#   10.77.1.99     an SSH host name nobody answers on (RealServerHostUnreachable)
# Needs root, /usr/sbin/sshd and ip netns; skipped with the reason otherwise. Every namespace, sshd and file it makes
# is removed in AfterAll.
BeforeDiscovery {
    function Get-RemotingSkipReason {
        if ((id -u) -ne '0') { return 'needs root (network namespaces, sshd)' }
        if (-not (Test-Path /usr/sbin/sshd)) { return 'needs /usr/sbin/sshd (openssh-server)' }
        if (-not (Get-Command ip -ErrorAction SilentlyContinue)) { return 'needs ip (iproute2)' }
        if (-not (Get-Command ssh-keygen -ErrorAction SilentlyContinue)) { return 'needs ssh-keygen (openssh-client)' }
    }
    $script:Skip = [bool](Get-RemotingSkipReason)
    if ($Skip) { Write-Warning "Remoting.Tests skipped: $(Get-RemotingSkipReason)" }
}

BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    $script:Skip = (id -u) -ne '0' -or -not (Test-Path /usr/sbin/sshd) -or -not (Get-Command ip -ErrorAction SilentlyContinue) -or -not (Get-Command ssh-keygen -ErrorAction SilentlyContinue)
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:Tag = "lvsrt$PID"
    $script:Work = "/tmp/$Tag"
    $script:Hosts = @(
        @{ Name = 'rs1'; Index = 1; Module = $true }
        @{ Name = 'rs2'; Index = 2; Module = $true }
        @{ Name = 'rs3'; Index = 3; Module = $true; V6 = $true }
        @{ Name = 'rs4'; Index = 4; Module = $false }
    )
    $script:Table = @"
-A -t 192.0.2.10:80 -s rr
-a -t 192.0.2.10:80 -r 10.77.1.2:80 -g -w 1
-a -t 192.0.2.10:80 -r 10.77.2.2:80 -g -w 1
-a -t 192.0.2.10:80 -r 10.77.3.2:80 -g -w 1
-a -t 192.0.2.10:80 -r 10.77.4.2:80 -g -w 1
-a -t 192.0.2.10:80 -r 10.77.9.2:80 -g -w 1
-A -t 192.0.2.11:443 -s rr
-a -t 192.0.2.11:443 -r 10.77.1.2:443 -g -w 1
-A -t [2001:db8::10]:80 -s rr
-a -t [2001:db8::10]:80 -r [2001:db8:77:3::2]:80 -g -w 1
"@
    if ($Skip) { return }
    $launcher = $env:LVS_PWSH
    if (-not $launcher) { $launcher = Join-Path $Root 'out/bin/pwsh' }
    New-Item -ItemType Directory -Force -Path $Work, "$Work/empty-modules", "$Work/modules", '/run/sshd' | Out-Null
    # The module the sessions import: the one under test (a copy, so the build may replace out/ meanwhile).
    $moduleDir = Split-Path (Get-Module LvsAdmin).Path
    Copy-Item -Recurse $moduleDir "$Work/modules/LvsAdmin"
    ssh-keygen -q -t ed25519 -N '' -f "$Work/id" | Out-Null
    ssh-keygen -q -t ed25519 -N '' -f "$Work/hostkey" | Out-Null
    Copy-Item "$Work/id.pub" "$Work/authorized_keys"
    foreach ($h in $Hosts) {
        $ns = "$Tag-$($h.Name)"; $i = $h.Index
        ip netns add $ns
        ip link add "$Tag$i" type veth peer name eth0 netns $ns
        ip addr add "10.77.$i.1/24" dev "$Tag$i"; ip link set "$Tag$i" up
        ip -n $ns link set lo up; ip -n $ns addr add "10.77.$i.2/24" dev eth0; ip -n $ns link set eth0 up
        if ($h.V6) {
            ip addr add "2001:db8:77:$i::1/64" dev "$Tag$i" nodad
            ip -n $ns addr add "2001:db8:77:$i::2/64" dev eth0 nodad
        }
        $modules = if ($h.Module) { "$Work/modules" } else { "$Work/empty-modules" }
        New-Item -ItemType Directory -Force "$Work/state-$($h.Name)" | Out-Null
        @"
ListenAddress 10.77.$i.2
Port 22
HostKey $Work/hostkey
PidFile $Work/sshd-$($h.Name).pid
AuthorizedKeysFile $Work/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
SetEnv PSModulePath=$modules LVSADMIN_STATE_DIRECTORY=$Work/state-$($h.Name) LVSADMIN_PERSIST_ROOT=$Work/persist-$($h.Name)
Subsystem powershell $launcher -sshs -NoProfile
"@ | Set-Content "$Work/sshd-$($h.Name).conf"
        ip netns exec $ns /usr/sbin/sshd -f "$Work/sshd-$($h.Name).conf" -E "$Work/sshd-$($h.Name).log"
    }
    $script:SshOptions = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
    function script:Open-TestSession([string] $Address) {
        New-PSSession -HostName $Address -UserName root -KeyFilePath "$Work/id" -Options $SshOptions -ErrorAction Stop
    }
    $script:Sessions = @(foreach ($h in $Hosts) { Open-TestSession "10.77.$($h.Index).2" })
    $script:Document = [LvsAdmin.Formats.ConfigurationIpvsadm]::Read($Table, 'table')
    function script:Invoke-In([string] $Name, [string] $Command) { (ip netns exec "$Tag-$Name" sh -c $Command) -join "`n" }
}

AfterAll {
    if ($Skip) { return }
    $Sessions | Remove-PSSession -ErrorAction SilentlyContinue
    foreach ($h in $Hosts) {
        $pidFile = "$Work/sshd-$($h.Name).pid"
        if (Test-Path $pidFile) { kill (Get-Content $pidFile) 2>$null }
        ip netns del "$Tag-$($h.Name)" 2>$null
    }
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Real servers over SSH remoting' -Skip:$Skip {
    It 'derives every real server from the document' {
        $r = Get-LvsRealServerSetup -Configuration $Document
        $r.ForEach({ $_.Address.ToString() }) | Should -Be @('10.77.1.2', '10.77.2.2', '10.77.3.2', '10.77.4.2', '10.77.9.2', '2001:db8:77:3::2')
        ($r | Where-Object { $_.Address -eq '10.77.1.2' }).VirtualAddresses | Should -Be @('192.0.2.10', '192.0.2.11')
    }

    It '-WhatIf shows each host''s plan and changes nothing' {
        $r = Sync-LvsRealServer -Configuration $Document -Session $Sessions -WhatIf -ErrorAction SilentlyContinue -ErrorVariable e -WarningAction SilentlyContinue
        $r.PSComputerName | Should -Be @('10.77.1.2', '10.77.2.2', '10.77.3.2')
        $r | ForEach-Object { $_.WhatIf | Should -BeTrue; $_.Changed | Should -BeTrue }
        ($r | Where-Object PSComputerName -eq '10.77.1.2').Changes | Should -Contain 'Address Add 192.0.2.11/32 dev lo: absent -> 192.0.2.11/32'
        Invoke-In rs1 'ip -o addr show dev lo' | Should -Not -Match '192\.0\.2\.10'
    }

    It 'sets up every reachable DR real server in one command; each failing host has its own error' {
        $r = Sync-LvsRealServer -Configuration $Document -Session $Sessions -ErrorAction SilentlyContinue -ErrorVariable e -WarningAction SilentlyContinue
        $r.PSComputerName | Should -Be @('10.77.1.2', '10.77.2.2', '10.77.3.2')
        $r | ForEach-Object { $_.Changed | Should -BeTrue; $_.Succeeded | Should -BeTrue }
        ($r | Where-Object PSComputerName -eq '10.77.3.2').VirtualAddresses | Should -Be @('192.0.2.10', '2001:db8::10')
        $ids = $e | ForEach-Object { "$($_.TargetObject)|$($_.FullyQualifiedErrorId.Split(',')[0])" }
        $ids | Should -Contain '10.77.4.2|LvsAdminModuleMissing'
        $ids | Should -Contain '10.77.9.2|RealServerWithoutSession'
        Invoke-In rs1 'ip -o addr show dev lo' | Should -Match '192\.0\.2\.11/32'
        Invoke-In rs3 'ip -o addr show dev lo' | Should -Match '2001:db8::10/128'
        Invoke-In rs2 'cat /proc/sys/net/ipv4/conf/all/arp_ignore' | Should -Be '1'
    }

    It 'a second run changes nothing and says so (JSON report)' {
        $json = Sync-LvsRealServer -Configuration $Document -Session $Sessions -AsJson -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | ConvertFrom-Json
        $json.changed | Should -BeFalse
        $json.failed | Should -BeTrue   # rs4 and 10.77.9.2
        $json.hosts.host | Should -Be @('10.77.1.2', '10.77.2.2', '10.77.3.2')
        $json.hosts | ForEach-Object { $_.changed | Should -BeFalse }
        $json.failures.errorId | Should -Contain 'LvsAdminModuleMissing'
    }

    It 'finds drift on exactly the host that has it, and the repair fixes it' {
        Invoke-In rs2 'ip addr del 192.0.2.10/32 dev lo'
        $bad = Test-LvsRealServerFleet -Configuration $Document -Session $Sessions -Failed -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        @($bad).Count | Should -Be 1
        $bad.PSComputerName | Should -Be '10.77.2.2'
        $bad.Check | Should -Be 'VirtualAddress'
        $bad.Target | Should -Be '192.0.2.10 on lo'
        $bad.pstypenames[0] | Should -Be 'Deserialized.LvsAdmin.HostSetup.HostFinding'
        ($bad | Out-String) | Should -Match '192\.0\.2\.10 on lo'
        $fix = Sync-LvsRealServer -Configuration $Document -Session $Sessions -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        ($fix | Where-Object Changed).PSComputerName | Should -Be '10.77.2.2'
        Test-LvsRealServerFleet -Configuration $Document -Session $Sessions[0..2] -Quiet -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Should -BeFalse  # 10.77.4.2 and .9.2 have no session
    }

    It 'Install-LvsAdminModule copies the module to the host that lacks it; then that host is set up too' {
        $rs4 = $Sessions[3]
        $i = Install-LvsAdminModule -Session $rs4 -Destination "$Work/empty-modules"
        $i.PSComputerName | Should -Be '10.77.4.2'
        $i.Changed | Should -BeTrue
        (Install-LvsAdminModule -Session $rs4 -Destination "$Work/empty-modules").Changed | Should -BeFalse
        $r = Sync-LvsRealServer -Configuration $Document -Session $rs4 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $r.PSComputerName | Should -Be '10.77.4.2'
        $r.Changed | Should -BeTrue
        Invoke-In rs4 'ip -o addr show dev lo' | Should -Match '192\.0\.2\.10/32'
    }

    It 'opens sessions itself from SSH host names and reports the unreachable one' {
        $before = @(Get-PSSession).Count
        $r = Sync-LvsRealServer -Configuration $Document -HostName 10.77.1.2, 10.77.1.99 -UserName root -KeyFilePath "$Work/id" `
            -SshOption ($SshOptions + @{ ConnectTimeout = '3' }) -ErrorAction SilentlyContinue -ErrorVariable e -WarningAction SilentlyContinue
        $r.PSComputerName | Should -Be '10.77.1.2'
        $r.Changed | Should -BeFalse
        ($e | Where-Object { $_.TargetObject -eq '10.77.1.99' }).FullyQualifiedErrorId.ForEach({ $_.Split(',')[0] }) | Should -Contain 'RealServerHostUnreachable'
        @(Get-PSSession).Count | Should -Be $before   # the sessions it opened are removed again, not left closed
    }

    It 'the generated sh script sets up a host without pwsh and passes the same checks' {
        $ns = "$Tag-plain"
        ip netns add $ns
        try {
            ip -n $ns link set lo up
            $install = Get-LvsRealServerSetup -Configuration $Document -Address 10.77.1.2 -Script Install
            $test = Get-LvsRealServerSetup -Configuration $Document -Address 10.77.1.2 -Script Test
            Set-Content "$Work/install.sh" $install; Set-Content "$Work/test.sh" $test
            sh -n "$Work/install.sh"; $LASTEXITCODE | Should -Be 0
            ip netns exec $ns sh "$Work/test.sh" | Out-Null; $LASTEXITCODE | Should -Be 1
            @(ip netns exec $ns sh "$Work/install.sh")[-1] | Should -Be 'changed=true failed=0'
            @(ip netns exec $ns sh "$Work/install.sh")[-1] | Should -Be 'changed=false failed=0'
            ip netns exec $ns sh "$Work/test.sh" | Select-Object -Last 1 | Should -Be 'findings=0'
            $LASTEXITCODE | Should -Be 0
            $findings = Test-LvsRealServer -Mode DirectRouting -VirtualAddress 192.0.2.10, 192.0.2.11 -NetworkNamespace $ns
            $findings | Where-Object -Not Passed | Should -BeNullOrEmpty
        } finally { ip netns del $ns }
    }
}

Describe 'Directors over SSH remoting (hosts without IPVS: the errors)' -Skip:$Skip {
    # This machine's kernel has no IPVS, so each "director" refuses with its own error; the lab remoting suite applies
    # documents and starts sync daemon pairs for real.
    It 'Set-, Compare- and Test-LvsConfiguration -Session: each host''s own error, named by the host, for every host' {
        foreach ($command in 'Set-LvsConfiguration', 'Compare-LvsConfiguration', 'Test-LvsConfiguration') {
            $out = & $command -Configuration $Document -Session $Sessions[0], $Sessions[1] -ErrorAction SilentlyContinue -ErrorVariable e
            $out | Should -BeNullOrEmpty -Because $command
            ($e | ForEach-Object { "$($_.TargetObject)|$($_.FullyQualifiedErrorId.Split(',')[0])" } | Sort-Object) |
                Should -Be '10.77.1.2|IpvsModuleNotLoaded', '10.77.2.2|IpvsModuleNotLoaded' -Because $command
            "$($e[0])" | Should -Match '^10\.77\.[12]\.2: .*ip_vs'
        }
    }

    It 'Set-LvsConfiguration -Session checks the document here first: a bad one stops before any host is asked' {
        { Set-LvsConfiguration -Session $Sessions[0] -InputObject '-A -t 192.0.2.10:99999 -s rr' -Format Ipvsadm -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConfigurationParseError*'
    }

    It 'Start-LvsSyncDaemon -MasterSession/-BackupSession: bad input stops before any host; a failing backup leaves the master unstarted' {
        { Start-LvsSyncDaemon -MasterSession $Sessions[0] -BackupSession $Sessions[0] -Interface eth0 } | Should -Throw -ErrorId 'SyncDaemonPairHostRepeated*'
        { Start-LvsSyncDaemon -MasterSession $Sessions[0] -BackupSession $Sessions[1] -Interface eth0 -MulticastGroup 10.0.0.1 } | Should -Throw -ErrorId 'Invalid*'
        Start-LvsSyncDaemon -MasterSession $Sessions[0] -BackupSession $Sessions[1] -Interface eth0 -ErrorAction SilentlyContinue -ErrorVariable e
        $ids = $e | ForEach-Object { "$($_.TargetObject)|$($_.FullyQualifiedErrorId.Split(',')[0])" }
        $ids | Should -Contain '10.77.2.2|IpvsModuleNotLoaded'
        $ids | Should -Contain '10.77.1.2|SyncDaemonPairNotStarted'
        $ids | Should -Not -Contain '10.77.1.2|IpvsModuleNotLoaded'   # the master was not tried
        Start-LvsSyncDaemon -MasterSession $Sessions[0] -BackupSession $Sessions[1] -Interface eth0 -WhatIf -ErrorAction Stop
    }
}

Describe 'NAT real servers over SSH remoting: the route back is checked, never changed' -Skip:$Skip {
    BeforeAll {
        $script:Nat = [LvsAdmin.Formats.ConfigurationIpvsadm]::Read(@"
-A -t 192.0.2.20:80 -s rr
-a -t 192.0.2.20:80 -r 10.77.1.2:80 -m -w 1
-a -t 192.0.2.20:80 -r 10.77.2.2:80 -m -w 1
"@, 'nat')
        $script:NatSessions = $Sessions[0], $Sessions[1]
        ip -n "$Tag-rs1" route add default via 10.77.1.1   # rs1 routes back through "the director" (this side); rs2 has no route
    }
    AfterAll { ip -n "$Tag-rs1" route del default 2>$null }

    It 'Test-LvsRealServerFleet: a RouteBack finding per NAT host, failed on exactly the host that bypasses the director' {
        $f = @(Test-LvsRealServerFleet -Configuration $Nat -Session $NatSessions -DirectorAddress 10.77.1.1, 10.77.2.1 | Sort-Object PSComputerName)
        $f.PSComputerName | Should -Be '10.77.1.2', '10.77.2.2'
        $f.Check | Should -Be 'RouteBack', 'RouteBack'
        $f.Passed | Should -Be $true, $false
        $f[0].Actual | Should -Match '^via 10\.77\.1\.1 dev eth0'
        $f[1].Actual | Should -Be 'unreachable'
        $f[1].Fix | Should -Match '^ip route replace default via 10\.77\.1\.1'
        # the findings' table view gets the host column, as for Invoke-Command's results
        ($f | Out-String -Width 200) -split "`n" | Where-Object { $_ -match '^RouteBack' } | ForEach-Object { $_.TrimEnd() } |
            Should -Match '10\.77\.[12]\.2$'
        Test-LvsRealServerFleet -Configuration $Nat -Session $NatSessions -DirectorAddress 10.77.1.1, 10.77.2.1 -Quiet | Should -BeFalse
    }

    It 'Sync-LvsRealServer changes nothing on NAT hosts; the missing route is that host''s RealServerRouteBackMissing' {
        $r = @(Sync-LvsRealServer -Configuration $Nat -Session $NatSessions -DirectorAddress 10.77.1.1, 10.77.2.1 -ErrorVariable e -ErrorAction SilentlyContinue)
        $r.Method | Should -Be 'Nat', 'Nat'
        $r.Changed | Should -Be $false, $false
        ($e | ForEach-Object { "$($_.TargetObject)|$($_.FullyQualifiedErrorId.Split(',')[0])" }) | Should -Be '10.77.2.2|RealServerRouteBackMissing'
        "$($e[0])" | Should -Match '^10\.77\.2\.2: .*Fix: ip route replace default via 10\.77\.1\.1'
        Invoke-In rs2 'ip route show default' | Should -BeNullOrEmpty
    }

    It 'the NAT sh script (hosts without pwsh) checks the same route back and finds the same as the cmdlet' {
        $findings = @(Test-LvsRealServerFleet -Configuration $Nat -Session $NatSessions -DirectorAddress 10.77.1.1, 10.77.2.1 | Sort-Object PSComputerName)
        foreach ($i in 1, 2) {
            $script = Get-LvsRealServerSetup -Configuration $Nat -Address "10.77.$i.2" -Script Test -DirectorAddress 10.77.1.1, 10.77.2.1
            Set-Content "$Work/nat-$i.sh" $script
            $lines = @(ip netns exec "$Tag-rs$i" sh "$Work/nat-$i.sh")
            $LASTEXITCODE | Should -Be ($i -eq 1 ? 0 : 1)
            $line = @($lines | Where-Object { $_ -match '^(ok  |FAIL) RouteBack ' })
            $line.Count | Should -Be 1
            $expected = $findings[$i - 1]
            if ($expected.Passed) { $line[0] | Should -Be "ok   RouteBack $($expected.Target): $($expected.Actual)" }
            else { $line[0] | Should -BeLike "FAIL RouteBack $($expected.Target): expected $($expected.Expected), found $($expected.Actual): *" }
        }
        $install = Get-LvsRealServerSetup -Configuration $Nat -Address 10.77.2.2 -Script Install -DirectorAddress 10.77.1.1
        @(ip netns exec "$Tag-rs2" sh -c $install)[-1] | Should -Be 'changed=false failed=1'
        Invoke-In rs2 'ip route show default' | Should -BeNullOrEmpty
    }

    It 'without the director''s addresses (a document, not the live table) the check says what it needs; a bad address stops first' {
        $u = @(Test-LvsRealServerFleet -Configuration $Nat -Session $Sessions[0] -ErrorAction SilentlyContinue)   # 10.77.2.2 has no session here
        $u.Check | Should -Be 'RouteBack'
        $u.Passed | Should -BeFalse
        $u.Message | Should -Match '-DirectorAddress'
        { Test-LvsRealServerFleet -Configuration $Nat -Session $Sessions[0] -DirectorAddress 10.77.1.1/24 } | Should -Throw -ErrorId 'InvalidDirectorAddress*'
    }
}
