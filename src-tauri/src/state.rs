//! The app's one piece of state: the engine for the profile in use (reopened
//! when the maker switches profiles or clears the cache) and a cancellation
//! token per running operation, keyed by the id the UI chose for it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use ferry_ipc::{CodedError, ErrorCode};
use ferry_ops::{CancellationToken, Engine, EngineOptions, RunEventKind};

pub struct AppState {
    options: EngineOptions,
    engine: RwLock<Result<Arc<Engine>, CodedError>>,
    operations: Mutex<HashMap<String, (u64, CancellationToken)>>,
    next_operation: AtomicU64,
    /// (run, kind) pairs already notified, so a run is announced once per transition.
    notified: Mutex<HashSet<(String, RunEventKind)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AppState {
    /// Opens the engine on the profile in use; a failure is kept and returned by every command.
    pub fn open(options: EngineOptions) -> Self {
        let engine = Engine::open(options.clone())
            .map(Arc::new)
            .map_err(|e| e.to_coded());
        Self {
            options,
            engine: RwLock::new(engine),
            operations: Mutex::new(HashMap::new()),
            next_operation: AtomicU64::new(1),
            notified: Mutex::new(HashSet::new()),
        }
    }

    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The engine of the profile in use.
    pub fn engine(&self) -> Result<Arc<Engine>, CodedError> {
        self.engine
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Opens a new engine on the profile now in use (after `use_profile`).
    pub fn reopen(&self) -> Result<Arc<Engine>, CodedError> {
        let mut slot = self.engine.write().unwrap_or_else(|e| e.into_inner());
        // Drop the old engine (and its sandbox host) before the new one starts.
        *slot = Err(CodedError::new(
            ErrorCode::Internal,
            "Ferry is reopening its engine; try again in a moment.",
        ));
        let fresh = Engine::open(self.options.clone())
            .map(Arc::new)
            .map_err(|e| e.to_coded());
        *slot = fresh.clone();
        fresh
    }

    /// Runs `f` with no engine open on the data folder, then reopens it.
    pub fn with_engine_closed<T>(
        &self,
        f: impl FnOnce() -> Result<T, CodedError>,
    ) -> Result<T, CodedError> {
        if !lock(&self.operations).is_empty() {
            return Err(CodedError::new(
                ErrorCode::InvalidInput,
                "A run is being followed or validated right now. Wait for it to finish (or stop following it), then try again.",
            ));
        }
        let mut slot = self.engine.write().unwrap_or_else(|e| e.into_inner());
        *slot = Err(CodedError::new(
            ErrorCode::Internal,
            "Ferry is reopening its engine; try again in a moment.",
        ));
        let result = f();
        *slot = Engine::open(self.options.clone())
            .map(Arc::new)
            .map_err(|e| e.to_coded());
        result
    }

    /// Registers an operation; dropping the guard forgets it.
    pub fn begin(self: &Arc<Self>, op_id: &str) -> Operation {
        let token = CancellationToken::new();
        let serial = self.next_operation.fetch_add(1, Ordering::Relaxed);
        let previous = lock(&self.operations).insert(op_id.to_string(), (serial, token.clone()));
        if let Some((_, old)) = previous {
            old.cancel();
        }
        Operation {
            state: self.clone(),
            id: op_id.to_string(),
            serial,
            token,
        }
    }

    /// Stops an operation (the stage run itself goes on). False when none has that id.
    pub fn cancel(&self, op_id: &str) -> bool {
        match lock(&self.operations).get(op_id) {
            Some((_, token)) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// True the first time a run reaches this kind of transition.
    pub fn first_time(&self, run_id: &str, kind: RunEventKind) -> bool {
        lock(&self.notified).insert((run_id.to_string(), kind))
    }
}

/// A running operation: its cancellation token, unregistered on drop.
pub struct Operation {
    state: Arc<AppState>,
    id: String,
    serial: u64,
    pub token: CancellationToken,
}

impl Drop for Operation {
    fn drop(&mut self) {
        let mut ops = lock(&self.state.operations);
        // Only remove our own token (a new operation may reuse the id).
        if ops
            .get(&self.id)
            .is_some_and(|(serial, _)| *serial == self.serial)
        {
            ops.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_cancelled_by_id_and_forgotten_when_done() {
        let dir = tempfile::tempdir().unwrap();
        let state = Arc::new(AppState::open(EngineOptions::new(dir.path())));
        assert!(state.engine().is_ok());
        let op = state.begin("op-1");
        assert!(!op.token.is_cancelled());
        // Clearing the cache is refused while something runs.
        let refused = state.with_engine_closed(|| Ok(())).unwrap_err();
        assert_eq!(refused.code, ErrorCode::InvalidInput);
        assert!(state.cancel("op-1"));
        assert!(op.token.is_cancelled());
        drop(op);
        assert!(!state.cancel("op-1"));
        assert!(state.with_engine_closed(|| Ok(())).is_ok());
        assert!(state.engine().is_ok(), "reopened");
        assert!(state.first_time("r", RunEventKind::Succeeded));
        assert!(!state.first_time("r", RunEventKind::Succeeded));
    }
}
