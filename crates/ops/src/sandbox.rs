//! The Local sandbox: an in-process `ferry-host` with the demo tenant, signed in as the demo
//! maker. Behind the `sandbox` cargo feature (on by default): a build without it has no
//! emulator in it, and a Local sandbox profile says so instead of starting one.

use std::sync::Arc;

use ferry_auth::SignedIn;

use crate::error::Result;
use crate::signin::AccountInfo;

/// The sandbox's running host (stops when dropped).
#[cfg(feature = "sandbox")]
pub(crate) type SandboxHost = ferry_host::RunningHost;

/// No sandbox in this build: no value of this type exists.
#[cfg(not(feature = "sandbox"))]
pub(crate) enum SandboxHost {}

/// A started sandbox: its host, its URL, and the demo maker's sign-in.
pub(crate) struct Started {
    pub host: SandboxHost,
    pub base_url: String,
    pub tokens: Arc<SignedIn>,
    pub account: AccountInfo,
}

/// Starts the sandbox's host on `data_dir` at `speed`, its clock `ahead` of the system's, and
/// signs the demo maker in.
#[cfg(feature = "sandbox")]
pub(crate) async fn start(
    data_dir: &std::path::Path,
    speed: f64,
    ahead: std::time::Duration,
) -> Result<Started> {
    use crate::error::OpsError;
    let mut config = ferry_host::HostConfig::new(data_dir);
    config.speed = speed;
    if !ahead.is_zero() {
        config.clock = ferry_host::Clock::system_ahead(ahead.as_millis() as i64);
    }
    let host = ferry_host::Host::start(config)
        .await
        .map_err(|e| OpsError::Sandbox(format!("{e:#}")))?;
    let (tokens, account) = crate::signin::sandbox_tokens(&host).await?;
    Ok(Started {
        base_url: host.base_url().to_string(),
        host,
        tokens,
        account,
    })
}

/// This build has no sandbox: say so, and what to do instead.
#[cfg(not(feature = "sandbox"))]
pub(crate) async fn start(
    _data_dir: &std::path::Path,
    _speed: f64,
    _ahead: std::time::Duration,
) -> Result<Started> {
    Err(crate::error::OpsError::Sandbox(NOT_BUILT_IN.into()))
}

/// What a build without the sandbox says when the Local sandbox is asked for.
#[cfg_attr(feature = "sandbox", allow(dead_code))]
pub(crate) const NOT_BUILT_IN: &str = "this build of Ferry has no Local sandbox (it was built \
     without the `sandbox` feature); add a profile for a real host and use it";

#[cfg(all(test, not(feature = "sandbox")))]
mod tests {
    #[tokio::test]
    async fn a_build_without_the_sandbox_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let err = super::start(dir.path(), 1.0, std::time::Duration::ZERO)
            .await
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("without the `sandbox` feature"),
            "{err}"
        );
    }
}
