// The History page's custom date range: two of Fluent's date pickers (WebKitGTK's
// date field has no calendar), loaded only when the maker asks for a custom range.
import { Field } from "@fluentui/react-components";
import { DayPicker } from "../components/DayPicker";

export function DayRange({ from, to, onChange }: { from: string; to: string; onChange: (from: string, to: string) => void }) {
  return (
    <>
      <Field label="From">
        <DayPicker
          day={from}
          onDay={(day) => onChange(day, to)}
          placeholder="Any day"
          data-testid="filter-from"
          style={{ width: 150 }}
        />
      </Field>
      <Field label="To">
        <DayPicker
          day={to}
          onDay={(day) => onChange(from, day)}
          placeholder="Any day"
          data-testid="filter-to"
          style={{ width: 150 }}
        />
      </Field>
    </>
  );
}
