// The History page's custom date range: two of Fluent's date pickers (WebKitGTK's
// date field has no calendar), loaded only when the maker asks for a custom range.
import { Field } from "@fluentui/react-components";
import { DatePicker } from "@fluentui/react-datepicker-compat";
import { dateOf, dayOf, parseDay } from "../days";

export function DayRange({ from, to, onChange }: { from: string; to: string; onChange: (from: string, to: string) => void }) {
  return (
    <>
      <Field label="From">
        <DayPicker day={from} onDay={(day) => onChange(day, to)} testId="filter-from" />
      </Field>
      <Field label="To">
        <DayPicker day={to} onDay={(day) => onChange(from, day)} testId="filter-to" />
      </Field>
    </>
  );
}

/** A local day picked from a calendar (or typed). */
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
