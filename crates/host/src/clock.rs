//! The host's clock, and Dataverse's time text (UTC, second precision, a `Z`).
//!
//! Each host reads time from its own [`Clock`]: the system clock, or a manual one that a test
//! advances (no test sleeps to let time pass). Every store transaction reads "now" once from
//! the host's clock ([`crate::store::Store::tx`] pins it for the transaction's thread), so the
//! stage-run code reads it with the free [`now_ms`] without a clock argument in every
//! signature, and the runner can execute a late step *as of its due time*
//! ([`crate::store::Store::tx_at`]): the times it stamps and the next step's due time are those
//! of a host that had run it on time.

use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::watch;

/// A host's source of time: the system's, or a manual one. Clones share the same time.
#[derive(Clone, Default)]
pub struct Clock {
    /// `None`: the system clock. Some: a manual clock's time, watched by the host's loops.
    manual: Option<Arc<watch::Sender<i64>>>,
    /// How far the system clock is read ahead of the system's time ([`Clock::system_ahead`]).
    ahead_ms: i64,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.manual {
            None if self.ahead_ms != 0 => write!(f, "Clock::system_ahead({})", self.ahead_ms),
            None => f.write_str("Clock::system"),
            Some(t) => write!(f, "Clock::manual({})", *t.borrow()),
        }
    }
}

impl Clock {
    /// The system clock (the default).
    pub fn system() -> Self {
        Self::default()
    }

    /// The system clock read `ms` ahead: a host started later than it was (a test sees where a
    /// host that ran meanwhile would have its runs, without waiting for that time to pass).
    pub fn system_ahead(ms: i64) -> Self {
        Self {
            manual: None,
            ahead_ms: ms,
        }
    }

    /// A clock that stands still at `start_ms` (epoch milliseconds) until advanced.
    pub fn manual(start_ms: i64) -> Self {
        Self {
            manual: Some(Arc::new(watch::channel(start_ms).0)),
            ahead_ms: 0,
        }
    }

    /// A manual clock starting at the system's current time, to the second (as Dataverse
    /// stores times).
    pub fn manual_now() -> Self {
        Self::manual(system_ms().div_euclid(1000) * 1000)
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            None => system_ms().saturating_add(self.ahead_ms),
            Some(t) => *t.borrow(),
        }
    }

    /// Moves a manual clock forward by `by` and wakes every loop waiting on it (the runner,
    /// webhook deliveries). Panics on the system clock: only tests move time.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.set_ms(self.now_ms().saturating_add(by));
    }

    /// Sets a manual clock to `ms` (never backwards) and wakes every loop waiting on it.
    pub fn set_ms(&self, ms: i64) {
        let t = self
            .manual
            .as_ref()
            .expect("only a manual clock can be moved (Clock::manual)");
        t.send_modify(|now| *now = (*now).max(ms));
    }

    /// A waiter for a host loop (see [`Ticks::sleep`]).
    pub(crate) fn ticks(&self) -> Ticks {
        Ticks {
            manual: self.manual.as_ref().map(|t| t.subscribe()),
        }
    }
}

/// How a host loop waits for time to pass on its clock.
pub(crate) struct Ticks {
    manual: Option<watch::Receiver<i64>>,
}

impl Ticks {
    /// Waits `ms` of the clock's time: a real sleep on the system clock; on a manual clock,
    /// until it is next moved (the caller looks again at what is due then).
    pub async fn sleep(&mut self, ms: i64) {
        match &mut self.manual {
            None => tokio::time::sleep(Duration::from_millis(ms.max(0) as u64)).await,
            Some(rx) => {
                if rx.changed().await.is_err() {
                    // Every clock handle is gone: time will never move again.
                    std::future::pending::<()>().await;
                }
            }
        }
    }
}

thread_local! {
    /// The time of the transaction running on this thread (see [`pin`]).
    static PINNED: Cell<Option<i64>> = const { Cell::new(None) };
}

/// Pins "now" for the current thread until the guard drops (a store transaction, which runs
/// synchronously on one thread); the previous pin comes back after.
pub(crate) fn pin(ms: i64) -> Pinned {
    Pinned(PINNED.with(|p| p.replace(Some(ms))))
}

/// Restores the previous pin when dropped.
pub(crate) struct Pinned(Option<i64>);

impl Drop for Pinned {
    fn drop(&mut self) {
        PINNED.with(|p| p.set(self.0));
    }
}

fn system_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch, as of the running transaction (its host's clock, or
/// the due time of the step it executes); the system clock outside any transaction.
pub fn now_ms() -> i64 {
    PINNED.with(Cell::get).unwrap_or_else(system_ms)
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

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_pins_nest() {
        let clock = Clock::manual(1_000);
        let shared = clock.clone();
        assert_eq!(clock.now_ms(), 1_000);
        shared.advance(Duration::from_millis(250));
        assert_eq!(clock.now_ms(), 1_250);
        clock.set_ms(10);
        assert_eq!(clock.now_ms(), 1_250, "never backwards");
        {
            let _outer = pin(5_000);
            assert_eq!(now_ms(), 5_000);
            {
                let _inner = pin(7_000);
                assert_eq!(now_ms(), 7_000);
            }
            assert_eq!(now_ms(), 5_000);
        }
        assert!(now_ms() > 1_000_000_000_000, "unpinned: the system clock");
    }

    #[tokio::test]
    async fn a_waiting_loop_wakes_when_a_manual_clock_moves() {
        let clock = Clock::manual(0);
        let mut ticks = clock.ticks();
        let mover = clock.clone();
        let moved = tokio::spawn(async move {
            ticks.sleep(60_000).await;
        });
        mover.advance(Duration::from_secs(1));
        moved.await.unwrap();
    }
}
