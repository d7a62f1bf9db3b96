"""Time zones: the ``timezone`` operation, and the zone names and dtypes ``cast`` accepts.

Zone names are IANA names as :mod:`zoneinfo` knows them (``UTC``, ``Europe/Paris``,
``America/New_York`` ...); a name it does not know is refused with the closest one.

Localizing meets clock changes. A time the clocks skip (02:30 on the night summer
time starts in Europe/Paris) moves forward to the first time that exists after
the gap (``nonexistent="shift_forward"``); a time that happens twice (02:30 on the
night summer time ends) cannot be placed and becomes missing (``ambiguous="NaT"``).
The exported code passes the same two arguments, and a preview lists the times
that become missing.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import zoneinfo
from dataclasses import field
from typing import Literal, get_args

import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, word
from hydroml_jupyter.engine.ops.base import Failure, Label, Operation, register
from hydroml_jupyter.engine.ops.shortform import Column, ShortForm, Word
from hydroml_jupyter.engine.ops.spec import param
from hydroml_jupyter.messages import did_you_mean

__all__ = ["COMMON_ZONES", "DatetimeDtype", "Timezone", "datetime_dtype", "zone_problem", "zones"]

#: The zones a form and completion suggest; any IANA name is accepted.
COMMON_ZONES = (
    *("UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York"),
    *("America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo"),
    *("Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney"),
)
UNITS = ("ns", "us", "ms", "s")
_DTYPE = re.compile(r"datetime64\[(ns|us|ms|s)(?:,\s*([^\]]*?)\s*)?\]")

Action = Literal["localize", "convert", "drop"]
_ACTIONS: tuple[str, ...] = get_args(Action)
#: How localize places times the clocks skip, and times that happen twice.
NONEXISTENT = "shift_forward"
AMBIGUOUS = "NaT"


@functools.cache
def zones() -> frozenset[str]:
    """Every IANA zone name :mod:`zoneinfo` knows here."""
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def zone_problem(tz: str) -> str | None:
    """Say why ``tz`` is not a zone name (with the closest one), or None when it is one.

    Examples
    --------
    >>> zone_problem("Europe/Paris") is None
    True
    >>> zone_problem("europe/paris")
    "unknown time zone 'europe/paris' (did you mean 'Europe/Paris'?)"
    """
    if tz in zones():
        return None
    folded = {z.casefold(): z for z in zones()}
    same = folded.get(tz.casefold()) if isinstance(tz, str) else None
    hint = f" (did you mean {same!r}?)" if same else did_you_mean(tz, sorted(zones()))
    return f"unknown time zone {tz!r}{hint}"


@dataclasses.dataclass(frozen=True)
class DatetimeDtype:
    """A datetime dtype as cast reads it: a unit and, for an aware one, a zone."""

    unit: str
    tz: str | None

    @property
    def text(self) -> str:
        """The dtype as pandas spells it: ``datetime64[ns]``, ``datetime64[ns, UTC]``."""
        zone = f", {self.tz}" if self.tz is not None else ""
        return f"datetime64[{self.unit}{zone}]"


def datetime_dtype(text: str) -> DatetimeDtype | None:
    """Read ``datetime64[unit]`` or ``datetime64[unit, zone]``; None for anything else.

    The zone is not checked here (see :func:`zone_problem`).

    Examples
    --------
    >>> datetime_dtype("datetime64[ms,  Europe/Paris ]")
    DatetimeDtype(unit='ms', tz='Europe/Paris')
    >>> datetime_dtype("int64") is None
    True
    """
    found = _DTYPE.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        return None
    return DatetimeDtype(found[1], found[2])


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Timezone(Operation):
    """Set, change or remove the time zone of a datetime column.

    ``localize`` says which zone the times of a column without one are in (times the
    clocks skip move forward past the gap; times that happen twice become missing),
    ``convert`` shows the same instants in another zone, ``drop`` removes the zone
    and keeps the local times.

    Examples
    --------
    >>> Timezone(column="t", action="convert", tz="America/New_York").code()
    "df['t'] = df['t'].dt.tz_convert('America/New_York')"
    """

    name = "timezone"
    summary = "Set, convert or drop a column's time zone"
    short_form = ShortForm(
        parts=(
            Column("column"),
            Word("action", then={"drop": ()}, otherwise=(Word("tz"),)),
        ),
        example="timezone time_hour convert America/New_York",
    )

    column: Label = field(metadata=param("the datetime column", columns="datetime"))
    action: Action = field(
        metadata=param("localize: say its zone; convert: to another zone; drop: remove the zone")
    )
    tz: str | None = field(
        default=None,
        metadata=param(
            "the zone for localize and convert: any IANA name, e.g. Europe/Paris",
            choices=COMMON_ZONES,
            widget="text",
            placeholder="e.g. Europe/Paris",
        ),
    )

    def columns_used(self) -> list[Label]:
        return [self.column]

    def validate(self, df: pd.DataFrame) -> None:
        if self.action == "drop":
            if self.tz is not None:
                raise self.error("drop takes no tz: it removes the zone", value=self.tz)
        elif self.tz is None:
            raise self.error(f"{self.action} needs tz, a time zone name such as Europe/Paris")
        else:
            problem = zone_problem(self.tz)
            if problem:
                raise self.error(problem, value=self.tz)
        super().validate(df)
        dtype = df[self.column].dtype
        zone = getattr(dtype, "tz", None)
        what = f"column {self.column!r} ({dtype})"
        if self.action == "localize" and zone is not None:
            raise self.error(
                f"{what} already has a time zone; use convert to change it, or drop it first",
                column=self.column,
            )
        if self.action != "localize" and zone is None:
            advice = "nothing to drop" if self.action == "drop" else "use localize first"
            raise self.error(f"{what} has no time zone: {advice}", column=self.column)

    def failures(self, df: pd.DataFrame) -> list[Failure]:
        """Return the times localize makes missing: those that happen twice in the zone."""
        if self.action != "localize":
            return []
        source = df[self.column]
        after = self._convert(source)
        mask = after.isna().to_numpy(dtype=bool) & source.notna().to_numpy(dtype=bool)
        return [Failure(row, self.column, value) for row, value in source[mask].items()]

    def explain(self, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
        """Count the times localize moved past a gap, or made missing."""
        if self.action != "localize":
            return []
        was, now = before[self.column], after[self.column]
        lost = int((was.notna() & now.isna()).sum())
        moved = int((now.notna() & (now.dt.tz_localize(None) != was)).sum())
        column, zone = name(self.column), name(self.tz)
        notes = []
        if moved:
            notes.append(f"{times(moved)} of {column} the clocks skip in {zone}: moved forward")
        if lost:
            verb = "happen" if lost > 1 else "happens"
            notes.append(f"{times(lost)} of {column} {verb} twice in {zone}: missing")
        return notes

    def _convert(self, s: pd.Series) -> pd.Series:
        out: pd.Series
        if self.action == "localize":
            out = s.dt.tz_localize(self.tz, ambiguous=AMBIGUOUS, nonexistent=NONEXISTENT)
        elif self.action == "convert":
            out = s.dt.tz_convert(self.tz)
        else:
            out = s.dt.tz_localize(None)
        return out

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy(deep=False)
        out[self.column] = self._convert(df[self.column])
        return out

    def code(self, var: str = "df") -> str:
        target = col(var, self.column)
        action = word(self.action, _ACTIONS)
        if action == "localize":
            how = f"ambiguous={literal(AMBIGUOUS)}, nonexistent={literal(NONEXISTENT)}"
            call = f"tz_localize({literal(self.tz)}, {how})"
        elif action == "convert":
            call = f"tz_convert({literal(self.tz)})"
        else:
            call = "tz_localize(None)"
        return f"{target} = {target}.dt.{call}"

    def label(self) -> str:
        if self.action == "drop":
            return f"Drop the time zone of {name(self.column)}"
        verb = "Localize" if self.action == "localize" else "Convert"
        return f"{verb} {name(self.column)} to {name(self.tz)}"


def times(count: int) -> str:
    """Return ``1 time`` or ``2,000 times``."""
    return f"{count:,} time{'' if count == 1 else 's'}"
