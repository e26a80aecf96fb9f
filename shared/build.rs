//! Loads the knowledge base under `kb/`, validates it, and generates what the crate embeds.
//!
//! Knowledge is data that support engineers edit; mistakes in it must fail the build with a
//! message that names the file and the entry, not surface as a wrong diagnosis at run time.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

#[path = "src/kb/model.rs"]
#[allow(dead_code)]
mod model;

use model::{EvidenceDecl, EvidenceFile};

fn main() {
    let kb = Path::new("kb");
    println!("cargo::rerun-if-changed=kb");
    println!("cargo::rerun-if-changed=src/kb/model.rs");

    let evidence = load_evidence(&kb.join("evidence"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("evidence_ids.rs"), evidence_enum(&evidence))
        .expect("write evidence_ids.rs");
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("knowledge base error: {msg}");
    std::process::exit(1)
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| fail(format!("{}: {e}", dir.display())))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())));
    toml::from_str(&text).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())))
}

fn load_evidence(dir: &Path) -> Vec<EvidenceDecl> {
    let mut all = Vec::new();
    let mut seen = BTreeSet::new();
    for path in toml_files(dir) {
        let file: EvidenceFile = parse(&path);
        for decl in file.evidence {
            let valid = !decl.id.is_empty()
                && decl.id.split('.').all(|seg| {
                    !seg.is_empty()
                        && seg
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                });
            if !valid {
                fail(format!(
                    "{}: evidence id {:?} must be dotted lower_snake segments",
                    path.display(),
                    decl.id
                ));
            }
            if !seen.insert(decl.id.clone()) {
                fail(format!(
                    "{}: evidence id {:?} is declared twice",
                    path.display(),
                    decl.id
                ));
            }
            if decl.title.trim().is_empty() {
                fail(format!(
                    "{}: evidence {:?} has no title",
                    path.display(),
                    decl.id
                ));
            }
            all.push(decl);
        }
    }
    all
}

/// `cert.key_weak` -> `CertKeyWeak`.
fn variant_name(id: &str) -> String {
    id.split(['.', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn evidence_enum(decls: &[EvidenceDecl]) -> String {
    let mut names = BTreeSet::new();
    let mut src = String::from(
        "/// Every kind of evidence the knowledge base declares (generated from `kb/evidence/*.toml`).\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]\n\
         pub enum EvidenceId {\n",
    );
    for d in decls {
        let name = variant_name(&d.id);
        if !names.insert(name.clone()) {
            fail(format!(
                "evidence id {:?} collides with another id once turned into a Rust name",
                d.id
            ));
        }
        writeln!(
            src,
            "    /// {}\n    #[serde(rename = {:?})]\n    {name},",
            d.title, d.id
        )
        .unwrap();
    }
    src.push_str("}\n\nimpl EvidenceId {\n    pub const ALL: &'static [EvidenceId] = &[\n");
    for d in decls {
        writeln!(src, "        EvidenceId::{},", variant_name(&d.id)).unwrap();
    }
    src.push_str("    ];\n\n    /// The dotted id, as written in the knowledge base.\n    pub fn as_str(self) -> &'static str {\n        match self {\n");
    for d in decls {
        writeln!(
            src,
            "            EvidenceId::{} => {:?},",
            variant_name(&d.id),
            d.id
        )
        .unwrap();
    }
    src.push_str(
        "        }\n    }\n\n    pub fn title(self) -> &'static str {\n        match self {\n",
    );
    for d in decls {
        writeln!(
            src,
            "            EvidenceId::{} => {:?},",
            variant_name(&d.id),
            d.title
        )
        .unwrap();
    }
    src.push_str("        }\n    }\n\n    pub fn layer(self) -> Layer {\n        match self {\n");
    for d in decls {
        writeln!(
            src,
            "            EvidenceId::{} => Layer::{:?},",
            variant_name(&d.id),
            d.layer
        )
        .unwrap();
    }
    src.push_str(
        "        }\n    }\n\n    pub fn parse(id: &str) -> Option<EvidenceId> {\n        \
         EvidenceId::ALL.iter().copied().find(|e| e.as_str() == id)\n    }\n}\n",
    );
    src
}
