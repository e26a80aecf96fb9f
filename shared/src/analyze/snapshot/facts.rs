//! What the server and client checks and the single commands establish, in one model: every
//! reader fills in what its input shows and leaves the rest unknown (`None`), and the checks in
//! `server_checks.rs` / `client_checks.rs` judge only what is known.

/// A registry value as read: a number (REG_DWORD, or a numeric string) or text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum RegValue {
    Number(u64),
    Text(String),
}

impl RegValue {
    pub fn number(&self) -> Option<u64> {
        match self {
            RegValue::Number(n) => Some(*n),
            RegValue::Text(t) => t.trim().parse().ok(),
        }
    }

    pub fn text(&self) -> String {
        match self {
            RegValue::Number(n) => n.to_string(),
            RegValue::Text(t) => t.clone(),
        }
    }
}

/// One listener setting and where it came from: Group Policy overrides the listener's own value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Setting {
    pub value: RegValue,
    pub by_policy: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct ServiceState {
    pub name: String,
    /// `Running`, `Stopped`, `NotInstalled`…
    pub status: String,
    pub start_type: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct PortListener {
    pub address: String,
    pub port: u16,
    pub pid: Option<u32>,
    pub process: Option<String>,
    pub services: Vec<String>,
}

impl PortListener {
    /// Remote Desktop Services runs in an svchost that hosts TermService.
    pub fn is_remote_desktop(&self) -> Option<bool> {
        if self
            .services
            .iter()
            .any(|s| s.eq_ignore_ascii_case("TermService"))
        {
            return Some(true);
        }
        match &self.process {
            Some(p) if !p.eq_ignore_ascii_case("svchost") => Some(false),
            _ if !self.services.is_empty() => Some(false),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Profile {
    Domain,
    Private,
    Public,
}

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Profile::Domain => "Domain",
            Profile::Private => "Private",
            Profile::Public => "Public",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct FirewallRule {
    /// The rule's name (`RemoteDesktop-UserMode-In-TCP`), when the input shows it.
    pub name: Option<String>,
    pub display_name: String,
    pub enabled: bool,
    /// Empty means every profile (`Any`).
    pub profiles: Vec<Profile>,
    pub inbound: bool,
    pub allow: bool,
    pub protocol: String,
    pub local_ports: Vec<String>,
    pub remote_addresses: Vec<String>,
    /// In the built-in Remote Desktop group.
    pub remote_desktop_group: bool,
}

impl FirewallRule {
    /// A rule without local ports (a program rule) covers every port.
    pub fn covers_port(&self, port: u16) -> bool {
        if self.local_ports.is_empty() {
            return true;
        }
        let port = port.to_string();
        self.local_ports.iter().any(|p| {
            p.split(',').any(|p| {
                let p = p.trim();
                p == port
                    || p.eq_ignore_ascii_case("any")
                    || p.split_once('-').is_some_and(|(lo, hi)| {
                        lo.trim().parse::<u32>().ok() <= port.parse().ok()
                            && port.parse::<u32>().ok() <= hi.trim().parse().ok()
                    })
            })
        })
    }

    pub fn applies_to(&self, profile: Profile) -> bool {
        self.profiles.is_empty() || self.profiles.contains(&profile)
    }

    pub fn is_tcp(&self) -> bool {
        let p = self.protocol.trim();
        p.eq_ignore_ascii_case("tcp") || p == "6" || p.is_empty() || p.eq_ignore_ascii_case("any")
    }

    pub fn label(&self) -> String {
        match &self.name {
            Some(name) if !name.eq_ignore_ascii_case(&self.display_name) => {
                format!("\"{}\" ({name})", self.display_name)
            }
            _ => format!("\"{}\"", self.display_name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct NetworkProfile {
    pub interface: String,
    pub name: String,
    pub category: Profile,
}

/// One access control entry, from Get-Acl (with SIDs) or icacls (with account names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Ace {
    pub sid: Option<String>,
    pub account: Option<String>,
    pub full: bool,
    pub read: bool,
    pub allow: bool,
    /// Applies to the folder's files only, not to the folder (icacls `(IO)`).
    pub inherit_only: bool,
}

pub(super) const SYSTEM_SID: &str = "S-1-5-18";
pub(super) const ADMINISTRATORS_SID: &str = "S-1-5-32-544";
pub(super) const NETWORK_SERVICE_SID: &str = "S-1-5-20";
/// Groups NETWORK SERVICE belongs to: Everyone, Authenticated Users, Users, SERVICE.
const NETWORK_SERVICE_GROUPS: [&str; 5] = [
    NETWORK_SERVICE_SID,
    "S-1-1-0",
    "S-1-5-11",
    "S-1-5-32-545",
    "S-1-5-6",
];

/// Account names as icacls prints them, in the display languages whose output we have seen
/// (English and German, see tests/fixtures/snapshot/README.md), mapped to their SIDs.
const WELL_KNOWN_NAMES: [(&str, &str); 14] = [
    ("nt authority\\system", SYSTEM_SID),
    ("nt-autorität\\system", SYSTEM_SID),
    ("system", SYSTEM_SID),
    ("builtin\\administrators", ADMINISTRATORS_SID),
    ("vordefiniert\\administratoren", ADMINISTRATORS_SID),
    ("nt authority\\network service", NETWORK_SERVICE_SID),
    ("nt-autorität\\netzwerkdienst", NETWORK_SERVICE_SID),
    ("everyone", "S-1-1-0"),
    ("jeder", "S-1-1-0"),
    ("nt authority\\authenticated users", "S-1-5-11"),
    ("nt-autorität\\authentifizierte benutzer", "S-1-5-11"),
    ("builtin\\users", "S-1-5-32-545"),
    ("vordefiniert\\benutzer", "S-1-5-32-545"),
    ("nt authority\\service", "S-1-5-6"),
];

impl Ace {
    /// The SID, given or known from the account name; icacls prints `*S-1-…` for unresolvable SIDs.
    pub fn resolved_sid(&self) -> Option<String> {
        if let Some(sid) = &self.sid {
            return Some(sid.clone());
        }
        let account = self.account.as_deref()?.trim();
        if let Some(sid) = account.strip_prefix('*').filter(|s| s.starts_with("S-1-")) {
            return Some(sid.to_string());
        }
        let lower = account.to_lowercase();
        WELL_KNOWN_NAMES
            .iter()
            .find(|(name, _)| *name == lower)
            .map(|(_, sid)| (*sid).to_string())
    }

    pub fn who(&self) -> String {
        match (&self.account, &self.sid) {
            (Some(account), Some(sid)) => format!("{account} ({sid})"),
            (Some(account), None) => account.clone(),
            (None, Some(sid)) => sid.clone(),
            (None, None) => "(unknown account)".into(),
        }
    }
}

/// Whether the allow entries give `sid` full control of the object itself.
pub(super) fn has_full_control(acl: &[Ace], sid: &str) -> bool {
    acl.iter()
        .any(|a| a.allow && a.full && !a.inherit_only && a.resolved_sid().as_deref() == Some(sid))
}

/// Whether NETWORK SERVICE, directly or through a group, may read the object and no deny entry
/// takes read away.
pub(super) fn network_service_can_read(acl: &[Ace]) -> bool {
    let applies = |a: &Ace| {
        !a.inherit_only
            && a.resolved_sid()
                .is_some_and(|sid| NETWORK_SERVICE_GROUPS.contains(&sid.as_str()))
    };
    let denied = acl.iter().any(|a| !a.allow && a.read && applies(a));
    let allowed = acl.iter().any(|a| a.allow && a.read && applies(a));
    allowed && !denied
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct CertificateFacts {
    pub store: String,
    pub thumbprint: String,
    pub subject: String,
    pub not_after_unix: Option<i64>,
    pub not_after_text: Option<String>,
    pub has_private_key: Option<bool>,
    pub key_file: Option<String>,
    pub key_acl: Option<Vec<Ace>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct TimeFacts {
    /// The time source as w32tm names it.
    pub source: Option<String>,
    /// Leap indicator 3, a local or free-running clock, or the service not running.
    pub unsynchronized: Option<String>,
    pub offset_seconds: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Session {
    pub name: String,
    pub id: u64,
}

#[derive(Clone, Debug, Default)]
pub(super) struct ServerFacts {
    /// `fDenyTSConnections`, GPO first.
    pub deny_connections: Option<Setting>,
    pub port: Option<Setting>,
    pub security_layer: Option<Setting>,
    pub user_authentication: Option<Setting>,
    pub min_encryption: Option<Setting>,
    pub listener_enabled: Option<Setting>,
    pub services: Vec<ServiceState>,
    /// Who listens on the RDP port (or on 3389 for netstat); `None` when the input does not say.
    pub port_listeners: Option<Vec<PortListener>>,
    /// The port `port_listeners` is about.
    pub listeners_port: Option<u16>,
    pub firewall_rules: Option<Vec<FirewallRule>>,
    pub network_profiles: Option<Vec<NetworkProfile>>,
    /// Thumbprint the listener uses (Win32_TSGeneralSetting), and whether a store holds it.
    pub certificate_in_use: Option<String>,
    pub certificate_in_use_found: Option<bool>,
    pub certificates: Vec<CertificateFacts>,
    pub machinekeys_acl: Option<Vec<Ace>>,
    pub tls12_server_enabled: Option<u64>,
    pub credssp_oracle: Option<u64>,
    pub time: Option<TimeFacts>,
    /// nltest /sc_query's status line when it is not success.
    pub secure_channel_error: Option<String>,
    pub entra_joined: Option<bool>,
    pub third_party_security: Vec<String>,
    pub grace_period_days: Option<u64>,
    pub licensing_mode: Option<u64>,
    pub license_servers_configured: Option<bool>,
    pub remote_desktop_users: Option<usize>,
    pub deny_remote_logon: Option<Vec<String>>,
    pub pending_reboot: Vec<String>,
    pub sessions: Option<Vec<Session>>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct ClientFacts {
    pub target: Option<(String, u16)>,
    /// Addresses, or why resolution failed.
    pub dns: Option<Result<Vec<String>, String>>,
    /// Connected (with the source address), or why not.
    pub tcp: Option<Result<String, String>>,
    pub vpn_adapters: Vec<String>,
    pub low_mtu: Vec<(String, u64)>,
    pub credssp_oracle: Option<u64>,
    pub rdp_policies: Vec<String>,
    pub time: Option<TimeFacts>,
    pub saved_credentials: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ace(account: &str, full: bool) -> Ace {
        Ace {
            account: Some(account.into()),
            full,
            read: true,
            allow: true,
            ..Ace::default()
        }
    }

    #[test]
    fn german_icacls_names_resolve_to_their_sids() {
        // As a German icacls listing prints them (`NT-AUTORITÄT\SYSTEM:(I)(F)`,
        // `VORDEFINIERT\Administratoren:(I)(F)`; see the fixtures README).
        let acl = [
            ace("NT-AUTORITÄT\\SYSTEM", true),
            ace("VORDEFINIERT\\Administratoren", true),
        ];
        assert!(has_full_control(&acl, SYSTEM_SID));
        assert!(has_full_control(&acl, ADMINISTRATORS_SID));
        assert!(!network_service_can_read(&acl));
        let with_users = [ace("VORDEFINIERT\\Benutzer", false)];
        assert!(network_service_can_read(&with_users));
    }

    #[test]
    fn a_deny_entry_takes_read_away() {
        let mut deny = ace("NT AUTHORITY\\NETWORK SERVICE", false);
        deny.allow = false;
        let acl = [ace("Everyone", false), deny];
        assert!(!network_service_can_read(&acl));
        let unresolved = [ace("*S-1-5-20", false)];
        assert!(network_service_can_read(&unresolved));
    }
}
