import type { FluentIcon } from "@fluentui/react-icons";
import { ArrowUpload20Regular, History20Regular, Settings20Regular } from "@fluentui/react-icons";

import type { PageId } from "./startOptions";

export type { PageId } from "./startOptions";

export interface PageEntry {
  id: PageId;
  label: string;
  icon: FluentIcon;
}

/** The navigation, in order. */
export const PAGES: readonly PageEntry[] = [
  { id: "deploy", label: "Deploy", icon: ArrowUpload20Regular },
  { id: "history", label: "History", icon: History20Regular },
  { id: "settings", label: "Settings", icon: Settings20Regular },
];
