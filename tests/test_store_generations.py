"""Generations: who saved a session last, and the refusal of a save over another writer's.

Hand-written answers for the pieces the store tests reach only through whole saves
(added where mutation testing found faults no test noticed)."""

from __future__ import annotations

import os
import socket
import time

import pytest

from hydroml_jupyter.store import StoreConflictError
from hydroml_jupyter.store.generations import (
    ANY,
    check_base,
    describe_writer,
    writer_identity,
    writer_of,
)

WRITTEN = time.mktime((2026, 12, 6, 10, 22, 3, 0, 0, -1))
STORED = {"generation": "0123456789abcdef", "host": "lab1", "pid": 42, "written": WRITTEN}


def test_writer_identity_is_this_process() -> None:
    assert writer_identity() == {"host": socket.gethostname(), "pid": os.getpid()}


def test_writer_of_keeps_what_has_the_right_type() -> None:
    assert writer_of(STORED) == {"host": "lab1", "pid": 42, "written": WRITTEN}
    assert writer_of({"host": 7, "pid": True, "written": "noon"}) == {
        "host": None,
        "pid": None,
        "written": None,
    }
    assert writer_of({"pid": 0, "written": 0}) == {"host": None, "pid": 0, "written": 0}
    assert writer_of({}) == {"host": None, "pid": None, "written": None}


def test_describe_writer() -> None:
    assert describe_writer(writer_of(STORED)) == "host 'lab1', pid 42, at 2026-12-06 10:22:03"
    assert describe_writer({"host": "", "pid": 0, "written": None}) == "pid 0"
    assert describe_writer({"written": 0.0}) == time.strftime(
        "at %Y-%m-%d %H:%M:%S", time.localtime(0.0)
    )
    assert describe_writer({}) == "an unknown writer"


@pytest.mark.parametrize(
    ("base", "current"),
    [
        (ANY, STORED),
        (None, None),
        ("fedcba9876543210", None),
        ("0123456789abcdef", STORED),
    ],
)
def test_saves_that_overwrite_nobody_go_ahead(base: object, current: dict | None) -> None:
    check_base("s", base, current, "the store")  # type: ignore[arg-type]


def test_a_save_over_another_writers_generation_is_refused_naming_it() -> None:
    with pytest.raises(StoreConflictError) as info:
        check_base("s", "fedcba9876543210", STORED, "the disk store at /x")
    assert str(info.value) == (
        "session 's' in the disk store at /x was saved by another writer (host 'lab1', pid 42, "
        "at 2026-12-06 10:22:03) since this one last read or saved it; nothing was overwritten. "
        'Keep your changes under a new name with hj.open(s.save_as("new name")), or replace '
        "the stored session with yours: hj.open(s, takeover=True)"
    )
    assert info.value.session == "s"
    assert info.value.writer == {"host": "lab1", "pid": 42, "written": WRITTEN}


def test_a_new_session_over_a_stored_one_is_refused() -> None:
    with pytest.raises(StoreConflictError) as info:
        check_base("s", None, {"generation": "0123456789abcdef"}, "memory")
    assert str(info.value).startswith(
        "session 's' is already stored in memory (saved by an unknown writer) and this session "
        "did not start from it; nothing was overwritten."
    )
    assert info.value.writer == {"host": None, "pid": None, "written": None}


def test_any_is_shown_as_any() -> None:
    assert repr(ANY) == "ANY"
