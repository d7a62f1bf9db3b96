// Window cache: rows of the current (version, view) held in fixed blocks, bounded LRU.
import type { DecodedWindow } from "./arrow";

export interface RowsWindow {
  start: number;
  stop: number;
  version: number;
  view: number;
  /** Frame position of each row, 0-based. */
  rows: number[];
  data: DecodedWindow;
}

export type FetchRows = (start: number, stop: number) => Promise<RowsWindow>;

export interface RowRef {
  data: DecodedWindow;
  index: number;
  frameRow: number | null;
}

interface Block {
  stop: number;
  window: RowsWindow;
}

export interface CacheOptions {
  blockSize?: number;
  maxBlocks?: number;
  /** Blocks fetched ahead of and behind the visible ones. */
  prefetch?: number;
  /** Rows requests in flight at once; further needs wait and are re-evaluated. */
  maxInFlight?: number;
  /** Protocol limit on one rows request. */
  maxRowsPerRequest?: number;
}

export class WindowCache {
  readonly blockSize: number;
  readonly maxBlocks: number;
  readonly prefetch: number;
  readonly maxInFlight: number;
  readonly maxBlocksPerRequest: number;
  onUpdate: () => void = () => {};
  onError: (err: unknown) => void = () => {};

  private readonly fetchRows: FetchRows;
  private version: number | null = null;
  private view: number | null = null;
  private rowCount = 0;
  private epoch = 0;
  private readonly blocks = new Map<number, Block>();
  private readonly inflight = new Map<number, Promise<void>>();
  private requestsInFlight = 0;
  private readonly failed = new Set<number>();
  private wanted: [number, number] | null = null;

  constructor(fetchRows: FetchRows, options: CacheOptions = {}) {
    this.fetchRows = fetchRows;
    this.blockSize = options.blockSize ?? 100;
    this.maxBlocks = options.maxBlocks ?? 64;
    this.prefetch = options.prefetch ?? 1;
    this.maxInFlight = options.maxInFlight ?? 2;
    const maxRows = options.maxRowsPerRequest ?? 5000;
    this.maxBlocksPerRequest = Math.max(1, Math.floor(maxRows / this.blockSize));
  }

  get size(): number {
    return this.blocks.size;
  }

  get generation(): [number | null, number | null] {
    return [this.version, this.view];
  }

  /** Switch to (version, view); drops everything when either changed. */
  reset(version: number, view: number, rowCount: number): boolean {
    this.rowCount = Math.max(0, rowCount);
    if (version === this.version && view === this.view) return false;
    this.version = version;
    this.view = view;
    this.clear();
    return true;
  }

  /** Drop every block and forget failures; replies to requests already sent are ignored. */
  clear(): void {
    this.epoch++;
    this.blocks.clear();
    this.inflight.clear();
    this.failed.clear();
    this.requestsInFlight = 0;
  }

  has(block: number): boolean {
    return this.blocks.has(block);
  }

  row(position: number): RowRef | undefined {
    const block = this.blocks.get(Math.floor(position / this.blockSize));
    if (block === undefined || position >= block.stop) return undefined;
    const w = block.window;
    const index = position - w.start;
    if (index < 0 || index >= w.data.numRows) return undefined;
    return { data: w.data, index, frameRow: w.rows[index] ?? null };
  }

  /** Rows [first, stop) are on screen: fetch what is missing there and around it. */
  want(first: number, stop: number): Promise<void> {
    this.wanted = [first, stop];
    const [k0, k1] = this.visibleBlocks();
    for (let k = k0; k <= k1; k++) {
      const b = this.blocks.get(k);
      if (b !== undefined) {
        this.blocks.delete(k);
        this.blocks.set(k, b);
      }
    }
    this.pump();
    const waits: Promise<void>[] = [];
    for (let k = k0; k <= k1; k++) {
      const p = this.inflight.get(k);
      if (p !== undefined) waits.push(p);
    }
    return Promise.all(waits).then(() => undefined);
  }

  private blockCount(): number {
    return Math.ceil(this.rowCount / this.blockSize);
  }

  private visibleBlocks(): [number, number] {
    if (this.wanted === null || this.rowCount === 0) return [0, -1];
    const n = this.blockCount();
    const [first, stop] = this.wanted;
    const k0 = Math.min(n - 1, Math.max(0, Math.floor(first / this.blockSize)));
    const k1 = Math.min(n - 1, Math.max(k0, Math.floor((Math.max(first + 1, stop) - 1) / this.blockSize)));
    return [k0, k1];
  }

  private missing(k: number): boolean {
    return !this.blocks.has(k) && !this.inflight.has(k) && !this.failed.has(k);
  }

  private pump(): void {
    const [k0, k1] = this.visibleBlocks();
    if (k1 < k0) return;
    const n = this.blockCount();
    const order: number[] = [];
    for (let k = k0; k <= k1; k++) order.push(k);
    for (let k = k1 + 1; k <= Math.min(n - 1, k1 + this.prefetch); k++) order.push(k);
    for (let k = k0 - 1; k >= Math.max(0, k0 - this.prefetch); k--) order.push(k);
    let i = 0;
    while (i < order.length && this.requestsInFlight < this.maxInFlight) {
      const k = order[i++]!;
      if (!this.missing(k)) continue;
      let last = k;
      // Extend upwards while the next wanted block is also missing.
      while (
        i < order.length &&
        order[i] === last + 1 &&
        last - k + 1 < this.maxBlocksPerRequest &&
        this.missing(last + 1)
      ) {
        last++;
        i++;
      }
      this.request(k, last);
    }
  }

  private request(k0: number, k1: number): void {
    const epoch = this.epoch;
    const start = k0 * this.blockSize;
    const stop = Math.min(this.rowCount, (k1 + 1) * this.blockSize);
    this.requestsInFlight++;
    const done = this.fetchRows(start, stop).then(
      (w) => {
        if (epoch !== this.epoch) return;
        this.requestsInFlight--;
        this.forget(k0, k1);
        if (w.version === this.version && w.view === this.view) {
          // The kernel answers again: blocks that failed (e.g. timed out) may be retried.
          this.failed.clear();
          this.store(w, k0, k1);
          this.onUpdate();
        }
        this.pump();
      },
      (err: unknown) => {
        if (epoch !== this.epoch) return;
        this.requestsInFlight--;
        this.forget(k0, k1);
        for (let k = k0; k <= k1; k++) this.failed.add(k);
        this.onError(err);
      },
    );
    for (let k = k0; k <= k1; k++) this.inflight.set(k, done);
  }

  private forget(k0: number, k1: number): void {
    for (let k = k0; k <= k1; k++) this.inflight.delete(k);
  }

  private store(w: RowsWindow, k0: number, k1: number): void {
    const end = w.start + w.data.numRows;
    for (let k = k0; k <= k1; k++) {
      const start = k * this.blockSize;
      if (start < w.start || start >= end) continue;
      const stop = Math.min(end, (k + 1) * this.blockSize);
      this.blocks.delete(k);
      this.blocks.set(k, { stop, window: w });
    }
    this.evict();
  }

  private evict(): void {
    const [v0, v1] = this.visibleBlocks();
    for (const k of this.blocks.keys()) {
      if (this.blocks.size <= this.maxBlocks) break;
      if (k >= v0 && k <= v1) continue;
      this.blocks.delete(k);
    }
  }
}
