# Pester 5 suite for configuration as code: Export/Import/Get/Compare/Set/Test-LvsConfiguration and
# Remove-LvsRealServer -Drain, for real against the kernel. It changes the IPVS table, so it runs inside the kernel
# lab (tests/Invoke-LabPester.ps1). ipvsadm is used as the reference where the lab has it.
BeforeDiscovery {
    $HasIpvsadm = [bool](Get-Command ipvsadm, /usr/sbin/ipvsadm, /sbin/ipvsadm -CommandType Application -ErrorAction Ignore)
}

BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    $script:Ipvsadm = (Get-Command ipvsadm, /usr/sbin/ipvsadm, /sbin/ipvsadm -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    $script:Dir = Join-Path ([System.IO.Path]::GetTempPath()) ("lvsconf-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $script:Dir | Out-Null

    function New-SampleTable {
        New-LvsVirtualService -Service tcp/192.0.2.10:80 -Scheduler rr
        Add-LvsRealServer -Service tcp/192.0.2.10:80 -Address 10.0.0.2 -ForwardingMethod Nat -Weight 2 -UpperThreshold 100 -LowerThreshold 10
        Add-LvsRealServer -Service tcp/192.0.2.10:80 -Address 10.0.0.3 -ForwardingMethod Nat
        New-LvsVirtualService -Service udp/[2001:db8::10]:53 -Scheduler wlc -Persistent -PersistenceTimeout 120
        Add-LvsRealServer -Service udp/[2001:db8::10]:53 -Address 2001:db8::2 -ForwardingMethod DirectRouting
        New-LvsVirtualService -FirewallMark 7 -Scheduler sh
        Add-LvsRealServer -Service fwm/7 -Address 10.0.1.5 -ForwardingMethod Tunnel -Weight 0
    }
}

AfterAll {
    Clear-LvsVirtualService -Confirm:$false
    Remove-Item -Recurse -Force $script:Dir -ErrorAction Ignore
}

Describe 'Export and import' {
    BeforeEach { Clear-LvsVirtualService -Confirm:$false }

    It 'round-trips the JSON document: export, clear, import, export gives the same bytes' {
        New-SampleTable
        Set-LvsTimeout -TcpTimeout 800 -TcpFinTimeout 100 -UdpTimeout 250
        $a = Join-Path $Dir 'a.json'; $b = Join-Path $Dir 'b.json'
        Export-LvsConfiguration -Path $a
        Clear-LvsVirtualService -Confirm:$false
        Set-LvsTimeout -TcpTimeout 900 -TcpFinTimeout 120 -UdpTimeout 300
        $r = Import-LvsConfiguration -Path $a -PassThru
        $r.Changed | Should -BeTrue
        Export-LvsConfiguration -Path $b
        [System.IO.File]::ReadAllBytes($b) | Should -Be ([System.IO.File]::ReadAllBytes($a))
        (Get-LvsRealServer tcp/192.0.2.10:80 -Address 10.0.0.2).UpperThreshold | Should -Be 100
        (Get-LvsTimeout).TcpTimeout | Should -Be 800
    }

    It 'writes UTF-8 without BOM, ending with a newline, and honours -NoClobber' {
        New-SampleTable
        $f = Join-Path $Dir 'n.json'
        Export-LvsConfiguration -Path $f
        $bytes = [System.IO.File]::ReadAllBytes($f)
        $bytes[0] | Should -Be ([byte][char]'{')
        $bytes[-1] | Should -Be 10
        try { Export-LvsConfiguration -Path $f -NoClobber } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -Match '^FileExists'
        $e.CategoryInfo.Category | Should -Be 'ResourceExists'
        [System.IO.File]::ReadAllBytes($f) | Should -Be $bytes
    }

    It 'writes the ipvsadm format byte for byte like ipvsadm -Sn' -Skip:(-not $HasIpvsadm) {
        New-SampleTable
        $expected = (& $Ipvsadm -Sn | Out-String) -replace "`r", ''
        $f = Join-Path $Dir 'rules'
        Export-LvsConfiguration -Path $f -Format Ipvsadm -WarningVariable warn -WarningAction SilentlyContinue
        [System.IO.File]::ReadAllText($f) | Should -BeExactly $expected
        # Thresholds do not fit the format: a warning says so.
        ($warn -join ' ') | Should -Match 'threshold'
        (Export-LvsConfiguration -Format Ipvsadm -WarningAction SilentlyContinue) + "`n" | Should -BeExactly $expected
    }

    It 'warns with -Format Ipvsadm only about what the format really loses' {
        Get-LvsSyncDaemon | ForEach-Object { Stop-LvsSyncDaemon -State $_.State -Confirm:$false }
        Set-LvsTimeout -TcpTimeout 900 -TcpFinTimeout 120 -UdpTimeout 300
        New-LvsVirtualService -Service tcp/192.0.2.10:80 -Scheduler rr
        Add-LvsRealServer -Service tcp/192.0.2.10:80 -Address 10.0.0.2 -ForwardingMethod Nat
        # the kernel's default timeouts, no sync daemon, no thresholds: nothing is lost, so nothing is said (cron)
        $null = Export-LvsConfiguration -Format Ipvsadm -WarningVariable warn
        $warn | Should -BeNullOrEmpty
        # one warning per thing lost: a non-default timeout, thresholds
        Set-LvsTimeout -UdpTimeout 30
        Set-LvsRealServer -Service tcp/192.0.2.10:80 -Address 10.0.0.2 -UpperThreshold 50
        $null = Export-LvsConfiguration -Format Ipvsadm -WarningVariable warn -WarningAction SilentlyContinue
        $warn.Count | Should -Be 2
        ($warn -join ' ') | Should -Match 'UDP timeout is 30 s'
        ($warn -join ' ') | Should -Match 'threshold'
        Set-LvsTimeout -UdpTimeout 300
    }

    It 'imports rules written by ipvsadm -Sn exactly' -Skip:(-not $HasIpvsadm) {
        & $Ipvsadm -A -t 198.51.100.1:443 -s wrr -p 300
        & $Ipvsadm -a -t 198.51.100.1:443 -r 10.0.0.7:443 -g -w 5
        & $Ipvsadm -A -f 12 -s lc
        & $Ipvsadm -a -f 12 -r 10.0.0.8:0 -i -w 3
        $f = Join-Path $Dir 'saved.rules'
        & $Ipvsadm -Sn | Set-Content -Path $f
        $before = (& $Ipvsadm -Sn | Out-String)
        Clear-LvsVirtualService -Confirm:$false
        Import-LvsConfiguration -Path $f
        (& $Ipvsadm -Sn | Out-String) | Should -BeExactly $before
    }

    It 'stops at a bad line with its line number and applies nothing' {
        New-LvsVirtualService -Service tcp/192.0.2.20:80
        $f = Join-Path $Dir 'bad.rules'
        Set-Content -Path $f -Value @('-A -t 192.0.2.30:80 -s rr', '# comment', '-a -t 192.0.2.30:80 -r 10.0.0.9:80 -m -w nine')
        { Import-LvsConfiguration -Path $f } | Should -Throw -ErrorId 'ConfigurationParseError*'
        try { Import-LvsConfiguration -Path $f } catch { $e = $_ }
        $e.Exception.Message | Should -Match 'line 3'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Get-LvsVirtualService).Service | Should -Be @('tcp/192.0.2.20:80')
    }

    It 'exports the host settings with -IncludeHost and sets them back on import' {
        ip address add 10.255.0.1/32 dev lo label lo:vip
        try {
            $before = (Get-LvsSysctl).Conntrack
            $file = Join-Path ([IO.Path]::GetTempPath()) 'lvs-host.json'
            Export-LvsConfiguration -Path $file -IncludeHost -Force
            $doc = Get-Content $file -Raw | ConvertFrom-Json
            $doc.host.sysctls.'net.ipv4.vs.conntrack' | Should -Be ([int][bool]$before)
            $doc.host.addresses | ForEach-Object address | Should -Contain '10.255.0.1'
            Set-LvsSysctl -Conntrack (-not $before)
            ip address del 10.255.0.1/32 dev lo
            $result = Import-LvsConfiguration -Path $file -PassThru
            $result.Changed | Should -BeTrue
            (Get-LvsSysctl).Conntrack | Should -Be $before
            (ip -o address show dev lo) -join "`n" | Should -Match '10\.255\.0\.1/32'
            { Get-LvsConfiguration -Path $file -IncludeHost -ErrorAction Stop } | Should -Throw -ErrorId 'IncludeHostWithPath*'
        } finally {
            ip address del 10.255.0.1/32 dev lo 2>$null
        }
    }

    It 'Get-LvsConfiguration -Path reads a file without applying it, and pipes into Export to convert' {
        $f = Join-Path $Dir 'conv.rules'
        Set-Content -Path $f -Value @('-A -t 192.0.2.40:80 -s rr', '-a -t 192.0.2.40:80 -r 10.0.0.4:80 -m -w 3')
        $doc = Get-LvsConfiguration -Path $f
        $doc.Services.Count | Should -Be 1
        Get-LvsVirtualService | Should -BeNullOrEmpty
        $json = $doc | Export-LvsConfiguration | ConvertFrom-Json
        $json.services[0].realServers[0].weight | Should -Be 3
        $json.services[0].realServers[0].forwardingMethod | Should -Be 'nat'
    }
}

Describe 'Plan and apply' {
    BeforeEach { Clear-LvsVirtualService -Confirm:$false }

    It 'Compare lists the plan, -WhatIf changes nothing, Set applies it once (Changed, then not)' {
        $script:doneMessages = @()
        New-LvsVirtualService -Service tcp/192.0.2.10:80 -Scheduler wlc
        Add-LvsRealServer -Service tcp/192.0.2.10:80 -Address 10.0.0.2 -ForwardingMethod Nat
        Add-LvsRealServer -Service tcp/192.0.2.10:80 -Address 10.0.0.3 -ForwardingMethod Nat
        $f = Join-Path $Dir 'want.rules'
        Set-Content -Path $f -Value @('-A -t 192.0.2.10:80 -s rr', '-a -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 5', '-a -t 192.0.2.10:80 -r 10.0.0.4:80 -m -w 1')
        $steps = @(Compare-LvsConfiguration -Path $f)
        ($steps | ForEach-Object { "$($_.Action) $($_.TargetType)" }) | Should -Be @('Update Service', 'Update RealServer', 'Add RealServer', 'Remove RealServer')
        $steps[1].Changes | Should -Contain 'Weight: 1 -> 5'
        $steps[0].Before.Scheduler | Should -Be 'wlc'
        $steps[0].After.Scheduler | Should -Be 'rr'

        Set-LvsConfiguration -Path $f -WhatIf
        (Get-LvsVirtualService tcp/192.0.2.10:80).Scheduler | Should -Be 'wlc'
        # $WhatIfPreference and $ConfirmPreference are honoured as the switches are (the steps are asked one by one).
        & { $WhatIfPreference = $true; Import-LvsConfiguration -Path $f }
        & { $ConfirmPreference = 'None'; $WhatIfPreference = $true; Set-LvsConfiguration -Path $f }
        (Get-LvsVirtualService tcp/192.0.2.10:80).Scheduler | Should -Be 'wlc'
        Test-LvsConfiguration -Path $f | Should -BeFalse
        @(Test-LvsConfiguration -Path $f -Detailed).Count | Should -Be 4

        $r = Set-LvsConfiguration -Path $f -PassThru -Verbose 4>&1 | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] -or $_.Message -like 'Done: *' } |
            ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $script:doneMessages += , $_.Message } else { $_ } }
        $script:doneMessages | Should -Contain 'Done: Update virtual service tcp/192.0.2.10:80 (Scheduler: wlc -> rr)'
        @($script:doneMessages).Count | Should -Be 4
        $r.Changed | Should -BeTrue
        $r.Succeeded | Should -BeTrue
        @($r.Completed).Count | Should -Be 4
        (Get-LvsVirtualService tcp/192.0.2.10:80).Scheduler | Should -Be 'rr'
        (Get-LvsRealServer tcp/192.0.2.10:80 | ForEach-Object { [string]$_.Address } | Sort-Object) | Should -Be @('10.0.0.2', '10.0.0.4')
        Test-LvsConfiguration -Path $f | Should -BeTrue
        (Set-LvsConfiguration -Path $f -PassThru).Changed | Should -BeFalse
        ([pscustomobject]@{ Changed = $r.Changed } | ConvertTo-Json -Compress) | Should -Be '{"Changed":true}'
    }

    It 'manages only the named services unless -Prune' {
        New-LvsVirtualService -Service tcp/192.0.2.50:80
        $doc = Get-LvsConfiguration -Path (Join-Path $Dir 'only.rules' | ForEach-Object { Set-Content -Path $_ -Value '-A -t 192.0.2.51:80 -s rr'; $_ })
        $doc | Set-LvsConfiguration
        @(Get-LvsVirtualService).Count | Should -Be 2
        $doc | Test-LvsConfiguration | Should -BeTrue
        $doc | Test-LvsConfiguration -Prune | Should -BeFalse
        $doc | Set-LvsConfiguration -Prune -Confirm:$false
        @(Get-LvsVirtualService).Service | Should -Be @('tcp/192.0.2.51:80')
    }

    It 'takes the document as text from the pipeline (Get-Content lines)' {
        $f = Join-Path $Dir 'text.rules'
        Set-Content -Path $f -Value @('-A -u 192.0.2.60:53 -s rr', '-a -u 192.0.2.60:53 -r 10.0.0.6:53 -m')
        Get-Content $f | Test-LvsConfiguration | Should -BeFalse
        Get-Content $f | Set-LvsConfiguration
        Get-Content $f | Test-LvsConfiguration | Should -BeTrue
    }

    It 'leaves keepalived''s health state alone (weight 0 of a checked real server), unless -RepairHealthState' {
        $doc = @'
{ "schemaVersion": 1, "services": [ { "service": "tcp/192.0.2.80:80", "scheduler": "rr",
  "health": { "checks": [ { "type": "tcp", "interval": 5 } ] },
  "realServers": [ { "address": "10.0.0.8:80", "forwardingMethod": "nat", "weight": 3 } ] } ] }
'@
        $doc | Set-LvsConfiguration
        Set-LvsRealServer -Service tcp/192.0.2.80:80 -Address 10.0.0.8 -Port 80 -Weight 0   # what keepalived does to a failed one
        $doc | Test-LvsConfiguration | Should -BeTrue -Because 'health state is not drift'
        $doc | Test-LvsConfiguration -RepairHealthState | Should -BeFalse
        (@($doc | Compare-LvsConfiguration -RepairHealthState).Changes) | Should -Contain 'Weight: 0 -> 3'
        $doc | Set-LvsConfiguration
        (Get-LvsRealServer tcp/192.0.2.80:80).Weight | Should -Be 0
        $doc | Set-LvsConfiguration -RepairHealthState
        (Get-LvsRealServer tcp/192.0.2.80:80).Weight | Should -Be 3
    }

    It 'rolls back when the kernel refuses a step, and says so' {
        New-LvsVirtualService -Service tcp/192.0.2.70:80 -Scheduler rr
        Add-LvsRealServer -Service tcp/192.0.2.70:80 -Address 10.0.0.7 -ForwardingMethod Nat
        $before = Get-LvsConfiguration | Export-LvsConfiguration
        # Step 1 (weight) and 2 (new service) succeed, no kernel has a scheduler named nosched (valid name, no module): the kernel refuses it.
        $f = Join-Path $Dir 'fail.rules'
        Set-Content -Path $f -Value @('-A -t 192.0.2.70:80 -s rr', '-a -t 192.0.2.70:80 -r 10.0.0.7:80 -m -w 9', '-A -t 192.0.2.71:80 -s rr', '-A -t 192.0.2.72:80 -s nosched')
        try { Set-LvsConfiguration -Path $f -PassThru -OutVariable res | Out-Null } catch { $e = $_ }
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -Match '^ApplyFailedRolledBack'
        $e.Exception.Message | Should -Match 'rolled back'
        $e.Exception.Message | Should -Match 'nosched|192\.0\.2\.72'
        $res[0].RolledBack | Should -BeTrue
        $res[0].Changed | Should -BeFalse
        Get-LvsConfiguration | Export-LvsConfiguration | Should -BeExactly $before
    }
}

Describe 'Remove-LvsRealServer -Drain' {
    BeforeEach { Clear-LvsVirtualService -Confirm:$false }

    It 'drains idle real servers at once and deletes them; -WhatIf changes nothing' {
        New-LvsVirtualService -Service tcp/192.0.2.80:80
        Add-LvsRealServer -Service tcp/192.0.2.80:80 -Address 10.0.0.8 -Weight 4
        Add-LvsRealServer -Service tcp/192.0.2.80:80 -Address 10.0.0.9
        Remove-LvsRealServer -Service tcp/192.0.2.80:80 -Address 10.0.0.8 -Drain -WhatIf
        (Get-LvsRealServer tcp/192.0.2.80:80 -Address 10.0.0.8).Weight | Should -Be 4
        Get-LvsRealServer tcp/192.0.2.80:80 | Remove-LvsRealServer -Drain -DrainTimeout 5 -Confirm:$false
        Get-LvsRealServer tcp/192.0.2.80:80 | Should -BeNullOrEmpty
    }

    It 'reports a missing real server as RealServerNotFound and drains the others' {
        New-LvsVirtualService -Service tcp/192.0.2.81:80
        Add-LvsRealServer -Service tcp/192.0.2.81:80 -Address 10.0.0.10
        Remove-LvsRealServer -Service tcp/192.0.2.81:80 -Address 10.0.0.99 -Drain -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^RealServerNotFound'
        Remove-LvsRealServer -Service tcp/192.0.2.81:80 -Address 10.0.0.10 -Drain -Confirm:$false
        Get-LvsRealServer tcp/192.0.2.81:80 | Should -BeNullOrEmpty
    }
}
