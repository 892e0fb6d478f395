# Pester 5 suite: every example in docs/ is code. Each ```powershell block of docs/*.md and docs/guides/*.md (the
# "### Example N" of the cmdlet help, the "## Example N" of the about topics, any block of a guide) is found at run
# time and run here, in this pwsh process, against the real kernel, and its effect is checked. So it runs inside the
# kernel lab (tests/Invoke-LabPester.ps1) as root.
#
# How an example runs (Invoke-DocExample):
# - in a fresh network namespace, lvsdoc (lo up; eth0 198.18.0.1/24 and its veth peer eth1, both up): every LvsAdmin
#   cmdlet gets -NetworkNamespace lvsdoc from $PSDefaultParameterValues, so an example that names no namespace works
#   on a clean table, clean sysctls and clean addresses. Namespaces an example names (-NetworkNamespace lab) are made
#   fresh the same way. Examples with -Persist run in the lab's own namespace (boot files are for the host's
#   namespace: -Persist refuses -NetworkNamespace) with eth0/eth1 made there, and that namespace is put back after each;
# - with /etc/ in the example's text standing for $Etc, a fresh directory (the guest's /etc is read-only), with
#   LVSADMIN_PERSIST_ROOT the directory above it (so -Persist writes $Etc/sysctl.d/... and $Etc/lvsadmin/...),
#   LVSADMIN_STATE_DIRECTORY fresh, and a fresh current directory for relative paths such as ./lvs.json;
# - with $ConfirmPreference = 'None' (no prompt can hang the run) and $ErrorActionPreference = 'Stop' (any error fails);
# - a "pwsh ... -Command '...'" line runs its command in this process as a script file, which is what pwsh does with it
#   minus the new process (pwsh starts slowly in the emulated lab): exit N gives N, a terminating error gives 1;
# - after the Setup of its entry in $Specs (other examples by id, or a script block), then its Check, which looks at the
#   example's output ($out), warnings ($warnings) and the table, addresses, sysctls and files it claims to change.
# Every example must have an entry in $Specs, and every entry must name an example: a new example needs a check.
#
# LVS_DOCS_DRY=1 (on any machine, no kernel needed) lists each example with the code that would run and skips it;
# LVS_DOCS_ONLY=REGEX runs only the examples whose id matches.
BeforeDiscovery {
    # The examples: every ```powershell block, and every "pwsh ... -Command '...'" in another block (a shell line, a
    # systemd Exec line, a crontab line; Shell says which, for its quoting). Id: FILE#N for "Example N", FILE#SECTION
    # (its heading as a slug) elsewhere, with .K appended when that section has several; File, Line, Title, Code.
    function Get-DocExample([string] $Root) {
        $pwsh = '(?m)^(?<prefix>[^\n]*?)\bpwsh\b[^''"\n]*?-(?:c|Command)\s+(?<arg>''[^'']*''|"(?:[^"\\]|\\.)*")'
        $found = foreach ($file in Get-ChildItem -Path $Root -Recurse -Filter *.md | Sort-Object FullName) {
            $name = [IO.Path]::GetRelativePath($Root, $file.FullName) -replace '\\', '/' -replace '\.md$', ''
            $lines = [IO.File]::ReadAllLines($file.FullName)
            $key = ''; $title = ''; $code = $null
            for ($i = 0; $i -lt $lines.Count; $i++) {
                $line = $lines[$i]
                if ($null -ne $code) {
                    if ($line -notmatch '^```\s*$') { $code.Add($line); continue }
                    $text = $code -join "`n"
                    if ($lang -eq 'powershell') {
                        [pscustomobject]@{ Name = $name; Key = $key; Line = $start; Title = $title; Code = $text; Shell = $null }
                    } else {
                        foreach ($m in [regex]::Matches($text, $pwsh)) {
                            $shell = if ($m.Groups['prefix'].Value -match '^Exec\w*=') { 'systemd' } else { 'sh' }
                            $at = $start + ($text.Substring(0, $m.Index) -split "`n").Count - 1
                            [pscustomobject]@{ Name = $name; Key = $key; Line = $at; Title = $title; Code = $m.Value; Shell = $shell }
                        }
                    }
                    $code = $null
                } elseif ($line -match '^#{1,3} Example (\d+)\b:?\s*(.*)$') {
                    $key = $Matches[1]; $title = $Matches[2]
                } elseif ($line -match '^#{1,3} (.*)$') {
                    $title = $Matches[1]; $key = ($title.ToLowerInvariant() -replace '[^a-z0-9]+', '-').Trim('-')
                } elseif ($line -match '^```(\w*)\s*$') {
                    $lang = $Matches[1]; $code = [Collections.Generic.List[string]]::new(); $start = $i + 2
                }
            }
        }
        foreach ($group in $found | Group-Object Name, Key) {
            $k = 0
            foreach ($e in $group.Group) {
                $id = "$($e.Name)#$($e.Key)" + $(if ($group.Count -gt 1) { ".$((++$k))" })
                @{ Id = $id; File = "docs/$($e.Name).md"; Line = $e.Line; Title = $e.Title; Code = $e.Code; Shell = $e.Shell }
            }
        }
    }
    $Examples = @(Get-DocExample (Join-Path $PSScriptRoot '../docs'))
    $Catalog = @{}
    # Each example gets a network namespace of its own (Pool, made in the background: see Wait-DocNamespace).
    $Pool = @{ Names = @(for ($i = 1; $i -le $Examples.Count; $i++) { 'lvsdoc-{0:d3}' -f $i }) }
    for ($i = 0; $i -lt $Examples.Count; $i++) { $Catalog[$Examples[$i].Id] = $Examples[$i].Code; $Examples[$i].Ns = $Pool.Names[$i] }
    foreach ($e in $Examples) { $e.Catalog = $Catalog; $e.Pool = $Pool }
}

BeforeAll {
    $script:Dry = [bool]$env:LVS_DOCS_DRY
    if (-not $Dry) { Import-Module $env:LVSADMIN_MODULE -Force }
    $script:Ns = 'lvsdoc'

    # ---- the examples' surroundings ------------------------------------------------------------------------------

    # Shell commands in one process (each process costs about a second in the emulated lab); fails on a non-zero exit.
    function Invoke-DocShell([string[]] $Line) {
        ($Line -join "`n") | sh -e
        if ($LASTEXITCODE) { throw "sh failed ($LASTEXITCODE): $Line" }
    }

    # Fresh network namespaces as a small director or real server has them: lo up, eth0 (198.18.0.1/24) and its veth
    # peer eth1, both up. As shell lines; each namespace takes seconds to make in the emulated lab.
    function Get-DocNamespaceScript([string[]] $Name) {
        foreach ($n in $Name) {
            "ip netns del $n 2>/dev/null || true; ip netns add $n"
            "printf '%s\n' 'link set lo up' 'link add eth0 type veth peer name eth1' 'address add 198.18.0.1/24 dev eth0' 'link set eth0 up' 'link set eth1 up' | ip -n $n -batch -"
        }
    }

    function New-DocNamespace([string[]] $Name) { Invoke-DocShell (Get-DocNamespaceScript $Name) }

    # The namespaces of all examples, one each, are made by a shell in the background while the examples run (the
    # guest has two CPUs); an example waits for its own (a file NAME in the pool's directory says it is ready).
    function Wait-DocNamespace([hashtable] $Pool, [string] $Name) {
        if (-not $Pool.Process) {
            $Pool.Directory = Join-Path ([IO.Path]::GetTempPath()) ('lvsdoc-pool-' + [guid]::NewGuid().ToString('N'))
            $null = [IO.Directory]::CreateDirectory($Pool.Directory)
            # from the first example that runs (a run with a filter skips the rest)
            $names = $Pool.Names[[array]::IndexOf($Pool.Names, $Name)..($Pool.Names.Count - 1)]
            $text = @('set -e'; foreach ($n in $names) { Get-DocNamespaceScript $n; "touch $($Pool.Directory)/$n" }) -join "`n"
            [IO.File]::WriteAllText("$($Pool.Directory)/pool.sh", $text)
            $Pool.Process = [Diagnostics.Process]::Start('sh', "$($Pool.Directory)/pool.sh")
            $script:Pool = $Pool
        }
        $deadline = [DateTime]::UtcNow.AddMinutes(15)
        while (-not [IO.File]::Exists("$($Pool.Directory)/$Name")) {
            if ($Pool.Process.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "the network namespace $Name was not made (exit code of the pool: $(if ($Pool.Process.HasExited) { $Pool.Process.ExitCode }))" }
            Start-Sleep -Milliseconds 100
        }
    }

    # The namespaces an example (or its setup) names with -NetworkNamespace NAME.
    function Get-NamedNamespace([string[]] $Code) {
        @($Code | ForEach-Object { [regex]::Matches($_, '-NetworkNamespace\s+([A-Za-z][\w-]*)') } | ForEach-Object { $_.Groups[1].Value }) | Sort-Object -Unique
    }

    # The text that runs: /etc/ stands for the example's $Etc, a "# ..." placeholder line is filled by $Fill, and a pwsh
    # command line runs its command here (Invoke-DocPwshCommand), unquoted as its shell (or systemd) passes it to pwsh.
    function Convert-DocCode([string] $Code, [string] $Etc, [string] $Fill, [string] $Shell) {
        $Code = $Code -replace '(?<=^|[\s''"=(])/etc/', ($Etc.TrimEnd('/') + '/')
        if ($Fill) { $Code = $Code -replace '(?m)^\s*#\s*\.\.\..*$', $Fill }
        $quoted = if ($Shell) { '''[^'']*''|"(?:[^"\\]|\\.)*"' } else { '''(?:[^'']|'''')*''' }
        $anchor = if ($Shell) { '(?m)^[^\n]*?' } else { '(?m)^\s*' }
        [regex]::Replace($Code, $anchor + '\bpwsh\b[^''"\n]*?-(?:c|Command)\s+(' + $quoted + ').*$', {
                param($m)
                $arg = $m.Groups[1].Value
                $text = $arg.Substring(1, $arg.Length - 2)
                if ($arg[0] -eq "'") {
                    if (-not $Shell) { $text = $text -replace "''", "'" }
                } elseif ($Shell -eq 'systemd') {
                    # systemd: a word that starts with $ (not $$ or ${) names an environment variable and is replaced
                    # by its value (nothing, here); $$ is a dollar sign; \" and \\ are C escapes.
                    if ($text -match '^\$[^{$]') { return "throw 'systemd replaces this argument by an environment variable: $($text -replace "'", "''")'" }
                    $text = $text -replace '\$\$', '$' -replace '\\(["\\])', '$1'
                } else {
                    throw "Convert-DocCode: a double-quoted pwsh -Command for sh is not supported: $arg"
                }
                "Invoke-DocPwshCommand -Text '$($text -replace "'", "''")'"
            })
    }

    # What pwsh -Command TEXT does, in this process: TEXT as a script file; its exit code is $LASTEXITCODE afterwards.
    function Invoke-DocPwshCommand([string] $Text) {
        $file = Join-Path (Get-Location) ("command-" + [guid]::NewGuid().ToString('N') + '.ps1')
        Set-Content -LiteralPath $file -Value $Text
        $ErrorActionPreference = 'Continue'   # pwsh's default; the commands set Stop themselves where they want it
        $global:LASTEXITCODE = $null
        try {
            & $file; $ok = $?
            $code = if ($null -ne $global:LASTEXITCODE) { $global:LASTEXITCODE } elseif ($ok) { 0 } else { 1 }
        } catch { Write-Information "pwsh -Command: $_"; $code = 1 }
        finally { Remove-Item -LiteralPath $file }
        $global:LASTEXITCODE = $code
    }

    # The lab's own namespace, for the -Persist examples: eth0/eth1 made once, the state saved before each example
    # and put back after it (IPVS table, sync daemons, timeouts, the sysctls the cmdlets change, added addresses).
    function Save-RootState {
        if ($script:RootSysctls) { return }
        if (-not [IO.Directory]::Exists('/sys/class/net/eth0')) {
            Invoke-DocShell 'ip link add eth0 type veth peer name eth1', 'ip address add 198.18.0.1/24 dev eth0', 'ip link set eth0 up', 'ip link set eth1 up'
            $script:MadeRootEth0 = $true
        }
        $keys = @([IO.Directory]::GetFiles('/proc/sys/net/ipv4/vs')) +
            @(foreach ($d in [IO.Directory]::GetDirectories('/proc/sys/net/ipv4/conf')) { foreach ($k in 'arp_ignore', 'arp_announce', 'rp_filter', 'send_redirects') { "$d/$k" } }) +
            '/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv6/conf/all/forwarding'
        $script:RootSysctls = [ordered]@{}
        foreach ($k in $keys) { if ([IO.File]::Exists($k)) { $RootSysctls[$k] = [IO.File]::ReadAllText($k).Trim() } }
        $script:RootAddresses = @(Get-RootAddress)
        $script:RootTimeouts = Get-LvsTimeout
    }

    function Get-RootAddress { ip -o address show | ForEach-Object { $f = -split $_; "$($f[1]) $($f[3])" } }

    function Restore-RootState {
        Clear-LvsVirtualService -Confirm:$false
        Get-LvsSyncDaemon | Stop-LvsSyncDaemon -Confirm:$false
        Set-LvsTimeout -TcpTimeout $RootTimeouts.Tcp -TcpFinTimeout $RootTimeouts.TcpFin -UdpTimeout $RootTimeouts.Udp -Confirm:$false
        $extra = @(Get-RootAddress | Where-Object { $_ -notin $RootAddresses } | ForEach-Object { $dev, $cidr = $_ -split ' '; "ip address del $cidr dev $($dev -replace '@.*$', '')" })
        if ($extra) { Invoke-DocShell $extra }
        foreach ($k in $RootSysctls.Keys) {
            if ([IO.File]::Exists($k) -and [IO.File]::ReadAllText($k).Trim() -ne $RootSysctls[$k]) { [IO.File]::WriteAllText($k, $RootSysctls[$k]) }
        }
    }

    # Real TCP connections through a NAT service of the example's namespace: clients in lvsdoc-c (198.51.100.23), the
    # real servers' addresses in lvsdoc-rs (a busybox nc echo server on each port); returns when $Count connections are
    # ESTABLISHED and the service's counters (which the kernel sums every 2 seconds) show them.
    function Start-DocTraffic([string] $Service = 'tcp/192.0.2.10:80', [int] $Count = 2) {
        $svc = Get-LvsVirtualService -Service $Service
        $servers = @(Get-LvsRealServer -Service $Service)
        $gateways = @($servers | ForEach-Object { "$($_.Address)" -replace '\.\d+$', '.254' } | Sort-Object -Unique)
        Invoke-DocShell @(
            foreach ($n in 'lvsdoc-c', 'lvsdoc-rs') { "ip netns del $n 2>/dev/null || true; ip netns add $n; ip -n $n link set lo up" }
            "ip -n $Ns link add c0 type veth peer name c1 netns lvsdoc-c"
            "ip -n $Ns address add 198.51.100.254/24 dev c0; ip -n $Ns link set c0 up"
            "ip -n lvsdoc-c address add 198.51.100.23/24 dev c1; ip -n lvsdoc-c link set c1 up; ip -n lvsdoc-c route add default via 198.51.100.254"
            "ip -n $Ns link add r0 type veth peer name r1 netns lvsdoc-rs; ip -n $Ns link set r0 up; ip -n lvsdoc-rs link set r1 up"
            foreach ($gw in $gateways) { "ip -n $Ns address add $gw/24 dev r0" }
            foreach ($rs in $servers) { "ip -n lvsdoc-rs address add $($rs.Address)/24 dev r1" }
            "ip -n lvsdoc-rs route add default via $($gateways[0])"
            "ip -n $Ns address add $($svc.Address)/32 dev lo 2>/dev/null || true"
            "ip netns exec $Ns sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'")
        $script:Traffic = [Collections.Generic.List[Diagnostics.Process]]::new()
        foreach ($port in @($servers.Port | Sort-Object -Unique)) {
            $Traffic.Add([Diagnostics.Process]::Start('ip', "netns exec lvsdoc-rs busybox nc -ll -p $port -e /bin/cat"))
        }
        Start-Sleep -Milliseconds 500
        for ($i = 0; $i -lt $Count; $i++) {
            $psi = [Diagnostics.ProcessStartInfo]::new('ip', "netns exec lvsdoc-c busybox nc $($svc.Address) $($svc.Port)")
            $psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true
            $p = [Diagnostics.Process]::Start($psi); $Traffic.Add($p)
            $p.StandardInput.WriteLine('hello'); $p.StandardInput.Flush()
        }
        $deadline = [DateTime]::UtcNow.AddSeconds(90)
        while (@(Get-LvsConnection -Service $Service -State ESTABLISHED).Count -lt $Count -or (Get-LvsVirtualService -Service $Service).Connections -lt $Count) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Start-DocTraffic: $Count connections to $Service did not get ESTABLISHED" }
            Start-Sleep -Milliseconds 300
        }
    }

    # Ends the connections (clients first, so that the echo servers see the end) and the two namespaces.
    function Stop-DocTraffic {
        if (-not $script:Traffic) { return }
        foreach ($p in @($Traffic)[($Traffic.Count - 1)..0]) { if (-not $p.HasExited) { $p.Kill() }; $null = $p.WaitForExit(5000); $p.Dispose() }
        $script:Traffic = $null
        Invoke-DocShell 'ip netns del lvsdoc-c; ip netns del lvsdoc-rs'
    }

    # ---- what the checks look at (in the example's namespace) ---------------------------------------------------

    # The table, one line per service ("tcp/192.0.2.10:80 rr", "fwm/100 wlc persistent 360 255.255.255.0") and per real
    # server ("-> 10.0.0.11:80 Nat 1"); -NetworkNamespace NAME reads another namespace.
    function Get-DocTable([string] $NetworkNamespace) {
        $at = if ($NetworkNamespace) { @{ NetworkNamespace = $NetworkNamespace } } else { @{} }
        foreach ($s in Get-LvsVirtualService @at) {
            $line = "$($s.Service) $($s.Scheduler)"
            if ($s.SchedulerFlags -ne 'None') { $line += " ($($s.SchedulerFlags))" }
            if ($s.Persistent) { $line += " persistent $($s.PersistenceTimeout) $($s.PersistenceNetmask)" }
            $line
            Get-LvsRealServer -Service $s.Service @at | Sort-Object { ($_.Address.GetAddressBytes() | ForEach-Object { '{0:d3}' -f $_ }) -join '.' }, Port |
                ForEach-Object { "-> $($_.Key) $($_.ForwardingMethod) $($_.Weight)" }
        }
    }

    # The addresses of a device as "CIDR" or "CIDR LABEL" (the label when it is not the device name).
    function Get-DocAddress([string] $Device, [string] $NetworkNamespace = $script:At) {
        $at = if ($NetworkNamespace) { '-n', $NetworkNamespace } else { @() }
        ip @at -o address show dev $Device | ForEach-Object {
            $f = -split ($_ -split '\\')[0]
            "$($f[3])$(if ($f[2] -eq 'inet' -and $f[-1] -ne $Device) { ' ' + $f[-1] })"
        }
    }

    # A sysctl of the example's namespace (net.ipv4.conf.all.arp_ignore), or a list of them.
    function Get-DocSysctl([string[]] $Key) {
        $paths = $Key | ForEach-Object { '/proc/sys/' + ($_ -replace '\.', '/') }
        if ($script:At) { ip netns exec $At cat $paths } else { $paths | ForEach-Object { (Get-Content -Raw $_).Trim() } }
    }

    # A file the example wrote, under $Etc (the example's /etc/).
    # The file's text, or nothing when it does not exist (removing the last address deletes the boot script).
    function Get-DocFile([string] $Path) {
        $p = $Path -replace '^/etc/', ($Etc.TrimEnd('/') + '/')
        if ([IO.File]::Exists($p)) { Get-Content -Raw -LiteralPath $p }
    }

    # ---- the examples' entries -----------------------------------------------------------------------------------
    # Setup: example ids to run first, and/or a script block; Check: what the example claims; Same: sysctls the example
    # must leave as they were (-WhatIf); Root: run in the lab's own namespace (-Persist); Fill: the code for a "# ..."
    # placeholder line; Fast: Start-Sleep takes 0.1 s; Skip: why it cannot run here. One of Check and Same is needed.
    # The table of New-LvsVirtualService#1 written to $Path (JSON, or ipvsadm rules), then cleared with -Clear.
    function New-DocDocument([string] $Path, [switch] $Ipvsadm, [switch] $Clear) {
        $null = . ([scriptblock]::Create($Catalog['New-LvsVirtualService#1']))
        Export-LvsConfiguration -Path $Path -Format $(if ($Ipvsadm) { 'Ipvsadm' } else { 'Json' })
        if ($Clear) { Clear-LvsVirtualService }
    }
    $lvsJson = { New-DocDocument ./lvs.json }
    # keepalived's file for the table of New-LvsVirtualService#1, which keepalived "runs on" (the table stays)
    $keepalivedConf = {
        $null = . ([scriptblock]::Create($Catalog['New-LvsVirtualService#1']))
        $null = [IO.Directory]::CreateDirectory("$Etc/keepalived")
        Export-LvsConfiguration -Path $Etc/keepalived/keepalived.conf -Format Keepalived
    }
    $drift = { Set-LvsRealServer -Service tcp/192.0.2.10:80 -Address 10.0.0.12:80 -Weight 5 }
    # The director pair document of docs/guides/Keepalived.md (Director pairs) as /etc/lvsadmin/pair.json, and /etc/keepalived/directors
    $pairJson = {
        $null = [IO.Directory]::CreateDirectory("$Etc/lvsadmin"); $null = [IO.Directory]::CreateDirectory("$Etc/keepalived/directors")
        Set-Content -LiteralPath $Etc/lvsadmin/pair.json -Value @'
{ "schemaVersion": 1,
  "services": [ { "service": "tcp/10.0.0.50:80", "scheduler": "rr", "realServers": [ { "address": "10.0.0.11:80" }, { "address": "10.0.0.12:80" } ] } ],
  "directorPair": { "instance": "VI_LVS", "virtualRouterId": 51, "advertisementInterval": 1,
    "virtualAddresses": [ { "address": "10.0.0.50", "prefixLength": 24 } ], "syncDaemon": { "syncId": 51 },
    "directors": [ { "name": "lvs1", "state": "master", "priority": 150, "interface": "eth0" },
                   { "name": "lvs2", "state": "backup", "priority": 100, "interface": "eth0" } ] } }
'@
    }
    $web = @('tcp/192.0.2.10:80 rr', '-> 10.0.0.11:80 Nat 1', '-> 10.0.0.12:80 Nat 1')
    $plus4 = { New-DocDocument $Etc/lvsadmin/lvs.json; Add-LvsRealServer tcp/192.0.2.10:80 10.0.0.4:80 -ForwardingMethod Nat; Export-LvsConfiguration -Path $Etc/lvsadmin/lvs.json; Remove-LvsRealServer tcp/192.0.2.10:80 10.0.0.4:80 }
    $twoUdp = { New-LvsVirtualService -Service udp/192.0.2.30:53 -Scheduler rr; New-LvsVirtualService -Service udp/192.0.2.31:53 -Scheduler wlc; New-LvsVirtualService -Service tcp/192.0.2.10:80 -Scheduler rr }
    $both31 = { . ([scriptblock]::Create($Catalog['Add-LvsRealServer#3'])) | Out-Null; New-LvsVirtualService -Service tcp/192.0.2.10:80; Add-LvsRealServer -Service tcp/192.0.2.10:80 -Address 10.0.0.31 }

    $script:Specs = @{
        'Add-LvsRealServer#1'            = @{ Check = { Get-DocTable | Should -Be $web } }
        'Add-LvsRealServer#2'            = @{ Check = { Get-DocTable | Should -Be 'tcp/192.0.2.20:443 wrr', '-> 10.0.0.21:443 DirectRouting 3', '-> 10.0.0.22:443 DirectRouting 1' } }
        'Add-LvsRealServer#3'            = @{ Check = {
                $out.Count | Should -Be 2
                Get-DocTable | Should -Be 'fwm/100 wlc persistent 360 255.255.255.255', '-> 10.0.0.31:0 DirectRouting 1', '-> 10.0.0.32:0 DirectRouting 1' } }
        'Add-LvsRealServer#4'            = @{ Setup = { New-LvsVirtualService -Service udp/192.0.2.30:53 }; Check = {
                $rs = Get-LvsRealServer -Service udp/192.0.2.30:53
                "$($rs.Key) $($rs.ForwardingMethod) $($rs.TunnelType) $($rs.TunnelPort) $($rs.TunnelChecksum)" | Should -Be '198.51.100.7:53 Tunnel Gue 6080 Checksum' } }
        'Add-LvsVirtualAddress#1'        = @{ Check = {
                Get-DocAddress lo | Should -Contain '192.0.2.10/32 lo:0'
                Get-DocSysctl net.ipv4.conf.all.arp_ignore, net.ipv4.conf.all.arp_announce | Should -Be '1', '2' } }
        'Add-LvsVirtualAddress#2'        = @{ Check = { Get-DocAddress eth0 | Should -Contain '192.0.2.10/24 eth0:0'; $out.Cidr | Should -Be '192.0.2.10/24' } }
        'Add-LvsVirtualAddress#3'        = @{ Root = $true; Check = {
                Get-DocAddress lo | Should -Contain '2001:db8::10/128'
                Get-DocFile /etc/lvsadmin/addresses.sh | Should -Match '2001:db8::10/128' } }
        'Add-LvsVirtualAddress#4'        = @{ Setup = { Add-LvsVirtualAddress -Address 192.0.2.10 -InterfaceName eth0 }; Check = {
                Get-DocAddress eth0 | Should -Not -Match '192\.0\.2\.10'
                Get-DocAddress lo | Should -Contain '192.0.2.10/32' } }
        'Clear-LvsVirtualService#1'      = @{ Setup = 'New-LvsVirtualService#1', 'New-LvsVirtualService#3'; Check = { Get-DocTable | Should -BeNullOrEmpty } }
        'Clear-LvsVirtualService#2'      = @{ Setup = { New-LvsVirtualService -Service tcp/192.0.2.10:80 -NetworkNamespace lab }; Check = { Get-DocTable lab | Should -BeNullOrEmpty } }
        'Compare-LvsConfiguration#1'     = @{ Setup = $lvsJson, $drift; Check = {
                "$($out.Action) $($out.TargetType) $($out.Target)" | Should -Be 'Update RealServer tcp/192.0.2.10:80 -> 10.0.0.12:80'
                ($out | Out-String -Width 200) | Should -Match 'Weight: 5 -> 1'
                Get-DocTable | Should -Contain '-> 10.0.0.12:80 Nat 5' } }
        'Compare-LvsConfiguration#2'     = @{ Setup = { New-LvsVirtualService -Service tcp/192.0.2.10:80 -NetworkNamespace blue; New-LvsVirtualService -Service udp/192.0.2.30:53 -NetworkNamespace green }; Check = {
                $out | ForEach-Object { "$($_.Action) $($_.Target)" } | Sort-Object | Should -Be 'Add tcp/192.0.2.10:80', 'Remove udp/192.0.2.30:53'
                Get-DocTable green | Should -Be 'udp/192.0.2.30:53 wlc' } }
        'Compare-LvsConfiguration#3'     = @{ Setup = $lvsJson, $drift; Check = { $out | Should -Be '1 change(s)' } }
        'Export-LvsConfiguration#1'      = @{ Setup = 'New-LvsVirtualService#1'; Check = {
                Get-DocFile /etc/ipvsadm.rules | Should -BeExactly (((ip netns exec $Ns ipvsadm -Sn) -join "`n") + "`n") } }
        'Export-LvsConfiguration#2'      = @{ Setup = 'New-LvsVirtualService#1', {
                Export-LvsConfiguration -Path $Etc/lvsadmin/lvs.json
                git init -q $Etc/lvsadmin; git -C $Etc/lvsadmin add lvs.json; git -C $Etc/lvsadmin -c user.name=t -c user.email=t@t commit -qm base
            }, $drift; Check = { $LASTEXITCODE | Should -Be 0; ($out -join "`n") | Should -Match '(?m)^\+.*"weight": 5' } }
        'Export-LvsConfiguration#3'      = @{ Setup = 'New-LvsVirtualService#1'; Check = { $out.service | Should -Be 'tcp/192.0.2.10:80'; $out.realServers | ForEach-Object address | Should -Be '10.0.0.11:80', '10.0.0.12:80' } }
        'Export-LvsConfiguration#4'      = @{ Setup = 'New-LvsVirtualService#1', { $null = [IO.Directory]::CreateDirectory("$Etc/keepalived/conf.d") }; Check = {
                $LASTEXITCODE | Should -Be 0
                Get-DocFile /etc/keepalived/conf.d/lvs.conf | Should -Match '(?m)^virtual_server 192\.0\.2\.10 80 \{' } }
        'Export-LvsConfiguration#6'      = @{ Setup = $pairJson; Check = {
                $out | Should -Be 'lvs1.conf', 'lvs2.conf'
                Get-DocFile /etc/keepalived/directors/lvs1.conf | Should -Match '(?m)^    state MASTER\n(.*\n){2}    priority 150$'
                Get-DocFile /etc/keepalived/directors/lvs2.conf | Should -Match '(?m)^    state BACKUP$' } }
        'Export-LvsConfiguration#7'      = @{ Setup = $pairJson; Check = {
                ($out | ForEach-Object Line) | Should -Be '    state BACKUP', '    priority 100' } }
        'Export-LvsConfiguration#5'      = @{ Setup = 'New-LvsVirtualService#1', { Add-LvsVirtualAddress -Address 192.0.2.10; Set-LvsSysctl -ExpireNodestConn $true }; Check = {
                $doc = Get-DocFile /etc/lvsadmin/director.json | ConvertFrom-Json
                $doc.services.service | Should -Be 'tcp/192.0.2.10:80'
                $doc.host.sysctls.'net.ipv4.vs.expire_nodest_conn' | Should -Be '1'
                $doc.host.addresses | Where-Object interface -eq 'lo' | ForEach-Object address | Should -Contain '192.0.2.10' } }
        'Get-LvsConfiguration#1'         = @{ Setup = 'New-LvsVirtualService#1'; Fill = 'Clear-LvsVirtualService; New-LvsVirtualService -Service udp/192.0.2.99:53'; Check = { Get-DocTable | Should -Be $web } }
        'Get-LvsConfiguration#2'         = @{ Setup = { New-DocDocument $Etc/ipvsadm.rules -Ipvsadm -Clear }; Check = {
                (Get-DocFile /etc/lvsadmin/lvs.json | ConvertFrom-Json).services.realServers | ForEach-Object address | Should -Be '10.0.0.11:80', '10.0.0.12:80'
                Get-DocTable | Should -BeNullOrEmpty } }
        'Get-LvsConnection#1'            = @{ Setup = 'New-LvsVirtualService#1', { Start-DocTraffic -Count 2 }; Check = {
                $out.Count | Should -BeGreaterOrEqual 2
                $out | ForEach-Object { "$($_.VirtualAddress):$($_.VirtualPort)" } | Sort-Object -Unique | Should -Be '192.0.2.10:80' } }
        'Get-LvsConnection#2'            = @{ Setup = 'New-LvsVirtualService#1', { Start-DocTraffic -Count 2 }; Check = {
                ($out | Measure-Object Count -Sum).Sum | Should -Be 2
                $out.Name | ForEach-Object { $_ | Should -BeIn '10.0.0.11', '10.0.0.12' } } }
        'Get-LvsConnection#3'            = @{ Setup = { New-LvsVirtualService -Service tcp/192.0.2.10:80 -Persistent; Add-LvsRealServer tcp/192.0.2.10:80 10.0.0.11 -ForwardingMethod Nat; Start-DocTraffic -Count 1 }; Check = {
                @($out).Count | Should -Be 1
                "$($out.RealServerAddress)" | Should -Be '10.0.0.11' } }
        'Get-LvsInfo#1'                  = @{ Check = { "$($out.Version)" | Should -Match '^\d+\.\d+\.\d+$'; $out.ConnectionTableSize | Should -BeGreaterThan 0 } }
        'Get-LvsInfo#2'                  = @{ Setup = { New-LvsVirtualService -Service tcp/192.0.2.10:80 -Scheduler mh }; Check = { $out | Should -Be $true } }
        'Get-LvsRealServer#1'            = @{ Setup = 'New-LvsVirtualService#1'; Check = { $out | ForEach-Object { "$($_.Key) $($_.ForwardingMethod)" } | Sort-Object | Should -Be '10.0.0.11:80 Nat', '10.0.0.12:80 Nat' } }
        'Get-LvsRealServer#2'            = @{ Setup = 'New-LvsVirtualService#1', { New-LvsVirtualService -FirewallMark 100; Add-LvsRealServer -Service fwm/100 -Address 10.0.0.11 -Weight 4 }; Check = {
                $out | ForEach-Object { "$($_.Service) $($_.Weight) $($_.ActiveConnections)" } | Sort-Object | Should -Be 'fwm/100 4 0', 'tcp/192.0.2.10:80 1 0' } }
        'Get-LvsRealServer#3'            = @{ Setup = 'Add-LvsRealServer#2'; Check = { ($out | Out-String) | Should -Match '10\.0\.0\.21\s+3' } }
        'Get-LvsSyncDaemon#1'            = @{ Setup = 'Start-LvsSyncDaemon#1'; Check = { "$($out.State) $($out.Interface) $($out.SyncId)" | Should -Be 'Master eth0 10' } }
        'Get-LvsSyncDaemon#2'            = @{ Setup = 'Start-LvsSyncDaemon#1'; Check = { "$warnings" | Should -Be 'No backup sync daemon' } }
        'Get-LvsSysctl#1'                = @{ Check = { $out.Name | Should -Contain 'expire_nodest_conn'; $out | Where-Object { $null -ne $_.Default -and -not $_.IsDefault } | Should -BeNullOrEmpty } }
        'Get-LvsSysctl#2'                = @{ Check = { ($out | Out-String) -split "`n" -match 'conntrack|expire_nodest_conn|expire_quiescent_template|conn_reuse_mode' | Should -HaveCount 4 } }
        'Get-LvsSysctl#3'                = @{ Setup = { Set-LvsSysctl -ExpireNodestConn $true }; Check = {
                # what differs from a known default; settings whose default depends on the machine (sync_qlen_max) are listed too
                Import-Csv ipvs-sysctl.csv | Where-Object { $null -ne (Get-LvsSysctl $_.Name).Default } | ForEach-Object { "$($_.Name)=$($_.Value)" } | Should -Be 'expire_nodest_conn=True'
                Get-DocSysctl net.ipv4.vs.expire_nodest_conn | Should -Be '1' } }
        'Get-LvsTimeout#1'               = @{ Check = { "$($out.Tcp) $($out.TcpFin) $($out.Udp)" | Should -Be '900 120 300' } }
        'Get-LvsTimeout#2'               = @{ Setup = 'Set-LvsTimeout#1'; Check = { $t = Get-LvsTimeout -NetworkNamespace lab; "$($t.Tcp) $($t.TcpFin) $($t.Udp)" | Should -Be '7200 120 300' } }
        'Get-LvsVirtualAddress#1'        = @{ Setup = { Add-LvsVirtualAddress -Address 192.0.2.10 -Label lo:0 }; Check = { "$($out.Cidr) $($out.Label)" | Should -Be '192.0.2.10/32 lo:0' } }
        'Get-LvsVirtualAddress#2'        = @{ Setup = 'Add-LvsVirtualAddress#2'; Check = { "$($out.InterfaceName) $($out.Cidr)" | Should -Be 'eth0 192.0.2.10/24' } }
        'Get-LvsVirtualAddress#3'        = @{ Check = { $a = $out | ForEach-Object { "$($_.Address)" }; $a | Should -Contain '127.0.0.1'; $a | Should -Contain '::1'; $a | Should -Contain '198.18.0.1'; $a -like 'fe80:*' | Should -Not -BeNullOrEmpty } }
        'Get-LvsVirtualService#1'        = @{ Setup = { New-LvsVirtualService tcp/192.0.2.10:80 -Scheduler rr; Add-LvsRealServer tcp/192.0.2.10:80 10.0.0.11:80 -ForwardingMethod Nat; Add-LvsRealServer tcp/192.0.2.10:80 10.0.0.12:8080 -ForwardingMethod Nat
                New-LvsVirtualService -FirewallMark 100 -PersistenceTimeout 600; Add-LvsRealServer fwm/100 10.0.0.21 }; Check = {
                # the description's listing, but for the connection counters (no traffic here)
                (($out | Out-String -Width 200) -split "`n" | ForEach-Object { ($_ -replace '\s+\d+\s+\d+\s*$', '' -replace '\s+', ' ').Trim() } | Where-Object { $_ }) | Should -Be @(
                    'Prot LocalAddress:Port Scheduler Flags', '-> RemoteAddress:Port Forward Weight ActiveConn InActConn'
                    'TCP 192.0.2.10:80 rr', '-> 10.0.0.11:80 Masq 1', '-> 10.0.0.12:8080 Masq 1'
                    'FWM 100 wlc persistent 600', '-> 10.0.0.21:0 Route 1') } }
        'Get-LvsVirtualService#2'        = @{ Setup = 'New-LvsVirtualService#1', { Start-DocTraffic -Count 2 }; Check = { $out.Connections | Should -Be 2; $out.InPackets | Should -BeGreaterThan 0 } }
        'Get-LvsVirtualService#3'        = @{ Setup = { New-LvsVirtualService tcp/192.0.2.10:80 -Persistent; New-LvsVirtualService tcp/192.0.2.10:443 -PersistenceTimeout 60 -PersistenceNetmask 255.255.255.0; New-LvsVirtualService udp/192.0.2.10:53; New-LvsVirtualService tcp/192.0.2.20:80 -Persistent }; Check = {
                $out | ForEach-Object { "$($_.Service) $($_.PersistenceTimeout) $($_.PersistenceNetmask)" } | Should -Be 'tcp/192.0.2.10:80 360 255.255.255.255', 'tcp/192.0.2.10:443 60 255.255.255.0' } }
        'Get-LvsVirtualService#4'        = @{ Setup = { New-LvsVirtualService -FirewallMark 100; New-LvsVirtualService -FirewallMark 100 -AddressFamily IPv6 }; Check = { $out.Service | Should -Be 'fwm/100/ipv6' } }
        'Import-LvsConfiguration#1'      = @{ Setup = { New-DocDocument $Etc/ipvsadm.rules -Ipvsadm -Clear; New-LvsVirtualService -Service udp/192.0.2.30:53 }; Check = {
                Get-DocTable | Should -Be $web
                (Import-LvsConfiguration -Path $Etc/ipvsadm.rules -Prune -PassThru).Changed | Should -BeFalse } }
        'Import-LvsConfiguration#2'      = @{ Setup = { New-DocDocument ./new.rules -Ipvsadm -Clear }; Check = { Get-DocTable | Should -BeNullOrEmpty } }
        'Import-LvsConfiguration#4'      = @{ Setup = $keepalivedConf; Check = { Get-DocTable | Should -Be $web } }
        'guides/Keepalived#from-keepalived-to-lvsadmin' = @{ Setup = $keepalivedConf; Check = {
                Get-DocTable | Should -Be $web
                (Get-DocFile /etc/lvsadmin/lvs.json | ConvertFrom-Json).services.service | Should -Be 'tcp/192.0.2.10:80' } }
        'guides/Keepalived#exporting-both-files' = @{ Setup = $pairJson; Check = {
                $lvs2 = Get-DocFile /etc/keepalived/directors/lvs2.conf
                $lvs2 | Should -Match '(?m)^    lvs_sync_daemon eth0 VI_LVS id 51$'
                $lvs2 | Should -Match '(?m)^vrrp_instance VI_LVS \{$'
                $lvs2 | Should -Match '(?m)^        10\.0\.0\.50/24 dev eth0$'
                $lvs2 | Should -Match '(?m)^virtual_server 10\.0\.0\.50 80 \{$' } }
        'guides/Keepalived#from-lvsadmin-to-keepalived' = @{ Setup = 'New-LvsVirtualService#1', { $null = [IO.Directory]::CreateDirectory("$Etc/keepalived/conf.d") }; Check = {
                $LASTEXITCODE | Should -Be 0
                Get-DocFile /etc/keepalived/conf.d/lvs.conf | Should -Match '(?m)^\s*real_server 10\.0\.0\.12 80 \{' } }
        'Import-LvsConfiguration#3'      = @{ Setup = { New-DocDocument ./lvs.json -Clear }; Check = {
                $out | Should -Match '^changed: .*tcp/192\.0\.2\.10:80 -> 10\.0\.0\.11:80; .*tcp/192\.0\.2\.10:80 -> 10\.0\.0\.12:80$'
                Get-DocTable | Should -Be $web } }
        'Initialize-LvsDirector#1'       = @{ Root = $true; Check = {
                Get-DocAddress eth0 | Should -Contain '192.0.2.10/24 eth0:0'
                Get-DocSysctl net.ipv4.ip_forward, net.ipv4.conf.all.send_redirects | Should -Be '1', '0'
                Get-DocFile /etc/sysctl.d/90-lvsadmin.conf | Should -Match 'net\.ipv4\.ip_forward *= *1'
                Get-DocFile /etc/lvsadmin/addresses.sh | Should -Match '192\.0\.2\.10/24'
                Get-DocTable | Should -Be 'tcp/192.0.2.10:80 rr', '-> 10.0.0.11:80 Nat 1', '-> 10.0.0.12:8080 Nat 1' } }
        'Initialize-LvsDirector#2'       = @{ Same = 'net.ipv4.vs.expire_nodest_conn', 'net.ipv4.vs.expire_quiescent_template', 'net.ipv4.conf.all.send_redirects', 'net.ipv4.conf.eth0.send_redirects'; Check = { Get-DocAddress eth0 | Should -Not -Contain '192.0.2.10/32' } }
        'Initialize-LvsDirector#3'       = @{ Check = { Get-DocAddress eth0 | Should -Contain '2001:db8::10/128'; Get-DocSysctl net.ipv6.conf.all.forwarding | Should -Be '1'; $out | Should -Not -BeNullOrEmpty } }
        'Initialize-LvsRealServer#1'     = @{ Root = $true; Check = {
                Get-DocAddress lo | Should -Contain '192.0.2.10/32'
                Get-DocSysctl net.ipv4.conf.all.arp_ignore, net.ipv4.conf.all.arp_announce, net.ipv4.conf.lo.arp_ignore | Should -Be '1', '2', '1'
                Get-DocFile /etc/sysctl.d/90-lvsadmin.conf | Should -Match 'net\.ipv4\.conf\.all\.arp_ignore *= *1'
                Get-DocFile /etc/lvsadmin/addresses.sh | Should -Match '192\.0\.2\.10/32' } }
        'Initialize-LvsRealServer#2'     = @{ Root = $true; Check = {
                Get-DocAddress tunl0 | Should -Contain '192.0.2.10/32'
                Get-DocSysctl net.ipv4.conf.tunl0.rp_filter, net.ipv4.conf.all.rp_filter | Should -Be '0', '0'
                Get-DocFile /etc/lvsadmin/addresses.sh | Should -Match 'tunl0' } }
        'Initialize-LvsRealServer#3'     = @{ Check = {
                Get-DocAddress lo | Where-Object { $_ -notmatch '^(127\.0\.0\.1/8|::1/128)' } | Sort-Object | Should -Be '192.0.2.10/32', '192.0.2.11/32', '2001:db8::10/128'
                Get-DocSysctl net.ipv4.conf.eth0.arp_ignore, net.ipv4.conf.eth0.arp_announce | Should -Be '1', '2'
                ($out | Out-String) | Should -Match 'arp_ignore' } }
        'Initialize-LvsRealServer#4'     = @{ Check = { $out | Should -Be $true; Get-DocAddress lo -NetworkNamespace rs1 | Should -Contain '10.0.0.100/32' } }
        'New-LvsVirtualService#1'        = @{ Check = { Get-DocTable | Should -Be $web } }
        'New-LvsVirtualService#2'        = @{ Check = { "$($out.Service) $($out.Scheduler)" | Should -Be 'tcp/192.0.2.20:443 wlc'; Get-DocTable | Should -Be 'tcp/192.0.2.20:443 wlc' } }
        'New-LvsVirtualService#3'        = @{ Check = { Get-DocTable | Should -Be 'fwm/100 wlc persistent 360 255.255.255.0' } }
        'New-LvsVirtualService#4'        = @{ Check = { . $Rerun; Get-DocTable | Should -Be 'udp/192.0.2.30:5060 sh (Flag2)' } }
        'Remove-LvsRealServer#1'         = @{ Setup = 'New-LvsVirtualService#1'; Check = { Get-DocTable | Should -Be 'tcp/192.0.2.10:80 rr', '-> 10.0.0.11:80 Nat 1' } }
        'Remove-LvsRealServer#2'         = @{ Setup = $both31; Check = { Get-DocTable | Should -Be 'tcp/192.0.2.10:80 wlc', 'fwm/100 wlc persistent 360 255.255.255.255', '-> 10.0.0.32:0 DirectRouting 1' } }
        'Remove-LvsRealServer#3'         = @{ Setup = 'New-LvsVirtualService#1'; Check = { Get-DocTable | Should -Be 'tcp/192.0.2.10:80 rr', '-> 10.0.0.11:80 Nat 1' } }
        'Remove-LvsRealServer#4'         = @{ Setup = $both31; Check = { $busy | Should -BeNullOrEmpty; Get-DocTable | Should -Be 'tcp/192.0.2.10:80 wlc', 'fwm/100 wlc persistent 360 255.255.255.255', '-> 10.0.0.32:0 DirectRouting 1' } }
        'Remove-LvsVirtualAddress#1'     = @{ Setup = 'Add-LvsVirtualAddress#1'; Check = { Get-DocAddress lo | Should -Not -Match '192\.0\.2\.10' } }
        'Remove-LvsVirtualAddress#2'     = @{ Root = $true; Setup = { Add-LvsVirtualAddress -Address 192.0.2.10 -Persist; Add-LvsVirtualAddress -Address 2001:db8::10 -Persist }; Check = {
                Get-DocAddress lo | Should -Not -Match '192\.0\.2\.10|2001:db8::10'
                Get-DocFile /etc/lvsadmin/addresses.sh | Should -Not -Match '192\.0\.2\.10|2001:db8::10' } }
        'Remove-LvsVirtualService#1'     = @{ Setup = 'New-LvsVirtualService#1', 'New-LvsVirtualService#3'; Check = { Get-DocTable | Should -Be 'fwm/100 wlc persistent 360 255.255.255.0' } }
        'Remove-LvsVirtualService#2'     = @{ Setup = 'New-LvsVirtualService#1', 'New-LvsVirtualService#3'; Check = { Get-DocTable | Should -Be $web } }
        'Remove-LvsVirtualService#3'     = @{ Setup = $twoUdp; Check = { @(Get-LvsVirtualService).Count | Should -Be 3 } }
        'Reset-LvsDirector#1'            = @{ Root = $true; Setup = 'Initialize-LvsDirector#1'; Check = {
                Get-DocTable | Should -BeNullOrEmpty
                Get-DocAddress eth0 | Should -Not -Match '192\.0\.2\.10'
                Get-DocSysctl net.ipv4.ip_forward | Should -Be $RootSysctls['/proc/sys/net/ipv4/ip_forward']
                Get-DocFile /etc/lvsadmin/addresses.sh | Should -Not -Match '192\.0\.2\.10' } }
        'Reset-LvsDirector#2'            = @{ Setup = { Add-LvsVirtualAddress 192.0.2.10/24 eth0 -Label eth0:0 }; Same = 'net.ipv4.ip_forward', 'net.ipv4.conf.all.send_redirects'; Check = { Get-DocAddress eth0 | Should -Contain '192.0.2.10/24 eth0:0' } }
        'Reset-LvsRealServer#1'          = @{ Root = $true; Setup = 'Initialize-LvsRealServer#1'; Check = {
                Get-DocAddress lo | Should -Not -Match '192\.0\.2\.10'
                Get-DocSysctl net.ipv4.conf.all.arp_ignore | Should -Be $RootSysctls['/proc/sys/net/ipv4/conf/all/arp_ignore']
                Get-DocFile /etc/lvsadmin/addresses.sh | Should -Not -Match '192\.0\.2\.10' } }
        'Reset-LvsRealServer#2'          = @{ Setup = 'Add-LvsVirtualAddress#1'; Same = 'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce', 'net.ipv4.conf.lo.arp_ignore'; Check = { Get-DocAddress lo | Should -Contain '192.0.2.10/32 lo:0' } }
        'Reset-LvsStatistic#1'           = @{ Setup = 'New-LvsVirtualService#1', { Start-DocTraffic -Count 2; Stop-DocTraffic }; Check = { (Get-LvsVirtualService tcp/192.0.2.10:80).Connections | Should -Be 0 } }
        'Reset-LvsStatistic#2'           = @{ Setup = 'New-LvsVirtualService#1', { Start-DocTraffic -Count 2; Stop-DocTraffic }; Fast = $true; Check = { $out.Connections | Should -Be 0 } }
        'Reset-LvsStatistic#3'           = @{ Setup = 'New-LvsVirtualService#1', { New-LvsVirtualService udp/192.0.2.30:53; Start-DocTraffic -Count 2; Stop-DocTraffic }; Check = {
                (Get-LvsVirtualService tcp/192.0.2.10:80).Connections | Should -Be 2
                (Get-LvsVirtualService udp/192.0.2.30:53).Connections | Should -Be 0 } }
        'Set-LvsConfiguration#1'         = @{ Setup = $lvsJson, $drift; Check = {
                $result = $out | Where-Object { $_.PSObject.Properties['Changed'] }
                $result.Changed | Should -BeTrue
                Get-DocTable | Should -Be $web
                (Set-LvsConfiguration -Path ./lvs.json -PassThru).Changed | Should -BeFalse } }
        'Set-LvsConfiguration#2'         = @{ Setup = $lvsJson; Check = { Get-DocTable | Should -Be 'tcp/192.0.2.10:80 rr', '-> 10.0.0.11:80 Nat 1' } }
        'Set-LvsConfiguration#3'         = @{ Setup = { New-LvsVirtualService tcp/192.0.2.10:80 -Scheduler rr -NetworkNamespace blue; Add-LvsRealServer tcp/192.0.2.10:80 10.0.0.11 -NetworkNamespace blue; New-LvsVirtualService udp/192.0.2.30:53 -NetworkNamespace green }; Check = {
                Get-DocTable green | Should -Be 'tcp/192.0.2.10:80 rr', '-> 10.0.0.11:80 DirectRouting 1' } }
        'Set-LvsRealServer#1'            = @{ Setup = 'New-LvsVirtualService#1', { New-LvsVirtualService -FirewallMark 100; Add-LvsRealServer -Service fwm/100 -Address 10.0.0.11 -Weight 4 }; Check = {
                Get-DocTable | Should -Be 'tcp/192.0.2.10:80 rr', '-> 10.0.0.11:80 Nat 0', '-> 10.0.0.12:80 Nat 1', 'fwm/100 wlc', '-> 10.0.0.11:0 DirectRouting 0' } }
        'Set-LvsRealServer#2'            = @{ Setup = 'Add-LvsRealServer#2'; Check = { "$($out.Key) $($out.ForwardingMethod) $($out.Weight)" | Should -Be '10.0.0.21:443 DirectRouting 5' } }
        'Set-LvsRealServer#3'            = @{ Setup = 'New-LvsVirtualService#1'; Check = { $rs = Get-LvsRealServer tcp/192.0.2.10:80 10.0.0.12:80; "$($rs.UpperThreshold) $($rs.LowerThreshold)" | Should -Be '1000 800' } }
        'Set-LvsRealServerArp#1'         = @{ Root = $true; Check = {
                Get-DocSysctl net.ipv4.conf.all.arp_ignore, net.ipv4.conf.all.arp_announce, net.ipv4.conf.lo.arp_ignore, net.ipv4.conf.eth0.arp_ignore | Should -Be '1', '2', '1', '1'
                Get-DocFile /etc/sysctl.d/90-lvsadmin.conf | Should -Match 'net\.ipv4\.conf\.all\.arp_announce *= *2' } }
        'Set-LvsRealServerArp#2'         = @{ Same = 'net.ipv4.conf.eth0.arp_ignore', 'net.ipv4.conf.eth0.arp_announce', 'net.ipv4.conf.all.arp_ignore' }
        'Set-LvsRealServerArp#3'         = @{ Setup = { Set-LvsRealServerArp }; Check = { Get-DocSysctl net.ipv4.conf.all.arp_ignore, net.ipv4.conf.all.arp_announce | Should -Be '0', '0'; $out | Should -Not -BeNullOrEmpty } }
        'Set-LvsSysctl#1'                = @{ Root = $true; Check = {
                Get-DocSysctl net.ipv4.vs.expire_nodest_conn, net.ipv4.vs.expire_quiescent_template | Should -Be '1', '1'
                Get-DocFile /etc/sysctl.d/90-lvsadmin.conf | Should -Match 'net\.ipv4\.vs\.expire_quiescent_template *= *1' } }
        'Set-LvsSysctl#2'                = @{ Same = 'net.ipv4.vs.conntrack', 'net.ipv4.vs.conn_reuse_mode' }
        'Set-LvsSysctl#3'                = @{ Check = { "$($out.Value)" | Should -Be '3 100'; Get-DocSysctl net.ipv4.vs.sync_threshold | Should -Match '^3\s+100$' } }
        'Set-LvsTimeout#1'               = @{ Check = { "$($out.Tcp) $($out.TcpFin) $($out.Udp)" | Should -Be '7200 120 300' } }
        'Set-LvsTimeout#2'               = @{ Check = { $t = Get-LvsTimeout; "$($t.Tcp) $($t.TcpFin) $($t.Udp)" | Should -Be '900 120 60' } }
        'Set-LvsVirtualService#1'        = @{ Setup = 'New-LvsVirtualService#1'; Check = { @(Get-DocTable)[0] | Should -Be 'tcp/192.0.2.10:80 wrr' } }
        'Set-LvsVirtualService#2'        = @{ Setup = 'New-LvsVirtualService#3'; Check = { Get-DocTable | Should -Be 'fwm/100 wlc persistent 600 255.255.255.0'; $out.PersistenceTimeout | Should -Be 600 } }
        'Set-LvsVirtualService#3'        = @{ Setup = $twoUdp; Check = { Get-DocTable | Should -Be 'tcp/192.0.2.10:80 rr', 'udp/192.0.2.30:53 rr', 'udp/192.0.2.31:53 wlc' } }
        'Start-LvsSyncDaemon#1'          = @{ Check = { $d = Get-LvsSyncDaemon; "$($d.State) $($d.Interface) $($d.SyncId)" | Should -Be 'Master eth0 10' } }
        'Start-LvsSyncDaemon#2'          = @{ Check = { "$($out.State) $($out.Interface) $($out.SyncId) $($out.MulticastGroup) $($out.MulticastPort)" | Should -Be 'Backup eth1 10 239.1.1.1 8850' } }
        'Stop-LvsSyncDaemon#1'           = @{ Setup = 'Start-LvsSyncDaemon#1'; Check = { Get-LvsSyncDaemon | Should -BeNullOrEmpty } }
        'Stop-LvsSyncDaemon#2'           = @{ Setup = 'Start-LvsSyncDaemon#1', 'Start-LvsSyncDaemon#2'; Check = { Get-LvsSyncDaemon | Should -BeNullOrEmpty } }
        'Test-LvsConfiguration#1'        = @{ Setup = { New-DocDocument $Etc/lvsadmin/lvs.json }, $drift; Check = {
                $LASTEXITCODE | Should -Be 2
                Set-LvsRealServer -Service tcp/192.0.2.10:80 -Address 10.0.0.12:80 -Weight 1
                . $Rerun; $LASTEXITCODE | Should -Be 0 } }
        'Test-LvsConfiguration#2'        = @{ Setup = $lvsJson, $drift; Check = { ($out | Out-String -Width 200) | Should -Match 'Update\s+tcp/192\.0\.2\.10:80 -> 10\.0\.0\.12:80\s+\{?Weight: 5 -> 1' } }
        # a document whose one real server (127.0.0.1:1 in the example's namespace) refuses the TCP check
        'Test-LvsRealServerHealth#1'     = @{ Setup = {
                New-Item -ItemType Directory -Force $Etc/lvsadmin | Out-Null
                Set-Content $Etc/lvsadmin/lvs.json '{"schemaVersion": 1, "services": [{"service": "tcp/192.0.2.10:80", "scheduler": "rr", "health": {"checks": [{"type": "tcp", "connectTimeout": 2}]}, "realServers": [{"address": "127.0.0.1:1", "forwardingMethod": "nat"}]}]}' }; Check = {
                $out.Passed | Should -Be $false
                "$($out.RealServer) $($out.Type)" | Should -Be '127.0.0.1:1 Tcp'
                $out.Reason | Should -Match 'ConnectionRefused' } }
        # the namespace has no route to 10.0.0.0/24: both checks fail fast, from inside it
        'Test-LvsRealServerHealth#2'     = @{ Check = {
                @($out).Count | Should -Be 2
                $out.Type | Should -Be 'Http', 'Http'
                $out.Passed | Should -Be $false, $false
                ($out.Reason -join ' ') | Should -Match 'NetworkUnreachable|HostUnreachable|TimedOut' } }
        'Test-LvsDirector#1'             = @{ Check = { ($out | Out-String -Width 300) | Should -Match 'IpForward\s+net\.ipv4\.ip_forward\s+False' } }
        'Test-LvsDirector#2'             = @{ Setup = { Initialize-LvsDirector DirectRouting 192.0.2.10, 2001:db8::10 eth0 -IpvsSysctl @{ ExpireNodestConn = 1 } }; Check = { Get-DocSysctl net.ipv4.vs.expire_nodest_conn | Should -Be '1' } }
        'Test-LvsDirector#3'             = @{ Setup = 'New-LvsVirtualService#1', 'New-LvsVirtualService#2', { Initialize-LvsDirector DirectRouting 192.0.2.10 eth0 }; Check = {
                $out.Passed | Should -Not -Contain $true
                ($out.Target -join ' ') | Should -Match '192\.0\.2\.20'
                ($out.Target -join ' ') | Should -Not -Match '192\.0\.2\.10' } }
        'Test-LvsRealServer#1'           = @{ Check = { ($out | Out-String -Width 300) | Should -Match 'net\.ipv4\.conf\.all\.arp_ignore.*Set-LvsRealServerArp' } }
        'Test-LvsRealServer#2'           = @{ Check = { Get-DocAddress tunl0 | Should -Contain '192.0.2.10/32'; Test-LvsRealServer Tunnel 192.0.2.10 -Quiet | Should -BeTrue } }
        'Get-LvsRealServerSetup#1'       = @{ Check = {
                $out | ForEach-Object { "$($_.Address) $($_.Method) $($_.VirtualAddresses -join ',')" } | Should -Be '10.0.1.21 DirectRouting 192.0.2.10', '10.0.1.22 Tunnel 192.0.2.10'
                Get-DocAddress lo | Should -Not -Contain '192.0.2.10/32' } }
        'Get-LvsRealServerSetup#2'       = @{ Check = {
                Get-Content -Raw ./web1-setup.sh | Should -Match '(?m)^add_addr 192\.0\.2\.10 32 lo$'
                Get-Content -Raw ./web1-check.sh | Should -Match '(?m)^check_addr 192\.0\.2\.10 32 lo$'
                sh -n ./web1-setup.sh; $LASTEXITCODE | Should -Be 0 } }
        'Get-LvsRealServerSetup#3'       = @{ Check = {
                $setup = @($out | Where-Object { $_.PSObject.Properties['VirtualAddresses'] })
                $setup.Count | Should -Be 1 -Because "the output was: $(@($out | ForEach-Object { $_.GetType().FullName }) -join ', ')"
                "$($setup[0].Address)" | Should -Be '10.0.1.21'
                @($setup[0].VirtualAddresses | ForEach-Object { "$_" }) | Should -Be '192.0.2.10', '192.0.2.11' } }
        'Sync-LvsRealServer#1'           = @{ Skip = 'needs SSH-reachable real-server hosts with PowerShell; tests/host/Remoting.Tests.ps1 drives this against sshd in network namespaces' }
        'Sync-LvsRealServer#2'           = @{ Skip = 'needs SSH-reachable real-server hosts with PowerShell; tests/host/Remoting.Tests.ps1 drives this against sshd in network namespaces' }
        'Sync-LvsRealServer#3'           = @{ Skip = 'needs SSH-reachable real-server hosts with PowerShell; tests/host/Remoting.Tests.ps1 drives this against sshd in network namespaces' }
        'Test-LvsRealServerFleet#1'      = @{ Skip = 'needs SSH-reachable real-server hosts with PowerShell; tests/host/Remoting.Tests.ps1 drives this against sshd in network namespaces' }
        'Test-LvsRealServerFleet#2'      = @{ Skip = 'needs SSH-reachable real-server hosts with PowerShell; tests/host/Remoting.Tests.ps1 drives this against sshd in network namespaces' }
        'Install-LvsAdminModule#1'       = @{ Skip = 'needs SSH-reachable real-server hosts with PowerShell; tests/host/Remoting.Tests.ps1 drives this against sshd in network namespaces' }
        'Install-LvsAdminModule#2'       = @{ Skip = 'needs SSH-reachable real-server hosts with PowerShell; tests/host/Remoting.Tests.ps1 drives this against sshd in network namespaces' }
        'guides/Remoting#the-fleet-workflow' = @{ Skip = 'needs SSH-reachable real-server hosts with PowerShell; tests/host/Remoting.Tests.ps1 drives this against sshd in network namespaces' }
        'Set-LvsConfiguration#4' = @{ Skip = 'needs two SSH-reachable directors with PowerShell; the lab remoting suite (tests/LvsAdmin.Remoting.Tests.ps1, ''Two directors'') drives this against sshd in network namespaces' }
        'Compare-LvsConfiguration#4' = @{ Skip = 'needs two SSH-reachable directors with PowerShell; the lab remoting suite (tests/LvsAdmin.Remoting.Tests.ps1, ''Two directors'') drives this against sshd in network namespaces' }
        'Test-LvsConfiguration#3' = @{ Skip = 'needs two SSH-reachable directors with PowerShell; the lab remoting suite (tests/LvsAdmin.Remoting.Tests.ps1, ''Two directors'') drives this against sshd in network namespaces' }
        'Start-LvsSyncDaemon#3' = @{ Skip = 'needs two SSH-reachable directors with PowerShell; the lab remoting suite (tests/LvsAdmin.Remoting.Tests.ps1, ''Two directors'') drives this against sshd in network namespaces' }
        'guides/Remoting#directors' = @{ Skip = 'needs two SSH-reachable directors with PowerShell; the lab remoting suite (tests/LvsAdmin.Remoting.Tests.ps1, ''Two directors'') drives this against sshd in network namespaces' }
        'guides/Remoting#dsc-across-hosts' = @{ Skip = 'needs SSH-reachable real-server hosts with PowerShell; tests/host/Remoting.Tests.ps1 drives this against sshd in network namespaces' }
        'guides/Remoting#hosts-without-powershell' = @{ Setup = 'Get-LvsRealServerSetup#2', { Export-LvsConfiguration -Path ./lvs.json }; Check = {
                Get-Content -Raw ./web1-setup.sh | Should -Match '(?m)^persist_addr ''ip address replace 192\.0\.2\.10/32 dev lo''$'
                Get-Content -Raw ./web1-check.sh | Should -Match '(?m)^check_addr 192\.0\.2\.10 32 lo$' } }
        'about_LvsAdmin_Automation#exit-codes-of-pwsh.1' = @{ Setup = { New-DocDocument $Etc/lvsadmin/lvs.json -Clear }; Check = { $LASTEXITCODE | Should -Be 0; Get-DocTable | Should -Be $web } }
        'about_LvsAdmin_Automation#exit-codes-of-pwsh.2' = @{ Setup = { New-DocDocument $Etc/lvsadmin/lvs.json }, $drift; Check = { $LASTEXITCODE | Should -Be 2 } }
        'about_LvsAdmin_Automation#json-results.1' = @{ Setup = $plus4; Check = {
                # the output the text after the block shows
                $out | Should -Be '{"Changed":true,"Steps":["Add real server tcp/192.0.2.10:80 -> 10.0.0.4:80"]}'
                Get-DocTable | Should -Contain '-> 10.0.0.4:80 Nat 1' } }
        'about_LvsAdmin_Automation#json-results.2' = @{ Setup = $plus4; Check = {
                $out | Should -Be '{"Changed":true,"Steps":["Add real server tcp/192.0.2.10:80 -> 10.0.0.4:80"]}'
                Get-DocTable | Should -Be $web } }
        'about_LvsAdmin_Automation#1.1'  = @{ Setup = { New-DocDocument $Etc/ipvsadm.rules -Ipvsadm -Clear; New-LvsVirtualService -Service udp/192.0.2.30:53 }; Check = { $LASTEXITCODE | Should -Be 0; Get-DocTable | Should -Be $web } }
        'about_LvsAdmin_Automation#1.2'  = @{ Setup = 'New-LvsVirtualService#1'; Check = {
                $LASTEXITCODE | Should -Be 0
                Get-DocFile /etc/ipvsadm.rules | Should -BeExactly (((ip netns exec $Ns ipvsadm -Sn) -join "`n") + "`n") } }
        # the crontab line's "| ifne mail -s ..." is not run: the lab has no mail
        'about_LvsAdmin_Automation#2'    = @{ Setup = { New-DocDocument $Etc/lvsadmin/lvs.json }, $drift; Check = { ($out -join "`n") | Should -Match 'Update\s+RealServer\s+tcp/192\.0\.2\.10:80 -> 10\.0\.0\.12:80' } }
        'about_LvsAdmin#1'               = @{ Check = { Get-DocTable | Should -Be 'tcp/207.175.44.110:80 rr', '-> 192.168.10.1:80 Nat 1', '-> 192.168.10.2:80 Nat 2' } }
        'about_LvsAdmin#2'               = @{ Check = { Get-DocTable | Should -Be 'fwm/1 wlc persistent 600 255.255.255.255', '-> 172.16.0.10:0 DirectRouting 1' } }
        'about_LvsAdmin#3'               = @{ Setup = { New-LvsVirtualService tcp/10.0.0.1:80 }; Check = {
                $rs = Get-LvsRealServer tcp/10.0.0.1:80
                "$($rs.Key) $($rs.ForwardingMethod) $($rs.TunnelType) $($rs.TunnelPort) $($rs.TunnelChecksum)" | Should -Be '192.168.20.5:80 Tunnel Gue 6080 RemoteChecksum' } }
        'about_LvsAdmin#4'               = @{ Setup = { New-LvsVirtualService tcp/10.0.0.1:80 -Scheduler rr; Add-LvsRealServer tcp/10.0.0.1:80 192.168.10.1 -ForwardingMethod Nat; Add-LvsRealServer tcp/10.0.0.1:80 192.168.10.2 -ForwardingMethod Nat; Start-DocTraffic tcp/10.0.0.1:80 -Count 2 }; Check = {
                $text = $out | Out-String -Width 200
                $text | Should -Match 'Conns\s+InPkts'
                $text | Should -Match 'CPS\s+InPPS'
                @($out | Where-Object { $_.PSObject.Properties['State'] }).State | Should -Be 'ESTABLISHED', 'ESTABLISHED' } }
        'about_LvsAdmin#5'               = @{ Setup = { New-LvsVirtualService tcp/10.0.0.1:80 -Scheduler rr; Add-LvsRealServer tcp/10.0.0.1:80 192.168.10.1 -ForwardingMethod Nat; Add-LvsRealServer tcp/10.0.0.1:80 192.168.10.2 -ForwardingMethod Nat; Start-DocTraffic tcp/10.0.0.1:80 -Count 2 }; Check = {
                ($out | Where-Object { $_.PSObject.Properties['Count'] }).Count | Should -Be 1
                Get-DocTable | Should -Be 'tcp/10.0.0.1:80 rr', '-> 192.168.10.1:80 Nat 1' } }
        'about_LvsAdmin#6'               = @{ Check = {
                $t = Get-LvsTimeout; "$($t.Tcp) $($t.TcpFin) $($t.Udp)" | Should -Be '900 120 300'
                "$($out.State) $($out.Interface) $($out.SyncId)" | Should -Be 'Master eth1 10' } }
        'about_LvsAdmin#7'               = @{ Check = { Get-DocTable lb1 | Should -Be 'udp/[2001:db8::1]:53 sh (Flag1, Flag2)' } }
        'about_LvsAdmin#8.1'             = @{ Root = $true; Check = { $out | Should -Be $true; Get-DocAddress lo | Should -Contain '192.0.2.10/32' } }
        'about_LvsAdmin#8.2'             = @{ Root = $true; Check = {
                Get-DocAddress eth0 | Should -Contain '192.0.2.10/32'
                Get-DocSysctl net.ipv4.vs.expire_nodest_conn | Should -Be '1'
                Get-DocTable | Should -Be 'tcp/192.0.2.10:80 wrr', '-> 10.0.0.11:80 DirectRouting 2', '-> 10.0.0.12:80 DirectRouting 1' } }
    }

    # Runs one example as described at the top of this file; returns nothing, fails through Should or an error.
    function Invoke-DocExample([hashtable] $Example) {
        $spec = $Specs[$Example.Id]
        $Catalog = $Example.Catalog
        $script:Ns = $Example.Ns
        $work = Join-Path ([IO.Path]::GetTempPath()) ('lvsdoc-' + [guid]::NewGuid().ToString('N'))
        $Etc = Join-Path $work 'etc'
        $setups = @($spec.Setup | Where-Object { $_ })
        $code = Convert-DocCode $Example.Code $Etc $spec.Fill $Example.Shell
        $setupText = @($setups | ForEach-Object { if ($_ -is [string]) { $Catalog[$_] } else { "$_" } })
        $named = Get-NamedNamespace (@($code) + $setupText)
        if ($Dry) {
            $where = if ($spec.Root) { "the lab's own namespace" } else { "network namespace $Ns" }
            Write-Host "--- $($Example.Id) ($($Example.File):$($Example.Line)) in $where$(if ($named) { ', fresh: ' + ($named -join ', ') })"
            if ($setups) { Write-Host "setup: $(@($setups | ForEach-Object { if ($_ -is [string]) { $_ } else { '{' + "$_".Trim() + '}' } }) -join '; ')" }
            Write-Host $code
            return $false
        }
        Wait-DocNamespace $Example.Pool $Ns
        foreach ($d in "$Etc/lvsadmin", "$work/state", "$work/cwd") { $null = [IO.Directory]::CreateDirectory($d) }
        $env:LVSADMIN_PERSIST_ROOT = $work
        $env:LVSADMIN_STATE_DIRECTORY = Join-Path $work 'state'
        $script:At = if ($spec.Root) { '' } else { $Ns }
        if ($named) { New-DocNamespace $named; $script:Named = @($script:Named) + $named | Sort-Object -Unique }
        $same = @($spec.Same | Where-Object { $_ })
        if ($spec.Root) { Save-RootState }
        Push-Location "$work/cwd"
        $PSDefaultParameterValues = @{}
        if (-not $spec.Root) { $PSDefaultParameterValues['*-Lvs*:NetworkNamespace'] = $Ns }
        if ($spec.Fast) { function Start-Sleep { Microsoft.PowerShell.Utility\Start-Sleep -Milliseconds 100 } }
        $ConfirmPreference = 'None'
        $ErrorActionPreference = 'Stop'
        # the lab's short PATH (lab.sh --short-path) has no git, which Export-LvsConfiguration#2 runs
        if (-not (Get-Command git -CommandType Application -ErrorAction Ignore) -and [IO.File]::Exists('/usr/bin/git')) { Set-Alias git /usr/bin/git }
        try {
            foreach ($s in $setups) {
                if ($s -is [string]) { $null = . ([scriptblock]::Create((Convert-DocCode $Catalog[$s] $Etc))) } else { $null = . $s }
            }
            # what the example must leave as it found it: the values after its setup
            if ($same) { $sameBefore = @(Get-DocSysctl $same) }
            $Rerun = [scriptblock]::Create($code)
            $all = @(. $Rerun 3>&1)
            $warnings = @($all | Where-Object { $_ -is [Management.Automation.WarningRecord] } | ForEach-Object Message)
            $out = @($all | Where-Object { $_ -isnot [Management.Automation.WarningRecord] })
            if ($spec.Check) { $null = . $spec.Check }
            if ($same) { Get-DocSysctl $same | Should -Be $sameBefore -Because "the example does not change $($same -join ', ')" }
        } finally {
            $ErrorActionPreference = 'Continue'
            Pop-Location
            Stop-DocTraffic
            if ($spec.Root) { Restore-RootState }
            [IO.Directory]::Delete($work, $true)
            Remove-Item Env:LVSADMIN_PERSIST_ROOT, Env:LVSADMIN_STATE_DIRECTORY -ErrorAction Ignore
        }
        $true
    }
}

AfterAll {
    if ($Dry) { return }
    if ($script:Pool) {
        if (-not $Pool.Process.WaitForExit(600000)) { $Pool.Process.Kill() }
        [IO.Directory]::Delete($Pool.Directory, $true)
    }
    $gone = @($script:Pool.Names) + @($script:Named) | Where-Object { $_ } | ForEach-Object { "ip netns del $_ 2>/dev/null || true" }
    if ($script:MadeRootEth0) { $gone += 'ip link del eth0' }
    if ($gone) { Invoke-DocShell $gone }
}

Describe 'docs/*.md examples' {
    It 'found the examples of every help file' -TestCases @{ Examples = $Examples } {
        $Examples.Count | Should -BeGreaterThan 90
        $count = @{}
        foreach ($e in $Examples) { $count[$e.File]++ }
        $few = foreach ($f in Get-ChildItem (Join-Path $PSScriptRoot '../docs') -Filter '*-Lvs*.md') { if ($count["docs/$($f.Name)"] -lt 2) { $f.Name } }
        $few | Should -BeNullOrEmpty -Because 'every cmdlet help needs at least two examples'
    }

    It 'has an entry for every example, and every entry names an example' -TestCases @{ Ids = @($Examples.Id) } {
        @($Ids | Where-Object { -not $Specs.ContainsKey($_) }) | Should -BeNullOrEmpty -Because 'each example needs an entry (setup and check) in $Specs'
        @($Specs.Keys | Where-Object { $_ -notin $Ids }) | Should -BeNullOrEmpty -Because 'an entry of $Specs must name an example'
        $unknown = foreach ($id in $Ids) { foreach ($s in @($Specs[$id].Setup)) { if ($s -is [string] -and $s -notin $Ids) { "$id -> $s" } } }
        $unknown | Should -BeNullOrEmpty -Because 'a setup names examples by their id'
    }

    It '<Id> (<File>:<Line>) <Title>' -ForEach $Examples {
        $spec = $Specs[$Id]
        $spec | Should -Not -BeNullOrEmpty -Because "$Id needs an entry in `$Specs"
        ($spec.Check -or $spec.Same -or $spec.Skip) | Should -BeTrue -Because "$Id needs a Check or Same"
        if ($spec.Skip) { Set-ItResult -Skipped -Because $spec.Skip; return }
        if ($env:LVS_DOCS_ONLY -and $Id -notmatch $env:LVS_DOCS_ONLY) { Set-ItResult -Skipped -Because "not in LVS_DOCS_ONLY"; return }
        if (-not (Invoke-DocExample $_)) { Set-ItResult -Skipped -Because 'dry run (LVS_DOCS_DRY)' }
    }
}
