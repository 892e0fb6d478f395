# Host suite: Get-Help of every exported cmdlet, from the MAML the build compiles out of docs/*.md.
BeforeDiscovery {
    Import-Module $env:LVSADMIN_MODULE -Force
    $script:cmdlets = @(Get-Command -Module LvsAdmin | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module $env:LVSADMIN_MODULE -Force
    $script:common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Get-Help <Name>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
        $parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $common })
    }

    It 'has a synopsis of its own (not the syntax PowerShell makes up when there is no help)' {
        $help.Synopsis.Trim() | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
        $help.Synopsis.Trim() | Should -Not -BeLike "*[<]CommonParameters[>]*"
    }

    It 'has a description' {
        ($help.description.Text -join "`n").Trim().Length | Should -BeGreaterThan 40
    }

    It 'describes every parameter, and only parameters the cmdlet has' {
        $documented = @($help.parameters.parameter | Where-Object { $_.name -notin $common })
        $documented.name | Sort-Object | Should -Be ($parameters | Sort-Object)
        foreach ($p in $documented) {
            ($p.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$($p.name) needs a description"
        }
    }

    It 'has at least two examples, each with code and an explanation' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($e in $examples) {
            $e.code.Trim() | Should -Not -BeNullOrEmpty -Because $e.title
            ($e.remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because $e.title
        }
    }

    It 'its examples call the cmdlet' {
        (@($help.examples.example).code -join "`n") | Should -Match ([regex]::Escape($Name))
    }
}

Describe 'About topics' {
    It 'Get-Help about_LvsAdmin and about_LvsAdmin_Automation show the module''s topics' {
        (Get-Help about_LvsAdmin | Out-String) | Should -Match 'ipvsadm'
        (Get-Help about_LvsAdmin_Automation | Out-String) | Should -Match 'Ansible'
    }
}
