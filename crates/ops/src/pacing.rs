//! When to read a followed run again.
//!
//! A fixed poll is either slow to notice a transition or wasteful. A [`Pacer`] paces each read
//! by what the run is doing:
//! - a **timed phase** (exporting, validating, importing, publishing) is read when phases like
//!   it ended in earlier runs — the cache keeps bounds per phase: still running `lo` after it
//!   began, ended by `hi`. When those bounds are wider than a second, one probe in the middle
//!   narrows them for the next run (a bisection across runs); once they are within a second,
//!   one read just after `hi` sees the next phase. A phase that runs late, or one never seen before, is read on
//!   a back-off that starts short and grows to `5 × base`;
//! - a run **waiting on a person** (a gate, or the maker) is read on the same back-off;
//! - a **scheduled** run sleeps until its time (in chunks, so a cancel elsewhere is seen).
//!
//! Each phase the pacer saw begin and end is returned as a sample for the cache. The pacer is
//! pure logic over [`Instant`]s, so it is tested without a host.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ferry_cache::PhaseBounds;

/// How followed runs are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pacing {
    /// By what the run is doing and what earlier runs took (the default).
    #[default]
    Adaptive,
    /// Every `poll_interval`, whatever happens (the baseline of the benchmark).
    Fixed,
}

/// What kind of wait a run's current state is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhaseKind {
    /// The host is working; phases like it take similar times.
    Timed,
    /// A person must act (a gate, or the maker after validation).
    Waiting,
    /// Nothing happens before this moment.
    Scheduled(Option<Instant>),
}

/// A finished phase the pacer saw both ends of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sample {
    pub phase: String,
    pub lo_ms: u64,
    pub hi_ms: u64,
}

#[derive(Debug, Clone)]
struct Current {
    key: String,
    kind: PhaseKind,
    /// The phase began after this read…
    start_lo: Instant,
    /// …and by this one.
    start_hi: Instant,
    /// The latest read that still showed it.
    last_seen: Instant,
    /// Whether `start_lo` is a real bound (false for the phase a watch joined midway).
    start_known: bool,
    /// Reads of this phase after the first.
    reads: u32,
    /// Reads of this phase after its expected end.
    late: u32,
}

/// Decides the wait before each read of one run.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    pacing: Pacing,
    base: Duration,
    bounds: HashMap<String, PhaseBounds>,
    current: Option<Current>,
    /// The previous read; `None` before the first when the phase's start is unknown.
    last_read: Option<Instant>,
}

/// Reads after the expected end are this much later than it.
const GUARD: Duration = Duration::from_millis(40);
/// Bounds closer than this (or 10 % of `hi`) are not probed further: reading just after `hi`
/// then notices the end within that much, and a probe would cost a read in every run.
const TIGHT: Duration = Duration::from_secs(1);

impl Pacer {
    /// `since`: when the action that started the phase being followed was sent (a phase seen
    /// at the first read began after it); `None` when joining a run midway (`ferry run watch`,
    /// resume), whose first phase then teaches nothing and is read on the back-off.
    pub fn new(
        pacing: Pacing,
        base: Duration,
        bounds: HashMap<String, PhaseBounds>,
        since: Option<Instant>,
    ) -> Self {
        Self {
            pacing,
            base: base.max(Duration::from_millis(10)),
            bounds,
            current: None,
            last_read: since,
        }
    }

    /// Takes a read answered at `at` that showed phase `key`. Returns the phase that ended, if
    /// it was a timed one whose beginning was seen.
    pub fn observe(&mut self, key: &str, kind: PhaseKind, at: Instant) -> Option<Sample> {
        let previous_read = self.last_read.replace(at);
        let sure = self.current.as_ref().and_then(|c| self.sure_end(c));
        if let Some(c) = self.current.as_mut().filter(|c| c.key == key) {
            c.last_seen = at;
            c.kind = kind;
            c.reads += 1;
            if sure.is_some_and(|s| at >= s) {
                c.late += 1;
            }
            return None;
        }
        let ended = self.current.replace(Current {
            key: key.to_string(),
            kind,
            start_lo: previous_read.unwrap_or(at),
            start_hi: at,
            last_seen: at,
            start_known: previous_read.is_some(),
            reads: 0,
            late: 0,
        })?;
        if ended.kind != PhaseKind::Timed || !ended.start_known {
            return None;
        }
        let lo = ended.last_seen.saturating_duration_since(ended.start_hi);
        let hi = at.saturating_duration_since(ended.start_lo);
        Some(Sample {
            phase: ended.key,
            lo_ms: lo.as_millis() as u64,
            hi_ms: hi.as_millis() as u64,
        })
    }

    /// When a timed phase with known bounds has surely ended.
    fn sure_end(&self, c: &Current) -> Option<Instant> {
        let b = self
            .bounds
            .get(&c.key)
            .filter(|_| c.kind == PhaseKind::Timed && c.start_known)?;
        Some(c.start_hi + Duration::from_millis(b.hi_ms) + GUARD)
    }

    /// How long to wait, from `now`, before the next read.
    pub fn wait(&self, now: Instant) -> Duration {
        let Some(c) = &self.current else {
            return Duration::ZERO;
        };
        if self.pacing == Pacing::Fixed {
            return self.base;
        }
        let cap = self.base * 5;
        let backoff = |reads: u32| {
            let first = self.base / 2;
            first.mul_f64(1.5f64.powi(reads.min(16) as i32)).min(cap)
        };
        match c.kind {
            PhaseKind::Scheduled(Some(due)) if due > now => (due - now + GUARD).min(self.base * 60),
            PhaseKind::Scheduled(_) | PhaseKind::Waiting => backoff(c.reads),
            PhaseKind::Timed => {
                let (Some(b), Some(sure)) = (self.bounds.get(&c.key), self.sure_end(c)) else {
                    return backoff(c.reads);
                };
                let lo = Duration::from_millis(b.lo_ms);
                let hi = Duration::from_millis(b.hi_ms);
                let wide = hi.saturating_sub(lo) > TIGHT.max(hi / 10);
                let probe = c.start_lo + lo + (hi - lo) / 2;
                let target = if wide && c.last_seen < probe {
                    probe
                } else {
                    sure
                };
                if target > now {
                    return target - now;
                }
                // Late: it ran past every earlier run; back off from the expected end.
                let first = Duration::from_millis(150);
                first
                    .mul_f64(1.6f64.powi(c.late.saturating_sub(1).min(16) as i32))
                    .min(cap)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_secs(1);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn pacer(bounds: &[(&str, u64, u64)], t0: Instant) -> Pacer {
        let bounds = bounds
            .iter()
            .map(|(k, lo, hi)| {
                (
                    k.to_string(),
                    PhaseBounds {
                        lo_ms: *lo,
                        hi_ms: *hi,
                    },
                )
            })
            .collect();
        Pacer::new(Pacing::Adaptive, BASE, bounds, Some(t0))
    }

    #[test]
    fn an_unknown_phase_is_read_on_a_growing_back_off_capped_at_five_base() {
        let t0 = Instant::now();
        let mut p = pacer(&[], t0);
        assert_eq!(p.wait(t0), Duration::ZERO, "the first read is at once");
        p.observe("a", PhaseKind::Timed, t0);
        let mut waits = Vec::new();
        let mut t = t0;
        for _ in 0..8 {
            let w = p.wait(t);
            waits.push(w);
            t += w;
            p.observe("a", PhaseKind::Timed, t);
        }
        assert_eq!(waits[0], ms(500));
        assert!(waits.windows(2).all(|w| w[1] >= w[0]), "{waits:?}");
        assert_eq!(*waits.last().unwrap(), BASE * 5);
    }

    #[test]
    fn a_known_phase_is_read_just_after_its_end() {
        let t0 = Instant::now();
        let mut p = pacer(&[("import", 6_950, 7_050)], t0);
        p.observe("import", PhaseKind::Timed, t0 + ms(5));
        assert_eq!(p.wait(t0 + ms(5)), ms(7_050) + GUARD);
    }

    #[test]
    fn wide_bounds_are_probed_in_the_middle_first() {
        let t0 = Instant::now();
        let mut p = pacer(&[("export", 1_000, 3_000)], t0);
        p.observe("export", PhaseKind::Timed, t0);
        assert_eq!(p.wait(t0), ms(2_000), "probe between lo and hi");
        p.observe("export", PhaseKind::Timed, t0 + ms(2_000));
        assert_eq!(
            p.wait(t0 + ms(2_000)),
            ms(1_000) + GUARD,
            "then just after hi"
        );
    }

    #[test]
    fn a_late_phase_backs_off_from_the_expected_end() {
        let t0 = Instant::now();
        let mut p = pacer(&[("import", 1_000, 1_050)], t0);
        p.observe("import", PhaseKind::Timed, t0);
        let mut t = t0 + ms(1_050) + GUARD;
        p.observe("import", PhaseKind::Timed, t);
        let first = p.wait(t);
        assert_eq!(first, ms(150));
        t += first;
        p.observe("import", PhaseKind::Timed, t);
        assert!(p.wait(t) > first);
    }

    #[test]
    fn a_scheduled_run_sleeps_until_its_time_in_chunks() {
        let t0 = Instant::now();
        let mut p = pacer(&[], t0);
        p.observe("s", PhaseKind::Scheduled(Some(t0 + ms(3_000))), t0);
        assert_eq!(p.wait(t0), ms(3_000) + GUARD);
        let mut p = pacer(&[], t0);
        p.observe("s", PhaseKind::Scheduled(Some(t0 + BASE * 3600)), t0);
        assert_eq!(p.wait(t0), BASE * 60);
    }

    #[test]
    fn samples_bound_the_phase_by_the_reads_around_both_ends() {
        let t0 = Instant::now();
        let mut p = pacer(&[], t0);
        assert_eq!(p.observe("a", PhaseKind::Timed, t0 + ms(100)), None);
        assert_eq!(p.observe("a", PhaseKind::Timed, t0 + ms(2_000)), None);
        let s = p.observe("b", PhaseKind::Timed, t0 + ms(3_000)).unwrap();
        assert_eq!(
            s,
            Sample {
                phase: "a".into(),
                lo_ms: 1_900,
                hi_ms: 3_000
            }
        );
        // A gate's length says nothing about the next one: no sample.
        let mut p = pacer(&[], t0);
        p.observe("gate", PhaseKind::Waiting, t0);
        assert_eq!(p.observe("next", PhaseKind::Timed, t0 + ms(10)), None);
    }

    #[test]
    fn a_phase_joined_midway_teaches_nothing_and_is_backed_off() {
        let t0 = Instant::now();
        let bounds = [(
            "a".to_string(),
            PhaseBounds {
                lo_ms: 900,
                hi_ms: 1_000,
            },
        )];
        let mut p = Pacer::new(Pacing::Adaptive, BASE, bounds.into_iter().collect(), None);
        p.observe("a", PhaseKind::Timed, t0);
        assert_eq!(
            p.wait(t0),
            ms(500),
            "its start is unknown: back-off, not bounds"
        );
        assert_eq!(p.observe("b", PhaseKind::Timed, t0 + ms(700)), None);
        assert_eq!(p.wait(t0 + ms(700)), ms(500), "b has no bounds yet");
        let s = p.observe("c", PhaseKind::Timed, t0 + ms(1_900)).unwrap();
        assert_eq!((s.phase.as_str(), s.lo_ms, s.hi_ms), ("b", 0, 1_900));
    }

    #[test]
    fn fixed_pacing_ignores_everything() {
        let t0 = Instant::now();
        let mut p = Pacer::new(Pacing::Fixed, BASE * 5, HashMap::new(), Some(t0));
        p.observe("a", PhaseKind::Scheduled(Some(t0 + BASE * 100)), t0);
        assert_eq!(p.wait(t0), BASE * 5);
    }
}
