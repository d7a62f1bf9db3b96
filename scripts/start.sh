#!/usr/bin/env bash
# Set everything up and open JupyterLab on the quickstart notebook.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_env examples
cd "$ROOT"
args=(--ServerApp.root_dir="$ROOT")
[ "$(id -u)" = 0 ] && args+=(--allow-root)
exec "$VENV/bin/jupyter" lab "${args[@]}" "$@" notebooks/01-quickstart.ipynb
