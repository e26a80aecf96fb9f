//! The knowledge base: data files under `shared/kb/`, validated by `build.rs`.

pub mod model;
