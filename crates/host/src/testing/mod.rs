//! Helpers for tests of Ferry against the host, behind the `test-support` feature
//! (`ferry-host = { workspace = true, features = ["test-support"] }` in dev-dependencies).

pub mod proxy;

pub use proxy::ConnectProxy;
