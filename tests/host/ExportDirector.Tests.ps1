# Host suite: Export-LvsConfiguration -Director writes each director's keepalived.conf from a document's director pair
# (no kernel: the document comes from a file through Get-LvsConfiguration -Path).
BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    $script:dir = Join-Path ([IO.Path]::GetTempPath()) ("lvsadmin-director-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = [IO.Directory]::CreateDirectory($dir)
    $script:pairText = @'
{ "schemaVersion": 1,
  "services": [ { "service": "tcp/10.0.0.50:80", "scheduler": "rr", "realServers": [ { "address": "10.0.0.11:80" } ] } ],
  "directorPair": { "instance": "VI_LVS", "virtualRouterId": 51,
    "virtualAddresses": [ { "address": "10.0.0.50", "prefixLength": 24 } ], "syncDaemon": { "syncId": 51 },
    "directors": [ { "name": "lvs1", "state": "master", "priority": 150, "interface": "eth0" },
                   { "name": "lvs2", "state": "backup", "priority": 100, "interface": "eth0" } ] } }
'@
    Set-Content -LiteralPath (Join-Path $dir 'pair.json') -Value $pairText
    $script:pair = Get-LvsConfiguration -Path (Join-Path $dir 'pair.json')
    function Get-ExportError([scriptblock] $Code) {
        try { & $Code; $null } catch { $_ }
    }
}

AfterAll { Remove-Item -LiteralPath $dir -Recurse -Force }

Describe 'Export-LvsConfiguration -Director' {
    It 'writes NAME.conf for every director into a directory (-Director *)' {
        $out = Join-Path $dir 'all'
        $null = [IO.Directory]::CreateDirectory($out)
        $pair | Export-LvsConfiguration -Director * -Path $out
        (Get-ChildItem -Name $out) | Should -Be 'lvs1.conf', 'lvs2.conf'
        Get-Content -Raw (Join-Path $out 'lvs1.conf') | Should -Match '(?m)^    state MASTER$'
        Get-Content -Raw (Join-Path $out 'lvs2.conf') | Should -Match '(?m)^    priority 100$'
        Get-Content -Raw (Join-Path $out 'lvs2.conf') | Should -Match '(?m)^    router_id lvs2$'
    }

    It 'writes one director to a file, or its text to the pipeline' {
        $file = Join-Path $dir 'one.conf'
        Export-LvsConfiguration -Configuration $pair -Director lvs1 -Path $file
        $text = $pair | Export-LvsConfiguration -Director lvs1
        $text | Should -BeOfType [string]
        (Get-Content -Raw $file) | Should -BeExactly ($text + "`n")
        $text | Should -Match '(?m)^vrrp_instance VI_LVS \{$'
    }

    It 'refuses <Label> with <ErrorId> (<Category>) and writes nothing' -ForEach @(
        @{ Label = 'an unknown director'; Director = 'lvs3'; ErrorId = 'DirectorNotFound'; Category = 'ObjectNotFound' }
        @{ Label = 'a pattern matching no director'; Director = 'web*'; ErrorId = 'DirectorNotFound'; Category = 'ObjectNotFound' }
        @{ Label = 'two directors without a directory'; Director = '*'; ErrorId = 'DirectoryRequired'; Category = 'InvalidArgument' }
        @{ Label = '-Format Json'; Director = 'lvs1'; Format = 'Json'; ErrorId = 'DirectorNeedsKeepalivedFormat'; Category = 'InvalidArgument' }
    ) {
        $file = Join-Path $dir "refused-$ErrorId.conf"
        $extra = if ($Format) { @{ Format = $Format } } else { @{} }
        $e = Get-ExportError { $pair | Export-LvsConfiguration -Director $Director -Path $file @extra -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $e.CategoryInfo.Category | Should -Be $Category
        Test-Path -LiteralPath $file | Should -BeFalse
    }

    It 'refuses an invalid pair with DirectorPairInvalid, naming the problem, before writing any file' {
        $out = Join-Path $dir 'invalid'
        $null = [IO.Directory]::CreateDirectory($out)
        # A document built in PowerShell: the same pair with noPreempt, which keepalived ignores on a MASTER.
        $p = $pair.DirectorPair
        $badPair = [LvsAdmin.Configuration.DirectorPair]@{ Instance = $p.Instance; VirtualRouterId = $p.VirtualRouterId; NoPreempt = $true
            VirtualAddresses = $p.VirtualAddresses; SyncDaemon = $p.SyncDaemon; Directors = $p.Directors }
        $badDoc = [LvsAdmin.Configuration.LvsConfiguration]@{ Services = $pair.Services; DirectorPair = $badPair }
        $e = Get-ExportError { $badDoc | Export-LvsConfiguration -Director * -Path $out -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'DirectorPairInvalid,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match "noPreempt needs every director in state backup"
        Get-ChildItem -Name $out | Should -BeNullOrEmpty
    }

    It 'warns that the pair is left out when -Director is not given' {
        $pair | Export-LvsConfiguration -Format Keepalived -WarningVariable w -WarningAction SilentlyContinue | Should -Not -Match 'vrrp_instance'
        $w | Should -Match 'The director pair \(lvs1, lvs2\) is left out'
    }
}
