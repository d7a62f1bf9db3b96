# Shared by start.sh and test.sh: make .venv and install the package into it.
# Usage: source scripts/env.sh; ensure_env [EXTRAS]

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HYDROML_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

ensure_env() {
  local extras="${1:-}"
  local python="${PYTHON:-python3}"
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "hydroml: $python not found; install Python 3.11 or newer" >&2
    return 1
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "hydroml: $("$python" --version) is too old; Python 3.11 or newer is needed" >&2
    return 1
  fi
  if [ ! -x "$PY" ]; then
    echo "hydroml: creating $VENV"
    "$python" -m venv "$VENV"
    "$PY" -m pip install --quiet --upgrade pip 2> >(grep -v "is ignored: it is neither a file" >&2)
  fi
  # Reinstall only when the project's requirements changed since the last install.
  local stamp="$VENV/.hydroml-${extras:-base}"
  local want
  want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "hydroml: installing hydroml-jupyter${extras:+[$extras]} (a few minutes on a new machine)"
    "$PY" -m pip install --quiet --disable-pip-version-check \
      -e "$ROOT${extras:+[$extras]}" 2> >(grep -v "is ignored: it is neither a file" >&2)
    echo "$want" > "$stamp"
  fi
}

# Install Debian packages for the commands that are missing, quietly.
# Usage: ensure_debs "COMMAND:PACKAGE [PACKAGE...]" ...   (package lists refreshed only when needed)
ensure_debs() {
  local pair missing=()
  for pair in "$@"; do
    # shellcheck disable=SC2206  # several packages may follow the colon
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=(${pair#*:})
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "hydroml: installing ${missing[*]} (apt)"
  local sudo="" log
  [ "$(id -u)" = 0 ] || sudo="sudo"
  log="$(mktemp)"
  local install=($sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
    --no-install-recommends "${missing[@]}")
  if ! "${install[@]}" >"$log" 2>&1; then
    # Empty or stale package lists: refresh them once and try again.
    if ! { $sudo apt-get update -qq && "${install[@]}"; } >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      echo "hydroml: could not install ${missing[*]} with apt-get" >&2
      return 1
    fi
  fi
  rm -f "$log"
}
