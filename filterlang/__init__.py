"""filterlang: a readable filter language for the UserFilterNode API.

text --parse--> AST (pydantic UserFilterNode) --> JSON | DSL | SQL | native evaluator

Heavy parts (SQL compilation, engines, the overview) load on first use, so
``import filterlang`` stays fast for tools that only parse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import FilterError, FilterLimitError, FilterSchemaError, FilterSyntaxError, FilterTypeError
from .limits import DEFAULT_LIMITS, Limits
from .nodes import (
    ALL,
    BooleanOperators,
    Condition,
    FilterBranch,
    FilterLeaf,
    Node,
    NumberOperators,
    PropertyKeyOperators,
    RequestResponseFilter,
    TextOperators,
    TimestampOperators,
    UserFilterNode,
    UsersViewFilter,
)

# The one place the version is written; pyproject.toml reads it from here.
__version__ = "0.1.0"

# name -> module that defines it; imported on first attribute access (PEP 562).
_LAZY: dict[str, str] = {
    "parse": "filterlang.dsl.parser",
    "to_dsl": "filterlang.dsl.printer",
    "from_json": "filterlang.jsonio",
    "to_json": "filterlang.jsonio",
    "json_schema": "filterlang.jsonio",
    "as_node": "filterlang.nodes",
    "check": "filterlang.compat",
    "where_sql": "filterlang.sql",
    "to_sql": "filterlang.sql",
    "to_sqlglot": "filterlang.sql",
    "SqlQuery": "filterlang.sql",
    "compile_predicate": "filterlang.evaluate",
    "overview": "filterlang.metrics",
    "overview_sql": "filterlang.metrics",
    "complete": "filterlang.dsl.complete",
}

if TYPE_CHECKING:  # the same names, for type checkers and editors (tests check they match _LAZY)
    from .compat import check as check
    from .dsl.complete import complete as complete
    from .dsl.parser import parse as parse
    from .dsl.printer import to_dsl as to_dsl
    from .evaluate import compile_predicate as compile_predicate
    from .jsonio import from_json as from_json
    from .jsonio import json_schema as json_schema
    from .jsonio import to_json as to_json
    from .metrics import overview as overview
    from .metrics import overview_sql as overview_sql
    from .nodes import as_node as as_node
    from .sql import SqlQuery as SqlQuery
    from .sql import to_sql as to_sql
    from .sql import to_sqlglot as to_sqlglot
    from .sql import where_sql as where_sql


# Subpackages reachable as attributes without an explicit import (``filterlang.sql.list_dialects()``).
_SUBMODULES = frozenset(
    {"sql", "dsl", "metrics", "evaluate", "users", "compat", "jsonio", "sample", "fields", "nodes", "errors", "limits"}
)


def __getattr__(name: str) -> Any:
    from importlib import import_module

    module = _LAZY.get(name)
    if module is None:
        if name in _SUBMODULES:
            return import_module(f"{__name__}.{name}")
        raise AttributeError(f"module 'filterlang' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Public names only: the API, ``__version__`` and the documented submodules."""
    return sorted({*__all__, "__version__", *_SUBMODULES})


__all__ = [
    "ALL",
    "DEFAULT_LIMITS",
    "BooleanOperators",
    "Condition",
    "FilterBranch",
    "FilterError",
    "FilterLeaf",
    "FilterLimitError",
    "FilterSchemaError",
    "FilterSyntaxError",
    "FilterTypeError",
    "Limits",
    "Node",
    "NumberOperators",
    "PropertyKeyOperators",
    "RequestResponseFilter",
    "SqlQuery",
    "TextOperators",
    "TimestampOperators",
    "UserFilterNode",
    "UsersViewFilter",
    "as_node",
    "check",
    "compile_predicate",
    "complete",
    "from_json",
    "json_schema",
    "overview",
    "overview_sql",
    "parse",
    "to_dsl",
    "to_json",
    "to_sql",
    "to_sqlglot",
    "where_sql",
]
