//! The Tauri commands, generated from the one declaration of each command
//! (`ferry_ipc::ferry_commands!`, crates/ipc/src/registry.rs): every handler
//! below takes the declared arguments and calls the function of the same name in
//! its area's file (app, profiles, catalog, runs, history, files, signin,
//! connect) with
//! the app handle first, so a command declared but not implemented, implemented
//! but not declared, or implemented with other types fails the build. Each
//! converts its arguments, calls one `ferry_ops::Engine` method and returns its
//! type or a [`ferry_ipc::CodedError`]. Every command is async: none runs on the
//! main thread, and disk and keyring work goes to a blocking thread
//! ([`blocking`]). Long operations take a `Channel<RunEvent>` for progress and an
//! operation id the UI can pass to `cancel_operation` (sign-in's prompts go into
//! a `Channel<SignInEvent>` the same way).

pub mod app;
pub mod catalog;
pub mod connect;
pub mod files;
pub mod history;
pub mod profiles;
pub mod runs;
pub mod signin;

use std::sync::Arc;

use ferry_ipc::{CodedError, ErrorCode};
use tauri::{AppHandle, Manager};

use crate::state::AppState;

/// The implementations, by command name.
mod implementations {
    pub use super::app::*;
    pub use super::catalog::*;
    pub use super::connect::*;
    pub use super::files::*;
    pub use super::history::*;
    pub use super::profiles::*;
    pub use super::runs::*;
    pub use super::signin::*;
}

/// The state every command reads.
pub fn state(app: &AppHandle) -> Arc<AppState> {
    app.state::<Arc<AppState>>().inner().clone()
}

/// Runs disk or keyring work on a blocking thread, off the async workers.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CodedError> + Send + 'static,
) -> Result<T, CodedError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| CodedError::new(ErrorCode::Internal, format!("Ferry's worker stopped: {e}")))?
}

macro_rules! tauri_commands {
    ( $( $(#[doc = $doc:literal])* $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $answer:ty $(, streams $stream:ident : $event:ty)? ; )* ) => {
        /// The handlers Tauri calls, one per declared command.
        mod generated {
            #[allow(unused_imports)] // the registry names these types bare
            use ferry_ipc::{AppInfo, CodedError};
            #[allow(unused_imports)]
            use ferry_ops::*;

            $(
                $(#[doc = $doc])*
                #[tauri::command]
                async fn $name(
                    app: tauri::AppHandle,
                    $($arg: $ty,)*
                    $($stream: tauri::ipc::Channel<$event>,)?
                ) -> Result<$answer, CodedError> {
                    super::implementations::$name(&app, $($arg,)* $($stream)?).await
                }
            )*

            /// Tauri's invoke handler for every declared command.
            pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
                tauri::generate_handler![$($name),*]
            }
        }
    };
}

ferry_ipc::ferry_commands!(tauri_commands);

pub use generated::handler;
