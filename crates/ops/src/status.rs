//! Whether the profile's host answers now, and as whom Ferry is signed in: the
//! app's frame shows it, and its offline banner comes from it. Never fails: a
//! problem is part of the answer, with the IPC code the UI branches on.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::engine::Engine;
use crate::types::ProfileInfo;

/// The profile in use and how its host is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HostStatus {
    pub profile: ProfileInfo,
    /// The host answered just now.
    pub online: bool,
    /// The host's URL (for the sandbox: its loopback address this time), once connected.
    pub host_url: Option<String>,
    pub dev_environment_name: Option<String>,
    /// The signed-in user's name, when the host tells.
    pub account: Option<String>,
    /// Why the host could not be used, in a sentence that says what to do.
    pub problem: Option<String>,
    /// The problem's code (`offline`, `unauthorized`, …).
    pub problem_code: Option<ferry_error::ErrorCode>,
}

impl Engine {
    /// Connects if needed (starting the sandbox), then asks the host who we are,
    /// so a host that went away since shows as offline.
    pub async fn status(&self) -> HostStatus {
        let mut status = HostStatus {
            profile: self.profile(),
            online: false,
            host_url: None,
            dev_environment_name: None,
            account: None,
            problem: None,
            problem_code: None,
        };
        let session = match self.session().await {
            Ok(s) => s,
            Err(e) => {
                status.problem = Some(e.to_string());
                status.problem_code = Some(e.code());
                return status;
            }
        };
        status.host_url = Some(session.host.base_url().to_string());
        status.dev_environment_name = Some(session.dev.name.clone());
        status.account = session.me.clone();
        match ferry_dataverse::environment::who_am_i(&session.host).await {
            Ok(_) => status.online = true,
            Err(e) => {
                let e = crate::OpsError::from(e);
                status.problem = Some(e.to_string());
                status.problem_code = Some(e.code());
            }
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewProfile;

    #[tokio::test]
    async fn the_sandbox_is_online_and_an_unreachable_host_is_offline() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = crate::testing::brisk_options(dir.path());
        let engine = Engine::open(options.clone()).unwrap();
        let status = engine.status().await;
        assert!(status.online, "{status:?}");
        assert!(status.host_url.unwrap().starts_with("http://127.0.0.1:"));
        assert_eq!(status.dev_environment_name.as_deref(), Some("Contoso Dev"));
        assert!(status.problem.is_none());

        // A profile whose host does not answer: offline, with a sentence.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        engine
            .add_profile(&NewProfile {
                id: "gone".into(),
                host_url: format!("http://127.0.0.1:{port}"),
                dev_environment: "dev".into(),
                ..Default::default()
            })
            .unwrap();
        drop(engine);
        options.profile = Some("gone".into());
        options.client.max_retries = 0;
        let engine = Engine::open(options).unwrap();
        let status = engine.status().await;
        assert!(!status.online);
        assert_eq!(status.profile.id, "gone");
        assert!(status.problem.is_some());
        // FERRY_TOKEN is unset in tests: the missing token is the problem named.
        assert!(
            matches!(
                status.problem_code,
                Some(ferry_error::ErrorCode::Offline) | Some(ferry_error::ErrorCode::Unauthorized)
            ),
            "{status:?}"
        );
    }
}
