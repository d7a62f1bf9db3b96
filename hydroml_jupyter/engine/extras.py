"""Session methods that hand off to the analysis layer, and those other layers register.

Profiling and suggestions import the profiler only when called. Methods of higher
layers (``s.train``, ``s.tune``, ``s.suggest_models``, registered by the package
for the experiments layer) are found through :mod:`hydroml_jupyter.extensions`,
so the engine imports nothing above it, not even lazily.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from hydroml_jupyter import extensions
from hydroml_jupyter.analysis.profile import Profile, Suggestion
from hydroml_jupyter.labels import Label
from hydroml_jupyter.messages import did_you_mean

if TYPE_CHECKING:
    from hydroml_jupyter.analysis.drift import DriftReport
    from hydroml_jupyter.engine.ops.base import Operation
    from hydroml_jupyter.engine.steps import Step

__all__ = ["AnalysisMixin", "RegisteredMethods", "SessionSuggestion"]

_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True)
class SessionSuggestion(Suggestion):
    """A suggestion that knows its session: ``sugg.apply()`` applies it as a normal step."""

    session: AnalysisMixin | None = dataclasses.field(default=None, repr=False, compare=False)

    def apply(self) -> Step:
        """Apply the suggestion to its session; it can be undone like any step."""
        assert self.session is not None, "Session.suggest gives each suggestion its session"
        return self.session.apply(self.op, **self.params)


class AnalysisMixin:
    """Profiling and suggestions for :class:`~hydroml_jupyter.Session`."""

    if TYPE_CHECKING:
        # What the mixin uses of Session.

        @property
        def df(self) -> pd.DataFrame: ...

        def apply(self, op: str | Operation, /, **params: Any) -> Step: ...

        def _cached(self, key: Hashable, compute: Callable[[pd.DataFrame], _T]) -> _T: ...

    def profile(self, target: Label | None = None) -> Profile:
        """Profile the current frame: semantic types, exact statistics, alerts, target candidates.

        Cached per step: profiling the same step again is free.
        """
        from hydroml_jupyter.analysis.profile import profile

        return self._cached(("profile", target), lambda df: profile(df, target=target))

    def suggest(self, target: Label | None = None) -> list[SessionSuggestion]:
        """Return cleaning suggestions for the current frame, most confident first.

        Each names the engine operation and parameters it would apply, the alert it
        answers, a confidence in [0, 1] and a one-sentence rationale.
        """
        from hydroml_jupyter.analysis.profile import suggest

        report = self.profile(target)
        found = suggest(report, self.df, target=target)
        return [
            SessionSuggestion(
                **{f.name: getattr(s, f.name) for f in dataclasses.fields(s)}, session=self
            )
            for s in found
        ]

    def drift(self, other: Any) -> DriftReport:
        """Compare ``other`` (a frame or a session) with this session's current frame.

        Column by column: population stability index, Kolmogorov-Smirnov or
        chi-squared, missing rates, unseen categories and values outside this frame's
        range; each finding is an alert with a severity. A run's ``run.drift(new)``
        compares with the frame the run trained on instead.
        """
        from hydroml_jupyter.analysis.drift import drift

        return drift(self.df, other)

    def apply_suggestion(self, suggestion: Suggestion) -> Step:
        """Apply ``suggestion`` as an ordinary, undoable step."""
        return self.apply(suggestion.op, **suggestion.params)


class RegisteredMethods:
    """Methods other layers register for sessions (``extensions.register("session", ...)``).

    A registered function takes the session first; ``s.name(...)`` calls it bound.
    """

    def __getattr__(self, name: str) -> Any:
        # Underscored names (IPython's _repr_*_ probes among them) fail fast, with no hint.
        if name.startswith("_"):
            raise AttributeError(name)
        function = extensions.find("session", name)
        if function is not None:
            return types.MethodType(function, self)
        hint = did_you_mean(name, [n for n in dir(self) if not n.startswith("_")])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}{hint}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *extensions.names("session")})
