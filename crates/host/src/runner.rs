//! The background task that drives stage runs and registrations: it waits on the host's
//! clock until the next job is due (or until woken), then executes each due step in its own
//! transaction. Jobs live in the database with their due times, so a host that was stopped
//! catches up when it opens again ([`catch_up`]): every step that came due meanwhile runs
//! *as of its due time*, in due order, as a host that never stopped would have run it.

use std::sync::Arc;

use tokio::sync::{watch, Notify};

use crate::error::ApiError;
use crate::faults::Faults;
use crate::runs::{self, Timing};
use crate::store::jobs;
use crate::store::Store;

/// Longest wait between checks (clock time), so missed wake-ups heal.
const MAX_IDLE_MS: i64 = 500;

/// How long a step that failed to execute waits before it is tried again.
const RETRY_MS: i64 = 1_000;

/// Executes every job due at or before `now_ms`, earliest first, each in its own transaction
/// as of its due time: the times a step stamps and the due time of the step it schedules
/// are those of a host that ran it on time, so a chain of steps that all came due while
/// nothing ran completes within this call. Jobs waiting on a gate (no due time) stay.
pub fn catch_up(store: &Store, timing: Timing, faults: &Faults, now_ms: i64) {
    loop {
        // Read on a reader: the step's transaction checks the job again.
        let job = match store.read(|c| jobs::first_due(c, now_ms)) {
            Ok(Some(job)) => job,
            Ok(None) => return,
            Err(e) => {
                tracing::error!("runner cannot read jobs: {e}");
                return;
            }
        };
        let at_ms = job.due_ms.unwrap_or(now_ms);
        // The files the step exports are built first, with the writer free for requests.
        let offer = store
            .read_at(at_ms, |c| Ok::<_, rusqlite::Error>(runs::prebuild(c, &job)))
            .ok()
            .flatten()
            .map(runs::prebuilt::offer);
        let result = store.tx_at(at_ms, |c| -> Result<(), ApiError> {
            // Re-read inside the transaction: an action may have moved the run meanwhile.
            match jobs::get(c, &job.id)? {
                Some(current) if current == job => runs::run_step(c, &current, timing, faults),
                _ => Ok(()),
            }
        });
        if let Some(offer) = offer {
            offer.end(result.is_ok());
        }
        if let Err(e) = result {
            tracing::error!("step {} of {} failed: {e}", job.step, job.id);
            // Tried again from the real now, so a failing step cannot spin through the past.
            let again =
                store.tx(|c| jobs::put(c, &job.id, &job.kind, &job.step, Some(now_ms + RETRY_MS)));
            if let Err(e) = again {
                tracing::error!("runner cannot reschedule {}: {e}", job.id);
                return;
            }
        }
    }
}

/// Runs until `shutdown` turns true; after each pass, `settled` holds the clock time up to
/// which every due step was executed.
pub async fn run(
    store: Arc<Store>,
    timing: Timing,
    faults: Arc<Faults>,
    wake: Arc<Notify>,
    settled: watch::Sender<i64>,
    mut shutdown: watch::Receiver<bool>,
) {
    let clock = store.clock().clone();
    let mut ticks = clock.ticks();
    loop {
        if *shutdown.borrow() {
            return;
        }
        let now = clock.now_ms();
        // Steps build and write artifacts (and fsync them): on a thread of their own, so the
        // runtime's workers keep answering requests meanwhile.
        let (s, f) = (store.clone(), faults.clone());
        let pass = move || {
            catch_up(&s, timing, &f, now);
            s.checkpoint();
            s.read(jobs::next_due).ok().flatten()
        };
        let next = tokio::task::spawn_blocking(pass).await.unwrap_or_else(|_| {
            tracing::error!("the runner's steps stopped unexpectedly");
            None
        });
        settled.send_replace(now);
        let wait_ms = next.map_or(MAX_IDLE_MS, |n| (n - clock.now_ms()).clamp(0, MAX_IDLE_MS));
        if wait_ms == 0 {
            continue;
        }
        tokio::select! {
            _ = ticks.sleep(wait_ms) => {}
            _ = wake.notified() => {}
            _ = shutdown.changed() => {}
        }
    }
}
