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
            $remote = @(Invoke-Command -Session $S.dir1, $S.dir2 { Get-LvsVirtualService } | Sort-Object PSComputerName)
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
