"""Every suggestion the Quality tab offers applies, on frames of every kind.

Hypothesis builds frames from a menu of the columns real data has (numbers with gaps and
outliers, nullable integers, ids, spelling variants, numbers and dates stored as text, with
and without time zones, zoned datetimes, mixed objects, constant and all-missing columns)
under odd names (integers, Unicode, quotes, spaces). Each suggestion is applied in a fresh
session: it must succeed, and the exported script must rebuild the frame exactly.
``HYDROML_EXAMPLES`` sets the number of examples (default 300, of which a third run here).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hydroml_jupyter as hj
from hydroml_jupyter.analysis.profile import profile, suggest

EXAMPLES = max(20, int(os.environ.get("HYDROML_EXAMPLES", "300")) // 3)
NAMES = [0, 1, 7, "price", "a b", "größe", "it's", 'say "hi"', "naïve 😀", "x`y", "𝔘", " lead"]

Maker = Callable[[st.DrawFn, int], pd.Series]


def _holes(draw: st.DrawFn, values: list, share: float | None = None) -> list:
    share = draw(st.sampled_from([0.0, 0.1, 0.5, 0.8])) if share is None else share
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return [None if rng.random() < share else v for v in values]


def floats(draw: st.DrawFn, n: int) -> pd.Series:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.exponential(draw(st.sampled_from([1.0, 50.0])), n)
    x[: n // 10] *= 40  # outliers
    if draw(st.booleans()):
        x = np.round(x, draw(st.integers(0, 3)))
    if n and draw(st.booleans()):
        x = x - x.mean()
    return pd.Series(_holes(draw, x.tolist()), dtype="float64")


def integers(draw: st.DrawFn, n: int) -> pd.Series:
    if draw(st.booleans()):
        return pd.Series(np.arange(n) + draw(st.integers(-5, 5)), dtype="int64")  # an id
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return pd.Series(rng.poisson(3, n), dtype="int64")


def nullable(draw: st.DrawFn, n: int) -> pd.Series:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return pd.Series(_holes(draw, rng.integers(-3, 40, n).tolist()), dtype="Int64")


def variants(draw: st.DrawFn, n: int) -> pd.Series:
    words = draw(
        st.sampled_from(
            [
                [" USA", "USA", "usa", "France"],
                ["a", "A ", "b", "B"],
                ["👩\u200d💻 dev", "👩\u200d💻 Dev"],
            ]
        )
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return pd.Series(_holes(draw, rng.choice(words, n).tolist()), dtype="str")


def numbers_text(draw: st.DrawFn, n: int) -> pd.Series:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    whole = draw(st.booleans())
    values = [str(int(v)) if whole else f"{v:.2f}" for v in rng.normal(100, 30, n)]
    if values and draw(st.booleans()):
        values[0] = "n/a"
    return pd.Series(_holes(draw, values, 0.1), dtype="str")


def dates_text(draw: st.DrawFn, n: int) -> pd.Series:
    start = pd.Timestamp("2021-03-28 00:30")
    stamps = [start + pd.Timedelta(hours=7 * i) for i in range(n)]
    style = draw(st.sampled_from(["Z", "offset", "naive", "day", "dmy"]))
    fmt = {
        "Z": lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "offset": lambda t: t.strftime("%Y-%m-%dT%H:%M:%S") + draw(st.sampled_from(["+02:00"])),
        "naive": lambda t: t.strftime("%Y-%m-%d %H:%M:%S"),
        "day": lambda t: t.strftime("%Y-%m-%d"),
        "dmy": lambda t: t.strftime("%d/%m/%Y"),
    }[style]
    values = [fmt(t) for t in stamps]
    if values and draw(st.booleans()):
        values[-1] = "soon"
    return pd.Series(_holes(draw, values, 0.05), dtype="str")


def zoned(draw: st.DrawFn, n: int) -> pd.Series:
    tz = draw(st.sampled_from(["UTC", "Europe/Paris", "America/New_York"]))
    out = pd.Series(pd.date_range("2021-03-27", periods=n, freq="5h", tz=tz))
    return out.mask(pd.Series(_holes(draw, [True] * n, 0.1)).isna())


def mixed(draw: st.DrawFn, n: int) -> pd.Series:
    return pd.Series(([1, "one", 2.5, None, "two"] * n)[:n], dtype=object)


def constant(draw: st.DrawFn, n: int) -> pd.Series:
    value = draw(st.sampled_from(["x", 2.5, True, "👩\u200d💻", "long " * 200, "a\u202eb"]))
    share = draw(st.sampled_from([0.0, 0.7]))
    return pd.Series(_holes(draw, [value] * n, share), dtype=object).infer_objects()


def empty(draw: st.DrawFn, n: int) -> pd.Series:
    return pd.Series([None] * n, dtype=draw(st.sampled_from(["float64", "str", object, "Int64"])))


def ids(draw: st.DrawFn, n: int) -> pd.Series:
    values = [f"FL{i:05d}" for i in range(n)]
    if values and draw(st.booleans()):
        values[-1] = values[0]
    return pd.Series(values, dtype="str")


def booleans(draw: st.DrawFn, n: int) -> pd.Series:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return pd.Series(rng.random(n) < draw(st.sampled_from([0.5, 0.05])))


def categories(draw: st.DrawFn, n: int) -> pd.Series:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return pd.Series(_holes(draw, rng.choice(["lo", "mid", "hi"], n).tolist()), dtype="category")


MAKERS: list[Maker] = [
    floats,
    integers,
    nullable,
    variants,
    numbers_text,
    dates_text,
    zoned,
    mixed,
    constant,
    empty,
    ids,
    booleans,
    categories,
]


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.sampled_from([0, 3, 25, 60]))
    makers = draw(st.lists(st.sampled_from(MAKERS), min_size=1, max_size=6))
    names = draw(st.permutations(NAMES))
    data = {names[i]: maker(draw, n).reset_index(drop=True) for i, maker in enumerate(makers)}
    df = pd.DataFrame(data)
    if n and draw(st.booleans()):
        df = pd.concat([df, df.iloc[: max(1, n // 10)]], ignore_index=True)  # duplicate rows
    return df


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(df=frames(), data=st.data())
def test_every_suggestion_applies_and_exports(df: pd.DataFrame, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from([None, *df.columns]), label="target")
    p = profile(df, target=target)
    if p.dataset.duplicate_rows is not None:
        assert p.dataset.duplicate_rows == int(df.duplicated().sum())
    for alert in p.alerts:  # one line, clipped, escapes only where needed
        assert "\n" not in alert.message and len(alert.message) < 400
        assert "\u202e" not in alert.message and "\\u200d" not in alert.message
    for sugg in suggest(p, df):
        s = hj.Session(df, name="suggested")
        try:
            s.apply(sugg.op, **sugg.params)
        except hj.OperationError as exc:  # pragma: no cover - the failure is the finding
            raise AssertionError(f"{sugg.op} {sugg.params!r} failed: {exc}") from None
        ns = {"df": df}
        exec(s.code(source=False), ns)
        pd.testing.assert_frame_equal(ns["df"], s.df, check_exact=True)
        s.close()
