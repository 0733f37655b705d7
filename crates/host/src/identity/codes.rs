//! The sign-in state that must survive a restart, in SQLite: pending device
//! codes, authorization codes (with their PKCE challenge) and refresh tokens.
//! Refresh tokens and codes are stored as SHA-256 hashes, never in clear.
//! The tables are made by the store's migration 3.

use rusqlite::{params, Connection, OptionalExtension as _};
use sha2::Digest as _;

/// SHA-256 in hex: how secrets are keyed in the tables.
pub fn hash(secret: &str) -> String {
    sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a sign-in was granted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub client_id: String,
    pub scope: String,
    pub user_id: String,
}

/// A device-code sign-in's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    Pending,
    Approved(Grant),
    Declined,
    Expired,
    /// Polled sooner than the interval allows.
    TooFast,
    /// Tokens were already issued for it.
    Redeemed,
}

pub struct NewDeviceCode<'a> {
    pub device_code: &'a str,
    pub user_code: &'a str,
    pub client_id: &'a str,
    pub scope: &'a str,
    pub expires_ms: i64,
    pub interval_s: i64,
}

pub fn insert_device_code(conn: &Connection, c: &NewDeviceCode<'_>) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO identity_device_codes (device_hash, user_code, client_id, scope, expires_ms, interval_s, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')",
        params![hash(c.device_code), c.user_code, c.client_id, c.scope, c.expires_ms, c.interval_s],
    )?;
    Ok(())
}

/// Approves (`Some(user)`) or declines (`None`) a pending code typed by a
/// person. `Ok(false)`: no pending, unexpired code with that text.
pub fn decide(
    conn: &Connection,
    user_code: &str,
    user_id: Option<&str>,
    now_ms: i64,
) -> rusqlite::Result<bool> {
    let status = if user_id.is_some() {
        "approved"
    } else {
        "declined"
    };
    let changed = conn.execute(
        "UPDATE identity_device_codes SET status = ?1, user_id = ?2
         WHERE user_code = ?3 COLLATE NOCASE AND status = 'pending' AND expires_ms > ?4",
        params![status, user_id, normalize_user_code(user_code), now_ms],
    )?;
    Ok(changed == 1)
}

/// `abcd-efgh`, `ABCDEFGH` and ` AbCd EfGh ` are the same code.
pub fn normalize_user_code(text: &str) -> String {
    let plain: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    plain
}

/// One poll of the token endpoint with a device code.
pub fn poll_device_code(
    conn: &Connection,
    device_code: &str,
    now_ms: i64,
) -> rusqlite::Result<Option<DeviceState>> {
    let key = hash(device_code);
    let row = conn
        .query_row(
            "SELECT client_id, scope, expires_ms, interval_s, last_poll_ms, status, user_id
             FROM identity_device_codes WHERE device_hash = ?1",
            [&key],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((client_id, scope, expires_ms, interval_s, last_poll, status, user_id)) = row else {
        return Ok(None);
    };
    conn.execute(
        "UPDATE identity_device_codes SET last_poll_ms = ?1 WHERE device_hash = ?2",
        params![now_ms, key],
    )?;
    let state = match status.as_str() {
        "redeemed" => DeviceState::Redeemed,
        "declined" => DeviceState::Declined,
        _ if now_ms >= expires_ms => DeviceState::Expired,
        "approved" => {
            conn.execute(
                "UPDATE identity_device_codes SET status = 'redeemed' WHERE device_hash = ?1",
                [&key],
            )?;
            DeviceState::Approved(Grant {
                client_id,
                scope,
                user_id: user_id.unwrap_or_default(),
            })
        }
        // Allow a little timer jitter before calling a poll too fast.
        _ if last_poll.is_some_and(|t| now_ms - t < interval_s * 800) => DeviceState::TooFast,
        _ => DeviceState::Pending,
    };
    Ok(Some(state))
}

pub struct NewAuthCode<'a> {
    pub code: &'a str,
    pub grant: &'a Grant,
    pub redirect_uri: &'a str,
    pub challenge: &'a str,
    pub expires_ms: i64,
}

pub fn insert_auth_code(conn: &Connection, c: &NewAuthCode<'_>) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO identity_auth_codes (code_hash, client_id, scope, redirect_uri, challenge, user_id, expires_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            hash(c.code),
            c.grant.client_id,
            c.grant.scope,
            c.redirect_uri,
            c.challenge,
            c.grant.user_id,
            c.expires_ms
        ],
    )?;
    Ok(())
}

/// An authorization code, taken (it works once): grant, redirect URI, challenge.
pub fn take_auth_code(
    conn: &Connection,
    code: &str,
    now_ms: i64,
) -> rusqlite::Result<Option<(Grant, String, String)>> {
    let key = hash(code);
    let row = conn
        .query_row(
            "SELECT client_id, scope, user_id, redirect_uri, challenge FROM identity_auth_codes
             WHERE code_hash = ?1 AND used = 0 AND expires_ms > ?2",
            params![key, now_ms],
            |r| {
                Ok((
                    Grant {
                        client_id: r.get(0)?,
                        scope: r.get(1)?,
                        user_id: r.get(2)?,
                    },
                    r.get(3)?,
                    r.get(4)?,
                ))
            },
        )
        .optional()?;
    conn.execute(
        "UPDATE identity_auth_codes SET used = 1 WHERE code_hash = ?1",
        [&key],
    )?;
    Ok(row)
}

pub fn insert_refresh_token(
    conn: &Connection,
    token: &str,
    grant: &Grant,
    now_ms: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO identity_refresh_tokens (token_hash, client_id, scope, user_id, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            hash(token),
            grant.client_id,
            grant.scope,
            grant.user_id,
            now_ms
        ],
    )?;
    Ok(())
}

/// The grant of an unused refresh token, without spending it: a request that is then
/// refused (bad scope, other client) must leave the token redeemable, as Entra does.
pub fn peek_refresh_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<Grant>> {
    conn.query_row(
        "SELECT client_id, scope, user_id FROM identity_refresh_tokens
         WHERE token_hash = ?1 AND used = 0",
        [hash(token)],
        |r| {
            Ok(Grant {
                client_id: r.get(0)?,
                scope: r.get(1)?,
                user_id: r.get(2)?,
            })
        },
    )
    .optional()
}

/// Redeems a refresh token: it is refused from then on (rotation).
pub fn take_refresh_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<Grant>> {
    let key = hash(token);
    let grant = conn
        .query_row(
            "SELECT client_id, scope, user_id FROM identity_refresh_tokens
             WHERE token_hash = ?1 AND used = 0",
            [&key],
            |r| {
                Ok(Grant {
                    client_id: r.get(0)?,
                    scope: r.get(1)?,
                    user_id: r.get(2)?,
                })
            },
        )
        .optional()?;
    conn.execute(
        "UPDATE identity_refresh_tokens SET used = 1 WHERE token_hash = ?1",
        [&key],
    )?;
    Ok(grant)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::store::migrations::migrate(&mut c, std::path::Path::new(":memory:")).unwrap();
        c
    }

    #[test]
    fn a_device_code_goes_pending_then_approved_once() {
        let c = conn();
        insert_device_code(
            &c,
            &NewDeviceCode {
                device_code: "dc",
                user_code: "ABCD1234",
                client_id: "app",
                scope: "s",
                expires_ms: 10_000,
                interval_s: 1,
            },
        )
        .unwrap();
        assert_eq!(
            poll_device_code(&c, "dc", 0).unwrap(),
            Some(DeviceState::Pending)
        );
        assert_eq!(
            poll_device_code(&c, "dc", 100).unwrap(),
            Some(DeviceState::TooFast)
        );
        assert!(!decide(&c, "nope", Some("u1"), 200).unwrap());
        assert!(decide(&c, "abcd-1234", Some("u1"), 200).unwrap());
        assert!(matches!(
            poll_device_code(&c, "dc", 2000).unwrap(),
            Some(DeviceState::Approved(g)) if g.user_id == "u1"
        ));
        assert_eq!(
            poll_device_code(&c, "dc", 3000).unwrap(),
            Some(DeviceState::Redeemed)
        );
        assert_eq!(poll_device_code(&c, "other", 3000).unwrap(), None);
    }

    #[test]
    fn refresh_tokens_work_once() {
        let c = conn();
        let g = Grant {
            client_id: "app".into(),
            scope: "s".into(),
            user_id: "u".into(),
        };
        insert_refresh_token(&c, "rt", &g, 0).unwrap();
        assert_eq!(peek_refresh_token(&c, "rt").unwrap(), Some(g.clone()));
        assert_eq!(peek_refresh_token(&c, "rt").unwrap(), Some(g.clone()));
        assert_eq!(take_refresh_token(&c, "rt").unwrap(), Some(g));
        assert_eq!(peek_refresh_token(&c, "rt").unwrap(), None);
        assert_eq!(take_refresh_token(&c, "rt").unwrap(), None);
        assert_eq!(normalize_user_code(" ab-cd "), "ABCD");
    }
}
