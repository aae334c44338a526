"""ClickHouse's own ``histogram(B)`` (run by chDB) agrees with the Python one, fed ascending.

This is the proof that :func:`filterlang.metrics.histogram.adaptive_histogram` *is*
upstream's algorithm and not a look-alike. The values reach ClickHouse as a sorted array
reduced by ``arrayReduce('histogram(B)', arraySort(...))``: one aggregation state fed
in array order, which an ``ORDER BY`` in a subquery would not guarantee (ClickHouse drops
it, semantics.md §6). The comparison is to 1e-9 relative as the issue asks; in practice
every edge and height is bit-identical, which ``test_bit_identical_on_ties`` pins down.
"""

from __future__ import annotations

import json
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filterlang.metrics.histogram import adaptive_histogram

chdb = pytest.importorskip("chdb", reason="chDB (filterlang[chdb]) is not installed")

from test_histogram import rows_values  # noqa: E402  (same directory; strategies shared)


def clickhouse_histogram(values: list[float], bins: int = 10) -> list[tuple[float, float, float]]:
    """``histogram(bins)`` computed by ClickHouse over ``values`` in ascending order."""
    text = "[" + ",".join(repr(float(v)) for v in values) + "]"
    res = chdb.query(
        f"SELECT arrayReduce('histogram({int(bins)})', arraySort({{v:Array(Float64)}})) AS h",
        "JSONCompact",
        params={"v": text},
    )
    data = json.loads(res.bytes())["data"][0][0]
    return [(float(lo), float(hi), float(h)) for lo, hi, h in data]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-300)


def assert_agree(values: list[float], bins: int = 10) -> None:
    ours = adaptive_histogram(sorted(values), bins)
    theirs = clickhouse_histogram(values, bins)
    assert len(ours) == len(theirs), (ours, theirs)
    for o, t in zip(ours, theirs, strict=True):
        assert all(close(x, y) for x, y in zip(o, t, strict=True)), (o, t)


def test_worked_example_on_clickhouse() -> None:
    assert clickhouse_histogram([1, 1, 1, 2, 5, 9]) == [(1, 1.5, 2.75), (1.5, 3.5, 1.25), (3.5, 7, 1), (7, 9, 1)]
    assert clickhouse_histogram([]) == []


@given(rows_values)
def test_agrees_with_clickhouse(values: list[float]) -> None:
    assert_agree(values)


@given(
    st.lists(st.floats(min_value=0, max_value=500, allow_nan=False), min_size=1, max_size=120),
    st.sampled_from([1, 2, 5, 10, 25]),
)
def test_agrees_with_clickhouse_any_bins(values: list[float], bins: int) -> None:
    assert_agree(values, bins)


def test_bit_identical_on_ties() -> None:
    rng = random.Random(11)
    for _ in range(25):
        values: list[float] = []
        for _ in range(rng.randint(1, 12)):
            v = rng.choice([float(rng.randint(1, 6)), rng.random() * 3])
            values += [v] * rng.choice([1, 2, 9, 10, 11, 20, 21, 137])
        assert adaptive_histogram(sorted(values)) == clickhouse_histogram(values)


def test_large_skewed_input() -> None:
    # Per-user request counts of a skewed population: long runs (the Python fast path)
    # next to a sparse tail, 20k users.
    rng = random.Random(5)
    values = [float(int(rng.paretovariate(1.1))) for _ in range(20_000)]
    values += [rng.lognormvariate(0, 2) for _ in range(2_000)]
    assert_agree(values)
    assert adaptive_histogram(sorted(values)) == clickhouse_histogram(values)


def test_aggregate_form_single_thread() -> None:
    # The aggregate (not arrayReduce) form, one thread, over rows arriving in array order.
    values = [float(x) for x in [40, 13, 8, 5, 4, 3, 2, 1, 1, 1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 99, 0.5]]
    text = "[" + ",".join(map(repr, values)) + "]"
    res = chdb.query(
        "SELECT histogram(10)(v) FROM (SELECT arrayJoin(arraySort({v:Array(Float64)})) AS v) SETTINGS max_threads = 1",
        "JSONCompact",
        params={"v": text},
    )
    data = [tuple(map(float, b)) for b in json.loads(res.bytes())["data"][0][0]]
    assert data == adaptive_histogram(sorted(values))
