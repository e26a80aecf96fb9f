//! Installs what the build and the tests need, each at a pinned version, each only when missing.
//!
//! Cargo tools go to `~/.cache/rdp-doctor/tools/<tool>-<version>/` (override with
//! `RDP_DOCTOR_TOOLS`): out of the system's way, shared by every checkout on the machine, and keyed
//! by version so that a bump installs next to the old one instead of over it. JavaScript tools come
//! from the committed package-lock.json into node_modules/.

use std::path::{Path, PathBuf};

use crate::shell::{Result, Step};

/// worker-build must match the `worker` crate; both are pinned in Cargo.toml/Cargo.lock.
const WORKER_BUILD_VERSION: &str = "0.8.7";
const CARGO_FUZZ_VERSION: &str = "0.13.1";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Run,
    Test,
    /// The benchmarks: what the tests need, and the tools the probe is compared with.
    Bench,
}

/// Debian packages and why they are needed.
const RUN_PACKAGES: &[&str] = &[
    "clang", // ring's C code for wasm32 (the Worker's TLS)
];
const TEST_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",     // browser tests
    "xrdp",                // a real RDP server (TLS, RDP security)
    "freerdp2-shadow-x11", // a real RDP server with NLA
    "xvfb",                // the X display freerdp-shadow-cli needs
    "openssl",             // test certificates and legacy-TLS test servers
];
const BENCH_PACKAGES: &[&str] = &[
    "nmap",     // compared with the probe (rdp-enum-encryption, rdp-ntlm-info)
    "sslscan",  // compared with the probe (--rdp)
    "iptables", // NFQUEUE: added latency without netem; connection counts
    "iproute2", // the benchmark namespace's loopback
];

pub struct Tools {
    pub root: PathBuf,
    pub wasm_bindgen: PathBuf,
    pub worker_build: PathBuf,
    node_bin: PathBuf,
}

impl Tools {
    pub fn wasm_opt(&self) -> PathBuf {
        self.node_bin.join("wasm-opt")
    }
    pub fn esbuild(&self) -> PathBuf {
        self.node_bin.join("esbuild")
    }
    pub fn wrangler(&self) -> PathBuf {
        self.node_bin.join("wrangler")
    }
    pub fn npx(&self) -> &'static str {
        "npx"
    }
}

pub fn all(purpose: Purpose) -> Result<Tools> {
    let root = workspace_root();
    std::env::set_current_dir(&root).map_err(|e| format!("cd {}: {e}", root.display()))?;
    let mut packages = RUN_PACKAGES.to_vec();
    if purpose != Purpose::Run {
        packages.extend_from_slice(TEST_PACKAGES);
    }
    if purpose == Purpose::Bench {
        packages.extend_from_slice(BENCH_PACKAGES);
    }
    debian_packages(&packages)?;
    wasm_target()?;
    let tools_dir = tools_dir();
    let wasm_bindgen_version = locked_version(&root, "wasm-bindgen")?;
    // `--locked` fails for wasm-bindgen-cli: its lockfile names a webpki-roots release the
    // registry no longer serves, so it resolves afresh (toolchain.md).
    let wasm_bindgen = cargo_tool(
        &tools_dir,
        "wasm-bindgen-cli",
        &wasm_bindgen_version,
        "wasm-bindgen",
        false,
    )?;
    let worker_build = cargo_tool(
        &tools_dir,
        "worker-build",
        WORKER_BUILD_VERSION,
        "worker-build",
        true,
    )?;
    npm_packages(&root)?;
    Ok(Tools {
        node_bin: root.join("node_modules/.bin"),
        root,
        wasm_bindgen,
        worker_build,
    })
}

fn tools_dir() -> PathBuf {
    std::env::var_os("RDP_DOCTOR_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache/rdp-doctor/tools"))
}

/// cargo-fuzz, only needed by the fuzz runs.
pub fn cargo_fuzz() -> Result<PathBuf> {
    cargo_tool(
        &tools_dir(),
        "cargo-fuzz",
        CARGO_FUZZ_VERSION,
        "cargo-fuzz",
        true,
    )
}

fn workspace_root() -> PathBuf {
    // xtask lives one level below the root. `cargo run` (the alias) says where at run time; the
    // path compiled in is only a fallback, as a build cache copied from another checkout keeps
    // a binary that cargo deems fresh but that names the other checkout.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    // `xtask/` always has a parent; `..` names it should the path ever be relative and bare.
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.join(".."), Path::to_path_buf)
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

fn debian_packages(wanted: &[&str]) -> Result {
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|pkg| {
            let status = Step::new("dpkg-query")
                .args(["-W", "-f=${Status}", pkg])
                .stdout();
            !status.is_ok_and(|s| s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| {
        let mut all: Vec<&str> = sudo.to_vec();
        all.push("apt-get");
        all.extend_from_slice(args);
        Step::new(all[0])
            .args(&all[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
    };
    apt(&["update", "-qq"]).titled("apt-get update").run()?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend_from_slice(&missing);
    apt(&install)
        .titled(&format!("Debian packages: {}", missing.join(" ")))
        .run()
}

pub fn is_root() -> bool {
    Step::new("id")
        .args(["-u"])
        .stdout()
        .is_ok_and(|uid| uid.trim() == "0")
}

fn wasm_target() -> Result {
    let installed = Step::new("rustup")
        .args(["target", "list", "--installed"])
        .stdout()?;
    if installed
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    Step::new("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .titled("Rust wasm32 target")
        .run()
}

/// The version of `crate_name` that Cargo.lock pins (the wasm-bindgen CLI must equal it).
fn locked_version(root: &Path, crate_name: &str) -> Result<String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{crate_name}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("Cargo.lock has no {crate_name}"))?
        + needle.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")?;
    Ok(lock[start..start + end].to_owned())
}

fn cargo_tool(
    tools_dir: &Path,
    krate: &str,
    version: &str,
    binary: &str,
    locked: bool,
) -> Result<PathBuf> {
    let root = tools_dir.join(format!("{krate}-{version}"));
    let path = root.join("bin").join(binary);
    if path.exists() {
        return Ok(path);
    }
    let root_arg = root.to_string_lossy().into_owned();
    let mut args = vec!["install", krate, "--version", version, "--root", &root_arg];
    if locked {
        args.push("--locked");
    }
    Step::new("cargo")
        .args(args)
        .titled(&format!(
            "{krate} {version} (first time only, several minutes)"
        ))
        .run()?;
    Ok(path)
}

fn npm_packages(root: &Path) -> Result {
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => i.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    Step::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        // Playwright drives Debian's Chromium; it must not try to download a browser of its own.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .titled("npm packages (wrangler, workerd, binaryen, Playwright)")
        .run()
}
