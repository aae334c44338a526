"""semantics.md §4 worked examples (from real ClickHouse), written once for every test that checks them."""

from __future__ import annotations

from typing import Any

# request counts per user; "" is the empty user id, a user like any other
WORKED = {"a": 1, "b": 2, "c": 3, "d": 5, "e": 8, "f": 13, "g": 40, "": 4}
WORKED_USERS = list(WORKED.values())


def worked_rows() -> list[dict[str, Any]]:
    """One request row per request of WORKED (cost 0.25 each, so user_cost = count / 4)."""
    return [{"user_id": u, "cost": 0.25, "model": "gpt-4o"} for u, n in WORKED.items() for _ in range(n)]


# (range_start, range_end, value) rows of request_count
P75 = [("1", "1.5", 1), ("1.5", "2.5", 1), ("2.5", "3.5", 1), ("3.5", "4.5", 1), ("4.5", "6.5", 1), ("6.5", "8", 1)]
P75_INTERQUARTILE = [("3", "3.5", 1), ("3.5", "4.5", 1), ("4.5", "6.5", 1), ("6.5", "8", 1)]

# the bucketing step alone, no cut
BUCKET_VALUES = [1, 1, 1, 2, 5, 9]
BUCKETED = [("1", "1.5", 2.75), ("1.5", "3.5", 1.25), ("3.5", "7", 1), ("7", "9", 1)]
