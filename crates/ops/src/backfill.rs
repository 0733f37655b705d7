//! Steps a run passed while no Ferry process watched it, backfilled into its timeline on
//! resume from the host's log of the run (`deploymentstagerunstatuses`, spec §2.6).
//!
//! Best effort: the columns are documented, but which rows a real host writes per phase is
//! not, so a 404 (an old or different host), an empty answer or any other failure leaves the
//! timeline as it was — the run's own state, read next, is what counts.

use ferry_cache::TimelineEntry;
use ferry_dataverse::pipelines::{self as p, RunStatusRow};
use ferry_dataverse::Client;
use ferry_pipelines::{Operation, OperationStatus, StageRunStatus, SubOperation};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::engine::{parse_time, Engine};

impl Engine {
    /// Adds to `run`'s timeline the steps the host logged after its newest entry and before
    /// `before` (the run's state read now, which is appended next); returns how many. Never
    /// fails: what cannot be read is skipped (and logged).
    pub(crate) async fn backfill(
        &self,
        host: &Client,
        run: Uuid,
        before: Option<OffsetDateTime>,
    ) -> usize {
        let rows = match p::run_statuses(host, run).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::info!(run = %run, error = %e, "no log of the run's steps to backfill from");
                return 0;
            }
        };
        let now = OffsetDateTime::now_utc();
        let entries: Vec<TimelineEntry> = rows
            .iter()
            .filter_map(|r| entry(r, now))
            .filter(|e| before.is_none_or(|b| e.at < b))
            .collect();
        if entries.is_empty() {
            return 0;
        }
        match self
            .cache()
            .backfill_timeline(self.profile_id(), &run.to_string(), &entries)
        {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(run = %run, error = %e, "cannot backfill the run's timeline");
                0
            }
        }
    }
}

/// A log row as a timeline entry: when it started, the run status its operation implies.
fn entry(r: &RunStatusRow, observed_at: OffsetDateTime) -> Option<TimelineEntry> {
    let at = parse_time(r.starttime.as_deref())?;
    let status = implied_status(r)?;
    let sub = r.suboperation.and_then(SubOperation::from_code);
    Some(TimelineEntry {
        seq: 0,
        at,
        observed_at,
        stage_run_status: status.code() as i32,
        stage_run_status_label: Some(status.label().to_string()),
        operation: r.operation.and_then(|o| i32::try_from(o).ok()),
        sub_operation: r.suboperation.and_then(|o| i32::try_from(o).ok()),
        sub_operation_label: sub
            .map(|s| s.label().to_string())
            .or_else(|| r.name.clone()),
        operation_status: r.operationstatus.and_then(|o| i32::try_from(o).ok()),
        approval_status: None,
        pre_deployment_step_status: None,
        pre_export_step_status: None,
        detail: r
            .errormessage
            .clone()
            .filter(|e| !e.is_empty())
            .or_else(|| r.details.clone().filter(|d| !d.is_empty())),
    })
}

/// The run status a logged operation means (the log row has no `stagerunstatus`): an
/// operation that failed or was canceled ended the run; a validation that succeeded left it
/// validated; otherwise the operation was under way. `None` for a row with no operation.
fn implied_status(r: &RunStatusRow) -> Option<StageRunStatus> {
    use StageRunStatus as S;
    let operation = Operation::from_code(r.operation?)?;
    let status = r.operationstatus.and_then(OperationStatus::from_code);
    Some(match (operation, status) {
        (_, Some(OperationStatus::Failed)) => S::Failed,
        (_, Some(OperationStatus::Canceled)) => S::Canceled,
        (Operation::Validate, Some(OperationStatus::Succeeded)) => S::ValidationSucceeded,
        (Operation::Validate, _) => S::Validating,
        (Operation::PreDeploy, Some(OperationStatus::Succeeded)) => S::PreDeploymentSucceeded,
        (Operation::PreDeploy, _) => S::PreDeploymentInProgress,
        (Operation::Deploy, Some(OperationStatus::Succeeded)) => S::Succeeded,
        (Operation::Deploy, _) => S::Deploying,
        (Operation::None, _) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::brisk_options;
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A host that answers every request with `status` and `body`.
    async fn fake_host(status: &'static str, body: &'static str) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    let _ = conn.read(&mut buf).await;
                    let answer = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = conn.write_all(answer.as_bytes()).await;
                });
            }
        });
        url
    }

    fn client(url: &str) -> Client {
        Client::new(url, Arc::new(ferry_dataverse::StaticToken::new("t"))).unwrap()
    }

    #[tokio::test]
    async fn a_host_without_the_log_or_with_an_empty_one_is_tolerated() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(brisk_options(dir.path())).unwrap();
        let run = Uuid::new_v4();
        let missing = fake_host(
            "404 Not Found",
            r#"{"error":{"code":"0x80060888","message":"Resource not found for the segment 'deploymentstagerunstatuses'."}}"#,
        )
        .await;
        assert_eq!(engine.backfill(&client(&missing), run, None).await, 0);
        let empty = fake_host("200 OK", r#"{"value":[]}"#).await;
        assert_eq!(engine.backfill(&client(&empty), run, None).await, 0);
    }

    #[test]
    fn log_rows_imply_the_status_of_their_operation() {
        let row = |op: i64, status: i64| RunStatusRow {
            operation: Some(op),
            operationstatus: Some(status),
            starttime: Some("2026-03-01T10:00:00Z".into()),
            suboperation: Some(200_000_104),
            ..Default::default()
        };
        let status = |r: &RunStatusRow| implied_status(r).map(StageRunStatus::code);
        use StageRunStatus as S;
        assert_eq!(
            status(&row(200_000_201, 200_000_001)),
            Some(S::Validating.code())
        );
        assert_eq!(
            status(&row(200_000_201, 200_000_002)),
            Some(S::ValidationSucceeded.code())
        );
        assert_eq!(
            status(&row(200_000_202, 200_000_001)),
            Some(S::Deploying.code())
        );
        assert_eq!(
            status(&row(200_000_202, 200_000_003)),
            Some(S::Failed.code())
        );
        assert_eq!(status(&row(200_000_200, 200_000_001)), None);
        let e = entry(&row(200_000_202, 200_000_001), OffsetDateTime::now_utc()).unwrap();
        assert_eq!(e.sub_operation_label.as_deref(), Some("Importing Solution"));
        // A row without a time cannot be placed on the timeline.
        let mut timeless = row(200_000_202, 200_000_001);
        timeless.starttime = None;
        assert!(entry(&timeless, OffsetDateTime::now_utc()).is_none());
    }
}
