"""SQL compiler: every dialect renders, re-parses in sqlglot and matches its golden file.

Golden files live in tests/sql_golden/<dialect>.sql; regenerate after an intended change
with ``FILTERLANG_UPDATE_GOLDEN=1 pytest tests/test_sql.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import string
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

import filterlang
from filterlang.errors import FilterLimitError, FilterTypeError
from filterlang.nodes import Condition, Node, balanced, branch, conditions_to_leaf, make_leaf
from filterlang.sql import (
    SqlQuery,
    helicone_profile,
    list_dialects,
    load_profile,
    profile_from_dict,
    to_sql,
    to_sqlglot,
    users_sql,
    where_sql,
)

GOLDEN = Path(__file__).parent / "sql_golden"
DIALECTS = [
    "clickhouse",
    "duckdb",
    "postgres",
    "sqlite",
    "mysql",
    "bigquery",
    "snowflake",
    "spark",
    "databricks",
    "trino",
    "redshift",
    "tsql",
]


def L(field: str, op: str, value: object, key: str | None = None) -> Node:
    return make_leaf(Condition(field, op, value, key))  # type: ignore[arg-type]


# One filter per operator family, so each golden file is the "dialect x operator" table.
CASES: dict[str, Node] = {
    "text equals": L("model", "equals", "gpt-4o"),
    "text not-equals": L("model", "not-equals", "gpt-4o"),
    "text equals null": L("user_id", "equals", "null"),
    "text not-equals null": L("user_id", "not-equals", "null"),
    "like": L("model", "like", "gpt-4%\\_x"),
    "ilike": L("model", "ilike", "GPT%"),
    "contains": L("request_body", "contains", "50% off_\\"),
    "not-contains": L("request_body", "not-contains", "error"),
    "number gt": L("latency", "gt", 100),
    "number lte float": L("status", "lte", 499.5),
    "cost gte": L("cost", "gte", 2.5),
    "timestamp gt": L("request_created_at", "gt", "2026-01-31T12:00:00.1239Z"),
    "timestamp equals": L("request_created_at", "equals", "2026-01-31T14:00:00+02:00"),
    "boolean true": L("cached", "equals", True),
    "boolean false": L("threat", "equals", False),
    "properties equals": L("properties", "equals", "prod", "env"),
    "properties ilike": L("properties", "ilike", "Pro%", "env"),
    "scores gte-ish text": L("scores", "equals", "5", "accuracy"),
    "property_key": L("property_key", "equals", "env"),
    "and/or": branch(
        branch(L("model", "like", "gpt%"), "or", L("model", "like", "claude%")),
        "and",
        conditions_to_leaf([Condition("status", "gte", 200), Condition("status", "lt", 300)]),
    ),
    "users_view": branch(L("user_cost", "gt", 5), "and", L("model", "ilike", "gpt%")),
    "all": "all",
}


def render_all(dialect: str) -> str:
    out: list[str] = []
    for name, node in CASES.items():
        q = where_sql(node, dialect=dialect)
        out.append(f"-- {name}\n{q.sql}\n-- params: {json.dumps(q.params, ensure_ascii=False)}")
        out.append(f"-- {name} (inline)\n{where_sql(node, dialect=dialect, inline=True).sql}")
    out.append(f"-- to_sql users_view\n{to_sql(CASES['users_view'], dialect=dialect).sql}")
    out.append(f"-- to_sql helicone org1 (inline)\n{_helicone(dialect)}")
    return "\n\n".join(out) + "\n"


def _helicone(dialect: str) -> str:
    node = branch(L("model", "equals", "x"), "or", L("cost", "gt", 2.15))
    return to_sql(node, dialect=dialect, profile=helicone_profile("org1"), inline=True).sql


def test_list_dialects() -> None:
    assert set(DIALECTS) <= set(list_dialects())


@pytest.mark.parametrize("dialect", DIALECTS)
def test_golden(dialect: str) -> None:
    text = render_all(dialect)
    path = GOLDEN / f"{dialect}.sql"
    if os.environ.get("FILTERLANG_UPDATE_GOLDEN") or not path.exists():
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_reparses_in_dialect(dialect: str) -> None:
    for node in CASES.values():
        for q in (
            SqlQuery("SELECT 1 FROM requests WHERE " + where_sql(node, dialect=dialect, inline=True).sql),
            SqlQuery("SELECT 1 FROM requests WHERE " + where_sql(node, dialect=dialect).sql),
            to_sql(node, dialect=dialect, inline=True),
            to_sql(node, dialect=dialect),
        ):
            sql = q.sql
            if "%(" in sql:  # pyformat placeholders are driver syntax, not SQL: check the shape
                sql = re.sub(r"%\((\w+)\)s", r":\1", sql).replace("%%", "%")
            parsed = sqlglot.parse_one(sql, read=dialect)
            assert isinstance(parsed, exp.Select)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_placeholder_style_and_order(dialect: str) -> None:
    node = balanced("or", [L("model", "equals", f"m{i}") for i in range(12)])
    q = where_sql(node, dialect=dialect)
    assert list(q.params.values()) == [f"m{i}" for i in range(12)]
    styles = {
        "clickhouse": r"\{p0:String\}",
        "duckdb": r"\$p0\b",
        "postgres": r"%\(p0\)s",
        "redshift": r"%\(p0\)s",
        "mysql": r"%\(p0\)s",
        "snowflake": r"%\(p0\)s",
        "sqlite": r":p0\b",
        "spark": r":p0\b",
        "databricks": r":p0\b",
        "bigquery": r"@p0\b",
        "trino": r"\?",
        "tsql": r"\?",
    }
    assert re.search(styles[dialect], q.sql)
    assert where_sql(node, dialect=dialect, inline=True).params == {}


def test_qmark_repeated_template_value_gets_its_own_position() -> None:
    # tsql/trino templates use the key once, but a custom profile may repeat a value
    q = where_sql(L("scores", "equals", "1", "k"), dialect="clickhouse")
    assert q.sql.count("{p0:String}") == 2 and list(q.params) == ["p0", "p1"]


def test_params_prefix() -> None:
    q = where_sql(L("model", "equals", "x"), dialect="duckdb", params_prefix="f_")
    assert q.params == {"f_0": "x"} and "$f_0" in q.sql
    with pytest.raises(FilterTypeError):
        where_sql(L("model", "equals", "x"), params_prefix="1; DROP")


def test_sqlquery_is_frozen_dataclass() -> None:
    q = where_sql(L("model", "equals", "x"))
    assert isinstance(q, SqlQuery) and filterlang.SqlQuery is SqlQuery
    with pytest.raises(AttributeError):
        q.sql = "x"  # type: ignore[misc]


def test_to_sqlglot_embeds() -> None:
    cond = to_sqlglot(branch(L("model", "equals", "x"), "or", L("latency", "gt", 3)))
    sel = exp.select("request_id").from_("requests").where(cond)
    sql = sel.sql("duckdb")
    assert sql == "SELECT request_id FROM requests WHERE requests.model = $p0 OR requests.latency > $p1"
    assert cond.meta["params"] == {"p0": "x", "p1": 3}
    inline = to_sqlglot(L("model", "equals", "it's"), inline=True)
    assert exp.select("*").from_("requests").where(inline).sql("postgres").endswith("= 'it''s'")


def test_unknown_dialect_and_profile() -> None:
    with pytest.raises(FilterTypeError, match="did you mean `duckdb`"):
        where_sql("all", dialect="duckdbb")
    with pytest.raises(FilterTypeError, match="unknown SQL profile"):
        where_sql("all", profile="helicon")


def test_unmapped_field_names_field_and_profile() -> None:
    with pytest.raises(FilterTypeError, match=r"'helicone-score-feedback'.*'helicone'"):
        where_sql(L("helicone-score-feedback", "equals", True), dialect="clickhouse", profile="helicone")
    prof = profile_from_dict({"name": "mine", "table": "t", "fields": {"model": "llm_model"}})
    with pytest.raises(FilterTypeError, match=r"'latency'.*'mine'"):
        where_sql(L("latency", "gt", 1), profile=prof)


def test_custom_profile_dict_and_toml(tmp_path: Path) -> None:
    spec = {
        "name": "mine",
        "table": "analytics.llm",
        "default_columns": True,
        "fields": {"model": "lower(llm_model)", "cost": {"sql": "cost_micros", "scale": 1_000_000, "integer": True}},
    }
    q = where_sql(branch(L("model", "equals", "x"), "and", L("cost", "gt", 2.5)), dialect="postgres", profile=spec)
    assert q.sql == "LOWER(llm.llm_model) = %(p0)s AND llm.cost_micros > %(p1)s"
    assert q.params == {"p0": "x", "p1": 2_500_000}
    toml = tmp_path / "mine.toml"
    toml.write_text('table = "events"\n[fields]\nmodel = "m"\ncost = { sql = "c", scale = 100 }\n', encoding="utf-8")
    prof = load_profile(toml)
    assert prof.name == "mine"
    q2 = where_sql(L("cost", "lt", 1.5), dialect="duckdb", profile=str(toml))
    assert q2.sql == "events.c < $p0" and q2.params == {"p0": 150.0}
    with pytest.raises(FilterTypeError, match="did you mean `fields`"):
        profile_from_dict({"table": "t", "feilds": {}})
    with pytest.raises(FilterTypeError, match="unknown request field"):
        profile_from_dict({"table": "t", "fields": {"modle": "x"}})


def test_helicone_cost_scaling_is_exact_int64() -> None:
    prof = "helicone"
    cases = {
        ("gt", 2.15): ("> ", 2_150_000_000),
        ("gte", 2.147483648): (">= ", 2_147_483_648),
        ("lt", 0.1): ("< ", 100_000_000),
        ("lte", 1e-10): ("<= ", 0),
        ("gte", 1e-10): (">= ", 1),
        ("equals", 3): ("= ", 3_000_000_000),
    }
    for (op, v), (sym, want) in cases.items():
        q = where_sql(L("cost", op, v), dialect="clickhouse", profile=prof)
        assert q.params == {"p0": want}, (op, v, q)
        assert f"cost {sym}{{p0:Int64}}" in q.sql
    assert where_sql(L("cost", "equals", 1e-10), dialect="clickhouse", profile=prof).sql == "FALSE"


def test_tenant_guard_wraps_or_filters() -> None:
    node = branch(L("model", "equals", "x"), "or", L("organization_id", "equals", "org2"))
    q = where_sql(node, dialect="clickhouse", profile=helicone_profile("org1"))
    assert q.sql.startswith("request_response_rmt.organization_id = {p0:String} AND (")
    assert q.params["p0"] == "org1"
    full = to_sql(L("user_cost", "gt", 1), dialect="clickhouse", profile=helicone_profile("org1"))
    # the per-user subquery is restricted to the tenant too
    assert full.sql.count("organization_id = {") == 2


def test_users_sql_standalone() -> None:
    q = users_sql(dialect="postgres")
    assert "GROUP BY requests.user_id" in q.sql and q.params == {}


def test_ten_thousand_term_chains_compile() -> None:
    for op in ("and", "or"):
        node = balanced(op, [L("latency", "gt", i) for i in range(10_000)])  # type: ignore[arg-type]
        for dialect in ("clickhouse", "duckdb", "tsql"):
            q = where_sql(node, dialect=dialect)
            assert len(q.params) == 10_000
        assert where_sql(node, dialect="postgres", inline=True).sql.count(" > ") == 10_000


def test_left_deep_chain_compiles() -> None:
    node: Node = L("latency", "gt", 0)
    for i in range(1, 5000):
        node = branch(node, "or", L("latency", "gt", i))
    q = where_sql(node, dialect="duckdb")
    assert len(q.params) == 5000 and q.sql.startswith("(") and "(" not in q.sql[1:]


def test_deep_alternation_is_a_typed_limit_error() -> None:
    node: Node = L("latency", "gt", 0)
    for i in range(1, 300):
        node = branch(node, "and" if i % 2 else "or", L("latency", "gt", i))
    with pytest.raises(FilterLimitError) as info:
        where_sql(node)
    assert info.value.limit == "sql_nesting"
    ok: Node = L("latency", "gt", 0)
    for i in range(1, 90):
        ok = branch(ok, "and" if i % 2 else "or", L("latency", "gt", i))
    for dialect in DIALECTS:
        assert where_sql(ok, dialect=dialect).sql.count("(") >= 80


def test_scaled_bound_beyond_int64_uses_int128() -> None:
    q = where_sql(L("cost", "gt", 1e10), dialect="clickhouse", profile="helicone")
    assert q.sql == "request_response_rmt.cost > {p0:Int128}" and q.params == {"p0": 10**19}


@pytest.mark.parametrize("inline", [False, True])
def test_scaled_bound_beyond_64_bits_is_a_constant_test(inline: bool) -> None:
    def w(op: str, v: object) -> str:
        return where_sql(L("cost", op, v), dialect="clickhouse", profile="helicone", inline=inline).sql

    notnull = "NOT (request_response_rmt.cost IS NULL)"
    for big in (1e300, 1e12, 10**40):
        assert [w(op, big) for op in ("gt", "gte", "equals")] == ["FALSE"] * 3
        assert [w(op, big) for op in ("lt", "lte", "not-equals")] == [notnull] * 3
    for small in (-1e30, -1e300, -(10**40)):
        assert [w(op, small) for op in ("lt", "lte", "equals")] == ["FALSE"] * 3
        assert [w(op, small) for op in ("gt", "gte", "not-equals")] == [notnull] * 3
    # a float-scaled custom profile: the product overflows to inf, same constant tests
    prof = {"table": "t", "fields": {"cost": {"sql": "c", "scale": 1e9}}}
    assert where_sql(L("cost", "gt", 1e300), profile=prof, inline=inline).sql == "FALSE"
    assert where_sql(L("cost", "lt", -1e300), profile=prof, inline=inline).sql == "FALSE"
    assert where_sql(L("cost", "lt", 1e300), profile=prof, inline=inline).sql == "NOT t.c IS NULL"


def test_repeated_and_shared_subtrees() -> None:
    x = L("model", "equals", "a")
    assert where_sql(branch("all", "and", "all")).sql == "TRUE AND TRUE"
    q = where_sql(branch(branch(x, "and", L("latency", "gt", 1)), "or", branch(x, "and", "all")))
    assert q.sql == "((requests.model = $p0 AND requests.latency > $p1) OR (requests.model = $p2 AND TRUE))"


# ---------------------------------------------------------------- docs/sql.md stays true

DOC = Path(__file__).resolve().parent.parent / "docs" / "sql.md"
DOC_OPS = [
    ("text equals", Condition("model", "equals", "v")),
    ('text equals "null"', Condition("model", "equals", "null")),
    ("text not-equals", Condition("model", "not-equals", "v")),
    ("like", Condition("model", "like", "v%")),
    ("ilike", Condition("model", "ilike", "v%")),
    ("contains", Condition("model", "contains", "v")),
    ("not-contains", Condition("model", "not-contains", "v")),
    ("number gt", Condition("latency", "gt", 1)),
    ("timestamp gte", Condition("request_created_at", "gte", "2026-01-31T12:00:00Z")),
    ("timestamp equals", Condition("request_created_at", "equals", "2026-01-31T12:00:00Z")),
    ("boolean", Condition("cached", "equals", True)),
    ("properties[k] equals", Condition("properties", "equals", "v", "k")),
    ("scores[k] equals", Condition("scores", "equals", "1", "k")),
    ("property_key", Condition("property_key", "equals", "k")),
]


def doc_table(dialects: list[str]) -> str:
    lines = ["| operator | " + " | ".join(dialects) + " |", "|---|" + "---|" * len(dialects)]
    for name, c in DOC_OPS:
        cells = []
        for d in dialects:
            s = where_sql(make_leaf(c), dialect=d, inline=True).sql.replace("requests.", "")
            s = s.replace("'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'", "A-Z, a-z")
            # mysql's fold: 26 nested REPLACE(x, 'A', 'a') ... 'Z', 'z', one per ASCII letter
            chain = "REPLACE(" * 26 + "model" + "".join(f", '{u}', '{u.lower()}')" for u in string.ascii_uppercase)
            s = s.replace(chain, "REPLACE(model, A-Z, a-z)")
            cells.append("`" + s.replace("|", "\\|") + "`")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_docs_operator_tables_match_the_compiler() -> None:
    text = DOC.read_text(encoding="utf-8")
    for group in (DIALECTS[:4], DIALECTS[4:]):
        table = doc_table(group)
        assert table in text, table


def test_docs_headline_example() -> None:
    node = filterlang.parse('user_cost > 5 and model ~ "gpt%"')
    w = where_sql(node, dialect="clickhouse", profile="helicone")
    text = DOC.read_text(encoding="utf-8")
    assert f"w.sql     # '{w.sql}'" in text
    assert f"w.params  # {w.params!r}" in text


def test_to_sqlglot_clickhouse_placeholders_are_typed() -> None:
    cond = to_sqlglot(
        branch(L("model", "equals", "x"), "and", L("cost", "gt", 2.5)), dialect="clickhouse", profile="helicone"
    )
    sql = exp.select("count()").from_("request_response_rmt").where(cond).sql("clickhouse")
    assert "request_response_rmt.model = {p0: String}" in sql and "cost > {p1: Int64}" in sql
    assert cond.meta["params"] == {"p0": "x", "p1": 2_500_000_000}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_where_sql_is_safe_to_and_with_anything(dialect: str) -> None:
    node = branch(L("status", "equals", 200), "or", L("status", "equals", 500))
    for inline in (False, True):
        w = where_sql(node, dialect=dialect, inline=inline).sql
        assert w.startswith("(") and w.endswith(")")
        sql = re.sub(r"%\((\w+)\)s", r":\1", w).replace("%%", "%")
        where = sqlglot.parse_one(f"SELECT 1 FROM requests WHERE {sql} AND x = 1", read=dialect).args["where"]
        assert isinstance(where.this, exp.And) and isinstance(where.this.this, exp.Paren)
    # an AND at the top needs no parentheses; the guarded form already has its own
    assert not where_sql(
        branch(L("status", "equals", 200), "and", L("model", "equals", "x")), dialect=dialect
    ).sql.startswith("(")


def test_where_sql_anded_on_duckdb_keeps_meaning() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE requests (status BIGINT, other BIGINT)")
    con.execute("INSERT INTO requests VALUES (200, 0), (500, 0), (404, 0)")
    w = where_sql(branch(L("status", "equals", 200), "or", L("status", "equals", 500)))
    got = con.execute(f"SELECT status FROM requests WHERE {w.sql} AND other = 1", w.params).fetchall()
    assert got == []


JSON_NODE = {"request_response_rmt": {"model": {"equals": "x"}}}


@pytest.mark.parametrize("entry", ["where_sql", "to_sql", "to_sqlglot"])
@pytest.mark.parametrize("bad", ["cost > 1", None, 5, "", ["all"]])
def test_non_nodes_are_refused_not_true(entry: str, bad: object) -> None:
    fn = {"where_sql": where_sql, "to_sql": to_sql, "to_sqlglot": to_sqlglot}[entry]
    with pytest.raises(FilterTypeError):
        fn(bad)  # type: ignore[operator]


def test_api_json_dict_is_read_as_a_node() -> None:
    assert where_sql(JSON_NODE, inline=True).sql == "requests.model = 'x'"  # type: ignore[arg-type]
    assert "WHERE requests.model = 'x'" in to_sql(JSON_NODE, inline=True).sql  # type: ignore[arg-type]
    assert to_sqlglot(JSON_NODE, inline=True).sql() == "requests.model = 'x'"  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_years_before_1000_are_zero_padded(dialect: str) -> None:
    node = L("request_created_at", "gt", "0999-01-01T00:00:00Z")
    q = where_sql(node, dialect=dialect)
    inline = where_sql(node, dialect=dialect, inline=True).sql
    if dialect == "mysql":  # DATETIME starts at year 1000: a constant test, not a cast MySQL turns into NULL
        assert q.sql == inline == "NOT requests.request_created_at IS NULL"
        return
    assert [str(v)[:23] for v in q.params.values()] == ["0999-01-01 00:00:00.001"]
    assert "'0999-01-01 00:00:00.001" in inline
    for v in ("0001-01-01T00:00:00Z", "0099-12-31T23:59:59.5Z"):
        text = where_sql(L("request_created_at", "gte", v), dialect=dialect, inline=True).sql
        assert f"'{v[:4]}-" in text


@pytest.mark.parametrize("dialect", DIALECTS)
def test_last_millisecond_of_9999_has_no_overflow(dialect: str) -> None:
    last = "9999-12-31T23:59:59.999Z"
    assert where_sql(L("request_created_at", "gt", last), dialect=dialect).sql in ("FALSE", "(1 = 0)")  # tsql
    lte = where_sql(L("request_created_at", "lte", last), dialect=dialect).sql
    assert lte.replace("(", "").replace(")", "") == "NOT requests.request_created_at IS NULL"
    assert (
        "9999-12-31 23:59:59.999"
        in where_sql(L("request_created_at", "equals", last), dialect=dialect, inline=True).sql
    )


BAD_PROFILES: list[tuple[dict[str, object], str]] = [
    ({"name": "p", "table": "t", "fields": {"model": "a +* ("}}, r"'p'.*'fields\.model'.*not a valid"),
    ({"name": "p", "table": "t", "fields": {"cost": {"sql": "c", "scale": "x"}}}, r"'p'.*'fields\.cost\.scale'"),
    ({"name": "p", "table": "t", "fields": {"cost": {"sql": "c", "scale": 0}}}, r"'p'.*'fields\.cost\.scale'"),
    ({"name": "p", "table": "t", "fields": {"cost": {"sql": "c", "scale": -5}}}, r"'p'.*'fields\.cost\.scale'"),
    ({"name": "p", "table": "t", "fields": {"cost": {"scale": float("nan")}}}, r"'p'.*'fields\.cost\.scale'"),
    ({"name": "p", "table": "t", "fields": {"cost": {"integer": "yes"}}}, r"'p'.*'fields\.cost\.integer'"),
    ({"name": "p", "table": "t", "tenant": "org1"}, r"'p'.*'tenant_column'"),
    ({"name": "p", "table": "t", "tenant_column": "org"}, r"'p'.*'tenant'"),
    ({"name": "p", "table": 5}, r"'p'.*'table'"),
    ({"name": "p", "table": "t", "fields": ["model"]}, r"'p'.*'fields'"),
    ({"name": "p", "table": "t", "unmapped": "assets"}, r"'p'.*'unmapped'"),
    ({"name": "p", "table": "t", "default_columns": "no"}, r"'p'.*'default_columns'"),
    ({"name": "p", "table": "t", "tenant_column": "o", "tenant": 5}, r"'p'.*'tenant'"),
]


@pytest.mark.parametrize(("spec", "match"), BAD_PROFILES)
def test_bad_profiles_are_typed_errors_naming_profile_and_key(spec: dict[str, object], match: str) -> None:
    node = branch(L("model", "equals", "x"), "and", L("cost", "gt", 1))
    with pytest.raises(FilterTypeError, match=match):
        to_sql(node, profile=spec)


def test_bad_toml_and_bad_profile_or_dialect_types(tmp_path: Path) -> None:
    from filterlang.errors import FilterError
    from filterlang.sql import Profile

    bad = tmp_path / "broken.toml"
    bad.write_text('table = "t"\n[fields\n', encoding="utf-8")
    node = L("model", "equals", "x")
    with pytest.raises(FilterTypeError, match=r"'broken'.*not valid TOML"):
        where_sql(node, profile=str(bad))
    with pytest.raises(FilterTypeError, match=r"'broken'.*not valid TOML"):
        load_profile(bad)
    for kwargs in ({"profile": 5}, {"dialect": 5}, {"profile": None}, {"dialect": None}):
        for fn in (where_sql, to_sql, to_sqlglot):
            if fn is to_sqlglot and kwargs == {"dialect": None}:
                continue  # to_sqlglot's documented default
            with pytest.raises(FilterError):
                fn(node, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(FilterTypeError, match="'tenant_column'"):
        Profile(name="direct", table="t", tenant="org1")
    with pytest.raises(FilterTypeError, match="'tenant'"):
        users_sql(profile=Profile(name="direct", table="t", tenant_column="org"))


def test_columns_str_is_one_column_and_empty_is_refused() -> None:
    node = L("model", "equals", "x")
    assert to_sql(node, columns="request_id").sql == to_sql(node, columns=["request_id"]).sql
    assert to_sql(node, columns=("request_id", "model")).sql.startswith("SELECT requests.request_id AS request_id, ")
    for bad in ([], "", [""], [5]):
        with pytest.raises(FilterTypeError, match="columns"):
            to_sql(node, columns=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_escape_clause_only_when_the_pattern_has_a_backslash(dialect: str) -> None:
    from filterlang.sql.dialects import dialect_spec

    for op, plain, escaped in (("like", "gpt%", "50\\%%"), ("ilike", "gpt%", "a\\_b%"), ("contains", "x", "50%")):
        for inline in (False, True):
            assert "ESCAPE" not in where_sql(L("model", op, plain), dialect=dialect, inline=inline).sql
            with_bs = where_sql(L("model", op, escaped), dialect=dialect, inline=inline).sql
            needs = dialect_spec(dialect).like_escape and not (dialect == "sqlite" and op == "like")  # GLOB
            assert ("ESCAPE" in with_bs) == needs, with_bs
