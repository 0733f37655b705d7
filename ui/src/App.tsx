import { FluentProvider } from "@fluentui/react-components";
import { AppShell } from "./shell/AppShell";
import { themeFor, useSystemColorScheme } from "./theme";

export function App() {
  const scheme = useSystemColorScheme();
  return (
    <FluentProvider theme={themeFor(scheme)} data-theme={scheme} style={{ height: "100%" }}>
      <AppShell colorScheme={scheme} />
    </FluentProvider>
  );
}
