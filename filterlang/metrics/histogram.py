"""The bucketing and cutting steps of the metrics overview (semantics.md §4, steps 3-5).

``adaptive_histogram`` is ClickHouse's ``histogram(B)`` aggregate (Ben-Haim & Tom-Tov's
streaming histogram, ``AggregateFunctionHistogram.h``) re-expressed in Python so that,
fed the same values in ascending order, it returns the same bins *to the bit*: the same
merge order (smallest gap first, leftmost on ties, the priority queue upstream uses is
equivalent to that rule), the same merge formula with the same operand order, the same
"unique" pass and the same edge/height formulas. ``tests/test_histogram_chdb.py`` runs
ClickHouse's own implementation (chDB) against this one.

Everything here is pure Python and streams: the adaptive histogram holds at most 2·B
points whatever the input size.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from typing import Literal, TypeAlias, TypedDict

from .jsnum import js_number_to_string

__all__ = [
    "P_LEVELS",
    "Bin",
    "HistogramRow",
    "Method",
    "PSize",
    "adaptive_histogram",
    "bucket",
    "equal_histogram",
    "percentile_cut",
    "quantile",
    "to_rows",
]

EPSILON = sys.float_info.epsilon  # 2.220446049250313e-16, C++'s numeric_limits<double>::epsilon()

PSize: TypeAlias = Literal["p50", "p75", "p95", "p99", "p99.9"]
Method: TypeAlias = Literal["adaptive", "equal"]
Bin: TypeAlias = tuple[float, float, float]
"""(lower edge, upper edge, height): ClickHouse's ``histogram`` tuple, in that order."""

# pSize -> (p, 1 - p). 1 - p is written out as a decimal literal, not computed, because
# 1 - 0.95 in binary floating point is 0.050000000000000044, not the double nearest 0.05.
P_LEVELS: dict[str, tuple[float, float]] = {
    "p50": (0.5, 0.5),
    "p75": (0.75, 0.25),
    "p95": (0.95, 0.05),
    "p99": (0.99, 0.01),
    "p99.9": (0.999, 0.001),
}


class HistogramRow(TypedDict):
    """One row of the API's ``HistogramRow`` array (edges as JavaScript number strings)."""

    range_start: str
    range_end: str
    value: float


# ------------------------------------------------------------------ quantiles and cut


def quantile(values_sorted: Sequence[float], q: float) -> float:
    """Exact quantile with linear interpolation between order statistics (numpy "linear").

    Written as ``x_i + (pos - i)·(x_{i+1} - x_i)`` on purpose: numpy switches to
    ``x_{i+1} - (x_{i+1} - x_i)·(1 - t)`` for t ≥ 0.5, which can differ in the last bit,
    and the SQL engines use this form, so every engine cuts at the same double.
    """
    n = len(values_sorted)
    if n == 0:
        raise ValueError("quantile of no values")
    pos = q * (n - 1)
    i = math.floor(pos)
    if i >= n - 1:
        return float(values_sorted[n - 1])
    lo = float(values_sorted[i])
    return lo + (pos - i) * (float(values_sorted[i + 1]) - lo)


def percentile_cut(values_sorted: Sequence[float], p_size: str, interquartile: bool) -> list[float]:
    """The values kept by step 3 of §4, still ascending.

    Without interquartile: value ≤ Q(p). With: Q(1 - p) ≤ value ≤ Q(p), both inclusive.
    ``values_sorted`` must be ascending (it is what the quantiles are read from).
    """
    if p_size not in P_LEVELS:
        raise ValueError(f"unknown pSize {p_size!r}")
    if not values_sorted:
        return []
    p, one_minus_p = P_LEVELS[p_size]
    hi = quantile(values_sorted, p)
    lo = quantile(values_sorted, one_minus_p) if interquartile else -math.inf
    # Ascending input: the kept values are one contiguous slice; find it by bisection.
    from bisect import bisect_left, bisect_right

    start = bisect_left(values_sorted, lo) if interquartile else 0
    stop = bisect_right(values_sorted, hi)
    return [float(v) for v in values_sorted[start:stop]]


# ------------------------------------------------------------------ adaptive (upstream)


def _merge_gap(means: list[float], weights: list[float], gaps: list[float], i: int) -> None:
    """Fuse point i+1 into point i, exactly as ClickHouse's ``WeightedValue::operator+``.

    ``a + b`` is ``{a.mean + b.weight * (b.mean - a.mean) / (b.weight + a.weight),
    b.weight + a.weight}``; the operand order matters for the last bit.
    """
    am = means[i]
    bm = means[i + 1]
    aw = weights[i]
    bw = weights[i + 1]
    m = am + bw * (bm - am) / (bw + aw)
    means[i] = m
    weights[i] = bw + aw
    del means[i + 1]
    del weights[i + 1]
    del gaps[i]
    # Refresh the two gaps that touch the changed point.
    if i < len(gaps):
        gaps[i] = means[i + 1] - m
    if i > 0:
        gaps[i - 1] = m - means[i - 1]


def _compress(means: list[float], weights: list[float], max_bins: int) -> None:
    """Merge the adjacent pair with the smallest gap (leftmost on ties) until ≤ max_bins remain.

    Upstream keeps a priority queue of (gap, index) with lazy invalidation; popping the
    least (gap, index) pair whose gap is current is the same as taking the leftmost
    minimum of the current gaps, which is what this does with C-speed ``min``/``index``
    over at most 2·B - 1 gaps. Points are already in ascending order (values arrive
    sorted and every merged mean lies between its parts), so upstream's sort is a no-op.
    """
    n = len(means)
    if n <= max_bins:
        return
    gaps = [means[j + 1] - means[j] for j in range(n - 1)]
    for _ in range(n - max_bins):
        _merge_gap(means, weights, gaps, gaps.index(min(gaps)))


def _unique(means: list[float], weights: list[float]) -> None:
    """Fuse neighbours whose means differ only in the last digits (upstream's ``unique()``).

    Upstream's test is ``a.mean + |10·(a.mean + b.mean)·ε| >= b.mean`` with ``a`` the
    running (possibly already fused) point, evaluated in this order.
    """
    if not means:
        return
    out_m = [means[0]]
    out_w = [weights[0]]
    for bm, bw in zip(means[1:], weights[1:], strict=True):
        am = out_m[-1]
        min_diff = 10 * (am + bm) * EPSILON
        if am + abs(min_diff) >= bm:
            aw = out_w[-1]
            out_m[-1] = am + bw * (bm - am) / (bw + aw)
            out_w[-1] = bw + aw
        else:
            out_m.append(bm)
            out_w.append(bw)
    means[:] = out_m
    weights[:] = out_w


def adaptive_histogram(values_sorted: Iterable[float], bins: int = 10) -> list[Bin]:
    """ClickHouse's ``histogram(bins)`` over values fed in ascending order.

    Each value is inserted as a point of weight 1; when there are 2·bins points they are
    compressed to ``bins``; at the end a last compress, the ``unique`` pass, then edges
    at the midpoints between neighbouring means (the global min/max at the ends) and the
    heights of upstream's linear density approximation. Heights are fractional and sum
    to the number of values. Non-finite values are rejected, as upstream does.

    Runs of equal values take a shortcut that is exact, not approximate: right after a
    compress, if the points end with a tail of means equal to the value ``v`` still
    arriving, no two earlier neighbours are equal and the tail's points after its head
    all weigh 1, then ``bins`` more ``v`` make the smallest gaps (zero) and the leftmost
    of them is always at the head, so the compress folds exactly ``bins`` weight-1
    points into the head (``v + 1·0/(w+1) = v``) and the state repeats with the head
    ``bins`` heavier; the shortcut adds that weight directly. Integer measures such as request counts are
    almost all ties, so this turns millions of compressions into a few.
    """
    if bins < 1:
        raise ValueError("bins must be at least 1")
    cap = 2 * bins
    means: list[float] = []
    weights: list[float] = []
    lower = math.inf
    prev = -math.inf
    it = iter(values_sorted)
    pending: float | None = None  # a value read ahead while measuring a run
    while True:
        if pending is not None:
            v = pending
            pending = None
        else:
            try:
                v = float(next(it))
            except StopIteration:
                break
        if not math.isfinite(v):
            raise ValueError(f"histogram values must be finite, got {v!r}")
        if v < prev:
            raise ValueError("adaptive_histogram needs its values in ascending order")
        if prev == -math.inf:
            lower = v  # ascending input: the first value is the global min
        prev = v
        means.append(v)
        weights.append(1.0)
        if len(means) < cap:
            continue
        _compress(means, weights, bins)
        # Fast path for a run of v (see docstring). Valid only right after a compress.
        if means[-1] != v:
            continue
        t = len(means) - 1
        while t > 0 and means[t - 1] == v:
            t -= 1
        if any(means[j] == means[j + 1] for j in range(t - 1)) or any(w != 1.0 for w in weights[t + 1 :]):
            continue
        extra = 0
        for w in it:
            w = float(w)
            if w != v:
                pending = w
                break
            extra += 1
        # ``extra`` more copies of v: each whole batch of `bins` folds into the head of
        # the tail of v's (the rest of the tail, all weight 1, stays as it is); the
        # remainder is inserted normally.
        batches, rest = divmod(extra, bins)
        weights[t] += float(batches * bins)
        for _ in range(rest):
            means.append(v)
            weights.append(1.0)
        # rest < bins, so len(means) = bins + rest < cap: no compress due here.
    if not means:
        return []
    upper = prev  # ... and the last one the global max
    _compress(means, weights, bins)
    _unique(means, weights)
    k = len(means)
    out: list[Bin] = []
    for i in range(k):
        lo = lower if i == 0 else (means[i] + means[i - 1]) / 2
        hi = upper if i + 1 == k else (means[i] + means[i + 1]) / 2
        w = weights[i]
        lw = w if i == 0 else (weights[i - 1] + w * 3) / 4
        uw = w if i + 1 == k else (weights[i + 1] + w * 3) / 4
        out.append((lo, hi, (lw + uw) / 2))
    return out


# ------------------------------------------------------------------ equal width


def equal_histogram(values: Iterable[float], bins: int = 10) -> list[Bin]:
    """``bins`` equal-width bins over [min, max] with integer counts (empty bins kept).

    Bin of v: ``min(bins - 1, floor((v - min) / w))`` with ``w = (max - min) / bins``;
    edges ``min + i·w`` and the last upper edge ``max``. All values equal: one bin.
    """
    if bins < 1:
        raise ValueError("bins must be at least 1")
    vals = [float(v) for v in values]
    if not vals:
        return []
    lo = min(vals)
    hi = max(vals)
    if lo == hi:
        return [(lo, hi, float(len(vals)))]
    width = (hi - lo) / bins
    counts = [0] * bins
    last = bins - 1
    for v in vals:
        b = math.floor((v - lo) / width)
        counts[b if b < last else last] += 1
    return [(lo + i * width, hi if i == last else lo + (i + 1) * width, float(counts[i])) for i in range(bins)]


def bucket(values_sorted: Sequence[float], method: str = "adaptive", bins: int = 10) -> list[Bin]:
    """Step 4 of §4 with the chosen method (values ascending, as the adaptive one needs)."""
    if method == "adaptive":
        return adaptive_histogram(values_sorted, bins)
    if method == "equal":
        return equal_histogram(values_sorted, bins)
    raise ValueError(f"unknown histogram method {method!r} (expected 'adaptive' or 'equal')")


def to_rows(bins: Iterable[Bin]) -> list[HistogramRow]:
    """The API's HistogramRow dicts: edges as JavaScript number strings, value a number.

    Integral heights are returned as ``int`` so ``json.dumps`` writes ``1`` like upstream
    (JavaScript has one number type and prints 1, not 1.0).
    """
    rows: list[HistogramRow] = []
    for lo, hi, h in bins:
        value: float = int(h) if float(h).is_integer() and abs(h) < 2**53 else float(h)
        rows.append({"range_start": js_number_to_string(lo), "range_end": js_number_to_string(hi), "value": value})
    return rows
