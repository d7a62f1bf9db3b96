"""The layers hold: no module imports one of a higher layer, not even lazily.

engine, io and analysis → store → experiments → faces (widgets, magics, server). The
package's ``__init__`` is where the layers meet; the base modules (errors, messages,
listeners, extensions, labels) sit under everything.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hydroml_jupyter"

BASE, ENGINE, STORE, EXPERIMENTS, FACES, ROOT = range(6)
LAYERS = {
    "errors": BASE,
    "messages": BASE,
    "listeners": BASE,
    "extensions": BASE,
    "labels": BASE,
    "engine": ENGINE,
    "io": ENGINE,
    "analysis": ENGINE,
    "store": STORE,
    "experiments": EXPERIMENTS,
    "widgets": FACES,
    "magics": FACES,
    "server": FACES,
}
NAMES = {BASE: "base", ENGINE: "engine", STORE: "store", EXPERIMENTS: "experiments"}
NAMES |= {FACES: "faces", ROOT: "the package root"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "hydroml_jupyter":
        return None
    if len(parts) == 1:
        return ROOT
    return LAYERS.get(parts[1])


def is_module(dotted: str) -> bool:
    relative = Path(*dotted.split(".")[1:])
    return (PACKAGE / relative).is_dir() or (PACKAGE / relative).with_suffix(".py").is_file()


def imported(path: Path, module: str) -> list[tuple[int, str]]:
    """Every module ``path`` imports, wherever the import is (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            for alias in node.names:
                # ``from pkg import sub`` imports the module pkg.sub when there is one
                dotted = f"{stem}.{alias.name}"
                found.append((node.lineno, dotted if is_module(dotted) else stem))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def violations(files: dict[Path, str] | None = None) -> list[str]:
    """Upward imports of ``files`` (path → module name; default: every module)."""
    if files is None:
        files = {path: module_name(path) for path in sorted(PACKAGE.rglob("*.py"))}
    found = []
    for path, module in files.items():
        mine = layer_of(module)
        if mine is None or mine == ROOT:
            continue
        for line, target in imported(path, module):
            theirs = layer_of(target)
            if theirs is None or theirs <= mine:
                continue
            if mine == FACES and theirs == ROOT:
                continue  # faces use the public API (``import hydroml_jupyter as hj``)
            found.append(f"{module}:{line}: {NAMES[mine]} imports {target} ({NAMES[theirs]})")
    return found


def test_every_module_belongs_to_a_layer() -> None:
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in PACKAGE.glob("*")}
    # built front-end assets: the widget bundle and the prebuilt JupyterLab extension
    assets = {"static", "labextension"}
    unknown = tops - set(LAYERS) - assets - {"__init__", "__pycache__", "py.typed"}
    assert not unknown, f"modules with no layer (add them to LAYERS): {sorted(unknown)}"


def test_no_module_imports_a_higher_layer() -> None:
    assert violations() == []


def test_the_walk_sees_lazy_and_dynamic_imports(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "def f():\n"
        "    from hydroml_jupyter.experiments import train\n"
        "    import importlib\n"
        "    importlib.import_module('hydroml_jupyter.widgets')\n"
        "    from ..store import persist\n"
    )
    found = sorted(violations({planted: "hydroml_jupyter.engine.planted"}))
    assert [v.split(": ", 1)[1] for v in found] == [
        "engine imports hydroml_jupyter.experiments.train (experiments)",
        "engine imports hydroml_jupyter.widgets (faces)",
        "engine imports hydroml_jupyter.store.persist (store)",
    ]


@pytest.mark.parametrize(
    ("module", "above"),
    [
        ("hydroml_jupyter.engine", ("store", "experiments", "widgets", "magics", "server")),
        ("hydroml_jupyter.store", ("experiments", "widgets", "magics", "server")),
        ("hydroml_jupyter.experiments", ("widgets", "magics", "server")),
    ],
)
def test_importing_a_layer_loads_nothing_above_it(module: str, above: tuple[str, ...]) -> None:
    code = (
        f"import sys, {module}\n"
        "print(sorted({m.split('.')[1] for m in sys.modules\n"
        "              if m.startswith('hydroml_jupyter.')}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(out.stdout.strip()))
    assert not loaded & set(above), out.stdout
