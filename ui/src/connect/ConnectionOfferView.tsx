import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Button, Field, Text, Textarea, makeStyles, tokens } from "@fluentui/react-components";
import { DocumentArrowUp20Regular } from "@fluentui/react-icons";
import { openConnectionFile, readConnection, type ConnectionOffer, type ProfileInfo, type SignInMethod } from "../ipc";
import { ErrorNote } from "../components/ErrorNote";
import { cloudLabel, replacedProfile } from "./model";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, wordBreak: "break-all" },
});

/**
 * A connection file an admin handed out, taken in: pasted (its text or a
 * `ferry://` link) or opened through the system's open dialog. Nothing is kept:
 * what it holds goes to the confirmation first.
 */
export function ConnectionFileInput({ method, onOffer }: { method: SignInMethod; onOffer: (offer: ConnectionOffer) => void }) {
  const styles = useStyles();
  const [text, setText] = useState("");
  const read = useMutation({ mutationFn: () => readConnection(text, method), onSuccess: onOffer });
  const open = useMutation({
    mutationFn: () => openConnectionFile(method),
    onSuccess: (offer) => offer && onOffer(offer),
  });
  const error = read.error ?? open.error;
  return (
    <div className={styles.root} data-testid="connection-input">
      <Text>
        Your admin may hand you a connection file (<Text font="monospace">.json</Text>) or a <Text font="monospace">ferry://</Text> link
        naming your tenant, its cloud, the app registration and perhaps your environment. Open the file, or paste the link or
        the file's text.
      </Text>
      <div className={styles.actions}>
        <Button
          icon={<DocumentArrowUp20Regular />}
          onClick={() => {
            read.reset();
            open.mutate();
          }}
          disabled={open.isPending}
          data-testid="connection-open-file"
        >
          {open.isPending ? "Opening…" : "Open a connection file…"}
        </Button>
      </div>
      <Field label="Or paste the ferry:// link or the file's text">
        <Textarea
          value={text}
          onChange={(_, d) => setText(d.value)}
          rows={3}
          resize="vertical"
          textarea={{ style: { fontFamily: tokens.fontFamilyMonospace } }}
          data-testid="connection-paste"
        />
      </Field>
      <div className={styles.actions}>
        <Button
          onClick={() => {
            open.reset();
            read.mutate();
          }}
          disabled={!text.trim() || read.isPending}
          data-testid="connection-read"
        >
          Read the link
        </Button>
      </div>
      {error != null && <ErrorNote title="This is not a connection Ferry can use" error={error} testId="connection-error" />}
    </div>
  );
}

/** What a connection file holds, shown before anything is created or replaced. */
export function ConnectionOfferFacts({ offer, profiles }: { offer: ConnectionOffer; profiles: readonly ProfileInfo[] | undefined }) {
  const styles = useStyles();
  const s = offer.signIn;
  const replaced = replacedProfile(offer, profiles);
  return (
    <div className={styles.root} data-testid="connection-offer">
      <dl className={styles.facts}>
        <dt className={styles.term}>Name</dt>
        <dd className={styles.value} data-testid="offer-name">
          {offer.name ?? "(none given)"}
        </dd>
        <dt className={styles.term}>Cloud</dt>
        <dd className={styles.value} data-testid="offer-cloud">
          {cloudLabel(s.cloud)}
        </dd>
        <dt className={styles.term}>Tenant</dt>
        <dd className={styles.value} data-testid="offer-tenant">
          {s.tenant ?? "Your account's home tenant"}
        </dd>
        <dt className={styles.term}>App registration</dt>
        <dd className={styles.value} data-testid="offer-client-id">
          {s.clientId ?? "Ferry's own"}
        </dd>
        <dt className={styles.term}>Environment</dt>
        <dd className={styles.value} data-testid="offer-environment">
          {s.environment ?? "You pick it after signing in"}
        </dd>
      </dl>
      <Text data-testid="offer-effect">
        {replaced
          ? `Signing in replaces the profile “${replaced.displayName}” with what this file says. `
          : "Signing in keeps a new profile for the environment you connect, named after it. "}
        Nothing is saved before you have signed in and connected the environment.
      </Text>
    </div>
  );
}
