// A local day (`YYYY-MM-DD`, see lib/days.ts) picked from Fluent's calendar or typed:
// WebKitGTK's own date field has no calendar. Used by the history's custom range and
// the wizard's "Deploy later".
import { useMemo } from "react";
import { DatePicker, type DatePickerProps } from "@fluentui/react-datepicker-compat";
import { dateOf, dayOf, parseDay } from "../lib/days";

// Fluent's picker rewrites its text from `value` and `formatDate` whenever either
// changes identity: both stay the same across renders, or a render while the maker
// types (a query answering in the background) wipes what they typed.
const formatDay = (date?: Date) => (date ? date.toLocaleDateString() : "");

export function DayPicker({
  day,
  onDay,
  ...props
}: { day: string; onDay: (day: string) => void } & Omit<
  DatePickerProps,
  "value" | "onSelectDate" | "formatDate" | "parseDateFromString" | "allowTextInput"
>) {
  const value = useMemo(() => dateOf(day), [day]);
  return (
    <DatePicker
      {...props}
      value={value}
      onSelectDate={(date) => onDay(date ? dayOf(date) : "")}
      formatDate={formatDay}
      parseDateFromString={parseDay}
      allowTextInput
    />
  );
}
