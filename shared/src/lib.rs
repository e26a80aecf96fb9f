//! RDP Doctor's core. No I/O happens here: callers pass bytes, text and the current time in,
//! and get typed results out. The browser, the Worker and the CLI all build on this crate.

#![forbid(unsafe_code)]

#[cfg(feature = "analyzers")]
pub mod analyze;
pub mod api;
pub mod codes;
pub mod engine;
pub mod evidence;
pub mod kb;
#[cfg(feature = "probe")]
pub mod probe;
pub mod report;
