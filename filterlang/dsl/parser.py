"""DSL text -> typed AST, in three steps that never recurse on input depth.

1. Guards: length and parenthesis nesting are measured before any parsing.
2. The LALR tables Lark computes from ``grammar/filter.lark`` drive
   :class:`filterlang.dsl.lalr.Driver`; its reduce callbacks (``_Builder``) build a
   small IR while parsing, so there is no parse tree to walk recursively afterwards.
   The callbacks also type-check each comparison (``in``, ``between``, ``is null``)
   and build its API leaf, and chains their balanced trees, so a filter without
   ``not`` is finished when the parse is (``ir.node``).
3. Otherwise :func:`_lower` walks the IR with an explicit stack, pushing ``not`` to
   the leaves by De Morgan, and raises any type error a callback met, in text order
   (after the parse, so a syntax error anywhere is reported first).

Every failure is a :class:`FilterSyntaxError` / :class:`FilterTypeError` /
:class:`FilterLimitError` with line, column and a caret.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, TypeVar

from ..errors import FilterSyntaxError, FilterTypeError, closest
from ..fields import (
    EQUALS,
    FIELDS,
    FIELDS_BY_TABLE,
    GT,
    GTE,
    LT,
    LTE,
    NEGATION,
    NOT_EQUALS,
    TABLES,
    Field,
    Kind,
)
from ..limits import DEFAULT_LIMITS, Limits, check_length, exceeded
from ..memo import Memo
from ..nodes import ALL, INT64_MAX, Node, Value, balanced, leaf_of, shape
from ..timefmt import UNITS_SECONDS, format_utc, resolve_now
from ..typecheck import op_error, text_error, value_error, wrong_table_hint
from .lalr import Driver, LexError, ParseError, Token, line_col, span_position
from .syntax import NO_NOT_LIKE, SPELLING, SYMBOLS

# Terminal name -> words for "expected ..." messages (never show __ANON names).
EXPECTED_WORDS: dict[str, str] = {
    "STRING": "a value",
    "NUMBER": "a value",
    "TRUE": "a value",
    "FALSE": "a value",
    "NULL": "a value",
    "NOW": "a value",
    "NAME": "a field name",
    "BQNAME": "a field name",
    "ALL": "a field name",
    "NOT": "`not`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "SYMOP": "an operator",
    "LIKE": "an operator",
    "ILIKE": "an operator",
    "CONTAINS": "an operator",
    "IN": "an operator",
    "IS": "an operator",
    "BETWEEN": "an operator",
    "AND": "`and` or `or`",
    "OR": "`and` or `or`",
    "COMMA": "`,`",
    "DOT": "`.`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "SIGN": "`+` or `-`",
    "DURATION": "a duration like 7d (units s, m, h, d, w)",
    "$END": "the end of the filter",
}
_COMMENT = re.compile(r"#[^\n]*")
_WORD_OPERATORS = ["like", "ilike", "contains", "in", "between", "is", "not"]
_PREV_TOKEN = re.compile(
    r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`|[A-Za-z_][A-Za-z0-9_]*"
    r"|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[smhdw]?|==|!=|<>|>=|<=|~\*|!~\*|!~|[=<>~()\[\],.+-]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_BLANK = re.compile(r"(?:\s+|#[^\n]*)*")
_STRING_AT = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")
_PAREN_SCAN = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`|#[^\n]*|[()]")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)


# ---------------------------------------------------------------- IR built while parsing

# Where an IR node came from: (start offset, end offset) in the text. Line and column
# are computed from ctx.text only when an error needs them.
Span = tuple[int, int]


class FieldRef:
    __slots__ = ("key", "parts", "span")

    def __init__(self, parts: list[tuple[str, Span]], key: str | None, span: Span) -> None:
        self.parts, self.key, self.span = parts, key, span

    def __repr__(self) -> str:
        return f"FieldRef({self.parts!r}, {self.key!r})"


class Val:
    __slots__ = ("kind", "span", "value")

    def __init__(self, kind: str, value: Any, span: Span) -> None:
        self.kind, self.value, self.span = kind, value, span  # kind: string | number | bool | null | now

    def __repr__(self) -> str:
        return f"Val({self.kind!r}, {self.value!r})"


# Every IR node carries ``node``: its lowering when not negated, built while parsing
# (None when it contains a `not`, or when lowering failed: the error is then raised
# again by _lower after a clean parse, so syntax errors are still reported first), and
# ``shape`` = (depth bound, exact node count) of that node for the limit checks.


class Cmp:
    __slots__ = ("field", "node", "op", "shape", "span", "value")

    def __init__(self, field: FieldRef, op: str, value: Val, span: Span) -> None:
        self.field, self.op, self.value, self.span = field, op, value, span  # op: spelling, lower-cased
        self.node: Node | None = None
        self.shape = (1, 1)

    def __repr__(self) -> str:
        return f"Cmp({self.field!r}, {self.op!r}, {self.value!r})"


class In:
    __slots__ = ("field", "negated", "node", "shape", "values")

    def __init__(self, field: FieldRef, negated: bool, values: list[Val]) -> None:
        self.field, self.negated, self.values = field, negated, values
        self.node: Node | None = None
        self.shape = (1, 1)

    def __repr__(self) -> str:
        return f"In({self.field!r}, {self.negated!r}, {self.values!r})"


class Between:
    __slots__ = ("field", "high", "low", "negated", "node", "shape")

    def __init__(self, field: FieldRef, negated: bool, low: Val, high: Val) -> None:
        self.field, self.negated, self.low, self.high = field, negated, low, high
        self.node: Node | None = None
        self.shape = (2, 3)

    def __repr__(self) -> str:
        return f"Between({self.field!r}, {self.negated!r}, {self.low!r}, {self.high!r})"


class Chain:
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

    def __repr__(self) -> str:
        return f"Chain({self.op!r}, {self.items!r})"


class Not:
    __slots__ = ("item", "node", "shape", "span")

    def __init__(self, item: Any, span: Span) -> None:
        self.item, self.span = item, span
        self.node: Node | None = None
        self.shape = (1, 1)

    def __repr__(self) -> str:
        return f"Not({self.item!r})"


class AllAtom:
    __slots__ = ("node", "shape", "span")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.node: Node | None = ALL
        self.shape = (1, 1)

    def __repr__(self) -> str:
        return "AllAtom()"


@dataclass(slots=True)
class _Ctx:
    text: str
    now: datetime
    limits: Limits
    now_used: bool = field(default=False)


def _span(tok: Token) -> Span:
    return (tok[2], tok[3])


class _EscapeError(Exception):
    """Raised inside the parser callbacks; turned into a FilterSyntaxError with the text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset


def _unescape(body: str, tok: Token) -> str:
    at = tok[2] + 1  # offset of the string body (after the opening quote)

    def repl(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "uU" and len(e) > 1:
            code = int(e[1:], 16)
            if code > 0x10FFFF:
                raise _EscapeError(f"`\\{e}` is not a Unicode code point (the largest is \\U0010ffff)", at + m.start())
            return chr(code)
        if e in "uU":
            digits = "4" if e == "u" else "8"
            raise _EscapeError(f"`\\{e}` needs {digits} hex digits, like \\u00e9", at + m.start())
        if e in _ESCAPES:
            return _ESCAPES[e]
        if e in "%_":  # LIKE escapes pass through, so "100\%" means the pattern 100\%
            return "\\" + e
        raise _EscapeError(f"unknown escape `\\{e}` in a string (write \\\\ for a backslash)", at + m.start())

    out = _ESCAPE_RE.sub(repl, body) if "\\" in body else body
    # Surrogate pairs written as two \u escapes become one character, as in JSON.
    if _SURROGATE.search(out):
        out = out.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        reason = text_error(out)
        if reason is not None:
            raise _EscapeError(reason, tok[2])
    return out


IR = TypeVar("IR", Cmp, In, Between)


def _eager(ctx: _Ctx, item: IR, lower: Callable[[_Ctx, IR, bool], Node]) -> IR:
    """Lower ``item`` now; on a type error leave ``node`` None so that _lower raises the
    error again after the whole text parsed (syntax errors are reported first)."""
    try:  # noqa: SIM105 (contextlib.suppress costs a context manager per comparison)
        item.node = lower(ctx, item, False)
    except FilterTypeError:
        pass
    return item


class _Builder:
    """Reduce callbacks: build the IR bottom-up while the LALR driver parses.

    Each comparison is also lowered here, so a filter without `not` needs no second
    pass; one builder per parse holds that parse's context (text, `now`, limits).
    Children are the rule's tokens (``(type, text, start, end)`` tuples) and IR nodes.
    """

    __slots__ = ("ctx",)

    def __init__(self, ctx: _Ctx) -> None:
        self.ctx = ctx

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
        if len(c) == 3:  # the common case: one operator token
            op = c[1]
            item = Cmp(c[0], op[1].lower(), c[2], (op[2], op[3]))
        else:
            ops = c[1:-1]
            item = Cmp(c[0], " ".join(t[1].lower() for t in ops), c[-1], (ops[0][2], ops[-1][3]))
        return _eager(self.ctx, item, _lower_cmp)

    def in_(self, c: list[Any]) -> In:
        item = _eager(self.ctx, In(c[0], c[1][0] == "NOT", c[-2]), _lower_in)
        if item.node is not None:
            item.shape = shape(item.node)
        return item

    def value_list(self, c: list[Any]) -> list[Val]:
        return [v for v in c if type(v) is Val]

    def between(self, c: list[Any]) -> Between:
        return _eager(self.ctx, Between(c[0], c[1][0] == "NOT", c[-3], c[-1]), _lower_between)

    def is_null(self, c: list[Any]) -> Cmp:
        negated = len(c) == 4
        item = Cmp(c[0], "!=" if negated else "=", Val("null", None, _span(c[-1])), (c[1][2], c[-1][3]))
        return _eager(self.ctx, item, _lower_cmp)

    def field(self, c: list[Any]) -> FieldRef:
        if len(c) == 1 and c[0][0] == "NAME":  # the common case: one plain name
            t = c[0]
            span = (t[2], t[3])
            return FieldRef([(t[1], span)], None, span)
        parts: list[tuple[str, Span]] = []
        key: str | None = None
        for t in c:
            if t[0] == "NAME":
                parts.append((t[1], _span(t)))
            elif t[0] == "BQNAME":
                parts.append((t[1][1:-1], _span(t)))
            elif t[0] == "STRING":
                key = _unescape(t[1][1:-1], t)
        return FieldRef(parts, key, (c[0][2], c[-1][3]))

    def string(self, c: list[Any]) -> Val:
        t = c[0]
        body = t[1][1:-1]
        if "\\" in body or not body.isascii():  # escapes, or text that may hold surrogates
            body = _unescape(body, t)
        return Val("string", body, (t[2], t[3]))

    def number(self, c: list[Any]) -> Val:
        t = c[0]
        s = t[1]
        if "." in s or "e" in s or "E" in s:
            num: int | float = float(s)
        else:
            try:
                num = int(s)
            except ValueError:  # over 4300 digits, which Python refuses to convert
                num = float(s)  # +-inf: "out of range" from the type check
        return Val("number", num, (t[2], t[3]))

    def true(self, c: list[Any]) -> Val:
        return Val("bool", True, _span(c[0]))

    def false(self, c: list[Any]) -> Val:
        return Val("bool", False, _span(c[0]))

    def null(self, c: list[Any]) -> Val:
        return Val("null", None, _span(c[0]))

    def now(self, c: list[Any]) -> Val:
        seconds = 0
        for sign, dur in zip(c[1::2], c[2::2], strict=True):
            digits = dur[1][:-1]
            # Over 4300 digits Python refuses to convert; any such duration is out of range.
            amount = (int(digits) if len(digits) <= 4000 else 10**20) * UNITS_SECONDS[dur[1][-1]]
            seconds += amount if sign[1] == "+" else -amount
        return Val("now", seconds, (c[0][2], c[-1][3]))


# ---------------------------------------------------------------- Lark setup


@lru_cache(maxsize=1)
def _grammar() -> str:
    return resources.files("filterlang.grammar").joinpath("filter.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _lark() -> Any:
    """Lark's analysis of the grammar: parse table, terminals, rule shapes.

    ``cache=True`` stores the analysed grammar in the temp dir, so later processes skip
    grammar analysis.
    """
    from lark import Lark

    return Lark(_grammar(), parser="lalr", lexer="contextual", cache=True, maybe_placeholders=False)


@lru_cache(maxsize=1)
def _driver() -> Driver:
    return Driver(_lark(), _Builder)


def _parse_ir(text: str, ctx: _Ctx | None = None) -> Any:
    if ctx is None:
        ctx = _Ctx(text, resolve_now(None), DEFAULT_LIMITS)
    try:
        return _driver().parse(text, _Builder(ctx))
    except _EscapeError as exc:
        line, col = line_col(text, exc.offset)
        raise FilterSyntaxError(exc.message, text=text, line=line, column=col, end_column=col + 2) from None
    except LexError as exc:
        line, col = line_col(text, exc.pos)
        raise _char_error(text, text[exc.pos], line, col, exc.allowed) from None
    except ParseError as exc:
        raise _token_error(text, exc.token, exc.expected) from None


# ---------------------------------------------------------------- syntax errors in words


def _words(expected: set[str]) -> list[str]:
    seen: dict[str, None] = {}
    only_null = "NULL" in expected and "STRING" not in expected  # after `is`
    for name in sorted(expected):
        seen["`null`" if only_null and name == "NULL" else EXPECTED_WORDS.get(name, name.lower())] = None
    return list(seen)


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return words[0] if words else "something else"
    return ", ".join(words[:-1]) + " or " + words[-1]


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


def _prev_token(text: str, line: int, column: int) -> str | None:
    offset = _offset(text, line, column)
    toks = _PREV_TOKEN.findall(_COMMENT.sub("", text[:offset]))
    return toks[-1] if toks else None


def _expected_message(text: str, line: int, column: int, expected: set[str]) -> str:
    words = _words(expected)
    prev = _prev_token(text, line, column)
    where = f" after `{prev}`" if prev else " at the start of the filter"
    return f"expected {_join(words)}{where}"


def _char_error(text: str, ch: str, line: int, column: int, allowed: set[str]) -> FilterSyntaxError:
    offset = _offset(text, line, column)
    literal = _STRING_AT.match(text, offset) if ch in "\"'" else None
    if literal is not None:  # a complete string where no value can stand
        shown = literal.group() if len(literal.group()) <= 30 else literal.group()[:27] + "..."
        msg = f"unexpected string {shown}: " + _expected_message(text, line, column, allowed)
        if "a field name" in _words(allowed):
            msg += " (field names are not quoted; use `backticks` for unusual names)"
        return FilterSyntaxError(
            msg, text=text, line=line, column=column, end_column=column + len(literal.group()), expected=_words(allowed)
        )
    if ch in "\"'":
        return FilterSyntaxError(
            "unterminated string: no closing " + ("double" if ch == '"' else "single") + " quote on this line",
            text=text,
            line=line,
            column=column,
        )
    if ch == "`":
        return FilterSyntaxError("unterminated `quoted field name`", text=text, line=line, column=column)
    msg = f"unexpected character `{ch}`"
    if allowed:
        msg += "; " + _expected_message(text, line, column, allowed)
    if allowed and ch.isdigit() and "DURATION" in allowed:
        msg = "expected a duration like 7d (units s, m, h, d, w)"
    return FilterSyntaxError(msg, text=text, line=line, column=column, expected=_words(allowed))


def _token_error(text: str, tok: Any, expected: set[str]) -> FilterSyntaxError:
    words = _words(expected)
    if tok.type == "$END":
        line, col = _end_position(text)
        msg = "unexpected end of the filter: " + _expected_message(text, line, col, expected)
        return FilterSyntaxError(msg, text=text, line=line, column=col, expected=words)
    msg = f"unexpected `{tok}`: " + _expected_message(text, tok.line, tok.column, expected)
    suggestion = None
    keywords = [k.lower() for k in expected if k.isalpha() and k not in ("NAME", "BQNAME", "STRING", "NUMBER")]
    if tok.type == "NAME" and closest(str(tok).lower(), keywords):
        suggestion = closest(str(tok).lower(), keywords)
    elif tok.type == "NAME" and "an operator" in words:
        suggestion = closest(str(tok).lower(), _WORD_OPERATORS)
    elif tok.type == "NAME" and "`and` or `or`" in words:
        suggestion = closest(str(tok).lower(), ["and", "or"])
    elif tok.type in ("NAME", "BQNAME") and "a value" in words:
        suggestion = f'"{str(tok).strip("`")}"'
        msg += " (text values need quotes)"

    return FilterSyntaxError(
        msg,
        text=text,
        line=tok.line,
        column=tok.column,
        end_column=tok.end_column,
        suggestion=suggestion,
        expected=words,
    )


def _end_position(text: str) -> tuple[int, int]:
    stripped = text.rstrip()
    lines = stripped.split("\n")
    return len(lines), len(lines[-1]) + 1


# ---------------------------------------------------------------- guards


def _check_size(text: str, limits: Limits) -> None:
    check_length(limits, text, "the filter")
    if text.count("(") <= limits.max_depth:
        return
    depth = 0
    for m in _PAREN_SCAN.finditer(text):
        tok = m.group()
        if tok == "(":
            depth += 1
            if depth > limits.max_depth:
                line, col = line_col(text, m.start())
                raise exceeded(
                    limits, "max_depth", depth, "the filter's parenthesis nesting", text=text, line=line, column=col
                )
        elif tok == ")":
            depth -= 1


# ---------------------------------------------------------------- lowering


def _type_error(ctx: _Ctx, span: Span, message: str, suggestion: str | None = None) -> FilterTypeError:
    line, column, end_line, end_column = span_position(ctx.text, *span)
    return FilterTypeError(
        message,
        text=ctx.text,
        line=line,
        column=column,
        end_column=end_column if end_line == line else column + 1,  # a span over lines: one caret
        suggestion=suggestion,
    )


def _resolve_field(ctx: _Ctx, ref: FieldRef) -> tuple[Field, str | None]:
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
        return f, key
    if rest or key is not None:
        raise _type_error(ctx, ref.span, f"`{f.name}` is not a map field, so it takes no key")
    return f, None


def _value(ctx: _Ctx, f: Field, v: Val) -> Value | None:
    """Python value of ``v`` for field ``f`` (None for null), or a FilterTypeError."""
    kind, val = v.kind, v.value
    if kind == "string":
        if f.value_kind is Kind.TEXT and val.isascii():
            return val  # type: ignore[no-any-return]  # the common case; other text: surrogate check below
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


_INF = float("inf")


# Leaves are immutable, so equal comparisons can share one object (hash-consing): real
# filters repeat their vocabulary (`status = 200`, `model ~ "gpt%"`), and building a
# leaf is three model constructions. The key keeps int/float/bool and -0.0/0.0 apart.
_LEAVES: Memo[tuple[str, str | None, str, type, object], Node] = Memo(4096, lru=False)


def _leaf(f: Field, key: str | None, op: str, value: Value) -> Node:
    k = (f.name, key, op, value.__class__, value.hex() if isinstance(value, float) else value)
    node = _LEAVES.get(k)
    if node is None:
        node = leaf_of(f.name, op, value, key)
        _LEAVES.put(k, node)
    return node


def _cmp_nodes(
    ctx: _Ctx,
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
            return _leaf(f, key, EQUALS, not value)
        if f.kind is Kind.TIMESTAMP and op == EQUALS:
            return balanced("or", [_leaf(f, key, LT, value), _leaf(f, key, GT, value)])
        neg = NEGATION.get(op)
        if neg is None or neg not in f.operators:
            raise _type_error(
                ctx,
                span,
                f"`not` cannot be applied to `{f.name} {spelled} ...`: the API has no negated form of "
                f"`{op}` on {f.kind.value} fields",
            )
        op = neg
    return _leaf(f, key, op, value)


def _lower_cmp(ctx: _Ctx, c: Cmp, negate: bool) -> Node:
    f, key = _resolve_field(ctx, c.field)
    op = SYMBOLS.get(c.op)
    if op is None:
        assert c.op in NO_NOT_LIKE
        raise _type_error(ctx, c.span, f"`{c.op}` cannot be expressed: the API has no NOT LIKE / NOT ILIKE")
    if op not in f.operators:
        raise _type_error(ctx, c.span, op_error(f, op, c.op, SPELLING) or "")
    value = _value(ctx, f, c.value)
    if value is not None and not negate:
        return _leaf(f, key, op, value)
    return _cmp_nodes(ctx, f, key, op, value, c.span, c.value.span, c.op, negate)


def _lower_in(ctx: _Ctx, node: In, negate: bool) -> Node:
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


def _lower_between(ctx: _Ctx, node: Between, negate: bool) -> Node:
    f, key = _resolve_field(ctx, node.field)
    for op in (GTE, LTE):
        reason = op_error(f, op, "between", SPELLING)
        if reason is not None:
            raise _type_error(ctx, node.field.span, reason)
    low, high = _value(ctx, f, node.low), _value(ctx, f, node.high)
    if low is None or high is None:
        raise _type_error(ctx, node.low.span if low is None else node.high.span, "between needs two values, not null")
    if negate != node.negated:
        return balanced("or", [_leaf(f, key, LT, low), _leaf(f, key, GT, high)])
    return balanced("and", [_leaf(f, key, GTE, low), _leaf(f, key, LTE, high)])


def _lower(ctx: _Ctx, ir: Any) -> Node:
    """IR -> API nodes with an explicit stack; ``negate`` is the parity of enclosing nots.

    Parts lowered while parsing (``.node``) are reused as they are when not negated;
    everything else (a `not`, or a part whose lowering failed and now raises its error
    in text order) is lowered here.
    """
    out: list[Node] = []
    stack: list[tuple[Any, bool, bool]] = [(ir, False, False)]
    while stack:
        item, negate, built = stack.pop()
        if not negate and item.node is not None:
            out.append(item.node)
        elif type(item) is Cmp:
            out.append(_lower_cmp(ctx, item, negate))
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
            out.append(_lower_in(ctx, item, negate))
        elif type(item) is Between:
            out.append(_lower_between(ctx, item, negate))
        elif type(item) is AllAtom:
            raise _type_error(ctx, item.span, "`not all` matches nothing, which the API cannot express")
        else:  # pragma: no cover
            raise AssertionError(type(item))
    assert len(out) == 1
    return out[0]


# ---------------------------------------------------------------- entry point


# Parsed nodes are immutable, so a text that did not use `now` always parses to an equal
# tree: keep recent results. Services re-parse the same few filters constantly; a cold
# parse costs ~0.1 ms (docs/performance.md), a cached one ~0.5 µs.
_CACHE: Memo[tuple[str, Limits], Node] = Memo(512)
_CACHE_MAX_TEXT = 8192


def parse(text: str, *, now: datetime | str | None = None, limits: Limits = DEFAULT_LIMITS) -> Node:
    """Parse filter DSL text into the API's node (see docs/language.md).

    ``now`` anchors relative times (``now - 7d``): a datetime (naive = UTC) or an
    RFC 3339 string; default the current UTC time. Empty or whitespace-only text and
    ``all`` mean no filter (``"all"``).
    """
    if not isinstance(text, str):
        raise FilterSyntaxError(f"a filter must be text, not {type(text).__name__}")
    if now is not None:  # checked even when the text needs no `now` or is cached
        _anchor(now)
    key = (text, limits)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    node, used_now = _parse_uncached(text, now, limits)
    if not used_now and len(text) <= _CACHE_MAX_TEXT:
        _CACHE.put(key, node)
    return node


def _anchor(now: datetime | str | None) -> datetime:
    try:
        return resolve_now(now)
    except ValueError as exc:
        raise FilterTypeError(f"now= is not a valid time: {exc}") from None


def _parse_uncached(text: str, now: datetime | str | None, limits: Limits) -> tuple[Node, bool]:
    _check_size(text, limits)
    if _BLANK.fullmatch(text):  # empty, whitespace or only comments
        return ALL, False
    ctx = _Ctx(text, _anchor(now), limits)
    ir = _parse_ir(text, ctx)
    if ir.node is not None:  # lowered while parsing; its shape is known (depth as a bound)
        node = ir.node
        depth, count = ir.shape
        if depth > limits.max_depth:
            depth = shape(node)[0]
    else:
        node = _lower(ctx, ir)
        depth, count = shape(node)
    if count > limits.max_nodes:
        raise exceeded(limits, "max_nodes", count, "the filter (after lowering in/between/not)")
    if depth > limits.max_depth:
        raise exceeded(limits, "max_depth", depth, "the filter")
    return node, ctx.now_used
