"""`filterlang serve` over real sockets: endpoints, modes, keys and tenants, limits, the log.

Each server is uvicorn on 127.0.0.1 (a port the OS picks) in a thread of this process,
talked to with httpx; the limit tests speak raw HTTP where a client library would hide
what is sent (a chunked body without Content-Length).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("duckdb")
httpx = pytest.importorskip("httpx")

from server_support import KEY_A, KEY_ALL, KEY_B, KEYS_TEXT, org_rows, running, sample_table, write_parquet  # noqa: E402

import filterlang  # noqa: E402
from filterlang.contract import openapi_text  # noqa: E402
from filterlang.server import ServerConfig, create_app  # noqa: E402
from filterlang.server.auth import KeyFileError, KeyRing  # noqa: E402
from filterlang.server.openapi import contract  # noqa: E402

OVERVIEW = "/v1/user/metrics-overview/query"
ALL_REQ = {"filter": "all", "pSize": "p95", "useInterquartile": False}


@pytest.fixture(scope="module")
def table() -> Any:
    return sample_table(3000)


@pytest.fixture(scope="module")
def data(table: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_parquet(table, tmp_path_factory.mktemp("server") / "requests.parquet")


@pytest.fixture(scope="module")
def open_url(data: Path) -> Iterator[str]:
    with running(create_app(ServerConfig(data=str(data)))) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_url(data: Path) -> Iterator[str]:
    keys = KeyRing.from_lines(KEYS_TEXT.splitlines())
    with running(create_app(ServerConfig(data=str(data), keys=keys))) as url:
        yield url


@pytest.fixture(scope="module")
def upstream_url(data: Path) -> Iterator[str]:
    with running(create_app(ServerConfig(data=str(data), mode="upstream"))) as url:
        yield url


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# ---------------------------------------------------------------- the upstream endpoint


def test_overview_equals_in_process(open_url: str, data: Path) -> None:
    req = {
        "filter": {
            "left": {"request_response_rmt": {"model": {"like": "gpt%"}}},
            "operator": "or",
            "right": {"users_view": {"user_cost": {"gt": 0.5}}},
        },
        "pSize": "p75",
        "useInterquartile": True,
    }
    r = httpx.post(open_url + OVERVIEW, json=req)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == filterlang.overview(req, str(data))
    assert r.json()["data"]["request_count"]


# (body, strict status, upstream-mode status, text the error must contain)
BODY_CASES = [
    (b"{nope", 400, 400, "not valid JSON"),
    (b"\xff\xfe", 400, 400, "not UTF-8"),
    (b"", 400, 400, "not valid JSON"),
    (b"[1, 2]", 422, 200, "JSON object"),
    (json.dumps({"filter": "all", "pSize": "p95"}).encode(), 422, 200, "missing: useInterquartile"),
    (json.dumps({**ALL_REQ, "pSize": "p96"}).encode(), 422, 200, "pSize"),
    (json.dumps({**ALL_REQ, "extra": 1}).encode(), 422, 200, '"extra"'),
    (
        json.dumps({**ALL_REQ, "filter": {"request_response_rmt": {"modle": {"equals": "x"}}}}).encode(),
        422,
        200,
        "$.filter.request_response_rmt.modle",
    ),
    (
        json.dumps({**ALL_REQ, "filter": {"request_response_rmt": {"status": {"equals": "200"}}}}).encode(),
        422,
        200,
        "$.filter.request_response_rmt.status.equals",
    ),
    (b'{"filter": "all", "filter": "all", "pSize": "p95", "useInterquartile": false}', 422, 200, "duplicate key"),
    (b"[" * 5000, 422, 200, "Limits.max_depth"),
]


@pytest.mark.parametrize(("body", "strict", "upstream", "needle"), BODY_CASES)
def test_bad_bodies_in_both_modes(
    open_url: str, upstream_url: str, body: bytes, strict: int, upstream: int, needle: str
) -> None:
    for url, status in ((open_url, strict), (upstream_url, upstream)):
        r = httpx.post(url + OVERVIEW, content=body, headers={"content-type": "application/json"})
        if status == 200 and b'"status": {"equals": "200"}' in body:
            continue  # upstream mode coerces that one: see test_upstream_mode_coerces
        assert r.status_code == status, (url, r.text)
        out = r.json()
        assert out["data"] is None and needle in out["error"], out
        assert set(out) == {"data", "error"}  # the contract's ResultError, nothing else
        assert "Traceback" not in r.text


def test_upstream_mode_coerces(upstream_url: str, open_url: str, data: Path) -> None:
    coerced = {
        "filter": {"request_response_rmt": {"status": {"equals": "200"}, "cached": {"equals": "false"}}},
        "pSize": "p95",
        "useInterquartile": "false",
    }
    plain = {
        "filter": {"request_response_rmt": {"status": {"equals": 200}, "cached": {"equals": False}}},
        "pSize": "p95",
        "useInterquartile": False,
    }
    r = httpx.post(upstream_url + OVERVIEW, json=coerced)
    assert r.status_code == 200 and r.json()["error"] is None
    assert r.json() == filterlang.overview(plain, str(data))
    assert httpx.post(open_url + OVERVIEW, json=coerced).status_code == 422
    checked = httpx.post(upstream_url + "/v1/filters/check", json={"filter": coerced["filter"]}).json()
    assert sorted(w["kind"] for w in checked["data"]["warnings"] if w["kind"] == "coerced") == ["coerced", "coerced"]
    assert httpx.post(open_url + "/v1/filters/check", json={"filter": coerced["filter"]}).status_code == 422


# ---------------------------------------------------------------- /v1/filters/*

# (endpoint, body, status, check on the JSON answer)
FILTER_CASES: list[tuple[str, Any, int, Any]] = [
    (
        "parse",
        {"filter": 'model = "gpt-4o" and status >= 500'},
        200,
        lambda d: d["data"] == filterlang.to_json(filterlang.parse('model = "gpt-4o" and status >= 500')),
    ),
    (
        "parse",
        {"filter": {"request_response_rmt": {"model": {"equals": "a"}}}},
        200,
        lambda d: d["data"] == {"request_response_rmt": {"model": {"equals": "a"}}},
    ),
    ("parse", {"filter": "all"}, 200, lambda d: d["data"] == "all"),
    (
        "parse",
        {"filter": 'model = "a" and'},
        422,
        lambda d: d["details"]["kind"] == "syntax" and d["details"]["line"] == 1 and d["details"]["column"] == 16,
    ),
    (
        "parse",
        {"filter": 'modle = "a"'},
        422,
        lambda d: d["details"]["column"] == 1 and "model" in d["details"]["suggestion"],
    ),
    (
        "parse",
        {"filter": {"request_response_rmt": {"modle": {"equals": "a"}}}},
        422,
        lambda d: d["details"]["path"] == "$.filter.request_response_rmt.modle",
    ),
    (
        "parse",
        {"filter": "request_created_at > now - 1d", "now": "2026-01-02T00:00:00Z"},
        200,
        lambda d: "2026-01-01T00:00:00" in json.dumps(d["data"]),
    ),
    (
        "parse",
        {"filter": "x", "nw": "2026-01-02T00:00:00Z"},
        422,
        lambda d: d["details"]["path"] == "$.nw" and "now" in d["details"]["suggestion"],
    ),
    ("parse", {"filter": 5}, 422, lambda d: d["details"]["path"] == "$.filter"),
    ("parse", {"filter": "all", "now": "2024-01-01T12:99:00Z"}, 422, lambda d: d["details"]["path"] == "$.now"),
    ("parse", {"filter": {}, "now": "yesterday"}, 422, lambda d: d["details"]["path"] == "$.now"),
    ("parse", {}, 422, lambda d: d["details"]["path"] == "$.filter"),
    ("parse", ["filter"], 422, lambda d: d["details"]["path"] == "$"),
    (
        "format",
        {
            "filter": {
                "left": {"request_response_rmt": {"model": {"equals": "a"}}},
                "operator": "or",
                "right": {"request_response_rmt": {"status": {"gte": 500}}},
            }
        },
        200,
        lambda d: d["data"] == 'model = "a" or status >= 500',
    ),
    ("format", {"filter": "status>=500   and(model='a')"}, 200, lambda d: isinstance(d["data"], str)),
    (
        "sql",
        {"filter": 'model = "a"', "dialect": "clickhouse"},
        200,
        lambda d: re.search(r"\{p0: ?String\}", d["data"]["sql"]) and d["data"]["params"] == {"p0": "a"},
    ),
    (
        "sql",
        {"filter": 'model = "a"', "inline": True, "where": True, "dialect": "postgres"},
        200,
        lambda d: d["data"]["sql"].endswith("'a'") and d["data"]["params"] == {},
    ),
    (
        "sql",
        {"filter": 'model = "a"', "profile": "helicone", "tenant": "org-1", "dialect": "clickhouse"},
        200,
        lambda d: "organization_id" in d["data"]["sql"] and "org-1" in d["data"]["params"].values(),
    ),
    ("sql", {"filter": 'model = "a"', "dialect": "nope"}, 422, lambda d: "unknown SQL dialect" in d["error"]),
    ("sql", {"filter": 'model = "a"', "profile": "flatt"}, 422, lambda d: "flat" in d["details"]["suggestion"]),
    ("sql", {"filter": 'model = "a"', "tenant": "org-1"}, 422, lambda d: d["details"]["path"] == "$.tenant"),
    ("sql", {"filter": 'model = "a"', "inline": "yes"}, 422, lambda d: d["details"]["path"] == "$.inline"),
    (
        "check",
        {"filter": {"request_response_rmt": {"model": {"equals": "a"}, "status": {"equals": 200}}}},
        200,
        lambda d: d["data"]["valid"] and d["data"]["warnings"] and d["data"]["conditions"] == 2,
    ),
    ("check", {"filter": 'model = "a"'}, 200, lambda d: d["data"]["canonical"] == 'model = "a"'),
    (
        "check",
        {"filter": "latency between 500 and 100"},
        200,
        lambda d: [w["kind"] for w in d["data"]["warnings"]] == ["never-matches"],
    ),
]


@pytest.mark.parametrize(("name", "body", "status", "check"), FILTER_CASES)
def test_filter_endpoints(open_url: str, name: str, body: Any, status: int, check: Any) -> None:
    r = httpx.post(f"{open_url}/v1/filters/{name}", json=body)
    assert r.status_code == status, r.text
    out = r.json()
    assert (out["error"] is None) == (status == 200), out
    assert check(out), out


def test_complete_endpoint(open_url: str) -> None:
    r = httpx.post(open_url + "/v1/filters/complete", json={"filter": "mod", "cursor": 3})
    if not callable(getattr(filterlang, "complete", None)):
        assert r.status_code == 501 and r.json()["data"] is None
        return
    assert r.status_code == 200, r.text
    texts = [s["text"] for s in r.json()["data"]]
    assert "model" in texts
    assert httpx.post(open_url + "/v1/filters/complete", json={"filter": "mod", "cursor": 9}).status_code == 422


def test_methods_and_unknown_paths(open_url: str) -> None:
    r = httpx.get(open_url + OVERVIEW)
    assert r.status_code == 405 and r.headers["allow"] == "POST" and r.json()["data"] is None
    r = httpx.post(open_url + "/v1/nothing", json={})
    assert r.status_code == 404 and r.json() == {"data": None, "error": "Not Found"}


# ---------------------------------------------------------------- the published document


def test_published_document_keeps_the_contract(open_url: str) -> None:
    published = httpx.get(open_url + "/openapi.json").json()
    upstream = contract()
    path = "/v1/user/metrics-overview/query"
    assert published["paths"][path]["post"]["requestBody"] == upstream["paths"][path]["post"]["requestBody"]
    for name, schema in upstream["components"]["schemas"].items():
        assert published["components"]["schemas"][name] == schema, name
    assert published["openapi"] == "3.0.0" and published["servers"] == upstream["servers"]
    responses = published["paths"][path]["post"]["responses"]
    assert {"200", "400", "413", "422", "500", "503", "504"} <= set(responses)
    assert {f"/v1/filters/{n}" for n in ("parse", "format", "sql", "check", "complete")} <= set(published["paths"])
    assert openapi_text().startswith("openapi: 3.0.0")


def test_published_document_per_mode_and_auth(upstream_url: str, keyed_url: str) -> None:
    up = httpx.get(upstream_url + "/openapi.json").json()
    responses = up["paths"][OVERVIEW]["post"]["responses"]
    assert "422" not in responses and "401" not in responses  # failed queries are 200 there; no keys
    keyed = httpx.get(keyed_url + "/openapi.json").json()  # no key needed for the document
    assert keyed["paths"][OVERVIEW]["post"]["security"] == [{"api_key": []}]
    assert "401" in keyed["paths"][OVERVIEW]["post"]["responses"]


# ---------------------------------------------------------------- keys and tenants


def test_keys_required(keyed_url: str) -> None:
    for headers, challenge in (
        ({}, 'Bearer realm="filterlang"'),
        (bearer("wrong-key-0000000000000"), 'error="invalid_token"'),
        ({"Authorization": "Basic " + KEY_ALL}, 'Bearer realm="filterlang"'),
        ({"Authorization": "Bearer"}, 'Bearer realm="filterlang"'),
    ):
        for path, body in ((OVERVIEW, ALL_REQ), ("/v1/filters/parse", {"filter": "all"})):
            r = httpx.post(keyed_url + path, json=body, headers=headers)
            assert r.status_code == 401, r.text
            assert challenge in r.headers["www-authenticate"]
            assert r.json()["data"] is None and "API key" in r.json()["error"]
    assert httpx.get(keyed_url + "/healthz").json()["status"] == "ok"
    assert httpx.post(keyed_url + OVERVIEW, json=ALL_REQ, headers=bearer(KEY_ALL)).status_code == 200
    assert (
        httpx.post(keyed_url + OVERVIEW, json=ALL_REQ, headers={"authorization": "bearer " + KEY_ALL}).status_code
        == 200
    )


def test_org_key_sees_its_organization_only(keyed_url: str, table: Any) -> None:
    req = {
        "filter": {
            "left": {"request_response_rmt": {"organization_id": {"equals": "org-b"}}},
            "operator": "or",
            "right": {"users_view": {"user_total_requests": {"gte": 1}}},
        },
        "pSize": "p99",
        "useInterquartile": False,
    }
    got_a = httpx.post(keyed_url + OVERVIEW, json=req, headers=bearer(KEY_A)).json()
    assert got_a == filterlang.overview(req, org_rows(table, "org-a"), engine="duckdb")
    got_b = httpx.post(keyed_url + OVERVIEW, json=req, headers=bearer(KEY_B)).json()
    assert got_b == filterlang.overview(req, org_rows(table, "org-b"), engine="duckdb")
    everything = httpx.post(keyed_url + OVERVIEW, json=req, headers=bearer(KEY_ALL)).json()
    assert everything == filterlang.overview(req, table, engine="duckdb")
    assert len({json.dumps(x) for x in (got_a, got_b, everything)}) == 3


# (key file text, error the line must produce)
KEY_FILE_CASES = [
    ("short", "at least 16 characters"),
    ("sha256:abc", "64 hex digits"),
    (f"{KEY_A} org-a extra", "KEY ORGANIZATION_ID"),
    (f"{KEY_A} org-a\n{KEY_A} org-b", "different organizations"),
    ("ké-0123456789abcdefgh", "visible ASCII"),
]


@pytest.mark.parametrize(("text", "error"), KEY_FILE_CASES)
def test_bad_key_lines(text: str, error: str) -> None:
    with pytest.raises(KeyFileError, match=error):
        KeyRing.from_lines(text.splitlines(), source="keys.txt")


def test_key_sources_and_digests(tmp_path: Path) -> None:
    hexdigest = hashlib.sha256(KEY_B.encode()).hexdigest()
    path = tmp_path / "keys.txt"
    path.write_text(f"# comment\n\n{KEY_A} org-a  # trailing comment\nsha256:{hexdigest} org-b\n")
    ring = KeyRing.load(path, {"FILTERLANG_API_KEYS": KEY_ALL})
    assert len(ring) == 3 and ring.organizations == {"org-a", "org-b"}
    assert [ring.lookup(k).organization_id if ring.lookup(k) else "-" for k in (KEY_A, KEY_B, KEY_ALL, "nope")] == [
        "org-a",
        "org-b",
        None,
        "-",
    ]
    assert KEY_A not in repr(vars(ring)) and KEY_B not in repr(vars(ring))  # digests only


# ---------------------------------------------------------------- limits


def raw_http(url: str, head: str, chunks: Iterator[bytes]) -> tuple[int, bytes]:
    """Send ``head`` then ``chunks`` on a socket, stopping when the server answers; (status, body)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(head.encode())
        s.setblocking(False)
        got = b""
        for chunk in chunks:
            with contextlib.suppress(BlockingIOError):
                got += s.recv(65536)
            if got:
                break
            try:
                s.sendall(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
        s.setblocking(True)
        while b"\r\n\r\n" not in got or len(got) < got.index(b"\r\n\r\n") + 4 + 10:
            part = s.recv(65536)
            if not part:
                break
            got += part
    status = int(got.split(b" ", 2)[1])
    return status, got.split(b"\r\n\r\n", 1)[1]


def test_chunked_body_over_the_limit_is_413(data: Path) -> None:
    app = create_app(ServerConfig(data=str(data), max_body=64 * 1024))
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        piece = b" " * 16384
        for _ in range(10_000):  # 160 MB if nobody stopped us
            sent += len(piece)
            yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"

    with running(app) as url:
        head = (
            f"POST {OVERVIEW} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        )
        status, body = raw_http(url, head, chunks())
        assert status == 413
        assert b"65,536 bytes" in body
        assert sent < 4 * 1024 * 1024  # refused while streaming, not after reading it all
        r = httpx.post(url + OVERVIEW, content=b" " * 70_000)  # declared Content-Length: refused unread
        assert r.status_code == 413 and r.json()["data"] is None


# Filters that keep each engine busy for many seconds on the slow data set: DuckDB stops an
# `or` at the first true pattern, so its patterns never match (all 300 are tried per row);
# ClickHouse rejects a pattern at once when a literal piece is missing, so its patterns all
# match somewhere and each row runs 600 of them.
SLOW_FILTERS = {
    "duckdb": " or ".join(
        f'request_body ~ "%{a}%{b}%{c}%z%"' for a in "abcdefghij" for b in "klmnopqrst" for c in "uvw"
    ),
    "chdb": " or ".join(
        f'request_body ~ "%{a}%{b}%{c}%" and request_body ~ "%{c}%{b}%{a}%"'
        for a in "abcdefghij"
        for b in "abcdefghij"
        for c in "abc"
    ),
}


@pytest.fixture(scope="module")
def slow_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    """A million rows of long text and, per engine, a request taking ~10-20 s uninterrupted."""
    import duckdb

    path = tmp_path_factory.mktemp("slow") / "slow.parquet"
    duckdb.sql(
        "COPY (SELECT 'u' || (i % 997) AS user_id, (i % 100) / 1000.0 AS cost, "
        "repeat('abcdefghij', 40) || i AS request_body, 'org-a' AS organization_id "
        f"FROM range(1000000) t(i)) TO '{path}' (FORMAT parquet)"
    )
    requests = {
        engine: {"filter": filterlang.to_json(filterlang.parse(text)), "pSize": "p95", "useInterquartile": False}
        for engine, text in SLOW_FILTERS.items()
    }
    return path, requests


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_timeout_stops_the_engine(slow_setup: tuple[Path, dict[str, dict[str, Any]]], engine: str) -> None:
    """DuckDB: the cursor is interrupted; chDB: the statement's max_execution_time."""
    pytest.importorskip(engine)
    path, slow = slow_setup
    req = slow[engine]
    with running(create_app(ServerConfig(data=str(path), engine=engine, timeout=0.5))) as url:
        t0 = time.monotonic()
        r = httpx.post(url + OVERVIEW, json=req, timeout=30)
        elapsed = time.monotonic() - t0
        assert r.status_code == 504, r.text
        assert r.json() == {"data": None, "error": r.json()["error"]} and "stopped" in r.json()["error"]
        assert elapsed < 5, elapsed  # uninterrupted, the query takes ~10 s (more on a busy machine)
        # Stopped, not abandoned: nothing is running, and no engine thread burns CPU afterwards
        # (a query still running would use one to two cores' worth of this process's CPU time).
        assert httpx.get(url + "/healthz").json()["running"] == 0
        cpu0 = time.process_time()
        time.sleep(1.0)
        assert time.process_time() - cpu0 < 0.3, time.process_time() - cpu0


def test_saturation_is_503(slow_setup: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    path, slow = slow_setup
    req = slow["duckdb"]
    app = create_app(ServerConfig(data=str(path), timeout=1.5, max_concurrent=1, max_queue=1))
    with running(app) as url:
        results: list[int] = []

        def slow() -> None:
            results.append(httpx.post(url + OVERVIEW, json=req, timeout=30).status_code)

        threads = [threading.Thread(target=slow) for _ in range(2)]  # one running, one queued
        for t in threads:
            t.start()
        deadline = time.monotonic() + 5
        while httpx.get(url + "/healthz").json()["waiting"] < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        r = httpx.post(url + OVERVIEW, json=ALL_REQ)
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"] == "2" and r.json()["data"] is None
        for t in threads:
            t.join()
        assert sorted(results) == [503, 504] or results == [504, 504], results
        assert httpx.post(url + OVERVIEW, json=ALL_REQ).status_code == 200  # recovers


def test_data_failure_is_a_clean_500(tmp_path: Path, table: Any) -> None:
    path = write_parquet(table, tmp_path / "gone.parquet")
    with running(create_app(ServerConfig(data=str(path)))) as url:
        path.write_bytes(b"not parquet any more")
        r = httpx.post(url + OVERVIEW, json=ALL_REQ)
        assert r.status_code == 500
        assert r.json()["data"] is None and "gone.parquet" in r.json()["error"]
        assert "Traceback" not in r.text and "File " not in r.text


# ---------------------------------------------------------------- access log


def test_access_log_lines(keyed_url: str, caplog: pytest.LogCaptureFixture) -> None:
    secret_filter = 'model = "secret-body-text"'
    with caplog.at_level(logging.INFO, logger="filterlang.server.access"):
        httpx.post(keyed_url + "/v1/filters/parse?x=1", json={"filter": secret_filter}, headers=bearer(KEY_A))
        httpx.post(
            keyed_url + "/v1/filters/parse", json={"filter": secret_filter}, headers=bearer("wrong-key-000000000")
        )
        deadline = time.monotonic() + 2
        while len(caplog.records) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    lines = [r.getMessage() for r in caplog.records if r.name == "filterlang.server.access"]
    assert len(lines) == 2, lines
    assert '"POST /v1/filters/parse" 200 ' in lines[0] and lines[0].endswith(
        f" key={hashlib.sha256(KEY_A.encode()).hexdigest()[:8]}"
    )
    assert '"POST /v1/filters/parse" 401 ' in lines[1] and "ms" in lines[1]
    text = "\n".join(lines)
    for secret in (KEY_A, "wrong-key", "secret-body-text", "x=1"):
        assert secret not in text


# ---------------------------------------------------------------- the command


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["--host", "0.0.0.0"], {}, 2, "without API keys"),
        (["--keys", "{keys}", "--no-auth"], {}, 2, "--no-auth contradicts"),
        (["--table", "t"], {}, 2, "--table applies to --engine clickhouse"),
        ([], {"FILTERLANG_API_KEYS": "short"}, 2, "at least 16 characters"),
        (["--data", "/nonexistent/x.parquet"], {}, 1, "not found"),
    ],
)
def test_serve_refuses(
    args: list[str],
    env: dict[str, str],
    code: int,
    message: str,
    data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from filterlang.cli import main

    keys = tmp_path / "keys.txt"
    keys.write_text(KEYS_TEXT)
    monkeypatch.delenv("FILTERLANG_API_KEYS", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    argv = ["serve", "--data", str(data), *[a.replace("{keys}", str(keys)) for a in args]]
    assert main(argv) == code
    assert message in capsys.readouterr().err


def test_lifespan_can_run_twice(data: Path) -> None:
    """Test clients (schemathesis's too) start and stop an app's lifespan per session; the
    data source closed at one shutdown is open again for the next requests."""
    from starlette.testclient import TestClient

    app = create_app(ServerConfig(data=str(data)))
    for _ in range(2):
        with TestClient(app) as client:
            assert client.post(OVERVIEW, json=ALL_REQ).json() == filterlang.overview(ALL_REQ, str(data))


def test_cors_only_for_listed_origins(data: Path) -> None:
    from starlette.testclient import TestClient

    app = create_app(ServerConfig(data=str(data), cors_origins=("http://localhost:3000",)))
    client = TestClient(app)
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    ok = client.options(OVERVIEW, headers={"Origin": "http://localhost:3000", **preflight})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://localhost:3000"
    other = client.options(OVERVIEW, headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in other.headers
    plain = TestClient(create_app(ServerConfig(data=str(data))))
    assert (
        "access-control-allow-origin" not in plain.post(OVERVIEW, json=ALL_REQ, headers={"Origin": "http://x"}).headers
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://default:secret@localhost:8123/db", "http://localhost:8123/db"),
        ("https://u@ch.example", "https://ch.example"),
        ("http://localhost:8123", "http://localhost:8123"),
    ],
)
def test_clickhouse_urls_are_shown_without_credentials(url: str, shown: str) -> None:
    from filterlang.server.dataset import redact_url

    assert redact_url(url) == shown


def test_org_key_users_view_values_come_from_its_rows(keyed_url: str, table: Any) -> None:
    """ANDing `organization_id = org` onto the filter would not be enough: users_view values
    (here each user's request count) must be computed from the organization's rows alone."""
    users_filter = {"users_view": {"user_total_requests": {"gte": 20}}}
    req = {"filter": users_filter, "pSize": "p99", "useInterquartile": False}
    naive = {
        **req,
        "filter": {
            "left": {"request_response_rmt": {"organization_id": {"equals": "org-a"}}},
            "operator": "and",
            "right": users_filter,
        },
    }
    confined = filterlang.overview(req, org_rows(table, "org-a"), engine="duckdb")
    assert confined != filterlang.overview(naive, table, engine="duckdb")  # users span organizations
    assert httpx.post(keyed_url + OVERVIEW, json=req, headers=bearer(KEY_A)).json() == confined


def test_filter_limits_are_422_naming_the_limit(open_url: str) -> None:
    """Within the body limit, a filter over Limits.max_length is the filter's own limit error."""
    text = 'model = "' + "a" * 1_000_000 + '"'
    r = httpx.post(open_url + "/v1/filters/parse", json={"filter": text}, timeout=60)
    assert r.status_code == 422, r.text[:300]
    assert r.json()["details"]["limit"] == "max_length" and "the filter is 1,000,010 characters" in r.json()["error"]
    deep = {"filter": "(" * 150 + 'model = "a"' + ")" * 150}
    r = httpx.post(open_url + "/v1/filters/parse", json=deep)
    assert r.status_code == 422 and r.json()["details"]["limit"] == "max_depth"


def test_docs_key_file_example_is_valid() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "server.md").read_text(encoding="utf-8")
    block = doc[doc.index("# keys.txt") :].split("```", 1)[0]
    ring = KeyRing.from_lines(block.splitlines(), source="docs/server.md")
    assert len(ring) == 3 and ring.organizations == {"org-acme", "org-globex"}
