//! Localized dialog wording: each text as the cited page quotes the dialog (kb/messages.toml),
//! with the page's own spacing and punctuation, so the normaliser meets what people paste.

use rdp_doctor_core::codes::{self, Decoded};
use rdp_doctor_core::evidence::EvidenceId;

use super::message_ids;

/// One recognised message, in the expected language, and no code read out of the text.
fn assert_single(text: &str, id: &str, language: &str) -> Decoded {
    let decoded = codes::decode(text);
    assert_eq!(message_ids(&decoded), [id], "{language}: {text}");
    assert_eq!(decoded.messages[0].language, language, "{text}");
    assert!(decoded.codes.is_empty(), "{language}: no code in {text}");
    decoded
}

/// "Troubleshoot authentication errors when you use RDP to connect to Azure VM" in ja-jp, zh-cn,
/// zh-tw, pl-pl and sv-se: the three dialogs as each edition quotes them.
#[test]
fn azure_authentication_dialogs_in_asian_and_nordic_languages() {
    let lsa = [
        (
            "ja",
            "認証エラーが発生しました。 ローカル セキュリティ機関にアクセスできません。",
        ),
        ("zh", "发生身份验证错误。 无法联系本地安全机构。"),
        ("zh", "發生驗證錯誤。 無法連絡本機安全性授權。"),
        (
            "pl",
            "Wystąpił błąd uwierzytelniania. Nie można skontaktować się z urzędem zabezpieczeń lokalnych.",
        ),
        (
            "sv",
            "Ett autentiseringsfel har uppstått. Det går inte att kontakta den lokala säkerhetsmyndigheten.",
        ),
    ];
    for (language, text) in lsa {
        let decoded = assert_single(text, "lsa_unreachable", language);
        let evidence: Vec<_> = decoded.evidence().iter().map(|e| e.id).collect();
        assert_eq!(evidence, [EvidenceId::MessageLsaUnreachable], "{language}");
    }
    let domain_controller = [
        (
            "ja",
            "接続しようとしているリモート コンピューターにはネットワーク レベル認証 (NLA) が必要ですが、Windows ドメイン コントローラーに接続して NLA を実行することはできません。",
        ),
        (
            "zh",
            "你尝试连接到的远程计算机需要网络级别身份验证 (NLA),但无法联系 Windows 域控制器来执行 NLA。",
        ),
        (
            "zh",
            "你尝试连接的远程计算机需要网络级别身份验证 (NLA) ,但无法联系你的 Windows 域控制器来执行 NLA。",
        ),
        (
            "zh",
            "您嘗試連線到的遠端電腦需要網路層級驗證 (NLA),但無法連絡您的 Windows 域控制器來執行 NLA。",
        ),
        (
            "pl",
            "Komputer zdalny, z którym próbujesz nawiązać połączenie, wymaga uwierzytelniania na poziomie sieci (NLA), ale nie można skontaktować się z kontrolerem domeny systemu Windows w celu wykonania równoważenia obciążenia sieciowego.",
        ),
        (
            "sv",
            "Fjärrdatorn som du försöker ansluta till kräver autentisering på nätverksnivå (NLA), men Windows-domänkontrollanten kan inte kontaktas för att utföra NLA.",
        ),
    ];
    for (language, text) in domain_controller {
        assert_single(text, "nla_domain_controller_unreachable", language);
    }
    let generic = [
        (
            "ja",
            "このコンピューターはリモート コンピューターに接続できません。 接続を再試行してください。",
        ),
        (
            "zh",
            "此计算机无法连接到远程计算机。 再次尝试连接,如果问题仍然存在,请与远程计算机的所有者或网络管理员联系。",
        ),
        ("zh", "這部電腦無法連線到遠端電腦。 請再次嘗試連線。"),
        (
            "pl",
            "Ten komputer nie może nawiązać połączenia z komputerem zdalnym. Spróbuj ponownie nawiązać połączenie.",
        ),
        (
            "sv",
            "Den här datorn kan inte ansluta till fjärrdatorn. Försök att ansluta igen.",
        ),
    ];
    for (language, text) in generic {
        assert_single(text, "cannot_connect_generic", language);
    }
}

/// Both de-de editions of the Azure authentication article word the domain-controller dialog
/// differently; each is recognised.
#[test]
fn domain_controller_dialog_in_both_german_editions() {
    for text in [
        "Der Remotecomputer, den Sie herstellen möchten, um eine Verbindung herzustellen, erfordert die Authentifizierung auf Netzwerkebene (Network Level Authentication, NLA), ihr Windows-Domänencontroller kann jedoch nicht kontaktiert werden, um NLA auszuführen.",
        "Der Remotecomputer, zu dem Sie eine Verbindung herstellen möchten, erfordert eine Authentifizierung auf Netzwerkebene (NLA), aber Ihr Windows-Domänencontroller kann nicht kontaktiert werden, um NLA durchzuführen.",
    ] {
        assert_single(text, "nla_domain_controller_unreachable", "de");
    }
}

/// The German text of disconnect reason 516 (0x204) as 1Remote/1Remote#108 logs it.
#[test]
fn cannot_reach_computer_in_german() {
    let text = "Der Remotedesktop kann aus einem der folgenden Gründe keine Verbindung mit dem Remotecomputer herstellen:\n\
                1) Der Remotezugriff auf den Server ist nicht aktiviert.\n\
                2) Der Remotecomputer ist ausgeschaltet.\n\
                3) Der Remotecomputer ist im Netzwerk nicht verfügbar.";
    let decoded = assert_single(text, "cannot_reach_computer", "de");
    let evidence: Vec<_> = decoded.evidence().iter().map(|e| e.id).collect();
    assert_eq!(evidence, [EvidenceId::CodeConnectFailed]);
}

/// The Chinese texts of the same two dialogs as issue trackers quote them: 0x204
/// (anhkgg/SuperRDP#33) and the LSA dialog (yeslinyh.github.io#25).
#[test]
fn chinese_dialogs_as_issue_trackers_quote_them() {
    assert_single(
        "远程桌面由于以下原因之一无法连接到远程计算机:\n1)未启用对服务器的远程访问\n2)远程计算机已关闭\n3)远程计算机在网络上不可用",
        "cannot_reach_computer",
        "zh",
    );
    assert_single(
        "出现身份验证错误，无法连接到本地安全机构",
        "lsa_unreachable",
        "zh",
    );
}

/// "User cannot authenticate or must authenticate twice", es-es and ja-jp.
#[test]
fn restricted_logon_type_in_spanish_and_japanese() {
    for (language, text) in [
        (
            "es",
            "Conexión a Escritorio remoto:\nEl administrador del sistema ha restringido el tipo de inicio de sesión (red o interactiva) que pueda usar.",
        ),
        (
            "ja",
            "リモート デスクトップ接続: システム管理者は、使用できるログオンの種類 (ネットワークまたは対話型) を制限しました。",
        ),
    ] {
        assert_single(text, "logon_type_restricted", language);
    }
}

/// "Your credentials did not work" as ipentec.com quotes the Japanese dialog.
#[test]
fn credentials_did_not_work_in_japanese() {
    let decoded = assert_single(
        "お使いの資格情報は機能しませんでした",
        "credentials_did_not_work",
        "ja",
    );
    let evidence: Vec<_> = decoded.evidence().iter().map(|e| e.id).collect();
    assert_eq!(evidence, [EvidenceId::MessageCredentialsDidNotWork]);
}

/// The CredSSP dialog as the German, Japanese, Chinese and Russian pages quote it: the status
/// line is SEC_E_UNSUPPORTED_FUNCTION's own text, and the newer clients add the remediation line.
#[test]
fn credssp_dialog_in_german_japanese_chinese_and_russian() {
    for (language, text) in [
        (
            "de",
            "Authentifizierungsfehler.\nDie angeforderte Funktion wird nicht unterstützt.\nRemotecomputer: server01",
        ),
        (
            "ja",
            "認証エラーが発生しました。\n要求された関数はサポートされていません\nリモート コンピューター: remotehostname",
        ),
        ("zh", "出现身份验证错误\n要求的函数不受支持\n远程计算机:IP"),
        (
            "ru",
            "Произошла ошибка проверки подлинности.\nУказанная функция не поддерживается.\nУдаленный компьютер: computername",
        ),
    ] {
        let decoded = assert_single(text, "function_not_supported", language);
        let evidence: Vec<_> = decoded.evidence().iter().map(|e| e.id).collect();
        assert_eq!(
            evidence,
            [EvidenceId::CodeUnsupportedFunction],
            "{language}"
        );
    }
    for (language, text) in [
        (
            "ja",
            "認証エラーが発生しました。\n要求された関数はサポートされていません\nリモート コンピューター: remotehostname\n原因は CredSSP 暗号化オラクルの修復である可能性があります。",
        ),
        (
            "zh",
            "出现身份验证错误\n要求的函数不受支持\n远程计算机:IP\n这可能是由于CredSSP 加密 Oracle 修正。",
        ),
        (
            "ru",
            "Произошла ошибка проверки подлинности.\nУказанная функция не поддерживается.\nПричиной ошибки может быть исправление шифрования CredSSP.",
        ),
    ] {
        let decoded = codes::decode(text);
        assert_eq!(
            message_ids(&decoded),
            ["credssp_oracle", "function_not_supported"],
            "{language}: {text}"
        );
        assert!(decoded.messages.iter().all(|m| m.language == language));
    }
}

/// Wording that only looks alike is not recognised: the German group-policy name and a Japanese
/// sentence about the policy are not the dialog.
#[test]
fn near_misses_are_not_recognised() {
    for text in [
        "Die Funktion wird von diesem Server nicht unterstützt",
        "暗号化オラクルの修復 ポリシーを変更しました",
        "функция поддерживается",
    ] {
        assert!(codes::decode(text).messages.is_empty(), "{text}");
    }
}
