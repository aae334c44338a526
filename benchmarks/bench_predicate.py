"""Native predicate throughput on 1M row dicts, vs a hand-written Python lambda.

    .venv/bin/python benchmarks/bench_predicate.py [--rows 1000000]

Target (issue 3): >= 500k rows/s on 1M rows. The hand-written lambda is the floor any
closure-compiling evaluator can approach in CPython (same tests, no NULL handling
beyond what the data needs), so the ratio shows the cost of generality.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import filterlang
from filterlang.evaluate import compile_predicate

MODELS = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "gemini-1.5-pro", "llama-3-70b", None]
PROVIDERS = ["openai", "anthropic", "google", "meta"]


def make_rows(n: int, seed: int = 1) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        out.append(
            {
                "request_id": f"r{i}",
                "user_id": f"u{int(rnd.paretovariate(1.2)) % 5000}",
                "model": rnd.choice(MODELS),
                "provider": rnd.choice(PROVIDERS),
                "status": rnd.choice((200, 200, 200, 200, 429, 500)),
                "latency": int(rnd.lognormvariate(6, 1)),
                "cost": rnd.random() * 0.01,
                "cached": rnd.random() < 0.1,
                "request_created_at": t0 + timedelta(seconds=rnd.randrange(30 * 86400)),
                "properties": {"env": rnd.choice(("prod", "dev"))} if rnd.random() < 0.7 else {},
            }
        )
    return out


CASES: list[tuple[str, str, Callable[[dict[str, Any]], bool]]] = [
    (
        '1 predicate: model ~ "gpt%"',
        'model ~ "gpt%"',
        lambda r: (m := r.get("model")) is not None and m.startswith("gpt"),
    ),
    (
        '1 predicate, general LIKE: model ~ "g_t%4o%mini"',
        'model ~ "g_t%4o%mini"',
        lambda r: (
            (m := r.get("model")) is not None
            and len(m) >= 3
            and m[0] == "g"
            and m[2:3] == "t"
            and "4o" in m[3:]
            and m.endswith("mini")
            and m.find("4o", 3) + 2 <= len(m) - 4
        ),
    ),
    (
        "3 predicates: model, status, cost",
        'model ~ "gpt%" and status = 200 and cost > 0.002',
        lambda r: (
            (m := r.get("model")) is not None
            and m.startswith("gpt")
            and r.get("status") == 200
            and (c := r.get("cost")) is not None
            and c > 0.002
        ),
    ),
    (
        "3 predicates, or: provider / cached / latency",
        'provider = "anthropic" or cached = true or latency > 2000',
        lambda r: (
            r.get("provider") == "anthropic"
            or r.get("cached") is True
            or ((x := r.get("latency")) is not None and x > 2000)
        ),
    ),
]
TEN = (
    'model ~ "gpt-4%" and provider = "openai" and status >= 200 and status < 300 and cost > 0.0025 '
    'and latency <= 1500 and properties["env"] = "prod" and request_created_at >= "2026-01-05T00:00:00Z" '
    'and cached = false and user_id != "null"'
)


def rate(pred: Callable[[dict[str, Any]], bool], rows: list[dict[str, Any]]) -> tuple[float, int]:
    best = float("inf")
    kept = 0
    for _ in range(3):
        t0 = time.perf_counter()
        kept = sum(1 for r in rows if pred(r))
        best = min(best, time.perf_counter() - t0)
    return len(rows) / best, kept


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    n = ap.parse_args().rows
    t0 = time.perf_counter()
    rows = make_rows(n)
    print(f"generated {n:,} rows in {time.perf_counter() - t0:.1f}s\n")
    print(f"{'filter':48} {'compile_predicate':>18} {'hand lambda':>13} {'ratio':>7} {'kept':>9}")
    for name, dsl, hand in CASES:
        pred = compile_predicate(filterlang.parse(dsl))
        r1, k1 = rate(pred, rows)
        r2, k2 = rate(hand, rows)
        assert k1 == k2, (name, k1, k2)
        print(f"{name:48} {r1 / 1e3:14.0f}k/s {r2 / 1e3:9.0f}k/s {r1 / r2:6.2f}x {k1:9,}")
    pred = compile_predicate(filterlang.parse(TEN))
    r1, k1 = rate(pred, rows)
    print(f"{'10 predicates (the bench_sql.py filter)':48} {r1 / 1e3:14.0f}k/s {'-':>13} {'':>7} {k1:9,}")


if __name__ == "__main__":
    main()
