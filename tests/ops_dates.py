"""Test strategies of the date operations: datetime_parts and timezone.

The property strategies pick a datetime column when the frame has one (``d``, or a
column an earlier cast or timezone step made) and an action its zone allows, so
random sequences localize, convert, drop and take parts of zoned and plain columns;
now and then they pick another column or action, to be refused.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from hostile import texts
from hypothesis import strategies as st

from hydroml_jupyter.engine.ops.base import kind_of
from hydroml_jupyter.engine.ops.datetime_parts import PARTS

Op = tuple[str, dict[str, Any]]

#: Zones with summer time on either side of the equator, half hours, and a +14 offset.
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
ZONES += ["Pacific/Kiritimati", "America/Sao_Paulo"]


def _dates(df: pd.DataFrame) -> list[Any]:
    return [c for c in df.columns if kind_of(df[c].dtype) == "M"]


def _column(draw: st.DrawFn, df: pd.DataFrame) -> Any:
    dates = _dates(df)
    if dates and draw(st.integers(0, 9)):
        return draw(st.sampled_from(dates))
    return draw(st.sampled_from(list(df.columns) or ["missing"]))


def _parts(draw: st.DrawFn) -> list[str]:
    return draw(st.lists(st.sampled_from(PARTS), min_size=1, max_size=3, unique=True))


def _datetime_parts(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    return "datetime_parts", {"column": _column(draw, df), "parts": _parts(draw)}


def _timezone(draw: st.DrawFn, df: pd.DataFrame) -> Op:
    column = _column(draw, df)
    aware = column in df.columns and getattr(df[column].dtype, "tz", None) is not None
    fitting = ["convert", "drop"] if aware else ["localize"]
    action = draw(st.sampled_from(fitting if draw(st.integers(0, 9)) else ["localize", "drop"]))
    params: dict[str, Any] = {"column": column, "action": action}
    if action != "drop":
        params["tz"] = draw(st.sampled_from(ZONES))
    return "timezone", params


PROPERTY = {"datetime_parts": _datetime_parts, "timezone": _timezone}


def _hostile_datetime_parts(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    column = draw(st.sampled_from(_dates(df) or cols)) if draw(st.booleans()) else None
    return "datetime_parts", {
        "column": column if column is not None else draw(st.sampled_from(cols)),
        "parts": _parts(draw),
    }


def _hostile_timezone(draw: st.DrawFn, df: pd.DataFrame, cols: list[Any]) -> Op:
    column = draw(st.sampled_from(_dates(df) or cols))
    params: dict[str, Any] = {"column": column}
    params["action"] = draw(st.sampled_from(["localize", "convert", "drop"]))
    if draw(st.integers(0, 3)):
        params["tz"] = draw(st.one_of(st.sampled_from(ZONES), texts()))
    return "timezone", params


HOSTILE = {"datetime_parts": _hostile_datetime_parts, "timezone": _hostile_timezone}

#: The pandas attributes the date operations' code uses.
API = {"columns", "get_loc", "insert", "quarter", "day_of_week", "hour", "minute"}
API |= {"day_of_year", "isocalendar", "week", "normalize", "tz_localize", "tz_convert"}
#: Parameters whose values are fixed words, never written into the code as text.
ENUMS = {"parts"}
