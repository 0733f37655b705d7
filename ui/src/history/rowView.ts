// One history row as the list shows it, without React: its words, its tone and its
// place. HistoryList.tsx renders rows from these, and the UI's small entry builds the
// same markup with `rowElement` to paint the first screen's rows before the app's
// script loads (shell/firstScreen.ts); a test holds the two to the same markup.
import "./rows.css";
import { formatWhen } from "../days";
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

export const ROW_HEIGHT = 52;
/** Rows drawn beyond the viewport's ends. */
export const ROW_OVERSCAN = 8;

// The list fills the window below the header and filters; its first render assumes
// that height so rows are in the first paint (the list measures itself right after).
export const LIST_OFFSET_PX = 330;
export const LIST_MIN_PX = 260;

/** The list's expected height in a window `innerHeight` pixels tall. */
export function listHeight(innerHeight: number): number {
  return Math.max(LIST_MIN_PX, innerHeight - LIST_OFFSET_PX);
}

/** How many rows a list `height` pixels tall draws first (in view and the overscan after). */
export function firstRowCount(height: number, rows: number): number {
  return Math.min(rows, Math.ceil(height / ROW_HEIGHT) + ROW_OVERSCAN);
}

export const ROW_CLASS = {
  row: "ferry-history-row",
  name: "ferry-history-name",
  cell: "ferry-history-cell",
  when: "ferry-history-when",
  status: "ferry-status",
} as const;

/** What a screen reader says for the row. */
export function rowLabel(row: HistoryRow): string {
  return `${row.solution} ${row.version} to ${row.stage}: ${row.statusLabel}`;
}

/** When the run was requested, and by whom. */
export function rowWhen(row: HistoryRow): string {
  return formatWhen(row.when) + (row.by ? ` · ${row.by}` : "");
}

/** The status's tone: Fluent's Badge colour for the outcome. */
export function rowTone(row: HistoryRow): string {
  return outcomeColor(row.outcome);
}

/** What a screen reader says for the list. */
export function listLabel(rows: number): string {
  return `${rows} deployments`;
}

/** The count above the list. */
export function countText(rows: number, more: boolean): string {
  return (rows === 1 ? "1 deployment" : `${rows} deployments`) + (more ? " so far; older ones load as you scroll" : "");
}

/** The row at `index` as DOM, the same markup HistoryList renders (without its handlers). */
export function rowElement(doc: Document, row: HistoryRow, index: number): HTMLElement {
  const el = doc.createElement("div");
  el.setAttribute("role", "listitem");
  el.setAttribute("tabindex", "0");
  el.className = ROW_CLASS.row;
  el.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
  el.dataset.testid = "history-row";
  el.setAttribute("aria-label", rowLabel(row));
  const span = (className: string | null, text: string) => {
    const s = doc.createElement("span");
    if (className) s.className = className;
    s.textContent = text;
    return s;
  };
  const status = span(ROW_CLASS.status, row.statusLabel);
  status.dataset.tone = rowTone(row);
  const statusCell = doc.createElement("span");
  statusCell.append(status);
  el.append(
    span(ROW_CLASS.name, row.solution),
    span(ROW_CLASS.cell, row.stage),
    span(ROW_CLASS.cell, row.version),
    statusCell,
    span(ROW_CLASS.when, rowWhen(row)),
  );
  return el;
}
