//! The `systemusers` rows as sign-in and the caller both read them: a user found by name,
//! an application user's hidden columns and how its secret is kept. A leaf, so identity
//! (which signs users in) and the caller (which judges their tokens) share it without
//! importing each other.

use crate::store::records::Record;

/// Hidden `systemusers` column: the application id of an application user.
pub const APP_ID_COLUMN: &str = "__applicationid";
/// Hidden `systemusers` column: SHA-256 (hex) of an application user's client secret.
pub const SECRET_COLUMN: &str = "__secret_sha256";

/// How a client secret is kept.
pub fn secret_hash(secret: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a `systemusers` row is an application user.
pub fn is_application(user: &Record) -> bool {
    user.str(APP_ID_COLUMN).is_some_and(|a| !a.is_empty())
}

/// A seeded user by UPN, the part of the UPN before `@`, or the first word of the full name.
pub fn find_user<'a>(users: &'a [Record], wanted: &str) -> Option<&'a Record> {
    let wanted = wanted.trim().to_ascii_lowercase();
    if wanted.is_empty() {
        return None;
    }
    users.iter().find(|u| {
        let upn = u.str("domainname").unwrap_or_default().to_ascii_lowercase();
        let first = u
            .str("fullname")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        upn == wanted || upn.split('@').next() == Some(wanted.as_str()) || first == wanted
    })
}
