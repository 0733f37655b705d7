//! `phase_durations`: how long the phases of stage runs took (exporting, validating, importing,
//! publishing …), per profile, as bounds seen by the watch loop: still running `lo` after the
//! phase began, ended by `hi`. [`Cache::phase_bounds`] combines the latest samples into the
//! tightest bounds they agree on, so the next watch reads the run when the phase is likely over.

use std::collections::HashMap;

use rusqlite::params;

use crate::error::Result;
use crate::{timefmt, Cache};

/// Samples kept per (profile, phase); older ones are dropped.
pub const SAMPLES_KEPT: usize = 20;

/// What the kept samples say about one phase's duration, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseBounds {
    /// Every recent run of the phase was still running this long after it began.
    pub lo_ms: u64,
    /// Every recent run of the phase had ended this long after it began.
    pub hi_ms: u64,
}

impl Cache {
    /// Records one observation of a phase: still running after `lo_ms`, ended by `hi_ms`.
    pub fn record_phase_duration(
        &mut self,
        profile_id: &str,
        phase: &str,
        lo_ms: u64,
        hi_ms: u64,
    ) -> Result<()> {
        let clamp = |ms: u64| ms.min(i64::MAX as u64) as i64;
        let tx = self.write_tx()?;
        Cache::require_profile(&tx, profile_id)?;
        tx.execute(
            "INSERT INTO phase_durations (profile_id, phase, lo_ms, hi_ms, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                profile_id,
                phase,
                clamp(lo_ms.min(hi_ms)),
                clamp(hi_ms),
                timefmt::to_text(timefmt::now())
            ],
        )?;
        tx.execute(
            "DELETE FROM phase_durations WHERE profile_id = ?1 AND phase = ?2 AND seq NOT IN (
                SELECT seq FROM phase_durations WHERE profile_id = ?1 AND phase = ?2
                ORDER BY seq DESC LIMIT ?3)",
            params![profile_id, phase, SAMPLES_KEPT as i64],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The bounds of every phase of a profile. Where the samples agree (the latest "still
    /// running" is before the earliest "ended"), those two; where they do not (a phase whose
    /// duration varies), both are the median of the samples' midpoints.
    pub fn phase_bounds(&self, profile_id: &str) -> Result<HashMap<String, PhaseBounds>> {
        let mut stmt = self.conn.prepare(
            "SELECT phase, lo_ms, hi_ms FROM phase_durations WHERE profile_id = ?1 ORDER BY phase",
        )?;
        let mut samples: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
        for row in stmt.query_map([profile_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })? {
            let (phase, lo, hi) = row?;
            samples
                .entry(phase)
                .or_default()
                .push((lo.max(0) as u64, hi.max(0) as u64));
        }
        Ok(samples
            .into_iter()
            .map(|(phase, v)| (phase, combine(&v)))
            .collect())
    }
}

fn combine(samples: &[(u64, u64)]) -> PhaseBounds {
    let lo = samples.iter().map(|s| s.0).max().unwrap_or(0);
    let hi = samples.iter().map(|s| s.1).min().unwrap_or(0);
    if lo <= hi {
        return PhaseBounds {
            lo_ms: lo,
            hi_ms: hi,
        };
    }
    let mut mids: Vec<u64> = samples.iter().map(|(l, h)| l + (h - l) / 2).collect();
    mids.sort_unstable();
    let mid = mids[mids.len() / 2];
    PhaseBounds {
        lo_ms: mid,
        hi_ms: mid,
    }
}

#[cfg(test)]
mod tests {
    use super::PhaseBounds;
    use crate::testutil::cache;

    const IMPORT: &str = "200000010:200000104";

    #[test]
    fn agreeing_samples_narrow_the_bounds() {
        let mut c = cache();
        c.record_phase_duration("p", IMPORT, 2_300, 4_100).unwrap();
        c.record_phase_duration("p", IMPORT, 0, 3_200).unwrap();
        c.record_phase_duration("p", IMPORT, 2_900, 3_300).unwrap();
        let b = c.phase_bounds("p").unwrap();
        assert_eq!(
            b[IMPORT],
            PhaseBounds {
                lo_ms: 2_900,
                hi_ms: 3_200
            }
        );
        assert!(c.phase_bounds("other").unwrap().is_empty());
    }

    #[test]
    fn disagreeing_samples_give_the_median_midpoint() {
        let mut c = cache();
        for (lo, hi) in [(1_000, 1_200), (5_000, 5_400), (3_000, 3_200)] {
            c.record_phase_duration("p", IMPORT, lo, hi).unwrap();
        }
        let b = c.phase_bounds("p").unwrap()[IMPORT];
        assert_eq!(
            b,
            PhaseBounds {
                lo_ms: 3_100,
                hi_ms: 3_100
            }
        );
    }

    #[test]
    fn only_the_latest_samples_are_kept() {
        let mut c = cache();
        for _ in 0..super::SAMPLES_KEPT {
            c.record_phase_duration("p", "x", 100, 200).unwrap();
        }
        for _ in 0..super::SAMPLES_KEPT {
            c.record_phase_duration("p", "x", 5_000, 5_100).unwrap();
        }
        assert_eq!(c.phase_bounds("p").unwrap()["x"].lo_ms, 5_000);
        let n: i64 = c
            .conn
            .query_row("SELECT count(*) FROM phase_durations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n as usize, super::SAMPLES_KEPT);
    }

    #[test]
    fn an_unknown_profile_is_refused() {
        let mut c = cache();
        assert!(c.record_phase_duration("nobody", "x", 1, 2).is_err());
    }
}
