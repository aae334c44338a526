"""``filterlang serve``: the upstream API (``POST /v1/user/metrics-overview/query``) served locally.

Starlette + uvicorn (the ``[server]`` extra), chosen because the server publishes the
contract's own OpenAPI document and validates bodies with filterlang's own readers; a
framework that derives the schema from handler signatures (FastAPI) would publish a
different document and reject bodies with its own messages before ours could speak.

    from filterlang.server import ServerConfig, create_app
    app = create_app(ServerConfig(data="requests.parquet"))   # any ASGI server runs it

Modules: :mod:`.config` (options), :mod:`.auth` (API keys, tenants), :mod:`.limits`
(body size, concurrency, time), :mod:`.dataset` (the data source, opened once, and one
engine query per request), :mod:`.openapi` (the published document), :mod:`.app`
(routes and the error envelope), :mod:`.cli` (the ``serve`` subcommand). Nothing here is
imported by ``import filterlang``; Starlette is imported only by :mod:`.app`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app as create_app
    from .config import ServerConfig as ServerConfig

_LAZY = {"create_app": "filterlang.server.app", "ServerConfig": "filterlang.server.config"}

__all__ = ["ServerConfig", "create_app"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'filterlang.server' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
