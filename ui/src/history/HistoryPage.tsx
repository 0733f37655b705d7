import { Suspense, lazy, useEffect, useMemo, useState } from "react";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Field, SearchBox, Select, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { HistoryRegular } from "@fluentui/react-icons";
import { syncHistory } from "../ipc";
import { HistoryList, countText } from "./HistoryList";
import { NO_FILTERS, historyRow, type HistoryFilters } from "./filters";
import { historyChoicesQuery, historyQuery, liveRefresh } from "./queries";
import { RANGES, rangeDays, type Range } from "./ranges";
import { STATUS_FILTERS } from "../run/status";
import type { Navigate } from "../shell/route";
import { useOffline } from "../shell/useStatus";
import { PageHeader } from "../components/PageHeader";

// The calendar loads when the maker asks for a custom range: most starts never show it.
const DayRange = lazy(() => import("./DayRange").then((m) => ({ default: m.DayRange })));
// An empty cache or a failed read: neither is on a usual first screen.
const EmptyState = lazy(() => import("./EmptyState").then((m) => ({ default: m.EmptyState })));
const ErrorNote = lazy(() => import("../components/ErrorNote").then((m) => ({ default: m.ErrorNote })));

// The list fills the window below the header and filters; its first render assumes
// that height so rows are in the first paint (the list measures itself right after).
const LIST_OFFSET_PX = 330;
const LIST_MIN_PX = 260;

const useStyles = makeStyles({
  filters: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", alignItems: "end", marginBottom: tokens.spacingVerticalM },
  list: { height: `calc(100vh - ${LIST_OFFSET_PX}px)`, minHeight: `${LIST_MIN_PX}px` },
  muted: { color: tokens.colorNeutralForeground3 },
});

const ALL = "";

/** Every run Ferry has seen, from the cache: works offline. */
export function HistoryPage({ navigate }: { navigate: Navigate }) {
  const styles = useStyles();
  const client = useQueryClient();
  const offline = useOffline();
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS);
  const [range, setRange] = useState<Range>("any");
  const runs = useInfiniteQuery({
    ...historyQuery(filters),
    refetchInterval: (query) => liveRefresh(query.state.data?.pages),
  });
  // The choices come from everything in the cache, not from the filtered page.
  const choices = useQuery(historyChoicesQuery);
  // Read what changed on the host since last time (quietly: offline, the cache answers).
  useEffect(() => {
    if (offline) return;
    syncHistory()
      .then((r) => {
        if (r.transitions + r.inserted > 0) void client.invalidateQueries({ queryKey: ["history"] });
      })
      .catch(() => undefined);
  }, [offline, client]);

  const rows = useMemo(() => (runs.data?.pages ?? []).flatMap((p) => p.runs).map(historyRow), [runs.data]);
  const solutions = choices.data?.solutions ?? [];
  const stages = choices.data?.stages ?? [];
  const more = () => {
    if (runs.hasNextPage && !runs.isFetchingNextPage) void runs.fetchNextPage();
  };
  const set = (patch: Partial<HistoryFilters>) => setFilters({ ...filters, ...patch });
  const chooseRange = (next: Range) => {
    setRange(next);
    // A custom range starts from the days already chosen; the others set them.
    if (next !== "custom") set(rangeDays(next, new Date()));
  };
  const empty = choices.data && choices.data.solutions.length === 0;

  return (
    <>
      <PageHeader title="History" subtitle="Every deployment Ferry has seen, kept on this computer." />
      {empty ? (
        <Suspense fallback={null}>
          <EmptyState icon={<HistoryRegular />} title="No deployments yet">
            Deployments you start or follow are listed here, and stay readable offline.
          </EmptyState>
        </Suspense>
      ) : (
        <>
          <div className={styles.filters} role="search" aria-label="Filter the history">
            <SearchBox
              placeholder="Search solution, stage, version, notes, errors"
              aria-label="Search the history"
              value={filters.text}
              onChange={(_, d) => set({ text: d.value })}
              data-testid="history-search"
              style={{ minWidth: 280 }}
            />
            <ChoiceFilter
              label="Solution"
              value={filters.solution}
              choices={solutions.map((s) => ({ value: s, label: s }))}
              onChoose={(solution) => set({ solution })}
              testId="filter-solution"
            />
            <ChoiceFilter
              label="Stage"
              value={filters.stage}
              choices={stages.map((s) => ({ value: s, label: s }))}
              onChoose={(stage) => set({ stage })}
              testId="filter-stage"
            />
            <ChoiceFilter
              label="Status"
              value={filters.status}
              choices={STATUS_FILTERS}
              onChoose={(status) => set({ status })}
              testId="filter-status"
            />
            <Field label="When">
              <Select value={range} onChange={(_, d) => chooseRange(d.value as Range)} data-testid="filter-when">
                {RANGES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </Select>
            </Field>
            {range === "custom" && (
              <Suspense fallback={<Spinner size="tiny" label="Opening the calendar…" />}>
                <DayRange from={filters.from} to={filters.to} onChange={(from, to) => set({ from, to })} />
              </Suspense>
            )}
            {range !== "any" && (
              <Button appearance="subtle" onClick={() => chooseRange("any")} data-testid="clear-dates">
                Any day
              </Button>
            )}
          </div>
          {runs.isPending && <Spinner label="Reading the history…" />}
          {runs.isError && (
            <Suspense fallback={null}>
              <ErrorNote title="Could not read the history" error={runs.error} onRetry={() => void runs.refetch()} />
            </Suspense>
          )}
          {runs.data && (
            <>
              <Text size={200} className={styles.muted} role="status" data-testid="history-count">
                {countText(rows.length, runs.hasNextPage)}
              </Text>
              <div className={styles.list}>
                <HistoryList
                  rows={rows}
                  initialHeight={Math.max(LIST_MIN_PX, window.innerHeight - LIST_OFFSET_PX)}
                  onOpen={(runId) => navigate({ page: "run", runId, from: "history" })}
                  onNearEnd={more}
                />
              </div>
            </>
          )}
        </>
      )}
    </>
  );
}

/** One of a filter's choices, or All (the empty value): a native list, light to start. */
function ChoiceFilter({
  label,
  value,
  choices,
  onChoose,
  testId,
}: {
  label: string;
  value: string;
  choices: { value: string; label: string }[];
  onChoose: (value: string) => void;
  testId: string;
}) {
  // A value the list no longer holds (the cache was cleared) stays shown until changed.
  const known = value === ALL || choices.some((c) => c.value === value);
  return (
    <Field label={label}>
      <Select value={value} onChange={(_, d) => onChoose(d.value)} data-testid={testId}>
        <option value={ALL}>All</option>
        {!known && <option value={value}>{value}</option>}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </Select>
    </Field>
  );
}
