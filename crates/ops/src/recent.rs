//! What the engine read lately and may read again without asking: a target's installed
//! solutions and the solutions a dev solution requires (reused for [`FRESH`], and forgotten
//! when a followed run moves on, since a deployment changes a target), and artifacts read as
//! packages (kept: an artifact never changes). The screens that ask in a row — the matrix, a
//! solution's stage cards, the wizard's plan — then share one read; every request counts on a
//! real tenant.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferry_solution::{RequiredSolution, SolutionPackage};

/// Solutions installed in an environment: `(unique name, version, managed)`.
pub(crate) type Installed = Vec<(String, String, bool)>;

/// How long a read of what may change is reused.
pub(crate) const FRESH: Duration = Duration::from_secs(20);

type Timed<T> = Mutex<HashMap<String, (Instant, T)>>;

#[derive(Default)]
pub(crate) struct Recent {
    /// Target BAP id (lowercase) → its installed solutions.
    installed: Timed<Installed>,
    /// Dev solution (lowercase unique name) → the solutions it requires.
    requirements: Timed<Vec<RequiredSolution>>,
    /// Artifact id (lowercase) → its package (`None`: the host did not give it as one).
    artifacts: Mutex<HashMap<String, Option<SolutionPackage>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn fresh<T: Clone>(map: &Timed<T>, key: &str) -> Option<T> {
    lock(map)
        .get(&key.to_ascii_lowercase())
        .filter(|(at, _)| at.elapsed() < FRESH)
        .map(|(_, v)| v.clone())
}

fn keep<T: Clone>(map: &Timed<T>, key: &str, value: &T) {
    lock(map).insert(key.to_ascii_lowercase(), (Instant::now(), value.clone()));
}

impl Recent {
    pub fn installed(&self, bap_id: &str) -> Option<Installed> {
        fresh(&self.installed, bap_id)
    }

    pub fn keep_installed(&self, bap_id: &str, list: &Installed) {
        keep(&self.installed, bap_id, list);
    }

    pub fn requirements(&self, solution: &str) -> Option<Vec<RequiredSolution>> {
        fresh(&self.requirements, solution)
    }

    pub fn keep_requirements(&self, solution: &str, list: &[RequiredSolution]) {
        keep(&self.requirements, solution, &list.to_vec());
    }

    /// An artifact's package, when it was read before (`Some(None)`: the host gave no package).
    pub fn artifact(&self, id: &str) -> Option<Option<SolutionPackage>> {
        lock(&self.artifacts).get(&id.to_ascii_lowercase()).cloned()
    }

    pub fn keep_artifact(&self, id: &str, package: &Option<SolutionPackage>) {
        lock(&self.artifacts).insert(id.to_ascii_lowercase(), package.clone());
    }

    /// Forgets what a deployment may have changed (artifacts stay: they never change).
    pub fn forget_changeable(&self) {
        lock(&self.installed).clear();
        lock(&self.requirements).clear();
    }
}
