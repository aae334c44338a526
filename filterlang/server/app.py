"""The Starlette application: routes, the error envelope, auth, limits, the access log.

Every answer of an API route is the contract's envelope, ``{"data": ..., "error": null}``
or ``{"data": null, "error": "<what and where>"}``; the ``/v1/filters/*`` routes add
``"details"`` to an error (kind, line, column, path, suggestion, expected) so an editor can
put the caret where the problem is. No answer ever holds a stack trace: an unexpected
exception is logged with an id and answered 500 with that id.

Statuses (strict mode): 400 the body is not JSON, 401 no or a wrong key, 413 body too
large, 422 a schema, filter or limit error (with the JSON path or line/column), 503 busy,
504 the engine was stopped at the deadline. ``--compat upstream`` answers a failed query
as upstream does, HTTP 200 with ``{"data": null, "error"}``, after upstream's coercions.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import FilterError, FilterLimitError, FilterSchemaError, FilterSyntaxError, closest
from ..jsonio import json_kind
from ..limits import Limits
from ..metrics.sources import SourceError
from .auth import ApiKey, bearer_token
from .config import BODY_HEADROOM, ServerConfig
from .dataset import Dataset, QueryTimeout
from .limits import BodyTooLarge, Gate, Saturated, read_body, retry_after
from .openapi import published_document

log = logging.getLogger("filterlang.server")
access_log = logging.getLogger("filterlang.server.access")

OVERVIEW_PATH = "/v1/user/metrics-overview/query"
INLINE_BODY_BYTES = 16 * 1024  # smaller bodies are parsed on the event loop (a thread hop costs more)


# ---------------------------------------------------------------- envelope


class Envelope(JSONResponse):
    """JSON without NaN/Infinity (not JSON) and without ASCII-escaping (smaller, readable)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def ok(data: Any) -> Response:
    return Envelope({"data": data, "error": None})


def fail(
    status: int, message: str, *, details: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    body: dict[str, Any] = {"data": None, "error": message}
    if details is not None:
        body["details"] = dict(details)
    return Envelope(body, status_code=status, headers=dict(headers or {}))


def error_details(exc: FilterError) -> dict[str, Any]:
    d = exc.to_dict()
    if exc.end_column is not None:
        d["end_column"] = exc.end_column
    if isinstance(exc, FilterLimitError):
        d["limit"] = exc.limit
    return d


class ApiError(Exception):
    """An answer that is not a success: status, message, optional details."""

    def __init__(self, status: int, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        self.status = status
        self.message = message
        self.details = details
        super().__init__(message)


# ---------------------------------------------------------------- body reading


def decode_text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ApiError(400, f"the request body is not UTF-8 text (byte {e.start})") from None


def load_json(text: str, limits: Limits) -> Any:
    """The body as JSON, read by the filter reader's rules (a duplicated key is an error naming
    its path; nesting bounded before parsing). ApiError 400 when it is not JSON at all."""
    from ..jsonio import loads

    # The body wraps a filter: one more level, and room for the other keys and JSON escapes,
    # so a filter at its own limits is judged by the filter reader (which names that limit).
    body_limits = replace(limits, max_depth=limits.max_depth + 1, max_length=limits.max_length + BODY_HEADROOM)
    try:
        return loads(text, limits=body_limits)
    except FilterSyntaxError as e:
        details = error_details(e)
        raise ApiError(400, f"the request body is not valid JSON: {e}", details=details) from None


# ---------------------------------------------------------------- the application


@dataclass
class Context:
    config: ServerConfig
    dataset: Dataset
    gate: Gate
    document: dict[str, Any]
    document_bytes: bytes
    complete: Callable[..., Any] | None


def _complete_function() -> Callable[..., Any] | None:
    import filterlang

    fn = getattr(filterlang, "complete", None)
    return fn if callable(fn) else None


def playground_dir() -> Path | None:
    """The playground's static files (``filterlang/playground/``), when the package has them."""
    path = Path(__file__).resolve().parent.parent / "playground"
    return path if (path / "index.html").is_file() else None


def _playground_routes(static: Path) -> list[Route]:
    from starlette.responses import FileResponse

    def serve(path: Path) -> Callable[[Request], Awaitable[Response]]:
        async def page(request: Request) -> Response:
            return FileResponse(path)

        return page

    files = sorted(p for p in static.iterdir() if p.is_file() and not p.name.startswith("."))
    routes = [Route("/", serve(static / "index.html"), methods=["GET"])]
    routes += [Route(f"/{p.name}", serve(p), methods=["GET"]) for p in files]
    return routes


def create_app(config: ServerConfig, *, dataset: Dataset | None = None) -> Starlette:
    """The ASGI app for ``config``; the data source is opened here, once (errors surface now)."""
    ds = dataset if dataset is not None else Dataset(config.data, config.engine, table=config.table)
    complete = _complete_function()
    static = playground_dir()
    document = published_document(
        config.mode, auth=bool(config.keys), complete=complete is not None, playground=static is not None
    )
    ctx = Context(
        config=config,
        dataset=ds,
        gate=Gate(config.max_concurrent, config.max_queue),
        document=document,
        document_bytes=json.dumps(document, ensure_ascii=False).encode("utf-8"),
        complete=complete,
    )
    h = _Handlers(ctx)
    routes: list[Route | Mount] = [
        Route(OVERVIEW_PATH, h.overview, methods=["POST"]),
        *(Route(f"/v1/filters/{name}", h.endpoint(name), methods=["POST"]) for name in OPTIONS),
        Route("/openapi.json", h.openapi, methods=["GET"]),
        Route("/healthz", h.healthz, methods=["GET"]),
    ]
    if static is not None:
        # One GET route per playground file, not a catch-all mount at "/": a mount would
        # answer every unknown path (and GET on the POST endpoints) with its own 404/405
        # instead of the API's envelope and Allow header.
        routes.extend(_playground_routes(static))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        try:
            yield
        finally:
            if dataset is None:
                ds.close()

    middleware = [Middleware(AccessLog)]
    if config.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "Helicone-Authorization"],
            )
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: _http_exception, Exception: _unexpected},
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    return app


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return fail(exc.status_code, exc.detail, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    incident = uuid.uuid4().hex[:12]
    log.error("unexpected error %s on %s %s", incident, request.method, request.url.path, exc_info=exc)
    return fail(500, f"internal error (incident {incident}; the server log has the details)")


# ---------------------------------------------------------------- handlers

Options = dict[str, Any]

# Per endpoint: option -> (accepted JSON type(s), default). "filter" is read separately.
OPTIONS: dict[str, dict[str, tuple[tuple[type, ...], Any]]] = {
    "parse": {"now": ((str,), None)},
    "format": {},
    "sql": {
        "dialect": ((str,), "duckdb"),
        "profile": ((str,), "flat"),
        "tenant": ((str,), None),
        "inline": ((bool,), False),
        "where": ((bool,), False),
    },
    "check": {"overview": ((bool,), True)},
    "complete": {"cursor": ((int,), None)},
}
SQL_PROFILES = ("flat", "helicone")
_JSON_TYPE = {str: "a string", bool: "true or false", int: "an integer"}


class _Handlers:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.coerce = ctx.config.mode == "upstream"

    # ---- shared steps

    def authenticate(self, request: Request) -> ApiKey | None:
        keys = self.ctx.config.keys
        if not keys:
            return None
        token = bearer_token(request.headers.get("authorization"))
        key = keys.lookup(token) if token is not None else None
        if key is None:
            raise _Unauthorized(token is not None)
        request.state.key = key.label
        return key

    async def body(self, request: Request) -> str:
        return decode_text(await read_body(request, self.ctx.config.max_body))

    # ---- the upstream endpoint

    async def overview(self, request: Request) -> Response:
        start = time.monotonic()
        cfg = self.ctx.config
        try:
            key = self.authenticate(request)
            text = await self.body(request)
            req = await _maybe_thread(len(text), partial(self._overview_request, text))
            deadline = start + cfg.timeout
            async with self.ctx.gate.slot(deadline):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout()
                result = await anyio.to_thread.run_sync(
                    partial(
                        self.ctx.dataset.overview,
                        req,
                        tenant=key.organization_id if key is not None else None,
                        timeout=remaining,
                    )
                )
        except _Unauthorized as e:
            return e.response()
        except BodyTooLarge as e:
            return fail(413, str(e))
        except Saturated:
            return fail(
                503,
                "the server is busy (all engine slots and the wait queue are taken); retry shortly",
                headers={"Retry-After": retry_after(cfg.timeout)},
            )
        except QueryTimeout:
            return fail(504, f"the query ran out of time ({cfg.timeout:g} s, the server's --timeout) and was stopped")
        except ApiError as e:
            if e.status == 400:
                return fail(400, e.message)
            return self._query_failed(e.message)
        except FilterError as e:
            return self._query_failed(str(e))
        except SourceError as e:
            log.error("data source error: %s", e)
            return fail(500, str(e))
        if result.get("error") is not None:
            return self._query_failed(str(result["error"]))
        return Envelope(result)

    def _overview_request(self, text: str) -> Any:
        from ..metrics.request import parse_request

        body = load_json(text, self.ctx.config.limits)  # 400 for a body that is not JSON
        if self.coerce and isinstance(body, dict) and body.get("useInterquartile") in ("true", "false"):
            body["useInterquartile"] = body["useInterquartile"] == "true"  # upstream coerces it too
        return parse_request(body, coerce=self.coerce)

    def _query_failed(self, message: str) -> Response:
        """Strict: 422. Upstream mode: HTTP 200 with the error envelope, as upstream answers."""
        return fail(200 if self.coerce else 422, message)

    # ---- /v1/filters/*

    def endpoint(self, name: str) -> Callable[[Request], Awaitable[Response]]:
        """The route for ``/v1/filters/<name>``: read and check the options, then ``do_<name>``."""
        handler: Callable[[Options, ApiKey | None], Any] = getattr(self, f"do_{name}")
        allowed = OPTIONS[name]

        async def route(request: Request) -> Response:
            try:
                key = self.authenticate(request)
                text = await self.body(request)
                data = await _maybe_thread(len(text), partial(self._run_filter_endpoint, handler, allowed, text, key))
            except _Unauthorized as e:
                return e.response()
            except BodyTooLarge as e:
                return fail(413, str(e))
            except ApiError as e:
                return fail(e.status, e.message, details=e.details)
            except FilterError as e:
                return fail(422, str(e), details=error_details(e))
            return ok(data)

        route.__name__ = f"filters_{name}"
        return route

    def _run_filter_endpoint(
        self,
        handler: Callable[[Options, ApiKey | None], Any],
        allowed: dict[str, tuple[tuple[type, ...], Any]],
        text: str,
        key: ApiKey | None,
    ) -> Any:
        body = load_json(text, self.ctx.config.limits)
        if not isinstance(body, dict):
            raise ApiError(
                422,
                f'the request body must be a JSON object {{"filter": ...}}, not {json_kind(body)}',
                details={"kind": "schema", "message": "expected a JSON object", "path": "$"},
            )
        opts: Options = {}
        for name, value in body.items():
            if name == "filter":
                continue
            if name not in allowed:
                known = ["filter", *allowed]
                hint = closest(name, known)
                raise FilterSchemaError(
                    f"unknown key {json.dumps(name)} in the request body (it takes {', '.join(known)})",
                    path=f"$.{name}",
                    suggestion=hint,
                )
            types, _ = allowed[name]
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                raise FilterSchemaError(
                    f"{name} must be {_JSON_TYPE[types[0]]}, not {json_kind(value)}", path=f"$.{name}"
                )
            opts[name] = value
        for name, (_, default) in allowed.items():
            opts.setdefault(name, default)
        if "filter" not in body:
            raise FilterSchemaError('the request body needs "filter" (DSL text or the API\'s JSON)', path="$.filter")
        opts["filter"] = body["filter"]
        return handler(opts, key)

    def node(self, opts: Options) -> Any:
        """The filter: a string is DSL text, anything else the API's JSON."""
        from ..dsl.parser import parse
        from ..jsonio import from_json

        f = opts["filter"]
        now = opts.get("now")
        if now is not None:  # checked even when the filter is JSON and needs no anchor
            from ..timefmt import resolve_now

            try:
                resolve_now(now)
            except ValueError as e:
                raise FilterSchemaError(f"now must be an RFC 3339 time: {e}", path="$.now") from None
        if isinstance(f, str):
            return parse(f, now=now, limits=self.ctx.config.limits)
        if not isinstance(f, dict):
            raise FilterSchemaError(f"filter must be DSL text or a filter object, not {json_kind(f)}", path="$.filter")
        try:
            return from_json(f, limits=self.ctx.config.limits, coerce=self.coerce)
        except FilterError as e:
            raise e.rerooted("$.filter") from None

    def do_parse(self, opts: Options, key: ApiKey | None) -> Any:
        from ..jsonio import to_json

        return to_json(self.node(opts))

    def do_format(self, opts: Options, key: ApiKey | None) -> Any:
        from ..dsl.printer import to_dsl

        return to_dsl(self.node(opts))

    def do_sql(self, opts: Options, key: ApiKey | None) -> Any:
        from ..sql import helicone_profile, to_sql, where_sql

        node = self.node(opts)
        profile_name = opts["profile"]
        if profile_name not in SQL_PROFILES:
            raise FilterSchemaError(
                f"profile must be one of {', '.join(SQL_PROFILES)}, not {json.dumps(profile_name)}",
                path="$.profile",
                suggestion=closest(profile_name, SQL_PROFILES),
            )
        tenant = opts["tenant"]
        profile: Any = profile_name
        if tenant is not None:
            if profile_name != "helicone":
                raise FilterSchemaError(
                    "tenant applies to the helicone profile (its organization guard)", path="$.tenant"
                )
            profile = helicone_profile(organization_id=tenant)
        build = where_sql if opts["where"] else to_sql
        q = build(node, dialect=opts["dialect"], profile=profile, inline=opts["inline"])
        params = json.loads(json.dumps(q.params, default=str)) if not opts["inline"] else {}
        return {"sql": q.sql, "params": params}

    def do_check(self, opts: Options, key: ApiKey | None) -> Any:
        from ..compat import check
        from ..dsl.printer import to_dsl
        from ..nodes import iter_conditions, shape

        node = self.node(opts)  # errors first, with paths from the body
        raw = opts["filter"]
        # JSON read with coercions is checked again from the JSON, so each coerced value is named.
        source = raw if (self.coerce and isinstance(raw, dict)) else node
        warnings = check(source, coerce=self.coerce, overview=opts["overview"], limits=self.ctx.config.limits)
        depth, count = shape(node)
        return {
            "valid": True,
            "canonical": to_dsl(node),
            "conditions": sum(1 for _ in iter_conditions(node)),
            "nodes": count,
            "depth": depth,
            "warnings": [{"path": w.path, "message": w.message, "kind": w.kind} for w in warnings],
        }

    def do_complete(self, opts: Options, key: ApiKey | None) -> Any:
        fn = self.ctx.complete
        if fn is None:
            raise ApiError(501, "completion is not available in this version of filterlang")
        text = opts["filter"]
        if not isinstance(text, str):
            raise FilterSchemaError("filter must be the DSL text being edited", path="$.filter")
        cursor = len(text) if opts["cursor"] is None else opts["cursor"]
        if not 0 <= cursor <= len(text):
            raise FilterSchemaError(f"cursor must be from 0 to {len(text)} (code points into filter)", path="$.cursor")
        # Values and map keys come from the data only for keys that may see all of it.
        source = self.ctx.dataset.source if (key is None or key.organization_id is None) else None
        found = fn(text, cursor, source=source.label if source is not None and source.path else None)
        return [{"kind": s.kind, "text": s.text, "start": s.start, "end": s.end} for s in found]

    # ---- unauthenticated

    async def openapi(self, request: Request) -> Response:
        return Response(self.ctx.document_bytes, media_type="application/json")

    async def healthz(self, request: Request) -> Response:
        gate = self.ctx.gate
        return Envelope(
            {
                "status": "ok",
                "engine": self.ctx.config.engine,
                "mode": self.ctx.config.mode,
                "running": gate.running,
                "waiting": gate.waiting,
            }
        )


class _Unauthorized(Exception):
    def __init__(self, presented: bool) -> None:
        self.presented = presented
        super().__init__()

    def response(self) -> Response:
        if self.presented:
            challenge = 'Bearer realm="filterlang", error="invalid_token"'
            message = "invalid API key"
        else:
            challenge = 'Bearer realm="filterlang"'
            message = "missing API key: send the header Authorization: Bearer <key>"
        return fail(401, message, headers={"WWW-Authenticate": challenge})


async def _maybe_thread(size: int, fn: Callable[[], Any]) -> Any:
    """Small bodies on the event loop; large ones (up to the body limit) in a worker thread."""
    if size <= INLINE_BODY_BYTES:
        return fn()
    return await anyio.to_thread.run_sync(fn)


# ---------------------------------------------------------------- access log


class AccessLog:
    """One line per request: client, method, path, status, duration. Never headers or bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                who = client[0] if client else "-"
                key = scope.get("state", {}).get("key")
                access_log.info(
                    '%s "%s %s" %d %.1fms%s',
                    who,
                    scope["method"],
                    scope["path"],
                    status,
                    (time.perf_counter() - start) * 1000,
                    f" key={key}" if key else "",
                )
