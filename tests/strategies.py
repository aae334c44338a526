"""Hypothesis strategies for filters: AST nodes, their conditions and raw API JSON.

Used by the language round-trip tests; the SQL/overview tests draw values from their
generated data instead, so their filters hit rows.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from filterlang.fields import FIELDS, Kind
from filterlang.nodes import ALL, Condition, Node, branch, conditions_to_leaf, make_leaf

# Text that exercises quoting: quotes, backslashes, LIKE wildcards, control chars,
# newlines, non-ASCII, astral characters and the keyword-like strings. Never NUL: a
# filter may not hold it (semantics.md §3; refused by filterlang.typecheck).
TRICKY = [
    "",
    "null",
    "NULL",
    "all",
    "and",
    "x' OR '1'='1",
    "\\'; DROP TABLE requests; --",
    "%",
    "_",
    "\\",
    "\\%",
    "100%",
    "a_b",
    "\x01",
    "line\nbreak",
    "tab\there",
    "naïve",
    "日本",
    "😀",
    "{p0: String}",
    ":name",
    "$1",
    '"',
]
_chars = st.characters(exclude_categories=["Cs"], exclude_characters="\0")
texts = st.one_of(st.sampled_from(TRICKY), st.text(_chars, max_size=12))
keys = st.one_of(
    st.sampled_from(["env", "a b", "and", "Key", "x.y", "", "ключ", '"q"', "`b`"]), st.text(_chars, max_size=8)
)


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    y = draw(st.integers(1970, 2099))
    mo, d = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    h, mi, s = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    sep = draw(st.sampled_from(["T", "T", "t"]))
    frac = draw(st.sampled_from(["", ".5", ".123", ".123456", ".000000001"]))
    tz = draw(st.sampled_from(["Z", "z", "+00:00", "-05:30", "+14:00", "-00:00"]))
    return f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{frac}{tz}"


numbers = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1, -0.0, 1e-7, 1e21, 2.15, 2.147483648, 123456789.125]),
)
VALUES: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.TEXT: texts,
    Kind.MAP: texts,
    Kind.PROPERTY_KEY: keys,
    Kind.NUMBER: numbers,
    Kind.TIMESTAMP: timestamps(),
    Kind.BOOLEAN: st.booleans(),
}


@st.composite
def conditions(draw: st.DrawFn, fields: list[str] | None = None) -> Condition:
    f = FIELDS[draw(st.sampled_from(fields or sorted(FIELDS)))]
    op = draw(st.sampled_from(f.operators))
    value = draw(VALUES[f.kind])
    key = draw(keys) if f.kind is Kind.MAP else None
    return Condition(f.name, op, value, key)


def single_leaves(fields: list[str] | None = None) -> st.SearchStrategy[Node]:
    return conditions(fields).map(make_leaf)


@st.composite
def multi_leaves(draw: st.DrawFn) -> Node:
    conds = draw(st.lists(conditions(), min_size=0, max_size=5))
    seen: set[tuple[str, str | None, str]] = set()
    unique = []
    for c in conds:
        if (c.field, c.key, c.op) not in seen:
            seen.add((c.field, c.key, c.op))
            unique.append(c)
    return conditions_to_leaf(unique)


def trees(leaves: st.SearchStrategy[Node], max_leaves: int = 12) -> st.SearchStrategy[Node]:
    ops = st.sampled_from(["and", "or"])
    return st.recursive(
        leaves,
        lambda kids: st.builds(branch, kids, ops, kids),
        max_leaves=max_leaves,
    )


def dsl_nodes(max_leaves: int = 12) -> st.SearchStrategy[Node]:
    """Nodes the DSL can spell exactly: single-condition leaves and "all"."""
    return trees(st.one_of(single_leaves(), st.just(ALL)), max_leaves)


def any_nodes(max_leaves: int = 12) -> st.SearchStrategy[Node]:
    """Every node shape, including multi-condition and empty leaves."""
    return trees(st.one_of(single_leaves(), multi_leaves(), st.just(ALL)), max_leaves)


# ---------------------------------------------------------------- raw JSON documents

JSON_VALUES: dict[Kind, st.SearchStrategy[Any]] = {**VALUES}


@st.composite
def json_ops(draw: st.DrawFn, kind: Kind) -> dict[str, Any]:
    from filterlang.fields import OPERATORS

    ops = draw(st.lists(st.sampled_from(OPERATORS[kind]), unique=True, max_size=3))
    if kind is Kind.PROPERTY_KEY and "equals" not in ops:
        ops.append("equals")
    vkind = Kind.TEXT if kind is Kind.MAP else kind
    return {op: draw(JSON_VALUES[vkind]) for op in ops}


@st.composite
def json_leaves(draw: st.DrawFn) -> dict[str, Any]:
    from filterlang.fields import FIELDS_BY_TABLE

    leaf: dict[str, Any] = {}
    for table in draw(st.lists(st.sampled_from(sorted(FIELDS_BY_TABLE)), unique=True, max_size=2)):
        names = draw(st.lists(st.sampled_from(sorted(FIELDS_BY_TABLE[table])), unique=True, max_size=3))
        tval: dict[str, Any] = {}
        for name in names:
            f = FIELDS[name]
            if f.kind is Kind.MAP:
                ks = draw(st.lists(keys, unique=True, max_size=2))
                tval[name] = {k: draw(json_ops(Kind.MAP)) for k in ks}
            else:
                tval[name] = draw(json_ops(f.kind))
        leaf[table] = tval
    return leaf


def json_documents(max_leaves: int = 10) -> st.SearchStrategy[Any]:
    """Schema-valid UserFilterNode JSON, including {}, empty tables and empty operator sets."""
    return st.recursive(
        st.one_of(json_leaves(), st.just("all")),
        lambda kids: st.fixed_dictionaries({"left": kids, "operator": st.sampled_from(["and", "or"]), "right": kids}),
        max_leaves=max_leaves,
    )


# Tokens for token-soup fuzzing: every kind of terminal, keywords, and a few characters
# no terminal takes.
TOKEN_VOCAB = [
    "model",
    "status",
    "user_cost",
    "properties",
    ".",
    "[",
    "]",
    '"x"',
    "'y'",
    "5",
    "-1.5e3",
    "=",
    "!=",
    ">",
    "~",
    "~*",
    "and",
    "or",
    "not",
    "(",
    ")",
    "in",
    "between",
    "is",
    "null",
    "true",
    "now",
    "-",
    "7d",
    ",",
    "contains",
    "all",
    "`helicone-score-feedback`",
    "request_created_at",
    '"2026-01-01T00:00:00Z"',
    "\\",
    "#",
]
