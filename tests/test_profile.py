"""Tests of the dataset profile, its alerts, suggestions, target detection and reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.analysis.profile import (
    ALERT_KINDS,
    RULES,
    Profile,
    detect_target,
    profile,
    suggest,
)
from hydroml_jupyter.analysis.profile._dataset import duplicate_rows, numeric_matrix, pearson
from hydroml_jupyter.engine.ops import make_operation

DATA = Path(__file__).parent / "data"
N = 400


def _shuffled(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    return values[rng.permutation(len(values))]


def messy_frame() -> pd.DataFrame:
    """One column (or pair) per alert kind, everything else clean."""
    rng = np.random.default_rng(1)
    u = lambda: _shuffled(rng, np.linspace(0.0, 1.0, N))  # noqa: E731
    churned = np.zeros(N, dtype=bool)
    churned[rng.choice(N, 16, replace=False)] = True
    mostly = u()
    mostly[rng.choice(N, 280, replace=False)] = np.nan
    age = 20 + 40 * u()
    age[rng.choice(N, 80, replace=False)] = np.nan
    color = rng.choice(["red", "green", "blue"], N).astype(object)
    color[rng.choice(N, 40, replace=False)] = None
    zeros = np.where(np.arange(N) % 2 == 0, 0.0, 1 + u())
    outl = u()
    outl[:10], outl[10:20] = 10.0, -10.0
    a = u()
    mixed = np.array([1, "one", 2.5, "two", 3, "three", 4, "four"] * (N // 8), dtype=object)
    cities = np.array(["Paris"] * 5 + ["paris"] + ["Lyon"] * 4 + ["Lyon "] + ["Nice"] * 5)
    return pd.DataFrame(
        {
            "user_id": np.arange(N),
            "const": ["x"] * N,
            "mostly_missing": mostly,
            "age": age,
            "color": pd.Series(color, dtype="str"),
            "code": pd.Series([f"c{i % 100:03d}" for i in range(N)], dtype="str"),
            "skewed": np.minimum(u() ** 5, 0.9**5),
            "zeros": zeros,
            "outl": outl,
            "a": a,
            "b": 2 * a + 0.001 * u(),
            "mixed": mixed,
            "amount": pd.Series([f"{v:.2f}" for v in 100 * u()], dtype="str"),
            "when": pd.Series(
                [
                    f"{d:02d}/{m:02d}/2021"
                    for d, m in zip(rng.integers(1, 29, N), rng.integers(1, 13, N), strict=True)
                ],
                dtype="str",
            ),
            "city": pd.Series(_shuffled(rng, np.resize(cities, N)), dtype="str"),
            "status": np.where(churned, "closed", "open"),
            "churned": churned,
        }
    )


EXPECTED = {
    ("user_id",): {"identifier"},
    ("const",): {"constant"},
    ("mostly_missing",): {"missing"},
    ("age",): {"missing"},
    ("color",): {"missing"},
    ("code",): {"high_cardinality"},
    ("skewed",): {"skewed"},
    ("zeros",): {"many_zeros"},
    ("outl",): {"outliers"},
    ("a", "b"): {"high_correlation"},
    ("mixed",): {"mixed_types"},
    ("amount",): {"numbers_as_text"},
    ("when",): {"dates_as_text"},
    ("city",): {"category_variants"},
    ("status", "churned"): {"target_leakage"},
    ("churned",): {"imbalanced_target"},
}


def clean_frame(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    return pd.DataFrame(
        {
            "x": _shuffled(rng, np.linspace(0, 10, n)),
            "y": _shuffled(rng, np.linspace(-5, 5, n)),
            "count": rng.integers(0, 30, n),
            "group": pd.Series(rng.choice(["a", "b", "c"], n), dtype="str"),
            "day": pd.date_range("2024-01-01", periods=n, freq="D"),
            "label": np.arange(n) % 2 == 0,
        }
    )


def alert_set(p: Profile) -> dict[tuple, set[str]]:
    out: dict[tuple, set[str]] = {}
    for a in p.alerts:
        out.setdefault(a.columns, set()).add(a.kind)
    return out


@pytest.fixture(scope="module")
def messy() -> pd.DataFrame:
    return messy_frame()


@pytest.fixture(scope="module")
def messy_profile(messy: pd.DataFrame) -> Profile:
    return profile(messy, target="churned")


# -- alerts ------------------------------------------------------------------------------
def test_messy_frame_raises_exactly_the_planted_alerts(messy_profile: Profile) -> None:
    assert alert_set(messy_profile) == EXPECTED
    assert {k for kinds in EXPECTED.values() for k in kinds} | {"duplicate_rows"} == set(
        ALERT_KINDS
    )


def test_alert_fields_and_semantic_types(messy_profile: Profile) -> None:
    p = messy_profile
    for a in p.alerts:
        assert a.kind in ALERT_KINDS and a.severity in ("high", "medium", "low")
        assert isinstance(a.figure, int | float) and a.message
    sem = {c: col.semantic for c, col in p.columns.items()}
    assert sem["user_id"] == "identifier" and sem["const"] == "constant"
    assert sem["amount"] == "numbers_as_text" and sem["when"] == "dates_as_text"
    assert sem["churned"] == "boolean" and sem["age"] == "numeric" and sem["city"] == "categorical"
    (age,) = p.alerts_for("missing", "age")
    assert age.figure == 0.2 and age.message == "age is 20.0% missing"
    assert p.alerts_for("missing", "mostly_missing")[0].severity == "high"
    assert p.columns["when"].text.date_format == "%d/%m/%Y"
    assert p.sampled == {}


@pytest.mark.parametrize("frame", [clean_frame(), clean_frame(60)])
def test_clean_frames_raise_no_alert(frame: pd.DataFrame) -> None:
    p = profile(frame)
    assert p.alerts == []
    assert suggest(p, frame) == []


def test_duplicate_rows_alert_is_exact() -> None:
    df = clean_frame(100)
    df = pd.concat([df, df.iloc[:7]], ignore_index=True)
    p = profile(df)
    assert alert_set(p) == {(): {"duplicate_rows"}}
    assert p.alerts[0].figure == 7 == p.dataset.duplicate_rows
    (sugg,) = suggest(p, df)
    s = hj.Session(df)
    s.apply(sugg.op, **sugg.params)
    assert profile(s.df).alerts == []


def test_text_mixing_numbers_and_words_is_mixed_types() -> None:
    vals = [str(i % 20) for i in range(70)] + ["n/a", "unknown", "-"] * 10
    df = pd.DataFrame({"v": pd.Series(vals, dtype="str"), "w": np.linspace(0, 1, 100)})
    p = profile(df)
    assert alert_set(p) == {("v",): {"mixed_types"}}
    (sugg,) = suggest(p, df)
    assert (sugg.op, sugg.params["dtype"]) == ("cast", "float64")


# -- suggestions ---------------------------------------------------------------------------
def _apply(df: pd.DataFrame, sugg) -> pd.DataFrame:
    s = hj.Session(df)
    step = s.apply(sugg.op, **sugg.params)
    assert s.can_undo and step is not None
    return s.df


def test_every_suggestion_is_a_valid_op_and_clears_its_alert(messy: pd.DataFrame) -> None:
    p = profile(messy, target="churned")
    suggestions = suggest(p, messy)
    confs = [s.confidence for s in suggestions]
    assert confs == sorted(confs, reverse=True)
    assert all(0 <= c <= 1 for c in confs)
    answered = {s.alert.kind for s in suggestions}
    assert answered == {kind for kind, _ in RULES} - {"duplicate_rows"}
    for sugg in suggestions:
        make_operation(sugg.op, sugg.params)
        assert sugg.rationale.count("\n") == 0 and sugg.alert.message in sugg.rationale
        after = profile(_apply(messy, sugg), target="churned")
        still = [
            a for a in after.alerts if (a.kind, a.columns) == (sugg.alert.kind, sugg.alert.columns)
        ]
        assert still == [], (sugg, still)
        assert "churned" in after.columns


def test_missing_rule_picks_median_for_skewed_and_mode_for_categories(messy) -> None:
    p = profile(messy, target="churned")
    by_col = {s.params.get("column"): s for s in suggest(p, messy) if s.op == "fill_missing"}
    assert by_col["age"].params["strategy"] == "mean"
    assert by_col["color"].params["strategy"] == "mode"
    df = pd.DataFrame(
        {"income": np.r_[np.exp(np.linspace(0, 6, 90)), [np.nan] * 10], "i": np.arange(100.0)}
    )
    sugg = suggest(profile(df), df)
    assert sugg[0].params == {"column": "income", "strategy": "median"}
    assert sugg[0].rationale.startswith("income is 10.0% missing and skewed (")
    ints = pd.DataFrame({"k": pd.array([1, 2, None, 2, 1, 2] * 10, dtype="Int64")})
    (s,) = [s for s in suggest(profile(ints), ints) if s.op == "fill_missing"]
    assert _apply(ints, s)["k"].isna().sum() == 0


def test_applying_all_confident_suggestions_clears_their_alerts(messy: pd.DataFrame) -> None:
    p = profile(messy, target="churned")
    sure = [s for s in suggest(p, messy) if s.confidence >= 0.8]
    assert len(sure) >= 6
    s = hj.Session(messy)
    for sugg in sure:
        s.apply(sugg.op, **sugg.params)
    after = profile(s.df, target="churned")
    left = {(a.kind, a.columns) for a in after.alerts}
    assert not left & {(g.alert.kind, g.alert.columns) for g in sure}
    assert s.position == len(sure)
    s.undo()


def test_target_is_never_dropped() -> None:
    df = pd.DataFrame({"f": np.linspace(0, 1, 50), "target": 3 * np.linspace(0, 1, 50) + 1})
    p = profile(df, target="target")
    assert p.alerts_for("target_leakage") and p.target == "target"
    assert all("target" not in s.params.get("columns", []) for s in suggest(p, df))


# -- target detection ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("file", "target", "task"),
    [
        ("churn.csv", "churned", "classification"),
        ("houses.csv", "price", "regression"),
        ("iris_like.csv", "species", "classification"),
    ],
)
def test_detect_target_on_shipped_frames(file: str, target: str, task: str) -> None:
    df = pd.read_csv(DATA / file)
    cands = detect_target(df)
    assert cands[0].name == target and cands[0].task == task
    assert cands[0].confidence >= 0.7 and cands[0].reason
    assert all(c.name not in ("id", "customer_id") for c in cands)
    assert profile(df).target == target


# -- exactness ----------------------------------------------------------------------------
def test_figures_match_pandas() -> None:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.normal(size=(500, 4)), columns=list("abcd"))
    df["b"] = df["a"] * 0.5 + df["b"]
    for c in "abcd":
        df.loc[rng.choice(500, 60, replace=False), c] = np.nan
    r = pearson(numeric_matrix(df, list("abcd")))
    np.testing.assert_allclose(r, df.corr().to_numpy(), atol=1e-12)
    p = profile(df)
    for c in "abcd":
        assert p.columns[c].numeric.skew == pytest.approx(df[c].skew(), abs=1e-12)
    dup = pd.concat([df, df.iloc[::7]], ignore_index=True)
    assert duplicate_rows(dup) == int(dup.duplicated().sum())


# -- outputs ------------------------------------------------------------------------------
def test_to_dict_is_strict_json(messy_profile: Profile) -> None:
    df = pd.DataFrame({"v": [np.inf, -np.inf, np.nan, 1.0, 2.0], "n": [None] * 5})
    for p in (messy_profile, profile(df)):
        text = json.dumps(p.to_dict(), allow_nan=False)
        assert json.loads(text)["dataset"]["rows"] == p.dataset.rows
    s = suggest(messy_profile, messy_frame())
    json.dumps([x.to_dict() for x in s], allow_nan=False)


EVIL = "<img src=x onerror=alert(1)>"


def test_html_escapes_names_and_values() -> None:
    df = pd.DataFrame(
        {
            EVIL: np.linspace(0, 1, 40),
            "c": pd.Series(["</script><script>alert(2)</script>", "b"] * 20, dtype="str"),
        }
    )
    page = profile(df)._repr_html_()
    assert EVIL not in page and "alert(2)</script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_to_html_inlines_plotly(tmp_path: Path, messy_profile: Profile) -> None:
    out = messy_profile.to_html(tmp_path / "report.html")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Plotly.newPlot" in page
    assert "plotly.js v" in page or "plotly.js" in page
    assert "<script src" not in page.lower() and len(page) > 1_000_000
    fragment = messy_profile.report_html(plotlyjs=False)
    assert len(fragment) < 200_000 and "Alerts (" in fragment


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(),
        pd.DataFrame({"a": pd.Series([], dtype="float64"), "b": pd.Series([], dtype="str")}),
        pd.DataFrame({"n": [np.nan] * 5, "o": [None] * 5}),
        pd.DataFrame({0: [[1], [2], [1]], 1: [1, 2, 3]}),
        pd.DataFrame(
            {
                "t": pd.date_range("2024-01-01", periods=30, tz="Europe/Paris"),
                "c": pd.Categorical(["x", "y", "z"] * 10),
                "d": pd.to_timedelta(np.arange(30), unit="s"),
                "i": pd.array([*range(29), None], dtype="Int64"),
            }
        ),
    ],
)
def test_edge_frames_profile_without_error(frame: pd.DataFrame) -> None:
    p = profile(frame)
    json.dumps(p.to_dict(), allow_nan=False)
    for sugg in suggest(p, frame):
        make_operation(sugg.op, sugg.params)
    assert "<div" in p.report_html(plotlyjs=False)


def test_unhashable_values_are_profiled_not_raised() -> None:
    df = pd.DataFrame(
        {"a": [[1], [2], None, [1]], "b": [{1: 2}, None, set(), {1: 2}], "c": [1, 2, 3, 4]}
    )
    p = hj.Session(df, name="objects").profile()
    assert {"a", "b", "c"} <= set(p.columns)
    assert {a.kind for a in p.alerts} >= {"missing", "mixed_types"}


def test_the_notebook_report_is_static_svg_and_small(messy_profile: Profile) -> None:
    page = messy_profile._repr_html_()
    assert "<script" not in page.lower() and "Plotly" not in page
    assert page.count("<svg") >= len(messy_profile.columns) // 2
    assert "Alerts (" in page and len(page) < 200_000
    assert "<h3>Missing values</h3>" in page


def test_the_static_report_escapes_names_in_its_charts() -> None:
    df = pd.DataFrame({EVIL: ["x", "y", None, "x"] * 10, "n": np.arange(40.0)})
    df.loc[::3, "n"] = np.nan
    page = profile(df)._repr_html_()
    assert EVIL not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_rows_without_a_target_are_not_called_a_sample() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=400)
    df = pd.DataFrame({"x": x, "target": np.where(x > 0, "yes", "no")})
    df.loc[::10, "target"] = None
    assert profile(df, target="target").sampled == {}
    big = pd.DataFrame({"x": np.resize(x, 12_000), "target": np.resize(df["target"], 12_000)})
    note = profile(big, target="target").sampled["target_leakage"]
    assert note.endswith("other rows of 10,000 sampled (fixed seed)")
