"""The ``clickhouse`` engine against a real ClickHouse server (clickhouse-connect).

No modern server can be installed on the CI machine, so these run only when
``FILTERLANG_CLICKHOUSE_URL`` points at one (e.g. ``http://default:@localhost:8123``);
otherwise they are skipped and say why. The statement they send is the one the chDB
tests run (``test_chdb_and_clickhouse_send_the_same_statement``), so chDB covers the SQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from worked import P75_INTERQUARTILE, WORKED

from filterlang.metrics import overview
from filterlang.sql.layout import FLAT_COLUMNS, flat_ddl

URL = os.environ.get("FILTERLANG_CLICKHOUSE_URL")
pytestmark = pytest.mark.skipif(
    not URL,
    reason="FILTERLANG_CLICKHOUSE_URL is not set: no ClickHouse server to run the clickhouse engine against "
    "(chDB runs the identical statement in test_overview_engines.py)",
)


@pytest.fixture(scope="module")
def table() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    clickhouse_connect = pytest.importorskip("clickhouse_connect")
    from datetime import UTC, datetime, timedelta

    client = clickhouse_connect.get_client(dsn=URL)
    name = f"filterlang_test_{uuid.uuid4().hex[:12]}"
    base = datetime(2026, 1, 5, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    for i, (u, n) in enumerate(WORKED.items()):
        for j in range(n):
            rows.append(
                {
                    "user_id": u,
                    "cost": (i * 7 + j) / 64,
                    "model": "gpt-4o" if j % 2 else "claude-3-5-sonnet",
                    "status": 200 if j % 5 else 429,
                    "request_created_at": base + timedelta(hours=13 * j + i, milliseconds=j),
                    "prompt_tokens": 100 + j,
                    "completion_tokens": 10 * i,
                    "properties": {"tier": "pro" if i % 2 else "free"},
                    "scores": {},
                    "search_properties": {},
                }
            )
    client.command(flat_ddl("clickhouse", table=name))
    cols = list(FLAT_COLUMNS)
    client.insert(
        name,
        [[r.get(c, {} if FLAT_COLUMNS[c] in ("map", "score_map") else None) for c in cols] for r in rows],
        column_names=cols,
    )
    try:
        yield name, rows
    finally:
        client.command(f"DROP TABLE IF EXISTS {name}")
        client.close()


@pytest.mark.parametrize("method", ["adaptive", "equal"])
@pytest.mark.parametrize("p", ["p50", "p75", "p95", "p99", "p99.9"])
@pytest.mark.parametrize(
    "filter",
    [
        "all",
        {"request_response_rmt": {"model": {"like": "gpt%"}}},
        {"users_view": {"user_total_requests": {"gt": 3}}},
        {
            "left": {"request_response_rmt": {"properties": {"tier": {"equals": "pro"}}}},
            "operator": "or",
            "right": {"request_response_rmt": {"status": {"equals": 429}}},
        },
    ],
)
def test_server_matches_reference(table: tuple[str, list[dict[str, Any]]], filter: Any, p: str, method: str) -> None:
    from test_overview_engines import assert_same

    name, rows = table
    for iqr in (False, True):
        body = {"filter": filter, "pSize": p, "useInterquartile": iqr}
        want = overview(body, rows, engine="reference", method=method)
        got = overview(body, name, engine="clickhouse", url=URL, method=method)
        assert_same(got, want)


def test_worked_example_on_server(table: tuple[str, list[dict[str, Any]]]) -> None:
    name, _ = table
    r = overview({"filter": "all", "pSize": "p75", "useInterquartile": True}, name, engine="clickhouse", url=URL)
    got = [(x["range_start"], x["range_end"], x["value"]) for x in r["data"]["request_count"]]
    assert got == P75_INTERQUARTILE
