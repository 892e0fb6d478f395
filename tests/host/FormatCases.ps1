# The objects the host format tests render, built from the core's public model types and its pure parsers (no
# kernel). Dot-sourced after HostTestSupport.ps1; defines $FormatCases: one entry per view of LvsAdmin.format.ps1xml.
$stats = New-TestStatistics -Counters 1234, 98765, 87654, 12345678, 9876543210 -Rates 12, 340, 300, 45678, 9876543
$web = New-TestRealServer -Service tcp/10.0.0.10:80 -Address 10.0.0.2 -Port 80 -ForwardingMethod Nat -ActiveConnections 5 -InactiveConnections 12 `
    -PersistentConnections 3 -UpperThreshold 1000 -LowerThreshold 800 -Statistics $stats
$web2 = New-TestRealServer -Service tcp/10.0.0.10:80 -Address 10.0.0.3 -Port 8080 -ForwardingMethod Nat -Weight 2
$mark = New-TestRealServer -Service fwm/100 -Address 10.0.0.4 -Port 0
$gue = New-TestRealServer -Service udp/[2001:db8::10]:53 -Address 2001:db8::20 -Port 53 -ForwardingMethod Tunnel -TunnelType Gue `
    -TunnelPort 6080 -TunnelChecksum RemoteChecksum -Weight 3
$services = @(
    New-TestService -Service tcp/10.0.0.10:80 -Persistent -PersistenceTimeout 600 -PersistenceNetmask 255.255.255.0 -Statistics $stats -RealServers $web2, $web
    New-TestService -Service tcp/192.168.0.1:80 -Scheduler rr
    New-TestService -Service udp/[2001:db8::10]:53 -Scheduler sh -SchedulerFlags Flag1, Flag2 -OnePacket -RealServers $gue
    New-TestService -Service fwm/100 -Scheduler mh -SchedulerFlags Flag2 -RealServers $mark
)
$reals = @($web, $web2, $gue, $mark)

$connectionText = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData`n" +
    "TCP 0A470102 B168 0A470064 01BB 0A470202 01BB ESTABLISHED     893`n" +
    "UDP 0A470102 CB76 0A470064 0035 0A470202 14E9 UDP             291`n" +
    "TCP fd71:0001:0000:0000:0000:0000:0000:0002 E8C0 fd71:0000:0000:0000:0000:0000:0000:0100 0050 fd71:0002:0000:0000:0000:0000:0000:0002 1F90 CLOSE             1`n" +
    "UDP 0A470102 0000 0A470064 13C4 0A470202 13C4 NONE            113 sip 7a3c9f@192.0.2.1`n"
$connections = @([LvsAdmin.Connections.ConnectionTable]::Parse([IO.StringReader]::new($connectionText)))

$daemon = [LvsAdmin.Ipvs.SyncDaemon]::new(); $daemon.Interface = 'eth1'; $daemon.SyncId = 10
$backup = [LvsAdmin.Ipvs.SyncDaemon]::new(); $backup.State = 'Backup'; $backup.Interface = 'eth2'; $backup.SyncId = 10
$backup.MaxLength = 1472; $backup.MulticastGroup = [ipaddress]'239.1.1.1'; $backup.MulticastPort = 8848; $backup.MulticastTtl = 2
$info = [LvsAdmin.Ipvs.IpvsInfo]::new([version]'1.2.1', 4096); $info.Schedulers = [string[]]('rr', 'wlc'); $info.PersistenceEngines = [string[]]@('sip')
$noModules = [LvsAdmin.Ipvs.IpvsInfo]::new([version]'1.2.1', 4096)

$findings = @(
    [LvsAdmin.HostSetup.HostFinding]::new('ArpIgnore', 'net.ipv4.conf.all.arp_ignore', $true, '1', '1', 'arp_ignore is 1: no ARP replies for the VIP on other interfaces', $null)
    [LvsAdmin.HostSetup.HostFinding]::new('VipOnLoopback', 'lo', $false, '10.0.0.1/32', '(missing)', 'The VIP 10.0.0.1 is not on lo', 'Add-LvsVirtualAddress -Address 10.0.0.1/32 -InterfaceName lo')
)
$addresses = @(
    [LvsAdmin.HostSetup.InterfaceAddress]::new(1, 'lo', [ipaddress]'127.0.0.1', 8, 'Host', 'lo', 0)
    [LvsAdmin.HostSetup.InterfaceAddress]::new(1, 'lo', [ipaddress]'10.0.0.1', 32, 'Host', 'lo:vip', 0)
    [LvsAdmin.HostSetup.InterfaceAddress]::new(2, 'eth0', [ipaddress]'2001:db8::10', 128, 'Global', $null, 0)
)
$sysctls = @(
    [LvsAdmin.HostSetup.IpvsSysctlValue]::new([LvsAdmin.HostSetup.IpvsSysctls]::Require('conntrack'), '1')
    [LvsAdmin.HostSetup.IpvsSysctlValue]::new([LvsAdmin.HostSetup.IpvsSysctls]::Require('expire_nodest_conn'), '0')
)
$changes = @(
    [LvsAdmin.HostSetup.HostChange]::new('Sysctl', 'Set', 'net.ipv4.conf.all.arp_ignore', '0', '1', 'arp_ignore 0 -> 1')
    [LvsAdmin.HostSetup.HostChange]::new('Address', 'Add', 'lo', $null, '10.0.0.1/32', 'add 10.0.0.1/32 to lo')
)

# Configuration as code: an ipvsadm-save document read by the core, and the plan from the live table to it.
$desiredText = "-A -t 10.0.0.10:80 -s wlc -p 600 -M 255.255.255.0`n-a -t 10.0.0.10:80 -r 10.0.0.2:80 -m -w 1`n-a -t 10.0.0.10:80 -r 10.0.0.3:8080 -m -w 3`n-A -u 10.0.0.53:53 -s rr`n"
$liveText = "-A -t 10.0.0.10:80 -s wlc -p 600 -M 255.255.255.0`n-a -t 10.0.0.10:80 -r 10.0.0.2:80 -m -w 1`n-a -t 10.0.0.10:80 -r 10.0.0.3:8080 -m -w 2`n-a -t 10.0.0.10:80 -r 10.0.0.4:80 -m -w 1`n"
$desired = [LvsAdmin.Formats.ConfigurationIpvsadm]::Read($desiredText)
$live = [LvsAdmin.Formats.ConfigurationIpvsadm]::Read($liveText)
$plan = [LvsAdmin.Configuration.ConfigurationPlanner]::Plan($desired, $live)
$applied = [LvsAdmin.Configuration.ApplyResult]@{ Plan = $plan; Completed = $plan.Steps; Changed = $true }
# A document that also manages the timeouts and the sync daemons.
$managed = [LvsAdmin.Formats.ConfigurationIpvsadm]::Read($desiredText)
$managed.Timeouts = [LvsAdmin.Ipvs.IpvsTimeouts]::new(900, 120, 300)
$managed.SyncDaemons = [LvsAdmin.Ipvs.SyncDaemon[]]@($daemon, $backup)

# One case per view: Type (the .NET type it is selected by), View (its name), the objects, and how it is asked for
# (Default: Out-Default's choice, else Format-Table/Format-List -View).
$tcpCheck = [LvsAdmin.Configuration.HealthCheck]::new('Tcp')
$httpCheck = [LvsAdmin.Configuration.HealthCheck]::new('Http'); $httpCheck.Path = '/health'
$healthResults = @(
    [LvsAdmin.Health.HealthCheckResult]::new([LvsAdmin.Health.HealthCheckTarget]::new($web.Service, [LvsAdmin.Ipvs.RealServerKey]::new([ipaddress]'10.0.0.2', 80), $tcpCheck),
        $true, [timespan]::FromMilliseconds(0.42), $null, $null)
    [LvsAdmin.Health.HealthCheckResult]::new([LvsAdmin.Health.HealthCheckTarget]::new($web.Service, [LvsAdmin.Ipvs.RealServerKey]::new([ipaddress]'10.0.0.3', 8080), $httpCheck),
        $false, [timespan]::FromMilliseconds(12.345), 'HTTP status 503 is not one of 200-299.', 503)
)

$FormatCases = @(
    @{ Type = 'VirtualService'; View = 'VirtualServiceList'; Use = 'Default'; Objects = $services }
    @{ Type = 'VirtualService'; View = 'VirtualService'; Use = 'Table'; Objects = $services }
    @{ Type = 'VirtualService'; View = 'Statistics'; Use = 'Table'; Objects = $services }
    @{ Type = 'VirtualService'; View = 'Rate'; Use = 'Table'; Objects = $services }
    @{ Type = 'VirtualService'; View = 'Persistence'; Use = 'Table'; Objects = $services }
    @{ Type = 'VirtualService'; View = 'Thresholds'; Use = 'Table'; Objects = $services }
    @{ Type = 'RealServer'; View = 'RealServer'; Use = 'Default'; Objects = $reals }
    @{ Type = 'RealServer'; View = 'Statistics'; Use = 'Table'; Objects = $reals }
    @{ Type = 'RealServer'; View = 'Rate'; Use = 'Table'; Objects = $reals }
    @{ Type = 'RealServer'; View = 'Thresholds'; Use = 'Table'; Objects = $reals }
    @{ Type = 'RealServer'; View = 'Persistence'; Use = 'Table'; Objects = $reals }
    @{ Type = 'RealServer'; View = 'Tunnel'; Use = 'Table'; Objects = $reals }
    @{ Type = 'IpvsConnection'; View = 'Connection'; Use = 'Default'; Objects = $connections }
    @{ Type = 'IpvsTimeouts'; View = 'Timeouts'; Use = 'Default'; Objects = @([LvsAdmin.Ipvs.IpvsTimeouts]::new(900, 120, 300)) }
    @{ Type = 'SyncDaemon'; View = 'SyncDaemon'; Use = 'Default'; Objects = @($daemon, $backup) }
    @{ Type = 'IpvsInfo'; View = 'IpvsInfo'; Use = 'Default'; Objects = @($info, $noModules) }
    @{ Type = 'HostFinding'; View = 'HostFinding'; Use = 'Default'; Objects = $findings }
    @{ Type = 'HostFinding'; View = 'Fix'; Use = 'Table'; Objects = $findings }
    @{ Type = 'InterfaceAddress'; View = 'InterfaceAddress'; Use = 'Default'; Objects = $addresses }
    @{ Type = 'IpvsSysctlValue'; View = 'IpvsSysctlValue'; Use = 'Default'; Objects = $sysctls }
    @{ Type = 'HostChange'; View = 'HostChange'; Use = 'Default'; Objects = $changes }
    @{ Type = 'PlanStep'; View = 'PlanStep'; Use = 'Default'; Objects = @($plan.Steps) }
    @{ Type = 'ApplyResult'; View = 'ApplyResult'; Use = 'Default'; Objects = @($applied) }
    @{ Type = 'LvsConfiguration'; View = 'LvsConfiguration'; Use = 'Default'; Objects = @($desired, $managed) }
    @{ Type = 'ConfiguredService'; View = 'ConfiguredService'; Use = 'Default'; Objects = @($desired.Services) }
    @{ Type = 'HealthCheckResult'; View = 'HealthCheckResult'; Use = 'Default'; Objects = $healthResults }
)

# The text of a case as lines: its objects (or $Objects instead) through the view it names.
function Format-Case {
    param([hashtable] $Case, [object[]] $Objects = $Case.Objects)
    Get-FormattedLines {
        switch ($Case.Use) {
            'Default' { $Objects }
            'Table' { $Objects | Format-Table -View $Case.View }
        }
    }.GetNewClosure()
}
