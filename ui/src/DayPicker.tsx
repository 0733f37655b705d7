// A local day (`YYYY-MM-DD`, see days.ts) picked from Fluent's calendar or typed:
// WebKitGTK's own date field has no calendar. Used by the history's custom range and
// the wizard's "Deploy later".
import { DatePicker, type DatePickerProps } from "@fluentui/react-datepicker-compat";
import { dateOf, dayOf, parseDay } from "./days";

export function DayPicker({
  day,
  onDay,
  ...props
}: { day: string; onDay: (day: string) => void } & Omit<
  DatePickerProps,
  "value" | "onSelectDate" | "formatDate" | "parseDateFromString" | "allowTextInput"
>) {
  return (
    <DatePicker
      {...props}
      value={dateOf(day)}
      onSelectDate={(date) => onDay(date ? dayOf(date) : "")}
      formatDate={(date) => (date ? date.toLocaleDateString() : "")}
      parseDateFromString={parseDay}
      allowTextInput
    />
  );
}
