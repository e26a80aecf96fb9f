//! Decoder tests: every code in the published tables, every way people paste them.

use rdp_doctor_core::codes::{self, Decoded, Role};
use rdp_doctor_core::evidence::{EvidenceId, Layer};
use rdp_doctor_core::kb;

use super::message_ids;

/// Disconnect reasons as published (IMsTscAxEvents::OnDisconnected), independent of kb/codes.toml.
const DISCONNECT: &[(u32, &str)] = &[
    (0x1, "disconnectReasonLocalNotError"),
    (0x2, "disconnectReasonRemoteByUser"),
    (0x3, "disconnectReasonByServer"),
    (0x104, "disconnectReasonDNSLookupFailed"),
    (0x106, "disconnectReasonOutOfMemory"),
    (0x108, "disconnectReasonConnectionTimedOut"),
    (0x204, "disconnectReasonSocketConnectFailed"),
    (0x206, "disconnectReasonOutOfMemory2"),
    (0x208, "disconnectReasonHostNotFound"),
    (0x304, "disconnectReasonWinsockSendFailed"),
    (0x306, "disconnectReasonOutOfMemory3"),
    (0x308, "disconnectReasonInvalidIPAddr"),
    (0x404, "disconnectReasonSocketRecvFailed"),
    (0x406, "disconnectReasonInvalidSecurityData"),
    (0x408, "disconnectReasonInternalError"),
    (0x506, "disconnectReasonInvalidEncryption"),
    (0x508, "disconnectReasonDNSLookupFailed2"),
    (0x604, "disconnectReasonGetHostByNameFailed"),
    (0x606, "disconnectReasonInvalidServerSecurityInfo"),
    (0x608, "disconnectReasonTimerError"),
    (0x704, "disconnectReasonTimeoutOccurred"),
    (0x706, "disconnectReasonServerCertificateUnpackErr"),
    (0x804, "disconnectReasonInvalidIP"),
    (0x807, "SSL_ERR_LOGON_FAILURE"),
    (0x808, "disconnectReasonLicensingFailed"),
    (0x904, "disconnectReasonAtClientWinsockFDCLOSE"),
    (0x906, "disconnectReasonInternalSecurityError"),
    (0x908, "disconnectReasonLicensingTimeout"),
    (0xA06, "disconnectReasonSecurityError"),
    (0xA07, "SSL_ERR_NO_SUCH_USER"),
    (0xB06, "disconnectReasonEncryptionError"),
    (0xB07, "SSL_ERR_ACCOUNT_DISABLED"),
    (0xC06, "disconnectReasonDecryptionError"),
    (0xC07, "SSL_ERR_ACCOUNT_RESTRICTION"),
    (0xC08, "disconnectReasonClientDecompressionError"),
    (0xD07, "SSL_ERR_ACCOUNT_LOCKED_OUT"),
    (0xE07, "SSL_ERR_ACCOUNT_EXPIRED"),
    (0xF07, "SSL_ERR_PASSWORD_EXPIRED"),
    (0x1207, "SSL_ERR_PASSWORD_MUST_CHANGE"),
    (0x1607, "SSL_ERR_DELEGATION_POLICY"),
    (0x1707, "SSL_ERR_POLICY_NTLM_ONLY"),
    (0x1807, "SSL_ERR_NO_AUTHENTICATING_AUTHORITY"),
    (0x1B07, "SSL_ERR_CERT_EXPIRED"),
    (0x1C07, "SSL_ERR_SMARTCARD_WRONG_PIN"),
    (0x2107, "SSL_ERR_FRESH_CRED_REQUIRED_BY_SERVER"),
    (0x2207, "SSL_ERR_SMARTCARD_CARD_BLOCKED"),
];

/// The client's RD Gateway and RemoteApp disconnect reasons, 50331649 (0x3000001) onwards, as the
/// TechNet Wiki's "Disconnect Codes and Reasons" lists them. Microsoft names none of them: the names
/// are kb/codes.toml's own, pinned here so a rename is deliberate.
const GATEWAY_AND_REMOTEAPP: &[(u32, &str)] = &[
    (0x3000001, "rdGatewayCredentialsInvalid"),
    (0x3000002, "rdGatewayRevocationUncheckable"),
    (0x3000003, "rdGatewayCertificateRejected"),
    (0x3000004, "rdGatewayCertificateRevoked"),
    (0x3000005, "rdGatewayIdentityUnverified"),
    (0x3000006, "rdGatewayCertificateNameMismatch"),
    (0x3000007, "rdGatewayCertificateExpired"),
    (0x3000008, "rdGatewayRemoteComputerError"),
    (0x3000009, "rdGatewaySendFailed"),
    (0x300000A, "rdGatewayReceiveFailed"),
    (0x300000B, "rdGatewayAlternateLogonRequired"),
    (0x300000C, "rdGatewayAddressUnreachable"),
    (0x300000D, "rdGatewayTemporarilyUnavailable"),
    (0x300000E, "rdGatewayClientComponentMissing"),
    (0x300000F, "rdGatewayLowOnResources"),
    (0x3000010, "rdGatewayWrongRpcrt4Version"),
    (0x3000011, "rdGatewayNoSmartCardService"),
    (0x3000012, "rdGatewaySmartCardRemoved"),
    (0x3000013, "rdGatewayNoSmartCard"),
    (0x3000014, "rdGatewaySmartCardRemoved2"),
    (0x3000015, "rdGatewayCredentialsInvalid2"),
    (0x3000017, "rdGatewaySecurityPackageError"),
    (0x3000018, "rdGatewayEndedConnection"),
    (0x3000019, "rdGatewayAdminEndedConnection"),
    (0x300001A, "rdGatewayCredentialsIncorrect"),
    (0x300001B, "rdGatewayResourceNotAuthorized"),
    (0x300001C, "rdGatewayUserNotAuthorized"),
    (0x300001F, "rdGatewayAccessRestricted"),
    (0x3000020, "rdGatewayProxyAuthenticationRequired"),
    (0x3000021, "rdGatewayPasswordExpired"),
    (0x3000022, "rdGatewayMaxConnections"),
    (0x3000023, "rdGatewayRequestNotSupported"),
    (0x3000024, "rdGatewayCapabilityNotSupported"),
    (0x3000025, "rdGatewayIncompatible"),
    (0x3000026, "rdGatewaySmartCardCredentialsInvalid"),
    (0x3000027, "rdGatewayNapRequirementsNotMet"),
    (0x3000028, "rdGatewayNoCertificate"),
    (0x3000029, "rdGatewayNotTrustedByPolicy"),
    (0x300002A, "rdGatewayNapCertificateRejected"),
    (0x300002B, "rdGatewayPasswordRequired"),
    (0x300002C, "rdGatewaySmartCardRequired"),
    (0x300002D, "rdGatewayNoSmartCardReader"),
    (0x300002F, "rdGatewayFirewallCredentialsMissing"),
    (0x3000030, "rdGatewayFirewallCredentialsInvalid"),
    (0x3000032, "rdGatewayIdleTimeout"),
    (0x3000033, "rdGatewaySessionTimeout"),
    (0x3000034, "rdGatewayCookieInvalid"),
    (0x3000035, "rdGatewayCookieRejected"),
    (0x3000037, "rdGatewayAuthenticationMethodMismatch"),
    (0x3000038, "rdGatewayReauthenticationFailed"),
    (0x3000039, "rdGatewayReauthorizationFailed"),
    (0x300003B, "rdGatewayPolicyExchangeFailed"),
    (0x300003C, "rdGatewaySmartCardCertificateNotFound"),
    (0x300003D, "rdGatewayLogonRequired"),
    (0x300003E, "rdGatewayWebLogonRequired"),
    (0x300003F, "rdGatewaySessionEndedLogonRequired"),
    (0x3000040, "rdGatewaySessionEndedWebLogonRequired"),
    (0x3000041, "rdGatewayReauthorizationNapFailed"),
    (0x3000042, "rdGatewayCookieTooLarge"),
    (0x3000044, "rdGatewayForwardProxyFailed"),
    (0x3000045, "resourceAccessDenied"),
    (0x3000046, "noResourcesAvailable"),
    (0x3000047, "resourceAccessError"),
    (0x3000049, "clientUpdateRequired"),
    (0x300004A, "httpsPortsBlocked"),
    (0x300004B, "resourcesBeingSetUp"),
    (0x300004C, "subscriptionUserMismatch"),
    (0x300004D, "azureRemoteAppBusy"),
    (0x300004E, "maximumUserLimitReached"),
    (0x300004F, "azureRemoteAppTrialExpired"),
    (0x3000050, "azureRemoteAppAccessRevoked"),
];

/// Extended reasons as published (ExtendedDisconnectReasonCode enumeration).
const EXTENDED: &[(u32, &str)] = &[
    (0, "exDiscReasonNoInfo"),
    (1, "exDiscReasonAPIInitiatedDisconnect"),
    (2, "exDiscReasonAPIInitiatedLogoff"),
    (3, "exDiscReasonServerIdleTimeout"),
    (4, "exDiscReasonServerLogonTimeout"),
    (5, "exDiscReasonReplacedByOtherConnection"),
    (6, "exDiscReasonOutOfMemory"),
    (7, "exDiscReasonServerDeniedConnection"),
    (8, "exDiscReasonServerDeniedConnectionFips"),
    (9, "exDiscReasonServerInsufficientPrivileges"),
    (10, "exDiscReasonServerFreshCredsRequired"),
    (11, "exDiscReasonRpcInitiatedDisconnectByUser"),
    (12, "exDiscReasonLogoffByUser"),
    (256, "exDiscReasonLicenseInternal"),
    (257, "exDiscReasonLicenseNoLicenseServer"),
    (258, "exDiscReasonLicenseNoLicense"),
    (259, "exDiscReasonLicenseErrClientMsg"),
    (260, "exDiscReasonLicenseHwidDoesntMatchLicense"),
    (261, "exDiscReasonLicenseErrClientLicense"),
    (262, "exDiscReasonLicenseCantFinishProtocol"),
    (263, "exDiscReasonLicenseClientEndedProtocol"),
    (264, "exDiscReasonLicenseErrClientEncryption"),
    (265, "exDiscReasonLicenseCantUpgradeLicense"),
    (266, "exDiscReasonLicenseNoRemoteConnections"),
    (267, "exDiscReasonLicenseCreatingLicStoreAccDenied"),
    (768, "exDiscReasonRdpEncInvalidCredentials"),
    (0x10C9, "ERRINFO_UNKNOWNPDUTYPE2"),
    (0x10D3, "ERRINFO_CONNECTFAILED"),
    (0x10EA, "ERRINFO_BADCAPABILITIES"),
    (0x1111, "ERRINFO_SECURITYDATATOOSHORT2..23"),
    (0x1126, "ERRINFO_SECURITYDATATOOSHORT2..23"),
    (0x1194, "ERRINFO_ENCPKGMISMATCH"),
    (0x1195, "ERRINFO_DECRYPTFAILED2"),
    (0x1000, "exDiscReasonProtocolRange"),
    (0x7FFF, "exDiscReasonProtocolRange"),
];

fn names(decoded: &Decoded) -> Vec<(Role, u32, Option<&str>)> {
    decoded
        .codes
        .iter()
        .map(|c| (c.role, c.value, c.name.as_deref()))
        .collect()
}

#[test]
fn every_published_disconnect_reason_decodes_with_its_name() {
    for &(value, name) in DISCONNECT.iter().chain(GATEWAY_AND_REMOTEAPP) {
        let decoded = codes::decode(&format!("Error code: 0x{value:X}"));
        assert_eq!(
            names(&decoded),
            [(Role::DisconnectReason, value, Some(name))],
            "0x{value:X}"
        );
        assert!(decoded.codes[0].known);
    }
    assert_eq!(
        kb::codes().disconnect.len(),
        DISCONNECT.len() + GATEWAY_AND_REMOTEAPP.len(),
        "the table and the test list the same codes"
    );
}

#[test]
fn every_published_extended_reason_decodes_with_its_name() {
    for &(value, name) in EXTENDED {
        let decoded = codes::decode(&format!(
            "Error code: 0x904\nExtended error code: 0x{value:X}"
        ));
        assert_eq!(decoded.codes.len(), 2, "0x{value:X}");
        assert_eq!(
            names(&decoded)[1],
            (Role::ExtendedReason, value, Some(name)),
            "0x{value:X}"
        );
    }
}

#[test]
fn every_table_entry_is_reachable_through_decode() {
    for entry in &kb::codes().disconnect {
        let decoded = codes::decode(&format!("0x{:X}", entry.value));
        assert_eq!(decoded.codes[0].name.as_deref(), Some(entry.name.as_str()));
        assert_eq!(decoded.codes[0].layer, Some(entry.layer));
    }
    for entry in &kb::codes().extended {
        for value in [entry.value, entry.through.unwrap_or(entry.value)] {
            let decoded = codes::decode(&format!("0x904 0x{value:X}"));
            assert_eq!(
                decoded.codes[1].name.as_deref(),
                Some(entry.name.as_str()),
                "0x{value:X}"
            );
        }
    }
}

#[test]
fn the_classic_pair_names_socket_closed_and_server_denied() {
    let decoded = codes::decode("0x904 0x7");
    let [closed, denied] = &decoded.codes[..] else {
        panic!("{decoded:?}")
    };
    assert_eq!(closed.layer, Some(Layer::Tcp));
    assert_eq!(denied.layer, Some(Layer::Negotiation));
    assert!(denied.causes.iter().any(|c| c == "nla_unusable_by_client"));
    let evidence: Vec<_> = decoded.evidence().iter().map(|e| e.id).collect();
    assert_eq!(
        evidence,
        [EvidenceId::CodeSocketClosed, EvidenceId::CodeServerDenied]
    );
}

#[test]
fn dialogs_in_other_languages_find_both_roles() {
    let dialogs = [
        "Remote Desktop can't connect to the remote computer.\nError code: 0x904\nExtended error code: 0x7\nTimestamp (UTC): 2024-05-02T10:11:12.345Z",
        "Fehlercode: 0x904\nErweiterter Fehlercode: 0x7",
        "Code d'erreur : 0x904\nCode d'erreur étendu : 0x7",
        "Código de error: 0x904\nCódigo de error extendido: 0x7",
        "Codice errore: 0x904\nCodice errore esteso: 0x7",
        "Código de erro: 0x904\nCódigo de erro estendido: 0x7",
        "Foutcode: 0x904\nUitgebreide foutcode: 0x7",
        "Kod błędu: 0x904\nRozszerzony kod błędu: 0x7",
        "Код ошибки: 0x904\nРасширенный код ошибки: 0x7",
        "エラー コード: 0x904\n拡張エラー コード: 0x7",
        "错误代码: 0x904\n扩展错误代码: 0x7",
        "오류 코드: 0x904\n확장 오류 코드: 0x7",
        "Error code: 0x904 Extended error code: 0x7 Activity ID: {e1f2a3b4-0000-1111-2222-333344445555}",
    ];
    for dialog in dialogs {
        let decoded = codes::decode(dialog);
        assert_eq!(
            names(&decoded),
            [
                (
                    Role::DisconnectReason,
                    0x904,
                    Some("disconnectReasonAtClientWinsockFDCLOSE")
                ),
                (
                    Role::ExtendedReason,
                    7,
                    Some("exDiscReasonServerDeniedConnection")
                ),
            ],
            "{dialog}"
        );
    }
}

#[test]
fn a_labelled_extended_code_keeps_its_role_alone_or_first() {
    let alone = codes::decode("Extended error code: 0x7");
    assert_eq!(
        names(&alone),
        [(
            Role::ExtendedReason,
            7,
            Some("exDiscReasonServerDeniedConnection")
        )]
    );
    let first = codes::decode("Extended error code: 0x7, error code: 0x904");
    assert_eq!(first.codes[1].role, Role::DisconnectReason);
    assert_eq!(first.codes[1].value, 0x904);
}

#[test]
fn bare_pairs_in_decimal_and_hex() {
    for text in ["2308/7", "2308 7", "0x904/0x7", "904 7", "0X904,0X7"] {
        let decoded = codes::decode(text);
        assert_eq!(
            names(&decoded),
            [
                (
                    Role::DisconnectReason,
                    0x904,
                    Some("disconnectReasonAtClientWinsockFDCLOSE")
                ),
                (
                    Role::ExtendedReason,
                    7,
                    Some("exDiscReasonServerDeniedConnection")
                ),
            ],
            "{text}"
        );
    }
    let hex_letters = codes::decode("a06");
    assert_eq!(
        names(&hex_letters),
        [(
            Role::DisconnectReason,
            0xA06,
            Some("disconnectReasonSecurityError")
        )]
    );
}

#[test]
fn client_event_1026_reason_is_decimal() {
    let event = "RDP ClientActiveX has been disconnected (Reason= 2308)";
    assert_eq!(
        names(&codes::decode(event)),
        [(
            Role::DisconnectReason,
            2308,
            Some("disconnectReasonAtClientWinsockFDCLOSE")
        )]
    );
    let german = "Die Verbindung von RDP ClientActiveX wurde getrennt (Grund= 264)";
    assert_eq!(
        names(&codes::decode(german)),
        [(
            Role::DisconnectReason,
            0x108,
            Some("disconnectReasonConnectionTimedOut")
        )]
    );
    let pasted_event = "Log Name: Microsoft-Windows-TerminalServices-RDPClient/Operational\n\
        Date: 5/2/2024 10:11:12 AM\nEvent ID: 1026\nTask Category: Connection Sequence\n\
        Description: RDP ClientActiveX has been disconnected (Reason= 2308)";
    assert_eq!(
        names(&codes::decode(pasted_event)),
        [(
            Role::DisconnectReason,
            2308,
            Some("disconnectReasonAtClientWinsockFDCLOSE")
        )],
        "dates and the event id are not codes"
    );
    let two_events = "(Reason= 2308)\n(Reason= 2308)\n(Reason= 3)";
    assert_eq!(
        codes::decode(two_events).codes.len(),
        2,
        "repeated events collapse"
    );
}

#[test]
fn unknown_codes_are_reported_not_guessed() {
    let decoded = codes::decode("Error code: 0x9999 Extended error code: 0x8000");
    assert_eq!(decoded.codes.len(), 2);
    for code in &decoded.codes {
        assert!(!code.known);
        assert_eq!(
            (code.name.as_ref(), code.meaning.as_ref(), code.layer),
            (None, None, None)
        );
        assert!(code.causes.is_empty() && code.evidence.is_none());
    }
    assert!(decoded.evidence().is_empty());
}

#[test]
fn text_without_codes_and_hostile_input_yield_nothing_or_bounded_results() {
    assert!(codes::decode("").codes.is_empty());
    assert!(
        codes::decode("Remote Desktop can't connect to the remote computer")
            .codes
            .is_empty()
    );
    assert!(
        codes::decode("0x 0xg 0x123456789 99999999999 deadbeefcafe")
            .codes
            .is_empty()
    );
    assert!(codes::decode("é=ü\u{0}\u{FFFF}").codes.is_empty());

    let many: String = (1..100).map(|n| format!("0x{n:X} ")).collect();
    let decoded = codes::decode(&many);
    assert_eq!(decoded.codes.len(), codes::MAX_CODES);
    assert!(decoded.truncated);

    let huge = format!("{}0x904", "é".repeat(codes::MAX_INPUT));
    let decoded = codes::decode(&huge);
    assert!(decoded.truncated);
    assert!(decoded.codes.is_empty(), "the code lies past the bound");
}

#[test]
fn decoded_round_trips_through_json() {
    let decoded = codes::decode("0x904 0x7 0x1234");
    let json = serde_json::to_string(&decoded).unwrap();
    assert!(json.contains("\"role\":\"disconnect_reason\""), "{json}");
    assert_eq!(serde_json::from_str::<Decoded>(&json).unwrap(), decoded);
}

#[test]
fn every_cut_of_a_multilingual_dialog_decodes_without_panicking() {
    let dialog = "リモート デスクトップ\nエラー コード: 0x904\n拡張エラー コード: 0x7\n(Reason= 2308) Grund=é";
    for (end, _) in dialog.char_indices() {
        for (start, _) in dialog[..end].char_indices() {
            let decoded = codes::decode(&dialog[start..end]);
            assert!(decoded.codes.len() <= 3, "{:?}", &dialog[start..end]);
        }
    }
}

// ---------------------------------------------------------------- wording, status codes, other clients

/// The LSA dialog as Microsoft Learn quotes it in six languages ("Troubleshoot authentication
/// errors when you use RDP to connect to Azure VM", en-us, de-de, fr-fr, es-es, pt-br, it-it).
#[test]
fn dialog_wording_is_recognised_in_several_languages() {
    let dialogs = [
        (
            "en",
            "An authentication error has occurred. The Local Security Authority cannot be contacted.",
        ),
        (
            "de",
            "Authentifizierungsfehler. Die lokale Sicherheitsautorität (LSA) ist nicht erreichbar.",
        ),
        (
            "fr",
            "Une erreur d\u{2019}authentification s\u{2019}est produite. L\u{2019}autorité de sécurité locale ne peut pas être contactée.",
        ),
        (
            "es",
            "Error de autenticación. No se puede conectar con la autoridad de seguridad Local.",
        ),
        (
            "pt",
            "Ocorreu um erro de autenticação. A Autoridade de Segurança Local não pode ser contatada.",
        ),
        (
            "it",
            "Si è verificato un errore di autenticazione. Impossibile contattare l'autorità di sicurezza locale.",
        ),
    ];
    for (language, text) in dialogs {
        let decoded = codes::decode(text);
        assert_eq!(
            message_ids(&decoded),
            ["lsa_unreachable"],
            "{language}: {text}"
        );
        assert_eq!(decoded.messages[0].language, language);
        assert!(decoded.codes.is_empty(), "{language}: no code in the text");
        let evidence: Vec<_> = decoded.evidence().iter().map(|e| e.id).collect();
        assert_eq!(evidence, [EvidenceId::MessageLsaUnreachable], "{language}");
    }
    // "This computer can't connect to the remote computer", same article, with curly apostrophes.
    for text in [
        "This computer can\u{2019}t connect to the remote computer. Try connecting again.",
        "Dieser Computer kann keine Verbindung mit dem Remotecomputer herstellen.",
        "Cet ordinateur ne peut pas se connecter à l\u{2019}ordinateur distant.",
        "Il computer non è in grado di connettersi al computer remoto.",
    ] {
        assert_eq!(
            message_ids(&codes::decode(text)),
            ["cannot_connect_generic"],
            "{text}"
        );
    }
    // "User cannot authenticate or must authenticate twice", de-de and fr-fr.
    for text in [
        "Remotedesktopverbindung: Der Systemadministrator hat den Typ der Anmeldung (Netzwerk oder interaktiv) eingeschränkt, die Sie verwenden können.",
        "Connexion Bureau à distance : l\u{2019}administrateur système a restreint le type d\u{2019}ouverture de session (réseau ou interactif) que vous pouvez utiliser.",
    ] {
        assert_eq!(
            message_ids(&codes::decode(text)),
            ["logon_type_restricted"],
            "{text}"
        );
    }
}

/// Whole dialogs as Windows shows them (and as the RDP Wrapper, AutomatedLab and Microsoft Learn
/// pages quote them), in their current and older wordings.
#[test]
fn whole_windows_dialogs_are_recognised() {
    for (text, expected) in [
        (
            "Your computer could not connect to another console session on the remote computer because you already have a console session in progress.",
            "console_session_in_progress",
        ),
        (
            "Remote Desktop cannot verify the identity of the remote computer because there is a time or date difference between your computer and the remote computer.",
            "time_difference",
        ),
        (
            "Remote Desktop cannot verify the identity of the remote computer because there is a time and/or date difference between your computer and the remote computer.",
            "time_difference",
        ),
        (
            "The task you are trying to do can\u{2019}t be completed because Remote Desktop Services is currently busy. Please try again in a few minutes.",
            "rds_busy",
        ),
        (
            "There are currently no logon servers available to service the logon request.",
            "no_logon_servers",
        ),
        (
            "Account restrictions are preventing this user from signing in. For example: blank passwords aren't allowed, sign-in times are limited, or a policy restriction has been enforced.",
            "account_restriction",
        ),
        (
            "The sign-in method you\u{2019}re trying to use isn\u{2019}t allowed. Try a different sign-in method or contact your system administrator.",
            "entra_sign_in_method_blocked",
        ),
        // STATUS_SMARTCARD_CERT_EXPIRED as the sign-in screen shows it ([MS-ERREF]; Teleport's
        // desktop access troubleshooting quotes it).
        (
            "The smartcard certificate used for authentication has expired. Please contact your system administrator.",
            "smartcard_cert_expired",
        ),
        // xrdp's log when it cannot read its key (neutrinolabs/xrdp libxrdp/xrdp_rdp.c), as
        // DietPi issue 5976 quotes it.
        (
            "[20221213-12:00:00] [ERROR] Cannot read private key file /etc/xrdp/key.pem: Permission denied",
            "xrdp_key_unreadable",
        ),
        // The older clients' wording of 0x204, as Microsoft Learn quotes it ("Terminal Server
        // session creation failed"), line breaks and all.
        (
            "Remote Desktop Disconnected\nThe client could not connect to the remote computer.\nRemote connections might not be enabled or the computer might be too busy to accept new connections.\nIt is also possible that network problems are preventing your connection.",
            "cannot_reach_computer",
        ),
        // RDP Wrapper's RDPConf, as its users quote it (rdpwrap issue tracker).
        (
            "Listener state: Listening [not supported]",
            "rdpwrap_not_supported",
        ),
        (
            "Service state: Running, Listener state: Not listening [not listening]",
            "rdpwrap_not_listening",
        ),
    ] {
        assert_eq!(message_ids(&codes::decode(text)), [expected], "{text}");
    }
}

/// The client's own text for a disconnect reason, pasted without its "Error code:" line (the
/// TechNet Wiki's "Disconnect Codes and Reasons" texts): the wording alone establishes what the
/// code would, and no number is read from it.
#[test]
fn disconnect_reason_texts_without_their_code_establish_its_evidence() {
    let cases: &[(&str, &str, EvidenceId)] = &[
        (
            "This computer can't connect to the remote computer.\n\nThe two computers couldn't connect in the amount of time allotted. Try connecting again. If the problem continues, contact your network administrator or technical support.",
            "connect_time_allotted",
            EvidenceId::CodeTimedOut,
        ),
        (
            "Because of a security error, the client could not connect to the remote computer. Verify that you are logged on to the network, and then try connecting again.",
            "security_error_could_not_connect",
            EvidenceId::CodeSecurityError,
        ),
        (
            "Remote Desktop Disconnected\n\nYour Remote Desktop Services session has ended.\n\nThe connection to the remote computer was lost, possibly due to network connectivity problems.\n\nTry connecting to the remote computer again. If the problem continues, contact your network administrator or technical support.",
            "connection_lost_network",
            EvidenceId::CodeSocketClosed,
        ),
        (
            "A licensing error occurred while the client was attempting to connect (Licensing timed out). Please try connecting to the remote computer again.",
            "licensing_timed_out",
            EvidenceId::CodeLicensing,
        ),
        (
            "The specified username does not exist. Verify the username and try logging in again. If the problem continues, contact your system administrator or technical support.",
            "username_does_not_exist",
            EvidenceId::CodeLogonFailure,
        ),
        (
            "The user account is currently disabled and cannot be used. For assistance, contact your system administrator or technical support.",
            "account_disabled",
            EvidenceId::CodeAccountState,
        ),
        (
            "As a security precaution, the user account has been locked because there were too many logon attempts or password change attempts. Wait a while before trying again, or contact your system administrator or technical support.",
            "account_locked_too_many_attempts",
            EvidenceId::CodeAccountState,
        ),
        (
            "This user account\u{2019}s password has expired. The password must change in order to logon. Please update the password or contact your system administrator or technical support.",
            "password_expired",
            EvidenceId::CodeAccountState,
        ),
    ];
    // Only the generic "can't connect" text may match beside it: it weighs nothing.
    each_names_its_message_besides(
        cases,
        Some((
            "cannot_connect_generic",
            EvidenceId::MessageCannotConnectGeneric,
        )),
    );
}

#[test]
fn every_wording_fragment_is_reachable_through_decode() {
    for message in &kb::codes().messages {
        for (language, fragments) in &message.text {
            for fragment in fragments {
                let text = format!(
                    "Remote Desktop Connection\n\n{}\n\nOK",
                    fragment.to_uppercase()
                );
                let decoded = codes::decode(&text);
                assert!(
                    decoded.messages.iter().any(|m| m.id == message.id),
                    "{} ({language}) {fragment:?}: {decoded:?}",
                    message.id
                );
            }
        }
    }
}

/// The messages that name a cause put it first when they are all there is.
#[test]
fn wording_alone_points_the_engine_at_its_cause() {
    let cases = [
        (
            "The remote session was disconnected because there are no Remote Desktop License Servers available to provide a license.",
            "rds_licensing",
        ),
        (
            "The number of connections to this computer is limited and all connections are in use right now.",
            "connection_limit_reached",
        ),
        (
            "An authentication error has occurred. The function requested is not supported. This could be due to CredSSP encryption oracle remediation.",
            "credssp_oracle_mismatch",
        ),
        // The same dialog quoted without its last sentence.
        (
            "An authentication error has occurred. The function requested is not supported.",
            "credssp_oracle_mismatch",
        ),
        (
            "The connection was denied because the user account is not authorized for remote login.",
            "user_not_allowed_remote",
        ),
        (
            "The trust relationship between this workstation and the primary domain failed.",
            "no_domain_controller",
        ),
        (
            "The remote computer requires Network Level Authentication, which your computer does not support.",
            "nla_unusable_by_client",
        ),
        (
            "Remote Desktop can't connect to the remote computer because there is a time and/or date difference between your computer and the remote computer.",
            "clock_skew",
        ),
    ];
    for (text, cause) in cases {
        let diagnosis = rdp_doctor_core::engine::diagnose(&codes::decode(text).evidence());
        assert_eq!(diagnosis.ranked[0].id, cause, "{text}");
    }
}

#[test]
fn status_codes_are_named_as_what_they_are_never_as_disconnect_reasons() {
    let cases = [
        ("0x80090322", "SEC_E_WRONG_PRINCIPAL", "FACILITY_SECURITY"),
        ("0x80090304", "SEC_E_INTERNAL_ERROR", "FACILITY_SECURITY"),
        (
            "0x8009030D",
            "SEC_E_UNKNOWN_CREDENTIALS",
            "FACILITY_SECURITY",
        ),
        ("0x80080005", "CO_E_SERVER_EXEC_FAILURE", "HRESULT"),
        (
            "0x8007007E",
            "ERROR_MOD_NOT_FOUND",
            "HRESULT from Win32 error 126",
        ),
        (
            "0x80070040",
            "ERROR_NETNAME_DELETED",
            "HRESULT from Win32 error 64",
        ),
        ("0xC000006D", "STATUS_LOGON_FAILURE", "NTSTATUS"),
        ("0xc0000224", "STATUS_PASSWORD_MUST_CHANGE", "NTSTATUS"),
        ("0xC000015B", "STATUS_LOGON_TYPE_NOT_GRANTED", "NTSTATUS"),
        ("0xC0000133", "STATUS_TIME_DIFFERENCE_AT_DC", "NTSTATUS"),
    ];
    for (text, name, kind) in cases {
        let decoded = codes::decode(&format!("Error code: {text}"));
        assert_eq!(decoded.codes.len(), 1, "{text}: {decoded:?}");
        let code = &decoded.codes[0];
        assert_eq!(code.role, Role::Status, "{text}");
        assert_eq!(code.name.as_deref(), Some(name), "{text}");
        assert!(
            code.kind.as_deref().unwrap_or_default().contains(kind),
            "{text}: {code:?}"
        );
    }
    // An HRESULT in no table is still named by its kind and facility, with no meaning guessed.
    let unknown = &codes::decode("0x80091234").codes[0];
    assert_eq!(
        (unknown.role, unknown.known, unknown.meaning.as_deref()),
        (Role::Status, false, None)
    );
    assert!(
        unknown
            .kind
            .as_deref()
            .unwrap_or_default()
            .contains("FACILITY_SECURITY")
    );
    // Next to a dialog's codes, the dialog keeps its roles.
    let decoded =
        codes::decode("Error code: 0x904\nExtended error code: 0x7\nSEC_E error 0x80090322");
    assert_eq!(
        names(&decoded),
        [
            (
                Role::DisconnectReason,
                0x904,
                Some("disconnectReasonAtClientWinsockFDCLOSE")
            ),
            (
                Role::ExtendedReason,
                0x7,
                Some("exDiscReasonServerDeniedConnection")
            ),
            (Role::Status, 0x8009_0322, Some("SEC_E_WRONG_PRINCIPAL")),
        ]
    );
    assert!(
        decoded
            .evidence()
            .iter()
            .any(|e| e.id == EvidenceId::CodeWrongPrincipal)
    );
}

#[test]
fn openssl_error_numbers_are_read_as_openssl_not_as_codes() {
    // OpenSSL 3 and OpenSSL 1.1 spellings of SSL_R_UNSUPPORTED_PROTOCOL (258).
    for text in [
        "error:0A000102:SSL routines::unsupported protocol",
        "140241214420800:error:1425F102:SSL routines:ssl_choose_client_version:unsupported protocol:../ssl/statem/statem_lib.c:1941:",
    ] {
        let decoded = codes::decode(text);
        assert_eq!(decoded.codes.len(), 1, "{text}: {decoded:?}");
        let code = &decoded.codes[0];
        assert_eq!(code.role, Role::OpensslError);
        assert_eq!(code.name.as_deref(), Some("SSL_R_UNSUPPORTED_PROTOCOL"));
        assert_eq!(code.evidence, Some(EvidenceId::ClientTlsFailed));
    }
    // OpenSSL 1.0's packing of SSL_R_TLSV1_ALERT_INTERNAL_ERROR (1080), as FreeRDP/FreeRDP#681 quotes it.
    let alert = codes::decode(
        "SSL_read: error:14094438:SSL routines:SSL3_READ_BYTES:tlsv1 alert internal error",
    );
    assert_eq!(alert.codes.len(), 1, "{alert:?}");
    assert_eq!(
        alert.codes[0].name.as_deref(),
        Some("SSL_R_TLSV1_ALERT_INTERNAL_ERROR")
    );
    assert_eq!(
        alert.codes[0].evidence, None,
        "internal_error names no TLS mismatch"
    );
    let other_library = &codes::decode("error:0480006C:PEM routines::no start line").codes[0];
    assert_eq!(
        (other_library.role, other_library.known),
        (Role::OpensslError, false)
    );
}

/// FreeRDP's certificate name warning, as xfreerdp prints it (libfreerdp/crypto/tls.c) and as
/// FreeRDP/Remmina#722 quotes it.
#[test]
fn freerdp_nla_failure_is_read_as_an_authentication_failure() {
    // FreeRDP 1.x printed it on two lines, 2.x as one WLog line without the break.
    for text in [
        "Authentication failure, check credentials.\nIf credentials are valid, the NTLMSSP implementation may be to blame.",
        "[ERROR][com.freerdp.core.transport] - Authentication failure, check credentials.If credentials are valid, the NTLMSSP implementation may be to blame.",
    ] {
        let decoded = codes::decode(text);
        assert_eq!(message_ids(&decoded), ["freerdp_nla_authentication_failed"]);
        assert_eq!(decoded.evidence()[0].id, EvidenceId::ClientNlaFailed);
    }
}

#[test]
fn freerdp_openssl_failures_say_whether_the_handshake_or_the_session_broke() {
    let decoded = codes::decode(
        "SSL_read: Failure in SSL library (protocol error?)\nSSL_read: error:14094438:SSL routines:SSL3_READ_BYTES:tlsv1 alert internal error",
    );
    assert_eq!(message_ids(&decoded), ["freerdp_tls_read_failed"]);
    // The OpenSSL number is still named beside it.
    assert_eq!(decoded.codes.len(), 1, "{:?}", decoded.codes);
    let ids: Vec<EvidenceId> = decoded.evidence().iter().map(|e| e.id).collect();
    assert_eq!(ids, [EvidenceId::ClientTransportFailed]);
    let decoded = codes::decode("SSL_connect: Failure in SSL library (protocol error?)");
    assert_eq!(message_ids(&decoded), ["freerdp_tls_connect_failed"]);
    assert_eq!(decoded.evidence()[0].id, EvidenceId::ClientTlsFailed);
}

#[test]
fn freerdp_certificate_name_mismatch_is_recognised() {
    let log = "[12:46:09:347] [13214:13215] [ERROR][com.freerdp.crypto] - @           WARNING: CERTIFICATE NAME MISMATCH!           @\n\
               The hostname used for this connection (10.10.10.10:3389)\n\
               does not match the name given in the certificate:";
    let decoded = codes::decode(log);
    assert_eq!(message_ids(&decoded), ["freerdp_certificate_name_mismatch"]);
    let evidence: Vec<_> = decoded.evidence().iter().map(|e| e.id).collect();
    assert_eq!(evidence, [EvidenceId::CertNameMismatch]);
}

/// FreeRDP's log lines as reported in FreeRDP/FreeRDP issues #8394, #2834 and #5127.
#[test]
fn freerdp_names_and_values_decode_to_their_meaning() {
    let log = "[01:26:42:263] [5589:5592] [ERROR][com.freerdp.core.transport] - BIO_should_retry returned a system error 32: Broken pipe\n\
               [01:26:42:263] [5589:5592] [ERROR][com.freerdp.core] - transport_write:freerdp_set_last_error_ex ERRCONNECT_CONNECT_TRANSPORT_FAILED [0x0002000D]";
    let decoded = codes::decode(log);
    assert_eq!(
        names(&decoded),
        [(
            Role::FreerdpError,
            0x2000D,
            Some("ERRCONNECT_CONNECT_TRANSPORT_FAILED")
        )]
    );
    assert_eq!(
        decoded.codes[0].evidence,
        Some(EvidenceId::ClientTransportFailed)
    );
    // The short spelling of the value alone, as in issue #2041.
    let decoded = codes::decode("[ERROR][com.freerdp.freerdp] - freerdp_set_last_error 0x2000D");
    assert_eq!(
        names(&decoded),
        [(
            Role::FreerdpError,
            0x2000D,
            Some("ERRCONNECT_CONNECT_TRANSPORT_FAILED")
        )]
    );
    // ERRINFO_* names are the server's error info: the extended reason table explains them.
    let decoded = codes::decode(
        "[INFO][com.freerdp.core] - ERRINFO_LOGOFF_BY_USER (0x0000000C):The disconnection was initiated by the user logging off their session on the server.",
    );
    assert_eq!(
        names(&decoded),
        [(Role::ExtendedReason, 0xC, Some("exDiscReasonLogoffByUser"))]
    );
    let decoded = codes::decode("ERRCONNECT_TLS_CONNECT_FAILED [0x00020008]");
    assert_eq!(decoded.codes.len(), 1, "{decoded:?}");
    assert_eq!(decoded.codes[0].evidence, Some(EvidenceId::ClientTlsFailed));
}

/// Guacamole's guacd log (apache/guacamole-server error.c) and rdesktop's output (iso.c).
#[test]
fn guacamole_and_rdesktop_messages_are_recognised() {
    let decoded = codes::decode(
        "guacd[1109]: INFO:\tRDP server closed/refused connection: Security negotiation failed (wrong security type?)",
    );
    assert_eq!(message_ids(&decoded), ["guacamole_security_negotiation"]);
    assert!(decoded.codes.is_empty(), "{decoded:?}");
    let decoded = codes::decode(
        "RDP server closed/refused connection: Server refused connection (wrong security type?)",
    );
    assert_eq!(message_ids(&decoded), ["guacamole_server_refused"]);
    let decoded = codes::decode(
        "Failed to initialize NLA, do you have correct Kerberos TGT initialized ?\nFailed to connect, CredSSP required by server (check if server has disabled old TLS versions, if yes use -V option).",
    );
    assert_eq!(message_ids(&decoded), ["rdesktop_credssp_required"]);
    assert_eq!(decoded.evidence()[0].id, EvidenceId::MessageClientLacksNla);
}

#[test]
fn text_that_names_nothing_stays_unknown() {
    let decoded = codes::decode("Something went wrong. Please try again later.");
    assert!(
        decoded.codes.is_empty() && decoded.messages.is_empty(),
        "{decoded:?}"
    );
    assert!(decoded.evidence().is_empty());
}

/// Each text decodes to exactly its message and that message's evidence, and no number in it is
/// read as a code.
fn each_names_only_its_message(cases: &[(&str, &str, EvidenceId)]) {
    each_names_its_message_besides(cases, None);
}

/// As [`each_names_only_its_message`], but `besides` (a message and its evidence) may also match.
fn each_names_its_message_besides(
    cases: &[(&str, &str, EvidenceId)],
    besides: Option<(&str, EvidenceId)>,
) {
    for (text, message, evidence) in cases {
        let decoded = codes::decode(text);
        let naming: Vec<&str> = message_ids(&decoded)
            .into_iter()
            .filter(|id| besides.is_none_or(|(other, _)| *id != other))
            .collect();
        assert_eq!(naming, [*message], "{text}");
        assert!(decoded.codes.is_empty(), "{text}: {:?}", decoded.codes);
        let ids: Vec<EvidenceId> = decoded
            .evidence()
            .iter()
            .map(|e| e.id)
            .filter(|id| besides.is_none_or(|(_, other)| *id != other))
            .collect();
        assert_eq!(ids, [*evidence], "{text}");
    }
}

/// The system's own socket errors, as programs print them: Windows' FormatMessage text with its
/// Winsock code, glibc's strerror, and a Rust client's debug print of `std::io::Error` (Teleport).
#[test]
fn socket_errors_are_named_by_what_the_connection_met() {
    let cases: &[(&str, &str, EvidenceId)] = &[
        (
            "System.Net.Sockets.SocketException (10061): No connection could be made because the target machine actively refused it. 10.0.0.5:3389",
            "socket_connection_refused",
            EvidenceId::CodeConnectionRefused,
        ),
        (
            "[ERROR][com.freerdp.core] - freerdp_tcp_connect: connect() failed: Connection refused",
            "socket_connection_refused",
            EvidenceId::CodeConnectionRefused,
        ),
        (
            r#"Rdp(Io(Os { code: 54, kind: ConnectionReset, message: "Connection reset by peer" }))"#,
            "socket_connection_reset",
            EvidenceId::CodeConnectionReset,
        ),
        (
            "Unable to read data from the transport connection: An existing connection was forcibly closed by the remote host.",
            "socket_connection_reset",
            EvidenceId::CodeConnectionReset,
        ),
        (
            "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond 192.168.1.20:3389",
            "socket_timed_out",
            EvidenceId::CodeTimedOut,
        ),
        (
            "connect to 192.168.1.20 port 3389 failed: No route to host",
            "socket_unreachable",
            EvidenceId::CodeConnectFailed,
        ),
    ];
    // The errno, the Winsock code, the address and the port are not dialog codes.
    each_names_only_its_message(cases);
}

/// The Windows client's dialogs through an RD Gateway, as it shows them (its texts for the RD
/// Gateway disconnect reasons, 50331649 onwards, with the names it fills in): each names the
/// gateway step that refused, not the server.
#[test]
fn rd_gateway_dialogs_are_named_by_the_gateway_step_that_refused() {
    let cases: &[(&str, &str, EvidenceId)] = &[
        (
            "Your computer can't connect to the remote computer because the Remote Desktop Gateway server is temporarily unavailable. Try reconnecting later or contact your network administrator for assistance.",
            "gateway_unavailable",
            EvidenceId::MessageGatewayUnavailable,
        ),
        (
            "An error occurred while receiving data from the Remote Desktop Gateway server. Either the server is temporarily unavailable or a network connection is down. Try again later, or contact your network administrator for assistance.",
            "gateway_unavailable",
            EvidenceId::MessageGatewayUnavailable,
        ),
        (
            "Your computer can't connect to the remote computer because the Remote Desktop Gateway server address is unreachable or incorrect. Type a valid Remote Desktop Gateway server address.",
            "gateway_unreachable",
            EvidenceId::MessageGatewayUnreachable,
        ),
        (
            "Remote Desktop can\u{2019}t connect to the remote computer \"rds01.corp.example.com\" for one of these reasons:\n\n1) Your user account is not authorized to access the RD Gateway \"gw.example.com\"\n2) Your computer is not authorized to access the RD Gateway \"gw.example.com\"\n3) You are using an incompatible authentication method (for example, the RD Gateway might be expecting a smart card but you provided a password)\n\nContact your network administrator for assistance.",
            "gateway_not_authorized",
            EvidenceId::MessageGatewayCapDenied,
        ),
        (
            "Remote Desktop can't connect to the remote computer \"rds01\" for one of these reasons:\n\n1) Your user account is not listed in the RD Gateway\u{2019}s permission list\n2) You might have specified the remote computer in NetBIOS format (for example, computer1), but the RD Gateway is expecting an FQDN or IP address format (for example, computer1.fabrikam.com or 157.60.0.1).\n\nContact your network administrator for assistance.",
            "gateway_resource_not_allowed",
            EvidenceId::MessageGatewayRapDenied,
        ),
        (
            "Your computer can't connect to the remote computer because the Remote Desktop Gateway server address requested and the certificate subject name do not match. Contact your network administrator for assistance.",
            "gateway_certificate_rejected",
            EvidenceId::MessageGatewayCertRejected,
        ),
        (
            "Your computer can't connect to the remote computer because the Remote Desktop Gateway server's certificate has expired or has been revoked. Contact your network administrator for assistance.",
            "gateway_certificate_rejected",
            EvidenceId::MessageGatewayCertRejected,
        ),
        (
            "Your computer can't connect to the remote computer because the Remote Desktop Gateway server reached its maximum allowed connections. Try reconnecting later or contact your network administrator for assistance.",
            "gateway_connection_limit",
            EvidenceId::MessageGatewayConnectionLimit,
        ),
        (
            "Your computer can't connect to the remote computer because it can't verify the certificate revocation list. Contact your network administrator for assistance.",
            "gateway_certificate_rejected",
            EvidenceId::MessageGatewayCertRejected,
        ),
        (
            "Your computer can't connect to the remote computer because smart card credentials are required to authenticate to the Remote Desktop Gateway server instead of a user name and password.",
            "gateway_not_authorized",
            EvidenceId::MessageGatewayCapDenied,
        ),
        (
            "The RD Gateway connection ended because periodic user authorization failed. Your computer or device didn't pass the Network Access Protection (NAP) requirements set by your network administrator. Contact your network administrator for assistance.",
            "gateway_not_authorized",
            EvidenceId::MessageGatewayCapDenied,
        ),
        // The gateway's credential failures are the logon failures they name, list numbers and all.
        (
            "Your computer can't connect to the remote computer due to one of the following reasons:\n\n1) Your credentials (the combination of user name, domain, and password) were incorrect.\n2) Your smart card was not recognized.",
            "gateway_credentials_rejected",
            EvidenceId::CodeLogonFailure,
        ),
        (
            "Your computer can\u{2019}t connect to the remote computer because your password has expired or you must change the password. Please change the password or contact your network administrator or technical support for assistance.",
            "gateway_password_expired",
            EvidenceId::CodeAccountState,
        ),
    ];
    // Only the gateway's message: not the direct connection's "can't connect … for one of
    // these reasons", and the list numbers, names and addresses are no codes.
    each_names_only_its_message(cases);
}

/// The client's RD Gateway and RemoteApp disconnect reasons (50331649 = 0x3000001 onwards) decode
/// by value, in hex as the dialog shows them and in decimal as event 1026 and scripts print them,
/// to their names and, where the text names the gateway's refusal, its evidence.
#[test]
fn rd_gateway_and_remoteapp_disconnect_reasons_decode_with_their_evidence() {
    let cases: &[(&str, u32, &str, Option<EvidenceId>)] = &[
        // Azure Virtual Desktop's "no resources available", as its users paste it.
        (
            "There are currently no resources available to connect to. Retry the connection or contact your network administrator.\n\nError code: 0x3000046\nExtended error code: 0x0",
            0x3000046,
            "noResourcesAvailable",
            None,
        ),
        (
            "Error code: 0x3000047",
            0x3000047,
            "resourceAccessError",
            None,
        ),
        (
            "50331660",
            0x300000C,
            "rdGatewayAddressUnreachable",
            Some(EvidenceId::MessageGatewayUnreachable),
        ),
        (
            "RDP ClientActiveX has been disconnected (Reason= 50331661)",
            0x300000D,
            "rdGatewayTemporarilyUnavailable",
            Some(EvidenceId::MessageGatewayUnavailable),
        ),
        (
            "Error code: 0x3000022",
            0x3000022,
            "rdGatewayMaxConnections",
            Some(EvidenceId::MessageGatewayConnectionLimit),
        ),
        (
            "Error code: 0x300001B",
            0x300001B,
            "rdGatewayResourceNotAuthorized",
            Some(EvidenceId::MessageGatewayRapDenied),
        ),
        (
            "Error code: 0x3000001",
            0x3000001,
            "rdGatewayCredentialsInvalid",
            Some(EvidenceId::CodeLogonFailure),
        ),
    ];
    for (text, value, name, evidence) in cases {
        let decoded = codes::decode(text);
        assert_eq!(
            names(&decoded)[0],
            (Role::DisconnectReason, *value, Some(*name)),
            "{text}"
        );
        assert!(decoded.codes[0].known, "{text}");
        assert_eq!(decoded.codes[0].evidence, *evidence, "{text}");
    }
    // A value in the range that the client's table does not list stays unknown.
    let decoded = codes::decode("Error code: 0x3000016");
    assert!(!decoded.codes[0].known, "{:?}", decoded.codes);
}

#[test]
fn a_dialogs_numbered_list_is_not_read_as_codes() {
    // Disconnect reason 50331707's text, which no wording recognises.
    let decoded = codes::decode(
        "Your computer can't connect to the remote computer because the Remote Desktop Gateway and the remote computer are unable to exchange policies. This could happen due to one of the following reasons: 1) The remote computer is not capable of exchanging policies. 2) The remote computer's configuration does not permit a new connection. 3) The connection ended.",
    );
    assert!(decoded.codes.is_empty(), "{:?}", decoded.codes);
    // A bare pair still decodes, and so does a code closed by a parenthesis.
    assert_eq!(codes::decode("2308 7").codes.len(), 2);
    assert_eq!(codes::decode("(0x904 and 0x7)").codes.len(), 2);
}

#[test]
fn ipv4_addresses_and_their_ports_are_never_read_as_codes() {
    for text in [
        "Unable to connect to 10.0.0.5:3389",
        "Remote Desktop can't connect to 192.168.1.1",
        "203.0.113.7",
    ] {
        let decoded = codes::decode(text);
        assert!(decoded.codes.is_empty(), "{text}: {:?}", decoded.codes);
    }
    // A bare pair next to an address still decodes.
    let decoded = codes::decode("0x904 0x7 from 10.1.2.3");
    assert_eq!(
        names(&decoded),
        [
            (
                Role::DisconnectReason,
                0x904,
                Some("disconnectReasonAtClientWinsockFDCLOSE")
            ),
            (
                Role::ExtendedReason,
                0x7,
                Some("exDiscReasonServerDeniedConnection")
            ),
        ]
    );
}

/// "An authentication error has occurred." and the sign-in failures quote the security
/// package's or the logon status's own message ([MS-ERREF]): each names what its code names.
#[test]
fn security_package_and_logon_messages_name_what_their_codes_name() {
    let cases: &[(&str, &str, EvidenceId)] = &[
        (
            "An authentication error has occurred.\nThe logon attempt failed\n\nRemote computer: srv01",
            "sspi_logon_denied",
            EvidenceId::CodeLogonFailure,
        ),
        (
            "The user name or password is incorrect.",
            "logon_bad_user_or_password",
            EvidenceId::CodeLogonFailure,
        ),
        (
            "The referenced account is currently locked out and may not be logged on to.",
            "logon_account_state",
            EvidenceId::CodeAccountState,
        ),
        (
            "An authentication error has occurred.\nThe target principal name is incorrect.",
            "sspi_wrong_principal",
            EvidenceId::CodeWrongPrincipal,
        ),
        (
            "An authentication error has occurred. No authority could be contacted for authentication.",
            "sspi_no_authority",
            EvidenceId::CodeNoAuthority,
        ),
        (
            "The clocks on the client and server machines are skewed.",
            "sspi_time_skew",
            EvidenceId::CodeClockSkew,
        ),
        (
            "The client and server cannot communicate, because they do not possess a common algorithm.",
            "sspi_algorithm_mismatch",
            EvidenceId::CodeNoCommonAlgorithm,
        ),
        (
            "The message received was unexpected or badly formatted.",
            "sspi_illegal_message",
            EvidenceId::CodeTlsVersionMismatch,
        ),
        (
            "The credentials supplied to the package were not recognized",
            "sspi_unknown_credentials",
            EvidenceId::CodeServerCredentialUnusable,
        ),
        (
            "The received certificate has expired.",
            "sspi_cert_expired",
            EvidenceId::CodeServerCertExpired,
        ),
        (
            "Your system administrator does not allow the use of saved credentials to log on to the remote computer srv01 because its identity is not fully verified. Please enter new credentials.",
            "saved_credentials_not_allowed",
            EvidenceId::CodeDelegationPolicy,
        ),
    ];
    each_names_only_its_message(cases);
}
