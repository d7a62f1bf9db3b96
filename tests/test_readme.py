"""The README is a test: its Python blocks run in order, as a newcomer would run them.

Every fenced block has a language. ``python`` blocks run, in order, in one real IPython
shell with ``%load_ext hydroml_jupyter`` done (``%hydroml`` lines and ``%%hydroml``
cells included), in a temporary folder holding a copy of ``notebooks/data`` so the
README's paths work, with the default stores (``.hydroml/`` and ``mlflow.db`` there).
Other languages (``bash``, ``text``) are not run.

Each top-level statement of a block runs as its own cell. What the README shows is
checked:

- a statement followed by a comment ``# SomeError: message`` (continued on comment
  lines indented by two or more spaces, joined with one space) must raise that
  error with exactly that message; every other statement must succeed;
- a statement whose comment ends in ``→ VALUE`` must give a value whose ``repr`` is
  ``VALUE``;
- a block after ``<!-- readme-test: prints EXPR -->`` is not run: it must equal what
  ``print(EXPR)`` prints at that point;
- the comment line ``# ... kernel restart or crash ...`` drops the live sessions, as
  a restart would;
- a block after ``<!-- readme-test: skip (reason) -->`` is not run (kept to a few).
"""

from __future__ import annotations

import ast
import dataclasses
import io
import os
import re
import shutil
import time
import tokenize
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RUN = "python"
NOT_RUN = frozenset({"bash", "text"})
MAX_SKIPPED = 2

_FENCE = re.compile(r"^```(\S*)\s*$")
_MARKER = re.compile(r"^<!--\s*readme-test:\s*(skip|prints)\b\s*(.*?)\s*-->$")
_RAISES = re.compile(r"^#\s?([A-Z][A-Za-z0-9_]*(?:Error|Exception|Warning)): (.+)$")
_MORE = re.compile(r"^#\s{2,}(\S.*)$")
_RESTART = re.compile(r"^#\s*\.\.\.\s*kernel restart")
_VALUE = re.compile(r"→ (.+?)\s*$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclasses.dataclass(frozen=True)
class Block:
    """One fenced block: the README line of its first code line, language, text, marker."""

    line: int
    lang: str
    text: str
    marker: str = ""
    argument: str = ""


@dataclasses.dataclass(frozen=True)
class Chunk:
    """A piece of a block run as one cell, and what it must raise (if anything)."""

    line: int
    source: str
    raises: tuple[str, str] | None = None
    restart: bool = False
    value: str | None = None


def readme_blocks(text: str) -> list[Block]:
    """Return the fenced blocks of ``text`` in order, with the marker just before each."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = _MARKER.match(before.strip())
        end = next(j for j in range(i + 1, len(lines)) if lines[j].rstrip() == "```")
        body = "\n".join(lines[i + 1 : end]) + "\n"
        kind, argument = marker.groups() if marker else ("", "")
        blocks.append(Block(i + 2, match.group(1), body, kind, argument))
        i = end + 1
    return blocks


def chunks(block: Block, shell: InteractiveShell) -> list[Chunk]:
    """Split a runnable block into cells: one per top-level statement (a cell magic: one)."""
    lines = block.text.splitlines()
    if lines[0].startswith("%%"):
        return [Chunk(block.line, block.text)]
    # IPython turns each %magic line into one line of Python: line numbers are kept
    python = shell.transform_cell(block.text)
    statements = ast.parse(python).body
    spans: list[list[int]] = []
    for node in statements:
        first, last = node.lineno, node.end_lineno or node.lineno
        if spans and first <= spans[-1][1]:  # `a; b` on one line: one cell
            spans[-1][1] = max(last, spans[-1][1])
        else:
            spans.append([first, last])
    out: list[Chunk] = []
    starts = [s[0] for s in spans] + [len(lines) + 1]
    for (first, last), following in zip(spans, starts[1:], strict=True):
        comments = [ln.strip() for ln in lines[last : following - 1]]
        source = "\n".join(lines[first - 1 : last]) + "\n"
        out.append(
            Chunk(
                block.line + first - 1,
                source,
                _expected_error(comments),
                any(_RESTART.match(c) for c in comments),
                _shown_value(source),
            )
        )
    return out


def _shown_value(source: str) -> str | None:
    """Return ``VALUE`` of a trailing ``# ... → VALUE`` comment of Python ``source``."""
    if source.lstrip().startswith("%"):
        return None
    comments = [
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    ]
    match = _VALUE.search(comments[-1]) if comments else None
    return match.group(1) if match else None


def _expected_error(comments: list[str]) -> tuple[str, str] | None:
    for i, comment in enumerate(comments):
        match = _RAISES.match(comment)
        if match is None:
            continue
        parts = [match.group(2).strip()]
        for more in comments[i + 1 :]:
            continued = _MORE.match(more)
            if continued is None:
                break
            parts.append(continued.group(1).strip())
        return match.group(1), " ".join(parts)
    return None


# -- the extraction itself --------------------------------------------------------------
def test_every_block_says_whether_it_runs() -> None:
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    assert blocks, "no fenced blocks found"
    for block in blocks:
        assert block.lang in NOT_RUN | {RUN}, f"README line {block.line}: fence {block.lang!r}"
        if block.marker == "skip":
            assert block.argument.startswith("(") and block.argument.endswith(")"), block
    skipped = [b.line for b in blocks if b.marker == "skip"]
    assert len(skipped) <= MAX_SKIPPED, f"too many skipped blocks: lines {skipped}"
    assert any(b.marker == "prints" for b in blocks)


def test_chunks_follow_statements_and_expected_errors(shell: InteractiveShell) -> None:
    block = Block(
        10,
        RUN,
        "x = 1  # one\n"
        "y = (x +\n     1)\n"
        "%hydroml help  # a magic line → x\n"
        "a = 1; b = 2\n"
        "a + b  # three → 3\n"
        "int('z')\n"
        "# ValueError: invalid literal for int() with base 10:\n"
        "#    'z'\n"
        "# ... kernel restart or crash ...\n"
        "z = 3\n",
    )
    found = [(c.line, c.source, c.raises, c.restart, c.value) for c in chunks(block, shell)]
    assert found == [
        (10, "x = 1  # one\n", None, False, None),
        (11, "y = (x +\n     1)\n", None, False, None),
        (13, "%hydroml help  # a magic line → x\n", None, False, None),
        (14, "a = 1; b = 2\n", None, False, None),
        (15, "a + b  # three → 3\n", None, False, "3"),
        (
            16,
            "int('z')\n",
            ("ValueError", "invalid literal for int() with base 10: 'z'"),
            True,
            None,
        ),
        (20, "z = 3\n", None, False, None),
    ]


# -- running the README -----------------------------------------------------------------
@pytest.fixture
def readme_folder(
    shell: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A working folder with the README's data; the default stores; a clean shell."""
    from hydroml_jupyter.magics.extension import context_of

    shutil.copytree(ROOT / "notebooks" / "data", tmp_path / "notebooks" / "data")
    monkeypatch.chdir(tmp_path)
    for name in ("HYDROML_STORE", "MLFLOW_TRACKING_URI", "MLFLOW_ALLOW_PICKLE_DESERIALIZATION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    context = context_of(shell)
    assert context is not None
    context.current = None
    context.config.autodisplay = True
    names = set(shell.user_ns)
    try:
        yield tmp_path
    finally:
        _stop_runs()
        for name in set(shell.user_ns) - names:
            del shell.user_ns[name]


def _stop_runs() -> None:
    """Let the README's runs end (cancelling any still going) before the folder goes."""
    from hydroml_jupyter.experiments import active

    deadline = time.monotonic() + 60
    for run in active.started():
        if not run.wait(max(0.0, deadline - time.monotonic())):
            run.cancel()
            run.wait(30)


def _drop_live_sessions() -> None:
    from hydroml_jupyter.engine import registry

    for session in list(registry.sessions().values()):
        session.flush()
        session.close()


def _run(shell: InteractiveShell, chunk: Chunk) -> None:
    with capture_output() as cap:
        result = shell.run_cell(chunk.source, store_history=False)
    error = result.error_before_exec or result.error_in_exec
    where = f"README line {chunk.line}: {chunk.source.strip()}"
    if chunk.raises is None:
        assert error is None, _ANSI.sub("", f"{where}\n{cap.stdout}\n{cap.stderr}")
        if chunk.value is not None:
            shown = repr(result.result)
            assert shown == chunk.value, f"{where}\nREADME: → {chunk.value}\ngives:  {shown}"
        return
    kind, message = chunk.raises
    assert error is not None, f"{where}: expected {kind}, nothing was raised"
    names = [cls.__name__ for cls in type(error).__mro__]
    shown = "".join(traceback.format_exception_only(type(error), error)).strip()
    assert kind in names and str(error) == message, (
        f"{where}\nREADME: {kind}: {message}\nraised: {shown}"
    )


def test_the_readme_runs_as_written(shell: InteractiveShell, readme_folder: Path) -> None:
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    ran = 0
    for block in blocks:
        if block.lang != RUN or block.marker == "skip":
            continue
        if block.marker == "prints":
            with capture_output() as cap:
                result = shell.run_cell(f"print({block.argument})", store_history=False)
            assert result.success, f"README line {block.line}: print({block.argument}) failed"
            assert cap.stdout.rstrip("\n") == block.text.rstrip("\n"), (
                f"README line {block.line}: the block is not what {block.argument} prints"
            )
            continue
        for chunk in chunks(block, shell):
            _run(shell, chunk)
            ran += 1
            if chunk.restart:
                _drop_live_sessions()
    assert ran > 40
    assert (readme_folder / ".hydroml").is_dir() and (readme_folder / "mlflow.db").is_file()
    # nothing the README does writes over its data
    assert sorted(os.listdir(readme_folder / "notebooks" / "data")) == sorted(
        os.listdir(ROOT / "notebooks" / "data")
    )
