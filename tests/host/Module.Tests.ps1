# Host suite: the module manifest and what the module exports (tests/Invoke-HostPester.ps1; no kernel needed).
BeforeAll {
    $script:module = Import-Module $env:LVSADMIN_MODULE -Force -PassThru
    $script:laidOut = $env:LVSADMIN_MODULE
    $script:repoManifest = Join-Path $PSScriptRoot '../../LvsAdmin.psd1'
    $script:data = Import-PowerShellDataFile $repoManifest
}

Describe 'The module manifest' {
    It 'Test-ModuleManifest accepts the laid-out module and reads its version, root module and exports' {
        $m = Test-ModuleManifest -Path $laidOut -ErrorAction Stop
        $m.Name | Should -Be 'LvsAdmin'
        $m.Version | Should -Be ([version]$data.ModuleVersion)
        $m.RootModule | Should -Be 'LvsAdmin.dll'
        $m.ExportedCmdlets.Keys | Sort-Object | Should -Be ($data.CmdletsToExport | Sort-Object)
    }

    It 'the laid-out manifest is the repository''s LvsAdmin.psd1, byte for byte' {
        (Get-FileHash $laidOut).Hash | Should -Be (Get-FileHash $repoManifest).Hash
    }

    It 'Test-ModuleManifest on the repository''s LvsAdmin.psd1 fails only for want of files that the build lays out next to it' {
        $outDir = Split-Path $laidOut
        $message = try { Test-ModuleManifest -Path $repoManifest -ErrorAction Stop | Out-Null; '' } catch { $_.Exception.Message }
        if ($message) {
            $message | Should -Match "Cannot find path '[^']+'"
            Join-Path $outDir (Split-Path -Leaf ([regex]::Match($message, "Cannot find path '([^']+)'").Groups[1].Value)) | Should -Exist
        }
        foreach ($file in @($data.RootModule) + $data.RequiredAssemblies + $data.TypesToProcess + $data.FormatsToProcess) {
            Join-Path $outDir $file | Should -Exist
        }
    }

    It 'is for PowerShell 7.4+ (Core) and names no functions, variables or aliases to export' {
        $data.PowerShellVersion | Should -Be '7.4'
        $data.CompatiblePSEditions | Should -Be @('Core')
        $data.FunctionsToExport | Should -BeNullOrEmpty
        $data.VariablesToExport | Should -BeNullOrEmpty
        $data.AliasesToExport | Should -BeNullOrEmpty
    }
}

Describe 'The exported commands' {
    It 'Get-Command -Module LvsAdmin is exactly the manifest''s CmdletsToExport (no alias, function or stray command)' {
        $commands = Get-Command -Module LvsAdmin
        $commands.CommandType | Sort-Object -Unique | Should -Be 'Cmdlet'
        $commands.Name | Sort-Object | Should -Be ($data.CmdletsToExport | Sort-Object)
        @(Get-Command -Module LvsAdmin -CommandType Alias) | Should -HaveCount 0
        $module.ExportedAliases.Count | Should -Be 0
        $module.ExportedFunctions.Count | Should -Be 0
    }

    It 'every cmdlet class of LvsAdmin.dll is exported (none forgotten in the manifest)' {
        $classes = $module.ImplementingAssembly.GetExportedTypes() |
            Where-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($a.VerbName)-$($a.NounName)" }
        $classes | Sort-Object | Should -Be ($data.CmdletsToExport | Sort-Object)
    }

    It 'every exported cmdlet uses an approved verb and the Lvs noun prefix' {
        $approved = (Get-Verb).Verb
        foreach ($c in Get-Command -Module LvsAdmin) {
            $c.Verb | Should -BeIn $approved -Because $c.Name
            $c.Noun | Should -BeLike 'Lvs*' -Because $c.Name
        }
    }
}
