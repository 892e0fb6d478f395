# Host suite: every view of LvsAdmin.format.ps1xml rendered by PowerShell's own formatter (Out-String), pinned as
# golden text in tests/host/golden/TYPE.VIEW.txt, for live objects and for the same objects after a PSSerializer round
# trip (what remoting, jobs and Import-Clixml hand back). The objects are the core's model types (FormatCases.ps1).
BeforeDiscovery {
    Import-Module $env:LVSADMIN_MODULE -Force
    . (Join-Path $PSScriptRoot 'HostTestSupport.ps1')
    . (Join-Path $PSScriptRoot 'FormatCases.ps1')
    $script:cases = @($FormatCases | ForEach-Object { @{ Type = $_.Type; View = $_.View } })
    $script:views = @(([xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../src/LvsAdmin/LvsAdmin.format.ps1xml'))).Configuration.ViewDefinitions.View |
        ForEach-Object { @{ Type = ($_.ViewSelectedBy.TypeName | Select-Object -First 1).Split('.')[-1]; View = $_.Name } })
}

BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    . (Join-Path $PSScriptRoot 'HostTestSupport.ps1')
    . (Join-Path $PSScriptRoot 'FormatCases.ps1')
    function Get-Case([string] $Type, [string] $View) { $FormatCases | Where-Object { $_.Type -eq $Type -and $_.View -eq $View } }
    function Get-Golden([string] $Type, [string] $View) {
        ((Get-Content -Raw (Join-Path $PSScriptRoot "golden/$Type.$View.txt")) -replace "`r", '' -replace "`n$", '') -split "`n"
    }
}

Describe 'Every view has a golden case' {
    It '<Type> view <View> is covered' -ForEach $views {
        $FormatCases | Where-Object { $_.Type -eq $Type -and $_.View -eq $View } | Should -Not -BeNullOrEmpty
    }
}

Describe '<Type> view <View>' -ForEach $cases {
    It 'renders the golden text' {
        @(Format-Case (Get-Case $Type $View)) | Should -Be (Get-Golden $Type $View)
    }

    It 'renders deserialized objects (PSSerializer round trip) to the same text' {
        $case = Get-Case $Type $View
        $remote = ConvertTo-Deserialized $case.Objects
        $remote[0].PSObject.TypeNames[0] | Should -BeLike 'Deserialized.LvsAdmin.*'
        @(Format-Case $case $remote) | Should -Be (Get-Golden $Type $View)
    }
}

Describe 'The default service view is ipvsadm -Ln' {
    It 'prints ipvsadm''s titles once, then each service with its real servers in numeric order (ipvsadm''s columns)' {
        $lines = @(Format-Case (Get-Case VirtualService VirtualServiceList) | Where-Object { $_ -ne '' })
        $lines[0] | Should -BeExactly 'Prot LocalAddress:Port Scheduler Flags'
        $lines[1] | Should -BeExactly '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'
        $lines[2] | Should -BeExactly 'TCP  10.0.0.10:80 wlc persistent 600 mask 255.255.255.0'
        # ipvsadm's print_service_entry: "  -> " %-28s %-7s %-6d %-10u %-10u
        $lines[3] | Should -BeExactly ('  -> {0,-28} {1,-7} {2,-6} {3,-10} {4,-10}' -f '10.0.0.2:80', 'Masq', 1, 5, 12)
        $lines[4] | Should -BeExactly ('  -> {0,-28} {1,-7} {2,-6} {3,-10} {4,-10}' -f '10.0.0.3:8080', 'Masq', 2, 0, 0)
        @($lines | Where-Object { $_ -like 'Prot *' }) | Should -HaveCount 1
    }

    It 'is the same text as the core''s ipvsadm -Ln listing of the same table (IpvsadmListFormat.List, less the version line)' {
        # (marks below 2^31: ipvsadm prints larger ones as negative numbers, the view as their true value)
        $table = foreach ($s in $services) {
            [System.ValueTuple[LvsAdmin.Ipvs.VirtualService, System.Collections.Generic.IReadOnlyList[LvsAdmin.Ipvs.RealServer]]]::new(
                $s.PSObject.BaseObject, [LvsAdmin.Ipvs.RealServer[]]$s.RealServers)
        }
        $ipvsadm = [LvsAdmin.Formats.IpvsadmListFormat]::List([System.ValueTuple[LvsAdmin.Ipvs.VirtualService, System.Collections.Generic.IReadOnlyList[LvsAdmin.Ipvs.RealServer]][]]$table, $info)
        $expected = @($ipvsadm.TrimEnd("`n") -split "`n" | Select-Object -Skip 1 | ForEach-Object TrimEnd)
        $actual = @(Format-Case (Get-Case VirtualService VirtualServiceList) | Where-Object { $_ -ne '' } | ForEach-Object TrimEnd)
        # ipvsadm sorts services by protocol and address, the cmdlet by ServiceKey: compare as sets of blocks
        ($actual | Sort-Object) | Should -Be ($expected | Sort-Object)
    }

    It 'shows which host deserialized services came from (PSComputerName, as Invoke-Command adds it), one header per host' {
        $fromWeb1 = ConvertTo-Deserialized $services[0]
        $fromWeb2 = ConvertTo-Deserialized $services[1]
        Add-Member -InputObject $fromWeb1 -NotePropertyName PSComputerName -NotePropertyValue web1
        Add-Member -InputObject $fromWeb2 -NotePropertyName PSComputerName -NotePropertyValue web2
        $lines = @(Get-FormattedLines { $fromWeb1, $fromWeb2 } | Where-Object { $_ -ne '' })
        $lines | Should -Be @(
            'PSComputerName: web1'
            'Prot LocalAddress:Port Scheduler Flags'
            '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'
            'TCP  10.0.0.10:80 wlc persistent 600 mask 255.255.255.0'
            '  -> 10.0.0.2:80                  Masq    1      5          12        '
            '  -> 10.0.0.3:8080                Masq    2      0          0         '
            'PSComputerName: web2'
            'Prot LocalAddress:Port Scheduler Flags'
            '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'
            'TCP  192.168.0.1:80 rr'
        )
    }
}
