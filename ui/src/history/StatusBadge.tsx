import type { ReactNode } from "react";
import { makeResetStyles, makeStyles, mergeClasses, shorthands, tokens, typographyStyles, type BadgeProps } from "@fluentui/react-components";

// Fluent's tint Badge (medium, circular) as one span with its look: lists show one per
// row, and a screen of rows is most of the History page's first render (BENCHMARKS.md,
// desktop app startup); the component's hooks and slots per row are what this saves.
const useBase = makeResetStyles({
  display: "inline-flex",
  boxSizing: "border-box",
  alignItems: "center",
  justifyContent: "center",
  position: "relative",
  ...typographyStyles.caption1Strong,
  height: "20px",
  minWidth: "20px",
  padding: `0 calc(${tokens.spacingHorizontalXS} + ${tokens.spacingHorizontalXXS})`,
  borderRadius: tokens.borderRadiusCircular,
  borderColor: tokens.colorTransparentStroke,
  // The border is drawn over the pill, as Fluent's: it does not change its size.
  "::after": {
    content: '""',
    position: "absolute",
    inset: 0,
    borderStyle: "solid",
    borderColor: "inherit",
    borderWidth: tokens.strokeWidthThin,
    borderRadius: "inherit",
  },
});

const useColors = makeStyles({
  brand: { backgroundColor: tokens.colorBrandBackground2, color: tokens.colorBrandForeground2, ...shorthands.borderColor(tokens.colorBrandStroke2) },
  danger: { backgroundColor: tokens.colorPaletteRedBackground1, color: tokens.colorPaletteRedForeground1, ...shorthands.borderColor(tokens.colorPaletteRedBorder1) },
  important: { backgroundColor: tokens.colorNeutralForeground3, color: tokens.colorNeutralBackground1 },
  informative: { backgroundColor: tokens.colorNeutralBackground4, color: tokens.colorNeutralForeground3, ...shorthands.borderColor(tokens.colorNeutralStroke2) },
  severe: {
    backgroundColor: tokens.colorPaletteDarkOrangeBackground1,
    color: tokens.colorPaletteDarkOrangeForeground1,
    ...shorthands.borderColor(tokens.colorPaletteDarkOrangeBorder1),
  },
  subtle: { backgroundColor: tokens.colorNeutralBackground1, color: tokens.colorNeutralForeground3, ...shorthands.borderColor(tokens.colorNeutralStroke2) },
  success: { backgroundColor: tokens.colorPaletteGreenBackground1, color: tokens.colorPaletteGreenForeground1, ...shorthands.borderColor(tokens.colorPaletteGreenBorder1) },
  warning: { backgroundColor: tokens.colorPaletteYellowBackground1, color: tokens.colorPaletteYellowForeground1, ...shorthands.borderColor(tokens.colorPaletteYellowBorder1) },
});

export type StatusColor = NonNullable<BadgeProps["color"]>;

/** A status word in a tinted pill, as Fluent's `<Badge appearance="tint" color={color}>` shows it. */
export function StatusBadge({ color, children }: { color: StatusColor; children: ReactNode }) {
  const base = useBase();
  const colors = useColors();
  return <span className={mergeClasses(base, colors[color])}>{children}</span>;
}
