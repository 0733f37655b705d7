//! Times as stored: one fixed UTC text form that is valid RFC 3339 and sorts as text.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::error::{CacheError, Result};

const STORED: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Renders a time in the stored form (UTC, microseconds, `Z`).
pub(crate) fn to_text(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(STORED)
        .expect("a UTC time always formats with a fixed description")
}

/// Parses a stored (or any RFC 3339) time.
pub(crate) fn from_text(s: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| CacheError::Corrupt {
        what: "time",
        reason: format!("{s:?}: {e}"),
    })
}

pub(crate) fn opt_to_text(t: Option<OffsetDateTime>) -> Option<String> {
    t.map(to_text)
}

pub(crate) fn opt_from_text(s: Option<String>) -> Result<Option<OffsetDateTime>> {
    s.as_deref().map(from_text).transpose()
}

pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn stored_form_is_utc_fixed_width_and_round_trips() {
        let t = datetime!(2026-04-01 12:00:00.5 +02:00);
        let s = to_text(t);
        assert_eq!(s, "2026-04-01T10:00:00.500000Z");
        assert_eq!(from_text(&s).unwrap(), t);
    }

    #[test]
    fn stored_form_sorts_as_text() {
        let a = to_text(datetime!(2026-04-01 09:59:59.999 UTC));
        let b = to_text(datetime!(2026-04-01 10:00:00 UTC));
        assert!(a < b);
    }

    #[test]
    fn garbage_is_reported_as_corrupt() {
        assert!(matches!(
            from_text("yesterday"),
            Err(CacheError::Corrupt { .. })
        ));
    }
}
