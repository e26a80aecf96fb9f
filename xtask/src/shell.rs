//! A small command runner that says what it runs and how long it took.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub type Result<T = ()> = std::result::Result<T, String>;

pub struct Step {
    command: Command,
    title: Option<String>,
    log: Option<PathBuf>,
}

impl Step {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Step {
            command: Command::new(program),
            title: None,
            log: None,
        }
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        self.command.args(args);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn arg_path(mut self, path: &Path) -> Self {
        self.command.arg(path);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn envs<I: IntoIterator<Item = (K, V)>, K: AsRef<OsStr>, V: AsRef<OsStr>>(
        mut self,
        vars: I,
    ) -> Self {
        self.command.envs(vars);
        self
    }

    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    pub fn titled(mut self, title: &str) -> Self {
        self.title = Some(title.to_owned());
        self
    }

    /// Sends the command's output to `path` instead of the terminal; shows its end on failure.
    pub fn log_to(mut self, path: PathBuf) -> Self {
        self.log = Some(path);
        self
    }

    fn describe(&self) -> String {
        let program = self.command.get_program().to_string_lossy().into_owned();
        let args: Vec<_> = self
            .command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        format!("{program} {}", args.join(" "))
    }

    /// Runs to completion with inherited output; a non-zero exit is an error.
    pub fn run(mut self) -> Result {
        let line = self.describe();
        println!(
            "==> {}\n    $ {line}",
            self.title.as_deref().unwrap_or("run")
        );
        if let Some(log) = &self.log {
            let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
            let copy = file.try_clone().map_err(|e| e.to_string())?;
            self.command.stdout(copy).stderr(file);
        }
        let started = Instant::now();
        let status = self
            .command
            .status()
            .map_err(|e| format!("could not start `{line}`: {e}"))?;
        println!("    ({:.1} s)", started.elapsed().as_secs_f64());
        if status.success() {
            return Ok(());
        }
        if let Some(log) = &self.log {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(60).collect();
            eprintln!("--- last lines of {} ---", log.display());
            tail.iter().rev().for_each(|l| eprintln!("{l}"));
        }
        Err(format!("`{line}` failed ({status})"))
    }

    /// Runs quietly and returns its standard output.
    pub fn stdout(mut self) -> Result<String> {
        let line = self.describe();
        let out = self
            .command
            .output()
            .map_err(|e| format!("could not start `{line}`: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`{line}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}
