import { useEffect, useMemo, useState } from "react";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Dropdown, Field, Option, SearchBox, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { DatePicker } from "@fluentui/react-datepicker-compat";
import { HistoryRegular } from "@fluentui/react-icons";
import { history, historyChoices, syncHistory } from "../ipc";
import { HistoryList } from "../history/HistoryList";
import { NO_FILTERS, engineFilter, historyRow, type HistoryFilters } from "../history/filters";
import { dateOf, dayOf, parseDay } from "../days";
import { STATUS_FILTERS } from "../run/status";
import type { Navigate } from "../shell/route";
import { useOffline } from "../shell/useStatus";
import { EmptyState } from "./EmptyState";
import { ErrorNote } from "./ErrorNote";
import { PageHeader } from "./PageHeader";

const useStyles = makeStyles({
  filters: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", alignItems: "end", marginBottom: tokens.spacingVerticalM },
  list: { height: "calc(100vh - 330px)", minHeight: "260px" },
  muted: { color: tokens.colorNeutralForeground3 },
});

const ALL = "";

/** Every run Ferry has seen, from the cache: works offline. */
export function HistoryPage({ navigate }: { navigate: Navigate }) {
  const styles = useStyles();
  const client = useQueryClient();
  const offline = useOffline();
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS);
  const runs = useInfiniteQuery({
    queryKey: ["history", filters.text, filters.solution, filters.stage, filters.status, filters.from, filters.to],
    queryFn: ({ pageParam }) => history(engineFilter(filters, pageParam)),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextOffset ?? undefined,
  });
  // The choices come from everything in the cache, not from the filtered page.
  const choices = useQuery({ queryKey: ["history", "choices"], queryFn: historyChoices });
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
  const empty = choices.data && choices.data.solutions.length === 0;

  return (
    <>
      <PageHeader title="History" subtitle="Every deployment Ferry has seen, kept on this computer." />
      {empty ? (
        <EmptyState icon={<HistoryRegular />} title="No deployments yet">
          Deployments you start or follow are listed here, and stay readable offline.
        </EmptyState>
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
            <Field label="From">
              <DayPicker day={filters.from} onDay={(from) => set({ from })} testId="filter-from" />
            </Field>
            <Field label="To">
              <DayPicker day={filters.to} onDay={(to) => set({ to })} testId="filter-to" />
            </Field>
            {(filters.from || filters.to) && (
              <Button appearance="subtle" onClick={() => set({ from: "", to: "" })} data-testid="clear-dates">
                Any day
              </Button>
            )}
          </div>
          {runs.isPending && <Spinner label="Reading the history…" />}
          {runs.isError && <ErrorNote title="Could not read the history" error={runs.error} onRetry={() => void runs.refetch()} />}
          {runs.data && (
            <>
              <Text size={200} className={styles.muted} role="status">
                {rows.length === 1 ? "1 deployment" : `${rows.length} deployments`}
                {runs.hasNextPage ? " so far; older ones load as you scroll" : ""}
              </Text>
              <div className={styles.list}>
                <HistoryList rows={rows} onOpen={(runId) => navigate({ page: "run", runId, from: "history" })} onNearEnd={more} />
              </div>
            </>
          )}
        </>
      )}
    </>
  );
}

/** One of a filter's choices, or All (the empty value). */
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
  return (
    <Field label={label}>
      <Dropdown
        value={choices.find((c) => c.value === value)?.label ?? (value || "All")}
        selectedOptions={[value]}
        onOptionSelect={(_, d) => onChoose(d.optionValue ?? ALL)}
        data-testid={testId}
      >
        <Option value={ALL}>All</Option>
        {choices.map((c) => (
          <Option key={c.value} value={c.value}>
            {c.label}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/** A local day picked from a calendar (or typed), cleared with the field's own button. */
function DayPicker({ day, onDay, testId }: { day: string; onDay: (day: string) => void; testId: string }) {
  return (
    <DatePicker
      value={dateOf(day)}
      onSelectDate={(date) => onDay(date ? dayOf(date) : "")}
      formatDate={(date) => (date ? date.toLocaleDateString() : "")}
      parseDateFromString={parseDay}
      placeholder="Any day"
      allowTextInput
      data-testid={testId}
      style={{ width: 150 }}
    />
  );
}
