// The deploy wizard's schedule: the maker's local wall time, checked against clock
// changes and sent as UTC.

/** A `datetime-local` value (the maker's local time) as RFC 3339 UTC, or null when invalid. */
export function localToUtc(local: string): string | null {
  if (!local) return null;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? null : at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A Date's local wall time as a `datetime-local` value (`YYYY-MM-DDTHH:MM`). */
function wallTime(at: Date): string {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/**
 * Why a local wall time cannot be scheduled as it reads, or null: a clock change skips it
 * (the platform would quietly move it an hour) or repeats it (two moments, an hour apart).
 */
export function clockChangeProblem(local: string): string | null {
  const at = new Date(local);
  if (!local || Number.isNaN(at.getTime())) return null;
  const asked = local.slice(0, 16);
  if (wallTime(at) !== asked) {
    return `${asked.replace("T", " ")} does not exist in your time zone: the clocks jump forward that night. Choose another time.`;
  }
  // Where clocks go back, the platform takes the first of the two moments; look for the second.
  for (const minutes of [30, 60, 120]) {
    if (wallTime(new Date(at.getTime() + minutes * 60_000)) === asked) {
      return `${asked.replace("T", " ")} happens twice in your time zone (the clocks go back that night). Choose a time outside that hour.`;
    }
  }
  return null;
}
