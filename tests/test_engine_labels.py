"""Each operation's label (what the history and the script's comments show) and code, written
out by hand, and the memory a step shares with the frame before it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine.ops.base import make_operation

# (operation, parameters, label, code for the frame ``df``)
LABELS = [
    (
        "rename",
        {"columns": {"a": "b", 3: "c d"}},
        "Rename a → b, 3 → c d",
        "df = df.rename(columns={'a': 'b', 3: 'c d'})",
    ),
    ("drop_columns", {"columns": ["a", 3]}, "Drop a, 3", "df = df.drop(columns=['a', 3])"),
    (
        "filter_rows",
        {"column": "a", "op": ">=", "value": 2},
        "Keep rows where a >= 2",
        "df = df[df['a'] >= 2]",
    ),
    (
        "filter_rows",
        {"column": "a", "op": "!=", "value": "x"},
        "Keep rows where a != 'x'",
        "df = df[(df['a'] != 'x') & df['a'].notna()]",
    ),
    (
        "filter_rows",
        {"column": "a", "op": "between", "value": [1, 2.5]},
        "Keep rows where a between [1, 2.5]",
        "df = df[df['a'].between(1, 2.5)]",
    ),
    (
        "filter_rows",
        {"column": "a", "op": "in", "value": [1, None]},
        "Keep rows where a in [1, None]",
        "df = df[df['a'].isin([1, None]) & df['a'].notna()]",
    ),
    (
        "filter_rows",
        {"column": "a", "op": "not_in", "value": ["x"]},
        "Keep rows where a not in ['x']",
        "df = df[~df['a'].isin(['x']) & df['a'].notna()]",
    ),
    (
        "filter_rows",
        {"column": "a", "op": "contains", "value": "x"},
        "Keep rows where a contains 'x'",
        "df = df[df['a'].str.contains('x', regex=False, na=False)]",
    ),
    (
        "filter_rows",
        {"column": "a", "op": "startswith", "value": "x"},
        "Keep rows where a startswith 'x'",
        "df = df[df['a'].str.startswith('x', na=False)]",
    ),
    (
        "filter_rows",
        {"column": "a", "op": "endswith", "value": "x"},
        "Keep rows where a endswith 'x'",
        "df = df[df['a'].str.endswith('x', na=False)]",
    ),
    (
        "filter_rows",
        {"column": "a", "op": "is_null"},
        "Keep rows where a is null",
        "df = df[df['a'].isna()]",
    ),
    (
        "filter_rows",
        {"column": "a", "op": "not_null"},
        "Keep rows where a not null",
        "df = df[df['a'].notna()]",
    ),
    (
        "sort_rows",
        {"by": ["a", "b"], "ascending": [True, False]},
        "Sort by a ↑, b ↓",
        "df = df.sort_values(by=['a', 'b'], ascending=[True, False], kind='stable')",
    ),
    (
        "sort_rows",
        {"by": "a", "ascending": False},
        "Sort by a ↓",
        "df = df.sort_values(by=['a'], ascending=False, kind='stable')",
    ),
    (
        "dedupe",
        {},
        "Drop duplicate rows, keeping the first",
        "df = df.drop_duplicates(keep='first')",
    ),
    (
        "dedupe",
        {"subset": ["a", "b"], "keep": "none"},
        "Drop duplicate rows on a, b, dropping every copy",
        "df = df.drop_duplicates(subset=['a', 'b'], keep=False)",
    ),
    (
        "dedupe",
        {"subset": "a", "keep": "last"},
        "Drop duplicate rows on a, keeping the last",
        "df = df.drop_duplicates(subset=['a'], keep='last')",
    ),
    (
        "cast",
        {"column": "a", "dtype": "Int64"},
        "Cast a to Int64",
        "df['a'] = pd.to_numeric(df['a'], dtype_backend='numpy_nullable').astype('Int64')",
    ),
    (
        "cast",
        {"column": "a", "dtype": "datetime64[ns]", "errors": "coerce", "format": "%d/%m/%Y"},
        "Cast a to datetime64[ns] (coerce)",
        "df['a'] = pd.to_datetime(df['a'], errors='coerce', format='%d/%m/%Y')"
        ".astype('datetime64[ns]')",
    ),
    (
        "cast",
        {"column": "a", "dtype": "boolean"},
        "Cast a to boolean",
        "df['a'] = df['a'].astype('str').str.strip().str.lower().map({'true': True, 't': True, "
        "'yes': True, 'y': True, '1': True, '1.0': True, 'false': False, 'f': False, "
        "'no': False, 'n': False, '0': False, '0.0': False}).astype('boolean')",
    ),
    (
        "cast",
        {"column": "a", "dtype": "category"},
        "Cast a to category",
        "df['a'] = df['a'].astype('category')",
    ),
    (
        "fill_missing",
        {"column": "a", "value": 0},
        "Fill missing a with 0",
        "df['a'] = df['a'].fillna(0)",
    ),
    (
        "fill_missing",
        {"column": "a", "strategy": "median"},
        "Fill missing a by median",
        "df['a'] = df['a'].fillna(df['a'].median())",
    ),
    (
        "fill_missing",
        {"column": "a", "strategy": "mode"},
        "Fill missing a by mode",
        "df['a'] = df['a'].fillna(df['a'].mode().iloc[0])",
    ),
    (
        "fill_missing",
        {"column": "a", "strategy": "ffill"},
        "Fill missing a by ffill",
        "df['a'] = df['a'].ffill()",
    ),
    ("drop_missing", {}, "Drop rows missing any of any column", "df = df.dropna(how='any')"),
    (
        "drop_missing",
        {"columns": ["a"], "how": "all"},
        "Drop rows missing all of a",
        "df = df.dropna(subset=['a'], how='all')",
    ),
    (
        "replace",
        {"column": "a", "mapping": {"x": "y", 1: None, None: 0, "p": "q"}},
        "Replace in a: 'x' → 'y', 1 → None, None → 0 (+1)",
        "df['a'] = df['a'].replace({'x': 'y', 1: None, None: 0, 'p': 'q'})",
    ),
    (
        "replace",
        {"column": "a", "mapping": {"x": "y"}},
        "Replace in a: 'x' → 'y'",
        "df['a'] = df['a'].replace({'x': 'y'})",
    ),
    (
        "text",
        {"column": "a", "action": "strip"},
        "Strip spaces in a",
        "df['a'] = df['a'].str.strip()",
    ),
    ("text", {"column": "a", "action": "lower"}, "Lower-case a", "df['a'] = df['a'].str.lower()"),
    ("text", {"column": "a", "action": "upper"}, "Upper-case a", "df['a'] = df['a'].str.upper()"),
    ("text", {"column": "a", "action": "title"}, "Title-case a", "df['a'] = df['a'].str.title()"),
    ("formula", {"column": "r", "expr": "a * 2"}, "r = a * 2", "df['r'] = (df['a'] * 2)"),
    (
        "one_hot",
        {"column": "a"},
        "One-hot encode a",
        "df = pd.get_dummies(df, columns=['a'], drop_first=False)",
    ),
    (
        "one_hot",
        {"column": "a", "drop_first": True},
        "One-hot encode a (drop first)",
        "df = pd.get_dummies(df, columns=['a'], drop_first=True)",
    ),
    (
        "scale",
        {"columns": ["a"], "method": "standard"},
        "Scale a (standard)",
        "df['a'] = (df['a'] - df['a'].mean()) / df['a'].std(ddof=0)",
    ),
    (
        "scale",
        {"columns": ["a", "b"], "method": "minmax"},
        "Scale a, b (minmax)",
        "df['a'] = (df['a'] - df['a'].min()) / (df['a'].max() - df['a'].min())\n"
        "df['b'] = (df['b'] - df['b'].min()) / (df['b'].max() - df['b'].min())",
    ),
    (
        "scale",
        {"columns": "a", "method": "robust"},
        "Scale a (robust)",
        "df['a'] = (df['a'] - df['a'].median()) / "
        "(df['a'].quantile(0.75) - df['a'].quantile(0.25))",
    ),
    (
        "group_aggregate",
        {"by": ["g"], "aggs": {"a": "sum", "b": ["min", "max"]}},
        "Group by g: sum(a), min(b), max(b)",
        "df = df.groupby(['g'], dropna=False, sort=True).agg(**{'a': ('a', 'sum'), "
        "'b_min': ('b', 'min'), 'b_max': ('b', 'max')}).reset_index()",
    ),
    (
        "bin",
        {"column": "a", "method": "edges", "bins": [0, 18, 65]},
        "Bin a at 0, 18, 65 → a_bin (values outside: missing)",
        "df['a_bin'] = pd.cut(df['a'], bins=[0, 18, 65], labels=['[0, 18]', '(18, 65]'], "
        "include_lowest=True)\n"
        "df = df[np.insert(df.columns.drop(['a_bin']).astype('object'), "
        "df.columns.drop(['a_bin']).get_loc('a') + 1, ['a_bin'])]",
    ),
    (
        "bin",
        {"column": "a", "bins": 4, "into": "a"},
        "Bin a into 4 equal-width bins → a",
        "df['a'] = pd.cut(df['a'], bins=4)\n"
        "df['a'] = df['a'].cat.rename_categories(df['a'].cat.categories.astype('str'))",
    ),
    (
        "bin",
        {"column": "a", "method": "quantile", "bins": 2, "labels": ["lo", "hi"], "into": "q"},
        "Bin a into 2 quantile bins as 'lo', 'hi' → q",
        "df['q'] = pd.qcut(df['a'], q=2, labels=['lo', 'hi'])\n"
        "df = df[np.insert(df.columns.drop(['q']).astype('object'), "
        "df.columns.drop(['q']).get_loc('a') + 1, ['q'])]",
    ),
    (
        "round",
        {"columns": ["a", 3], "decimals": 2},
        "Round a, 3 to 2 decimals",
        "df['a'] = df['a'].round(2)\ndf[3] = df[3].round(2)",
    ),
    ("round", {"columns": "a"}, "Round a to whole numbers", "df['a'] = df['a'].round(0)"),
    (
        "round",
        {"columns": "a", "decimals": -2},
        "Round a to the nearest 100",
        "df['a'] = df['a'].round(-2)",
    ),
    (
        "window",
        {"column": "a", "func": "shift", "periods": -1},
        "Shift a (1 row ahead) → a_shift",
        "df['a_shift'] = df['a'].shift(periods=-1)\n"
        "df = df[np.insert(df.columns.drop(['a_shift']).astype('object'), "
        "df.columns.drop(['a_shift']).get_loc('a') + 1, ['a_shift'])]",
    ),
    (
        "window",
        {
            "column": "a",
            "func": "rolling_mean",
            "window": 7,
            "by": "g",
            "order_by": "t",
            "into": "a",
        },
        "Rolling mean of a over 7 rows within g ordered by t → a",
        "df['a'] = (\n"
        "    df.reset_index(drop=True)\n"
        "    .sort_values(['t'], kind='stable')\n"
        "    ['a'].groupby(df.reset_index(drop=True).groupby(['g'], dropna=False, sort=False)"
        ".ngroup())\n"
        "    .rolling(window=7).mean()\n"
        "    .droplevel([0])\n"
        "    .sort_index()\n"
        "    .set_axis(df.index)\n"
        ")",
    ),
    (
        "fill_missing",
        {"column": "a", "strategy": "mean", "by": "g"},
        "Fill missing a by mean within g",
        "df['a'] = df['a'].fillna(\n    df.groupby(['g'], dropna=False)['a'].transform('mean')\n)",
    ),
    (
        "pivot",
        {"index": "k", "columns": "m", "values": "v"},
        "Pivot mean(v) by k across m",
        "df = df.groupby(['k', 'm'], dropna=False, observed=True, "
        "sort=True)['v'].agg('mean').unstack('m')\ndf.columns = "
        "df.columns.astype('object').map('{}'.format).rename(None)\ndf = df.reset_index()",
    ),
    (
        "melt",
        {"id_vars": ["k"], "value_vars": ["a", 3], "var_name": "what"},
        "Melt a, 3 into what, value (keeping k)",
        "df = df.melt(id_vars=['k'], value_vars=['a', 3], var_name='what', value_name='value', "
        "ignore_index=True)",
    ),
    (
        "reorder_columns",
        {"columns": ["b", 3]},
        "Put first: b, 3",
        "df = df[['b', 3] + df.columns.drop(['b', 3]).tolist()]",
    ),
    (
        "sample",
        {"n": 5, "seed": 1},
        "Sample 5 rows (seed 1)",
        "df = df.sample(n=5, random_state=1)",
    ),
    (
        "sample",
        {"frac": 0.5},
        "Sample 0.5 of the rows (seed 0)",
        "df = df.sample(frac=0.5, random_state=0)",
    ),
    (
        "split",
        {"column": "name", "sep": " ", "into": ["first", "last"]},
        "Split name at ' ' into first, last",
        "df[['first', 'last']] = df['name'].str.split(' ', n=1, expand=True, "
        "regex=False).reindex(columns=[0, 1]).astype('str')\ndf = "
        "df[np.insert(df.columns.drop(['first', 'last']).astype('object'), "
        "df.columns.drop(['first', 'last']).get_loc('name') + 1, ['first', 'last'])]",
    ),
    (
        "extract",
        {"column": "code", "pattern": "([A-Z]+)-(\\d+)", "into": ["letters", "number"]},
        "Extract letters, number from code with '([A-Z]+)-(\\\\d+)'",
        "df[['letters', 'number']] = df['code'].str.extract('([A-Z]+)-(\\\\d+)', "
        "expand=True).astype('str')\ndf = df[np.insert(df.columns.drop(['letters', "
        "'number']).astype('object'), df.columns.drop(['letters', 'number']).get_loc('code') + "
        "1, ['letters', 'number'])]",
    ),
    (
        "datetime_parts",
        {"column": "t", "parts": ["year", "week"]},
        "Add year, week of t",
        "df['t_year'] = df['t'].dt.year.astype('Int32')\ndf['t_week'] = "
        "df['t'].dt.isocalendar().week.astype('Int32')\ndf = "
        "df[np.insert(df.columns.drop(['t_year', 't_week']).astype('object'), "
        "df.columns.drop(['t_year', 't_week']).get_loc('t') + 1, ['t_year', 't_week'])]",
    ),
    (
        "timezone",
        {"column": "t", "action": "localize", "tz": "Europe/Paris"},
        "Localize t to Europe/Paris",
        "df['t'] = df['t'].dt.tz_localize('Europe/Paris', ambiguous='NaT', "
        "nonexistent='shift_forward')",
    ),
    (
        "timezone",
        {"column": "t", "action": "drop"},
        "Drop the time zone of t",
        "df['t'] = df['t'].dt.tz_localize(None)",
    ),
    (
        "concat",
        {"other": "more.csv"},
        "Append rows of more.csv",
        "df_other = pd.read_csv('more.csv')\ndf = pd.concat([df, df_other], join='outer', "
        "ignore_index=True)",
    ),
    (
        "merge",
        {"other": "planes.csv", "on": "tailnum", "how": "left"},
        "Merge with planes.csv on tailnum (left join)",
        "df_other = pd.read_csv('planes.csv')\ndf = df.merge(df_other, how='left', "
        "on=['tailnum'], suffixes=('', '_other'))",
    ),
]


@pytest.mark.parametrize(
    ("op", "params", "label", "code"), LABELS, ids=[f"{c[0]}-{i}" for i, c in enumerate(LABELS)]
)
def test_label_and_code(op: str, params: dict, label: str, code: str) -> None:
    operation = make_operation(op, params)
    assert operation.label() == label
    assert operation.code() == code
    # another frame variable is used everywhere the frame is named
    assert operation.code("frame") == code.replace("df", "frame")


def test_every_operation_has_a_label_case() -> None:
    assert {c[0] for c in LABELS} == set(hj.catalog())


def test_the_script_numbers_and_labels_each_step() -> None:
    s = hj.Session(pd.DataFrame({"a": [1.0, None], "b": ["x", "y"]}))
    s.apply("fill_missing", column="a", value=0)
    s.apply("replace", column="b", mapping={"x": "z"})
    assert s.code(source=False).splitlines()[-5:] == [
        "# 1. Fill missing a with 0",
        "df['a'] = df['a'].fillna(0)",
        "",
        "# 2. Replace in b: 'x' → 'z'",
        "df['b'] = df['b'].replace({'x': 'z'})",
    ]
    s.close()


@pytest.mark.parametrize(
    ("op", "params"),
    [
        ("replace", {"column": "a", "mapping": {1.0: 2.0}}),
        ("cast", {"column": "a", "dtype": "float32"}),
        ("fill_missing", {"column": "a", "value": 0}),
        ("text", {"column": "t", "action": "upper"}),
        ("scale", {"columns": ["a"], "method": "minmax"}),
        ("formula", {"column": "a", "expr": "a + 1"}),
    ],
)
def test_a_one_column_step_shares_the_other_columns(op: str, params: dict) -> None:
    # Snapshots cost the changed column only: the untouched numpy columns are the same memory.
    before = pd.DataFrame({"a": [1.0, None, 3.0], "t": ["x", "y", None], "b": [0.5, 1.5, 2.5]})
    before["k"] = np.arange(3)
    s = hj.Session(before)
    s.apply(op, **params)
    for column in ("b", "k"):
        assert np.shares_memory(s.df[column].to_numpy(), before[column].to_numpy()), column
    s.close()
