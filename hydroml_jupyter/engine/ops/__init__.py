"""The catalog of cleaning operations.

Each operation is one registered class; importing this package registers the
built-in ones. Build one with :func:`make_operation` (parameters are checked).
"""

from hydroml_jupyter.engine.ops import (  # noqa: F401  (each module registers its operations)
    aggregate,
    cast,
    columns,
    derived,
    encode,
    missing,
    rows,
    values,
)
from hydroml_jupyter.engine.ops.base import (
    Failure,
    Operation,
    catalog,
    literal,
    make_operation,
    operation_class,
    register,
)

__all__ = [
    "Failure",
    "Operation",
    "catalog",
    "literal",
    "make_operation",
    "operation_class",
    "register",
]
