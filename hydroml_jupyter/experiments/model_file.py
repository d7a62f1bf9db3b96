"""The model file a run logs: an MLflow pyfunc model that carries its cleaning.

Layout of the logged model's folder::

    MLmodel               flavors python_function (loader_module: this module) and sklearn
    hydroml/model.json    the ModelSpec: recipe (JSON), target, features, raw columns
    hydroml/model.skops   the fitted pipeline, in the skops format
    input_example.json, serving_input_example.json, requirements.txt, python_env.yaml

Why the ``loader_module`` form
------------------------------
MLflow 3.17 saves a ``PythonModel`` *instance* with cloudpickle
(``python_model.pkl``), and models-from-code would put a script in the artifact
that runs on load. With ``loader_module`` the folder holds only JSON and skops
data: ``mlflow.pyfunc.load_model`` imports this module (installed with
``hydroml-jupyter``, which the requirements list) and calls
:func:`_load_pyfunc`, which reads the skops file trusting only the types that
:func:`check_types` allows (numpy, scipy, scikit-learn, xgboost, hydroml). No
pickle is written or read, and ``MLFLOW_ALLOW_PICKLE_DESERIALIZATION`` is not
needed.

The same folder has the ``sklearn`` flavour, pointing at the same skops file:
``mlflow.sklearn.load_model(uri)`` returns the bare pipeline (which takes the
cleaned frame), as before this model carried its recipe.

The pyfunc signature is on the raw columns, as the source's dtypes give them
(numpy integers as ``long``: MLflow then refuses a missing value in such a column,
which ``run.predict`` accepts; nullable integers as ``double``), text as strings,
every column optional (a missing one gets hydroml's own one-line error).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.predict import ModelSpec, Scorer

__all__ = [
    "PyfuncModel",
    "check_types",
    "dump_pipeline",
    "example",
    "load_scorer",
    "save_bundle",
    "save_model",
    "signature",
]

FOLDER = "hydroml"
SPEC_FILE = "model.json"
PIPELINE_FILE = "model.skops"
TRUSTED_PREFIXES = (
    "numpy.",
    "scipy.",
    "sklearn.",
    "xgboost.",
    "hydroml_jupyter.experiments.",
    "builtins.",
    "collections.",
)


def check_types(found: list[str]) -> list[str]:
    """Return ``found`` sorted; refuse any type outside :data:`TRUSTED_PREFIXES`."""
    bad = [t for t in found if not t.startswith(TRUSTED_PREFIXES)]
    if bad:
        raise ExperimentError(f"the model holds types outside the trusted list: {', '.join(bad)}")
    return sorted(found)


def dump_pipeline(pipeline: Any) -> tuple[bytes, list[str]]:
    """Return ``pipeline`` in the skops format and the checked list of types it holds.

    The bytes are what ``skops.io.dumps`` writes, but with the schema as compact
    JSON: ``dumps`` indents it, which makes :mod:`json` use its pure-Python encoder,
    and that took two thirds of the time on a 100-tree ensemble (275 ms against
    90 ms; ``skops.io.loads`` reads both alike). When skops' save internals are not
    where this version expects them, ``skops.io.dumps`` itself writes the model.

    Raises
    ------
    ExperimentError
        When the pipeline holds a type outside :data:`TRUSTED_PREFIXES`.
    """
    import skops.io

    try:
        data = _compact_dumps(pipeline)
    except (ImportError, AttributeError):
        data = skops.io.dumps(pipeline)
    return data, check_types(skops.io.get_untrusted_types(data=data))


def _compact_dumps(obj: Any) -> bytes:
    """``skops.io.dumps(obj)`` with the schema written without indentation."""
    import io
    import json
    from zipfile import ZIP_STORED, ZipFile

    import skops
    from skops.io._utils import SaveContext, get_state

    buffer = io.BytesIO()
    with ZipFile(buffer, "w", compression=ZIP_STORED) as zip_file:
        context = SaveContext(zip_file=zip_file)
        state = get_state(obj, context)
        context.clear_memo()
        state["protocol"] = context.protocol
        state["_skops_version"] = skops.__version__
        zip_file.writestr("schema.json", json.dumps(state))
    return buffer.getvalue()


def save_bundle(folder: Path, spec: ModelSpec, pipeline_bytes: bytes) -> Path:
    """Write the spec and the skops bytes under ``folder / "hydroml"``; return that folder."""
    out = folder / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    (out / SPEC_FILE).write_text(spec.to_json(), encoding="utf-8")
    (out / PIPELINE_FILE).write_bytes(pipeline_bytes)
    return out


def save_model(
    folder: Path,
    spec: ModelSpec,
    *,
    pipeline_bytes: bytes,
    trusted: list[str],
    meta: dict[str, Any],
    signature: Any,
    example: pd.DataFrame | None,
    requirements: list[str],
) -> Path:
    """Write the model folder under ``folder`` (see the module's notes); return its path.

    ``meta`` holds the ``mlflow.models.Model`` arguments (run and logged model ids). An
    input example MLflow cannot check against the signature is left out.
    """
    import logging

    import mlflow.pyfunc
    import sklearn
    from mlflow.models import Model

    bundle = save_bundle(folder / "bundle", spec, pipeline_bytes)
    for attempt, shown in enumerate([example, None] if example is not None else [None]):
        path = folder / f"model{attempt}"
        model = Model(**meta)
        quiet = logging.getLogger("mlflow.pyfunc")
        level, quiet.level = quiet.level, logging.WARNING
        try:
            mlflow.pyfunc.save_model(
                str(path),
                loader_module=__name__,
                data_path=str(bundle),
                mlflow_model=model,
                signature=signature,
                input_example=shown,
                pip_requirements=requirements,
            )
        except Exception:
            if shown is None:
                raise
            continue
        finally:
            quiet.setLevel(level)
        model.add_flavor(
            "sklearn",
            pickled_model=f"data/{FOLDER}/{PIPELINE_FILE}",
            sklearn_version=sklearn.__version__,
            serialization_format="skops",
            skops_trusted_types=trusted,
            code=None,
        )
        model.save(str(path / "MLmodel"))
        return path
    raise ExperimentError("the model could not be saved")


def load_scorer(data_path: str | Path) -> Scorer:
    """Read a bundle written by :func:`save_bundle` (skops with the checked trusted types)."""
    import skops.io

    folder = Path(data_path)
    spec = ModelSpec.from_json((folder / SPEC_FILE).read_text(encoding="utf-8"))
    raw = (folder / PIPELINE_FILE).read_bytes()
    trusted = check_types(skops.io.get_untrusted_types(data=raw))
    return Scorer(spec, skops.io.loads(raw, trusted=trusted))


class PyfuncModel:
    """What ``mlflow.pyfunc.load_model`` wraps: ``predict`` takes raw rows."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> pd.Series:
        """Return :meth:`Scorer.predict` of ``model_input`` (a frame shaped like the source)."""
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        return self.scorer.predict(frame)

    def get_raw_model(self) -> Any:
        """Return the :class:`~hydroml_jupyter.experiments.predict.Scorer`."""
        return self.scorer


def _load_pyfunc(data_path: str) -> PyfuncModel:
    """MLflow's entry point for the ``python_function`` flavour (``loader_module``)."""
    return PyfuncModel(load_scorer(data_path))


def signature(raw: pd.DataFrame, spec: ModelSpec, output: Any) -> Any:
    """Return the MLflow signature on the raw columns (without the target) and ``output``."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    cols: list[Any] = []
    for name, dtype in raw.dtypes.items():
        if str(name) == spec.target:
            continue
        cols.append(ColSpec(_mlflow_type(dtype), str(name), required=False))
    out_type = "double" if spec.task == "regression" else _mlflow_type(pd.Series(output).dtype)
    return ModelSignature(Schema(cols), Schema([ColSpec(out_type, spec.target)]))


def example(raw: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """Return ``raw`` without the target, in types the signature declares (JSON-safe)."""
    frame = raw.drop(columns=[c for c in raw.columns if str(c) == spec.target])
    out: dict[Any, Any] = {}
    for name, col in frame.items():
        kind = _mlflow_type(col.dtype)
        if kind == "double":
            out[name] = col.astype("float64")
        elif kind == "long":
            out[name] = col.astype("int64")
        elif kind == "boolean" and not col.hasnans:
            out[name] = col.astype("bool")
        elif kind in {"string", "boolean"}:
            out[name] = col.astype("object").where(col.notna(), None)
        else:
            out[name] = col
    return pd.DataFrame(out, index=frame.index)


def _mlflow_type(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype) and isinstance(dtype, np.dtype):
        return "long"  # a nullable Int64 column is a double: MLflow reads NA only as NaN
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "double"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "string"
