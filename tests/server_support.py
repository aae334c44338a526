"""Shared by the server tests: a real uvicorn server on a free loopback port, and data sets.

``running(app)`` serves an ASGI app with uvicorn in a thread, bound to 127.0.0.1 on a port
the OS picks (the socket is bound before the server starts, so there is no race for it),
and yields the base URL; leaving the block shuts the server down and joins the thread.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ORGS = ("org-a", "org-b", "org-c")
KEY_A = "key-for-org-a-0123456789"
KEY_B = "key-for-org-b-0123456789"
KEY_ALL = "key-for-everything-0123456789"
KEYS_TEXT = f"# test keys\n{KEY_A} org-a\n{KEY_B} org-b\n{KEY_ALL}\n"


@contextmanager
def running(app: Any, **config: Any) -> Iterator[str]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def sample_table(rows: int = 3000, seed: int = 3) -> pa.Table:
    """Sample requests whose organization varies per row, so users span organizations
    (a user's users_view values then differ between the whole data and one tenant's rows)."""
    from filterlang.sample import generate

    table = generate(rows, seed=seed)
    orgs = pa.array([ORGS[(i * 7 + i // 5) % len(ORGS)] for i in range(table.num_rows)], pa.string())
    idx = table.column_names.index("organization_id")
    return table.set_column(idx, "organization_id", orgs)


def write_parquet(table: pa.Table, path: Path) -> Path:
    pq.write_table(table, path)
    return path


def org_rows(table: pa.Table, org: str) -> pa.Table:
    import pyarrow.compute as pc

    return table.filter(pc.equal(table.column("organization_id"), org))
