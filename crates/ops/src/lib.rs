//! Ferry's operations layer: the one place where a deployment is done, used by
//! the desktop app (through thin Tauri commands) and by the `ferry` CLI alike.
//!
//! An [`Engine`] is opened on a data directory (`FERRY_DATA_DIR`, else the app's
//! per-user data folder) and a profile: the built-in **Local sandbox**, which
//! runs an in-process `ferry-host` with the demo tenant, or a profile that names
//! a real host and development environment (the sandbox is the `sandbox` cargo
//! feature, on by default: a build without it holds no emulator). Operations list solutions and
//! pipelines (which stage can take a solution, the latest run per stage), plan a
//! deployment (versions, values pre-filled from a settings file or the stage
//! profile, local checks), validate, deploy now or later (or redeploy an older
//! artifact where the pipeline allows it), watch a run through
//! its gates to the end, cancel, retry, resume unfinished runs, sync and search
//! history, draw the deployed-where matrix and export a run record. Long
//! operations take a [`ProgressSink`] for typed [`RunEvent`]s and a
//! [`CancellationToken`]; every state a run passes through lands in the local
//! cache first. Results and events are serde (camelCase) + `ts_rs::TS`, so the
//! app passes them over IPC unchanged, and [`OpsError::code`] maps each error to
//! its code in Ferry's one error vocabulary. The crate knows nothing of Tauri or terminals.

mod artifact;
mod backfill;
mod catalog;
mod connect;
mod engine;
mod error;
pub mod explain;
mod export;
mod history;
pub mod pacing;
mod plan;
mod preflight;
mod profile;
mod recent;
mod redeploy;
mod run;
mod sandbox;
mod signin;
mod status;
mod storage;
mod tenant;
#[cfg(test)]
mod testing;
mod types;
mod values;

pub use connect::{read_connection, ConnectionOffer};
pub use engine::{sandbox_profile_id, Engine, EngineOptions, ProgressSink};
pub use error::{OpsError, Result};
pub use explain::Explanation;
pub use export::write_settings_file;
/// The app registration this build carries (`FERRY_DEFAULT_CLIENT_ID` at build time), if any.
pub use ferry_auth::default_client_id;
/// Ferry's one atomic file write (the app's own files use it too).
pub use ferry_solution::atomic;
pub use history::status_codes;
pub use pacing::Pacing;
pub use profile::{
    default_data_dir, APP_IDENTIFIER, CACHE_FILE, DATA_DIR_ENV, SANDBOX_ID, SANDBOX_NAME, TOKEN_ENV,
};
pub use signin::{
    AccountInfo, DeviceCodePrompt, SignInEvent, SignInMethod, SignInPrompt, TokenStorage,
    DEFAULT_KEYRING_SERVICE, KEYRING_SERVICE_ENV, SANDBOX_USER,
};
pub use status::HostStatus;
pub use storage::{cache_info, clear_cache, CacheInfo};
pub use tokio_util::sync::CancellationToken;
pub use types::*;
pub use values::{check_values, ImportedSettings, ValuesCheck, ValuesRequest};
