<#
RDP Doctor client check (schema rdp-doctor.client-check/1)

Run it on the computer that cannot connect, in Windows PowerShell 5.1 or PowerShell 7, as the
person who connects (no elevation needed), naming the server as you type it in Remote Desktop:
  powershell -NoProfile -ExecutionPolicy Bypass -File .\client.ps1 -Server rdp.example.com
  powershell -NoProfile -ExecutionPolicy Bypass -File .\client.ps1 -Server rdp.example.com -Port 3390 -Clipboard
Then paste or drop the output into the RDP Doctor page, which reads it in your browser.

What it collects, as one JSON document:
  - Windows edition, version and build; the version of mstsc.exe and of the Windows App;
  - the Remote Desktop client policies (HKLM and HKCU ...\Terminal Services\Client), the CredSSP
    policy (AllowEncryptionOracle) and the credential delegation policy's value names;
  - which saved credentials exist for the server (their target names only, from cmdkey /list);
  - the server's DNS resolution, a TCP connection test to its port (opened and closed at once,
    nothing sent), the connection's source address and interface;
  - VPN adapters and the MTU of each connected interface; the proxy settings;
  - the time service's status and offset.

What it never does: it changes nothing (it only reads: Get-* commands, registry reads, cmdkey
/list, netsh winhttp show proxy, w32tm /query), sends nothing anywhere but the DNS lookup and the
TCP test to the server you name, and collects no secrets: no passwords, no user names of saved
credentials, no files.
#>
[CmdletBinding()]
param(
    # The server as you type it in Remote Desktop (name or address, optionally name:port).
    [Parameter(Mandatory = $true)] [string] $Server,
    [int] $Port = 0,
    # Also save the JSON to this file.
    [string] $OutFile,
    # Also copy the JSON to the clipboard.
    [switch] $Clipboard
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# "name:port" as typed in mstsc; a bare IPv6 address has more than one colon.
$TargetHost = $Server.Trim()
if ($TargetHost -match '^\[(.+)\]:(\d+)$') { $TargetHost = $Matches[1]; if ($Port -eq 0) { $Port = [int] $Matches[2] } }
elseif ($TargetHost -match '^([^:]+):(\d+)$') { $TargetHost = $Matches[1]; if ($Port -eq 0) { $Port = [int] $Matches[2] } }
if ($Port -eq 0) { $Port = 3389 }

function Read-Section([string] $Name, [scriptblock] $Body) {
    try {
        return & $Body
    } catch {
        return [ordered]@{ error = "$($_.Exception.Message)" }
    }
}

function Get-RegistryValues([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return $null }
    $item = Get-ItemProperty -LiteralPath $Path
    $values = [ordered]@{}
    foreach ($property in $item.PSObject.Properties) {
        if ($property.Name -like 'PS*') { continue }
        $value = $property.Value
        if ($value -is [byte[]]) { $value = ($value | ForEach-Object { $_.ToString('x2') }) -join '' }
        $values[$property.Name] = $value
    }
    return $values
}

$sections = [ordered]@{}

$sections.os = Read-Section 'os' {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $current = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    [ordered]@{
        caption    = $os.Caption
        version    = $os.Version
        build      = $os.BuildNumber
        ubr        = $current.UBR
        display    = $current.DisplayVersion
        powershell = $PSVersionTable.PSVersion.ToString()
    }
}

$sections.clients = Read-Section 'clients' {
    $mstsc = Get-Item -LiteralPath (Join-Path $env:SystemRoot 'System32\mstsc.exe') -ErrorAction SilentlyContinue
    $apps = @()
    try {
        $apps = @(Get-AppxPackage -Name 'MicrosoftCorporationII.Windows365', 'MicrosoftCorporationII.WindowsApp' |
            ForEach-Object { [ordered]@{ name = $_.Name; version = "$($_.Version)" } })
    } catch {
        # Get-AppxPackage is missing in some PowerShell 7 sessions; mstsc is what most people use.
    }
    [ordered]@{
        mstsc_version = if ($mstsc) { $mstsc.VersionInfo.ProductVersion } else { $null }
        windows_app   = $apps
    }
}

$sections.client_policy = Read-Section 'client_policy' {
    $credssp = Get-RegistryValues 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\CredSSP\Parameters'
    $delegation = Get-RegistryValues 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\CredentialsDelegation'
    [ordered]@{
        machine               = Get-RegistryValues 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services\Client'
        user                  = Get-RegistryValues 'HKCU:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services\Client'
        AllowEncryptionOracle = if ($credssp) { $credssp.AllowEncryptionOracle } else { $null }
        credential_delegation = if ($delegation) { @($delegation.Keys) } else { @() }
    }
}

$sections.saved_credentials = Read-Section 'saved_credentials' {
    $ErrorActionPreference = 'Continue'
    # Only the "Target:" lines: the user names below them are left out.
    $targets = @(cmdkey /list 2>&1 | ForEach-Object { if ("$_" -match '(TERMSRV/\S+)') { $Matches[1] } })
    [ordered]@{
        termsrv_targets = $targets
        for_server      = @($targets | Where-Object { $_ -like "*TERMSRV/$TargetHost" })
    }
}

$sections.dns = Read-Section 'dns' {
    $answers = @(Resolve-DnsName -Name $TargetHost -DnsOnly -ErrorAction Stop | Where-Object { $_.IPAddress } |
        ForEach-Object { [ordered]@{ type = "$($_.Type)"; address = $_.IPAddress } })
    [ordered]@{ name = $TargetHost; answers = $answers }
}

$sections.tcp = Read-Section 'tcp' {
    $client = [System.Net.Sockets.TcpClient]::new()
    try {
        $started = Get-Date
        $task = $client.ConnectAsync($TargetHost, $Port)
        $finished = $false
        # Wait throws when the connection failed; the task then holds the reason.
        try { $finished = $task.Wait(5000) } catch { $finished = $true }
        $elapsed = [int] ((Get-Date) - $started).TotalMilliseconds
        $result = [ordered]@{ host = $TargetHost; port = $Port; connected = ($finished -and $client.Connected); milliseconds = $elapsed; failure = $null; source = $null; remote = $null }
        if ($result.connected) {
            $result.source = "$($client.Client.LocalEndPoint)"
            $result.remote = "$($client.Client.RemoteEndPoint)"
        } elseif (-not $finished) {
            $result.failure = 'no answer within 5 seconds'
        } else {
            $result.failure = "$($task.Exception.InnerException.Message)"
        }
        $result
    } finally {
        $client.Dispose()
    }
}

$sections.interfaces = Read-Section 'interfaces' {
    $vpnPattern = '(?i)vpn|tap-windows|wireguard|wintun|anyconnect|globalprotect|fortinet|forticlient|pangp|juniper|pulse|zscaler|openvpn|tailscale|zerotier|ppp|wan miniport'
    $adapters = @(Get-NetAdapter | Where-Object { $_.Status -eq 'Up' } | ForEach-Object {
        $mtu = (Get-NetIPInterface -InterfaceIndex $_.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue).NlMtu
        [ordered]@{ name = $_.Name; description = $_.InterfaceDescription; mtu = $mtu; vpn = ($_.InterfaceDescription -match $vpnPattern) }
    })
    $vpnConnections = @()
    try { $vpnConnections = @(Get-VpnConnection | ForEach-Object { [ordered]@{ name = $_.Name; status = "$($_.ConnectionStatus)" } }) } catch { $vpnConnections = @() }
    [ordered]@{ adapters = $adapters; vpn_connections = $vpnConnections }
}

$sections.proxy = Read-Section 'proxy' {
    $ErrorActionPreference = 'Continue'
    $user = Get-RegistryValues 'HKCU:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings'
    [ordered]@{
        proxy_enable = if ($user) { $user.ProxyEnable } else { $null }
        proxy_server = if ($user) { $user.ProxyServer } else { $null }
        auto_config  = if ($user) { $user.AutoConfigURL } else { $null }
        winhttp      = @(netsh winhttp show proxy 2>&1 | ForEach-Object { "$_".Trim() } | Where-Object { $_ })
    }
}

$sections.time = Read-Section 'time' {
    $ErrorActionPreference = 'Continue'
    $status = @(w32tm /query /status /verbose 2>&1 | ForEach-Object { "$_" })
    [ordered]@{ w32tm_status = $status; exit_code = $LASTEXITCODE; utc_now = (Get-Date).ToUniversalTime().ToString('o') }
}

$document = [ordered]@{
    schema       = 'rdp-doctor.client-check/1'
    collected_at = (Get-Date).ToUniversalTime().ToString('o')
    target       = [ordered]@{ host = $TargetHost; port = $Port }
    sections     = $sections
}
$json = $document | ConvertTo-Json -Depth 12
$json
if ($OutFile) { $json | Out-File -FilePath $OutFile -Encoding utf8 }
if ($Clipboard) { $json | Set-Clipboard }
