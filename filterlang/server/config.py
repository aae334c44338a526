"""The server's options, one frozen record shared by the CLI, the app factory and the tests."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal

from ..limits import DEFAULT_LIMITS, Limits
from .auth import KeyRing

Mode = Literal["strict", "upstream"]
MODES: tuple[Mode, ...] = ("strict", "upstream")
SERVER_ENGINES = ("duckdb", "chdb", "clickhouse")

# A body holds one filter plus a few small keys; the filter's own limit is
# Limits.max_length characters, so the body limit sits a little above it (JSON escapes
# and the envelope), and a body is refused before it is all read.
BODY_HEADROOM = 64 * 1024
DEFAULT_MAX_BODY = DEFAULT_LIMITS.max_length + BODY_HEADROOM


@dataclass(frozen=True)
class ServerConfig:
    """Everything ``create_app`` needs.

    data: a data file (Parquet, CSV, JSONL) for duckdb/chdb; for clickhouse the server's
        URL (``http://user:password@host:8123/database``), reading ``table``.
    mode: ``strict`` (400/422 with the error envelope) or ``upstream`` (upstream's
        coercions and statuses: a failed query is HTTP 200 with ``{"data": null, "error"}``).
    keys: accepted API keys; empty means no authentication (``filterlang serve`` allows that
        only on a loopback address unless ``--no-auth``).
    timeout: seconds a request may take, queue wait included; the engine's query is
        stopped when it runs out (HTTP 504).
    max_concurrent / max_queue: engine queries running at once, and requests waiting for
        one; a request beyond both is refused at once with 503 (memory stays bounded).
    max_body: bytes of a request body, counted as they arrive (413).
    cors_origins: browser origins allowed to call the API from their pages (e.g. a web app
        on ``http://localhost:3000``); none by default, so other sites' pages cannot.
    """

    data: str
    engine: str = "duckdb"
    mode: Mode = "strict"
    keys: KeyRing = field(default_factory=KeyRing)
    timeout: float = 30.0
    max_concurrent: int = 4
    max_queue: int = 64
    max_body: int = DEFAULT_MAX_BODY
    table: str | None = None
    limits: Limits = DEFAULT_LIMITS
    cors_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.engine not in SERVER_ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; the server runs {', '.join(SERVER_ENGINES)}")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; expected strict or upstream")
        if not self.timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {self.timeout!r}")
        if self.max_concurrent < 1 or self.max_queue < 0:
            raise ValueError("max_concurrent must be at least 1 and max_queue at least 0")
        if self.max_body < 1024:
            raise ValueError(f"max_body must be at least 1024 bytes, not {self.max_body}")


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
