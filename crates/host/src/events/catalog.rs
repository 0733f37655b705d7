//! The seven Power Platform Pipelines business events (spec §7.1) and the
//! parameters each one carries, taken from the stage run that caused it.

use serde_json::Value;

use crate::clock;
use crate::store::records::Record;

/// A business event of the "Power Platform Pipelines" category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventName {
    DeploymentRequested,
    ApprovalStarted,
    ApprovalCompleted,
    PreDeploymentStarted,
    PreDeploymentCompleted,
    DeploymentStarted,
    DeploymentCompleted,
}

impl EventName {
    pub const ALL: [EventName; 7] = [
        Self::DeploymentRequested,
        Self::ApprovalStarted,
        Self::ApprovalCompleted,
        Self::PreDeploymentStarted,
        Self::PreDeploymentCompleted,
        Self::DeploymentStarted,
        Self::DeploymentCompleted,
    ];

    /// The message name (`MessageName`, `x-ms-dynamics-request-name`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeploymentRequested => "OnDeploymentRequested",
            Self::ApprovalStarted => "OnApprovalStarted",
            Self::ApprovalCompleted => "OnApprovalCompleted",
            Self::PreDeploymentStarted => "OnPreDeploymentStarted",
            Self::PreDeploymentCompleted => "OnPreDeploymentCompleted",
            Self::DeploymentStarted => "OnDeploymentStarted",
            Self::DeploymentCompleted => "OnDeploymentCompleted",
        }
    }

    /// Case-insensitive lookup of a message name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// The output parameters of the event, in the order the docs list them.
    fn outputs(self) -> &'static [&'static str] {
        const NAMES: [&str; 3] = [
            "ArtifactName",
            "DeploymentStageName",
            "DeploymentPipelineName",
        ];
        match self {
            Self::DeploymentRequested => &[
                "ArtifactName",
                "DeploymentStageName",
                "DeploymentPipelineName",
                "SolutionArtifactVersion",
                "DeployAsUser",
                "StageRunDetailsLink",
                "ArtifactFileDownloadLink",
                "StageRunName",
            ],
            Self::ApprovalStarted => &[
                "DeployAsUser",
                "DeploymentPipelineName",
                "DeploymentStageName",
                "ArtifactName",
                "SolutionArtifactVersion",
                "ScheduledTime",
                "ArtifactFileDownloadLink",
                "UnmanagedArtifactFileDownloadLink",
                "AIGeneratedSolutionDescription",
                "StageRunDetailsLink",
            ],
            Self::ApprovalCompleted => &[
                "ArtifactName",
                "DeploymentStageName",
                "DeploymentPipelineName",
                "ApprovalStatus",
                "ApprovalComments",
            ],
            Self::PreDeploymentStarted => &[
                "ArtifactName",
                "DeployAsUser",
                "DeploymentStageName",
                "DeploymentPipelineName",
                "SolutionArtifactVersion",
                "DeploymentNotes",
                "StageRunDetailsLink",
                "ArtifactFileDownloadLink",
                "UnmanagedArtifactFileDownloadLink",
                "ScheduledTime",
                // [I] as OnDeploymentRequested has it: a handler names the run it gates.
                "StageRunName",
            ],
            Self::PreDeploymentCompleted => &[
                "ArtifactName",
                "DeploymentStageName",
                "DeploymentPipelineName",
                "PreDeploymentStepStatus",
                "Comments",
            ],
            Self::DeploymentStarted => &[
                "ArtifactName",
                "DeploymentStageName",
                "DeploymentPipelineName",
                "SolutionArtifactVersion",
                "DeploymentNotes",
                "DeployAsUser",
                "StageRunDetailsLink",
                "ArtifactFileDownloadLink",
            ],
            Self::DeploymentCompleted => &NAMES,
        }
    }
}

/// What the parameters are computed from: the run and the names around it.
pub struct Facts<'a> {
    pub run: &'a Record,
    pub stage_name: String,
    pub pipeline_name: String,
    pub deploy_as_user: String,
    /// `{base}/api/data/v9.0`.
    pub api: String,
}

impl Facts<'_> {
    fn artifact_link(&self, column: &str) -> Value {
        match self.run.str("_artifactid_value") {
            Some(id) => format!("{}/deploymentartifacts({id})/{column}/$value", self.api).into(),
            None => Value::Null,
        }
    }

    fn text(&self, key: &str) -> Value {
        self.run.data.get(key).cloned().unwrap_or(Value::Null)
    }

    /// The value of one output parameter.
    fn output(&self, name: &str) -> Value {
        match name {
            "ArtifactName" => self.text("artifactname"),
            "DeploymentStageName" => self.stage_name.clone().into(),
            "DeploymentPipelineName" => self.pipeline_name.clone().into(),
            "SolutionArtifactVersion" => self.text("artifactversion"),
            "DeployAsUser" => self.deploy_as_user.clone().into(),
            "StageRunName" => self.text("name"),
            "StageRunDetailsLink" => {
                format!("{}/deploymentstageruns({})", self.api, self.run.id).into()
            }
            "ArtifactFileDownloadLink" => self.artifact_link("artifactfile"),
            "UnmanagedArtifactFileDownloadLink" => self.artifact_link("artifactfileunmanaged"),
            "ScheduledTime" => self
                .run
                .str("scheduledtime")
                .and_then(clock::text_to_ms)
                .map_or(Value::Null, |ms| super::envelope::date(ms).into()),
            "DeploymentNotes" => self.text("deploymentnotes"),
            "AIGeneratedSolutionDescription" => self.text("aigenerateddeploymentnotes"),
            "ApprovalStatus" => self.text("approvalstatus"),
            "ApprovalComments" => self.text("approvalcomments"),
            "PreDeploymentStepStatus" => self.text("predeploymentstepstatus"),
            "Comments" => self.text("predeploymentstepcomments"),
            _ => Value::Null,
        }
    }
}

/// Ordered key/value parameters, as the envelope's arrays carry them.
pub type Params = Vec<(String, Value)>;

/// The (input, output) parameters of `event`.
pub fn parameters(
    event: EventName,
    facts: &Facts<'_>,
    inputs: &[(&str, Value)],
) -> (Params, Params) {
    let mut input = vec![("StageRunId".to_string(), Value::from(facts.run.id.clone()))];
    input.extend(inputs.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let output = event
        .outputs()
        .iter()
        .map(|k| (k.to_string(), facts.output(k)))
        .collect();
    (input, output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for e in EventName::ALL {
            assert_eq!(EventName::parse(e.as_str()), Some(e));
        }
        assert_eq!(
            EventName::parse("ondeploymentcompleted"),
            Some(EventName::DeploymentCompleted)
        );
        assert_eq!(EventName::parse("OnSomethingElse"), None);
    }

    #[test]
    fn links_point_at_the_artifact_files() {
        let mut run = Record {
            id: "r1".into(),
            version: 1,
            data: Default::default(),
        };
        run.set("artifactname", "Core");
        run.set("_artifactid_value", "a1");
        let facts = Facts {
            run: &run,
            stage_name: "Test".into(),
            pipeline_name: "Release".into(),
            deploy_as_user: "mona@x".into(),
            api: "http://h/api/data/v9.0".into(),
        };
        let (input, output) = parameters(
            EventName::DeploymentRequested,
            &facts,
            &[("DeploymentStatus", 1.into())],
        );
        assert_eq!(input[0], ("StageRunId".into(), "r1".into()));
        assert_eq!(input[1].0, "DeploymentStatus");
        let get = |k: &str| output.iter().find(|(n, _)| n == k).unwrap().1.clone();
        assert_eq!(
            get("ArtifactFileDownloadLink"),
            "http://h/api/data/v9.0/deploymentartifacts(a1)/artifactfile/$value"
        );
        assert_eq!(get("DeployAsUser"), "mona@x");
        assert_eq!(get("ArtifactName"), "Core");
    }
}
