"""Differential proof: compile_predicate and every executed engine keep the same rows.

For each hypothesis example: a data set (NULLs, missing map keys, nasty strings,
sub-second timestamps, large costs) and several filters over every field and operator
(values mostly drawn from the data). The request ids kept by the native evaluator over
``add_user_fields(rows)`` must equal those kept by ``to_sql(...)`` on DuckDB, chDB,
SQLite and PostgreSQL, parameterized and inlined. One connection per engine per module.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest_pg import pg_dsn  # noqa: F401  (session fixture)
from hypothesis import given, settings
from hypothesis import strategies as st
from rows import filters, injection_filters, injection_rows, load_chdb, load_duckdb, load_postgres, load_sqlite, rows
from strategies import any_nodes

import filterlang
from filterlang.evaluate import compile_predicate
from filterlang.fields import EQUALS, GT, GTE, LT, LTE, NOT_EQUALS
from filterlang.nodes import Condition, Node, make_leaf
from filterlang.sql import SqlQuery, chdb_params, to_sql
from filterlang.users import add_user_fields

Runner = Callable[[SqlQuery], set[str]]


class Engine:
    def __init__(
        self,
        name: str,
        load: Callable[[list[dict[str, Any]]], None],
        run: Runner,
        nul: bool,
        raw: Callable[[SqlQuery], Any] | None = None,
    ) -> None:
        self.name, self.load, self.run, self.nul, self.raw = name, load, run, nul, raw


@pytest.fixture(scope="module")
def duck() -> Iterator[Engine]:
    import duckdb

    con = duckdb.connect()

    def run(q: SqlQuery) -> set[str]:
        return {r[0] for r in con.execute(q.sql, q.params or None).fetchall()}

    def raw(q: SqlQuery) -> Any:
        return con.execute(q.sql, q.params or None).fetchall()

    yield Engine("duckdb", lambda d: load_duckdb(con, d), run, nul=True, raw=raw)
    con.close()


@pytest.fixture(scope="module")
def lite() -> Iterator[Engine]:
    con = sqlite3.connect(":memory:")

    def run(q: SqlQuery) -> set[str]:
        return {r[0] for r in con.execute(q.sql, q.params).fetchall()}

    # SQLite's LIKE/GLOB/length stop at NUL: NUL-free data (docs/sql.md, known gaps)
    yield Engine("sqlite", lambda d: load_sqlite(con, d), run, nul=False)
    con.close()


@pytest.fixture(scope="module")
def ch() -> Iterator[Engine]:
    from chdb import session

    sess = session.Session()

    def run(q: SqlQuery) -> set[str]:
        if q.params:
            res = sess.query(q.sql, "TabSeparated", params=chdb_params(q.params))
        else:
            res = sess.query(q.sql, "TabSeparated")
        return {line for line in str(res).split("\n") if line}

    def raw(q: SqlQuery) -> Any:
        return str(sess.query(q.sql, "TabSeparated", params=chdb_params(q.params)))

    yield Engine("chdb", lambda d: load_chdb(sess, d), run, nul=True, raw=raw)
    sess.close()


@pytest.fixture(scope="module")
def pg(pg_dsn: str) -> Iterator[Engine]:  # noqa: F811
    import psycopg

    conn = psycopg.connect(pg_dsn)

    def run(q: SqlQuery) -> set[str]:
        try:
            with conn.cursor() as cur:
                cur.execute(q.sql, q.params or None)
                return {r[0] for r in cur.fetchall()}
        except psycopg.Error:
            conn.rollback()  # a failed statement aborts the transaction
            raise

    # PostgreSQL text and jsonb cannot hold NUL
    yield Engine("postgres", lambda d: load_postgres(conn, d), run, nul=False)
    conn.close()


DIALECT = {"duckdb": "duckdb", "sqlite": "sqlite", "chdb": "clickhouse", "postgres": "postgres"}


def check(engine: Engine, data: list[dict[str, Any]], flts: list[Node], *, users: bool = True) -> None:
    """``users=False``: the filters use no users_view field (the rows need not form valid users)."""
    engine.load(data)
    full = add_user_fields(data) if users else data
    for node in flts:
        pred = compile_predicate(node)
        want = {r["request_id"] for r in full if pred(r)}
        for inline in (False, True):
            q = to_sql(node, dialect=DIALECT[engine.name], columns=["request_id"], inline=inline)
            got = engine.run(q)
            assert got == want, (engine.name, "inline" if inline else "params", q.sql, q.params)


def scenario(nul: bool, far: bool = True) -> st.SearchStrategy[tuple[list[dict[str, Any]], list[Node]]]:
    return rows(nul=nul, far=far).flatmap(
        lambda d: st.tuples(st.just(d), st.lists(filters(d, nul=nul), min_size=1, max_size=4))
    )


@settings(max_examples=60)
@given(scenario(nul=True))
def test_duckdb_agrees(duck: Engine, case: tuple[list[dict[str, Any]], list[Node]]) -> None:
    check(duck, *case)


@settings(max_examples=60)
@given(scenario(nul=False))
def test_sqlite_agrees(lite: Engine, case: tuple[list[dict[str, Any]], list[Node]]) -> None:
    check(lite, *case)


@settings(max_examples=60)
@given(scenario(nul=True, far=False))  # bounds still reach years 0001-9999
def test_chdb_agrees(ch: Engine, case: tuple[list[dict[str, Any]], list[Node]]) -> None:
    check(ch, *case)


@settings(max_examples=60)
@given(scenario(nul=False))
def test_postgres_agrees(pg: Engine, case: tuple[list[dict[str, Any]], list[Node]]) -> None:
    check(pg, *case)


# ---------------------------------------------------------------- injection


@pytest.mark.parametrize("engine_name", ["duck", "lite", "ch", "pg"])
def test_injection_values_and_keys_keep_only_matching_rows(engine_name: str, request: pytest.FixtureRequest) -> None:
    engine: Engine = request.getfixturevalue(engine_name)
    data = injection_rows(engine.nul)
    engine.load(data)
    full = add_user_fields(data)
    for node in injection_filters(data):
        pred = compile_predicate(node)
        want = {r["request_id"] for r in full if pred(r)}
        for inline in (False, True):
            q = to_sql(node, dialect=DIALECT[engine.name], columns=["request_id"], inline=inline)
            assert engine.run(q) == want, (engine.name, node, inline, q.sql, q.params)
    # the table is still there and intact
    everything = to_sql("all", dialect=DIALECT[engine.name], columns=["request_id"])
    assert engine.run(everything) == {r["request_id"] for r in data}


# ---------------------------------------------------------------- deep filters, executed


def test_ten_thousand_term_or_executes_on_duckdb(duck: Engine) -> None:
    from filterlang.nodes import Condition, balanced, make_leaf

    data = [{"request_id": f"r{i}", "latency": i} for i in range(50)]
    duck.load(data)
    node = balanced("or", [make_leaf(Condition("latency", "equals", i * 7)) for i in range(10_000)])
    want = {f"r{i}" for i in range(0, 50, 7)}
    pred = compile_predicate(node)  # once: a 10,000-leaf compile per row took 25 s
    assert {r["request_id"] for r in data if pred(r)} == want
    assert duck.run(to_sql(node, dialect="duckdb", columns=["request_id"])) == want


# ---------------------------------------------------------------- helicone profile on chDB


@pytest.fixture(scope="module")
def ch_helicone() -> Iterator[Any]:
    from chdb import session

    sess = session.Session()
    sess.query("SET session_timezone = 'UTC'")
    yield sess
    sess.close()


@settings(max_examples=50)
@given(st.data())
def test_helicone_profile_on_chdb_with_tenant_guard(ch_helicone: Any, data: st.DataObject) -> None:
    from rows import HELICONE_UNMAPPED, ORGS, helicone_rows, load_helicone_chdb

    from filterlang.nodes import Condition, branch, make_leaf
    from filterlang.sql import helicone_profile

    phys, logical = data.draw(helicone_rows())
    load_helicone_chdb(ch_helicone, phys)
    org = data.draw(st.sampled_from(ORGS))
    flt = data.draw(filters(logical, exclude=frozenset(HELICONE_UNMAPPED)))
    # an OR that tries to escape the tenant: must still see only `org`'s rows
    escape = make_leaf(Condition("organization_id", "not-equals", org))
    node = data.draw(st.sampled_from([flt, branch(flt, "or", escape), branch(escape, "or", flt)]))
    tenant_rows = add_user_fields([r for r in logical if r["organization_id"] == org])
    want = {r["request_id"] for r in tenant_rows if compile_predicate(node)(r)}
    prof = helicone_profile(organization_id=org)
    for inline in (False, True):
        q = to_sql(node, dialect="clickhouse", profile=prof, columns=["request_id"], inline=inline)
        res = (
            ch_helicone.query(q.sql, "TabSeparated", params=chdb_params(q.params))
            if q.params
            else ch_helicone.query(q.sql, "TabSeparated")
        )
        got = {line for line in str(res).split("\n") if line}
        assert got == want, (inline, q.sql, q.params)


# ---------------------------------------------------------------- the language's own strategies


@settings(max_examples=40)
@given(rows(nul=True), st.lists(any_nodes(max_leaves=6), min_size=1, max_size=3))
def test_language_filters_agree_on_duckdb_and_chdb(
    duck: Engine, ch: Engine, data: list[dict[str, Any]], flts: list[Node]
) -> None:
    # the language tests' tricky values (astral characters, control characters, ...)
    check(duck, data, flts)
    check(ch, data, flts)


FAR_BOUNDS = [
    "0001-01-01T00:00:00Z",
    "0099-06-15T12:00:00.123Z",
    "0999-01-01T00:00:00Z",
    "0999-12-31T23:59:59.999Z",
    "1899-12-31T23:59:59Z",
    "2300-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999Z",
]


@pytest.mark.parametrize("engine_name", ["duck", "lite", "ch", "pg"])
def test_far_timestamps_compare_exactly(engine_name: str, request: pytest.FixtureRequest) -> None:
    from datetime import UTC, datetime

    from rows import FAR

    engine: Engine = request.getfixturevalue(engine_name)
    near = [datetime(2026, 1, 31, tzinfo=UTC), datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=UTC)]
    stamps = near + ([] if engine.name == "chdb" else FAR) + [None]  # chDB: toDate is 1970-2149
    data = [{"request_id": f"r{i}", "user_id": "alice", "request_created_at": t} for i, t in enumerate(stamps)]
    ops = ("gt", "gte", "lt", "lte", "equals")
    flts = [make_leaf(Condition("request_created_at", op, v)) for v in FAR_BOUNDS for op in ops]
    check(engine, data, flts)


def test_pyformat_inline_sql_runs_without_params_on_postgres(pg: Engine, pg_dsn: str) -> None:  # noqa: F811
    """Inline pyformat SQL is plain SQL (a single %), run without a params argument.

    psycopg (like PyMySQL) parses % whenever a params argument is given, even ``{}``,
    so the one call that fits both modes is ``cur.execute(q.sql, q.params or None)``.
    """
    import psycopg

    data = [{"request_id": f"r{i}", "model": m} for i, m in enumerate(["100%", "100% off", "1000", "50%_x", None])]
    pg.load(data)
    nodes = [
        make_leaf(Condition("model", "like", "100%")),
        make_leaf(Condition("model", "equals", "100%")),
        make_leaf(Condition("model", "contains", "0%")),
        make_leaf(Condition("model", "ilike", "50\\%\\_%")),
    ]
    with psycopg.connect(pg_dsn) as conn, conn.cursor() as cur:
        for node in nodes:
            want = {r["request_id"] for r in data if compile_predicate(node)(r)}
            inline = to_sql(node, dialect="postgres", columns=["request_id"], inline=True)
            assert inline.params == {}
            cur.execute(inline.sql)  # type: ignore[call-overload]
            assert {r[0] for r in cur.fetchall()} == want, inline.sql
            cur.execute(inline.sql, inline.params or None)  # type: ignore[call-overload]
            assert {r[0] for r in cur.fetchall()} == want
            q = to_sql(node, dialect="postgres", columns=["request_id"])
            cur.execute(q.sql, q.params)  # type: ignore[call-overload]
            assert {r[0] for r in cur.fetchall()} == want, q.sql


def test_helicone_cost_bounds_beyond_64_bits_on_chdb(ch_helicone: Any) -> None:
    from rows import load_helicone_chdb

    from filterlang.sql import helicone_profile

    nanos = [0, 2_150_000_000, 2**63 + 5, 2**64 - 1]
    load_helicone_chdb(ch_helicone, [{"request_id": f"r{i}", "cost": n} for i, n in enumerate(nanos)])
    logical = [{"request_id": f"r{i}", "cost": n / 1e9} for i, n in enumerate(nanos)]
    for v in (1e300, -1e30, 1e30, -1e300, 10**40, -(10**40), 1e10, 2.15):
        for op in ("gt", "gte", "lt", "lte", "equals", "not-equals"):
            node = make_leaf(Condition("cost", op, v))
            want = {r["request_id"] for r in logical if compile_predicate(node)(r)}
            for inline in (False, True):
                q = to_sql(
                    node, dialect="clickhouse", profile=helicone_profile(), columns=["request_id"], inline=inline
                )
                res = (
                    ch_helicone.query(q.sql, "TabSeparated", params=chdb_params(q.params))
                    if q.params
                    else ch_helicone.query(q.sql, "TabSeparated")
                )
                assert {line for line in str(res).split("\n") if line} == want, (v, op, inline, q.sql)


@pytest.mark.parametrize("engine_name", ["duck", "lite", "ch", "pg"])
def test_big_integers_compare_exactly_with_double_costs(engine_name: str, request: pytest.FixtureRequest) -> None:
    engine: Engine = request.getfixturevalue(engine_name)
    costs = [float(2**63), float(2**53), float(2**53 + 2), 1e30, -float(2**63), 1.5, None]
    data = [{"request_id": f"r{i}", "user_id": "u", "cost": c} for i, c in enumerate(costs)]
    bounds = [2**63 - 1, 2**63, 2**53 + 1, 10**30, -(2**63) - 1, 10**400, -(10**400), 1]
    ops = ("equals", "not-equals", "gt", "gte", "lt", "lte")
    # costs of 2^63 USD and 1e30 USD have no nano-USD value (no valid users_view): row filters only
    check(engine, data, [make_leaf(Condition("cost", op, b)) for b in bounds for op in ops], users=False)
    # user_cost is an integer nano-USD sum: per-row costs stay inside 64-bit nanos (≈ $9.2e9)
    costs = [float(2**32) + 0.5, 1.5, -2.25, 2.0**-40, None]
    data = [{"request_id": f"r{i}", "user_id": f"u{i % 2}", "cost": c} for i, c in enumerate(costs)]
    check(engine, data, [make_leaf(Condition("user_cost", op, b)) for b in bounds for op in ops])
    # BIGINT columns: integers past 64 bits are constant tests (no driver can bind them)
    data = [{"request_id": f"r{i}", "latency": v} for i, v in enumerate([2**63 - 1, -(2**63), 0, None])]
    ints = [10**30, -(10**30), 2**63 - 1, 2**64 - 1, 2**64]
    check(engine, data, [make_leaf(Condition("latency", op, b)) for b in ints for op in ops])


# 17 costs whose exact decimal sum is 3.3: a left-to-right double sum gives
# 3.3000000000000007 (so does DuckDB's and SQLite's SUM), fsum 3.3; engines pick their own order. user_cost is the
# integer nano-USD sum (3_300_000_000) divided once, the double 3.3, everywhere.
COSTS_3_3 = [0.1, 0.2, 0.2, 0.3, 0.3, 0.1, 0.1, 0.2, 0.1, 0.1, 0.3, 0.3, 0.3, 0.2, 0.1, 0.2, 0.2]


@pytest.mark.parametrize("engine_name", ["duck", "lite", "ch", "pg"])
def test_user_cost_is_the_exact_nano_sum(engine_name: str, request: pytest.FixtureRequest) -> None:
    from filterlang.metrics.reference import cost_nanos

    engine: Engine = request.getfixturevalue(engine_name)
    assert sum(cost_nanos(c) for c in COSTS_3_3) == 3_300_000_000
    data = [{"request_id": f"a{i}", "user_id": "a", "cost": c} for i, c in enumerate(COSTS_3_3)]
    data += [
        {"request_id": "b0", "user_id": "b", "cost": 3.3},
        {"request_id": "b1", "user_id": "b", "cost": 1e-9},  # 1 nano-USD more than 3.3
        {"request_id": "n0", "user_id": "n", "cost": None},  # only NULL costs: user_cost NULL
        {"request_id": "z0", "user_id": None, "cost": 0.5},
    ]
    full = add_user_fields(data)
    assert {r["user_id"]: r["user_cost"] for r in full if r["user_id"]} == {"a": 3.3, "b": 3.300000001, "n": None}
    a_rows = {f"a{i}" for i in range(len(COSTS_3_3))}
    node = make_leaf(Condition("user_cost", LTE, 3.3))
    assert {r["request_id"] for r in full if compile_predicate(node)(r)} == a_rows
    engine.load(data)
    for inline in (False, True):
        q = to_sql(node, dialect=DIALECT[engine.name], columns=["request_id"], inline=inline)
        assert engine.run(q) == a_rows, q.sql
    flts = [
        make_leaf(Condition("user_cost", op, v))
        for op in (EQUALS, NOT_EQUALS, GT, GTE, LT, LTE)
        for v in (3.3, 3.300000001, 0)
    ]
    check(engine, data, flts)


# ---------------------------------------------------------------- issue 9: regressions on every engine


def _r(rid: str, **cols: Any) -> dict[str, Any]:
    return {"request_id": rid, "user_id": "u", **cols}


_BIG = [_r("big", latency=2**53 + 1), _r("edge", latency=2**53), _r("two", latency=2), _r("three", latency=3), _r("n")]
_NAN = [_r("nan", cost=float("nan")), _r("six", cost=6.0), _r("inf", cost=float("inf")), _r("n")]
_TEXT = [_r("empty", model=""), _r("x", model="x"), _r("n"), _r("bs", model="back\\slash"), _r("end", model="a\\")]
_TEXT += [_r("plain", model="backslash"), _r("a", model="a"), _r("b", model="b")]
_SCORES = [
    _r("five", scores={"s": 5}),
    _r("fifty", scores={"s": 50}),
    _r("neg", scores={"s": -3}),
    _r("none", scores={}),
]

# (rows, filter as DSL or API JSON, the request ids it keeps): semantics.md §3, checked against
# the native evaluator and executed on every engine, parameterised and inline
ISSUE9: list[tuple[list[dict[str, Any]], str, set[str]]] = [
    (_BIG, "latency > 9007199254740992.0", {"big"}),
    (_BIG, "latency >= 9007199254740992.0", {"big", "edge"}),
    (_BIG, "latency = 2.5", set()),
    (_BIG, "latency != 2.5", {"big", "edge", "two", "three"}),
    (_BIG, "latency > 2.5 and latency < 3.5", {"three"}),
    (_BIG, "latency <= 2.9999999999999996", {"two"}),
    (_NAN, "cost > 5", {"six", "inf"}),
    (_NAN, "cost != 5", {"six", "inf"}),
    (_NAN, "cost < 5", set()),
    (_NAN, "cost <= 9007199254740993", {"six"}),
    (_TEXT, '{"request_response_rmt": {"model": {"equals": "__empty__"}}}', {"empty"}),
    (_TEXT, '{"request_response_rmt": {"model": {"not-equals": "__empty__"}}}', {"x", "bs", "end", "plain", "a", "b"}),
    (_TEXT, '{"request_response_rmt": {"model": {"like": "__empty__"}}}', set()),
    (_TEXT, r'model ~ "back\\slash"', {"bs"}),
    (_TEXT, r'model ~ "a\\"', {"end"}),
    (_TEXT, r'model ~* "%K\\S%"', {"bs"}),
    (_TEXT, 'model in ("a", "b", "zz")', {"a", "b"}),
    (_TEXT, 'model not in ("a", "b")', {"empty", "x", "bs", "end", "plain"}),
    (_SCORES, 'scores["s"] = "05"', {"five"}),
    (_SCORES, 'scores["s"] = "+5"', {"five"}),
    (_SCORES, 'scores["s"] = "-3"', {"neg"}),
    (_SCORES, 'scores["s"] = "5.0"', set()),
    (_SCORES, 'scores["s"] != "x"', {"five", "fifty", "neg"}),
    (_SCORES, 'scores["s"] != "05"', {"fifty", "neg"}),
    (_SCORES, 'scores["s"] in ("5", "50")', {"five", "fifty"}),
]


@pytest.mark.parametrize("engine_name", ["duck", "lite", "ch", "pg"])
def test_issue9_semantics_on_every_engine(engine_name: str, request: pytest.FixtureRequest) -> None:
    engine: Engine = request.getfixturevalue(engine_name)
    for data, text, want in ISSUE9:
        node = filterlang.from_json(text) if text.startswith("{") else filterlang.parse(text)
        evaluated = {r["request_id"] for r in data if compile_predicate(node)(r)}  # no users_view field
        assert evaluated == want, ("evaluator", text)
        engine.load(data)
        for inline in (False, True):
            q = to_sql(node, dialect=DIALECT[engine.name], columns=["request_id"], inline=inline)
            assert engine.run(q) == want, (engine.name, text, inline, q.sql, q.params)


@pytest.mark.parametrize("engine_name", ["duck", "lite", "ch", "pg"])
def test_users_view_token_sums_never_wrap(engine_name: str, request: pytest.FixtureRequest) -> None:
    """Two rows of 2^62 prompt tokens: 2^63 exactly (128 bits or NUMERIC), or SQLite's overflow error."""
    engine: Engine = request.getfixturevalue(engine_name)
    data = [_r(f"t{i}", prompt_tokens=2**62, completion_tokens=1) for i in range(2)]
    engine.load(data)
    for text in ("user_total_prompt_tokens > 0", "user_average_tokens_per_request >= 4611686018427387904"):
        node = filterlang.parse(text)
        assert {r["request_id"] for r in add_user_fields(data) if compile_predicate(node)(r)} == {"t0", "t1"}
        for inline in (False, True):
            q = to_sql(node, dialect=DIALECT[engine.name], columns=["request_id"], inline=inline)
            if engine.name == "sqlite":  # no integer beyond 64 bits: a clear error, never a wrap
                with pytest.raises(sqlite3.OperationalError, match="integer overflow"):
                    engine.run(q)
            else:
                assert engine.run(q) == {"t0", "t1"}, (engine.name, q.sql)


def test_in_list_is_one_in_not_a_chain_of_ors(duck: Engine) -> None:
    values = [f"m{i}" for i in range(5000)]
    node = filterlang.parse("model in (" + ", ".join(f'"{v}"' for v in values) + ")")
    q = to_sql(node, dialect="duckdb", columns=["request_id"])
    assert " OR " not in q.sql and q.sql.count(" IN (") == 1 and len(q.params) == 5000
    assert len(q.sql) < 60_000  # 5,000 ORs gave 277 KB
    duck.load([_r("hit", model="m4321"), _r("miss", model="m5000")])
    assert duck.run(q) == {"hit"}


def test_helicone_score_feedback_on_chdb(ch_helicone: Any) -> None:
    from rows import load_helicone_chdb

    from filterlang.sql import helicone_profile

    key = "helicone-score-feedback"
    scores = {"one": {key: 1}, "zero": {key: 0}, "missing": {}, "five": {key: 5}}
    load_helicone_chdb(ch_helicone, [{"request_id": r, "scores": s} for r, s in scores.items()])
    for value, want in ((True, "one"), (False, "missing\nzero")):
        for inline in (False, True):
            q = to_sql(make_leaf(Condition(key, "equals", value)), dialect="clickhouse", profile=helicone_profile(),
                       columns=["request_id"], inline=inline)  # fmt: skip
            res = ch_helicone.query(q.sql + " ORDER BY 1", "TabSeparated", params=chdb_params(q.params))
            assert str(res).strip() == want, q.sql


@pytest.mark.parametrize("engine_name", ["duck", "ch"])
def test_overview_cost_null_nan_count_zero_inf_is_an_error(engine_name: str, request: pytest.FixtureRequest) -> None:
    from filterlang.metrics.sql import overview_sql

    engine: Engine = request.getfixturevalue(engine_name)
    body = {"filter": "all", "pSize": "p99", "useInterquartile": False}
    q = overview_sql(body, dialect=DIALECT[engine.name], method="equal")
    run = engine.raw
    assert run is not None
    engine.load([_r("a", cost=1.5), _r("b", cost=float("nan")), _r("c")])
    got = run(q)
    assert got == [([3.0], [1.5])] if engine.name == "duckdb" else got.strip() == "[(3,3,1)]\t[(1.5,1.5,1)]", got
    for bad in (float("inf"), -float("inf"), 9.3e9, -9.3e9):
        engine.load([_r("a", cost=1.5), _r("x", cost=bad)])
        with pytest.raises(Exception, match="nano-USD"):
            run(q)


@pytest.mark.parametrize("engine_name", ["duck", "lite", "ch", "pg"])
def test_users_view_cost_without_64_bit_nanos_is_an_error(engine_name: str, request: pytest.FixtureRequest) -> None:
    """user_cost over a row cost of ±inf or >= 2^63 nano-USD: an error, never a wrapped or clamped sum."""
    engine: Engine = request.getfixturevalue(engine_name)
    node = filterlang.parse("user_cost > 0")
    for bad in (float("inf"), -float("inf"), 9.3e9):
        engine.load([_r("a", cost=1.5), _r("x", cost=bad)])
        for inline in (False, True):
            q = to_sql(node, dialect=DIALECT[engine.name], columns=["request_id"], inline=inline)
            message = "integer overflow" if engine.name == "sqlite" else "nano-USD"
            with pytest.raises(Exception, match=message):
                engine.run(q)


@pytest.mark.parametrize("engine_name", ["duck", "lite", "ch", "pg"])
def test_users_view_nan_cost_counts_as_zero(engine_name: str, request: pytest.FixtureRequest) -> None:
    engine: Engine = request.getfixturevalue(engine_name)
    data = [{"request_id": "a", "user_id": "a", "cost": float("nan")}]
    data += [
        {"request_id": "b0", "user_id": "b", "cost": float("nan")},
        {"request_id": "b1", "user_id": "b", "cost": 1.5},
    ]
    if engine.name == "sqlite":  # SQLite stores a NaN as NULL: a NULL cost is skipped by the sum
        data = [{**r, "cost": None} if r["cost"] != r["cost"] else r for r in data]
    flts = [filterlang.parse(t) for t in ("user_cost = 0", "user_cost != 0", "user_cost = 1.5", "user_cost < 2")]
    check(engine, data, flts)
