// Header statistics for the grid: asked for the visible columns once rows are shown, one
// `header_stats` request per batch of newly visible columns. They describe the rows the
// view's filters keep: a new version or new filters drop them, and a reply computed for
// another version or other filters is dropped (a sort changes none of them).
import type { ErrorArea } from "./dom";
import type { Header } from "./header";
import { type Client, type Filter, type HeaderStats, errorMessage } from "./protocol";

/** What the figures depend on: the version and the filters, in the kernel's own shape. */
export function viewKey(version: number, filters: readonly Filter[]): string {
  return JSON.stringify([version, filters]);
}

export class SummaryLoader {
  private readonly client: Client;
  private readonly header: Header;
  private readonly errors: ErrorArea;
  private key: string | null = null;
  private arrived = false;
  private readonly known = new Map<string, HeaderStats>();
  private readonly requested = new Set<string>();
  private wanted: string[] = [];

  constructor(client: Client, header: Header, errors: ErrorArea) {
    this.client = client;
    this.header = header;
    this.errors = errors;
  }

  /** Follow the view: figures of another version or other filters are dropped. */
  setView(version: number, filters: readonly Filter[]): void {
    const key = viewKey(version, filters);
    if (key === this.key) return;
    this.key = key;
    this.arrived = false;
    this.known.clear();
    this.requested.clear();
    this.header.clearSummaries();
  }

  /** Show the known figures again (after the header was rebuilt). */
  refresh(): void {
    for (const [name, stats] of this.known) this.header.setSummary(name, stats);
  }

  rowsArrived(): void {
    this.arrived = true;
    this.flush();
  }

  want(columns: string[]): void {
    this.wanted = columns;
    this.flush();
  }

  get(column: string): HeaderStats | null {
    return this.known.get(column) ?? null;
  }

  private flush(): void {
    if (!this.arrived) return;
    const fresh = this.wanted.filter((c) => !this.requested.has(c));
    if (!fresh.length) return;
    for (const c of fresh) this.requested.add(c);
    void this.request(fresh);
  }

  private request(columns: string[]): Promise<void> {
    const key = this.key;
    return this.client.request("header_stats", { columns }).then(
      (reply) => {
        const c = reply.content;
        const filters = Array.isArray(c.filters) ? (c.filters as Filter[]) : [];
        if (key !== this.key || viewKey(Number(c.version), filters) !== key) return;
        const stats = (c.stats ?? {}) as Record<string, HeaderStats>;
        for (const [name, figures] of Object.entries(stats)) {
          if (!figures || typeof figures !== "object") continue;
          this.known.set(name, figures);
          this.header.setSummary(name, figures);
        }
      },
      (err: unknown) => {
        if (key === this.key) this.errors.show(errorMessage(err));
      },
    );
  }
}
