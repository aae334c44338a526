"""The small IR the reduce callbacks build while the LALR driver parses.

Nodes carry where they came from as offsets ``(start, end)`` into the text; line and
column are computed only when an error needs them. ``lower.lower`` turns the IR into the
API's nodes after the parse, so a syntax error anywhere is reported before a type error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..limits import Limits

Span = tuple[int, int]


@dataclass(slots=True)
class Ctx:
    """One parse's context: the text (for error positions), `now`, the limits."""

    text: str
    now: datetime
    limits: Limits
    now_used: bool = field(default=False)


class FieldRef:
    __slots__ = ("key", "parts", "span")

    def __init__(self, parts: list[tuple[str, Span]], key: str | None, span: Span) -> None:
        self.parts, self.key, self.span = parts, key, span


class Val:
    __slots__ = ("kind", "span", "value")

    def __init__(self, kind: str, value: Any, span: Span) -> None:
        self.kind, self.value, self.span = kind, value, span  # kind: string | number | bool | null | now


class Cmp:
    __slots__ = ("field", "op", "span", "value")

    def __init__(self, field: FieldRef, op: str, value: Val, span: Span) -> None:
        self.field, self.op, self.value, self.span = field, op, value, span  # op: spelling, lower-cased


class In:
    __slots__ = ("field", "negated", "values")

    def __init__(self, field: FieldRef, negated: bool, values: list[Val]) -> None:
        self.field, self.negated, self.values = field, negated, values


class Between:
    __slots__ = ("field", "high", "low", "negated")

    def __init__(self, field: FieldRef, negated: bool, low: Val, high: Val) -> None:
        self.field, self.negated, self.low, self.high = field, negated, low, high


class Chain:
    """``a and b and c``: lowered to one balanced tree, as the printer expects."""

    __slots__ = ("items", "op")

    def __init__(self, op: Literal["and", "or"], items: list[Any]) -> None:
        self.op, self.items = op, items


class Not:
    __slots__ = ("item", "span")

    def __init__(self, item: Any, span: Span) -> None:
        self.item, self.span = item, span


class AllAtom:
    __slots__ = ("span",)

    def __init__(self, span: Span) -> None:
        self.span = span
