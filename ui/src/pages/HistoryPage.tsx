import { HistoryRegular } from "@fluentui/react-icons";
import { EmptyState } from "./EmptyState";
import { PageHeader } from "./PageHeader";

export function HistoryPage() {
  return (
    <>
      <PageHeader title="History" subtitle="Every deployment Ferry has seen, kept on this computer." />
      <EmptyState icon={<HistoryRegular />} title="No deployments yet">
        Deployments you start or follow are listed here, and stay readable offline.
      </EmptyState>
    </>
  );
}
