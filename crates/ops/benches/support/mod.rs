//! What the benchmarks (and the ops tests, by `#[path]`) share.

pub mod app_path;
pub mod demo;
