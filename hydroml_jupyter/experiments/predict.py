# ruff: noqa: N803, N806, PLR0917 - X is scikit-learn's name for the features; a run's parts
"""Score raw data with a run's model: replay the session's recipe, then the fitted pipeline.

A :class:`Scorer` holds what a run trained on: its :class:`ModelSpec` (the recipe up
to the step the run trained on, the target, the features, and the raw columns with
their dtypes) and the fitted pipeline. :meth:`Scorer.predict` takes data shaped like
the session's *source* and:

1. checks that every raw column is there (a one-line error names the first missing
   one, with a did-you-mean) and gives each column its training dtype (a value that
   cannot be read so is named with its column);
2. replays the recipe; drops the target if present;
3. counts the categories the pipeline never saw (they are encoded as unknown, as in
   training: ``OneHotEncoder(handle_unknown="ignore")``) in one warning per column;
4. runs the pipeline. The result keeps the input's index (rows a step of the recipe
   removes get no prediction, and a warning says how many).

This module imports no MLflow: the run handle and the logged pyfunc model share it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import warnings
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.errors import OperationError, SourceError
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.labels import Label
from hydroml_jupyter.messages import did_you_mean, first_line

__all__ = ["ModelSpec", "RawData", "Scorer", "read_raw"]

#: What :meth:`Scorer.predict` takes: a frame, a file's path, or an SQLAlchemy URL.
RawData = pd.DataFrame | str | os.PathLike[str]
FORMAT = "hydroml-model"
_SHOWN = 3


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """What a run's model needs besides its pipeline to score raw data (JSON round-trips).

    Parameters
    ----------
    recipe
        The recipe as :meth:`Recipe.to_dict <hydroml_jupyter.Recipe.to_dict>` writes it,
        flattened: the steps of the sessions it was saved from come first.
    target, task
        The column the model predicts, and ``classification`` or ``regression``.
    features
        The columns the pipeline takes, in order.
    feature_dtypes
        Their dtypes in training.
    raw
        The columns of the source and their dtypes (None when unknown).
    """

    recipe: dict[str, Any] | None
    target: str
    task: str
    features: tuple[str, ...]
    feature_dtypes: dict[str, str]
    raw: dict[str, str] | None

    def to_json(self) -> str:
        """Return the spec as JSON text."""
        data = {"format": FORMAT, "version": 1, **dataclasses.asdict(self)}
        data["features"] = list(self.features)
        return json.dumps(data, indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        """Read :meth:`to_json`'s output."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ExperimentError(f"not a hydroml model description (format is not {FORMAT!r})")
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values["features"] = tuple(values["features"])
        return cls(**values)


def _flatten(recipe: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return ``recipe`` with its bases' steps first and the first source kept."""
    if recipe is None or recipe.get("base") is None:
        return recipe
    base = _flatten(recipe["base"])
    assert base is not None
    return {**recipe, "source": base.get("source"), "base": None,
            "steps": [*base.get("steps", []), *recipe.get("steps", [])]}  # fmt: skip


def spec_for(
    recipe_json: str | None, session: str | None, target: str, task: str, X: pd.DataFrame
) -> tuple[ModelSpec, pd.DataFrame | None]:
    """Build the spec of a run trained on ``X``; return it and a few raw rows, when known.

    The raw rows come from the live session the run trained on (the one at the root of
    the sessions it was saved from), so they are shaped like its source.
    """
    recipe = _flatten(json.loads(recipe_json)) if recipe_json is not None else None
    raw = _original(session, recipe_json)
    schema = None if raw is None else {str(c): str(t) for c, t in raw.dtypes.items()}
    spec = ModelSpec(
        recipe=recipe,
        target=str(target),
        task=task,
        features=tuple(str(c) for c in X.columns),
        feature_dtypes={str(c): str(t) for c, t in X.dtypes.items()},
        raw=schema,
    )
    return spec, None if raw is None else raw.head(5)


def _original(session: str | None, recipe_json: str | None) -> pd.DataFrame | None:
    from hydroml_jupyter.engine import registry

    if session is None or recipe_json is None:
        return None
    data = json.loads(recipe_json)
    name = session
    while data.get("base") is not None:
        data, name = data["base"], data["base"].get("name")
    found = registry.sessions().get(name) if isinstance(name, str) else None
    if found is None:
        return None
    return found.state().frames[0]


def read_raw(data: RawData, source: dict[str, Any] | None, **options: Any) -> pd.DataFrame:
    """Return ``data`` as a frame: a frame as is, else loaded like ``hj.open`` loads it.

    A file of the training source's format is read with that source's reader options
    (``sep``, ``parse_dates``...), which ``options`` override.
    """
    from hydroml_jupyter.io.formats import detect_format
    from hydroml_jupyter.io.load import is_sql_url, load_source

    if isinstance(data, pd.DataFrame):
        return data.copy(deep=False)
    if not isinstance(data, str | os.PathLike):
        raise ExperimentError(
            f"cannot score {type(data).__name__}: give a DataFrame, a path or an SQL URL"
        )
    try:
        if not is_sql_url(data) and source and source.get("kind") == "file":
            fmt, _ = detect_format(os.fspath(data), options.get("format"))
            if fmt == source.get("format"):
                options = {**source.get("options", {}), **options}
        frame, _ = load_source(data, progress=False, **options)
    except SourceError as exc:
        raise ExperimentError(first_line(exc)) from exc
    return frame


class Scorer:
    """A run's fitted pipeline and the cleaning that comes before it.

    Parameters
    ----------
    spec
        What the run trained on.
    pipeline
        The fitted scikit-learn pipeline (``preprocess`` then ``model``).
    """

    def __init__(self, spec: ModelSpec, pipeline: Any) -> None:
        from hydroml_jupyter.engine.recipe import Recipe

        self.spec = spec
        self.pipeline = pipeline
        steps = (spec.recipe or {}).get("steps", [])
        self.recipe = Recipe.from_dict({"format": "hydroml-recipe", "version": 1, "steps": steps})

    # -- scoring -------------------------------------------------------------------------
    def predict(self, data: RawData, **options: Any) -> pd.Series:
        """Return one prediction per row of ``data`` that the recipe keeps, by its index.

        Raises
        ------
        ExperimentError
            One line naming the column at fault: a missing column, a value that cannot be
            read as its training dtype, or a step of the recipe that fails on the data.
        """
        return self.predict_features(self.features(data, **options))

    def predict_features(self, X: pd.DataFrame) -> pd.Series:
        """Return the pipeline's predictions of ``X``, made by :meth:`features`."""
        values = self._run(lambda: self.pipeline.predict(X))
        return pd.Series(values, index=X.index, name=self.spec.target)

    def predict_proba(self, data: RawData, **options: Any) -> pd.DataFrame:
        """Return each class's probability per row (a column per class), by the input's index.

        Raises
        ------
        ExperimentError
            For a regression model, and as :meth:`predict`.
        """
        self._need_classifier()
        return self.proba_features(self.features(data, **options))

    def proba_features(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return each class's probability for ``X``, made by :meth:`features`."""
        self._need_classifier()
        values = self._run(lambda: self.pipeline.predict_proba(X))
        classes = [c.item() if isinstance(c, np.generic) else c for c in self.pipeline.classes_]
        return pd.DataFrame(values, index=X.index, columns=classes)

    def _need_classifier(self) -> None:
        if self.spec.task != "classification":
            raise ExperimentError(
                f"predict_proba needs a classifier: this model is a {self.spec.task} model "
                f"of {self.spec.target!r}; use predict"
            )

    def _run(self, fn: Any) -> Any:
        try:
            return fn()
        except Exception as exc:
            raise ExperimentError(f"the model could not score the data: {first_line(exc)}") from exc

    # -- the steps before the pipeline ---------------------------------------------------
    def features(self, data: RawData, **options: Any) -> pd.DataFrame:
        """Return the pipeline's input for ``data``: conformed, cleaned, features selected."""
        source = (self.spec.recipe or {}).get("source")
        raw = read_raw(data, source, **options)
        frame = self.conform(raw)
        try:
            out = self.recipe.apply(frame)
        except OperationError as exc:
            raise ExperimentError(f"the recipe failed on the data: {first_line(exc)}") from exc
        if not all(isinstance(c, str) for c in out.columns):
            out = out.set_axis([str(c) for c in out.columns], axis=1)
        dropped = len(frame) - len(out)
        if dropped > 0:
            warnings.warn(
                f"{dropped} rows were removed by the recipe's steps and have no prediction",
                stacklevel=3,
            )
        missing = [c for c in self.spec.features if c not in out.columns]
        if missing:
            hint = did_you_mean(missing[0], out.columns)
            raise ExperimentError(
                f"column {missing[0]!r} that the model takes is not in the cleaned data{hint}"
            )
        X = out[list(self.spec.features)]
        self._check_kinds(X)
        self._warn_unseen(X)
        return X

    def conform(self, raw: pd.DataFrame) -> pd.DataFrame:
        """Give ``raw`` the training source's dtypes; the target may be absent."""
        schema = self.spec.raw
        if schema is None:
            return raw
        names = [str(c) for c in raw.columns]
        missing = [c for c in schema if c not in names and c != self.spec.target]
        if missing:
            more = f"; {len(missing) - 1} more are missing too" if len(missing) > 1 else ""
            raise ExperimentError(
                f"column {missing[0]!r} is missing from the data"
                f"{did_you_mean(missing[0], names)}{more}"
            )
        if names != list(raw.columns):
            raw = raw.set_axis(names, axis=1)
        changed = {}
        for column, dtype in schema.items():
            if column in raw.columns and str(raw[column].dtype) != dtype:
                changed[column] = convert(raw[column], dtype)
        if self.spec.target in schema and self.spec.target not in raw.columns:
            changed[self.spec.target] = _empty(raw.index, schema[self.spec.target])
        return raw.assign(**changed) if changed else raw

    def _check_kinds(self, X: pd.DataFrame) -> None:
        for column, trained in self.spec.feature_dtypes.items():
            now = X[column].dtype
            if _is_number(trained) and not (_is_number(str(now)) or X[column].isna().all()):
                raise ExperimentError(
                    f"column {column!r} holds {now} values after the recipe; "
                    f"the model was trained on numbers ({trained})"
                )

    def _warn_unseen(self, X: pd.DataFrame) -> None:
        from hydroml_jupyter.experiments.preprocess import to_text

        pre = getattr(self.pipeline, "named_steps", {}).get("preprocess")
        for name, part, columns in getattr(pre, "transformers_", []):
            if name != "text":
                continue
            categories = part.named_steps["onehot"].categories_
            text = to_text(X[list(columns)])
            for i, column in enumerate(columns):
                unseen = ~np.isin(text[:, i], categories[i])
                if not unseen.any():
                    continue
                values = pd.unique(text[unseen, i])
                shown = ", ".join(f"{column}={v!r}" for v in values[:_SHOWN])
                more = f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else ""
                warnings.warn(
                    f"{int(unseen.sum())} rows have categories {shown}{more} "
                    "not seen in training; encoded as unknown",
                    stacklevel=4,
                )


def _is_number(dtype: str) -> bool:
    try:
        found = pd.api.types.pandas_dtype(dtype)
    except TypeError:
        return False
    return pd.api.types.is_numeric_dtype(found) or pd.api.types.is_bool_dtype(found)


def _empty(index: pd.Index, dtype: str) -> pd.Series:
    """Return an all-missing column of ``dtype`` (or the nearest one that holds missing)."""
    for kind in (dtype, "float64", "object"):
        try:
            return pd.Series(None, index=index, dtype=kind)
        except (TypeError, ValueError):
            continue
    return pd.Series(None, index=index, dtype="object")


def convert(col: pd.Series, dtype: str) -> pd.Series:
    """Return ``col`` as ``dtype`` (numbers keep NaN and fractions as floats).

    Raises
    ------
    ExperimentError
        Naming the column and its first value that cannot be read as ``dtype``.
    """
    name = col.name
    target = pd.api.types.pandas_dtype(dtype)
    present = col.notna()
    out: pd.Series[Any]
    fallback: Any
    if pd.api.types.is_bool_dtype(target) and not pd.api.types.is_bool_dtype(col.dtype):
        words = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False}
        mapped = col.astype("str").str.strip().str.lower().map(words)
        out = mapped.where(present)
        ok = out.notna() | ~present
        fallback = "boolean"
    elif pd.api.types.is_numeric_dtype(target):
        if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
            out = col.astype("float64")
        else:
            out = pd.to_numeric(col.astype("str").where(present), errors="coerce")
        ok = out.notna() | ~present
        fallback = "float64"
    elif pd.api.types.is_datetime64_any_dtype(target):
        out = pd.to_datetime(col, errors="coerce")
        ok = out.notna() | ~present
        fallback = "object"
    else:
        try:
            return col.astype(target)
        except (TypeError, ValueError) as exc:
            raise ExperimentError(
                f"column {name!r} has dtype {col.dtype}, the model was trained on {dtype}: "
                f"{first_line(exc)}"
            ) from exc
    if not ok.all():
        bad = col[~ok].iloc[0]
        raise ExperimentError(
            f"column {name!r} has the value {bad!r}, which cannot be read as {dtype} "
            f"(its dtype in training); {int((~ok).sum())} rows have such values"
        )
    try:
        return out.astype(target)
    except (TypeError, ValueError):
        return out if fallback == "object" else out.astype(fallback)


def scorer_for(
    lineage: Any, df: pd.DataFrame, target: Label, task: str, X: pd.DataFrame, pipeline: Any
) -> tuple[Scorer, pd.DataFrame | None]:
    """Return the scorer of a run fitted on ``X`` from ``df`` with ``lineage``, and raw rows.

    A run trained on a plain frame (no session) takes frames shaped like ``df``.
    """
    spec, raw = spec_for(lineage.recipe_json, lineage.session, str(target), task, X)
    if lineage.recipe_json is None:
        raw = df.head(5)
        names = {str(c): str(t) for c, t in df.dtypes.items()}
        spec = dataclasses.replace(spec, raw=names)
    return Scorer(spec, pipeline), raw
