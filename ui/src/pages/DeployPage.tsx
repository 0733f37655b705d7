import { ArrowUploadRegular } from "@fluentui/react-icons";
import { EmptyState } from "./EmptyState";
import { PageHeader } from "./PageHeader";

export function DeployPage() {
  return (
    <>
      <PageHeader
        title="Deploy"
        subtitle="Move a solution to the next stage of its pipeline."
      />
      <EmptyState icon={<ArrowUploadRegular />} title="No pipeline connected">
        Pipelines and solutions appear here once Ferry is connected to a pipelines host.
      </EmptyState>
    </>
  );
}
