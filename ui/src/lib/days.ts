// Local days as the UI keeps them (`YYYY-MM-DD`) and as Fluent's DatePicker takes
// them (a Date at local midnight), shared by the history filters and the wizard's
// "Deploy later".

/** The start of a local day (`YYYY-MM-DD`), or of the day after it, in milliseconds. */
export function localDay(day: string, dayAfter: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (dayAfter) d.setDate(d.getDate() + 1);
  return d.getTime();
}

/** A local day as the UI keeps it (`YYYY-MM-DD`). */
export function dayOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A kept day as a Date at local midnight, for the date picker. */
export function dateOf(day: string): Date | null {
  const at = localDay(day, false);
  return at == null ? null : new Date(at);
}

/** A typed day: `YYYY-MM-DD` as a local day, else whatever the platform reads (`12/1/2026`). */
export function parseDay(text: string): Date | null {
  const day = dateOf(text.trim());
  if (day) return day;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : new Date(at);
}

// One formatter for every "when" the UI shows: creating one per call (what
// `toLocaleString()` does) costs the first screen a locale lookup per history row.
let whenFormat: Intl.DateTimeFormat | undefined;

/**
 * A moment as the maker reads it: local date and time with seconds, and the zone's offset
 * (`12/1/2026, 10:05:09 PM GMT+1`), so no time on screen is mistaken for UTC. ISO in, text out.
 */
export function formatWhen(at: string | number | Date | null | undefined): string {
  if (at == null || at === "") return "";
  whenFormat ??= new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    timeZoneName: "shortOffset",
  });
  const date = at instanceof Date ? at : new Date(at);
  return Number.isNaN(date.getTime()) ? String(at) : whenFormat.format(date);
}
