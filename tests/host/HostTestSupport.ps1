# Helpers of the host Pester suites (dot-sourced). Nothing here talks to IPVS: objects are built from the core's
# public model types, the same types the cmdlets write.

# The object Get-LvsVirtualService writes: the service with its real servers in the RealServers property, in ipvsadm's
# order (IpvsOrder, as the cmdlet sorts them), made by the cmdlet's own GetLvsVirtualServiceCommand.ToOutput.
function New-TestService {
    param(
        [Parameter(Mandatory)] [string] $Service,
        [string] $Scheduler = 'wlc',
        [LvsAdmin.Ipvs.SchedulerFlags] $SchedulerFlags = 'None',
        [switch] $Persistent,
        [uint32] $PersistenceTimeout = 0,
        [string] $PersistenceNetmask,
        [string] $PersistenceEngine,
        [switch] $OnePacket,
        [LvsAdmin.Ipvs.IpvsStatistics] $Statistics,
        [LvsAdmin.Ipvs.RealServer[]] $RealServers = @()
    )
    $s = [LvsAdmin.Ipvs.VirtualService]::new([LvsAdmin.Ipvs.ServiceKey]::Parse($Service))
    $s.Scheduler = $Scheduler
    $s.SchedulerFlags = $SchedulerFlags
    $s.Persistent = [bool]$Persistent
    $s.PersistenceTimeout = $PersistenceTimeout
    if ($PersistenceNetmask) { $s.PersistenceNetmask = $PersistenceNetmask }
    if ($PersistenceEngine) { $s.PersistenceEngine = $PersistenceEngine }
    $s.OnePacket = [bool]$OnePacket
    if ($Statistics) { $s.Statistics = $Statistics }
    $sorted = [System.Collections.Generic.List[LvsAdmin.Ipvs.RealServer]]::new([LvsAdmin.Ipvs.RealServer[]]$RealServers)
    [LvsAdmin.Ipvs.IpvsOrder]::SortRealServers($sorted)
    [LvsAdmin.Commands.GetLvsVirtualServiceCommand]::ToOutput($s, $sorted)
}

function New-TestRealServer {
    param(
        [Parameter(Mandatory)] [string] $Service,
        [Parameter(Mandatory)] [string] $Address,
        [uint16] $Port,
        [LvsAdmin.Ipvs.ForwardingMethod] $ForwardingMethod = 'DirectRouting',
        [int] $Weight = 1,
        [uint32] $UpperThreshold,
        [uint32] $LowerThreshold,
        [LvsAdmin.Ipvs.TunnelType] $TunnelType = 'Ipip',
        [uint16] $TunnelPort,
        [LvsAdmin.Ipvs.TunnelChecksum] $TunnelChecksum = 'None',
        [uint32] $ActiveConnections,
        [uint32] $InactiveConnections,
        [uint32] $PersistentConnections,
        [LvsAdmin.Ipvs.IpvsStatistics] $Statistics
    )
    $key = [LvsAdmin.Ipvs.ServiceKey]::Parse($Service)
    $r = [LvsAdmin.Ipvs.RealServer]::new($key, [ipaddress]$Address, $Port)
    $r.ForwardingMethod = $ForwardingMethod
    $r.Weight = $Weight
    $r.UpperThreshold = $UpperThreshold
    $r.LowerThreshold = $LowerThreshold
    $r.TunnelType = $TunnelType
    $r.TunnelPort = $TunnelPort
    $r.TunnelChecksum = $TunnelChecksum
    $r.ActiveConnections = $ActiveConnections
    $r.InactiveConnections = $InactiveConnections
    $r.PersistentConnections = $PersistentConnections
    if ($Statistics) { $r.Statistics = $Statistics }
    $r
}

function New-TestStatistics {
    param([uint64[]] $Counters, [uint64[]] $Rates = @(0, 0, 0, 0, 0))
    $s = [LvsAdmin.Ipvs.IpvsStatistics]::new()
    $s.Connections, $s.InPackets, $s.OutPackets, $s.InBytes, $s.OutBytes = $Counters
    $s.ConnectionRate, $s.InPacketRate, $s.OutPacketRate, $s.InByteRate, $s.OutByteRate = $Rates
    $s
}

# What remoting, jobs and Import-Clixml hand back: the objects through PSSerializer (each type's SerializationDepth).
function ConvertTo-Deserialized {
    param([Parameter(Mandatory)] [object[]] $InputObject)
    [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($InputObject))
}

# The formatted text as lines (wrap the call in @()), leading and trailing blank lines dropped; -Width fixes the layout.
function Get-FormattedLines {
    param([Parameter(Mandatory)] [scriptblock] $Format)
    $text = (& $Format | Out-String -Width 160) -replace "`r", ''
    $lines = $text -split "`n"
    $last = $lines.Count - 1
    while ($last -ge 0 -and $lines[$last].Trim() -eq '') { $last-- }
    $first = 0
    while ($first -le $last -and $lines[$first].Trim() -eq '') { $first++ }
    if ($last -ge $first) { $lines[$first..$last] }
}

# What PowerShell's parameter binder bound, from its own trace (Trace-Command -Name ParameterBinding): one
# [pscustomobject] @{ Command; Parameter; Value } per successful bind, in order. The commands usually fail afterwards
# (the host has no IPVS): the binding happened before that, and the terminating error is returned as Error.
function Get-ParameterBinding {
    param([Parameter(Mandatory)] [scriptblock] $Expression)
    $file = Join-Path ([IO.Path]::GetTempPath()) ("lvs-bind-" + [guid]::NewGuid() + '.log')
    $caught = [System.Collections.Generic.List[object]]::new()
    try {
        Trace-Command -Name ParameterBinding -FilePath $file -Expression {
            try { & $Expression *> $null } catch { $caught.Add($_) }
        } | Out-Null
        $command = $null
        $given = @{}
        $binds = foreach ($line in Get-Content $file) {
            if ($line -match 'BIND (?:NAMED|POSITIONAL) cmd line args \[(?<c>[^\]]+)\]|BIND PIPELINE object to parameters: \[(?<c>[^\]]+)\]') { $command = $Matches.c }
            # the value as given ("BIND arg [v] to parameter [p]"); the SUCCESSFUL line shows it after coercion
            # (an array prints as System.String[])
            elseif ($line -match 'BIND arg \[(?<v>.*)\] to parameter \[(?<p>[^\]]+)\]$') { $given[$Matches.p] = $Matches.v }
            elseif ($line -match 'BIND arg \[(?<v>.*)\] to param \[(?<p>[^\]]+)\] SUCCESSFUL') {
                [pscustomobject]@{ Command = $command; Parameter = $Matches.p; Value = $given[$Matches.p] ?? $Matches.v }
            }
        }
        [pscustomobject]@{ Binds = @($binds); Error = $caught | Select-Object -First 1 }
    } finally {
        Remove-Item $file -ErrorAction SilentlyContinue
    }
}

# The "What if:" lines that -WhatIf writes to the host (captured with a transcript), for cmdlets whose -WhatIf path
# does not touch the kernel (New-LvsVirtualService, Add-LvsRealServer): the target shows what the cmdlet made of the
# values bound to it.
function Get-WhatIfTarget {
    param([Parameter(Mandatory)] [scriptblock] $Expression)
    $file = Join-Path ([IO.Path]::GetTempPath()) ("lvs-whatif-" + [guid]::NewGuid() + '.txt')
    try {
        Start-Transcript -Path $file -UseMinimalHeader | Out-Null
        try { & $Expression } finally { Stop-Transcript | Out-Null }
        Get-Content $file | Where-Object { $_ -match '^What if: .* on target "(.*)"\.$' } | ForEach-Object { $Matches[1] }
    } finally {
        Remove-Item $file -ErrorAction SilentlyContinue
    }
}

# The parameter set PowerShell's binder picks for these arguments, from a script command with the cmdlet's own
# metadata (ProxyCommand: its CmdletBinding and param block, with every parameter set and attribute).
function Get-ResolvedParameterSet {
    param([Parameter(Mandatory)] [string] $Command, [hashtable] $Named = @{}, [object[]] $Positional = @())
    $c = Get-Command $Command
    $proxy = [scriptblock]::Create([System.Management.Automation.ProxyCommand]::GetCmdletBindingAttribute($c) +
        ' param(' + [System.Management.Automation.ProxyCommand]::GetParamBlock($c) + ') $PSCmdlet.ParameterSetName')
    & $proxy @Positional @Named
}
