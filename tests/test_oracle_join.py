"""Oracle tests of merge and concat at their boundaries: hand-written results, and refusals.

Every ``check`` also runs the exported script, which reads the other frame's file (or
rebuilds the other session from its file and steps) itself.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from oracle import check, refuse

from hydroml_jupyter.engine import open_session

COVERS = {"merge", "concat"}

NAN = float("nan")


def text(*values: object) -> pd.Series:
    return pd.Series(values, dtype="str")


@pytest.fixture
def left() -> pd.DataFrame:
    return pd.DataFrame({"k": [1.0, 2.0, 2.0, NAN], "a": text("x", "y", "z", "n")})


@pytest.fixture
def right(tmp_path: Path) -> str:
    path = tmp_path / "right.parquet"
    pd.DataFrame({"k": [2.0, 3.0, NAN], "b": [20, 30, 99]}).to_parquet(path)
    return str(path)


def write(tmp_path: Path, name: str, frame: pd.DataFrame) -> str:
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return str(path)


# -- merge: each kind of join, missing keys matching each other ------------------------------
def test_inner_keeps_matched_rows_in_left_order_and_missing_keys_match(left, right) -> None:
    expected = pd.DataFrame({"k": [2.0, 2.0, NAN], "a": text("y", "z", "n"), "b": [20, 20, 99]})
    check(left, "merge", expected, other=right, on="k")


def test_left_keeps_every_row_with_missing_values_where_nothing_matched(left, right) -> None:
    expected = pd.DataFrame(
        {"k": [1.0, 2.0, 2.0, NAN], "a": text("x", "y", "z", "n"), "b": [NAN, 20.0, 20.0, 99.0]}
    )
    check(left, "merge", expected, other=right, on="k", how="left")


def test_right_follows_the_other_frames_order(left, right) -> None:
    expected = pd.DataFrame(
        {"k": [2.0, 2.0, 3.0, NAN], "a": text("y", "z", None, "n"), "b": [20, 20, 30, 99]}
    )
    check(left, "merge", expected, other=right, on="k", how="right")


def test_outer_sorts_the_keys_with_the_missing_key_last(left, right) -> None:
    expected = pd.DataFrame(
        {
            "k": [1.0, 2.0, 2.0, 3.0, NAN],
            "a": text("x", "y", "z", None, "n"),
            "b": [NAN, 20.0, 20.0, 30.0, 99.0],
        }
    )
    check(left, "merge", expected, other=right, on="k", how="outer")


def test_common_columns_are_the_keys_by_default(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 2], "b": text("x", "y"), "v": [0.5, 1.5]})
    other = write(
        tmp_path, "o.parquet", pd.DataFrame({"b": text("y", "x"), "a": [2, 9], "w": [7, 8]})
    )
    expected = pd.DataFrame({"a": [2], "b": text("y"), "v": [1.5], "w": [7]})
    check(df, "merge", expected, other=other)


def test_left_on_right_on_keep_both_key_columns(tmp_path: Path) -> None:
    df = pd.DataFrame({"id": [1, 2, 3]})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"key": [3, 1], "w": text("c", "a")}))
    expected = pd.DataFrame({"id": [1, 3], "key": [1, 3], "w": text("a", "c")})
    check(df, "merge", expected, other=other, left_on="id", right_on="key")


def test_an_int_key_matches_an_equal_float_key_and_an_empty_other_matches_nothing(
    tmp_path: Path,
) -> None:
    df = pd.DataFrame({"k": [1, 2]})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"k": [2.0], "w": [True]}))
    check(df, "merge", pd.DataFrame({"k": [2], "w": [True]}), other=other)
    empty = write(
        tmp_path,
        "e.parquet",
        pd.DataFrame({"k": pd.Series([], dtype="int64"), "w": pd.Series([], dtype=float)}),
    )
    expected = pd.DataFrame({"k": [1, 2], "w": [NAN, NAN]})
    check(df, "merge", expected, other=empty, how="left")


def test_an_empty_frame_merges_to_an_empty_frame(tmp_path: Path) -> None:
    df = pd.DataFrame({"k": pd.Series([], dtype="int64")})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"k": [1], "w": [2.5]}))
    expected = pd.DataFrame({"k": pd.Series([], dtype="int64"), "w": pd.Series([], dtype=float)})
    check(df, "merge", expected, other=other, how="left")


# -- suffixes ---------------------------------------------------------------------------------
def test_a_shared_column_takes_the_others_suffix(tmp_path: Path) -> None:
    df = pd.DataFrame({"k": [1], "x": [10]})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"k": [1], "x": [20]}))
    check(df, "merge", pd.DataFrame({"k": [1], "x": [10], "x_other": [20]}), other=other, on="k")
    expected = pd.DataFrame({"k": [1], "x_l": [10], "x_r": [20]})
    check(df, "merge", expected, other=other, on="k", suffixes=["_l", "_r"])


def test_suffixes_that_would_repeat_a_name_are_refused(tmp_path: Path) -> None:
    df = pd.DataFrame({"k": [1], "x": [10], "x_other": [5]})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"k": [1], "x": [20]}))
    refuse(df, "merge", ["would make two columns named 'x_other'"], other=other, on="k")
    refuse(df[["k", "x"]], "merge", ["column 'x'", "suffixes= are both"], other=other, on="k",
           suffixes=["", ""])  # fmt: skip
    refuse(df, "merge", ["needs two texts"], other=other, on="k", suffixes=["a"])


def test_int_column_labels_and_a_session_other_built_from_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "o.parquet", pd.DataFrame({"k": [1], "v": text("z")}))
    lookup = open_session(path, name="int-labels")
    lookup.apply("rename", columns={"k": 0, "v": 1})
    df = pd.DataFrame({0: [1, 2], 1: text("a", "b")})
    # pandas writes a shared label with its suffix as text, the empty suffix too.
    expected = pd.DataFrame({0: [1, 2], "1": text("a", "b"), "1_other": text("z", None)})
    try:
        check(df, "merge", expected, other="int-labels", on=0, how="left")
    finally:
        lookup.close()


# -- refusals ---------------------------------------------------------------------------------
def test_missing_keys_are_named_with_their_side(left, right) -> None:
    refuse(left, "merge", ["no column named 'kk' in this frame", "did you mean 'k'"],
           other=right, on="kk")  # fmt: skip
    refuse(left, "merge", ["right.parquet has no column named 'kk'", "did you mean 'k'"],
           other=right, left_on="k", right_on="kk")  # fmt: skip


def test_key_parameters_that_do_not_fit_together_are_refused(left, right) -> None:
    refuse(left, "merge", ["on= or left_on= with right_on=, not both"], other=right, on="k",
           left_on="k", right_on="k")  # fmt: skip
    refuse(left, "merge", ["left_on= needs right_on="], other=right, left_on="k")
    refuse(left, "merge", ["right_on= needs left_on="], other=right, right_on="k")
    refuse(left, "merge", ["left_on= names 1 column(s) and right_on= 2"], other=right,
           left_on="k", right_on=["k", "b"])  # fmt: skip
    refuse(left, "merge", ["on= names no column"], other=right, on=[])


def test_keys_of_types_that_never_match_are_refused(tmp_path: Path) -> None:
    df = pd.DataFrame({"k": [1, 2]})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"k": text("1", "2")}))
    refuse(df, "merge", ["key 'k' is int64 here", "str", "cast one of them"], other=other)


def test_no_common_column_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1]})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"b": [1]}))
    refuse(df, "merge", ["this frame and o.parquet have no column in common", "on="], other=other)
    missing = str(tmp_path / "nowhere.csv")
    refuse(df, "merge", [repr(missing), "no such file"], other=missing)
    refuse(df, "concat", [repr(missing), "no such file"], other=missing)
    refuse(df, "merge", ["'nowhere' is neither a file", "nor a session"], other="nowhere")


def test_expect_names_the_key_and_a_repeated_value(left, tmp_path: Path) -> None:
    other = write(tmp_path, "o.parquet", pd.DataFrame({"k": [2.0, 2.0], "w": [1, 2]}))
    words = ["expect='many_to_one'", "key k repeats in o.parquet", "2.0 appears 2 times"]
    refuse(left, "merge", words, other=other, on="k", expect="many_to_one")
    refuse(left, "merge", ["expect='one_to_many'", "key k repeats in this frame", "2.0 appears 2"],
           other=other, on="k", expect="one_to_many")  # fmt: skip
    unique = write(tmp_path, "u.parquet", pd.DataFrame({"k": [2.0, 5.0], "w": [1, 2]}))
    expected = pd.DataFrame({"k": [2.0, 2.0], "a": text("y", "z"), "w": [1, 1]})
    check(left, "merge", expected, other=unique, on="k", expect="many_to_one")


def test_a_merge_past_the_row_limit_is_refused_with_its_counts(tmp_path: Path) -> None:
    df = pd.DataFrame({"k": [1] * 40})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"k": [1] * 30}))
    counts = "the result would have 1,200 rows (40 rows here, 30 in o.parquet: keys repeat"
    refuse(df, "merge", [counts, "max_rows=1,199"], other=other, max_rows=1199)
    check(df, "merge", pd.DataFrame({"k": [1] * 1200}), other=other, max_rows=1200)


def test_a_lookup_with_unique_keys_still_meets_a_lower_max_rows(tmp_path: Path) -> None:
    # Unique keys on one side bound the result by both inputs' rows, which is no bound at
    # all under a max_rows lower than that: the rows are then counted.
    df = pd.DataFrame({"k": [1, 2, 3, 4]})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"k": [1, 2, 3, 4], "v": [5, 6, 7, 8]}))
    apart = write(tmp_path, "a.parquet", pd.DataFrame({"k": [5, 6, 7, 8]}))
    refuse(df, "merge", ["the result would have 8 rows", "max_rows=7"],
           other=apart, how="outer", on="k", max_rows=7)  # fmt: skip
    refuse(df, "merge", ["the result would have 4 rows", "max_rows=3"],
           other=other, on="k", expect="one_to_one", max_rows=3)  # fmt: skip
    expected = pd.DataFrame({"k": [1, 2, 3, 4], "v": [5, 6, 7, 8]})
    check(df, "merge", expected, other=other, on="k", expect="one_to_one", max_rows=4)


# -- concat -----------------------------------------------------------------------------------
def test_concat_outer_aligns_columns_by_name_and_renumbers_rows(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 2], "b": text("x", "y")}).set_axis([10, 11])
    other = write(tmp_path, "o.parquet", pd.DataFrame({"c": [True], "a": [3.5]}))
    expected = pd.DataFrame(
        {"a": [1.0, 2.0, 3.5], "b": text("x", "y", None), "c": [NAN, NAN, True]}
    )
    expected["c"] = expected["c"].astype(object)
    check(df, "concat", expected, other=other)


def test_concat_inner_keeps_the_columns_both_have(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 2], "b": text("x", "y")})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"c": [True], "a": [3]}))
    check(df, "concat", pd.DataFrame({"a": [1, 2, 3]}), other=other, join="inner")


def test_concat_of_differing_dtypes_takes_pandas_common_dtype(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 2]})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"a": text("z")}))
    check(df, "concat", pd.DataFrame({"a": pd.Series([1, 2, "z"], dtype=object)}), other=other)


def test_concat_with_empty_frames_on_either_side(tmp_path: Path) -> None:
    empty = pd.DataFrame({"a": pd.Series([], dtype="int64")})
    other = write(tmp_path, "o.parquet", pd.DataFrame({"a": [5]}))
    check(empty, "concat", pd.DataFrame({"a": [5]}), other=other)
    nothing = write(tmp_path, "n.parquet", pd.DataFrame({"a": pd.Series([], dtype="int64")}))
    check(pd.DataFrame({"a": [1]}), "concat", pd.DataFrame({"a": [1]}), other=nothing)


def test_concat_keeps_int_labels(tmp_path: Path) -> None:
    path = write(tmp_path, "o.parquet", pd.DataFrame({"v": [9]}))
    lookup = open_session(path, name="int-concat")
    lookup.apply("rename", columns={"v": 0})
    try:
        check(pd.DataFrame({0: [1]}), "concat", pd.DataFrame({0: [1, 9]}), other="int-concat")
    finally:
        lookup.close()
