"""A throwaway PostgreSQL server for the test session (a plugin: import the fixture).

    from conftest_pg import pg_dsn  # noqa: F401   (in a test module)

initdb + postgres in a temp dir, on 127.0.0.1 and a free port, stopped at session end.
PostgreSQL refuses to run as root, so under root the server runs as a system user
(``filterlang-pg``, created with ``useradd -r`` when missing) via ``runuser``. Tests skip
with the reason when no server can be started (e.g. binaries missing: on Debian/Ubuntu
``apt-get install -y postgresql``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_USER = "filterlang-pg"


def _bindir() -> Path | None:
    env = os.environ.get("FILTERLANG_PG_BIN")
    cands = [env] if env else []
    cands += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    which = shutil.which("initdb")
    if which:
        cands.append(str(Path(os.path.realpath(which)).parent))
    for c in cands:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", PG_USER, "--", *cmd]


def _ensure_user() -> None:
    if os.geteuid() != 0:
        return
    if subprocess.run(["id", "-u", PG_USER], check=False, capture_output=True).returncode != 0:
        subprocess.run(["useradd", "-r", "-M", "-s", "/usr/sbin/nologin", PG_USER], check=True, capture_output=True)


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """DSN of a running PostgreSQL (FILTERLANG_PG_DSN wins if set)."""
    if os.environ.get("FILTERLANG_PG_DSN"):
        yield os.environ["FILTERLANG_PG_DSN"]
        return
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not found (install: apt-get install -y postgresql)")
    try:
        _ensure_user()
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        pytest.skip(f"cannot create the {PG_USER} user to run PostgreSQL as non-root: {exc}")
    base = Path(tempfile.mkdtemp(prefix="filterlang-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, PG_USER)
    port = _free_port()
    log = base / "log.txt"
    try:
        subprocess.run(
            _as_user(
                [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]
            ),
            check=True,
            capture_output=True,
        )
        opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        subprocess.run(
            _as_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "start"]),
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not start: {exc} {detail.decode(errors='replace')[:300]}")
    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    try:
        import psycopg

        for _ in range(50):
            try:
                psycopg.connect(dsn).close()
                break
            except psycopg.OperationalError:
                time.sleep(0.1)
        yield dsn
    finally:
        subprocess.run(
            _as_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)
