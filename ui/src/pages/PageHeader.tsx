import { Text, makeStyles, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  header: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    marginBottom: tokens.spacingVerticalXL,
  },
});

export function PageHeader({ title, subtitle }: { title: string; subtitle: string }) {
  const styles = useStyles();
  return (
    <header className={styles.header}>
      <Text as="h1" size={700} weight="semibold">
        {title}
      </Text>
      <Text size={300}>{subtitle}</Text>
    </header>
  );
}
