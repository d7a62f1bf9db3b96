#!/usr/bin/env bash
# Install what the tests need and run them all: the front end's type check and unit tests, and
# a check that the committed bundle is the build of js/; lint and type checks; unit and property tests,
# doctests, browser tests of the widgets in a real JupyterLab, and every notebook under
# notebooks/ through nbval.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# Store tests run a real Redis server; browser tests drive Debian's Chromium.
ensure_debs "redis-server:redis-server" "chromium:chromium fonts-liberation"

ensure_env test
cd "$ROOT"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" MPLCONFIGDIR="$work/mpl" MLFLOW_DISABLE_TELEMETRY=true
export HYDROML_STORE_KEY="hydroml-test-key-$$-$(date +%s%N)"
# Sessions opened by tests and notebooks are saved here, not in .hydroml/ of the checkout.
export HYDROML_STORE="$work/sessions"
export PYTHONDONTWRITEBYTECODE=1

# Run a command quietly: print its output only when it fails.
quiet() {
  local log="$work/quiet.log"
  if ! "$@" >"$log" 2>&1; then
    cat "$log"
    return 1
  fi
}

if [ -f js/package.json ]; then
  echo "== front end (js/)"
  # Reinstall node_modules only when the lock file changed since the last install.
  lock_hash="$(sha256sum js/package-lock.json | cut -d' ' -f1)"
  stamp="js/node_modules/.hydroml-lock"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
    echo "hydroml: npm ci"
    (cd js && quiet npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" > "$stamp"
  fi
  # The protocol's TypeScript and the tables of docs/widget-protocol.md are written from its
  # Python definitions (hydroml_jupyter/widgets/shapes.py and schema.py).
  "$PY" -m hydroml_jupyter.widgets.generate --ts > "$work/protocol.ts"
  "$PY" -m hydroml_jupyter.widgets.generate --docs docs/widget-protocol.md > "$work/widget-protocol.md"
  for pair in "js/src/generated/protocol.ts:protocol.ts" "docs/widget-protocol.md:widget-protocol.md"; do
    if ! cmp -s "$work/${pair#*:}" "${pair%%:*}"; then
      echo "hydroml: ${pair%%:*} is not what hydroml_jupyter/widgets/shapes.py and schema.py" \
        "generate: run '.venv/bin/python -m hydroml_jupyter.widgets.generate --write' and commit it" >&2
      exit 1
    fi
  done
  (cd js && quiet npm run check)
  (cd js && quiet npm test)
  sed 's/\x1b\[[0-9;]*m//g' "$work/quiet.log" | grep -E '^ *Tests ' | sed 's/^ */vitest: /' || true
  (cd js && quiet node build.mjs "$work/static")
  for f in widget.js widget.css; do
    if [ ! -f "hydroml_jupyter/static/$f" ]; then
      echo "hydroml: hydroml_jupyter/static/$f is missing: run 'cd js && npm run build' and commit it" >&2
      exit 1
    elif ! cmp -s "$work/static/$f" "hydroml_jupyter/static/$f"; then
      echo "hydroml: hydroml_jupyter/static/$f differs from a build of js/: run 'cd js && npm run build' and commit it" >&2
      exit 1
    fi
  done
fi

if [ -f labextension/package.json ]; then
  echo "== notebook extension (labextension/)"
  # The JupyterLab 4 / Notebook 7 extension behind "Insert as a new cell" is built and compared
  # with the copy committed in hydroml_jupyter/labextension/, which the wheel ships.
  lock_hash="$(sha256sum labextension/package-lock.json | cut -d' ' -f1)"
  stamp="labextension/node_modules/.hydroml-lock"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
    echo "hydroml: npm ci (labextension)"
    (cd labextension && quiet npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" > "$stamp"
  fi
  cp -r hydroml_jupyter/labextension "$work/labextension"
  (cd labextension && quiet node build.mjs "$PY")
  if ! diff -r -q "$work/labextension" hydroml_jupyter/labextension >/dev/null; then
    echo "hydroml: hydroml_jupyter/labextension differs from a build of labextension/: commit the" \
      "new build" >&2
    exit 1
  fi
  # An editable install copies the extension once: keep the environment's copy current.
  ext="$VENV/share/jupyter/labextensions/hydroml-jupyter-cells"
  if ! diff -r -q hydroml_jupyter/labextension "$ext" >/dev/null 2>&1; then
    rm -rf "$ext" && mkdir -p "$(dirname "$ext")" && cp -r hydroml_jupyter/labextension "$ext"
  fi
fi

echo "== ruff"
"$PY" -m ruff check hydroml_jupyter tests bench
"$PY" -m ruff format --check hydroml_jupyter tests bench

echo "== mypy (the engine with --strict checks; settings in pyproject.toml)"
"$PY" -m mypy --cache-dir "$work/mypy-cache"

echo "== pytest (tests, browser tests, doctests, notebooks)"
"$PY" -m pytest tests hydroml_jupyter --doctest-modules \
  --nbval notebooks --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  -p no:cacheprovider "$@"
