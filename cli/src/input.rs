//! Reading what the person gives the CLI: a file, standard input, or arguments.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Reads `path` (`-` for standard input) as text, but no more than `limit` bytes and one: a
/// result longer than `limit` tells the caller the input was cut.
pub fn read_bounded(path: &Path, limit: usize) -> Result<String> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(limit)?.saturating_add(1);
    if path == Path::new("-") {
        io::stdin().lock().take(limit).read_to_end(&mut bytes)?;
    } else {
        File::open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .take(limit)
            .read_to_end(&mut bytes)?;
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
