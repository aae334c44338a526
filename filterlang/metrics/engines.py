"""The overview on real engines: embedded DuckDB, chDB (in-process ClickHouse), a ClickHouse server.

All three run :func:`filterlang.metrics.sql.overview_sql`: the filter, the per-user
aggregates and the exact quantile cut happen in the engine, and only per-user arrays come
back, so memory is bounded by the number of users however many rows are scanned.

- ``chdb`` and ``clickhouse`` send the *same* ClickHouse statement (one builder, two
  transports); the engine's own ``histogram(B)`` buckets. chDB reads the data through a
  ``requests`` CTE over ``file(...)`` with the flat structure; on a server ``requests`` is
  your table (or pass ``table=``).
- ``duckdb`` has no histogram aggregate: the statement returns the cut values, ascending,
  as one Arrow list per measure, and the reference's :func:`bucket` (the same algorithm
  as ClickHouse's, bit for bit) buckets them. Measured cost: a few ms per 100k users.
- ``reference`` on a file or frame streams its rows (batches through DuckDB's readers,
  the same typed view the DuckDB engine reads) into the pure-Python evaluator.

The file engines are the :data:`FILE_ENGINES` table; a new engine is one row there.

Engines are imported lazily; a missing one raises ImportError naming the extra to install.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import FilterError
from ..fields import FIELDS, USERS_VIEW
from ..nodes import Node, iter_conditions
from . import sources
from .histogram import Bin, bucket, to_rows
from .sql import overview_sql

if TYPE_CHECKING:
    import duckdb

    from ..sql.profiles import Profile
    from .request import OverviewRequest

__all__ = [
    "ENGINE_EXTRAS",
    "FILE_ENGINES",
    "TENANT_COLUMN",
    "Controls",
    "Progress",
    "data_window",
    "duckdb_shared",
    "iter_rows",
    "run_overview",
]

Progress = Callable[[float | None], None]
"""Called now and then while a query runs: the fraction done (0..1), or None if unknown."""

ENGINE_EXTRAS: dict[str, tuple[str, str]] = {
    "duckdb": ("duckdb", "duckdb"),
    "chdb": ("chdb", "chdb"),
    "clickhouse": ("clickhouse_connect", "clickhouse"),
    "spark": ("pyspark", "spark"),
    "reference": ("duckdb", "duckdb"),  # reading files for the reference uses DuckDB's readers
}
MEASURES = ("request_count", "user_cost")


def _require(engine: str) -> Any:
    module, extra = ENGINE_EXTRAS[engine]
    try:
        return __import__(module)
    except ImportError as e:
        raise ImportError(f"the {engine!r} engine needs the {module} package: pip install 'filterlang[{extra}]'") from e


def run_overview(
    req: OverviewRequest,
    source: Any,
    *,
    engine: str,
    method: str = "adaptive",
    bins: int = 10,
    url: str | None = None,
    progress: Progress | None = None,
    table: str | None = None,
    profile: str | Profile | Mapping[str, Any] = "flat",
    tenant: str | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
    settings: Mapping[str, Any] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """The Result dict for a validated request over ``source`` on ``engine``.

    ``source``: a Parquet/CSV/JSONL path, an Arrow table, a pandas/polars frame (for
    ``clickhouse``: a table name, or None for ``requests``). ``progress`` receives progress
    reports (DuckDB knows the fraction done; the others report None, i.e. "still working").
    ``profile`` (clickhouse engine only; files are always the flat layout) maps the fields onto
    your table, e.g. ``helicone_profile(org)`` for upstream's, tenant guard included.
    ``tenant`` confines the overview to the rows whose ``organization_id`` is ``tenant``
    (the profile's tenant guard: it restricts the filtered rows *and* the per-user
    users_view values, so no filter, whatever its ``or``, sees another tenant's rows).
    ``connection`` (duckdb): an open connection whose ``requests`` view reads ``source``
    (e.g. a cursor of :func:`duckdb_shared`), used instead of a fresh one and left open, so
    its owner can ``interrupt()`` it. ``settings`` (chdb, clickhouse): ClickHouse settings
    for the statement, e.g. ``{"max_execution_time": 30}``.
    ``kw`` goes to ``clickhouse_connect.get_client`` for the clickhouse engine. For ``spark``,
    ``url`` is the Spark master (``spark://``, ``sc://``, ``local[N]``; default: the active
    session or ``local[*]``), ``table`` a catalog table, and ``session=`` a SparkSession.
    A filter that cannot be compiled gives ``{"data": None, "error": ...}``; an unreadable
    source raises :class:`sources.SourceError`.
    """
    _require(engine)
    if engine != "clickhouse" and profile != "flat":
        raise ValueError("profile= applies to the clickhouse engine; data files use the flat layout")
    if connection is not None and engine != "duckdb":
        raise ValueError("connection= applies to the duckdb engine")
    if settings and engine not in ("chdb", "clickhouse"):
        raise ValueError("settings= applies to the chdb and clickhouse engines")
    if tenant is not None and engine == "spark":  # refused, never silently dropped
        raise ValueError("tenant= is not supported by the spark engine yet; filter the DataFrame by organization_id")
    controls = Controls(_tenant_profile(profile, tenant), tenant, connection, settings)
    try:
        if engine == "clickhouse":
            data = _run_clickhouse(req, table or source, method, bins, url, controls, kw)
        elif engine == "spark":  # Spark reads its own sources (DataFrames, catalog tables, cluster paths)
            from .spark import run_spark

            with _polling(progress, None):
                data = run_spark(req, source, method=method, bins=bins, table=table, master=url, **kw)
        elif engine in FILE_ENGINES:
            data = FILE_ENGINES[engine](req, sources.resolve(source), method, bins, progress, controls)
        else:
            raise ValueError(f"unknown engine {engine!r}")
    except FilterError as e:
        return {"data": None, "error": str(e)}
    return {"data": data, "error": None}


TENANT_COLUMN = "organization_id"  # the flat layout's tenant column (upstream's, too)


@dataclass(frozen=True, slots=True)
class Controls:
    """What a caller adds to one run (a server, mostly): the profile with its tenant guard,
    the tenant itself (the reference filters rows by it), a DuckDB connection to run on,
    ClickHouse settings for the statement."""

    profile: str | Profile | Mapping[str, Any] = "flat"
    tenant: str | None = None
    connection: Any = None
    settings: Mapping[str, Any] | None = None


def _tenant_profile(
    profile: str | Profile | Mapping[str, Any], tenant: str | None
) -> str | Profile | Mapping[str, Any]:
    """``profile`` with the tenant guard ``organization_id = tenant`` (unchanged without a tenant)."""
    if tenant is None:
        return profile
    if not isinstance(tenant, str):
        raise ValueError(f"tenant must be a string (an organization id), not {type(tenant).__name__}")
    from ..sql.profiles import resolve_profile

    prof = resolve_profile(profile)
    return replace(prof, tenant_column=prof.tenant_column or TENANT_COLUMN, tenant=tenant)


def _settings_clause(settings: Mapping[str, Any] | None) -> str:
    """A ClickHouse ``SETTINGS`` clause; names must be identifiers and values numbers (no text
    reaches the statement from outside)."""
    if not settings:
        return ""
    parts = []
    for name, value in settings.items():
        if not name.isidentifier() or isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"settings: {name!r} = {value!r}: a setting needs an identifier name and a number")
        parts.append(f"{name} = {value!r}")
    return "\nSETTINGS " + ", ".join(parts)


# ---------------------------------------------------------------- DuckDB


def duckdb_connect(src: sources.Source) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with the view ``requests`` over ``src``.

    The session time zone is pinned to UTC so timestamp casts and day boundaries never
    depend on the machine's zone.
    """
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    sources.duckdb_relation(con, src)
    return con


def duckdb_shared(src: Any) -> duckdb.DuckDBPyConnection:
    """One in-memory database whose ``requests`` view reads ``src``, for many queries at once.

    Each query takes its own ``con.cursor()`` (a connection to the same database: the view
    and the UTC time zone are shared, set once) and passes it as ``run_overview(...,
    connection=cursor)``; a cursor can be ``interrupt()``-ed from another thread. A server
    opens its data source this way once instead of once per request.
    """
    import duckdb

    resolved = sources.resolve(src)
    con = duckdb.connect(":memory:")
    con.execute("SET GLOBAL TimeZone = 'UTC'")  # GLOBAL: cursors are sessions of their own
    sources.duckdb_relation(con, resolved, temporary=False)
    return con


def _run_duckdb(
    req: OverviewRequest,
    src: sources.Source,
    method: str,
    bins: int,
    progress: Progress | None,
    controls: Controls = Controls(),
) -> dict[str, Any]:
    q = overview_sql(req, dialect="duckdb", profile=controls.profile, method=method, bins=bins)
    con = duckdb_connect(src) if controls.connection is None else controls.connection
    if progress is not None:  # query_progress() stays -1 unless progress tracking is on
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = false")
    try:
        with _polling(progress, con.query_progress):
            row = _duck_fetch(con, src, q.sql, q.params)
    finally:
        if controls.connection is None:
            con.close()
    # Plain Python lists (no pyarrow: `pip install 'filterlang[duckdb]'` is enough)
    return {
        m: to_rows(bucket([float(v) for v in cell or []], method, bins)) for m, cell in zip(MEASURES, row, strict=True)
    }


def _duck_fetch(con: duckdb.DuckDBPyConnection, src: sources.Source, sql: str, params: Any) -> tuple[Any, ...]:
    """Run and fetch the one result row; DuckDB reports bad input (a CSV cell that is not a
    number, malformed JSON, a checked-cast failure) only while fetching, so both steps are
    inside the guard."""
    import duckdb

    try:
        row = con.execute(sql, params or None).fetchone()
    except (duckdb.Error, OSError) as e:
        raise sources.SourceError(f"cannot run the overview on {src.label}: {_duck_message(e)}") from e
    assert row is not None
    return tuple(row)


def _duck_message(exc: BaseException) -> str:
    """DuckDB's first line plus, for CSV errors, the offending line (its report is 30 lines).

    The same text arrives as a pyarrow ArrowInvalid when DuckDB fails inside an Arrow
    stream (the reference engine's record batches), so both are handled alike.
    """
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    head = lines[0] if lines else type(exc).__name__
    extra = [ln for ln in lines[1:4] if ln.startswith(("Original Line", "Error when converting"))]
    return _clip("; ".join([head, *extra]))


MAX_MESSAGE_CHARS = 400  # an engine quotes the whole offending line; a wide CSV row is kilobytes


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


# ---------------------------------------------------------------- ClickHouse (chDB and server)


def clickhouse_query(
    req: OverviewRequest,
    *,
    source: str | None,
    method: str,
    bins: int,
    profile: str | Profile | Mapping[str, Any] = "flat",
    settings: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The statement and parameters both ClickHouse transports send (``source`` None: the profile's table)."""
    q = overview_sql(req, dialect="clickhouse", profile=profile, method=method, bins=bins, source=source)
    return q.sql + _settings_clause(settings), dict(q.params)


def _bins_from_arrow(cell: list[dict[str, float]] | None) -> list[Bin]:
    return [(b["1"], b["2"], b["3"]) for b in cell or []]


def _run_chdb(
    req: OverviewRequest,
    src: sources.Source,
    method: str,
    bins: int,
    progress: Progress | None,
    controls: Controls = Controls(),
) -> dict[str, Any]:
    import chdb

    from ..sql import chdb_params

    read = overview_columns(req.node) | ({TENANT_COLUMN} if controls.tenant is not None else set())
    with sources.clickhouse_table(src, checked=read) as expr:
        sql, params = clickhouse_query(
            req, source=expr, method=method, bins=bins, profile=controls.profile, settings=controls.settings
        )
        with _polling(progress, None):
            try:
                result = chdb.query(sql, "ArrowTable", params=chdb_params(params))  # type: ignore[no-untyped-call]
            except RuntimeError as e:  # chDB reports every server-side error this way
                raise sources.SourceError(f"cannot run the overview on {src.label}: {_clickhouse_reason(e)}") from e
    row = result.to_pylist()[0]
    return {m: to_rows(_bins_from_arrow(row[m])) for m in MEASURES}


def _run_clickhouse(
    req: OverviewRequest,
    table: Any,
    method: str,
    bins: int,
    url: str | None,
    controls: Controls,
    kw: dict[str, Any],
) -> dict[str, Any]:
    import clickhouse_connect

    if table is not None and not isinstance(table, str):
        raise sources.SourceError("the clickhouse engine reads a table on the server: pass its name (or None)")
    from clickhouse_connect.driver.exceptions import ClickHouseError

    sql, params = clickhouse_query(
        req, source=table, method=method, bins=bins, profile=controls.profile, settings=controls.settings
    )
    where = url or "the default ClickHouse server (localhost:8123)"
    with _quiet_logger("clickhouse_connect"):
        try:
            client = clickhouse_connect.get_client(dsn=url, **kw) if url else clickhouse_connect.get_client(**kw)
        except ClickHouseError as e:
            raise sources.SourceError(f"cannot connect to {where}: {_first_line(e)}") from e
        try:
            result = client.query(sql, parameters=params)
        except ClickHouseError as e:
            raise sources.SourceError(f"the overview query failed on {where}: {_first_line(e)}") from e
        finally:
            client.close()
    row = result.result_rows[0]
    return {m: to_rows([tuple(b) for b in row[i]]) for i, m in enumerate(MEASURES)}  # type: ignore[misc, unused-ignore]


# ---------------------------------------------------------------- reference over files


def iter_rows(
    src: sources.Source, columns: Collection[str] | None = None, batch_rows: int = 65_536
) -> Iterator[dict[str, Any]]:
    """Rows of ``src`` as the reference evaluator's dicts, streamed in batches.

    Maps become dicts and timestamps timezone-aware UTC datetimes (compile_predicate's row
    format); DuckDB's readers do the parsing and the type checks (the same view the DuckDB
    engine reads), so the reference sees exactly the typed values the SQL engines see.
    ``columns`` limits the columns read (the overview needs only a few). No pyarrow needed.
    """
    from datetime import UTC

    import duckdb

    con = duckdb_connect(src)
    try:
        names = [c for c in sources.FLAT_TYPES if columns is None or c in columns]
        select = ", ".join(sources.quote_duckdb_ident(c) for c in names)
        map_cols = [c for c in names if sources.FLAT_TYPES.get(c) in sources.MAP_TYPES]
        ts_cols = [c for c in names if sources.FLAT_TYPES.get(c) == "timestamp"]
        try:
            cur = con.execute(f"SELECT {select} FROM requests")
            while batch := cur.fetchmany(batch_rows):
                for values in batch:
                    row = dict(zip(names, values, strict=True))
                    for c in map_cols:
                        v = row[c]
                        row[c] = {} if v is None else dict(v)
                    for c in ts_cols:
                        v = row[c]
                        if v is not None and v.tzinfo is None:
                            row[c] = v.replace(tzinfo=UTC)
                    yield row
        except (duckdb.Error, OSError) as e:
            raise sources.SourceError(f"cannot read {src.label}: {_duck_message(e)}") from e
    finally:
        con.close()


def _run_reference(
    req: OverviewRequest,
    src: sources.Source,
    method: str,
    bins: int,
    progress: Progress | None,
    controls: Controls = Controls(),
) -> dict[str, Any]:
    from .reference import reference_overview

    tenant = controls.tenant
    rows = iter_rows(src, needed_columns(req.node) | ({TENANT_COLUMN} if tenant is not None else set()))
    if tenant is not None:
        rows = (r for r in rows if r.get(TENANT_COLUMN) == tenant)
    with _polling(progress, None):
        data: dict[str, Any] = reference_overview(
            rows,
            req.node,
            req.p_size,
            req.use_interquartile,
            method=method,
            bins=bins,
        )
    return data


FileEngine = Callable[["OverviewRequest", sources.Source, str, int, "Progress | None", Controls], dict[str, Any]]
FILE_ENGINES: dict[str, FileEngine] = {
    "duckdb": _run_duckdb,
    "chdb": _run_chdb,
    "reference": _run_reference,
}
"""Engines that read a data file or frame: name -> runner(req, source, method, bins, progress, controls).
Add an engine here (and its module in :data:`ENGINE_EXTRAS`); the server engine is separate."""


def overview_columns(node: Node) -> set[str]:
    """Every request column the overview of ``node`` reads, users_view inputs included."""
    return needed_columns(node)


def needed_columns(node: Node) -> set[str]:
    """The request columns the overview of ``node`` reads (users_view needs its inputs)."""
    cols = {"user_id", "cost"}
    for c in iter_conditions(node):
        if c.table == USERS_VIEW:
            cols |= FIELDS[c.field].inputs
        else:
            cols.add("properties" if c.field == "property_key" else c.field)
    return cols


# ---------------------------------------------------------------- helpers


def _clickhouse_reason(exc: BaseException) -> str:
    """ClickHouse's own sentence, without the code prefix and the expression dump after it."""
    text = _first_line(exc)
    _, sep, rest = text.partition("DB::Exception: ")
    if sep:
        text = rest.split(": while executing", 1)[0].split(". (", 1)[0]
    return _clip(text)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return _clip(text.splitlines()[0]) if text else type(exc).__name__


@contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Mute a driver's own logging while it runs: every failure it logs is also raised,
    and the raised one becomes our message. Without this clickhouse-connect prints
    "Unexpected Http Driver Exception" (through logging's last-resort handler) before
    the real error. Only that logger's level changes, and only for the call."""
    import logging

    log = logging.getLogger(name)
    before = log.level
    log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        log.setLevel(before)


@contextmanager
def _polling(progress: Progress | None, probe: Callable[[], float] | None, every: float = 0.2) -> Iterator[None]:
    """Report progress from a side thread while the body runs (the query blocks this one)."""
    if progress is None:
        yield
        return
    done = threading.Event()

    def loop() -> None:
        while not done.wait(every):
            frac: float | None = None
            if probe is not None:
                try:
                    pct = float(probe())
                    frac = pct / 100.0 if pct >= 0 else None
                except Exception:
                    frac = None
            progress(frac)

    t = threading.Thread(target=loop, name="filterlang-progress", daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()


# ---------------------------------------------------------------- what the data covers


def data_window(source: Any, engine: str = "duckdb") -> tuple[int, str | None, str | None]:
    """(rows, first, last request_created_at as ``YYYY-MM-DD HH:MM:SS`` UTC) of a data file or frame.

    Read when an overview keeps no user, so the message can say whether the filter's times
    and the data's time window overlap at all (a ``now - 7d`` filter on last month's data).
    """
    src = sources.resolve(source)
    if engine == "chdb":
        import chdb

        with sources.clickhouse_table(src, checked={"request_created_at"}) as expr:
            sql = (
                "SELECT count(), toString(toDateTime(min(request_created_at), 'UTC')), "
                f"toString(toDateTime(max(request_created_at), 'UTC')) FROM {expr}"
            )
            try:
                out = chdb.query(sql, "JSONCompactEachRow")  # type: ignore[no-untyped-call]
            except RuntimeError as e:
                raise sources.SourceError(f"cannot read {src.label}: {_first_line(e)}") from e
        import json

        n, first, last = json.loads(str(out).strip().splitlines()[0])
        return int(n), first if n else None, last if n else None
    import duckdb

    con = duckdb_connect(src)
    try:
        row = con.execute(
            "SELECT count(*), strftime(min(request_created_at), '%Y-%m-%d %H:%M:%S'), "
            "strftime(max(request_created_at), '%Y-%m-%d %H:%M:%S') FROM requests"
        ).fetchone()
    except (duckdb.Error, OSError) as e:
        raise sources.SourceError(f"cannot read {src.label}: {_duck_message(e)}") from e
    finally:
        con.close()
    assert row is not None
    return int(row[0]), row[1], row[2]
