"""``filterlang.check``: upstream failures (semantics.md §7), parts that never match, coercions.

Tables of one-line cases: a filter (DSL text or JSON) and the warnings it must give,
as (kind, JSON path, a word of the message). The never-matches analysis must never
be wrong: a property test checks that whenever a row passes a filter, ``check`` does
not call that filter impossible.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import filterlang
from filterlang import check, compile_predicate, from_json
from filterlang.compat import COERCED, NEVER_MATCHES, UPSTREAM, CheckWarning, never_matches
from filterlang.nodes import Condition, balanced, make_leaf

RR = "request_response_rmt"
UUID = "0b5c3a2e-9a9e-4e8e-8f3b-1f2a3b4c5d6e"

Expected = list[tuple[str, str, str]]  # (kind, path, word of the message)


def found(source: Any, **kw: Any) -> Expected:
    return [(w.kind, w.path, w.message) for w in check(source, **kw)]


def assert_warnings(source: Any, expected: Expected, **kw: Any) -> None:
    got = found(source, **kw)
    assert len(got) == len(expected), got
    for (kind, path, message), (want_kind, want_path, word) in zip(got, expected, strict=True):
        assert (kind, path) == (want_kind, want_path), got
        assert word in message, message


# semantics.md §7: valid filters upstream's builder or engine fails on.
UPSTREAM_FAILS: list[tuple[Any, Expected]] = [
    ({RR: {}}, [(UPSTREAM, "$.request_response_rmt", "Invalid operator")]),
    ({"users_view": {}}, [(UPSTREAM, "$.users_view", "Invalid operator"), (UPSTREAM, "$.users_view", "dropped")]),
    ({RR: {"model": {}}}, [(UPSTREAM, "$.request_response_rmt.model", "Invalid operator")]),
    ({RR: {"properties": {}}}, [(UPSTREAM, "$.request_response_rmt.properties", "Invalid operator")]),
    ({RR: {"properties": {"k": {}}}}, [(UPSTREAM, "$.request_response_rmt.properties.k", "Invalid operator")]),
    (
        'search_properties.env = "prod"',
        [(UPSTREAM, "$.request_response_rmt.search_properties.env.equals", "ARRAY JOIN")],
    ),
    ('assets contains "img"', [(UPSTREAM, "$.request_response_rmt.assets.contains", "asset_ids")]),
    ('node_id = "n1"', [(UPSTREAM, "$.request_response_rmt.node_id.equals", "no node_id column")]),
    ('job_id != "j"', [(UPSTREAM, "$.request_response_rmt.job_id.not-equals", "no job_id column")]),
    ("total_tokens > 10", [(UPSTREAM, "$.request_response_rmt.total_tokens.gt", "no total_tokens column")]),
    ('request_id ~ "0b5c%"', [(UPSTREAM, "$.request_response_rmt.request_id.like", "UUID")]),
    ('organization_id contains "abc"', [(UPSTREAM, "$.request_response_rmt.organization_id.contains", "UUID")]),
    ('request_id = "r-1"', [(UPSTREAM, "$.request_response_rmt.request_id.equals", "not a UUID")]),
    (f'request_id = "{UUID}"', []),
    ("organization_id is null", []),
    ('scores_column = "x"', [(UPSTREAM, "$.request_response_rmt.scores_column.equals", "Map")]),
    # siblings from §3: texts upstream turns into failing SQL
    (
        {RR: {"model": {"not-equals": "__empty__"}}},
        [(UPSTREAM, "$.request_response_rmt.model.not-equals", "invalid SQL")],
    ),
    ({RR: {"model": {"contains": "null"}}}, [(UPSTREAM, "$.request_response_rmt.model.contains", "engine error")]),
    ({RR: {"model": {"like": "__empty__"}}}, [(UPSTREAM, "$.request_response_rmt.model.like", "matches no row")]),
    ('scores.quality contains "5"', [(UPSTREAM, "$.request_response_rmt.scores.quality.contains", "Int64")]),
    ({RR: {"model": {"like": "a\\"}}}, [(UPSTREAM, "$.request_response_rmt.model.like", "lone backslash")]),
    ({RR: {"model": {"like": "a\\\\"}}}, []),
    ("latency > 3000000000", [(UPSTREAM, "$.request_response_rmt.latency.gt", "Int32")]),
    ("status != -2147483648", []),
    ("cost > 2.5", [(UPSTREAM, "$.request_response_rmt.cost.gt", "Int32")]),
    ("user_total_requests > 3000000000", [(UPSTREAM, "$.users_view", "dropped")]),
    (
        'request_created_at > "2026-01-01T00:00:00.250Z"',
        [(UPSTREAM, "$.request_response_rmt.request_created_at.gt", "seconds")],
    ),
    ('model contains "50%"', [(UPSTREAM, "$.request_response_rmt.model.contains", "wildcards")]),
    ('model = "gpt-4o" and status = 200', []),
]


@pytest.mark.parametrize(("source", "expected"), UPSTREAM_FAILS)
def test_check_warns_where_upstream_fails(source: Any, expected: Expected) -> None:
    assert_warnings(source, expected)


def test_users_view_warning_only_for_the_overview() -> None:
    assert found("user_cost > 1", overview=False) == []


# Filters (or parts) that no row satisfies; and near misses that must stay silent.
NEVER: list[tuple[str, Expected]] = [
    ("latency between 500 and 100", [(NEVER_MATCHES, "$", "`latency >= 500` and `latency <= 100`")]),
    ('model = "a" and model = "b"', [(NEVER_MATCHES, "$", '`model = "a"` and `model = "b"`')]),
    ("status > 5 and status < 5", [(NEVER_MATCHES, "$", "never")]),
    ("status > 5 and status <= 5", [(NEVER_MATCHES, "$", "never")]),
    ("status = 5 and status != 5.0", [(NEVER_MATCHES, "$", "never")]),
    ("status = 7 and status < 5", [(NEVER_MATCHES, "$", "never")]),
    ("latency > 9007199254740992.0 and latency < 9007199254740993", []),  # exact: 2^53 + 0.5 is between
    ("latency > 9007199254740993 and latency < 9007199254740992.0", [(NEVER_MATCHES, "$", "never")]),
    ('model is null and model ~ "a%"', [(NEVER_MATCHES, "$", "never")]),
    ("model is null and model is not null", [(NEVER_MATCHES, "$", "never")]),
    ('model = "gpt" and model contains "x"', [(NEVER_MATCHES, "$", "never")]),
    ('model = "GPT" and model contains "gp"', []),  # contains folds ASCII case
    ('model contains "abc" and not model contains "B"', [(NEVER_MATCHES, "$", "never")]),
    ('properties.env = "a" and properties.env = "b"', [(NEVER_MATCHES, "$", "never")]),
    ('properties.env = "a" and properties.app = "b"', []),
    ('scores.q = "5" and scores.q = "05"', []),  # integer texts compare as integers
    ('scores.q = "5" and scores.q = "6"', [(NEVER_MATCHES, "$", "never")]),
    ('scores.q = "five"', [(NEVER_MATCHES, "$.request_response_rmt.scores.q.equals", "integers")]),
    ("latency = 2.5", [(NEVER_MATCHES, "$.request_response_rmt.latency.equals", "64-bit integers")]),
    ("latency = 2.0 and status != 2.5", []),
    ("cost = 2.5 and user_cost = 0.1", []),  # doubles
    ("threat = true and threat = false", [(NEVER_MATCHES, "$", "never")]),
    (
        'request_created_at >= "2026-02-01T00:00:00Z" and request_created_at < "2026-02-01T00:00:00Z"',
        [(NEVER_MATCHES, "$", "never")],
    ),
    # both truncate to the same millisecond
    ('request_created_at = "2026-02-01T00:00:00.0001Z" and request_created_at = "2026-02-01T00:00:00.0009Z"', []),
    ("user_cost > 10 and user_cost < 1", [(NEVER_MATCHES, "$", "never")]),
    # only conditions that must hold together count
    ('model = "a" and (model = "b" or status = 1)', []),
    ('model = "a" or model = "b"', []),
    ('(model = "a" and model = "b") or status = 1', [(NEVER_MATCHES, "$.left", "never")]),
    ('status = 1 and (model = "a" and latency > 3 and model = "b")', [(NEVER_MATCHES, "$", "never")]),
    ('model ~ "a%" and model ~ "b%"', []),  # undecided: silent
    ('model = "gpt-4o" and model ~ "claude%"', [(NEVER_MATCHES, "$", "never")]),
    ('model = "GPT-4o" and model ~* "gpt%"', []),  # ilike folds ASCII case
    ('model = "GPT-4o" and model ~ "gpt%"', [(NEVER_MATCHES, "$", "never")]),
    ('properties.env = "prod" and properties.env ~ "p_od"', []),
    ('scores.q = "12" and scores.q ~ "2%"', [(NEVER_MATCHES, "$", "never")]),
]


@pytest.mark.parametrize(("source", "expected"), NEVER)
def test_check_reports_parts_that_never_match(source: str, expected: Expected) -> None:
    got = [(w.kind, w.path, w.message) for w in never_matches(filterlang.parse(source))]
    assert [(k, p) for k, p, _ in got] == [(k, p) for k, p, _ in expected]
    assert all(word in message for (_, _, message), (_, _, word) in zip(got, expected, strict=True))
    assert [w for w in check(source) if w.kind == NEVER_MATCHES] == never_matches(filterlang.parse(source))


def test_a_leaf_with_contradicting_operators_never_matches() -> None:
    doc = {RR: {"latency": {"gte": 500, "lte": 100}}}
    assert found(doc) == [
        (UPSTREAM, "$", "2 operators on `latency` in one leaf: upstream keeps only the first"),
        (NEVER_MATCHES, "$", "`latency >= 500` and `latency <= 100` can never both hold, so this part never matches"),
    ]


COERCIONS: list[tuple[Any, Expected]] = [
    ({RR: {"status": {"equals": "200"}}}, [(COERCED, "$.request_response_rmt.status.equals", '"200" was read as 200')]),
    (
        '{"request_response_rmt": {"cached": {"equals": "true"}}}',
        [(COERCED, "$.request_response_rmt.cached.equals", "true")],
    ),
    (
        {"left": {RR: {"latency": {"gt": "500"}}}, "operator": "and", "right": {RR: {"latency": {"lt": "100"}}}},
        [
            (COERCED, "$.left.request_response_rmt.latency.gt", "500"),
            (COERCED, "$.right.request_response_rmt.latency.lt", "100"),
            (NEVER_MATCHES, "$", "never"),
        ],
    ),
    ({RR: {"model": {"equals": "200"}}}, []),
]


@pytest.mark.parametrize(("source", "expected"), COERCIONS)
def test_check_with_coerce_warns_at_every_converted_value(source: Any, expected: Expected) -> None:
    assert_warnings(source, expected, coerce=True)
    with pytest.raises(filterlang.FilterSchemaError) if expected and expected[0][0] == COERCED else _nothing():
        check(source)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_check_takes_nodes_json_text_and_dsl_alike() -> None:
    text = "latency between 500 and 100"
    node = filterlang.parse(text)
    json_text = '{"request_response_rmt": {"latency": {"gte": 500, "lte": 100}}}'
    assert check(node) == check(text)
    assert [w.kind for w in check(json_text)] == [UPSTREAM, NEVER_MATCHES]
    assert str(CheckWarning("$", "m")) == "$: m"


def test_check_is_iterative_on_deep_trees() -> None:
    node = filterlang.parse('model = "a"')
    leaf = filterlang.parse("status = 1")
    for i in range(5_000):
        node = filterlang.nodes.branch(node, "or" if i % 2 else "and", leaf)
    assert never_matches(node) == []
    assert check(node) == []
    node = filterlang.nodes.branch(node, "and", filterlang.parse('model = "b" and model = "c"'))
    assert [w.path for w in check(node)] == ["$"]


# ---------------------------------------------------------------- soundness

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NUMBERS = [-1, 0, 0.5, 1, 2, 2.5, 3]


def _evaluator_follows(doc: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether the native evaluator already keeps ``row`` for ``doc`` as semantics.md §3 says."""
    return compile_predicate(from_json(doc))(row)


# Values whose §3 meaning (issue 9) the evaluator gained on another branch: used once it has.
_EMPTY = ["__empty__"] if _evaluator_follows({RR: {"model": {"equals": "__empty__"}}}, {"model": ""}) else []
_INT_TEXT = ["01"] if _evaluator_follows({RR: {"scores": {"k": {"equals": "01"}}}}, {"scores": {"k": 1}}) else []
TEXTS = ["", "a", "A", "ab", "b", "null", "a%", "%B", "_b", "\\%", *_EMPTY]
STAMPS = ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.001Z", "2026-01-01T00:00:01Z"]
OPS = {
    "latency": (["equals", "not-equals", "gt", "gte", "lt", "lte"], NUMBERS),
    "cost": (["equals", "not-equals", "gt", "gte", "lt", "lte"], NUMBERS),
    "model": (["equals", "not-equals", "contains", "not-contains", "like", "ilike"], TEXTS),
    "threat": (["equals"], [True, False]),
    "request_created_at": (["equals", "gt", "gte", "lt", "lte"], STAMPS),
    "properties": (["equals", "not-equals", "contains", "not-contains", "like", "ilike"], TEXTS),
    "scores": (["equals", "not-equals", "like", "contains"], ["1", *_INT_TEXT, "2", "x", "1%"]),
}
ROW_VALUES: dict[str, list[Any]] = {
    "latency": [None, -1, 0, 1, 2, 3],  # an integer column (semantics.md §8)
    "cost": [None, *NUMBERS, 1.5],
    "model": [None, *TEXTS, "abc", "%"],
    "threat": [None, True, False],
    "request_created_at": [
        None,
        T0,
        datetime(2026, 1, 1, 0, 0, 0, 1000, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC),
    ],
    "properties": [None, {}, {"k": ""}, {"k": "a"}, {"k": "ab"}, {"k": "null"}, {"k": "a%"}, {"k": "%"}],
    "scores": [None, {}, {"k": 1}, {"k": 2}, {"k": 12}],
}


@st.composite
def and_groups(draw: st.DrawFn) -> tuple[str, list[Condition]]:
    field = draw(st.sampled_from(sorted(OPS)))
    ops, values = OPS[field]
    key = "k" if field in ("properties", "scores") else None
    conds = [
        Condition(field, draw(st.sampled_from(ops)), draw(st.sampled_from(values)), key)
        for _ in range(draw(st.integers(2, 4)))
    ]
    return field, conds


@settings(max_examples=300, deadline=None)
@given(and_groups())
def test_never_matches_is_never_wrong(group: tuple[str, list[Condition]]) -> None:
    field, conds = group
    node = balanced("and", [make_leaf(c) for c in conds])
    keep = compile_predicate(node)
    if any(keep({field: v}) for v in ROW_VALUES[field]):
        assert never_matches(node) == [], (filterlang.to_dsl(node), [v for v in ROW_VALUES[field] if keep({field: v})])


def test_from_json_of_check_input_is_unchanged() -> None:
    doc = {RR: {"latency": {"gte": 500, "lte": 100}}}
    check(doc)
    assert filterlang.to_json(from_json(doc)) == doc
