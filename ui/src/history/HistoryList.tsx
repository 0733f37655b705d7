import { useEffect, useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { makeStyles, tokens, typographyStyles } from "@fluentui/react-components";
import { StatusBadge } from "./StatusBadge";
import { formatWhen } from "../lib/days";
import { outcomeColor } from "../run/status";

/** One run in the history list. */
export interface HistoryRow {
  id: string;
  solution: string;
  stage: string;
  version: string;
  /** succeeded | failed | canceled | running | waiting | scheduled */
  outcome: string;
  /** The host's status words. */
  statusLabel: string;
  /** ISO time the run was requested. */
  when: string;
  by?: string;
}

const ROW_HEIGHT = 52;

/** The count above the list. */
export function countText(rows: number, more: boolean): string {
  return (rows === 1 ? "1 deployment" : `${rows} deployments`) + (more ? " so far; older ones load as you scroll" : "");
}

const useStyles = makeStyles({
  viewport: { height: "100%", minHeight: "240px", overflowY: "auto", contain: "strict" },
  row: {
    position: "absolute",
    left: 0,
    right: 0,
    height: `${ROW_HEIGHT}px`,
    display: "grid",
    gridTemplateColumns: "minmax(160px, 2fr) minmax(120px, 1.5fr) 110px 130px minmax(150px, 1fr)",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalM,
    paddingInline: tokens.spacingHorizontalM,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    cursor: "pointer",
    backgroundColor: tokens.colorNeutralBackground1,
    ":hover": { backgroundColor: tokens.colorNeutralBackground1Hover },
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: "-2px" },
  },
  // The cells are plain spans in Fluent's type ramp (what `Text` renders, without a
  // component per cell): a screen of rows is most of the first render.
  name: { ...typographyStyles.body1Strong, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  cell: { ...typographyStyles.body1, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  when: { ...typographyStyles.caption1, color: tokens.colorNeutralForeground3 },
});

/** The history: only the rows in view are in the DOM, so 100,000 runs scroll smoothly. */
export function HistoryList({
  rows,
  onOpen,
  onNearEnd,
  initialHeight,
}: {
  rows: HistoryRow[];
  onOpen: (id: string) => void;
  /** Called when the rows in view come close to the last one (to read the next page). */
  onNearEnd?: () => void;
  /** The viewport's expected height, so the first render has rows (tests: it has no layout). */
  initialHeight?: number;
}) {
  const styles = useStyles();
  const viewport = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => viewport.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    initialRect: initialHeight ? { width: 800, height: initialHeight } : undefined,
  });
  const items = virtual.getVirtualItems();
  const lastInView = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (onNearEnd && rows.length > 0 && lastInView >= rows.length - 40) onNearEnd();
  }, [lastInView, rows.length, onNearEnd]);
  return (
    <div
      ref={viewport}
      className={styles.viewport}
      role="list"
      aria-label={`${rows.length} deployments`}
      data-testid="history-list"
    >
      <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
        {items.map((item) => {
          const row = rows[item.index];
          return (
            <div
              key={row.id}
              role="listitem"
              tabIndex={0}
              className={styles.row}
              style={{ transform: `translateY(${item.start}px)` }}
              onClick={() => onOpen(row.id)}
              onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && onOpen(row.id)}
              data-testid="history-row"
              aria-label={`${row.solution} ${row.version} to ${row.stage}: ${row.statusLabel}`}
            >
              <span className={styles.name}>{row.solution}</span>
              <span className={styles.cell}>{row.stage}</span>
              <span className={styles.cell}>{row.version}</span>
              <span>
                <StatusBadge color={outcomeColor(row.outcome)}>{row.statusLabel}</StatusBadge>
              </span>
              <span className={styles.when}>
                {formatWhen(row.when)}
                {row.by ? ` · ${row.by}` : ""}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
