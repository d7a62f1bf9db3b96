"""The catalog of cleaning operations.

Each operation is one registered class in a module of this package; importing the
package imports every module in it, so a new operation is one new module. Build one
with :func:`make_operation` (parameters are checked); :func:`describe` says what it
takes, for every face.
"""

import importlib
import pkgutil

from hydroml_jupyter.engine.ops.base import (
    Failure,
    Operation,
    catalog,
    literal,
    make_operation,
    operation_class,
    register,
    unregister,
)
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import OperationSpec, ParamSpec, describe, param

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")

__all__ = [
    "Failure",
    "Operation",
    "OperationSpec",
    "ParamSpec",
    "ShortForm",
    "catalog",
    "describe",
    "literal",
    "make_operation",
    "operation_class",
    "param",
    "register",
    "unregister",
]
