"""The bucketing and cut steps of semantics.md §4 against the worked examples and an oracle.

``brute_adaptive`` below is a second implementation of ClickHouse's ``histogram(B)``,
written the other way round on purpose: a literal transcription of upstream's C++
(priority queue with lazy invalidation over a doubly linked list, compress only at 2·B,
no run-length shortcut), so a mistake in the fast Python version cannot hide in both.
"""

from __future__ import annotations

import heapq
import itertools
import math
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from worked import BUCKET_VALUES, BUCKETED, P75, P75_INTERQUARTILE, WORKED_USERS

from filterlang.metrics.histogram import (
    P_LEVELS,
    adaptive_histogram,
    bucket,
    equal_histogram,
    percentile_cut,
    quantile,
    to_rows,
)

EPS = sys.float_info.epsilon


# ------------------------------------------------------------------ the oracle


def _plus(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    # WeightedValue::operator+ : {mean + other.weight * (other.mean - mean) / (other.weight + weight), ...}
    return (a[0] + b[1] * (b[0] - a[0]) / (b[1] + a[1]), b[1] + a[1])


def _cpp_compress(points: list[tuple[float, float]], max_bins: int) -> list[tuple[float, float]]:
    points = sorted(points, key=lambda p: p[0])  # stable, like pdqsort's insertion sort below 24
    size = len(points)
    if size <= max_bins:
        return points
    prev = [size if i == 0 else i - 1 for i in range(size + 1)]
    nxt = [0 if i == size else i + 1 for i in range(size + 1)]
    active = [True] * size + [False]

    def quality(i: int) -> float:
        return points[nxt[i]][0] - points[i][0]

    queue = [(quality(i), i) for i in range(size - 1)]
    heapq.heapify(queue)
    new_size = size
    while new_size > max_bins and queue:
        q, left = heapq.heappop(queue)
        right = nxt[left]
        if not active[left] or not active[right] or quality(left) > q:
            continue
        points[left] = _plus(points[left], points[right])
        prev[nxt[right]] = prev[right]
        nxt[prev[right]] = nxt[right]
        active[right] = False
        if active[nxt[left]]:
            heapq.heappush(queue, (quality(left), left))
        if active[prev[left]]:
            heapq.heappush(queue, (quality(prev[left]), prev[left]))
        new_size -= 1
    return [p for i, p in enumerate(points) if active[i]]


def brute_adaptive(values: list[float], bins: int = 10) -> list[tuple[float, float, float]]:
    points: list[tuple[float, float]] = []
    lower, upper = math.inf, -math.inf
    for v in sorted(values):
        points.append((float(v), 1.0))
        lower, upper = min(lower, v), max(upper, v)
        if len(points) >= 2 * bins:
            points = _cpp_compress(points, bins)
    points = _cpp_compress(points, bins)
    uniq: list[tuple[float, float]] = []
    for p in points:
        if uniq and uniq[-1][0] + abs(10 * (uniq[-1][0] + p[0]) * EPS) >= p[0]:
            uniq[-1] = _plus(uniq[-1], p)
        else:
            uniq.append(p)
    out = []
    k = len(uniq)
    for i, (m, w) in enumerate(uniq):
        lo = lower if i == 0 else (m + uniq[i - 1][0]) / 2
        hi = upper if i == k - 1 else (m + uniq[i + 1][0]) / 2
        lw = w if i == 0 else (uniq[i - 1][1] + w * 3) / 4
        uw = w if i == k - 1 else (uniq[i + 1][1] + w * 3) / 4
        out.append((float(lo), float(hi), (lw + uw) / 2))
    return out


def brute_quantile(xs: list[float], q: float) -> float:
    pos = q * (len(xs) - 1)
    i = int(pos)
    return xs[i] if i + 1 >= len(xs) else xs[i] + (pos - i) * (xs[i + 1] - xs[i])


def brute_cut(values: list[float], p_size: str, iqr: bool) -> list[float]:
    xs = sorted(values)
    if not xs:
        return []
    p = {"p50": 0.5, "p75": 0.75, "p95": 0.95, "p99": 0.99, "p99.9": 0.999}[p_size]
    lo_q = {"p50": 0.5, "p75": 0.25, "p95": 0.05, "p99": 0.01, "p99.9": 0.001}[p_size]
    hi = brute_quantile(xs, p)
    lo = brute_quantile(xs, lo_q) if iqr else -math.inf
    return [x for x in xs if lo <= x <= hi]


def brute_equal(values: list[float], bins: int = 10) -> list[tuple[float, float, float]]:
    if not values:
        return []
    lo, hi = min(values), max(values)
    if lo == hi:
        return [(lo, hi, float(len(values)))]
    w = (hi - lo) / bins
    out = []
    for i in range(bins):
        n = sum(1 for v in values if min(bins - 1, math.floor((v - lo) / w)) == i)
        out.append((lo + i * w, hi if i == bins - 1 else lo + (i + 1) * w, float(n)))
    return out


# ------------------------------------------------------------------ strategies

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False, allow_subnormal=False)
small_ints = st.integers(min_value=0, max_value=30).map(float)


@st.composite
def value_lists(draw: st.DrawFn, max_runs: int = 40) -> list[float]:
    """Values with many ties: runs of repeated values, as per-user request counts are."""
    runs = draw(
        st.lists(
            st.tuples(
                st.one_of(small_ints, finite, st.sampled_from([0.0, 0.1, 0.2, 0.3, 1e-7, 1e21])),
                st.sampled_from([1, 1, 1, 2, 3, 9, 10, 11, 19, 20, 21, 55]),
            ),
            max_size=max_runs,
        )
    )
    return [v for v, n in runs for _ in range(n)]


rows_values = st.one_of(value_lists(), st.lists(finite, max_size=300), st.lists(small_ints, max_size=300))


# ------------------------------------------------------------------ worked examples (real ClickHouse)


def test_worked_example_p75() -> None:
    xs = sorted(map(float, WORKED_USERS))
    assert quantile(xs, 0.75) == 9.25
    kept = percentile_cut(xs, "p75", False)
    assert len(kept) == 6
    assert [tuple(r.values()) for r in to_rows(adaptive_histogram(kept))] == P75


def test_worked_example_p75_interquartile() -> None:
    xs = sorted(map(float, WORKED_USERS))
    assert quantile(xs, 0.25) == 2.75
    kept = percentile_cut(xs, "p75", True)
    assert [tuple(r.values()) for r in to_rows(adaptive_histogram(kept))] == P75_INTERQUARTILE


def test_worked_example_bucketing() -> None:
    rows = to_rows(adaptive_histogram(BUCKET_VALUES))
    assert [tuple(r.values()) for r in rows] == BUCKETED
    assert rows[2]["value"] == 1 and isinstance(rows[2]["value"], int)  # JSON prints 1 like JS


# ------------------------------------------------------------------ adaptive


def test_empty_and_single() -> None:
    assert adaptive_histogram([]) == []
    assert adaptive_histogram([3.5]) == [(3.5, 3.5, 1.0)]
    assert adaptive_histogram([7.0] * 1000) == [(7.0, 7.0, 1000.0)]


def test_rejects_unsorted_and_non_finite() -> None:
    with pytest.raises(ValueError, match="ascending"):
        adaptive_histogram([2.0, 1.0])
    with pytest.raises(ValueError, match="finite"):
        adaptive_histogram([1.0, math.inf])
    with pytest.raises(ValueError, match="finite"):
        adaptive_histogram([math.nan])
    with pytest.raises(ValueError):
        adaptive_histogram([1.0], bins=0)


@given(rows_values, st.sampled_from([1, 2, 3, 10, 10, 10, 17]))
def test_adaptive_matches_cpp_transcription(values: list[float], bins: int) -> None:
    values.sort()
    assert adaptive_histogram(values, bins) == brute_adaptive(values, bins)


@given(rows_values)
def test_adaptive_properties(values: list[float]) -> None:
    values.sort()
    h = adaptive_histogram(values)
    if not values:
        assert h == []
        return
    assert 1 <= len(h) <= 10
    assert math.isclose(sum(b[2] for b in h), len(values), rel_tol=1e-9)
    assert all(b[2] > 0 for b in h)
    assert h[0][0] == values[0] and h[-1][1] == values[-1]
    for (lo, hi, _), nxt in itertools.pairwise(h):
        assert lo <= hi
        assert hi == nxt[0]  # contiguous
    assert all(lo <= hi for lo, hi, _ in h)


def test_adaptive_fast_path_long_runs() -> None:
    # Long runs take the run-length shortcut; the oracle feeds them one by one.
    values = sorted([1.0] * 5003 + [2.0] * 777 + [2.5] + [3.0] * 2000 + [0.1 * i for i in range(300)])
    assert adaptive_histogram(values) == brute_adaptive(values)
    assert adaptive_histogram(iter(values)) == brute_adaptive(values)  # any iterable


def test_adaptive_accepts_generators() -> None:
    assert adaptive_histogram(float(i) for i in range(100)) == brute_adaptive([float(i) for i in range(100)])


# ------------------------------------------------------------------ equal width


def test_equal_examples() -> None:
    assert equal_histogram([]) == []
    assert equal_histogram([4.0, 4.0, 4.0]) == [(4.0, 4.0, 3.0)]
    h = equal_histogram([0.0, 10.0], bins=10)
    assert [b[2] for b in h] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert h[0][0] == 0 and h[-1][1] == 10 and h[4] == (4.0, 5.0, 0.0)


@given(rows_values, st.sampled_from([1, 2, 10, 13]))
def test_equal_properties(values: list[float], bins: int) -> None:
    h = equal_histogram(values, bins)
    assert h == brute_equal(values, bins)
    if not values:
        return
    assert sum(b[2] for b in h) == len(values)
    assert all(float(b[2]).is_integer() for b in h)
    assert len(h) == (1 if min(values) == max(values) else bins)
    assert h[0][0] == min(values) and h[-1][1] == max(values)
    for a, b in itertools.pairwise(h):
        assert a[1] == b[0]


def test_bucket_dispatch() -> None:
    assert bucket([1.0, 2.0], "equal", 2) == equal_histogram([1.0, 2.0], 2)
    assert bucket([1.0, 2.0]) == adaptive_histogram([1.0, 2.0])
    with pytest.raises(ValueError, match="method"):
        bucket([1.0], "median")


# ------------------------------------------------------------------ quantiles and the cut


def test_p_levels_are_exact_decimals() -> None:
    assert P_LEVELS["p95"][1] == 0.05 != 1 - 0.95
    assert P_LEVELS["p99.9"] == (0.999, 0.001)


@given(
    st.lists(finite, min_size=1, max_size=200), st.sampled_from([0.5, 0.75, 0.95, 0.99, 0.999, 0.25, 0.05, 0.01, 0.001])
)
def test_quantile_matches_numpy_linear(values: list[float], q: float) -> None:
    xs = sorted(values)
    got = quantile(xs, q)
    assert got == brute_quantile(xs, q)
    want = float(np.quantile(np.array(xs), q, method="linear"))
    # numpy uses another (equivalent) lerp form for t >= 0.5: equal up to the last bits.
    assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12 * max(1.0, abs(xs[0]), abs(xs[-1])))


@given(rows_values, st.sampled_from(list(P_LEVELS)), st.booleans())
def test_cut_matches_brute(values: list[float], p_size: str, iqr: bool) -> None:
    xs = sorted(values)
    kept = percentile_cut(xs, p_size, iqr)
    assert kept == brute_cut(values, p_size, iqr)
    if xs and not iqr:
        assert kept and kept[0] == xs[0]  # Q(p) >= x_0: the smallest value is always kept
    if kept:
        assert kept[-1] <= quantile(xs, P_LEVELS[p_size][0])


def test_cut_edges() -> None:
    assert percentile_cut([], "p95", True) == []
    assert percentile_cut([5.0], "p50", True) == [5.0]
    assert percentile_cut([1.0, 2.0], "p50", True) == []  # band [1.5, 1.5] holds no value
    with pytest.raises(ValueError):
        percentile_cut([1.0], "p90", False)
