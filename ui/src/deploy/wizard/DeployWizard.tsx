import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Spinner, Text, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import {
  cancelOperation,
  deploy,
  newOperationId,
  plan as planOf,
  validate,
  type Plan,
  type RunEvent,
  type RunOutcome,
} from "../../ipc";
import { followLive } from "../../run/live";
import { useValuesCheck } from "../values";
import { DetailsStep } from "./DetailsStep";
import { SummaryStep } from "./SummaryStep";
import { ValidateStep, validationPassed } from "./ValidateStep";
import { ValuesStep } from "./ValuesStep";
import {
  STEPS,
  deployRequest,
  initialState,
  planRequest,
  scheduleProblem,
  type WizardState,
  type WizardStep,
} from "./state";
import type { Navigate } from "../../shell/route";
import { ErrorNote } from "../../components/ErrorNote";
import { PageHeader } from "../../components/PageHeader";

const useStyles = makeStyles({
  steps: { display: "flex", gap: tokens.spacingHorizontalL, listStyle: "none", margin: 0, padding: 0, marginBottom: tokens.spacingVerticalL, flexWrap: "wrap" },
  step: { color: tokens.colorNeutralForeground3 },
  current: { color: tokens.colorBrandForeground1, fontWeight: tokens.fontWeightSemibold },
  card: { padding: tokens.spacingVerticalXL, gap: tokens.spacingVerticalL },
  footer: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

/** Whether a deployment's event is past its validation: the deployment is under way. */
function pastValidation(e: RunEvent): boolean {
  return e.kind !== "requested" && e.kind !== "validating" && e.kind !== "validated";
}

/** The deploy wizard: when and what → validate → values → summary → Deploy. */
export function DeployWizard({
  solution,
  stageId,
  redeployOf,
  navigate,
}: {
  solution: string;
  stageId: string;
  /** An earlier successful run whose package goes to the stage again. */
  redeployOf: string | null;
  navigate: Navigate;
}) {
  const initial = useQuery({
    queryKey: ["plan", solution, stageId, redeployOf],
    queryFn: () => planOf({ solution, stage: stageId, settingsJson: null, values: null, version: null, redeployOf }),
    staleTime: Infinity,
  });
  const crumbs = [
    { label: "Solutions", onClick: () => navigate({ page: "deploy" }) },
    { label: solution, onClick: () => navigate({ page: "solution", solution }) },
  ];
  if (initial.isPending) return <Spinner label="Planning the deployment…" />;
  if (initial.isError) {
    return (
      <div data-testid="wizard">
        <PageHeader title={`Deploy ${solution}`} subtitle="" crumbs={crumbs} />
        <ErrorNote title="Could not plan the deployment" error={initial.error} onRetry={() => void initial.refetch()} />
      </div>
    );
  }
  return <Wizard plan={initial.data} solution={solution} stageId={stageId} navigate={navigate} crumbs={crumbs} />;
}

function Wizard({
  plan,
  solution,
  stageId,
  navigate,
  crumbs,
}: {
  plan: Plan;
  solution: string;
  stageId: string;
  navigate: Navigate;
  crumbs: { label: string; onClick: () => void }[];
}) {
  const styles = useStyles();
  const client = useQueryClient();
  const [step, setStep] = useState<WizardStep>("details");
  const [state, setState] = useState<WizardState>(() => initialState(plan));
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [outcome, setOutcome] = useState<RunOutcome | undefined>();
  const opId = useRef<string | null>(null);
  // Leaving the wizard stops following a validation (the run itself stays on the host); a
  // deployment goes on being followed, for its run page.
  useEffect(() => () => void (opId.current && cancelOperation(opId.current)), []);

  const validation = useMutation({
    mutationFn: () => {
      setEvents([]);
      setOutcome(undefined);
      opId.current = newOperationId("validate");
      return validate(planRequest(solution, stageId, state, plan, false), opId.current, (e) =>
        setEvents((list) => [...list, e]),
      );
    },
    onSuccess: (o) => setOutcome(o),
    onSettled: () => void client.invalidateQueries({ queryKey: ["history"] }),
  });
  const start = useMutation({
    // Resolves with the run's id once the deployment is under way: a deployment now goes on
    // being followed (for its run page, see run/live.ts), a scheduled one is left to the run page.
    mutationFn: () =>
      new Promise<string>((resolve, reject) => {
        opId.current = null;
        const request = deployRequest(solution, stageId, state, plan, outcome?.run.id ?? null);
        const op = newOperationId("deploy");
        if (!request.wait || !request.runId) {
          deploy(request, op, () => undefined).then((o) => resolve(o.run.id), reject);
          return;
        }
        const runId = request.runId;
        followLive(runId, (onEvent) =>
          deploy(request, op, (e) => {
            onEvent(e);
            if (pastValidation(e)) resolve(runId);
          }),
        ).then(() => resolve(runId), reject);
      }),
    onSuccess: (runId) => {
      void client.invalidateQueries({ queryKey: ["history"] });
      void client.invalidateQueries({ queryKey: ["pipelines", solution] });
      void client.invalidateQueries({ queryKey: ["matrix"] });
      navigate({ page: "run", runId, from: "deploy" });
    },
  });

  const schedule = scheduleProblem(state, new Date());
  // The engine's verdict on the values, asked as they change (the last one stays until the next).
  const verdict = useValuesCheck(plan, state.values);
  const valuesOk = verdict.check?.ready === true;
  const passed = validationPassed(outcome);
  const go = (next: WizardStep) => setStep(next);

  return (
    <div data-testid="wizard">
      <PageHeader
        title={`Deploy ${plan.solution.friendlyName || solution}`}
        subtitle={`${plan.stage.name} → ${plan.stage.targetName ?? "its target"} · ${plan.pipelineName}`}
        crumbs={crumbs}
      />
      <ol className={styles.steps} aria-label="Steps">
        {STEPS.map((s, i) => (
          <li
            key={s.id}
            className={mergeClasses(styles.step, s.id === step && styles.current)}
            aria-current={s.id === step ? "step" : undefined}
          >
            {i + 1}. {s.label}
          </li>
        ))}
      </ol>
      <Card className={styles.card}>
        {step === "details" && <DetailsStep plan={plan} state={state} onChange={setState} scheduleProblem={schedule} />}
        {step === "validate" && (
          <ValidateStep plan={plan} events={events} outcome={outcome} error={validation.error ?? undefined} running={validation.isPending} />
        )}
        {step === "values" && <ValuesStep plan={plan} values={state.values} verdict={verdict} onChange={(values) => setState({ ...state, values })} />}
        {step === "summary" && <SummaryStep plan={plan} state={state} verdict={verdict} />}
        {start.isError && <ErrorNote title="The deployment did not start" error={start.error} testId="deploy-error" />}
        <div className={styles.footer}>
          {step === "details" && (
            <Button
              appearance="primary"
              disabled={Boolean(schedule)}
              onClick={() => {
                go("validate");
                validation.mutate();
              }}
              data-testid="start-validation"
            >
              Validate
            </Button>
          )}
          {step === "validate" && (
            <>
              <Button onClick={() => go("details")} disabled={validation.isPending}>
                Back
              </Button>
              {validation.isPending ? (
                <Button onClick={() => opId.current && void cancelOperation(opId.current)} data-testid="stop-validation">
                  Stop waiting
                </Button>
              ) : (
                !passed && (
                  <Button onClick={() => validation.mutate()} data-testid="validate-again">
                    Validate again
                  </Button>
                )
              )}
              <Button appearance="primary" disabled={!passed} onClick={() => go("values")} data-testid="to-values">
                Next
              </Button>
            </>
          )}
          {step === "values" && (
            <>
              <Button onClick={() => go("validate")}>Back</Button>
              <Button
                appearance="primary"
                disabled={!valuesOk}
                onClick={() => go("summary")}
                data-testid="to-summary"
              >
                Next
              </Button>
              {verdict.check && !verdict.check.ready && <Text size={200}>Fix the values marked above to go on.</Text>}
            </>
          )}
          {step === "summary" && (
            <>
              <Button onClick={() => go("values")} disabled={start.isPending}>
                Back
              </Button>
              <Button
                appearance="primary"
                disabled={start.isPending || verdict.pending || !valuesOk}
                onClick={() => start.mutate()}
                data-testid="deploy-now"
              >
                {start.isPending ? "Starting…" : state.when === "later" ? "Schedule deployment" : "Deploy"}
              </Button>
            </>
          )}
        </div>
      </Card>
    </div>
  );
}
