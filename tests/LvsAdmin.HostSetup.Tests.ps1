# Pester 5 suite: the host setup cmdlets (issue 4) for real against the kernel: addresses over rtnetlink, ARP and
# IPVS sysctls, real server and director setup with undo, checks, -Persist. It works in its own network namespaces
# (and, for -Persist, in the root namespace with the files under a temporary root), so it runs inside the kernel lab
# (tests/Invoke-LabPester.ps1) as root.
BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) ("lvsadmin-hostsetup-" + [guid]::NewGuid().ToString('N'))
    $env:LVSADMIN_STATE_DIRECTORY = Join-Path $work 'state'
    $env:LVSADMIN_PERSIST_ROOT = Join-Path $work 'root'
    New-Item -ItemType Directory -Path $env:LVSADMIN_STATE_DIRECTORY, $env:LVSADMIN_PERSIST_ROOT -Force | Out-Null

    # A namespace with lo up and a veth eth0 (up, with an IPv4 address) whose peer eth1 stays in it too.
    function New-TestNamespace([string] $Name, [string] $Cidr) {
        ip netns del $Name 2>$null
        ip netns add $Name
        ip -n $Name link set lo up
        ip -n $Name link add eth0 type veth peer name eth1
        ip -n $Name address add $Cidr dev eth0
        ip -n $Name link set eth1 up
        ip -n $Name link set eth0 up
    }

    function Get-NsSysctl([string] $Name, [string] $Key) {
        (ip netns exec $Name cat ('/proc/sys/' + ($Key -replace '\.', '/'))).Trim()
    }

    function Set-NsSysctl([string] $Name, [string] $Key, [string] $Value) {
        ip netns exec $Name sh -c "echo $Value > /proc/sys/$($Key -replace '\.', '/')"
    }

    function Get-NsAddress([string] $Name, [string] $Device) {
        (ip -n $Name -o address show dev $Device) -join "`n"
    }
}

AfterAll {
    foreach ($ns in 'hs-va', 'hs-rs', 'hs-tun', 'hs-dir', 'hs-sys') { ip netns del $ns 2>$null }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    Remove-Item Env:LVSADMIN_STATE_DIRECTORY, Env:LVSADMIN_PERSIST_ROOT -ErrorAction SilentlyContinue
}

Describe 'Virtual addresses' {
    BeforeAll {
        $ns = 'hs-va'
        New-TestNamespace $ns '10.9.0.1/24'
    }

    It 'adds a host address to lo with a label, once' {
        $a = Add-LvsVirtualAddress -Address 192.0.2.10 -Label lo:0 -NetworkNamespace $ns -PassThru
        $a.InterfaceName | Should -Be 'lo'
        $a.PrefixLength | Should -Be 32
        $a.Label | Should -Be 'lo:0'
        Get-NsAddress $ns lo | Should -Match '192\.0\.2\.10/32 .*lo:0'
        $again = Add-LvsVirtualAddress -Address 192.0.2.10 -Label lo:0 -NetworkNamespace $ns -Verbose 4>&1
        ($again | Out-String) | Should -Match 'nothing to change'
        @((ip -n $ns -o address show dev lo) -match '192\.0\.2\.10').Count | Should -Be 1
    }

    It 'completes -InterfaceName with the live interfaces of the namespace, and -Mode with the modes of the cmdlet (enum values)' {
        $line = "Add-LvsVirtualAddress -NetworkNamespace $ns -InterfaceName eth"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('eth0', 'eth1')
        $line = 'Initialize-LvsDirector -Mode '
        $modes = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $modes.CompletionText | Sort-Object | Should -Be @('DirectRouting', 'Nat', 'Tunnel')
        $line = 'Test-LvsRealServer -Mode '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Sort-Object | Should -Be @('DirectRouting', 'Tunnel')
    }

    It 'adds an IPv6 VIP as /128' {
        Add-LvsVirtualAddress 2001:db8::10 -NetworkNamespace $ns
        Get-NsAddress $ns lo | Should -Match '2001:db8::10/128'
    }

    It 'lists the VIPs without the loopback addresses unless -IncludeAll' {
        $list = Get-LvsVirtualAddress -InterfaceName lo -NetworkNamespace $ns | ForEach-Object { "$($_.Address)" }
        $list | Should -Contain '192.0.2.10'
        $list | Should -Contain '2001:db8::10'
        $list | Should -Not -Contain '127.0.0.1'
        Get-LvsVirtualAddress -InterfaceName lo -IncludeAll -NetworkNamespace $ns | ForEach-Object { "$($_.Address)" } | Should -Contain '127.0.0.1'
        (Get-LvsVirtualAddress -InterfaceName 'eth*' -NetworkNamespace $ns).Cidr | Should -Be '10.9.0.1/24'
    }

    It 'reports an unknown interface as InterfaceNotFound (ObjectNotFound)' {
        Add-LvsVirtualAddress -Address 192.0.2.11 -InterfaceName nosuch0 -NetworkNamespace $ns -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^InterfaceNotFound'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-LvsVirtualAddress -InterfaceName nosuch0 -NetworkNamespace $ns -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -Match '^InterfaceNotFound'
    }

    It 'refuses an address that is on another interface (ResourceExists) and -Force moves it' {
        Add-LvsVirtualAddress -Address 198.51.100.5 -InterfaceName eth0 -NetworkNamespace $ns
        Add-LvsVirtualAddress -Address 198.51.100.5 -NetworkNamespace $ns -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^AddressOnOtherInterface'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-NsAddress $ns eth0 | Should -Match '198\.51\.100\.5'
        Add-LvsVirtualAddress -Address 198.51.100.5 -NetworkNamespace $ns -Force
        Get-NsAddress $ns eth0 | Should -Not -Match '198\.51\.100\.5'
        Get-NsAddress $ns lo | Should -Match '198\.51\.100\.5/32'
    }

    It 'rejects a bad address before touching anything' {
        Add-LvsVirtualAddress -Address 300.1.2.3 -NetworkNamespace $ns -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Add-LvsVirtualAddress -Address 192.0.2.12 -Label eth0:x -NetworkNamespace $ns -ErrorVariable err3 -ErrorAction SilentlyContinue
        $err3[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-NsAddress $ns lo | Should -Not -Match '192\.0\.2\.12'
    }

    It '-WhatIf changes nothing' {
        Add-LvsVirtualAddress -Address 192.0.2.99 -NetworkNamespace $ns -WhatIf
        Get-NsAddress $ns lo | Should -Not -Match '192\.0\.2\.99'
    }

    It 'removes one address, and reports a missing one as AddressNotFound' {
        Remove-LvsVirtualAddress -Address 198.51.100.5 -NetworkNamespace $ns -Confirm:$false
        Get-NsAddress $ns lo | Should -Not -Match '198\.51\.100\.5'
        Remove-LvsVirtualAddress -Address 198.51.100.5 -NetworkNamespace $ns -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^AddressNotFound'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'removes several addresses in one call; a missing one is its own error and the others still go' {
        Add-LvsVirtualAddress -Address 198.51.100.6, 198.51.100.7 -NetworkNamespace $ns
        Remove-LvsVirtualAddress -Address 198.51.100.6, 198.51.100.99, 198.51.100.7 -NetworkNamespace $ns -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        Get-NsAddress $ns lo | Should -Not -Match '198\.51\.100\.[67]/'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Match '^AddressNotFound'
    }

    It 'removes the VIPs piped from Get-LvsVirtualAddress' {
        @(Get-LvsVirtualAddress -InterfaceName lo -NetworkNamespace $ns).Count | Should -BeGreaterOrEqual 2
        Get-LvsVirtualAddress -InterfaceName lo -NetworkNamespace $ns | Remove-LvsVirtualAddress -NetworkNamespace $ns -Confirm:$false
        Get-LvsVirtualAddress -InterfaceName lo -NetworkNamespace $ns | Should -BeNullOrEmpty
        Get-NsAddress $ns lo | Should -Not -Match '192\.0\.2\.10|2001:db8::10'
        Get-NsAddress $ns lo | Should -Match '127\.0\.0\.1'
        Get-NsAddress $ns eth0 | Should -Match '10\.9\.0\.1/24'
    }
}

Describe 'Real server setup' {
    BeforeAll {
        $ns = 'hs-rs'
        New-TestNamespace $ns '10.9.1.2/24'
    }

    It 'Set-LvsRealServerArp sets arp_ignore=1 and arp_announce=2 on all, lo and eth0, and -Reset undoes it' {
        $changes = Set-LvsRealServerArp -NetworkNamespace $ns -PassThru
        $changes.Kind | Select-Object -Unique | Should -Be 'Sysctl'
        foreach ($dev in 'all', 'lo', 'eth0') {
            Get-NsSysctl $ns "net.ipv4.conf.$dev.arp_ignore" | Should -Be '1'
            Get-NsSysctl $ns "net.ipv4.conf.$dev.arp_announce" | Should -Be '2'
        }
        Get-NsSysctl $ns 'net.ipv4.conf.eth1.arp_ignore' | Should -Be '0' # no IPv4 address: not chosen by default
        Set-LvsRealServerArp -NetworkNamespace $ns -PassThru | Should -BeNullOrEmpty
        Set-LvsRealServerArp -Reset -NetworkNamespace $ns
        foreach ($dev in 'all', 'lo', 'eth0') {
            Get-NsSysctl $ns "net.ipv4.conf.$dev.arp_ignore" | Should -Be '0'
            Get-NsSysctl $ns "net.ipv4.conf.$dev.arp_announce" | Should -Be '0'
        }
    }

    It 'Initialize-LvsRealServer -Mode DirectRouting sets everything up, once, and Test-LvsRealServer passes' {
        Initialize-LvsRealServer -Mode DirectRouting -VirtualAddress 192.0.2.10, 2001:db8::10 -NetworkNamespace $ns
        Get-NsAddress $ns lo | Should -Match '192\.0\.2\.10/32'
        Get-NsAddress $ns lo | Should -Match '2001:db8::10/128'
        Get-NsSysctl $ns 'net.ipv4.conf.all.arp_ignore' | Should -Be '1'
        Get-NsSysctl $ns 'net.ipv4.conf.eth0.arp_announce' | Should -Be '2'
        $again = Initialize-LvsRealServer DirectRouting 192.0.2.10, 2001:db8::10 -NetworkNamespace $ns -PassThru -Verbose 4>&1
        @($again | Where-Object { $_ -is [LvsAdmin.HostSetup.HostChange] }).Count | Should -Be 0
        ($again | Out-String) | Should -Match 'nothing to change'
        $findings = Test-LvsRealServer -Mode DirectRouting -VirtualAddress 192.0.2.10, 2001:db8::10 -NetworkNamespace $ns
        $findings.Count | Should -BeGreaterThan 3
        $findings | Where-Object { -not $_.Passed } | Should -BeNullOrEmpty
        Test-LvsRealServer DirectRouting 192.0.2.10 -NetworkNamespace $ns -Quiet | Should -BeTrue
    }

    It 'Test-LvsRealServer finds a broken ARP setting and a missing VIP, and names the fix' {
        Set-NsSysctl $ns 'net.ipv4.conf.all.arp_ignore' 0
        ip -n $ns address del 192.0.2.10/32 dev lo
        $failed = Test-LvsRealServer DirectRouting 192.0.2.10 -NetworkNamespace $ns | Where-Object { -not $_.Passed }
        $failed.Check | Should -Contain 'ArpIgnore'
        $failed.Check | Should -Contain 'VirtualAddress'
        ($failed | Where-Object Check -EQ 'ArpIgnore').Target | Should -Match 'all'
        ($failed | Where-Object Check -EQ 'ArpIgnore').Fix | Should -Match 'Lvs'
        Test-LvsRealServer DirectRouting 192.0.2.10 -NetworkNamespace $ns -Quiet | Should -BeFalse
        Initialize-LvsRealServer DirectRouting 192.0.2.10, 2001:db8::10 -NetworkNamespace $ns
        Test-LvsRealServer DirectRouting 192.0.2.10 -NetworkNamespace $ns -Quiet | Should -BeTrue
    }

    It 'Reset-LvsRealServer restores the values from before and removes the VIPs' {
        Reset-LvsRealServer -NetworkNamespace $ns -Confirm:$false
        Get-NsAddress $ns lo | Should -Not -Match '192\.0\.2\.10'
        Get-NsAddress $ns lo | Should -Not -Match '2001:db8::10'
        Get-NsSysctl $ns 'net.ipv4.conf.all.arp_ignore' | Should -Be '0'
        Get-NsSysctl $ns 'net.ipv4.conf.lo.arp_announce' | Should -Be '0'
        Get-NsAddress $ns eth0 | Should -Match '10\.9\.1\.2/24'
        Test-LvsRealServer DirectRouting 192.0.2.10 -NetworkNamespace $ns -Quiet | Should -BeFalse
    }

    It 'Initialize-LvsRealServer -Mode Tunnel puts the VIP on tunl0, brings it up and relaxes rp_filter' {
        $ns = 'hs-tun'
        New-TestNamespace $ns '10.9.3.2/24'
        Set-NsSysctl $ns 'net.ipv4.conf.all.rp_filter' 1
        Initialize-LvsRealServer -Mode Tunnel -VirtualAddress 192.0.2.20 -NetworkNamespace $ns
        Get-NsAddress $ns tunl0 | Should -Match '192\.0\.2\.20/32'
        (ip -n $ns -o link show tunl0) | Should -Match '[<,]UP[,>]'
        Get-NsSysctl $ns 'net.ipv4.conf.all.rp_filter' | Should -Be '0'
        Get-NsSysctl $ns 'net.ipv4.conf.tunl0.rp_filter' | Should -Be '0'
        Test-LvsRealServer Tunnel 192.0.2.20 -NetworkNamespace $ns -Quiet | Should -BeTrue
        Set-NsSysctl $ns 'net.ipv4.conf.all.rp_filter' 1
        (Test-LvsRealServer Tunnel 192.0.2.20 -NetworkNamespace $ns | Where-Object { -not $_.Passed }).Check | Should -Contain 'RpFilter'
        Reset-LvsRealServer -NetworkNamespace $ns -Confirm:$false
        Get-NsAddress $ns tunl0 | Should -Not -Match '192\.0\.2\.20'
    }
}

Describe 'Director setup' {
    BeforeAll {
        $ns = 'hs-dir'
        New-TestNamespace $ns '10.9.2.1/24'
    }

    It '-WhatIf changes nothing' {
        Initialize-LvsDirector -Mode Nat -VirtualAddress 10.9.2.100 -InterfaceName eth0 -NetworkNamespace $ns -WhatIf
        Get-NsSysctl $ns 'net.ipv4.ip_forward' | Should -Be '0'
        Get-NsAddress $ns eth0 | Should -Not -Match '10\.9\.2\.100'
    }

    It 'Initialize-LvsDirector -Mode Nat: VIP, forwarding, no redirects, IPVS sysctls; Test-LvsDirector passes' {
        $changes = Initialize-LvsDirector Nat 10.9.2.100, 2001:db8::100 eth0 -IpvsSysctl @{ ExpireNodestConn = $true } -NetworkNamespace $ns -PassThru
        $changes.Kind | Should -Contain 'Address'
        $changes.Kind | Should -Contain 'Sysctl'
        Get-NsAddress $ns eth0 | Should -Match '10\.9\.2\.100/32'
        Get-NsSysctl $ns 'net.ipv4.ip_forward' | Should -Be '1'
        Get-NsSysctl $ns 'net.ipv6.conf.all.forwarding' | Should -Be '1'
        # Every interface: the kernel ORs all with each one, so all=0 alone would let redirects out of lo or a DIP side.
        foreach ($dev in 'all', 'default', 'eth0', 'lo') { Get-NsSysctl $ns "net.ipv4.conf.$dev.send_redirects" | Should -Be '0' }
        Get-NsSysctl $ns 'net.ipv4.vs.expire_nodest_conn' | Should -Be '1'
        Test-LvsDirector Nat 10.9.2.100, 2001:db8::100 eth0 -IpvsSysctl @{ ExpireNodestConn = 1 } -NetworkNamespace $ns -Quiet | Should -BeTrue
    }

    It 'Test-LvsDirector names each interface where send_redirects is still on' {
        Set-NsSysctl $ns 'net.ipv4.conf.lo.send_redirects' 1
        $failed = @(Test-LvsDirector Nat 10.9.2.100 eth0 -NetworkNamespace $ns | Where-Object { -not $_.Passed })
        $failed.Count | Should -Be 1
        $failed[0].Check | Should -Be 'SendRedirects'
        $failed[0].Target | Should -Be 'net.ipv4.conf.lo.send_redirects'
        $failed[0].Message | Should -Match 'interface lo'
        $failed[0].Fix | Should -Match '^Initialize-LvsDirector'
        Set-NsSysctl $ns 'net.ipv4.conf.lo.send_redirects' 0
    }

    It 'Test-LvsDirector finds IP forwarding switched off' {
        Set-NsSysctl $ns 'net.ipv4.ip_forward' 0
        $failed = Test-LvsDirector Nat 10.9.2.100 eth0 -NetworkNamespace $ns | Where-Object { -not $_.Passed }
        $failed.Check | Should -Contain 'IpForward'
        ($failed | Where-Object Check -EQ 'IpForward').Fix | Should -Match 'Initialize-LvsDirector'
        Test-LvsDirector Nat 10.9.2.100 eth0 -NetworkNamespace $ns -Quiet | Should -BeFalse
        Test-LvsDirector DirectRouting 10.9.2.100 eth0 -NetworkNamespace $ns -Quiet | Should -BeTrue
    }

    It 'Reset-LvsDirector puts the values from before back and removes the VIPs' {
        Reset-LvsDirector -NetworkNamespace $ns -Confirm:$false
        Get-NsAddress $ns eth0 | Should -Not -Match '10\.9\.2\.100'
        Get-NsAddress $ns eth0 | Should -Match '10\.9\.2\.1/24'
        Get-NsSysctl $ns 'net.ipv4.ip_forward' | Should -Be '0'
        foreach ($dev in 'all', 'default', 'eth0', 'lo') { Get-NsSysctl $ns "net.ipv4.conf.$dev.send_redirects" | Should -Be '1' }
        Get-NsSysctl $ns 'net.ipv4.vs.expire_nodest_conn' | Should -Be '0'
    }

    It 'reports an unknown interface as InterfaceNotFound' {
        Initialize-LvsDirector Nat 10.9.2.100 nosuch0 -NetworkNamespace $ns -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^InterfaceNotFound'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'checks the VIPs of the virtual services in the table (the help example)' {
        Initialize-LvsDirector DirectRouting 10.9.2.100 eth0 -NetworkNamespace $ns
        New-LvsVirtualService -Service tcp/10.9.2.100:80 -NetworkNamespace $ns
        New-LvsVirtualService -FirewallMark 5 -NetworkNamespace $ns
        $vips = Get-LvsVirtualService -NetworkNamespace $ns | Where-Object Address | ForEach-Object { "$($_.Address)" } | Sort-Object -Unique
        $vips | Should -Be '10.9.2.100'
        Test-LvsDirector -Mode DirectRouting -VirtualAddress $vips -InterfaceName eth0 -NetworkNamespace $ns | Where-Object -Not Passed | Should -BeNullOrEmpty
        Clear-LvsVirtualService -NetworkNamespace $ns -Confirm:$false
        Reset-LvsDirector -NetworkNamespace $ns -Confirm:$false
        Get-NsAddress $ns eth0 | Should -Not -Match '10\.9\.2\.100'
    }
}

Describe 'IPVS sysctls' {
    BeforeAll {
        $ns = 'hs-sys'
        New-TestNamespace $ns '10.9.4.1/24'
    }

    It 'Get-LvsSysctl returns typed settings' {
        $all = Get-LvsSysctl -NetworkNamespace $ns
        $all.Name | Should -Contain 'conntrack'
        ($all | Where-Object Name -EQ 'conntrack').Value | Should -BeOfType [bool]
        ($all | Where-Object Name -EQ 'amemthresh').Value | Should -BeOfType [long]
        (Get-LvsSysctl 'sync_*' -NetworkNamespace $ns).Name | Should -Contain 'sync_threshold'
        (Get-LvsSysctl ExpireNodestConn -NetworkNamespace $ns).Name | Should -Be 'expire_nodest_conn'
    }

    It 'Set-LvsSysctl changes only the settings given' {
        $before = Get-LvsSysctl -NetworkNamespace $ns
        Set-LvsSysctl -ExpireQuiescentTemplate $true -ConnReuseMode 0 -NetworkNamespace $ns
        $after = Get-LvsSysctl -NetworkNamespace $ns
        ($after | Where-Object Name -EQ 'expire_quiescent_template').Value | Should -BeTrue
        ($after | Where-Object Name -EQ 'conn_reuse_mode').Value | Should -Be 0
        $changed = Compare-Object $before $after -Property Name, RawValue | Where-Object SideIndicator -EQ '=>'
        @($changed.Name | Sort-Object) | Should -Be @('conn_reuse_mode', 'expire_quiescent_template')
        Get-NsSysctl $ns 'net.ipv4.vs.expire_quiescent_template' | Should -Be '1'
    }

    It 'Set-LvsSysctl sets a text setting typed or by -Name/-Value, and binds from Get-LvsSysctl' {
        Set-LvsSysctl -SyncThreshold '4 100' -NetworkNamespace $ns
        Get-NsSysctl $ns 'net.ipv4.vs.sync_threshold' | Should -Match '^4\s+100$'
        (Set-LvsSysctl -Name sync_threshold -Value '3 100' -NetworkNamespace $ns -PassThru).RawValue | Should -Be '3 100'
        $again = Get-LvsSysctl sync_threshold -NetworkNamespace $ns | Set-LvsSysctl -NetworkNamespace $ns -Verbose 4>&1
        ($again | Out-String) | Should -Match 'nothing to change'
    }

    It 'rejects bad values and names before writing' {
        Set-LvsSysctl -Name sync_threshold -Value '100 3' -NetworkNamespace $ns -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^SysctlInvalidValue'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Set-LvsSysctl -Name no_such_setting -Value 1 -NetworkNamespace $ns -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -Match '^UnknownIpvsSysctl'
        { Set-LvsSysctl -ConnReuseMode 9 -NetworkNamespace $ns } | Should -Throw
        Get-NsSysctl $ns 'net.ipv4.vs.sync_threshold' | Should -Match '^3\s+100$'
    }
}

Describe '-Persist' {
    It 'writes the sysctls given to sysctl.d under the persist root, and only with -Persist' {
        Set-LvsSysctl -SloppyTcp $false
        $file = Join-Path $env:LVSADMIN_PERSIST_ROOT 'etc/sysctl.d/90-lvsadmin.conf'
        Test-Path $file | Should -BeFalse
        Set-LvsSysctl -SloppyTcp $true -Persist -WhatIf
        Test-Path $file | Should -BeFalse
        Set-LvsSysctl -SloppyTcp $true -Persist
        Get-Content $file -Raw | Should -Match 'net\.ipv4\.vs\.sloppy_tcp = 1'
        Get-Content $file -Raw | Should -Not -Match 'expire_nodest_conn'
        Set-LvsSysctl -SloppyTcp $false
    }

    It 'writes the address script and the boot service for a persisted VIP, and removes the line again' {
        Add-LvsVirtualAddress -Address 192.0.2.77 -Persist
        $script = Join-Path $env:LVSADMIN_PERSIST_ROOT 'etc/lvsadmin/addresses.sh'
        Get-Content $script -Raw | Should -Match 'ip address replace 192\.0\.2\.77/32 dev lo'
        Test-Path (Join-Path $env:LVSADMIN_PERSIST_ROOT 'etc/systemd/system/lvsadmin-addresses.service') | Should -BeTrue
        Remove-LvsVirtualAddress -Address 192.0.2.77 -Persist -Confirm:$false
        (Get-Content $script -Raw -ErrorAction SilentlyContinue) | Should -Not -Match '192\.0\.2\.77'
    }

    It 'refuses -Persist with -NetworkNamespace' {
        New-TestNamespace 'hs-va' '10.9.0.1/24'
        Set-LvsRealServerArp -Persist -NetworkNamespace 'hs-va' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^PersistInNamespaceNotSupported'
        Get-NsSysctl 'hs-va' 'net.ipv4.conf.all.arp_ignore' | Should -Be '0'
    }
}

Describe 'Errors that end the command' {
    BeforeAll {
        # A second pwsh (the one running this suite) runs the probe as nobody, or with a read-only /proc/sys.
        # Without -ErrorAction Stop, only a terminating error reaches the catch block.
        # LVS_PWSH names the launcher when pwsh runs as 'dotnet pwsh.dll' (the tool package), whose process is dotnet.
        $pwsh = $env:LVS_PWSH ? $env:LVS_PWSH : (Get-Process -Id $PID).Path
        $probe = Join-Path $work 'probe.ps1'
        Set-Content -Path $probe -Value @'
param([string] $Module, [string] $What)
$ErrorActionPreference = 'Continue'
Import-Module $Module
$tests = [ordered]@{ sysctl = { Set-LvsSysctl -ExpireNodestConn $true }; address = { Add-LvsVirtualAddress -Address 192.0.2.55 } }
foreach ($name in $What -split ',') {
    try { & $tests[$name] 2>$null; "$name|not terminated" } catch { "$name|" + $_.FullyQualifiedErrorId.Split(',')[0] + '|' + $_.CategoryInfo.Category }
}
'@
        $home0 = $env:HOME
        $env:HOME = $work
    }

    AfterAll { $env:HOME = $home0 }

    It 'not root: SysctlPermissionDenied and HostPermissionDenied (PermissionDenied) end the command' {
        $out = setpriv --reuid=65534 --regid=65534 --clear-groups $pwsh -NoProfile -NonInteractive -File $probe $env:LVSADMIN_MODULE 'sysctl,address'
        $out | Should -Contain 'sysctl|SysctlPermissionDenied|PermissionDenied'
        $out | Should -Contain 'address|HostPermissionDenied|PermissionDenied'
        Get-NsAddress 'hs-va' lo | Should -Not -Match '192\.0\.2\.55'
        (ip -o address show dev lo) -join ' ' | Should -Not -Match '192\.0\.2\.55'
    }

    It 'read-only /proc/sys (a container): SysctlReadOnly (PermissionDenied) ends the command' {
        $out = unshare -m sh -c 'mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec "$0" -NoProfile -NonInteractive -File "$1" "$2" sysctl' $pwsh $probe $env:LVSADMIN_MODULE
        $out | Should -Contain 'sysctl|SysctlReadOnly|PermissionDenied'
        (Get-Content /proc/sys/net/ipv4/vs/expire_nodest_conn).Trim() | Should -Be '0'
    }
}
