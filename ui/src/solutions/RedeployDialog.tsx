// "Redeploy an earlier version": the successful runs of a solution in a stage whose
// package can go there again (the pipeline allows redeployment), newest first; the
// maker picks one and the deploy wizard opens with that package, its version fixed.
import { useQuery } from "@tanstack/react-query";
import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { redeployCandidates, type RedeployCandidate } from "../ipc";
import { ErrorNote } from "../components/ErrorNote";
import { formatWhen } from "../lib/days";

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  list: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  item: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  what: { display: "flex", flexDirection: "column", flexGrow: 1, gap: tokens.spacingVerticalXXS },
  muted: { color: tokens.colorNeutralForeground3 },
});

export interface RedeployTarget {
  solution: string;
  stageId: string;
  stageName: string;
}

/** Open while `target` is set; `onPick` gets the run whose package goes back. */
export function RedeployDialog({
  target,
  onPick,
  onClose,
}: {
  target: RedeployTarget | null;
  onPick: (candidate: RedeployCandidate) => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={target != null} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface aria-label={target ? `Redeploy to ${target.stageName}` : undefined}>
        <DialogBody>
          <DialogTitle>Redeploy an earlier version{target ? ` to ${target.stageName}` : ""}</DialogTitle>
          <DialogContent>{target && <Candidates target={target} onPick={onPick} />}</DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Close</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function Candidates({ target, onPick }: { target: RedeployTarget; onPick: (candidate: RedeployCandidate) => void }) {
  const styles = useStyles();
  const list = useQuery({
    queryKey: ["redeploy", target.solution, target.stageId],
    queryFn: () => redeployCandidates(target.solution, target.stageId),
  });
  if (list.isPending) return <Spinner label="Reading the earlier deployments…" />;
  if (list.isError) {
    return <ErrorNote title="Could not read the earlier deployments" error={list.error} onRetry={() => void list.refetch()} />;
  }
  if (list.data.length === 0) {
    return (
      <Text>
        No deployment of {target.solution} to {target.stageName} has succeeded yet, so there is nothing to put back. Deploy a
        version first.
      </Text>
    );
  }
  return (
    <div className={styles.body}>
      <Text as="p" className={styles.muted} style={{ margin: 0 }}>
        The package of a successful deployment goes to {target.stageName} again, at its version. You review its values and
        validate it before it is deployed.
      </Text>
      <ul className={styles.list} aria-label="Earlier deployments" data-testid="redeploy-candidates">
        {list.data.map((c) => (
          <li key={c.runId} className={styles.item} data-testid="redeploy-candidate">
            <span className={styles.what}>
              <Text weight="semibold">
                {c.version ?? "Unknown version"}{" "}
                {c.current && (
                  <Badge appearance="tint" color="success">
                    In {target.stageName} now
                  </Badge>
                )}
              </Text>
              <Text size={200} className={styles.muted}>
                {c.deployedOn ? `Deployed ${formatWhen(c.deployedOn)}` : "Deployed (time unknown)"}
              </Text>
            </span>
            <Button
              appearance={c.current ? "secondary" : "primary"}
              onClick={() => onPick(c)}
              aria-label={`Redeploy ${c.version ?? "this package"}`}
              data-testid={`redeploy-${c.runId}`}
            >
              Redeploy
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}
