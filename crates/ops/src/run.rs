//! Running a deployment: validate, deploy (now or later), watch to the end,
//! cancel, retry, and resume the runs a previous process left unfinished.
//!
//! The run's id is chosen here and written to the cache before the first
//! request leaves, so a crash never loses track of it and a retried create
//! never makes a second run. Every state the host reports is stored; each
//! change is a timeline entry in the cache and a [`RunEvent`] to the sink.

use std::time::Instant;

use ferry_cache::{StageConnection, StageProfile, StageVariable, VariableKind};
use ferry_dataverse::pipelines::{self as p, NewStageRun, StageRun as HostRun};
use ferry_pipelines::{
    ConnectionReferenceSetting, DeploymentSettings, EnvironmentVariableSetting, StageRunStatus,
    ValidationResults,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::engine::{format_time, parse_time, summary, Engine, ProgressSink, Session};
use crate::error::{OpsError, Result};
use crate::explain::{explain_run, explain_validation, Explanation};
use crate::pacing::{Pacer, PhaseKind};
use crate::types::{
    CheckSeverity, DeployRequest, Gate, Plan, PlanRequest, RunEvent, RunEventKind, RunOutcome,
    RunSummary,
};

const APPROVAL_PENDING: i64 = 10;

/// How far to follow a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Until {
    /// Validation finished (passed or failed).
    Validated,
    /// The run ended.
    End,
}

/// What a run's state means to people.
pub(crate) fn classify(r: &HostRun) -> (RunEventKind, Option<Gate>) {
    use StageRunStatus as S;
    let status = r.status();
    match status {
        Some(S::Succeeded) => return (RunEventKind::Succeeded, None),
        Some(S::Failed) => return (RunEventKind::Failed, None),
        Some(S::Canceled) => return (RunEventKind::Canceled, None),
        _ => {}
    }
    if r.approvalstatus == Some(APPROVAL_PENDING) {
        return (RunEventKind::WaitingOnGate, Some(Gate::Approval));
    }
    if r.predeploymentstepstatus == Some(APPROVAL_PENDING) {
        return (RunEventKind::WaitingOnGate, Some(Gate::PreDeploymentStep));
    }
    if r.suboperation == Some(ferry_pipelines::SubOperation::WaitingOnPreExport.code()) {
        return (RunEventKind::WaitingOnGate, Some(Gate::PreExportStep));
    }
    let kind = match status {
        Some(S::NotStarted) => RunEventKind::Requested,
        Some(S::Scheduled) => RunEventKind::Scheduled,
        Some(S::Validating) => RunEventKind::Validating,
        Some(S::ValidationSucceeded) => RunEventKind::Validated,
        Some(S::Started | S::Deploying) => {
            match r
                .suboperation
                .and_then(ferry_pipelines::SubOperation::from_code)
            {
                Some(ferry_pipelines::SubOperation::ImportingSolution) => RunEventKind::Importing,
                Some(ferry_pipelines::SubOperation::CustomizationPublishing) => {
                    RunEventKind::Publishing
                }
                _ => RunEventKind::Deploying,
            }
        }
        _ if r.operation == Some(ferry_pipelines::Operation::Validate.code()) => {
            RunEventKind::Validating
        }
        _ => RunEventKind::Deploying,
    };
    (kind, None)
}

fn done(r: &HostRun, until: Until) -> bool {
    r.is_terminal()
        || (until == Until::Validated && r.status() == Some(StageRunStatus::ValidationSucceeded))
}

/// The pacer's view of a run: its phase (status and step) and what kind of wait that is.
fn phase_of(r: &HostRun) -> (String, PhaseKind) {
    let key = format!(
        "{}:{}",
        r.stagerunstatus.unwrap_or_default(),
        r.suboperation.unwrap_or_default()
    );
    let kind = match classify(r).0 {
        RunEventKind::WaitingOnGate | RunEventKind::Validated => PhaseKind::Waiting,
        RunEventKind::Scheduled => PhaseKind::Scheduled(r.scheduledtime.as_deref().and_then(|t| {
            let due = OffsetDateTime::parse(t, &Rfc3339).ok()?;
            let ahead = (due - OffsetDateTime::now_utc()).max(time::Duration::ZERO);
            Some(Instant::now() + std::time::Duration::try_from(ahead).ok()?)
        })),
        _ => PhaseKind::Timed,
    };
    (key, kind)
}

fn results_of(r: &HostRun) -> Option<ValidationResults> {
    r.validation_results().and_then(|x| x.ok())
}

/// The explanations of a run: errors when it failed, warnings when it passed.
pub(crate) fn explanations(r: &HostRun) -> Vec<Explanation> {
    let results = results_of(r);
    if r.status() == Some(StageRunStatus::Failed) {
        explain_run(results.as_ref(), r.errormessage.as_deref())
    } else {
        results.as_ref().map(explain_validation).unwrap_or_default()
    }
}

fn message(
    kind: RunEventKind,
    gate: Option<Gate>,
    run: &RunSummary,
    since: Option<&str>,
) -> String {
    let solution = &run.solution;
    let target = run
        .target_name
        .clone()
        .or_else(|| run.stage_name.clone())
        .unwrap_or_else(|| "the target".into());
    let version = run.version.clone().unwrap_or_default();
    match kind {
        RunEventKind::Requested => format!("Requested {solution} → {target}"),
        RunEventKind::Validating => match &run.step {
            Some(step) => format!("Validating ({step})"),
            None => "Validating".into(),
        },
        RunEventKind::Validated => "Validated".into(),
        RunEventKind::WaitingOnGate => format!(
            "Waiting on {} since {}",
            gate.map(Gate::label).unwrap_or("a gate"),
            since.unwrap_or("now")
        ),
        RunEventKind::Scheduled => format!(
            "Scheduled for {}",
            run.scheduled_time.as_deref().unwrap_or("later")
        ),
        RunEventKind::Deploying => format!("Deploying {solution} {version}"),
        RunEventKind::Importing => format!("Importing {solution} {version} into {target}"),
        RunEventKind::Publishing => "Publishing customizations".into(),
        RunEventKind::Succeeded => format!("Succeeded: {solution} {version} is in {target}"),
        RunEventKind::Failed => format!(
            "Failed: {}",
            run.error_message
                .as_deref()
                .unwrap_or("the host gave no reason")
        ),
        RunEventKind::Canceled => "Canceled".into(),
    }
}

/// Who can act on each gate of a followed run, read from the host once per run.
#[derive(Default)]
struct GateActors {
    approver: Option<String>,
}

impl GateActors {
    async fn who(&mut self, s: &Session, run: &RunSummary, gate: Gate) -> String {
        match gate {
            Gate::Approval => {
                if self.approver.is_none() {
                    let stage = Uuid::parse_str(&run.stage_id).ok();
                    let read = match stage {
                        Some(id) => p::stage_approver(&s.host, id).await.ok(),
                        None => None,
                    };
                    // Unreadable (an older host, a missing privilege): still say who in general.
                    self.approver = Some(
                        read.map(|a| a.sentence())
                            .unwrap_or_else(|| "The stage's approver can approve or reject.".into()),
                    );
                }
                self.approver.clone().unwrap_or_default()
            }
            Gate::PreDeploymentStep => {
                "The pipeline's automation (usually a flow) or a pipelines admin completes the pre-deployment step.".into()
            }
            Gate::PreExportStep => {
                "The pipeline's automation (usually a flow) or a pipelines admin completes the pre-export step.".into()
            }
        }
    }
}

impl Engine {
    /// Since when a run has waited on a gate: the first of the latest unbroken
    /// series of timeline entries that show the gate pending.
    fn gate_since(&self, run_id: &str, gate: Gate) -> Option<String> {
        let timeline = self.cache().timeline(self.profile_id(), run_id).ok()?;
        let pending = |e: &ferry_cache::TimelineEntry| match gate {
            Gate::Approval => e.approval_status == Some(10),
            Gate::PreDeploymentStep => e.pre_deployment_step_status == Some(10),
            Gate::PreExportStep => e.sub_operation == Some(200_000_108),
        };
        timeline
            .iter()
            .rev()
            .take_while(|e| pending(e))
            .last()
            .map(|e| format_time(e.at))
    }

    fn event(&self, r: &HostRun, run: &RunSummary, at: Option<OffsetDateTime>) -> RunEvent {
        let (kind, gate) = classify(r);
        let since = gate.and_then(|g| self.gate_since(&run.id, g));
        RunEvent {
            run_id: run.id.clone(),
            kind,
            at: format_time(at.unwrap_or_else(OffsetDateTime::now_utc)),
            gate,
            since: since.clone(),
            scheduled_for: (kind == RunEventKind::Scheduled)
                .then(|| run.scheduled_time.clone())
                .flatten(),
            who_can_act: None,
            message: message(kind, gate, run, since.as_deref()),
            explanations: if kind == RunEventKind::Failed {
                explanations(r)
            } else {
                Vec::new()
            },
            run: run.clone(),
        }
    }

    /// Reads a run until `until`, storing every state and emitting an event per transition.
    /// Reads are paced by a [`Pacer`] that learns phase durations in the cache; `fresh` says
    /// the action that began the current phase was sent just now (so its start is known).
    pub(crate) async fn follow(
        &self,
        s: &Session,
        id: Uuid,
        until: Until,
        fresh: bool,
        progress: &dyn ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<(HostRun, RunSummary)> {
        let started = Instant::now();
        let mut pacer = self.pacer(fresh.then_some(started));
        let mut actors = GateActors::default();
        let mut first = true;
        loop {
            let run = tokio::select! {
                _ = cancel.cancelled() => return Err(OpsError::Interrupted),
                r = p::stage_run(&s.host, id) => r.map_err(|e| match e.kind {
                    ferry_dataverse::ErrorKind::NotFound => OpsError::UnknownRun(id.to_string()),
                    _ => OpsError::Host(e),
                })?,
            };
            self.pace(&mut pacer, &run);
            let (summary, transition) = self.record(&run, None)?;
            if first || transition.is_some() {
                let at = transition.as_ref().map(|t| t.at);
                let mut event = self.event(&run, &summary, at);
                if let Some(gate) = event.gate {
                    event.who_can_act = Some(actors.who(s, &summary, gate).await);
                }
                progress.event(event);
            }
            first = false;
            // Following a run Ferry did not just start (watch, resume): one that waits
            // for the maker (validated, never deployed) would be followed forever.
            if done(&run, until) || (!fresh && waits_for_maker(&run)) {
                return Ok((run, summary));
            }
            if started.elapsed() > self.options.max_wait {
                return Err(OpsError::TimedOut(format!(
                    "the run {id} is still {} after {} minutes; follow it later with `ferry run watch {id}`",
                    summary.status_label,
                    self.options.max_wait.as_secs() / 60
                )));
            }
            self.pause(pacer.wait(Instant::now()), cancel).await?;
        }
    }

    /// A pacer for a run whose current phase began after `since` (`None`: unknown), with the
    /// phase bounds the cache learned.
    fn pacer(&self, since: Option<Instant>) -> Pacer {
        let bounds = self
            .cache()
            .phase_bounds(self.profile_id())
            .unwrap_or_default();
        Pacer::new(
            self.options.pacing,
            self.options.poll_interval,
            bounds,
            since,
        )
    }

    /// Tells the pacer what a read showed and keeps the phase it saw end.
    fn pace(&self, pacer: &mut Pacer, run: &HostRun) {
        let (key, kind) = phase_of(run);
        if let Some(sample) = pacer.observe(&key, kind, Instant::now()) {
            // Learning is best effort: a cache that cannot take it only costs reads later.
            let _ = self.cache().record_phase_duration(
                self.profile_id(),
                &sample.phase,
                sample.lo_ms,
                sample.hi_ms,
            );
        }
    }

    /// Creates a stage run for a plan (id in the cache first) and starts validation.
    /// A redeployment binds the earlier artifact.
    async fn start_run(
        &self,
        s: &Session,
        id: Uuid,
        plan: &Plan,
        progress: &dyn ProgressSink,
    ) -> Result<Uuid> {
        let stage_id = parse_id(&plan.stage.id)?;
        let solution_id = parse_id(&plan.solution.id)?;
        let placeholder = ferry_cache::StageRun {
            id: id.to_string(),
            stage_id: plan.stage.id.clone(),
            stage_name: Some(plan.stage.name.clone()),
            pipeline_id: Some(plan.pipeline_id.clone()),
            pipeline_name: Some(plan.pipeline_name.clone()),
            target_environment_name: plan.stage.target_name.clone(),
            artifact_name: plan.solution.unique_name.clone(),
            solution_id: Some(plan.solution.id.clone()),
            dev_deployment_environment_id: Some(s.dev.registration.to_string()),
            stage_run_status: StageRunStatus::NotStarted.code() as i32,
            stage_run_status_label: Some("Requested".into()),
            created_by: s.me.clone(),
            ..Default::default()
        };
        self.cache().upsert_run(self.profile_id(), &placeholder)?;
        let new = NewStageRun {
            stage_id,
            dev_environment_id: s.dev.registration,
            artifact_name: plan.solution.unique_name.clone(),
            solution_id,
            scheduled_time: None,
            redeploy_artifact: plan
                .redeploy
                .as_ref()
                .map(|r| parse_id(&r.artifact_id))
                .transpose()?,
        };
        self.confirmed(id, "create", p::create_stage_run_with_id(&s.host, id, &new))
            .await?;
        // The portal's order (§5.5, §5.9): validate first, then set the versions (in
        // `deploy`); a host may refuse versions before validation.
        let run = p::stage_run(&s.host, id).await?;
        let (summary, _) = self.record(&run, None)?;
        progress.event(self.event(&run, &summary, None));
        self.confirmed(id, "validate", p::validate(&s.host, id))
            .await?;
        Ok(id)
    }

    /// Sends one of a run's requests, noted in the cache until it is answered. When
    /// the answer is lost (the host may have acted on it), the run stays
    /// "unconfirmed" and the next command for the same solution and stage reads it
    /// by its id and carries it on ([`Engine::lost_run`]) instead of starting
    /// another. A create the host refused never started; a request for which no
    /// connection could be made was not received: the run is not left unconfirmed.
    async fn confirmed<T>(
        &self,
        id: Uuid,
        action: &str,
        call: impl std::future::Future<Output = std::result::Result<T, ferry_dataverse::Error>>,
    ) -> Result<T> {
        let run = id.to_string();
        self.cache()
            .set_unconfirmed(self.profile_id(), &run, Some(action))?;
        match call.await {
            Ok(v) => {
                self.cache()
                    .set_unconfirmed(self.profile_id(), &run, None)?;
                Ok(v)
            }
            // No connection could be made: the host cannot have received it.
            Err(e) if e.kind == ferry_dataverse::ErrorKind::Offline && e.not_sent => {
                let next = if action == "create" {
                    self.cache().mark_never_started(self.profile_id(), &run)?;
                    "run the same command again once the host is reachable".to_string()
                } else {
                    self.cache()
                        .set_unconfirmed(self.profile_id(), &run, None)?;
                    match action {
                        "deploy" => format!("it stays validated: once the host is reachable, deploy it with `ferry deploy --solution … --stage … --run {run}` (or cancel it with `ferry run cancel {run}`)"),
                        _ => format!("once the host is reachable, run the same command again (the run {run} was created but never validated; `ferry run cancel {run}` ends it)"),
                    }
                };
                Err(OpsError::NotReceived {
                    run,
                    action: action.to_string(),
                    reason: e.message.trim_end_matches('.').to_string(),
                    next,
                })
            }
            Err(e) if e.kind == ferry_dataverse::ErrorKind::Offline => Err(OpsError::Unconfirmed {
                run,
                action: action.to_string(),
                reason: e.message.trim_end_matches('.').to_string(),
            }),
            Err(e) => {
                if action == "create" {
                    self.cache().mark_never_started(self.profile_id(), &run)?;
                } else {
                    self.cache()
                        .set_unconfirmed(self.profile_id(), &run, None)?;
                }
                Err(e.into())
            }
        }
    }

    /// A run this Ferry started for the plan's solution and stage whose answer was
    /// lost, read again by its id (with what was sent last); a run the host never
    /// received is marked "never started" and passed over. Only such runs are ever
    /// carried on: never another deployment the maker meant to make.
    async fn lost_run(&self, s: &Session, plan: &Plan) -> Result<Option<(Uuid, HostRun)>> {
        let lost = self.cache().unconfirmed_runs(
            self.profile_id(),
            &plan.solution.unique_name,
            &plan.stage.id,
        )?;
        for (id, _action) in lost {
            let uuid = parse_id(&id)?;
            match p::stage_run(&s.host, uuid).await {
                Ok(run) => {
                    self.record(&run, None)?;
                    self.cache().set_unconfirmed(self.profile_id(), &id, None)?;
                    return Ok(Some((uuid, run)));
                }
                Err(e) if e.kind == ferry_dataverse::ErrorKind::NotFound => {
                    self.cache().mark_never_started(self.profile_id(), &id)?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }

    /// Carries a lost run on to validation: re-sends `ValidatePackageAsync` when the
    /// host never started it (safe to repeat, §5.5).
    async fn carry_on(&self, s: &Session, id: Uuid, run: &HostRun) -> Result<Uuid> {
        if run.status() == Some(StageRunStatus::NotStarted) {
            self.confirmed(id, "validate", p::validate(&s.host, id))
                .await?;
        }
        Ok(id)
    }

    /// Creates a run and validates it against the target (pre-flight). The run
    /// stays validated on the host; deploy it with [`DeployRequest::run_id`].
    pub async fn validate(
        &self,
        req: &PlanRequest,
        progress: &dyn ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<RunOutcome> {
        let reads = std::sync::Arc::new(self.plan_reads(req).await?);
        let plan = self.plan_with(&reads, req)?;
        if let Some(problem) = plan
            .checks
            .iter()
            .find(|c| c.severity == CheckSeverity::Error && c.subject.is_none())
        {
            return Err(OpsError::NotDeployable(problem.message.clone()));
        }
        let s = self.session().await?;
        let lost = self.lost_run(s, &plan).await?;
        let id = lost
            .as_ref()
            .map(|(id, _)| *id)
            .unwrap_or_else(Uuid::new_v4);
        // Its deployment plans with what this plan read (the run's own steps do not
        // forget it; see `crate::recent`).
        self.recent.hand_over(&id.to_string(), reads);
        let id = match lost {
            Some((id, run)) => self.carry_on(s, id, &run).await?,
            None => self.start_run(s, id, &plan, progress).await?,
        };
        let (run, summary) = self
            .follow(s, id, Until::Validated, true, progress, cancel)
            .await?;
        Ok(RunOutcome {
            explanations: explanations(&run),
            run: summary,
            plan: Some(plan),
        })
    }

    /// Deploys: plan and check the values, validate (or reuse a validated run),
    /// send settings, versions, notes and schedule, start the deployment,
    /// remember the values as the stage profile, and with `wait` follow it to the end.
    pub async fn deploy(
        &self,
        req: &DeployRequest,
        progress: &dyn ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<RunOutcome> {
        let scheduled = req
            .scheduled_time
            .as_deref()
            .map(parse_schedule)
            .transpose()?;
        let plan = self.deploy_plan(req).await?;
        if !plan.ready {
            return Err(OpsError::NotReady {
                problems: plan
                    .checks
                    .iter()
                    .filter(|c| c.severity == CheckSeverity::Error)
                    .map(|c| c.message.clone())
                    .collect(),
            });
        }
        let s = self.session().await?;
        // The validated run when it was just read (a run given by id), else it is followed.
        let mut known: Option<(HostRun, RunSummary)> = None;
        let id = match req.run_id.as_deref() {
            Some(existing) => {
                let id = parse_id(existing)?;
                let run = p::stage_run(&s.host, id).await?;
                if run.status() != Some(StageRunStatus::ValidationSucceeded) {
                    return Err(OpsError::InvalidInput(format!(
                        "the run {id} is {}, not validated; deploy without a run id to start a new one",
                        run.status_label()
                    )));
                }
                if let Some(redeploy) = &plan.redeploy {
                    crate::redeploy::check_validated_redeploy(&run, redeploy)?;
                }
                let (summary, _) = self.record(&run, None)?;
                progress.event(self.event(&run, &summary, None));
                known = Some((run, summary));
                id
            }
            None => match self.lost_run(s, &plan).await? {
                // The deployment went through (or the run ended): follow it, never
                // deploy it twice.
                Some((id, run)) if deploy_received(&run) || run.is_terminal() => {
                    let (run, summary) = if req.wait && !run.is_terminal() {
                        self.follow(s, id, Until::End, true, progress, cancel)
                            .await?
                    } else {
                        let (summary, _) = self.record(&run, None)?;
                        (run, summary)
                    };
                    return Ok(RunOutcome {
                        explanations: explanations(&run),
                        run: summary,
                        plan: Some(plan),
                    });
                }
                Some((id, run)) => self.carry_on(s, id, &run).await?,
                None => self.start_run(s, Uuid::new_v4(), &plan, progress).await?,
            },
        };
        let (validated, summary) = match known {
            Some(read) => read,
            None => {
                self.follow(s, id, Until::Validated, true, progress, cancel)
                    .await?
            }
        };
        if validated.is_terminal() {
            return Ok(RunOutcome {
                explanations: explanations(&validated),
                run: summary,
                plan: Some(plan),
            });
        }

        let settings = settings_of(&plan);
        if !settings.environment_variables.is_empty() || !settings.connection_references.is_empty()
        {
            p::set_deployment_settings(&s.host, id, &settings).await?;
        }
        let notes = req
            .notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        p::prepare_deployment(
            &s.host,
            id,
            &plan.dev_version,
            &plan.version,
            notes,
            scheduled.as_deref(),
        )
        .await?;
        self.remember(&plan, notes, id)?;
        self.confirmed(id, "deploy", p::deploy(&s.host, id)).await?;
        self.recent.drop_handover(&id.to_string());

        let until = if req.wait {
            Until::End
        } else {
            Until::Validated
        };
        let (run, summary) = if req.wait {
            self.follow(s, id, until, true, progress, cancel).await?
        } else {
            let run = p::stage_run(&s.host, id).await?;
            let (summary, transition) = self.record(&run, None)?;
            if transition.is_some() {
                progress.event(self.event(&run, &summary, transition.map(|t| t.at)));
            }
            (run, summary)
        };
        Ok(RunOutcome {
            explanations: explanations(&run),
            run: summary,
            plan: Some(plan),
        })
    }

    /// The plan a deployment goes by: for a run this engine validated lately, made with what
    /// its validation read (re-reading the target's connections only when the values name
    /// one that was not there); else planned afresh.
    async fn deploy_plan(&self, req: &DeployRequest) -> Result<Plan> {
        let handed = req
            .run_id
            .as_deref()
            .and_then(|run| self.recent.handover(run.trim()))
            .filter(|reads| reads.serve(&req.plan));
        match handed {
            Some(reads) if reads.knows_connections_of(&req.plan) => {
                self.plan_with(&reads, &req.plan)
            }
            _ => self.plan(&req.plan).await,
        }
    }

    /// Saves the values of a deployment as the stage profile (Secrets are dropped by the cache).
    fn remember(&self, plan: &Plan, notes: Option<&str>, run: Uuid) -> Result<()> {
        let profile = StageProfile {
            solution_name: plan.solution.unique_name.clone(),
            stage_id: plan.stage.id.clone(),
            environment_variables: plan
                .environment_variables
                .iter()
                .filter(|v| v.value.is_some())
                .map(|v| StageVariable {
                    schema_name: v.schema_name.clone(),
                    kind: variable_kind(&v.kind),
                    value: v.value.clone(),
                })
                .collect(),
            connection_references: plan
                .connection_references
                .iter()
                .filter_map(|c| {
                    Some(StageConnection {
                        logical_name: c.logical_name.clone(),
                        connection_id: c.connection_id.clone()?,
                        connector_id: Some(c.connector_id.clone()),
                    })
                })
                .collect(),
            deployment_notes: notes.map(str::to_string),
            source_run_id: Some(run.to_string()),
            updated_at: None,
        };
        self.cache()
            .save_stage_profile(self.profile_id(), &profile)?;
        Ok(())
    }

    /// Follows a run to its end (re-attaching after a restart is the same call).
    pub async fn watch(
        &self,
        run_id: &str,
        progress: &dyn ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<RunOutcome> {
        let id = parse_id(run_id)?;
        let s = self.session().await?;
        self.ensure_pipelines(s).await?;
        let (run, summary) = self
            .follow(s, id, Until::End, false, progress, cancel)
            .await?;
        let mut explained = explanations(&run);
        if waits_for_maker(&run) {
            explained.push(waiting_for_you(&summary));
        }
        Ok(RunOutcome {
            explanations: explained,
            run: summary,
            plan: None,
        })
    }

    /// A run's state: from the host (stored in the cache), or from the cache when offline.
    pub async fn run_status(&self, run_id: &str) -> Result<RunOutcome> {
        let id = parse_id(run_id)?;
        match self.session().await {
            Ok(s) => {
                self.ensure_pipelines(s).await?;
                let run = p::stage_run(&s.host, id).await.map_err(|e| match e.kind {
                    ferry_dataverse::ErrorKind::NotFound => OpsError::UnknownRun(run_id.into()),
                    _ => OpsError::Host(e),
                })?;
                let (summary, _) = self.record(&run, None)?;
                let mut explained = explanations(&run);
                if waits_for_maker(&run) {
                    explained.push(waiting_for_you(&summary));
                }
                Ok(RunOutcome {
                    explanations: explained,
                    run: summary,
                    plan: None,
                })
            }
            Err(e) if e.is_offline() => {
                let cached = self
                    .cached_run(run_id)?
                    .ok_or_else(|| OpsError::UnknownRun(run_id.into()))?;
                Ok(RunOutcome {
                    explanations: crate::history::cached_explanations(&cached),
                    run: summary(&cached),
                    plan: None,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Cancels a run that has not finished.
    pub async fn cancel(&self, run_id: &str) -> Result<RunSummary> {
        let id = parse_id(run_id)?;
        let s = self.session().await?;
        self.ensure_pipelines(s).await?;
        p::cancel(&s.host, id).await?;
        let run = p::stage_run(&s.host, id).await?;
        Ok(self.record(&run, None)?.0)
    }

    /// Retries a run whose deployment failed; with `wait`, follows it to the end.
    pub async fn retry(
        &self,
        run_id: &str,
        wait: bool,
        progress: &dyn ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<RunOutcome> {
        let id = parse_id(run_id)?;
        let s = self.session().await?;
        self.ensure_pipelines(s).await?;
        p::retry(&s.host, id).await?;
        if wait {
            return self.watch(run_id, progress, cancel).await;
        }
        let run = p::stage_run(&s.host, id).await?;
        let (summary, transition) = self.record(&run, None)?;
        if transition.is_some() {
            progress.event(self.event(&run, &summary, transition.map(|t| t.at)));
        }
        Ok(RunOutcome {
            explanations: Vec::new(),
            run: summary,
            plan: None,
        })
    }

    /// Re-attaches to every run the cache holds as unfinished and follows them
    /// all to their end. Runs that wait for the maker (validated but never
    /// deployed, or never validated) are returned as they are, not followed.
    pub async fn resume(
        &self,
        progress: &dyn ProgressSink,
        cancel: &CancellationToken,
    ) -> Result<Vec<RunSummary>> {
        let unfinished = self.cache().unfinished_runs(self.profile_id())?;
        if unfinished.is_empty() {
            return Ok(Vec::new());
        }
        let s = self.session().await?;
        self.ensure_pipelines(s).await?;
        let mut open: Vec<(Uuid, Pacer, Instant)> = Vec::new();
        let mut out = Vec::new();
        for c in &unfinished {
            let id = parse_id(&c.run.id)?;
            let run = match p::stage_run(&s.host, id).await {
                Ok(run) => run,
                Err(e) if e.kind == ferry_dataverse::ErrorKind::NotFound => {
                    // Its create never reached the host: it never started.
                    self.cache()
                        .mark_never_started(self.profile_id(), &c.run.id)?;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            // Steps it passed while nobody watched, from the host's log (best effort).
            self.backfill(
                &s.host,
                id,
                crate::engine::parse_time(run.modifiedon.as_deref()),
            )
            .await;
            let (summary, transition) = self.record(&run, None)?;
            progress.event(self.event(&run, &summary, transition.map(|t| t.at)));
            if run.is_terminal() || waits_for_maker(&run) {
                out.push(summary);
            } else {
                let mut pacer = self.pacer(None);
                self.pace(&mut pacer, &run);
                let now = Instant::now();
                open.push((id, pacer.clone(), now + pacer.wait(now)));
            }
        }
        let started = Instant::now();
        // Each run is read when its own pacer says; the loop sleeps until the soonest.
        while let Some(soonest) = open.iter().map(|(_, _, next)| *next).min() {
            self.pause(soonest.saturating_duration_since(Instant::now()), cancel)
                .await?;
            let mut still = Vec::new();
            for (id, mut pacer, next) in open {
                if next > Instant::now() {
                    still.push((id, pacer, next));
                    continue;
                }
                let run = p::stage_run(&s.host, id).await?;
                self.pace(&mut pacer, &run);
                let (summary, transition) = self.record(&run, None)?;
                if let Some(t) = transition {
                    progress.event(self.event(&run, &summary, Some(t.at)));
                }
                if run.is_terminal() {
                    out.push(summary);
                } else {
                    let now = Instant::now();
                    let wait = pacer.wait(now);
                    still.push((id, pacer, now + wait));
                }
            }
            open = still;
            if started.elapsed() > self.options.max_wait {
                return Err(OpsError::TimedOut(
                    "some runs are still going; resume again later".into(),
                ));
            }
        }
        Ok(out)
    }

    /// Makes sure the cache knows the stages (names for runs read by id).
    pub(crate) async fn ensure_pipelines(&self, s: &Session) -> Result<()> {
        if self.cache().pipelines(self.profile_id())?.is_empty() {
            self.refresh_pipelines(s).await?;
        }
        Ok(())
    }
}

/// What a run that waits for the maker needs: to be deployed or canceled.
fn waiting_for_you(run: &RunSummary) -> Explanation {
    let stage = run.stage_name.as_deref().unwrap_or(&run.stage_id);
    let validated = run.status == StageRunStatus::ValidationSucceeded.code() as i32;
    Explanation {
        id: "waiting-for-you".into(),
        code: None,
        title: if validated {
            "Validated, waiting for you".into()
        } else {
            "Created, never validated".into()
        },
        cause: "Nothing moves this run on but its maker: it is not deploying, and no gate holds it."
            .into(),
        next_step: format!(
            "deploy it with `ferry deploy --solution {} --stage \"{stage}\" --run {}`, or cancel it with `ferry run cancel {}`",
            run.solution, run.id, run.id
        ),
        details: Vec::new(),
    }
}

/// Whether the host took the run's deployment (it is past validation).
fn deploy_received(r: &HostRun) -> bool {
    use StageRunStatus as S;
    matches!(
        r.status(),
        Some(
            S::Started
                | S::Scheduled
                | S::PreDeploymentInProgress
                | S::PreDeploymentSucceeded
                | S::Deploying
        )
    )
}

/// A run nobody but the maker can move on: created and never validated, or
/// validated and never deployed (a pending approval is not this).
fn waits_for_maker(r: &HostRun) -> bool {
    match r.status() {
        Some(StageRunStatus::NotStarted) => true,
        Some(StageRunStatus::ValidationSucceeded) => {
            r.approvalstatus != Some(APPROVAL_PENDING)
                && r.operationstatus != Some(ferry_pipelines::OperationStatus::Pending.code())
        }
        _ => false,
    }
}

fn variable_kind(label: &str) -> VariableKind {
    match label {
        "Number" => VariableKind::Number,
        "Boolean" => VariableKind::Boolean,
        "JSON" => VariableKind::Json,
        "Data source" => VariableKind::DataSource,
        "Secret" => VariableKind::Secret,
        _ => VariableKind::String,
    }
}

/// The settings document of a plan: only the values that are set.
pub(crate) fn settings_of(plan: &Plan) -> DeploymentSettings {
    DeploymentSettings {
        environment_variables: plan
            .environment_variables
            .iter()
            .filter_map(|v| {
                Some(EnvironmentVariableSetting {
                    schema_name: v.schema_name.clone(),
                    value: v.value.clone()?,
                    ..Default::default()
                })
            })
            .collect(),
        connection_references: plan
            .connection_references
            .iter()
            .filter_map(|c| {
                Some(ConnectionReferenceSetting {
                    logical_name: c.logical_name.clone(),
                    connection_id: c.connection_id.clone()?,
                    connector_id: Some(c.connector_id.clone()),
                    ..Default::default()
                })
            })
            .collect(),
        ..Default::default()
    }
}

pub(crate) fn parse_id(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text.trim()).map_err(|_| {
        OpsError::InvalidInput(format!(
            "{text:?} is not a run id (a GUID like 0f8fad5b-d9cb-469f-a165-70867728950e)"
        ))
    })
}

/// A schedule: RFC 3339 in the future, sent as UTC.
pub(crate) fn parse_schedule(text: &str) -> Result<String> {
    let t = parse_time(Some(text)).ok_or_else(|| {
        OpsError::InvalidInput(format!(
            "{text:?} is not a time: use RFC 3339 with a zone, like 2026-12-01T18:00:00Z"
        ))
    })?;
    if t <= OffsetDateTime::now_utc() {
        return Err(OpsError::InvalidInput(format!(
            "{text} is in the past: give a future time, or leave --at out to deploy now"
        )));
    }
    let utc = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    Ok(utc.format(&Rfc3339).unwrap_or_else(|_| text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(fields: serde_json::Value) -> HostRun {
        let mut v = json!({ "deploymentstagerunid": Uuid::nil() });
        for (k, x) in fields.as_object().unwrap() {
            v[k] = x.clone();
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn states_become_event_kinds() {
        let cases = [
            (
                json!({"stagerunstatus": 200000000}),
                RunEventKind::Requested,
                None,
            ),
            (
                json!({"stagerunstatus": 200000006, "suboperation": 200000102}),
                RunEventKind::Validating,
                None,
            ),
            (
                json!({"stagerunstatus": 200000007}),
                RunEventKind::Validated,
                None,
            ),
            (
                json!({"stagerunstatus": 200000007, "approvalstatus": 10}),
                RunEventKind::WaitingOnGate,
                Some(Gate::Approval),
            ),
            (
                json!({"stagerunstatus": 200000008, "predeploymentstepstatus": 10}),
                RunEventKind::WaitingOnGate,
                Some(Gate::PreDeploymentStep),
            ),
            (
                json!({"stagerunstatus": 200000006, "suboperation": 200000108}),
                RunEventKind::WaitingOnGate,
                Some(Gate::PreExportStep),
            ),
            (
                json!({"stagerunstatus": 200000005}),
                RunEventKind::Scheduled,
                None,
            ),
            (
                json!({"stagerunstatus": 200000010, "suboperation": 200000104}),
                RunEventKind::Importing,
                None,
            ),
            (
                json!({"stagerunstatus": 200000010, "suboperation": 200000105}),
                RunEventKind::Publishing,
                None,
            ),
            (
                json!({"stagerunstatus": 200000002, "approvalstatus": 10}),
                RunEventKind::Succeeded,
                None,
            ),
            (
                json!({"stagerunstatus": 200000003}),
                RunEventKind::Failed,
                None,
            ),
            (
                json!({"stagerunstatus": 200000004}),
                RunEventKind::Canceled,
                None,
            ),
            (
                json!({"stagerunstatus": 200000099, "operation": 200000201}),
                RunEventKind::Validating,
                None,
            ),
            (
                json!({"stagerunstatus": 200000099}),
                RunEventKind::Deploying,
                None,
            ),
        ];
        for (fields, kind, gate) in cases {
            assert_eq!(classify(&run(fields.clone())), (kind, gate), "{fields}");
        }
    }

    #[test]
    fn only_abandoned_runs_wait_for_the_maker() {
        assert!(waits_for_maker(&run(json!({"stagerunstatus": 200000000}))));
        assert!(waits_for_maker(&run(json!({"stagerunstatus": 200000007}))));
        assert!(!waits_for_maker(&run(
            json!({"stagerunstatus": 200000007, "approvalstatus": 10})
        )));
        assert!(!waits_for_maker(&run(
            json!({"stagerunstatus": 200000007, "operationstatus": 200000004})
        )));
        assert!(!waits_for_maker(&run(json!({"stagerunstatus": 200000010}))));
    }

    #[test]
    fn schedules_must_be_future_rfc3339() {
        assert!(parse_schedule("tomorrow").is_err());
        assert!(parse_schedule("2001-01-01T00:00:00Z").is_err());
        let later = OffsetDateTime::now_utc() + time::Duration::days(1);
        let text = later
            .to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap())
            .format(&Rfc3339)
            .unwrap();
        let sent = parse_schedule(&text).unwrap();
        assert!(sent.ends_with('Z'), "{sent}");
        assert!(parse_id("nope").is_err());
    }
}
