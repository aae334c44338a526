"""The small IR the reduce callbacks build while the LALR driver parses.

Every node carries where it came from as offsets ``(start, end)`` into the text (line
and column are computed only when an error needs them), ``node``: its lowering when not
negated, built while parsing (None when it contains a `not`, or when lowering failed:
the error is raised again by ``lower.lower`` after a clean parse, so syntax errors are
reported first), and ``shape`` = (depth bound, exact node count) of that node for the
limit checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..limits import Limits
from ..nodes import ALL, Node, balanced

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
    __slots__ = ("field", "node", "op", "shape", "span", "value")

    def __init__(self, field: FieldRef, op: str, value: Val, span: Span) -> None:
        self.field, self.op, self.value, self.span = field, op, value, span  # op: spelling, lower-cased
        self.node: Node | None = None
        self.shape = (1, 1)


class In:
    __slots__ = ("field", "negated", "node", "shape", "values")

    def __init__(self, field: FieldRef, negated: bool, values: list[Val]) -> None:
        self.field, self.negated, self.values = field, negated, values
        self.node: Node | None = None
        self.shape = (1, 1)


class Between:
    __slots__ = ("field", "high", "low", "negated", "node", "shape")

    def __init__(self, field: FieldRef, negated: bool, low: Val, high: Val) -> None:
        self.field, self.negated, self.low, self.high = field, negated, low, high
        self.node: Node | None = None
        self.shape = (2, 3)


class Chain:
    """``a and b and c``: built as one balanced tree, as the printer expects."""

    __slots__ = ("items", "node", "op", "shape")

    def __init__(self, op: Literal["and", "or"], items: list[Any]) -> None:
        self.op, self.items = op, items
        self.node: Node | None = None
        self.shape = (1, 1)
        depth = count = 0
        for x in items:
            if x.node is None:
                return
            count += x.shape[1]
            depth = max(depth, x.shape[0])
        self.node = balanced(op, [x.node for x in items])
        self.shape = (depth + (len(items) - 1).bit_length(), count + len(items) - 1)


class Not:
    __slots__ = ("item", "node", "shape", "span")

    def __init__(self, item: Any, span: Span) -> None:
        self.item, self.span = item, span
        self.node: Node | None = None
        self.shape = (1, 1)


class AllAtom:
    __slots__ = ("node", "shape", "span")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.node: Node | None = ALL
        self.shape = (1, 1)
