import {
  Badge,
  Button,
  Card,
  CardFooter,
  CardHeader,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { outcomeColor } from "../run/status";
import { ArrowRight20Regular, History20Regular, LockClosed16Regular } from "@fluentui/react-icons";
import { formatWhen } from "../lib/days";

/** What a stage card shows: the stage, whether it can take this solution, its last run. */
export interface StageCardModel {
  id: string;
  name: string;
  targetName: string;
  /** Why the stage cannot be deployed to now; absent when it can. */
  blockedReason?: string;
  gates: string[];
  /** An earlier package may be deployed here again (the pipeline allows it). */
  canRedeploy?: boolean;
  lastRun?: {
    version: string;
    statusLabel: string;
    outcome: string;
    when: string;
    by?: string;
    /**
     * SHA-256 of the artifact: the same package goes through every stage. Undefined while
     * it is being read (its line is kept, so the card does not grow under the pointer);
     * null when the run has none.
     */
    artifactHash?: string | null;
  };
}

const useStyles = makeStyles({
  card: { width: "300px", minHeight: "220px" },
  facts: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  muted: { color: tokens.colorNeutralForeground3 },
  hash: { fontFamily: tokens.fontFamilyMonospace, color: tokens.colorNeutralForeground3 },
  gates: { display: "flex", gap: tokens.spacingHorizontalXS, flexWrap: "wrap" },
  // Two actions may not fit side by side in a card: the second goes below, whole.
  footer: { flexWrap: "wrap" },
  action: { whiteSpace: "nowrap" },
});

export function StageCard({
  stage,
  onDeploy,
  onRedeploy,
}: {
  stage: StageCardModel;
  onDeploy: (stageId: string) => void;
  /** Opens the choice of an earlier package to deploy here again. */
  onRedeploy?: (stageId: string) => void;
}) {
  const styles = useStyles();
  const run = stage.lastRun;
  const deploy = (
    <Button
      appearance={stage.blockedReason ? "secondary" : "primary"}
      icon={stage.blockedReason ? <LockClosed16Regular /> : <ArrowRight20Regular />}
      disabled={Boolean(stage.blockedReason)}
      onClick={() => onDeploy(stage.id)}
      className={styles.action}
      data-testid={`deploy-${stage.id}`}
    >
      Deploy here
    </Button>
  );
  return (
    <Card
      className={styles.card}
      data-testid="stage-card"
      aria-label={`Stage ${stage.name}`}
      // Settled once what it shows has arrived: until then its content may still change.
      aria-busy={run !== undefined && run.artifactHash === undefined}
    >
      <CardHeader
        header={<Text weight="semibold">{stage.name}</Text>}
        description={<Text className={styles.muted}>to {stage.targetName}</Text>}
      />
      <div className={styles.facts}>
        {run ? (
          <>
            <span>
              <Badge appearance="tint" color={outcomeColor(run.outcome)}>
                {run.statusLabel}
              </Badge>{" "}
              <Text weight="semibold">{run.version}</Text>
            </span>
            <Text size={200} className={styles.muted}>
              {formatWhen(run.when)}
              {run.by ? ` by ${run.by}` : ""}
            </Text>
            {run.artifactHash === undefined ? (
              <Text size={200} className={styles.hash} data-testid="package-hash">
                package …
              </Text>
            ) : run.artifactHash ? (
              <Text size={200} className={styles.hash} title={run.artifactHash} data-testid="package-hash">
                package {run.artifactHash.slice(0, 12)}
              </Text>
            ) : (
              <Text size={200} className={styles.muted} data-testid="package-hash">
                no package kept
              </Text>
            )}
          </>
        ) : (
          <Text className={styles.muted}>Nothing deployed here yet.</Text>
        )}
        {stage.gates.length > 0 && (
          <span className={styles.gates}>
            {stage.gates.map((g) => (
              <Badge key={g} appearance="outline" color="warning">
                {g}
              </Badge>
            ))}
          </span>
        )}
      </div>
      <CardFooter className={styles.footer}>
        {stage.blockedReason ? (
          <Tooltip content={stage.blockedReason} relationship="description">
            {deploy}
          </Tooltip>
        ) : (
          deploy
        )}
        {stage.canRedeploy && onRedeploy && (
          <Button
            appearance="subtle"
            icon={<History20Regular />}
            onClick={() => onRedeploy(stage.id)}
            className={styles.action}
            data-testid={`redeploy-open-${stage.id}`}
          >
            Redeploy…
          </Button>
        )}
      </CardFooter>
      {stage.blockedReason && (
        <Text size={200} className={styles.muted} data-testid="blocked-reason">
          {stage.blockedReason}
        </Text>
      )}
    </Card>
  );
}
