"""Data files mean the same on every engine (semantics.md §8), checked with real files.

Paths are literal (no globs), CSV is RFC 4180 read verbatim, file column types must fit the
flat layout (an error naming the column and the type, never a silent conversion), missing
columns read as NULL, and a request body's duplicated JSON key is an error with its path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from filterlang import overview
from filterlang.errors import FilterSchemaError
from filterlang.metrics import parse_request
from filterlang.metrics.sources import SourceError

duckdb = pytest.importorskip("duckdb")

ENGINES = ("duckdb", "chdb", "reference")


def _engines() -> list[Any]:
    out: list[Any] = []
    for e in ENGINES:
        marks = [pytest.mark.skipif(not _has("chdb"), reason="chdb not installed")] if e == "chdb" else []
        out.append(pytest.param(e, marks=marks))
    return out


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _copy(path: Path, select: str) -> Path:
    """Write ``select`` to ``path`` with DuckDB (Parquet or CSV from the suffix)."""
    fmt = "parquet" if path.suffix == ".parquet" else "csv, HEADER true"
    con = duckdb.connect()
    con.execute(f"COPY ({select}) TO '{str(path).replace(chr(39), chr(39) * 2)}' (FORMAT {fmt})")
    con.close()
    return path


def _body(flt: Any = "all") -> dict[str, Any]:
    return {"filter": flt, "pSize": "p99.9", "useInterquartile": False}


def _costs(result: dict[str, Any]) -> list[tuple[str, str]]:
    assert result["error"] is None, result["error"]
    return [(r["range_start"], r["range_end"]) for r in result["data"]["user_cost"]]


# ---------------------------------------------------------------- paths are literal

# (the file's name, decoy files a glob reading of that name would pick up)
LITERAL_NAMES = [
    ("a[1].parquet", ["a1.parquet"]),
    ("a{1,2}.parquet", ["a1.parquet", "a2.parquet"]),
    ("a*.parquet", ["ab.parquet"]),
    ("a?.parquet", ["ab.parquet"]),
    ("b[1].csv", ["b1.csv"]),
    ("c{x}.csv", ["cx.csv"]),
]


@pytest.mark.parametrize("engine", _engines())
@pytest.mark.parametrize(("name", "decoys"), LITERAL_NAMES)
def test_a_path_is_taken_literally(tmp_path: Path, engine: str, name: str, decoys: list[str]) -> None:
    _copy(tmp_path / name, "SELECT 'lit' AS user_id, 1.0::DOUBLE AS cost")
    for d in decoys:
        _copy(tmp_path / d, "SELECT 'decoy' AS user_id, 7.0::DOUBLE AS cost")
    assert _costs(overview(_body(), tmp_path / name, engine=engine)) == [("1", "1")]


def test_a_glob_name_without_its_file_is_not_found(tmp_path: Path) -> None:
    _copy(tmp_path / "a1.parquet", "SELECT 'decoy' AS user_id, 7.0::DOUBLE AS cost")
    with pytest.raises(SourceError, match="not found"):
        overview(_body(), tmp_path / "a[1].parquet", engine="duckdb")


# ---------------------------------------------------------------- CSV, RFC 4180 verbatim

CSV_TEXT = (
    "user_id,model,status,cost\n"
    "\\N,plain,200,1\n"  # \N is the two characters, a user of its own
    " spaced , a b ,200,2\n"  # unquoted spaces are kept
    ",,,4\n"  # empty unquoted fields are NULL (a NULL user)
    '"","",201,8\n'  # quoted empty fields are the empty string (the '' user)
    '"q,uote""d",x,500,16\n'
)

# (filter in the DSL, the costs of the users kept, as the overview's user_cost edges)
CSV_CASES = [
    ('user_id = "\\\\N"', [("1", "1")]),
    ('model = "plain"', [("1", "1")]),
    ('user_id = " spaced "', [("2", "2")]),
    ('model = " a b "', [("2", "2")]),
    ('model = "a b"', []),
    ('model = "null"', [("4", "4")]),  # IS NULL
    ('model = ""', [("8", "8")]),
    ('user_id = "q,uote\\"d"', [("16", "16")]),
    ("status = 201", [("8", "8")]),
]


@pytest.mark.parametrize("engine", _engines())
@pytest.mark.parametrize(("dsl", "want"), CSV_CASES)
def test_csv_is_read_verbatim(tmp_path: Path, engine: str, dsl: str, want: list[tuple[str, str]]) -> None:
    from filterlang.metrics import OverviewRequest

    path = tmp_path / "r.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    req = OverviewRequest.from_dsl(dsl, "p99.9")
    assert _costs(overview(req, path, engine=engine)) == want


@pytest.mark.parametrize("engine", _engines())
def test_csv_users_agree_on_null_and_empty(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    got = overview(_body(), path, engine=engine)["data"]["request_count"]
    assert sum(r["value"] for r in got) == 5  # \N, " spaced ", NULL, '' and the quoted one


# ---------------------------------------------------------------- column types fit the layout

# (DuckDB SELECT written to Parquet, the error's pattern; None: no error)
TYPED_CASES = [
    ("SELECT 'a' AS user_id, 200.5::DOUBLE AS status", r"column 'status' has type (DOUBLE|.*Float64).*integer"),
    ("SELECT 'a' AS user_id, '1.5' AS cost", r"column 'cost' has type (VARCHAR|.*String).*number"),
    ("SELECT 'a' AS user_id, 1700000000::BIGINT AS request_created_at", r"column 'request_created_at'.*timestamp"),
    ("SELECT 'a' AS user_id, 'false' AS cached", r"column 'cached' has type .*boolean"),
    ("SELECT 'a' AS user_id, 5 AS model", r"column 'model' has type .*text"),
    ("SELECT 'a' AS user_id, 18446744073709551615::UBIGINT AS latency", r"column 'latency' holds a value beyond"),
    ("SELECT 'a' AS user_id, 5::UBIGINT AS latency, 1.5::DECIMAL(9,2) AS cost", None),
    ("SELECT 'a' AS user_id, 5::INTEGER AS status, 2::TINYINT AS cost", None),
]


@pytest.mark.parametrize("engine", _engines())
@pytest.mark.parametrize(("select", "error"), TYPED_CASES)
def test_mistyped_columns_are_named(tmp_path: Path, engine: str, select: str, error: str | None) -> None:
    from filterlang.metrics import OverviewRequest

    path = _copy(tmp_path / "t.parquet", select)
    req = OverviewRequest.from_dsl("latency > 0 or latency < 1", "p95")  # the value check reads latency
    if error is None:
        assert overview(req, path, engine=engine)["error"] is None
        return
    with pytest.raises(SourceError, match=error):
        overview(req, path, engine=engine)


@pytest.mark.parametrize("engine", _engines())
def test_missing_columns_read_as_null(tmp_path: Path, engine: str) -> None:
    path = _copy(tmp_path / "n.parquet", "SELECT 'a' AS user_id, 1.0::DOUBLE AS cost")
    from filterlang.metrics import OverviewRequest

    for dsl, want in [
        ('model = "null"', [("1", "1")]),
        ('model != "null"', []),
        ('properties.env = ""', [("1", "1")]),  # a missing map is empty: a missing key is ''
        ("status > 0", []),
        ("user_total_prompt_tokens > 0", []),
    ]:
        assert _costs(overview(OverviewRequest.from_dsl(dsl, "p99.9"), path, engine=engine)) == want, dsl
    bare = _copy(tmp_path / "u.parquet", "SELECT 'x' AS model")
    with pytest.raises(SourceError, match="no column 'user_id'"):
        overview(_body(), bare, engine=engine)


# ---------------------------------------------------------------- request bodies as JSON text

DUPLICATES = [
    ('{"filter": "all", "pSize": "p95", "useInterquartile": false, "pSize": "p50"}', "$.pSize"),
    (
        '{"filter": {"request_response_rmt": {"model": {"equals": "a", "equals": "b"}}},'
        ' "pSize": "p95", "useInterquartile": false}',
        "$.filter.request_response_rmt.model.equals",
    ),
    (
        '{"filter": {"left": "all", "operator": "and", "right": {"users_view": {}, "users_view": {}}},'
        ' "pSize": "p95", "useInterquartile": false}',
        "$.filter.right.users_view",
    ),
    ('{"filter": "all", "filter": "all", "pSize": "p95", "useInterquartile": false}', "$.filter"),
]


@pytest.mark.parametrize(("text", "path"), DUPLICATES)
def test_duplicate_keys_in_a_body_are_errors(text: str, path: str) -> None:
    with pytest.raises(FilterSchemaError, match="duplicate key") as info:
        parse_request(text)
    assert info.value.path == path
    assert overview(text.encode(), [], engine="reference")["error"].startswith(f"at {path}")


# ---------------------------------------------------------------- DuckDB alone, no pyarrow

NO_PYARROW = """
import sys
sys.modules["pyarrow"] = None  # any import of pyarrow now fails
from filterlang import overview
body = {"filter": {"request_response_rmt": {"status": {"equals": 200}}}, "pSize": "p95", "useInterquartile": False}
for path in sys.argv[1:]:
    for engine in ("duckdb", "reference"):
        r = overview(body, path, engine=engine)
        assert r["error"] is None and r["data"]["request_count"][0]["value"] == 1, r
print("ok")
"""


def test_duckdb_reads_parquet_and_csv_without_pyarrow(tmp_path: Path) -> None:
    select = "SELECT 'a' AS user_id, 200 AS status, 0.5::DOUBLE AS cost, TIMESTAMP '2026-01-01' AS request_created_at"
    files = [_copy(tmp_path / "x.parquet", select), _copy(tmp_path / "x.csv", select)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run(
        [sys.executable, "-c", NO_PYARROW, *map(str, files)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# ---------------------------------------------------------------- text formats convert one way

# (format, the rows' text after the header/first key, the error's pattern; None: read fine)
TEXT_CASES = [
    ("csv", "user_id,status\na,200.5\n", r"column 'status' holds a value that is not a 64-bit integer"),
    ("csv", 'user_id,status\na,""\n', r"column 'status' holds a value that is not a 64-bit integer"),
    ("csv", "user_id,status\na, 200\n", r"column 'status' holds a value that is not a 64-bit integer"),
    ("csv", "user_id,status\na,99999999999999999999\n", r"'status' holds a value that is not a 64-bit integer"),
    ("csv", "user_id,cost\na,1x5\n", r"column 'cost' holds a value that is not a number"),
    ("csv", "user_id,cost\na, 2\n", r"column 'cost' holds a value that is not a number"),
    ("csv", "user_id,cached\na,yes\n", r"column 'cached' holds a value that is not true or false"),
    ("csv", "user_id,request_created_at\na,1700000000\n", r"'request_created_at' holds a value that is not a UTC"),
    ("csv", 'user_id,properties\na,"[1]"\n', r"column 'properties' holds a value that is not a JSON object"),
    ("csv", "user_id,status,cost,cached\na,200,1.5e-3,TRUE\nb,,,\n", None),
    ("csv", 'user_id,request_created_at,properties\na,2026-01-05T00:00:00.5Z,"{""k"": ""v""}"\n', None),
    ("jsonl", '{"user_id": "a", "status": 200.5}\n', r"column 'status' holds a value that is not a 64-bit integer"),
    ("jsonl", '{"user_id": "a", "status": "201"}\n', r"column 'status' holds a value that is not a 64-bit integer"),
    ("jsonl", '{"user_id": "a", "status": true}\n', r"column 'status' holds a value that is not a 64-bit integer"),
    ("jsonl", '{"user_id": "a", "latency": 18446744073709551615}\n', r"'latency' holds a value that is not a 64-bit"),
    ("jsonl", '{"user_id": "a", "cost": "1.5"}\n', r"column 'cost' holds a value that is not a number"),
    ("jsonl", '{"user_id": "a", "cached": "false"}\n', r"column 'cached' holds a value that is not true or false"),
    ("jsonl", '{"user_id": "a", "model": 5}\n', r"column 'model' holds a value that is not text"),
    ("jsonl", '{"user_id": "a", "request_created_at": 1700000000}\n', r"'request_created_at' holds a value"),
    ("jsonl", '{"user_id": 7}\n', r"column 'user_id' holds a value that is not text"),
    ("jsonl", '{"user_id": "a", "status": 200, "cost": 1, "cached": false, "model": null}\n{"user_id": "b"}\n', None),
    ("jsonl", '{"user_id": "a", "properties": {"k": "v"}, "request_created_at": "2026-01-05 00:00:00.500"}\n', None),
]


@pytest.mark.parametrize("engine", _engines())
@pytest.mark.parametrize(("fmt", "text", "error"), TEXT_CASES)
def test_text_formats_convert_one_way(tmp_path: Path, engine: str, fmt: str, text: str, error: str | None) -> None:
    from filterlang.metrics import OverviewRequest

    path = tmp_path / f"t.{fmt}"
    path.write_text(text, encoding="utf-8")
    # a filter that reads every column the cases use
    dsl = (
        'status > 0 or cost > 0 or cached = true or model = "x" or latency > 0 or properties.k = "v" '
        'or request_created_at > "2000-01-01T00:00:00Z" or user_id = "a"'
    )
    req = OverviewRequest.from_dsl(dsl, "p99.9")
    if error is None:
        result = overview(req, path, engine=engine)
        assert result["error"] is None and result["data"]["request_count"], result
        return
    with pytest.raises(SourceError, match=error):
        overview(req, path, engine=engine)


@pytest.mark.parametrize("engine", _engines())
def test_in_memory_tables_are_checked_too(engine: str) -> None:
    pa = pytest.importorskip("pyarrow")
    bad = pa.table({"user_id": ["a"], "status": pa.array([200.5])})
    with pytest.raises(SourceError, match=r"column 'status' has type (double|DOUBLE).*integer"):
        overview(_body(), bad, engine=engine)
    wide = pa.table({"user_id": ["a"], "latency": pa.array([2**64 - 1], pa.uint64())})
    from filterlang.metrics import OverviewRequest

    with pytest.raises(SourceError, match=r"'latency' holds a value beyond"):
        overview(OverviewRequest.from_dsl("latency > 0"), wide, engine=engine)


@pytest.mark.parametrize("engine", _engines())
@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [("csv", b"u1,x\n", b"\xff\xfe,x\n"), ("jsonl", b'{"user_id": "u1"}\n', b'{"user_id": "\xff\xfe"}\n')],
)
def test_bad_utf8_deep_in_a_file_is_an_error(tmp_path: Path, engine: str, fmt: str, good: bytes, bad: bytes) -> None:
    path = tmp_path / f"u.{fmt}"
    head = b"user_id,model\n" if fmt == "csv" else b""
    path.write_bytes(head + good * 5000 + bad)
    with pytest.raises(SourceError, match=r"UTF-8|not text|CSV Error|not a valid JSON"):
        overview(_body(), path, engine=engine)
