//! End-to-end harness: drives the real, built Ferry desktop app through WebDriver.
//!
//! [`AppSession::start`] launches `tauri-driver` (which runs `WebKitWebDriver`
//! on Linux) on free ports, opens a WebDriver session for the app binary named
//! by `APP_BINARY`, and gives the app a private data folder and private XDG
//! folders, so nothing touches the real home directory. Dropping the session
//! ends the driver with SIGTERM (never SIGKILL: that would orphan
//! WebKitWebDriver on its port). [`AppSession::run`] saves a screenshot of the
//! window under `tests/e2e/screenshots/` when a test step fails.
//!
//! Tests run only with `E2E=1` (the test command sets it under `xvfb-run`), so a
//! plain `cargo test` passes on machines without a display.

//! The library is split by concern: [`session`] (the app under WebDriver), [`page`]
//! (finding, clicking and waiting on what the window shows), [`host`] (the pipelines host
//! as its own process, and the CLI beside it) and [`flows`] (what a maker does, step by step).

use std::net::TcpListener;

use anyhow::Result;

pub mod flows;
pub mod host;
pub mod page;
pub mod session;

pub use flows::*;
pub use host::*;
pub use page::*;
pub use session::*;

/// True when end-to-end tests should run; otherwise prints why they are skipped.
pub fn enabled(test: &str) -> bool {
    if std::env::var_os("E2E").is_some_and(|v| v == "1") {
        return true;
    }
    eprintln!("skipping {test}: set E2E=1 (and APP_BINARY) to drive the real app");
    false
}

/// A free TCP port on loopback (the listener is dropped before returning).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
