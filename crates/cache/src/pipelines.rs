//! `pipelines` and their `stages`: snapshot of the host's `deploymentpipeline` and
//! `deploymentstage` rows (spec §2.2, §2.4). Stages belong to their pipeline's snapshot and are
//! always replaced with it, so both tables live in this module.

use std::collections::HashMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::{timefmt, Cache};

/// One pipeline with its stages in deployment order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    /// `deploymentpipelineid`.
    pub pipeline_id: String,
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: Option<String>,
    /// `deploymenttype`: 0 Standard.
    pub deployment_type: i32,
    /// `enableaideploymentnotes`.
    pub enable_ai_deployment_notes: bool,
    /// `enableredeployment`.
    pub enable_redeployment: bool,
    /// `statecode`: 0 Active, 1 Inactive.
    pub state_code: i32,
    /// The stages, first stage first (ordered by the caller along `previousdeploymentstageid`).
    pub stages: Vec<Stage>,
}

/// One stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// `deploymentstageid`.
    pub stage_id: String,
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: Option<String>,
    /// `_previousdeploymentstageid_value`.
    pub previous_stage_id: Option<String>,
    /// `_targetdeploymentenvironmentid_value`: the target's registration row.
    pub target_deployment_environment_id: Option<String>,
    /// The target environment's name.
    pub target_environment_name: Option<String>,
    /// The target environment's BAP id.
    pub target_environment_id: Option<String>,
    /// `predeploymentsteprequired`.
    pub pre_deployment_step_required: bool,
    /// `preexportsteprequired`.
    pub pre_export_step_required: bool,
    /// `isdelegateddeployment`.
    pub is_delegated_deployment: bool,
    /// `statecode`.
    pub state_code: i32,
}

impl Cache {
    /// Replaces the profile's pipelines snapshot (pipelines and stages) in one transaction.
    pub fn replace_pipelines(&mut self, profile_id: &str, pipelines: &[Pipeline]) -> Result<()> {
        let tx = self.write_tx()?;
        Cache::require_profile(&tx, profile_id)?;
        // Stages go with their pipeline through the foreign key's ON DELETE CASCADE.
        tx.execute("DELETE FROM pipelines WHERE profile_id = ?1", [profile_id])?;
        let now = timefmt::to_text(timefmt::now());
        {
            let mut pst = tx.prepare(
                "INSERT INTO pipelines (profile_id, pipeline_id, name, description,
                    deployment_type, enable_ai_deployment_notes, enable_redeployment, state_code,
                    synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut sst = tx.prepare(
                "INSERT INTO stages (profile_id, pipeline_id, stage_id, position, name,
                    description, previous_stage_id, target_deployment_environment_id,
                    target_environment_name, target_environment_id, pre_deployment_step_required,
                    pre_export_step_required, is_delegated_deployment, state_code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            for p in pipelines {
                pst.execute(params![
                    profile_id,
                    p.pipeline_id,
                    p.name,
                    p.description,
                    p.deployment_type,
                    p.enable_ai_deployment_notes,
                    p.enable_redeployment,
                    p.state_code,
                    now
                ])?;
                for (position, s) in p.stages.iter().enumerate() {
                    sst.execute(params![
                        profile_id,
                        p.pipeline_id,
                        s.stage_id,
                        position as i64,
                        s.name,
                        s.description,
                        s.previous_stage_id,
                        s.target_deployment_environment_id,
                        s.target_environment_name,
                        s.target_environment_id,
                        s.pre_deployment_step_required,
                        s.pre_export_step_required,
                        s.is_delegated_deployment,
                        s.state_code
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The profile's pipelines snapshot, by name, each with its stages in order.
    pub fn pipelines(&self, profile_id: &str) -> Result<Vec<Pipeline>> {
        let mut st = self.conn.prepare(
            "SELECT pipeline_id, name, description, deployment_type, enable_ai_deployment_notes,
                    enable_redeployment, state_code
             FROM pipelines WHERE profile_id = ?1 ORDER BY name, pipeline_id",
        )?;
        let mut pipelines = st
            .query_map([profile_id], |r| {
                Ok(Pipeline {
                    pipeline_id: r.get(0)?,
                    name: r.get(1)?,
                    description: r.get(2)?,
                    deployment_type: r.get(3)?,
                    enable_ai_deployment_notes: r.get(4)?,
                    enable_redeployment: r.get(5)?,
                    state_code: r.get(6)?,
                    stages: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let index: HashMap<String, usize> = pipelines
            .iter()
            .enumerate()
            .map(|(i, p)| (p.pipeline_id.clone(), i))
            .collect();
        let mut st = self.conn.prepare(
            "SELECT pipeline_id, stage_id, name, description, previous_stage_id,
                    target_deployment_environment_id, target_environment_name,
                    target_environment_id, pre_deployment_step_required,
                    pre_export_step_required, is_delegated_deployment, state_code
             FROM stages WHERE profile_id = ?1 ORDER BY pipeline_id, position",
        )?;
        let stages = st.query_map([profile_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Stage {
                    stage_id: r.get(1)?,
                    name: r.get(2)?,
                    description: r.get(3)?,
                    previous_stage_id: r.get(4)?,
                    target_deployment_environment_id: r.get(5)?,
                    target_environment_name: r.get(6)?,
                    target_environment_id: r.get(7)?,
                    pre_deployment_step_required: r.get(8)?,
                    pre_export_step_required: r.get(9)?,
                    is_delegated_deployment: r.get(10)?,
                    state_code: r.get(11)?,
                },
            ))
        })?;
        for row in stages {
            let (pipeline_id, stage) = row?;
            if let Some(&i) = index.get(&pipeline_id) {
                pipelines[i].stages.push(stage);
            }
        }
        Ok(pipelines)
    }

    /// One stage of the snapshot by id, with its pipeline's id.
    pub fn stage(&self, profile_id: &str, stage_id: &str) -> Result<Option<(String, Stage)>> {
        Ok(self.pipelines(profile_id)?.into_iter().find_map(|p| {
            let id = p.pipeline_id;
            p.stages
                .into_iter()
                .find(|s| s.stage_id == stage_id)
                .map(|s| (id, s))
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::cache;
    use crate::*;

    pub(crate) fn stage(id: &str, prev: Option<&str>) -> Stage {
        Stage {
            stage_id: id.into(),
            name: format!("Stage {id}"),
            description: None,
            previous_stage_id: prev.map(Into::into),
            target_deployment_environment_id: Some(format!("env-{id}")),
            target_environment_name: Some(format!("target {id}")),
            target_environment_id: Some(format!("bap-{id}")),
            pre_deployment_step_required: id == "prod",
            pre_export_step_required: false,
            is_delegated_deployment: id == "prod",
            state_code: 0,
        }
    }

    #[test]
    fn pipelines_round_trip_with_stages_in_given_order() {
        let mut c = cache();
        let p = Pipeline {
            pipeline_id: "pl1".into(),
            name: "Contoso ALM".into(),
            description: Some("dev → test → prod".into()),
            deployment_type: 0,
            enable_ai_deployment_notes: true,
            enable_redeployment: false,
            state_code: 0,
            // Ids deliberately not in alphabetical order.
            stages: vec![stage("test", None), stage("prod", Some("test"))],
        };
        let empty = Pipeline {
            pipeline_id: "pl0".into(),
            name: "Another".into(),
            stages: vec![],
            ..p.clone()
        };
        c.replace_pipelines("p", &[p.clone(), empty.clone()])
            .unwrap();
        assert_eq!(c.pipelines("p").unwrap(), vec![empty, p.clone()]);
        assert_eq!(
            c.stage("p", "prod").unwrap(),
            Some(("pl1".into(), p.stages[1].clone()))
        );
        c.replace_pipelines("p", &[]).unwrap();
        assert!(c.pipelines("p").unwrap().is_empty());
        assert_eq!(c.stage("p", "prod").unwrap(), None);
    }
}
