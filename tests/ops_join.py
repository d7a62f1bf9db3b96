"""Test strategies of merge and concat (see tests/families.py).

Their ``other`` must exist when the step applies, when its recipe replays and when its
exported script runs: each draw writes a small frame made from the one being cleaned to
a new file in a folder kept for the whole run (Parquet, or CSV when Parquet cannot hold
it), and sometimes opens it as a live session with a step of its own, so the script has
to rebuild that session too.
"""

from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from hostile import texts
from hypothesis import strategies as st

from hydroml_jupyter.engine import open_session

FOLDER = Path(tempfile.mkdtemp(prefix="hydroml-join-"))
atexit.register(shutil.rmtree, FOLDER, True)
_numbers = itertools.count()

Op = tuple[str, dict[str, Any]]


def _write(frame: pd.DataFrame, stem: str = "") -> str:
    """Write ``frame`` to a new file and return its path (Parquet, else CSV)."""
    number = next(_numbers)
    frame = frame.reset_index(drop=True)
    if all(isinstance(c, str) for c in frame.columns):
        path = FOLDER / f"{number}{stem}.parquet"
        try:
            frame.to_parquet(path)
            return str(path)
        except Exception:
            path.unlink(missing_ok=True)
    path = FOLDER / f"{number}{stem}.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _other(draw: st.DrawFn, frame: pd.DataFrame) -> str:
    """Write ``frame``; return its path, or the name of a live session opened on it."""
    path = _write(frame)
    if draw(st.integers(0, 3)) != 0:
        return path
    name = f"join-other-{next(_numbers)}"
    session = open_session(path, name=name)
    columns = list(session.df.columns)
    if columns and draw(st.booleans()):
        session.apply("rename", columns={columns[-1]: f"{columns[-1]}_renamed"})
    return name


def _lookup(draw: st.DrawFn, df: pd.DataFrame, key: Any) -> pd.DataFrame:
    """A frame keyed like ``df[key]``: some of its values (missing ones too), a new column."""
    values = list(df[key].drop_duplicates())
    picked = draw(st.lists(st.sampled_from(values), max_size=4)) if values else []
    frame = pd.DataFrame({key: pd.Series(picked, dtype=df[key].dtype)})
    frame["w"] = range(len(frame))
    others = [c for c in df.columns if c != key]
    if others and draw(st.booleans()):  # a column both have: suffixes at work
        shared = draw(st.sampled_from(others))
        frame[shared] = df[shared].iloc[: len(frame)].reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def merge(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    if not len(df.columns):
        return "merge", {"other": str(FOLDER / "missing.csv")}
    key = draw(st.sampled_from(list(df.columns)))
    other = _other(draw, _lookup(draw, df, key))
    params: dict[str, Any] = {
        "other": other,
        "how": draw(st.sampled_from(["inner", "left", "right", "outer"])),
    }
    if isinstance(key, str) and draw(st.booleans()):
        params["on"] = [key]
    else:
        params["left_on"], params["right_on"] = [key], [str(key)]
    if draw(st.integers(0, 4)) == 0:
        params["expect"] = draw(st.sampled_from(["one_to_one", "one_to_many", "many_to_one"]))
    if draw(st.integers(0, 4)) == 0:
        params["max_rows"] = draw(st.integers(0, 20))
    if draw(st.integers(0, 4)) == 0:
        params["suffixes"] = draw(st.sampled_from([["_x", "_y"], ["", ""], ["_l", ""]]))
    return "merge", params


def concat(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    rows = draw(st.integers(0, 3))
    frame = df.iloc[:rows].reset_index(drop=True)
    if len(frame.columns) and draw(st.booleans()):
        frame = frame.drop(columns=[draw(st.sampled_from(list(frame.columns)))])
    if draw(st.booleans()):
        frame["extra"] = range(len(frame))
    frame.columns = [str(c) for c in frame.columns]
    return "concat", {
        "other": _other(draw, frame),
        "join": draw(st.sampled_from(["outer", "inner"])),
    }


PROPERTY = {"merge": merge, "concat": concat}


# -- hostile names: the file's, the columns', the suffixes --------------------------------------
def _safe_stem(draw: st.DrawFn) -> str:
    name = draw(texts()).replace("/", "_").replace("\x00", "_")[:40]
    return name if name not in (".", "..") else "_"


def hostile_merge(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    key = draw(st.sampled_from(cols))
    frame = pd.DataFrame({str(key): df[key].iloc[:2] if key in df.columns else []})
    frame[draw(texts())] = range(len(frame))
    frame.columns = [str(c) for c in frame.columns]
    if not frame.columns.is_unique:
        frame = frame.loc[:, ~frame.columns.duplicated()]
    path = _write(frame, _safe_stem(draw))
    params: dict[str, Any] = {
        "other": path,
        "how": draw(st.sampled_from(["inner", "left", "outer"])),
    }
    if draw(st.booleans()):
        params["on"] = [key]
    params["suffixes"] = [draw(texts()), draw(texts(1))]
    return "merge", params


def hostile_concat(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    frame = df.iloc[:2].reset_index(drop=True)
    frame[draw(texts())] = range(len(frame))
    frame.columns = [str(c) for c in frame.columns]
    if not frame.columns.is_unique:
        frame = frame.loc[:, ~frame.columns.duplicated()]
    path = _write(frame, _safe_stem(draw))
    return "concat", {"other": path, "join": draw(st.sampled_from(["outer", "inner"]))}


HOSTILE = {"merge": hostile_merge, "concat": hostile_concat}
API = {"merge", "concat", "read_parquet", "read_csv"}
NAMES = {"df_other"}
