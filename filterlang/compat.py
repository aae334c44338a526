"""``check``: what a valid filter does that its author may not expect.

Three kinds of warning, each with the JSON path it is about:

- ``upstream``: the hosted API (semantics.md calls it upstream) evaluates the filter
  differently or fails on it (semantics.md §3 and §7). We depart from upstream on purpose
  where it is unsound; the warning says so, so nobody is surprised when the same JSON
  gives other rows, or an error, there.
- ``never-matches``: conditions ANDed on the same field (and map key) contradict each
  other (``latency between 500 and 100``, ``model = "a" and model = "b"``). The analysis
  is conservative: it looks only at conditions that must all hold together and says
  "never" only when no value of that field can satisfy them; anything it cannot decide
  (two LIKE patterns, say) stays silent.
- ``coerced``: ``check(json, coerce=True)`` read a string as a number or a boolean,
  as upstream's request validation does; the JSON is not schema-valid as written.

Everything reads the tree through the public walks of :mod:`filterlang.nodes`
(:class:`~filterlang.nodes.Condition` per leaf) and field facts from the registry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import timefmt
from .fields import (
    CONTAINS,
    EQUALS,
    FIELDS_BY_TABLE,
    GT,
    GTE,
    ILIKE,
    LIKE,
    LT,
    LTE,
    NOT_CONTAINS,
    NOT_EQUALS,
    USERS_VIEW,
    Kind,
)
from .jsonio import path_join, read_json
from .limits import DEFAULT_LIMITS, Limits
from .nodes import Condition, FilterBranch, FilterLeaf, Node, as_node, leaf_conditions, make_leaf
from .textrules import ascii_fold, like_matcher, score_integer

UPSTREAM_INT32_USD = (2**31 - 1) / 1e9  # upstream binds nano-USD cost as Int32
UPSTREAM_INT32 = 2**31  # upstream binds every integer bound as Int32

UPSTREAM, NEVER_MATCHES, COERCED = "upstream", "never-matches", "coerced"

# semantics.md §7: fields upstream's real table lacks (its engine rejects the filter).
_MISSING_UPSTREAM = {
    "node_id": "upstream's table has no node_id column, so its engine rejects the filter; here it is an ordinary column",
    "job_id": "upstream's table has no job_id column, so its engine rejects the filter; here it is an ordinary column",
    "total_tokens": "upstream's table has no total_tokens column, so its engine rejects the filter; here it is an ordinary column",
    "assets": "upstream maps assets to asset_ids, a column its table lacks, so its engine rejects the filter; "
    "here it compares the request's assets joined by ','",
    "search_properties": "upstream compares a bare `key` column that exists only under an ARRAY JOIN, so its engine "
    "rejects the filter; here search_properties[k] means properties[k]",
    "scores_column": "upstream compares the scores Map with a String and its engine rejects the filter (the helicone "
    "SQL profile refuses it too); here it is the scores map as text",
}
_UUID_FIELDS = ("request_id", "organization_id")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PATTERN_OPS = (LIKE, ILIKE, CONTAINS, NOT_CONTAINS)
_CONVENTIONS = ("null", "__empty__")


@dataclass(frozen=True, slots=True)
class CheckWarning:
    """One finding of :func:`check`: where (JSON path), what, and which kind."""

    path: str
    message: str
    kind: str = UPSTREAM

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


Warning_ = CheckWarning  # the name before check() grew more than upstream warnings


def check(
    source: Any, *, coerce: bool = False, overview: bool = True, limits: Limits = DEFAULT_LIMITS
) -> list[CheckWarning]:
    """Every warning for a filter: upstream differences, parts that never match, coercions.

    ``source`` is a node, the API's JSON (a dict, or JSON text: text starting with ``{``
    or ``"``) or DSL text. Invalid input raises the same :class:`~filterlang.FilterError`
    that :func:`~filterlang.parse` or :func:`~filterlang.from_json` would. ``coerce``
    reads JSON as ``from_json(..., coerce=True)`` does and warns at every converted value.
    ``overview``: the filter is for the metrics overview, where upstream drops users_view.
    """
    warnings: list[CheckWarning] = []
    if isinstance(source, str) and not source.lstrip().startswith(("{", '"')):
        from .dsl.parser import parse

        node = parse(source, limits=limits)
    elif isinstance(source, FilterLeaf | FilterBranch):
        node = source
    else:
        node, coercions = read_json(source, limits=limits, coerce=coerce)
        warnings.extend(
            CheckWarning(
                c.path,
                f"the string {_quote(c.given)} was read as {_quote(c.value)} (coerce=True, as upstream's "
                "request validation does); the API's schema wants the value without quotes",
                COERCED,
            )
            for c in coercions
        )
    warnings.extend(upstream_differences(node, overview=overview))
    warnings.extend(never_matches(node))
    return warnings


def _quote(v: object) -> str:
    return json.dumps(v)


# ---------------------------------------------------------------- walking with paths


# A branch's path is kept as (parent, "left" | "right") and spelled out only when a
# warning needs it: joining strings per level would cost O(depth) per node.
TreePath = str | tuple[Any, str]


def _render(path: TreePath) -> str:
    keys: list[str] = []
    while isinstance(path, tuple):
        path, key = path
        keys.append(key)
    return path + "".join("." + k for k in reversed(keys))


def _leaves_with_paths(node: Node) -> Iterator[tuple[TreePath, FilterLeaf]]:
    stack: list[tuple[Node, TreePath]] = [(node, "$")]
    while stack:
        n, path = stack.pop()
        if isinstance(n, FilterBranch):
            stack.append((n.right, (path, "right")))
            stack.append((n.left, (path, "left")))
        elif isinstance(n, FilterLeaf):
            yield path, n


def condition_path(leaf_path: str, c: Condition) -> str:
    """The JSON path of one condition inside the leaf at ``leaf_path``."""
    path = path_join(path_join(leaf_path, c.table), c.field)
    if c.key is not None:
        path = path_join(path, c.key)
    return path_join(path, c.op)


def _dsl(c: Condition) -> str:
    from .dsl.printer import to_dsl

    return to_dsl(make_leaf(c))


# ---------------------------------------------------------------- upstream differences


def upstream_differences(node: Node, *, overview: bool = True) -> list[CheckWarning]:
    """Warnings for every place where upstream would evaluate ``node`` differently or fail.

    ``overview``: the filter is used for the metrics-overview endpoint, where upstream
    drops users_view conditions entirely.
    """
    out: list[CheckWarning] = []
    for tree_path, leaf in _leaves_with_paths(as_node(node)):
        found = list(_leaf_warnings(leaf, overview))
        if found:  # paths are relative to the leaf ("$..."); spell the leaf's path once
            root = _render(tree_path)
            out.extend(CheckWarning(root + w.path[1:], w.message, w.kind) for w in found)
    return out


def _leaf_warnings(leaf: FilterLeaf, overview: bool) -> Iterator[CheckWarning]:
    path = "$"
    yield from _leaf_shape_warnings(path, leaf, overview)
    conds = leaf_conditions(leaf)
    per_field: dict[tuple[str, str | None], int] = {}
    for c in conds:
        per_field[(c.field, c.key)] = per_field.get((c.field, c.key), 0) + 1
    for (fname, key), n in per_field.items():
        if n > 1:
            where = fname if key is None else f"{fname}[{key!r}]"
            yield CheckWarning(path, f"{n} operators on `{where}` in one leaf: upstream keeps only the first")
    seen_fields: set[str] = set()
    for c in conds:
        cpath = condition_path(path, c)
        if c.field in _MISSING_UPSTREAM and c.field not in seen_fields:
            seen_fields.add(c.field)
            yield CheckWarning(cpath, _MISSING_UPSTREAM[c.field])
        yield from (CheckWarning(cpath, message) for message in _condition_warnings(c))


def _leaf_shape_warnings(path: str, leaf: FilterLeaf, overview: bool) -> Iterator[CheckWarning]:
    """Empty objects, several fields or map keys per table, users_view in the overview."""
    for table, fields in FIELDS_BY_TABLE.items():
        tmodel = getattr(leaf, table)
        if tmodel is None:
            continue
        tpath = path_join(path, table)
        set_fields = [f for f in fields.values() if getattr(tmodel, f.attr) is not None]
        if not set_fields:
            yield CheckWarning(
                tpath,
                f"an empty `{table}` object adds no condition here (TRUE); upstream's builder throws "
                '"Invalid operator" on it',
            )
        if len(set_fields) > 1:
            yield CheckWarning(
                tpath,
                f"{len(set_fields)} fields in one leaf: upstream keeps only the first "
                "(in JSON key order) and drops the rest; we AND them all",
            )
        for f in set_fields:
            fval = getattr(tmodel, f.attr)
            fpath = path_join(tpath, f.name)
            if f.kind is Kind.MAP:
                if len(fval) > 1:
                    yield CheckWarning(fpath, f"{len(fval)} keys in one map condition: upstream keeps only the first")
                empty = (
                    [path_join(fpath, k) for k, ops in fval.items() if not ops.model_fields_set] if fval else [fpath]
                )
            else:
                empty = [] if fval.model_fields_set else [fpath]
            for p in empty:
                yield CheckWarning(
                    p,
                    "an empty operator object adds no condition here (TRUE); upstream's builder throws "
                    '"Invalid operator" on it',
                )
        if table == USERS_VIEW and overview:
            yield CheckWarning(
                tpath,
                "users_view conditions are dropped by upstream's metrics-overview; "
                "we apply them per request row (semantics.md §3)",
            )


def _condition_warnings(c: Condition) -> Iterator[str]:
    f, v, op = c.decl, c.value, c.op
    if f.name in _UUID_FIELDS and isinstance(v, str):
        if op in _PATTERN_OPS:
            yield f"`{op}` on {f.name}: upstream stores it as a UUID and its engine rejects text operators on it"
        elif v not in _CONVENTIONS and not _UUID.fullmatch(v):  # IS NULL, empty(): fine on a UUID
            yield f"{_json_str(v)} is not a UUID: upstream stores {f.name} as a UUID and its engine rejects the value"
    if f.kind is Kind.TEXT and isinstance(v, str):
        if op == NOT_EQUALS and v == "__empty__":
            yield 'upstream writes `not-equals "__empty__"` as invalid SQL and fails; here it means a non-empty text'
        if op in _PATTERN_OPS and v in _CONVENTIONS:
            effect = "matches no row" if op in (LIKE, ILIKE) else "is an engine error"
            yield (f'`{op}` with "{v}": upstream substitutes NULL, which {effect} there; here it is the ordinary text')
    if f.name == "scores" and op in _PATTERN_OPS:
        yield f"`{op}` on scores: upstream compares the Int64 score with a String and its engine fails"
    if op in (LIKE, ILIKE) and isinstance(v, str) and _ends_in_lone_backslash(v):
        yield "the pattern ends in a lone backslash: an error on upstream's engine, a literal backslash here"
    if f.kind is Kind.TIMESTAMP and isinstance(v, str) and _sub_second(v):
        yield (
            f"`{f.name}` {op} {v} has sub-second digits: upstream truncates timestamps to seconds, "
            "so it compares differently there; we compare milliseconds"
        )
    if op in (CONTAINS, NOT_CONTAINS) and isinstance(v, str) and any(ch in v for ch in "%_\\"):
        yield (
            f"`{op}` value {v!r} has % _ or \\: upstream does not escape them "
            "(they act as wildcards there); we match them literally"
        )
    if f.kind is Kind.NUMBER and isinstance(v, int | float) and not isinstance(v, bool) and c.table != USERS_VIEW:
        if f.name == "cost":
            if abs(v) > UPSTREAM_INT32_USD:
                yield (
                    f"cost {v} is above $2.147: upstream binds nano-USD as Int32 and wraps; we scale in 64-bit integers"
                )
        elif isinstance(v, int) and not -UPSTREAM_INT32 <= v < UPSTREAM_INT32:
            yield f"{f.name} {v} is beyond ±2^31: upstream binds integer bounds as Int32 and wraps; we use 64 bits"


def _json_str(v: str) -> str:
    return _quote(v if len(v) <= 60 else v[:57] + "...")


def _ends_in_lone_backslash(pattern: str) -> bool:
    run = len(pattern) - len(pattern.rstrip("\\"))
    return run % 2 == 1


def _sub_second(value: str) -> bool:
    try:
        return timefmt.to_epoch_ms(value) % 1000 != 0
    except (ValueError, OverflowError):  # pragma: no cover - validated timestamps
        return False


# ---------------------------------------------------------------- never matches


def never_matches(node: Node) -> list[CheckWarning]:
    """Parts of ``node`` no row can satisfy: contradictions inside one AND.

    An AND group is a maximal chain of ``and`` branches with the leaves directly under
    it; every condition in those leaves must hold together. Conditions under a nested
    ``or`` are not used (either side may be the one that holds), which keeps the
    answer conservative.
    """
    out: list[CheckWarning] = []
    for group_path, conds in _and_groups(as_node(node)):
        by_slot: dict[tuple[str, str | None], list[tuple[TreePath, Condition]]] = {}
        for leaf_path, c in conds:
            by_slot.setdefault((c.field, c.key), []).append((leaf_path, c))
        for items in by_slot.values():
            clash = _contradiction([c for _, c in items])
            if clash is None:
                continue
            a, b = clash
            if b is None:
                leaf_path = next(p for p, c in items if c is a)
                where = condition_path(_render(leaf_path), a)
                out.append(CheckWarning(where, f"`{_dsl(a)}` can never match: {_alone_reason(a)}", NEVER_MATCHES))
            else:
                message = f"`{_dsl(a)}` and `{_dsl(b)}` can never both hold, so this part never matches"
                out.append(CheckWarning(_render(group_path), message, NEVER_MATCHES))
    return out


def _alone_reason(c: Condition) -> str:
    if c.decl.kind is Kind.NUMBER:
        return f"`{c.field}` holds 64-bit integers, so it never equals {c.value!r} (semantics.md §3)"
    return "scores compare as integers, and this text is not one, so `equals` keeps no row"


def _and_groups(root: Node) -> list[tuple[TreePath, list[tuple[TreePath, Condition]]]]:
    """(path of the group, [(leaf path, condition)]) for every AND group."""
    groups: list[tuple[TreePath, list[tuple[TreePath, Condition]]]] = []
    # (node, path, index of the AND group it belongs to, or -1 under an `or` / the root)
    stack: list[tuple[Node, TreePath, int]] = [(root, "$", -1)]
    while stack:
        n, path, g = stack.pop()
        if isinstance(n, FilterBranch):
            if n.operator == "and" and g < 0:
                groups.append((path, []))
                g = len(groups) - 1
            elif n.operator == "or":
                g = -1
            stack.append((n.right, (path, "right"), g))
            stack.append((n.left, (path, "left"), g))
        elif isinstance(n, FilterLeaf):
            if g < 0:
                groups.append((path, []))
                g = len(groups) - 1
            groups[g][1].extend((path, c) for c in leaf_conditions(n))
    return groups


Clash = tuple[Condition, Condition | None]


def _contradiction(conds: list[Condition]) -> Clash | None:
    """Two conditions on one field (and key) that no value satisfies together, or None.

    ``(c, None)`` means ``c`` alone never holds.
    """
    decl = conds[0].decl
    kind = decl.kind
    if kind is Kind.NUMBER:
        if not decl.double:
            for c in conds:
                if c.op == EQUALS and isinstance(c.value, float) and not c.value.is_integer():
                    return c, None
        return _interval_clash([(c, c.value) for c in conds])
    if kind is Kind.TIMESTAMP:
        try:
            return _interval_clash([(c, timefmt.to_epoch_ms(str(c.value))) for c in conds])
        except (ValueError, OverflowError):  # pragma: no cover - validated timestamps
            return None
    if kind is Kind.BOOLEAN:
        return _pinned_clash(conds, lambda c: c.value, _boolean_holds)
    if kind is Kind.TEXT:
        return _pinned_clash(conds, _text_pin, _text_holds) or _contains_clash(conds)
    if kind is Kind.MAP and conds[0].field == "scores":
        for c in conds:
            if c.op == EQUALS and score_integer(c.value) is None:
                return c, None
        return _pinned_clash(conds, lambda c: score_integer(c.value), _score_holds)
    if kind is Kind.MAP:  # properties, search_properties: literal text, a missing key reads ''
        return _pinned_clash(conds, lambda c: c.value, _map_text_holds) or _contains_clash(conds)
    return None


def _interval_clash(items: list[tuple[Condition, Any]]) -> Clash | None:
    """Numbers and instants compare exactly; the bounds of one field must leave a value."""
    lo: tuple[Any, bool, Condition] | None = None  # (value, inclusive, condition)
    hi: tuple[Any, bool, Condition] | None = None
    eq: tuple[Any, Condition] | None = None
    ne: dict[Any, Condition] = {}
    for c, v in items:
        if c.op == EQUALS:
            if eq is not None and eq[0] != v:
                return eq[1], c
            eq = eq or (v, c)
        elif c.op == NOT_EQUALS:
            ne.setdefault(v, c)
        elif c.op in (GT, GTE):
            inclusive = c.op == GTE
            if lo is None or v > lo[0] or (v == lo[0] and not inclusive):
                lo = (v, inclusive, c)
        elif c.op in (LT, LTE):
            inclusive = c.op == LTE
            if hi is None or v < hi[0] or (v == hi[0] and not inclusive):
                hi = (v, inclusive, c)
    if lo is not None and hi is not None and (lo[0] > hi[0] or (lo[0] == hi[0] and not (lo[1] and hi[1]))):
        return lo[2], hi[2]
    if eq is not None:
        v, c = eq
        if lo is not None and (v < lo[0] or (v == lo[0] and not lo[1])):
            return lo[2], c
        if hi is not None and (v > hi[0] or (v == hi[0] and not hi[1])):
            return c, hi[2]
        for w, other in ne.items():
            if w == v:
                return c, other
    return None


_NULL = object()  # the pinned value of `equals "null"` on a plain text field: SQL NULL


def _pinned_clash(
    conds: list[Condition], pin_of: Callable[[Condition], Any], holds: Callable[[Condition, Any], bool | None]
) -> Clash | None:
    """With an ``equals`` the value is known: every other condition must hold for it.

    ``holds`` answers True, False, or None for "cannot tell" (counted as holding).
    """
    pinner = next((c for c in conds if c.op == EQUALS), None)
    if pinner is None:
        return None
    pin = pin_of(pinner)
    for c in conds:
        if c is not pinner and holds(c, pin) is False:
            return pinner, c
    return None


def _boolean_holds(c: Condition, pin: Any) -> bool:
    return bool(c.value == pin)


def _text_pin(c: Condition) -> Any:
    return _NULL if c.value == "null" else "" if c.value == "__empty__" else c.value


def _text_holds(c: Condition, pin: Any) -> bool | None:
    """Plain text fields: "null" and "__empty__" mean NULL and '' with equals/not-equals."""
    v = c.value
    assert isinstance(v, str)
    if c.op == EQUALS:
        return bool(_text_pin(c) == pin)
    if pin is _NULL:  # every other operator is unknown on NULL, so the row is not kept
        return False
    if c.op == NOT_EQUALS:
        return bool(v == "null" or _text_pin(c) != pin)
    return _pattern_holds(c.op, v, pin)


def _map_text_holds(c: Condition, pin: Any) -> bool | None:
    v = c.value
    assert isinstance(v, str)
    if c.op == EQUALS:
        return bool(v == pin)
    if c.op == NOT_EQUALS:
        return bool(v != pin)
    return _pattern_holds(c.op, v, pin)


def _pattern_holds(op: str, v: str, text: str) -> bool:
    """Whether the known ``text`` passes ``op v`` (the evaluator's own text rules)."""
    if op == CONTAINS:
        return ascii_fold(v) in ascii_fold(text)
    if op == NOT_CONTAINS:
        return ascii_fold(v) not in ascii_fold(text)
    if op == ILIKE:
        return like_matcher(ascii_fold(v))(ascii_fold(text))
    return like_matcher(v)(text)


def _score_holds(c: Condition, pin: Any) -> bool | None:
    """Scores: ``equals``/``not-equals`` compare integers; other operators the decimal text."""
    n = score_integer(c.value)
    if c.op == EQUALS:
        return bool(n == pin)
    if c.op == NOT_EQUALS:
        return None if n is None else bool(n != pin)
    return _pattern_holds(c.op, str(c.value), str(pin))


_MAX_PAIRS = 100_000  # contains x not-contains pairs compared per field; beyond, stay silent


def _contains_clash(conds: list[Condition]) -> Clash | None:
    """``contains "abc"`` and ``not-contains "b"``: every text containing abc contains b."""
    musts = [(ascii_fold(str(c.value)), c) for c in conds if c.op == CONTAINS]
    nots = [(ascii_fold(str(c.value)), c) for c in conds if c.op == NOT_CONTAINS]
    if len(musts) * len(nots) > _MAX_PAIRS:
        return None
    for banned, c in nots:
        for must, m in musts:
            if banned in must:
                return m, c
    return None
