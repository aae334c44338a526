"""A throwaway MariaDB server (the ``mysql`` dialect's engine) for the test session (a plugin).

    from conftest_mysql import mysql_conn_args  # noqa: F401   (in a test module)

mariadb-install-db + mariadbd in a temp dir, on 127.0.0.1 and a free port, without grant
tables (nothing but this test process can reach it), stopped at session end. Under root
the server drops to a system user (``filterlang-my``, created with ``useradd -r`` when
missing) through its own ``--user``. Tests skip with the reason when no server can be
started (Debian: ``apt-get install -y mariadb-server``) or PyMySQL is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MY_USER = "filterlang-my"


def _binary(*names: str) -> str | None:
    for n in names:
        found = shutil.which(n) or next((str(p) for p in (Path("/usr/sbin") / n,) if p.exists()), None)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def mysql_conn_args() -> Iterator[dict[str, Any]]:
    """pymysql.connect(**args) for a running server (FILTERLANG_MYSQL_HOST/PORT win if set)."""
    pytest.importorskip("pymysql", reason="PyMySQL is not installed (pip install -e '.[mysql]')")
    if os.environ.get("FILTERLANG_MYSQL_PORT"):
        yield {
            "host": os.environ.get("FILTERLANG_MYSQL_HOST", "127.0.0.1"),
            "port": int(os.environ["FILTERLANG_MYSQL_PORT"]),
            "user": os.environ.get("FILTERLANG_MYSQL_USER", "root"),
            "password": os.environ.get("FILTERLANG_MYSQL_PASSWORD", ""),
        }
        return
    server = _binary("mariadbd", "mysqld")
    install = _binary("mariadb-install-db", "mysql_install_db")
    if server is None or install is None:
        pytest.skip("MariaDB server not found (install: apt-get install -y mariadb-server)")
    if os.geteuid() == 0 and subprocess.run(["id", "-u", MY_USER], check=False, capture_output=True).returncode:
        try:
            subprocess.run(["useradd", "-r", "-M", "-s", "/usr/sbin/nologin", MY_USER], check=True, capture_output=True)
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            pytest.skip(f"cannot create the {MY_USER} user to run MariaDB as non-root: {exc}")
    base = Path(tempfile.mkdtemp(prefix="filterlang-my-"))
    data = base / "data"
    user = [f"--user={MY_USER}"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(base, MY_USER)
    port = _free_port()
    common = [f"--datadir={data}", "--no-defaults"]
    try:
        subprocess.run(
            [install, "--no-defaults", f"--datadir={data}", *user, "--auth-root-authentication-method=normal"],
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(f"mariadb-install-db failed: {exc} {detail.decode(errors='replace')[:300]}")
    args = [
        server,
        *common[::-1],
        *user,
        "--bind-address=127.0.0.1",
        f"--port={port}",
        f"--socket={base / 'sock'}",
        f"--pid-file={base / 'pid'}",
        "--skip-grant-tables",
        "--skip-name-resolve",
        "--innodb-buffer-pool-size=32M",
        "--innodb-log-file-size=8M",
        "--performance-schema=off",
        f"--log-error={base / 'err.log'}",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conn_args: dict[str, Any] = {"host": "127.0.0.1", "port": port, "user": "root", "password": ""}
    try:
        import pymysql

        for _ in range(300):
            if proc.poll() is not None:
                log = (base / "err.log").read_text(errors="replace")[-400:] if (base / "err.log").exists() else ""
                pytest.skip(f"MariaDB exited at start (code {proc.returncode}): {log}")
            try:
                pymysql.connect(**conn_args).close()
                break
            except pymysql.err.OperationalError:
                time.sleep(0.1)
        else:
            pytest.skip("MariaDB did not accept connections within 30 s")
        yield conn_args
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(base, ignore_errors=True)
