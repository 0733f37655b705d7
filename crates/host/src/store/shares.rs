//! Record sharing (Dataverse's `GrantAccess` / `RevokeAccess`, the
//! principal-object-access table): which users may read a pipeline. Kept as
//! pairs in `links` under one relationship name.

use rusqlite::Connection;

use super::records;
use crate::schema::HOST_SCOPE;

const REL: &str = "ferry_principalobjectaccess";

/// Shares `object` (a pipeline id) with `principal` (a systemuser id).
pub fn grant(conn: &Connection, object: &str, principal: &str) -> rusqlite::Result<()> {
    records::link(conn, HOST_SCOPE, REL, object, principal)
}

/// Removes a share; false when there was none.
pub fn revoke(conn: &Connection, object: &str, principal: &str) -> rusqlite::Result<bool> {
    records::unlink(conn, HOST_SCOPE, REL, object, principal)
}

/// Whether `object` is shared with `principal`.
pub fn is_shared(conn: &Connection, object: &str, principal: &str) -> rusqlite::Result<bool> {
    Ok(records::linked(conn, HOST_SCOPE, REL, object, true)?
        .iter()
        .any(|p| p.eq_ignore_ascii_case(principal)))
}

/// The objects shared with `principal`.
pub fn shared_with(conn: &Connection, principal: &str) -> rusqlite::Result<Vec<String>> {
    records::linked(conn, HOST_SCOPE, REL, principal, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn grant_and_revoke() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .tx(|c| -> rusqlite::Result<()> {
                grant(c, "P1", "u1")?;
                grant(c, "p1", "u1")?;
                assert!(is_shared(c, "p1", "U1")?);
                assert_eq!(shared_with(c, "u1")?, vec!["p1".to_string()]);
                assert!(revoke(c, "p1", "u1")?);
                assert!(!revoke(c, "p1", "u1")?);
                assert!(!is_shared(c, "p1", "u1")?);
                Ok(())
            })
            .unwrap();
    }
}
