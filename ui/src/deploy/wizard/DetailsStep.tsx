import { Field, Input, Radio, RadioGroup, Textarea, makeStyles, tokens } from "@fluentui/react-components";
import type { Plan } from "../../ipc";
import { DayPicker } from "../../components/DayPicker";
import { dayOf, formatWhen } from "../../lib/days";
import { localToUtc } from "../model";
import type { WizardState } from "./state";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "640px" },
  when: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
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
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // "YYYY-MM-DDTHH:MM", kept whole in the state; picked as a day and a time.
  const [day = "", time = ""] = state.localTime.split("T");
  const today = new Date(new Date().setHours(0, 0, 0, 0));
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
          onChange={(_, d) => {
            const when = d.value as WizardState["when"];
            // Later starts at the next full hour after the coming one, in local time.
            const localTime = when === "later" && !state.localTime ? nextHourButOne(new Date()) : state.localTime;
            onChange({ ...state, when, localTime });
          }}
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
          validationMessage={scheduleProblem ?? (utc ? `${formatWhen(utc)}, in your time zone (${zone}).` : undefined)}
          validationState={scheduleProblem ? "error" : "none"}
        >
          <div className={styles.when} data-testid="deploy-at">
            <DayPicker
              day={day}
              onDay={(picked) => onChange({ ...state, localTime: `${picked}T${time}` })}
              minDate={today}
              placeholder="Pick a day"
              aria-label="Day"
              data-testid="deploy-day"
            />
            <Input
              type="time"
              value={time}
              onChange={(_, d) => onChange({ ...state, localTime: `${day}T${d.value}` })}
              aria-label="Time"
              data-testid="deploy-time"
            />
          </div>
        </Field>
      )}
      <Field
        label="Version"
        hint={
          plan.redeploy
            ? `This deployment puts back the package ${plan.stage.name} got${deployedOn(plan.redeploy.deployedOn)}, so the version is fixed (${had.join("; ")}).`
            : plan.promotes
              ? `This stage promotes the package the previous stage got, so the version is fixed (${had.join("; ")}).`
              : `Proposed: ${plan.version} (${had.join("; ")}). A version you type must be higher.`
        }
      >
        <Input
          value={state.version}
          disabled={plan.promotes || plan.redeploy != null}
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

/** " on <local date and time>" for a redeployed package's first deployment, or nothing. */
function deployedOn(at: string | null): string {
  return at ? ` on ${formatWhen(at)}` : "";
}

/** `YYYY-MM-DDTHH:00` two full hours from `now` at most (local time). */
export function nextHourButOne(now: Date): string {
  const at = new Date(now);
  at.setHours(at.getHours() + 2, 0, 0, 0);
  return `${dayOf(at)}T${String(at.getHours()).padStart(2, "0")}:00`;
}
