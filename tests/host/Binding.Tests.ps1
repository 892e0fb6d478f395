# Host suite: parameter binding, parameter sets and pipeline binding by property name, also of deserialized objects.
# No kernel here, so each test says how it sees what bound:
#   "binder trace"  PowerShell's own ParameterBinding trace of the real cmdlet (Trace-Command). Cmdlets that go on to
#                   the kernel are pointed at a network namespace that does not exist, so they stop with
#                   InvalidNetworkNamespace right after binding and never touch an IPVS table, even on a host with one.
#   "-WhatIf target" New-LvsVirtualService and Add-LvsRealServer build their target from the bound values without the
#                   kernel; the "What if:" line shows what they made of them.
#   "binder"        the parameter set PowerShell resolves from the cmdlet's own metadata (a ProxyCommand of it).
# The lab suites (tests/*.Tests.ps1) run the same cmdlets against the kernel.
BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    . (Join-Path $PSScriptRoot 'HostTestSupport.ps1')
    . (Join-Path $PSScriptRoot 'FormatCases.ps1')
    $script:nowhere = '/run/netns/lvsadmin-host-tests-none'
    function Bound([object] $Result, [string] $Command) {
        $h = [ordered]@{}
        foreach ($b in $Result.Binds | Where-Object Command -EQ $Command) { $h[$b.Parameter] = $b.Value }
        $h
    }
}

Describe 'Parameter sets (binder, from the cmdlets'' metadata)' {
    It '<Command> <Label> resolves to the <Set> set' -ForEach @(
        @{ Command = 'New-LvsVirtualService'; Label = 'tcp/10.0.0.1:80 (positional)'; Positional = @('tcp/10.0.0.1:80'); Named = @{}; Set = 'Service' }
        @{ Command = 'New-LvsVirtualService'; Label = '-Protocol Udp -Address 10.0.0.1 -Port 53'; Named = @{ Protocol = 'Udp'; Address = '10.0.0.1'; Port = 53 }; Set = 'Address' }
        @{ Command = 'New-LvsVirtualService'; Label = '-FirewallMark 100 -AddressFamily IPv6'; Named = @{ FirewallMark = 100; AddressFamily = 'IPv6' }; Set = 'FirewallMark' }
        @{ Command = 'Set-LvsVirtualService'; Label = '-Address 10.0.0.1:80 -Scheduler rr'; Named = @{ Address = '10.0.0.1:80'; Scheduler = 'rr' }; Set = 'Address' }
        @{ Command = 'Remove-LvsVirtualService'; Label = '-FirewallMark 7'; Named = @{ FirewallMark = 7 }; Set = 'FirewallMark' }
        @{ Command = 'Get-LvsVirtualService'; Label = '(nothing)'; Named = @{}; Set = 'Service' }
        @{ Command = 'Get-LvsVirtualService'; Label = '-Protocol Tcp'; Named = @{ Protocol = 'Tcp' }; Set = 'Address' }
        @{ Command = 'Set-LvsSysctl'; Label = '-Name conntrack -Value 1'; Named = @{ Name = 'conntrack'; Value = '1' }; Set = 'Name' }
        @{ Command = 'Set-LvsSysctl'; Label = '-Conntrack $true'; Named = @{ Conntrack = $true }; Set = 'Typed' }
        @{ Command = 'Compare-LvsConfiguration'; Label = '-Path lvs.json'; Named = @{ Path = 'lvs.json' }; Set = 'Path' }
        @{ Command = 'Test-LvsConfiguration'; Label = '-InputObject (ipvsadm-save text)'; Named = @{ InputObject = '-A -t 10.0.0.1:80 -s rr' }; Set = 'Text' }
    ) {
        if (-not $Positional) { $Positional = @() }
        Get-ResolvedParameterSet $Command -Named $Named -Positional $Positional | Should -Be $Set
    }

    It '<Command> <Label> is refused by the binder: <ErrorId>' -ForEach @(
        @{ Command = 'New-LvsVirtualService'; Label = 'tcp/10.0.0.1:80 -FirewallMark 1'; Named = @{ Service = 'tcp/10.0.0.1:80'; FirewallMark = 1 }; ErrorId = 'AmbiguousParameterSet' }
        @{ Command = 'Remove-LvsVirtualService'; Label = '-Port 80 (the Address set, without its -Address)'; Named = @{ Port = 80 }; ErrorId = 'MissingMandatoryParameter' }
        @{ Command = 'Get-LvsVirtualService'; Label = '-FirewallMark 0'; Named = @{ FirewallMark = 0 }; ErrorId = 'ParameterArgumentValidationError' }
    ) {
        { Get-ResolvedParameterSet $Command -Named $Named } | Should -Throw -ErrorId "$ErrorId,*"
    }

    It 'the real cmdlet refuses an ambiguous set the same way, before anything runs' {
        { New-LvsVirtualService -Service tcp/10.0.0.1:80 -FirewallMark 1 -WhatIf } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,LvsAdmin.Commands.NewLvsVirtualServiceCommand'
    }
}

Describe 'What the cmdlets make of their parameters (-WhatIf target)' {
    It 'New-LvsVirtualService <Label> targets <Target>' -ForEach @(
        @{ Label = 'tcp/10.0.0.1:80'; Arguments = @{ Service = 'tcp/10.0.0.1:80' }; Target = 'tcp/10.0.0.1:80' }
        @{ Label = '10.0.0.1:80 (a bare address is TCP)'; Arguments = @{ Service = '10.0.0.1:80' }; Target = 'tcp/10.0.0.1:80' }
        @{ Label = '-Protocol Udp -Address 10.0.0.1 -Port 53'; Arguments = @{ Protocol = 'Udp'; Address = '10.0.0.1'; Port = 53 }; Target = 'udp/10.0.0.1:53' }
        @{ Label = '-Address [2001:db8::1]:443'; Arguments = @{ Address = '[2001:db8::1]:443' }; Target = 'tcp/[2001:db8::1]:443' }
        @{ Label = '-FirewallMark 100 -AddressFamily IPv6'; Arguments = @{ FirewallMark = 100; AddressFamily = 'IPv6' }; Target = 'fwm/100/ipv6' }
    ) {
        Get-WhatIfTarget { New-LvsVirtualService @Arguments -WhatIf } | Should -Be $Target
    }

    It 'Add-LvsRealServer <Label> targets <Target>' -ForEach @(
        @{ Label = 'tcp/10.0.0.1:80 10.0.0.2 (the service''s port)'; Arguments = @{ Service = 'tcp/10.0.0.1:80'; Address = '10.0.0.2' }; Target = 'tcp/10.0.0.1:80 -> 10.0.0.2:80' }
        @{ Label = '-Address 10.0.0.3:8080 -ForwardingMethod Masq'; Arguments = @{ Service = 'tcp/10.0.0.1:80'; Address = '10.0.0.3:8080'; ForwardingMethod = 'Masq' }; Target = 'tcp/10.0.0.1:80 -> 10.0.0.3:8080' }
        @{ Label = '-Address 10.0.0.3 -Port 8443 -ForwardingMethod Nat'; Arguments = @{ Service = 'tcp/10.0.0.1:443'; Address = '10.0.0.3'; Port = 8443; ForwardingMethod = 'Nat' }; Target = 'tcp/10.0.0.1:443 -> 10.0.0.3:8443' }
        @{ Label = 'IPv6 on an IPv6 service'; Arguments = @{ Service = 'udp/[2001:db8::1]:53'; Address = '2001:db8::2' }; Target = 'udp/[2001:db8::1]:53 -> [2001:db8::2]:53' }
    ) {
        Get-WhatIfTarget { Add-LvsRealServer @Arguments -WhatIf } | Should -Be $Target
    }

    It 'Add-LvsRealServer -ForwardingMethod takes ipvsadm''s words and binds their enum name (binder trace)' {
        foreach ($word in @{ Masq = 'Nat'; masquerade = 'Nat'; Route = 'DirectRouting'; gateway = 'DirectRouting'; Ipip = 'Tunnel'; Tun = 'Tunnel' }.GetEnumerator()) {
            $r = Get-ParameterBinding { Add-LvsRealServer tcp/10.0.0.1:80 10.0.0.2 -ForwardingMethod $word.Key -WhatIf }
            $r.Error | Should -BeNullOrEmpty
            ($r.Binds | Where-Object Parameter -EQ ForwardingMethod).Value | Should -Be $word.Key
            # the transformation's result is what the SUCCESSFUL line is about; the trace shows it as DATA GENERATION
        }
        Get-WhatIfTarget { Add-LvsRealServer tcp/10.0.0.1:80 10.0.0.2 -ForwardingMethod Masq -WhatIf } | Should -Be 'tcp/10.0.0.1:80 -> 10.0.0.2:80'
    }

    It 'Add-LvsRealServer -ForwardingMethod <Word> is refused while binding: ParameterArgumentTransformationError' -ForEach @(
        @{ Word = 'Local' }, @{ Word = 'Bypass' }, @{ Word = 'carrier-pigeon' }
    ) {
        { Add-LvsRealServer tcp/10.0.0.1:80 10.0.0.2 -ForwardingMethod $Word -WhatIf } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,LvsAdmin.Commands.AddLvsRealServerCommand'
    }

    It 'a bad service text is an InvalidArgument error of the cmdlet, and no target' {
        Get-WhatIfTarget { New-LvsVirtualService -Service 'tcp/not-an-address:80' -WhatIf -ErrorAction SilentlyContinue } | Should -BeNullOrEmpty
        { New-LvsVirtualService -Service 'tcp/not-an-address:80' -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidService,LvsAdmin.Commands.NewLvsVirtualServiceCommand'
    }

    It 'a port out of range in the service text is InvalidPort, and no target' {
        Get-WhatIfTarget { New-LvsVirtualService -Service 'tcp/10.0.0.1:99999' -WhatIf -ErrorAction SilentlyContinue } | Should -BeNullOrEmpty
        { New-LvsVirtualService -Service 'tcp/10.0.0.1:99999' -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPort,LvsAdmin.Commands.NewLvsVirtualServiceCommand'
    }
}

Describe 'Pipeline binding by property name' {
    BeforeAll {
        $script:remoteServices = ConvertTo-Deserialized $services
        $script:remoteReals = ConvertTo-Deserialized $reals
    }

    It 'a <Kind> virtual service binds -Service to <Command> (binder trace; then InvalidNetworkNamespace)' -ForEach @(
        foreach ($kind in 'live', 'deserialized') {
            foreach ($command in 'Get-LvsRealServer', 'Remove-LvsVirtualService', 'Reset-LvsStatistic', 'Get-LvsConnection', 'Get-LvsVirtualService') {
                @{ Kind = $kind; Command = $command }
            }
        }
    ) {
        $piped = if ($Kind -eq 'live') { $services } else { $remoteServices }
        $confirm = if ((Get-Command $Command).Parameters.ContainsKey('Confirm')) { @{ Confirm = $false } } else { @{} }
        $r = Get-ParameterBinding { $piped | & $Command -NetworkNamespace $nowhere @confirm }
        # Get-LvsRealServer takes a live service by value (-InputObject, below); a deserialized one binds -Service.
        $parameter = if ($Kind -eq 'live' -and $Command -eq 'Get-LvsRealServer') { 'InputObject' } else { 'Service' }
        @($r.Binds | Where-Object { $_.Command -eq $Command -and $_.Parameter -eq $parameter }).Value | Select-Object -First 1 | Should -Be 'tcp/10.0.0.10:80'
        @($r.Binds | Where-Object { $_.Command -eq $Command -and $_.Parameter -in 'Service', 'InputObject' }).Parameter | Select-Object -Unique | Should -Be $parameter
        $r.Error.FullyQualifiedErrorId | Should -Be "InvalidNetworkNamespace,LvsAdmin.Commands.$($Command -replace '-', '')Command"
    }

    Context 'Get-LvsRealServer of a service Get-LvsVirtualService is writing (ServiceInFlight)' {
        # Get-LvsVirtualService writes each service through ServiceInFlight.Write; here a test puts one in flight
        # itself. Taken from the service in flight, the real servers need no kernel, so the namespace that does not
        # exist is never opened; read from the kernel, the command stops with InvalidNetworkNamespace.
        BeforeAll {
            $script:flying = $services[0]
            $script:flyingReals = [LvsAdmin.Ipvs.RealServer[]]$services[0].RealServers
        }

        It 'takes the real servers read with the service in flight, filters them, and opens no kernel socket' {
            $got = [Collections.Generic.List[object]]::new()
            [LvsAdmin.Commands.ServiceInFlight]::Write($flying.psobject.BaseObject, $flyingReals, $nowhere, [Action]{
                    foreach ($r in ($flying | Get-LvsRealServer -NetworkNamespace $nowhere)) { $got.Add($r) }
                    foreach ($r in ($flying | Get-LvsRealServer -NetworkNamespace $nowhere -Port 8080)) { $got.Add($r) }
                })
            @($got | ForEach-Object Server) | Should -Be '10.0.0.2:80', '10.0.0.3:8080', '10.0.0.3:8080'
        }

        It 'reads the kernel for <Label>' -ForEach @(
            @{ Label = 'another service object'; Other = $true; Namespace = $null }
            @{ Label = 'the service in flight in another network namespace'; Other = $false; Namespace = '/run/netns/lvsadmin-host-tests-other' }
            @{ Label = 'the service once it has been written'; Other = $false; Namespace = 'after' }
        ) {
            $service = if ($Other) { $services[1].psobject.BaseObject } else { $flying.psobject.BaseObject }
            $failures = [Collections.Generic.List[object]]::new()
            if ($Namespace -eq 'after') {
                [LvsAdmin.Commands.ServiceInFlight]::Write($flying.psobject.BaseObject, $flyingReals, $nowhere, [Action]{ })
                try { $flying | Get-LvsRealServer -NetworkNamespace $nowhere } catch { $failures.Add($_) }
            }
            else {
                $written = if ($Namespace) { $Namespace } else { $nowhere }
                [LvsAdmin.Commands.ServiceInFlight]::Write($flying.psobject.BaseObject, $flyingReals, $written, [Action]{
                        try { $service | Get-LvsRealServer -NetworkNamespace $nowhere } catch { $failures.Add($_) }
                    })
            }
            @($failures).Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -Be 'InvalidNetworkNamespace,LvsAdmin.Commands.GetLvsRealServerCommand'
        }
    }

    It 'a <Kind> real server binds Service, Address and Port to Remove-LvsRealServer (binder trace)' -ForEach @(
        @{ Kind = 'live' }, @{ Kind = 'deserialized' }, @{ Kind = 'nested deserialized (a service''s RealServers)' }
    ) {
        $piped = switch -Wildcard ($Kind) { 'live' { $web2 } 'deserialized' { $remoteReals[1] } 'nested*' { $remoteServices[0].RealServers | Where-Object Port -EQ 8080 } }
        $r = Get-ParameterBinding { $piped | Remove-LvsRealServer -NetworkNamespace $nowhere -Confirm:$false }
        $b = Bound $r 'Remove-LvsRealServer'
        $b.Service | Should -Be 'tcp/10.0.0.10:80'
        $b.Address | Should -Be '10.0.0.3'
        $b.Port | Should -Be '8080'
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'InvalidNetworkNamespace,*'
    }

    It 'a <Kind> real server binds its settings to Set-LvsRealServer, and the command line wins (binder trace)' -ForEach @(
        @{ Kind = 'live' }, @{ Kind = 'deserialized' }
    ) {
        $piped = if ($Kind -eq 'live') { $web } else { $remoteReals[0] }
        $r = Get-ParameterBinding { $piped | Set-LvsRealServer -Weight 0 -NetworkNamespace $nowhere }
        $b = Bound $r 'Set-LvsRealServer'
        $b.Service | Should -Be 'tcp/10.0.0.10:80'
        $b.Address | Should -Be '10.0.0.2'
        $b.Port | Should -Be '80'
        $b.ForwardingMethod | Should -Be 'Nat'
        $b.UpperThreshold | Should -Be '1000'
        $b.LowerThreshold | Should -Be '800'
        $b.Weight | Should -Be '0'   # from the command line, not the object's 1
        @($r.Binds | Where-Object Parameter -EQ Weight) | Should -HaveCount 1
    }

    It 'deserialized services copy into New-LvsVirtualService -WhatIf with their settings (-WhatIf target and binder trace)' {
        Get-WhatIfTarget { $remoteServices | New-LvsVirtualService -WhatIf } | Should -Be 'tcp/10.0.0.10:80', 'tcp/192.168.0.1:80', 'udp/[2001:db8::10]:53', 'fwm/100'
        $r = Get-ParameterBinding { $remoteServices[0] | New-LvsVirtualService -WhatIf }
        $r.Error | Should -BeNullOrEmpty
        $b = Bound $r 'New-LvsVirtualService'
        $b.Service | Should -Be 'tcp/10.0.0.10:80'
        $b.Scheduler | Should -Be 'wlc'
        $b.Persistent | Should -Be 'True'
        $b.PersistenceTimeout | Should -Be '600'
        $b.PersistenceNetmask | Should -Be '255.255.255.0'
    }

    It 'deserialized real servers (from a service''s RealServers) copy into Add-LvsRealServer -WhatIf' {
        Get-WhatIfTarget { $remoteServices.RealServers | Add-LvsRealServer -WhatIf } |
            Should -Be 'tcp/10.0.0.10:80 -> 10.0.0.2:80', 'tcp/10.0.0.10:80 -> 10.0.0.3:8080', 'udp/[2001:db8::10]:53 -> [2001:db8::20]:53', 'fwm/100 -> 10.0.0.4:0'
        $r = Get-ParameterBinding { $remoteServices[2].RealServers | Add-LvsRealServer -WhatIf }
        $r.Error | Should -BeNullOrEmpty
        $b = Bound $r 'Add-LvsRealServer'
        $b.ForwardingMethod | Should -Be 'Tunnel'
        $b.TunnelType | Should -Be 'Gue'
        $b.TunnelPort | Should -Be '6080'
        $b.TunnelChecksum | Should -Be 'RemoteChecksum'
        $b.Weight | Should -Be '3'
    }

    It 'CSV rows (Import-Csv: every value text) bind to Add-LvsRealServer -WhatIf by column name' {
        $rows = @"
Service,Address,ForwardingMethod,Weight
tcp/10.0.0.1:80,10.0.0.2,masq,2
tcp/10.0.0.1:80,10.0.0.3,route,5
"@ | ConvertFrom-Csv
        Get-WhatIfTarget { $rows | Add-LvsRealServer -WhatIf } | Should -Be 'tcp/10.0.0.1:80 -> 10.0.0.2:80', 'tcp/10.0.0.1:80 -> 10.0.0.3:80'
        $b = Bound (Get-ParameterBinding { $rows[0] | Add-LvsRealServer -WhatIf }) 'Add-LvsRealServer'
        $b.Weight | Should -Be '2'
        $b.ForwardingMethod | Should -Be 'masq'
    }

    It 'a <Kind> IpvsTimeouts binds Tcp/TcpFin/Udp through its TcpTimeout/TcpFinTimeout/UdpTimeout aliases to Set-LvsTimeout (binder trace)' -ForEach @(
        @{ Kind = 'live' }, @{ Kind = 'deserialized' }
    ) {
        $t = [LvsAdmin.Ipvs.IpvsTimeouts]::new(900, 120, 300)
        $piped = if ($Kind -eq 'live') { $t } else { ConvertTo-Deserialized $t }
        $b = Bound (Get-ParameterBinding { $piped | Set-LvsTimeout -NetworkNamespace $nowhere }) 'Set-LvsTimeout'
        $b.TcpTimeout | Should -Be '900'
        $b.TcpFinTimeout | Should -Be '120'
        $b.UdpTimeout | Should -Be '300'
    }

    It 'a <Kind> sync daemon binds its settings to Start-LvsSyncDaemon and its State to Stop-LvsSyncDaemon (binder trace)' -ForEach @(
        @{ Kind = 'live' }, @{ Kind = 'deserialized' }
    ) {
        $piped = if ($Kind -eq 'live') { $backup } else { ConvertTo-Deserialized $backup }
        $b = Bound (Get-ParameterBinding { $piped | Start-LvsSyncDaemon -NetworkNamespace $nowhere }) 'Start-LvsSyncDaemon'
        $b.State | Should -Be 'Backup'
        $b.Interface | Should -Be 'eth2'
        $b.SyncId | Should -Be '10'
        $b.MaxLength | Should -Be '1472'
        $b.MulticastGroup | Should -Be '239.1.1.1'
        $b.MulticastPort | Should -Be '8848'
        $b.MulticastTtl | Should -Be '2'
        (Bound (Get-ParameterBinding { $piped | Stop-LvsSyncDaemon -NetworkNamespace $nowhere -Confirm:$false }) 'Stop-LvsSyncDaemon').State | Should -Be 'Backup'
    }

    It 'identity parameters other than -Service never bind from a piped service (they would misbind)' {
        $b = Bound (Get-ParameterBinding { $services[0] | Remove-LvsVirtualService -NetworkNamespace $nowhere -Confirm:$false }) 'Remove-LvsVirtualService'
        $b.Keys | Should -Not -Contain 'Address'
        $b.Keys | Should -Not -Contain 'Port'
        $b.Keys | Should -Not -Contain 'Protocol'
        $b.Keys | Should -Not -Contain 'FirewallMark'
    }
}
