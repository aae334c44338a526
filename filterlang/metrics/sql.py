"""The metrics overview as one SQL statement, for ClickHouse (chDB or a server) and DuckDB.

Built as one sqlglot tree by the filter compiler (:class:`filterlang.sql.compiler.Compiler`),
so the filter, the tenant guard, the users_view join and the parameters are the same
code as ``to_sql``; the engine spellings are the ``overview`` rows of
:mod:`filterlang.sql.dialects`. Steps 1-3 of semantics.md §4 run in the engine and, on
ClickHouse, step 4 too:

    per_user  the kept rows GROUP BY user_id: request_count = count, user_cost = the exact
              integer sum of the per-row nano-USD floor(cost * 1e9 + 0.5) (NULL and NaN
              count as 0, ±inf or |nanos| >= 2^63 is an error naming the cost), divided by
              1e9 once: the same double on every engine and in the reference
    sorted    each measure collected into one ascending array
    bounds    Q(p) and Q(1 - p) read off the sorted arrays with the contract's formula
              x_i + (pos - i)(x_{i+1} - x_i), pos = q(n - 1), so every engine cuts at the same
              double as the reference (no engine quantile function is used, and sqlglot
              never translates one: issue 12)
    cut       the kept values, still ascending
    result    ClickHouse: upstream's ``histogram(B)`` over the sorted cut array, or
              equal-width bins; DuckDB: the cut arrays themselves, bucketed by the reference
              code on the client (no histogram aggregate there).

Only per-user arrays cross into the last steps, so memory is O(users), never O(rows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .histogram import P_LEVELS

if TYPE_CHECKING:
    from ..sql import SqlQuery
    from ..sql.profiles import Profile

__all__ = ["overview_sql", "quantile"]

MEASURES = ("request_count", "user_cost")


def _col(name: str) -> exp.Column:
    return exp.column(exp.to_identifier(name))


def _num(v: int | float) -> exp.Expr:
    return exp.Literal.number(repr(v))


def overview_sql(
    request: Any,
    *,
    dialect: str = "clickhouse",
    profile: str | Profile | Mapping[str, Any] = "flat",
    method: str = "adaptive",
    bins: int = 10,
    source: str | exp.Expr | None = None,
) -> SqlQuery:
    """The overview for ``request`` as one parameterised statement in ``dialect``.

    ``request`` is the API body (dict, JSON text or :class:`OverviewRequest`). ``source`` is a
    table name or table expression read instead of the profile's table (e.g.
    ``"analytics.requests"`` or ``"file('x.parquet', Parquet)"``, parsed by sqlglot in the
    dialect); it must come from the program, never from an end user.

    ClickHouse returns one row with columns ``request_count`` and ``user_cost``, each an
    ``Array(Tuple(lower, upper, height))``: the histograms. DuckDB returns the same columns as
    the ascending cut values (``DOUBLE[]``, NULL when no user is kept), for the client to
    bucket with :func:`filterlang.metrics.histogram.bucket`.
    Raises a FilterError for an invalid request or filter, ValueError for bad options.
    """
    from ..sql.compiler import Compiler, cost_nanos, fill, select
    from ..sql.dialects import DIALECTS
    from . import MAX_BINS  # ClickHouse's histogram() limit, kept for every engine
    from .request import parse_request

    spec = DIALECTS.get(dialect)
    if spec is None or spec.overview is None:
        able = [d.name for d in DIALECTS.values() if d.overview is not None]
        raise ValueError(f"overview_sql supports dialects {', '.join(able)}, not {dialect!r}")
    ov = spec.overview
    if method not in ("adaptive", "equal"):
        raise ValueError(f"unknown method {method!r}; expected 'adaptive' or 'equal'")
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= MAX_BINS:
        raise ValueError(f"bins must be an integer from 1 to {MAX_BINS}, not {bins!r}")
    req = parse_request(request)
    c = Compiler(dialect, profile)

    def t(template: str, **subs: exp.Expr) -> exp.Expr:
        return fill(template, dialect, **subs)

    # per_user: the compiler's kept rows (tenant guard, users_view join), grouped by user
    kept = select(c, req.node)
    nanos = exp.Coalesce(this=exp.Sum(this=cost_nanos(c, c.column("cost"))), expressions=[_num(0)])
    per_user = kept.select(
        exp.alias_(t(ov.count), "request_count"), exp.alias_(nanos, "cost_nanos"), append=False
    ).group_by(c.column("user_id"))
    measure = {"request_count": _col("request_count"), "user_cost": t(spec.nanos_usd, v=_col("cost_nanos"))}
    sorted_ = exp.select(*(exp.alias_(t(ov.sorted_array, v=measure[m]), f"{m}_sorted") for m in MEASURES)).from_(
        "per_user"
    )

    hi, lo = P_LEVELS[req.p_size]
    bounds_cols: list[exp.Expr] = [_col(f"{m}_sorted") for m in MEASURES]
    for m in MEASURES:
        bounds_cols.append(exp.alias_(quantile(dialect, _col(f"{m}_sorted"), hi), f"{m}_hi"))
        if req.use_interquartile:
            bounds_cols.append(exp.alias_(quantile(dialect, _col(f"{m}_sorted"), lo), f"{m}_lo"))
    bounds = exp.select(*bounds_cols).from_("sorted")

    def keep(m: str) -> exp.Expr:
        cond: exp.Expr = exp.LTE(this=_col("x"), expression=_col(f"{m}_hi"))
        if req.use_interquartile:
            cond = exp.and_(exp.GTE(this=_col("x"), expression=_col(f"{m}_lo")), cond)
        return t(ov.keep, a=_col(f"{m}_sorted"), v=cond)

    cut = exp.select(*(exp.alias_(keep(m), f"{m}_kept") for m in MEASURES)).from_("bounds")

    bucket: Callable[[exp.Expr], exp.Expr] = lambda a: a  # noqa: E731  (the client buckets)
    if ov.adaptive is not None and method == "adaptive":
        name = exp.Literal.string(f"histogram({bins})")  # a validated int in the aggregate's name
        bucket = lambda a: t(ov.adaptive or "", a=a, b=name)  # noqa: E731
    elif ov.equal is not None:
        bucket = lambda a: t(ov.equal or "", a=a, b=_num(bins))  # noqa: E731
    final = exp.select(*(exp.alias_(bucket(_col(f"{m}_kept")), m) for m in MEASURES)).from_("cut")

    ctes: list[tuple[str, exp.Expr]] = []
    if source is not None:
        if not c.profile.table.isidentifier():
            raise ValueError(f"source= needs a profile whose table is a plain name, not {c.profile.table!r}")
        # the source stands in for the profile's table under the table's own name, so the
        # compiler's SQL (which names the table, twice for users_view) reads it
        ctes.append((c.profile.table, exp.select("*").from_(source, dialect=dialect)))
    ctes += [("per_user", per_user), ("sorted", sorted_), ("bounds", bounds), ("cut", cut)]
    for cte_name, q in ctes:
        final = final.with_(cte_name, as_=q)
    return c.render(final)


def quantile(dialect: str, a: exp.Expr, q: float) -> exp.Expr:
    """Q(q) of the ascending array ``a`` by the contract's formula (semantics.md §4, step 3).

    x_i + (pos - i)(x_{i+1} - x_i) with pos = q(n - 1), i = floor(pos), spelled with the
    dialect's array facts, so every engine cuts at the reference's double (no engine
    quantile function promises that form, and none is translated by sqlglot).
    """
    from ..sql.compiler import fill
    from ..sql.dialects import DIALECTS

    ov = DIALECTS[dialect].overview
    assert ov is not None

    def t(template: str, **subs: exp.Expr) -> exp.Expr:
        return fill(template, dialect, **subs)

    n = t(ov.length, a=a.copy())
    pos = exp.paren(exp.Mul(this=_num(q), expression=exp.paren(exp.Sub(this=n, expression=_num(1)))))
    i = t(ov.floor_int, v=pos.copy())
    x_i = t(ov.at, a=a.copy(), v=exp.Add(this=i.copy(), expression=_num(1)))
    nxt = t(ov.least, a=exp.Add(this=i.copy(), expression=_num(2)), v=t(ov.length, a=a.copy()))
    x_next = t(ov.at, a=a.copy(), v=nxt)
    frac = exp.paren(exp.Sub(this=pos, expression=i))
    step = exp.Mul(this=frac, expression=exp.paren(exp.Sub(this=x_next, expression=x_i.copy())))
    return exp.Add(this=x_i, expression=step)
