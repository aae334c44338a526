"""The README's server commands, run as written: sample data, `filterlang serve`, the curl call.

The server is the real command in its own process. It listens on 8585 as written when that
port is free; otherwise (another server on this machine) on a free port, with the curl
command's URL changed to match and nothing else.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("duckdb")
pytest.importorskip("numpy")

import filterlang

README = Path(__file__).resolve().parent.parent / "README.md"
BIN = Path(sys.executable).parent


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Serve the API") :].split("\n## ", 1)[0]


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", _section(), flags=re.S)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_serve_and_curl(tmp_path: Path) -> None:
    setup, curl = _blocks()
    commands = [line.split("#", 1)[0].strip() for line in setup.splitlines()]
    sample_cmd = next(c for c in commands if c.startswith("filterlang sample"))
    serve_cmd = next(c for c in commands if c.startswith("filterlang serve"))
    assert serve_cmd == "filterlang serve --data data/requests.parquet"
    subprocess.run(
        [str(BIN / "filterlang"), *shlex.split(sample_cmd)[1:]],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = 8585
    if not _port_free(port):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        curl = curl.replace("localhost:8585", f"localhost:{port}")
    argv = [str(BIN / "filterlang"), *shlex.split(serve_cmd)[1:], *(["--port", str(port)] if port != 8585 else [])]
    env = {k: v for k, v in os.environ.items() if k != "FILTERLANG_API_KEYS"}
    server = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 60
        while not _reachable(port):
            assert server.poll() is None, server.communicate()[1].decode()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        done = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        got = json.loads(done.stdout)
        request = json.loads(shlex.split(curl.replace("\\\n", " "))[-1])
        assert got == filterlang.overview(request, str(tmp_path / "data" / "requests.parquet"))
        assert got["data"]["request_count"]
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert "loopback only" in err.decode()


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False
