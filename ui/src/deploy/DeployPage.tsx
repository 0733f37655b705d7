import { useQuery } from "@tanstack/react-query";
import { Button, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowSync20Regular } from "@fluentui/react-icons";
import { matrix, solutions } from "../ipc";
import { matrixColumns, solutionRows } from "../solutions/model";
import { SolutionsTable } from "../solutions/SolutionsTable";
import type { Navigate } from "../shell/route";
import { useHasActiveProfile, useStatus } from "../shell/useStatus";
import { ConnectCard } from "../connect/ConnectCard";
import { ErrorNote } from "../components/ErrorNote";
import { PageHeader } from "../components/PageHeader";
import { SignInPanel } from "../connect/SignInPanel";

const useStyles = makeStyles({
  muted: { color: tokens.colorNeutralForeground3 },
  note: { display: "block", marginTop: tokens.spacingVerticalM },
});

/** Deploy: the development environment's solutions and where each is deployed. */
export function DeployPage({ navigate }: { navigate: Navigate }) {
  const hasProfile = useHasActiveProfile();
  const status = useStatus(hasProfile === true);
  const header = (
    <PageHeader title="Deploy" subtitle="Pick a solution of your development environment to move it along its pipeline." />
  );
  if (hasProfile === undefined) return header;
  if (!hasProfile) {
    return (
      <>
        {header}
        <ConnectCard />
      </>
    );
  }
  if (status.data?.problemCode === "unauthorized") {
    return (
      <>
        {header}
        <SignInPanel profileName={status.data.profile.displayName} problem={status.data.problem} />
      </>
    );
  }
  return (
    <>
      {header}
      <Solutions navigate={navigate} />
    </>
  );
}

function Solutions({ navigate }: { navigate: Navigate }) {
  const styles = useStyles();
  const list = useQuery({ queryKey: ["solutions"], queryFn: solutions });
  const where = useQuery({ queryKey: ["matrix"], queryFn: matrix, enabled: list.isSuccess });
  if (list.isPending) return <Spinner label="Reading the development environment's solutions…" />;
  if (list.isError) return <ErrorNote title="Could not list the solutions" error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <>
      <SolutionsTable
        solutions={solutionRows(list.data, where.data)}
        stages={matrixColumns(where.data)}
        onOpen={(solution) => navigate({ page: "solution", solution })}
        busy={where.isPending}
      />
      <Text size={200} className={`${styles.muted} ${styles.note}`}>
        {where.isPending && "Reading what is deployed in each stage…"}
        {where.data && !where.data.online && "The stages show what Ferry saw last: the host is not answering."}
        {where.isError && `Could not read what is deployed where: ${(where.error as Error).message}`}
      </Text>
      {where.data && (
        <Button appearance="subtle" icon={<ArrowSync20Regular />} onClick={() => where.refetch()} data-testid="refresh-matrix">
          Refresh
        </Button>
      )}
    </>
  );
}
