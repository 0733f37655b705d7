// Where the maker is: a section of the navigation and, inside it, a page.
import type { PageId } from "./pages";

export type Route =
  | { page: "deploy" }
  | { page: "solution"; solution: string }
  /** `redeployOf`: the earlier run whose package goes to the stage again. */
  | { page: "wizard"; solution: string; stageId: string; redeployOf?: string }
  | { page: "run"; runId: string; from: "deploy" | "history" }
  | { page: "history" }
  | { page: "settings" };

/** The navigation entry a route belongs to. */
export function sectionOf(route: Route): PageId {
  switch (route.page) {
    case "solution":
    case "wizard":
      return "deploy";
    case "run":
      return route.from;
    default:
      return route.page;
  }
}

export type Navigate = (route: Route) => void;
