"""RFC 3339 timestamps: validation, instants in milliseconds, and relative times.

Timestamps stay in the AST as the exact string the user wrote, so JSON round-trips
byte for byte; comparisons use :func:`to_epoch_ms`, the instant truncated to whole
milliseconds (the contract's precision). Only strict RFC 3339 is accepted (a ``T``, and ``Z`` or an offset), so every
timestamp we emit passes the contract's ``format: date-time``; near misses get a
corrected suggestion.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .errors import FilterTypeError
from .fields import EQUALS, GT, GTE, LT, LTE

# ASCII digits only: `\d` would also take other scripts' digits (`２０２６`), which
# int() reads but no database or RFC 3339 consumer does.
_RFC3339 = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})[Tt](?P<h>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<s>[0-9]{2})"
    r"(?:\.(?P<frac>[0-9]{1,9}))?(?P<tz>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
# Near misses we can name: a space for the T, or no offset at all.
_LOOSE = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?)"
    r"(?P<tz>[Zz]|[+-][0-9]{2}:[0-9]{2})?"
)
_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

UNITS_SECONDS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
UNIT_WORDS: dict[str, str] = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def check(value: str) -> str | None:
    """Return None if ``value`` is a valid RFC 3339 date-time, else a reason with a hint."""
    m = _RFC3339.fullmatch(value)
    if m is None:
        if _DATE_ONLY.fullmatch(value):
            return f'"{value}" is a date without a time; did you mean "{value}T00:00:00Z"?'
        loose = _LOOSE.fullmatch(value)
        if loose is not None:
            fixed = f"{loose['date']}T{loose['time']}{loose['tz'] or 'Z'}"
            return f'"{value}" is not RFC 3339 (it needs a T and a UTC offset); did you mean "{fixed}"?'
        return f'"{value}" is not an RFC 3339 timestamp like "2026-01-31T12:00:00Z"'
    # Fast path: the C parser accepts it and nothing near the edges (years 1 and 9999
    # with an offset, leap seconds, odd offset minutes) needs the precise message below.
    try:
        year = datetime.fromisoformat(value).year
    except ValueError:
        year = 0
    if 1 < year < 9999 and (value[-1] in "Zz" or int(value[-2:]) <= 59):
        return None
    try:
        _parts(m)
    except ValueError as exc:
        return f'"{value}" is not a real date and time ({exc})'
    except OverflowError:  # the offset moves the instant outside years 1..9999
        return f'"{value}" is outside the years 1 to 9999 in UTC'
    return None


def _parts(m: re.Match[str]) -> tuple[datetime, int]:
    tz = m["tz"]
    offset = 0
    if tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        hh, mm = int(tz[1:3]), int(tz[4:6])
        if hh > 23 or mm > 59:
            raise ValueError("offset out of range")
        offset = sign * (hh * 60 + mm)
    sec = int(m["s"])
    if sec == 60:  # RFC 3339 leap second: the instant is the next second's start
        raise ValueError("leap seconds are not supported")
    dt = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), sec, tzinfo=UTC)
    frac = (m["frac"] or "").ljust(3, "0")[:3]
    return dt - timedelta(minutes=offset), int(frac)


def to_epoch_ms(value: str) -> int:
    """Milliseconds since the epoch (UTC), sub-millisecond digits truncated.

    Raises ValueError on an invalid string; callers validated it already.
    """
    m = _RFC3339.fullmatch(value)
    if m is None:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    dt, ms = _parts(m)
    return int(dt.timestamp()) * 1000 + ms


def to_datetime(value: str) -> datetime:
    """Timezone-aware UTC datetime at millisecond precision."""
    ms = to_epoch_ms(value)
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def format_utc(dt: datetime) -> str:
    """Canonical UTC form with milliseconds: ``2026-01-31T12:00:00.000Z``."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    # Not strftime("%Y"): it does not zero-pad years before 1000 on every platform.
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
        f".{dt.microsecond // 1000:03d}Z"
    )


def resolve_now(now: datetime | str | None) -> datetime:
    """The reference instant for relative times: ``now=`` or the current UTC time.

    Raises ValueError (with the reason) for anything but None, a datetime or an
    RFC 3339 string.
    """
    if now is None:
        return datetime.now(UTC)
    if isinstance(now, str):
        reason = check(now)
        if reason is not None:
            raise ValueError(reason)
        return to_datetime(now)
    if not isinstance(now, datetime):
        raise ValueError(f"expected a datetime or an RFC 3339 string, not {type(now).__name__}")
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


_MS = timedelta(milliseconds=1)
_LAST_MS = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)  # + 1ms overflows


def ts_threshold(op: str, value: str) -> tuple[str, datetime | None, datetime | None]:
    """Rewrite ``trunc_ms(col) OP v`` into comparisons on the untruncated column.

    Truncating the column would hide it from indexes and needs a per-engine function;
    against a whole-millisecond bound ``v`` the truncation is equivalent to:
    ``> v`` -> ``>= v+1ms``, ``>= v`` -> ``>= v``, ``< v`` -> ``< v``, ``<= v`` -> ``< v+1ms``,
    ``= v`` -> ``>= v and < v+1ms``. Returns (op, bound, upper bound for equals).
    A bound of None is "after every representable instant" (v+1ms past 9999-12-31
    23:59:59.999): ``>= None`` never holds, ``< None`` holds for every non-NULL value.
    """
    try:
        v = to_datetime(value)
    except OverflowError:
        raise FilterTypeError(f'timestamp "{value}" is outside years 0001-9999 in UTC') from None
    after = v + _MS if v < _LAST_MS else None
    if op == GT:
        return GTE, after, None
    if op == GTE:
        return GTE, v, None
    if op == LT:
        return LT, v, None
    if op == LTE:
        return LT, after, None
    if op == EQUALS:
        return GTE, v, after
    raise ValueError(f"operator {op} does not apply to timestamps")
