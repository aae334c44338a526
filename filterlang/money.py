"""Money arithmetic every engine can do identically: costs as integer nano-USD.

Upstream stores cost as UInt64 nano-USD (semantics.md §5). Summing doubles gives
last-bit differences between engines (ClickHouse sumKahan, DuckDB fsum, SQL SUM),
enough to move a user across a percentile cut or a ``user_cost`` threshold, so per-user
sums are exact integer sums of per-row nano-USD, divided once. The SQL spellings of the
same formula live in ``filterlang/sql/dialects.py`` (``nanos``, ``nanos_usd``).
"""

from __future__ import annotations

import math


def cost_nanos(cost: float) -> int:
    """A cost in USD as integer nano-USD: ``floor(cost * 1e9 + 0.5)`` in double arithmetic.

    The SQL engines evaluate the identical expression on the identical double, so every
    engine adds the same integers (verified on tricky doubles in the tests).
    """
    x = float(cost)
    if not math.isfinite(x):  # DuckDB and ClickHouse refuse to cast it too
        raise ValueError(f"cost must be a finite number of USD, not {x!r}")
    return math.floor(x * 1e9 + 0.5)


def nanos_to_usd(total: int) -> float:
    """A nano-USD sum as USD: the int rounded to a double, then one double division.

    ``float(total) / 1e9``, not ``total / 10**9`` (Python's int/int true division is
    correctly rounded in one step, which the engines' cast-then-divide is not).
    """
    return float(total) / 1e9
