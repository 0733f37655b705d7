//! The contract between Ferry's desktop shell and its web UI, declared once, here.
//!
//! Every type that crosses the Tauri boundary lives in this crate and derives
//! [`ts_rs::TS`]; `ui/src/ipc/bindings.ts` is generated from it by
//! [`typescript_bindings`] and committed. A test fails when the committed file
//! drifts from the Rust types (`UPDATE_BINDINGS=1 cargo test -p ferry-ipc`
//! rewrites it). The crate knows nothing of Tauri, so the contract can be
//! checked, generated and reused (for example by the CLI's `--json`) without it.

mod error;
mod info;
mod screen;

pub use error::{ErrorCode, IpcError};
pub use info::AppInfo;
pub use screen::FirstScreen;

use ts_rs::TS;

/// Renders every IPC type as one TypeScript module, in a stable order.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::default();
    let decls = [
        ErrorCode::decl(&cfg),
        IpcError::decl(&cfg),
        AppInfo::decl(&cfg),
        FirstScreen::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/ipc by `UPDATE_BINDINGS=1 cargo test -p ferry-ipc`. Do not edit.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn committed_typescript_bindings_are_up_to_date() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc/bindings.ts");
        let fresh = super::typescript_bindings();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/ipc/bindings.ts is out of date: run `UPDATE_BINDINGS=1 cargo test -p ferry-ipc` and commit it"
        );
    }

    #[test]
    fn committed_operations_bindings_are_up_to_date() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc/ops.ts");
        let fresh = ferry_ops::bindings::typescript_bindings();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write operations bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/ipc/ops.ts is out of date: run `UPDATE_BINDINGS=1 cargo test -p ferry-ipc` and commit it"
        );
    }
}
