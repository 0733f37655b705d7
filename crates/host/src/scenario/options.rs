//! A scenario's `[options]`: the emulator switches for the uncertain parts of the spec,
//! kept in the store's meta table. A module of their own, so the runs read them without
//! depending on the scenario that seeds them (and installs packages through the runs).

use serde::{Deserialize, Serialize};

/// Emulator switches for the uncertain parts of the spec (§11).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioOptions {
    /// Start validation when a run is created (the maker-portal behaviour of §11.1).
    pub auto_validate_on_create: bool,
    /// First webhook retry delay in ms at speed 1 (divided by `--speed`); default 1000.
    pub webhook_retry_base_ms: Option<i64>,
    /// Longest webhook retry delay in ms at speed 1 (divided by `--speed`); default 60000.
    pub webhook_retry_cap_ms: Option<i64>,
    /// Time-out of one webhook POST in ms (not scaled); default 60000 (Dataverse's 60 s).
    pub webhook_timeout_ms: Option<i64>,
    /// `open` (default: any or no token) or `strict` (a valid token from this host).
    pub auth: crate::identity::AuthMode,
    /// Accept a run's versions (`artifactversion`, `artifactdevcurrentversion`) only once
    /// it has been validated — the maker portal's order (§5.5, §5.9) — and refuse them
    /// before (400). Off by default: the host takes both orders [I].
    pub versions_after_validation: bool,
}

impl ScenarioOptions {
    /// The webhook retry policy at `speed`.
    pub fn delivery_policy(&self, speed: f64) -> crate::events::delivery::Policy {
        let scaled = |ms: i64| ((ms as f64) / speed.max(0.001)).max(1.0) as i64;
        crate::events::delivery::Policy {
            base_ms: scaled(self.webhook_retry_base_ms.unwrap_or(1_000)),
            cap_ms: scaled(self.webhook_retry_cap_ms.unwrap_or(60_000)),
            timeout_ms: self.webhook_timeout_ms.unwrap_or(60_000).max(1),
        }
    }
}
