//! `profiles`: the cloud endpoint sets the user signed in with (never tokens: those live in the
//! OS keyring), and which one is active.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::error::{CacheError, Result};
use crate::{timefmt, Cache};

/// What kind of host a profile talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// The built-in in-process local host.
    LocalSandbox,
    /// A real Dataverse host in a Microsoft cloud.
    Cloud,
}

impl ProfileKind {
    fn as_str(self) -> &'static str {
        match self {
            ProfileKind::LocalSandbox => "local_sandbox",
            ProfileKind::Cloud => "cloud",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "local_sandbox" => Ok(ProfileKind::LocalSandbox),
            "cloud" => Ok(ProfileKind::Cloud),
            other => Err(CacheError::Corrupt {
                what: "profile kind",
                reason: other.into(),
            }),
        }
    }
}

/// A named cloud endpoint set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Short unique name the user types (`ferry profile use NAME`).
    pub id: String,
    /// Name shown in the app.
    pub display_name: String,
    /// Local sandbox or cloud.
    pub kind: ProfileKind,
    /// Identity authority URL.
    pub authority: String,
    /// Tenant id or domain, when the authority needs one.
    pub tenant: Option<String>,
    /// The public client's application id.
    pub client_id: String,
    /// The pipelines host's org URL.
    pub host_url: String,
    /// The dev environment's Power Platform (BAP) environment id.
    pub dev_environment_id: Option<String>,
    /// The dev environment's org URL.
    pub dev_environment_url: Option<String>,
    /// The rest, as the operations layer writes it (a JSON object; `{}` when none).
    pub details: String,
}

const COLUMNS: &str = "id, display_name, kind, authority, tenant, client_id, host_url, \
                       dev_environment_id, dev_environment_url, details";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(Profile, String)> {
    Ok((
        Profile {
            id: r.get(0)?,
            display_name: r.get(1)?,
            kind: ProfileKind::LocalSandbox, // replaced below
            authority: r.get(3)?,
            tenant: r.get(4)?,
            client_id: r.get(5)?,
            host_url: r.get(6)?,
            dev_environment_id: r.get(7)?,
            dev_environment_url: r.get(8)?,
            details: r.get(9)?,
        },
        r.get(2)?,
    ))
}

fn finish((mut p, kind): (Profile, String)) -> Result<Profile> {
    p.kind = ProfileKind::parse(&kind)?;
    Ok(p)
}

impl Cache {
    /// Inserts or replaces a profile (keyed by `id`).
    pub fn save_profile(&mut self, p: &Profile) -> Result<()> {
        if p.id.trim().is_empty() {
            return Err(CacheError::Invalid {
                field: "profile id",
                reason: "must not be empty".into(),
            });
        }
        let now = timefmt::to_text(timefmt::now());
        self.conn.execute(
            "INSERT INTO profiles (id, display_name, kind, authority, tenant, client_id, host_url,
                                   dev_environment_id, dev_environment_url, details,
                                   created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
             ON CONFLICT (id) DO UPDATE SET
                display_name = excluded.display_name, kind = excluded.kind,
                authority = excluded.authority, tenant = excluded.tenant,
                client_id = excluded.client_id, host_url = excluded.host_url,
                dev_environment_id = excluded.dev_environment_id,
                dev_environment_url = excluded.dev_environment_url,
                details = excluded.details, updated_at = excluded.updated_at",
            params![
                p.id,
                p.display_name,
                p.kind.as_str(),
                p.authority,
                p.tenant,
                p.client_id,
                p.host_url,
                p.dev_environment_id,
                p.dev_environment_url,
                if p.details.trim().is_empty() {
                    "{}"
                } else {
                    p.details.as_str()
                },
                now
            ],
        )?;
        Ok(())
    }

    /// The profile with this id, if any.
    pub fn profile(&self, id: &str) -> Result<Option<Profile>> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM profiles WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?
            .map(finish)
            .transpose()
    }

    /// Every profile, by id.
    pub fn profiles(&self) -> Result<Vec<Profile>> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM profiles ORDER BY id"))?;
        let rows = st.query_map([], from_row)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// Removes a profile and everything cached for it (snapshots, runs, stage profiles).
    /// Returns whether it existed.
    pub fn delete_profile(&mut self, id: &str) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM profiles WHERE id = ?1", [id])?
            > 0)
    }

    /// Makes `id` the active profile (at most one is).
    pub fn set_active_profile(&mut self, id: &str) -> Result<()> {
        let tx = self.write_tx()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM profiles WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(CacheError::UnknownProfile(id.into()));
        }
        tx.execute("UPDATE profiles SET is_active = 0 WHERE is_active = 1", [])?;
        tx.execute("UPDATE profiles SET is_active = 1 WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }

    /// The active profile, if one was chosen.
    pub fn active_profile(&self) -> Result<Option<Profile>> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM profiles WHERE is_active = 1"),
                [],
                from_row,
            )
            .optional()?
            .map(finish)
            .transpose()
    }

    pub(crate) fn require_profile(conn: &rusqlite::Connection, id: &str) -> Result<()> {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM profiles WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if exists {
            Ok(())
        } else {
            Err(CacheError::UnknownProfile(id.into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::profile;
    use crate::*;

    #[test]
    fn profile_round_trips_and_updates_in_place() {
        let mut c = Cache::open_in_memory().unwrap();
        let mut p = profile("work");
        c.save_profile(&p).unwrap();
        assert_eq!(c.profile("work").unwrap(), Some(p.clone()));
        p.kind = ProfileKind::LocalSandbox;
        p.tenant = None;
        c.save_profile(&p).unwrap();
        assert_eq!(c.profiles().unwrap(), vec![p]);
        assert_eq!(c.profile("nope").unwrap(), None);
    }

    #[test]
    fn only_one_profile_is_active() {
        let mut c = Cache::open_in_memory().unwrap();
        c.save_profile(&profile("a")).unwrap();
        c.save_profile(&profile("b")).unwrap();
        assert_eq!(c.active_profile().unwrap(), None);
        c.set_active_profile("a").unwrap();
        c.set_active_profile("b").unwrap();
        assert_eq!(c.active_profile().unwrap().unwrap().id, "b");
        assert!(matches!(
            c.set_active_profile("zz"),
            Err(CacheError::UnknownProfile(_))
        ));
        assert_eq!(c.active_profile().unwrap().unwrap().id, "b");
    }

    #[test]
    fn empty_id_is_refused_and_delete_reports_existence() {
        let mut c = Cache::open_in_memory().unwrap();
        assert!(c.save_profile(&profile(" ")).is_err());
        c.save_profile(&profile("a")).unwrap();
        assert!(c.delete_profile("a").unwrap());
        assert!(!c.delete_profile("a").unwrap());
    }
}
