"""What keeps one request, or many, from taking the server down: body size, concurrency, time.

- The body is counted as it streams in, so a chunked upload without ``Content-Length`` is
  cut off at the limit (a declared length above it is refused before reading anything).
- :class:`Gate` admits ``max_concurrent`` engine queries and lets ``max_queue`` more wait;
  anything beyond is refused at once (503 with ``Retry-After``), so memory is bounded by
  the two numbers whatever the load. Waiting counts against the request's deadline.
- Time is enforced by the engine (DuckDB ``interrupt()``, ClickHouse ``max_execution_time``,
  see :mod:`.dataset`), so a query that runs out of time really stops.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio

if TYPE_CHECKING:
    from starlette.requests import Request


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the request body is larger than {limit:,} bytes (the server's --max-body)")


class Saturated(Exception):
    """Every slot is busy and the wait queue is full, or the wait outlasted the deadline."""


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing it as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


class Gate:
    """A bounded semaphore with a bounded queue, for the engine queries of one process."""

    def __init__(self, max_concurrent: int, max_queue: int) -> None:
        self.max_concurrent = max_concurrent
        self.max_queue = max_queue
        self._sem = anyio.Semaphore(max_concurrent)
        self.waiting = 0
        self.running = 0

    @asynccontextmanager
    async def slot(self, deadline: float) -> AsyncIterator[None]:
        """Hold one slot; raise :class:`Saturated` when none is free in time (``deadline``: monotonic)."""
        if self.running >= self.max_concurrent and self.waiting >= self.max_queue:
            raise Saturated()
        self.waiting += 1
        try:
            with anyio.move_on_after(max(0.0, deadline - time.monotonic())) as scope:
                await self._sem.acquire()
        finally:
            self.waiting -= 1
        if scope.cancelled_caught:
            raise Saturated()
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._sem.release()


def retry_after(timeout: float) -> str:
    """A Retry-After value (whole seconds, at least 1)."""
    return str(max(1, math.ceil(min(timeout, 5.0))))
