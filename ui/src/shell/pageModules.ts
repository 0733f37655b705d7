// The pages' modules, each a chunk of its own loaded when first needed: a start loads
// the frame and its start page only (BENCHMARKS.md, desktop app startup). The entry
// asks for the start page's chunk first thing (main.tsx), so it arrives with the app's
// script, and the frame renders a page already here without suspending. No imports
// but types, so the entry stays small.
import type { PageId } from "./startOptions";

const LOADERS = {
  deploy: () => import("../deploy/DeployPage").then((m) => m.DeployPage),
  history: () => import("../history/HistoryPage").then((m) => m.HistoryPage),
  settings: () => import("../settings/SettingsPage").then((m) => m.SettingsPage),
  solution: () => import("../solutions/SolutionPage").then((m) => m.SolutionPage),
  wizard: () => import("../deploy/wizard/DeployWizard").then((m) => m.DeployWizard),
  run: () => import("../run/RunPage").then((m) => m.RunPage),
};

export type PageModule = keyof typeof LOADERS;
export type PageComponent<K extends PageModule> = Awaited<ReturnType<(typeof LOADERS)[K]>>;

const loading: { [K in PageModule]?: Promise<PageComponent<K>> } = {};
const loaded: { [K in PageModule]?: PageComponent<K> } = {};

/** Loads a page's module (once); resolves with its component. */
export function loadPage<K extends PageModule>(page: K): Promise<PageComponent<K>> {
  let load = loading[page] as Promise<PageComponent<K>> | undefined;
  if (!load) {
    load = (LOADERS[page] as () => Promise<PageComponent<K>>)().then((component) => {
      (loaded as Record<K, PageComponent<K>>)[page] = component;
      return component;
    });
    // A failed load is tried again next time (the frame shows its error meanwhile).
    load.catch(() => delete loading[page]);
    (loading as Record<K, Promise<PageComponent<K>>>)[page] = load;
  }
  return load;
}

/** A page's component if its module is already here. */
export function loadedPage<K extends PageModule>(page: K): PageComponent<K> | undefined {
  return loaded[page] as PageComponent<K> | undefined;
}

/** The start page's module, asked for by the entry; a failure is the frame's to show. */
export function loadStartPage(page: PageId): Promise<unknown> {
  return loadPage(page).catch(() => undefined);
}
