//! Decoder tests: every code in the published tables, every way people paste them.

use rdp_doctor_core::codes::{self, Decoded, Role};
use rdp_doctor_core::evidence::{EvidenceId, Layer};
use rdp_doctor_core::kb;

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
    for &(value, name) in DISCONNECT {
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
        DISCONNECT.len(),
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
