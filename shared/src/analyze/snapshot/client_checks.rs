//! Judges what the client check found: name resolution, the TCP test, VPN and MTU, policies,
//! CredSSP, the clock and saved credentials.

use crate::evidence::{EvidenceId as Id, Finding, Severity};
use crate::report::Target;

use super::facts::ClientFacts;

pub(super) fn findings(facts: &ClientFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let (host, port) = facts
        .target
        .clone()
        .unwrap_or_else(|| ("the server".into(), Target::DEFAULT_PORT));
    match &facts.dns {
        Some(Err(error)) => out.push(Finding::new(Severity::Error, Some(Id::ClientDnsFailed), format!("{host} does not resolve on the client"), format!(
            "{error}. Fix: check the name (`Resolve-DnsName {host}`), use the fully qualified name, connect the VPN if the name is internal, or `ipconfig /flushdns`."
        ))),
        Some(Ok(addresses)) => out.push(Finding::new(Severity::Info, None, format!("{host} resolves to {}", addresses.join(", ")), "Compare with the server's own address (`Get-NetIPAddress` on the server).")),
        None => {}
    }
    match &facts.tcp {
        Some(Ok(source)) => out.push(Finding::new(Severity::Info, Some(Id::ClientTcpConnected), format!("The client reaches {host} on TCP {port}"), format!("Connected from {source}: no firewall on the way blocks the port."))),
        Some(Err(error)) => out.push(Finding::new(Severity::Error, Some(Id::ClientTcpFailed), format!("The client cannot open TCP {port} on {host}"), format!(
            "{error}. Something on the way (the server's firewall, a cloud security group, the router's port forward, the client's network) blocks or drops it. Fix: from the client `Test-NetConnection {host} -Port {port}`; on the server `Get-NetTCPConnection -State Listen -LocalPort {port}` and the firewall rules."
        ))),
        None => {}
    }
    if !facts.vpn_adapters.is_empty() {
        out.push(Finding::new(Severity::Info, Some(Id::ClientVpnActive), format!("A VPN is up: {}", facts.vpn_adapters.join(", ")), "VPN tunnels lower the MTU and can drop RDP's larger packets; try with the VPN off (on the same network as the server) or lower the tunnel's MTU."));
    }
    if let Some((adapter, mtu)) = facts.low_mtu.first() {
        out.push(Finding::new(Severity::Warning, Some(Id::ClientMtuLow), format!("{adapter} has an MTU of {mtu}"), format!(
            "TLS handshakes with large certificates can stall below 1400 bytes. Test the path: `ping -f -l {} <server>`; fix the tunnel's MTU or MSS clamping.",
            mtu.saturating_sub(28)
        )));
    }
    if facts.credssp_oracle == Some(0) {
        out.push(Finding::new(Severity::Warning, Some(Id::ClientCredsspOracleForceUpdated), "The client only talks to servers with the CredSSP update (AllowEncryptionOracle = 0)", "An unpatched server fails NLA with this client (client event LsaSrv 6041). Fix: update the server; as a stopgap set \"Encryption Oracle Remediation\" to Mitigated on the client."));
    }
    if !facts.rdp_policies.is_empty() {
        out.push(Finding::new(Severity::Info, Some(Id::ClientRdpPolicySet), "Group Policy sets Remote Desktop client settings", format!("{}. A policy such as AuthenticationLevel can refuse a server mstsc would otherwise warn about.", facts.rdp_policies.join("; "))));
    }
    if let Some(why) = facts.time.as_ref().and_then(|t| t.unsynchronized.as_ref()) {
        out.push(Finding::new(Severity::Warning, Some(Id::ClientClockUnsynchronized), "The client's clock is not synchronized", format!("{why}. Fix (elevated): `w32tm /resync` (in a domain) or set the time server in Settings > Time & language.")));
    }
    if !facts.saved_credentials.is_empty() {
        out.push(Finding::new(Severity::Info, Some(Id::ClientSavedCredentials), format!("Saved credentials exist for {}", facts.saved_credentials.join(", ")), format!(
            "An old saved password is used silently. Fix: `cmdkey /delete:{}` and connect again, typing the password.",
            facts.saved_credentials.first().map(String::as_str).unwrap_or("TERMSRV/<server>")
        )));
    }
    out
}
