// Column summaries for the grid header: requested for visible columns once rows are shown,
// one request per batch of newly visible columns, dropped when the version changes.
import type { ErrorArea } from "./dom";
import type { Header } from "./header";
import { type Client, type ColumnInfo, errorMessage } from "./protocol";

export class SummaryLoader {
  private readonly client: Client;
  private readonly header: Header;
  private readonly errors: ErrorArea;
  private version: number | null = null;
  private arrived = false;
  private readonly known = new Map<string, ColumnInfo>();
  private readonly requested = new Set<string>();
  private wanted: string[] = [];

  constructor(client: Client, header: Header, errors: ErrorArea) {
    this.client = client;
    this.header = header;
    this.errors = errors;
  }

  setVersion(version: number): void {
    if (version === this.version) return;
    this.version = version;
    this.arrived = false;
    this.known.clear();
    this.requested.clear();
    this.header.clearSummaries();
  }

  /** Show the known summaries again (after the header was rebuilt). */
  refresh(): void {
    for (const [name, info] of this.known) this.header.setSummary(name, info);
  }

  rowsArrived(): void {
    this.arrived = true;
    this.flush();
  }

  want(columns: string[]): void {
    this.wanted = columns;
    this.flush();
  }

  get(column: string): ColumnInfo | null {
    return this.known.get(column) ?? null;
  }

  /** Summary of one column now, whether or not rows arrived. */
  fetch(column: string): Promise<ColumnInfo | null> {
    const known = this.known.get(column);
    if (known) return Promise.resolve(known);
    this.requested.add(column);
    return this.request([column]).then(() => this.get(column));
  }

  private flush(): void {
    if (!this.arrived) return;
    const fresh = this.wanted.filter((c) => !this.requested.has(c));
    if (!fresh.length) return;
    for (const c of fresh) this.requested.add(c);
    void this.request(fresh);
  }

  private request(columns: string[]): Promise<void> {
    const version = this.version;
    return this.client.request("summary", { columns }).then(
      (reply) => {
        const c = reply.content;
        if (version !== this.version || c.version !== version) return;
        const summaries = (c.summaries ?? {}) as Record<string, ColumnInfo>;
        for (const [name, info] of Object.entries(summaries)) {
          if (!info || typeof info !== "object") continue;
          this.known.set(name, info);
          this.header.setSummary(name, info);
        }
      },
      (err: unknown) => {
        if (version === this.version) this.errors.show(errorMessage(err));
      },
    );
  }
}
