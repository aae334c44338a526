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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.generator import Generator

from .. import textrules as tr
from ..errors import FilterLimitError, FilterTypeError
from ..fields import (
    CONTAINS,
    DOUBLE_FIELDS,
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
    USERS_VIEW_INPUTS,
    Kind,
)
from ..metrics.reference import NANOS_PER_USD
from ..nodes import Condition, FilterLeaf, Flat, Node, as_node, flat_depth, flatten, iter_conditions, leaf_conditions
from ..timefmt import ts_threshold
from .dialects import ParamStyle, dialect_spec
from .profiles import FieldMap, Profile, resolve_profile

MAX_SQL_NESTING = 100
# integer-unit columns (cost in nano-USD) are at most 64 bits, signed or unsigned
INT_UNITS_MIN = -(2**63)
INT_UNITS_MAX = 2**64 - 1
USERS_ALIAS = "users_view"


@dataclass(frozen=True, slots=True)
class SqlQuery:
    """SQL text plus its parameters (name -> raw Python value, in placeholder order)."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.sql


# ---------------------------------------------------------------- templates


_PY_KINDS: tuple[tuple[type, str], ...] = ((bool, "bool"), (int, "int"), (float, "float"), (str, "str"))


@lru_cache(maxsize=64)
def _type_cached(name: str, dialect: str) -> exp.DataType:
    return exp.DataType.build(name, dialect=dialect)


def _param_type(name: str, dialect: str) -> exp.DataType:
    return _type_cached(name, dialect).copy()


@lru_cache(maxsize=512)
def _parse_template(sql: str, dialect: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read=dialect)


def fill(template: str, dialect: str, **subs: exp.Expr) -> exp.Expr:
    """Instantiate a dialect-table template: columns named ``__x__`` become expressions."""
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
                if isinstance(repl, exp.Binary | exp.Unary) and isinstance(node.parent, exp.Binary | exp.Unary):
                    return exp.paren(repl, copy=False)  # the template's operator binds tighter
                return repl
        return node

    return tree.transform(sub, copy=False)


def _qualify(e: exp.Expr, qualifier: str) -> exp.Expr:
    def q(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table:
            node.set("table", exp.to_identifier(qualifier))
        return node

    return e.transform(q, copy=False)


def quote_identifier(name: str, dialect: str) -> str:
    """``name`` as a quoted identifier of ``dialect`` (file columns, view names), via sqlglot."""
    return exp.to_identifier(name, quoted=True).sql(dialect=dialect_spec(dialect).name)


def quote_string(value: str, dialect: str) -> str:
    """``value`` as a string literal of ``dialect`` (file paths, type names), via sqlglot."""
    return exp.Literal.string(value).sql(dialect=dialect_spec(dialect).name)


BAD_COST = "bad data: a cost has no 64-bit nano-USD value (it is infinite or |cost| >= 2^63 nano-USD)"
_NANOS_LIMIT = "9223372036854775808.0"  # 2^63, exact as a double


# ---------------------------------------------------------------- the compiler


class Compiler:
    """One compilation: the dialect row, the profile, and the values bound so far.

    Public for :mod:`filterlang.metrics.sql`, which builds the overview statement with the
    same compiler (one way to write SQL); users call :func:`where_sql` / :func:`to_sql`.
    """

    def __init__(
        self, dialect: str, profile: str | Profile | Mapping[str, Any], *, inline: bool = False, prefix: str = "p"
    ) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", prefix) or "__" in prefix:
            raise FilterTypeError(f"params_prefix must be an identifier, got {prefix!r}")
        spec = dialect_spec(dialect)
        prof = resolve_profile(profile)
        if prof.tenant_column is not None and prof.tenant is None:
            raise FilterTypeError(
                f"SQL profile {prof.name!r} has a 'tenant_column' but no 'tenant': the tenant guard cannot "
                "apply (set it with Profile.with_tenant(...))"
            )
        self.spec = spec
        self.profile = prof
        self.inline = inline
        self.prefix = prefix
        self.params: dict[str, Any] = {}
        self.types: dict[str, str] = {}
        self.typed = False  # typed ClickHouse placeholders in the expression (to_sqlglot)

    # ---- values

    def value(self, v: Any) -> exp.Expr:
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
        kind = next(k for t, k in _PY_KINDS if isinstance(v, t))
        if kind == "int" and not -(2**63) <= v < 2**63:
            kind = "int128"  # a scaled bound (USD x 1e9) can leave the Int64 range
        types = self.spec.param_types
        if types is None:
            return exp.Placeholder(this=name)
        ctype = self.types[name] = types[kind]
        if self.typed:
            # only for to_sqlglot: rendering takes the type from self.types (building a
            # DataType parses SQL, a third of the compile time if done per value)
            return exp.Placeholder(this=name, kind=_param_type(ctype, self.spec.name))
        return exp.Placeholder(this=name)

    def tmpl(self, template: str, **subs: exp.Expr) -> exp.Expr:
        return fill(template, self.spec.name, **subs)

    def render(self, e: exp.Expr) -> SqlQuery:
        return render(e, self)

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
        fm = self.profile.field_map(c.field)
        e = self.column(c.field)
        if c.field in DOUBLE_FIELDS and not fm.integer and self.spec.isnan is not None:
            # a stored NaN reads as NULL for every operator (semantics.md §3)
            e = exp.Case(ifs=[exp.If(this=self.tmpl(self.spec.isnan, v=e.copy()), true=exp.Null())], default=e)
        return e, fm

    # ---- text helpers

    def fold(self, e: exp.Expr) -> exp.Expr:
        if self.spec.fold_lower:
            return exp.Lower(this=e)
        if self.spec.fold_replace:
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
        if c.decl.kind is Kind.TEXT and v in ("null", "__empty__") and op in (EQUALS, NOT_EQUALS):
            # upstream's JSON conventions on plain text fields (semantics.md §3)
            if v == "__empty__":
                return (exp.EQ if op == EQUALS else exp.NEQ)(this=e, expression=exp.Literal.string(""))
            isnull = exp.Is(this=e, expression=exp.Null())
            return isnull if op == EQUALS else exp.not_(isnull)
        if op == EQUALS:
            return exp.EQ(this=e, expression=self.value(v))
        if op == NOT_EQUALS:
            return exp.NEQ(this=e, expression=self.value(v))
        if op == LIKE:
            if self.spec.glob_like:
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
        double = not fm.integer and (c.field in DOUBLE_FIELDS or fm.scale != 1)
        if double and fm.scale == 1:
            return cmp(this=e, expression=self.value(v)) if isinstance(v, float) else self.int_vs_double(c.op, e, v)
        if double:
            scaled = float(v) * fm.scale
            if math.isinf(scaled):  # past every double: the same constant tests as below
                return self.beyond(c.op, e, above=scaled > 0)
            return cmp(this=e, expression=self.value(scaled))
        if isinstance(v, float) and math.isinf(v):
            return self.beyond(c.op, e, above=v > 0)
        # An integer column, compared exactly (never through doubles, semantics.md §3):
        # a scaled bound is the decimal the user wrote times the scale; an unscaled float
        # bound is the exact value of the double (2**53 + 1 > 9007199254740992.0).
        r = Fraction(Decimal(repr(v))) * Fraction(fm.scale) if fm.scale != 1 else Fraction(v)
        lo, hi = math.floor(r), math.ceil(r)
        op = c.op
        bound = {GT: lo, GTE: hi, LT: hi, LTE: lo}.get(op, lo)
        if op in (EQUALS, NOT_EQUALS) and lo != hi:
            # no integer equals a fractional unit: equals never holds, not-equals holds off NULL
            return exp.false() if op == EQUALS else exp.not_(exp.Is(this=e, expression=exp.Null()))
        if not INT_UNITS_MIN <= bound <= (INT_UNITS_MAX if fm.integer else 2**63 - 1):
            # past every 64-bit integer: a constant test, never a bound that wraps (Int128
            # and beyond) or that an engine cannot parse
            return self.beyond(op, e, above=bound > 0)
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
        if self.spec.ts_offset:
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

    def boolean(self, c: Condition, e: exp.Expr, fm: FieldMap) -> exp.Expr:
        want = bool(c.value)
        if self.spec.bool_int or fm.integer:  # 0/1 (tsql, helicone's score as a boolean)
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
            if c.field == "scores":
                return self.score(c, e, key)
            return self.text(c, self.tmpl(self.spec.map_get, c=e, k=key))
        if kind is Kind.TEXT:
            return self.text(c, e)
        if kind is Kind.NUMBER:
            return self.number(c, e, fm)
        if kind is Kind.TIMESTAMP:
            return self.timestamp(c, e)
        if kind is Kind.BOOLEAN:
            return self.boolean(c, e, fm)
        raise FilterTypeError(f"cannot compile field {c.field}")

    def score(self, c: Condition, m: exp.Expr, key: exp.Expr) -> exp.Expr:
        """scores[k]: integers. equals / not-equals with an integer text compare as integers
        (``"05"``, ``"+5"``); other text: equals keeps nothing, not-equals every row with
        the key; like/ilike/contains see the decimal text (semantics.md §3)."""
        v = c.value
        assert isinstance(v, str)
        n = tr.score_integer(v) if c.op in (EQUALS, NOT_EQUALS) else None
        if n is None or not -(2**63) <= n < 2**63 or self.spec.score_int is None:
            text = self.tmpl(self.spec.score_get, c=m, k=key)
            if c.op not in (EQUALS, NOT_EQUALS):
                return self.text(c, text)
            if n is None or not -(2**63) <= n < 2**63:
                return exp.false() if c.op == EQUALS else exp.not_(exp.Is(this=text, expression=exp.Null()))
            num: exp.Expr = exp.Cast(this=text, to=exp.DataType.build(self.spec.bigint, dialect=self.spec.name))
        else:
            num = self.tmpl(self.spec.score_int, c=m, k=key)
        return (exp.EQ if c.op == EQUALS else exp.NEQ)(this=num, expression=self.value(n))

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
                vals.append(join(n.op, in_lists(n, items)))
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


def in_lists(n: Flat, items: list[exp.Expr]) -> list[exp.Expr]:
    """``x = a OR x = b ...`` as ``x IN (a, b, ...)`` and ``x <> a AND x <> b`` as ``NOT x IN (...)``.

    The same rows under three-valued logic, one value per parameter, and linear text:
    5,000 values as ORs gave 277 KB of SQL. Only single-condition leaves whose compiled
    form is a plain comparison with a value are grouped, by (field, key), at the place of
    the first one; anything rewritten (NULL tests, exact bounds) stays as it is.
    """
    want, cls = (EQUALS, exp.EQ) if n.op == "or" else (NOT_EQUALS, exp.NEQ)
    groups: dict[tuple[str, str | None], list[int]] = {}
    for i, (item, e) in enumerate(zip(n.items, items, strict=True)):
        if isinstance(item, FilterLeaf) and type(e) is cls and isinstance(e.expression, exp.Placeholder | exp.Literal):
            conds = leaf_conditions(item)
            if len(conds) == 1 and conds[0].op == want:
                groups.setdefault((conds[0].field, conds[0].key), []).append(i)
    if all(len(g) < 2 for g in groups.values()):
        return items
    out = list(items)
    for members in groups.values():
        if len(members) < 2:
            continue
        first = items[members[0]]
        node: exp.Expr = exp.In(this=first.this, expressions=[items[i].expression for i in members])
        out[members[0]] = node if n.op == "or" else exp.not_(node)
        for i in members[1:]:
            out[i] = None  # type: ignore[call-overload]
    return [e for e in out if e is not None]


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


class _Binding:
    """The values of one rendering, renumbered p0, p1, ... in order of appearance.

    Template filling and the tenant guard create values out of text order, and ``?``
    drivers need them in text order, so the generator names each placeholder as it
    prints it (a ``?`` is its own positional value even when repeated).
    """

    def __init__(self, c: Compiler) -> None:
        self.c = c
        self.renamed: dict[str, str] = {}
        self.params: dict[str, Any] = {}

    def placeholder(self, old: str) -> exp.Placeholder:
        c = self.c
        style = c.spec.style
        new = self.renamed.get(old)
        if new is None or style is ParamStyle.QMARK:
            new = f"{c.prefix}{len(self.params)}"
            self.renamed.setdefault(old, new)
            self.params[new] = c.params[old]
        if style is ParamStyle.QMARK:
            return exp.Placeholder()
        if style is ParamStyle.CLICKHOUSE:
            return exp.Placeholder(this=new, kind=_param_type(c.types[old], c.spec.name))
        return exp.Placeholder(this=new)


@cache
def _generator(dialect: str, style: ParamStyle) -> type[Generator]:
    """The dialect's own sqlglot generator, printing placeholders in the driver's style.

    The dialect's generator already prints ``{p0: Type}`` (clickhouse), ``$p0`` (duckdb),
    ``%(p0)s`` (postgres), ``:p0``, ``@p0`` and ``?``; only pyformat on dialects whose
    sqlglot default differs (mysql, snowflake) is spelled here. With pyformat drivers a
    literal ``%`` is written ``%%`` wherever the generator prints one (strings,
    identifiers, the modulo operator).
    """
    base: type[Generator] = Dialect.get_or_raise(dialect).generator_class
    pyformat = style is ParamStyle.PYFORMAT

    class Bound(base):  # type: ignore[valid-type, misc]
        binding: _Binding

        def placeholder_sql(self, expression: exp.Placeholder) -> str:
            node = self.binding.placeholder(expression.name)
            if pyformat:
                return f"%({node.name})s"
            return str(super().placeholder_sql(node))

        def literal_sql(self, expression: exp.Literal) -> str:
            text = str(super().literal_sql(expression))
            return text.replace("%", "%%") if pyformat else text

        def identifier_sql(self, expression: exp.Identifier) -> str:
            text = str(super().identifier_sql(expression))
            return text.replace("%", "%%") if pyformat else text

        def mod_sql(self, expression: exp.Mod) -> str:
            return self.binary(expression, "%%") if pyformat else str(super().mod_sql(expression))

    return Bound


def render(e: exp.Expr, c: Compiler) -> SqlQuery:
    """SQL text in the dialect's driver placeholder style, params in placeholder order."""
    spec = c.spec
    if c.inline or not c.params:
        return SqlQuery(e.sql(dialect=spec.name), {})
    gen = _generator(spec.name, spec.style)(dialect=spec.name)
    binding = _Binding(c)
    setattr(gen, "binding", binding)  # noqa: B010  (an attribute of the dynamic subclass)
    return SqlQuery(gen.generate(e), binding.params)


# ---------------------------------------------------------------- users_view


def users_subquery(c: Compiler, fields: Collection[str] | None = None) -> exp.Select:
    """Per-user values over ALL rows (tenant-guarded), one row per non-NULL user_id.

    ``fields``: the users_view fields to compute (None: all). Unused aggregates are left
    out rather than left to the engine: a ``COUNT(DISTINCT day)`` nobody reads still
    costs DuckDB a second distinct aggregation over all rows (2.3x on 10M rows).
    """
    spec = c.spec
    uid, cost, prompt, completion, ts = (c.column(n) for n in USERS_VIEW_INPUTS)
    dbl = exp.DataType.build(spec.double, dialect=spec.name)

    def cast(x: exp.Expr) -> exp.Expr:
        return exp.Cast(this=x, to=dbl.copy())

    def total(x: exp.Expr) -> exp.Expr:
        return c.tmpl(spec.sum_int, v=x.copy())  # exact: never a wrapped sum (semantics.md §3)

    count = exp.Count(this=exp.Star())
    days = exp.Count(this=exp.Distinct(expressions=[c.tmpl(spec.day, v=ts.copy())]))
    cols: dict[str, Callable[[], exp.Expr]] = {
        "user_user_id": uid.copy,
        "user_total_requests": count.copy,
        "user_cost": lambda: user_cost(c, cost),
        "user_total_prompt_tokens": lambda: total(prompt),
        "user_total_completion_tokens": lambda: total(completion),
        "user_active_for": days.copy,
        "user_first_active": lambda: exp.Min(this=ts.copy()),
        "user_last_active": lambda: exp.Max(this=ts.copy()),
        "user_average_requests_per_day_active": lambda: exp.Div(
            this=cast(count.copy()), expression=cast(exp.Nullif(this=days.copy(), expression=exp.Literal.number(0)))
        ),
        "user_average_tokens_per_request": lambda: exp.Div(
            this=cast(exp.Add(this=total(prompt), expression=total(completion))), expression=cast(count.copy())
        ),
    }
    chosen = [k for k in cols if fields is None or k in fields]
    sel = exp.select(exp.alias_(uid.copy(), "user_id"), *(exp.alias_(cols[k](), k) for k in chosen))
    sel = sel.from_(_table(c.profile)).group_by(uid.copy())
    if c.profile.tenant_column is not None and c.profile.tenant is not None:
        sel = sel.where(c.tenant_guard())
    return sel


def user_cost(c: Compiler, cost: exp.Expr) -> exp.Expr:
    """users_view.user_cost: the exact integer sum of the rows' costs (NULL: no cost).

    A USD double cost is summed as integer nano-USD and divided once, ``float(sum) / 1e9``
    (the overview's user_cost, bit for bit on every engine and in Python). An integer cost
    column (helicone's UInt64 nano-USD) is summed as a widened integer and stays in its
    stored unit, so ``user_cost > 5`` compares the exact sum with the exactly scaled
    bound 5000000000, as ``cost > 5`` does.
    """
    if c.profile.field_map("cost").integer:
        return exp.Sum(this=c.tmpl(c.spec.nanos_int, v=cost.copy()))
    return c.tmpl(c.spec.nanos_usd, v=exp.Sum(this=cost_nanos(c, cost)))


def cost_nanos(c: Compiler, cost: exp.Expr) -> exp.Expr:
    """A row's cost as integer nano-USD (semantics.md §4), NULL for a NULL cost.

    A double in USD is rounded per row with ``floor(usd * 1e9 + 0.5)`` in double
    arithmetic, so every engine and the Python reference add the same integers; a NaN
    counts as 0; ±inf or |cost·1e9| >= 2^63 is an error naming the cost on engines that
    can raise (the dialect's ``fail``), never a wrapped number. An integer column whose
    scale divides 1e9 (upstream's UInt64 nano-USD, micros) is scaled exactly.
    """
    spec = c.spec
    fm = c.profile.field_map("cost")
    scale = fm.scale
    if fm.integer and isinstance(scale, int) and NANOS_PER_USD % scale == 0:
        nanos = c.tmpl(spec.nanos_int, v=cost.copy())
        factor = NANOS_PER_USD // scale
        return nanos if factor == 1 else exp.Mul(this=nanos, expression=exp.Literal.number(factor))
    usd = cost.copy() if scale == 1 else exp.Div(this=cost.copy(), expression=exp.Literal.number(repr(float(scale))))
    big: exp.Expr = exp.GTE(
        this=exp.Abs(this=exp.Mul(this=usd.copy(), expression=exp.Literal.number("1e9"))),
        expression=exp.Literal.number(_NANOS_LIMIT),
    )
    zero: exp.Expr = big.copy()
    if spec.isnan is not None:  # NaN first: DuckDB and PostgreSQL order NaN above every number
        nan = c.tmpl(spec.isnan, v=usd.copy())
        zero = exp.or_(nan.copy(), zero)
        big = exp.and_(exp.not_(nan), big)
    # NULL stays NULL (no cost); NaN counts as 0, out-of-range reads 0 so that no cast
    # fails before `fail` raises the error naming the cost
    safe = exp.Case(
        ifs=[
            exp.If(this=exp.Is(this=usd.copy(), expression=exp.Null()), true=exp.Null()),
            exp.If(this=zero, true=exp.Literal.number(0)),
        ],
        default=usd,
    )
    nanos = c.tmpl(spec.nanos, v=safe)
    if spec.fail is None:
        return nanos
    return exp.Add(this=nanos, expression=c.tmpl(spec.fail, v=big, m=exp.Literal.string(BAD_COST)))


def _table(p: Profile) -> exp.Expr:
    t = exp.to_table(p.table)
    if t.name != p.qualifier:
        return exp.alias_(t, p.qualifier)
    return t


# ---------------------------------------------------------------- public API


def _columns(columns: Sequence[str] | str | None) -> list[str] | None:
    if isinstance(columns, str):
        columns = [columns]  # one column, not its characters
    if columns is not None:
        columns = list(columns)
        if not columns or not all(isinstance(n, str) and n for n in columns):
            raise FilterTypeError(
                f"columns must be a non-empty list of field or column names (or None for all), got {columns!r}"
            )
    return columns


def select(c: Compiler, node: Node, columns: Sequence[str] | None = None) -> exp.Select:
    """The kept request rows as a sqlglot SELECT (see :func:`to_sql`), for further building.

    ``columns`` are field or column names, or sqlglot expressions over the request table.
    """
    p = c.profile
    users = {cond.field for cond in iter_conditions(node) if cond.table == USERS_VIEW}
    sel_cols: list[exp.Expr] = []
    for name in columns or ():
        decl = FIELDS.get(name)
        if decl is not None and decl.table == REQUESTS and decl.kind is not Kind.PROPERTY_KEY:
            sel_cols.append(exp.alias_(c.column(name), name))
        elif decl is not None and decl.table == USERS_VIEW:
            users.add(name)
            sel_cols.append(exp.column(exp.to_identifier(name), table=exp.to_identifier(USERS_ALIAS)))
        else:
            sel_cols.append(exp.column(exp.to_identifier(name), table=exp.to_identifier(p.qualifier)))
    if not sel_cols:
        sel_cols = [exp.Column(this=exp.Star(), table=exp.to_identifier(p.qualifier))]
    sel = exp.select(*sel_cols).from_(_table(p))
    if users:
        sel = sel.join(
            exp.alias_(exp.Subquery(this=users_subquery(c, users)), USERS_ALIAS),
            on=exp.EQ(
                this=c.column("user_id"),
                expression=exp.column("user_id", table=exp.to_identifier(USERS_ALIAS)),
            ),
            join_type="left",
        )
        if c.spec.join_nulls is not None:
            sel.set("settings", [exp.EQ(this=exp.column(c.spec.join_nulls), expression=exp.Literal.number(1))])
    return sel.where(c.guarded(c.tree(node)))


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
    c = Compiler(dialect, profile, inline=inline, prefix=params_prefix)
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
    c = Compiler(dialect or "duckdb", profile, inline=inline, prefix=params_prefix)
    c.typed = True
    cond = c.guarded(c.tree(node))
    used = {p.name for p in cond.find_all(exp.Placeholder)}
    cond.meta["params"] = {k: v for k, v in c.params.items() if k in used}
    return cond


def users_sql(
    *, dialect: str = "duckdb", profile: str | Profile | Mapping[str, Any] = "flat", inline: bool = False
) -> SqlQuery:
    """The per-user subquery (columns user_id + the users_view fields) on its own."""
    c = Compiler(dialect, profile, inline=inline, prefix="u")
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
    When the filter uses users_view fields, the per-user values it needs (computed over
    all rows of the table, semantics.md §3) are LEFT JOINed as ``users_view`` first.
    """
    node = as_node(node)
    cols = _columns(columns)
    c = Compiler(dialect, profile, inline=inline, prefix=params_prefix)
    return render(select(c, node, cols), c)


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
