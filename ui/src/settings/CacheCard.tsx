import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Button,
  Card,
  CardHeader,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { cacheInfo, clearCache } from "../ipc";
import { ErrorNote } from "../components/ErrorNote";

const useStyles = makeStyles({
  card: { maxWidth: "760px", marginBottom: tokens.spacingVerticalL },
  path: { fontFamily: tokens.fontFamilyMonospace, wordBreak: "break-all" },
});

/** 1536 → "1.5 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The local cache: where it is, how big, and clearing it. */
export function CacheCard() {
  const styles = useStyles();
  const client = useQueryClient();
  const info = useQuery({ queryKey: ["cache-info"], queryFn: cacheInfo });
  const clear = useMutation({ mutationFn: clearCache, onSuccess: () => client.invalidateQueries() });
  return (
    <Card className={styles.card} data-testid="cache-card">
      <CardHeader header={<Text weight="semibold">Local cache</Text>} description="Runs, timelines and the values last used per stage, so history works offline." />
      {info.data && (
        <>
          <Text className={styles.path} data-testid="cache-path">
            {info.data.path}
          </Text>
          <Text data-testid="cache-size">{formatBytes(info.data.bytes)}</Text>
        </>
      )}
      <Dialog>
        <DialogTrigger disableButtonEnhancement>
          <Button style={{ alignSelf: "start" }} data-testid="clear-cache">
            Clear cache…
          </Button>
        </DialogTrigger>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Clear the local cache?</DialogTitle>
            <DialogContent>
              Ferry forgets the runs, timelines and last-used values it keeps on this computer. Profiles stay. Runs
              on the host are not touched; History reads them again when the host answers.
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>Keep it</Button>
              </DialogTrigger>
              <DialogTrigger disableButtonEnhancement>
                <Button appearance="primary" onClick={() => clear.mutate()} data-testid="confirm-clear-cache">
                  Clear cache
                </Button>
              </DialogTrigger>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
      {clear.isSuccess && <Text role="status">The cache is cleared.</Text>}
      {clear.isError && <ErrorNote title="Could not clear the cache" error={clear.error} />}
    </Card>
  );
}
