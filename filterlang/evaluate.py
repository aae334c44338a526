"""The native evaluator: a filter compiled once into Python closures, row dict -> bool.

It is the executable form of semantics.md §3 and the oracle the SQL backends are
tested against, so every rule that SQL engines disagree on is decided *here* first and
the SQL compiler copies the decision (shared helpers below: LIKE tokenising, ASCII
case folding, timestamp thresholds).

Why closures and not ``eval``: untrusted filters must never become code. Why no
three-valued logic at run time: the AST has only AND/OR (no NOT), and both are monotone,
so "unknown" and "false" lead to the same kept/dropped decision; each condition simply
returns False where SQL would say unknown (a NULL operand, a missing score key).
Why an interpreter fallback: closures nest as deep as the (flattened) tree, and a
pathological 10,000-deep alternating tree would overflow the C stack, so trees deeper
than :data:`MAX_CLOSURE_DEPTH` are evaluated by an explicit-stack interpreter instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from . import timefmt
from .fields import (
    CONTAINS,
    EQUALS,
    GT,
    GTE,
    ILIKE,
    LIKE,
    LT,
    LTE,
    NOT_CONTAINS,
    NOT_EQUALS,
    Kind,
)
from .nodes import Condition, FilterLeaf, Flat, Node, as_node, flat_depth, flatten, leaf_conditions
from .textrules import (
    ANY,
    FOLD_TABLE,
    ascii_fold,
    canonical_like,
    contains_pattern,
    glob_from_like,
    like_regex,
    like_tokens,
)
from .timefmt import ts_threshold

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]

# Closures nest once per and/or alternation; past this the interpreter takes over.
MAX_CLOSURE_DEPTH = 200

# ---------------------------------------------------------------- timestamps


def _as_utc(x: Any) -> datetime | None:
    if x is None:
        return None
    if isinstance(x, datetime):
        return x if x.tzinfo is not None else x.replace(tzinfo=UTC)
    if isinstance(x, str):  # tolerated for convenience: RFC 3339 text
        return timefmt.to_datetime(x)
    raise TypeError(f"expected a datetime for a timestamp field, got {type(x).__name__}")


# ---------------------------------------------------------------- conditions


def _text_getter(c: Condition) -> Callable[[Row], str | None]:
    """How to read the compared text: a column, properties[k] ('' if absent) or scores[k]."""
    name = c.field
    kind = c.decl.kind
    if kind is Kind.MAP:
        key = c.key or ""
        if name == "scores":

            def score(r: Row) -> str | None:
                m = r.get(name)
                if m is None:
                    return None
                v = m.get(key)
                if v is None:
                    return None
                return v if isinstance(v, str) else str(v)

            return score

        def prop(r: Row) -> str:
            m = r.get(name)
            if not m:
                return ""
            v = m.get(key)
            return "" if v is None else v

        return prop

    def col(r: Row) -> str | None:
        return r.get(name)

    return col


def _regex_test(pattern: str) -> Callable[[str], bool]:
    match = like_regex(pattern).fullmatch
    return lambda x: match(x) is not None


def _like_fast(pattern: str) -> Callable[[str], bool] | None:
    """str methods for the common shapes ``lit``, ``lit%``, ``%lit``, ``%lit%`` (no ``_``)."""
    tokens = like_tokens(pattern)
    lead = bool(tokens) and tokens[0] is ANY
    trail = len(tokens) > int(lead) and tokens[-1] is ANY
    core = tokens[int(lead) : len(tokens) - int(trail)]
    if not all(isinstance(t, str) for t in core):
        return None
    lit = "".join(t for t in core if isinstance(t, str))
    if lead and trail:
        return lambda x: lit in x
    if lead:
        return lambda x: x.endswith(lit)
    if trail:
        return lambda x: x.startswith(lit)
    return lambda x: x == lit


def _text_condition(c: Condition) -> Predicate:
    name = c.field
    value = c.value
    assert isinstance(value, str)
    op = c.op
    plain = c.decl.kind is Kind.TEXT
    if plain and value == "null" and op in (EQUALS, NOT_EQUALS):
        # upstream's JSON convention: the string "null" means SQL NULL
        if op == EQUALS:
            return lambda r: r.get(name) is None
        return lambda r: r.get(name) is not None
    get = _text_getter(c)
    if plain:
        # fast paths for the common case of a plain column
        if op == EQUALS:
            return lambda r: r.get(name) == value
        if op == NOT_EQUALS:

            def ne(r: Row) -> bool:
                x = r.get(name)
                return x is not None and x != value

            return ne
    if op == EQUALS:
        return lambda r: get(r) == value
    if op == NOT_EQUALS:

        def ne2(r: Row) -> bool:
            x = get(r)
            return x is not None and x != value

        return ne2
    if op in (LIKE, ILIKE):
        fold = op == ILIKE
        pattern = ascii_fold(value) if fold else value
        test = _like_fast(pattern) or _regex_test(pattern)

        def like(r: Row) -> bool:
            x = get(r)
            if x is None:
                return False
            return test(x.translate(FOLD_TABLE) if fold else x)

        return like
    needle = ascii_fold(value)
    if op == CONTAINS:

        def contains(r: Row) -> bool:
            x = get(r)
            return x is not None and needle in x.translate(FOLD_TABLE)

        return contains
    if op == NOT_CONTAINS:

        def not_contains(r: Row) -> bool:
            x = get(r)
            return x is not None and needle not in x.translate(FOLD_TABLE)

        return not_contains
    raise ValueError(f"operator {op} does not apply to text")


_NUM_OPS: dict[str, Callable[[Any, Any], bool]] = {
    EQUALS: lambda x, v: x == v,
    NOT_EQUALS: lambda x, v: x != v,
    GT: lambda x, v: x > v,
    GTE: lambda x, v: x >= v,
    LT: lambda x, v: x < v,
    LTE: lambda x, v: x <= v,
}


def _number_condition(c: Condition) -> Predicate:
    name, v, op = c.field, c.value, c.op
    # Specialised closures: a generic op(x, v) call per row halves the throughput.
    if op == EQUALS:
        return lambda r: (x := r.get(name)) is not None and x == v
    if op == NOT_EQUALS:
        return lambda r: (x := r.get(name)) is not None and x != v
    if op == GT:
        return lambda r: (x := r.get(name)) is not None and x > v
    if op == GTE:
        return lambda r: (x := r.get(name)) is not None and x >= v
    if op == LT:
        return lambda r: (x := r.get(name)) is not None and x < v
    if op == LTE:
        return lambda r: (x := r.get(name)) is not None and x <= v
    raise ValueError(f"operator {op} does not apply to numbers")


def _timestamp_condition(c: Condition) -> Predicate:
    name = c.field
    assert isinstance(c.value, str)
    op, lo, hi = ts_threshold(c.op, c.value)
    if lo is None:  # past the last instant: nothing is after it, every value is before it
        if op == GTE:
            return _false

        def ts_notnull(r: Row) -> bool:
            return _as_utc(r.get(name)) is not None

        return ts_notnull

    if hi is not None:

        def ts_eq(r: Row) -> bool:
            x = _as_utc(r.get(name))
            return x is not None and lo <= x < hi

        return ts_eq
    if op == LT:

        def ts_lt(r: Row) -> bool:
            x = _as_utc(r.get(name))
            return x is not None and x < lo

        return ts_lt

    def ts_ge(r: Row) -> bool:
        x = _as_utc(r.get(name))
        return x is not None and x >= lo

    return ts_ge


def _boolean_condition(c: Condition) -> Predicate:
    name = c.field
    if c.value:
        return lambda r: (x := r.get(name)) is not None and bool(x)
    return lambda r: (x := r.get(name)) is not None and not x


def _property_key_condition(c: Condition) -> Predicate:
    key = c.value

    def has(r: Row) -> bool:
        m = r.get("properties")
        return m is not None and key in m

    return has


_BY_KIND: dict[Kind, Callable[[Condition], Predicate]] = {
    Kind.TEXT: _text_condition,
    Kind.MAP: _text_condition,
    Kind.NUMBER: _number_condition,
    Kind.TIMESTAMP: _timestamp_condition,
    Kind.BOOLEAN: _boolean_condition,
    Kind.PROPERTY_KEY: _property_key_condition,
}


def compile_condition(c: Condition) -> Predicate:
    """One atomic condition as a row predicate (False where SQL says NULL/unknown)."""
    return _BY_KIND[c.decl.kind](c)


# ---------------------------------------------------------------- trees


def _true(_r: Row) -> bool:
    return True


def _false(_r: Row) -> bool:
    return False


def _all(preds: list[Predicate]) -> Predicate:
    if not preds:
        return _true
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda r: a(r) and b(r)
    if len(preds) == 3:
        a, b, c = preds
        return lambda r: a(r) and b(r) and c(r)
    ps = tuple(preds)

    def alln(r: Row) -> bool:
        for p in ps:  # noqa: SIM110 -- all(genexpr) costs a generator per row (2x slower)
            if not p(r):
                return False
        return True

    return alln


def _any(preds: list[Predicate]) -> Predicate:
    if not preds:
        return _false
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda r: a(r) or b(r)
    if len(preds) == 3:
        a, b, c = preds
        return lambda r: a(r) or b(r) or c(r)
    ps = tuple(preds)

    def anyn(r: Row) -> bool:
        for p in ps:  # noqa: SIM110 -- see alln
            if p(r):
                return True
        return False

    return anyn


def _leaf_predicate(n: FilterLeaf | str) -> Predicate:
    if isinstance(n, FilterLeaf):
        return _all([compile_condition(c) for c in leaf_conditions(n)])
    return _true  # "all"


def _build_closures(root: Flat | FilterLeaf | str) -> Predicate:
    # post-order over the flattened tree with an explicit stack; results go on a value
    # stack (not a dict by id: "all" and shared subtrees occur more than once)
    vals: list[Predicate] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        n, expanded = stack.pop()
        if not isinstance(n, Flat):
            vals.append(_leaf_predicate(n))
        elif expanded:
            k = len(n.items)
            preds = vals[len(vals) - k :]
            del vals[len(vals) - k :]
            vals.append(_all(preds) if n.op == "and" else _any(preds))
        else:
            stack.append((n, True))
            stack.extend((c, False) for c in reversed(n.items))
    return vals[0]


def _build_interpreter(root: Flat | FilterLeaf | str) -> Predicate:
    """Explicit-stack evaluation with short-circuit, for trees too deep to nest closures."""
    leaf_preds: dict[int, Predicate] = {}
    stack0: list[Any] = [root]
    while stack0:
        n = stack0.pop()
        if isinstance(n, Flat):
            stack0.extend(n.items)
        else:
            leaf_preds[id(n)] = _leaf_predicate(n)

    def run(r: Row) -> bool:
        # frames: [node, next child index]; result of the last finished child in `val`
        val = False
        frames: list[list[Any]] = [[root, 0]]
        while frames:
            top = frames[-1]
            n = top[0]
            if not isinstance(n, Flat):
                val = leaf_preds[id(n)](r)
                frames.pop()
                continue
            i = top[1]
            if i > 0 and ((n.op == "and" and not val) or (n.op == "or" and val)):
                frames.pop()  # short-circuit: val is the answer of this node
                continue
            if i == len(n.items):
                frames.pop()
                continue
            top[1] = i + 1
            frames.append([n.items[i], 0])
        return val

    return run


def compile_predicate(node: Node) -> Callable[[Mapping[str, Any]], bool]:
    """Compile ``node`` once into ``row -> bool`` (True = the row is kept).

    Rows map field names to plain values: str, int/float (cost in USD), bool,
    datetime (naive means UTC), dict for properties/search_properties/scores, None
    for NULL; users_view fields (see :func:`filterlang.users.add_user_fields`) are keys
    of the same dict. A missing key is NULL. A dict is read as the API's JSON; any
    other non-node is a FilterTypeError (never "keep every row").
    """
    root = flatten(as_node(node))
    if flat_depth(root) > MAX_CLOSURE_DEPTH:
        return _build_interpreter(root)
    return _build_closures(root)


def filter_rows(node: Node, rows: Any) -> list[Any]:
    """The rows ``node`` keeps, in order (convenience for tests and the reference overview)."""
    pred = compile_predicate(node)  # validates node (as_node)
    return [r for r in rows if pred(r)]


__all__ = [
    "ascii_fold",
    "canonical_like",
    "compile_condition",
    "compile_predicate",
    "contains_pattern",
    "filter_rows",
    "glob_from_like",
    "like_regex",
    "like_tokens",
    "ts_threshold",
]
