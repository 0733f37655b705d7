import { useRef, useState } from "react";
import { Button, Text, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowDownload20Regular, ArrowUpload20Regular, Save20Regular } from "@fluentui/react-icons";
import { checkValues, saveSettingsFile, type Plan } from "../../ipc";
import { copyText } from "../../lib/clipboard";
import { TextDialog } from "../../components/TextDialog";
import { ValuesForm } from "../ValuesForm";
import { deploymentValues, formValues, verdictsBySubject, type Values, type ValuesVerdict } from "../values";
import { connectionSlots, variableSlots } from "./state";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
  hidden: { display: "none" },
  muted: { color: tokens.colorNeutralForeground3 },
});

/**
 * Connection references and environment variables with the engine's verdict on
 * each, and a pac settings file in and out — read and written by the engine.
 */
export function ValuesStep({
  plan,
  values,
  verdict,
  onChange,
}: {
  plan: Plan;
  values: Values;
  /** The engine's verdict on `values` (useValuesCheck). */
  verdict: ValuesVerdict;
  onChange: (v: Values) => void;
}) {
  const styles = useStyles();
  const file = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const [manual, setManual] = useState<string | null>(null);
  const connections = connectionSlots(plan);
  const variables = variableSlots(plan);
  const target = plan.stage.targetName ?? "the target";
  const fromProfile = [...plan.environmentVariables, ...plan.connectionReferences].some((v) => v.source === "stageProfile");

  const onFile = async (chosen: File | undefined) => {
    if (!chosen) return;
    try {
      const read = await checkValues({ plan, values: deploymentValues(values), settingsJson: await chosen.text() });
      onChange(formValues(read.values));
      const got = read.imported;
      setNote(
        `Read ${chosen.name}: ${got?.variables ?? 0} variables, ${got?.connections ?? 0} connections.` +
          (got?.ignored.length ? ` Not in this solution, so left out: ${got.ignored.join(", ")}.` : ""),
      );
    } catch (e) {
      setNote((e as Error).message);
    } finally {
      if (file.current) file.current.value = "";
    }
  };

  // The file the engine writes for the values as they are now (not the last verdict's: it may lag).
  const settingsText = async () =>
    (await checkValues({ plan, values: deploymentValues(values), settingsJson: null })).settingsJson;
  const onExport = () => {
    settingsText()
      .then((text) =>
        copyText(text)
          .then(() => setNote("The deployment settings file is on the clipboard; paste it into a .json file to reuse it with pac or Ferry."))
          .catch(() => setManual(text)),
      )
      .catch((e: unknown) => setNote((e as Error).message));
  };

  const onSave = () => {
    settingsText()
      .then((text) => saveSettingsFile(plan.solution.uniqueName, text))
      .then((path) => path && setNote(`Saved the deployment settings file to ${path}`))
      .catch((e: unknown) => setNote((e as Error).message));
  };

  if (connections.length === 0 && variables.length === 0) {
    return (
      <Text data-testid="step-values">
        {plan.solution.friendlyName || plan.solution.uniqueName} has no connection references or environment variables:
        nothing to fill in.
      </Text>
    );
  }
  return (
    <div className={styles.root} data-testid="step-values">
      {fromProfile && (
        <Text size={200} className={styles.muted}>
          Filled in with the values last used for this stage.
        </Text>
      )}
      <div className={styles.actions}>
        <Button icon={<ArrowUpload20Regular />} onClick={() => file.current?.click()} data-testid="import-settings">
          Import settings file
        </Button>
        <Button icon={<Save20Regular />} onClick={onSave} data-testid="save-settings">
          Save settings file…
        </Button>
        <Button icon={<ArrowDownload20Regular />} onClick={onExport} data-testid="export-settings">
          Copy settings as JSON
        </Button>
        <input
          ref={file}
          type="file"
          accept=".json,application/json"
          className={styles.hidden}
          aria-label="Deployment settings file"
          onChange={(e) => void onFile(e.target.files?.[0])}
        />
      </div>
      <TextDialog title="Deployment settings file" text={manual} onClose={() => setManual(null)} />
      {note && (
        <Text size={200} role="status" data-testid="values-note">
          {note}
        </Text>
      )}
      {verdict.error && (
        <Text size={200} role="alert" data-testid="values-check-error">
          Could not check the values: {verdict.error.message}
        </Text>
      )}
      <div aria-busy={verdict.pending} data-testid="values-form">
        <ValuesForm
          connections={connections}
          variables={variables}
          values={values}
          verdicts={verdictsBySubject(verdict.check)}
          targetName={target}
          onChange={onChange}
        />
      </div>
    </div>
  );
}
