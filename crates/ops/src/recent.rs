//! What the engine read lately and may read again without asking. Every request counts on a
//! real tenant (Dataverse limits requests per user), and the screens ask in a row: the
//! solution page (its solutions, pipelines, stage cards and target checks), then the wizard's
//! plan, its validation and its deployment.
//!
//! - What may change — dev's solutions, a solution's pipelines with its runs, a solution's
//!   variables and connection references, a target's connections and installed solutions, the
//!   solutions a dev solution requires — is reused for [`FRESH`] and forgotten as soon as a
//!   run this engine reads moves on (a deployment changes a target; [`crate::Engine::record`]).
//! - What a validation's plan read is handed to that run's deployment
//!   ([`Recent::handover`]): kept while the run itself moves through validation, for at most
//!   [`HANDOVER`], and dropped when any other run moves on or the run is deployed.
//! - Artifacts read as packages are kept: an artifact never changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferry_solution::{RequiredSolution, SolutionPackage};

use crate::plan::{PlanReads, ReferenceDefinition, VariableDefinition};
use crate::types::{ConnectionChoice, PipelineOverview, SolutionSummary};

/// Solutions installed in an environment: `(unique name, version, managed)`.
pub(crate) type Installed = Vec<(String, String, bool)>;

/// A solution's environment variable definitions and connection references, in dev.
pub(crate) type Components = (Vec<VariableDefinition>, Vec<ReferenceDefinition>);

/// How long a read of what may change is reused.
pub(crate) const FRESH: Duration = Duration::from_secs(20);

/// How long a validated run's plan waits for its deployment: the maker fills in the values
/// meanwhile. Past it the deployment plans afresh.
pub(crate) const HANDOVER: Duration = Duration::from_secs(15 * 60);

type Timed<T> = Mutex<HashMap<String, (Instant, T)>>;

#[derive(Default)]
pub(crate) struct Recent {
    /// Target BAP id (lowercase) → its installed solutions.
    installed: Timed<Installed>,
    /// Dev solution (lowercase unique name) → the solutions it requires.
    requirements: Timed<Vec<RequiredSolution>>,
    /// `""` → dev's unmanaged solutions.
    solutions: Timed<Vec<SolutionSummary>>,
    /// Dev solution (lowercase unique name) → the pipelines with its runs.
    pipelines: Timed<Vec<PipelineOverview>>,
    /// Dev solution id (lowercase) → its variables and connection references.
    components: Timed<Components>,
    /// Target BAP id (lowercase) → its connections.
    connections: Timed<Vec<ConnectionChoice>>,
    /// Validated run id (lowercase) → what its plan read.
    handovers: Timed<Arc<PlanReads>>,
    /// Artifact id (lowercase) → its package (`None`: the host did not give it as one).
    artifacts: Mutex<HashMap<String, Option<SolutionPackage>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn within<T: Clone>(map: &Timed<T>, key: &str, life: Duration) -> Option<T> {
    lock(map)
        .get(&key.to_ascii_lowercase())
        .filter(|(at, _)| at.elapsed() < life)
        .map(|(_, v)| v.clone())
}

fn fresh<T: Clone>(map: &Timed<T>, key: &str) -> Option<T> {
    within(map, key, FRESH)
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

    pub fn solutions(&self) -> Option<Vec<SolutionSummary>> {
        fresh(&self.solutions, "")
    }

    pub fn keep_solutions(&self, list: &[SolutionSummary]) {
        keep(&self.solutions, "", &list.to_vec());
    }

    pub fn pipelines(&self, solution: &str) -> Option<Vec<PipelineOverview>> {
        fresh(&self.pipelines, solution)
    }

    pub fn keep_pipelines(&self, solution: &str, list: &[PipelineOverview]) {
        keep(&self.pipelines, solution, &list.to_vec());
    }

    pub fn components(&self, solution_id: &str) -> Option<Components> {
        fresh(&self.components, solution_id)
    }

    pub fn keep_components(&self, solution_id: &str, components: &Components) {
        keep(&self.components, solution_id, components);
    }

    pub fn connections(&self, bap_id: &str) -> Option<Vec<ConnectionChoice>> {
        fresh(&self.connections, bap_id)
    }

    pub fn keep_connections(&self, bap_id: &str, list: &[ConnectionChoice]) {
        keep(&self.connections, bap_id, &list.to_vec());
    }

    /// What the validation of `run` planned with, while its deployment may use it.
    pub fn handover(&self, run: &str) -> Option<Arc<PlanReads>> {
        within(&self.handovers, run, HANDOVER)
    }

    pub fn hand_over(&self, run: &str, reads: Arc<PlanReads>) {
        keep(&self.handovers, run, &reads);
    }

    /// The run was deployed (or ended): its plan is no longer waited for.
    pub fn drop_handover(&self, run: &str) {
        lock(&self.handovers).remove(&run.to_ascii_lowercase());
    }

    /// An artifact's package, when it was read before (`Some(None)`: the host gave no package).
    pub fn artifact(&self, id: &str) -> Option<Option<SolutionPackage>> {
        lock(&self.artifacts).get(&id.to_ascii_lowercase()).cloned()
    }

    pub fn keep_artifact(&self, id: &str, package: &Option<SolutionPackage>) {
        lock(&self.artifacts).insert(id.to_ascii_lowercase(), package.clone());
    }

    /// Forgets what a deployment may have changed, now that the run `moved` moved on: every
    /// read that may change, and the plans handed to other runs (the run's own plan stays:
    /// its validation moving on changes no target). Artifacts stay: they never change.
    pub fn forget_changeable(&self, moved: &str) {
        lock(&self.installed).clear();
        lock(&self.requirements).clear();
        lock(&self.solutions).clear();
        lock(&self.pipelines).clear();
        lock(&self.components).clear();
        lock(&self.connections).clear();
        let moved = moved.to_ascii_lowercase();
        lock(&self.handovers).retain(|run, _| *run == moved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solution(name: &str) -> SolutionSummary {
        SolutionSummary {
            id: "1".into(),
            unique_name: name.into(),
            friendly_name: name.into(),
            version: "1.0".into(),
            is_managed: false,
        }
    }

    #[test]
    fn a_run_moving_on_forgets_what_may_change_but_its_own_handover() {
        let recent = Recent::default();
        recent.keep_solutions(&[solution("A")]);
        recent.keep_connections("T", &[]);
        recent.keep_installed("T", &Vec::new());
        recent.hand_over("run-1", Arc::new(PlanReads::for_tests(solution("A"))));
        recent.hand_over("run-2", Arc::new(PlanReads::for_tests(solution("B"))));
        assert!(recent.solutions().is_some() && recent.connections("t").is_some());

        recent.forget_changeable("RUN-1");
        assert!(recent.solutions().is_none());
        assert!(recent.connections("T").is_none());
        assert!(recent.installed("T").is_none());
        assert!(
            recent.handover("run-1").is_some(),
            "its own validation moved on"
        );
        assert!(recent.handover("run-2").is_none(), "another run moved on");

        recent.drop_handover("run-1");
        assert!(recent.handover("run-1").is_none());
    }
}
