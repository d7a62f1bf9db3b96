"""Exports never lose a file: an existing file is replaced only when asked, a source never.

Driven through every face: ``Session.export``, ``export_frame``, the ``%hydroml export``
magic and the widgets' ``export_path``/``export`` requests, on real files.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import hydroml
from IPython.core.error import UsageError
from test_widgets_protocol import Driver

import hydroml_jupyter as hj
from hydroml_jupyter.errors import SourceError
from hydroml_jupyter.io import export as export_module
from hydroml_jupyter.io.export import ExportError, export_frame
from hydroml_jupyter.widgets import Studio

TINY = "a,b\n1,x\n2,y\n3,\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding ``data/tiny.csv``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tiny.csv").write_text(TINY)
    return tmp_path


@pytest.fixture
def tiny(folder: Path) -> Iterator[hj.Session]:
    """A session opened from ``data/tiny.csv`` (a relative path), with one step."""
    s = hj.open("data/tiny.csv", name="tiny", fresh=True)
    s.apply("fill_missing", column="b", value="z")
    yield s
    s.close()


def fingerprint(path: Path) -> tuple[bytes, int, int]:
    stat = path.stat()
    return path.read_bytes(), stat.st_ino, stat.st_mtime_ns


def replays(session: hj.Session) -> None:
    """The session's script still rebuilds its frame from the files it reads."""
    namespace: dict[str, Any] = {}
    exec(compile(session.code(), "<script>", "exec"), namespace)
    pd.testing.assert_frame_equal(namespace["df"], session.df)


def one_line(exc: pytest.ExceptionInfo[BaseException], *words: str) -> str:
    message = str(exc.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message
    return message


# -- an existing file -------------------------------------------------------------------------
def test_an_existing_file_is_replaced_only_when_asked(tiny: hj.Session, folder: Path) -> None:
    assert tiny.export(folder / "new.parquet") == folder / "new.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "new.parquet"), tiny.df)
    out = folder / "out.csv"
    out.write_text("keep me\n")
    with pytest.raises(ExportError) as exc:
        tiny.export("out.csv")
    one_line(exc, "'out.csv'", "exists", "overwrite=True")
    assert exc.value.reason == "exists" and exc.value.target == out
    assert isinstance(exc.value, SourceError) and isinstance(exc.value, OSError)
    assert out.read_text() == "keep me\n"
    assert sorted(p.name for p in folder.iterdir()) == ["data", "new.parquet", "out.csv"]

    assert tiny.export("out.csv", overwrite=True) == Path("out.csv")
    pd.testing.assert_frame_equal(pd.read_csv(out, dtype={"b": "str"}), tiny.df)


def test_a_file_made_while_writing_is_kept(
    tiny: hj.Session, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the check and the move another writer creates the file: theirs is kept."""
    write = export_module._write

    def racing_write(df: pd.DataFrame, tmp: Path, *args: Any, **kwargs: Any) -> None:
        write(df, tmp, *args, **kwargs)
        (tmp.parent / kwargs["final_name"]).write_text("theirs\n")

    monkeypatch.setattr(export_module, "_write", racing_write)
    with pytest.raises(ExportError) as exc:
        tiny.export("race.csv")
    one_line(exc, "'race.csv'", "exists")
    assert (folder / "race.csv").read_text() == "theirs\n"
    assert sorted(p.name for p in folder.iterdir()) == ["data", "race.csv"]


def test_without_hard_links_a_new_name_is_claimed_first(
    tiny: hj.Session, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a folder without hard links the name is claimed (O_EXCL), never replaced blindly."""

    def no_links(*_args: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    tiny.export("plain.csv")
    assert (folder / "plain.csv").read_text().startswith("a,b\n")
    write = export_module._write

    def racing_write(df: pd.DataFrame, tmp: Path, *args: Any, **kwargs: Any) -> None:
        write(df, tmp, *args, **kwargs)
        (tmp.parent / kwargs["final_name"]).write_text("theirs\n")

    monkeypatch.setattr(export_module, "_write", racing_write)
    with pytest.raises(ExportError, match="exists"):
        tiny.export("race.csv")
    assert (folder / "race.csv").read_text() == "theirs\n"
    assert sorted(p.name for p in folder.iterdir()) == ["data", "plain.csv", "race.csv"]


# -- the source -------------------------------------------------------------------------------
SPELLINGS = {
    "as opened": lambda folder: "data/tiny.csv",
    "dot": lambda folder: "./data/../data/tiny.csv",
    "absolute": lambda folder: str(folder / "data" / "tiny.csv"),
    "path object": lambda folder: folder / "data" / "tiny.csv",
    "from above": lambda folder: f"../{folder.name}/data/tiny.csv",
    "home": lambda folder: "~/data/tiny.csv",
    "symlink": lambda folder: "link.csv",
    "linked folder": lambda folder: "linked/tiny.csv",
    "hard link": lambda folder: "hard.csv",
}


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_the_source_is_never_written(
    tiny: hj.Session,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    spelling: str,
    overwrite: bool,
) -> None:
    monkeypatch.setenv("HOME", str(folder))
    (folder / "link.csv").symlink_to(folder / "data" / "tiny.csv")
    (folder / "linked").symlink_to(folder / "data", target_is_directory=True)
    os.link(folder / "data" / "tiny.csv", folder / "hard.csv")
    before = fingerprint(folder / "data" / "tiny.csv")
    path = SPELLINGS[spelling](folder)
    with pytest.raises(ExportError) as exc:
        tiny.export(path, overwrite=overwrite)
    message = one_line(exc, repr(os.fspath(path)), "the source of session 'tiny'", "-clean.csv'")
    assert "choose another name" in message
    assert exc.value.reason == "source"
    assert fingerprint(folder / "data" / "tiny.csv") == before
    assert (folder / "link.csv").is_symlink() and (folder / "hard.csv").stat().st_nlink == 2
    assert not list(folder.rglob(".~*"))
    replays(tiny)


def test_the_source_is_refused_before_anything_is_written(
    tiny: hj.Session, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the frame was written")

    monkeypatch.setattr(export_module, "_write", never)
    with pytest.raises(ExportError, match="source"):
        tiny.export("data/tiny.csv", format="json", overwrite=True)


def test_a_missing_source_is_still_never_written(tiny: hj.Session, folder: Path) -> None:
    """A source moved away is not recreated with other data under its name."""
    (folder / "data" / "tiny.csv").rename(folder / "data" / "moved.csv")
    with pytest.raises(ExportError, match="the source of session 'tiny'"):
        tiny.export("data/tiny.csv")
    assert not (folder / "data" / "tiny.csv").exists()


def test_the_sources_of_parent_sessions_are_never_written(tiny: hj.Session, folder: Path) -> None:
    child = tiny.save_as("child")
    grandchild = child.save_as("grandchild")
    before = fingerprint(folder / "data" / "tiny.csv")
    for session in (child, grandchild):
        with pytest.raises(ExportError) as exc:
            session.export("data/tiny.csv", overwrite=True)
        one_line(exc, f"source of session 'tiny' (which {session.name!r} was saved from)")
    # A saved session restored from its stored state knows its parents' sources too.
    state = grandchild.state()
    grandchild.close()
    restored = hj.Session.from_state(state)
    try:
        with pytest.raises(ExportError, match="'tiny'"):
            restored.export(folder / "data" / "tiny.csv", overwrite=True)
    finally:
        restored.close()
    assert fingerprint(folder / "data" / "tiny.csv") == before
    child.export("data/child.csv")
    assert (folder / "data" / "child.csv").exists()


def test_a_sqlite_database_and_a_file_url_are_sources(folder: Path) -> None:
    with sqlite3.connect(folder / "shop.db") as con:
        con.execute("create table t (a int)")
        con.execute("insert into t values (1)")
    con.close()
    db = hj.open("sqlite:///shop.db", table="t", name="shop")
    before = fingerprint(folder / "shop.db")
    with pytest.raises(ExportError, match="the source of session 'shop'"):
        db.export("shop.db", format="csv", overwrite=True)
    assert fingerprint(folder / "shop.db") == before
    url = (folder / "data" / "tiny.csv").as_uri()
    web = hj.open(url, name="byurl")
    with pytest.raises(ExportError, match="the source of session 'byurl'"):
        web.export("data/tiny.csv", overwrite=True)
    assert (folder / "data" / "tiny.csv").read_text() == TINY


def test_export_frame_keeps_files_by_itself(folder: Path) -> None:
    """The I/O layer's own default keeps an existing file too."""
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(ExportError, match="exists"):
        export_frame(df, "data/tiny.csv")
    assert (folder / "data" / "tiny.csv").read_text() == TINY


# -- proposing a name -------------------------------------------------------------------------
def test_a_new_name_is_proposed_beside_the_source(tiny: hj.Session, folder: Path) -> None:
    from hydroml_jupyter.io.export import suggest_path

    assert suggest_path(tiny.recipe(), ".csv", tiny.name) == folder / "data" / "tiny-clean.csv"
    (folder / "data" / "tiny-clean.csv").write_text("")
    (folder / "data" / "tiny-clean-2.csv").symlink_to(folder / "nowhere")
    assert suggest_path(tiny.recipe(), ".csv", tiny.name) == folder / "data" / "tiny-clean-3.csv"
    child = tiny.save_as("child")
    assert suggest_path(child.recipe(), ".json", child.name) == folder / "data/tiny-clean.json"
    bare = hj.Session(pd.DataFrame({"a": [1]}), name="a/b: c")
    assert suggest_path(bare.recipe(), ".csv", bare.name) == folder / "a_b_ c.csv"


# -- the magic --------------------------------------------------------------------------------
@pytest.mark.usefixtures("magics_env")
def test_the_magic_asks_for_overwrite_and_never_writes_the_source(
    shell: Any, ctx: Any, folder: Path
) -> None:
    hydroml(shell, "open data/tiny.csv --name tinymagic --fresh")
    _, out = hydroml(shell, "export out.csv")
    assert out == "tinymagic: wrote 3 rows × 2 columns to out.csv\n"
    (folder / "out.csv").write_text("keep me\n")
    with pytest.raises(UsageError) as exc:
        hydroml(shell, "export out.csv")
    assert str(exc.value) == (
        "Not writing 'out.csv': the file exists; add --overwrite to replace it, "
        "or choose another name"
    )
    assert (folder / "out.csv").read_text() == "keep me\n"
    hydroml(shell, "export out.csv --overwrite")
    assert (folder / "out.csv").read_text().startswith("a,b\n")
    for line in ("export data/tiny.csv", "export ./data/tiny.csv --overwrite"):
        with pytest.raises(UsageError) as exc:
            hydroml(shell, line)
        one_line(exc, "the source of session 'tinymagic'", "choose another name")
    assert (folder / "data" / "tiny.csv").read_text() == TINY
    _, usage = hydroml(shell, "help export")
    assert "--overwrite" in usage


# -- the widgets ------------------------------------------------------------------------------
@pytest.fixture
def studio_(tiny: hj.Session) -> Iterator[Driver]:
    widget = Studio(tiny)
    yield Driver(widget)
    widget.close()


def test_the_widget_proposes_a_new_name_beside_the_source(
    studio_: Driver, tiny: hj.Session, folder: Path
) -> None:
    proposal = studio_.ok("export_path", format="csv")
    assert proposal == {
        "kind": "export_path",
        "request": proposal["request"],
        "version": tiny.version,
        "path": os.path.join("data", "tiny-clean.csv"),
    }
    done = studio_.ok("export", format="csv", path=proposal["path"])
    assert done["path"] == str(folder / "data" / "tiny-clean.csv")
    assert studio_.ok("export_path", format="csv")["path"] == os.path.join(
        "data", "tiny-clean-2.csv"
    )
    assert studio_.ok("export_path", format="xlsx")["path"] == os.path.join(
        "data", "tiny-clean.xlsx"
    )
    # Without a path the export goes to the proposal, never over a file.
    assert studio_.ok("export", format="csv")["path"] == str(folder / "data" / "tiny-clean-2.csv")
    assert (folder / "data" / "tiny.csv").read_text() == TINY


def test_the_widget_says_a_file_exists_then_overwrites_when_confirmed(
    studio_: Driver, tiny: hj.Session, folder: Path
) -> None:
    (folder / "out.csv").write_text("keep me\n")
    reply, buffers = studio_.ask("export", format="csv", path="out.csv")
    assert buffers is None
    assert reply == {
        "kind": "error",
        "request": reply["request"],
        "reason": "exists",
        "path": str(folder / "out.csv"),
        "message": "Not writing 'out.csv': the file exists; pass overwrite=True to replace it, "
        "or choose another name",
    }
    assert (folder / "out.csv").read_text() == "keep me\n"
    done = studio_.ok("export", format="csv", path=reply["path"], overwrite=True)
    assert done["path"] == str(folder / "out.csv")
    assert (folder / "out.csv").read_text().startswith("a,b\n")


@pytest.mark.parametrize("overwrite", [False, True])
def test_the_widget_never_writes_the_source(
    studio_: Driver, tiny: hj.Session, folder: Path, overwrite: bool
) -> None:
    """Code → CSV on a session opened from tiny.csv, aimed at tiny.csv, writes nothing."""
    before = fingerprint(folder / "data" / "tiny.csv")
    reply, _ = studio_.ask("export", format="csv", path="data/tiny.csv", overwrite=overwrite)
    assert reply["kind"] == "error" and reply["reason"] == "source"
    assert reply["path"] == str(folder / "data" / "tiny.csv")
    assert "\n" not in reply["message"]
    assert "it is the source of session 'tiny'" in reply["message"]
    assert fingerprint(folder / "data" / "tiny.csv") == before
    replays(tiny)


def test_the_widget_checks_overwrite_and_format(studio_: Driver) -> None:
    assert studio_.error("export", format="csv", path="x.csv", overwrite="yes") == (
        "export: overwrite must be true or false, not 'yes'"
    )
    assert studio_.error("export_path", format="xls") == (
        "export_path: format must be one of csv, parquet, xlsx, json, not 'xls'"
    )
