//! Option-set values of the pipeline tables (spec §3), as integer codes with labels.
//!
//! On the wire every option-set value is a JSON number (§13.5); the types here
//! serialize that way. Unknown codes do not deserialize into these enums: a client
//! that must survive newer hosts reads the raw integer and calls `from_code`,
//! treating `None` as "unknown, not terminal" (§3.3).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A code that is not a value of the named option set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} is not a known {set} value")]
pub struct UnknownCode {
    pub set: &'static str,
    pub code: i64,
}

macro_rules! option_set {
    ($(#[$meta:meta])* $name:ident, $set:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The option set's logical name.
            pub const SET: &'static str = $set;

            /// The integer sent on the wire.
            pub fn code(self) -> i64 {
                match self { $($name::$variant => $code),+ }
            }

            /// The label the host sends as the formatted value.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value for a wire code, if this set knows it.
            pub fn from_code(code: i64) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// Like [`Self::from_code`], with an error naming the set.
            pub fn try_from_code(code: i64) -> Result<Self, UnknownCode> {
                Self::from_code(code).ok_or(UnknownCode { set: $set, code })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = i64::deserialize(d)?;
                Self::try_from_code(code).map_err(serde::de::Error::custom)
            }
        }
    };
}

option_set!(
    /// `deploymentstagerun.stagerunstatus` (§3.3; 200000005 per §11.2).
    StageRunStatus, "stagerunstatus" {
        NotStarted = 200000000 => "NotStarted",
        Started = 200000001 => "Started",
        Succeeded = 200000002 => "Succeeded",
        Failed = 200000003 => "Failed",
        Canceled = 200000004 => "Canceled",
        Scheduled = 200000005 => "Scheduled",
        Validating = 200000006 => "Validating",
        ValidationSucceeded = 200000007 => "Validation Succeeded",
        PreDeploymentInProgress = 200000008 => "Pre-Deployment In Progress",
        PreDeploymentSucceeded = 200000009 => "Pre-Deployment Succeeded",
        Deploying = 200000010 => "Deploying",
    }
);

impl StageRunStatus {
    /// Whether the run can no longer change (Succeeded, Failed, Canceled).
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }

    /// Terminal test on a raw code: unknown codes are not terminal (§3.3).
    pub fn code_is_terminal(code: i64) -> bool {
        Self::from_code(code).is_some_and(Self::is_terminal)
    }
}

option_set!(
    /// `deploymentstagerun.operation` (global "deploymentoperation", §3.4).
    Operation, "deploymentoperation" {
        None = 200000200 => "None",
        Validate = 200000201 => "Validate",
        Deploy = 200000202 => "Deploy",
        PreDeploy = 200000203 => "PreDeploy",
    }
);

option_set!(
    /// `operationstatus` (global "deploymentoperationstatus", §3.5); also the value
    /// space of the events' `DeploymentStatus`.
    OperationStatus, "deploymentoperationstatus" {
        NotStarted = 200000000 => "NotStarted",
        Started = 200000001 => "Started",
        Succeeded = 200000002 => "Succeeded",
        Failed = 200000003 => "Failed",
        Pending = 200000004 => "Pending",
        Scheduled = 200000005 => "Scheduled",
        Canceled = 200000006 => "Canceled",
    }
);

option_set!(
    /// `suboperation` (global "deploymentsuboperation", §3.6), newer labels.
    SubOperation, "deploymentsuboperation" {
        None = 200000100 => "None",
        PreValidation = 200000101 => "Pre Validation",
        ExportingSolution = 200000102 => "Exporting Solution",
        PreDeploymentStep = 200000103 => "Pre Deployment Step",
        ImportingSolution = 200000104 => "Importing Solution",
        CustomizationPublishing = 200000105 => "Customization Publishing",
        DeploymentComplete = 200000106 => "Deployment Complete",
        CopyEnvironment = 200000107 => "Copy Environment",
        WaitingOnPreExport = 200000108 => "Waiting on Pre-Export",
        ExecutingPreExport = 200000109 => "Executing Pre-Export",
    }
);

impl SubOperation {
    /// The older label from the 2022–23 table reference, where one exists.
    pub fn docs_label(self) -> Option<&'static str> {
        Some(match self {
            Self::None => "None",
            Self::PreValidation => "Executing Pre-step",
            Self::ExportingSolution => "Retrieving Artifact Configuration",
            Self::PreDeploymentStep => "Validating Artifact Configuration",
            Self::ImportingSolution => "Retrieving Artifact",
            Self::CustomizationPublishing => "Deploying Artifact",
            Self::DeploymentComplete => "Executing Post-step",
            _ => return None,
        })
    }
}

option_set!(
    /// `deploymentenvironment.environmenttype` (§3.1).
    EnvironmentType, "environmenttype" {
        Development = 200000000 => "Development Environment",
        Target = 200000001 => "Target Environment",
    }
);

option_set!(
    /// `deploymentenvironment.validationstatus` (§3.2).
    EnvironmentValidationStatus, "validationstatus" {
        Pending = 200000000 => "Pending",
        Success = 200000001 => "Success",
        Failed = 200000002 => "Failed",
    }
);

option_set!(
    /// Pre-export and pre-deployment gate status (§3.7).
    GateStatus, "predeploymentstepstatus" {
        Pending = 10 => "Pending",
        Completed = 20 => "Completed",
        Failed = 30 => "Failed",
    }
);

option_set!(
    /// Delegated-deployment approval status (§3.7).
    ApprovalStatus, "approvalstatus" {
        Pending = 10 => "Pending",
        Approved = 20 => "Approved",
        Rejected = 30 => "Rejected",
    }
);

option_set!(
    /// `deploymentstage.delegateddeploymenttype` (§3.8).
    DelegatedDeploymentType, "delegateddeploymenttype" {
        StageOwner = 1 => "Stage Owner",
        ServicePrincipal = 2 => "Service Principal",
    }
);

option_set!(
    /// `deploymentpipeline.deploymenttype` (§3.8).
    DeploymentType, "deploymenttype" {
        Standard = 0 => "Standard",
        SourceControl = 1 => "Source Control",
        AdoPipeline = 2 => "ADO Pipeline",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_json_as_numbers() {
        for s in StageRunStatus::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, s.code().to_string());
            assert_eq!(serde_json::from_str::<StageRunStatus>(&json).unwrap(), *s);
        }
        assert_eq!(
            serde_json::to_string(&Operation::Deploy).unwrap(),
            "200000202"
        );
    }

    #[test]
    fn unknown_codes_are_errors_and_not_terminal() {
        assert!(serde_json::from_str::<StageRunStatus>("200000099").is_err());
        let err = OperationStatus::try_from_code(7).unwrap_err();
        assert!(err.to_string().contains("deploymentoperationstatus"));
        assert!(!StageRunStatus::code_is_terminal(200000099));
        assert!(StageRunStatus::code_is_terminal(200000004));
    }

    #[test]
    fn terminal_statuses_are_exactly_three() {
        let terminal: Vec<_> = StageRunStatus::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(terminal.len(), 3);
    }

    #[test]
    fn suboperation_has_both_label_sets() {
        assert_eq!(
            SubOperation::CustomizationPublishing.label(),
            "Customization Publishing"
        );
        assert_eq!(
            SubOperation::CustomizationPublishing.docs_label(),
            Some("Deploying Artifact")
        );
        assert_eq!(SubOperation::CopyEnvironment.docs_label(), None);
    }

    #[test]
    fn codes_match_the_spec_tables() {
        assert_eq!(StageRunStatus::ValidationSucceeded.code(), 200000007);
        assert_eq!(StageRunStatus::Deploying.code(), 200000010);
        assert_eq!(Operation::PreDeploy.code(), 200000203);
        assert_eq!(OperationStatus::Canceled.code(), 200000006);
        assert_eq!(SubOperation::ExecutingPreExport.code(), 200000109);
        assert_eq!(EnvironmentType::Target.code(), 200000001);
        assert_eq!(GateStatus::Failed.code(), 30);
    }
}
