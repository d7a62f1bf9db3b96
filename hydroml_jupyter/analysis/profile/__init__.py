"""Dataset profiles, data-quality alerts, target detection and cleaning suggestions.

:func:`profile` measures a frame (exact figures: nothing is sampled) and raises alerts;
:func:`suggest` turns alerts into engine operations a session can apply as ordinary, undoable
steps; :func:`detect_target` ranks the columns that may be the prediction target.

Examples
--------
>>> import pandas as pd
>>> from hydroml_jupyter.analysis.profile import profile, suggest
>>> df = pd.DataFrame({"age": [30.0, None, 41.0, 35.0], "unit": ["kg"] * 4})
>>> p = profile(df)
>>> [(s.op, s.params) for s in suggest(p, df)]
[('drop_columns', {'columns': ['unit']}), ('fill_missing', {'column': 'age', 'strategy': 'mean'})]
"""

from hydroml_jupyter.analysis.profile._alerts import THRESHOLDS
from hydroml_jupyter.analysis.profile._model import (
    ALERT_KINDS,
    SEMANTIC_TYPES,
    SEVERITIES,
    Alert,
    ColumnProfile,
    DatasetProfile,
    NumericExtras,
    Profile,
    TargetCandidate,
    TextExtras,
)
from hydroml_jupyter.analysis.profile._profile import AUTO_TARGET_CONFIDENCE, profile
from hydroml_jupyter.analysis.profile._suggest import RULES, Suggestion, suggest
from hydroml_jupyter.analysis.profile._target import detect_target

__all__ = [
    "ALERT_KINDS",
    "AUTO_TARGET_CONFIDENCE",
    "RULES",
    "SEMANTIC_TYPES",
    "SEVERITIES",
    "THRESHOLDS",
    "Alert",
    "ColumnProfile",
    "DatasetProfile",
    "NumericExtras",
    "Profile",
    "Suggestion",
    "TargetCandidate",
    "TextExtras",
    "detect_target",
    "profile",
    "suggest",
]
