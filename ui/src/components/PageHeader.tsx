import { Fragment, type ReactNode } from "react";
import { Breadcrumb, BreadcrumbButton, BreadcrumbDivider, BreadcrumbItem, Text, makeStyles, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  header: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    marginBottom: tokens.spacingVerticalXL,
  },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  title: { flexGrow: 1 },
});

/** A step back up the page hierarchy. */
export interface Crumb {
  label: string;
  onClick: () => void;
}

export function PageHeader({
  title,
  subtitle,
  crumbs,
  actions,
}: {
  title: string;
  subtitle: ReactNode;
  crumbs?: Crumb[];
  actions?: ReactNode;
}) {
  const styles = useStyles();
  return (
    <header className={styles.header}>
      {crumbs && crumbs.length > 0 && (
        <Breadcrumb aria-label="Where you are" size="small">
          {crumbs.map((c, i) => (
            <Fragment key={c.label}>
              <BreadcrumbItem>
                <BreadcrumbButton onClick={c.onClick} data-testid={`crumb-${i}`}>
                  {c.label}
                </BreadcrumbButton>
              </BreadcrumbItem>
              <BreadcrumbDivider />
            </Fragment>
          ))}
        </Breadcrumb>
      )}
      <div className={styles.row}>
        <Text as="h1" size={700} weight="semibold" className={styles.title}>
          {title}
        </Text>
        {actions}
      </div>
      <Text size={300}>{subtitle}</Text>
    </header>
  );
}
