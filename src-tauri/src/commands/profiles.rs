//! Profiles and the connection: which host, as whom, online or not.

use ferry_ipc::CodedError;
use ferry_ops::{HostStatus, NewProfile, ProfileInfo};

use tauri::AppHandle;

use super::{blocking, state};

/// The profile in use, its host's status and the signed-in account.
pub async fn status(app: &AppHandle) -> Result<HostStatus, CodedError> {
    Ok(state(app).engine()?.status().await)
}

/// Every profile, the Local sandbox included.
pub async fn profiles(app: &AppHandle) -> Result<Vec<ProfileInfo>, CodedError> {
    let engine = state(app).engine()?;
    blocking(move || Ok(engine.profiles()?)).await
}

/// Adds (or replaces) a profile for a real host.
pub async fn add_profile(app: &AppHandle, profile: NewProfile) -> Result<ProfileInfo, CodedError> {
    let engine = state(app).engine()?;
    blocking(move || Ok(engine.add_profile(&profile)?)).await
}

/// Makes a profile the one in use and reopens the engine on it (unless it is
/// the engine's already: a second engine would start a second sandbox host).
pub async fn switch_profile(app: &AppHandle, id: String) -> Result<ProfileInfo, CodedError> {
    let state = state(app);
    blocking(move || {
        let engine = state.engine()?;
        let chosen = engine.use_profile(&id)?;
        if chosen.id == engine.profile().id {
            return Ok(chosen);
        }
        Ok(state.reopen()?.profile())
    })
    .await
}
