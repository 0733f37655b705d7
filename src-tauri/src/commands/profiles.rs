//! Profiles and the connection: which host, as whom, online or not.

use ferry_ipc::IpcError;
use ferry_ops::{HostStatus, NewProfile, ProfileInfo};

use super::AppStateRef;

/// The profile in use, its host's status and the signed-in account.
#[tauri::command]
pub async fn status(state: AppStateRef<'_>) -> Result<HostStatus, IpcError> {
    Ok(state.engine()?.status().await)
}

/// Every profile, the Local sandbox included.
#[tauri::command]
pub fn profiles(state: AppStateRef<'_>) -> Result<Vec<ProfileInfo>, IpcError> {
    Ok(state.engine()?.profiles()?)
}

/// Adds (or replaces) a profile for a real host.
#[tauri::command]
pub fn add_profile(state: AppStateRef<'_>, profile: NewProfile) -> Result<ProfileInfo, IpcError> {
    Ok(state.engine()?.add_profile(&profile)?)
}

/// Makes a profile the one in use and reopens the engine on it (unless it is
/// the engine's already: a second engine would start a second sandbox host).
#[tauri::command]
pub fn use_profile(state: AppStateRef<'_>, id: String) -> Result<ProfileInfo, IpcError> {
    let engine = state.engine()?;
    let chosen = engine.use_profile(&id)?;
    if chosen.id == engine.profile().id {
        return Ok(chosen);
    }
    Ok(state.reopen()?.profile())
}
