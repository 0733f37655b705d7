//! The operations layer's IPC types as one TypeScript module. The app's UI
//! imports it as `ui/src/ipc/ops.ts`; `ferry-ipc`'s drift test writes and checks
//! that file (`UPDATE_BINDINGS=1 cargo test -p ferry-ipc`).

use ts_rs::TS;

use crate::explain::Explanation;
use crate::signin::{AccountInfo, DeviceCodePrompt, SignInEvent, SignInMethod};
use crate::status::HostStatus;
use crate::storage::CacheInfo;
use crate::types::*;

/// Renders every type the app passes over IPC, in a stable order.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::default();
    let decls = [
        ProfileKind::decl(&cfg),
        ProfileInfo::decl(&cfg),
        NewProfile::decl(&cfg),
        ConnectionInfo::decl(&cfg),
        HostStatus::decl(&cfg),
        CacheInfo::decl(&cfg),
        SolutionSummary::decl(&cfg),
        RunSummary::decl(&cfg),
        Deployability::decl(&cfg),
        StageOverview::decl(&cfg),
        PipelineOverview::decl(&cfg),
        RedeployCandidate::decl(&cfg),
        ValueSource::decl(&cfg),
        PlannedVariable::decl(&cfg),
        ConnectionChoice::decl(&cfg),
        PlannedConnection::decl(&cfg),
        CheckSeverity::decl(&cfg),
        Check::decl(&cfg),
        Plan::decl(&cfg),
        DeploymentValues::decl(&cfg),
        VariableValue::decl(&cfg),
        ConnectionValue::decl(&cfg),
        PlanRequest::decl(&cfg),
        DeployRequest::decl(&cfg),
        RunEventKind::decl(&cfg),
        Gate::decl(&cfg),
        Explanation::decl(&cfg),
        RunEvent::decl(&cfg),
        RunOutcome::decl(&cfg),
        TimelineItem::decl(&cfg),
        HistoryFilter::decl(&cfg),
        HistoryResult::decl(&cfg),
        HistoryChoices::decl(&cfg),
        StartReads::decl(&cfg),
        StartHistory::decl(&cfg),
        SyncReport::decl(&cfg),
        Drift::decl(&cfg),
        MatrixCell::decl(&cfg),
        MatrixStage::decl(&cfg),
        MatrixRow::decl(&cfg),
        Matrix::decl(&cfg),
        ExportFormat::decl(&cfg),
        RunRecord::decl(&cfg),
        SignInMethod::decl(&cfg),
        DeviceCodePrompt::decl(&cfg),
        SignInEvent::decl(&cfg),
        AccountInfo::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/ops by `UPDATE_BINDINGS=1 cargo test -p ferry-ipc`. Do not edit.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_referenced_type_is_declared() {
        let ts = super::typescript_bindings();
        for name in ["Plan", "RunEvent", "Explanation", "HostStatus", "Gate"] {
            assert!(
                ts.contains(&format!("export type {name} =")),
                "{name} missing"
            );
        }
        // DeployRequest flattens its plan request.
        let deploy = &ts[ts
            .find("export type DeployRequest =")
            .expect("DeployRequest")..];
        let deploy = &deploy[..deploy.find("};").expect("end")];
        assert!(
            deploy.contains("solution: string") && deploy.contains("wait: boolean"),
            "{deploy}"
        );
    }
}
