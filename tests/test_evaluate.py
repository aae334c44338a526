"""The native evaluator: semantics.md §3 case by case, deep trees, users_view values."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import filterlang
from filterlang.evaluate import MAX_CLOSURE_DEPTH, compile_predicate
from filterlang.nodes import Condition, Node, balanced, branch, conditions_to_leaf, flatten, make_leaf
from filterlang.textrules import ascii_fold, canonical_like, contains_pattern, glob_from_like
from filterlang.users import add_user_fields


def L(field: str, op: str, value: Any, key: str | None = None) -> Node:
    return make_leaf(Condition(field, op, value, key))


def keeps(node: Node, row: dict[str, Any]) -> bool:
    return compile_predicate(node)(row)


def test_lazy_public_name() -> None:
    assert filterlang.compile_predicate is compile_predicate


def test_all_and_empty_leaf_are_true() -> None:
    assert keeps("all", {}) and keeps(conditions_to_leaf([]), {"model": None})


def test_null_comparisons_are_not_kept() -> None:
    for op in ("equals", "not-equals", "gt", "gte", "lt", "lte"):
        assert not keeps(L("latency", op, 1), {"latency": None})
        assert not keeps(L("latency", op, 1), {})
    for op in ("equals", "not-equals", "like", "ilike", "contains", "not-contains"):
        assert not keeps(L("model", op, "x"), {"model": None})
    assert not keeps(L("cached", "equals", False), {"cached": None})


def test_null_string_convention() -> None:
    assert keeps(L("model", "equals", "null"), {"model": None})
    assert not keeps(L("model", "equals", "null"), {"model": "null"})
    assert keeps(L("model", "not-equals", "null"), {"model": "null"})
    assert not keeps(L("model", "not-equals", "null"), {"model": None})
    # map values compare literally ("null" is just text there)
    assert keeps(L("properties", "equals", "null", "k"), {"properties": {"k": "null"}})


def test_and_or_with_unknown() -> None:
    unknown = L("latency", "gt", 1)
    true = L("model", "equals", "a")
    row = {"latency": None, "model": "a"}
    assert keeps(branch(unknown, "or", true), row)
    assert not keeps(branch(unknown, "and", true), row)


def test_like_semantics() -> None:
    assert keeps(L("model", "like", "gpt%"), {"model": "gpt-4"})
    assert not keeps(L("model", "like", "gpt%"), {"model": "GPT-4"})
    assert keeps(L("model", "like", "g_t"), {"model": "gét"})
    assert keeps(L("model", "like", "100\\%"), {"model": "100%"})
    assert not keeps(L("model", "like", "100\\%"), {"model": "1000"})
    assert keeps(L("model", "like", "a\\_b"), {"model": "a_b"}) and not keeps(
        L("model", "like", "a\\_b"), {"model": "axb"}
    )
    assert keeps(L("model", "like", "ends\\"), {"model": "ends\\"})  # trailing backslash is literal
    assert keeps(L("model", "like", "%"), {"model": "line\nbreak"})  # % spans newlines
    assert keeps(L("model", "like", "[ab]*"), {"model": "[ab]*"}) and not keeps(
        L("model", "like", "[ab]*"), {"model": "a"}
    )


def test_ilike_and_contains_fold_ascii_only() -> None:
    assert keeps(L("model", "ilike", "GPT%"), {"model": "gpt-4"})
    assert not keeps(L("model", "ilike", "É%"), {"model": "émile"})  # non-ASCII case is significant
    assert keeps(L("model", "contains", "PT-4"), {"model": "gpt-4o"})
    assert keeps(L("model", "contains", "50%"), {"model": "save 50% now"})
    assert not keeps(L("model", "contains", "50%"), {"model": "save 500 now"})
    assert keeps(L("model", "contains", "a_b"), {"model": "xa_bx"}) and not keeps(
        L("model", "contains", "a_b"), {"model": "axb"}
    )
    assert keeps(L("model", "contains", ""), {"model": ""})
    assert keeps(L("model", "not-contains", "x"), {"model": "abc"})
    assert not keeps(L("model", "not-contains", "B"), {"model": "abc"})


def test_map_semantics() -> None:
    assert keeps(L("properties", "equals", "", "missing"), {"properties": {}})
    assert keeps(L("properties", "not-equals", "x", "missing"), {"properties": {"k": "x"}})
    assert keeps(L("properties", "equals", "", "k"), {"properties": None})
    assert not keeps(L("scores", "not-equals", "1", "missing"), {"scores": {"k": 1}})
    assert keeps(L("scores", "equals", "5", "k"), {"scores": {"k": 5}})
    assert keeps(L("scores", "like", "1%", "k"), {"scores": {"k": 12}})
    assert keeps(L("property_key", "equals", "k"), {"properties": {"k": ""}})
    assert not keeps(L("property_key", "equals", "k"), {"properties": {"K": "v"}})


def test_timestamps_millisecond_precision() -> None:
    t = datetime(2026, 1, 31, 12, 0, 0, 123_900, tzinfo=UTC)
    row = {"request_created_at": t}
    assert keeps(L("request_created_at", "equals", "2026-01-31T12:00:00.123Z"), row)
    assert keeps(L("request_created_at", "equals", "2026-01-31T12:00:00.1239999Z"), row)
    assert not keeps(L("request_created_at", "gt", "2026-01-31T12:00:00.123Z"), row)
    assert keeps(L("request_created_at", "lte", "2026-01-31T12:00:00.123Z"), row)
    assert keeps(L("request_created_at", "gte", "2026-01-31T14:00:00.123+02:00"), row)
    assert keeps(L("request_created_at", "lt", "2026-01-31T12:00:00.124Z"), row)
    naive = {"request_created_at": t.replace(tzinfo=None)}  # naive = UTC
    assert keeps(L("request_created_at", "equals", "2026-01-31T12:00:00.123Z"), naive)
    other_tz = {"request_created_at": t.astimezone(timezone(timedelta(hours=-5)))}
    assert keeps(L("request_created_at", "equals", "2026-01-31T12:00:00.123Z"), other_tz)


def test_numbers_and_booleans() -> None:
    assert keeps(L("cost", "gt", 2.15), {"cost": 2.2})
    assert keeps(L("cost", "equals", 3), {"cost": 3.0})
    assert keeps(L("cost", "not-equals", 3), {"cost": 2.5})
    assert keeps(L("cached", "equals", True), {"cached": True})
    assert keeps(L("cached", "equals", False), {"cached": 0})  # SQLite-style 0/1 rows work too


def test_balanced_10000_chains_and_left_deep() -> None:
    rows = [{"latency": i} for i in range(0, 20_000, 997)]
    for op in ("and", "or"):
        node = balanced(op, [L("latency", "gt", i) for i in range(10_000)])  # type: ignore[arg-type]
        pred = compile_predicate(node)
        assert [pred(r) for r in rows] == [(r["latency"] > 9999) if op == "and" else (r["latency"] > 0) for r in rows]
    deep: Node = L("latency", "equals", 0)
    for i in range(1, 10_000):
        deep = branch(deep, "or", L("latency", "equals", i))
    pred = compile_predicate(deep)
    assert pred({"latency": 9_999}) and not pred({"latency": 10_000})


def test_deep_alternating_tree_uses_the_interpreter() -> None:
    # and/or alternating 10,000 levels: closures would nest 10,000 deep
    node: Node = L("latency", "equals", -1)
    for i in range(10_000):
        node = branch(node, "or" if i % 2 else "and", L("latency", "equals", i))
    assert MAX_CLOSURE_DEPTH < 10_000
    pred = compile_predicate(node)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        # top is "or latency = 9999"; below it ands/ors mix
        assert pred({"latency": 9_999})
        assert not pred({"latency": 10**9})
        assert pred({"latency": 9_997}) is (9_998 % 2 == 1)
    finally:
        sys.setrecursionlimit(old)


def test_interpreter_matches_closures() -> None:
    import random

    from filterlang import evaluate as ev

    rnd = random.Random(7)
    for _ in range(200):
        leaves: list[Node] = [L("latency", rnd.choice(["gt", "lt", "equals"]), rnd.randint(0, 5)) for _ in range(6)]
        while len(leaves) > 1:
            i = rnd.randrange(len(leaves) - 1)
            leaves[i : i + 2] = [branch(leaves[i], rnd.choice(["and", "or"]), leaves[i + 1])]
        flat = flatten(leaves[0])
        a, b = ev._build_closures(flat), ev._build_interpreter(flat)
        for v in [None, 0, 1, 2, 3, 4, 5, 6]:
            assert a({"latency": v}) == b({"latency": v})


def test_pattern_helpers() -> None:
    assert ascii_fold("ÀBc") == "Àbc"
    assert canonical_like("a\\b%_\\") == "a\\\\b%_\\\\"  # a lone backslash is literal (§3)
    assert glob_from_like("a*%_?[") == "a[*]*?[?][[]"
    assert contains_pattern("50%_\\X") == "%50\\%\\_\\\\x%"


def test_add_user_fields() -> None:
    t0 = datetime(2026, 1, 1, 23, 0, tzinfo=UTC)
    rows = [
        {"user_id": "a", "cost": 1.5, "prompt_tokens": 10, "completion_tokens": 5, "request_created_at": t0},
        {
            "user_id": "a",
            "cost": 4.0,
            "prompt_tokens": 1,
            "completion_tokens": 4,
            "request_created_at": t0 + timedelta(hours=2),
        },
        {"user_id": "a", "cost": None, "prompt_tokens": None, "completion_tokens": 0, "request_created_at": None},
        {"user_id": "", "cost": 0.25, "prompt_tokens": 1, "completion_tokens": 1, "request_created_at": t0},
        {"user_id": None, "cost": 9.0},
    ]
    out = add_user_fields(rows)
    a = out[0]
    assert a["user_total_requests"] == 3 and a["user_cost"] == 5.5
    assert a["user_active_for"] == 2  # two UTC days
    assert a["user_first_active"] == t0 and a["user_last_active"] == t0 + timedelta(hours=2)
    assert a["user_average_requests_per_day_active"] == 1.5
    assert a["user_total_prompt_tokens"] == 11 and a["user_total_completion_tokens"] == 9
    assert a["user_average_tokens_per_request"] == 20 / 3
    assert out[3]["user_user_id"] == "" and out[3]["user_total_requests"] == 1
    assert out[4]["user_total_requests"] is None  # NULL user id: no user
    node = branch(L("user_cost", "gt", 5), "and", L("cost", "lt", 2))
    assert [compile_predicate(node)(r) for r in out] == [True, False, False, False, False]


def test_repeated_and_shared_subtrees() -> None:
    x = L("model", "equals", "a")
    assert keeps(branch("all", "and", "all"), {})
    assert keeps(branch(x, "or", x), {"model": "a"}) and not keeps(branch(x, "and", x), {"model": "b"})
    shared = branch(x, "and", L("latency", "gt", 1))
    node = branch(shared, "or", branch(shared, "and", "all"))
    assert keeps(node, {"model": "a", "latency": 2}) and not keeps(node, {"model": "a", "latency": 0})


@pytest.mark.parametrize("bad", ["cost > 1", None, 5, "", ["all"]])
def test_non_nodes_are_refused_not_true(bad: object) -> None:
    from filterlang.errors import FilterTypeError
    from filterlang.evaluate import filter_rows

    with pytest.raises(FilterTypeError):
        compile_predicate(bad)  # type: ignore[arg-type]
    with pytest.raises(FilterTypeError):
        filter_rows(bad, [{"model": "y"}])  # type: ignore[arg-type]


def test_api_json_dict_is_read_as_a_node() -> None:
    from filterlang.evaluate import filter_rows

    node = {"request_response_rmt": {"model": {"equals": "x"}}}
    pred = compile_predicate(node)  # type: ignore[arg-type]
    assert pred({"model": "x"}) and not pred({"model": "y"})
    assert filter_rows(node, [{"model": "y"}, {"model": "x"}]) == [{"model": "x"}]  # type: ignore[arg-type]
