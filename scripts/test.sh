#!/usr/bin/env bash
# Install what the tests need and run them all: lint, unit and property tests,
# doctests, and every notebook under notebooks/ through nbval.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# Store tests run a real Redis server.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "hydroml: installing redis-server"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
fi

ensure_env test
cd "$ROOT"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" MPLCONFIGDIR="$work/mpl" MLFLOW_DISABLE_TELEMETRY=true
export HYDROML_STORE_KEY="test-key-$$"
export PYTHONDONTWRITEBYTECODE=1

echo "== ruff"
"$PY" -m ruff check hydroml_jupyter tests bench

echo "== pytest (tests, doctests, notebooks)"
"$PY" -m pytest tests hydroml_jupyter --doctest-modules \
  --nbval notebooks --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  -p no:cacheprovider "$@"
