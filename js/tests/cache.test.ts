// @vitest-environment node
import { describe, expect, it } from "vitest";
import { decodeWindow } from "../src/arrow";
import { WindowCache, type RowsWindow } from "../src/cache";
import { flush, ipc } from "./mock";

interface Call {
  start: number;
  stop: number;
  resolve: (w: RowsWindow) => void;
  reject: (e: Error) => void;
}

function harness(options = {}) {
  const calls: Call[] = [];
  const cache = new WindowCache(
    (start, stop) => new Promise<RowsWindow>((resolve, reject) => calls.push({ start, stop, resolve, reject })),
    { blockSize: 100, maxBlocks: 4, prefetch: 0, maxInFlight: 8, ...options },
  );
  let updates = 0;
  cache.onUpdate = () => updates++;
  const answer = (call: Call, version = 1, view = 1): void => {
    const values = Array.from({ length: call.stop - call.start }, (_, i) => call.start + i);
    call.resolve({
      start: call.start,
      stop: call.stop,
      version,
      view,
      rows: values.map((v) => v * 10),
      data: decodeWindow(ipc({ x: values })),
    });
  };
  return { cache, calls, answer, updates: () => updates };
}

const value = (cache: WindowCache, row: number): unknown => {
  const ref = cache.row(row);
  return ref ? ref.data.columns[0]!(ref.index) : undefined;
};

describe("window cache", () => {
  it("fetches whole blocks covering the wanted rows, in one request", async () => {
    const { cache, calls, answer } = harness();
    cache.reset(1, 1, 1000);
    const loaded = cache.want(150, 260);
    expect(calls.map((c) => [c.start, c.stop])).toEqual([[100, 300]]);
    answer(calls[0]!);
    await loaded;
    expect(value(cache, 150)).toBe(150);
    expect(value(cache, 299)).toBe(299);
    expect(cache.row(150)!.frameRow).toBe(1500);
    expect(cache.row(300)).toBeUndefined();
    expect(cache.has(1) && cache.has(2)).toBe(true);
  });

  it("clips the last block to the row count", () => {
    const { cache, calls } = harness();
    cache.reset(1, 1, 250);
    void cache.want(240, 250);
    expect(calls.map((c) => [c.start, c.stop])).toEqual([[200, 250]]);
  });

  it("de-duplicates requests in flight", () => {
    const { cache, calls } = harness();
    cache.reset(1, 1, 1000);
    void cache.want(0, 50);
    void cache.want(10, 60);
    void cache.want(0, 99);
    expect(calls.length).toBe(1);
  });

  it("prefetches blocks around the viewport after the visible ones", () => {
    const { cache, calls } = harness({ prefetch: 1, maxInFlight: 8 });
    cache.reset(1, 1, 10_000);
    void cache.want(520, 540);
    expect(calls.map((c) => [c.start, c.stop])).toEqual([
      [500, 700],
      [400, 500],
    ]);
  });

  it("keeps at most maxInFlight requests and re-evaluates when one returns", async () => {
    const { cache, calls, answer } = harness({ maxInFlight: 1 });
    cache.reset(1, 1, 10_000);
    void cache.want(0, 10);
    void cache.want(5000, 5010);
    expect(calls.length).toBe(1);
    answer(calls[0]!);
    await flush();
    // Only the rows wanted now are fetched next, not everything asked for in between.
    expect(calls.map((c) => c.start)).toEqual([0, 5000]);
  });

  it("bounds the number of blocks (LRU), never evicting visible ones", async () => {
    const { cache, calls, answer } = harness({ maxBlocks: 4 });
    cache.reset(1, 1, 10_000);
    for (let k = 0; k < 6; k++) {
      void cache.want(k * 100, k * 100 + 10);
      answer(calls[calls.length - 1]!);
      await flush();
    }
    expect(cache.size).toBe(4);
    expect(cache.has(0) || cache.has(1)).toBe(false);
    expect(cache.has(5)).toBe(true);
    // Touching block 2 makes it recent: loading block 6 evicts block 3 instead.
    void cache.want(200, 210);
    void cache.want(600, 610);
    answer(calls[calls.length - 1]!);
    await flush();
    expect(cache.has(2)).toBe(true);
    expect(cache.has(3)).toBe(false);
  });

  it("drops everything when the version or the view changes", async () => {
    const { cache, calls, answer } = harness();
    cache.reset(1, 1, 1000);
    void cache.want(0, 10);
    answer(calls[0]!);
    await flush();
    expect(cache.size).toBe(1);
    expect(cache.reset(1, 1, 1000)).toBe(false);
    expect(cache.size).toBe(1);
    expect(cache.reset(1, 2, 1000)).toBe(true);
    expect(cache.size).toBe(0);
    void cache.want(0, 10);
    answer(calls[1]!, 1, 2);
    await flush();
    expect(cache.reset(2, 2, 1000)).toBe(true);
    expect(cache.size).toBe(0);
  });

  it("ignores replies to requests sent before a change", async () => {
    const { cache, calls, answer, updates } = harness();
    cache.reset(1, 1, 1000);
    void cache.want(0, 10);
    cache.reset(1, 2, 1000);
    void cache.want(0, 10);
    expect(calls.length).toBe(2);
    answer(calls[0]!, 1, 1);
    await flush();
    expect(cache.size).toBe(0);
    expect(updates()).toBe(0);
    answer(calls[1]!, 1, 2);
    await flush();
    expect(cache.size).toBe(1);
  });

  it("ignores replies whose version or view is not the current one", async () => {
    const { cache, calls, answer } = harness();
    cache.reset(3, 7, 1000);
    void cache.want(0, 10);
    answer(calls[0]!, 3, 6);
    await flush();
    expect(cache.size).toBe(0);
  });

  it("retries failed blocks once the kernel answers another request", async () => {
    const { cache, calls, answer } = harness();
    cache.reset(1, 1, 1000);
    void cache.want(0, 10);
    calls[0]!.reject(new Error("timeout"));
    await flush();
    void cache.want(500, 510);
    answer(calls[1]!);
    await flush();
    void cache.want(0, 10);
    expect(calls.map((c) => c.start)).toEqual([0, 500, 0]);
  });

  it("reports failures once and does not retry them until the generation changes", async () => {
    const { cache, calls } = harness();
    const errors: unknown[] = [];
    cache.onError = (e) => errors.push(e);
    cache.reset(1, 1, 1000);
    void cache.want(0, 10);
    calls[0]!.reject(new Error("boom"));
    await flush();
    expect(errors.length).toBe(1);
    void cache.want(0, 10);
    expect(calls.length).toBe(1);
    cache.reset(2, 2, 1000);
    void cache.want(0, 10);
    expect(calls.length).toBe(2);
  });
});
