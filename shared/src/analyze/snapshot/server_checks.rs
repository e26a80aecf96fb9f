//! Judges what is known about the server. Every problem becomes a finding with evidence for the
//! engine and, in its detail, the exact fix with the values found (port, rule name, thumbprint…).
//! Facts that clear a cause (TermService listening, a Private network) become evidence too.

use crate::evidence::{EvidenceId as Id, Finding, Severity};
use crate::report::Target;

use super::facts::{
    ADMINISTRATORS_SID, CertificateFacts, Profile, SYSTEM_SID, ServerFacts, has_full_control,
    network_service_can_read,
};

/// Kerberos tolerates five minutes of clock difference by default.
const MAX_CLOCK_OFFSET_SECONDS: f64 = 300.0;
const MACHINE_KEYS: &str = r"C:\ProgramData\Microsoft\Crypto\RSA\MachineKeys";

fn problem(id: Id, title: impl Into<String>, detail: impl Into<String>) -> Finding {
    Finding::new(Severity::Error, Some(id), title, detail)
}

fn info(id: Option<Id>, title: impl Into<String>, detail: impl Into<String>) -> Finding {
    Finding::new(Severity::Info, id, title, detail)
}

fn source(by_policy: bool) -> &'static str {
    if by_policy {
        "set by Group Policy"
    } else {
        "set on the RDP-Tcp listener"
    }
}

pub(super) fn findings(facts: &ServerFacts, now_unix: i64) -> Vec<Finding> {
    let mut out = Vec::new();
    listener(facts, &mut out);
    services(facts, &mut out);
    port_listeners(facts, &mut out);
    firewall(facts, &mut out);
    certificates(facts, now_unix, &mut out);
    machine_keys(facts, &mut out);
    protocols(facts, &mut out);
    environment(facts, &mut out);
    out
}

fn rdp_port(facts: &ServerFacts) -> u16 {
    facts
        .port
        .as_ref()
        .and_then(|p| p.value.number())
        .and_then(|p| u16::try_from(p).ok())
        .or(facts.listeners_port)
        .unwrap_or(Target::DEFAULT_PORT)
}

fn listener(facts: &ServerFacts, out: &mut Vec<Finding>) {
    if let Some(deny) = &facts.deny_connections
        && deny.value.number() == Some(1)
    {
        let fix = if deny.by_policy {
            "Fix: set Computer Configuration > Administrative Templates > Windows Components > Remote Desktop Services > Remote Desktop Session Host > Connections > \"Allow users to connect remotely by using Remote Desktop Services\" to Enabled, then `gpupdate /force`."
        } else {
            "Fix (elevated PowerShell): `Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server' -Name fDenyTSConnections -Value 0`"
        };
        out.push(problem(
            Id::ServerRemoteDesktopDenied,
            "Remote Desktop is turned off",
            format!(
                "fDenyTSConnections = 1 ({}). {fix}",
                if deny.by_policy {
                    "set by Group Policy"
                } else {
                    "in the Terminal Server key"
                }
            ),
        ));
    }
    if let Some(enabled) = &facts.listener_enabled
        && enabled.value.number() == Some(0)
    {
        out.push(problem(Id::ServerListenerDisabled, "The RDP-Tcp listener is disabled", "fEnableWinStation = 0 on RDP-Tcp. Fix (elevated PowerShell): `Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp' -Name fEnableWinStation -Value 1 ; Restart-Service TermService -Force`"));
    }
    if let Some(port) = facts.port.as_ref().and_then(|p| p.value.number()) {
        if port != u64::from(Target::DEFAULT_PORT) {
            out.push(problem(Id::ServerCustomPort, format!("The RDP listener uses port {port}, not 3389"), format!(
                "PortNumber = {port} on RDP-Tcp. Clients must connect to <server>:{port}, and every firewall and port forward on the way must allow TCP {port}. \
                 Fix: connect with `mstsc /v:<server>:{port}`, or return to the default (elevated PowerShell): \
                 `Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp' -Name PortNumber -Value 3389 ; Restart-Service TermService -Force`"
            )));
        } else {
            out.push(info(
                None,
                "The RDP listener uses port 3389",
                "PortNumber = 3389 on RDP-Tcp.",
            ));
        }
    }
    if let Some(layer) = &facts.security_layer
        && layer.value.number() == Some(0)
    {
        out.push(problem(Id::ServerSecurityLayerRdp, "The server requires legacy RDP security, without TLS", format!(
                "SecurityLayer = 0 ({}). Clients that require server authentication (the default) refuse it. Fix: {}",
                source(layer.by_policy),
                if layer.by_policy { "set the policy \"Require use of specific security layer for remote (RDP) connections\" to Negotiate or SSL." } else { "`Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp' -Name SecurityLayer -Value 2`" }
            )));
    }
    if let Some(level) = &facts.min_encryption
        && level.value.number() == Some(4)
    {
        out.push(problem(Id::ServerEncryptionFips, "The server requires FIPS-compliant encryption", format!(
                "MinEncryptionLevel = 4 ({}). Clients without FIPS support are refused (extended code 0x8). Fix: {}",
                source(level.by_policy),
                if level.by_policy { "set \"Set client connection encryption level\" to High Level." } else { "`Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp' -Name MinEncryptionLevel -Value 3`" }
            )));
    }
    if let Some(nla) = &facts.user_authentication
        && nla.value.number() == Some(1)
    {
        out.push(Finding::new(Severity::Info, Some(Id::ServerNlaRequired), "The server requires Network Level Authentication", format!(
                "UserAuthentication = 1 ({}). Clients must complete CredSSP before a session starts; a client with NLA turned off (enablecredsspsupport:i:0) is refused.",
                source(nla.by_policy)
            )));
    }
}

fn services(facts: &ServerFacts, out: &mut Vec<Finding>) {
    for service in facts
        .services
        .iter()
        .filter(|s| s.name.eq_ignore_ascii_case("TermService"))
    {
        let start_type = service.start_type.as_deref().unwrap_or("unknown");
        if service.status.eq_ignore_ascii_case("Running") {
            out.push(info(
                Some(Id::ServerTermserviceRunning),
                "Remote Desktop Services (TermService) is running",
                format!("Start type: {start_type}."),
            ));
        } else {
            let enable = if start_type.eq_ignore_ascii_case("Disabled") {
                "Set-Service -Name TermService -StartupType Manual ; "
            } else {
                ""
            };
            out.push(problem(Id::ServerTermserviceStopped, format!("Remote Desktop Services (TermService) is {}", service.status), format!(
                "Status {}, start type {start_type}. Nothing accepts RDP connections while it is not running. \
                 Fix (elevated PowerShell): `{enable}Start-Service -Name TermService` — then look in the System log for why it stopped.",
                service.status
            )));
        }
    }
}

fn port_listeners(facts: &ServerFacts, out: &mut Vec<Finding>) {
    let Some(listeners) = &facts.port_listeners else {
        return;
    };
    let port = rdp_port(facts);
    if listeners.is_empty() {
        out.push(problem(Id::ServerNotListening, format!("Nothing listens on TCP {port}"), format!(
            "No listening socket on port {port}. If the listener uses another port, check that one; otherwise Remote Desktop Services is not listening. \
             Fix (elevated PowerShell): `Restart-Service -Name TermService -Force`, then `Get-NetTCPConnection -State Listen -LocalPort {port}`."
        )));
        return;
    }
    let others: Vec<_> = listeners
        .iter()
        .filter(|l| l.is_remote_desktop() == Some(false))
        .collect();
    if let Some(other) = others.first() {
        let name = other
            .process
            .clone()
            .unwrap_or_else(|| "another program".into());
        let pid = other.pid.map_or(String::new(), |p| format!(" (PID {p})"));
        out.push(problem(Id::ServerPortTaken, format!("{name}{pid} listens on the RDP port {port}"), format!(
            "{} listens on {}:{port}, so Remote Desktop Services cannot. Fix: stop or reconfigure that program (`Get-Process -Id {}`), then `Restart-Service TermService -Force`.",
            name, other.address, other.pid.unwrap_or_default()
        )));
    } else if listeners
        .iter()
        .any(|l| l.is_remote_desktop() == Some(true))
    {
        out.push(info(
            Some(Id::ServerListening),
            format!("Remote Desktop Services listens on TCP {port}"),
            listeners
                .iter()
                .map(|l| format!("{}:{}", l.address, l.port))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    } else {
        let pids: Vec<String> = listeners
            .iter()
            .filter_map(|l| l.pid)
            .map(|p| p.to_string())
            .collect();
        let pid = pids.first().cloned().unwrap_or_default();
        out.push(info(None, format!("A process listens on TCP {port} (PID {})", pids.join(", ")), format!(
            "Check that it is Remote Desktop Services: `tasklist /svc /fi \"PID eq {pid}\"` should list TermService."
        )));
    }
}

fn active_profiles(facts: &ServerFacts) -> Vec<Profile> {
    let mut profiles: Vec<Profile> = facts
        .network_profiles
        .iter()
        .flatten()
        .map(|n| n.category)
        .collect();
    profiles.dedup();
    profiles
}

fn firewall(facts: &ServerFacts, out: &mut Vec<Finding>) {
    if let Some(networks) = &facts.network_profiles {
        let public: Vec<_> = networks
            .iter()
            .filter(|n| n.category == Profile::Public)
            .collect();
        if let Some(network) = public.first() {
            out.push(problem(Id::ServerNetworkPublic, format!("The network \"{}\" on {} is Public", network.name, network.interface), format!(
                "Firewall rules enabled only for Domain or Private do not apply on it. Fix (elevated PowerShell, on a trusted network): \
                 `Set-NetConnectionProfile -InterfaceAlias '{}' -NetworkCategory Private` — a domain network that shows Public has lost contact with its domain controller: fix that instead.",
                network.interface
            )));
        } else if !networks.is_empty() {
            let list: Vec<String> = networks
                .iter()
                .map(|n| format!("{} ({})", n.interface, n.category.name()))
                .collect();
            out.push(info(
                Some(Id::ServerNetworkNotPublic),
                "The server's networks are Domain or Private",
                list.join(", "),
            ));
        }
    }
    let Some(rules) = &facts.firewall_rules else {
        return;
    };
    let port = rdp_port(facts);
    let relevant: Vec<_> = rules
        .iter()
        .filter(|r| {
            r.inbound
                && r.is_tcp()
                && (r.covers_port(port) || (r.remote_desktop_group && r.local_ports.is_empty()))
        })
        .collect();
    let profiles = active_profiles(facts);
    let applies = |r: &&super::facts::FirewallRule| {
        profiles.is_empty() || profiles.iter().any(|p| r.applies_to(*p))
    };
    if let Some(block) = relevant
        .iter()
        .find(|r| r.enabled && !r.allow && applies(r))
    {
        out.push(problem(Id::ServerFirewallRuleBlocks, format!("The firewall rule {} blocks TCP {port}", block.label()), format!(
            "An enabled block rule wins over every allow rule. Fix (elevated PowerShell): `Disable-NetFirewallRule -DisplayName '{}'`, or narrow its RemoteAddress.",
            block.display_name
        )));
    }
    let allowing: Vec<_> = relevant.iter().filter(|r| r.enabled && r.allow).collect();
    if let Some(rule) = allowing.iter().find(|r| applies(r)) {
        out.push(info(
            Some(Id::ServerFirewallRulesAllow),
            format!("The firewall rule {} allows TCP {port}", rule.label()),
            format!(
                "Remote addresses: {}.",
                if rule.remote_addresses.is_empty() {
                    "Any".into()
                } else {
                    rule.remote_addresses.join(", ")
                }
            ),
        ));
        return;
    }
    if let Some(rule) = allowing.first() {
        let wanted: Vec<&str> = profiles.iter().map(|p| p.name()).collect();
        let has: Vec<&str> = rule.profiles.iter().map(|p| p.name()).collect();
        out.push(problem(Id::ServerFirewallRuleOtherProfile, format!("The firewall rule {} does not cover the active network profile", rule.label()), format!(
            "It applies to {}, the server's network is {}. Fix (elevated PowerShell): `Set-NetFirewallRule -DisplayName '{}' -Profile Any` (or make the network Private/Domain).",
            has.join(", "), wanted.join(", "), rule.display_name
        )));
        return;
    }
    let disabled: Vec<_> = relevant.iter().filter(|r| !r.enabled && r.allow).collect();
    if let Some(rule) = disabled.first() {
        let fix = match &rule.name {
            Some(name) => format!("Enable-NetFirewallRule -Name '{name}'"),
            None if rule.remote_desktop_group => {
                "Enable-NetFirewallRule -Group '@FirewallAPI.dll,-28752'".into()
            }
            None => format!(
                "Enable-NetFirewallRule -DisplayName '{}'",
                rule.display_name
            ),
        };
        out.push(problem(Id::ServerFirewallRuleDisabled, format!("The firewall rule {} is disabled", rule.label()), format!(
            "No enabled rule allows TCP {port}; Windows Firewall drops the connection. Fix (elevated PowerShell): `{fix}`"
        )));
    } else if relevant.is_empty() && !rules.is_empty() {
        out.push(problem(Id::ServerFirewallRuleDisabled, format!("No firewall rule allows TCP {port}"), format!(
            "None of the {} rules read covers the RDP port. Fix (elevated PowerShell): `New-NetFirewallRule -DisplayName 'Remote Desktop (TCP {port})' -Direction Inbound -Protocol TCP -LocalPort {port} -Action Allow`",
            rules.len()
        )));
    }
}

fn certificates(facts: &ServerFacts, now_unix: i64, out: &mut Vec<Finding>) {
    if let (Some(thumbprint), Some(false)) =
        (&facts.certificate_in_use, facts.certificate_in_use_found)
    {
        out.push(problem(Id::ServerConfiguredCertMissing, format!("RDP is configured for certificate {thumbprint}, which is in no store"), format!(
            "SSLCertificateSHA1Hash = {thumbprint}, not found in LocalMachine\\My or Remote Desktop (renewed or deleted). Fix: point RDP at the current certificate: \
             `$s = Get-CimInstance -Namespace root\\cimv2\\TerminalServices -ClassName Win32_TSGeneralSetting -Filter \"TerminalName='RDP-Tcp'\" ; Set-CimInstance -InputObject $s -Property @{{SSLCertificateSHA1Hash='<new thumbprint>'}}`"
        )));
    }
    let in_use = |c: &&CertificateFacts| match &facts.certificate_in_use {
        Some(t) => c.thumbprint.eq_ignore_ascii_case(t),
        None => true,
    };
    for cert in facts.certificates.iter().filter(in_use) {
        let self_signed = cert.store.eq_ignore_ascii_case("Remote Desktop");
        let store = if self_signed { "Remote Desktop" } else { "My" };
        let name = format!("{} ({})", cert.subject, cert.thumbprint);
        if let (Some(not_after), Some(text)) = (cert.not_after_unix, &cert.not_after_text)
            && not_after < now_unix
        {
            let fix = if self_signed {
                format!(
                    "`Remove-Item 'Cert:\\LocalMachine\\Remote Desktop\\{}' ; Restart-Service TermService -Force` (Windows creates a new one)",
                    cert.thumbprint
                )
            } else {
                "renew it and point SSLCertificateSHA1Hash at the new thumbprint".into()
            };
            out.push(problem(
                Id::ServerCertExpired,
                format!("The RDP certificate {name} expired on {text}"),
                format!("Fix: {fix}."),
            ));
        }
        if cert.has_private_key == Some(false) {
            out.push(problem(Id::ServerCertNoPrivateKey, format!("The RDP certificate {name} has no private key"), format!(
                "Schannel cannot use a certificate without its key (event 36870). Fix: {}",
                if self_signed { format!("`Remove-Item 'Cert:\\LocalMachine\\Remote Desktop\\{}' ; Restart-Service TermService -Force`", cert.thumbprint) } else { "import the certificate again with its private key (PFX) into LocalMachine\\My.".into() }
            )));
        }
        if let Some(acl) = &cert.key_acl {
            let file = cert.key_file.as_deref().unwrap_or("the key file");
            if !network_service_can_read(acl) {
                let holders: Vec<String> =
                    acl.iter().filter(|a| a.allow).map(|a| a.who()).collect();
                let id = if self_signed {
                    Id::ServerSelfsignedKeyUnreadable
                } else {
                    Id::ServerCertKeyUnreadable
                };
                out.push(problem(id, format!("NETWORK SERVICE cannot read the private key of {name}"), format!(
                    "Remote Desktop Services reads the key as NETWORK SERVICE; the key file {file} allows only: {}. Fix (elevated): `icacls \"{file}\" /grant *S-1-5-20:R` — or certlm.msc > {store} > the certificate > All Tasks > Manage Private Keys > add NETWORK SERVICE with Read.",
                    holders.join(", ")
                )));
            }
        }
    }
}

fn machine_keys(facts: &ServerFacts, out: &mut Vec<Finding>) {
    let Some(acl) = &facts.machinekeys_acl else {
        return;
    };
    let holders: Vec<String> = acl.iter().filter(|a| a.allow).map(|a| a.who()).collect();
    let system = has_full_control(acl, SYSTEM_SID);
    let admins = has_full_control(acl, ADMINISTRATORS_SID);
    if !system {
        out.push(problem(Id::ServerMachinekeysNoSystem, "SYSTEM has no full control of the MachineKeys folder", format!(
            "The folder allows: {}. Fix (elevated): `icacls {MACHINE_KEYS} /grant *S-1-5-18:F` then `Restart-Service TermService -Force`.",
            holders.join(", ")
        )));
    }
    if !admins {
        out.push(problem(Id::ServerMachinekeysNoAdmins, "Administrators have no full control of the MachineKeys folder", format!(
            "The folder allows: {}. Fix (elevated): `icacls {MACHINE_KEYS} /grant *S-1-5-32-544:F`.",
            holders.join(", ")
        )));
    }
    if system && admins {
        out.push(info(
            Some(Id::ServerMachinekeysOk),
            "SYSTEM and Administrators have full control of MachineKeys",
            holders.join(", "),
        ));
    }
}

fn protocols(facts: &ServerFacts, out: &mut Vec<Finding>) {
    if facts.tls12_server_enabled == Some(0) {
        out.push(problem(Id::ServerTls12Disabled, "TLS 1.2 is disabled for the server in Schannel", "SCHANNEL\\Protocols\\TLS 1.2\\Server Enabled = 0: current clients cannot complete TLS. Fix (elevated PowerShell): `Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server' -Name Enabled -Value 1` and restart the server."));
    }
    if facts.credssp_oracle == Some(0) {
        out.push(problem(Id::ServerCredsspOracleForceUpdated, "The server only accepts clients with the CredSSP update (AllowEncryptionOracle = 0)", "Unpatched clients fail NLA (client event LsaSrv 6041). Fix: update the clients; as a stopgap set the policy \"Encryption Oracle Remediation\" to Mitigated (AllowEncryptionOracle = 1) on the server."));
    }
}

fn environment(facts: &ServerFacts, out: &mut Vec<Finding>) {
    if let Some(time) = &facts.time {
        if let Some(offset) = time
            .offset_seconds
            .filter(|o| o.abs() > MAX_CLOCK_OFFSET_SECONDS)
        {
            out.push(problem(Id::ServerClockOffsetLarge, format!("The server's clock is off by {offset:.0} seconds"), "More than Kerberos's five minutes: NLA fails. Fix (elevated): `w32tm /resync /force`, and check the time source with `w32tm /query /source`."));
        }
        if let Some(why) = &time.unsynchronized {
            out.push(problem(Id::ServerClockUnsynchronized, "The server's clock is not synchronized", format!("{why}. Fix (elevated): in a domain `w32tm /config /syncfromflags:domhier /update`, otherwise `w32tm /config /manualpeerlist:time.windows.com /syncfromflags:manual /update`; then `w32tm /resync`.")));
        }
    }
    if let Some(error) = &facts.secure_channel_error {
        out.push(problem(Id::ServerSecureChannelBroken, "The server's secure channel to its domain is broken", format!("nltest /sc_query: {error}. Fix (elevated PowerShell): `Test-ComputerSecureChannel -Repair -Credential <domain admin>` (Windows PowerShell 5.1).")));
    }
    if facts.entra_joined == Some(false) {
        out.push(Finding::new(Severity::Info, Some(Id::ServerEntraNotJoined), "The server is not joined to Microsoft Entra ID", "dsregcmd: AzureAdJoined NO. Signing in with an Entra ID account (enablerdsaadauth:i:1) needs an Entra-joined or hybrid-joined server."));
    }
    if !facts.third_party_security.is_empty() {
        out.push(Finding::new(Severity::Warning, Some(Id::ServerThirdPartySecurity), format!("Third-party security software runs: {}", facts.third_party_security.join(", ")), "Its firewall or network protection can drop or reset RDP. Fix: look in its console for blocked connections on the RDP port, or test with its network protection paused."));
    }
    if facts.grace_period_days == Some(0) && facts.license_servers_configured != Some(true) {
        out.push(problem(Id::ServerLicensingGraceExpired, "The RD Session Host's licensing grace period has ended", "Grace period: 0 days, and no license server is configured. Fix: configure a license server and mode: `Set-RDLicenseConfiguration -LicenseServer <server> -Mode PerUser -ConnectionBroker <broker>`, or the policies \"Use the specified Remote Desktop license servers\" and \"Set the Remote Desktop licensing mode\"."));
    }
    if let Some(denied) = facts.deny_remote_logon.as_ref().filter(|d| !d.is_empty()) {
        out.push(Finding::new(Severity::Warning, Some(Id::ServerRemoteLogonDeniedByPolicy), "Group Policy denies Remote Desktop logon to some accounts", format!("\"Deny log on through Remote Desktop Services\" holds: {}. A user in any of them is refused. Fix: remove the account from that policy in the GPO that sets it (`gpresult /h report.html` names it).", denied.join(", "))));
    }
    if facts.remote_desktop_users == Some(0) {
        out.push(Finding::new(Severity::Warning, Some(Id::ServerRemoteDesktopUsersEmpty), "The Remote Desktop Users group is empty", "Only Administrators may connect. Fix (elevated PowerShell): `Add-LocalGroupMember -SID S-1-5-32-555 -Member '<DOMAIN\\user>'`"));
    }
    if !facts.pending_reboot.is_empty() {
        out.push(Finding::new(Severity::Warning, Some(Id::ServerRebootPending), "The server has a reboot pending", format!("Pending: {}. Updates to RDP components take effect only after it. Fix: restart the server.", facts.pending_reboot.join(", "))));
    }
    if let Some(sessions) = &facts.sessions {
        let listening = sessions
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case("rdp-tcp") && s.id >= 65536);
        if listening {
            out.push(info(
                Some(Id::ServerListening),
                "The rdp-tcp listener is up",
                "qwinsta shows the rdp-tcp listener session.",
            ));
        } else {
            out.push(problem(Id::ServerListenerNotInListenState, "qwinsta shows no rdp-tcp listener", "The listener is down. Fix (elevated PowerShell): `Restart-Service TermService -Force`, then run `qwinsta` again: an `rdp-tcp 65536 Listen` line should appear."));
        }
    }
}
