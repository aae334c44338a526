"""Type rules shared by every way a filter enters: which operator a field allows and
which values an operator accepts.

The DSL lowering and the JSON reader both ask here, so a filter that is rejected in one
form is rejected in the other with the same words.
"""

from __future__ import annotations

import math

from . import timefmt
from .fields import FIELDS_BY_TABLE, TABLES, Field, Kind
from .nodes import INT64_MAX

KIND_WORDS: dict[Kind, str] = {
    Kind.TEXT: "text",
    Kind.NUMBER: "number",
    Kind.TIMESTAMP: "timestamp",
    Kind.BOOLEAN: "boolean",
    Kind.MAP: "map",
    Kind.PROPERTY_KEY: "property-key",
}


def describe(value: object) -> str:
    """A value as the user would recognise it in an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'string "{shown}"'
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def op_error(f: Field, op: str, spelled: str | None = None, spelling: dict[str, str] | None = None) -> str | None:
    """None if ``op`` is allowed on ``f``, else the message listing what is allowed.

    ``spelling`` maps API operator names to how the caller's language writes them, so
    a DSL user is told ``=, !=, ~`` and a JSON user ``equals, not-equals, like``.
    """
    if op in f.operators:
        return None
    what = spelled or op
    allowed = ", ".join((spelling or {}).get(o, o) for o in f.operators)
    return f"operator `{what}` is not allowed on {KIND_WORDS[f.kind]} field `{f.name}`; it allows: {allowed}"


def text_error(s: str) -> str | None:
    """Strings must reach every database and JSON consumer intact.

    json.loads and ``"\\ud800"`` escapes can produce unpaired surrogates, which would
    fail much later (on encoding) far from the input; and a NUL character cannot be
    stored by PostgreSQL and ends a string in SQLite (semantics.md §3): reject both here,
    where the DSL and the JSON reader both ask.
    """
    if "\0" in s:
        return "text contains the NUL character U+0000, which no database compares reliably"
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"text contains an unpaired surrogate U+{ord(s[exc.start]):04X}, which is not valid Unicode text"
    return None


# Values must be of these exact types: a subclass (an IntEnum, numpy.float64) passes
# isinstance but prints, hashes or binds differently downstream. (bool cannot be
# subclassed; a bool where a number belongs gets its own message below.)
_PLAIN = {Kind.NUMBER: (int, float), Kind.BOOLEAN: (bool,), Kind.TEXT: (str,), Kind.TIMESTAMP: (str,)}


def _subclass_error(f: Field, value: object) -> str | None:
    plain = _PLAIN[f.value_kind]
    if type(value) in plain or type(value) is bool or not isinstance(value, plain):
        return None
    base = next(t for t in plain if isinstance(value, t)).__name__
    return (
        f"`{f.name}` needs a plain {base}, not {type(value).__module__}.{type(value).__qualname__} "
        f"(a subclass of {base}); convert it with {base}(...)"
    )


def value_error(f: Field, value: object) -> str | None:
    """None if ``value`` (a JSON-level Python value) fits ``f``'s value kind, else why not."""
    kind = f.value_kind
    sub = _subclass_error(f, value)
    if sub is not None:
        return sub
    if kind is Kind.TEXT:
        if isinstance(value, str):
            return text_error(value)
        hint = f' (did you mean "{value}"?)' if isinstance(value, int | float) and not isinstance(value, bool) else ""
        return f"`{f.name}` compares text, so it needs a string, not {describe(value)}{hint}"
    if kind is Kind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = ""
            if isinstance(value, str):
                try:
                    float(value)
                    hint = f" (did you mean {value.strip()} without quotes?)"
                except ValueError:
                    pass
            return f"`{f.name}` is a number field, so it needs a number, not {describe(value)}{hint}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"`{f.name}` needs a finite number, not {value!r}"
        if isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX:
            return f"`{f.name}`: {value} is outside the signed 64-bit integer range"
        return None
    if kind is Kind.TIMESTAMP:
        if not isinstance(value, str):
            return f'`{f.name}` is a timestamp field, so it needs an RFC 3339 string like "2026-01-31T12:00:00Z", not {describe(value)}'
        return timefmt.check(value)
    if kind is Kind.BOOLEAN:
        if isinstance(value, bool):
            return None
        return f"`{f.name}` is a boolean field, so it needs true or false, not {describe(value)}"
    raise AssertionError(kind)


def wrong_table_hint(table: str, name: str) -> str | None:
    """When a field is looked up in the wrong table, say where it lives."""
    for other in TABLES:
        if other != table and name in FIELDS_BY_TABLE[other]:
            return f"`{name}` is a field of `{other}`, not of `{table}`"
    return None
