"""Write the widget protocol's TypeScript and the generated parts of its documentation.

The protocol is defined once, in :mod:`~hydroml_jupyter.widgets.shapes` and
:mod:`~hydroml_jupyter.widgets.schema`. From them this writes ``js/src/generated/protocol.ts``
(value lists as union types and constant arrays, shapes as interfaces, each request's keys
and reply) and the blocks of ``docs/widget-protocol.md`` between ``<!-- generated: NAME -->``
and ``<!-- end generated -->``. Run it after changing the definitions::

    python -m hydroml_jupyter.widgets.generate --write

``--ts`` prints the TypeScript; ``--docs FILE`` prints ``FILE`` with its blocks regenerated.
The test command checks that the committed files are what this writes.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

from hydroml_jupyter.widgets import schema, shapes

__all__ = ["DOCS_PATH", "TS_PATH", "docs", "typescript"]

_ROOT = Path(__file__).resolve().parents[2]
#: Where the TypeScript goes, and the documentation page with generated blocks.
TS_PATH = _ROOT / "js" / "src" / "generated" / "protocol.ts"
DOCS_PATH = _ROOT / "docs" / "widget-protocol.md"
COMMAND = "python -m hydroml_jupyter.widgets.generate --write"

_MODULES = (shapes, schema)
_WIDTH = 100
_BLOCK = re.compile(r"(<!-- generated: (\w+) -->\n).*?(<!-- end generated -->)", re.S)


# -- what the modules define ----------------------------------------------------------------
def _definitions() -> Iterator[tuple[str, Any, str]]:
    """Yield ``(name, value, comment)`` of each public definition, in source order."""
    for module in _MODULES:
        comments = _comments(module)
        public = set(module.__all__)
        for name, value in vars(module).items():
            if name in public:
                doc = comments.get(name) or (_doc(value) if is_typeddict(value) else "")
                yield name, value, doc


def _comments(module: types.ModuleType) -> dict[str, str]:
    """Return the ``#:`` comment above each name assigned at the top of ``module``."""
    found = re.finditer(r"((?:^#: .*\n)+)^(\w+)\b", inspect.getsource(module), re.M)
    return {
        m[2]: " ".join(line[3:] for line in m[1].splitlines()).replace("``", "`") for m in found
    }


def _doc(cls: type) -> str:
    """Return a class docstring as one paragraph per line, reST literals as Markdown ones."""
    text = inspect.cleandoc(cls.__doc__ or "")
    return "\n".join(" ".join(p.split()) for p in text.split("\n\n")).replace("``", "`")


def _aliases() -> dict[str, Any]:
    """Return the named value lists and unions, by name."""
    return {
        name: value
        for name, value, _ in _definitions()
        if get_origin(value) in (Literal, Union, types.UnionType)
    }


def _fields(cls: Any) -> list[tuple[str, Any, bool]]:
    """Return ``(key, hint, required)`` of a TypedDict's keys, in order.

    ``cls`` is a TypedDict class, which has no static type of its own.
    """
    hints = get_type_hints(cls)
    return [(key, hint, key in cls.__required_keys__) for key, hint in hints.items()]


def _named(hint: Any, aliases: dict[str, Any]) -> str | None:
    if is_typeddict(hint):
        return hint.__name__
    for name, alias in aliases.items():
        if hint is alias or (
            get_origin(hint) is get_origin(alias) and get_args(hint) == get_args(alias)
        ):
            return name
    return None


def _render(
    hint: Any, aliases: dict[str, Any], names: dict[Any, str], fmt: Callable[..., str]
) -> str:
    """Render a type hint with ``fmt(what, *parts)`` for the target language."""
    named = _named(hint, aliases)
    if named is not None:
        return named
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal:
        return fmt("union", *(fmt("literal", a) for a in args))
    if origin in (Union, types.UnionType):
        return fmt("union", *(_render(a, aliases, names, fmt) for a in args))
    if origin is list:
        return fmt("list", _render(args[0], aliases, names, fmt))
    if origin is tuple:
        return fmt("tuple", *(_render(a, aliases, names, fmt) for a in args))
    if origin is dict:
        return fmt("dict", *(_render(a, aliases, names, fmt) for a in args))
    if hint in names:
        return names[hint]
    raise TypeError(f"the widget protocol cannot describe {hint!r}")


# -- TypeScript -------------------------------------------------------------------------------
_TS_NAMES: dict[Any, str] = {
    int: "number", float: "number", str: "string", bool: "boolean",
    type(None): "null", Any: "unknown",
}  # fmt: skip


def _ts(what: str, *parts: str) -> str:
    if what == "literal":
        return f'"{parts[0]}"'
    if what == "union":
        return " | ".join(dict.fromkeys(parts))
    if what == "list":
        return f"({parts[0]})[]" if _is_union(parts[0]) else f"{parts[0]}[]"
    if what == "tuple":
        return f"[{', '.join(parts)}]"
    return f"Record<{parts[0]}, {parts[1]}>"


def _is_union(ts: str) -> bool:
    """Whether a TypeScript type is a union at its top level (``A | B``, not ``(A | B)[]``)."""
    depth = 0
    for i, char in enumerate(ts):
        depth += (char in "([<{") - (char in ")]>}")
        if depth == 0 and ts.startswith(" | ", i):
            return True
    return False


def _ts_type(hint: Any, aliases: dict[str, Any]) -> str:
    return _render(hint, aliases, _TS_NAMES, _ts)


def _ts_doc(doc: str, indent: str = "") -> list[str]:
    if not doc:
        return []
    one = f"{indent}/** {doc} */"
    if "\n" not in doc and len(one) <= _WIDTH:
        return [one]
    width = _WIDTH - len(indent) - 3
    paragraphs = [textwrap.wrap(p, width) for p in doc.splitlines()]
    body = [f"{indent} *"]
    for lines in paragraphs:
        body += [*(f"{indent} * {line}" for line in lines), f"{indent} *"]
    return [f"{indent}/**", *body[1:-1], f"{indent} */"]


def _ts_list(values: tuple[Any, ...], before: str, indent: str = "") -> str:
    """Return a string array after ``before``, one value a line if one line would be long."""
    items = [f'"{v}"' for v in values]
    flat = "[" + ", ".join(items) + "]"
    if len(before) + len(flat) + 2 <= _WIDTH:
        return flat
    return "[\n" + "".join(f"{indent}  {item},\n" for item in items) + f"{indent}]"


def _ts_alias(name: str, ts: str) -> str:
    """Return a type alias, one union member a line when it would make a long line."""
    line = f"export type {name} = {ts};"
    if len(line) <= _WIDTH or not _is_union(ts):
        return line
    members = "".join(f"\n  | {member}" for member in ts.split(" | "))
    return f"export type {name} ={members};"


def _ts_map(doc: str, name: str, entries: dict[str, str]) -> list[str]:
    lines = [*_ts_doc(doc), f"export interface {name} {{"]
    return [*lines, *(f"  {k}: {v};" for k, v in entries.items()), "}", ""]


def typescript() -> str:
    """Return the text of ``js/src/generated/protocol.ts``."""
    aliases = _aliases()
    out = [
        "// Generated from hydroml_jupyter/widgets/shapes.py and schema.py; do not edit.",
        f"// After changing them, run `{COMMAND}`.",
        "",
    ]
    for name, value, doc in _definitions():
        if name in aliases:
            out += [*_ts_doc(doc), _ts_alias(name, _ts_type(value, {})), ""]
        elif isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
            alias = next((a for a, v in aliases.items() if get_args(v) == value), None)
            typed, const = (f": readonly {alias}[]", "") if alias else ("", " as const")
            before = f"export const {name}{typed} = "
            out += [*_ts_doc(doc), f"{before}{_ts_list(value, before)}{const};", ""]
        elif isinstance(value, int) and not isinstance(value, bool):
            out += [*_ts_doc(doc), f"export const {name} = {value};", ""]
        elif is_typeddict(value):
            out += _ts_interface(name, value, doc, aliases)
    traits: dict[str, str] = {kind: cls.__name__ for kind, cls in shapes.TRAITS.items()}
    out += _ts_map("Each widget kind's traits.", "Traits", traits)
    requests = schema.REQUESTS
    out += _ts_map(
        "Each request's keys besides `kind` and `request`.",
        "RequestFields",
        {r.kind: _ts_type(r.fields, aliases) for r in requests},
    )
    out += _ts_map(
        "The keys of each request's success reply besides `kind` and `request`.",
        "ReplyFields",
        {r.kind: _ts_type(r.answer, aliases) for r in requests},
    )
    out += [
        "/** The `kind` of each request's success reply (any request may get `error` instead). */",
        "export const REPLY_OF = {",
        *(f'  {r.kind}: "{r.reply}",' for r in requests),
        "} as const;",
        "",
        "/** The requests each widget kind answers. */",
        "export const ANSWERS: { readonly [K in WidgetKind]: readonly RequestKind[] } = {",
        *(
            f"  {kind}: {_ts_list(schema.answers(kind), f'  {kind}: ', '  ')},"
            for kind in shapes.WIDGET_KINDS
        ),
        "};",
    ]
    return "\n".join(out) + "\n"


def _ts_interface(name: str, cls: type, doc: str, aliases: dict[str, Any]) -> list[str]:
    fields = _fields(cls)
    if not fields:
        return [*_ts_doc(doc), f"export type {name} = Record<string, never>;", ""]
    lines = [*_ts_doc(doc), f"export interface {name} {{"]
    for key, hint, required in fields:
        lines.append(f"  {key}{'' if required else '?'}: {_ts_type(hint, aliases)};")
    return [*lines, "}", ""]


# -- documentation ----------------------------------------------------------------------------
_MD_NAMES: dict[Any, str] = {
    int: "int", float: "float", str: "str", bool: "bool", type(None): "null", Any: "any",
}  # fmt: skip


def _md(what: str, *parts: str) -> str:
    if what == "literal":
        return f'"{parts[0]}"'
    if what == "union":
        return r" \| ".join(dict.fromkeys(parts))
    if what == "list":
        return f"[{parts[0]}]"
    if what == "tuple":
        return f"[{', '.join(parts)}]"
    return f"{{{parts[0]}: {parts[1]}}}"


def _md_keys(hint: Any, aliases: dict[str, Any]) -> str:
    """Render the keys of a TypedDict (or of each member of a union of them)."""
    if get_origin(hint) in (Union, types.UnionType):
        return "either " + "; or ".join(_md_keys(member, aliases) for member in get_args(hint))
    keys = [
        f"`{key}`{'' if required else '?'}: {_render(h, aliases, _MD_NAMES, _md)}"
        for key, h, required in _fields(hint)
    ]
    return ", ".join(keys) or "none"


def _md_text(doc: str) -> str:
    return " ".join(doc.splitlines()).replace("|", r"\|")


def _requests_block(aliases: dict[str, Any]) -> list[str]:
    lines = [
        "| request | answered by (`_kind`) | extra keys | success reply | |",
        "|---|---|---|---|---|",
    ]
    for r in schema.REQUESTS:
        buffers = {0: "", 1: " and one binary buffer"}.get(r.buffers, f" and {r.buffers} buffers")
        reply = f"`{r.reply}` {{{_md_keys(r.answer, aliases)}}}{buffers}"
        lines.append(
            f"| `{r.kind}` | {', '.join(r.widgets)} | {_md_keys(r.fields, aliases)} | {reply} "
            f"| {_md_text(r.doc)} |"
        )
    error = _md_keys(schema.ErrorReply, aliases)
    return [*lines, "", f"Any request may get the error reply `error` {{{error}}} instead."]


def _values_block(aliases: dict[str, Any]) -> list[str]:
    lines = ["| name | values | |", "|---|---|---|"]
    for name, value, doc in _definitions():
        if get_origin(value) is Literal:
            values = ", ".join(f"`{v}`" for v in get_args(value))
            lines.append(f"| `{name}` | {values} | {_md_text(doc)} |")
    return lines


def _shapes_block(aliases: dict[str, Any]) -> list[str]:
    lines = ["| shape | keys | |", "|---|---|---|"]
    for name, value, doc in _definitions():
        if is_typeddict(value) and value.__module__ == shapes.__name__:
            lines.append(f"| `{name}` | {_md_keys(value, aliases)} | {_md_text(doc)} |")
    return lines


_BLOCKS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "requests": _requests_block,
    "values": _values_block,
    "shapes": _shapes_block,
}


def docs(text: str) -> str:
    """Return the documentation page ``text`` with its generated blocks written anew.

    Raises
    ------
    ValueError
        When a block is unknown, or one of the generated blocks is missing.
    """
    aliases = _aliases()
    seen: list[str] = []

    def block(match: re.Match[str]) -> str:
        name = match[2]
        if name not in _BLOCKS:
            raise ValueError(f"unknown generated block {name!r}; known: {', '.join(_BLOCKS)}")
        seen.append(name)
        return match[1] + "\n".join(_BLOCKS[name](aliases)) + "\n" + match[3]

    out = _BLOCK.sub(block, text)
    missing = [name for name in _BLOCKS if name not in seen]
    if missing:
        raise ValueError(f"the page has no generated block {missing[0]!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the command line: ``--ts``, ``--docs FILE`` or ``--write``."""
    parser = argparse.ArgumentParser(
        prog="python -m hydroml_jupyter.widgets.generate", description=__doc__.splitlines()[0]
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--ts", action="store_true", help="print the TypeScript")
    what.add_argument("--docs", type=Path, metavar="FILE", help="print FILE regenerated")
    what.add_argument("--write", action="store_true", help=f"write {TS_PATH.name} and the docs")
    args = parser.parse_args(argv)
    if args.ts:
        sys.stdout.write(typescript())
    elif args.docs is not None:
        sys.stdout.write(docs(args.docs.read_text(encoding="utf-8")))
    else:
        TS_PATH.parent.mkdir(parents=True, exist_ok=True)
        TS_PATH.write_text(typescript(), encoding="utf-8")
        DOCS_PATH.write_text(docs(DOCS_PATH.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
