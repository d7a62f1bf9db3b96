#!/usr/bin/env bash
# Mutation testing of the engine and the store with mutmut 3 (slow: not part of scripts/test.sh).
#
#   bash scripts/mutation.sh [engine] [store]      # both when none is named
#
# Each package is mutated in a copy of the checkout (hydroml_jupyter/, tests/, pyproject.toml)
# under $MUTATION_DIR/<package>, so the working tree is never touched, and only its own test
# modules run against its mutants (the lists below). It prints, per package, the mutants killed
# out of those made, and writes every surviving mutant's diff to $MUTATION_DIR/<package>/survivors.txt.
#
# Environment:
#   MUTATION_DIR       work folder (default: build/mutation, ignored by git)
#   MUTATION_CHILDREN  mutants tested at once (default: 1; the machine is shared)
#   MUTATION_REV       take the code and tests from this commit instead of the working tree
#   MUTATION_RESUME=1  keep an earlier run's results and test only mutants not yet tested
#   MUTATION_ONLY      globs of the files to mutate inside the package, separated by spaces,
#                      e.g. 'ops/* history.py' (default: all)
#   MUTATION_SKIP      globs of files not to mutate, e.g. 'ops/spec.py'
#   MUTATION_DESELECT  test ids to leave out (mutmut needs every selected test to pass first)
#   MUTATION_SAMPLE=N  test a random sample of N mutants (MUTATION_SEED, default 12) and score
#                      it: a whole package takes hours on two cores
#   HYDROML_EXAMPLES   examples of the property test (default here: 25)
#
# mutmut is installed into the project's venv on first use; it is not a project dependency.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "mutation: no venv at $ROOT/.venv: run scripts/test.sh once first" >&2; exit 1; }
if ! "$PY" -c "import mutmut, sys; sys.exit(int(mutmut.__version__.split('.')[0]) < 3)" 2>/dev/null; then
  echo "mutation: installing mutmut 3 into the venv"
  "$PY" -m pip install --quiet "mutmut>=3.8,<4"
fi

BASE="${MUTATION_DIR:-$ROOT/build/mutation}"
CHILDREN="${MUTATION_CHILDREN:-1}"
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(engine store)

# The test modules that check each package (and only those run against its mutants).
tests_for() {
  case "$1" in
    engine)
      (cd "$2" && shopt -s nullglob && echo tests/test_oracle_*.py tests/test_engine_*.py)
      echo tests/test_bad_inputs.py tests/test_formula.py tests/test_formula_limits.py \
        tests/test_session.py tests/test_transactions.py tests/test_codegen_safety.py \
        tests/test_aggregate_names.py tests/test_properties.py
      ;;
    store)
      # Tests that run the store in other Python processes are left out: those processes
      # import the code unmutated, so they cannot kill a mutant and only cost time.
      (cd "$2" && shopt -s nullglob && for t in tests/test_store_*.py; do
        grep -qE "subprocess|sys\.executable" "$t" || echo "$t"
      done)
      echo tests/test_persistence.py tests/test_persistence_faults.py
      ;;
    *) echo "mutation: unknown package '$1' (engine or store)" >&2; return 1 ;;
  esac
}

# Store tests left out of mutant runs: the key warnings are given once per process, so their
# tests depend on the order mutmut runs tests in; the slow ones (2 to 16 s each) cover what
# faster tests cover and would make every surviving store mutant cost a minute.
STORE_DESELECT="tests/test_store_disk.py::test_hex_key_from_env
tests/test_store_links.py::test_a_short_key_is_warned_about_once
tests/test_store_links.py::test_a_key_file_others_can_read_is_warned_about
tests/test_store_columns.py::test_a_freed_column_is_never_taken_for_a_new_one
tests/test_store_codec.py::test_random_frames_roundtrip_exactly
tests/test_store_disk.py::test_concurrent_saves_and_loads
tests/test_store_disk.py::test_every_flipped_byte_is_refused
tests/test_store_columns.py::test_any_flipped_byte_of_any_column_is_refused"

# Copy what the tests need into $1: from MUTATION_REV, or the working tree's tracked and new files.
copy_checkout() {
  local dest="$1"
  mkdir -p "$dest"
  if [ -n "${MUTATION_REV:-}" ]; then
    git -C "$ROOT" archive "$MUTATION_REV" hydroml_jupyter tests pyproject.toml | tar -x -C "$dest"
  else
    # Files deleted in the working tree but still in the index are left out.
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard -- hydroml_jupyter tests pyproject.toml \
      | while IFS= read -r -d '' f; do if [ -f "$f" ]; then printf '%s\0' "$f"; fi; done \
      | tar --null -T - -cf -) | tar -x -C "$dest"
  fi
}

export HYDROML_STORE_KEY="mutation-test-key-0123456789abcdef" MLFLOW_DISABLE_TELEMETRY=true
export HYDROML_EXAMPLES="${HYDROML_EXAMPLES:-25}" PYTHONDONTWRITEBYTECODE=1

# A pytest plugin for the mutant runs: Hypothesis draws the same examples every time and does
# not shrink a failure (a mutant is killed by the first failing example; shrinking takes minutes).
plugin_dir="$BASE/plugin"
mkdir -p "$plugin_dir"
cat >"$plugin_dir/hydroml_mutation_profile.py" <<'PLUGIN'
"""Hypothesis settings for mutation runs: derandomized, no database, no shrinking."""

from hypothesis import Phase, settings

settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.load_profile("mutation")
PLUGIN
export PYTHONPATH="$plugin_dir${PYTHONPATH:+:$PYTHONPATH}"

summary=()
for pkg in "${packages[@]}"; do
  work="$BASE/$pkg"
  if [ "${MUTATION_RESUME:-0}" != 1 ]; then
    rm -rf "$work"
  fi
  copy_checkout "$work"
  tests="$(tests_for "$pkg" "$work")"
  scratch="$(mktemp -d)"
  export XDG_CONFIG_HOME="$scratch/config" HYDROML_STORE="$scratch/sessions"
  {
    echo "[mutmut]"
    echo "source_paths = hydroml_jupyter"
    echo "only_mutate ="
    set -f
    for glob in ${MUTATION_ONLY:-*}; do echo "    hydroml_jupyter/$pkg/$glob"; done
    if [ -n "${MUTATION_SKIP:-}" ]; then
      echo "do_not_mutate ="
      for glob in $MUTATION_SKIP; do echo "    hydroml_jupyter/$pkg/$glob"; done
    fi
    set +f
    echo "pytest_add_cli_args ="
    for arg in -p no:cacheprovider -p hydroml_mutation_profile -q; do echo "    $arg"; done
    deselect="${MUTATION_DESELECT:-}"
    [ "$pkg" != store ] || deselect="$deselect $STORE_DESELECT"
    for id in $deselect; do printf '    --deselect\n    %s\n' "$id"; done
    echo "pytest_add_cli_args_test_selection ="
    for t in $tests; do echo "    $t"; done
  } >"$work/setup.cfg"
  echo "== mutmut: hydroml_jupyter/$pkg/${MUTATION_ONLY:-*} against: $tests"
  names=()
  if [ -n "${MUTATION_SAMPLE:-}" ]; then
    # Make the mutants without testing them, then test a seeded random sample of them.
    (cd "$work" && "$PY" - "$MUTATION_SAMPLE" "${MUTATION_SEED:-12}" >/dev/null <<'SAMPLE'
import glob
import json
import random
import sys

from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants, setup_source_paths
from mutmut.mutation.trampoline import set_mutant_under_test

set_mutant_under_test("mutant_generation")
copy_src_dir()
copy_also_copy_files()
setup_source_paths()
create_mutants(1)
names = sorted(
    name
    for path in glob.glob("mutants/**/*.py.meta", recursive=True)
    for name in json.load(open(path, encoding="utf-8"))["exit_code_by_key"]
)
random.seed(int(sys.argv[2]))
sample = random.sample(names, min(int(sys.argv[1]), len(names)))
with open("sample.txt", "w", encoding="utf-8") as out:
    out.write("".join(f"{name}\n" for name in sample))
SAMPLE
    )
    mapfile -t names <"$work/sample.txt"
    echo "mutation: testing a sample of ${#names[@]} mutants (seed ${MUTATION_SEED:-12})"
  fi
  if ! (cd "$work" && nice -n 10 "$PY" -m mutmut run --max-children "$CHILDREN" "${names[@]}" >"$work/run.log" 2>&1); then
    tail -n 20 "$work/run.log"
    echo "mutation: mutmut failed for $pkg (its log: $work/run.log)" >&2
    exit 1
  fi
  (cd "$work" && "$PY" -m mutmut results --all true) >"$work/results.txt"
  if [ ${#names[@]} -gt 0 ]; then
    grep -F -f <(sed 's/$/:/' "$work/sample.txt") "$work/results.txt" >"$work/results.sample" || true
    mv "$work/results.sample" "$work/results.txt"
  fi
  : >"$work/survivors.txt"
  for name in $(awk -F': ' '$2 != "killed" && $2 != "timeout" && $2 != "caught by type check" && $2 != "not checked" {gsub(/^ +/, "", $1); print $1}' "$work/results.txt"); do
    (cd "$work" && "$PY" -m mutmut show "$name") >>"$work/survivors.txt" 2>&1 || true
  done
  line="$("$PY" - "$pkg" "$work/results.txt" <<'SCORE'
"""Score one package from `mutmut results --all true`.

Functions that run only while modules are imported (the formula function table, the
operation registry) are set aside: mutmut switches mutants at call time, in processes
forked after the import, so their mutants are never active and cannot be killed.
"""
import collections
import re
import sys

IMPORT_TIME = re.compile(r"\.x_(_build|_numpy|_accessor|register)__mutmut_")
KILLED = {"killed", "timeout", "caught by type check"}
pkg, path = sys.argv[1], sys.argv[2]
status = collections.Counter()
import_time = 0
for raw in open(path, encoding="utf-8"):
    name, _, state = raw.strip().rpartition(": ")
    if not name:
        continue
    if IMPORT_TIME.search(name):
        import_time += 1
        continue
    status[state] += 1
total = sum(status.values())
killed = sum(status[s] for s in KILLED)
rest = "; ".join(f"{s} {n}" for s, n in sorted(status.items()) if s not in KILLED)
share = 100 * killed / total if total else 0.0
print(
    f"{pkg}: {killed} of {total} mutants killed ({share:.1f}%)"
    + (f"; {rest}" if rest else "")
    + (f"; {import_time} more in import-time functions, not counted" if import_time else "")
)
SCORE
)"
  echo "$line"
  summary+=("$line")
  rm -rf "$scratch"
done

echo "== mutation score"
printf '%s\n' "${summary[@]}"
echo "(survivors' diffs: $BASE/<package>/survivors.txt)"
