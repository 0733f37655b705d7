// The one Griffel renderer Fluent's styles go through (App's RendererProvider): the
// same as Fluent's default, and the first screen kept for the next start reads the
// rules it inserted, as they were written (shell/firstScreen.ts).
import { createDOMRenderer } from "@fluentui/react-components";

export const styleRenderer = createDOMRenderer(document);
