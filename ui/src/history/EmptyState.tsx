import type { ReactNode } from "react";
import { Card, Text, makeStyles, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  card: {
    maxWidth: "640px",
    padding: tokens.spacingVerticalXXL,
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    textAlign: "center",
    gap: tokens.spacingVerticalM,
  },
  icon: { fontSize: "48px", color: tokens.colorBrandForeground1 },
});

export function EmptyState(props: { icon: ReactNode; title: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <Card className={styles.card}>
      <span className={styles.icon}>{props.icon}</span>
      <Text size={500} weight="semibold">
        {props.title}
      </Text>
      <Text>{props.children}</Text>
    </Card>
  );
}
