//! Every integration test of this crate in one binary: one link instead of one per file.

// A test stops loudly on the first surprise.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analyze;
mod decode;
mod diagnose;
mod fleet;
