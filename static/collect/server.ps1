<#
RDP Doctor server check (schema rdp-doctor.server-check/1)

Run it on the Remote Desktop server, in Windows PowerShell 5.1 or PowerShell 7, preferably as
Administrator (some sections need it and say so when they could not run). Then paste or drop the
output into the RDP Doctor page, which reads it in your browser.

What it collects, as one JSON document:
  - Windows edition, version, build, the last installed updates and whether a reboot is pending;
  - the state and start type of Remote Desktop Services (TermService, UmRdpService, SessionEnv);
  - whether Remote Desktop is allowed (fDenyTSConnections), the RDP-Tcp listener's settings
    (PortNumber, SecurityLayer, UserAuthentication, MinEncryptionLevel, fEnableWinStation,
    MaxInstanceCount, the configured certificate thumbprint) and the Group Policy values that
    override them;
  - which process listens on the RDP port;
  - the RDP certificates (the Remote Desktop store and the configured thumbprint): subject, issuer,
    dates, thumbprint, EKUs, whether the private key is present, the key file's name and its
    permissions (who may read it, as account names and SIDs);
  - the permissions of the MachineKeys folder;
  - Schannel protocol and cipher settings, the TLS cipher suite order, CredSSP AllowEncryptionOracle;
  - firewall profiles and the Remote Desktop firewall rules (enabled, profiles, ports, remote
    addresses), the network category of each connection;
  - installed antivirus and firewall products (names and state);
  - the time service's status and offset; domain membership and the secure channel's state;
    Microsoft Entra join state (the yes/no lines of dsregcmd only);
  - the RD licensing mode and grace period;
  - members of Remote Desktop Users and the holders of the remote logon rights set by Group Policy;
  - Remote Desktop, Schannel and logon events of the last 24 hours: provider, ID, time and their
    error and status codes (no user names, addresses or messages).

What it never does: it changes nothing (it only reads: Get-* commands, registry and file
permission reads, w32tm /query, nltest /sc_query, dsregcmd /status), sends nothing anywhere
(nltest asks the domain controller about the secure channel, as Windows does itself), and collects
no secrets: no passwords, no private keys, no user files, no user names from events.

Usage:
  powershell -NoProfile -ExecutionPolicy Bypass -File .\server.ps1
  powershell -NoProfile -ExecutionPolicy Bypass -File .\server.ps1 -OutFile server-check.json
  powershell -NoProfile -ExecutionPolicy Bypass -File .\server.ps1 -Clipboard
#>
[CmdletBinding()]
param(
    # Also save the JSON to this file.
    [string] $OutFile,
    # Also copy the JSON to the clipboard.
    [switch] $Clipboard
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$TsKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server'
$ListenerKey = "$TsKey\WinStations\RDP-Tcp"
$PolicyKey = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
$SchannelKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL'
$MachineKeysPath = Join-Path $env:ProgramData 'Microsoft\Crypto\RSA\MachineKeys'
$CngKeysPath = Join-Path $env:ProgramData 'Microsoft\Crypto\Keys'

$IsElevated = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole(
    [Security.Principal.WindowsBuiltInRole]::Administrator)

# Runs one section; a failure becomes {"error": …} for that section only.
function Read-Section([string] $Name, [bool] $NeedsElevation, [scriptblock] $Body) {
    if ($NeedsElevation -and -not $IsElevated) {
        return [ordered]@{ error = "$Name needs an elevated PowerShell (Run as administrator)"; needs_elevation = $true }
    }
    try {
        return & $Body
    } catch {
        return [ordered]@{ error = "$($_.Exception.Message)"; needs_elevation = (-not $IsElevated) }
    }
}

# The named values of a registry key (null when the key does not exist); binary values as hex.
function Get-RegistryValues([string] $Path, [string[]] $Names) {
    if (-not (Test-Path -LiteralPath $Path)) { return $null }
    $item = Get-ItemProperty -LiteralPath $Path
    $values = [ordered]@{}
    foreach ($property in $item.PSObject.Properties) {
        if ($property.Name -like 'PS*') { continue }
        if ($Names -and ($Names -notcontains $property.Name)) { continue }
        $value = $property.Value
        if ($value -is [byte[]]) { $value = ($value | ForEach-Object { $_.ToString('x2') }) -join '' }
        $values[$property.Name] = $value
    }
    return $values
}

function Get-AclEntries([string] $Path) {
    $acl = Get-Acl -LiteralPath $Path
    $owner = $null
    try { $owner = $acl.GetOwner([Security.Principal.SecurityIdentifier]).Value } catch { $owner = $null }
    $entries = @(foreach ($rule in $acl.GetAccessRules($true, $true, [Security.Principal.SecurityIdentifier])) {
        $account = $null
        try { $account = $rule.IdentityReference.Translate([Security.Principal.NTAccount]).Value } catch { $account = $null }
        [ordered]@{
            sid       = $rule.IdentityReference.Value
            account   = $account
            rights    = $rule.FileSystemRights.ToString()
            type      = $rule.AccessControlType.ToString()
            inherited = $rule.IsInherited
        }
    })
    return [ordered]@{ path = $Path; owner_sid = $owner; access = $entries }
}

# Where a certificate's private key lives, without touching the key material.
function Get-KeyFile($Certificate) {
    $rsa = [Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate)
    if ($null -eq $rsa) { return $null }
    if ($rsa -is [Security.Cryptography.RSACng]) {
        $name = $rsa.Key.UniqueName
        $candidates = @((Join-Path $CngKeysPath $name), (Join-Path $MachineKeysPath $name))
    } else {
        $name = $rsa.CspKeyContainerInfo.UniqueKeyContainerName
        $candidates = @((Join-Path $MachineKeysPath $name))
    }
    foreach ($candidate in $candidates) {
        if (Test-Path -LiteralPath $candidate) { return $candidate }
    }
    return $candidates[0]
}

function Get-CertificateFacts($Certificate, [string] $Store) {
    $ekus = @($Certificate.Extensions | Where-Object { $_ -is [Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] } |
        ForEach-Object { $_.EnhancedKeyUsages } | ForEach-Object { $_.Value })
    $facts = [ordered]@{
        store           = $Store
        thumbprint      = $Certificate.Thumbprint
        subject         = $Certificate.Subject
        issuer          = $Certificate.Issuer
        not_before      = $Certificate.NotBefore.ToUniversalTime().ToString('o')
        not_after       = $Certificate.NotAfter.ToUniversalTime().ToString('o')
        has_private_key = $Certificate.HasPrivateKey
        eku             = $ekus
        key_file        = $null
        key_acl         = $null
        key_error       = $null
    }
    if ($Certificate.HasPrivateKey) {
        try {
            $file = Get-KeyFile $Certificate
            $facts.key_file = $file
            if ($file -and (Test-Path -LiteralPath $file)) { $facts.key_acl = Get-AclEntries $file }
            elseif ($file) { $facts.key_error = "the key file $file does not exist" }
        } catch {
            $facts.key_error = "$($_.Exception.Message)"
        }
    }
    return $facts
}

$sections = [ordered]@{}

$sections.os = Read-Section 'os' $false {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $current = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    $updates = @(Get-CimInstance -ClassName Win32_QuickFixEngineering | Where-Object { $_.InstalledOn } |
        Sort-Object InstalledOn -Descending | Select-Object -First 5 | ForEach-Object {
            [ordered]@{ id = $_.HotFixID; installed_on = $_.InstalledOn.ToString('yyyy-MM-dd') }
        })
    $pending = @()
    if (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') { $pending += 'component servicing' }
    if (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') { $pending += 'Windows Update' }
    $renames = (Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager').PendingFileRenameOperations
    if ($renames) { $pending += 'file renames' }
    [ordered]@{
        caption        = $os.Caption
        version        = $os.Version
        build          = $os.BuildNumber
        ubr            = $current.UBR
        display        = $current.DisplayVersion
        product_type   = $os.ProductType
        last_boot      = $os.LastBootUpTime.ToUniversalTime().ToString('o')
        last_updates   = $updates
        pending_reboot = $pending
        powershell     = $PSVersionTable.PSVersion.ToString()
        elevated       = $IsElevated
    }
}

$sections.services = Read-Section 'services' $false {
    @(foreach ($name in 'TermService', 'UmRdpService', 'SessionEnv') {
        $service = Get-Service -Name $name -ErrorAction SilentlyContinue
        if ($null -eq $service) {
            [ordered]@{ name = $name; status = 'NotInstalled'; start_type = $null }
        } else {
            [ordered]@{ name = $name; status = $service.Status.ToString(); start_type = $service.StartType.ToString() }
        }
    })
}

$sections.remote_desktop = Read-Section 'remote_desktop' $false {
    Get-RegistryValues $TsKey @('fDenyTSConnections', 'fSingleSessionPerUser')
}

$sections.listener = Read-Section 'listener' $false {
    $values = Get-RegistryValues $ListenerKey @('PortNumber', 'SecurityLayer', 'UserAuthentication', 'MinEncryptionLevel',
        'fEnableWinStation', 'MaxInstanceCount', 'SSLCertificateSHA1Hash')
    if ($null -eq $values) { throw 'the RDP-Tcp listener key does not exist' }
    $values
}

$sections.policy = Read-Section 'policy' $false {
    Get-RegistryValues $PolicyKey @('fDenyTSConnections', 'SecurityLayer', 'UserAuthentication', 'MinEncryptionLevel',
        'MaxInstanceCount', 'fEncryptRPCTraffic', 'LicensingMode', 'LicenseServers', 'SSLCertificateTemplateName',
        'fSingleSessionPerUser', 'MaxConnectionTime', 'MaxIdleTime')
}

$RdpPort = 3389
if ($sections.listener -and $sections.listener.PortNumber) { $RdpPort = [int] $sections.listener.PortNumber }

$sections.port_listeners = Read-Section 'port_listeners' $false {
    @(Get-NetTCPConnection -State Listen -LocalPort $RdpPort -ErrorAction SilentlyContinue | ForEach-Object {
        $process = Get-Process -Id $_.OwningProcess -ErrorAction SilentlyContinue
        $service = @(Get-CimInstance -ClassName Win32_Service -Filter "ProcessId=$($_.OwningProcess)" | ForEach-Object { $_.Name })
        [ordered]@{
            address  = $_.LocalAddress
            port     = $_.LocalPort
            pid      = $_.OwningProcess
            process  = if ($process) { $process.ProcessName } else { $null }
            services = $service
        }
    })
}

$sections.certificates = Read-Section 'certificates' $true {
    $configured = $null
    $setting = Get-CimInstance -Namespace 'root\cimv2\TerminalServices' -ClassName Win32_TSGeneralSetting -Filter "TerminalName='RDP-Tcp'"
    if ($setting) { $configured = $setting.SSLCertificateSHA1Hash }
    $certificates = @(Get-ChildItem -LiteralPath 'Cert:\LocalMachine\Remote Desktop' | ForEach-Object { Get-CertificateFacts $_ 'Remote Desktop' })
    $configuredFound = $false
    if ($configured) {
        foreach ($store in 'My', 'Remote Desktop') {
            $match = Get-ChildItem -LiteralPath "Cert:\LocalMachine\$store" | Where-Object { $_.Thumbprint -eq $configured }
            if ($match) {
                $configuredFound = $true
                if ($store -eq 'My') { $certificates += Get-CertificateFacts $match 'My' }
            }
        }
    }
    [ordered]@{
        configured_thumbprint = $configured
        configured_found      = $configuredFound
        certificates          = $certificates
    }
}

$sections.machinekeys = Read-Section 'machinekeys' $false {
    Get-AclEntries $MachineKeysPath
}

$sections.schannel = Read-Section 'schannel' $false {
    $protocols = @()
    if (Test-Path -LiteralPath "$SchannelKey\Protocols") {
        foreach ($protocol in Get-ChildItem -LiteralPath "$SchannelKey\Protocols") {
            foreach ($side in Get-ChildItem -LiteralPath $protocol.PSPath) {
                $values = Get-RegistryValues $side.PSPath @('Enabled', 'DisabledByDefault')
                $protocols += [ordered]@{ protocol = $protocol.PSChildName; side = $side.PSChildName; enabled = $values.Enabled; disabled_by_default = $values.DisabledByDefault }
            }
        }
    }
    $ciphers = @()
    if (Test-Path -LiteralPath "$SchannelKey\Ciphers") {
        $ciphers = @(Get-ChildItem -LiteralPath "$SchannelKey\Ciphers" | ForEach-Object {
            [ordered]@{ cipher = $_.PSChildName; enabled = (Get-RegistryValues $_.PSPath @('Enabled')).Enabled }
        })
    }
    $suitePolicy = Get-RegistryValues 'HKLM:\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002' @('Functions')
    $suites = @()
    try { $suites = @(Get-TlsCipherSuite | ForEach-Object { $_.Name }) } catch { $suites = @() }
    [ordered]@{
        protocols           = $protocols
        ciphers             = $ciphers
        cipher_suite_policy = if ($suitePolicy) { $suitePolicy.Functions } else { $null }
        cipher_suites       = $suites
    }
}

$sections.credssp = Read-Section 'credssp' $false {
    $values = Get-RegistryValues 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\CredSSP\Parameters' @('AllowEncryptionOracle')
    [ordered]@{ AllowEncryptionOracle = if ($values) { $values.AllowEncryptionOracle } else { $null } }
}

$sections.firewall = Read-Section 'firewall' $false {
    $profiles = @(Get-NetFirewallProfile | ForEach-Object {
        [ordered]@{ name = $_.Name; enabled = $_.Enabled.ToString(); default_inbound = $_.DefaultInboundAction.ToString() }
    })
    # The built-in Remote Desktop group (its name is language-neutral), and any rule on the RDP port.
    $rules = @(Get-NetFirewallRule -Direction Inbound | Where-Object { $_.Group -eq '@FirewallAPI.dll,-28752' -or $_.DisplayGroup -like '*Remote Desktop*' })
    $portRules = @(Get-NetFirewallPortFilter -Protocol TCP | Where-Object { @($_.LocalPort) -contains "$RdpPort" } | Get-NetFirewallRule |
        Where-Object { $_.Direction.ToString() -eq 'Inbound' })
    $seen = @{}
    $out = @()
    foreach ($rule in @($rules) + @($portRules)) {
        if ($seen.ContainsKey($rule.Name)) { continue }
        $seen[$rule.Name] = $true
        $ports = $rule | Get-NetFirewallPortFilter
        $addresses = $rule | Get-NetFirewallAddressFilter
        $out += [ordered]@{
            name           = $rule.Name
            display_name   = $rule.DisplayName
            group          = $rule.Group
            enabled        = $rule.Enabled.ToString()
            profile        = $rule.Profile.ToString()
            direction      = $rule.Direction.ToString()
            action         = $rule.Action.ToString()
            protocol       = "$($ports.Protocol)"
            local_port     = @($ports.LocalPort | ForEach-Object { "$_" })
            remote_address = @($addresses.RemoteAddress | ForEach-Object { "$_" })
        }
    }
    [ordered]@{ profiles = $profiles; rdp_port = $RdpPort; rules = $out }
}

$sections.network = Read-Section 'network' $false {
    @(Get-NetConnectionProfile | ForEach-Object {
        [ordered]@{ interface = $_.InterfaceAlias; name = $_.Name; category = $_.NetworkCategory.ToString(); ipv4 = $_.IPv4Connectivity.ToString() }
    })
}

$sections.security_products = Read-Section 'security_products' $false {
    $products = @()
    foreach ($class in 'AntiVirusProduct', 'FirewallProduct') {
        try {
            $products += @(Get-CimInstance -Namespace 'root\SecurityCenter2' -ClassName $class | ForEach-Object {
                [ordered]@{ kind = $class; name = $_.displayName; state = $_.productState }
            })
        } catch {
            # Windows Server has no Security Center; the services below still show what runs.
        }
    }
    $known = 'WinDefend', 'MBAMService', 'ekrn', 'avp', 'SepMasterService', 'CSFalconService', 'SentinelAgent',
        'Sophos Endpoint Defense Service', 'CylanceSvc', 'xagt', 'TmCCSF', 'mfefire', 'McAfeeFramework', 'bdservicehost', 'cbdefense'
    $services = @(Get-Service -Name $known -ErrorAction SilentlyContinue | ForEach-Object {
        [ordered]@{ name = $_.Name; display_name = $_.DisplayName; status = $_.Status.ToString() }
    })
    [ordered]@{ products = $products; services = $services }
}

$sections.time = Read-Section 'time' $false {
    # Windows PowerShell turns a native command's stderr into errors; keep reading instead.
    $ErrorActionPreference = 'Continue'
    $status = @(w32tm /query /status /verbose 2>&1 | ForEach-Object { "$_" })
    [ordered]@{ w32tm_status = $status; exit_code = $LASTEXITCODE; utc_now = (Get-Date).ToUniversalTime().ToString('o') }
}

$sections.domain = Read-Section 'domain' $false {
    $computer = Get-CimInstance -ClassName Win32_ComputerSystem
    $ErrorActionPreference = 'Continue'
    $channel = $null
    $channelExit = $null
    if ($computer.PartOfDomain) {
        $channel = @(nltest "/sc_query:$($computer.Domain)" 2>&1 | ForEach-Object { "$_" })
        $channelExit = $LASTEXITCODE
    }
    [ordered]@{
        part_of_domain      = $computer.PartOfDomain
        domain              = $computer.Domain
        domain_role         = $computer.DomainRole
        secure_channel      = $channel
        secure_channel_exit = $channelExit
    }
}

$sections.entra = Read-Section 'entra' $false {
    $ErrorActionPreference = 'Continue'
    $lines = @(dsregcmd /status 2>&1 | ForEach-Object { "$_" } |
        Where-Object { $_ -match '^\s*(AzureAdJoined|EnterpriseJoined|DomainJoined|WorkplaceJoined|AzureAdPrt|TenantName)\s*:' })
    [ordered]@{ dsregcmd = $lines }
}

$sections.licensing = Read-Section 'licensing' $true {
    $setting = Get-CimInstance -Namespace 'root\cimv2\TerminalServices' -ClassName Win32_TerminalServiceSetting
    $grace = $null
    if ($setting.TerminalServerMode -eq 1) {
        $grace = (Invoke-CimMethod -InputObject $setting -MethodName GetGracePeriodDays).DaysLeft
    }
    [ordered]@{
        terminal_server_mode = $setting.TerminalServerMode
        licensing_type       = $setting.LicensingType
        licensing_name       = $setting.LicensingName
        grace_period_days    = $grace
    }
}

$sections.logon_rights = Read-Section 'logon_rights' $false {
    $members = @()
    try {
        $members = @(Get-LocalGroupMember -SID 'S-1-5-32-555' | ForEach-Object { [ordered]@{ name = $_.Name; sid = "$($_.SID)"; kind = "$($_.ObjectClass)" } })
    } catch {
        $group = Get-CimInstance -ClassName Win32_Group -Filter "LocalAccount=True AND SID='S-1-5-32-555'"
        $members = @(Get-CimAssociatedInstance -InputObject $group -ResultClassName Win32_Account | ForEach-Object {
            [ordered]@{ name = "$($_.Domain)\$($_.Name)"; sid = $_.SID; kind = $_.CimClass.CimClassName }
        })
    }
    # Rights granted by Group Policy (Resultant Set of Policy); local policy alone is not listed here.
    $rights = @()
    try {
        $rights = @(Get-CimInstance -Namespace 'root\rsop\computer' -ClassName RSOP_UserPrivilegeRight |
            Where-Object { $_.UserRight -in 'SeRemoteInteractiveLogonRight', 'SeDenyRemoteInteractiveLogonRight', 'SeDenyNetworkLogonRight', 'SeNetworkLogonRight' } |
            ForEach-Object { [ordered]@{ right = $_.UserRight; holders = @($_.AccountList) } })
    } catch {
        $rights = $null
    }
    [ordered]@{ remote_desktop_users = $members; rights_from_group_policy = $rights }
}

$sections.events = Read-Section 'events' $true {
    $since = (Get-Date).AddHours(-24)
    $filters = @(
        @{ LogName = 'System'; ProviderName = 'Schannel'; StartTime = $since },
        @{ LogName = 'System'; ProviderName = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager', 'TermService', 'Microsoft-Windows-Time-Service', 'NETLOGON'; StartTime = $since },
        @{ LogName = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational'; StartTime = $since },
        @{ LogName = 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'; StartTime = $since },
        @{ LogName = 'Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational'; StartTime = $since },
        @{ LogName = 'Security'; Id = 4625; StartTime = $since }
    )
    # Event data that could name a person or a machine is left out; codes and states are kept.
    $private = '(?i)user|account|subject|target|workstation|domain|sid|logonid|ip|address|param|name|client'
    $events = @()
    $skipped = @()
    foreach ($filter in $filters) {
        try {
            $events += @(Get-WinEvent -FilterHashtable $filter -MaxEvents 100 -ErrorAction Stop | ForEach-Object {
                $data = [ordered]@{}
                foreach ($item in ([xml] $_.ToXml()).Event.EventData.Data) {
                    if ($item.Name -and $item.Name -notmatch $private) { $data[$item.Name] = "$($item.'#text')" }
                }
                [ordered]@{ provider = $_.ProviderName; id = $_.Id; time = $_.TimeCreated.ToUniversalTime().ToString('o'); data = $data }
            })
        } catch {
            # "No events were found" is not an error worth reporting; anything else is noted.
            if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { $skipped += "$($filter.LogName): $($_.Exception.Message)" }
        }
    }
    [ordered]@{ hours = 24; events = $events; skipped = $skipped }
}

$document = [ordered]@{
    schema       = 'rdp-doctor.server-check/1'
    collected_at = (Get-Date).ToUniversalTime().ToString('o')
    sections     = $sections
}
$json = $document | ConvertTo-Json -Depth 12
$json
if ($OutFile) { $json | Out-File -FilePath $OutFile -Encoding utf8 }
if ($Clipboard) { $json | Set-Clipboard }
