import { useEffect, useRef } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Text,
  Textarea,
  tokens,
} from "@fluentui/react-components";

/** Text to copy by hand when the clipboard is not available: selected, ready for Ctrl+C. */
export function TextDialog({ title, text, onClose }: { title: string; text: string | null; onClose: () => void }) {
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (text != null) window.setTimeout(() => area.current?.select(), 50);
  }, [text]);
  return (
    <Dialog open={text != null} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent style={{ display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS }}>
            <Text>The clipboard is not available here: the text is selected, press Ctrl+C (⌘C on a Mac) to copy it.</Text>
            <Textarea
              ref={area}
              value={text ?? ""}
              readOnly
              rows={14}
              aria-label={title}
              textarea={{ style: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 } }}
              data-testid="text-dialog-text"
            />
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onClose}>
              Done
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
