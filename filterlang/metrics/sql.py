"""The metrics overview as one SQL statement, for ClickHouse (chDB or a server) and DuckDB.

The statement does steps 1-3 of semantics.md §4 entirely in the engine and, on
ClickHouse, step 4 too:

    kept      the request rows the filter keeps (the SQL compiler's ``to_sql``; it joins the
              per-user users_view values when the filter needs them)
    per_user  GROUP BY user_id: request_count = count, user_cost = the exact integer sum of
              the per-row nano-USD floor(cost * 1e9 + 0.5), divided by 1e9 once (the same
              double on every engine and in the reference; upstream stores nano-USD)
    sorted    each measure collected into one ascending array
    bounds    Q(p) and Q(1 - p) read off the sorted arrays with the contract's formula
              x_i + (pos - i)(x_{i+1} - x_i), pos = q(n - 1), so every engine cuts at the same
              double as the reference (no engine quantile function promises that form)
    cut       the kept values, still ascending
    result    ClickHouse: ``arrayReduce('histogram(B)', cut)`` (the upstream algorithm, fed in
              ascending order because the array is sorted: an ORDER BY in a subquery would be
              dropped, semantics.md §6) or equal-width bins; DuckDB (no histogram aggregate):
              the cut arrays themselves, bucketed by the reference code on the client.

Only per-user arrays cross into the last steps, so memory is O(users), never O(rows).
Nothing from the request is pasted into the text: p levels and the bin count come from
fixed tables/validated ints, and filter values are bound parameters of the compiler.
Dialect differences are the :data:`DIALECTS` table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..fields import USERS_VIEW
from ..nodes import Node, iter_conditions, uses_table
from ..sql.dialects import DIALECTS as SQL_DIALECTS
from .histogram import P_LEVELS
from .reference import NANOS_PER_USD

if TYPE_CHECKING:
    from ..sql import SqlQuery
    from ..sql.profiles import Profile

__all__ = ["DIALECTS", "OverviewDialect", "overview_sql"]


@dataclass(frozen=True, slots=True)
class OverviewDialect:
    """How one engine spells the array steps. ``{a}`` an array, ``{x}`` a value, ``{c}`` a condition."""

    count: str  # request count of a group, as a double
    nanos: str  # a USD double as integer nano-USD, floor(x * 1e9 + 0.5), 128-bit
    int128: str  # an integer column as a 128-bit integer
    cost_usd: str  # a 128-bit nano-USD sum (NULL: no cost) as USD, float(sum) / 1e9
    sorted_array: str  # ascending array of a column's values over all rows
    length: str  # array length as a signed integer
    at: str  # 1-based element
    floor_int: str  # floor of a double as a signed integer
    double: str  # a decimal literal as the double nearest to it
    least: str
    filter: str  # array elements x satisfying {c} (which refers to x)
    buckets: bool  # the engine buckets in SQL (else the client buckets the cut arrays)
    adaptive: str = ""  # the adaptive histogram of an ascending array
    equal: str = ""  # equal-width bins of an ascending array ({b} = bin count)


_CH_BIN_TYPE = "Array(Tuple(Float64, Float64, Float64))"


def _compiler_template(dialect: str, name: str) -> str:
    """The compiler's spelling of a nano-USD step (one definition of the exact cost sum,
    shared with users_view ``user_cost``), as a ``{x}`` template."""
    template: str = getattr(SQL_DIALECTS[dialect], name)
    return template.replace("__v__", "{x}")


DIALECTS: dict[str, OverviewDialect] = {
    "clickhouse": OverviewDialect(
        count="toFloat64(count())",
        nanos=_compiler_template("clickhouse", "nanos"),
        int128=_compiler_template("clickhouse", "nanos_int"),
        # Int128 -> Float64 loses the sticky bit above 2^64 (measured: 2^70 + 2^17 + 1 rounds
        # down), Int64 -> Float64 is correctly rounded; every real sum takes the Int64 path.
        cost_usd=(
            "(if(abs(ifNull({x}, 0)) < toInt128('9223372036854775807'), "
            "toFloat64(toInt64(ifNull({x}, 0))), toFloat64(ifNull({x}, 0))) / 1e9)"
        ),
        sorted_array="arraySort(groupArray({x}))",
        length="toInt64(length({a}))",
        at="{a}[{x}]",
        floor_int="toInt64(floor({x}))",
        double="toFloat64({x})",
        least="least({a}, {x})",
        filter="arrayFilter(x -> {c}, {a})",
        buckets=True,
        adaptive="arrayReduce('histogram({b})', {a})",
        # Bin of v: least(B-1, floor((v - min)/w)); edges min + i*w, the last upper edge max;
        # all values equal: one bin (min, max, n); none: [] (semantics.md §4, equal method).
        equal=(
            "if(empty({a}), CAST([], '" + _CH_BIN_TYPE + "'), "
            "if({a}[1] = {a}[-1], [({a}[1], {a}[-1], toFloat64(length({a})))], "
            "arrayMap((i, c) -> ({a}[1] + i * (({a}[-1] - {a}[1]) / {b}), "
            "if(i = {b} - 1, {a}[-1], {a}[1] + (i + 1) * (({a}[-1] - {a}[1]) / {b})), toFloat64(c)), "
            "range({b}), "
            "arrayMap(i -> countEqual(arrayMap(v -> least({b} - 1, "
            "toInt64(floor((v - {a}[1]) / (({a}[-1] - {a}[1]) / {b})))), {a}), i), range({b})))))"
        ),
    ),
    "duckdb": OverviewDialect(
        count="CAST(count(*) AS DOUBLE)",
        nanos=_compiler_template("duckdb", "nanos"),
        int128=_compiler_template("duckdb", "nanos_int"),
        cost_usd="(CAST(coalesce({x}, 0) AS DOUBLE) / CAST(1e9 AS DOUBLE))",
        sorted_array="list({x} ORDER BY {x})",
        length="CAST(len({a}) AS BIGINT)",
        at="{a}[{x}]",
        floor_int="CAST(floor({x}) AS BIGINT)",
        double="CAST({x} AS DOUBLE)",
        least="least({a}, {x})",
        filter="list_filter({a}, lambda x: {c})",
        buckets=False,
    ),
}


def _request_parts(request: Any) -> tuple[Node, str, bool]:
    from .request import parse_request

    req = parse_request(request)
    return req.node, req.p_size, req.use_interquartile


def overview_sql(
    request: Any,
    *,
    dialect: str = "clickhouse",
    profile: str | Profile | Mapping[str, Any] = "flat",
    method: str = "adaptive",
    bins: int = 10,
    source: str | None = None,
) -> SqlQuery:
    """The overview for ``request`` as one parameterised statement in ``dialect``.

    ``request`` is the API body (dict, JSON text or :class:`OverviewRequest`). ``source`` is a
    table name or table expression read instead of the profile's table (e.g.
    ``"analytics.requests"`` or ``"file('x.parquet', Parquet)"``); it is used verbatim, so it
    must come from the program, never from an end user.

    ClickHouse returns one row with columns ``request_count`` and ``user_cost``, each an
    ``Array(Tuple(lower, upper, height))``: the histograms. DuckDB returns the same columns as
    the ascending cut values (``DOUBLE[]``, NULL when no user is kept), for the client to
    bucket with :func:`filterlang.metrics.histogram.bucket`.
    Raises a FilterError for an invalid request or filter, ValueError for bad options.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"overview_sql supports dialects {', '.join(DIALECTS)}, not {dialect!r}")
    if method not in ("adaptive", "equal"):
        raise ValueError(f"unknown method {method!r}; expected 'adaptive' or 'equal'")
    from . import MAX_BINS  # ClickHouse's histogram() limit, kept for every engine

    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= MAX_BINS:
        raise ValueError(f"bins must be an integer from 1 to {MAX_BINS}, not {bins!r}")
    node, p_size, interquartile = _request_parts(request)
    d = DIALECTS[dialect]
    from ..sql.profiles import resolve_profile

    prof = resolve_profile(profile)
    kept_sql, params = _kept_rows(node, dialect, prof)
    hi, lo = P_LEVELS[p_size]

    def quantile(a: str, q: float) -> str:
        n1 = f"({d.length.format(a=a)} - 1)"
        pos = f"({d.double.format(x=repr(q))} * {n1})"
        i = f"{d.floor_int.format(x=pos)}"
        x_i = d.at.format(a=a, x=f"{i} + 1")
        x_next = d.at.format(a=a, x=d.least.format(a=f"{i} + 2", x=d.length.format(a=a)))
        return f"{x_i} + ({pos} - {i}) * ({x_next} - {x_i})"

    def keep(measure: str) -> str:
        cond = f"x <= {measure}_hi"
        if interquartile:
            cond = f"x >= {measure}_lo AND {cond}"
        return d.filter.format(a=f"{measure}_sorted", c=cond)

    def bucket(measure: str) -> str:
        a = f"{measure}_kept"
        if not d.buckets:
            return a
        template = d.adaptive if method == "adaptive" else d.equal
        return template.format(a=a, b=bins)

    measures = ("request_count", "user_cost")
    bound_cols = ",\n    ".join(
        f"{quantile(f'{m}_sorted', hi)} AS {m}_hi"
        + (f",\n    {quantile(f'{m}_sorted', lo)} AS {m}_lo" if interquartile else "")
        for m in measures
    )
    # A source stands in for the profile's table under the table's own name, so the filter
    # compiler's SQL (which names the table, possibly twice for users_view) reads it.
    source_cte = ""
    if source is not None:
        if not prof.table.isidentifier():
            raise ValueError(f"source= needs a profile whose table is a plain name, not {prof.table!r}")
        source_cte = f"{prof.table} AS (\n  SELECT * FROM {source}\n),\n"
    sql = (
        "WITH\n" + source_cte + f"per_user AS (\n  SELECT {d.count} AS request_count, "
        f"{d.cost_usd.format(x='sum(cost_nanos)')} AS user_cost\n"
        f"  FROM (\n{kept_sql}\n  ) AS kept\n  GROUP BY user_id\n),\n"
        "sorted AS (\n  SELECT "
        + ", ".join(f"{d.sorted_array.format(x=m)} AS {m}_sorted" for m in measures)
        + "\n  FROM per_user\n),\n"
        f"bounds AS (\n  SELECT request_count_sorted, user_cost_sorted,\n    {bound_cols}\n  FROM sorted\n),\n"
        "cut AS (\n  SELECT " + ", ".join(f"{keep(m)} AS {m}_kept" for m in measures) + "\n  FROM bounds\n)\n"
        "SELECT " + ", ".join(f"{bucket(m)} AS {m}" for m in measures) + "\nFROM cut"
    )
    return _sql_query(sql, params)


def _kept_rows(node: Node, dialect: str, prof: Profile) -> tuple[str, dict[str, Any]]:
    """SELECT user_id, cost_nanos (128-bit integer nano-USD) of the kept rows, and the parameters.

    Always the compiler's ``to_sql``, even for "all": it is what ANDs a profile's tenant
    guard in front, so an overview can never read another tenant's rows.
    """
    from ..sql import to_sql

    q = to_sql(node, dialect=dialect, profile=prof, columns=["user_id", "cost"])
    kept = _prune_users_view(q.sql, node, dialect, prof)
    sql = f"SELECT k.user_id AS user_id, {_cost_nanos(prof, DIALECTS[dialect])} AS cost_nanos\nFROM (\n{kept}\n) AS k"
    # not re-indented: a line break inside a literal of the compiled SQL must stay as it is
    return sql, dict(q.params)


def _cost_nanos(prof: Profile, d: OverviewDialect) -> str:
    """The kept row's cost as integer nano-USD (stored cost = USD x scale).

    Integer columns whose scale divides 1e9 (upstream's UInt64 nano-USD, micros) are scaled
    exactly; a double in USD is rounded per row with floor(x * 1e9 + 0.5), the formula the
    reference uses, so all engines sum the same integers (checked on tricky doubles).
    """
    fm = prof.field_map("cost")
    scale = fm.scale
    if fm.integer and isinstance(scale, int) and scale > 0 and NANOS_PER_USD % scale == 0:
        factor = NANOS_PER_USD // scale
        return d.int128.format(x="k.cost") + ("" if factor == 1 else f" * {factor}")
    usd = "k.cost" if scale == 1 else f"k.cost / {float(scale)!r}"  # '/' is float division on both
    return d.nanos.format(x=usd)


def _prune_users_view(sql: str, node: Node, dialect: str, profile: Profile) -> str:
    """Drop the users_view aggregates the filter does not use from the compiled statement.

    The compiler joins every users_view field, and the engines do not prune all of them: a
    ``COUNT(DISTINCT day)`` (user_active_for and the per-day average) makes DuckDB run a
    second distinct aggregation over all rows even when no one reads it, which measured
    2.3x the hand-written query on 10M rows; pruned, 1.1x. The per-user subquery is exactly
    :func:`filterlang.sql.users_sql` (asserted by the substring test below), so only that
    small, fixed subquery is re-parsed, never the user's filter (sqlglot recurses on deep
    trees). If the compiler's output ever stops containing it verbatim, nothing is pruned.
    """
    if not uses_table(node, USERS_VIEW):
        return sql
    from sqlglot import exp, parse_one

    from ..sql import users_sql

    users = users_sql(dialect=dialect, profile=profile)
    if users.params or sql.count(users.sql) != 1:
        return sql
    wanted = {"user_id"} | {c.field for c in iter_conditions(node) if c.table == USERS_VIEW}
    tree = parse_one(users.sql, dialect=dialect)
    if not isinstance(tree, exp.Select):
        return sql
    keep = [e for e in tree.expressions if e.alias_or_name in wanted]
    if {e.alias_or_name for e in keep} != wanted:
        return sql
    tree.set("expressions", keep)
    return sql.replace(users.sql, tree.sql(dialect=dialect))


def _sql_query(sql: str, params: dict[str, Any]) -> SqlQuery:
    from ..sql import SqlQuery

    return SqlQuery(sql=sql, params=params)
