"""Join another frame (a file, a database table, another session) on key columns."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Literal, get_args

import pandas as pd

from hydroml_jupyter.engine import others
from hydroml_jupyter.engine.codegen import kwarg, literal, name, word
from hydroml_jupyter.engine.joinkeys import KeyCounts, key_counts
from hydroml_jupyter.engine.ops.base import Label, Operation, register, short_repr
from hydroml_jupyter.engine.ops.shortform import Columns, ShortForm, Word
from hydroml_jupyter.engine.ops.spec import param
from hydroml_jupyter.messages import did_you_mean

How = Literal["inner", "left", "right", "outer"]
Expect = Literal["one_to_one", "one_to_many", "many_to_one"]
_HOWS: tuple[str, ...] = get_args(How)

#: Without ``max_rows``, a result may have this many times the rows of both inputs ...
ROW_FACTOR = 10
#: ... or this many rows, whichever is more.
ROW_FLOOR = 1_000_000

OTHER_DOC = "the frame to join: a file path, a source dict, or a session's name"
OTHER_HINT = "a file path, or a session's name"


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Merge(Operation):
    """Join ``other`` on key columns, as ``DataFrame.merge`` does.

    ``other`` is a file (any format ``hj.open`` reads), an SQL source as a dict
    (``{"url": ..., "table": ...}``) or the name of a live or stored session; the step
    records where it comes from (a session's own source and steps), so its recipe
    replays and its script runs from files alone. Keys: ``on`` (named alike on both
    sides; default: the columns both have) or ``left_on`` with ``right_on``. Missing
    keys match each other, as in pandas. The result has a fresh index. A result of more
    than ``max_rows`` rows (default: 10 times both inputs' rows, at least 1,000,000) is
    refused before it is built, with the counts.

    Examples
    --------
    >>> import pandas as pd, hydroml_jupyter as hj, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "planes.csv")
    >>> pd.DataFrame({"tailnum": ["N1", "N2"], "seats": [150, 90]}).to_csv(path, index=False)
    >>> s = hj.Session(pd.DataFrame({"tailnum": ["N2", "N9"]}), name="flights-doc")
    >>> s.apply("merge", other=path, on="tailnum", how="left").shape
    (2, 2)
    >>> s.preview("merge", other=path, on="tailnum").notes[0]
    '1 of 2 rows have no match in planes.csv and are dropped'
    >>> s.close()
    """

    name = "merge"
    summary = "Join another frame"
    short_form = ShortForm(
        parts=(Word("other", meta="OTHER"), Columns("on")),
        example="merge planes.csv tailnum --how left",
    )

    other: str | dict[str, Any] = field(
        metadata=param(OTHER_DOC, widget="text", placeholder=OTHER_HINT, order=-1)
    )
    on: list[Label] | None = field(
        default=None,
        metadata=param(
            "key columns both frames have (default: every column they share)", columns="any"
        ),
    )
    how: How = field(
        default="inner",
        metadata=param("which rows to keep: matched only, all of this frame's, the other's, all"),
    )
    left_on: list[Label] | None = field(
        default=None, metadata=param("key columns of this frame", columns="any", advanced=True)
    )
    right_on: Label | list[Label] | None = field(
        default=None,
        metadata=param("key columns of the other frame, one per left_on", advanced=True),
    )
    suffixes: list[str] = field(
        default_factory=lambda: ["", "_other"],
        metadata=param(
            "added to the names both frames have: this frame's, the other's", advanced=True
        ),
    )
    expect: Expect | None = field(
        default=None,
        metadata=param(
            "how the keys must relate (pandas' validate=): refused when they repeat where "
            "this says one",
            advanced=True,
        ),
    )
    max_rows: int | None = field(
        default=None,
        metadata=param(
            "the most rows the result may have (default: 10 x both inputs)", advanced=True
        ),
    )

    # -- parameters ------------------------------------------------------------------
    @classmethod
    def normalize(cls, params: dict[str, Any]) -> dict[str, Any]:
        out = dict(params)
        out["other"] = others.resolve(params["other"], cls.name)
        right = out.get("right_on")
        if isinstance(right, str | int) and not isinstance(right, bool):
            out["right_on"] = [right]
        return out

    def columns_used(self) -> list[Label]:
        return list(self.on or self.left_on or [])

    @property
    def _other_name(self) -> str:
        return others.describe(self.other)

    def _check_keys(self) -> None:
        if self.on is not None and (self.left_on is not None or self.right_on is not None):
            raise self.error("give on= or left_on= with right_on=, not both")
        if (self.left_on is None) != (self.right_on is None):
            given, missing = ("left_on", "right_on") if self.left_on else ("right_on", "left_on")
            raise self.error(f"{given}= needs {missing}= too (one key of the other per key)")
        left, right = self.left_on or [], self._right_on()
        if len(left) != len(right):
            raise self.error(
                f"left_on= names {len(left)} column(s) and right_on= {len(right)}: "
                "give one key of the other frame per key of this one"
            )
        if (self.on is not None and not self.on) or (self.left_on is not None and not left):
            raise self.error("on= names no column")
        if len(self.suffixes) != 2:
            raise self.error(
                "suffixes= needs two texts (this frame's, the other's), not "
                f"{short_repr(self.suffixes)}"
            )

    def _right_on(self) -> list[Label]:
        right = self.right_on
        return [] if right is None else list(right) if isinstance(right, list) else [right]

    def _keys(self, df: pd.DataFrame, other: pd.DataFrame) -> tuple[list[Label], list[Label]]:
        """Return the key columns of this frame and of the other (checked to exist)."""
        if self.on is None and self.left_on is None:
            common: list[Label] = [c for c in df.columns if c in other.columns]
            if not common:
                raise self.error(
                    f"this frame and {self._other_name} have no column in common; "
                    "name the keys with on= (or left_on= and right_on=)"
                )
            return common, common
        left = list(self.on or self.left_on or [])
        right = list(self.on or self._right_on())
        for label in left:
            if label not in df.columns:
                hint = did_you_mean(label, [str(c) for c in df.columns])
                raise self.error(f"no column named {label!r} in this frame{hint}", column=label)
        for label in right:
            if label not in other.columns:
                hint = did_you_mean(label, [str(c) for c in other.columns])
                raise self.error(
                    f"{self._other_name} has no column named {label!r}{hint}", column=label
                )
        return left, right

    # -- checks ----------------------------------------------------------------------------
    def validate(self, df: pd.DataFrame) -> None:
        self._check_keys()
        other = others.load(self.other, self.name)
        left, right = self._keys(df, other)
        self._check_types(df, other, left, right)
        self._check_names(df, other, left, right)
        if self._bounded(df, other, left, right):
            return
        counts = self._counts(df, other, left, right)
        self._check_unique(counts, left, right)
        self._check_size(counts, len(df), len(other))

    def _bounded(
        self, df: pd.DataFrame, other: pd.DataFrame, left: list[Label], right: list[Label]
    ) -> bool:
        """Return whether the join is known to fit without counting its keys.

        When one side's keys are unique, every join has at most the rows of both sides,
        which the limit allows unless ``max_rows`` is set lower; ``expect=`` asks for
        unique keys itself. Checking a side for repeats costs one hash of its keys, much
        less than counting both (the usual lookup table is small). Only a repeat found,
        or keys repeating on both sides, sends the check on to the exact counts.
        """
        wanted = () if self.expect is None else tuple(self.expect.split("_to_"))
        if wanted and not all(
            _unique(frame, keys)
            for side, frame, keys in zip(wanted, (df, other), (left, right), strict=True)
            if side == "one"
        ):
            return False
        if self.limit(len(df), len(other)) < len(df) + len(other):
            return False
        if wanted and "one" in wanted:
            return True
        return _unique(other, right) or _unique(df, left)

    def _check_types(
        self, df: pd.DataFrame, other: pd.DataFrame, left: list[Label], right: list[Label]
    ) -> None:
        for lkey, rkey in zip(left, right, strict=True):
            probe_l = pd.DataFrame({0: df[lkey].iloc[:0]})
            probe_r = pd.DataFrame({0: other[rkey].iloc[:0]})
            try:
                probe_l.merge(probe_r, on=0)
            except (ValueError, TypeError):
                where = f"{rkey!r} in" if rkey != lkey else "in"
                raise self.error(
                    f"key {lkey!r} is {df[lkey].dtype} here and {where} {self._other_name} "
                    f"{other[rkey].dtype}: such values never match; cast one of them first",
                    column=lkey,
                ) from None

    def _check_names(
        self, df: pd.DataFrame, other: pd.DataFrame, left: list[Label], right: list[Label]
    ) -> None:
        """Refuse suffixes that leave two result columns with one name (as pandas names them)."""
        shared = {lk for lk, rk in zip(left, right, strict=True) if lk == rk}
        kept = [c for c in other.columns if c not in shared]
        overlap = [c for c in df.columns if c in kept]
        if not overlap:
            return
        mine, theirs = self.suffixes
        if not mine and not theirs:
            raise self.error(
                f"both frames have a column {short_repr(overlap[0])} and suffixes= are both "
                "empty; give one of them a suffix",
                column=overlap[0],
            )
        named = [f"{c}{mine}" if c in overlap else c for c in df.columns]
        named += [f"{c}{theirs}" if c in overlap else c for c in kept]
        seen: set[Any] = set()
        for label in named:
            if label in seen:
                raise self.error(
                    f"suffixes {short_repr(tuple(self.suffixes))} would make two columns named "
                    f"{short_repr(label)}; choose other suffixes, or rename a column first",
                    column=label,
                )
            seen.add(label)

    def _counts(
        self, df: pd.DataFrame, other: pd.DataFrame, left: list[Label], right: list[Label]
    ) -> KeyCounts:
        try:
            return key_counts(df, other, left, right)
        except (ValueError, TypeError) as exc:
            raise self.failed(exc, "the keys cannot be matched: ") from exc

    def _check_unique(self, counts: KeyCounts, left: list[Label], right: list[Label]) -> None:
        if self.expect is None:
            return
        first, second = self.expect.split("_to_")
        for side, keys, where in (
            (first, left, "this frame"),
            (second, right, self._other_name),
        ):
            if side != "one":
                continue
            repeated = counts.repeated(where == "this frame")
            if repeated is not None:
                value, times = repeated
                shown_keys = ", ".join(map(str, keys))
                shown = short_repr(value[0] if len(value) == 1 else value)
                raise self.error(
                    f"expect={self.expect!r}: key {shown_keys} repeats in {where}: "
                    f"{shown} appears {times:,} times",
                    column=keys[0],
                    value=value[0] if len(value) == 1 else value,
                )

    def limit(self, left_rows: int, right_rows: int) -> int:
        """Return the most rows the result may have."""
        if self.max_rows is not None:
            return self.max_rows
        return max(ROW_FACTOR * (left_rows + right_rows), ROW_FLOOR)

    def _check_size(self, counts: KeyCounts, left_rows: int, right_rows: int) -> None:
        rows = counts.result_rows(self.how)
        limit = self.limit(left_rows, right_rows)
        if rows > limit:
            why = (
                f"max_rows={limit:,}"
                if self.max_rows is not None
                else f"the limit is {limit:,} ({ROW_FACTOR} × the inputs, at least {ROW_FLOOR:,})"
            )
            repeat = ": keys repeat on both sides" if counts.both_repeat else ""
            raise self.error(
                f"the result would have {rows:,} rows ({left_rows:,} rows here, "
                f"{right_rows:,} in {self._other_name}{repeat}); {why}; "
                "pass max_rows= to allow it, or make the keys unique first (dedupe)",
                value=rows,
            )

    # -- the step --------------------------------------------------------------------------
    def _kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"how": self.how}
        if self.on is not None:
            out["on"] = list(self.on)
        if self.left_on is not None:
            out["left_on"] = list(self.left_on)
            out["right_on"] = self._right_on()
        out["suffixes"] = tuple(self.suffixes)
        if self.expect is not None:
            out["validate"] = self.expect
        return out

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        other = others.load(self.other, self.name)
        return df.merge(other, **self._kwargs())

    def code(self, var: str = "df") -> str:
        target = others.other_var(var)
        args = [target, f"how={literal(word(self.how, _HOWS))}"]
        args += [kwarg(k, v) for k, v in self._kwargs().items() if k != "how"]
        return f"{others.code(self.other, target)}\n{var} = {var}.merge({', '.join(args)})"

    def imports(self) -> list[str]:
        return others.imports(self.other)

    def label(self) -> str:
        keys = self.on or self.left_on
        on = f" on {', '.join(map(name, keys))}" if keys else ""
        if self.left_on and self.left_on != self._right_on():
            on += f" = {', '.join(map(name, self._right_on()))}"
        return f"Merge with {self._other_name}{on} ({self.how} join)"

    def explain(self, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
        other = others.load(self.other, self.name)
        left, right = self._keys(before, other)
        counts = key_counts(before, other, left, right)
        what = self._other_name
        lost, unused = counts.left_unmatched, counts.right_unmatched
        mine = {
            "inner": "and are dropped",
            "left": "(their new columns are missing)",
            "right": "and are dropped",
            "outer": "(their new columns are missing)",
        }[self.how]
        theirs = {
            "inner": "and are left out",
            "left": "and are left out",
            "right": "(added, with this frame's columns missing)",
            "outer": "(added, with this frame's columns missing)",
        }[self.how]
        notes = []
        if lost:
            notes.append(f"{lost:,} of {len(before):,} rows have no match in {what} {mine}")
        if unused:
            notes.append(f"{unused:,} of {len(other):,} rows of {what} match no row {theirs}")
        if not lost and not unused:
            notes.append(f"every row found a match, and every row of {what} was used")
        if self.how == "left" and counts.result_rows("left") > len(before):
            extra = counts.result_rows("left") - len(before)
            notes.append(f"keys repeat in {what}: the result has {extra:,} rows more than here")
        return notes


def _unique(frame: pd.DataFrame, keys: list[Label]) -> bool:
    """Return whether no two rows of ``frame`` share their ``keys`` (missing ones alike)."""
    try:
        if len(keys) == 1:
            return not bool(frame[keys[0]].duplicated().any())
        return not bool(frame.duplicated(subset=keys).any())
    except (TypeError, ValueError):
        # Unhashable values: the exact count says what is wrong with them.
        return False
