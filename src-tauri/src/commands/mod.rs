//! The Tauri commands, one file per area. Each converts its arguments, calls one
//! `ferry_ops::Engine` method and returns its type or an [`ferry_ipc::IpcError`].
//! Long operations take a `Channel<RunEvent>` for progress and an operation id
//! the UI can pass to `cancel_operation` (sign-in's prompts go into a
//! `Channel<SignInEvent>` the same way).

pub mod app;
pub mod catalog;
pub mod files;
pub mod history;
pub mod profiles;
pub mod runs;
pub mod signin;

use std::sync::Arc;

use crate::state::AppState;

/// The state every command reads.
pub type AppStateRef<'a> = tauri::State<'a, Arc<AppState>>;
