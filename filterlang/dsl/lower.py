"""IR -> API nodes: the reduce callbacks that build the IR, and the lowering of it.

:func:`lower` runs after the parse (so a syntax error anywhere is reported before a type
error) and walks the IR with an explicit stack, left to right (so the first type error
in the text is the one raised), pushing `not` to the leaves by De Morgan.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from ..errors import FilterSyntaxError, FilterTypeError, closest
from ..fields import EQUALS, FIELDS, FIELDS_BY_TABLE, GT, GTE, LT, LTE, NEGATION, NOT_EQUALS, TABLES, Field, Kind
from ..limits import exceeded
from ..memo import Memo
from ..nodes import ALL, INT64_MAX, Node, Value, balanced, leaf_of
from ..timefmt import UNITS_SECONDS, format_utc
from ..typecheck import op_error, text_error, value_error, wrong_table_hint
from .ir import AllAtom, Between, Chain, Cmp, Ctx, FieldRef, In, Not, Span, Val
from .lalr import Token, line_col, span_position
from .syntax import NO_NOT_LIKE, SPELLING, SYMBOLS

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_INF = float("inf")


class EscapeError(Exception):
    """A bad escape met inside a callback; :meth:`syntax_error` places it in the text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset

    def syntax_error(self, text: str) -> FilterSyntaxError:
        line, col = line_col(text, self.offset)
        return FilterSyntaxError(self.message, text=text, line=line, column=col, end_column=col + 2)


def unescape(body: str, tok: Token) -> str:
    """The text of a string literal's body (JSON-like escapes, plus LIKE's ``\\%`` ``\\_``)."""
    at = tok[2] + 1  # offset of the string body (after the opening quote)

    def repl(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "uU" and len(e) > 1:
            code = int(e[1:], 16)
            if code > 0x10FFFF:
                raise EscapeError(f"`\\{e}` is not a Unicode code point (the largest is \\U0010ffff)", at + m.start())
            return chr(code)
        if e in "uU":
            digits = "4" if e == "u" else "8"
            raise EscapeError(f"`\\{e}` needs {digits} hex digits, like \\u00e9", at + m.start())
        if e in _ESCAPES:
            return _ESCAPES[e]
        if e in "%_":  # LIKE escapes pass through, so "100\%" means the pattern 100\%
            return "\\" + e
        raise EscapeError(f"unknown escape `\\{e}` in a string (write \\\\ for a backslash)", at + m.start())

    out = _ESCAPE_RE.sub(repl, body) if "\\" in body else body
    # Surrogate pairs written as two \u escapes become one character, as in JSON.
    if _SURROGATE.search(out):
        out = out.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        reason = text_error(out)
        if reason is not None:
            raise EscapeError(reason, tok[2])
    return out


def _span(tok: Token) -> Span:
    return (tok[2], tok[3])


class Builder:
    """Reduce callbacks, one per grammar rule or alias: build the IR bottom-up.

    One builder per parse holds that parse's context. Children are the rule's tokens
    (``(type, text, start, end)`` tuples) and IR nodes.
    """

    __slots__ = ("budget", "ctx")

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        # Every value becomes at least one node, so more values than Limits.max_nodes is
        # refused as soon as it is read, before building leaves for them.
        self.budget = ctx.limits.max_nodes

    def _spend(self, tok: Token) -> None:
        self.budget -= 1
        if self.budget < 0:
            line, column = line_col(self.ctx.text, tok[2])
            limits = self.ctx.limits
            raise exceeded(
                limits, "max_nodes", limits.max_nodes + 1, "the filter", text=self.ctx.text, line=line, column=column
            )

    def or_expr(self, c: list[Any]) -> Chain:
        return Chain("or", c[::2])

    def and_expr(self, c: list[Any]) -> Chain:
        return Chain("and", c[::2])

    def negation(self, c: list[Any]) -> Not:
        return Not(c[1], _span(c[0]))

    def group(self, c: list[Any]) -> Any:
        return c[1]

    def all_(self, c: list[Any]) -> AllAtom:
        return AllAtom(_span(c[0]))

    def cmp(self, c: list[Any]) -> Cmp:
        ops = c[1:-1]  # one operator token, or `not like` / `not contains`
        return Cmp(c[0], " ".join(t[1].lower() for t in ops), c[-1], (ops[0][2], ops[-1][3]))

    def in_(self, c: list[Any]) -> In:  # field [not] in ( values )
        return In(c[0], len(c) == 6, c[-2])

    def value_list(self, c: list[Any]) -> list[Val]:
        return [v for v in c if type(v) is Val]

    def between(self, c: list[Any]) -> Between:  # field [not] between low and high
        return Between(c[0], len(c) == 6, c[-3], c[-1])

    def is_null(self, c: list[Any]) -> Cmp:  # field is [not] null
        return Cmp(c[0], "!=" if len(c) == 4 else "=", Val("null", None, _span(c[-1])), (c[1][2], c[-1][3]))

    def field(self, c: list[Any]) -> FieldRef:
        if len(c) == 1 and c[0][1][0] != "`":  # the common case: one plain name
            t = c[0]
            span = (t[2], t[3])
            return FieldRef([(t[1], span)], None, span)
        parts: list[tuple[str, Span]] = []
        key: str | None = None
        for t in c:  # names, `quoted names`, keywords as map keys, . [ "key" ]
            first = t[1][0]
            if first == "`":
                parts.append((t[1][1:-1], _span(t)))
            elif first in "\"'":
                key = unescape(t[1][1:-1], t)
            elif first not in ".[]":
                parts.append((t[1], _span(t)))
        return FieldRef(parts, key, (c[0][2], c[-1][3]))

    def string(self, c: list[Any]) -> Val:
        t = c[0]
        body = t[1][1:-1]
        self._spend(t)
        if "\\" in body or not body.isascii():  # escapes, or text that may hold surrogates
            body = unescape(body, t)
        return Val("string", body, (t[2], t[3]))

    def number(self, c: list[Any]) -> Val:
        t = c[0]
        s = t[1]
        self._spend(t)
        if "." in s or "e" in s or "E" in s:
            num: int | float = float(s)
        else:
            try:
                num = int(s)
            except ValueError:  # over 4300 digits, which Python refuses to convert
                num = float(s)  # +-inf: "out of range" from the type check
        return Val("number", num, (t[2], t[3]))

    def true(self, c: list[Any]) -> Val:
        self._spend(c[0])
        return Val("bool", True, _span(c[0]))

    def false(self, c: list[Any]) -> Val:
        self._spend(c[0])
        return Val("bool", False, _span(c[0]))

    def null(self, c: list[Any]) -> Val:
        self._spend(c[0])
        return Val("null", None, _span(c[0]))

    def now(self, c: list[Any]) -> Val:
        self._spend(c[0])
        seconds = 0
        for sign, dur in zip(c[1::2], c[2::2], strict=True):
            digits = dur[1][:-1]
            # Over 4300 digits Python refuses to convert; any such duration is out of range.
            amount = (int(digits) if len(digits) <= 4000 else 10**20) * UNITS_SECONDS[dur[1][-1]]
            seconds += amount if sign[1] == "+" else -amount
        return Val("now", seconds, (c[0][2], c[-1][3]))


# ---------------------------------------------------------------- lowering


def _type_error(ctx: Ctx, span: Span, message: str, suggestion: str | None = None) -> FilterTypeError:
    line, column, end_line, end_column = span_position(ctx.text, *span)
    return FilterTypeError(
        message,
        text=ctx.text,
        line=line,
        column=column,
        end_column=end_column if end_line == line else column + 1,  # a span over lines: one caret
        suggestion=suggestion,
    )


def _resolve_field(ctx: Ctx, ref: FieldRef) -> tuple[Field, str | None]:
    if ref.key is None and len(ref.parts) == 1:  # the common case: one plain field name
        f = FIELDS.get(ref.parts[0][0])
        if f is not None and f.kind is not Kind.MAP:
            return f, None
    names = [n for n, _ in ref.parts]
    table: str | None = None
    i = 0
    if len(names) > 1 and names[0] in TABLES:
        table = names[0]
        i = 1
    name, span = ref.parts[i]
    pool = FIELDS_BY_TABLE[table] if table else FIELDS
    f = pool.get(name)
    if f is None:
        hint = wrong_table_hint(table, name) if table else None
        if hint is None and name in TABLES:
            hint = f"`{name}` is a table; name a field, e.g. `{name}.{next(iter(FIELDS_BY_TABLE[name]))}`"
        raise _type_error(ctx, span, hint or f"unknown field `{name}`", None if hint else closest(name, pool))
    rest = ref.parts[i + 1 :]
    key = ref.key
    if f.kind is Kind.MAP:
        if rest:
            if key is not None or len(rest) > 1:
                raise _type_error(ctx, rest[-1][1], f'`{f.name}` takes one key: {f.name}["key"] or {f.name}.key')
            key = rest[0][0]
        if key is None:
            raise _type_error(ctx, ref.span, f'`{f.name}` is a map; name a key: {f.name}["key"] or {f.name}.key')
        reason = text_error(key)
        if reason is not None:
            raise _type_error(ctx, ref.span, f"map key: {reason}")
        return f, key
    if rest or key is not None:
        raise _type_error(ctx, ref.span, f"`{f.name}` is not a map field, so it takes no key")
    return f, None


def _value(ctx: Ctx, f: Field, v: Val) -> Value | None:
    """Python value of ``v`` for field ``f`` (None for null), or a FilterTypeError."""
    kind, val = v.kind, v.value
    if kind == "string":
        if f.value_kind is Kind.TEXT and val.isascii() and "\0" not in val:
            return val  # type: ignore[no-any-return]  # the common case; other text: checked below
    elif kind == "number":
        if val.__class__ is int and f.value_kind is Kind.NUMBER and -INT64_MAX - 1 <= val <= INT64_MAX:
            return val  # type: ignore[no-any-return]  # the common case
        if val.__class__ is float and val in (_INF, -_INF):
            raise _type_error(ctx, v.span, "number out of range for a double")
    elif kind == "now":
        if f.value_kind is not Kind.TIMESTAMP:
            raise _type_error(ctx, v.span, f"`now` is a time; `{f.name}` is not a timestamp field")
        ctx.now_used = True
        try:
            return format_utc(ctx.now + timedelta(seconds=val))
        except (OverflowError, ValueError):
            raise _type_error(ctx, v.span, "this relative time falls outside the years 1 to 9999") from None
    elif kind == "null":
        return None
    reason = value_error(f, val)
    if reason is not None:
        raise _type_error(ctx, v.span, reason)
    return val  # type: ignore[no-any-return]


# Leaves are immutable, so equal comparisons can share one object: real filters repeat
# their vocabulary (`status = 200`, `model ~ "gpt%"`), and building a leaf is three model
# constructions. Measured by `benchmarks/bench_language.py --ab`: with 9 of 10 leaves
# seen before, a parse is ~27 µs (~18%) faster; with none seen, ~5 µs slower (noise
# level). The key keeps int/float/bool and -0.0/0.0 apart.
LEAVES: Memo[tuple[str, str | None, str, type, object], Node] = Memo(4096, lru=False)


def leaf(name: str, op: str, value: Value, key: str | None) -> Node:
    """``nodes.leaf_of`` through :data:`LEAVES`."""
    k = (name, key, op, value.__class__, value.hex() if isinstance(value, float) else value)
    node = LEAVES.get(k)
    if node is None:
        node = leaf_of(name, op, value, key)
        LEAVES.put(k, node)
    return node


def _cmp_nodes(
    ctx: Ctx,
    f: Field,
    key: str | None,
    op: str,
    value: Value | None,
    span: Span,
    vspan: Span,
    spelled: str,
    negate: bool,
) -> Node:
    """One comparison as API nodes, with ``not`` applied."""
    if value is None:  # null: the API says IS [NOT] NULL as {"equals"|"not-equals": "null"}
        if f.kind is not Kind.TEXT:
            raise _type_error(
                ctx,
                vspan,
                f"`{f.name}` cannot be compared with null: the API spells IS NULL only for text fields",
            )
        if op not in (EQUALS, NOT_EQUALS):
            raise _type_error(ctx, span, "null can only be compared with = or != (or `is null`)")
        value = "null"
    if negate:
        if f.kind is Kind.BOOLEAN and op == EQUALS:
            return leaf(f.name, EQUALS, not value, key)
        if f.kind is Kind.TIMESTAMP and op == EQUALS:
            return balanced("or", [leaf(f.name, LT, value, key), leaf(f.name, GT, value, key)])
        neg = NEGATION.get(op)
        if neg is None or neg not in f.operators:
            raise _type_error(
                ctx,
                span,
                f"`not` cannot be applied to `{f.name} {spelled} ...`: the API has no negated form of "
                f"`{op}` on {f.kind.value} fields",
            )
        op = neg
    return leaf(f.name, op, value, key)


def lower_cmp(ctx: Ctx, c: Cmp, negate: bool) -> Node:
    f, key = _resolve_field(ctx, c.field)
    op = SYMBOLS.get(c.op)
    if op is None:
        assert c.op in NO_NOT_LIKE
        raise _type_error(ctx, c.span, f"`{c.op}` cannot be expressed: the API has no NOT LIKE / NOT ILIKE")
    if op not in f.operators:
        raise _type_error(ctx, c.span, op_error(f, op, c.op, SPELLING) or "")
    value = _value(ctx, f, c.value)
    if value is not None and not negate:
        return leaf(f.name, op, value, key)
    return _cmp_nodes(ctx, f, key, op, value, c.span, c.value.span, c.op, negate)


def lower_in(ctx: Ctx, node: In, negate: bool) -> Node:
    f, key = _resolve_field(ctx, node.field)
    neg = negate != node.negated
    items = []
    for v in node.values:
        value = _value(ctx, f, v)
        if value is None:
            raise _type_error(ctx, v.span, "null cannot be in a list; use `is null`")
        if op_error(f, EQUALS) is not None:
            raise _type_error(ctx, v.span, op_error(f, EQUALS) or "")
        items.append(_cmp_nodes(ctx, f, key, EQUALS, value, v.span, v.span, "in", neg))
    return balanced("and" if neg else "or", items)


def lower_between(ctx: Ctx, node: Between, negate: bool) -> Node:
    f, key = _resolve_field(ctx, node.field)
    for op in (GTE, LTE):
        reason = op_error(f, op, "between", SPELLING)
        if reason is not None:
            raise _type_error(ctx, node.field.span, reason)
    low, high = _value(ctx, f, node.low), _value(ctx, f, node.high)
    if low is None or high is None:
        raise _type_error(ctx, node.low.span if low is None else node.high.span, "between needs two values, not null")
    if negate != node.negated:
        return balanced("or", [leaf(f.name, LT, low, key), leaf(f.name, GT, high, key)])
    return balanced("and", [leaf(f.name, GTE, low, key), leaf(f.name, LTE, high, key)])


def lower(ctx: Ctx, ir: Any) -> Node:
    """IR -> API nodes with an explicit stack; ``negate`` is the parity of enclosing nots.

    Parts are lowered left to right, so the first type error in the text is the one raised.
    """
    out: list[Node] = []
    stack: list[tuple[Any, bool, bool]] = [(ir, False, False)]
    while stack:
        item, negate, built = stack.pop()
        if type(item) is Cmp:
            out.append(lower_cmp(ctx, item, negate))
        elif type(item) is Chain:
            if built:
                n = len(item.items)
                nodes = out[-n:]
                del out[-n:]
                op: Literal["and", "or"] = item.op if not negate else ("or" if item.op == "and" else "and")
                out.append(balanced(op, nodes))
            else:
                stack.append((item, negate, True))
                stack.extend((x, negate, False) for x in reversed(item.items))
        elif type(item) is Not:
            stack.append((item.item, not negate, False))
        elif type(item) is In:
            out.append(lower_in(ctx, item, negate))
        elif type(item) is Between:
            out.append(lower_between(ctx, item, negate))
        elif type(item) is AllAtom:
            if negate:
                raise _type_error(ctx, item.span, "`not all` matches nothing, which the API cannot express")
            out.append(ALL)
        else:  # pragma: no cover
            raise AssertionError(type(item))
    assert len(out) == 1
    return out[0]
