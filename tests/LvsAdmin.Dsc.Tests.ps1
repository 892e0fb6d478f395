# Pester 5 suite for the DSC v3 resource LvsAdmin/Configuration, for real against the kernel (inside the kernel lab,
# tests/Invoke-LabPester.ps1). The dsc CLI is not on any package registry here, so each test runs a command of
# LvsAdmin.dsc.resource.json exactly as DSC would (tests/DscResource.psm1): the declared executable through PATH, the
# declared args, the instance on standard input; it checks the JSON lines on standard output (the state; for set and
# test, with return stateAndDiff, then the property names) and the exit code against the manifest's exitCodes.
# tests/host/Dsc.Tests.ps1 validates the manifest against DSC's schema and runs the refusals of bad documents.
BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'DscResource.psm1') -Force
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('lvsdsc-' + [guid]::NewGuid().ToString('N'))
    $script:Dsc = New-DscHost -ModuleFolder (Split-Path -Parent $env:LVSADMIN_MODULE) -WorkFolder $Work
    $script:DeclaredExitCodes = @($Dsc.Manifest.exitCodes.Keys | ForEach-Object { [int]$_ })

    # The instance schema the manifest embeds, with DSC's canonical properties (references to schemas DSC bundles)
    # written out as their definitions, so that Test-Json can check an instance against it here.
    $embedded = $Dsc.Manifest.schema.embedded | ConvertTo-Json -Depth 32 | ConvertFrom-Json -AsHashtable
    $embedded.properties._purge = @{ type = @('boolean', 'null') }
    $embedded.properties._inDesiredState = @{ type = @('boolean', 'null') }
    $script:InstanceSchema = $embedded | ConvertTo-Json -Depth 32

    function Assert-Instance($Instance) {
        $Instance | Should -BeOfType [hashtable]
        Test-Json -Json ($Instance | ConvertTo-Json -Depth 32) -Schema $InstanceSchema -ErrorAction SilentlyContinue |
            Should -BeTrue -Because "the instance must match the manifest's embedded schema: $($Instance | ConvertTo-Json -Depth 32 -Compress)"
        $Instance.schemaVersion | Should -Be 1
    }
    function Assert-Exit($Result, [int] $Code) {
        $Result.ExitCode | Should -Be $Code -Because ("standard error: " + ($Result.Errors -join "`n"))
        $DeclaredExitCodes | Should -Contain $Result.ExitCode
    }
    # A successful operation: exit 0, Lines JSON lines, the first an instance naming exactly Services.
    function Assert-State($Result, [int] $Lines, [string[]] $Services) {
        Assert-Exit $Result 0
        $Result.Output.Count | Should -Be $Lines
        Assert-Instance $Result.Output[0]
        @($Result.Output[0].services.service | Sort-Object) | Should -Be @($Services | Sort-Object)
    }

    $script:Desired = @{
        schemaVersion = 1
        services      = @(@{
                service = 'tcp/192.0.2.90:80'; scheduler = 'rr'
                realServers = @(@{ address = '10.0.0.9:8080'; forwardingMethod = 'nat'; weight = 4 })
            })
    }
    $script:DesiredJson = $Desired | ConvertTo-Json -Depth 32 -Compress
}

AfterAll {
    Clear-LvsVirtualService -Confirm:$false
    Remove-Item -Recurse -Force $Work -ErrorAction Ignore
}

Describe 'DSC v3 resource LvsAdmin/Configuration, run as DSC runs it' {
    BeforeEach { Clear-LvsVirtualService -Confirm:$false }

    It '<Operation> writes the live document as one instance, exits 0 and changes nothing' -ForEach @(
        @{ Operation = 'get'; Json = $null }
        @{ Operation = 'export'; Json = '' }
    ) {
        New-LvsVirtualService -Service udp/192.0.2.91:53 -Scheduler wlc
        New-LvsVirtualService -Service tcp/192.0.2.92:443 -Scheduler sh
        $before = Export-LvsConfiguration
        $r = Invoke-DscOperation $Dsc $Operation ($Json ?? $DesiredJson)
        Assert-State $r 1 @('udp/192.0.2.91:53', 'tcp/192.0.2.92:443')
        ($r.Output[0].services | Where-Object service -EQ 'tcp/192.0.2.92:443').scheduler | Should -Be 'sh'
        Export-LvsConfiguration | Should -BeExactly $before
    }

    It 'test of a drifted table: the live state with _inDesiredState false, then the differing properties; nothing changes' {
        New-LvsVirtualService -Service tcp/192.0.2.90:80 -Scheduler wlc
        $before = Export-LvsConfiguration
        $r = Invoke-DscOperation $Dsc test $DesiredJson
        Assert-State $r 2 @('tcp/192.0.2.90:80')
        $r.Output[0]._inDesiredState | Should -BeFalse
        , $r.Output[1] | Should -BeOfType [System.Collections.IList]
        @($r.Output[1]) | Should -Be @('services')
        Export-LvsConfiguration | Should -BeExactly $before
    }

    It 'set applies the document and returns the state after and the changed properties; _purge prunes; then nothing to do' {
        New-LvsVirtualService -Service tcp/192.0.2.93:80 -Scheduler rr
        $r = Invoke-DscOperation $Dsc set $DesiredJson
        Assert-State $r 2 @('tcp/192.0.2.90:80', 'tcp/192.0.2.93:80')
        @($r.Output[1]) | Should -Be @('services')
        $rs = Get-LvsRealServer -Service tcp/192.0.2.90:80
        '{0}:{1} {2} {3}' -f $rs.Address, $rs.Port, $rs.ForwardingMethod, $rs.Weight | Should -Be '10.0.0.9:8080 Nat 4'
        (Get-LvsVirtualService -Service tcp/192.0.2.90:80).Scheduler | Should -Be 'rr'

        $purge = $Desired.Clone(); $purge._purge = $true
        $purgeJson = $purge | ConvertTo-Json -Depth 32 -Compress
        $r = Invoke-DscOperation $Dsc set $purgeJson
        Assert-State $r 2 @('tcp/192.0.2.90:80')
        @($r.Output[1]) | Should -Be @('services')
        (Get-LvsVirtualService).Service | Should -Be @('tcp/192.0.2.90:80')

        $again = Invoke-DscOperation $Dsc set $purgeJson
        Assert-State $again 2 @('tcp/192.0.2.90:80')
        @($again.Output[1]).Count | Should -Be 0

        $t = Invoke-DscOperation $Dsc test $purgeJson
        Assert-State $t 2 @('tcp/192.0.2.90:80')
        $t.Output[0]._inDesiredState | Should -BeTrue
        @($t.Output[1]).Count | Should -Be 0
    }

    It 'an invalid document exits 2 with an error trace, and nothing is applied' {
        New-LvsVirtualService -Service tcp/192.0.2.95:80 -Scheduler rr
        $before = Export-LvsConfiguration
        $bad = '{"schemaVersion":1,"services":[{"service":"tcp/192.0.2.90:80","scheduler":"rr"},{"service":"tcp/192.0.2.94:99999","scheduler":"rr"}]}'
        $r = Invoke-DscOperation $Dsc set $bad
        Assert-Exit $r 2
        $r.Output.Count | Should -Be 0
        @($r.Traces | Where-Object { $_.ContainsKey('error') }).Count | Should -BeGreaterThan 0
        Export-LvsConfiguration | Should -BeExactly $before
    }

    It 'a set the kernel refuses half way exits 3 and the table is as before' {
        New-LvsVirtualService -Service tcp/192.0.2.90:80 -Scheduler rr
        $before = Export-LvsConfiguration
        # The first service changes, the second is new, the third asks for nosched (a valid name no kernel has a
        # module for): the kernel refuses it.
        $doc = @{ schemaVersion = 1; services = @(
                @{ service = 'tcp/192.0.2.90:80'; scheduler = 'wlc' }
                @{ service = 'tcp/192.0.2.96:80'; scheduler = 'rr' }
                @{ service = 'tcp/192.0.2.97:80'; scheduler = 'nosched' }) } | ConvertTo-Json -Depth 32 -Compress
        $r = Invoke-DscOperation $Dsc set $doc
        Assert-Exit $r 3
        ($r.Traces | Where-Object { $_.ContainsKey('error') }).error | Should -Match 'rolled back'
        Export-LvsConfiguration | Should -BeExactly $before
    }

    It 'a set without CAP_NET_ADMIN exits 5 and changes nothing' {
        $setpriv = Get-Command setpriv -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if (-not $setpriv) { Set-ItResult -Skipped -Because 'setpriv (util-linux) is not in the lab'; return }
        New-LvsVirtualService -Service tcp/192.0.2.98:80 -Scheduler rr
        $before = Export-LvsConfiguration
        # The command line as a DSC started by root without CAP_NET_ADMIN (dropped from the bounding set) runs it.
        $r = Invoke-DscOperation $Dsc set $DesiredJson -Prefix @($setpriv.Source, '--bounding-set=-net_admin', '--')
        Assert-Exit $r 5
        Export-LvsConfiguration | Should -BeExactly $before
    }
}
