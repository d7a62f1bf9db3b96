// The grid's view bar: the status line, "Apply as step" and "Clear", and the requests that
// change the view (`view`, `apply_view`). Until the kernel answers, the sort and filters
// asked for stand in for the traits, so a second click builds on the first.
import { type ErrorArea, type Listeners, h, traitList, traitNumber } from "./dom";
import { type Client, type Filter, type Model, type SortKey, type ViewRequest, errorMessage } from "./protocol";
import { statusText } from "./viewstate";

export class ViewBar {
  readonly el: HTMLDivElement;
  private readonly model: Model;
  private readonly client: Client;
  private readonly errors: ErrorArea;
  private readonly changed: () => void;
  private readonly status: HTMLSpanElement;
  private readonly applyView: HTMLButtonElement;
  private readonly clearView: HTMLButtonElement;
  private requestedSort: SortKey[] | null = null;
  private requestedFilters: Filter[] | null = null;

  /** `changed` runs once the kernel has changed the view (the grid scrolls to the top). */
  constructor(model: Model, client: Client, errors: ErrorArea, listeners: Listeners, changed: () => void) {
    this.model = model;
    this.client = client;
    this.errors = errors;
    this.changed = changed;
    this.status = h("span", { className: "hydroml-status", attrs: { "aria-live": "polite" } });
    this.applyView = h("button", {
      className: "hydroml-button",
      text: "Apply as step",
      title: "Turn this sort and these filters into steps of the session",
      attrs: { type: "button", "data-action": "apply-view" },
    });
    this.clearView = h("button", {
      className: "hydroml-button hydroml-secondary",
      text: "Clear",
      title: "Clear the sort and the filters",
      attrs: { type: "button", "data-action": "clear-view" },
    });
    this.el = h("div", { className: "hydroml-toolbar" }, [this.status, this.applyView, this.clearView]);
    listeners.dom(this.applyView, "click", () => this.apply());
    listeners.dom(this.clearView, "click", () => this.send({ sort: [], filters: [] }));
  }

  /** The sort keys: the ones asked for while the kernel has not answered, else the trait. */
  get sort(): SortKey[] {
    return this.requestedSort ?? traitList<SortKey>(this.model, "sort");
  }

  /** The filters: the ones asked for while the kernel has not answered, else the trait. */
  get filters(): Filter[] {
    return this.requestedFilters ?? traitList<Filter>(this.model, "filters");
  }

  /** Show the traits' view: the status line, and the buttons only when there is a view. */
  sync(rowCount: number): void {
    const sort = traitList<SortKey>(this.model, "sort");
    const filters = traitList<Filter>(this.model, "filters");
    this.status.textContent = statusText(rowCount, traitNumber(this.model, "total_rows"), sort, filters);
    const hasView = sort.length > 0 || filters.length > 0;
    this.applyView.hidden = !hasView;
    this.clearView.hidden = !hasView;
  }

  /** Ask the kernel for a new sort and/or new filters. */
  send(change: ViewRequest): void {
    if (change.sort) this.requestedSort = change.sort;
    if (change.filters) this.requestedFilters = change.filters;
    const settle = (): void => {
      if (change.sort === this.requestedSort) this.requestedSort = null;
      if (change.filters === this.requestedFilters) this.requestedFilters = null;
    };
    this.client.request("view", change).then(
      () => {
        settle();
        this.errors.clearLocal();
        this.changed();
      },
      (err: unknown) => {
        settle();
        this.errors.show(errorMessage(err));
      },
    );
  }

  private apply(): void {
    this.client.request("apply_view").then(
      () => this.errors.clearLocal(),
      (err: unknown) => this.errors.show(errorMessage(err)),
    );
  }
}
