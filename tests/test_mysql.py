"""The ``mysql`` dialect executed on a real MariaDB server, row for row with the native evaluator.

Generated filters x adversarial rows (tests/rows.py), with PyMySQL's ``%(p0)s`` parameters
and inlined, plus the injection strings. The table uses the layout docs/sql.md recommends
for MySQL/MariaDB: text columns in ``utf8mb4_nopad_bin`` (the default collations compare
case- and accent-insensitively), DATETIME(3) in UTC, maps as JSON. Instants before year
1000 do not fit DATETIME, so the data stays within 1000-9999 (bounds may be anywhere).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest_mysql import mysql_conn_args  # noqa: F401  (session fixture)
from hypothesis import given, settings
from hypothesis import strategies as st
from rows import filters, injection_filters, injection_rows, rows

from filterlang.evaluate import compile_predicate
from filterlang.nodes import Condition, Node, make_leaf
from filterlang.sql import SqlQuery, to_sql
from filterlang.sql.layout import FLAT_COLUMNS
from filterlang.users import add_user_fields

pytestmark = pytest.mark.mysql

MYSQL_TYPES = {
    "text": "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin",
    "cost": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "timestamp": "DATETIME(3)",
    "map": "JSON",
    "score_map": "JSON",
}
DDL = "CREATE TABLE requests (" + ", ".join(f"`{n}` {MYSQL_TYPES[t]}" for n, t in FLAT_COLUMNS.items()) + ")"


@pytest.fixture(scope="module")
def my(mysql_conn_args: dict[str, Any]) -> Iterator[Any]:  # noqa: F811
    import pymysql

    conn = pymysql.connect(**mysql_conn_args, charset="utf8mb4", autocommit=True)
    with conn.cursor() as cur:
        cur.execute("CREATE DATABASE IF NOT EXISTS filterlang")
        cur.execute("USE filterlang")
        cur.execute("SET time_zone = '+00:00'")
    yield conn
    conn.close()


def _value(t: str, v: Any) -> Any:
    if v is None:
        return None
    if t == "timestamp":
        return v.astimezone(UTC).replace(tzinfo=None)
    if t in ("map", "score_map"):
        return json.dumps(v, ensure_ascii=False)
    return v


def load(conn: Any, data: list[dict[str, Any]]) -> None:
    cols = list(FLAT_COLUMNS)
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS requests")
        cur.execute(DDL)
        if data:
            cur.executemany(
                f"INSERT INTO requests VALUES ({', '.join(['%s'] * len(cols))})",
                [[_value(FLAT_COLUMNS[c], r.get(c)) for c in cols] for r in data],
            )


def run(conn: Any, q: SqlQuery) -> set[str]:
    with conn.cursor() as cur:
        cur.execute(q.sql, q.params or None)
        return {r[0] for r in cur.fetchall()}


def check(conn: Any, data: list[dict[str, Any]], flts: list[Node]) -> None:
    load(conn, data)
    full = add_user_fields(data)
    for node in flts:
        want = {r["request_id"] for r in full if compile_predicate(node)(r)}
        for inline in (False, True):
            q = to_sql(node, dialect="mysql", columns=["request_id"], inline=inline)
            assert run(conn, q) == want, ("inline" if inline else "params", q.sql, q.params)


@settings(max_examples=40)
@given(rows(nul=True, far=False).flatmap(lambda d: st.tuples(st.just(d), st.lists(filters(d), min_size=1, max_size=3))))
def test_mariadb_agrees_with_the_evaluator(my: Any, case: tuple[list[dict[str, Any]], list[Node]]) -> None:
    check(my, *case)


def test_injection_values_and_keys_keep_only_matching_rows(my: Any) -> None:
    data = injection_rows(nul=True)
    flts = injection_filters(data)
    check(my, data, flts)
    assert run(my, to_sql("all", dialect="mysql", columns=["request_id"])) == {r["request_id"] for r in data}


def test_far_timestamp_bounds_compare_exactly(my: Any) -> None:
    stamps = [
        datetime(2026, 1, 31, tzinfo=UTC),
        datetime(1000, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        None,
    ]
    data = [{"request_id": f"r{i}", "user_id": "a", "request_created_at": t} for i, t in enumerate(stamps)]
    bounds = ["0001-01-01T00:00:00Z", "0999-12-31T23:59:59.999Z", "1000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"]
    check(
        my,
        data,
        [
            make_leaf(Condition("request_created_at", op, b))
            for b in bounds
            for op in ("gt", "gte", "lt", "lte", "equals")
        ],
    )


def test_case_folding_is_ascii_only(my: Any) -> None:
    data = [
        {"request_id": f"r{i}", "model": v} for i, v in enumerate(["É", "é", "Émile", "STRASSE", "straße", "a ", "a"])
    ]
    conds = [
        Condition(f, op, v)
        for f in ("model",)
        for op in ("equals", "not-equals", "like", "ilike", "contains", "not-contains")
        for v in ("é", "É", "émile", "strasse", "STRASSE", "a", "a ", "%É%")
    ]
    check(my, data, [make_leaf(c) for c in conds])
