// @vitest-environment node
/// <reference types="node" />
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("sources", () => {
  it("never hand data to an HTML parser", () => {
    const src = join(root, "src");
    const files = readdirSync(src, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.map((e) => e.name)).toContain("protocol.ts");
    for (const entry of files) {
      const name = join(entry.parentPath, entry.name);
      const text = readFileSync(name, "utf8");
      expect(text, name).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/);
    }
  });

  it("build to the same bytes twice, with no absolute paths", () => {
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), "hydroml-build-")));
    try {
      for (const d of dirs) execFileSync(process.execPath, [join(root, "build.mjs"), d]);
      for (const file of ["widget.js", "widget.css"]) {
        const a = readFileSync(join(dirs[0]!, file));
        const b = readFileSync(join(dirs[1]!, file));
        expect(a.equals(b), file).toBe(true);
        expect(a.toString("utf8")).not.toContain(root);
        expect(a.toString("utf8")).not.toContain("sourceMappingURL");
      }
      expect(readdirSync(dirs[0]!).sort()).toEqual(["widget.css", "widget.js"]);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
