"""A real client generated from the published document, the way upstream's web app makes its own.

openapi-typescript turns the server's ``/openapi.json`` into TypeScript types, tsc checks
``clients/typescript/client.ts`` against them (a wrong pSize must not compile), and node
runs it: openapi-fetch sends the requests over a real socket. The packages come from the
npm registry through ``clients/typescript/package-lock.json`` (``python3 tasks.py test``
runs ``npm ci`` there when node is present); without them the test says why it skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("duckdb")

from server_support import KEY_ALL, running, sample_table, write_parquet

import filterlang
from filterlang.server import ServerConfig, create_app
from filterlang.server.auth import KeyRing

CLIENT = Path(__file__).resolve().parent.parent / "clients" / "typescript"
BIN = CLIENT / "node_modules" / ".bin"


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (tasks.py installs Debian's nodejs when it can)"
    for tool in ("openapi-typescript", "tsc"):
        if not (BIN / tool).exists():
            return f"{tool} is not installed: run `npm ci` in clients/typescript (tasks.py does when npm is present)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def run(*cmd: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, cwd=CLIENT, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, f"{' '.join(cmd)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = write_parquet(sample_table(1500), tmp_path_factory.mktemp("client") / "requests.parquet")
    app = create_app(ServerConfig(data=str(data), keys=KeyRing.from_lines([KEY_ALL])))
    with running(app) as url:
        yield url, data


def test_generated_typescript_client(served: tuple[str, Path]) -> None:
    url, data = served
    build = CLIENT / "build"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir()
    run(str(BIN / "openapi-typescript"), f"{url}/openapi.json", "--output", str(build / "api.d.ts"))
    types = (build / "api.d.ts").read_text()
    assert '"/v1/user/metrics-overview/query"' in types and "UserFilterNode" in types
    run(str(BIN / "tsc"), "--project", "tsconfig.json")  # type-checks client.ts against the generated types
    out = run("node", str(build / "client.js"), env={**os.environ, "FILTERLANG_URL": url, "FILTERLANG_KEY": KEY_ALL})
    got = json.loads(out)
    request = {
        "filter": {
            "left": {"request_response_rmt": {"model": {"like": "gpt%"}}},
            "operator": "or",
            "right": {"users_view": {"user_cost": {"gt": 0.5}}},
        },
        "pSize": "p95",
        "useInterquartile": False,
    }
    assert got["overview"] == {"status": 200, "data": filterlang.overview(request, str(data))}
    expected = filterlang.to_json(filterlang.parse('model = "gpt-4o" and status >= 500'))
    assert got["parse"] == {"status": 200, "data": expected}
    assert got["broken"]["status"] == 422 and got["broken"]["column"] == 16
    assert got["denied"] == {"status": 401, "challenge": 'Bearer realm="filterlang"'}
