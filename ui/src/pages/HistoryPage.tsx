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
            <Field label="Solution">
              <Dropdown
                value={filters.solution || "All"}
                selectedOptions={[filters.solution]}
                onOptionSelect={(_, d) => set({ solution: d.optionValue ?? ALL })}
                data-testid="filter-solution"
              >
                <Option value={ALL}>All</Option>
                {solutions.map((s) => (
                  <Option key={s} value={s}>
                    {s}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            <Field label="Stage">
              <Dropdown
                value={filters.stage || "All"}
                selectedOptions={[filters.stage]}
                onOptionSelect={(_, d) => set({ stage: d.optionValue ?? ALL })}
                data-testid="filter-stage"
              >
                <Option value={ALL}>All</Option>
                {stages.map((s) => (
                  <Option key={s} value={s}>
                    {s}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            <Field label="Status">
              <Dropdown
                value={STATUS_FILTERS.find((s) => s.value === filters.status)?.label ?? "All"}
                selectedOptions={[filters.status]}
                onOptionSelect={(_, d) => set({ status: d.optionValue ?? ALL })}
                data-testid="filter-status"
              >
                <Option value={ALL}>All</Option>
                {STATUS_FILTERS.map((s) => (
                  <Option key={s.value} value={s.value}>
                    {s.label}
                  </Option>
                ))}
              </Dropdown>
            </Field>
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
