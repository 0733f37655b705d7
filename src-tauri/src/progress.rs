//! Progress of long operations: the engine's [`RunEvent`]s go into the Tauri
//! channel the UI passed, and the ones a maker should not miss — a run ended,
//! or started waiting on a gate — also become a desktop notification.

use std::sync::Arc;

use ferry_ops::{ProgressSink, RunEvent, RunEventKind};
use tauri::ipc::Channel;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

use crate::state::AppState;

/// Forwards events to the window (when one listens) and notifies.
pub struct Progress {
    app: AppHandle,
    state: Arc<AppState>,
    channel: Option<Channel<RunEvent>>,
}

impl Progress {
    pub fn new(app: &AppHandle, state: Arc<AppState>, channel: Option<Channel<RunEvent>>) -> Self {
        Self {
            app: app.clone(),
            state,
            channel,
        }
    }
}

impl ProgressSink for Progress {
    fn event(&self, event: RunEvent) {
        if let Some((title, body)) = notification_text(&event) {
            if self.state.first_time(&event.run_id, event.kind) {
                // No notification service (a bare CI session) is not an error for the run.
                let _ = self
                    .app
                    .notification()
                    .builder()
                    .title(title)
                    .body(body)
                    .show();
            }
        }
        if let Some(channel) = &self.channel {
            // A closed window only means nobody watches any more.
            let _ = channel.send(event);
        }
    }
}

/// The notification for an event, if it deserves one.
pub fn notification_text(e: &RunEvent) -> Option<(String, String)> {
    let what = format!(
        "{} {}",
        e.run.solution,
        e.run.version.as_deref().unwrap_or_default()
    );
    let what = what.trim();
    let stage = e.run.stage_name.as_deref().unwrap_or("its stage");
    let title = match e.kind {
        RunEventKind::Succeeded => format!("{what} is deployed to {stage}"),
        RunEventKind::Failed => format!("{what} failed in {stage}"),
        RunEventKind::Canceled => format!("{what} was canceled in {stage}"),
        RunEventKind::WaitingOnGate => format!("{what} is waiting in {stage}"),
        _ => return None,
    };
    Some((title, e.message.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: RunEventKind) -> RunEvent {
        serde_json::from_value(serde_json::json!({
            "runId": "r1", "kind": kind, "at": "2026-12-01T10:00:00Z", "gate": null,
            "since": null, "scheduledFor": null, "message": "Waiting for approval.",
            "explanations": [],
            "run": {
                "id": "r1", "solution": "ContosoCore", "stageId": "s", "stageName": "Deploy to Test",
                "pipelineName": null, "targetName": null, "status": 1, "statusLabel": "x",
                "step": null, "terminal": false, "version": "1.0.0.4", "devVersion": null,
                "notes": null, "errorMessage": null, "createdOn": null, "createdBy": null,
                "startTime": null, "endTime": null, "scheduledTime": null,
                "approvalStatus": null, "preDeploymentStepStatus": null,
                "artifactId": null, "isRedeployment": false
            }
        }))
        .unwrap()
    }

    #[test]
    fn only_endings_and_gates_are_notified() {
        let (title, body) = notification_text(&event(RunEventKind::Succeeded)).unwrap();
        assert_eq!(title, "ContosoCore 1.0.0.4 is deployed to Deploy to Test");
        assert_eq!(body, "Waiting for approval.");
        assert!(notification_text(&event(RunEventKind::WaitingOnGate))
            .unwrap()
            .0
            .contains("waiting"));
        assert!(notification_text(&event(RunEventKind::Importing)).is_none());
        assert!(notification_text(&event(RunEventKind::Validated)).is_none());
    }
}
