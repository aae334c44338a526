"""``filterlang serve``: run the API server on a data file (or a ClickHouse table).

    filterlang serve --data requests.parquet                      # http://127.0.0.1:8585/
    filterlang serve --data requests.parquet --keys keys.txt --host 0.0.0.0
    filterlang serve --data http://default:@localhost:8123/ --engine clickhouse --table requests

Without keys the server binds to a loopback address only (and says so); binding elsewhere
without keys needs ``--no-auth``, so nobody exposes data by forgetting a flag.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from ..metrics.cli import int_range
from .config import DEFAULT_MAX_BODY, MODES, SERVER_ENGINES, is_loopback

CHEAP_REQUESTS = 64  # /v1/filters/* and GETs in flight beyond the engine's slots and queue


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"expected seconds between 0 and 86400, not {text!r}")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the metrics-overview API and the filter endpoints over HTTP",
        description="Serve POST /v1/user/metrics-overview/query (the upstream API) and /v1/filters/* on your data. "
        "Needs the server extra: pip install 'filterlang[server]'.",
    )
    p.add_argument("--data", required=True, help="data file (Parquet, CSV, JSONL); for --engine clickhouse its URL")
    p.add_argument("--engine", choices=SERVER_ENGINES, default="duckdb", help="query engine (default: duckdb)")
    p.add_argument("--table", help="with --engine clickhouse: the table to read (default: requests)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int_range(0, 65535), default=8585, help="port (default: 8585)")
    p.add_argument(
        "--compat",
        choices=MODES,
        default="strict",
        help="strict (default): 400/422 errors; upstream: upstream's coercions and statuses (errors as HTTP 200)",
    )
    p.add_argument(
        "--keys", metavar="FILE", help="API keys, one a line: KEY [ORGANIZATION_ID] (also $FILTERLANG_API_KEYS)"
    )
    p.add_argument("--no-auth", action="store_true", help="allow serving without keys on a non-loopback address")
    p.add_argument("--timeout", type=_seconds, default=30.0, help="seconds per request; the query is stopped (504)")
    p.add_argument(
        "--max-body",
        type=int_range(1024),
        default=DEFAULT_MAX_BODY,
        help=f"request body bytes (default {DEFAULT_MAX_BODY})",
    )
    p.add_argument("--max-concurrent", type=int_range(1, 1024), default=4, help="engine queries at once (default 4)")
    p.add_argument(
        "--max-queue", type=int_range(0, 100_000), default=64, help="requests waiting beyond those (default 64)"
    )
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a browser origin allowed to call the API (repeatable), e.g. http://localhost:3000",
    )
    p.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info")
    p.add_argument("--no-access-log", action="store_true", help="no line per request")
    p.set_defaults(func=_serve)


def _error(message: str) -> int:
    print(f"filterlang serve: error: {message}", file=sys.stderr)
    return 2


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from .app import create_app
    except ImportError as e:
        print(f"error: the server needs {e.name}: pip install 'filterlang[server]'", file=sys.stderr)
        return 1
    from ..metrics.sources import SourceError
    from .auth import ENV_VAR, KeyFileError, KeyRing
    from .config import ServerConfig

    if args.table and args.engine != "clickhouse":
        return _error("--table applies to --engine clickhouse")
    try:
        keys = KeyRing.load(args.keys, os.environ)
    except KeyFileError as e:
        return _error(str(e))
    if keys and args.no_auth:
        return _error("--no-auth contradicts the keys given (--keys or $" + ENV_VAR + ")")
    if not keys and not is_loopback(args.host) and not args.no_auth:
        return _error(
            f"refusing to serve {args.host} without API keys: give --keys FILE (or ${ENV_VAR}), "
            "bind to 127.0.0.1, or pass --no-auth to serve everyone"
        )
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.no_access_log:
        logging.getLogger("filterlang.server.access").setLevel(logging.WARNING)
    config = ServerConfig(
        data=args.data,
        engine=args.engine,
        mode=args.compat,
        keys=keys,
        timeout=args.timeout,
        max_concurrent=args.max_concurrent,
        max_queue=args.max_queue,
        max_body=args.max_body,
        table=args.table,
        cors_origins=tuple(args.cors_origin),
    )
    try:
        app = create_app(config)
    except SourceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    orgs = keys.organizations
    if keys:
        who = f"{len(keys)} API key(s)" + (f", {len(orgs)} organization(s) confined" if orgs else "")
    else:
        who = "no API keys: anyone who can reach this address can query" + (
            " (loopback only)" if is_loopback(args.host) else " (--no-auth)"
        )
    print(
        f"filterlang serve: {app.state.ctx.dataset.label} on {args.engine}, mode {args.compat}, {who}",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,  # our own access log has the duration and never a query string
        server_header=False,
        timeout_graceful_shutdown=5,
        # A backstop for memory: beyond this many connections at once uvicorn answers 503
        # itself. The engine gate (503 with our envelope) acts long before for overviews; this
        # bounds the cheap endpoints too (each holds at most one body of --max-body bytes).
        limit_concurrency=args.max_concurrent + args.max_queue + CHEAP_REQUESTS,
    )
    return 0
