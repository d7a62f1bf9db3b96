"""What an operation says about itself: the one description every face reads.

An operation class declares each parameter as a dataclass field whose metadata is made
by :func:`param` (a doc line, which columns it names, its choices, form hints): ``field(
metadata=param(...))``; it may also declare a recipe
:class:`~hydroml_jupyter.engine.ops.shortform.ShortForm`. :func:`describe` turns the
class into an :class:`OperationSpec`: plain data from which the sidebar's forms, the
recipe cell's grammar and help, completion and ``hj.catalog()`` are all derived.
Choices come from ``Literal[...]`` hints (one definition) or from ``param(choices=...)``
for text the operation checks itself (dtypes, aggregation functions).

Examples
--------
>>> spec = describe("scale")
>>> spec.param("method").choices
('standard', 'minmax', 'robust')
>>> spec.param("columns").columns, spec.param("columns").many
('numeric', True)
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

from hydroml_jupyter.engine.ops.kinds import COLUMN_KINDS, ColumnKind
from hydroml_jupyter.engine.ops.shortform import ShortForm, resolve

if TYPE_CHECKING:
    from hydroml_jupyter.engine.ops.base import Operation

__all__ = [
    "WIDGETS",
    "FormHint",
    "OperationSpec",
    "ParamMeta",
    "ParamSpec",
    "Widget",
    "describe",
    "param",
]

#: How a form shows a parameter.
Widget = Literal[
    "column", "columns", "choice", "bool", "text", "dtype", "expression", "value", "mapping"
]
WIDGETS: tuple[str, ...] = get_args(Widget)

_KEY = "hydroml"


@dataclasses.dataclass(frozen=True)
class FormHint:
    """How the sidebar's form shows one parameter.

    ``widget`` None is derived from the type hint and the column kind; ``order`` sorts
    the form's fields (ties keep the fields' order); ``advanced`` fields may be folded
    away by a front end; ``placeholder`` is the hint text of an empty input.
    """

    widget: Widget | None = None
    placeholder: str | None = None
    order: int = 0
    advanced: bool = False


@dataclasses.dataclass(frozen=True)
class ParamMeta:
    """What :func:`param` stores in a field's metadata."""

    doc: str = ""
    columns: ColumnKind | None = None
    choices: tuple[Any, ...] | None = None
    form: FormHint = FormHint()


def param(
    doc: str = "",
    *,
    columns: ColumnKind | None = None,
    choices: tuple[Any, ...] | None = None,
    widget: Widget | None = None,
    placeholder: str | None = None,
    order: int = 0,
    advanced: bool = False,
) -> dict[str, ParamMeta]:
    """Describe one parameter of an operation: the ``metadata`` of its dataclass field.

    ``columns: list[Label] = field(metadata=param("the columns to scale", columns="numeric"))``

    Parameters
    ----------
    doc
        One line saying what the parameter is.
    columns
        The parameter names columns of this kind (for a mapping: its keys do);
        validation refuses columns of another kind, forms and completion offer only
        those. ``new``: a name that may be a new column's.
    choices
        The values the operation accepts, when the hint does not say (a ``Literal``
        hint does); for a mapping, of its values.
    widget, placeholder, order, advanced
        Form hints, see :class:`FormHint`.
    """
    if columns is not None and columns not in COLUMN_KINDS:
        raise ValueError(f"columns={columns!r}: use one of {', '.join(COLUMN_KINDS)}")
    hint = FormHint(widget, placeholder, order, advanced)
    return {_KEY: ParamMeta(doc, columns, None if choices is None else tuple(choices), hint)}


@dataclasses.dataclass(frozen=True)
class ParamSpec:
    """One parameter, as every face sees it.

    ``default`` is :data:`dataclasses.MISSING` for a required parameter. ``many``: a
    list of column labels, where one label stands for a list of one. For a mapping,
    ``columns`` and ``key_widget`` describe its keys, ``choices`` and ``value_widget``
    its values, and ``collects`` says a value may be a list (a key given twice in a
    form collects its values).
    """

    name: str
    hint: Any
    doc: str
    required: bool
    default: Any
    columns: ColumnKind | None
    choices: tuple[Any, ...]
    many: bool
    widget: Widget
    form: FormHint
    key_widget: Widget | None = None
    value_widget: Widget | None = None
    collects: bool = False

    @property
    def literal(self) -> bool:
        """Whether the choices come from a ``Literal`` hint (no other value is accepted)."""
        return bool(_literal_args(self.hint))


@dataclasses.dataclass(frozen=True)
class OperationSpec:
    """Everything the faces need to know about one operation."""

    name: str
    summary: str
    doc: str
    params: tuple[ParamSpec, ...]
    short_form: ShortForm | None
    operation: type[Operation] = dataclasses.field(repr=False, compare=False)

    @property
    def description(self) -> str:
        """The first line of the operation's docstring."""
        return self.doc.splitlines()[0] if self.doc else ""

    def param(self, name: str) -> ParamSpec:
        """Return the parameter ``name``; ``KeyError`` when there is none."""
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def has(self, name: str) -> bool:
        """Return whether the operation has a parameter ``name``."""
        return any(p.name == name for p in self.params)

    @property
    def column_params(self) -> tuple[ParamSpec, ...]:
        """The parameters that name columns."""
        return tuple(p for p in self.params if p.columns is not None)


def describe(op: str | type[Operation]) -> OperationSpec:
    """Return the :class:`OperationSpec` of an operation class or registered name.

    Raises
    ------
    OperationError
        For a name no operation is registered under.
    """
    if isinstance(op, str):
        from hydroml_jupyter.engine.ops.base import operation_class

        op = operation_class(op)
    spec = _SPECS.get(op)
    if spec is None:
        spec = _SPECS[op] = _describe(op)
    return spec


_SPECS: dict[type[Operation], OperationSpec] = {}


def _describe(cls: type[Operation]) -> OperationSpec:
    hints = typing.get_type_hints(cls)
    params = tuple(_param(field, hints[field.name]) for field in dataclasses.fields(cls))
    by_name = {p.name: p for p in params}
    return OperationSpec(
        name=cls.name,
        summary=cls.summary,
        doc=inspect.cleandoc(cls.__doc__ or ""),
        params=params,
        short_form=resolve(cls.short_form, by_name, cls.name),
        operation=cls,
    )


def _param(field: dataclasses.Field[Any], hint: Any) -> ParamSpec:
    meta = field.metadata.get(_KEY, ParamMeta())
    if not isinstance(meta, ParamMeta):
        raise TypeError(f"field {field.name!r}: metadata[{_KEY!r}] is not a ParamMeta")
    options = _options(hint)
    mapping = any(get_origin(o) is dict for o in options)
    many = meta.columns not in (None, "new") and any(_is_label_list(o) for o in options)
    choices = meta.choices if meta.choices is not None else _literal_args(hint)
    widget = meta.form.widget or _widget(options, meta.columns, choices, mapping)
    key_widget = value_widget = None
    collects = False
    if mapping:
        key_hint, value_hint = get_args(next(o for o in options if get_origin(o) is dict))
        key_widget = _widget(_options(key_hint), meta.columns, (), False)
        value_options = _options(value_hint)
        value_widget = _widget(value_options, None, choices, False)
        collects = any(get_origin(o) is list for o in value_options)
    required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    default = field.default
    if field.default_factory is not dataclasses.MISSING:
        default = field.default_factory()
    return ParamSpec(
        name=field.name,
        hint=hint,
        doc=meta.doc,
        required=required,
        default=default,
        columns=meta.columns,
        choices=tuple(choices),
        many=many,
        widget=widget,
        form=dataclasses.replace(meta.form, widget=widget),
        key_widget=key_widget,
        value_widget=value_widget,
        collects=collects,
    )


def _widget(
    options: list[Any], columns: str | None, choices: tuple[Any, ...], mapping: bool
) -> Widget:
    if mapping:
        return "mapping"
    if columns == "new":
        return "text"
    if columns is not None:
        return "columns" if any(get_origin(o) is list for o in options) else "column"
    if choices:
        return "choice"
    if bool in options:
        return "bool"
    if options == [str] or set(options) == {str, int}:
        return "text"
    return "value"


def _options(hint: Any) -> list[Any]:
    """Return the members of a union hint, ``None`` left out (a flat list, in order)."""
    if get_origin(hint) in (Union, types.UnionType):
        out: list[Any] = []
        for member in get_args(hint):
            out += [m for m in _options(member) if m not in out]
        return out
    return [] if hint is type(None) else [hint]


def _is_label_list(hint: Any) -> bool:
    return get_origin(hint) is list and set(_options(get_args(hint)[0])) == {str, int}


def _literal_args(hint: Any) -> tuple[Any, ...]:
    """Return the values of the ``Literal`` members of ``hint`` (in order), if any."""
    out: list[Any] = []
    for option in _options(hint):
        if get_origin(option) is Literal:
            out += [a for a in get_args(option) if a not in out]
    return tuple(out)
