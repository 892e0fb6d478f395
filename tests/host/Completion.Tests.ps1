# Host suite: argument completion as a user gets it, through TabExpansion2 (what PSReadLine calls on Tab).
BeforeDiscovery {
    Import-Module $env:LVSADMIN_MODULE -Force
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    # Every parameter with an ArgumentCompleter, and every enum parameter (PowerShell completes those itself).
    $script:withCompleter = @(); $script:enums = @()
    foreach ($c in Get-Command -Module LvsAdmin) {
        foreach ($p in $c.Parameters.Values | Where-Object Name -NotIn $common) {
            $type = if ($p.ParameterType.IsArray) { $p.ParameterType.GetElementType() } else { $p.ParameterType }
            $completer = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }
            if ($completer) { $script:withCompleter += @{ Command = $c.Name; Parameter = $p.Name; Completer = $completer.Type.Name } }
            elseif ($type.IsEnum) { $script:enums += @{ Command = $c.Name; Parameter = $p.Name; Type = $type } }
        }
    }
}

BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    # The completion texts for the input line, cursor at its end.
    function Complete([string] $line) {
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)
    }
    $script:schedulers = 'rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'
}

Describe 'Every completer answers through TabExpansion2' {
    It '<Command> -<Parameter> (<Completer>) completes without error' -ForEach $withCompleter {
        $line = "$Command -$Parameter "
        $errorsBefore = $Error.Count
        $results = Complete $line
        $Error.Count | Should -Be $errorsBefore
        $results.Count | Should -BeGreaterThan 0 -Because 'every completer has something to offer here (InterfaceName: the host has lo)'
        $results.ResultType | Sort-Object -Unique | Should -Be 'ParameterValue'
    }

    It '<Command> -<Parameter> completes the names of <Type>' -ForEach $enums {
        (Complete "$Command -$Parameter ").CompletionText | Sort-Object | Should -Be ([enum]::GetNames($Type) | Sort-Object)
    }
}

Describe 'Scheduler, flags and persistence engine' {
    It '-Scheduler offers every IPVS scheduler, with its kernel module as the tooltip' {
        foreach ($cmd in 'New-LvsVirtualService tcp/10.0.0.1:80', 'Set-LvsVirtualService tcp/10.0.0.1:80') {
            $m = Complete "$cmd -Scheduler "
            $m.CompletionText | Should -Be $schedulers
            $m.ToolTip | Should -Be ($schedulers | ForEach-Object { "ip_vs_$_" })
        }
    }

    It '-Scheduler completes a prefix, quoted or not' {
        (Complete 'New-LvsVirtualService tcp/10.0.0.1:80 -Scheduler w').CompletionText | Should -Be 'wrr', 'wlc'
        (Complete "New-LvsVirtualService tcp/10.0.0.1:80 -Scheduler 'lb").CompletionText | Should -Be 'lblc', 'lblcr'
        Complete 'New-LvsVirtualService tcp/10.0.0.1:80 -Scheduler zz' | Should -BeNullOrEmpty
    }

    It '-SchedulerFlags offers the flags that suit the -Scheduler already typed (ipvsadm -b)' {
        (Complete 'New-LvsVirtualService tcp/10.0.0.1:80 -Scheduler sh -SchedulerFlags ').CompletionText |
            Should -Be 'flag-1', 'flag-2', 'flag-3', 'sh-fallback', 'sh-port'
        (Complete 'Set-LvsVirtualService tcp/10.0.0.1:80 -Scheduler mh -SchedulerFlags ').CompletionText |
            Should -Be 'flag-1', 'flag-2', 'flag-3', 'mh-fallback', 'mh-port'
        (Complete 'New-LvsVirtualService tcp/10.0.0.1:80 -Scheduler rr -SchedulerFlags ').CompletionText |
            Should -Be 'flag-1', 'flag-2', 'flag-3'
        # no scheduler yet: every name
        (Complete 'New-LvsVirtualService tcp/10.0.0.1:80 -SchedulerFlags s').CompletionText | Should -Be 'sh-fallback', 'sh-port'
    }

    It '-PersistenceEngine offers sip' {
        $m = Complete 'New-LvsVirtualService tcp/10.0.0.1:5060 -Persistent -PersistenceEngine '
        $m.CompletionText | Should -Be 'sip'
        $m.ToolTip | Should -Be 'ip_vs_pe_sip'
    }
}

Describe 'Forwarding method' {
    It '-ForwardingMethod offers the settable methods and ipvsadm''s words, never Local or Bypass' {
        foreach ($cmd in 'Add-LvsRealServer tcp/10.0.0.1:80 10.0.0.2', 'Set-LvsRealServer tcp/10.0.0.1:80 10.0.0.2') {
            $m = Complete "$cmd -ForwardingMethod "
            $m.CompletionText | Should -Be 'DirectRouting', 'Route', 'Gateway', 'Gatewaying', 'Dr', 'Nat', 'Masquerade', 'Masquerading', 'Masq', 'Tunnel', 'Tun', 'Ipip'
            $m.CompletionText | Should -Not -Contain 'Local'
            $m.CompletionText | Should -Not -Contain 'Bypass'
        }
    }

    It '-ForwardingMethod completes ipvsadm''s words by prefix, with the method as the tooltip' {
        $m = Complete 'Add-LvsRealServer tcp/10.0.0.1:80 10.0.0.2 -ForwardingMethod Mas'
        $m.CompletionText | Should -Be 'Masquerade', 'Masquerading', 'Masq'
        $m.ToolTip | Sort-Object -Unique | Should -Be 'Nat'
        (Complete 'Add-LvsRealServer tcp/10.0.0.1:80 10.0.0.2 -ForwardingMethod g').ToolTip | Sort-Object -Unique | Should -Be 'DirectRouting'
    }
}

Describe 'Interface names (read over rtnetlink, which the host has; IPVS is not needed)' {
    BeforeAll {
        # the completer sorts ordinally (Sort-Object would sort by culture)
        $script:links = [string[]]@(Get-ChildItem /sys/class/net | ForEach-Object Name)
        [Array]::Sort($links, [StringComparer]::Ordinal)
    }

    It '-InterfaceName offers the host''s interfaces, sorted, with their state as the tooltip' {
        $m = Complete 'Add-LvsVirtualAddress -Address 192.0.2.10/32 -InterfaceName '
        $m.CompletionText | Should -Be $links
        ($m | Where-Object CompletionText -EQ 'lo').ToolTip | Should -Be 'lo (up)'
        (Complete 'Test-LvsRealServer -VirtualAddress 192.0.2.10 -InterfaceName l').CompletionText | Should -Contain 'lo'
    }

    It '-InterfaceName offers nothing, and no error, for a network namespace that does not exist' {
        $errorsBefore = $Error.Count
        Complete 'Add-LvsVirtualAddress -Address 192.0.2.10/32 -NetworkNamespace /run/netns/lvs-no-such-ns -InterfaceName ' | Should -BeNullOrEmpty
        Complete 'Add-LvsVirtualAddress -Address 192.0.2.10/32 -NetworkNamespace lvs-no-such-ns -InterfaceName l' | Should -BeNullOrEmpty
        $Error.Count | Should -Be $errorsBefore
    }
}

Describe 'No completer reads the IPVS table' {
    # Services and real servers are typed as text (tcp/10.0.0.1:80); nothing completes them from the kernel, so there
    # is nothing here that would need IPVS. The lab suites cover the cmdlets against the live table.
    It 'no parameter named Service or Address has a completer' {
        foreach ($c in Get-Command -Module LvsAdmin) {
            foreach ($name in 'Service', 'Address') {
                if ($c.Parameters.ContainsKey($name)) {
                    $c.Parameters[$name].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } |
                        Should -BeNullOrEmpty -Because "$($c.Name) -$name"
                }
            }
        }
    }
}
