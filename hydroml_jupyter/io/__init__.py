"""The I/O layer: load files and SQL sources into DataFrames, and write them back.

It knows pandas, pyarrow and SQLAlchemy only; a progress bar (tqdm) is imported
when one is shown.

Examples
--------
>>> from hydroml_jupyter.io import FORMATS, Source
>>> FORMATS["tsv"]
('.tsv', '.tab')
>>> Source(kind="file", path="data/messy.csv", format="csv").code("df")
"df = pd.read_csv('data/messy.csv')"
"""

from hydroml_jupyter.io.export import export_frame
from hydroml_jupyter.io.formats import FORMATS
from hydroml_jupyter.io.load import load_source
from hydroml_jupyter.io.progress import PROGRESS_THRESHOLD
from hydroml_jupyter.io.source import PASSWORD_ENV, Source

__all__ = ["FORMATS", "PASSWORD_ENV", "PROGRESS_THRESHOLD", "Source", "export_frame", "load_source"]
