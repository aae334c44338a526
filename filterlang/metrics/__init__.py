"""The metrics overview (``POST /v1/user/metrics-overview/query``) computed locally or in a warehouse.

    filterlang.overview(req, rows)                          # reference evaluator (pure Python)
    filterlang.overview(req, "requests.parquet")            # DuckDB
    filterlang.overview(req, "requests.parquet", engine="chdb")
    filterlang.overview(req, source, engine="clickhouse", url=...)

Each returns the contract's Result shape as plain dicts, ``{"data": {...}, "error": None}``
or ``{"data": None, "error": "<what and where>"}``: a bad request is an answer, not an
exception, because that is what the API returns and what a server built on this
forwards unchanged. Bugs and unavailable engines still raise.

The engines (and the SQL they run) live in :mod:`filterlang.metrics.engines` and
:mod:`filterlang.metrics.sql`, imported only when used, so the reference path needs
neither DuckDB nor chDB.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..errors import FilterError
from .histogram import HistogramRow, adaptive_histogram, equal_histogram, percentile_cut, quantile, to_rows
from .jsnum import js_number_to_string
from .request import OverviewRequest, parse_request

__all__ = [
    "ENGINES",
    "MAX_BINS",
    "METHODS",
    "HistogramRow",
    "OverviewRequest",
    "adaptive_histogram",
    "default_engine",
    "equal_histogram",
    "js_number_to_string",
    "overview",
    "overview_sql",
    "parse_request",
    "percentile_cut",
    "quantile",
    "to_rows",
]

METHODS: tuple[str, ...] = ("adaptive", "equal")
MAX_BINS = 250  # ClickHouse's histogram() refuses more; one limit for every engine
ENGINES: tuple[str, ...] = ("reference", "duckdb", "chdb", "clickhouse", "spark")

# Top-level packages whose objects are tables/frames (read by an SQL engine), not row iterables.
_FRAME_MODULES = ("pyarrow", "pandas", "polars", "duckdb", "pyspark")


def _is_table_source(source: Any) -> bool:
    if isinstance(source, str | bytes | os.PathLike):
        return True
    module = type(source).__module__.partition(".")[0]
    return module in _FRAME_MODULES


def default_engine(source: Any) -> str:
    """``"duckdb"`` for a path or a frame/table (``"spark"`` for a Spark DataFrame), ``"reference"`` for row dicts."""
    if type(source).__module__.startswith("pyspark."):
        return "spark"
    return "duckdb" if _is_table_source(source) else "reference"


def _check_options(engine: str, method: str, bins: int) -> None:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected 'adaptive' or 'equal'")
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= MAX_BINS:
        raise ValueError(f"bins must be an integer from 1 to {MAX_BINS}, not {bins!r}")


def overview(
    request: Mapping[str, Any] | str | bytes | OverviewRequest,
    source: Any,
    *,
    engine: str | None = None,
    method: str = "adaptive",
    bins: int = 10,
    url: str | None = None,
    tenant: str | None = None,
    coerce: bool = False,
    **kw: Any,
) -> dict[str, Any]:
    """The metrics overview of ``source`` for ``request``, in the contract's Result shape.

    ``request`` is the body ``{"filter": ..., "pSize": ..., "useInterquartile": ...}``
    (dict or JSON text) or an :class:`OverviewRequest` (e.g. from
    ``OverviewRequest.from_dsl``). ``source`` is an iterable of row dicts (flat layout,
    see :func:`filterlang.compile_predicate`), a data file path, or an Arrow/pandas/
    polars table. ``engine`` defaults from the source (:func:`default_engine`). Unknown
    ``engine``/``method`` or ``bins`` outside 1..250 raise ValueError: those are the caller's
    options, not the request. ``tenant`` confines the overview to the rows whose
    ``organization_id`` equals it, users_view values included (a multi-tenant server's guard).
    ``coerce=True`` reads the filter as upstream's request validation does (numeric and
    boolean strings; see :func:`filterlang.from_json`).
    """
    eng = engine or default_engine(source)
    _check_options(eng, method, bins)
    try:
        req = parse_request(request, coerce=coerce)
    except FilterError as e:
        return {"data": None, "error": str(e)}
    if eng == "reference" and not _is_table_source(source):
        from .reference import reference_overview

        if tenant is not None:
            if not isinstance(tenant, str):
                raise ValueError(f"tenant must be a string (an organization id), not {type(tenant).__name__}")
            source = (r for r in source if r.get("organization_id") == tenant)
        try:
            data = reference_overview(source, req.node, req.p_size, req.use_interquartile, method=method, bins=bins)
        except FilterError as e:
            return {"data": None, "error": str(e)}
        return {"data": data, "error": None}
    # Files and frames (any engine, including "reference", which needs their rows read).
    from .engines import run_overview

    result: dict[str, Any] = run_overview(
        req, source, engine=eng, method=method, bins=bins, url=url, tenant=tenant, **kw
    )
    return result


def overview_sql(*args: Any, **kwargs: Any) -> Any:
    """The overview as SQL to run yourself; see :func:`filterlang.metrics.sql.overview_sql`."""
    from .sql import overview_sql as build

    return build(*args, **kwargs)
