// Waiting for the page to show something, without React: the UI's small entry and the
// first commit use it (shell/start.ts, shell/firstScreen.ts). No imports.

/**
 * Calls `then` once `root` holds `selector`: now, or when a change under it adds it.
 * With `waitMs`, it stops watching after that long (and never calls `then`).
 */
export function whenHolds(root: Element, selector: string, then: () => void, waitMs?: number): void {
  if (root.querySelector(selector)) return then();
  const view = root.ownerDocument.defaultView;
  if (!view) return;
  const observer = new view.MutationObserver(() => {
    if (!root.querySelector(selector)) return;
    observer.disconnect();
    then();
  });
  observer.observe(root, { childList: true, subtree: true });
  if (waitMs !== undefined) view.setTimeout(() => observer.disconnect(), waitMs);
}
