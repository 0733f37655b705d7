//! The contract between Ferry's desktop shell and its web UI, declared once, here.
//!
//! [`ferry_commands!`] lists every command the window may call: its name, its
//! arguments, its answer and the events it streams. The app's Tauri handlers
//! and the window's permissions are generated from that list (src-tauri), and so
//! is `ui/src/ipc/commands.ts` — the error codes, every type the commands carry
//! and a typed function per command — by [`typescript::commands_ts`]; a test
//! fails when the committed file drifts (`UPDATE_BINDINGS=1 cargo test -p
//! ferry-ipc` rewrites it). Errors are `ferry_error::CodedError`, the one
//! `{code, message}` of app and CLI. The crate knows nothing of Tauri.

mod info;
#[macro_use]
mod registry;
pub mod typescript;

pub use ferry_error::{CodedError, ErrorCode};
pub use info::AppInfo;

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn committed_commands_module_is_up_to_date() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc/commands.ts");
        let fresh = super::typescript::commands_ts();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write ui/src/ipc/commands.ts");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/ipc/commands.ts is out of date: run `UPDATE_BINDINGS=1 cargo test -p ferry-ipc` and commit it"
        );
    }
}
