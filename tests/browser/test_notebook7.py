"""The studio, the experiment panel and the charts in Notebook 7 (``jupyter notebook``).

Notebook 7 shares JupyterLab's output area and widget manager but not its page: a narrower
notebook column, its own shell. The same notebook as `test_reload` runs there: every widget
draws, a run's chart titles fit the narrower charts, a reload with the kernel running redraws
everything, and after a restart the placeholders and the finished run's charts show.
"""

from __future__ import annotations

from typing import Any

import pytest

from .lab import Notebook
from .test_reload import NOTEBOOK, reload_with_and_without_kernel

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]


def test_the_studio_panel_and_charts_work_in_notebook7(notebook7_opener: Any) -> None:
    notebook: Notebook = notebook7_opener(NOTEBOOK)
    assert notebook.lab.app == "notebook"
    # Notebook 7's page, not JupyterLab's.
    assert notebook.page.locator("#jp-NotebookPanel, .jp-NotebookPanel").count() >= 1
    assert "/notebooks/" in notebook.page.url
    reload_with_and_without_kernel(notebook, "notebook7")
