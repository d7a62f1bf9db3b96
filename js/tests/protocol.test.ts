// @vitest-environment node
import { afterEach, describe, expect, it, vi } from "vitest";
import { ANSWERS, Client, REQUEST_KINDS, WIDGET_KINDS } from "../src/protocol";
import { MockModel } from "./mock";

afterEach(() => {
  vi.useRealTimers();
});

describe("protocol client", () => {
  it("sends only the protocol's request kinds, each with its keys (checked by tsc)", () => {
    const client = new Client(new MockModel(), { firstId: 1 });
    const wrong = (): void => {
      // @ts-expect-error: not a request kind of the protocol
      void client.request("nonsense");
      // @ts-expect-error: rows needs start and stop
      void client.request("rows");
      // @ts-expect-error: formats are the protocol's ExportFormat
      void client.request("export_path", { format: "docx" });
      // @ts-expect-error: the experiment panel's cancel names a run by its index
      void client.request("cancel", { run: "first" });
      // @ts-expect-error: apply_suggestion needs the version of its quality reply
      void client.request("apply_suggestion", { suggestion: 0 });
    };
    expect(wrong).toBeTypeOf("function");
    expect(REQUEST_KINDS).toContain("cancel");
    expect(WIDGET_KINDS).toEqual(["grid", "sidebar", "studio", "experiment"]);
    expect(ANSWERS.experiment).toEqual(["cancel"]);
    expect(ANSWERS.studio).toEqual([...new Set([...ANSWERS.grid, ...ANSWERS.sidebar])].sort((a, b) => REQUEST_KINDS.indexOf(a) - REQUEST_KINDS.indexOf(b)));
  });

  it("sends increasing request ids with the extra keys", () => {
    const model = new MockModel();
    const client = new Client(model, { firstId: 1 });
    void client.request("rows", { start: 0, stop: 10 });
    void client.request("code");
    expect(model.requests()).toEqual([
      { kind: "rows", request: 1, start: 0, stop: 10 },
      { kind: "code", request: 2 },
    ]);
  });

  it("gives distinct, increasing ids to clients of one page by default", () => {
    const model = new MockModel();
    const a = new Client(model);
    const b = new Client(model);
    void a.request("code");
    void b.request("code");
    void a.request("code");
    const ids = model.requests().map((r) => r.request as number);
    expect(new Set(ids).size).toBe(3);
    expect(ids[2]).toBeGreaterThan(ids[0]!);
    expect(ids.every((id) => Number.isSafeInteger(id))).toBe(true);
  });

  it("resolves with the reply of the same id and its buffers as bytes", async () => {
    const model = new MockModel();
    const client = new Client(model, { firstId: 7 });
    const p = client.request("rows", { start: 0, stop: 1 });
    const bytes = new Uint8Array([1, 2, 3, 4]);
    model.reply({ kind: "rows", request: 7, start: 0 }, [bytes.subarray(1, 3)]);
    const reply = await p;
    expect(reply.content.start).toBe(0);
    expect(Array.from(reply.buffers[0]!)).toEqual([2, 3]);
  });

  it("accepts ArrayBuffer buffers", async () => {
    const model = new MockModel();
    const client = new Client(model, { firstId: 1 });
    const p = client.request("rows", { start: 0, stop: 1 });
    model.emit("msg:custom", { kind: "rows", request: 1 }, [new Uint8Array([9]).buffer]);
    expect(Array.from((await p).buffers[0]!)).toEqual([9]);
  });

  it("rejects on an error reply with the kernel's message", async () => {
    const model = new MockModel();
    const client = new Client(model, { firstId: 1 });
    const p = client.request("apply", { op: "cast", params: {} });
    model.reply({ kind: "error", request: 1, message: "cast: column 'age' has a value that is not a number" });
    await expect(p).rejects.toThrow("cast: column 'age' has a value that is not a number");
    expect(client.pendingCount).toBe(0);
  });

  it("ignores replies to unknown ids and messages without ids", async () => {
    const model = new MockModel();
    const client = new Client(model, { firstId: 1 });
    const p = client.request("code");
    model.reply({ kind: "code", request: 99, code: "other" });
    model.reply({ kind: "progress" });
    model.emit("msg:custom", "not an object", []);
    expect(client.pendingCount).toBe(1);
    model.reply({ kind: "code", request: 1, code: "mine" });
    expect((await p).content.code).toBe("mine");
    // A second reply to the same id is ignored too.
    model.reply({ kind: "error", request: 1, message: "late" });
  });

  it("rejects with a clear message when no reply comes", async () => {
    vi.useFakeTimers();
    const model = new MockModel();
    const client = new Client(model, { firstId: 1, timeoutMs: 1000 });
    const p = client.request("summary", { columns: ["a"] });
    const check = expect(p).rejects.toThrow(/no reply from the kernel to 'summary' after 1 s/);
    vi.advanceTimersByTime(1001);
    await check;
    expect(client.pendingCount).toBe(0);
  });

  it("stops listening when disposed", () => {
    const model = new MockModel();
    const client = new Client(model);
    expect(model.listenerCount()).toBe(1);
    client.dispose();
    expect(model.listenerCount()).toBe(0);
    return expect(client.request("code")).rejects.toThrow(/closed/);
  });
});
