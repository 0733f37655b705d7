// The UI's own source files and the relative imports between them, for the
// policy tests (boundary.test.ts, layout.test.ts) that read the tree as text.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** The folder holding the UI's sources (`ui/src`). */
export const SRC = dirname(import.meta.dirname);

/** Every .ts/.tsx file under `dir`, as absolute paths. */
export function sources(dir: string = SRC): string[] {
  return readdirSync(dir).flatMap((name: string) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** A path relative to `ui/src`, with forward slashes. */
export function srcPath(path: string): string {
  return relative(SRC, path).replaceAll("\\", "/");
}

export function isTest(path: string): boolean {
  return /\.test\.tsx?$/.test(path);
}

// `from "./x"`, `import("./x")` and `import "./x.css"`; packages are not followed.
const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g;

/** The files `path` imports by relative specifier, resolved as Vite and tsc do. */
export function importsOf(path: string): string[] {
  const found = [...readFileSync(path, "utf8").matchAll(RELATIVE_IMPORT)].map((m) => m[1]);
  return found.flatMap((specifier) => {
    const base = join(dirname(path), specifier);
    const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts"), join(base, "index.tsx")];
    const file = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    return file ? [file] : [];
  });
}
