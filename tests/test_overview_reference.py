"""``filterlang.overview`` with the reference engine: semantics.md §4 end to end.

The expected answers come from the worked examples (real ClickHouse) and from a second,
independent pipeline written here with the oracles of test_histogram.py, so grouping,
cutting, bucketing and formatting are each checked against code that shares nothing
with the implementation but the JavaScript number formatter (tested on its own).
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from contract import validator
from hypothesis import given
from hypothesis import strategies as st
from test_histogram import brute_adaptive, brute_cut, brute_equal
from worked import BUCKETED, P75, P75_INTERQUARTILE, worked_rows

import filterlang
from filterlang.metrics import OverviewRequest, default_engine, overview, parse_request
from filterlang.metrics.jsnum import js_number_to_string
from filterlang.metrics.reference import cost_nanos, nanos_to_usd, reference_overview, user_measures
from filterlang.rowdata import RowDataError

RESULT_SCHEMA = "Result__request_count-HistogramRow-Array--user_cost-HistogramRow-Array_.string_"
P_SIZES = ["p50", "p75", "p95", "p99", "p99.9"]


def req(filter: Any = "all", p: str = "p95", iqr: bool = False) -> dict[str, Any]:
    return {"filter": filter, "pSize": p, "useInterquartile": iqr}


def rows_for(users: dict[Any, list[float | None]], **extra: Any) -> list[dict[str, Any]]:
    """One row per cost listed for each user."""
    return [{"user_id": u, "cost": c, **extra} for u, costs in users.items() for c in costs]


def tuples(result: dict[str, Any], measure: str) -> list[tuple[str, str, float]]:
    return [(r["range_start"], r["range_end"], r["value"]) for r in result["data"][measure]]


def assert_valid_result(result: dict[str, Any]) -> None:
    validator(RESULT_SCHEMA).validate(json.loads(json.dumps(result)))


# ------------------------------------------------------------------ worked examples


def test_worked_example_p75() -> None:
    import filterlang.metrics.histogram  # importing the subpackage never rebinds the function

    assert callable(filterlang.overview) and not isinstance(filterlang.overview, type(filterlang))
    res = filterlang.overview(req(p="p75"), worked_rows())
    assert res["error"] is None
    assert tuples(res, "request_count") == P75
    assert_valid_result(res)


def test_worked_example_p75_interquartile() -> None:
    res = overview(req(p="p75", iqr=True), worked_rows())
    assert tuples(res, "request_count") == P75_INTERQUARTILE
    # user_cost is request_count / 4 here, so the same shape scaled.
    assert tuples(res, "user_cost") == [
        ("0.75", "0.875", 1),
        ("0.875", "1.125", 1),
        ("1.125", "1.625", 1),
        ("1.625", "2", 1),
    ]


def test_worked_example_bucketing_through_overview() -> None:
    # Users with 1, 1, 1, 2, 5, 9 requests plus one with 1000, which p99.9 cuts
    # (Q(0.999) = 9 + 0.994·991 ≈ 994): the bucketing example of §4 remains.
    rows = rows_for({f"u{i}": [1.0] * n for i, n in enumerate([1, 1, 1, 2, 5, 9, 1000])})
    res = overview(req(p="p99.9"), rows)
    assert tuples(res, "request_count") == BUCKETED
    assert tuples(res, "user_cost") == tuples(res, "request_count")


# ------------------------------------------------------------------ edge cases


def test_zero_users() -> None:
    res = overview(req(), [])
    assert res == {"data": {"request_count": [], "user_cost": []}, "error": None}
    assert_valid_result(res)
    none_kept = overview(req({"request_response_rmt": {"model": {"equals": "nope"}}}), worked_rows())
    assert none_kept == res


@pytest.mark.parametrize("p", P_SIZES)
@pytest.mark.parametrize("iqr", [False, True])
@pytest.mark.parametrize("method", ["adaptive", "equal"])
def test_one_user(p: str, iqr: bool, method: str) -> None:
    res = overview(req(p=p, iqr=iqr), rows_for({"solo": [0.5, 0.25, 1.0]}), method=method)
    assert tuples(res, "request_count") == [("3", "3", 1)]
    assert tuples(res, "user_cost") == [("1.75", "1.75", 1)]


@pytest.mark.parametrize("method", ["adaptive", "equal"])
def test_all_equal_values(method: str) -> None:
    res = overview(req(p="p50", iqr=True), rows_for({f"u{i}": [0.1, 0.2] for i in range(50)}), method=method)
    assert tuples(res, "request_count") == [("2", "2", 50)]
    # summed exactly in nano-USD: 0.1 + 0.2 is 0.3, not the float sum 0.30000000000000004
    assert tuples(res, "user_cost") == [("0.3", "0.3", 50)]


def test_empty_and_null_user_ids_are_users() -> None:
    rows = rows_for({"": [1.0], None: [1.0, 1.0], "x": [1.0, 1.0, 1.0]})
    counts, costs = user_measures(rows)
    assert counts == [1.0, 2.0, 3.0]  # "", NULL and "x" are three users
    assert costs == [1.0, 2.0, 3.0]


def test_null_cost_is_skipped_and_all_null_is_zero() -> None:
    rows = rows_for({"a": [None, None], "b": [None, 2.5], "c": [1.0]})
    counts, costs = user_measures(rows)
    assert counts == [1.0, 2.0, 2.0]
    assert costs == [0.0, 1.0, 2.5]


def test_cost_sum_is_correctly_rounded() -> None:
    rows = rows_for({"a": [0.1] * 10, "b": [1e9, 1e-7, -1e9]})
    _, costs = user_measures(rows)
    # exact nano-USD sums, not left-to-right float addition (0.9999999999999999, 1.1920928955078125e-07)
    assert costs == [1e-7, 1.0]


def test_streams_a_generator() -> None:
    gen = ({"user_id": f"u{i % 7}", "cost": 0.5} for i in range(700))
    res = overview(req(p="p99.9"), gen)
    assert tuples(res, "request_count") == [("100", "100", 7)]


# ------------------------------------------------------------------ against an independent pipeline


def brute_overview(rows: list[dict[str, Any]], keep: Any, p: str, iqr: bool, method: str) -> dict[str, Any]:
    counts: Counter[Any] = Counter()
    costs: defaultdict[Any, list[float]] = defaultdict(list)
    for r in rows:
        if keep(r):
            counts[r.get("user_id")] += 1
            if r.get("cost") is not None:
                costs[r.get("user_id")].append(r["cost"])
    measures = {
        "request_count": [float(n) for n in counts.values()],
        # nano-USD per row (round half up), summed as ints, divided once (docs/overview.md)
        "user_cost": [float(sum(math.floor(c * 1e9 + 0.5) for c in costs[u])) / 1e9 for u in counts],
    }
    out = {}
    for name, values in measures.items():
        kept = brute_cut(values, p, iqr)
        bins = brute_adaptive(kept) if method == "adaptive" else brute_equal(kept)
        out[name] = [
            {"range_start": js_number_to_string(lo), "range_end": js_number_to_string(hi), "value": h}
            for lo, hi, h in bins
        ]
    return out


T0 = datetime(2026, 11, 1, tzinfo=UTC)
MODELS = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "o1"]

user_ids = st.one_of(st.sampled_from(["", "alice", "bob", "carol", "dave"]), st.none(), st.text(max_size=3))
costs = st.one_of(
    st.none(),
    st.sampled_from([0.0, 0.1, 0.2, 0.3, 1e-7, 2.15, 2.5]),
    st.floats(min_value=0, max_value=50, allow_nan=False, allow_subnormal=False),
)


@st.composite
def datasets(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "user_id": user_ids,
                    "cost": costs,
                    "model": st.sampled_from(MODELS),
                    "status": st.sampled_from([200, 200, 200, 429, 500]),
                    "prompt_tokens": st.integers(0, 5000),
                    "completion_tokens": st.integers(0, 2000),
                    "request_created_at": st.integers(0, 30 * 24 * 3600 * 1000).map(
                        lambda ms: T0 + timedelta(milliseconds=ms)
                    ),
                }
            ),
            max_size=120,
        )
    )
    # Some heavy users, so the histograms have runs and compressions to do.
    for i in range(draw(st.integers(0, 3))):
        rows += [{**r, "user_id": f"heavy{i}"} for r in rows[: draw(st.integers(0, 60))]]
    return rows


FILTERS: list[tuple[Any, Any]] = [
    ("all", lambda r: True),
    ({}, lambda r: True),
    ({"request_response_rmt": {"model": {"like": "gpt%"}}}, lambda r: r["model"].startswith("gpt")),
    (
        {"request_response_rmt": {"status": {"equals": 200}, "cost": {"gt": 0.1}}},
        lambda r: r["status"] == 200 and r["cost"] is not None and r["cost"] > 0.1,
    ),
    (
        {
            "left": {"request_response_rmt": {"model": {"equals": "o1"}}},
            "operator": "or",
            "right": {"request_response_rmt": {"cost": {"lte": 0.2}}},
        },
        lambda r: r["model"] == "o1" or (r["cost"] is not None and r["cost"] <= 0.2),
    ),
    ({"request_response_rmt": {"user_id": {"not-equals": ""}}}, lambda r: r["user_id"] not in ("", None)),
]


@given(
    datasets(),
    st.sampled_from(range(len(FILTERS))),
    st.sampled_from(P_SIZES),
    st.booleans(),
    st.sampled_from(["adaptive", "equal"]),
)
def test_matches_independent_pipeline(rows: list[dict[str, Any]], f: int, p: str, iqr: bool, method: str) -> None:
    node_json, keep = FILTERS[f]
    res = overview(req(node_json, p, iqr), rows, method=method)
    assert res["error"] is None
    assert res["data"] == brute_overview(rows, keep, p, iqr, method)


def _user_totals(rows: list[dict[str, Any]]) -> dict[Any, float | None]:
    # users_view.user_cost is the exact nano-USD sum divided once (docs/sql.md, users_view)
    acc: defaultdict[Any, list[int]] = defaultdict(list)
    seen = set()
    for r in rows:
        seen.add(r["user_id"])
        if r["cost"] is not None:
            acc[r["user_id"]].append(cost_nanos(r["cost"]))
    return {u: (nanos_to_usd(sum(acc[u])) if acc[u] else None) for u in seen}


@given(datasets(), st.sampled_from([0.0, 0.3, 1.0, 5.0]), st.sampled_from(P_SIZES), st.booleans())
def test_users_view_filter(rows: list[dict[str, Any]], threshold: float, p: str, iqr: bool) -> None:
    # semantics.md §3: users_view values come from *all* rows of the user; the filter then
    # keeps request rows. `user_cost > t and model ~ "gpt%"`, and an OR across both tables.
    totals = _user_totals(rows)

    def rich(r: dict[str, Any]) -> bool:
        t = totals.get(r["user_id"]) if r["user_id"] is not None else None
        return t is not None and t > threshold

    and_json = {
        "left": {"users_view": {"user_cost": {"gt": threshold}}},
        "operator": "and",
        "right": {"request_response_rmt": {"model": {"like": "gpt%"}}},
    }
    or_json = {**and_json, "operator": "or"}
    got_and = overview(req(and_json, p, iqr), rows)
    assert got_and["data"] == brute_overview(
        rows, lambda r: rich(r) and r["model"].startswith("gpt"), p, iqr, "adaptive"
    )
    got_or = overview(req(or_json, p, iqr), iter(rows))  # a one-shot iterator is materialised once
    assert got_or["data"] == brute_overview(rows, lambda r: rich(r) or r["model"].startswith("gpt"), p, iqr, "adaptive")


# ------------------------------------------------------------------ requests and errors

BAD_REQUESTS: list[tuple[Any, str]] = [
    ({"filter": "all", "pSize": "p90", "useInterquartile": False}, "$.pSize"),
    ({"filter": "all", "pSize": "p95"}, "missing: useInterquartile"),
    ({"filter": "all", "pSize": "p95", "useInterquartile": "yes"}, "$.useInterquartile"),
    ({"filter": "all", "pSize": "p95", "useInterquartile": False, "limit": 3}, 'unknown key "limit"'),
    (
        {"filter": {"request_response_rmt": {"modle": {"equals": "x"}}}, "pSize": "p95", "useInterquartile": False},
        "$.filter.request_response_rmt.modle",
    ),
    (
        {
            "filter": {"left": "all", "operator": "and", "right": {"users_view": {"user_cost": {"gt": "5"}}}},
            "pSize": "p95",
            "useInterquartile": False,
        },
        "$.filter.right.users_view.user_cost.gt",
    ),
    ({"filter": 'model = "x"', "pSize": "p95", "useInterquartile": False}, "$.filter"),
    ({"filter": None, "pSize": "p95", "useInterquartile": False}, "$.filter"),
    ([1, 2], "JSON object"),
    ("{not json", "not valid JSON"),
]


@pytest.mark.parametrize(("body", "where"), BAD_REQUESTS)
def test_bad_request_is_an_error_result(body: Any, where: str) -> None:
    res = overview(body, worked_rows())
    assert res["data"] is None
    assert where in res["error"]
    assert_valid_result(res)


def test_error_messages_suggest() -> None:
    res = overview(req({"request_response_rmt": {"modle": {"equals": "x"}}}), [])
    assert "did you mean `model`?" in res["error"]
    res = overview({"filter": "all", "pSize": "p95", "useInterQuartile": True}, [])
    assert "useInterquartile" in res["error"]


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
        lambda ch: st.lists(ch, max_size=3) | st.dictionaries(st.text(max_size=8), ch, max_size=3),
        max_leaves=12,
    ),
    st.sampled_from([*P_SIZES, "p1", 5]),
    st.one_of(st.booleans(), st.none()),
)
def test_fuzzed_requests_never_raise(filter: Any, p: Any, iqr: Any) -> None:
    res = overview({"filter": filter, "pSize": p, "useInterquartile": iqr}, worked_rows())
    assert (res["data"] is None) != (res["error"] is None)
    assert_valid_result(res)


def test_request_forms() -> None:
    body = req({"request_response_rmt": {"model": {"like": "gpt%"}}}, "p75", True)
    by_dict = overview(body, worked_rows())
    assert overview(json.dumps(body), worked_rows()) == by_dict
    assert overview(json.dumps(body).encode(), worked_rows()) == by_dict
    r = OverviewRequest.from_dsl('model ~ "gpt%"', "p75", True)
    assert overview(r, worked_rows()) == by_dict
    assert parse_request(body).to_json() == body
    assert parse_request(body).levels == (0.75, 0.25)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="method"):
        overview(req(), [], method="quantile")
    with pytest.raises(ValueError, match="bins"):
        overview(req(), [], bins=0)
    with pytest.raises(ValueError, match="bins"):
        overview(req(), [], bins=251)  # ClickHouse's histogram() limit, kept for every engine
    with pytest.raises(ValueError, match="engine"):
        overview(req(), [], engine="sqlite")


def test_bins_option() -> None:
    rows = rows_for({f"u{i}": [1.0] * (i + 1) for i in range(30)})
    data = overview(req(p="p99.9"), rows, bins=3)["data"]
    assert len(data["request_count"]) == 3
    data = overview(req(p="p99.9"), rows, method="equal", bins=4)["data"]
    assert [r["value"] for r in data["request_count"]] == [
        7,
        7,
        7,
        8,
    ]  # 1..29 (30 cut): widths of 7, the max in the last


def test_default_engine() -> None:
    assert default_engine([]) == "reference"
    assert default_engine(iter([])) == "reference"
    assert default_engine("requests.parquet") == "duckdb"
    assert default_engine(Path("requests.parquet")) == "duckdb"
    pa = pytest.importorskip("pyarrow")
    assert default_engine(pa.table({"user_id": ["a"]})) == "duckdb"


# ------------------------------------------------------------------ scale


@pytest.mark.slow
def test_million_rows() -> None:
    import random

    rng = random.Random(1)
    n_users = 50_000
    weights = [1 / (i + 1) ** 1.1 for i in range(n_users)]
    users = rng.choices(range(n_users), weights, k=1_000_000)
    node = filterlang.from_json({"request_response_rmt": {"status": {"equals": 200}}})

    def rows() -> Any:
        for i, u in enumerate(users):
            yield {"user_id": f"user-{u}", "cost": (u % 97) * 1e-4 + 1e-6, "status": 200 if i % 10 else 500}

    t = time.perf_counter()
    data = reference_overview(rows(), node, "p95", False)
    elapsed = time.perf_counter() - t
    assert math.isclose(sum(r["value"] for r in data["request_count"]), len(set(users)) * 0.95, rel_tol=0.05)
    assert elapsed < 60, elapsed


# ------------------------------------------------------------------ issue 9: bad data and row spellings

# (cost of user x's only row, user x's user_cost, or the words of the error)
COSTS: list[tuple[Any, float | list[str]]] = [
    (None, 0.0),
    (math.nan, 0.0),  # NaN counts as 0 (semantics.md §4)
    (Decimal("0.1"), 0.1),
    (9.2e9, 9.2e9),  # $9.2 billion still has a 64-bit nano-USD value
    (math.inf, ["cost", "inf", "nano-USD"]),
    (-math.inf, ["cost", "-inf", "nano-USD"]),
    (1.5e300, ["cost", "1.5e+300", "nano-USD"]),  # was OverflowError
    (9.3e9, ["cost", "9300000000.0", "nano-USD"]),
    (-9.3e9, ["cost", "nano-USD"]),
    ("1.5", ["'cost'", "str"]),  # a text cost is refused, never read as a number
    (True, ["'cost'", "bool"]),
]


@pytest.mark.parametrize(("cost", "want"), COSTS)
def test_cost_values(cost: Any, want: float | list[str]) -> None:
    rows = [{"user_id": "x", "cost": cost}, {"user_id": "y", "cost": 1000.5}]
    if isinstance(want, float):
        assert user_measures(rows)[1] == sorted([want, 1000.5])
        return
    with pytest.raises(RowDataError) as info:
        overview(req(), rows)
    assert all(w in str(info.value) for w in want), str(info.value)
    assert str(info.value).startswith("row 1: ")


# (filter, rows, words of the error): mistyped columns are named, never converted
MISTYPED_ROWS: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    ("cached = true", [{"user_id": "a", "cached": "false"}], ["'cached'", "str", "'false'"]),
    ("status = 200", [{"user_id": "a", "status": 200.5}], ["'status'", "float", "200.5"]),
    ("status > 0", [{"user_id": "a", "status": 200}, {"user_id": "a", "status": "500"}], ["row 2", "'status'", "str"]),
    ("all", [{"user_id": 5, "cost": 1.0}], ["'user_id'", "int"]),
    ('model = "a"', [{"user_id": "a", "model": ["a"]}], ["'model'", "list"]),
    ("user_cost > 1", [{"user_id": "a", "cost": "2"}], ["'cost'", "str"]),
    ("user_total_prompt_tokens > 1", [{"user_id": "a", "prompt_tokens": 1.5}], ["'prompt_tokens'", "float"]),
    ("user_active_for > 1", [{"user_id": "a", "request_created_at": 1767225600}], ["'request_created_at'", "int"]),
    ('properties["k"] = "v"', [{"user_id": "a", "properties": "k=v"}], ["'properties'", "map"]),
]


@pytest.mark.parametrize(("dsl", "rows", "words"), MISTYPED_ROWS)
def test_mistyped_columns_are_a_clear_error(dsl: str, rows: list[dict[str, Any]], words: list[str]) -> None:
    body = req() if dsl == "all" else OverviewRequest.from_dsl(dsl)
    with pytest.raises(RowDataError) as info:
        overview(body, rows)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_users_view_sums_are_exact_beyond_64_bits() -> None:
    rows = [{"user_id": "a", "prompt_tokens": 2**62, "completion_tokens": 1} for _ in range(2)]
    rows.append({"user_id": "a", "cost": math.nan})
    body = OverviewRequest.from_dsl("user_total_prompt_tokens > 9223372036854775807 and user_cost = 0")
    assert tuples(overview(body, rows), "request_count") == [("3", "3", 1)]


def test_sample_rows_as_jsonl_and_pyarrow_give_the_engines_answer(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    from filterlang.sample import generate, write

    table = generate(400, seed=3)
    path = write(table, tmp_path / "s.jsonl")
    json_rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert isinstance(json_rows[0]["request_created_at"], str) and " " in json_rows[0]["request_created_at"]
    arrow_rows = table.to_pylist()
    assert isinstance(arrow_rows[0]["properties"], list)
    dsl = (
        'request_created_at >= "2026-01-15T00:00:00Z" and (properties["environment"] = "production" '
        'or property_key = "session") or user_total_requests > 3 and cost > 0.001'
    )
    body = OverviewRequest.from_dsl(dsl, "p99")
    want = overview(body, table, engine="duckdb")
    assert want["error"] is None and want["data"]["request_count"]
    assert overview(body, json_rows) == want
    assert overview(body, arrow_rows) == want


@pytest.mark.parametrize("bad", [{1, 2}, b"p95", object(), float("nan"), [["p95"]]])
def test_non_json_options_are_an_error_result(bad: Any) -> None:
    for key in ("pSize", "useInterquartile"):
        body = {**req(), key: bad}
        res = overview(body, [])
        assert res["data"] is None and key in res["error"], res
