"""The exact statement the ``clickhouse`` engine sends to a server, run on ClickHouse tables in chDB.

A server cannot be installed here, but chDB is the same engine: these tests create the
tables a server would have (the flat layout, and upstream's ``request_response_rmt`` with
nano-USD costs and a tenant column) in a chDB session and run ``clickhouse_query(...,
source=None)``, the text the clickhouse transport sends, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_overview_engines import assert_same

from filterlang.metrics import overview
from filterlang.metrics.engines import _bins_from_arrow, clickhouse_query
from filterlang.metrics.histogram import to_rows
from filterlang.metrics.request import parse_request
from filterlang.sql import chdb_params, flat_ddl, helicone_profile

pytest.importorskip("chdb")

HELICONE_DDL = """
CREATE TABLE request_response_rmt (
  user_id String, organization_id String, model String, status Int32,
  cost UInt64, prompt_tokens Int64, completion_tokens Int64,
  request_created_at DateTime64(3), properties Map(LowCardinality(String), String),
  scores Map(LowCardinality(String), Int64), cache_reference_id String
) ENGINE = Memory
"""


def make_rows() -> list[dict[str, Any]]:
    base = datetime(2026, 1, 5, tzinfo=UTC)
    users = {"a": 1, "b": 2, "c": 3, "d": 5, "e": 8, "f": 13, "g": 40, "": 4}
    out = []
    for i, (u, n) in enumerate(users.items()):
        for j in range(n):
            out.append(
                {
                    "user_id": u,
                    "organization_id": "org-1" if (i + j) % 3 else "org-2",
                    "model": "gpt-4o" if j % 2 else "claude-3-5-sonnet",
                    "status": 200 if j % 4 else 500,
                    "cost": (i * 13 + j * 5) / 64 + 2.5,  # above $2.15: nano-USD beyond Int32
                    "prompt_tokens": 100 + j,
                    "completion_tokens": 7 * i,
                    "request_created_at": base + timedelta(hours=11 * j + i, milliseconds=j),
                    "properties": {"tier": "pro" if i % 2 else "free"},
                    "scores": {},
                }
            )
    return out


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    from chdb.session import Session

    rows = make_rows()
    sess = Session()
    sess.query(flat_ddl("clickhouse"), "CSV")
    sess.query(HELICONE_DDL, "CSV")

    def lit(v: Any) -> str:
        if isinstance(v, dict):
            return "map(" + ", ".join(f"{lit(k)}, {lit(x)}" for k, x in v.items()) + ")" if v else "map()"
        if isinstance(v, datetime):
            return f"toDateTime64('{v.strftime('%Y-%m-%d %H:%M:%S.%f')[:23]}', 3, 'UTC')"
        if isinstance(v, str):
            return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return repr(v)

    flat_cols = [
        "user_id",
        "organization_id",
        "model",
        "status",
        "cost",
        "prompt_tokens",
        "completion_tokens",
        "request_created_at",
        "properties",
        "scores",
    ]
    values = ", ".join("(" + ", ".join(lit(r[c]) for c in flat_cols) + ")" for r in rows)
    sess.query(f"INSERT INTO requests ({', '.join(flat_cols)}) VALUES {values}", "CSV")
    heli = ", ".join(
        "(" + ", ".join(lit(round(r[c] * 10**9)) if c == "cost" else lit(r[c]) for c in flat_cols) + ", "
        "'00000000-0000-0000-0000-000000000000')"
        for r in rows
    )
    sess.query(f"INSERT INTO request_response_rmt ({', '.join(flat_cols)}, cache_reference_id) VALUES {heli}", "CSV")
    try:
        yield sess, rows
    finally:
        sess.close()


def run_server_sql(sess: Any, body: dict[str, Any], method: str, profile: Any = "flat") -> dict[str, Any]:
    sql, params = clickhouse_query(parse_request(body), source=None, method=method, bins=10, profile=profile)
    row = sess.query(sql, "ArrowTable", params=chdb_params(params)).to_pylist()[0]
    return {"data": {m: to_rows(_bins_from_arrow(row[m])) for m in ("request_count", "user_cost")}, "error": None}


FILTERS = [
    "all",
    {"request_response_rmt": {"model": {"like": "gpt%"}}},
    {"users_view": {"user_total_requests": {"gt": 3}}},
    {
        "left": {"users_view": {"user_cost": {"gt": 20}}},
        "operator": "or",
        "right": {"request_response_rmt": {"status": {"equals": 500}}},
    },
]


@pytest.mark.parametrize("method", ["adaptive", "equal"])
@pytest.mark.parametrize("filter", FILTERS)
def test_server_statement_on_a_flat_table(session: Any, filter: Any, method: str) -> None:
    sess, rows = session
    for p in ("p50", "p75", "p95", "p99", "p99.9"):
        for iqr in (False, True):
            body = {"filter": filter, "pSize": p, "useInterquartile": iqr}
            assert_same(run_server_sql(sess, body, method), overview(body, rows, engine="reference", method=method))


@pytest.mark.parametrize("filter", FILTERS)
def test_upstream_table_with_tenant_guard(session: Any, filter: Any) -> None:
    """Upstream's layout (nano-USD UInt64 cost) and an `or` filter cannot escape the tenant."""
    sess, rows = session
    mine = [r for r in rows if r["organization_id"] == "org-1"]
    for p in ("p75", "p99.9"):
        body = {"filter": filter, "pSize": p, "useInterquartile": False}
        got = run_server_sql(sess, body, "adaptive", profile=helicone_profile("org-1"))
        # users_view values are per tenant too (the compiler restricts its per-user subquery)
        assert_same(got, overview(body, mine, engine="reference"))
        everyone = run_server_sql(sess, body, "adaptive", profile="helicone")
        assert_same(everyone, overview(body, rows, engine="reference"))
