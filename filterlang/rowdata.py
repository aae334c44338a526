"""What a row dict may hold: the reference engine's reading of plain Python rows.

The evaluator (:func:`filterlang.compile_predicate`), the users_view join and the
reference overview read rows of the ``flat`` layout (:mod:`filterlang.sql.layout`) as
plain values. Rows come from hand-written dicts, from pyarrow's ``to_pylist()`` (maps
as lists of ``(key, value)`` pairs) and from JSON lines (timestamps as text), so the
readers here accept those spellings of the *same* value and nothing else.

Why strict: a lenient reader converts silently, and a silent conversion is a wrong
answer that no test notices (``bool("false")`` is true, ``float("1.5")`` turns a text
cost into money). semantics.md §8 asks every engine to refuse a mistyped column with a
clear error naming the column and the type found; the SQL engines do that when they
read a file, the reference does it here, row by row, for the columns it reads.

Each reader is the slow path: the evaluator's closures check the common exact type
(``str``, ``int``, ``float``, ``bool``, ``dict``) inline and call these only for
anything else, so the check costs nothing on well-typed rows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from numbers import Integral, Real
from typing import Any

from .fields import FIELDS, REQUESTS, Kind

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "RowDataError",
    "bad_value",
    "is_nan",
    "read_bool",
    "read_int",
    "read_map",
    "read_number",
    "read_text",
    "read_timestamp",
    "reader",
]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class RowDataError(ValueError):
    """A row holds a value its column cannot hold (a text ``cached``, a float ``status``).

    A ``ValueError`` like the file readers' ``SourceError``: bad data, not a bad filter,
    so it is raised, never turned into an empty answer.
    """


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def bad_value(column: str, value: Any, expected: str) -> RowDataError:
    """The error for ``value`` in ``column``: names both, the type found and what fits."""
    return RowDataError(
        f"column {column!r} holds {_show(value)} of type {type(value).__name__}, where the flat "
        f"layout has {expected}; convert the data (a silent conversion could change the answer)"
    )


def is_nan(x: Any) -> bool:
    """NaN of any numeric type (float, Decimal, numpy): ``x != x`` is the portable test."""
    return bool(x != x)  # noqa: PLR0124


def read_text(value: Any, column: str) -> str | None:
    if value is None or value.__class__ is str:
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):  # str subclasses (numpy.str_, StrEnum) are text
        return str(value)
    raise bad_value(column, value, "text (str)")


def read_bool(value: Any, column: str) -> bool | None:
    """``True``/``False``, or the integers 0 and 1 (SQLite's booleans); NULL is None."""
    if value is None or value is True or value is False:
        return value  # type: ignore[no-any-return]
    if isinstance(value, Integral) and int(value) in (0, 1):
        return bool(value)
    raise bad_value(column, value, "a boolean (True/False, or 0/1)")


def read_number(value: Any, column: str, *, integer: bool, bounded: bool = True) -> int | float | Decimal | None:
    """An exact number for comparison; NaN reads as NULL (semantics.md §3); ±inf stay.

    ``integer`` columns (latency, status, token counts) take integers only: a float
    ``status`` 200.5 is an error, never truncated to 200. An integer outside Int64 is an
    error too: no SQL engine can hold it, so the answers would differ (``bounded=False``
    for users_view aggregates, whose sums are exact beyond 64 bits, semantics.md §3).
    """
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise bad_value(column, value, "an integer" if integer else "a number")
    if isinstance(value, Integral):
        n = int(value)
        if bounded and not INT64_MIN <= n <= INT64_MAX:
            raise RowDataError(f"column {column!r} holds {n}, outside the 64-bit integers every engine stores")
        return n
    if integer:
        raise bad_value(column, value, "an integer (Int64)")
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, Real):
        x = float(value)
        return None if math.isnan(x) else x
    raise bad_value(column, value, "a number (int or float)")


def read_int(value: Any, column: str) -> int | None:
    """An Int64 column's value (token counts, a score): an int, or NULL."""
    n = read_number(value, column, integer=True)
    assert n is None or isinstance(n, int)
    return n


# "YYYY-MM-DD HH:MM:SS[.fff...]" (the CSV/JSONL sample) or RFC 3339 ("T", optional offset);
# ASCII digits only. Naive means UTC, as in the flat layout's TIMESTAMP columns.
_TS = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?",
    re.ASCII | re.IGNORECASE,
)


def read_timestamp(value: Any, column: str) -> datetime | None:
    """A timezone-aware UTC-comparable datetime; text in the sample's or RFC 3339 form."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        m = _TS.fullmatch(value)
        if m is not None:
            frac = (m.group(7) or "")[:6].ljust(6, "0")
            zone = (m.group(8) or "+00:00").upper().replace("Z", "+00:00")
            try:
                return datetime.fromisoformat(f"{value[:10]}T{value[11:19]}.{frac}{zone}")
            except ValueError:
                pass
        raise RowDataError(
            f"column {column!r} holds the text {_show(value)}, which is not a timestamp "
            "('2026-01-01 12:00:00.123' as the sample writes it, or RFC 3339 with 'T')"
        )
    raise bad_value(column, value, "a timestamp (datetime, naive = UTC)")


def read_map(value: Any, column: str) -> Mapping[Any, Any] | None:
    """A dict, or pyarrow's ``to_pylist()`` spelling of a map: a list of (key, value) pairs."""
    if value is None or isinstance(value, Mapping):
        return value
    if isinstance(value, list | tuple):
        out: dict[Any, Any] = {}
        for item in value:
            if isinstance(item, Mapping) and set(item) == {"key", "value"}:  # pyarrow struct spelling
                out[item["key"]] = item["value"]
            elif isinstance(item, list | tuple) and len(item) == 2:
                out[item[0]] = item[1]
            else:
                raise bad_value(column, value, "a map (a dict, or a list of (key, value) pairs)")
        return out
    raise bad_value(column, value, "a map (a dict, or a list of (key, value) pairs)")


def _layout_type(column: str) -> str:
    """The flat layout's logical type of ``column``, read off the field registry.

    The same rule as ``filterlang.sql.layout.FLAT_COLUMNS`` (not imported: that module
    pulls in sqlglot, which the evaluator does not need); users_view numbers are
    "aggregate": exact sums beyond 64 bits, or doubles.
    """
    f = FIELDS[column]
    if f.kind is Kind.NUMBER:
        if f.table != REQUESTS:
            return "aggregate"
        return "cost" if column == "cost" else "int"
    if f.kind is Kind.MAP:
        return "map"
    return {Kind.TEXT: "text", Kind.BOOLEAN: "bool", Kind.TIMESTAMP: "timestamp"}[f.kind]


def reader(column: str) -> Callable[[Any], Any]:
    """The slow-path reader for ``column``: normalised value or None, or RowDataError."""
    t = _layout_type(column)
    if t == "text":
        return lambda v: read_text(v, column)
    if t == "int":
        return lambda v: read_number(v, column, integer=True)
    if t == "cost":
        return lambda v: read_number(v, column, integer=False)
    if t == "aggregate":
        return lambda v: read_number(v, column, integer=False, bounded=False)
    if t == "bool":
        return lambda v: read_bool(v, column)
    if t == "timestamp":
        return lambda v: read_timestamp(v, column)
    return lambda v: read_map(v, column)
