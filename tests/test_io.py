"""Tests of the I/O layer: load_source, Source, export_frame, progress bars."""

from __future__ import annotations

import ast
import bz2
import gzip
import importlib.util
import io
import json
import lzma
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import hydroml_jupyter.io.load as load_module
from hydroml_jupyter.errors import SourceError
from hydroml_jupyter.io import (
    FORMATS,
    PASSWORD_ENV,
    PROGRESS_THRESHOLD,
    Source,
    export_frame,
    load_source,
)
from hydroml_jupyter.io.progress import ProgressFile

IO_DIR = Path(load_module.__file__).parent


# -- helpers ----------------------------------------------------------------------------
def mixed_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "n": [1, 2, 3, -4],
            "x": [1.5, np.nan, -2.25, 1e-3],
            "s": ["a", None, "c, with comma", "é ü"],
            "created_at": pd.to_datetime(
                ["2020-01-01 00:00:00", "2021-02-03 04:05:06", None, "1999-12-31 23:59:59"]
            ),
            "ok": [True, False, True, True],
        }
    )


def check_values(loaded: pd.DataFrame, original: pd.DataFrame) -> None:
    """The loaded frame holds the original's values (dtypes may differ by format)."""
    assert list(loaded.columns) == list(original.columns)
    assert len(loaded) == len(original)
    for col in original.columns:
        if pd.api.types.is_datetime64_any_dtype(original[col]):
            got = pd.to_datetime(loaded[col]).astype("datetime64[us]")
            pd.testing.assert_series_equal(got, original[col].astype("datetime64[us]"))
        else:
            got_list = [None if pd.isna(v) else v for v in loaded[col].tolist()]
            want_list = [None if pd.isna(v) else v for v in original[col].tolist()]
            assert got_list == want_list, col


def run_code(source: Source, var: str = "df") -> pd.DataFrame:
    """Run the source's imports and code in a fresh namespace."""
    ns: dict[str, Any] = {}
    exec("\n".join(source.imports) + "\n" + source.code(var), ns)
    return ns[var]


def assert_exact(df: pd.DataFrame, source: Source) -> None:
    pd.testing.assert_frame_equal(run_code(source), df, check_exact=True)


def one_line_error(excinfo: pytest.ExceptionInfo[SourceError], *names: str) -> str:
    message = str(excinfo.value)
    assert "\n" not in message, message
    assert isinstance(excinfo.value, OSError)
    for name in names:
        assert name in message, message
    return message


class FakeBar:
    """Stands in for a tqdm bar and records what it is told."""

    instances: list[FakeBar] = []  # noqa: RUF012

    def __init__(self, total: int, **kwargs: Any) -> None:
        self.total = total
        self.kwargs = kwargs
        self.n = 0
        self.updates: list[int] = []
        self.closed = False
        FakeBar.instances.append(self)

    def update(self, n: int) -> None:
        self.updates.append(n)
        self.n += n

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def bars(monkeypatch: pytest.MonkeyPatch) -> list[FakeBar]:
    import tqdm.auto

    FakeBar.instances = []
    monkeypatch.setattr(tqdm.auto, "tqdm", FakeBar)
    return FakeBar.instances


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path so paths are relative, as users give them."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    return tmp_path


# -- the writers used to make test files --------------------------------------------------
def write_csv(df: pd.DataFrame, path: str) -> dict[str, Any]:
    df.to_csv(path, index=False)
    return {"parse_dates": ["created_at"]}


def write_tsv(df: pd.DataFrame, path: str) -> dict[str, Any]:
    df.to_csv(path, index=False, sep="\t")
    return {"parse_dates": ["created_at"]}


def write_parquet(df: pd.DataFrame, path: str) -> dict[str, Any]:
    df.to_parquet(path, index=False)
    return {}


def write_excel(df: pd.DataFrame, path: str) -> dict[str, Any]:
    with pd.ExcelWriter(path) as writer:
        df.to_excel(writer, sheet_name="Data", index=False)
        pd.DataFrame({"other": [1]}).to_excel(writer, sheet_name="Other", index=False)
    return {"sheet": "Data"}


def write_json(df: pd.DataFrame, path: str) -> dict[str, Any]:
    df.to_json(path, orient="records", date_format="iso")
    return {}


def write_jsonl(df: pd.DataFrame, path: str) -> dict[str, Any]:
    df.to_json(path, orient="records", date_format="iso", lines=True)
    return {}


CASES = {
    "data/mixed.csv": write_csv,
    "data/mixed.CSV": write_csv,
    "data/mixed.tsv": write_tsv,
    "data/mixed.tab": write_tsv,
    "data/mixed.csv.gz": write_csv,
    "data/mixed.csv.bz2": write_csv,
    "data/mixed.csv.zip": write_csv,
    "data/mixed.csv.xz": write_csv,
    "data/mixed.tsv.gz": write_tsv,
    "data/mixed.parquet": write_parquet,
    "data/mixed.pq": write_parquet,
    "data/mixed.xlsx": write_excel,
    "data/mixed.json": write_json,
    "data/mixed.jsonl": write_jsonl,
    "data/mixed.ndjson": write_jsonl,
    "data/mixed.jsonl.gz": write_jsonl,
}


# -- loading every format ---------------------------------------------------------------
@pytest.mark.parametrize("progress", [False, True])
@pytest.mark.parametrize("path", list(CASES))
def test_load_every_format(workdir: Path, bars: list[FakeBar], path: str, progress: bool) -> None:
    original = mixed_frame()
    kwargs = CASES[path](original, path)
    df, src = load_source(path, progress=progress, **kwargs)
    check_values(df, original)
    assert src.kind == "file"
    assert src.path == path
    assert src.default_name == "mixed"
    assert_exact(df, src)
    # progress never changes the frame
    again, _ = load_source(path, progress=not progress, **kwargs)
    pd.testing.assert_frame_equal(again, df, check_exact=True)
    pd.testing.assert_frame_equal(src.load(), df, check_exact=True)
    size = os.path.getsize(path)
    assert len(bars) == 1
    bar = bars[0]
    assert (bar.total, bar.n, bar.closed) == (size, size, True)
    assert bar.kwargs["unit"] == "B"


def test_parquet_keeps_dtypes_exactly(workdir: Path) -> None:
    original = mixed_frame()
    original.to_parquet("data/m.parquet", index=False)
    df, _ = load_source("data/m.parquet")
    pd.testing.assert_frame_equal(df, original, check_exact=True)


def test_code_of_each_format(workdir: Path) -> None:
    original = mixed_frame()
    write_tsv(original, "data/m.tsv")
    write_jsonl(original, "data/m.jsonl")
    write_csv(original, "data/messy.csv")
    write_excel(original, "data/m.xlsx")
    write_parquet(original, "data/m.parquet")
    assert load_source("data/messy.csv")[1].code() == "df = pd.read_csv('data/messy.csv')"
    assert load_source("data/m.tsv")[1].code("t") == "t = pd.read_csv('data/m.tsv', sep='\\t')"
    assert load_source("data/m.jsonl")[1].code() == "df = pd.read_json('data/m.jsonl', lines=True)"
    assert load_source("data/m.parquet")[1].code() == "df = pd.read_parquet('data/m.parquet')"
    _, src = load_source("data/m.xlsx")
    assert src.code() == "df = pd.read_excel('data/m.xlsx', sheet_name='Data')"
    assert src.imports == ["import pandas as pd"]
    with pytest.raises(ValueError, match="variable"):
        src.code("not valid")


def test_pathlike_is_recorded_as_str(workdir: Path) -> None:
    write_csv(mixed_frame(), "data/m.csv")
    _, src = load_source(Path("data/m.csv"))
    assert src.path == "data/m.csv"
    assert isinstance(src.path, str)


def test_format_override_and_case(workdir: Path) -> None:
    original = mixed_frame()
    original.to_csv("data/export.txt", index=False, sep="\t")
    df, src = load_source("data/export.txt", format="tsv")
    assert src.format == "tsv"
    check_values(df.assign(created_at=pd.to_datetime(df["created_at"])), original)
    assert_exact(df, src)
    original.to_json("data/records.dat", orient="records", lines=True, date_format="iso")
    df, src = load_source("data/records.dat", format="ndjson")
    assert src.format == "jsonl"
    assert_exact(df, src)


def test_options_are_recorded_and_exported(workdir: Path) -> None:
    write_csv(mixed_frame(), "data/m.csv")
    df, src = load_source("data/m.csv", usecols=("n", "s"), nrows=2, dtype={"n": "Int64"})
    assert src.options == {"usecols": ["n", "s"], "nrows": 2, "dtype": {"n": "Int64"}}
    assert list(df.columns) == ["n", "s"]
    assert str(df["n"].dtype) == "Int64"
    assert src.code() == (
        "df = pd.read_csv('data/m.csv', usecols=['n', 's'], nrows=2, dtype={'n': 'Int64'})"
    )
    assert_exact(df, src)


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"converters": {"n": str}}, "plain literal"),
        ({"na_values": {1, 2}}, "plain literal"),
        ({"dtype": {1: "Int64"}}, "not a string"),
        ({"chunksize": 10}, "iterator"),
        ({"iterator": True}, "iterator"),
        ({"filepath_or_buffer": "x"}, "set by hydroml"),
        ({"thousands": float("nan")}, "cannot be recorded"),
    ],
)
def test_options_must_be_literals(workdir: Path, options: dict[str, Any], needle: str) -> None:
    write_csv(mixed_frame(), "data/m.csv")
    with pytest.raises(SourceError, match=needle) as excinfo:
        load_source("data/m.csv", **options)
    one_line_error(excinfo)


def test_tsv_respects_an_explicit_sep(workdir: Path) -> None:
    Path("data/semi.tsv").write_text("a;b\n1;2\n")
    df, src = load_source("data/semi.tsv", sep=";")
    assert list(df.columns) == ["a", "b"]
    assert src.code() == "df = pd.read_csv('data/semi.tsv', sep=';')"
    assert_exact(df, src)


def test_bom_and_quoted_newlines_survive_progress(workdir: Path, bars: list[FakeBar]) -> None:
    Path("data/bom.csv").write_bytes('\ufeffa,b\n1,"two\nlines"\n3,x\n'.encode())
    plain, src = load_source("data/bom.csv", progress=False)
    shown, _ = load_source("data/bom.csv", progress=True)
    assert list(plain.columns) == ["a", "b"]
    assert plain["b"].tolist() == ["two\nlines", "x"]
    pd.testing.assert_frame_equal(shown, plain, check_exact=True)
    assert_exact(plain, src)


def test_latin1_with_encoding_option(workdir: Path, bars: list[FakeBar]) -> None:
    Path("data/latin.csv").write_bytes("name\ncafé\n".encode("latin-1"))
    for progress in (False, True):
        df, src = load_source("data/latin.csv", encoding="latin-1", progress=progress)
        assert df["name"].tolist() == ["café"]
        assert_exact(df, src)


def test_csv_zip_with_progress_passes_compression(workdir: Path, bars: list[FakeBar]) -> None:
    with zipfile.ZipFile("data/z.csv.zip", "w") as archive:
        archive.writestr("inner.csv", "a,b\n1,2\n")
    df, src = load_source("data/z.csv.zip", progress=True)
    assert df.to_dict("list") == {"a": [1], "b": [2]}
    assert "compression" not in src.options
    assert src.code() == "df = pd.read_csv('data/z.csv.zip')"


@pytest.mark.parametrize(
    ("name", "opener"), [("c.csv.gz", gzip.open), ("c.csv.bz2", bz2.open), ("c.csv.xz", lzma.open)]
)
def test_compressed_files_written_by_other_tools(
    workdir: Path, bars: list[FakeBar], name: str, opener: Any
) -> None:
    with opener(f"data/{name}", "wt") as fh:
        fh.write("a,b\n1,x\n2,y\n")
    for progress in (False, True):
        df, src = load_source(f"data/{name}", progress=progress)
        assert df.to_dict("list") == {"a": [1, 2], "b": ["x", "y"]}
        assert_exact(df, src)


# -- Excel sheets ------------------------------------------------------------------------
def test_excel_sheets(workdir: Path) -> None:
    write_excel(mixed_frame(), "data/book.xlsx")
    _, src = load_source("data/book.xlsx")
    assert src.options == {"sheet_name": "Data"}
    assert "sheet 'Data'" in src.describe()
    df1, src1 = load_source("data/book.xlsx", sheet=1)
    assert src1.options == {"sheet_name": "Other"}
    assert df1.to_dict("list") == {"other": [1]}
    assert_exact(df1, src1)
    df2, src2 = load_source("data/book.xlsx", sheet="Other", usecols="A")
    assert src2.code() == "df = pd.read_excel('data/book.xlsx', sheet_name='Other', usecols='A')"
    assert_exact(df2, src2)
    _, src3 = load_source("data/book.xlsx", sheet_name=-1)
    assert src3.options == {"sheet_name": "Other"}


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"sheet": "Nope"}, "there is no sheet 'Nope'; the sheets are 'Data', 'Other'"),
        ({"sheet": 5}, "there is no sheet number 5"),
        ({"sheet_name": None}, "one sheet"),
        ({"sheet": "Data", "sheet_name": "Data"}, "not both"),
    ],
)
def test_excel_sheet_errors(workdir: Path, kwargs: dict[str, Any], needle: str) -> None:
    write_excel(mixed_frame(), "data/book.xlsx")
    with pytest.raises(SourceError) as excinfo:
        load_source("data/book.xlsx", **kwargs)
    one_line_error(excinfo, "data/book.xlsx", needle)


# -- SQL ----------------------------------------------------------------------------------
@pytest.fixture
def shop(workdir: Path) -> str:
    engine = sa.create_engine("sqlite:///shop.db")
    mixed_frame().to_sql("people", engine, index=False)
    pd.DataFrame({"id": [1, 2], "total": [9.5, 3.0]}).to_sql("orders", engine, index=False)
    engine.dispose()
    return "sqlite:///shop.db"


def test_sql_table(shop: str) -> None:
    df, src = load_source(shop, table="people")
    assert src.kind == "sql"
    assert src.describe() == "table people in sqlite:///shop.db"
    assert src.default_name == "people"
    assert src.imports == ["import pandas as pd", "import sqlalchemy as sa"]
    assert src.code() == (
        "engine = sa.create_engine('sqlite:///shop.db')\ndf = pd.read_sql_table('people', engine)"
    )
    assert df["n"].tolist() == [1, 2, 3, -4]
    assert df["s"].tolist()[0] == "a"
    assert_exact(df, src)
    pd.testing.assert_frame_equal(src.load(), df, check_exact=True)


def test_sql_table_with_options(shop: str) -> None:
    df, src = load_source(shop, table="people", columns=["n", "created_at"])
    assert list(df.columns) == ["n", "created_at"]
    assert pd.api.types.is_datetime64_any_dtype(df["created_at"])
    assert_exact(df, src)


def test_sql_query(shop: str) -> None:
    query = "SELECT id, total * 2 AS doubled FROM orders WHERE id > :low"
    df, src = load_source(shop, query=query, params={"low": 1})
    assert df.to_dict("list") == {"id": [2], "doubled": [6.0]}
    assert src.default_name == "query"
    assert src.describe().startswith("query 'SELECT id, total * 2 AS doubled FROM")
    assert src.describe().endswith(" on sqlite:///shop.db")
    assert "pd.read_sql_query('SELECT id" in src.code()
    assert_exact(df, src)


@pytest.mark.parametrize(
    ("kwargs", "needles"),
    [
        ({"table": "nope"}, ["table 'nope'", "no such table", "'orders', 'people'"]),
        ({"query": "SELEC nonsense"}, ["sqlite:///shop.db", "syntax error"]),
        ({"query": "SELECT * FROM missing"}, ["no such table: missing"]),
        ({}, ["exactly one of table="]),
        ({"table": "people", "query": "SELECT 1"}, ["exactly one of table="]),
        ({"table": "people", "sheet": "x"}, ["only apply to files"]),
        ({"table": "people", "coerce_float": "x", "nosuch": 1}, ["nosuch"]),
    ],
)
def test_sql_errors(shop: str, kwargs: dict[str, Any], needles: list[str]) -> None:
    with pytest.raises(SourceError) as excinfo:
        load_source(shop, **kwargs)
    one_line_error(excinfo, "sqlite:///shop.db", *needles)


def test_sql_missing_database_file_is_not_created(workdir: Path) -> None:
    with pytest.raises(SourceError) as excinfo:
        load_source("sqlite:///shpo.db", table="t")
    one_line_error(excinfo, "shpo.db", "no such database file")
    assert not Path("shpo.db").exists()


def test_sql_empty_database_says_so(workdir: Path) -> None:
    sa.create_engine("sqlite:///empty.db").connect().close()
    with pytest.raises(SourceError, match="the database has no tables"):
        load_source("sqlite:///empty.db", table="t")


def test_sql_unknown_dialect(workdir: Path) -> None:
    with pytest.raises(SourceError) as excinfo:
        load_source("nosuchdb://u:hunter2@h/db", table="t")
    message = one_line_error(excinfo, "nosuchdb://u:***@h/db")
    assert "hunter2" not in message


@pytest.mark.skipif(
    any(importlib.util.find_spec(m) for m in ("psycopg", "psycopg2")), reason="driver installed"
)
def test_sql_missing_driver_masks_the_password() -> None:
    with pytest.raises(SourceError) as excinfo:
        load_source("postgresql://u:secret@h/db", table="t")
    message = one_line_error(excinfo, "postgresql://u:***@h/db", "driver", "psycopg")
    assert "secret" not in message


def test_password_is_masked_in_code_describe_and_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    src = Source(kind="sql", url="postgresql://u:secret@h/db", table="t")
    code = src.code()
    shown = [code, src.describe(), repr(src), json.dumps(src.to_dict()), *src.imports]
    assert all("secret" not in text for text in shown)
    assert src.describe() == "table t in postgresql://u:***@h/db"
    assert src.imports == ["import os", "import pandas as pd", "import sqlalchemy as sa"]
    assert code == (
        "engine = sa.create_engine(sa.engine.make_url('postgresql://u@h/db')"
        ".set(password=os.environ['HYDROML_SQL_PASSWORD']))\n"
        "df = pd.read_sql_table('t', engine)"
    )
    # The code reads the password from the environment.
    seen: list[Any] = []

    class StopError(Exception):
        pass

    def fake_create_engine(url: Any, **kwargs: Any) -> Any:
        seen.append(url)
        raise StopError

    monkeypatch.setenv(PASSWORD_ENV, "secret")
    monkeypatch.setattr(sa, "create_engine", fake_create_engine)
    with pytest.raises(StopError):
        run_code(src)
    assert seen[0].password == "secret"
    assert (seen[0].username, seen[0].host, seen[0].database) == ("u", "h", "db")
    # The dict form drops the password but keeps the same code and description.
    restored = Source.from_dict(json.loads(json.dumps(src.to_dict())))
    assert restored.code() == code
    assert restored.describe() == src.describe()


def test_masked_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    src = Source.from_dict({"kind": "sql", "url": "postgresql://u:***@h/db", "table": "t"})
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(SourceError) as excinfo:
        src.load()
    one_line_error(excinfo, PASSWORD_ENV, "postgresql://u:***@h/db")


def test_sql_query_description_is_short() -> None:
    src = Source(kind="sql", url="sqlite:///f.db", query="SELECT a,\n  b FROM t " + "x" * 80)
    short = ("SELECT a, b FROM t " + "x" * 80)[:39] + "…"
    assert src.describe() == f"query {short!r} on sqlite:///f.db"


# -- Source ----------------------------------------------------------------------------------
def test_source_round_trips_through_json(workdir: Path) -> None:
    write_csv(mixed_frame(), "data/m.csv")
    _, src = load_source("data/m.csv", usecols=["n"], dtype={"n": "float64"}, na_values=["-"])
    restored = Source.from_dict(json.loads(json.dumps(src.to_dict())))
    assert restored == src
    assert hash(restored) == hash(src)
    assert restored.code() == src.code()
    sql = Source(kind="sql", url="sqlite:///f.db", query="SELECT 1", options={"params": [1]})
    assert Source.from_dict(json.loads(json.dumps(sql.to_dict()))) == sql
    assert set(src.to_dict()) == {"kind", "path", "format", "url", "table", "query", "options"}


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"kind": "file", "path": "a.csv", "format": "csv", "extra": 1}, "unknown source field"),
        ({"kind": "ftp", "path": "a.csv"}, "unknown source kind 'ftp'"),
        ({"path": "a.csv", "format": "csv"}, "needs kind"),
        ({"kind": "file", "path": "a.csv", "format": "xml"}, "format 'xml'"),
        ({"kind": "file", "format": "csv"}, "needs path"),
        ({"kind": "sql", "url": "sqlite://"}, "exactly one of table= and query="),
        ({"kind": "sql", "table": "t"}, "needs url"),
        ({"kind": "file", "path": "a.csv", "format": "csv", "options": {"f": {1, 2}}}, "literal"),
        (["kind", "file"], "must be a dict"),
    ],
)
def test_source_from_dict_rejects(data: Any, needle: str) -> None:
    with pytest.raises(SourceError, match=needle):
        Source.from_dict(data)


def test_describe_and_default_name(workdir: Path) -> None:
    Path("data/messy.csv").write_bytes(b"a\n" + b"1\n" * (206 * 1024))
    _, src = load_source("data/messy.csv")
    assert src.describe() == "messy.csv (CSV, 412 KB)"
    assert src.default_name == "messy"
    gone = Source(kind="file", path="data/gone.json", format="json")
    assert gone.describe() == "gone.json (JSON)"
    web = Source(kind="file", path="https://example.org/files/sales.csv.gz?x=1", format="csv")
    assert web.default_name == "sales"
    assert web.code() == "df = pd.read_csv('https://example.org/files/sales.csv.gz?x=1')"


def test_file_url_is_read_by_pandas(workdir: Path) -> None:
    write_csv(mixed_frame(), "data/m.csv")
    url = (workdir / "data" / "m.csv").as_uri()
    df, src = load_source(url, progress=True)
    assert src.path == url
    assert src.default_name == "m"
    check_values(df.assign(created_at=pd.to_datetime(df["created_at"])), mixed_frame())
    assert_exact(df, src)


def test_missing_file_url_and_url_without_suffix(workdir: Path) -> None:
    url = (workdir / "data" / "gone.csv").as_uri()
    with pytest.raises(SourceError) as excinfo:
        load_source(url)
    one_line_error(excinfo, url, "no such file")
    with pytest.raises(SourceError) as excinfo:
        load_source("https://example.org/download?id=3")
    one_line_error(excinfo, "https://example.org/download?id=3", "Cannot tell the format")


# -- errors ------------------------------------------------------------------------------
def test_unknown_suffix(workdir: Path) -> None:
    with pytest.raises(SourceError) as excinfo:
        load_source("x.foo")
    assert str(excinfo.value) == (
        "Cannot tell the format of 'x.foo' from its suffix; "
        "pass format= one of csv, tsv, parquet, excel, json, jsonl"
    )


def test_unknown_format_name(workdir: Path) -> None:
    Path("data/a.csv").write_text("a\n1\n")
    with pytest.raises(SourceError, match="Unknown format 'xml'; pass format= one of csv"):
        load_source("data/a.csv", format="xml")


@pytest.mark.skipif(importlib.util.find_spec("xlrd") is not None, reason="xlrd installed")
def test_xls_needs_xlrd(workdir: Path) -> None:
    Path("data/old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SourceError) as excinfo:
        load_source("data/old.xls")
    one_line_error(excinfo, "data/old.xls", "xlrd")


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("data/a.csv.7z", "unsupported compression '.7z'"),
        ("data/a.parquet.gz", "cannot be compressed as a whole"),
        ("data/a.xlsx.zip", "cannot be compressed as a whole"),
    ],
)
def test_unsupported_compression(workdir: Path, name: str, needle: str) -> None:
    Path(name).write_bytes(b"x")
    with pytest.raises(SourceError) as excinfo:
        load_source(name)
    one_line_error(excinfo, name, needle)


@pytest.mark.skipif(importlib.util.find_spec("zstandard") is not None, reason="zstandard installed")
def test_zstd_needs_zstandard(workdir: Path) -> None:
    Path("data/a.csv.zst").write_bytes(b"\x28\xb5\x2f\xfd")
    with pytest.raises(SourceError) as excinfo:
        load_source("data/a.csv.zst")
    one_line_error(excinfo, "data/a.csv.zst", "zstandard")


def test_missing_file_suggests_a_close_name(workdir: Path) -> None:
    Path("data/sales_2024.csv").write_text("a\n1\n")
    with pytest.raises(SourceError) as excinfo:
        load_source("data/sales_2042.csv")
    assert str(excinfo.value) == (
        "Cannot load 'data/sales_2042.csv': no such file; did you mean 'data/sales_2024.csv'?"
    )
    with pytest.raises(SourceError) as excinfo:
        load_source("data/zzz.csv")
    assert str(excinfo.value) == "Cannot load 'data/zzz.csv': no such file"
    with pytest.raises(SourceError) as excinfo:
        load_source("nowhere/x.csv")
    one_line_error(excinfo, "nowhere/x.csv", "the folder 'nowhere' does not exist")


def test_folder_is_refused(workdir: Path) -> None:
    Path("data/folder.csv").mkdir()
    with pytest.raises(SourceError) as excinfo:
        load_source("data/folder.csv")
    one_line_error(excinfo, "data/folder.csv", "folder, not a file")


def test_parquet_folder_is_a_dataset(workdir: Path) -> None:
    Path("data/parts.parquet").mkdir()
    mixed_frame().iloc[:2].to_parquet("data/parts.parquet/a.parquet", index=False)
    df, src = load_source("data/parts.parquet", progress=True)
    assert len(df) == 2
    assert_exact(df, src)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(workdir: Path) -> None:
    Path("data/secret.csv").write_text("a\n1\n")
    os.chmod("data/secret.csv", 0)
    with pytest.raises(SourceError) as excinfo:
        load_source("data/secret.csv")
    one_line_error(excinfo, "data/secret.csv", "permission denied")


def test_permission_error_from_the_reader(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Path("data/a.csv").write_text("a\n1\n")

    def deny(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", "data/a.csv")

    monkeypatch.setattr(pd, "read_csv", deny)
    with pytest.raises(SourceError) as excinfo:
        load_source("data/a.csv")
    one_line_error(excinfo, "data/a.csv", "permission denied")
    assert isinstance(excinfo.value.__cause__, PermissionError)


BROKEN = {
    "data/empty.csv": (b"", "no data: the file is empty"),
    "data/blank.csv": (b"\n\n\n", "no data: "),
    "data/ragged.csv": (b"a,b\n1,2\n3,4,5\n", "Expected 2 fields in line 3, saw 3"),
    "data/latin.csv": ("a\ncafé\n".encode("latin-1"), "encoding='latin-1'"),
    "data/bad.parquet": (b"this is not parquet", "not a valid Parquet file"),
    "data/bad.xlsx": (b"this is not a workbook", "data/bad.xlsx"),
    "data/fake.xlsx": (b"PK\x03\x04broken zip", "data/fake.xlsx"),
    "data/scalars.json": (b'{"a": 1, "b": 2}', "not tabular JSON"),
    "data/garbage.json": (b"{not json", "not tabular JSON"),
    "data/garbage.jsonl": (b'{"a": 1}\n{oops\n', "not tabular JSON"),
    "data/plain.csv.gz": (b"a,b\n1,2\n", "cannot decompress the gzip data"),
    "data/plain.csv.bz2": (b"a,b\n1,2\n", "data/plain.csv.bz2"),
    "data/plain.csv.xz": (b"a,b\n1,2\n", "cannot decompress the xz data"),
    "data/plain.csv.zip": (b"a,b\n1,2\n", "data/plain.csv.zip"),
}


@pytest.mark.parametrize("progress", [False, True])
@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_files(workdir: Path, bars: list[FakeBar], name: str, progress: bool) -> None:
    content, needle = BROKEN[name]
    Path(name).write_bytes(content)
    with pytest.raises(SourceError) as excinfo:
        load_source(name, progress=progress)
    message = one_line_error(excinfo, f"Cannot load {name!r}: ", needle)
    assert not message.endswith(": ")
    assert all(bar.closed for bar in bars)


def test_two_member_zip(workdir: Path) -> None:
    with zipfile.ZipFile("data/two.csv.zip", "w") as archive:
        archive.writestr("a.csv", "a\n1\n")
        archive.writestr("b.csv", "a\n2\n")
    with pytest.raises(SourceError) as excinfo:
        load_source("data/two.csv.zip")
    one_line_error(excinfo, "data/two.csv.zip", "Multiple files")


@pytest.mark.parametrize(
    ("args", "kwargs", "needle"),
    [
        ((123,), {}, "expected a path"),
        (("data/a.csv",), {"table": "t"}, "only apply to SQL URLs"),
        (("data/a.csv",), {"query": "SELECT 1"}, "only apply to SQL URLs"),
        (("data/a.csv",), {"sheet": "x"}, "only applies to Excel"),
        (("data/a.csv",), {"no_such_option": 1}, "no_such_option"),
    ],
)
def test_bad_arguments(
    workdir: Path, args: tuple[Any, ...], kwargs: dict[str, Any], needle: str
) -> None:
    Path("data/a.csv").write_text("a\n1\n")
    with pytest.raises(SourceError) as excinfo:
        load_source(*args, **kwargs)
    one_line_error(excinfo, needle)


# -- progress ----------------------------------------------------------------------------
def test_progress_counts_bytes_as_they_are_read(workdir: Path, bars: list[FakeBar]) -> None:
    pd.DataFrame({"a": range(200_000), "b": ["text"] * 200_000}).to_csv("data/big.csv", index=False)
    size = os.path.getsize("data/big.csv")
    df, _ = load_source("data/big.csv", progress=True)
    assert len(df) == 200_000
    bar = bars[0]
    assert len(bar.updates) > 3  # pandas reads in chunks: the bar moves as it reads
    assert sum(bar.updates) == bar.n == size
    assert bar.kwargs["desc"] == "big.csv"
    assert bar.closed


def test_progress_default_depends_on_size(
    workdir: Path, bars: list[FakeBar], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert PROGRESS_THRESHOLD == 32 * 1024 * 1024
    Path("data/a.csv").write_text("a\n1\n")
    load_source("data/a.csv")
    load_source("data/a.csv", progress=False)
    assert bars == []
    monkeypatch.setattr(load_module, "PROGRESS_THRESHOLD", 4)
    _, src = load_source("data/a.csv")
    assert len(bars) == 1
    src.load()
    assert len(bars) == 2
    load_source("data/a.csv", progress=False)
    assert len(bars) == 2


def test_progress_bar_closes_on_error(workdir: Path, bars: list[FakeBar]) -> None:
    Path("data/ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(SourceError):
        load_source("data/ragged.csv", progress=True)
    assert bars[0].closed
    assert bars[0].n < bars[0].total or bars[0].total == os.path.getsize("data/ragged.csv")


def test_progress_file_protocol() -> None:
    bar = FakeBar(total=10)
    f = ProgressFile(io.BytesIO(b"0123456789"), bar, 10)
    assert f.readable() and f.seekable() and not f.writable()
    buf = bytearray(4)
    assert f.readinto(buf) == 4
    assert bytes(buf) == b"0123"
    assert f.read1(2) == b"45"
    assert f.tell() == 6
    f.seek(0)
    assert f.readline() == b"0123456789"
    assert f.bytes_read == 16
    assert bar.n == 10  # never past the total
    f.finish()
    assert bar.n == 10
    f.close()
    assert f.closed


# -- export ------------------------------------------------------------------------------
EXPORTS = {
    "out/m.csv": {"parse_dates": ["created_at"]},
    "out/m.tsv": {"parse_dates": ["created_at"]},
    "out/m.csv.gz": {"parse_dates": ["created_at"]},
    "out/m.csv.zip": {"parse_dates": ["created_at"]},
    "out/m.parquet": {},
    "out/m.xlsx": {},
    "out/m.json": {},
    "out/m.jsonl": {},
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_export_round_trip(workdir: Path, name: str) -> None:
    Path("out").mkdir()
    original = mixed_frame()
    written = export_frame(original, name)
    assert written == Path(name)
    assert os.listdir("out") == [Path(name).name]
    df, src = load_source(name, **EXPORTS[name])
    check_values(df, original)
    assert_exact(df, src)
    if name.endswith(".parquet"):
        pd.testing.assert_frame_equal(df, original, check_exact=True)


def test_export_formats_on_disk(workdir: Path) -> None:
    df = pd.DataFrame({"a": [1, 2], "b": ["x", None]}, index=[10, 20])
    assert export_frame(df, "a.csv").read_text() == "a,b\n1,x\n2,\n"
    assert export_frame(df, "a.tsv").read_text() == "a\tb\n1\tx\n2\t\n"
    assert json.loads(export_frame(df, "a.json").read_text()) == [
        {"a": 1, "b": "x"},
        {"a": 2, "b": None},
    ]
    lines = export_frame(df, "a.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]
    dates = pd.DataFrame({"when": pd.to_datetime(["2024-05-06 07:08:09"])})
    assert "2024-05-06T07:08:09" in export_frame(dates, "d.json").read_text()
    with zipfile.ZipFile(export_frame(df, "a.csv.zip")) as archive:
        assert archive.namelist() == ["a.csv"]
    assert export_frame(df, "semi.txt", format="csv", sep=";").read_text() == "a;b\n1;x\n2;\n"
    assert list(pd.read_parquet(export_frame(df, "a.parquet")).columns) == ["a", "b"]


def test_export_overwrites_and_keeps_the_mode(workdir: Path) -> None:
    Path("a.csv").write_text("old\n")
    os.chmod("a.csv", 0o640)
    export_frame(pd.DataFrame({"a": [1]}), "a.csv", overwrite=True)
    assert Path("a.csv").read_text() == "a\n1\n"
    assert Path("a.csv").stat().st_mode & 0o777 == 0o640


def _fail_replace(*args: Any) -> None:
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("name", ["old.csv", "old.parquet", "old.xlsx", "old.jsonl"])
def test_export_failure_leaves_old_file(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    Path(name).write_bytes(b"previous content")
    monkeypatch.setattr(os, "replace", _fail_replace)
    with pytest.raises(SourceError) as excinfo:
        export_frame(mixed_frame(), name, overwrite=True)
    one_line_error(excinfo, name, "No space left on device")
    assert Path(name).read_bytes() == b"previous content"
    assert sorted(os.listdir(".")) == sorted(["data", name])


@pytest.mark.parametrize(
    ("name", "df", "needle"),
    [
        (
            "old.xlsx",
            pd.DataFrame({"t": pd.to_datetime(["2024-01-01"]).tz_localize("UTC")}),
            "timezones",
        ),
        ("old.parquet", pd.DataFrame({"m": [1, "a", 2.5]}, dtype=object), "old.parquet"),
        ("old.csv", pd.DataFrame({"a": [1]}), "unexpected keyword"),
    ],
)
def test_export_writer_errors_leave_old_file(
    workdir: Path, name: str, df: pd.DataFrame, needle: str
) -> None:
    Path(name).write_bytes(b"previous content")
    options = {"no_such_option": 1} if name == "old.csv" else {}
    with pytest.raises(SourceError) as excinfo:
        export_frame(df, name, overwrite=True, **options)
    one_line_error(excinfo, f"Cannot write {name!r}", needle)
    assert Path(name).read_bytes() == b"previous content"
    assert sorted(os.listdir(".")) == sorted(["data", name])


def test_export_path_errors(workdir: Path) -> None:
    Path("afile").write_text("x")
    df = pd.DataFrame({"a": [1]})
    cases = {
        "afile/out.csv": "'afile' is a file, not a folder",
        "afile/deeper/out.csv": "'afile' is a file, not a folder",
        "missing/out.csv": "the folder 'missing' does not exist",
        "data": "Cannot tell the format of 'data'",
        "out.xml": "pass format= one of csv, tsv, parquet, excel, json, jsonl",
        "out.parquet.gz": "cannot be compressed",
    }
    for path, needle in cases.items():
        with pytest.raises(SourceError) as excinfo:
            export_frame(df, path)
        one_line_error(excinfo, path, needle)
    Path("folder.csv").mkdir()
    with pytest.raises(SourceError, match=r"'folder\.csv': it is a folder"):
        export_frame(df, "folder.csv")
    with pytest.raises(TypeError):
        export_frame([1, 2], "x.csv")  # type: ignore[arg-type]


# -- the module itself --------------------------------------------------------------------
def test_formats_mapping() -> None:
    assert list(FORMATS) == ["csv", "tsv", "parquet", "excel", "json", "jsonl"]
    assert FORMATS["excel"] == (".xlsx", ".xlsm")
    with pytest.raises(TypeError):
        FORMATS["xml"] = (".xml",)  # type: ignore[index]


def test_no_widget_or_ipython_imports_at_module_level() -> None:
    for path in IO_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in {"IPython", "ipywidgets", "tqdm"}, path
