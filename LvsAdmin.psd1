# Module manifest for LvsAdmin: administer Linux Virtual Server (IPVS) from PowerShell 7 over generic netlink.
# Layout of the built module (out/LvsAdmin/): LvsAdmin.psd1, LvsAdmin.dll, LvsAdmin.Core.dll, LvsAdmin.format.ps1xml,
# LvsAdmin.types.ps1xml, en-US/LvsAdmin.dll-Help.xml, en-US/about_*.help.txt, LICENSE, and the DSC v3 resource:
# LvsAdmin.dsc.resource.json with dsc/LvsAdminDsc.ps1 (see about_LvsAdmin_Automation). The PSGallery package
# (build.ps1 -Package) holds exactly these files.
@{
    RootModule           = 'LvsAdmin.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '0a0e3452-41f0-4d42-8fb6-e1a727ede16e'
    Author               = 'LvsAdmin contributors'
    CompanyName          = 'LvsAdmin contributors'
    Copyright            = '(c) LvsAdmin contributors'
    Description          = 'Administer Linux Virtual Server (IPVS): virtual services, real servers, timeouts, sync daemons, the connection table, and the director and real server host setup (VIPs, ARP and IPVS sysctls), through the kernel''s generic netlink interface (no ipvsadm needed). Linux only.'
    PowerShellVersion    = '7.4'
    RequiredAssemblies   = @('LvsAdmin.Core.dll')
    TypesToProcess       = @('LvsAdmin.types.ps1xml')
    FormatsToProcess     = @('LvsAdmin.format.ps1xml')
    CmdletsToExport      = @(
        'Get-LvsVirtualService'
        'New-LvsVirtualService'
        'Set-LvsVirtualService'
        'Remove-LvsVirtualService'
        'Clear-LvsVirtualService'
        'Get-LvsRealServer'
        'Add-LvsRealServer'
        'Set-LvsRealServer'
        'Remove-LvsRealServer'
        'Get-LvsRealServerSetup'
        'Sync-LvsRealServer'
        'Test-LvsRealServerFleet'
        'Install-LvsAdminModule'
        'Reset-LvsStatistic'
        'Get-LvsTimeout'
        'Set-LvsTimeout'
        'Get-LvsSyncDaemon'
        'Start-LvsSyncDaemon'
        'Stop-LvsSyncDaemon'
        'Get-LvsInfo'
        'Get-LvsConnection'
        'Get-LvsVirtualAddress'
        'Add-LvsVirtualAddress'
        'Remove-LvsVirtualAddress'
        'Set-LvsRealServerArp'
        'Get-LvsSysctl'
        'Set-LvsSysctl'
        'Initialize-LvsRealServer'
        'Reset-LvsRealServer'
        'Test-LvsRealServer'
        'Initialize-LvsDirector'
        'Reset-LvsDirector'
        'Test-LvsDirector'
        'Get-LvsConfiguration'
        'Export-LvsConfiguration'
        'Import-LvsConfiguration'
        'Compare-LvsConfiguration'
        'Set-LvsConfiguration'
        'Test-LvsConfiguration'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('LVS', 'IPVS', 'ipvsadm', 'LoadBalancer', 'Linux', 'Netlink', 'DSC', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/LvsAdmin/LvsAdmin'
            LicenseUri   = 'https://github.com/LvsAdmin/LvsAdmin/blob/main/LICENSE'
            ReleaseNotes = @'
0.1.0 - first release.
- IPVS over generic netlink, no ipvsadm: virtual services (TCP, UDP, SCTP, firewall marks; IPv4 and IPv6), real
  servers in NAT, DR and TUN mode, every scheduler, persistence, statistics and rates, timeouts, sync daemons, the
  connection table; -NetworkNamespace on every cmdlet.
- Director and real server host setup: VIPs, ARP and IPVS sysctls, idempotent, with -Persist.
- Configuration as code: Get/Export/Import/Compare/Set/Test-LvsConfiguration (JSON document or ipvsadm-save rules),
  applied in place with rollback; Remove-LvsRealServer -Drain.
- A DSC v3 command resource, LvsAdmin/Configuration (LvsAdmin.dsc.resource.json).
Linux only; needs the ip_vs kernel module and root or CAP_NET_ADMIN to change the table.
'@
        }
    }
}
