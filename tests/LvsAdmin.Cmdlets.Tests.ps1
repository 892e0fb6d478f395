# Pester 5 suite: the cmdlets for real against the kernel. It changes the IPVS table, so it runs inside the kernel
# lab (tests/Invoke-LabPester.ps1, started by build.ps1 -Lab or tests/run-tests.sh when pwsh and Pester exist).
BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    Clear-LvsVirtualService -Confirm:$false
}

AfterAll {
    Clear-LvsVirtualService -Confirm:$false
}

Describe 'Virtual services' {
    BeforeEach { Clear-LvsVirtualService -Confirm:$false }

    It 'creates a NAT service with two real servers, like ipvsadm -A/-a -m' {
        New-LvsVirtualService -Service tcp/10.0.0.1:80 -Scheduler rr
        Add-LvsRealServer -Service tcp/10.0.0.1:80 -Address 10.0.0.2 -ForwardingMethod Masquerade
        Add-LvsRealServer -Service tcp/10.0.0.1:80 -Address 10.0.0.3:8080 -ForwardingMethod Nat -Weight 3
        $svc = Get-LvsVirtualService -Service tcp/10.0.0.1:80
        $svc.Scheduler | Should -Be 'rr'
        $rs = $svc | Get-LvsRealServer | Sort-Object Port
        $rs.Count | Should -Be 2
        $rs[0].Port | Should -Be 80
        $rs[1].Port | Should -Be 8080
        $rs[1].Weight | Should -Be 3
        $rs.ForwardingMethod | Should -Be @('Nat', 'Nat')
    }

    It 'lists services with their real servers under them, like ipvsadm -Ln' {
        New-LvsVirtualService -Service tcp/192.168.0.1:80 -Scheduler rr
        New-LvsVirtualService -Service tcp/10.0.0.10:80 -Scheduler wlc -Persistent -PersistenceTimeout 600
        New-LvsVirtualService -FirewallMark 3000000000 -Scheduler sh -SchedulerFlags Flag1
        Add-LvsRealServer tcp/10.0.0.10:80 10.0.0.3:8080 -ForwardingMethod Nat -Weight 2
        Add-LvsRealServer tcp/10.0.0.10:80 10.0.0.2 -ForwardingMethod Nat
        Add-LvsRealServer fwm/3000000000 10.0.0.4:0
        $text = (Get-LvsVirtualService | Out-String -Width 200) -split "`r?`n" | Where-Object { $_ -ne '' }
        # ipvsadm's order: a mark above 2^31 first, and 192.168.0.1 before 10.0.0.10 (libipvs compares signed differences)
        $text | Should -Be @(
            'Prot LocalAddress:Port Scheduler Flags'
            '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'
            'FWM  3000000000 sh (sh-fallback)'
            '  -> 10.0.0.4:0                   Route   1      0          0         '
            'TCP  192.168.0.1:80 rr'
            'TCP  10.0.0.10:80 wlc persistent 600'
            '  -> 10.0.0.2:80                  Masq    1      0          0         '
            '  -> 10.0.0.3:8080                Masq    2      0          0         '
        )
        # ipvsadm's own listing, line for line (it prints the large mark as a negative number)
        $ipvsadm = (ipvsadm -Ln) | Select-Object -Skip 1 | ForEach-Object { $_ -replace '^FWM  -1294967296 ', 'FWM  3000000000 ' }
        $text | Should -Be $ipvsadm
        (Get-LvsVirtualService tcp/10.0.0.10:80).RealServers.Count | Should -Be 2
        # deserialized (remoting, Import-Clixml) services keep their real servers and print the same lines
        $clixml = Join-Path ([IO.Path]::GetTempPath()) 'lvs-services.xml'
        Get-LvsVirtualService tcp/10.0.0.10:80 | Export-Clixml $clixml
        $remote = (Import-Clixml $clixml | Out-String -Width 200) -split "`r?`n" | Where-Object { $_ -ne '' }
        $remote | Should -Be $text[0, 1, 5, 6, 7]
        (Get-LvsVirtualService | Format-Table | Out-String) | Should -Match 'Service\s+Scheduler\s+Flags'
    }

    It 'defaults like ipvsadm: wlc, weight 1, direct routing' {
        New-LvsVirtualService -Service tcp/10.0.0.1:443
        Add-LvsRealServer tcp/10.0.0.1:443 10.0.0.2
        (Get-LvsVirtualService tcp/10.0.0.1:443).Scheduler | Should -Be 'wlc'
        $rs = Get-LvsRealServer tcp/10.0.0.1:443
        $rs.Weight | Should -Be 1
        $rs.ForwardingMethod | Should -Be 'DirectRouting'
        $rs.Port | Should -Be 443
    }

    It 'creates a persistent firewall-mark service' {
        New-LvsVirtualService -FirewallMark 100 -Persistent -PersistenceTimeout 600 -PersistenceNetmask 255.255.255.0
        $svc = Get-LvsVirtualService -FirewallMark 100
        $svc.Persistent | Should -BeTrue
        $svc.PersistenceTimeout | Should -Be 600
        $svc.PersistenceNetmask | Should -Be '255.255.255.0'
    }

    It 'reports an existing service as a ResourceExists error and -Force updates it in place' {
        New-LvsVirtualService -Service udp/10.0.0.1:53 -Scheduler rr
        New-LvsVirtualService -Service udp/10.0.0.1:53 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^VirtualServiceExists'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        New-LvsVirtualService -Service udp/10.0.0.1:53 -Scheduler sh -Force
        (Get-LvsVirtualService udp/10.0.0.1:53).Scheduler | Should -Be 'sh'
    }

    It 'Set- changes only what was given' {
        New-LvsVirtualService -Service tcp/10.0.0.1:80 -Scheduler sh -Persistent -PersistenceTimeout 100
        Set-LvsVirtualService -Service tcp/10.0.0.1:80 -Scheduler wrr
        $svc = Get-LvsVirtualService tcp/10.0.0.1:80
        $svc.Scheduler | Should -Be 'wrr'
        $svc.PersistenceTimeout | Should -Be 100
    }

    It 'rejects a bad input before the kernel is touched' {
        New-LvsVirtualService -Service tcp/10.0.0.1:80 -Scheduler 'no such!' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-LvsVirtualService | Should -BeNullOrEmpty
    }

    It 'reports a port outside 0-65535 as InvalidPort, with -Port or inside -Service' {
        $attempts = @(
            { New-LvsVirtualService -Protocol Tcp -Address 10.0.0.1 -Port 70000 -ErrorAction Stop }
            { New-LvsVirtualService -Service tcp/10.0.0.1:70000 -ErrorAction Stop }
            { Get-LvsVirtualService -Port 70000 -ErrorAction Stop }
            { Get-LvsRealServer -Port -1 -ErrorAction Stop }
        )
        foreach ($attempt in $attempts) {
            $e = $null
            try { & $attempt } catch { $e = $_ }
            $e | Should -Not -BeNullOrEmpty -Because "$attempt"
            $e.FullyQualifiedErrorId | Should -Match '^InvalidPort'
            $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $e.Exception.Message | Should -Match '0 to 65535'
        }
        Get-LvsVirtualService | Should -BeNullOrEmpty
    }

    It '-WhatIf changes nothing' {
        New-LvsVirtualService -Service tcp/10.0.0.1:80 -WhatIf
        Get-LvsVirtualService | Should -BeNullOrEmpty
    }

    It 'removes services from the pipeline' {
        New-LvsVirtualService -Service tcp/10.0.0.1:80
        New-LvsVirtualService -Service tcp/[2001:db8::1]:80
        Get-LvsVirtualService | Remove-LvsVirtualService -Confirm:$false
        Get-LvsVirtualService | Should -BeNullOrEmpty
    }
}

Describe 'Real servers' {
    BeforeEach {
        Clear-LvsVirtualService -Confirm:$false
        New-LvsVirtualService -Service tcp/10.0.0.1:80 -Scheduler wrr
        Add-LvsRealServer tcp/10.0.0.1:80 10.0.0.2 -ForwardingMethod Nat -Weight 2
        Add-LvsRealServer tcp/10.0.0.1:80 10.0.0.3 -ForwardingMethod Nat -Weight 5
    }

    It 'lists real servers in ipvsadm order, with and without -Service' {
        foreach ($a in '10.10.20.14', '10.10.20.12', '10.10.10.12') { Add-LvsRealServer tcp/10.0.0.1:80 $a -ForwardingMethod Nat }
        $want = '10.0.0.2', '10.0.0.3', '10.10.10.12', '10.10.20.12', '10.10.20.14'
        # (member enumeration of IPAddressToString over several addresses gives nothing here: name each address)
        Get-LvsRealServer -Service tcp/10.0.0.1:80 | ForEach-Object { $_.Address.ToString() } | Should -Be $want
        Get-LvsRealServer | ForEach-Object { $_.Address.ToString() } | Should -Be $want
        (Get-LvsVirtualService tcp/10.0.0.1:80).RealServers | ForEach-Object { $_.Address.ToString() } | Should -Be $want
        $ipvsadm = ipvsadm -Ln -t 10.0.0.1:80 | Select-String '^  -> (\d\S*):' | ForEach-Object { $_.Matches[0].Groups[1].Value }
        $ipvsadm | Should -Be $want
    }

    It 'quiesces every real server through the pipeline' {
        Get-LvsVirtualService -Protocol Tcp | Get-LvsRealServer | Set-LvsRealServer -Weight 0
        (Get-LvsRealServer tcp/10.0.0.1:80).Weight | Should -Be @(0, 0)
    }

    It 'removes a real server found by address' {
        Get-LvsRealServer -Address 10.0.0.2 | Remove-LvsRealServer -Confirm:$false
        (Get-LvsRealServer tcp/10.0.0.1:80).Address.IPAddressToString | Should -Be '10.0.0.3'
    }

    It 'reports a missing real server as ObjectNotFound' {
        Set-LvsRealServer tcp/10.0.0.1:80 10.0.0.9 -Weight 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^RealServerNotFound'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Timeouts, info and help' {
    It 'Set-LvsTimeout changes only the given timeout' {
        $before = Get-LvsTimeout
        Set-LvsTimeout -TcpFinTimeout 77
        $after = Get-LvsTimeout
        $after.TcpFin | Should -Be 77
        $after.Tcp | Should -Be $before.Tcp
        $after.Udp | Should -Be $before.Udp
        Set-LvsTimeout -TcpFinTimeout $before.TcpFin
    }

    It 'Get-LvsInfo reports the IPVS version' {
        (Get-LvsInfo).Version | Should -Be ([version]'1.2.1')
    }

    It 'every cmdlet has help with a synopsis' {
        foreach ($c in Get-Command -Module LvsAdmin) {
            (Get-Help $c.Name).Synopsis | Should -Not -BeNullOrEmpty -Because $c.Name
        }
    }
}
