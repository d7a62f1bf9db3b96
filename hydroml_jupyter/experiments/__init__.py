"""Experiments: train and tune models on a session's cleaned data, tracked in MLflow.

Everything runs in a background thread and returns a handle at once, so the
kernel stays free while a model trains.

Examples
--------
>>> import hydroml_jupyter as hj
>>> from hydroml_jupyter import experiments as ex
>>> s = hj.open("tests/data/churn.csv")  # doctest: +SKIP
>>> run = ex.train(s, "churned", model="random_forest", preset="fast")  # doctest: +SKIP
>>> run.wait(), run.metrics["f1"]  # doctest: +SKIP
>>> ex.runs()  # doctest: +SKIP

Importing this package imports neither MLflow, Optuna nor XGBoost: they are
imported by the worker thread when a run starts.
"""

from hydroml_jupyter.experiments.advice import ModelAdvice, ModelChoice, suggest_models
from hydroml_jupyter.experiments.catalog import MAIN_METRIC, MODELS, infer_task
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.handle import RunHandle, TrainingRun, TuningRun
from hydroml_jupyter.experiments.leaderboard import compare, runs
from hydroml_jupyter.experiments.options import TrainOptions
from hydroml_jupyter.experiments.preprocess import build_preprocessor
from hydroml_jupyter.experiments.presets import delete_preset, presets, presets_path, save_preset
from hydroml_jupyter.experiments.spaces import SEARCH_SPACES, search_space
from hydroml_jupyter.experiments.train import train
from hydroml_jupyter.experiments.tune import tune
from hydroml_jupyter.experiments.writer import RunWriter

__all__ = [
    "MAIN_METRIC",
    "MODELS",
    "SEARCH_SPACES",
    "ExperimentError",
    "ModelAdvice",
    "ModelChoice",
    "RunHandle",
    "RunWriter",
    "TrainOptions",
    "TrainingRun",
    "TuningRun",
    "build_preprocessor",
    "compare",
    "delete_preset",
    "infer_task",
    "presets",
    "presets_path",
    "runs",
    "save_preset",
    "search_space",
    "suggest_models",
    "train",
    "tune",
]
