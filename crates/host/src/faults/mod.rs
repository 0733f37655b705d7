//! Faults on purpose: the host misbehaves the way a real Dataverse host does
//! (throttling storms, server errors, dropped connections, latency, slow or
//! failing imports, chosen validation results, gates nobody answers, §11.1
//! app-id gating), so clients can be tested against it.
//!
//! The state is runtime only: seeded from the scenario's `[faults]` table at
//! every start and changed through `/_ferry/faults`; nothing survives a
//! restart. The per-request faults (latency, 429, 5xx, drops) are applied in
//! one middleware ([`layer`]); a dropped connection is really closed by the
//! listener ([`conn`]); the rest is read by the stage-run state machine.

pub mod conn;
pub mod endpoint;
pub mod layer;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use ferry_pipelines::{MissingDependency, SolutionValidationResult};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;

/// Which requests a counted fault applies to (both empty: every Web API request).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Matching {
    /// HTTP method, e.g. `POST`; empty matches any.
    pub method: String,
    /// A piece of the URL path, e.g. `deploymentstageruns`; empty matches any.
    pub path: String,
}

impl Matching {
    fn matches(&self, method: &str, path: &str) -> bool {
        (self.method.is_empty() || self.method.eq_ignore_ascii_case(method))
            && (self.path.is_empty()
                || path
                    .to_ascii_lowercase()
                    .contains(&self.path.to_ascii_lowercase()))
    }
}

/// A 429 storm: the next `requests` requests, and/or every request for `seconds`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Throttle {
    pub requests: u32,
    /// Seconds from when the storm is switched on (shown as the time left).
    pub seconds: f64,
    /// The `Retry-After` header, in seconds.
    pub retry_after: u64,
    #[serde(flatten)]
    pub matching: Matching,
    /// The end of the storm's window, on the host's clock (epoch ms).
    #[serde(skip)]
    until: Option<i64>,
}

/// The next `requests` requests answer `status` (500, 502, 503 or 504).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerErrors {
    pub requests: u32,
    pub status: u16,
    #[serde(flatten)]
    pub matching: Matching,
}

/// The next `requests` requests get no HTTP answer: the TCP connection is closed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Drops {
    pub requests: u32,
    /// Handle the request first and lose only the answer (a create happens, the client never hears).
    pub after_handling: bool,
    #[serde(flatten)]
    pub matching: Matching,
}

/// What the next validation of one solution returns instead of the real checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChosenValidation {
    /// `SolutionValidationResults` entries (PascalCase, as in `validationresults`).
    pub results: Vec<SolutionValidationResult>,
    /// `MissingDependencies` entries.
    pub missing_dependencies: Vec<MissingDependency>,
}

/// Every switch, as the scenario's `[faults]` table and `/_ferry/faults` spell it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSpec {
    /// Added to every Web API request.
    pub latency_ms: u64,
    /// Up to this much more, at random.
    pub jitter_ms: u64,
    pub throttle: Option<Throttle>,
    pub server_errors: Option<ServerErrors>,
    pub drops: Option<Drops>,
    /// The import phase takes this many times longer (1 = normal).
    pub import_slowdown: f64,
    /// Per environment name: the next N imports into it fail (kept in the database).
    pub import_failures: BTreeMap<String, u32>,
    /// Per solution unique name: what its next validation returns.
    pub validation: BTreeMap<String, ChosenValidation>,
    /// The stages' auto-approve rules run; off, gates wait for ever.
    pub gate_automation: bool,
    /// §11.1: when not empty, runs created by a caller whose app id is not listed stay NotStarted.
    pub app_id_allow_list: Vec<String>,
    /// §11.1: validation starts when a run is created; `None` keeps the scenario's option.
    pub auto_validate_on_create: Option<bool>,
}

impl Default for FaultSpec {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            jitter_ms: 0,
            throttle: None,
            server_errors: None,
            drops: None,
            import_slowdown: 1.0,
            import_failures: BTreeMap::new(),
            validation: BTreeMap::new(),
            gate_automation: true,
            app_id_allow_list: Vec::new(),
            auto_validate_on_create: None,
        }
    }
}

/// The largest delay a switch may ask for: ten minutes of latency or jitter, a day of storm or
/// `Retry-After` (larger numbers are mistakes, and `Duration` arithmetic would panic on them).
pub const MAX_DELAY_MS: u64 = 600_000;
pub const MAX_STORM_SECONDS: f64 = 86_400.0;
pub const MAX_IMPORT_SLOWDOWN: f64 = 1_000.0;

impl FaultSpec {
    /// Refuses absurd numbers, so a switch never panics a handler (checked at `PUT`, `PATCH`
    /// and scenario load).
    pub fn check(&self) -> Result<(), String> {
        if self.latency_ms > MAX_DELAY_MS {
            return Err(format!(
                "latency_ms {} is more than {MAX_DELAY_MS} (ten minutes)",
                self.latency_ms
            ));
        }
        if self.jitter_ms > MAX_DELAY_MS {
            return Err(format!(
                "jitter_ms {} is more than {MAX_DELAY_MS} (ten minutes)",
                self.jitter_ms
            ));
        }
        if let Some(t) = &self.throttle {
            if !(t.seconds.is_finite() && (0.0..=MAX_STORM_SECONDS).contains(&t.seconds)) {
                return Err(format!(
                    "throttle.seconds {} must be between 0 and {MAX_STORM_SECONDS} (a day)",
                    t.seconds
                ));
            }
            if t.retry_after as f64 > MAX_STORM_SECONDS {
                return Err(format!(
                    "throttle.retry_after {} must be at most {MAX_STORM_SECONDS} seconds (a day)",
                    t.retry_after
                ));
            }
        }
        if let Some(e) = &self.server_errors {
            if e.requests > 0 && !matches!(e.status, 500 | 502 | 503 | 504) {
                return Err(format!(
                    "server_errors.status {} must be 500, 502, 503 or 504",
                    e.status
                ));
            }
        }
        let slow = self.import_slowdown;
        if !(slow.is_finite() && (0.0..=MAX_IMPORT_SLOWDOWN).contains(&slow)) {
            return Err(format!(
                "import_slowdown {slow} must be between 0 and {MAX_IMPORT_SLOWDOWN}"
            ));
        }
        Ok(())
    }
}

/// What the middleware does with one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Pass,
    /// Answer 429 with `Retry-After` seconds.
    Throttle(u64),
    /// Answer this 5xx status.
    ServerError(u16),
    /// Close the connection without an answer; `true`: after handling the request.
    Drop(bool),
}

/// The runtime fault state of one host.
#[derive(Debug, Default)]
pub struct Faults {
    spec: Mutex<FaultSpec>,
    /// Times a storm's window (the host's clock, so a test moves past it).
    clock: Clock,
}

impl Faults {
    pub fn new(spec: FaultSpec) -> Self {
        let faults = Self::default();
        faults.replace(spec);
        faults
    }

    /// No faults, on the host's `clock`.
    pub fn with_clock(clock: Clock) -> Self {
        Self {
            spec: Mutex::default(),
            clock,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultSpec> {
        self.spec.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current switches; a time-boxed storm shows the seconds it has left.
    pub fn snapshot(&self) -> FaultSpec {
        let mut spec = self.lock().clone();
        if let Some(t) = spec.throttle.as_mut() {
            t.seconds = t
                .until
                .map(|u| u.saturating_sub(self.clock.now_ms()).max(0) as f64 / 1000.0)
                .unwrap_or(0.0);
        }
        spec
    }

    /// Replaces every switch (a storm's time window starts now).
    pub fn replace(&self, mut spec: FaultSpec) {
        if let Some(t) = spec.throttle.as_mut() {
            t.until = (t.seconds > 0.0)
                .then(|| Duration::try_from_secs_f64(t.seconds).ok())
                .flatten()
                .and_then(|d| i64::try_from(d.as_millis()).ok())
                .map(|ms| self.clock.now_ms().saturating_add(ms));
        }
        *self.lock() = spec;
    }

    /// The latency to add to one request.
    pub fn latency(&self) -> Duration {
        let spec = self.lock();
        let jitter = if spec.jitter_ms > 0 {
            (uuid::Uuid::new_v4().as_u128() as u64) % (spec.jitter_ms + 1)
        } else {
            0
        };
        Duration::from_millis(spec.latency_ms + jitter)
    }

    /// Decides (and counts down) the counted faults for one request.
    pub fn decide(&self, method: &str, path: &str) -> Decision {
        let mut spec = self.lock();
        if let Some(t) = spec
            .throttle
            .as_mut()
            .filter(|t| t.matching.matches(method, path))
        {
            let timed = t.until.is_some_and(|u| self.clock.now_ms() < u);
            if timed || t.requests > 0 {
                if !timed {
                    t.requests -= 1;
                }
                return Decision::Throttle(t.retry_after);
            }
        }
        if let Some(e) = spec
            .server_errors
            .as_mut()
            .filter(|e| e.requests > 0 && e.matching.matches(method, path))
        {
            e.requests -= 1;
            let status = if matches!(e.status, 500 | 502 | 503 | 504) {
                e.status
            } else {
                503
            };
            return Decision::ServerError(status);
        }
        if let Some(d) = spec
            .drops
            .as_mut()
            .filter(|d| d.requests > 0 && d.matching.matches(method, path))
        {
            d.requests -= 1;
            return Decision::Drop(d.after_handling);
        }
        Decision::Pass
    }

    /// The import phase's stretch factor (at least 1).
    pub fn import_slowdown(&self) -> f64 {
        let f = self.lock().import_slowdown;
        if f.is_finite() && f > 1.0 {
            f
        } else {
            1.0
        }
    }

    /// Takes the chosen validation of `solution`, if any (it applies once).
    pub fn take_validation(&self, solution: &str) -> Option<ChosenValidation> {
        let mut spec = self.lock();
        let key = spec
            .validation
            .keys()
            .find(|k| k.eq_ignore_ascii_case(solution))
            .cloned()?;
        spec.validation.remove(&key)
    }

    pub fn gate_automation(&self) -> bool {
        self.lock().gate_automation
    }

    /// Whether a run created with `app_id` may ever be validated (§11.1).
    pub fn app_id_allowed(&self, app_id: Option<&str>) -> bool {
        let spec = self.lock();
        spec.app_id_allow_list.is_empty()
            || app_id.is_some_and(|a| {
                spec.app_id_allow_list
                    .iter()
                    .any(|l| l.trim().eq_ignore_ascii_case(a.trim()))
            })
    }

    /// The runtime value of `auto_validate_on_create`, or `default` (the scenario's).
    pub fn auto_validate_on_create(&self, default: bool) -> bool {
        self.lock().auto_validate_on_create.unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_count_down_and_match() {
        let faults = Faults::new(FaultSpec {
            throttle: Some(Throttle {
                requests: 1,
                retry_after: 2,
                ..Default::default()
            }),
            drops: Some(Drops {
                requests: 1,
                matching: Matching {
                    method: "POST".into(),
                    path: "deploymentstageruns".into(),
                },
                ..Default::default()
            }),
            ..Default::default()
        });
        assert_eq!(
            faults.decide("GET", "/api/data/v9.2/x"),
            Decision::Throttle(2)
        );
        assert_eq!(
            faults.decide("GET", "/api/data/v9.2/deploymentstageruns"),
            Decision::Pass
        );
        assert_eq!(
            faults.decide("POST", "/api/data/v9.2/deploymentstageruns"),
            Decision::Drop(false)
        );
        assert_eq!(
            faults.decide("POST", "/api/data/v9.2/deploymentstageruns"),
            Decision::Pass
        );
    }

    #[test]
    fn a_timed_storm_lasts_its_seconds() {
        let faults = Faults::new(FaultSpec {
            throttle: Some(Throttle {
                seconds: 60.0,
                retry_after: 1,
                ..Default::default()
            }),
            ..Default::default()
        });
        for _ in 0..5 {
            assert_eq!(faults.decide("GET", "/x"), Decision::Throttle(1));
        }
        assert!(faults.snapshot().throttle.unwrap().seconds > 50.0);
    }

    #[test]
    fn app_ids_are_gated_only_with_a_list() {
        let open = Faults::default();
        assert!(open.app_id_allowed(None));
        let gated = Faults::new(FaultSpec {
            app_id_allow_list: vec!["A8F7A65C-F5BA-4859-B2D6-DF772C264E9D".into()],
            ..Default::default()
        });
        assert!(gated.app_id_allowed(Some("a8f7a65c-f5ba-4859-b2d6-df772c264e9d")));
        assert!(!gated.app_id_allowed(Some("other")));
        assert!(!gated.app_id_allowed(None));
    }

    #[test]
    fn the_readme_table_parses() {
        let text = r#"
latency_ms = 0
jitter_ms = 0
import_slowdown = 1.0
gate_automation = true
app_id_allow_list = []
throttle = { requests = 0, seconds = 0.0, retry_after = 1 }
server_errors = { requests = 0, status = 503 }
drops = { requests = 0, after_handling = false, method = "POST", path = "deploymentstageruns" }
import_failures = { live = 0 }
[validation.Inline]
results = [{ SolutionValidationResultType = "Error", Message = "Chosen failure", ErrorCode = -2147188707 }]
missing_dependencies = [{ RequiredComponentSchemaName = "fab_thing", RequiredComponentType = "1" }]
"#;
        let spec: FaultSpec = toml::from_str(text).unwrap();
        assert_eq!(spec.drops.unwrap().matching.method, "POST");
        assert_eq!(
            spec.validation["Inline"].results[0].message,
            "Chosen failure"
        );
        assert!(toml::from_str::<FaultSpec>("nonsense = 1").is_err());
    }

    #[test]
    fn a_chosen_validation_applies_once() {
        let mut validation = BTreeMap::new();
        validation.insert("ContosoCore".to_string(), ChosenValidation::default());
        let faults = Faults::new(FaultSpec {
            validation,
            ..Default::default()
        });
        assert!(faults.take_validation("contosocore").is_some());
        assert!(faults.take_validation("ContosoCore").is_none());
    }
}
