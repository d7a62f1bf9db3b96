"""A real kernel restart: a ten-step session comes back with its history, undo works."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from jupyter_client.manager import start_new_kernel
from kernels import run

TEN_STEPS = """
s.apply("fill_missing", column="price", strategy="median")
s.apply("text", column="city", action="strip")
s.apply("text", column="city", action="title")
s.apply("cast", column="qty", dtype="Int64")
s.apply("formula", column="total", expr="price * qty")
s.apply("filter_rows", column="total", op=">", value=5.0)
s.apply("replace", column="city", mapping={"Nyc": "New York"})
s.apply("scale", columns=["price"], method="minmax")
s.apply("rename", columns={"total": "amount"})
s.apply("sort_rows", by="amount")
"""


@pytest.fixture
def kernel(tmp_path: Path) -> Iterator[tuple]:
    rng = np.random.default_rng(7)
    n = 2000
    pd.DataFrame(
        {
            "price": np.where(rng.random(n) < 0.1, np.nan, rng.gamma(2.0, 10.0, n).round(2)),
            "city": rng.choice([" paris", "lyon ", "nyc", "Berlin "], n),
            "qty": rng.integers(0, 6, n).astype(float),
        }
    ).to_csv(tmp_path / "sales.csv", index=False)
    env = {
        **os.environ,
        "HYDROML_STORE_KEY": "kernel restart key",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("HYDROML_STORE", None)
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), env=env)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_ten_steps_survive_a_kernel_restart(kernel, tmp_path: Path) -> None:
    km, kc = kernel
    run(
        kc,
        f"""
        import pandas as pd
        from hydroml_jupyter.store import persist
        s = persist.open_session("sales.csv", name="ten")
        {TEN_STEPS.strip().replace(chr(10), chr(10) + " " * 8)}
        for back in range(4):  # the frames at steps 10, 9, 8 and 7
            s.goto(10 - back)
            s.df.to_pickle(f"expected-{{10 - back}}.pkl")
        s.goto(10)
        open("code.py", "w").write(s.code())
        print(s.flush(timeout=60), s.position, s.version)
        """,
    )
    km.restart_kernel(now=True)
    kc.wait_for_ready(timeout=120)
    out = run(
        kc,
        """
        import pandas as pd
        from hydroml_jupyter.engine import sessions
        from hydroml_jupyter.store import persist
        print(sorted(sessions()), [i.name for i in persist.stored_sessions()])
        s = persist.open_session("sales.csv", name="ten")
        print(repr(s))
        for step in (10, 9, 8, 7):
            assert s.position == step, s.position
            pd.testing.assert_frame_equal(
                s.df, pd.read_pickle(f"expected-{step}.pkl"), check_exact=True
            )
            if step > 7:
                s.undo()
        assert s.can_redo and len(s.history) == 11
        s.goto(10)
        assert s.code() == open("code.py").read()
        print("same frames")
        """,
    )
    lines = out.splitlines()
    assert lines[0] == "[] ['ten']"
    assert re.fullmatch(
        r"<Session 'ten': [\d,]+ rows × 4 columns, step 10 of 10, restored from \.hydroml>",
        lines[1],
    ), lines[1]
    assert lines[-1] == "same frames"
    for step in (10, 9, 8, 7):
        assert (tmp_path / f"expected-{step}.pkl").is_file()
