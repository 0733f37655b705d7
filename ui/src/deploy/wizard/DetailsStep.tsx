import { Field, Input, Radio, RadioGroup, Textarea, makeStyles, tokens } from "@fluentui/react-components";
import type { Plan } from "../../ipc";
import { localToUtc } from "../model";
import type { WizardState } from "./state";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "640px" },
});

/** Now or later, the version, the notes. */
export function DetailsStep({
  plan,
  state,
  onChange,
  scheduleProblem,
}: {
  plan: Plan;
  state: WizardState;
  onChange: (next: WizardState) => void;
  scheduleProblem: string | null;
}) {
  const styles = useStyles();
  const utc = localToUtc(state.localTime);
  const had = [
    `development has ${plan.devVersion}`,
    plan.stageVersion ? `this stage last got ${plan.stageVersion}` : null,
    plan.targetVersion ? `${plan.stage.targetName ?? "the target"} has ${plan.targetVersion}` : null,
  ].filter(Boolean);
  return (
    <div className={styles.root} data-testid="step-details">
      <Field label="When">
        <RadioGroup
          value={state.when}
          onChange={(_, d) => onChange({ ...state, when: d.value as WizardState["when"] })}
          layout="horizontal"
          data-testid="when"
        >
          <Radio value="now" label="Deploy now" />
          <Radio value="later" label="Deploy later" />
        </RadioGroup>
      </Field>
      {state.when === "later" && (
        <Field
          label="Deploy at (your local time)"
          validationMessage={scheduleProblem ?? (utc ? `Sent to the host as ${utc} (UTC).` : undefined)}
          validationState={scheduleProblem ? "error" : "none"}
        >
          <Input
            type="datetime-local"
            value={state.localTime}
            onChange={(_, d) => onChange({ ...state, localTime: d.value })}
            data-testid="deploy-at"
          />
        </Field>
      )}
      <Field
        label="Version"
        hint={
          plan.promotes
            ? `This stage promotes the package the previous stage got, so the version is fixed (${had.join("; ")}).`
            : `Proposed: ${plan.version} (${had.join("; ")}). A version you type must be higher.`
        }
      >
        <Input
          value={state.version}
          disabled={plan.promotes}
          onChange={(_, d) => onChange({ ...state, version: d.value })}
          data-testid="version"
        />
      </Field>
      <Field label="Deployment notes" hint="What changed, for whoever reads the history or approves it.">
        <Textarea
          value={state.notes}
          resize="vertical"
          onChange={(_, d) => onChange({ ...state, notes: d.value })}
          data-testid="notes"
        />
      </Field>
    </div>
  );
}
