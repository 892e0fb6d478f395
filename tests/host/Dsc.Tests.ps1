# Pester 5, host only (no kernel needed): the DSC v3 resource manifest LvsAdmin.dsc.resource.json against DSC v3's
# published resource-manifest schema (../shared/schemas/dsc/resource-manifest.v3.bundled.json, JSON Schema 2020-12,
# validated with Test-Json, i.e. JsonSchema.Net), and its command lines run as DSC runs them where they must fail
# before reaching the kernel (bad documents, no ip_vs). The dsc CLI is not on any package registry here;
# tests/LvsAdmin.Dsc.Tests.ps1 runs the command lines against the kernel in the lab, and the xunit DscManifestTests
# check the manifest against dsc/LvsAdminDsc.ps1 and LvsAdmin.psd1.
BeforeAll {
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:SchemaFile = Join-Path $Root '../shared/schemas/dsc/resource-manifest.v3.bundled.json'
    $script:ManifestPath = Join-Path $Root 'LvsAdmin.dsc.resource.json'
    $script:ManifestText = Get-Content -Raw $ManifestPath
    $script:Manifest = $ManifestText | ConvertFrom-Json -AsHashtable

    # The schema errors of a manifest text, one line each ("instance path: keyword: message"); empty when valid.
    # Test-Json only says True/False, so the same validator it uses (JsonSchema.Net) is asked for the details.
    function Get-ManifestSchemaError([string] $Json) {
        if (Test-Json -Json $Json -SchemaFile $SchemaFile -ErrorAction SilentlyContinue) { return }
        $schema = [Json.Schema.JsonSchema]::FromFile($SchemaFile)
        $options = [Json.Schema.EvaluationOptions]::new()
        $options.OutputFormat = [Json.Schema.OutputFormat]::List
        $result = $schema.Evaluate([System.Text.Json.Nodes.JsonNode]::Parse($Json), $options)
        $lines = foreach ($d in $result.Details) {
            if (-not $d.HasErrors) { continue }
            foreach ($e in $d.Errors.GetEnumerator()) { "$($d.InstanceLocation) ($($d.EvaluationPath)): $($e.Key): $($e.Value)" }
        }
        if (-not $lines) { $lines = 'Test-Json: invalid' }
        $lines
    }
}

Describe 'LvsAdmin.dsc.resource.json against the DSC v3 resource manifest schema' {
    BeforeEach {
        if (-not (Test-Path $SchemaFile)) {
            Set-ItResult -Skipped -Because "the DSC v3 schema is not at $SchemaFile (see ../shared/schemas/dsc/README.md)"
        }
    }

    It 'validates against resource-manifest.v3.bundled.json' {
        $errors = @(Get-ManifestSchemaError $ManifestText)
        $errors -join [Environment]::NewLine | Should -BeNullOrEmpty
    }

    It 'the validator rejects <Case> (so the test above can fail)' -ForEach @(
        @{ Case = 'an export without input'; Mutate = { param($m) $m.export.Remove('input') } }
        @{ Case = 'an embedded _inDesiredState that is not the canonical property'; Mutate = { param($m) $m.schema.embedded.properties._inDesiredState = @{ type = 'boolean' } } }
        @{ Case = 'a non-numeric exit code'; Mutate = { param($m) $m.exitCodes['two'] = 'Invalid input' } }
        @{ Case = 'an unknown return kind'; Mutate = { param($m) $m.test['return'] = 'diff' } }
        @{ Case = 'a type without an owner'; Mutate = { param($m) $m.type = 'Configuration' } }
    ) {
        $m = $ManifestText | ConvertFrom-Json -AsHashtable
        & $Mutate $m
        @(Get-ManifestSchemaError ($m | ConvertTo-Json -Depth 32)).Count | Should -BeGreaterThan 0
    }

}

Describe 'The resource commands, run as DSC runs them, where nothing reaches the kernel' {
    BeforeAll {
        # The laid-out module: LVSADMIN_MODULE, or out/LvsAdmin of dotnet publish / build.ps1.
        $module = if ($env:LVSADMIN_MODULE) { $env:LVSADMIN_MODULE } else { Join-Path $Root 'out/LvsAdmin/LvsAdmin.psd1' }
        $script:HasModule = Test-Path $module
        if ($HasModule) {
            Import-Module (Join-Path $Root 'tests/DscResource.psm1') -Force
            $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('lvsdsc-host-' + [guid]::NewGuid().ToString('N'))
            $script:Dsc = New-DscHost -ModuleFolder (Split-Path -Parent (Resolve-Path $module).Path) -WorkFolder $Work
        }
        $script:ModuleMissing = "the module is not laid out at $module (dotnet publish src/LvsAdmin -c Release -o out/LvsAdmin)"
    }
    AfterAll { if ($HasModule) { Remove-Item -Recurse -Force $Work -ErrorAction Ignore } }
    BeforeEach { if (-not $HasModule) { Set-ItResult -Skipped -Because $ModuleMissing } }

    It '<Operation> of a desired state that is <Case> exits 2 with an error trace and no state' -ForEach @(
        @{ Operation = 'set'; Case = 'not JSON'; Json = '{"schemaVersion": 1, "services": [' }
        @{ Operation = 'set'; Case = 'missing (empty standard input)'; Json = '' }
        @{ Operation = 'set'; Case = 'of another schema version'; Json = '{"schemaVersion":2,"services":[]}' }
        @{ Operation = 'test'; Case = 'an invalid service'; Json = '{"schemaVersion":1,"services":[{"service":"tcp/192.0.2.94:99999","scheduler":"rr"}]}' }
    ) {
        if (-not $HasModule) { return }
        $r = Invoke-DscOperation $Dsc $Operation $Json
        $r.ExitCode | Should -Be 2 -Because ("standard error: " + ($r.Errors -join "`n"))
        $Manifest.exitCodes.Keys | Should -Contain '2'
        $r.Lines.Count | Should -Be 0
        @($r.Traces | Where-Object { $_.ContainsKey('error') }).Count | Should -Be 1 -Because ($r.Errors -join "`n")
    }

    It 'get where the ip_vs module is not loaded exits 5 with an error trace' {
        if (-not $HasModule) { return }
        if (Test-Path /sys/module/ip_vs) { Set-ItResult -Skipped -Because 'this host has the ip_vs module loaded (the lab suite covers a working get)'; return }
        $r = Invoke-DscOperation $Dsc get '{"schemaVersion":1}'
        $r.ExitCode | Should -Be 5 -Because ("standard error: " + ($r.Errors -join "`n"))
        $Manifest.exitCodes.Keys | Should -Contain '5'
        ($r.Traces | Where-Object { $_.ContainsKey('error') }).error | Should -Match 'ip_vs'
    }
}
