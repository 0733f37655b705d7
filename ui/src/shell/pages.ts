import type { FluentIcon } from "@fluentui/react-icons";
import {
  ArrowUploadFilled,
  ArrowUploadRegular,
  HistoryFilled,
  HistoryRegular,
  SettingsFilled,
  SettingsRegular,
  bundleIcon,
} from "@fluentui/react-icons";

export type PageId = "deploy" | "history" | "settings";

export interface PageEntry {
  id: PageId;
  label: string;
  icon: FluentIcon;
}

/** The navigation, in order. */
export const PAGES: readonly PageEntry[] = [
  { id: "deploy", label: "Deploy", icon: bundleIcon(ArrowUploadFilled, ArrowUploadRegular) },
  { id: "history", label: "History", icon: bundleIcon(HistoryFilled, HistoryRegular) },
  { id: "settings", label: "Settings", icon: bundleIcon(SettingsFilled, SettingsRegular) },
];
