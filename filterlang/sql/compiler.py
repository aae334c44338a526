"""Filter AST -> sqlglot expression -> SQL text for any dialect in :mod:`.dialects`.

The compiler builds a sqlglot tree with sqlglot's own nodes (Like/Escape, Placeholder,
Literal, Cast, ...) and lets sqlglot print it, so quoting and dialect spelling are
sqlglot's job; what sqlglot cannot know (which engine folds case how, where a missing
map key is NULL, which LIKE needs ESCAPE) comes from the dialect table.

Three rules keep it safe on untrusted input:

- values never become SQL text in the default mode: they are bound parameters; with
  ``inline=True`` they become sqlglot string/number literals (sqlglot quotes them);
- the tree is built iteratively and balanced (depth log2 n for chains): sqlglot's
  generator recurses, so a left-deep 10,000-term chain would overflow it;
- and/or nesting deeper than :data:`MAX_SQL_NESTING` alternations is refused with a
  FilterLimitError (every level costs parentheses that both sqlglot and the engines'
  parsers handle recursively).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

from .. import textrules as tr
from ..errors import FilterLimitError, FilterTypeError
from ..fields import (
    CONTAINS,
    EQUALS,
    FIELDS,
    GT,
    GTE,
    ILIKE,
    LIKE,
    LT,
    LTE,
    NOT_CONTAINS,
    NOT_EQUALS,
    REQUESTS,
    USERS_VIEW,
    Kind,
)
from ..nodes import Condition, FilterLeaf, Flat, Node, as_node, flat_depth, flatten, leaf_conditions
from ..timefmt import ts_threshold
from .dialects import DialectSpec, ParamStyle, dialect_spec
from .profiles import FieldMap, Profile, resolve_profile

MAX_SQL_NESTING = 100
# integer-unit columns (cost in nano-USD) are at most 64 bits, signed or unsigned
INT_UNITS_MIN = -(2**63)
INT_UNITS_MAX = 2**64 - 1
USERS_ALIAS = "users_view"

# fields whose SQL value is a double on every engine (flat layout's cost, per-user sums and averages)
DOUBLE_FIELDS = frozenset(
    {"cost", "user_cost", "user_average_requests_per_day_active", "user_average_tokens_per_request"}
)

_CH_TYPES = {str: "String", int: "Int64", float: "Float64", bool: "Bool"}


@dataclass(frozen=True, slots=True)
class SqlQuery:
    """SQL text plus its parameters (name -> raw Python value, in placeholder order)."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.sql


# ---------------------------------------------------------------- templates


@lru_cache(maxsize=64)
def _ch_type_cached(name: str) -> exp.DataType:
    return exp.DataType.build(name, dialect="clickhouse")


def _ch_type(name: str) -> exp.DataType:
    return _ch_type_cached(name).copy()


@lru_cache(maxsize=512)
def _parse_template(sql: str, dialect: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read=dialect)


def _fill(template: str, dialect: str, **subs: exp.Expr) -> exp.Expr:
    """Instantiate a template: columns named ``__x__`` are replaced by expressions."""
    tree = _parse_template(template, dialect).copy()
    if tree.name in {f"__{k}__" for k in subs} and isinstance(tree, exp.Column):
        return subs[tree.name.strip("_")].copy()

    used: set[str] = set()

    def sub(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and node.name.startswith("__"):
            key = node.name.strip("_")
            if key in subs:
                # the fresh operand is used as is once; a second use needs its own copy
                repl = subs[key].copy() if key in used else subs[key]
                used.add(key)
                return repl
        return node

    return tree.transform(sub, copy=False)


def _qualify(e: exp.Expr, qualifier: str) -> exp.Expr:
    def q(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table:
            node.set("table", exp.to_identifier(qualifier))
        return node

    return e.transform(q, copy=False)


# ---------------------------------------------------------------- the compiler


class _Compiler:
    def __init__(self, spec: DialectSpec, profile: Profile, *, inline: bool, prefix: str) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", prefix) or "__" in prefix:
            raise FilterTypeError(f"params_prefix must be an identifier, got {prefix!r}")
        if profile.tenant_column is not None and profile.tenant is None:
            raise FilterTypeError(
                f"SQL profile {profile.name!r} has a 'tenant_column' but no 'tenant': the tenant guard cannot "
                "apply (set it with Profile.with_tenant(...))"
            )
        self.spec = spec
        self.profile = profile
        self.inline = inline
        self.prefix = prefix
        self.params: dict[str, Any] = {}
        self.types: dict[str, str] = {}
        self.typed = False  # typed ClickHouse placeholders in the expression (to_sqlglot)

    # ---- values

    def value(self, v: Any, ch_type: str | None = None) -> exp.Expr:
        """A bound parameter (default) or a sqlglot-quoted literal (inline)."""
        if self.inline:
            if isinstance(v, bool):
                return exp.true() if v else exp.false()
            if isinstance(v, str):
                return exp.Literal.string(v)
            if isinstance(v, float):
                return exp.Literal.number(repr(v))
            return exp.Literal.number(str(v))
        name = f"{self.prefix}{len(self.params)}"
        self.params[name] = v
        ctype = ch_type or _CH_TYPES[type(v)]
        if isinstance(v, int) and not isinstance(v, bool) and not -(2**63) <= v < 2**63:
            ctype = "Int128"  # a scaled bound (USD x 1e9) can leave the Int64 range
        self.types[name] = ctype
        if self.typed and self.spec.style is ParamStyle.CLICKHOUSE:
            # only for to_sqlglot: rendering takes the type from self.types (building a
            # DataType parses SQL, a third of the compile time if done per value)
            return exp.Placeholder(this=name, kind=_ch_type(ctype))
        return exp.Placeholder(this=name)

    def tmpl(self, template: str, **subs: exp.Expr) -> exp.Expr:
        return _fill(template, self.spec.name, **subs)

    # ---- fields

    def column(self, name: str) -> exp.Expr:
        """The SQL expression of a request field under this profile (qualified)."""
        fm = self.profile.field_map(name)
        q = self.profile.qualifier
        if fm.sql is None:
            return exp.column(exp.to_identifier(name), table=exp.to_identifier(q))
        try:
            tree = _parse_template(fm.sql, self.spec.name)
        except sqlglot.errors.SqlglotError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FilterTypeError(
                f"SQL profile {self.profile.name!r}, key 'fields.{name}': {fm.sql!r} is not a valid "
                f"{self.spec.name} SQL expression ({first})"
            ) from None
        return _qualify(tree.copy(), q)

    def operand(self, c: Condition) -> tuple[exp.Expr, FieldMap]:
        if c.table == USERS_VIEW:
            # user_cost is in the stored unit on integer-cost profiles (an exact integer sum,
            # bounds scaled exactly like cost's), else USD (a double); see users_subquery
            cost_fm = self.profile.field_map("cost")
            fm = cost_fm if c.field == "user_cost" and cost_fm.integer else FieldMap()
            return exp.column(exp.to_identifier(c.field), table=exp.to_identifier(USERS_ALIAS)), fm
        return self.column(c.field), self.profile.field_map(c.field)

    # ---- text helpers

    def fold(self, e: exp.Expr) -> exp.Expr:
        if self.spec.fold == "lower":
            return exp.Lower(this=e)
        if self.spec.fold == "replace":  # no TRANSLATE, LOWER folds beyond ASCII: one REPLACE per letter
            for up, low in zip(tr.ASCII_FOLD_FROM, tr.ASCII_FOLD_TO, strict=True):
                e = exp.func("REPLACE", e, exp.Literal.string(up), exp.Literal.string(low))
            return e
        return exp.func("TRANSLATE", e, exp.Literal.string(tr.ASCII_FOLD_FROM), exp.Literal.string(tr.ASCII_FOLD_TO))

    def like_text(self, tokens: Sequence[object]) -> str:
        specials = "%_\\" + self.spec.like_specials
        out: list[str] = []
        for t in tokens:
            if t is tr.ANY:
                out.append("%")
            elif t is tr.ONE:
                out.append("_")
            else:
                assert isinstance(t, str)
                out.append("\\" + t if t in specials else t)
        return "".join(out)

    def like(self, e: exp.Expr, tokens: Sequence[object]) -> exp.Expr:
        text = self.like_text(tokens)
        node: exp.Expr = exp.Like(this=e, expression=self.value(text))
        # ESCAPE only when the pattern has a backslash: without one it changes nothing,
        # and it costs DuckDB its prefix optimisation (~20% on a LIKE 'lit%')
        if self.spec.like_escape and "\\" in text:
            node = exp.Escape(this=node, expression=exp.Literal.string("\\"))
        return node

    def text(self, c: Condition, e: exp.Expr) -> exp.Expr:
        v = c.value
        assert isinstance(v, str)
        op = c.op
        if c.decl.kind is Kind.TEXT and v == "null" and op in (EQUALS, NOT_EQUALS):
            isnull = exp.Is(this=e, expression=exp.Null())
            return isnull if op == EQUALS else exp.not_(isnull)
        if op == EQUALS:
            return exp.EQ(this=e, expression=self.value(v))
        if op == NOT_EQUALS:
            return exp.NEQ(this=e, expression=self.value(v))
        if op == LIKE:
            if self.spec.case_like == "glob":
                return exp.Glob(this=e, expression=self.value(tr.glob_from_like(v)))
            return self.like(e, tr.like_tokens(v))
        if op == ILIKE:
            return self.like(self.fold(e), tr.like_tokens(tr.ascii_fold(v)))
        if op in (CONTAINS, NOT_CONTAINS):
            tokens: list[object] = [tr.ANY, *tr.ascii_fold(v), tr.ANY]
            node = self.like(self.fold(e), tokens)
            return node if op == CONTAINS else exp.not_(node)
        raise FilterTypeError(f"operator {op} does not apply to text field {c.field}")

    # ---- numbers, timestamps, booleans

    def number(self, c: Condition, e: exp.Expr, fm: FieldMap) -> exp.Expr:
        v = c.value
        assert isinstance(v, int | float) and not isinstance(v, bool)
        cmp = {EQUALS: exp.EQ, NOT_EQUALS: exp.NEQ, GT: exp.GT, GTE: exp.GTE, LT: exp.LT, LTE: exp.LTE}[c.op]
        if isinstance(v, int) and c.field in DOUBLE_FIELDS and fm.scale == 1 and not fm.integer:
            return self.int_vs_double(c.op, e, v)
        if isinstance(v, float) and c.field not in DOUBLE_FIELDS and fm.scale == 1 and 2**53 <= abs(v) < math.inf:
            # an integer column against a double bound past 2**53: integer bounds, as below.
            # A bound parameter that is a double makes DuckDB and Spark turn the column into
            # a double, so latency 2**53 + 1 would equal 9007199254740992.0 (below 2**53
            # every BIGINT converts exactly and the plain comparison is right).
            return self.int_units(c.op, e, Fraction(Decimal(repr(v))), top=2**63 - 1)
        if fm.scale == 1:
            if isinstance(v, int) and not -(2**63) <= v < 2**63:
                # BIGINT columns hold signed 64 bits, and drivers cannot bind more
                return self.beyond(c.op, e, above=v > 0)
            return cmp(this=e, expression=self.value(v))
        if not fm.integer:
            scaled = float(v) * fm.scale
            if math.isinf(scaled):  # past every double: the same constant tests as below
                return self.beyond(c.op, e, above=scaled > 0)
            return cmp(this=e, expression=self.value(scaled))
        # exact: the decimal the user wrote, times the scale, against integer units
        return self.int_units(c.op, e, Fraction(Decimal(repr(v))) * Fraction(fm.scale))

    def int_units(self, op: str, e: exp.Expr, r: Fraction, top: int = INT_UNITS_MAX) -> exp.Expr:
        """``e OP r`` for an integer column ``e`` (values up to ``top``) and an exact rational bound ``r``."""
        cmp = {EQUALS: exp.EQ, NOT_EQUALS: exp.NEQ, GT: exp.GT, GTE: exp.GTE, LT: exp.LT, LTE: exp.LTE}[op]
        lo, hi = math.floor(r), math.ceil(r)
        bound = {GT: lo, GTE: hi, LT: hi, LTE: lo}.get(op, lo)
        if op in (EQUALS, NOT_EQUALS) and lo != hi:
            # no integer equals a fractional unit: equals never holds, not-equals holds off NULL
            return exp.false() if op == EQUALS else exp.not_(exp.Is(this=e, expression=exp.Null()))
        if not INT_UNITS_MIN <= bound <= top:
            # past every 64-bit integer: a constant test, never a bound that wraps (Int128
            # and beyond) or that an engine cannot parse
            return self.beyond(op, e, above=bound > top)
        return cmp(this=e, expression=self.value(bound))

    def int_vs_double(self, op: str, e: exp.Expr, v: int) -> exp.Expr:
        """``double_col OP v`` exactly, as Python and SQLite compare, for any integer ``v``.

        DuckDB, PostgreSQL and others turn the integer into a double first, so
        ``cost = 2**63 - 1`` would hold for the double 2**63. An integer no double equals
        is replaced by its neighbouring doubles: ``> v`` is ``>= next double up``, ``< v``
        is ``<= next double down``, ``= v`` never holds.
        """
        try:
            f = float(v)
        except OverflowError:  # beyond every double
            return self.beyond(op, e, above=v > 0)
        cmp = {EQUALS: exp.EQ, NOT_EQUALS: exp.NEQ, GT: exp.GT, GTE: exp.GTE, LT: exp.LT, LTE: exp.LTE}[op]
        if int(f) == v:  # exactly representable: every engine compares it exactly
            # past int64 as the (equal) double: drivers cannot bind such an integer
            return cmp(this=e, expression=self.value(v if -(2**63) <= v < 2**63 else f))
        if op in (EQUALS, NOT_EQUALS):
            return exp.false() if op == EQUALS else exp.not_(exp.Is(this=e, expression=exp.Null()))
        down, up = (f, math.nextafter(f, math.inf)) if f < v else (math.nextafter(f, -math.inf), f)
        if op in (GT, GTE):
            return self.beyond(op, e, above=True) if math.isinf(up) else exp.GTE(this=e, expression=self.value(up))
        return self.beyond(op, e, above=False) if math.isinf(down) else exp.LTE(this=e, expression=self.value(down))

    @staticmethod
    def beyond(op: str, e: exp.Expr, *, above: bool) -> exp.Expr:
        """``e OP b`` for a bound ``b`` above (or below) every value the column can hold."""
        holds = op == NOT_EQUALS or (op in (LT, LTE) if above else op in (GT, GTE))
        return exp.not_(exp.Is(this=e, expression=exp.Null())) if holds else exp.false()

    def ts_bound(self, d: datetime) -> exp.Expr:
        # never strftime("%Y"): it does not zero-pad years before 1000 ('999-01-01')
        text = (
            f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}:{d.second:02d}"
            f".{d.microsecond // 1000:03d}"
        )
        if self.spec.ts_value == "offset":
            text += "+00:00"
        return self.tmpl(self.spec.ts, v=self.value(text))

    def ts_compare(self, op: str, e: exp.Expr, bound: datetime | None) -> exp.Expr:
        """``e >= bound`` / ``e < bound``, exact even past the engine's timestamp range.

        A column cannot hold an instant outside its type's range, so a bound beyond it
        is a constant test (FALSE or ``IS NOT NULL``) rather than a cast that the engine
        would reject, turn into NULL or clamp. None is "after year 9999".
        """
        lo, hi = self.spec.ts_range or (None, None)
        below = bound is not None and lo is not None and bound < lo
        above = bound is None or (hi is not None and bound > hi)
        if below or above:
            holds = (op == GTE) == below  # >= below-range and < above-range hold for all values
            return exp.not_(exp.Is(this=e, expression=exp.Null())) if holds else exp.false()
        assert bound is not None
        return (exp.GTE if op == GTE else exp.LT)(this=e, expression=self.ts_bound(bound))

    def timestamp(self, c: Condition, e: exp.Expr) -> exp.Expr:
        assert isinstance(c.value, str)
        op, lo, hi = ts_threshold(c.op, c.value)
        first = self.ts_compare(op, e, lo)
        if c.op != EQUALS:
            return first
        return exp.And(this=first, expression=self.ts_compare(LT, e.copy(), hi))

    def boolean(self, c: Condition, e: exp.Expr) -> exp.Expr:
        want = bool(c.value)
        if self.spec.bool_style == "int":
            return exp.EQ(this=e, expression=exp.Literal.number(1 if want else 0))
        if isinstance(e, exp.Condition) and not isinstance(e, exp.Column | exp.Func):
            e = exp.paren(e, copy=False)
        return e if want else exp.not_(e)

    # ---- conditions and trees

    def condition(self, c: Condition) -> exp.Expr:
        kind = c.decl.kind
        if kind is Kind.PROPERTY_KEY:
            return self.tmpl(self.spec.map_has, c=self.column("properties"), k=self.value(str(c.value)))
        e, fm = self.operand(c)
        if kind is Kind.MAP:
            key = self.value(c.key or "")
            tpl = self.spec.score_get if c.field == "scores" else self.spec.map_get
            return self.text(c, self.tmpl(tpl, c=e, k=key))
        if kind is Kind.TEXT:
            return self.text(c, e)
        if kind is Kind.NUMBER:
            return self.number(c, e, fm)
        if kind is Kind.TIMESTAMP:
            return self.timestamp(c, e)
        if kind is Kind.BOOLEAN:
            return self.boolean(c, e)
        raise FilterTypeError(f"cannot compile field {c.field}")

    def leaf(self, n: FilterLeaf | str) -> exp.Expr:
        if not isinstance(n, FilterLeaf):
            return exp.true()
        conds = [self.condition(c) for c in leaf_conditions(n)]
        return join("and", conds) if conds else exp.true()

    def tree(self, node: Node) -> exp.Expr:
        root = flatten(node)
        depth = flat_depth(root)
        if depth > MAX_SQL_NESTING:
            raise FilterLimitError(
                f"and/or nesting of {depth} levels is too deep for SQL (at most {MAX_SQL_NESTING} "
                "alternations of and/or; chains of one operator may be any length)",
                limit="sql_nesting",
                value=depth,
                maximum=MAX_SQL_NESTING,
            )
        # Leaves are compiled in left-to-right order so parameter numbers follow the text.
        # (A value stack, not a dict by id: "all" and shared subtrees occur more than once.)
        vals: list[exp.Expr] = []
        stack: list[tuple[Any, bool]] = [(root, False)]
        while stack:
            n, expanded = stack.pop()
            if not isinstance(n, Flat):
                vals.append(self.leaf(n))
            elif expanded:
                k = len(n.items)
                items = vals[len(vals) - k :]
                del vals[len(vals) - k :]
                vals.append(join(n.op, items))
            else:
                stack.append((n, True))
                stack.extend((c, False) for c in reversed(n.items))
        return vals[0]

    def guarded(self, cond: exp.Expr) -> exp.Expr:
        """``tenant = <org> AND (filter)``: the guard first, the user filter parenthesised."""
        p = self.profile
        if p.tenant_column is None or p.tenant is None:
            return cond
        return join("and", [self.tenant_guard(), exp.paren(cond, copy=False)])

    def tenant_guard(self) -> exp.Expr:
        p = self.profile
        assert p.tenant_column is not None and p.tenant is not None
        col = exp.column(exp.to_identifier(p.tenant_column), table=exp.to_identifier(p.qualifier))
        return exp.EQ(this=col, expression=self.value(p.tenant))


def join(op: str, items: list[exp.Expr]) -> exp.Expr:
    """AND/OR of ``items`` as a balanced tree, parenthesising operands of the other connector.

    Built bottom-up by pairing (no recursion); sqlglot prints a same-operator tree flat,
    so the text reads ``a AND b AND c`` at any length while its generator only recurses
    log2(n) levels. (Building exp.And/exp.Or directly is safe here because every operand
    that is itself a connector of the other kind is wrapped in Paren first, which is what
    exp.and_/exp.or_ do and what bare constructors would forget.)
    """
    cls: type[exp.Connector] = exp.And if op == "and" else exp.Or
    other = exp.Or if op == "and" else exp.And
    level = [exp.paren(i, copy=False) if isinstance(i, other) else i for i in items]
    if not level:
        return exp.true() if op == "and" else exp.false()
    while len(level) > 1:
        nxt: list[exp.Expr] = [cls(this=level[i], expression=level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


# ---------------------------------------------------------------- rendering

_MARK = re.compile(r"__flp_([A-Za-z0-9_]+?)__")


def render(e: exp.Expr, c: _Compiler) -> SqlQuery:
    """SQL text in the dialect's driver placeholder style, params in placeholder order."""
    spec = c.spec
    if c.inline or not c.params:
        return SqlQuery(e.sql(dialect=spec.name), {})

    def mark(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder):
            return exp.Var(this=f"__flp_{node.name}__")
        return node

    text = e.transform(mark, copy=False).sql(dialect=spec.name)
    if spec.style is ParamStyle.PYFORMAT:
        text = text.replace("%", "%%")  # drivers read a bare % as a placeholder
    # Parameters are renumbered in order of appearance, so p0, p1, ... read left to right
    # and positional (?) drivers get their values in the right order.
    renamed: dict[str, str] = {}
    params: dict[str, Any] = {}
    qmark = spec.style is ParamStyle.QMARK

    def put(m: re.Match[str]) -> str:
        old = m.group(1)
        new = renamed.get(old)
        if new is None or qmark:  # each ? is its own positional value, even when repeated
            new = f"{c.prefix}{len(params)}"
            renamed.setdefault(old, new)
            params[new] = c.params[old]
        style = spec.style
        if style is ParamStyle.CLICKHOUSE:
            return "{" + new + ":" + c.types[old] + "}"
        if style is ParamStyle.DOLLAR:
            return "$" + new
        if style is ParamStyle.PYFORMAT:
            return f"%({new})s"
        if style is ParamStyle.NAMED:
            return ":" + new
        if style is ParamStyle.AT:
            return "@" + new
        return "?"

    text = _MARK.sub(put, text)
    return SqlQuery(text, params)


# ---------------------------------------------------------------- users_view


def users_subquery(c: _Compiler) -> exp.Select:
    """Per-user values over ALL rows (tenant-guarded), one row per non-NULL user_id."""
    spec = c.spec
    p = c.profile
    uid = c.column("user_id")
    cost = c.column("cost")
    prompt = c.column("prompt_tokens")
    completion = c.column("completion_tokens")
    ts = c.column("request_created_at")
    dbl = exp.DataType.build(spec.double, dialect=spec.name)

    def cast(x: exp.Expr) -> exp.Expr:
        return exp.Cast(this=x, to=dbl.copy())

    count = exp.Count(this=exp.Star())
    days = exp.Count(this=exp.Distinct(expressions=[c.tmpl(spec.day, v=ts.copy())]))
    cols: dict[str, exp.Expr] = {
        "user_id": uid.copy(),
        "user_user_id": uid.copy(),
        "user_total_requests": count.copy(),
        "user_cost": user_cost(c, cost),
        "user_total_prompt_tokens": exp.Sum(this=prompt.copy()),
        "user_total_completion_tokens": exp.Sum(this=completion.copy()),
        "user_active_for": days.copy(),
        "user_first_active": exp.Min(this=ts.copy()),
        "user_last_active": exp.Max(this=ts.copy()),
        "user_average_requests_per_day_active": exp.Div(
            this=cast(count.copy()), expression=cast(exp.Nullif(this=days.copy(), expression=exp.Literal.number(0)))
        ),
        "user_average_tokens_per_request": exp.Div(
            this=cast(exp.Add(this=exp.Sum(this=prompt.copy()), expression=exp.Sum(this=completion.copy()))),
            expression=cast(count.copy()),
        ),
    }
    sel = exp.select(*(exp.alias_(v, k) for k, v in cols.items()))
    sel = sel.from_(_table(p)).group_by(uid.copy())
    if p.tenant_column is not None and p.tenant is not None:
        sel = sel.where(c.tenant_guard())
    return sel


def user_cost(c: _Compiler, cost: exp.Expr) -> exp.Expr:
    """users_view.user_cost: the exact integer sum of the rows' costs (NULL: no cost).

    A USD double cost is summed as integer nano-USD and divided once, ``float(sum) / 1e9``
    (the overview's user_cost, bit for bit on every engine and in Python). An integer cost
    column (helicone's UInt64 nano-USD) is summed as a widened integer and stays in its
    stored unit, so ``user_cost > 5`` compares the exact sum with the exactly scaled
    bound 5000000000, as ``cost > 5`` does; below 2^53 nano-USD this decides exactly as
    ``float(sum) / 1e9 > 5`` does.
    """
    if c.profile.field_map("cost").integer:
        return exp.Sum(this=c.tmpl(c.spec.nanos_int, v=cost))
    return c.tmpl(c.spec.nanos_usd, v=exp.Sum(this=cost_nanos(c, cost)))


def cost_nanos(c: _Compiler, cost: exp.Expr) -> exp.Expr:
    """A row's double cost as integer nano-USD: ``floor(usd * 1e9 + 0.5)`` in double arithmetic.

    The overview's per-row rounding (``overview.reference.cost_nanos``): every engine and
    the Python reference add the same integers, so the sum does not depend on the
    engine's summation order. A scaled double column is turned back into USD first.
    """
    scale = c.profile.field_map("cost").scale
    usd = cost if scale == 1 else exp.Div(this=cost, expression=exp.Literal.number(repr(float(scale))))
    return c.tmpl(c.spec.nanos, v=usd)


def _table(p: Profile) -> exp.Expr:
    t = exp.to_table(p.table)
    if t.name != p.qualifier:
        return exp.alias_(t, p.qualifier)
    return t


# ---------------------------------------------------------------- public API


def _setup(
    node: Node, dialect: str, profile: str | Profile | Mapping[str, Any], inline: bool, prefix: str
) -> _Compiler:
    spec = dialect_spec(dialect)
    prof = resolve_profile(profile)
    return _Compiler(spec, prof, inline=inline, prefix=prefix)


def where_sql(
    node: Node,
    *,
    dialect: str = "duckdb",
    profile: str | Profile | Mapping[str, Any] = "flat",
    inline: bool = False,
    params_prefix: str = "p",
) -> SqlQuery:
    """The filter as an SQL condition (tenant guard first when the profile has one).

    The text is self-contained: a top-level OR comes parenthesised, so
    ``f"... WHERE {w.sql} AND other"`` keeps its meaning.

    users_view fields refer to a relation named ``users_view`` (see :func:`users_sql`);
    :func:`to_sql` supplies it.
    """
    node = as_node(node)  # a non-node must not compile to TRUE (every row)
    c = _setup(node, dialect, profile, inline, params_prefix)
    cond = c.guarded(c.tree(node))
    if isinstance(cond, exp.Or):
        # the text is meant to be ANDed into someone else's query: an OR at the top
        # would bind looser than their AND and leak rows
        cond = exp.paren(cond, copy=False)
    return render(cond, c)


def to_sqlglot(
    node: Node,
    *,
    profile: str | Profile | Mapping[str, Any] = "flat",
    dialect: str | None = None,
    inline: bool = False,
    params_prefix: str = "p",
) -> exp.Expr:
    """The condition as a sqlglot expression: ``select(...).where(cond)``.

    Parameters are ``exp.Placeholder`` nodes named p0, p1, ... (ClickHouse: typed); the
    values are in ``cond.meta["params"]``. ``inline=True`` gives literals instead.
    ``dialect`` picks the engine-specific spellings (map access, case folding, LIKE
    escape); it defaults to duckdb's.
    """
    node = as_node(node)
    c = _setup(node, dialect or "duckdb", profile, inline, params_prefix)
    c.typed = True
    cond = c.guarded(c.tree(node))
    cond.meta["params"] = dict(c.params)
    return cond


def users_sql(
    *, dialect: str = "duckdb", profile: str | Profile | Mapping[str, Any] = "flat", inline: bool = False
) -> SqlQuery:
    """The per-user subquery (columns user_id + the users_view fields) on its own."""
    c = _Compiler(dialect_spec(dialect), resolve_profile(profile), inline=inline, prefix="u")
    return render(users_subquery(c), c)


def to_sql(
    node: Node,
    *,
    dialect: str = "duckdb",
    profile: str | Profile | Mapping[str, Any] = "flat",
    columns: Sequence[str] | str | None = None,
    inline: bool = False,
    params_prefix: str = "p",
) -> SqlQuery:
    """A whole SELECT over the profile's request table returning the kept rows.

    ``columns``: field or column names (default: all columns of the request table).
    When the filter uses users_view fields, the per-user values (computed over all rows
    of the table, semantics.md §3) are LEFT JOINed as ``users_view`` first.
    """
    node = as_node(node)
    if isinstance(columns, str):
        columns = [columns]  # one column, not its characters
    if columns is not None:
        columns = list(columns)
        if not columns or not all(isinstance(n, str) and n for n in columns):
            raise FilterTypeError(
                f"columns must be a non-empty list of field or column names (or None for all), got {columns!r}"
            )
    c = _setup(node, dialect, profile, inline, params_prefix)
    p = c.profile
    needs_users = any(cond.table == USERS_VIEW for leaf in _leaves(node) for cond in leaf_conditions(leaf))
    sel_cols: list[exp.Expr]
    if columns is None:
        sel_cols = [exp.Column(this=exp.Star(), table=exp.to_identifier(p.qualifier))]
    else:
        sel_cols = []
        for name in columns:
            if name in FIELDS and FIELDS[name].table == REQUESTS and FIELDS[name].kind is not Kind.PROPERTY_KEY:
                sel_cols.append(exp.alias_(c.column(name), name))
            elif name in FIELDS and FIELDS[name].table == USERS_VIEW:
                needs_users = True
                sel_cols.append(exp.column(exp.to_identifier(name), table=exp.to_identifier(USERS_ALIAS)))
            else:
                sel_cols.append(exp.column(exp.to_identifier(name), table=exp.to_identifier(p.qualifier)))
    sel = exp.select(*sel_cols).from_(_table(p))
    if needs_users:
        sub = users_subquery(c)
        sel = sel.join(
            exp.alias_(exp.Subquery(this=sub), USERS_ALIAS),
            on=exp.EQ(
                this=c.column("user_id"),
                expression=exp.column("user_id", table=exp.to_identifier(USERS_ALIAS)),
            ),
            join_type="left",
        )
        if c.spec.name == "clickhouse":
            # ClickHouse fills unmatched LEFT JOIN columns with defaults (0, '') unless told
            sel.set("settings", [exp.EQ(this=exp.column("join_use_nulls"), expression=exp.Literal.number(1))])
    sel = sel.where(c.guarded(c.tree(node)))
    return render(sel, c)


def _leaves(node: Node) -> list[FilterLeaf]:
    from ..nodes import iter_leaves

    return list(iter_leaves(node))


# ---------------------------------------------------------------- driver helpers


def _tsv(s: str) -> str:
    return (
        s.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\0", "\\0")
        .replace("\b", "\\b")
        .replace("\f", "\\f")
        .replace("'", "\\'")
    )


def chdb_params(params: Mapping[str, Any]) -> dict[str, str]:
    """``params`` as chDB's ``query(..., params=)`` wants them: TSV-escaped text.

    clickhouse-connect takes the raw ``SqlQuery.params`` (it escapes by itself); chDB
    passes the text to the server's parameter parser, which reads TSV escapes.
    """
    out: dict[str, str] = {}
    for k, v in params.items():
        if isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, str):
            out[k] = _tsv(v)
        elif isinstance(v, float):
            out[k] = repr(v)
        else:
            out[k] = str(v)
    return out


def qmark_values(q: SqlQuery) -> list[Any]:
    """Positional parameters for ``?`` dialects (trino, tsql): dict order is placeholder order."""
    return list(q.params.values())


__all__ = [
    "MAX_SQL_NESTING",
    "SqlQuery",
    "chdb_params",
    "join",
    "qmark_values",
    "to_sql",
    "to_sqlglot",
    "users_sql",
    "where_sql",
]
