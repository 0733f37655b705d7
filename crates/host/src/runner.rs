//! The background task that drives stage runs and registrations: it sleeps
//! until the next job is due (or until woken), then executes each due step in
//! its own transaction. Jobs live in the database, so a restarted host picks
//! up where it stopped.

use std::sync::Arc;

use tokio::sync::{watch, Notify};

use crate::clock;
use crate::error::ApiError;
use crate::faults::Faults;
use crate::runs::{self, Timing};
use crate::store::jobs;
use crate::store::Store;

/// Longest sleep between checks, so clock changes and missed wake-ups heal.
const MAX_IDLE_MS: i64 = 500;

/// Runs until `shutdown` turns true.
pub async fn run(
    store: Arc<Store>,
    timing: Timing,
    faults: Arc<Faults>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        let now = clock::now_ms();
        let due = match store.tx(|c| jobs::due(c, now)) {
            Ok(due) => due,
            Err(e) => {
                tracing::error!("runner cannot read jobs: {e}");
                Vec::new()
            }
        };
        for job in due {
            let result = store.tx(|c| -> Result<(), ApiError> {
                // Re-read inside the transaction: an action may have moved the run meanwhile.
                match jobs::get(c, &job.id)? {
                    Some(current) if current == job => runs::run_step(c, &current, timing, &faults),
                    _ => Ok(()),
                }
            });
            if let Err(e) = result {
                tracing::error!("step {} of {} failed: {e}", job.step, job.id);
                let _ = store.tx(|c| {
                    jobs::put(
                        c,
                        &job.id,
                        &job.kind,
                        &job.step,
                        Some(clock::now_ms() + 1_000),
                    )
                });
            }
        }
        let next = store.tx(|c| jobs::next_due(c)).ok().flatten();
        let wait_ms = next.map_or(MAX_IDLE_MS, |n| (n - clock::now_ms()).clamp(0, MAX_IDLE_MS));
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(wait_ms as u64)) => {}
            _ = wake.notified() => {}
            _ = shutdown.changed() => {}
        }
    }
}
