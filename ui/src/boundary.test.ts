// Policy: exactly one UI module talks to Tauri: src/ipc/commands.ts, generated
// from the command registry in Rust. Tests in src/ipc/ may use Tauri's own mocks.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isTest, sources, srcPath } from "./test/sources";

describe("the Tauri boundary", () => {
  it("is crossed by the generated src/ipc/commands.ts alone", () => {
    const importers = sources()
      .filter((path) => !isTest(path))
      .filter((path) => /from\s+["']@tauri-apps\//.test(readFileSync(path, "utf8")))
      .map(srcPath);
    expect(importers).toEqual(["ipc/commands.ts"]);
  });
});
