//! The host's option-set values that the cache reasons about (host API spec §3).
//!
//! The cache stores every code as the integer the host sent, next to the host's formatted label;
//! these constants only name the values it needs for queries (terminal or not) and fallback
//! labels. Unknown values are kept as they are and treated as not terminal.

/// `deploymentstagerun.stagerunstatus` (§3.3).
pub mod stage_run_status {
    /// NotStarted.
    pub const NOT_STARTED: i32 = 200_000_000;
    /// Started (running).
    pub const STARTED: i32 = 200_000_001;
    /// Succeeded (terminal).
    pub const SUCCEEDED: i32 = 200_000_002;
    /// Failed (terminal).
    pub const FAILED: i32 = 200_000_003;
    /// Canceled (terminal).
    pub const CANCELED: i32 = 200_000_004;
    /// Scheduled.
    pub const SCHEDULED: i32 = 200_000_005;
    /// Validating.
    pub const VALIDATING: i32 = 200_000_006;
    /// Validation succeeded, waiting for the maker to deploy.
    pub const VALIDATION_SUCCEEDED: i32 = 200_000_007;
    /// Pre-deployment step in progress.
    pub const PRE_DEPLOY_IN_PROGRESS: i32 = 200_000_008;
    /// Pre-deployment step succeeded.
    pub const PRE_DEPLOY_SUCCEEDED: i32 = 200_000_009;
    /// Deploying.
    pub const DEPLOYING: i32 = 200_000_010;

    /// The statuses after which a run never changes again.
    pub const TERMINAL: [i32; 3] = [SUCCEEDED, FAILED, CANCELED];

    /// Whether a run with this status is finished. Unknown values are not.
    pub fn is_terminal(code: i32) -> bool {
        TERMINAL.contains(&code)
    }

    /// An English label for a known code, for when the host sent no formatted value.
    pub fn label(code: i32) -> Option<&'static str> {
        Some(match code {
            NOT_STARTED => "NotStarted",
            STARTED => "Started",
            SUCCEEDED => "Succeeded",
            FAILED => "Failed",
            CANCELED => "Canceled",
            SCHEDULED => "Scheduled",
            VALIDATING => "Validating",
            VALIDATION_SUCCEEDED => "Validation Succeeded",
            PRE_DEPLOY_IN_PROGRESS => "Pre-deploy in progress",
            PRE_DEPLOY_SUCCEEDED => "Pre-deploy succeeded",
            DEPLOYING => "Deploying",
            _ => return None,
        })
    }
}

/// `deploymentenvironment.environmenttype` (§3.1).
pub mod environment_type {
    /// Development environment.
    pub const DEVELOPMENT: i32 = 200_000_000;
    /// Target environment.
    pub const TARGET: i32 = 200_000_001;
}

/// Gate status values: `approvalstatus`, `predeploymentstepstatus`, pre-export (§3.7).
pub mod gate_status {
    /// Pending (set by the system).
    pub const PENDING: i32 = 10;
    /// Completed / approved.
    pub const COMPLETED: i32 = 20;
    /// Failed / rejected.
    pub const FAILED: i32 = 30;
}

#[cfg(test)]
mod tests {
    use super::stage_run_status::*;

    #[test]
    fn only_succeeded_failed_and_canceled_are_terminal() {
        for code in 200_000_000..=200_000_012 {
            let expected = matches!(code, SUCCEEDED | FAILED | CANCELED);
            assert_eq!(is_terminal(code), expected, "{code}");
        }
    }

    #[test]
    fn known_codes_have_labels_and_unknown_ones_do_not() {
        assert_eq!(label(DEPLOYING), Some("Deploying"));
        assert_eq!(label(200_000_099), None);
    }
}
