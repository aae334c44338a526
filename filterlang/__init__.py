"""filterlang: a readable filter language for the UserFilterNode API.

text --parse--> AST (pydantic UserFilterNode) --> JSON | DSL | SQL | native evaluator

Heavy parts (SQL compilation, engines, the overview) load on first use, so
``import filterlang`` stays fast for tools that only parse.
"""

from __future__ import annotations

import importlib
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

# name -> module that defines it; imported on first attribute access (PEP 562).
_LAZY: dict[str, str] = {
    "parse": "filterlang.dsl.parser",
    "to_dsl": "filterlang.dsl.printer",
    "from_json": "filterlang.jsonio",
    "to_json": "filterlang.jsonio",
    "json_schema": "filterlang.jsonio",
    "as_node": "filterlang.nodes",
    "where_sql": "filterlang.sql",
    "to_sql": "filterlang.sql",
    "to_sqlglot": "filterlang.sql",
    "SqlQuery": "filterlang.sql",
    "compile_predicate": "filterlang.evaluate",
    "overview": "filterlang.metrics",
    "overview_sql": "filterlang.metrics",
    "complete": "filterlang.dsl.complete",
}

if TYPE_CHECKING:
    from .dsl.complete import complete as complete
    from .dsl.parser import parse as parse
    from .dsl.printer import to_dsl as to_dsl
    from .jsonio import from_json as from_json
    from .jsonio import json_schema as json_schema
    from .jsonio import to_json as to_json


# Subpackages reachable as attributes without an explicit import (``filterlang.sql.list_dialects()``).
_SUBMODULES = frozenset({"sql", "dsl", "evaluate", "users", "compat", "jsonio", "sample", "fields", "nodes"})


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        if name in _SUBMODULES:
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module 'filterlang' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
