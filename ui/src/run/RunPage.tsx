import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Badge,
  Button,
  Card,
  CardHeader,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwise20Regular, ArrowExportUp20Regular, Dismiss20Regular } from "@fluentui/react-icons";
import {
  cancelOperation,
  cancelRun,
  exportRun,
  newOperationId,
  retryRun,
  runRecord,
  saveRunExport,
  watchRun,
  type ExportFormat,
  type FerryError,
  type RunEvent,
} from "../ipc";
import { copyText } from "../lib/clipboard";
import { formatWhen } from "../lib/days";
import { Findings, findingsOf } from "../components/Findings";
import { joinLive } from "./live";
import { RunTimeline } from "./RunTimeline";
import { outcomeColor, outcomeOf, STATUS } from "./status";
import { stepsFor } from "./steps";
import { useNow } from "./useNow";
import type { Navigate } from "../shell/route";
import { useOffline } from "../shell/useStatus";
import { ErrorNote } from "../components/ErrorNote";
import { PageHeader } from "../components/PageHeader";
import { TextDialog } from "../components/TextDialog";

const useStyles = makeStyles({
  grid: { display: "grid", gridTemplateColumns: "minmax(320px, 1.4fr) minmax(260px, 1fr)", gap: tokens.spacingHorizontalXL },
  card: { padding: tokens.spacingVerticalL, gap: tokens.spacingVerticalM },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

/** How far ahead a scheduled run is still followed live (the engine waits up to 30 min). */
const FOLLOW_AHEAD_MS = 25 * 60 * 1000;

const GATE_WORDS = {
  approval: "approval",
  preDeploymentStep: "the pre-deployment step",
  preExportStep: "the pre-export step",
} as const;

/** One run: a live timeline while it goes on, what went wrong when it failed, cancel, retry, export. */
export function RunPage({ runId, from, navigate }: { runId: string; from: "deploy" | "history"; navigate: Navigate }) {
  const styles = useStyles();
  const client = useQueryClient();
  const offline = useOffline();
  const record = useQuery({ queryKey: ["run", runId], queryFn: () => runRecord(runId) });
  const [latest, setLatest] = useState<RunEvent | undefined>();
  const [following, setFollowing] = useState(false);
  const [followError, setFollowError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const run = record.data?.run;
  const live = Boolean(run && !run.terminal);

  const onEvent = (event: RunEvent) => {
    setLatest(event);
    void client.invalidateQueries({ queryKey: ["run", runId] });
  };

  // Follow the run while it goes on (and the host answers); stop when the page closes.
  // Not followed: a validation nobody deployed (it waits for the maker) and a run
  // scheduled further ahead than the engine waits.
  const early = run ? outcomeOf(run) : undefined;
  const waitsForMaker = early === "validated" && from === "history";
  const farAhead =
    early === "scheduled" && Boolean(run?.scheduledTime) && Date.parse(run!.scheduledTime!) - Date.now() > FOLLOW_AHEAD_MS;
  const shouldFollow = live && !offline && !waitsForMaker && !farAhead;
  // A run this window follows already (the deployment the wizard started) is shown from that
  // follower's events, never followed twice.
  useEffect(() => {
    if (!shouldFollow) return;
    let active = true;
    setFollowing(true);
    setFollowError(null);
    const joined = joinLive(runId, onEvent);
    let done: Promise<unknown>;
    let stop: () => void;
    if (joined) {
      done = joined.done;
      stop = joined.leave;
    } else {
      const opId = newOperationId("watch");
      done = watchRun(runId, opId, onEvent);
      stop = () => void cancelOperation(opId);
    }
    done
      .catch((e: unknown) => active && setFollowError(e))
      .finally(() => {
        if (active) setFollowing(false);
        void client.invalidateQueries({ queryKey: ["run", runId] });
        void client.invalidateQueries({ queryKey: ["history"] });
      });
    return () => {
      active = false;
      stop();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runId, shouldFollow, generation]);

  const cancel = useMutation({
    mutationFn: () => cancelRun(runId),
    onSuccess: () => client.invalidateQueries({ queryKey: ["run", runId] }),
  });
  const retry = useMutation({
    mutationFn: () => retryRun(runId, newOperationId("retry"), onEvent),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["run", runId] });
      setGeneration((g) => g + 1);
    },
  });
  // Read ahead, so a copy happens within the click (WebKit allows the clipboard only then).
  const markdown = useQuery({ queryKey: ["run", runId, "markdown"], queryFn: () => exportRun(runId, "markdown"), enabled: record.isSuccess });
  const json = useQuery({ queryKey: ["run", runId, "json"], queryFn: () => exportRun(runId, "json"), enabled: record.isSuccess });
  const [manual, setManual] = useState<string | null>(null);
  const copyAs = (format: ExportFormat) => {
    const text = (format === "json" ? json.data : markdown.data) ?? "";
    copyText(text)
      .then(() => setNote(`The run record is on the clipboard as ${format === "json" ? "JSON" : "Markdown"}.`))
      .catch(() => setManual(text));
  };
  const saveAs = (format: ExportFormat) => {
    saveRunExport(runId, format)
      .then((path) => path && setNote(`Saved the run record to ${path}`))
      .catch((e: unknown) => setNote((e as FerryError).message));
  };
  const now = useNow(live);

  const crumbs =
    from === "history"
      ? [{ label: "History", onClick: () => navigate({ page: "history" }) }]
      : [
          { label: "Solutions", onClick: () => navigate({ page: "deploy" }) },
          ...(run ? [{ label: run.solution, onClick: () => navigate({ page: "solution", solution: run.solution }) }] : []),
        ];
  if (record.isPending) return <Spinner label="Opening the run…" />;
  if (record.isError || !run) {
    return (
      <div data-testid="run-page">
        <PageHeader title="Run" subtitle={runId} crumbs={crumbs} />
        <ErrorNote title="Could not open the run" error={record.error} onRetry={() => void record.refetch()} />
      </div>
    );
  }
  // The engine says when a run starts waiting on a gate, even if the row shows no pending gate yet.
  const waiting = latest?.kind === "waitingOnGate" && latest.run.status === run.status;
  const outcome = waiting ? "waiting" : outcomeOf(run);
  const { findings, missing } = findingsOf(record.data.explanations, []);
  // Past validation (it reached the import): Retry, not validating again, is the way on.
  const deployedOnce = record.data.timeline.some((t) => t.status === STATUS.deploying);
  return (
    <div data-testid="run-page" data-outcome={outcome} data-run-id={run.id}>
      <PageHeader
        title={`${run.solution} ${run.version ?? ""}`.trim()}
        subtitle={`${run.stageName ?? "Stage"}${run.targetName ? ` → ${run.targetName}` : ""}${run.pipelineName ? ` · ${run.pipelineName}` : ""}`}
        crumbs={crumbs}
        actions={
          <Badge size="large" appearance="filled" color={outcomeColor(outcome)} data-testid="run-status">
            {waiting && latest?.gate ? `Waiting on ${GATE_WORDS[latest.gate]}` : run.statusLabel}
          </Badge>
        }
      />
      <div className={styles.grid}>
        <Card className={styles.card}>
          <CardHeader
            header={<Text weight="semibold">Progress</Text>}
            description={following ? <Text size={200}>Following live</Text> : undefined}
          />
          <div aria-live="polite">
            <RunTimeline steps={stepsFor(run, record.data.timeline, latest)} now={now} />
          </div>
          {run.status === STATUS.failed && (findings.length > 0 || missing.length > 0) && (
            <Findings
              findings={findings}
              missing={missing}
              verdict={
                deployedOnce
                  ? "The deployment failed after validating. Fix what is below, then press Retry."
                  : undefined
              }
            />
          )}
          {run.status === STATUS.failed && findings.length === 0 && missing.length === 0 && run.errorMessage && (
            <MessageBar intent="error" layout="multiline" data-testid="run-error">
              <MessageBarBody>{run.errorMessage}</MessageBarBody>
            </MessageBar>
          )}
          {waitsForMaker && (
            <Text data-testid="waits-for-maker">
              Validated, not deployed. To deploy it, open {run.solution} and choose Deploy here on {run.stageName ?? "its stage"}.
            </Text>
          )}
          {farAhead && (
            <Text>Scheduled for {formatWhen(run.scheduledTime)}. Ferry follows it again when you open it closer to then.</Text>
          )}
          {followError != null && <ErrorNote title="Stopped following the run" error={followError} />}
        </Card>
        <Card className={styles.card}>
          <CardHeader header={<Text weight="semibold">Details</Text>} />
          <dl className={styles.facts}>
            <dt className={styles.term}>Requested</dt>
            <dd className={styles.value}>
              {formatWhen(run.createdOn)}
              {run.createdBy ? ` by ${run.createdBy}` : ""}
            </dd>
            {run.scheduledTime && (
              <>
                <dt className={styles.term}>Scheduled for</dt>
                <dd className={styles.value}>{formatWhen(run.scheduledTime)}</dd>
              </>
            )}
            {run.endTime && (
              <>
                <dt className={styles.term}>Ended</dt>
                <dd className={styles.value}>{formatWhen(run.endTime)}</dd>
              </>
            )}
            {run.notes && (
              <>
                <dt className={styles.term}>Notes</dt>
                <dd className={styles.value}>{run.notes}</dd>
              </>
            )}
            <dt className={styles.term}>Run id</dt>
            <dd className={styles.value} style={{ fontFamily: tokens.fontFamilyMonospace, wordBreak: "break-all" }}>
              {run.id}
            </dd>
          </dl>
          <div className={styles.actions}>
            {!run.terminal && (
              <Button icon={<Dismiss20Regular />} onClick={() => cancel.mutate()} disabled={cancel.isPending || offline} data-testid="cancel-run">
                Cancel run
              </Button>
            )}
            {run.status === STATUS.failed && (
              <Button icon={<ArrowClockwise20Regular />} onClick={() => retry.mutate()} disabled={retry.isPending || offline} data-testid="retry-run">
                Retry
              </Button>
            )}
            <Menu>
              <MenuTrigger disableButtonEnhancement>
                <Button icon={<ArrowExportUp20Regular />} data-testid="export-run">
                  Export record
                </Button>
              </MenuTrigger>
              <MenuPopover>
                <MenuList>
                  <MenuItem onClick={() => saveAs("markdown")}>Save as Markdown file…</MenuItem>
                  <MenuItem onClick={() => saveAs("json")}>Save as JSON file…</MenuItem>
                  <MenuItem onClick={() => copyAs("markdown")} disabled={!markdown.data}>
                    Copy as Markdown
                  </MenuItem>
                  <MenuItem onClick={() => copyAs("json")} disabled={!json.data}>
                    Copy as JSON
                  </MenuItem>
                </MenuList>
              </MenuPopover>
            </Menu>
          </div>
          {note && (
            <Text size={200} role="status" data-testid="export-note">
              {note}
            </Text>
          )}
          <TextDialog title="The run record" text={manual} onClose={() => setManual(null)} />
          {cancel.isError && <ErrorNote title="Could not cancel the run" error={cancel.error} />}
          {retry.isError && <ErrorNote title="Could not retry the run" error={retry.error} />}
        </Card>
      </div>
    </div>
  );
}
