"""The SQL engines (DuckDB, chDB) against the reference overview: same answer, every case.

"Same" means the contract's tolerance: equal bin counts, edges and heights equal to 1e-9
relative (user_cost itself is exact: every engine sums integer nano-USD).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import rows as rowgen
from hypothesis import given, settings
from hypothesis import strategies as st
from worked import P75, P75_INTERQUARTILE, WORKED, worked_rows

from filterlang.metrics import overview
from filterlang.metrics.engines import clickhouse_query, needed_columns
from filterlang.metrics.histogram import P_LEVELS, adaptive_histogram, quantile
from filterlang.metrics.request import parse_request
from filterlang.metrics.sources import table_from_rows
from filterlang.metrics.sql import overview_sql
from filterlang.nodes import ALL, Node
from filterlang.sql.layout import FLAT_COLUMNS

pytest.importorskip("duckdb")
pytest.importorskip("chdb")

ENGINES = ["duckdb", "chdb"]
P_SIZES = list(P_LEVELS)
METHODS = ["adaptive", "equal"]


def req(filter: Any = "all", p: str = "p95", iqr: bool = False) -> dict[str, Any]:
    return {"filter": filter, "pSize": p, "useInterquartile": iqr}


def close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-300)


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert got["error"] == want["error"]
    if want["data"] is None:
        assert got["data"] is None
        return
    for m in ("request_count", "user_cost"):
        g, w = got["data"][m], want["data"][m]
        assert len(g) == len(w), (m, g, w)
        for gr, wr in zip(g, w, strict=True):
            for k in ("range_start", "range_end"):
                assert close(float(gr[k]), float(wr[k])), (m, k, gr, wr)
            assert close(float(gr["value"]), float(wr["value"])), (m, gr, wr)


def run_all(rows: list[dict[str, Any]], request: dict[str, Any], method: str = "adaptive", bins: int = 10) -> None:
    want = overview(request, rows, engine="reference", method=method, bins=bins)
    columns = list(FLAT_COLUMNS) if rows and len(rows[0]) > 3 else None if rows else ["user_id", "cost"]
    table = table_from_rows(rows, columns=columns)
    for eng in ENGINES:
        got = overview(request, table, engine=eng, method=method, bins=bins)
        assert_same(got, want)


# ------------------------------------------------------------------ worked examples (semantics §4)


def worked_table() -> Any:
    return table_from_rows(worked_rows())


def rc(result: dict[str, Any]) -> list[tuple[str, str, float]]:
    return [(r["range_start"], r["range_end"], r["value"]) for r in result["data"]["request_count"]]


@pytest.mark.parametrize("engine", ENGINES)
def test_worked_example_p75(engine: str) -> None:
    r = overview(req("all", "p75"), worked_table(), engine=engine)
    assert rc(r) == P75


@pytest.mark.parametrize("engine", ENGINES)
def test_worked_example_p75_interquartile(engine: str) -> None:
    r = overview(req("all", "p75", True), worked_table(), engine=engine)
    assert rc(r) == P75_INTERQUARTILE


def test_worked_bucketing_example_on_clickhouse() -> None:
    import chdb

    out = chdb.query("SELECT arrayReduce('histogram(10)', [1., 1, 1, 2, 5, 9]) AS h", "ArrowTable").to_pylist()
    bins = [(b["1"], b["2"], b["3"]) for b in out[0]["h"]]
    assert bins == [(1, 1.5, 2.75), (1.5, 3.5, 1.25), (3.5, 7, 1), (7, 9, 1)]
    assert bins == adaptive_histogram([1.0, 1, 1, 2, 5, 9])


@pytest.mark.parametrize("engine", ENGINES)
def test_filtered_worked_example(engine: str) -> None:
    rows = [
        {"user_id": u, "cost": 0.25, "model": "gpt-4o" if i % 2 else "claude"}
        for u, n in WORKED.items()
        for i in range(n)
    ]
    from filterlang import parse, to_json

    body = req(to_json(parse('model = "gpt-4o"')), "p99")
    assert_same(overview(body, table_from_rows(rows), engine=engine), overview(body, rows, engine="reference"))


# ------------------------------------------------------------------ edge cases


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("p", P_SIZES)
def test_edge_cases(p: str, method: str) -> None:
    cases: list[list[dict[str, Any]]] = [
        [{"user_id": "solo", "cost": 1.5}],  # one user
        [{"user_id": u, "cost": 0.5} for u in "abcdefg"],  # all values equal
        [{"user_id": u, "cost": c} for u, c in zip("aabbccdd", [1, 1, 2, 2, 2, 2, 5, 0.125], strict=True)],  # ties
        [{"user_id": "", "cost": 0.25}, {"user_id": "", "cost": 0.5}, {"user_id": "x", "cost": 0.75}],  # empty id
        [{"user_id": None, "cost": 0.25}, {"user_id": "", "cost": None}, {"user_id": "x", "cost": None}],  # NULLs
    ]
    for rows in cases:
        for iqr in (False, True):
            run_all(rows, req("all", p, iqr), method)


@pytest.mark.parametrize("engine", ENGINES)
def test_zero_users(engine: str) -> None:
    from filterlang import parse, to_json

    body = req(to_json(parse('model = "nope"')))
    for method in METHODS:
        r = overview(body, worked_table(), engine=engine, method=method)
        assert r == {"data": {"request_count": [], "user_cost": []}, "error": None}
    empty = table_from_rows([], columns=["user_id", "cost", "model"])
    assert overview(req(), empty, engine=engine)["data"] == {"request_count": [], "user_cost": []}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bins", [1, 3, 25])
def test_bin_counts(engine: str, bins: int) -> None:
    rows = [{"user_id": f"u{i % 37}", "cost": (i % 11) / 8} for i in range(400)]
    for method in METHODS:
        want = overview(req("all", "p99.9"), rows, engine="reference", method=method, bins=bins)
        assert_same(overview(req("all", "p99.9"), table_from_rows(rows), engine=engine, method=method, bins=bins), want)


def test_bad_request_is_an_error_result() -> None:
    for engine in ENGINES:
        r = overview({"filter": "all", "pSize": "p96", "useInterquartile": False}, worked_table(), engine=engine)
        assert r["data"] is None and "pSize" in r["error"]


# ------------------------------------------------------------------ differential (hypothesis)


@st.composite
def overview_cases(draw: st.DrawFn) -> tuple[list[dict[str, Any]], Node]:
    data = draw(rowgen.rows(nul=False, min_size=0, max_size=24))
    node: Node = draw(st.one_of(st.just(ALL), rowgen.filters(data, nul=False))) if data else ALL
    return data, node


@settings(max_examples=60)
@given(overview_cases(), st.sampled_from(P_SIZES), st.booleans(), st.sampled_from(METHODS))
def test_engines_match_reference(case: tuple[list[dict[str, Any]], Node], p: str, iqr: bool, method: str) -> None:
    from filterlang import to_json

    data, node = case
    body = req(to_json(node), p, iqr)
    want = overview(body, data, engine="reference", method=method)
    table = table_from_rows(data, columns=list(FLAT_COLUMNS))
    for eng in ENGINES:
        assert_same(overview(body, table, engine=eng, method=method), want)


@settings(max_examples=40)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "", "e", "f", "g", "h"]), st.integers(0, 64)), max_size=60),
    st.sampled_from(P_SIZES),
    st.booleans(),
    st.sampled_from(METHODS),
    st.integers(1, 12),
)
def test_measures_match_reference(pairs: list[tuple[str, int]], p: str, iqr: bool, method: str, bins: int) -> None:
    """Many ties and small integer-ish costs: the cut and the merge order are stressed."""
    rows = [{"user_id": u, "cost": k / 16} for u, k in pairs]
    run_all(rows, req("all", p, iqr), method, bins)


@settings(max_examples=60)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40),
    st.sampled_from([0.5, 0.75, 0.95, 0.99, 0.999, 0.25, 0.05, 0.01, 0.001]),
)
def test_sql_quantile_is_the_contract_formula(values: list[float], q: float) -> None:
    """The bounds the ClickHouse statement computes are bit-identical to the reference's Q(q)."""
    import chdb
    from sqlglot import exp

    from filterlang.metrics.sql import quantile as sql_quantile

    arr = "arraySort([" + ", ".join(f"toFloat64({v!r})" for v in values) + "])"
    expr = sql_quantile("clickhouse", exp.column("a"), q).sql("clickhouse")
    got = chdb.query(f"SELECT {expr} AS q FROM (SELECT {arr} AS a)", "ArrowTable").to_pylist()[0]["q"]
    assert got == quantile(sorted(values), q)


@pytest.mark.parametrize("field", ["user_average_requests_per_day_active", "user_average_tokens_per_request"])
def test_users_view_with_nulls(field: str) -> None:
    """A user without timestamps or tokens has NULL averages (ClickHouse needs Nullable casts)."""
    rows = [{"user_id": "a", "cost": 0.5, "request_created_at": None, "prompt_tokens": None, "completion_tokens": None}]
    run_all(rows, req({"users_view": {field: {"not-equals": 0.5}}}))


# ------------------------------------------------------------------ one builder, two transports


def test_chdb_and_clickhouse_send_the_same_statement() -> None:
    r = parse_request(req({"request_response_rmt": {"model": {"like": "gpt%"}}}, "p99", True))
    server_sql, server_params = clickhouse_query(r, source=None, method="adaptive", bins=10)
    chdb_sql, chdb_params = clickhouse_query(r, source="file('x.parquet', Parquet)", method="adaptive", bins=10)
    cte = "requests AS (SELECT * FROM file('x.parquet', Parquet)), "
    assert cte in chdb_sql
    assert chdb_sql.replace(cte, "") == server_sql
    assert server_params == chdb_params == {"p0": "gpt%"}
    assert server_sql == overview_sql(r, dialect="clickhouse").sql
    assert "arrayReduce('histogram(10)'" in server_sql


def test_overview_sql_shapes() -> None:
    body = req({"users_view": {"user_cost": {"gt": 5}}}, "p95")
    ch = overview_sql(body, dialect="clickhouse", profile="helicone")
    assert (
        "request_response_rmt" in ch.sql
        and "SUM(toInt128(request_response_rmt.cost))" in ch.sql
        and "users_view" in ch.sql
    )
    assert list(ch.params.values()) == [5_000_000_000]
    eq = overview_sql(body, dialect="clickhouse", method="equal", bins=7)
    assert "histogram" not in eq.sql and "range(7)" in eq.sql
    duck = overview_sql(body, dialect="duckdb")
    assert "LIST_FILTER" in duck.sql and duck.params == {"p0": 5}
    # a tenant guard applies to "all" too: the overview never reads another tenant's rows
    from filterlang.sql import helicone_profile

    tenant = overview_sql(req("all"), profile=helicone_profile("org-1"))
    assert "organization_id = {p0: String}" in tenant.sql and tenant.params == {"p0": "org-1"}
    with pytest.raises(ValueError, match="dialect"):
        overview_sql(body, dialect="sqlite")
    with pytest.raises(ValueError, match="bins"):
        overview_sql(body, bins=0)


def test_needed_columns() -> None:
    from filterlang import parse

    assert needed_columns(ALL) == {"user_id", "cost"}
    assert needed_columns(parse('model = "x" or property_key = "env"')) == {"user_id", "cost", "model", "properties"}
    assert needed_columns(parse("user_active_for > 2")) == {"user_id", "cost", "request_created_at"}
    assert needed_columns(parse("user_total_requests > 2")) == {"user_id", "cost"}


def test_users_view_on_a_narrow_frame() -> None:
    """Only the inputs of the users_view fields used are needed (tz-aware pandas timestamps too)."""
    pd = pytest.importorskip("pandas")
    from datetime import UTC, datetime, timedelta

    from filterlang.metrics.request import OverviewRequest

    base = datetime(2026, 1, 5, 23, 59, 59, 500000, tzinfo=UTC)
    rows = [
        {"user_id": f"u{i % 7}", "cost": i / 8, "request_created_at": base + timedelta(milliseconds=250 * i)}
        for i in range(40)
    ]
    frame = pd.DataFrame(rows)
    for dsl in (
        'request_created_at >= "2026-01-06T00:00:00.250Z"',
        "user_active_for >= 2 or user_total_requests = 5",
        'request_created_at < "2026-01-06T01:00:00.250+01:00" and user_cost > 10',
    ):
        body = OverviewRequest.from_dsl(dsl, "p99.9", False)
        want = overview(body, rows, engine="reference")
        for eng in ENGINES:
            assert_same(overview(body, frame, engine=eng), want)


# ------------------------------------------------------------------ realistic data (float costs, many users)


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pytest.importorskip("numpy")
    from filterlang import sample

    return sample.write_sample(60_000, tmp_path_factory.mktemp("eng") / "s.parquet", seed=21)


@pytest.mark.parametrize(
    "dsl",
    [
        "all",
        'model ~ "gpt%" and status = 200 and properties["environment"] = "production"',
        'user_cost > 0.5 or cached = true or scores["accuracy"] = "90"',
        'request_created_at >= "2026-01-19T00:00:00.250Z" and user_active_for >= 10',
    ],
)
def test_realistic_sample_matches_reference(sample_file: Any, dsl: str) -> None:
    """Real-looking float costs summed in different orders still give the reference's bins."""
    from filterlang.metrics.request import OverviewRequest

    for p, iqr, method in (("p95", False, "adaptive"), ("p75", True, "equal"), ("p99.9", False, "adaptive")):
        body = OverviewRequest.from_dsl(dsl, p, iqr) if dsl != "all" else parse_request(req("all", p, iqr))
        want = overview(body, sample_file, engine="reference", method=method)
        assert want["data"]["user_cost"]
        for eng in ENGINES:
            assert_same(overview(body, sample_file, engine=eng, method=method), want)


@settings(max_examples=25)
@given(overview_cases(), st.sampled_from(["csv", "jsonl", "parquet"]))
def test_text_formats_round_trip_tricky_values(tmp_path_factory: pytest.TempPathFactory, case: Any, fmt: str) -> None:
    """Quotes, backslashes, newlines, tabs, %/_ and non-ASCII survive CSV/JSONL on both engines."""
    from filterlang import sample, to_json

    data, node = case
    if not data:
        return
    path = tmp_path_factory.mktemp("fmt") / f"data.{fmt}"
    sample.write(table_from_rows(data, columns=list(FLAT_COLUMNS)), path)
    body = req(to_json(node), "p99.9", False)
    want = overview(body, data, engine="reference")
    for eng in ENGINES:
        assert_same(overview(body, path, engine=eng), want)
