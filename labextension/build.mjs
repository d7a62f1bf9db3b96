// Build the extension into ../hydroml_jupyter/labextension (the wheel ships it as shared data).
// Usage: node build.mjs PYTHON   (a Python whose jupyterlab package gives the core package data)
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const python = process.argv[2] ?? "python3";
const core = execFileSync(python, ["-c", "import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), 'staging'))"], {
  encoding: "utf8",
}).trim();
const run = (args) => execFileSync(process.execPath, args, { cwd: here, stdio: "inherit" });
run([join(here, "node_modules/typescript/bin/tsc"), "-p", here]);
run([join(here, "node_modules/@jupyterlab/builder/lib/build-labextension.js"), "--core-path", core, here]);
