"""The overview on Apache Spark: a local session, a ``spark://`` cluster or Spark Connect (``sc://``).

Which work runs where (docs/scale.md):

- **in Spark**: reading the data, the filter (the compiler's ``spark`` SQL with bound
  ``:p0`` parameters), the users_view join, and the per-user aggregation (request count,
  the exact integer nano-USD cost sum); the per-user table is persisted once and then
- **streamed to the driver in ascending order**, one measure at a time
  (range partitions, sorted and cached, fetched one at a time as Arrow: one partition in memory at a time, never
  a ``collect``), where the exact percentile cut (:func:`cut_stream`, the contract's
  Q(q) with the number of users known up front) and the upstream-compatible adaptive
  histogram (:func:`filterlang.metrics.histogram.adaptive_histogram`, which holds 2·B
  points) consume it. The stream stops at the first value above the cut.
- ``method="equal"`` buckets inside Spark: the stream only finds the two cut bounds,
  then one aggregate counts each bin (integer counts, no order needed).

Spark's ``histogram_numeric`` and ``percentile_approx`` are never used: its adaptive
histogram is a different algorithm whose answer changes with the number of partitions,
and ``percentile_approx`` is approximate. The cut and the buckets are exact here on any
cluster size.

Session time zone: timestamps are UTC instants (semantics.md §3); the engine sets
``spark.sql.session.timeZone`` to UTC for its queries and restores the previous value.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from . import sources
from .histogram import P_LEVELS, Bin, adaptive_histogram, to_rows

if TYPE_CHECKING:
    from .request import OverviewRequest

__all__ = ["SPARK_READERS", "cut_stream", "run_spark", "spark_session"]

MEASURES = ("request_count", "user_cost")
STREAM_PARTITION_USERS = 1_000_000  # per-user values per streamed partition (~8 MB of doubles)

# A row's cost as integer nano-USD, floor(cost * 1e9 + 0.5) in double arithmetic (the
# reference's money.cost_nanos). NaN counts as 0 (NULL), like a NULL cost. A cost with no
# 64-bit nano-USD value (+-inf, |cost * 1e9| >= 2^63) is an error naming the cost: Spark's
# FLOOR of a double saturates at the BIGINT limits silently, so the range is checked first.
NANOS_SQL = (
    "CASE WHEN k.cost IS NULL OR isnan(k.cost) THEN NULL "
    "WHEN abs(k.cost * 1e9 + 0.5) < 9.223372036854775807E18 THEN CAST(FLOOR(k.cost * 1e9 + 0.5) AS BIGINT) "
    "ELSE raise_error(concat('bad data: cost ', CAST(k.cost AS STRING), "
    "' USD has no 64-bit nano-USD value (the overview sums integer nano-USD)')) END"
)
# The exact per-user sum: try_sum gives NULL instead of wrapping past 64 bits, which
# becomes an error (semantics.md §3: "computed in 128 bits or a clear error").
PER_USER_SQL = (
    "SELECT CAST(COUNT(*) AS DOUBLE) AS request_count, "
    "CASE WHEN COUNT(n) > 0 AND try_sum(n) IS NULL "
    "THEN raise_error('a user_cost sum is beyond 64-bit nano-USD (about $9.2 billion)') "
    "ELSE CAST(COALESCE(try_sum(n), 0) AS DOUBLE) / 1e9 END AS user_cost "
    "FROM (SELECT k.user_id AS user_id, {nanos} AS n FROM ({kept}) AS k) AS rows GROUP BY user_id"
)

# Reader options per file kind: RFC 4180 CSV (doubled quotes, fields verbatim, an empty
# unquoted field is NULL, a quoted one the empty string); JSON Lines one object per line.
SPARK_READERS: dict[str, dict[str, str]] = {
    "csv": {
        "header": "true",
        "quote": '"',
        "escape": '"',
        "multiLine": "true",
        "ignoreLeadingWhiteSpace": "false",
        "ignoreTrailingWhiteSpace": "false",
        "nullValue": "",
        "mode": "FAILFAST",
        "timestampFormat": "yyyy-MM-dd HH:mm:ss[.SSS]",
    },
    "jsonl": {"mode": "FAILFAST", "timestampFormat": "yyyy-MM-dd HH:mm:ss[.SSS]"},
    "parquet": {},
}
_SPARK_TYPES = {
    "text": "STRING",
    "cost": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "map": "MAP<STRING, STRING>",
    "score_map": "MAP<STRING, BIGINT>",
}
_GLOB_CHARS = "\\[]{}*?"  # Hadoop glob syntax: a path names one file, taken literally (semantics §8)


def spark_session(master: str | None = None) -> Any:
    """The SparkSession to run on: ``sc://host`` (Spark Connect), ``spark://host:7077``,
    ``local[N]``, or None for the active session (else a new ``local[*]`` one)."""
    from pyspark.sql import SparkSession

    if master and master.startswith("sc://"):
        return SparkSession.builder.remote(master).getOrCreate()
    if master is None:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
    builder = SparkSession.builder.master(master or "local[*]").appName("filterlang-overview")
    return builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()


def _is_spark_frame(obj: Any) -> bool:
    return type(obj).__module__.startswith("pyspark.") and hasattr(obj, "createOrReplaceTempView")


def _literal_path(path: str) -> str:
    return "".join("\\" + ch if ch in _GLOB_CHARS else ch for ch in path)


def _read(session: Any, source: Any, table: str | None) -> Any:
    """The DataFrame in the flat layout for a Spark DataFrame, a table name, a file or a frame."""
    if table is not None:
        return session.table(table)
    if _is_spark_frame(source):
        return source
    src = sources.resolve(source)
    if src.path is None:  # an Arrow table (or pandas/polars frame) in this process
        return session.createDataFrame(src.table)
    path = _literal_path(str(src.path))  # not as_uri(): Spark does not percent-decode
    reader = session.read.options(**SPARK_READERS[src.kind])
    if src.kind == "parquet":
        return reader.parquet(path)
    # text formats: the flat types spelled out (inference would read cost as a string);
    # CSV holds maps as JSON object text, parsed back here
    cols = [c for c in src.columns if c in sources.FLAT_TYPES]
    if src.kind == "jsonl":
        schema = ", ".join(f"`{c}` {_SPARK_TYPES[sources.FLAT_TYPES[c]]}" for c in cols)
        return reader.schema(schema).json(path)
    from pyspark.sql import functions as F

    # Spark reads a quoted "" as its emptyValue and then turns any value equal to nullValue
    # ("") into NULL, so '' and NULL would merge (two users become one): a quoted "" is read
    # as a one-off marker and turned back into '' here; an unquoted empty field stays NULL.
    marker = f"\x00filterlang-empty-{uuid.uuid4().hex}"
    text_types = {c: "STRING" if sources.FLAT_TYPES[c] in sources.MAP_TYPES else None for c in cols}
    schema = ", ".join(f"`{c}` {text_types[c] or _SPARK_TYPES[sources.FLAT_TYPES[c]]}" for c in cols)
    df = reader.option("emptyValue", marker).schema(schema).csv(path)
    out = []
    for c in cols:
        col = F.col(f"`{c}`")
        logical = sources.FLAT_TYPES[c]
        if logical == "text" or text_types[c] is not None:
            col = F.when(col == F.lit(marker), F.lit("")).otherwise(col)
        if text_types[c] is not None:
            col = F.from_json(col, _SPARK_TYPES[logical])
        out.append(col.alias(c))
    return df.select(*out)


# Spark types each flat column may have (semantics.md §8: anything else is a clear error).
_ACCEPTED: dict[str, frozenset[str]] = {
    "text": frozenset({"string"}),
    "cost": frozenset({"double", "float", "bigint", "int", "smallint", "tinyint"}),
    "int": frozenset({"bigint", "int", "smallint", "tinyint"}),
    "bool": frozenset({"boolean"}),
    "timestamp": frozenset({"timestamp", "timestamp_ntz"}),
    "map": frozenset({"map<string,string>"}),
    "score_map": frozenset({"map<string,bigint>", "map<string,int>", "map<string,smallint>", "map<string,tinyint>"}),
}


def _flat(df: Any, label: str) -> Any:
    """``df`` checked against the flat layout, missing columns (and all-NULL ``void`` ones)
    added as typed NULLs, so a narrow input works for every filter (semantics.md §8)."""
    from pyspark.sql import functions as F

    types = {f.name: f.dataType.simpleString() for f in df.schema.fields}
    for name, t in types.items():
        logical = sources.FLAT_TYPES.get(name)
        if logical is not None and t != "void" and t not in _ACCEPTED[logical]:
            raise sources.SourceError(
                f"{label}: column {name!r} has type {t}, which does not fit the flat layout's "
                f"{logical} column (expected {' or '.join(sorted(_ACCEPTED[logical]))})"
            )
    fill = [
        F.lit(None).cast(_SPARK_TYPES[t]).alias(c)
        for c, t in sources.FLAT_TYPES.items()
        if c not in types or types[c] == "void"
    ]
    if not fill:
        return df
    keep = [F.col(f"`{c}`") for c, t in types.items() if t != "void"]
    return df.select(*keep, *fill)


@contextmanager
def _utc(session: Any) -> Iterator[None]:
    key = "spark.sql.session.timeZone"
    before = session.conf.get(key)
    session.conf.set(key, "UTC")
    try:
        yield
    finally:
        session.conf.set(key, before)


def run_spark(
    req: OverviewRequest,
    source: Any,
    *,
    method: str = "adaptive",
    bins: int = 10,
    master: str | None = None,
    table: str | None = None,
    session: Any = None,
) -> dict[str, Any]:
    """The Result's ``data`` for a validated request on Spark (FilterError for a bad filter).

    ``source``: a Spark DataFrame, a Parquet/CSV/JSONL path (readable by the executors),
    an Arrow table or pandas/polars frame; or ``table=`` a table in the session's catalog.
    ``session`` wins over ``master`` (see :func:`spark_session`). Engine failures (bad
    data, unreadable files) raise :class:`filterlang.metrics.sources.SourceError`.
    """
    from ..sql import to_sql

    q = to_sql(req.node, dialect="spark", columns=["user_id", "cost"])  # FilterError before Spark starts
    session = session or spark_session(master)
    from pyspark.errors import PySparkException

    view = f"filterlang_requests_{uuid.uuid4().hex}"
    per_user: Any = None
    try:
        with _utc(session):
            df = _flat(_read(session, source, table), _where(source, table))
            df.createOrReplaceTempView(view)
            kept = f"WITH requests AS (SELECT * FROM `{view}`) {q.sql}"
            text = PER_USER_SQL.format(nanos=NANOS_SQL, kept=kept)
            per_user = (session.sql(text, args=q.params) if q.params else session.sql(text)).persist()
            n = per_user.count()
            out: dict[str, Any] = {}
            for m in MEASURES:
                out[m] = to_rows(_measure(per_user, m, n, req.p_size, req.use_interquartile, method, bins))
            return out
    except PySparkException as e:
        raise sources.SourceError(f"the overview failed on Spark ({_where(source, table)}): {_message(e)}") from e
    finally:
        if per_user is not None:
            per_user.unpersist()
        with suppress(Exception):  # the session may be gone already; nothing left to clean
            session.catalog.dropTempView(view)


def _where(source: Any, table: str | None) -> str:
    if table is not None:
        return f"table {table}"
    if isinstance(source, str | os.PathLike):
        return str(source)
    return type(source).__name__


def _message(e: BaseException) -> str:
    text = str(e).strip()
    first = text.splitlines()[0] if text else type(e).__name__
    return first if len(first) <= 400 else first[:399] + "…"


def _measure(per_user: Any, m: str, n: int, p_size: str, interquartile: bool, method: str, bins: int) -> list[Bin]:
    if n == 0:
        return []
    from pyspark.sql import functions as F

    # Range partitions of at most STREAM_PARTITION_USERS values, each sorted and cached, then
    # fetched one at a time as Arrow (a column of doubles, not a Row object per user): the
    # driver holds one partition at a time, whatever the number of users.
    parts = max(1, -(-n // STREAM_PARTITION_USERS))
    ordered = (
        per_user.select(F.col(m).cast("double").alias("x"))
        .repartitionByRange(parts, "x")
        .sortWithinPartitions("x")
        .persist()
    )
    try:
        stream = _ascending(ordered, parts)
        if method == "adaptive":
            return adaptive_histogram(cut_stream(stream, n, p_size, interquartile), bins)
        lo, hi = cut_bounds(stream, n, p_size, interquartile)
    finally:
        ordered.unpersist()
    return _equal_in_spark(per_user.select(F.col(m).alias("x")), lo, hi, bins)


def _ascending(ordered: Any, parts: int) -> Iterator[float]:
    """The values of a range-partitioned, partition-sorted, cached frame in ascending order."""
    from pyspark.sql import functions as F

    for i in range(parts):
        yield from ordered.where(F.spark_partition_id() == i).toArrow().column(0).to_pylist()


def _equal_in_spark(values: Any, lo: float, hi: float, bins: int) -> list[Bin]:
    """semantics.md §4 equal-width bins over the kept values, counted by Spark."""
    from pyspark.sql import functions as F

    kept = values.where((F.col("x") >= F.lit(lo)) & (F.col("x") <= F.lit(hi)))
    row = kept.agg(F.min("x"), F.max("x"), F.count(F.lit(1))).first()
    if row is None or not row[2]:
        return []
    mn, mx, count = float(row[0]), float(row[1]), int(row[2])
    if mn == mx:
        return [(mn, mx, float(count))]
    width = (mx - mn) / bins
    last = bins - 1
    b = F.least(F.lit(last), F.floor((F.col("x") - F.lit(mn)) / F.lit(width)).cast("int"))
    counts = {int(r[0]): int(r[1]) for r in kept.groupBy(b.alias("b")).count().collect()}
    return [(mn + i * width, mx if i == last else mn + (i + 1) * width, float(counts.get(i, 0))) for i in range(bins)]


# ---------------------------------------------------------------- the exact cut over a stream


def _position(q: float, n: int) -> tuple[float, int]:
    pos = q * (n - 1)
    return pos, math.floor(pos)


def _q(pos: float, i: int, n: int, x_i: float, x_next: float) -> float:
    """The contract's Q(q) from its two order statistics (histogram.quantile's exact form)."""
    if i >= n - 1:
        return x_i
    return x_i + (pos - i) * (x_next - x_i)


def cut_stream(values: Iterable[float], n: int, p_size: str, interquartile: bool) -> Iterator[float]:
    """The values :func:`filterlang.metrics.histogram.percentile_cut` keeps, from an ascending
    stream of ``n`` values, holding O(1) of them (a run of equal values is counted, not kept).

    Q(p) needs x_i and x_{i+1} (i = floor(p(n-1))); every value up to x_i is <= Q(p), so it
    is passed on before Q(p) is known, and the stream stops at the first value above it.
    With interquartile, a value before x_{j+1} (j for 1 - p) is <= x_j <= Q(1-p): only a run
    equal to x_j can equal Q(1-p), so that run is counted and released once Q(1-p) is known.
    """
    if n <= 0:
        return
    p, one_minus_p = P_LEVELS[p_size]
    hi_pos, hi_i = _position(p, n)
    lo_pos, lo_i = _position(one_minus_p, n) if interquartile else (0.0, -1)
    hi_known, lo_known = min(hi_i + 1, n - 1), min(lo_i + 1, n - 1)
    hi = lo = math.nan
    x_hi = x_lo = math.nan
    held_v, held_n = math.nan, 0
    for k, v in enumerate(values):
        if k == lo_i:
            x_lo = v
        if k == hi_i:
            x_hi = v
        if interquartile and k == lo_known:
            lo = _q(lo_pos, lo_i, n, x_lo, v)
            if held_v == lo:  # held_v <= x_j <= lo: kept only when equal
                yield from (held_v for _ in range(held_n))
            held_n = 0
        if k == hi_known:
            hi = _q(hi_pos, hi_i, n, x_hi, v)
        if interquartile and k < lo_known:
            if v != held_v:
                held_v, held_n = v, 0
            held_n += 1
            continue
        if interquartile and v < lo:
            continue
        if k >= hi_known and v > hi:
            return  # ascending: nothing after this is kept either
        yield v


def cut_bounds(values: Iterable[float], n: int, p_size: str, interquartile: bool) -> tuple[float, float]:
    """(Q(1-p) or -inf, Q(p)) from an ascending stream of ``n`` values; stops once both are known."""
    p, one_minus_p = P_LEVELS[p_size]
    hi_pos, hi_i = _position(p, n)
    lo_pos, lo_i = _position(one_minus_p, n)
    hi_known, lo_known = min(hi_i + 1, n - 1), min(lo_i + 1, n - 1)
    lo, hi = -math.inf, math.nan
    x_hi = x_lo = math.nan
    for k, v in enumerate(values):
        if k == lo_i:
            x_lo = v
        if k == hi_i:
            x_hi = v
        if interquartile and k == lo_known:
            lo = _q(lo_pos, lo_i, n, x_lo, v)
        if k == hi_known:
            hi = _q(hi_pos, hi_i, n, x_hi, v)
            break  # lo_known <= hi_known
    return lo, hi
