import { useEffect, useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { makeStyles } from "@fluentui/react-components";
import { ROW_CLASS, ROW_HEIGHT, ROW_OVERSCAN, listLabel, rowLabel, rowTone, rowWhen, type HistoryRow } from "./rowView";

export type { HistoryRow } from "./rowView";

const useStyles = makeStyles({
  viewport: { height: "100%", minHeight: "240px", overflowY: "auto", contain: "strict" },
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
    overscan: ROW_OVERSCAN,
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
      aria-label={listLabel(rows.length)}
      data-testid="history-list"
    >
      <div style={{ height: virtual.getTotalSize(), position: "relative" }} data-testid="history-rows">
        {items.map((item) => {
          const row = rows[item.index];
          // The rows are plain elements in rows.css's classes (rowView.ts): the entry
          // draws the first screen's rows with the same markup before React runs.
          return (
            <div
              key={row.id}
              role="listitem"
              tabIndex={0}
              className={ROW_CLASS.row}
              style={{ transform: `translateY(${item.start}px)` }}
              onClick={() => onOpen(row.id)}
              onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && onOpen(row.id)}
              data-testid="history-row"
              aria-label={rowLabel(row)}
            >
              <span className={ROW_CLASS.name}>{row.solution}</span>
              <span className={ROW_CLASS.cell}>{row.stage}</span>
              <span className={ROW_CLASS.cell}>{row.version}</span>
              <span>
                <span className={ROW_CLASS.status} data-tone={rowTone(row)}>
                  {row.statusLabel}
                </span>
              </span>
              <span className={ROW_CLASS.when}>{rowWhen(row)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
