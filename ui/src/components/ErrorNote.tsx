import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import type { FerryError } from "../ipc";

/**
 * An engine error as the maker reads it: a title and the engine's sentence (which
 * says what to do). Reads pass `onRetry` so the maker can try again in place.
 */
export function ErrorNote({
  title,
  error,
  testId,
  onRetry,
}: {
  title: string;
  error: unknown;
  testId?: string;
  onRetry?: () => void;
}) {
  const message = (error as FerryError | undefined)?.message ?? String(error);
  return (
    <MessageBar intent="error" layout="multiline" data-testid={testId ?? "error-note"}>
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {message}
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button onClick={onRetry} data-testid="error-retry">
            Try again
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
