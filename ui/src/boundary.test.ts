// Policy: exactly one UI module talks to Tauri: src/ipc/commands.ts, generated
// from the command registry in Rust. Tests in src/ipc/ may use Tauri's own mocks.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = import.meta.dirname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name: string) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

describe("the Tauri boundary", () => {
  it("is crossed by the generated src/ipc/commands.ts alone", () => {
    const importers = sources(SRC)
      .filter((path) => !/\.test\.tsx?$/.test(path))
      .filter((path) => /from\s+["']@tauri-apps\//.test(readFileSync(path, "utf8")))
      .map((path) => relative(SRC, path).replaceAll("\\", "/"));
    expect(importers).toEqual(["ipc/commands.ts"]);
  });
});
