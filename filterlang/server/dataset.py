"""The server's data source: opened once at start, one engine query per request, stoppable.

- duckdb: one in-memory database whose ``requests`` view reads the file
  (:func:`filterlang.metrics.engines.duckdb_shared`); each request runs on its own cursor,
  so requests run in parallel, and a timer ``interrupt()``-s that cursor at the deadline.
- chdb: the file is read through ``file(...)`` by every query (chDB keeps no handle
  open); the deadline travels in the statement as ``SETTINGS max_execution_time``.
- clickhouse: a table on a ClickHouse server (``data`` is its URL); the deadline is the
  query's ``max_execution_time`` setting, which the server enforces.

A key confined to an organization runs with ``tenant=``: the engines' tenant guard keeps
only that organization's rows *and* computes users_view values from them alone.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from ..metrics import sources
from ..metrics.engines import duckdb_shared, run_overview

if TYPE_CHECKING:
    from ..metrics.request import OverviewRequest

# ClickHouse's TIMEOUT_EXCEEDED (code 159) as chDB and clickhouse-connect report it (in full or
# shortened to its sentence by the engines module).
_CH_TIMEOUT_MARKERS = ("TIMEOUT_EXCEEDED", "Code: 159", "Timeout exceeded:")


def redact_url(url: str) -> str:
    """``url`` without its user info (``http://user:secret@host`` -> ``http://host``)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


class QueryTimeout(Exception):
    """The engine stopped the query at the deadline."""


class Dataset:
    """One data source for the life of the server."""

    def __init__(self, data: str, engine: str, *, table: str | None = None) -> None:
        self.engine = engine
        self.data = data
        self.table = table
        self._lock = threading.Lock()
        self._con: Any = None
        self.source: sources.Source | None = None
        if engine in ("duckdb", "chdb"):
            self.source = sources.resolve(data)  # raises SourceError naming the file
            if engine == "duckdb":
                self._connection()
            else:
                import chdb  # noqa: F401  (fail at start, not on the first request, when missing)
        elif engine == "clickhouse":
            import clickhouse_connect  # noqa: F401
        else:
            raise ValueError(f"unknown engine {engine!r}")

    @property
    def label(self) -> str:
        if self.source is not None:
            return self.source.label
        return f"table {self.table or 'requests'} on ClickHouse at {redact_url(self.data)}"

    @property
    def columns(self) -> list[str]:
        return list(self.source.columns) if self.source is not None else []

    def overview(self, req: OverviewRequest, *, tenant: str | None, timeout: float) -> dict[str, Any]:
        """The Result dict, or :class:`QueryTimeout` when the engine stopped at ``timeout`` seconds.

        Runs in a worker thread; returns only once the engine's query has ended.
        """
        if self.engine == "duckdb":
            return self._duckdb(req, tenant, timeout)
        settings = {"max_execution_time": max(0.001, round(timeout, 3))}
        start = time.monotonic()
        try:
            if self.engine == "chdb":
                return run_overview(req, self.source, engine="chdb", tenant=tenant, settings=settings)
            return run_overview(req, self.table, engine="clickhouse", url=self.data, tenant=tenant, settings=settings)
        except sources.SourceError as e:
            # the engine's words, or (should they change) a failure at the deadline
            if any(m in str(e) for m in _CH_TIMEOUT_MARKERS) or time.monotonic() - start >= timeout:
                raise QueryTimeout() from None
            if self.engine == "clickhouse":  # the message names the URL: never its password
                raise sources.SourceError(str(e).replace(self.data, redact_url(self.data))) from None
            raise

    def _connection(self) -> Any:
        """The shared DuckDB database, opened at start (again after a ``close()``: an ASGI
        server may run the app's lifespan more than once, as test clients do)."""
        with self._lock:
            if self._con is None:
                self._con = duckdb_shared(self.source)
            return self._con

    def _duckdb(self, req: OverviewRequest, tenant: str | None, timeout: float) -> dict[str, Any]:
        con = self._connection()
        with self._lock:  # creating a cursor touches the parent connection
            cur = con.cursor()
        done = threading.Event()
        fired = threading.Event()

        def watchdog() -> None:
            # interrupt() only stops a statement that is running: one that starts after the
            # deadline (the SQL is still being built) must be caught too, so keep at it.
            if done.wait(timeout):
                return
            fired.set()
            while not done.is_set():
                cur.interrupt()
                done.wait(0.005)

        guard = threading.Thread(target=watchdog, name="filterlang-deadline", daemon=True)
        guard.start()
        try:
            return run_overview(req, self.source, engine="duckdb", tenant=tenant, connection=cur)
        except sources.SourceError:
            if fired.is_set():
                raise QueryTimeout() from None
            raise
        finally:
            done.set()
            guard.join()
            cur.close()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
