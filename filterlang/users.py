"""Per-user values (the ``users_view`` fields) computed in Python, the reference for SQL.

semantics.md §3: every request row carries the values of its user, computed over *all*
rows of the data set (not only the rows a filter keeps), so a filter mixing
``users_view`` and request fields is evaluated row by row after this join. The SQL
compiler produces the same numbers with a grouped subquery LEFT JOINed on user_id; the
rules below copy SQL's aggregate semantics so both agree bit for bit:

- SUM ignores NULLs and is NULL when the user has no non-NULL value; sums are Python
  ints, exact at any size, as the engines' 128-bit sums are (no data reaches 2^127).
- user_cost is the overview's exact sum (docs/overview.md; a NaN cost counts as 0, ±inf
  or beyond 2^63 nano-USD is a RowDataError naming the cost): each cost as integer
  nano-USD ``floor(cost * 1e9 + 0.5)`` in double arithmetic, the integers added
  exactly, then ``float(total) / 1e9``. A float sum (even a correctly rounded fsum)
  would differ from the engines' order-dependent double sums in the last bit and move
  a user across ``user_cost <= 0.3``; integers do not depend on the order.
- averages are double divisions of doubles (``CAST(x AS DOUBLE) / CAST(y AS DOUBLE)``),
  NULL on a zero divisor (``NULLIF``).
- active_for counts distinct UTC calendar days of request_created_at.
- a row whose user_id is NULL belongs to no user: its users_view values are NULL
  (the SQL LEFT JOIN on ``=`` finds no partner).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from .money import cost_nanos, nanos_to_usd
from .rowdata import read_int, read_text, read_timestamp

USER_FIELDS: tuple[str, ...] = (
    "user_user_id",
    "user_active_for",
    "user_first_active",
    "user_last_active",
    "user_total_requests",
    "user_average_requests_per_day_active",
    "user_average_tokens_per_request",
    "user_total_completion_tokens",
    "user_total_prompt_tokens",
    "user_cost",
)


class _Acc:
    __slots__ = ("completion", "cost", "days", "first", "last", "n", "prompt")

    def __init__(self) -> None:
        self.n = 0
        self.cost: int | None = None  # nano-USD
        self.prompt: int | None = None
        self.completion: int | None = None
        self.days: set[date] = set()
        self.first: datetime | None = None
        self.last: datetime | None = None

    def add(self, row: Mapping[str, Any]) -> None:
        self.n += 1
        c = row.get("cost")
        if c is not None:  # NULL is skipped (SQL SUM); NaN counts as 0, as in the overview (§4)
            n = cost_nanos(c)
            self.cost = n if self.cost is None else self.cost + n
        p = read_int(row.get("prompt_tokens"), "prompt_tokens")
        if p is not None:
            self.prompt = p if self.prompt is None else self.prompt + p
        q = read_int(row.get("completion_tokens"), "completion_tokens")
        if q is not None:
            self.completion = q if self.completion is None else self.completion + q
        t = read_timestamp(row.get("request_created_at"), "request_created_at")
        if t is not None:
            t = t.astimezone(UTC)
            self.days.add(t.date())
            self.first = t if self.first is None or t < self.first else self.first
            self.last = t if self.last is None or t > self.last else self.last

    def values(self, user_id: str) -> dict[str, Any]:
        active = len(self.days)
        tokens = None if self.prompt is None or self.completion is None else self.prompt + self.completion
        return {
            "user_user_id": user_id,
            "user_active_for": active,
            "user_first_active": self.first,
            "user_last_active": self.last,
            "user_total_requests": self.n,
            "user_average_requests_per_day_active": float(self.n) / float(active) if active else None,
            "user_average_tokens_per_request": float(tokens) / float(self.n) if tokens is not None else None,
            "user_total_completion_tokens": self.completion,
            "user_total_prompt_tokens": self.prompt,
            "user_cost": nanos_to_usd(self.cost) if self.cost is not None else None,
        }


_NO_USER: dict[str, Any] = dict.fromkeys(USER_FIELDS)


def user_values(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """user_id -> its users_view values, over all ``rows`` (NULL user ids skipped)."""
    accs: dict[str, _Acc] = {}
    for r in rows:
        uid = read_text(r.get("user_id"), "user_id")
        if uid is None:
            continue
        acc = accs.get(uid)
        if acc is None:
            acc = accs[uid] = _Acc()
        acc.add(r)
    return {uid: acc.values(uid) for uid, acc in accs.items()}


def add_user_fields(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Copies of ``rows`` with the users_view fields of each row's user added.

    Reads user_id, cost (USD), prompt_tokens, completion_tokens and request_created_at
    (datetime, naive = UTC). Two passes, so ``rows`` is materialised once.
    """
    materialised = list(rows)
    per_user = user_values(materialised)
    out: list[dict[str, Any]] = []
    for r in materialised:
        uid = r.get("user_id")
        vals = per_user.get(uid, _NO_USER) if uid is not None else _NO_USER
        d = dict(r)
        d.update(vals)
        out.append(d)
    return out


__all__ = ["USER_FIELDS", "add_user_fields", "user_values"]
