"""Fixtures for browser tests: one JupyterLab server and one Chromium for the whole session,
and a Notebook 7 server (``notebook7``) started the first time a test asks for it.

Without Debian's ``chromium`` these tests are skipped on a developer's machine and fail under
CI (``CI`` set), where the test command installs it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .lab import (
    LabServer,
    Notebook,
    artifacts_dir,
    chromium_path,
    launch_chromium,
    open_notebook,
)

# The notebooks here are opened by the browser tests; nbval must not collect them.
collect_ignore = ["notebooks"]

BROWSER_TIMEOUT_MS = 30_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives a real JupyterLab in Debian's Chromium through Playwright"
    )


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _require_browser() -> None:
    reason = None
    if chromium_path() is None:
        reason = "chromium is not installed (apt-get install chromium; scripts/test.sh does it)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[test]')"
    if reason is None:
        return
    if _in_ci():
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        # Every notebook still open is pictured as it was when the test failed.
        for i, notebook in enumerate(list(Notebook.open_notebooks)):
            name = f"FAILED-{item.name}-{i}".replace("/", "_")
            try:
                notebook.screenshot(name)
                if notebook.errors:
                    (artifacts_dir() / f"{name}.errors.txt").write_text("\n".join(notebook.errors))
            except Exception as exc:
                report.sections.append(("screenshot", f"could not save {name}: {exc}"))
    return report


@functools.cache
def _clear_stale_failures() -> None:
    """Remove the failure pictures of an earlier session (once, whichever server starts first)."""
    for stale in artifacts_dir().glob("FAILED-*"):
        stale.unlink()


def _server(tmp_path_factory: pytest.TempPathFactory, app: str) -> Iterator[LabServer]:
    _require_browser()
    _clear_stale_failures()
    name = "jupyterlab" if app == "lab" else "notebook7"
    server = LabServer(tmp_path_factory.mktemp(name), app=app)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        log = artifacts_dir() / f"{name}.log"
        if server.log_path.exists():
            log.write_bytes(server.log_path.read_bytes())


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A JupyterLab server for the session, on a free port, with isolated settings."""
    yield from _server(tmp_path_factory, "lab")


@pytest.fixture(scope="session")
def notebook7(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A Notebook 7 server (``jupyter notebook``) for the session, set up as `lab` is."""
    yield from _server(tmp_path_factory, "notebook")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, launched once through Playwright's sync API."""
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def notebook_opener(lab: LabServer, browser: Any) -> Iterator[Callable[[str | Path], Notebook]]:
    """Open notebooks (from tests/browser/notebooks/) for one test; all closed afterwards."""
    opened: list[Notebook] = []

    def opener(source: str | Path) -> Notebook:
        notebook = open_notebook(lab, browser, source)
        opened.append(notebook)
        return notebook

    yield opener
    for notebook in opened:
        notebook.close()


@pytest.fixture
def notebook7_opener(
    notebook7: LabServer, browser: Any
) -> Iterator[Callable[[str | Path], Notebook]]:
    """Open notebooks in Notebook 7 for one test, as `notebook_opener` does in JupyterLab."""
    opened: list[Notebook] = []

    def opener(source: str | Path) -> Notebook:
        notebook = open_notebook(notebook7, browser, source)
        opened.append(notebook)
        return notebook

    yield opener
    for notebook in opened:
        notebook.close()
