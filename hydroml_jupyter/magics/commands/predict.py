"""``predict``: score a file with a run's model, the session's cleaning replayed first."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

import pandas as pd
from IPython.core.error import UsageError

from hydroml_jupyter.io.export import ExportError
from hydroml_jupyter.io.source import Source
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.output import not_overwriting
from hydroml_jupyter.magics.parser import CommandParser, text
from hydroml_jupyter.magics.registry import Command
from hydroml_jupyter.messages import did_you_mean

__all__ = ["COMMANDS", "predictions"]


@dataclasses.dataclass(frozen=True)
class _Scored:
    """The scored file as an export origin: :func:`export_frame` never writes over it."""

    source: Source | None
    name: str | None = None
    base: None = None


def _arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "run",
        metavar="RUN",
        type=text,
        help="a run's number, name or MLflow run id (`%%hydroml runs`), or a models:/ URI",
    )
    parser.add_argument(
        "source", metavar="SOURCE", type=text, help="a file or SQLAlchemy URL like the source"
    )
    parser.add_argument("--table", type=text, help="for an SQLAlchemy URL: the table to read")
    parser.add_argument("--query", type=text, help="for an SQLAlchemy URL: the query to run")
    parser.add_argument("--out", metavar="PATH", type=text, help="write the predictions there")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the file at --out if there is one"
    )
    parser.add_argument(
        "--id", metavar="COL", type=text, help="a column of SOURCE written next to each prediction"
    )
    parser.add_argument(
        "--proba", action="store_true", help="add each class's probability (classifiers)"
    )


def predictions(scorer: Any, raw: pd.DataFrame, id_column: str | None, proba: bool) -> pd.DataFrame:
    """Return the predictions of ``raw`` next to its ``id_column`` (else its index as ``row``)."""
    if id_column is not None and id_column not in raw.columns:
        hint = did_you_mean(id_column, raw.columns)
        raise UsageError(f"%hydroml predict: --id {id_column!r} is not a column of SOURCE{hint}")
    features = scorer.features(raw)  # the recipe replayed once, for both answers
    predicted = scorer.predict_features(features)
    if id_column is not None:
        out = pd.DataFrame({id_column: raw[id_column].reindex(predicted.index)})
    else:
        name = raw.index.name if raw.index.name is not None else "row"
        out = pd.DataFrame({name: predicted.index}, index=predicted.index)
    target = str(scorer.spec.target)
    out[target if target not in out.columns else f"predicted_{target}"] = predicted
    if proba:
        probabilities = scorer.proba_features(features)
        for label in probabilities.columns:
            out[f"proba_{label}"] = probabilities[label]
    return out.reset_index(drop=True)


def _predict(ctx: Context, args: argparse.Namespace) -> pd.DataFrame | None:
    from hydroml_jupyter.experiments.predict import read_raw
    from hydroml_jupyter.experiments.registry import load_scorer
    from hydroml_jupyter.io.export import export_frame
    from hydroml_jupyter.io.formats import detect_format
    from hydroml_jupyter.io.load import is_sql_url

    options = {k: v for k, v in (("table", args.table), ("query", args.query)) if v is not None}
    if options and not is_sql_url(args.source):
        raise UsageError("%hydroml predict: --table and --query only apply to an SQLAlchemy URL")
    scorer = load_scorer(args.run, tracking_uri=ctx.tracking_uri)
    raw = read_raw(args.source, (scorer.spec.recipe or {}).get("source"), **options)
    out = predictions(scorer, raw, args.id, args.proba)
    if args.out is None:
        return out
    scored = None
    if not is_sql_url(args.source):
        scored = Source(kind="file", path=args.source, format=detect_format(args.source, None)[0])
    try:
        path = export_frame(out, args.out, overwrite=args.overwrite, origin=_Scored(scored))
    except ExportError as exc:
        if exc.reason != "exists":
            raise
        raise not_overwriting(exc) from None
    print(f"wrote {len(out)} predictions of {scorer.spec.target!r} to {path}")
    return None


COMMANDS = (
    Command(
        "predict",
        "score a file with a run's model (the session's cleaning replayed first)",
        "experiments",
        _predict,
        _arguments,
        synopsis="RUN SOURCE [--out PATH] [--id COL] [--proba]",
        description=(
            "Score SOURCE (a file, or an SQLAlchemy URL with --table or --query) shaped like\n"
            "the session's source: the recipe the run trained on is replayed, then its model.\n"
            "Shows the predictions next to --id COL (else the row's index), or writes them\n"
            "to --out PATH (an existing file is replaced only with --overwrite). Example:\n"
            "  %hydroml predict 1 flights_next_month.csv --out scores.csv --id flight"
        ),
        session=False,
    ),
)
