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
from datetime import datetime
from typing import Any

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
    REQUESTS,
    Kind,
)
from .nodes import Condition, FilterLeaf, Flat, Node, as_node, flat_depth, flatten, leaf_conditions
from .rowdata import RowDataError, bad_value, read_int, read_map, reader
from .textrules import (
    FOLD_TABLE,
    ascii_fold,
    canonical_like,
    contains_pattern,
    glob_from_like,
    like_matcher,
    like_tokens,
    score_integer,
)
from .timefmt import ts_threshold

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]

# Closures nest once per and/or alternation; past this the interpreter takes over.
MAX_CLOSURE_DEPTH = 200

# Each closure tests the common exact type inline (``x.__class__ is str``) and hands
# anything else to a :mod:`filterlang.rowdata` reader, which normalises the other
# spellings of a value (NULL, a list of map pairs, timestamp text, numpy scalars) or
# raises RowDataError naming the column: a mistyped row is never silently converted.

# ---------------------------------------------------------------- text


def _text_getter(c: Condition) -> Callable[[Row], str | None]:
    """How to read the compared text: a column, properties[k] ('' if absent) or scores[k].

    A score (an integer) reads as its canonical decimal text, for like/ilike/contains.
    """
    name = c.field
    if c.decl.kind is Kind.MAP:
        key = c.key or ""
        if name == "scores":
            score = _score_getter(name, key)

            def score_text(r: Row) -> str | None:
                v = score(r)
                return None if v is None else str(v)

            return score_text

        def prop(r: Row) -> str:
            m = r.get(name)
            if m.__class__ is not dict:
                m = read_map(m, name)
                if not m:
                    return ""
            v = m.get(key)
            if v.__class__ is str:
                return v  # type: ignore[no-any-return]
            if v is None:
                return ""  # a missing key reads as '' (ClickHouse Map semantics)
            if isinstance(v, str):
                return str(v)
            raise bad_value(f"{name}[{key!r}]", v, "text (str)")

        return prop

    read = reader(name)

    def col(r: Row) -> str | None:
        x = r.get(name)
        return x if x.__class__ is str else read(x)  # type: ignore[no-any-return]

    return col


def _score_getter(name: str, key: str) -> Callable[[Row], int | None]:
    """scores[k] as an int; a NULL map or a missing key is NULL (the row is not kept)."""
    where = f"{name}[{key!r}]"

    def score(r: Row) -> int | None:
        m = r.get(name)
        if m.__class__ is not dict:
            m = read_map(m, name)
            if m is None:
                return None
        v = m.get(key)
        if v.__class__ is int or v is None:
            return v  # type: ignore[no-any-return]
        return read_int(v, where)

    return score


def _score_equality(c: Condition) -> Predicate:
    """scores[k] equals / not-equals: integer texts as integers, any other text never equal."""
    assert isinstance(c.value, str)
    score = _score_getter(c.field, c.key or "")
    want = score_integer(c.value)
    if c.op == EQUALS:
        if want is None:
            return _false
        return lambda r: score(r) == want
    if want is None:
        return lambda r: score(r) is not None

    def ne(r: Row) -> bool:
        v = score(r)
        return v is not None and v != want

    return ne


def _text_condition(c: Condition) -> Predicate:
    name = c.field
    value = c.value
    assert isinstance(value, str)
    op = c.op
    plain = c.decl.kind is Kind.TEXT
    if plain and op in (EQUALS, NOT_EQUALS) and value in _CONVENTIONS:
        # upstream's JSON conventions: "null" means SQL NULL, "__empty__" the empty string
        return _CONVENTIONS[value][op == EQUALS](c)
    if name == "scores" and op in (EQUALS, NOT_EQUALS):
        return _score_equality(c)
    get = _text_getter(c)
    if plain and op == EQUALS:
        read = reader(name)

        def eq_plain(r: Row) -> bool:
            x = r.get(name)
            return x == value if x.__class__ is str else read(x) == value  # type: ignore[no-any-return]

        return eq_plain
    if op == EQUALS:
        return lambda r: get(r) == value
    if op == NOT_EQUALS:

        def ne(r: Row) -> bool:
            x = get(r)
            return x is not None and x != value

        return ne
    if op in (LIKE, ILIKE):
        fold = op == ILIKE
        test = like_matcher(ascii_fold(value) if fold else value)
        if plain and not fold:
            read = reader(name)

            def like_plain(r: Row) -> bool:
                x = r.get(name)
                if x.__class__ is not str:
                    x = read(x)
                    if x is None:
                        return False
                return test(x)

            return like_plain

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


def _is_null(c: Condition) -> Predicate:
    get = _text_getter(c)
    return lambda r: get(r) is None


def _is_not_null(c: Condition) -> Predicate:
    get = _text_getter(c)
    return lambda r: get(r) is not None


def _is_empty(c: Condition) -> Predicate:
    get = _text_getter(c)
    return lambda r: get(r) == ""


def _is_not_empty(c: Condition) -> Predicate:
    get = _text_getter(c)

    def not_empty(r: Row) -> bool:
        x = get(r)
        return x is not None and x != ""

    return not_empty


# value -> (predicate builder for not-equals, for equals)
_CONVENTIONS: dict[str, tuple[Callable[[Condition], Predicate], Callable[[Condition], Predicate]]] = {
    "null": (_is_not_null, _is_null),
    "__empty__": (_is_not_empty, _is_empty),
}

# ---------------------------------------------------------------- numbers

# The exact types compared inline; anything else goes through the column's reader.
_INT_ONLY: frozenset[type] = frozenset({int})
_INT_FLOAT: frozenset[type] = frozenset({int, float})


def _number_condition(c: Condition) -> Predicate:
    """A comparison of exact numbers: Python compares int with float as mathematical
    numbers (``2**53 + 1 > 9007199254740992.0``), which is semantics.md's rule, and NaN
    reads as NULL: every comparison with NaN is already false except ``!=``, which is
    guarded by ``x == x``.
    """
    name, op = c.field, c.op
    v: Any = c.value
    if op not in (EQUALS, NOT_EQUALS, GT, GTE, LT, LTE):
        raise ValueError(f"operator {op} does not apply to numbers")
    read = reader(name)
    fast = _INT_ONLY if c.decl.table == REQUESTS and name != "cost" else _INT_FLOAT
    # One closure per operator with the comparison inline: a generic ``cmp(x, v)`` call
    # per row costs a fifth of the throughput.
    if op == EQUALS:

        def eq(r: Row) -> bool:
            x = r.get(name)
            if x.__class__ in fast:
                return x == v  # type: ignore[no-any-return]
            x = read(x)
            return x is not None and x == v  # type: ignore[no-any-return]

        return eq
    if op == NOT_EQUALS:

        def ne(r: Row) -> bool:
            x = r.get(name)
            if x.__class__ not in fast:
                x = read(x)
                if x is None:
                    return False
            return x != v and x == x  # type: ignore[no-any-return]  # noqa: PLR0124 -- NaN is not kept

        return ne
    if op == GT:

        def gt(r: Row) -> bool:
            x = r.get(name)
            if x.__class__ in fast:
                return x > v  # type: ignore[no-any-return]
            x = read(x)
            return x is not None and x > v  # type: ignore[no-any-return]

        return gt
    if op == GTE:

        def ge(r: Row) -> bool:
            x = r.get(name)
            if x.__class__ in fast:
                return x >= v  # type: ignore[no-any-return]
            x = read(x)
            return x is not None and x >= v  # type: ignore[no-any-return]

        return ge
    if op == LT:

        def lt(r: Row) -> bool:
            x = r.get(name)
            if x.__class__ in fast:
                return x < v  # type: ignore[no-any-return]
            x = read(x)
            return x is not None and x < v  # type: ignore[no-any-return]

        return lt

    def le(r: Row) -> bool:
        x = r.get(name)
        if x.__class__ in fast:
            return x <= v  # type: ignore[no-any-return]
        x = read(x)
        return x is not None and x <= v  # type: ignore[no-any-return]

    return le


# ---------------------------------------------------------------- timestamps, booleans, keys


def _timestamp_condition(c: Condition) -> Predicate:
    name = c.field
    assert isinstance(c.value, str)
    op, lo, hi = ts_threshold(c.op, c.value)
    read = reader(name)

    def get(r: Row) -> datetime | None:
        x = r.get(name)
        if x.__class__ is datetime and x.tzinfo is not None:
            return x  # type: ignore[no-any-return]
        return read(x)  # type: ignore[no-any-return]

    if lo is None:  # past the last instant: nothing is after it, every value is before it
        if op == GTE:
            return _false

        def ts_notnull(r: Row) -> bool:
            return get(r) is not None

        return ts_notnull

    if hi is not None:

        def ts_eq(r: Row) -> bool:
            x = get(r)
            return x is not None and lo <= x < hi

        return ts_eq
    if op == LT:

        def ts_lt(r: Row) -> bool:
            x = get(r)
            return x is not None and x < lo

        return ts_lt

    def ts_ge(r: Row) -> bool:
        x = get(r)
        return x is not None and x >= lo

    return ts_ge


def _boolean_condition(c: Condition) -> Predicate:
    """True/False, or SQLite's 0/1; any other value (the text "false") is an error.

    ``helicone-score-feedback`` is a boolean column of the flat layout like the others;
    the helicone layout derives it from ``scores`` (1 true, 0 or missing false).
    """
    name = c.field
    want = bool(c.value)
    read = reader(name)

    def is_(r: Row) -> bool:
        x = r.get(name)
        if x is want:
            return True
        if x is (not want):
            return False
        return read(x) is want

    return is_


def _property_key_condition(c: Condition) -> Predicate:
    key = c.value

    def has(r: Row) -> bool:
        m = r.get("properties")
        if m.__class__ is not dict:
            m = read_map(m, "properties")
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
    "RowDataError",
    "ascii_fold",
    "canonical_like",
    "compile_condition",
    "compile_predicate",
    "contains_pattern",
    "filter_rows",
    "glob_from_like",
    "like_matcher",
    "like_tokens",
    "ts_threshold",
]
