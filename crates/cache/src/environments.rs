//! `environments`: snapshot of the host's `deploymentenvironment` rows (spec §2.1).

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::{timefmt, Cache};

/// One registered environment on the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// `deploymentenvironmentid`: the host-side registration row id.
    pub deployment_environment_id: String,
    /// `name`.
    pub name: String,
    /// `environmentid`: the Power Platform (BAP) environment id, as text.
    pub environment_id: String,
    /// `environmenttype`: 200000000 Development, 200000001 Target.
    pub environment_type: i32,
    /// `validationstatus`: 200000000 Pending, 200000001 Success, 200000002 Failed.
    pub validation_status: Option<i32>,
    /// `errormessage`.
    pub error_message: Option<String>,
    /// The environment's org URL, when known.
    pub url: Option<String>,
}

impl Cache {
    /// Replaces the profile's environment snapshot with `envs`, in one transaction.
    pub fn replace_environments(&mut self, profile_id: &str, envs: &[Environment]) -> Result<()> {
        let tx = self.write_tx()?;
        Cache::require_profile(&tx, profile_id)?;
        tx.execute(
            "DELETE FROM environments WHERE profile_id = ?1",
            [profile_id],
        )?;
        let now = timefmt::to_text(timefmt::now());
        {
            let mut st = tx.prepare(
                "INSERT INTO environments (profile_id, deployment_environment_id, name,
                    environment_id, environment_type, validation_status, error_message, url,
                    synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for e in envs {
                st.execute(params![
                    profile_id,
                    e.deployment_environment_id,
                    e.name,
                    e.environment_id,
                    e.environment_type,
                    e.validation_status,
                    e.error_message,
                    e.url,
                    now
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The profile's environment snapshot, by name.
    pub fn environments(&self, profile_id: &str) -> Result<Vec<Environment>> {
        let mut st = self.conn.prepare(
            "SELECT deployment_environment_id, name, environment_id, environment_type,
                    validation_status, error_message, url
             FROM environments WHERE profile_id = ?1 ORDER BY name, deployment_environment_id",
        )?;
        let rows = st.query_map([profile_id], |r| {
            Ok(Environment {
                deployment_environment_id: r.get(0)?,
                name: r.get(1)?,
                environment_id: r.get(2)?,
                environment_type: r.get(3)?,
                validation_status: r.get(4)?,
                error_message: r.get(5)?,
                url: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::codes::environment_type;
    use crate::testutil::cache;
    use crate::*;

    fn env(id: &str, name: &str, ty: i32) -> Environment {
        Environment {
            deployment_environment_id: id.into(),
            name: name.into(),
            environment_id: format!("bap-{id}"),
            environment_type: ty,
            validation_status: Some(200_000_001),
            error_message: None,
            url: Some(format!("https://{name}.example.invalid")),
        }
    }

    #[test]
    fn snapshot_round_trips_and_is_replaced_whole() {
        let mut c = cache();
        let dev = env("e1", "dev", environment_type::DEVELOPMENT);
        let test = env("e2", "test", environment_type::TARGET);
        c.replace_environments("p", &[test.clone(), dev.clone()])
            .unwrap();
        assert_eq!(c.environments("p").unwrap(), vec![dev.clone(), test]);
        c.replace_environments("p", std::slice::from_ref(&dev))
            .unwrap();
        assert_eq!(c.environments("p").unwrap(), vec![dev]);
        assert!(c.environments("other").unwrap().is_empty());
    }

    #[test]
    fn unknown_profile_is_refused() {
        let mut c = cache();
        let err = c.replace_environments("ghost", &[]).unwrap_err();
        assert!(matches!(err, CacheError::UnknownProfile(_)), "{err}");
    }
}
