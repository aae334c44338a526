"""Any filter the language can express compiles in every dialect, and inline SQL re-parses."""

from __future__ import annotations

import sqlglot
from hypothesis import given, settings
from strategies import any_nodes

from filterlang.evaluate import compile_predicate
from filterlang.nodes import Node
from filterlang.sql import list_dialects, where_sql

DIALECTS = list_dialects()


@settings(max_examples=60)
@given(any_nodes(max_leaves=8))
def test_every_dialect_compiles_and_inline_reparses(node: Node) -> None:
    compile_predicate(node)({})  # the evaluator accepts it too (all fields NULL)
    for dialect in DIALECTS:
        q = where_sql(node, dialect=dialect)
        assert all(name in q.sql for name in q.params) or dialect in ("trino", "tsql")  # ? is positional
        inline = where_sql(node, dialect=dialect, inline=True)
        assert inline.params == {}
        if "\x00" in inline.sql and dialect in ("postgres", "sqlite", "redshift"):
            continue  # these engines cannot hold NUL in text anyway (docs/sql.md)
        sqlglot.parse_one("SELECT 1 FROM requests WHERE " + inline.sql, read=dialect)
