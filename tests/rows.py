"""Test data for the SQL/evaluator differential: hypothesis strategies and engine loaders.

Rows use the flat layout (filterlang.sql.layout.FLAT_COLUMNS) with plain Python values,
exactly what ``compile_predicate`` reads. Strings come from a small nasty pool (quotes,
LIKE metacharacters, backslashes, placeholders, non-ASCII, NUL) so filters drawn from
the data hit rows; costs are arbitrary decimals and doubles (user_cost is an exact
nano-USD integer sum, so per-user sums agree on every engine whatever the summation
order) and reach far above $2.15.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from filterlang.fields import FIELDS, FIELDS_BY_TABLE, OPERATORS, REQUESTS, USERS_VIEW, Kind
from filterlang.metrics.reference import cost_nanos
from filterlang.nodes import Condition, Node, branch, conditions_to_leaf, make_leaf
from filterlang.sql.layout import FLAT_COLUMNS, flat_ddl

NASTY = [
    "",
    "a",
    "A",
    "gpt-4o",
    "GPT-4o-mini",
    "claude",
    "null",
    "x' OR '1'='1",
    "\\'; DROP TABLE requests; --",
    "%",
    "_",
    "\\",
    "a\\b",
    "50% off_now",
    "$1",
    "{p0: String}",
    "{p0:String}",
    ":name",
    "%(p0)s",
    "?",
    "é",
    "É",
    "Émile",
    "straße",
    "日本",
    'quote"d',
    "tab\there",
    "line\nbreak",
    "[ab]*?",
]
NUL_STRINGS = ["a\x00b", "\x00"]
KEYS = [
    "k",
    "K",
    "env",
    "x' OR '1'='1",
    "%",
    "_",
    "a\\b",
    "{p0: String}",
    "é",
    "sp ace",
    'q"k',
    "helicone-score-feedback",
]
USERS = ["alice", "bob", "", "Carol", "x' OR '1'='1"]
BASE = datetime(2026, 1, 30, 23, 59, 58, tzinfo=UTC)
TEXT_FIELDS = [f.name for f in FIELDS_BY_TABLE[REQUESTS].values() if f.kind is Kind.TEXT]
NUM_FIELDS = [f.name for f in FIELDS_BY_TABLE[REQUESTS].values() if f.kind is Kind.NUMBER]


def text_pool(nul: bool) -> list[str]:
    return NASTY + (NUL_STRINGS if nul else [])


# Far instants (docs/sql.md): years before 1000 need zero-padded bounds, 9999 has no
# "+1ms". Data holds them only on engines whose columns do (not chDB: toDate is 1970-2149).
FAR = [
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(99, 6, 15, 12, 0, 0, 123456, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]


@st.composite
def timestamps(draw: st.DrawFn) -> datetime:
    # within a few days around a UTC midnight, microsecond precision (sub-ms digits)
    us = draw(st.integers(-3 * 86_400_000_000, 3 * 86_400_000_000))
    us = draw(st.sampled_from([us, us - us % 1000, us - us % 1_000_000]))
    return BASE + timedelta(microseconds=us)


@st.composite
def rows(
    draw: st.DrawFn, *, nul: bool = True, far: bool = False, min_size: int = 1, max_size: int = 14
) -> list[dict[str, Any]]:
    pool = text_pool(nul)
    stamps = st.one_of(timestamps(), st.sampled_from(FAR)) if far else timestamps()
    text = st.one_of(st.none(), st.sampled_from(pool))
    n = draw(st.integers(min_size, max_size))
    out: list[dict[str, Any]] = []
    for i in range(n):
        r: dict[str, Any] = {}
        for name, t in FLAT_COLUMNS.items():
            if name == "request_id":
                r[name] = f"r{i}"
            elif name == "user_id":
                r[name] = draw(st.one_of(st.sampled_from(USERS), st.none()))
            elif t == "text":
                r[name] = draw(text)
            elif t == "cost":
                r[name] = draw(
                    st.one_of(
                        st.none(),
                        st.integers(0, 2**20).map(lambda k: k / 64),  # up to $16384, exact
                        st.integers(0, 10**13).map(lambda k: k / 10**9),  # decimals, inexact in binary
                        st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False),
                        st.sampled_from([0.0, 0.1, 0.2, 0.3, 2.15, 2.15625, 2.5, 3.0, 3.3, 4.296875]),
                    )
                )
            elif t == "int":
                r[name] = draw(st.one_of(st.none(), st.integers(-5, 5), st.integers(-(2**40), 2**40)))
            elif t == "bool":
                r[name] = draw(st.one_of(st.none(), st.booleans()))
            elif t == "timestamp":
                r[name] = draw(st.one_of(st.none(), stamps))
            elif t == "map":
                r[name] = draw(
                    st.one_of(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(pool), max_size=3), st.none())
                )
            elif t == "score_map":
                r[name] = draw(
                    st.one_of(st.dictionaries(st.sampled_from(KEYS), st.integers(-3, 12), max_size=3), st.none())
                )
        out.append(r)
    return out


def _iso(d: datetime) -> str:
    d = d.astimezone(UTC)  # no strftime("%Y"): it does not zero-pad years before 1000
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}.{d.microsecond:06d}Z"


@st.composite
def conditions(
    draw: st.DrawFn,
    data: list[dict[str, Any]],
    *,
    nul: bool = True,
    users: bool = True,
    exclude: frozenset[str] = frozenset(),
) -> Condition:
    """One condition over any field/operator, the value usually taken from ``data``."""
    names = [f for f in FIELDS if (users or FIELDS[f].table != USERS_VIEW) and f not in exclude]
    # pick a kind first so the few map/timestamp/boolean fields are exercised as often as text
    groups: dict[Any, list[str]] = {}
    for f_ in names:
        groups.setdefault((FIELDS[f_].kind, FIELDS[f_].table), []).append(f_)
    name = draw(st.sampled_from(draw(st.sampled_from(list(groups.values())))))
    f = FIELDS[name]
    op = draw(st.sampled_from(OPERATORS[f.kind]))
    seen = [r.get(name) for r in data]
    if f.kind is Kind.PROPERTY_KEY:
        keys = [k for r in data for k in (r.get("properties") or {})]
        return Condition(name, op, draw(st.sampled_from(keys + KEYS)))
    if f.kind is Kind.MAP:
        keys = [k for r in data for k in (r.get(name) or {})]
        key = draw(st.sampled_from(keys + KEYS))
        vals = [str(v) for r in data for v in (r.get(name) or {}).values()]
        value = draw(st.one_of(st.sampled_from(vals + text_pool(nul)), _pattern(vals, nul)))
        return Condition(name, op, value, key)
    if f.value_kind is Kind.TEXT:
        vals = [v for v in seen if isinstance(v, str)]
        value = draw(st.one_of(st.sampled_from(vals + text_pool(nul)), _pattern(vals, nul)))
        return Condition(name, op, value)
    if f.kind is Kind.NUMBER:
        vals = [v for v in seen if isinstance(v, int | float) and not isinstance(v, bool)]
        cands = st.sampled_from(vals) if vals else st.integers(-5, 5)
        value = draw(st.one_of(cands, cands, st.integers(-5, 5), st.sampled_from([2.15, 2.5, 2.147483648, 0.5])))
        return Condition(name, op, value)
    if f.kind is Kind.TIMESTAMP:
        vals = [v for v in seen if isinstance(v, datetime)]
        d = (
            draw(st.sampled_from(vals))
            if vals and draw(st.booleans())
            else draw(st.one_of(timestamps(), st.sampled_from(FAR)))
        )
        s = _iso(d)
        forms = [s, s[:23] + "Z", s[:19] + "Z"] + ([s[:19] + "+02:00"] if d.year > 1 else [])
        s = draw(st.sampled_from(forms))
        return Condition(name, op, s)
    return Condition(name, op, draw(st.booleans()))


@st.composite
def _pattern(draw: st.DrawFn, vals: list[str], nul: bool) -> str:
    """A LIKE-ish pattern made from a data value: cut, wildcards, case changes."""
    src = draw(st.sampled_from(vals + text_pool(nul)))
    if src:
        i = draw(st.integers(0, len(src)))
        j = draw(st.integers(i, len(src)))
        src = src[i:j]
    pre = draw(st.sampled_from(["", "%", "_", "\\"]))
    post = draw(st.sampled_from(["", "%", "_", "\\%", "\\"]))
    s = pre + src + post
    return draw(st.sampled_from([s, s.upper(), s.lower()]))


@st.composite
def filters(
    draw: st.DrawFn,
    data: list[dict[str, Any]],
    *,
    nul: bool = True,
    users: bool = True,
    exclude: frozenset[str] = frozenset(),
) -> Node:
    """A random and/or tree of 1-6 leaves; leaves hold one or two conditions."""
    k = draw(st.integers(1, 6))
    leaves: list[Node] = []
    for _ in range(k):
        conds = [draw(conditions(data, nul=nul, users=users, exclude=exclude))]
        if draw(st.integers(0, 4)) == 0:
            c2 = draw(conditions(data, nul=nul, users=users, exclude=exclude))
            try:
                leaves.append(conditions_to_leaf([conds[0], c2]))
                continue
            except ValueError:
                pass
        leaves.append(make_leaf(conds[0]))
    while len(leaves) > 1:
        i = draw(st.integers(0, len(leaves) - 2))
        op = draw(st.sampled_from(["and", "or"]))
        leaves[i : i + 2] = [branch(leaves[i], op, leaves[i + 1])]
    return leaves[0]


# ---------------------------------------------------------------- loaders


def _ms_text(d: datetime | None) -> str | None:
    if d is None:
        return None
    d = d.astimezone(UTC)
    return _iso(d)[:23].replace("T", " ")


def load_duckdb(con: Any, data: list[dict[str, Any]]) -> None:
    con.execute("DROP TABLE IF EXISTS requests")
    con.execute(flat_ddl("duckdb"))
    cols = list(FLAT_COLUMNS)
    ph = ", ".join(f"${i + 1}" for i in range(len(cols)))
    values = []
    for r in data:
        row = []
        for c in cols:
            v = r.get(c)
            if isinstance(v, datetime):
                v = v.astimezone(UTC).replace(tzinfo=None)
            row.append(v)
        values.append(row)
    if values:
        con.executemany(f"INSERT INTO requests VALUES ({ph})", values)


def load_sqlite(con: Any, data: list[dict[str, Any]]) -> None:
    con.execute("DROP TABLE IF EXISTS requests")
    con.execute(flat_ddl("sqlite"))
    cols = list(FLAT_COLUMNS)
    values = []
    for r in data:
        row = []
        for c in cols:
            v = r.get(c)
            t = FLAT_COLUMNS[c]
            if t == "timestamp":
                v = _ms_text(v)
            elif t in ("map", "score_map"):
                v = None if v is None else json.dumps(v, ensure_ascii=False)
            elif isinstance(v, bool):
                v = int(v)
            row.append(v)
        values.append(row)
    con.executemany(f"INSERT INTO requests VALUES ({', '.join('?' * len(cols))})", values)


def load_chdb(sess: Any, data: list[dict[str, Any]], *, table: str = "requests") -> None:
    sess.query(f"DROP TABLE IF EXISTS {table}")
    sess.query(flat_ddl("clickhouse", table))
    if not data:
        return
    lines = []
    for r in data:
        d: dict[str, Any] = {}
        for c in FLAT_COLUMNS:
            v = r.get(c)
            if isinstance(v, datetime):
                v = _ms_text(v)
            elif FLAT_COLUMNS[c] in ("map", "score_map") and v is None:
                v = {}
            d[c] = v
        lines.append(json.dumps(d, ensure_ascii=False))
    sess.query(f"INSERT INTO {table} FORMAT JSONEachRow\n" + "\n".join(lines))


def load_postgres(conn: Any, data: list[dict[str, Any]]) -> None:
    from psycopg.types.json import Jsonb

    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS requests")
        cur.execute(flat_ddl("postgres"))
        cols = list(FLAT_COLUMNS)
        values = []
        for r in data:
            row = []
            for c in cols:
                v = r.get(c)
                if FLAT_COLUMNS[c] in ("map", "score_map") and v is not None:
                    v = Jsonb(v)
                row.append(v)
            values.append(row)
        if values:
            cur.executemany(f"INSERT INTO requests VALUES ({', '.join(['%s'] * len(cols))})", values)
    conn.commit()


def ids(result_rows: Any) -> set[str]:
    return {r[0] for r in result_rows}


# ---------------------------------------------------------------- helicone (upstream) layout

HELICONE_UNMAPPED = {"scores_column"}
# Fields of the logical row that upstream's table computes from other columns.
HELICONE_DERIVED = {"helicone-score-feedback", "search_properties", "cached"}
FEEDBACK = "helicone-score-feedback"
ZERO_UUID = "00000000-0000-0000-0000-000000000000"
ORGS = ["org1", "org2", "x' OR '1'='1"]
_HELICONE_TYPES = {
    "text": "String",
    "int": "Int64",
    "bool": "Bool",
    "timestamp": "DateTime64(3)",
    "map": "Map(LowCardinality(String), String)",
    "score_map": "Map(LowCardinality(String), Int64)",
}
HELICONE_COLUMNS: dict[str, str] = {}
for _n, _t in FLAT_COLUMNS.items():
    if _n in HELICONE_UNMAPPED or _n in HELICONE_DERIVED:
        continue
    if _n == "cost":
        HELICONE_COLUMNS[_n] = "UInt64"
    elif _n == "assets":
        HELICONE_COLUMNS[_n] = "Array(String)"
    elif _n == "status":
        HELICONE_COLUMNS[_n] = "Int32"
    else:
        HELICONE_COLUMNS[_n] = _HELICONE_TYPES[_t]


@st.composite
def helicone_rows(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(physical rows for request_response_rmt, the same rows as the evaluator sees them)."""
    base = draw(rows(nul=True))
    phys: list[dict[str, Any]] = []
    logical: list[dict[str, Any]] = []
    for r in base:
        p: dict[str, Any] = {}
        for name, t in HELICONE_COLUMNS.items():
            v = r.get(name)
            if name == "organization_id":
                v = draw(st.sampled_from(ORGS))
            elif name == "cost":
                usd = v if v is not None else 0.0
                v = cost_nanos(usd)  # nano-USD, the overview's rounding
            elif name == "cache_reference_id":
                v = draw(st.sampled_from([ZERO_UUID, "6e2f8c1e-0000-4000-8000-000000000001", ""]))
            elif name == "assets":
                v = draw(st.lists(st.sampled_from(["img1", "a,b", "É", ""]), max_size=2))
            elif v is None:
                v = {"String": "", "Int64": 0, "Int32": 0, "Bool": False, "UInt64": 0}.get(HELICONE_COLUMNS[name], {})
                if t.startswith("DateTime64"):
                    v = BASE
            if name == "status" and isinstance(v, int):
                v = max(-(2**31), min(2**31 - 1, v))
            p[name] = v
        phys.append(p)
        lg = dict(p)
        lg["cost"] = p["cost"] / 1e9
        lg["cached"] = p["cache_reference_id"] != ZERO_UUID
        lg["search_properties"] = p["properties"]
        lg["assets"] = ",".join(p["assets"])
        lg[FEEDBACK] = feedback(p["scores"])
        logical.append(lg)
    return phys, logical


def feedback(scores: dict[str, int]) -> bool | None:
    """``helicone-score-feedback`` read off the scores (semantics.md §3): 1 true, 0 or missing
    false; any other score is neither (the flat layout's NULL)."""
    return {1: True, 0: False}.get(scores.get(FEEDBACK, 0))


def load_helicone_chdb(sess: Any, data: list[dict[str, Any]]) -> None:
    sess.query("DROP TABLE IF EXISTS request_response_rmt")
    cols = ", ".join(f'"{n}" {t}' for n, t in HELICONE_COLUMNS.items())
    sess.query(f"CREATE TABLE request_response_rmt ({cols}) ENGINE = Memory")
    lines = []
    for r in data:
        d = {k: (_ms_text(v) if isinstance(v, datetime) else v) for k, v in r.items()}
        lines.append(json.dumps(d, ensure_ascii=False))
    if lines:
        sess.query("INSERT INTO request_response_rmt FORMAT JSONEachRow\n" + "\n".join(lines))


# ---------------------------------------------------------------- injection
# Values and map keys aimed at every placeholder style and quoting rule of the engines we run;
# one list and one filter set for every engine's injection test (DuckDB, SQLite, chDB,
# PostgreSQL, MariaDB, Spark).
INJECTION = [
    "x' OR '1'='1",
    "\\'; DROP TABLE requests; --",
    "'; DROP TABLE requests; --",
    "%",
    "_",
    "\\",
    "\\\\",
    "a\\%b",
    "$1",
    "{p0: String}",
    "{p0:String}",
    ":name",
    ":p0",
    "%(p0)s",
    "%s",
    "?",
    "@p0",
    "' || '",
    '"',
    "`",
    "]",
]


def injection_rows(nul: bool) -> list[dict[str, Any]]:
    """One row per injection value (as model, user, map key and value), plus a plain row."""
    vals = INJECTION + (NUL_STRINGS if nul else [])
    out: list[dict[str, Any]] = [
        {"request_id": f"r{i}", "model": v, "user_id": v, "properties": {v: v}, "scores": {v: i}}
        for i, v in enumerate(vals)
    ]
    out.append({"request_id": "plain", "model": "plain", "properties": {"k": "plain"}, "scores": {}})
    return out


def injection_filters(data: list[dict[str, Any]]) -> list[Node]:
    """Every text operator, map lookup and users_view comparison with each row's value."""
    return [
        make_leaf(cond)
        for v in (r["model"] for r in data)
        for cond in (
            Condition("model", "equals", v),
            Condition("model", "not-equals", v),
            Condition("model", "like", v),
            Condition("model", "ilike", v),
            Condition("model", "contains", v),
            Condition("model", "not-contains", v),
            Condition("properties", "equals", v, v),
            Condition("properties", "contains", v, v),
            Condition("scores", "equals", "0", v),
            Condition("property_key", "equals", v),
            Condition("user_user_id", "equals", v),
        )
    ]
