"""Money arithmetic every engine can do identically: costs as integer nano-USD.

Upstream stores cost as UInt64 nano-USD (semantics.md §5). Summing doubles gives
last-bit differences between engines (ClickHouse sumKahan, DuckDB fsum, SQL SUM),
enough to move a user across a percentile cut or a ``user_cost`` threshold, so per-user
sums are exact integer sums of per-row nano-USD, divided once. The SQL spellings of the
same formula live in ``filterlang/sql/dialects.py`` (``nanos``, ``nanos_usd``).
"""

from __future__ import annotations

import math
from typing import Any

from .rowdata import RowDataError, read_number

# |cost * 1e9| from here on has no Int64 nano-USD value (about $9.2 billion).
_NANOS_LIMIT = float(2**63)


def cost_nanos(cost: Any, column: str = "cost") -> int:
    """A cost in USD as integer nano-USD: ``floor(cost * 1e9 + 0.5)`` in double arithmetic.

    The SQL engines evaluate the identical expression on the identical double, so every
    engine adds the same integers (verified on tricky doubles in the tests). semantics.md
    §4: NULL and NaN count as 0; ±inf, or a cost whose nano-USD do not fit Int64, is bad
    data (RowDataError naming the cost), never an OverflowError or a wrapped number; a
    cost that is not a number (a text "1.5", a bool) is refused, never converted.
    """
    v = read_number(cost, column, integer=False)
    if v is None:
        return 0
    x = float(v)
    y = x * 1e9
    if not -_NANOS_LIMIT < y < _NANOS_LIMIT:
        raise RowDataError(
            f"the {column} {v!r} USD has no 64-bit nano-USD value (|cost| must stay below "
            f"2^63 nano-USD, about $9.2 billion, and be finite); every engine refuses it"
        )
    return math.floor(y + 0.5)


def nanos_to_usd(total: int) -> float:
    """A nano-USD sum as USD: the int rounded to a double, then one double division.

    ``float(total) / 1e9``, not ``total / 10**9`` (Python's int/int true division is
    correctly rounded in one step, which the engines' cast-then-divide is not).
    """
    return float(total) / 1e9
