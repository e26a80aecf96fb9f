//! Test certificates, made with the openssl command line (it makes what the Rust crates refuse
//! to: 1024-bit RSA keys, SHA-1 signatures, validity periods in the past), and long chains made
//! with rcgen.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> std::io::Result<TempDir> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let unique = format!(
            "rdp-doctor-{label}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertKind {
    /// RSA 2048, SHA-256, CN=localhost, valid for 30 days.
    Good,
    /// Valid until yesterday.
    Expired,
    /// Issued to another name.
    WrongName,
    /// RSA 1024 with a SHA-1 signature.
    Weak,
}

/// A self-signed certificate and its key as PEM files, plus the certificate's DER.
#[derive(Debug)]
pub struct TestCert {
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
    pub der: Vec<u8>,
}

impl TestCert {
    pub fn generate(kind: CertKind, dir: &Path) -> std::io::Result<TestCert> {
        let name = format!("{kind:?}").to_lowercase();
        let cert_pem = dir.join(format!("{name}.crt"));
        let key_pem = dir.join(format!("{name}.key"));
        let (bits, digest, host, days) = match kind {
            CertKind::Good => ("rsa:2048", "-sha256", "localhost", "30"),
            CertKind::Expired => ("rsa:2048", "-sha256", "localhost", "-1"),
            CertKind::WrongName => ("rsa:2048", "-sha256", "wrong-name.example", "30"),
            CertKind::Weak => ("rsa:1024", "-sha1", "localhost", "30"),
        };
        let subject = format!("/CN={host}");
        // X.509 v3 with the extensions of an RDP server certificate (rustls refuses v1).
        let extensions = dir.join(format!("{name}.ext"));
        std::fs::write(
            &extensions,
            format!("subjectAltName=DNS:{host}\nextendedKeyUsage=serverAuth\n"),
        )?;
        let csr = dir.join(format!("{name}.csr"));
        run(Command::new("openssl")
            .args([
                "req", "-new", "-newkey", bits, "-nodes", "-subj", &subject, "-keyout",
            ])
            .arg(&key_pem)
            .arg("-out")
            .arg(&csr))?;
        // `x509 -req -days -1` signs a certificate whose notAfter lies before now.
        run(Command::new("openssl")
            .args(["x509", "-req", digest, "-days", days, "-in"])
            .arg(&csr)
            .arg("-extfile")
            .arg(&extensions)
            .arg("-signkey")
            .arg(&key_pem)
            .arg("-out")
            .arg(&cert_pem))?;
        let der_path = dir.join(format!("{name}.der"));
        run(Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert_pem)
            .arg("-out")
            .arg(&der_path))?;
        Ok(TestCert {
            der: std::fs::read(der_path)?,
            cert_pem,
            key_pem,
        })
    }
}

fn run(command: &mut Command) -> std::io::Result<()> {
    let output = command.output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )))
    }
}

/// A server certificate for localhost and the `intermediates` CA certificates above it, each
/// issued by the next, in the order a server sends them (leaf first), with the leaf's key.
/// Made in-process with rcgen: hundreds of openssl runs would take seconds.
pub fn long_chain(
    intermediates: usize,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), rcgen::Error> {
    let ca = |n: usize| -> Result<CertificateParams, rcgen::Error> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, format!("Intermediate CA {n}"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        Ok(params)
    };
    let mut issuer = CertifiedIssuer::self_signed(ca(intermediates)?, KeyPair::generate()?)?;
    let mut above_leaf = vec![issuer.der().clone()];
    for n in (1..intermediates).rev() {
        issuer = CertifiedIssuer::signed_by(ca(n)?, KeyPair::generate()?, &issuer)?;
        above_leaf.push(issuer.der().clone());
    }
    let leaf_key = KeyPair::generate()?;
    let leaf =
        CertificateParams::new(vec!["localhost".to_owned()])?.signed_by(&leaf_key, &issuer)?;
    let chain = std::iter::once(leaf.der().clone())
        .chain(above_leaf.into_iter().rev())
        .collect();
    Ok((chain, PrivatePkcs8KeyDer::from(leaf_key).into()))
}
