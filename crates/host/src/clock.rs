//! Wall-clock helpers: Dataverse writes UTC times with second precision and a `Z`.

use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The current time as Dataverse text, e.g. `2026-11-22T09:01:08Z`.
pub fn now_text() -> String {
    ms_to_text(now_ms())
}

/// Epoch milliseconds as Dataverse text.
pub fn ms_to_text(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Parses an ISO 8601 / RFC 3339 time (a bare date is read as midnight UTC).
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let date = time::Date::parse(
        text,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(date.midnight().assume_utc())
}

/// Epoch milliseconds of a time text.
pub fn text_to_ms(text: &str) -> Option<i64> {
    parse(text).map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The formatted value of a time, as the Web API annotates it (`11/22/2026 9:01 AM`).
pub fn formatted(text: &str) -> Option<String> {
    let t = parse(text)?;
    let (hour, suffix) = match t.hour() {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    Some(format!(
        "{}/{}/{} {}:{:02} {}",
        u8::from(t.month()),
        t.day(),
        t.year(),
        hour,
        t.minute(),
        suffix
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_at_second_precision() {
        let text = ms_to_text(1_767_225_600_123);
        assert_eq!(text, "2026-01-01T00:00:00Z");
        assert_eq!(text_to_ms(&text), Some(1_767_225_600_000));
        assert_eq!(text_to_ms("2026-01-01"), Some(1_767_225_600_000));
        assert_eq!(text_to_ms("yesterday"), None);
    }

    #[test]
    fn formats_like_the_web_api() {
        assert_eq!(
            formatted("2026-11-22T21:05:00Z").unwrap(),
            "11/22/2026 9:05 PM"
        );
        assert_eq!(
            formatted("2026-01-02T00:00:00Z").unwrap(),
            "1/2/2026 12:00 AM"
        );
    }
}
