#!/usr/bin/env python3
"""Project tasks with nothing but python3: `python3 tasks.py demo` and `python3 tasks.py test`.

Each task creates `.venv` (if missing), installs the project with the extras it needs,
and runs. CI runs `python3 tasks.py test` through `.ci/run`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def run(*cmd: str | Path, check: bool = True, env: dict[str, str] | None = None) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, check=check, env=env).returncode


def ensure_venv(extras: str) -> None:
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras}"
    pyproject = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f".[{extras}]")
    stamp.touch()


def ensure_postgres() -> None:
    """The SQL tests run against a real PostgreSQL; install the server if we can."""
    found = shutil.which("pg_ctl") or list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("PostgreSQL server not found: installing it with apt-get (tests skip it if this fails)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", check=False, env=env)
        run("apt-get", "install", "-y", "-qq", "postgresql", check=False, env=env)
    else:
        print("PostgreSQL server not found and cannot be installed here: its tests will be skipped", flush=True)


def ensure_ts_client() -> None:
    """The server's generated-client test: openapi-typescript + openapi-fetch from npm (lock file committed).

    Skipped (and the test says why) when npm is missing or the registry is unreachable.
    """
    client = ROOT / "clients" / "typescript"
    stamp = client / "node_modules" / ".package-lock.json"
    if stamp.is_file() and stamp.stat().st_mtime >= (client / "package-lock.json").stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the generated TypeScript client test will be skipped", flush=True)
        return
    print("+ npm ci (clients/typescript)", flush=True)
    try:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=client, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"npm ci failed ({exc}): the generated TypeScript client test will be skipped", flush=True)


def ensure_node_packages() -> None:
    """The TextMate grammar is tested with VS Code's own engine (npm packages, lock file committed)."""
    tmtest = ROOT / "editors" / "tmtest"
    if (tmtest / "node_modules" / "vscode-textmate").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("npm not found: installing Debian's nodejs and npm (the TextMate tests skip if this fails)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", check=False, env=env)
        run("apt-get", "install", "-y", "-qq", "nodejs", "npm", check=False, env=env)
        npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the TextMate grammar tests will be skipped", flush=True)
        return
    print("+ npm ci (editors/tmtest)", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=tmtest, check=False)


def ensure_chromium() -> None:
    """The playground tests drive Debian's Chromium with Playwright (its own browser download is not used)."""
    if Path("/usr/bin/chromium").is_file():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(
            "Chromium not found: installing Debian's chromium with apt-get (the browser tests skip if this fails)",
            flush=True,
        )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", check=False, env=env)
        run("apt-get", "install", "-y", "-qq", "chromium", check=False, env=env)
    else:
        print(
            "Chromium not found and cannot be installed here: the playground browser tests will be skipped", flush=True
        )


def _apt_install(what: str, *packages: str) -> None:
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"{what} not found: installing it with apt-get (its tests skip if this fails)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", check=False, env=env)
        run("apt-get", "install", "-y", "-qq", *packages, check=False, env=env)
    else:
        print(f"{what} not found and cannot be installed here: its tests will be skipped", flush=True)


def ensure_spark() -> None:
    """The Spark tests need pyspark (extra [spark]) and a Java 17+ runtime."""
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        _apt_install("Java (for Spark)", "openjdk-17-jre-headless")
    stamp = VENV / ".installed-spark-mysql"
    if not stamp.exists() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        # tolerant: an unreachable registry leaves the Spark/MariaDB tests skipped, not the run failed
        code = run(
            PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[spark,mysql]", check=False
        )
        if code == 0:
            stamp.touch()


def ensure_mariadb() -> None:
    """The mysql dialect runs on a real MariaDB server (tests/conftest_mysql.py starts it)."""
    if not (shutil.which("mariadbd") or shutil.which("mysqld") or Path("/usr/sbin/mariadbd").exists()):
        _apt_install("MariaDB server", "mariadb-server")


def demo() -> int:
    """Set up, generate sample data, and print a metrics overview."""
    ensure_venv("all")
    data = ROOT / "data" / "requests.parquet"
    if not data.exists():
        run(BIN / "filterlang", "sample", "--rows", "200000", "--out", data)
    expr = 'model ~ "gpt%" and status = 200'
    run(BIN / "filterlang", "parse", expr)
    run(BIN / "filterlang", "sql", expr, "--dialect", "clickhouse", check=False)
    return run(BIN / "filterlang", "overview", expr, "--data", data, "--p-size", "p95", check=False)


def test() -> int:
    """Set up, then lint (ruff), type-check (mypy) and run the whole test suite."""
    ensure_venv("dev")
    ensure_postgres()
    ensure_node_packages()  # installs Debian's nodejs and npm when missing
    ensure_ts_client()
    ensure_chromium()
    ensure_spark()
    ensure_mariadb()
    run(BIN / "ruff", "check", "filterlang", "tests", "benchmarks", "scripts", "tasks.py")
    run(BIN / "ruff", "format", "--check", "filterlang", "tests", "benchmarks", "scripts", "tasks.py")
    run(BIN / "mypy", "filterlang")
    args = [str(a) for a in sys.argv[2:]]
    # Two workers: the machine has two cores, and the suite's engines (PostgreSQL, MariaDB,
    # Spark, Chromium) spend much of their time waiting.
    return run(PY, "-m", "pytest", *(args or ["-q", "-n", "2"]), check=False)


# Code areas for `tasks.py loc`: (area, path prefixes); the first match wins, so CLI modules
# inside an area's folder count as CLI.
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "CLI",
        (
            "filterlang/cli.py",
            "filterlang/__main__.py",
            "filterlang/dsl/cli.py",
            "filterlang/sql/cli.py",
            "filterlang/metrics/cli.py",
            "filterlang/overview/cli.py",
            "filterlang/server/cli.py",
        ),
    ),
    ("editor", ("filterlang/dsl/complete.py", "filterlang/dsl/tokens.py", "filterlang/dsl/pygments_lexer.py")),
    (
        "language",
        (
            "grammar/",
            "filterlang/dsl/",
            "filterlang/nodes.py",
            "filterlang/_models.py",
            "filterlang/values.py",
            "filterlang/jsonio.py",
            "filterlang/fields.py",
            "filterlang/typecheck.py",
            "filterlang/errors.py",
            "filterlang/limits.py",
            "filterlang/memo.py",
            "filterlang/timefmt.py",
            "filterlang/compat.py",
            "filterlang/__init__.py",
        ),
    ),
    ("SQL", ("filterlang/sql/",)),
    (
        "evaluator",
        (
            "filterlang/evaluate.py",
            "filterlang/textrules.py",
            "filterlang/rowdata.py",
            "filterlang/users.py",
            "filterlang/money.py",
        ),
    ),
    ("overview", ("filterlang/metrics/", "filterlang/overview/", "filterlang/sample.py")),
    ("server", ("filterlang/server/",)),
    ("editor", ("filterlang/playground/", "filterlang/repl.py")),
    ("tests", ("tests/",)),
)


def loc() -> int:
    """Code lines (non-blank, non-comment) per area of HEAD or of the revision given: `tasks.py loc [REV]`."""
    rev = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    files = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    counts: dict[str, int] = {area: 0 for area, _ in AREAS}
    for name in files:
        if not name.endswith((".py", ".lark", ".js", ".html", ".css")):
            continue
        area = next((a for a, prefixes in AREAS if name.startswith(prefixes)), None)
        if area is None:
            continue
        text = subprocess.run(
            ["git", "show", f"{rev}:{name}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        counts[area] += sum(
            1 for line in text.splitlines() if line.strip() and not line.strip().startswith(("#", "//"))
        )
    print(f"code lines at {rev}")
    for area, n in counts.items():
        print(f"  {area:<10} {n:>6}")
    return 0


TASKS = {"demo": demo, "test": test, "loc": loc}
USAGE = """usage: python3 tasks.py {demo|test} [pytest args...]

  demo   create .venv (pip install -e '.[all]'), write 200,000 sample requests to
         data/requests.parquet (once), then show `filterlang parse`, `sql` and `overview`.
  test   create .venv (pip install -e '.[dev]' and '.[spark,mysql]'), install PostgreSQL,
         MariaDB and a Java runtime (for Spark) with apt-get when missing and possible,
         `npm ci` in editors/tmtest and clients/typescript when npm exists, Debian's chromium
         when missing, then ruff (lint + format check), mypy, and pytest.
         Extra arguments go to pytest (default: -q -n 2). ruff/mypy failures stop before pytest.
  loc    code lines per area (language, SQL, evaluator, overview, CLI, server, editor,
         tests) at HEAD or at the revision given: `python3 tasks.py loc 012f279`.
"""

if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] in ("-h", "--help", "help"):
        print(USAGE)
        raise SystemExit(0)
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(USAGE, file=sys.stderr)
        raise SystemExit(2)
    try:
        raise SystemExit(TASKS[sys.argv[1]]())
    except subprocess.CalledProcessError as exc:
        raise SystemExit(exc.returncode or 1) from None
