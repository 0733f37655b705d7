//! The local cache as a file: where it is, how big, and clearing it. Clearing
//! keeps the profiles (and which one is in use) but forgets runs, timelines,
//! stage profiles and snapshots; the next sync reads the host's runs again.
//! Both work on a data directory with no [`Engine`](crate::Engine) open on it.

use std::path::{Path, PathBuf};

use ferry_cache::Cache;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{OpsError, Result};
use crate::profile::CACHE_FILE;

/// The cache file and what it takes on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CacheInfo {
    /// The cache file.
    pub path: String,
    /// The data folder it is in.
    pub data_dir: String,
    /// Bytes on disk, the write-ahead log included.
    #[ts(type = "number")]
    pub bytes: u64,
}

fn files(data_dir: &Path) -> [PathBuf; 3] {
    let main = data_dir.join(CACHE_FILE);
    let with = |suffix: &str| {
        let mut name = main.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [with("-wal"), with("-shm"), main.clone()]
}

/// Where the cache is and its size (0 when there is none yet).
pub fn cache_info(data_dir: &Path) -> CacheInfo {
    let bytes = files(data_dir)
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    CacheInfo {
        path: data_dir.join(CACHE_FILE).display().to_string(),
        data_dir: data_dir.display().to_string(),
        bytes,
    }
}

/// Empties the cache but keeps the profiles. Close every engine on `data_dir` first.
pub fn clear_cache(data_dir: &Path) -> Result<CacheInfo> {
    let path = data_dir.join(CACHE_FILE);
    let (profiles, active) = if path.exists() {
        let cache = Cache::open(&path)?;
        let profiles = cache.profiles()?;
        let active = cache.active_profile()?.map(|p| p.id);
        (profiles, active)
    } else {
        (Vec::new(), None)
    };
    for f in files(data_dir) {
        match std::fs::remove_file(&f) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(OpsError::Io(format!(
                    "could not delete {}: {e}; close other Ferry windows and `ferry` commands, then try again",
                    f.display()
                )))
            }
        }
    }
    let mut cache = Cache::open(&path)?;
    for p in &profiles {
        cache.save_profile(p)?;
    }
    if let Some(id) = active {
        cache.set_active_profile(&id)?;
    }
    drop(cache);
    Ok(cache_info(data_dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{brisk_options, validate_canvas};
    use crate::{Engine, EngineOptions, HistoryFilter, NewProfile};

    #[tokio::test]
    async fn clearing_forgets_runs_and_keeps_profiles() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(cache_info(dir.path()).bytes, 0);
        let options = brisk_options(dir.path());
        let engine = Engine::open(options.clone()).unwrap();
        engine
            .add_profile(&NewProfile {
                id: "contoso".into(),
                host_url: "https://host.example".into(),
                dev_environment: "dev".into(),
                ..Default::default()
            })
            .unwrap();
        validate_canvas(&engine).await;
        let filter = HistoryFilter {
            limit: 10,
            ..Default::default()
        };
        assert_eq!(engine.history(&filter).unwrap().runs.len(), 1);
        engine.use_profile("contoso").unwrap();
        drop(engine);
        let before = cache_info(dir.path());
        assert!(before.bytes > 0);
        assert!(before.path.ends_with(CACHE_FILE));

        let after = clear_cache(dir.path()).unwrap();
        assert!(after.bytes > 0, "a fresh, empty cache is there");
        let engine = Engine::open(options.clone()).unwrap();
        assert_eq!(engine.profile().id, "contoso", "the active profile is kept");
        let ids: Vec<String> = engine
            .profiles()
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert!(ids.contains(&"contoso".to_string()), "{ids:?}");
        drop(engine);
        let engine = Engine::open(EngineOptions {
            profile: Some("sandbox".into()),
            ..options
        })
        .unwrap();
        assert!(
            engine.history(&filter).unwrap().runs.is_empty(),
            "the run is forgotten"
        );
    }
}
