"""user_cost is summed exactly in integer nano-USD, so every engine cuts at the same double.

QA found chDB (``sumKahan``) and the reference (``math.fsum``) a last bit apart on ordinary
decimal costs, which moved a user across the p50 cut. Now each row's cost becomes
``floor(cost * 1e9 + 0.5)`` (double arithmetic, identical in Python, DuckDB and ClickHouse),
the integers are added exactly and the sum is divided by 1e9 once: the answers must be
*equal*, not close.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filterlang.metrics import overview
from filterlang.metrics.reference import cost_nanos, nanos_to_usd, user_measures
from filterlang.metrics.sources import table_from_rows
from filterlang.metrics.sql import overview_sql
from filterlang.sql.compiler import fill
from filterlang.sql.dialects import DIALECTS


def spelled(dialect: str, fact: str, operand: str) -> str:
    """A nano-USD fact of the dialect table applied to ``operand`` (SQL of that dialect)."""
    import sqlglot

    template: str = getattr(DIALECTS[dialect], fact)
    return fill(template, dialect, v=sqlglot.parse_one(operand, read=dialect)).sql(dialect)


duckdb = pytest.importorskip("duckdb")
chdb = pytest.importorskip("chdb")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ENGINES = ["reference", "duckdb", "chdb"]
QA_COSTS_A = [0.1, 0.2, 0.2, 0.3, 0.3, 0.1, 0.1, 0.2, 0.1, 0.1, 0.3, 0.3, 0.3, 0.2, 0.1, 0.2, 0.2]


def _qa_rows() -> list[dict[str, Any]]:
    return [{"user_id": "a", "cost": c} for c in QA_COSTS_A] + [
        {"user_id": "b", "cost": 3.3},
        {"user_id": "c", "cost": 1.0},
    ]


def _run(rows: list[dict[str, Any]], engine: str, request: dict[str, Any], method: str = "adaptive") -> Any:
    src: Any = rows if engine == "reference" else table_from_rows(rows, columns=["user_id", "cost"])
    return overview(request, src, engine=engine, method=method)


@pytest.mark.parametrize("engine", ENGINES)
def test_qa_repro_every_engine_keeps_three_users(engine: str) -> None:
    assert math.fsum(QA_COSTS_A) == 3.3 and sum(QA_COSTS_A) != 3.3  # the trap: a float sum is off
    result = _run(_qa_rows(), engine, {"filter": "all", "pSize": "p50", "useInterquartile": False})
    assert result["error"] is None
    assert sum(r["value"] for r in result["data"]["user_cost"]) == 3  # a, b (both 3.3) and c
    assert result == _run(_qa_rows(), "reference", {"filter": "all", "pSize": "p50", "useInterquartile": False})


def test_reference_user_cost_is_the_nano_sum() -> None:
    _, costs = user_measures(_qa_rows())
    assert costs == [1.0, 3.3, 3.3]
    assert cost_nanos(0.1) == 100_000_000 and cost_nanos(0.0032156669999999997) == 3_215_667


def _tricky_doubles() -> list[float]:
    rnd = random.Random(11)
    xs = [0.1, 0.2, 0.3, 3.3, 1e-9, 0.5e-9, 1.5e-9, 2.5e-9, 0.30000000000000004, 1e-12, 9.2e9, 0.0]
    xs += [(k + 0.5) / 1e9 for k in range(300)]  # x * 1e9 lands on or next to k + 0.5
    xs += [rnd.random() * 10 ** rnd.randint(-12, 6) for _ in range(500)]
    xs += [round(rnd.random() * 100, rnd.randint(1, 9)) for _ in range(500)]
    xs += [math.nextafter(x, math.inf) for x in xs[:200]] + [math.nextafter(x, -math.inf) for x in xs[:200]]
    return xs + [-x for x in xs[:100]]


def test_per_row_nanos_identical_on_duckdb_and_chdb(tmp_path: Any) -> None:
    xs = _tricky_doubles()
    want = [cost_nanos(x) for x in xs]
    con = duckdb.connect()
    con.register("t", pa.table({"i": list(range(len(xs))), "x": xs}))
    duck = [r[0] for r in con.sql(f"SELECT {spelled('duckdb', 'nanos', 'x')} FROM t ORDER BY i").fetchall()]
    assert duck == want
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"i": list(range(len(xs))), "x": xs}), path)
    expr = spelled("clickhouse", "nanos", "x")
    out = chdb.query(f"SELECT toString({expr}) AS n FROM file('{path}', Parquet) ORDER BY i", "ArrowTable")
    assert [int(v) for v in out.column("n").to_pylist()] == want


@pytest.mark.parametrize("total", [0, -5, 3_300_000_000, 2**53 + 1, 2**53 + 3, 2**62 + 12345, -(2**62) - 7])
def test_sum_to_usd_identical(total: int) -> None:
    want = nanos_to_usd(total)
    duck = duckdb.sql(f"SELECT {spelled('duckdb', 'nanos_usd', f'CAST({total} AS HUGEINT)')}").fetchall()
    assert duck[0][0] == want
    ch = chdb.query(f"SELECT {spelled('clickhouse', 'nanos_usd', f'toInt128({total})')}", "CSV")
    assert float(ch.data().strip()) == want


def test_integer_nano_profile_sums_the_integers() -> None:
    q = overview_sql({"filter": "all", "pSize": "p95", "useInterquartile": False}, profile="helicone")
    per_user = q.sql.split("sorted AS")[0]
    assert "SUM(toInt128(request_response_rmt.cost))" in per_user and "FLOOR" not in per_user.upper()


_decimal_cost = st.one_of(
    st.integers(0, 40).map(lambda k: k / 10),
    st.integers(0, 400).map(lambda k: k / 100),
    st.integers(0, 10**6).map(lambda k: k * 0.000001),
    st.floats(0, 50, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=40)
@given(
    st.lists(st.tuples(st.sampled_from("abcdef"), _decimal_cost), min_size=1, max_size=60),
    st.sampled_from(["p50", "p75", "p95"]),
    st.booleans(),
    st.sampled_from(["adaptive", "equal"]),
)
def test_engines_equal_reference_exactly(pairs: list[tuple[str, float]], p: str, iqr: bool, method: str) -> None:
    rows = [{"user_id": u, "cost": c} for u, c in pairs]
    request = {"filter": "all", "pSize": p, "useInterquartile": iqr}
    want = _run(rows, "reference", request, method)
    for engine in ("duckdb", "chdb"):
        assert _run(rows, engine, request, method) == want, engine


@pytest.mark.parametrize("bad", [math.inf, -math.inf, 9.3e9, -9.3e9])
@pytest.mark.parametrize("engine", ENGINES)
def test_cost_without_64_bit_nanos_is_an_error_on_every_engine(engine: str, bad: float) -> None:
    """semantics.md §4: ±inf or |cost·1e9| >= 2^63 is bad data, an error naming the cost."""
    rows = [{"user_id": "a", "cost": bad}, {"user_id": "b", "cost": 1.0}]
    with pytest.raises(ValueError, match=r"(?i)cost.*nano-USD"):
        _run(rows, engine, {"filter": "all", "pSize": "p95", "useInterquartile": False})


@pytest.mark.parametrize("engine", ENGINES)
def test_nan_and_null_costs_count_as_zero_on_every_engine(engine: str) -> None:
    body = {"filter": "all", "pSize": "p99", "useInterquartile": False}
    rows = [{"user_id": "a", "cost": math.nan}, {"user_id": "a", "cost": None}, {"user_id": "b", "cost": 1.0}]
    zeros = [{"user_id": "a", "cost": 0.0}, {"user_id": "a", "cost": 0.0}, {"user_id": "b", "cost": 1.0}]
    assert _run(rows, engine, body) == _run(zeros, engine, body)
