import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import type { FerryError } from "../ipc";

/** An engine error as the maker reads it: a title and the engine's sentence (which says what to do). */
export function ErrorNote({ title, error, testId }: { title: string; error: unknown; testId?: string }) {
  const message = (error as FerryError | undefined)?.message ?? String(error);
  return (
    <MessageBar intent="error" layout="multiline" data-testid={testId ?? "error-note"}>
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {message}
      </MessageBarBody>
    </MessageBar>
  );
}
