"""The ``spark`` dialect executed on a real SparkSession, row for row with the native evaluator.

Generated filters x adversarial rows (tests/rows.py), parameterized with Spark's named
markers (``spark.sql(text, args={"p0": ...})``) and inlined; the injection strings as
values and map keys. ``databricks`` is the same SQL (an alias row in the dialect table),
checked to stay byte-identical. One SparkSession for the whole run (conftest_spark).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest_spark import load_spark, spark  # noqa: F401  (session fixture)
from hypothesis import given, settings
from hypothesis import strategies as st
from rows import filters, injection_filters, injection_rows, rows
from strategies import any_nodes

from filterlang.evaluate import compile_predicate
from filterlang.nodes import Condition, Node, make_leaf
from filterlang.sql import SqlQuery, to_sql, users_sql, where_sql
from filterlang.users import add_user_fields

pytestmark = pytest.mark.spark


def run(session: Any, q: SqlQuery) -> set[str]:
    df = session.sql(q.sql, args=q.params) if q.params else session.sql(q.sql)
    return {r[0] for r in df.collect()}


def check(session: Any, data: list[dict[str, Any]], flts: list[Node], *, users: bool = True) -> None:
    """``users=False``: the filters use no users_view field (the rows need not form valid users)."""
    load_spark(session, data)
    full = add_user_fields(data) if users else data
    for node in flts:
        want = {r["request_id"] for r in full if compile_predicate(node)(r)}
        for inline in (False, True):
            q = to_sql(node, dialect="spark", columns=["request_id"], inline=inline)
            assert run(session, q) == want, ("inline" if inline else "params", q.sql, q.params)
            db = to_sql(node, dialect="databricks", columns=["request_id"], inline=inline)
            assert (db.sql, db.params) == (q.sql, q.params)


def scenario() -> st.SearchStrategy[tuple[list[dict[str, Any]], list[Node]]]:
    return rows(nul=True, far=True).flatmap(
        lambda d: st.tuples(st.just(d), st.lists(filters(d, nul=True), min_size=1, max_size=3))
    )


@settings(max_examples=12)
@given(scenario())
def test_spark_agrees_with_the_evaluator(spark: Any, case: tuple[list[dict[str, Any]], list[Node]]) -> None:  # noqa: F811
    check(spark, *case)


@settings(max_examples=6)
@given(rows(nul=True), st.lists(any_nodes(max_leaves=6), min_size=1, max_size=2))
def test_language_filters_agree_on_spark(spark: Any, data: list[dict[str, Any]], flts: list[Node]) -> None:  # noqa: F811
    check(spark, data, flts)


def test_injection_values_and_keys_keep_only_matching_rows(spark: Any) -> None:  # noqa: F811
    data = injection_rows(nul=True)
    flts = injection_filters(data)
    load_spark(spark, data)
    full = add_user_fields(data)
    # one query per mode: each filter a boolean column, so ~200 filters cost two Spark jobs
    users = users_sql(dialect="spark")
    for inline in (False, True):
        params: dict[str, Any] = {}
        sel: list[str] = []
        for i, node in enumerate(flts):
            w = where_sql(node, dialect="spark", inline=inline, params_prefix=f"f{i}_")
            sel.append(f"COALESCE({w.sql}, FALSE) AS c{i}")
            params.update(w.params)
        text = (
            f"SELECT requests.request_id, {', '.join(sel)} FROM requests "
            f"LEFT JOIN ({users.sql}) AS users_view ON requests.user_id = users_view.user_id"
        )
        got = spark.sql(text, args=params).collect() if params else spark.sql(text).collect()
        for i, node in enumerate(flts):
            want = {r["request_id"] for r in full if compile_predicate(node)(r)}
            assert {row[0] for row in got if row[i + 1]} == want, (inline, node)
    assert run(spark, to_sql("all", dialect="spark", columns=["request_id"])) == {r["request_id"] for r in data}


FAR_BOUNDS = ["0001-01-01T00:00:00Z", "0999-12-31T23:59:59.999Z", "1899-12-31T23:59:59Z", "9999-12-31T23:59:59.999Z"]


def test_far_timestamps_and_big_numbers_compare_exactly(spark: Any) -> None:  # noqa: F811
    from datetime import UTC, datetime

    from rows import FAR

    stamps = [datetime(2026, 1, 31, tzinfo=UTC), datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=UTC), *FAR, None]
    data = [{"request_id": f"r{i}", "user_id": "alice", "request_created_at": t} for i, t in enumerate(stamps)]
    ops = ("gt", "gte", "lt", "lte", "equals")
    check(spark, data, [make_leaf(Condition("request_created_at", op, v)) for v in FAR_BOUNDS for op in ops])
    costs = [float(2**63), float(2**53), float(2**53 + 2), 1e30, -float(2**63), 1.5, None]
    data = [{"request_id": f"r{i}", "user_id": "u", "cost": c} for i, c in enumerate(costs)]
    bounds = [2**63 - 1, 2**53 + 1, 10**30, -(10**400), 1]
    ops = ("equals", "gt", "lte")
    # costs of 2^63 USD and 1e30 USD have no nano-USD value (no valid users_view): row filters only
    check(spark, data, [make_leaf(Condition("cost", op, b)) for b in bounds for op in ops], users=False)
    data = [{"request_id": f"r{i}", "latency": v} for i, v in enumerate([2**63 - 1, -(2**63), 2**53 + 1, None])]
    ints = [10**30, 2**63 - 1, 2**64, 9007199254740992.0, 2.5]
    check(spark, data, [make_leaf(Condition("latency", op, b)) for b in ints for op in ops])


def test_user_cost_is_the_exact_nano_sum_on_spark(spark: Any) -> None:  # noqa: F811
    costs = [0.1, 0.2, 0.2, 0.3, 0.3, 0.1, 0.1, 0.2, 0.1, 0.1, 0.3, 0.3, 0.3, 0.2, 0.1, 0.2, 0.2]  # exactly 3.3
    data = [{"request_id": f"a{i}", "user_id": "a", "cost": c} for i, c in enumerate(costs)]
    data += [
        {"request_id": "b0", "user_id": "b", "cost": 3.3},
        {"request_id": "b1", "user_id": "b", "cost": 1e-9},
        {"request_id": "n0", "user_id": "n", "cost": None},
        {"request_id": "z0", "user_id": None, "cost": 0.5},
    ]
    check(spark, data, [make_leaf(Condition("user_cost", op, v)) for op in ("equals", "lte") for v in (3.3, 0)])
