use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the app tells about itself: shown in Settings → About and used by the e2e test
/// to prove a typed round trip to Rust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// Where Ferry keeps its cache and settings on this machine.
    pub data_dir: String,
    /// The folder of the app's log files (inside the data folder).
    pub logs_dir: String,
    /// `linux`, `macos` or `windows`.
    pub os: String,
}
