// The "Fluent floor" of scripts/bench-app.sh: the least a React + Fluent UI page can
// do (a FluentProvider and one line of text), shown in the bare Tauri window. It
// reports like the bare page once its text is in the DOM, so the benchmark shows
// what the stack costs before any of Ferry's own code runs (with Ferry's theme, so
// the same fonts).
import { useEffect } from "react";
import { createRoot } from "react-dom/client";
import { FluentProvider, Text } from "@fluentui/react-components";
import { invoke } from "@tauri-apps/api/core";
import { themeFor } from "../../src/shell/theme";

function Floor() {
  useEffect(() => {
    void invoke("ready", { atMs: Date.now(), originMs: performance.timeOrigin });
  }, []);
  return <Text>React and Fluent UI in a plain Tauri window: the floor of Ferry's startup benchmark.</Text>;
}

createRoot(document.getElementById("root")!).render(
  <FluentProvider theme={themeFor("light")}>
    <Floor />
  </FluentProvider>,
);
