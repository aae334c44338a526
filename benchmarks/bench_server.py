"""`filterlang serve` under load: 8 concurrent clients for a fixed time, next to the work in-process.

    .venv/bin/python benchmarks/bench_server.py --rows 1000000            # ~2 minutes
    .venv/bin/python benchmarks/bench_server.py                            # 1M and 10M rows

Data: ``filterlang sample`` rows (seed 7) as Parquet in $FILTERLANG_BENCH_DIR (default
<tmp>/filterlang-bench, shared with bench_overview.py), generated once, never committed.

Each row of the table runs for ``--seconds`` with ``--clients`` concurrent keep-alive
HTTP clients (one asyncio loop, httpx) against a server started as its own process
(``filterlang serve`` with its defaults: 4 engine queries at once, 64 waiting), and
reports requests/s, p50/p99 latency, errors (must be 0) and the server's peak RSS
(VmHWM). Side by side, in the same run and for the same time:

- overview rows: the same requests answered in-process by ``filterlang.overview()`` from
  as many threads as there are clients (DuckDB runs queries in parallel); the ratio is
  in-process requests/s over server requests/s, i.e. what the HTTP layer costs;
- the parse row: a bare Starlette endpoint returning a constant, served by the same
  uvicorn in its own process, hit by the same clients: the framework's own ceiling, and
  ``parse()`` in-process for the work itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OVERVIEWS = {
    "overview all": {"filter": "all", "pSize": "p95", "useInterquartile": False},
    "overview request filter": 'model ~ "gpt%" and status = 200 and properties["environment"] = "production"',
    "overview users_view filter": 'user_cost > 1 and model ~ "claude%"',
}
PARSE_TEXT = (
    'model ~ "gpt-4o%" and status >= 200 and status < 300 and latency < 2500 and cost > 0.0001 '
    'and country_code = "US" and provider = "openai" and properties["environment"] = "production" '
    "and cached = false and prompt_tokens > 10"
)


def data_file(rows: int) -> Path:
    base = Path(os.environ.get("FILTERLANG_BENCH_DIR", Path(tempfile.gettempdir()) / "filterlang-bench"))
    base.mkdir(parents=True, exist_ok=True)
    path = base / f"requests-{rows}-seed7.parquet"
    if not path.exists():
        from filterlang import sample

        print(f"generating {rows:,} sample rows into {path}…", file=sys.stderr, flush=True)
        tmp = path.with_suffix(".tmp.parquet")
        sample.write_sample(rows, tmp, seed=7, fmt="parquet")
        tmp.rename(path)
    return path


def body_for(spec: Any) -> dict[str, Any]:
    if isinstance(spec, dict):
        return spec
    import filterlang

    return {"filter": filterlang.to_json(filterlang.parse(spec)), "pSize": "p95", "useInterquartile": False}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(cmd: list[str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server did not start: {' '.join(cmd)}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stop(proc: subprocess.Popen[bytes]) -> float:
    rss = peak_rss_mb(proc.pid)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    return rss


def load(url: str, body: dict[str, Any], clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` concurrent keep-alive clients posting ``body`` for ``seconds``."""
    import httpx

    latencies: list[float] = []
    errors = 0
    payload = json.dumps(body).encode()

    async def client(c: httpx.AsyncClient, until: float) -> None:
        nonlocal errors
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            r = await c.post(url, content=payload, headers={"content-type": "application/json"})
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 200 or (r.headers.get("content-type") == "application/json" and r.json().get("error")):
                errors += 1

    async def main() -> float:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(limits=limits, timeout=120) as c:
            await c.post(url, content=payload, headers={"content-type": "application/json"})  # warm-up
            t0 = time.perf_counter()
            await asyncio.gather(*(client(c, t0 + seconds) for _ in range(clients)))
            return time.perf_counter() - t0

    elapsed = asyncio.run(main())
    return summary(latencies, elapsed, errors)


def in_process(fn: Callable[[], Any], threads: int, seconds: float) -> dict[str, Any]:
    fn()  # warm-up
    latencies: list[float] = []
    lock = threading.Lock()
    until = time.perf_counter() + seconds

    def worker() -> None:
        mine = []
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            fn()
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return summary(latencies, time.perf_counter() - t0, 0)


def summary(latencies: list[float], elapsed: float, errors: int) -> dict[str, Any]:
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0]] * 99
    return {"rps": len(lat) / elapsed, "p50": q[49] * 1000, "p99": q[98] * 1000, "n": len(lat), "errors": errors}


def asgi_cpu_us(app: Any, path: str, body: dict[str, Any], n: int = 3000) -> float:
    """CPU microseconds per request through ``app`` in-process (httpx's ASGI transport, no
    sockets): stable on a busy machine, unlike wall-clock throughput. Includes the client."""
    import httpx

    payload = json.dumps(body).encode()
    headers = {"content-type": "application/json"}

    async def go() -> float:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as c:
            for _ in range(200):
                await c.post(path, content=payload, headers=headers)
            t0 = time.process_time()
            for _ in range(n):
                await c.post(path, content=payload, headers=headers)
            return (time.process_time() - t0) / n * 1e6

    return asyncio.run(go())


def bare_app() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    body = b'{"data":"all","error":null}'

    async def constant(request: Any) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/v1/filters/parse", constant, methods=["POST"])])


def row(name: str, m: dict[str, Any], extra: str = "", rss: float | None = None) -> str:
    rss_s = f"{rss:,.0f} MB" if rss is not None else ""
    return f"| {name} | {m['rps']:,.1f} | {m['p50']:.1f} | {m['p99']:.1f} | {m['errors']} | {rss_s} | {extra} |"


def run(rows: int, clients: int, seconds: float, engine: str) -> list[str]:
    import filterlang

    path = data_file(rows)
    port = free_port()
    server = start(
        [
            sys.executable,
            "-m",
            "filterlang.cli",
            "serve",
            "--data",
            str(path),
            "--engine",
            engine,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        port,
    )
    base = f"http://127.0.0.1:{port}"
    out = [
        f"\n**{rows:,} rows, {engine}, {clients} clients × {seconds:g} s**\n",
        "| request | req/s | p50 ms | p99 ms | errors | server peak RSS | in-process (same load) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    try:
        for name, spec in OVERVIEWS.items():
            body = body_for(spec)
            m = load(base + "/v1/user/metrics-overview/query", body, clients, seconds)
            local = in_process(lambda b=body: filterlang.overview(b, str(path), engine=engine), clients, seconds)
            ratio = local["rps"] / m["rps"] if m["rps"] else float("nan")
            extra = f"{local['rps']:,.1f} req/s, p50 {local['p50']:.1f} ms; in-process/server = {ratio:.2f}x"
            out.append(row(name, m, extra, peak_rss_mb(server.pid)))
            print(out[-1], file=sys.stderr, flush=True)
        parse_body = {"filter": PARSE_TEXT}
        m = load(base + "/v1/filters/parse", parse_body, clients, seconds)
    finally:
        rss = stop(server)
    bare_port = free_port()
    bare = start([sys.executable, __file__, "--bare-server", str(bare_port)], bare_port)
    try:
        b = load(f"http://127.0.0.1:{bare_port}/v1/filters/parse", parse_body, clients, seconds)
    finally:
        bare_rss = stop(bare)
    local = in_process(lambda: filterlang.to_json(filterlang.parse(PARSE_TEXT)), 1, seconds)
    import logging

    from filterlang.server import ServerConfig, create_app

    logging.getLogger("filterlang.server.access").setLevel(logging.WARNING)
    ours = asgi_cpu_us(create_app(ServerConfig(data=str(path))), "/v1/filters/parse", parse_body)
    theirs = asgi_cpu_us(bare_app(), "/v1/filters/parse", parse_body)
    work = f"parse()+to_json in-process: {local['rps']:,.0f}/s, p50 {local['p50'] * 1000:.0f} µs"
    out.append(row("/v1/filters/parse (10 predicates)", m, f"{work}; CPU/request via ASGI: {ours:.0f} µs", rss))
    out.append(
        row(
            "bare Starlette endpoint (constant)",
            b,
            f"the framework's ceiling; CPU/request via ASGI: {theirs:.0f} µs",
            bare_rss,
        )
    )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, action="append", help="data size (repeatable; default 1M and 10M)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "chdb"])
    ap.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.bare_server:
        import uvicorn

        uvicorn.run(bare_app(), host="127.0.0.1", port=args.bare_server, log_level="warning", access_log=False)
        return 0
    lines = []
    for rows in args.rows or [1_000_000, 10_000_000]:
        lines += run(rows, args.clients, args.seconds, args.engine)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
