"""DSL -> parameterized ClickHouse SQL, side by side with sqlglot.transpile of the same WHERE.

    .venv/bin/python benchmarks/bench_sql.py

Rows: the same 10-predicate filter (1) compiled from DSL text by filterlang (parse +
where_sql), (2) compiled from an already parsed AST (where_sql only), (3) a hand-written
ClickHouse WHERE clause round-tripped through ``sqlglot.transpile`` (parse + generate),
the cheapest thing a hand-rolled sqlglot pipeline does. Ratios are vs (3).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlglot

import filterlang
from filterlang.sql import to_sql, where_sql

DSL = (
    'model ~ "gpt-4%" and provider = "openai" and status >= 200 and status < 300 '
    'and cost > 0.0025 and latency <= 1500 and properties["env"] = "prod" '
    'and request_created_at >= "2026-01-01T00:00:00Z" and cached = false and user_id != "null"'
)
HAND = (
    "SELECT * FROM request_response_rmt WHERE model LIKE 'gpt-4%' AND provider = 'openai' AND status >= 200 "
    "AND status < 300 AND cost > 2500000 AND latency <= 1500 AND properties['env'] = 'prod' "
    "AND request_created_at >= toDateTime64('2026-01-01 00:00:00.000', 3, 'UTC') "
    "AND cache_reference_id = '00000000-0000-0000-0000-000000000000' AND user_id IS NOT NULL"
)


def bench(fn: Callable[[], object], seconds: float = 1.5) -> float:
    """Median-free simple timer: calls per second over ~``seconds``, after a warm-up."""
    for _ in range(20):
        fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(50):
            fn()
        n += 50
    return (time.perf_counter() - t0) / n


_counter = iter(range(10**9))


def fresh() -> str:
    """The same filter with a new number each call, so no cache can answer."""
    return DSL.replace("latency <= 1500", f"latency <= {next(_counter)}")


def main() -> None:
    node = filterlang.parse(DSL)
    rows = [
        (
            "filterlang: same DSL text (parse cache hit) -> where_sql",
            lambda: where_sql(filterlang.parse(DSL), dialect="clickhouse", profile="helicone"),
        ),
        (
            "filterlang: AST -> where_sql (clickhouse, helicone, params)",
            lambda: where_sql(node, dialect="clickhouse", profile="helicone"),
        ),
        (
            "filterlang: AST -> to_sql SELECT (clickhouse, helicone, params)",
            lambda: to_sql(node, dialect="clickhouse", profile="helicone"),
        ),
        ("filterlang: DSL text -> parse only (fresh text, no parse cache)", lambda: filterlang.parse(fresh())),
        (
            "filterlang: fresh DSL text -> parse + where_sql",
            lambda: where_sql(filterlang.parse(fresh()), dialect="clickhouse", profile="helicone"),
        ),
        (
            "sqlglot.transpile(hand-written WHERE, clickhouse -> clickhouse)",
            lambda: sqlglot.transpile(HAND, read="clickhouse", write="clickhouse"),
        ),
    ]
    results = [(name, bench(fn)) for name, fn in rows]
    base = results[-1][1]
    print(f"{'pipeline (10-predicate filter)':68} {'µs/call':>10} {'vs transpile':>13}")
    for name, sec in results:
        print(f"{name:68} {sec * 1e6:10.1f} {sec / base:12.2f}x")


if __name__ == "__main__":
    main()
