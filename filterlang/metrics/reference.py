"""The reference metrics overview: semantics.md §4 in plain Python, the oracle for the engines.

Simple on purpose, every step is one obvious loop:

1. keep the rows the filter keeps (:func:`filterlang.compile_predicate`, with the
   per-user ``users_view`` values joined first when the filter uses them);
2. group by ``user_id``: request_count = kept rows, user_cost = their cost summed;
3. sort each measure and cut it at the exact quantiles;
4. bucket (adaptive = ClickHouse ``histogram(10)`` fed ascending, or equal width);
5. format the edges as JavaScript numbers.

Decisions the SQL engines copy (documented in docs/overview.md):

- ``user_id`` NULL is one user (SQL ``GROUP BY`` puts NULLs in one group), distinct
  from the empty string, which is also a user (as upstream).
- ``cost`` NULL or NaN counts as 0 (semantics.md §4; SQL ``SUM`` ignores NULL), and a
  user whose kept rows all have NULL cost has user_cost 0, not NULL:
  ``coalesce(sum(cost), 0)``. Every user therefore appears in both measures. (Upstream's
  cost column is non-null.) ±inf, or a cost beyond 2^63 nano-USD, is a RowDataError
  naming the cost, as on every engine.
- Rows are read strictly (:mod:`filterlang.rowdata`): a value its column cannot hold (a
  text cost, a text ``cached``, a float ``status``) is a RowDataError naming the column
  and the type found, never converted.
- The per-user cost is summed exactly in integer nano-USD, as upstream stores it
  (semantics.md §5): each row's cost becomes ``floor(cost * 1e9 + 0.5)`` (double
  arithmetic, the same operations DuckDB and ClickHouse do), the integers are added
  exactly, and ``float(total) / 1e9`` is the user_cost. A float sum (even ``math.fsum``
  against ClickHouse's ``sumKahan``) can differ in the last bit between engines, and a
  last-bit difference at the percentile cut changes which users are kept.

Rows stream: one pass, memory proportional to the number of users, except when the
filter uses ``users_view`` fields, which are aggregates over *all* rows of each user and
so need a first pass: a list is read twice, any other iterable is materialised once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..fields import USERS_VIEW
from ..money import cost_nanos, nanos_to_usd
from ..nodes import Node, is_true, uses_table
from ..rowdata import RowDataError, read_text
from .histogram import HistogramRow, bucket, percentile_cut, to_rows

__all__ = ["NANOS_PER_USD", "cost_nanos", "nanos_to_usd", "reference_overview", "user_measures"]

NANOS_PER_USD = 10**9


Row = Mapping[str, Any]


def _with_user_fields(rows: Iterable[Row]) -> Iterator[Row]:
    """Join the per-user ``users_view`` values onto each row (semantics.md §3).

    Two passes: per-user aggregates over *all* rows, then each row joined lazily, so
    only a sequence is re-read and a one-shot iterator is materialised once; the joined
    rows are never all held at once.
    """
    try:
        from ..users import USER_FIELDS, user_values
    except ImportError as e:  # pragma: no cover - only while filterlang.users is missing
        raise RuntimeError("filters on users_view fields need filterlang.users, which is not available") from e
    seq: Sequence[Row] = rows if isinstance(rows, Sequence) else list(rows)
    per_user = user_values(seq)
    no_user: dict[str, Any] = dict.fromkeys(USER_FIELDS)  # NULL user_id: no partner in the join
    for r in seq:
        uid = r.get("user_id")
        vals = per_user.get(uid, no_user) if uid is not None else no_user
        yield {**r, **vals}


def user_measures(rows: Iterable[Row], node: Node = "all") -> tuple[list[float], list[float]]:
    """Steps 1-2: per kept user, (request counts, user costs), both sorted ascending.

    The two lists have the same length (one entry per user with at least one kept row).
    """
    pred = None
    if not is_true(node):
        from ..evaluate import compile_predicate

        pred = compile_predicate(node)
        if uses_table(node, USERS_VIEW):
            rows = _with_user_fields(rows)
    counts: dict[Any, int] = {}
    costs: dict[Any, int] = {}
    i = 0
    try:
        for i, r in enumerate(rows, 1):  # noqa: B007 -- i names the bad row below
            if pred is not None and not pred(r):
                continue
            uid = r.get("user_id")
            if uid.__class__ is not str:
                uid = read_text(uid, "user_id")
            n = counts.get(uid)
            if n is None:
                counts[uid] = 1
                costs[uid] = 0
            else:
                counts[uid] = n + 1
            c = r.get("cost")
            if c is not None:
                costs[uid] += cost_nanos(c)
    except RowDataError as e:
        raise RowDataError(f"row {i}: {e}" if i else str(e)) from None
    request_count = sorted(float(n) for n in counts.values())
    user_cost = sorted(nanos_to_usd(n) for n in costs.values())
    return request_count, user_cost


def _measure_rows(
    values_sorted: list[float], p_size: str, interquartile: bool, method: str, bins: int
) -> list[HistogramRow]:
    kept = percentile_cut(values_sorted, p_size, interquartile)
    return to_rows(bucket(kept, method, bins))


def reference_overview(
    rows: Iterable[Row],
    node: Node,
    p_size: str,
    use_interquartile: bool,
    *,
    method: str = "adaptive",
    bins: int = 10,
) -> dict[str, list[HistogramRow]]:
    """The Result's ``data`` object for already-validated inputs (no error wrapping here).

    Engines that read files call this with their rows for ``engine="reference"``.
    """
    request_count, user_cost = user_measures(rows, node)
    return {
        "request_count": _measure_rows(request_count, p_size, use_interquartile, method, bins),
        "user_cost": _measure_rows(user_cost, p_size, use_interquartile, method, bins),
    }
