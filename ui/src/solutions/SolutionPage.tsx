import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { artifactHash, noPipelineHint, pipelines, solutions, type StageOverview } from "../ipc";
import { stageCardModel } from "./model";
import { StageCard } from "./StageCard";
import { RedeployDialog, type RedeployTarget } from "./RedeployDialog";
import type { Navigate } from "../shell/route";
import { ErrorNote } from "../components/ErrorNote";
import { PageHeader } from "../components/PageHeader";

const useStyles = makeStyles({
  pipeline: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, marginBottom: tokens.spacingVerticalXXL },
  stages: { display: "flex", gap: tokens.spacingHorizontalL, flexWrap: "wrap", alignItems: "stretch" },
  muted: { color: tokens.colorNeutralForeground3 },
  heading: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
});

/** A solution: each pipeline's stages in order, what each has, and whether it can take this solution now. */
export function SolutionPage({ solution, navigate }: { solution: string; navigate: Navigate }) {
  const styles = useStyles();
  const list = useQuery({ queryKey: ["solutions"], queryFn: solutions });
  const lines = useQuery({ queryKey: ["pipelines", solution], queryFn: () => pipelines(solution) });
  const summary = list.data?.find((s) => s.uniqueName === solution);
  const [redeploy, setRedeploy] = useState<RedeployTarget | null>(null);
  return (
    <div data-testid="solution-page">
      <PageHeader
        title={summary?.friendlyName || solution}
        subtitle={
          summary ? `${solution} · version ${summary.version} in development` : solution
        }
        crumbs={[{ label: "Solutions", onClick: () => navigate({ page: "deploy" }) }]}
      />
      {lines.isPending && <Spinner label="Reading the pipelines…" />}
      {lines.isError && <ErrorNote title="Could not read the pipelines" error={lines.error} onRetry={() => void lines.refetch()} />}
      {lines.data?.length === 0 && <NoPipeline />}
      {lines.data?.map((p) => (
        <section key={p.id} className={styles.pipeline} aria-label={`Pipeline ${p.name}`} data-testid="pipeline">
          <div className={styles.heading}>
            <Text as="h2" size={500} weight="semibold" style={{ margin: 0 }}>
              {p.name}
            </Text>
            {p.description && (
              <Text as="p" className={styles.muted} style={{ margin: 0 }}>
                {p.description}
              </Text>
            )}
          </div>
          <div className={styles.stages}>
            {p.stages.map((stage) => (
              <Stage
                key={stage.id}
                stage={stage}
                onDeploy={(stageId) => navigate({ page: "wizard", solution, stageId })}
                onRedeploy={() => setRedeploy({ solution, stageId: stage.id, stageName: stage.name })}
              />
            ))}
          </div>
        </section>
      ))}
      <RedeployDialog
        target={redeploy}
        onClose={() => setRedeploy(null)}
        onPick={(c) => navigate({ page: "wizard", solution, stageId: c.stageId, redeployOf: c.runId })}
      />
    </div>
  );
}

/** No pipeline offered: the engine's sentence of whom to ask and what (its own words until it answers). */
function NoPipeline() {
  const hint = useQuery({ queryKey: ["no-pipeline-hint"], queryFn: noPipelineHint });
  const text = hint.data
    ? `${hint.data.charAt(0).toUpperCase()}${hint.data.slice(1)}.`
    : "No pipeline is offered to this development environment. Ask an admin of the pipelines host to link one and share it with you.";
  return (
    <Text as="p" data-testid="no-pipeline-hint" aria-busy={hint.isPending}>
      {text}
    </Text>
  );
}

/** A stage card, with the fingerprint of the package its last run carried. */
function Stage({
  stage,
  onDeploy,
  onRedeploy,
}: {
  stage: StageOverview;
  onDeploy: (stageId: string) => void;
  onRedeploy: () => void;
}) {
  const runId = stage.latestRun?.id;
  const hash = useQuery({
    queryKey: ["artifact", runId],
    queryFn: () => artifactHash(runId!),
    enabled: Boolean(runId),
    staleTime: Infinity,
  });
  const model = stageCardModel(stage);
  // A failed read shows as no package rather than a line that waits forever.
  if (model.lastRun) model.lastRun.artifactHash = hash.isPending ? undefined : (hash.data ?? null);
  return <StageCard stage={model} onDeploy={onDeploy} onRedeploy={onRedeploy} />;
}
