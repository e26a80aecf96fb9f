//! Every integration test of this crate in one binary: one link instead of one per file.

// A test stops loudly on the first surprise.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accuracy;
mod probe_fake_servers;
mod probe_hostile_servers;
mod probe_real_servers;
mod probe_windows_replays;
mod worker_http;
mod worker_probe;
