//! Times as people read and type them. On screen a time is local, with its offset
//! (`--json` keeps the host's UTC); `--at` takes RFC 3339, a local date and time, or the
//! forms people say (`in 2h`, `tomorrow 18:00`), and refuses local times that do not
//! exist or happen twice when the clocks change. The zone is the system's (`TZ`, then
//! the system setting), read through jiff's copy of the tz database rules.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Span, Timestamp, Zoned};

/// The zone times are shown and typed in.
pub fn zone() -> TimeZone {
    TimeZone::system()
}

fn zone_name(tz: &TimeZone) -> String {
    tz.iana_name()
        .map(str::to_string)
        .unwrap_or_else(|| "the local time zone".into())
}

/// `2026-12-08 18:00 +01:00` for an RFC 3339 time in `tz`; the text itself if it is not one.
pub fn show_in(rfc3339: &str, tz: &TimeZone) -> String {
    match rfc3339.trim().parse::<Timestamp>() {
        Ok(t) => t
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M %:z")
            .to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// `18:00:05` in `tz` for an RFC 3339 time (progress lines; the run's header has the offset).
pub fn clock_in(rfc3339: &str, tz: &TimeZone) -> String {
    match rfc3339.trim().parse::<Timestamp>() {
        Ok(t) => t.to_zoned(tz.clone()).strftime("%H:%M:%S").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// The RFC 3339 UTC instant (`…T00:00:00Z`) where the local day `YYYY-MM-DD` begins; `None`
/// when the text is not a day. A day that begins in a clock change starts at its first instant.
pub fn day_start(text: &str, tz: &TimeZone) -> Option<String> {
    let t = text.trim();
    if t.len() != 10 {
        return None;
    }
    let day: Date = t.parse().ok()?;
    let start = day.to_zoned(tz.clone()).ok()?;
    Some(utc_text(start.timestamp()))
}

/// An instant as the host takes it: UTC, whole seconds, `Z`.
pub fn utc_text(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

const FORMS: &str = "RFC 3339 (2026-12-01T18:00:00Z), a local date and time (2026-12-01 18:00), \
                     a time today or tomorrow (18:00, tomorrow 09:30), or a delay (in 2h, in 90m)";

/// Reads a `--at` time as of `now` (whose zone is the local one). The answer is in the future.
pub fn parse_at(text: &str, now: &Zoned) -> Result<Timestamp, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("--at is empty: give {FORMS}"));
    }
    let at = read(t, now)?;
    if at <= now.timestamp() {
        return Err(format!(
            "{t:?} is {}, which is in the past (it is now {}): give a future time, or leave --at out to deploy now",
            at.to_zoned(now.time_zone().clone()).strftime("%Y-%m-%d %H:%M %:z"),
            now.strftime("%Y-%m-%d %H:%M %:z"),
        ));
    }
    Ok(at)
}

fn read(t: &str, now: &Zoned) -> Result<Timestamp, String> {
    // An instant with its offset needs no zone.
    if let Ok(at) = t.parse::<Timestamp>() {
        return Ok(at);
    }
    let lower = t.to_ascii_lowercase();
    if let Some(delay) = lower.strip_prefix("in ") {
        let span: Span = delay.trim().parse().map_err(|_| {
            format!("{t:?}: {delay:?} is not a delay; write it like in 2h, in 90m or in 1h 30m")
        })?;
        return now
            .checked_add(span)
            .map(|z| z.timestamp())
            .map_err(|_| format!("{t:?} is further away than a calendar goes"));
    }
    let (day, rest) = match lower.split_once(char::is_whitespace) {
        Some(("today", rest)) => (Some(now.date()), rest.trim()),
        Some(("tomorrow", rest)) => (now.date().tomorrow().ok(), rest.trim()),
        _ if lower == "today" || lower == "tomorrow" => {
            return Err(format!("{t:?} needs a time too, like {lower} 18:00"));
        }
        _ => (None, lower.as_str()),
    };
    let civil = match day {
        Some(day) => {
            let time: Time = rest.parse().map_err(|_| {
                format!("{t:?}: {rest:?} is not a time of day; write it like 18:00")
            })?;
            day.to_datetime(time)
        }
        None => {
            // jiff reads a time out of a whole date-time too, so a date decides the form.
            if rest.contains('-') {
                if rest.len() == 10 && rest.parse::<Date>().is_ok() {
                    return Err(format!("{t:?} needs a time too, like {rest} 18:00"));
                }
                rest.parse::<DateTime>()
                    .map_err(|_| format!("{t:?} is not a time: give {FORMS}"))?
            } else {
                let time: Time = rest
                    .parse()
                    .map_err(|_| format!("{t:?} is not a time: give {FORMS}"))?;
                now.date().to_datetime(time)
            }
        }
    };
    local(civil, now.time_zone(), t)
}

/// A local date and time as an instant, refusing the ones a clock change skips or repeats.
fn local(civil: DateTime, tz: &TimeZone, asked: &str) -> Result<Timestamp, String> {
    let ambiguous = tz.to_ambiguous_zoned(civil);
    let shown = civil.strftime("%Y-%m-%d %H:%M");
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } => ambiguous
            .unambiguous()
            .map(|z| z.timestamp())
            .map_err(|e| format!("{asked:?}: {e}")),
        AmbiguousOffset::Gap { before, after } => Err(format!(
            "{shown} does not exist in {}: the clocks jump from {before} to {after} that night; pick a time outside the jump",
            zone_name(tz)
        )),
        AmbiguousOffset::Fold { before, after } => Err(format!(
            "{shown} happens twice in {} (at {before} and again at {after}, when the clocks go back); give the offset, like {}{before}",
            zone_name(tz),
            civil.strftime("%Y-%m-%dT%H:%M:%S"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").expect("the tz database has Europe/Paris")
    }

    /// Monday 7 December 2026, 16:30 in Paris (15:30 UTC).
    fn now() -> Zoned {
        "2026-12-07T16:30:00+01:00[Europe/Paris]".parse().unwrap()
    }

    fn at(text: &str) -> Result<String, String> {
        parse_at(text, &now()).map(utc_text)
    }

    #[test]
    fn shows_local_time_with_its_offset() {
        assert_eq!(
            show_in("2026-12-07T15:30:05Z", &paris()),
            "2026-12-07 16:30 +01:00"
        );
        assert_eq!(
            show_in("2026-07-01T15:30:05Z", &paris()),
            "2026-07-01 17:30 +02:00"
        );
        assert_eq!(clock_in("2026-12-07T15:30:05Z", &paris()), "16:30:05");
        assert_eq!(
            show_in("2026-12-07T15:30:05Z", &TimeZone::UTC),
            "2026-12-07 15:30 +00:00"
        );
        assert_eq!(show_in("soon", &paris()), "soon");
    }

    #[test]
    fn reads_every_form() {
        assert_eq!(at("2026-12-08T18:00:00Z").unwrap(), "2026-12-08T18:00:00Z");
        assert_eq!(
            at("2026-12-08T18:00:00+01:00").unwrap(),
            "2026-12-08T17:00:00Z"
        );
        assert_eq!(at("2026-12-08 18:00").unwrap(), "2026-12-08T17:00:00Z");
        assert_eq!(at("2026-12-08T18:00").unwrap(), "2026-12-08T17:00:00Z");
        assert_eq!(at("in 2h").unwrap(), "2026-12-07T17:30:00Z");
        assert_eq!(at("in 90m").unwrap(), "2026-12-07T17:00:00Z");
        assert_eq!(at("In 1h 30m").unwrap(), "2026-12-07T17:00:00Z");
        assert_eq!(at("in 2 hours").unwrap(), "2026-12-07T17:30:00Z");
        assert_eq!(at("tomorrow 18:00").unwrap(), "2026-12-08T17:00:00Z");
        assert_eq!(at("today 18:00").unwrap(), "2026-12-07T17:00:00Z");
        assert_eq!(at("18:00").unwrap(), "2026-12-07T17:00:00Z");
        // A day in summer time is read with summer's offset.
        assert_eq!(at("2027-07-01 18:00").unwrap(), "2027-07-01T16:00:00Z");
    }

    #[test]
    fn refuses_what_is_past_unclear_or_not_a_time() {
        let past = at("09:00").unwrap_err();
        assert!(past.contains("in the past"), "{past}");
        assert!(past.contains("2026-12-07 16:30 +01:00"), "{past}");
        assert!(at("in -2h").unwrap_err().contains("in the past"));
        assert!(at("tomorrow").unwrap_err().contains("tomorrow 18:00"));
        assert!(at("2026-12-08").unwrap_err().contains("needs a time"));
        assert!(at("next week").unwrap_err().contains("in 2h"));
        assert!(at("in a while").unwrap_err().contains("not a delay"));
        assert!(at("tomorrow noonish").unwrap_err().contains("time of day"));
        assert!(at("  ").unwrap_err().contains("empty"));
    }

    #[test]
    fn refuses_local_times_a_clock_change_skips_or_repeats() {
        // Paris springs forward at 02:00 on 28 March 2027 and falls back at 03:00 on 31 October 2027.
        let gap = at("2027-03-28 02:30").unwrap_err();
        assert!(gap.contains("does not exist in Europe/Paris"), "{gap}");
        let fold = at("2027-10-31 02:30").unwrap_err();
        assert!(fold.contains("happens twice in Europe/Paris"), "{fold}");
        assert!(fold.contains("2027-10-31T02:30:00+02"), "{fold}");
        // With the offset it is one instant again.
        assert_eq!(
            at("2027-10-31T02:30:00+01:00").unwrap(),
            "2027-10-31T01:30:00Z"
        );
    }

    #[test]
    fn a_local_day_starts_at_local_midnight() {
        assert_eq!(
            day_start("2026-12-08", &paris()).as_deref(),
            Some("2026-12-07T23:00:00Z")
        );
        assert_eq!(
            day_start("2026-07-08", &paris()).as_deref(),
            Some("2026-07-07T22:00:00Z")
        );
        assert_eq!(day_start("2026-12-08T10:00:00Z", &paris()), None);
    }
}
