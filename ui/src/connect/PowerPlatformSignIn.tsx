import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Button,
  Card,
  CardHeader,
  Dropdown,
  Field,
  Input,
  Option,
  Radio,
  RadioGroup,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  builtInClientId,
  cancelOperation,
  cloudEnvironments,
  connectEnvironment,
  newOperationId,
  signInToCloud,
  type CloudSignIn,
  type ConnectionOffer,
  type EnvironmentInfo,
  type ProfileInfo,
  type SignInEvent,
  type SignInMethod,
} from "../ipc";
import { markWelcomed, useProfiles } from "../shell/useStatus";
import { ErrorNote } from "../components/ErrorNote";
import { ConnectionFileInput, ConnectionOfferFacts } from "./ConnectionOfferView";
import { EnvironmentPicker, type PickFailure } from "./EnvironmentPicker";
import { SignInPrompt } from "./SignInPrompt";
import { CLOUDS, formProblem, initialForm, offerRequest, requestOf, type Registration, type SignInForm } from "./model";

const useStyles = makeStyles({
  card: { maxWidth: "720px", padding: tokens.spacingVerticalXL, gap: tokens.spacingVerticalM },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  pair: { display: "grid", gridTemplateColumns: "1fr 1fr", gap: tokens.spacingHorizontalM, alignItems: "start" },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
  hint: { color: tokens.colorNeutralForeground3, display: "block" },
  option: { display: "flex", flexDirection: "column" },
});

type Stage =
  | { kind: "form"; error?: unknown }
  | { kind: "confirm"; offer: ConnectionOffer; error?: unknown }
  | { kind: "signing"; request: CloudSignIn; opId: string; event: SignInEvent | null; from: Stage }
  | { kind: "pick"; request: CloudSignIn; account: string };

/** What each way to name an app registration is, and what to ask an admin for. */
const REGISTRATIONS: Record<Registration, { label: string; ask: string }> = {
  builtIn: {
    label: "Ferry's own app registration",
    ask: "Nothing, usually. If your tenant lets only admins consent to new apps, ask an admin to consent to Ferry once.",
  },
  file: {
    label: "A connection file from your admin",
    ask: "Ask your admin for Ferry's connection file (a .json file or a ferry:// link): it names the tenant, the cloud, the app registration and perhaps your environment.",
  },
  clientId: {
    label: "An application (client) id",
    ask: "Ask your admin for the application (client) id of an app registration for Ferry: a public client with the redirect http://localhost, allowed Dataverse and PowerApps Service (user_impersonation).",
  },
};

/**
 * "Sign in to Power Platform": the app registration (Ferry's own when this build
 * carries one, a connection file, or a client id typed in), the cloud and tenant,
 * how to sign in (this computer's browser or a code), then the environments the
 * account reaches to pick from; connecting one finds its pipelines host and makes
 * it the profile in use. A connection file's content is shown before signing in.
 */
export function PowerPlatformSignIn({
  registration,
  offer,
  onDone,
  onCancel,
}: {
  /** The way in the maker chose already (the welcome card's "Use a connection file…"). */
  registration?: Registration;
  /** A connection the app was started with: straight to its confirmation. */
  offer?: ConnectionOffer | null;
  onDone: (profile: ProfileInfo) => void;
  onCancel?: () => void;
}) {
  const styles = useStyles();
  const client = useQueryClient();
  const builtIn = useQuery({ queryKey: ["built-in-client-id"], queryFn: builtInClientId, staleTime: Infinity });
  const profiles = useProfiles();
  const [form, setForm] = useState<SignInForm>(() => initialForm(null, registration === "file" ? "file" : undefined));
  const [stage, setStage] = useState<Stage>(() => (offer ? { kind: "confirm", offer } : { kind: "form" }));
  const [method, setMethod] = useState<SignInMethod>(offer?.signIn.method ?? "browser");
  const waiting = useRef<string | null>(null);

  // A build with its own registration offers it first (unless the maker chose another way).
  useEffect(() => {
    if (builtIn.data && registration !== "file") setForm((f) => (f.registration === "clientId" && !f.clientId ? { ...f, registration: "builtIn" } : f));
  }, [builtIn.data, registration]);

  // Leaving stops a sign-in that is still waiting.
  useEffect(
    () => () => {
      if (waiting.current) void cancelOperation(waiting.current).catch(() => undefined);
    },
    [],
  );

  const signIn = (request: CloudSignIn, from: Stage) => {
    const opId = newOperationId("cloud-sign-in");
    waiting.current = opId;
    setStage({ kind: "signing", request, opId, event: null, from });
    signInToCloud(request, opId, (event) => {
      if (waiting.current === opId) setStage({ kind: "signing", request, opId, event, from });
    }).then(
      (account) => {
        if (waiting.current !== opId) return;
        waiting.current = null;
        if (account) setStage({ kind: "pick", request, account: account.account });
        else setStage(from);
      },
      (error: unknown) => {
        if (waiting.current !== opId) return;
        waiting.current = null;
        setStage({ ...from, error } as Stage);
      },
    );
  };

  const cancel = (opId: string, from: Stage) => {
    waiting.current = null;
    setStage(from);
    void cancelOperation(opId).catch(() => undefined);
  };

  let body;
  let title = "Sign in to Power Platform";
  if (stage.kind === "form") {
    const problem = formProblem(form);
    body = (
      <form
        className={styles.form}
        aria-label="Sign in to Power Platform"
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem) signIn(requestOf(form), { kind: "form" });
        }}
      >
        <Field label="App registration: which app Ferry signs in as">
          <RadioGroup
            value={form.registration}
            onChange={(_, d) => setForm({ ...form, registration: d.value as Registration })}
            data-testid="registration-choice"
          >
            {(Object.keys(REGISTRATIONS) as Registration[]).map((r) => (
              <Radio
                key={r}
                value={r}
                disabled={r === "builtIn" && !builtIn.data}
                data-testid={`registration-${r}`}
                label={
                  <span className={styles.option}>
                    <span>
                      {REGISTRATIONS[r].label}
                      {r === "builtIn" && !builtIn.data && " — this build of Ferry carries none"}
                    </span>
                    <Text size={200} className={styles.hint}>
                      {REGISTRATIONS[r].ask}
                    </Text>
                  </span>
                }
              />
            ))}
          </RadioGroup>
        </Field>
        {form.registration === "file" ? (
          <ConnectionFileInput method={method} onOffer={(o) => setStage({ kind: "confirm", offer: o })} />
        ) : (
          <>
            <div className={styles.pair}>
              <Field label="Cloud">
                <Dropdown
                  value={CLOUDS.find((c) => c.value === form.cloud)?.label ?? ""}
                  selectedOptions={[form.cloud]}
                  onOptionSelect={(_, d) => d.optionValue && setForm({ ...form, cloud: d.optionValue })}
                  data-testid="cloud-choice"
                >
                  {CLOUDS.map((c) => (
                    <Option key={c.value} value={c.value}>
                      {c.label}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              <Field label="Tenant (optional)" hint="Its domain, like contoso.onmicrosoft.com, or its id. Empty: your account's home tenant.">
                <Input value={form.tenant} onChange={(_, d) => setForm({ ...form, tenant: d.value })} data-testid="tenant-input" />
              </Field>
            </div>
            {form.registration === "clientId" && (
              <Field
                label="Application (client) id"
                required={form.method !== "azureCli"}
                validationMessage={form.clientId.trim() ? problem : undefined}
              >
                <Input
                  value={form.clientId}
                  onChange={(_, d) => setForm({ ...form, clientId: d.value })}
                  placeholder="0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
                  data-testid="client-id-input"
                />
              </Field>
            )}
            <MethodChoice value={form.method} onChange={(m) => setForm({ ...form, method: m })} azureCli />
            <CaFileField value={form.caFile} onChange={(caFile) => setForm({ ...form, caFile })} />
            {stage.error != null && (
              <ErrorNote title="Sign-in did not finish" error={stage.error} testId="cloud-sign-in-error" />
            )}
            <div className={styles.actions}>
              <Button appearance="primary" type="submit" disabled={problem != null} data-testid="cloud-sign-in-start">
                Sign in
              </Button>
              {onCancel && <Button onClick={onCancel}>Back</Button>}
            </div>
          </>
        )}
        {form.registration === "file" && onCancel && (
          <div className={styles.actions}>
            <Button onClick={onCancel}>Back</Button>
          </div>
        )}
      </form>
    );
  } else if (stage.kind === "confirm") {
    title = stage.offer.name ? `Connect to ${stage.offer.name}` : "Use this connection file?";
    body = (
      <div className={styles.form}>
        <Text>This connection file holds:</Text>
        <ConnectionOfferFacts offer={stage.offer} profiles={profiles.data} />
        <MethodChoice value={method} onChange={setMethod} />
        <CaFileField value={form.caFile} onChange={(caFile) => setForm({ ...form, caFile })} />
        {stage.error != null && <ErrorNote title="Sign-in did not finish" error={stage.error} testId="cloud-sign-in-error" />}
        <div className={styles.actions}>
          <Button
            appearance="primary"
            onClick={() => signIn(offerRequest(stage.offer, method, form.caFile), { kind: "confirm", offer: stage.offer })}
            data-testid="connection-confirm"
          >
            Sign in
          </Button>
          <Button onClick={() => (onCancel && offer ? onCancel() : setStage({ kind: "form" }))} data-testid="connection-back">
            {offer ? "Not now" : "Back"}
          </Button>
        </div>
      </div>
    );
  } else if (stage.kind === "signing") {
    body = (
      <SignInPrompt
        key={stage.opId}
        event={stage.event}
        startingLabel={
          stage.request.method === "deviceCode"
            ? "Asking for a sign-in code…"
            : stage.request.method === "azureCli"
              ? "Asking the Azure CLI for a token…"
              : "Opening the sign-in page in your browser…"
        }
        onCancel={() => cancel(stage.opId, stage.from)}
      />
    );
  } else {
    title = "Pick your development environment";
    body = (
      <Pick
        request={stage.request}
        account={stage.account}
        onDone={(profile) => {
          markWelcomed();
          void client.invalidateQueries();
          onDone(profile);
        }}
      />
    );
  }

  return (
    <Card className={styles.card} data-testid="cloud-sign-in" data-stage={stage.kind}>
      <CardHeader header={<Text size={500} weight="semibold">{title}</Text>} />
      {body}
    </Card>
  );
}

/** How to sign in: this computer's browser (the default) or a code; the Azure CLI for pros. */
function MethodChoice({ value, onChange, azureCli }: { value: SignInMethod; onChange: (m: SignInMethod) => void; azureCli?: boolean }) {
  return (
    <Field label="Sign in with">
      <RadioGroup value={value} onChange={(_, d) => onChange(d.value as SignInMethod)} data-testid="method-choice">
        <Radio value="browser" label="This computer's browser" data-testid="method-browser" />
        <Radio value="deviceCode" label="A code, entered in any browser (another device's too)" data-testid="method-deviceCode" />
        {azureCli && <Radio value="azureCli" label="The Azure CLI's sign-in (az login; Ferry keeps nothing)" data-testid="method-azureCli" />}
      </RadioGroup>
    </Field>
  );
}

/** Behind a proxy that inspects TLS: its CA certificate, trusted besides the system's. */
function CaFileField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <Field
      label="CA certificate file (optional)"
      hint="Only behind a proxy that inspects TLS: the full path of a PEM file with its CA certificate, trusted besides the system's."
    >
      <Input value={value} onChange={(_, d) => onChange(d.value)} placeholder="/etc/ssl/certs/contoso-proxy.pem" data-testid="ca-file-input" />
    </Field>
  );
}

/** Signed in: the environments the account reaches; connecting one ends the flow. */
function Pick({ request, account, onDone }: { request: CloudSignIn; account: string; onDone: (p: ProfileInfo) => void }) {
  const list = useQuery({ queryKey: ["cloud-environments", request], queryFn: () => cloudEnvironments(request) });
  const [failure, setFailure] = useState<PickFailure | null>(null);
  const connect = useMutation({
    mutationFn: (env: EnvironmentInfo) => connectEnvironment(request, env.url),
    onMutate: () => setFailure(null),
    onSuccess: onDone,
    onError: (error, environment) => setFailure({ environment, error }),
  });
  return (
    <>
      <Text data-testid="signed-in-as">
        Signed in as <Text weight="semibold">{account}</Text>. Pick the development environment you deploy from: Ferry finds
        its pipelines host.
      </Text>
      <EnvironmentPicker
        environments={list.data}
        loading={list.isPending}
        error={list.isError ? list.error : null}
        onRetry={() => void list.refetch()}
        onPick={(env) => connect.mutate(env)}
        connecting={connect.isPending ? (connect.variables?.url ?? null) : null}
        failure={failure}
        named={request.environment}
      />
    </>
  );
}
