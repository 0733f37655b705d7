//! The fingerprint of the package a run carried: the SHA-256 of its managed
//! artifact, read from the host once and kept in the cache, so a maker can see
//! that every stage got the very same package.

use base64::Engine as _;
use ferry_dataverse::ErrorKind;
use sha2::{Digest, Sha256};

use crate::engine::Engine;
use crate::error::{OpsError, Result};

impl Engine {
    /// SHA-256 (hex) of the managed package a run deployed, or `None` when it has
    /// none yet (or the host cannot be reached and the cache does not know it).
    pub async fn artifact_hash(&self, run_id: &str) -> Result<Option<String>> {
        let cached = self
            .cached_run(run_id)?
            .ok_or_else(|| OpsError::UnknownRun(run_id.into()))?;
        if let Some(hash) = cached.run.artifact_hash {
            return Ok(Some(hash));
        }
        let Some(artifact) = cached.run.artifact_id else {
            return Ok(None);
        };
        let s = match self.session().await {
            Ok(s) => s,
            Err(e) if e.is_offline() => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(bytes) = self.artifact_bytes(s, &artifact).await? else {
            return Ok(None);
        };
        let hash = format!("{:x}", Sha256::digest(&bytes));
        self.cache()
            .set_artifact_hash(self.profile_id(), &cached.run.id, &hash)?;
        Ok(Some(hash))
    }

    /// The managed package of an artifact, or `None` when the host has none to give.
    pub(crate) async fn artifact_bytes(
        &self,
        s: &crate::engine::Session,
        artifact: &str,
    ) -> Result<Option<Vec<u8>>> {
        let encoded = match ferry_dataverse::stage_runs::artifact_file(&s.host, artifact).await {
            Ok(Some(encoded)) => encoded,
            Ok(None) => return Ok(None),
            Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Offline) => {
                return Ok(None)
            }
            Err(e) => return Err(e.into()),
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| {
                OpsError::Internal(format!(
                    "the host sent an artifact that is not base64 ({e})"
                ))
            })?;
        Ok(Some(bytes))
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{brisk_options, validate_canvas};
    use crate::Engine;

    #[tokio::test]
    async fn a_runs_package_is_fingerprinted_once() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(brisk_options(dir.path())).unwrap();
        let outcome = validate_canvas(&engine).await;
        let hash = engine.artifact_hash(&outcome.run.id).await.unwrap();
        let hash = hash.expect("the validated run has an exported package");
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        // The second answer comes from the cache and is the same.
        assert_eq!(
            engine.artifact_hash(&outcome.run.id).await.unwrap(),
            Some(hash.clone())
        );
        let cached = engine.cached_run(&outcome.run.id).unwrap().unwrap();
        assert_eq!(cached.run.artifact_hash, Some(hash));
        assert!(engine
            .artifact_hash("00000000-0000-0000-0000-000000000001")
            .await
            .is_err());
    }
}
