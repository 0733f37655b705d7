import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, renderHook } from "@testing-library/react";
import type { Check, ValuesCheck, ValuesRequest } from "../ipc";
import { plan } from "../test/fixtures";
import { CHECK_DELAY_MS, deploymentValues, formValues, useValuesCheck, verdictsBySubject, type Values } from "./values";

// The engine, scripted: each call waits for the test to answer it.
const engine = vi.hoisted(() => ({
  calls: [] as { request: ValuesRequest; answer: (check: ValuesCheck) => void }[],
}));
vi.mock("../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../ipc")>()),
  checkValues: (request: ValuesRequest) =>
    new Promise<ValuesCheck>((answer) => engine.calls.push({ request, answer })),
}));

const verdict = (checks: Check[]): ValuesCheck => ({
  values: { environmentVariables: [], connectionReferences: [] },
  checks,
  ready: !checks.some((c) => c.severity === "error"),
  settingsJson: "{}",
  imported: null,
});
const placeholder: Check = { severity: "error", subject: "cont_ApiBaseUrl", message: "cont_ApiBaseUrl: `#{x}#` is a placeholder" };
const values = (url: string): Values => ({ connections: {}, variables: { cont_ApiBaseUrl: url } });

beforeEach(() => {
  engine.calls = [];
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
});
afterEach(() => vi.useRealTimers());

describe("the engine's verdict on the values", () => {
  it("is asked at once, then once typing pauses, keeping the last verdict meanwhile", async () => {
    const p = plan();
    const { result, rerender } = renderHook(({ v }) => useValuesCheck(p, v), { initialProps: { v: values("#{x}#") } });
    await act(async () => vi.advanceTimersByTime(0));
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0].request).toEqual({ plan: p, values: deploymentValues(values("#{x}#")), settingsJson: null });
    await act(async () => engine.calls[0].answer(verdict([placeholder])));
    expect(result.current).toMatchObject({ pending: false, check: { ready: false } });

    // Typing: nothing is asked until the pause, and the last verdict stays on screen.
    for (const typed of ["h", "ht", "htt", "https://x"]) {
      rerender({ v: values(typed) });
      await act(async () => vi.advanceTimersByTime(CHECK_DELAY_MS - 50));
    }
    expect(engine.calls).toHaveLength(1);
    expect(result.current.pending).toBe(true);
    expect(verdictsBySubject(result.current.check).cont_ApiBaseUrl).toEqual(placeholder);
    await act(async () => vi.advanceTimersByTime(50));
    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[1].request.values.environmentVariables).toEqual([{ schemaName: "cont_ApiBaseUrl", value: "https://x" }]);
    await act(async () => engine.calls[1].answer(verdict([])));
    expect(result.current).toMatchObject({ pending: false, check: { ready: true } });
  });

  it("drops an answer for values that changed since it was asked", async () => {
    const p = plan();
    const { result, rerender } = renderHook(({ v }) => useValuesCheck(p, v), { initialProps: { v: values("a") } });
    await act(async () => vi.advanceTimersByTime(0));
    rerender({ v: values("#{x}#") });
    await act(async () => vi.advanceTimersByTime(CHECK_DELAY_MS));
    expect(engine.calls).toHaveLength(2);
    await act(async () => engine.calls[1].answer(verdict([placeholder])));
    // The first call's answer comes late: it is about "a", no longer on screen.
    await act(async () => engine.calls[0].answer(verdict([])));
    expect(result.current.check?.ready).toBe(false);
    expect(verdictsBySubject(result.current.check).cont_ApiBaseUrl?.message).toMatch(/placeholder/);
  });

  it("keeps the most serious word per value, and converts the engine's values for the form", () => {
    const note: Check = { severity: "info", subject: "cont_ApiBaseUrl", message: "keeps the target's value" };
    expect(verdictsBySubject(verdict([note, placeholder])).cont_ApiBaseUrl).toBe(placeholder);
    expect(verdictsBySubject(verdict([{ ...note, subject: null }]))).toEqual({});
    const form: Values = { connections: { cont_office: "c1", cont_sql: "" }, variables: { a: "1", b: "  " } };
    expect(formValues(deploymentValues(form))).toEqual({ connections: { cont_office: "c1" }, variables: { a: "1" } });
  });
});
