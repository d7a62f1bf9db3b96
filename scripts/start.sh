#!/usr/bin/env bash
# Set everything up and open JupyterLab on the quickstart notebook.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_env examples
cd "$ROOT"
if [ -d hydroml_jupyter/labextension ]; then
  # An editable install copies the extension once: keep the environment's copy current.
  ext="$VENV/share/jupyter/labextensions/hydroml-jupyter-cells"
  if ! diff -r -q hydroml_jupyter/labextension "$ext" >/dev/null 2>&1; then
    rm -rf "$ext" && mkdir -p "$(dirname "$ext")" && cp -r hydroml_jupyter/labextension "$ext"
  fi
fi
args=(--ServerApp.root_dir="$ROOT")
[ "$(id -u)" = 0 ] && args+=(--allow-root)
exec "$VENV/bin/jupyter" lab "${args[@]}" "$@" notebooks/01-quickstart.ipynb
