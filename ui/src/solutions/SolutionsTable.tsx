import { useMemo, useState } from "react";
import {
  Badge,
  SearchBox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from "@fluentui/react-components";

/** One solution of the dev environment and where each version went. */
export interface SolutionRow {
  uniqueName: string;
  displayName: string;
  version: string;
  /** Per stage, in pipeline order: what is deployed there. */
  stages: {
    stageId: string;
    version?: string;
    /** The target's installed version, when it differs from what the pipeline deployed. */
    driftVersion?: string;
    /** What another pipeline (or stage) deployed into the same environment: not drift. */
    installedBy?: { version: string; by: string };
  }[];
}

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  search: { maxWidth: "360px" },
  row: { cursor: "pointer" },
  muted: { color: tokens.colorNeutralForeground3 },
  // One line each, never wrapping: a row keeps its height when the stage columns arrive
  // with the matrix (a wrap then moved every row below it under the pointer).
  line: {
    display: "block",
    whiteSpace: "nowrap",
    overflow: "hidden",
    textOverflow: "ellipsis",
  },
  cell: { whiteSpace: "nowrap" },
});

export function SolutionsTable({
  solutions,
  stages,
  onOpen,
  busy = false,
}: {
  solutions: SolutionRow[];
  stages: { id: string; name: string }[];
  onOpen: (uniqueName: string) => void;
  /** The stage columns are still being read: the table may still change. */
  busy?: boolean;
}) {
  const styles = useStyles();
  const [query, setQuery] = useState("");
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q
      ? solutions.filter(
          (s) => s.displayName.toLowerCase().includes(q) || s.uniqueName.toLowerCase().includes(q),
        )
      : solutions;
  }, [solutions, query]);
  return (
    <div className={styles.root}>
      <SearchBox
        className={styles.search}
        placeholder="Search solutions"
        aria-label="Search solutions"
        value={query}
        onChange={(_, d) => setQuery(d.value)}
        data-testid="solution-search"
      />
      <Table
        aria-label="Solutions and where they are deployed"
        aria-busy={busy}
        data-testid="solutions-table"
      >
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Solution</TableHeaderCell>
            <TableHeaderCell>In development</TableHeaderCell>
            {stages.map((s) => (
              <TableHeaderCell key={s.id}>{s.name}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {shown.map((s) => (
            <TableRow
              key={s.uniqueName}
              className={styles.row}
              tabIndex={0}
              onClick={() => onOpen(s.uniqueName)}
              onKeyDown={(e) => e.key === "Enter" && onOpen(s.uniqueName)}
              data-testid={`solution-${s.uniqueName}`}
            >
              <TableCell>
                <Text weight="semibold" className={styles.line}>
                  {s.displayName}
                </Text>
                <Text size={200} className={`${styles.muted} ${styles.line}`}>
                  {s.uniqueName}
                </Text>
              </TableCell>
              <TableCell className={styles.cell}>{s.version}</TableCell>
              {stages.map((stage) => {
                const at = s.stages.find((x) => x.stageId === stage.id);
                return (
                  <TableCell key={stage.id} className={styles.cell}>
                    {at?.version ?? <span className={styles.muted}>—</span>}
                    {at?.installedBy && <InstalledBy {...at.installedBy} />}
                    {at?.driftVersion && (
                      <Tooltip
                        relationship="description"
                        content={`The target now has ${at.driftVersion}: it was changed outside this pipeline.`}
                      >
                        <Badge appearance="tint" color="warning" style={{ marginLeft: 6 }}>
                          drift
                        </Badge>
                      </Tooltip>
                    )}
                  </TableCell>
                );
              })}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {shown.length === 0 && (
        <Text className={styles.muted}>
          {solutions.length === 0
            ? "The development environment has no unmanaged solutions."
            : `No solution matches “${query}”.`}
        </Text>
      )}
    </div>
  );
}

/** The version another pipeline deployed into the stage's environment, and which one. */
function InstalledBy({ version, by }: { version: string; by: string }) {
  const sentence = `The target has ${version}, deployed by ${by} (another pipeline into the same environment).`;
  const pipeline = by.split(" / ")[0];
  return (
    <Tooltip relationship="description" content={sentence}>
      <Badge appearance="outline" color="informative" aria-label={sentence} style={{ marginLeft: 6 }}>
        {`${version} via ${pipeline}`}
      </Badge>
    </Tooltip>
  );
}
