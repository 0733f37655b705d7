// Engine answers shaped like the Local sandbox's, for UI tests.
import type { Plan, RunSummary, StageOverview } from "../ipc";

export function run(patch: Partial<RunSummary> = {}): RunSummary {
  return {
    id: "run-1",
    solution: "ContosoCore",
    stageId: "stage-test",
    stageName: "Deploy to Test",
    pipelineName: "Contoso Release",
    targetName: "Contoso Test",
    status: 200000002,
    statusLabel: "Succeeded",
    step: null,
    terminal: true,
    version: "1.0.0.4",
    devVersion: "1.0.0.3",
    notes: null,
    errorMessage: null,
    createdOn: "2026-12-01T10:00:00Z",
    createdBy: "Mona Maker",
    startTime: "2026-12-01T10:00:01Z",
    endTime: "2026-12-01T10:00:30Z",
    scheduledTime: null,
    approvalStatus: null,
    preDeploymentStepStatus: null,
    artifactId: null,
    isRedeployment: false,
    ...patch,
  };
}

export function stage(patch: Partial<StageOverview> = {}): StageOverview {
  return {
    id: "stage-test",
    name: "Deploy to Test",
    previousStageId: null,
    targetName: "Contoso Test",
    targetEnvironmentId: "env-test",
    delegated: false,
    preDeploymentStep: false,
    enableRedeployment: false,
    deployability: { deployable: true, reason: "A new export of 1.0.0.3", version: null },
    latestRun: null,
    ...patch,
  };
}

export function plan(patch: Partial<Plan> = {}): Plan {
  return {
    solution: { id: "s1", uniqueName: "ContosoCore", friendlyName: "Contoso Core", version: "1.0.0.3", isManaged: false },
    pipelineId: "p1",
    pipelineName: "Contoso Release",
    stage: stage(),
    devVersion: "1.0.0.3",
    stageVersion: null,
    targetVersion: null,
    version: "1.0.0.4",
    promotes: false,
    environmentVariables: [
      { schemaName: "cont_ApiBaseUrl", displayName: "API base URL", kind: "String", defaultValue: "https://api.dev", value: null, source: "missing" },
      { schemaName: "cont_RetryCount", displayName: "Retry count", kind: "Number", defaultValue: "3", value: "5", source: "stageProfile" },
    ],
    connectionReferences: [
      {
        logicalName: "cont_office",
        displayName: "Office 365 Outlook",
        connectorId: "/providers/Microsoft.PowerApps/apis/shared_office365",
        connectionId: null,
        source: "missing",
        choices: [{ id: "test-office365", displayName: "svc-test@contoso.example", connector: "shared_office365", status: "Connected" }],
      },
    ],
    checks: [],
    ready: false,
    redeploy: null,
    ...patch,
  };
}
