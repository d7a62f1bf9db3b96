import { describe, expect, it } from "vitest";
import type { Preview } from "../src/protocol";
import { renderPreview } from "../src/preview";

const EVIL = "<img src=x onerror=alert(1)>";

function preview(notes?: string[]): Preview {
  return {
    op: "merge",
    label: "Merge with planes.csv on tailnum (left join)",
    ok: true,
    error: null,
    rows_before: 5,
    rows_after: 5,
    columns_added: ["seats"],
    columns_removed: [],
    dtypes_changed: {},
    changed: {},
    failures: [],
    failures_total: 0,
    sample: null,
    ...(notes === undefined ? {} : { notes }),
  } as Preview;
}

describe("preview notes", () => {
  it("shows each note as a line of text, in order", () => {
    const root = renderPreview(preview(["1 of 5 rows have no match in planes.csv", `2 of 4 rows of ${EVIL}`]));
    const lines = [...root.querySelectorAll(".hydroml-preview-note")].map((n) => n.textContent);
    expect(lines).toEqual(["1 of 5 rows have no match in planes.csv", `2 of 4 rows of ${EVIL}`]);
    expect(root.querySelector("img")).toBeNull();
  });

  it("shows none when the operation has nothing to add, or an older kernel sends none", () => {
    expect(renderPreview(preview([])).querySelectorAll(".hydroml-preview-note").length).toBe(0);
    expect(renderPreview(preview()).querySelectorAll(".hydroml-preview-note").length).toBe(0);
  });
});
