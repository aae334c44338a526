"""The sample generator: seeded, realistic in shape, and read identically by every engine and format."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from filterlang import sample
from filterlang.metrics import overview
from filterlang.metrics.sources import SourceError, resolve, table_from_rows
from filterlang.sql.layout import FLAT_COLUMNS

pa = pytest.importorskip("pyarrow")
pytest.importorskip("numpy")
pytest.importorskip("duckdb")

N = 20_000


@pytest.fixture(scope="module")
def table() -> Any:
    return sample.generate(N, seed=11)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, table: Any) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("sample")
    out = {}
    for fmt in sample.FORMATS:
        out[fmt] = sample.write(table, d / f"requests.{fmt}")
    return out


def test_seeded_and_batched(table: Any) -> None:
    assert sample.generate(N, seed=11).equals(table)
    assert not sample.generate(N, seed=12).equals(table)
    # batch boundaries do not change the population (same users, same rows per batch seed)
    batches = list(sample.generate_batches(2500, seed=3, batch_rows=1000))
    assert [b.num_rows for b in batches] == [1000, 1000, 500]
    assert sample.generate(0).num_rows == 0


def test_layout_is_flat(table: Any) -> None:
    assert table.column_names == list(FLAT_COLUMNS)
    assert table.schema.field("request_created_at").type == pa.timestamp("ms")
    assert table.schema.field("properties").type == pa.map_(pa.string(), pa.string())
    assert table.schema.field("scores").type == pa.map_(pa.string(), pa.int64())
    assert table.schema.field("cost").type == pa.float64()


def test_realistic_shape(table: Any) -> None:
    rows = table.select(["user_id", "status", "cost", "model", "provider", "cached", "request_created_at"]).to_pylist()
    users = Counter(r["user_id"] for r in rows)
    assert 0.01 < users[""] / N < 0.06  # anonymous traffic is a user too
    top = users.most_common(1)[0][1]
    assert top > 20 * (N / len(users))  # skewed: the busiest user has far more than the average
    statuses = Counter(r["status"] for r in rows)
    assert statuses[200] / N > 0.9 and any(400 <= s < 600 for s in statuses)
    assert all(r["cost"] >= 0 for r in rows)
    assert all(r["cost"] == 0 for r in rows if r["cached"])
    providers = {m[1]: m[0] for m in sample.MODELS}
    assert all(providers[r["model"]] == r["provider"] for r in rows)
    ts = [r["request_created_at"] for r in rows]
    start = datetime.fromtimestamp(sample.START_EPOCH_MS / 1000, UTC).replace(tzinfo=None)
    assert min(ts) >= start and (max(ts) - min(ts)).days >= 35
    assert any(t.microsecond % 1000 == 0 and t.microsecond for t in ts)  # ms precision
    assert table.column("country_code").null_count > 0
    tiers = Counter(dict(p).get("tier") for p in table.column("properties").to_pylist())
    assert set(tiers) == set(sample.TIERS)


def test_write_sample_streams(tmp_path: Path) -> None:
    seen: list[int] = []
    path = sample.write_sample(3000, tmp_path / "x.parquet", seed=5, progress=seen.append)
    import pyarrow.parquet as pq

    assert pq.read_table(path).equals(sample.generate(3000, seed=5))
    assert seen == [3000]
    with pytest.raises(ValueError, match="format"):
        sample.write_sample(10, tmp_path / "x.xlsx", fmt="xlsx")


STATS = (
    "SELECT count(*) AS n, count(DISTINCT user_id) AS users, round(sum(cost), 9) AS cost,"
    " min(request_created_at) AS first, max(request_created_at) AS last,"
    " sum(CASE WHEN properties['tier'] = 'pro' THEN 1 ELSE 0 END) AS pro,"
    " sum(CASE WHEN cached THEN 1 ELSE 0 END) AS cached,"
    " count(time_to_first_token) AS ttft FROM requests"
)


def _duck_stats(path: Path) -> tuple[Any, ...]:
    from filterlang.metrics.engines import duckdb_connect

    con = duckdb_connect(resolve(path))
    row = con.execute(STATS).fetchone()
    con.close()
    assert row is not None
    return tuple(str(v) if isinstance(v, datetime) else v for v in row)


def _chdb_stats(path: Path) -> tuple[Any, ...]:
    import chdb

    from filterlang.metrics.sources import clickhouse_table

    with clickhouse_table(resolve(path)) as expr:
        sql = f"WITH requests AS (SELECT * FROM {expr}) " + STATS.replace(
            "count(DISTINCT user_id)", "uniqExact(user_id)"
        )
        row = chdb.query(sql, "ArrowTable").to_pylist()[0]
    return tuple(v.replace(tzinfo=None).isoformat(sep=" ") if isinstance(v, datetime) else v for v in row.values())


@pytest.mark.parametrize("fmt", sample.FORMATS)
def test_every_engine_reads_every_format_identically(files: dict[str, Path], fmt: str) -> None:
    pytest.importorskip("chdb")
    want = _duck_stats(files["parquet"])
    assert want[0] == N
    assert _duck_stats(files[fmt]) == want
    got = _chdb_stats(files[fmt])
    assert got[:3] == want[:3] and got[5:] == want[5:]
    assert [str(x)[:23] for x in got[3:5]] == [str(x)[:23] for x in want[3:5]]


@pytest.mark.parametrize("fmt", sample.FORMATS)
@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
def test_overview_is_the_same_from_every_format(files: dict[str, Path], fmt: str, engine: str) -> None:
    pytest.importorskip("chdb")
    body = {
        "filter": {"request_response_rmt": {"properties": {"environment": {"equals": "production"}}}},
        "pSize": "p99",
        "useInterquartile": False,
    }
    want = overview(body, files["parquet"], engine="duckdb")
    got = overview(body, files[fmt], engine=engine)
    assert got["error"] is None and want["data"]["request_count"]
    for m in ("request_count", "user_cost"):
        assert [float(r["value"]) for r in got["data"][m]] == pytest.approx(
            [float(r["value"]) for r in want["data"][m]]
        )
        assert [float(r["range_end"]) for r in got["data"][m]] == pytest.approx(
            [float(r["range_end"]) for r in want["data"][m]], rel=1e-9
        )


def test_in_memory_frames(table: Any) -> None:
    pytest.importorskip("chdb")
    small = table.slice(0, 3000)
    body = {"filter": "all", "pSize": "p95", "useInterquartile": True}
    want = overview(body, small, engine="duckdb")
    assert overview(body, small, engine="chdb")["data"] == want["data"]
    assert overview(body, small, engine="reference")["data"] == want["data"]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"user_id": small.column("user_id").to_pylist(), "cost": small.column("cost").to_pylist()})
    assert overview(body, frame, engine="duckdb")["data"] == want["data"]
    import duckdb

    rel = duckdb.connect().from_arrow(small.select(["user_id", "cost"]))
    assert overview(body, rel, engine="chdb")["data"] == want["data"]


def test_progress_reports(files: dict[str, Path]) -> None:
    """DuckDB reports the fraction done while the query runs; the others say "still working" (None)."""
    import time

    from filterlang.metrics.engines import _polling

    seen: list[float | None] = []
    with _polling(seen.append, lambda: 50.0, every=0.01):
        time.sleep(0.1)
    assert seen and set(seen) == {0.5}
    seen.clear()
    with _polling(seen.append, None, every=0.01):
        time.sleep(0.05)
    assert seen and set(seen) == {None}
    body = {"filter": "all", "pSize": "p95", "useInterquartile": False}
    assert overview(body, files["parquet"], engine="duckdb", progress=seen.append)["error"] is None


def test_source_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        resolve(tmp_path / "missing.parquet")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(SourceError, match="suffix"):
        resolve(tmp_path / "x.txt")
    with pytest.raises(SourceError, match="unsupported"):
        resolve(42)
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(SourceError, match="cannot read"):
        resolve(bad)
    # semantics.md §8: a missing column reads as NULL; only user_id is required
    narrow = table_from_rows([{"user_id": "a", "cost": 1.0}])
    no_user = table_from_rows([{"model": "x", "cost": 1.0}])
    body = {"filter": {"request_response_rmt": {"model": {"equals": "x"}}}, "pSize": "p95", "useInterquartile": False}
    everyone = {**body, "filter": {"request_response_rmt": {"model": {"not-equals": "null"}}}}
    for engine in ("duckdb", "chdb", "reference"):
        assert overview(body, narrow, engine=engine)["data"] == {"request_count": [], "user_cost": []}
        assert overview(everyone, narrow, engine=engine)["data"] == {"request_count": [], "user_cost": []}
        with pytest.raises(SourceError, match="has no column 'user_id'"):
            overview(body, no_user, engine=engine)


@pytest.mark.parametrize("users", [0, -3, True])
def test_bad_user_counts_raise_before_writing(tmp_path: Path, users: int) -> None:
    from filterlang.sample import generate, write_sample

    with pytest.raises(ValueError, match="users must be"):
        write_sample(10, tmp_path / "u.parquet", users=users)
    assert not (tmp_path / "u.parquet").exists()
    with pytest.raises(ValueError, match="users must be"):
        generate(10, users=users)


def test_unknown_suffix_needs_a_format(tmp_path: Path) -> None:
    from filterlang.sample import format_for, write_sample

    assert format_for(Path("a.PARQUET")) == "parquet" and format_for(Path("a.txt")) is None
    with pytest.raises(ValueError, match="suffix"):
        write_sample(5, tmp_path / "x.txt")
    assert not (tmp_path / "x.txt").exists()
    assert write_sample(5, tmp_path / "x.txt", fmt="jsonl").read_text().startswith("{")


def test_start_and_end_move_the_time_window(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from filterlang.cli import main
    from filterlang.metrics.engines import data_window

    out = tmp_path / "w.parquet"
    argv = ["sample", "--rows", "2000", "--out", str(out), "--start", "2026-03-01", "--end", "2026-03-15T12:00:00Z"]
    assert main(argv) == 0
    assert "from 2026-03-01T00:00:00Z to 2026-03-15T12:00:00Z" in capsys.readouterr().err
    rows, first, last = data_window(out)
    assert rows == 2000 and first is not None and last is not None
    assert first >= "2026-03-01 00:00:00" and last < "2026-03-15 12:00:00"
    # `now - 7d` means something on this data once --now is in its window
    flt = "request_created_at > now - 7d"
    assert main(["overview", flt, "--data", str(out), "--now", "2026-03-15T12:00:00Z", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["data"]["request_count"]
    # and an overview that keeps no one says why: the data's window against `now`
    assert main(["overview", flt, "--data", str(out), "--now", "2027-01-01T00:00:00Z"]) == 0
    err = capsys.readouterr().err
    assert "kept none of the 2,000 requests" in err and "2026-03-01" in err and "2027-01-01T00:00:00Z" in err


def test_default_window_is_unchanged(tmp_path: Path) -> None:
    from filterlang.metrics.engines import data_window
    from filterlang.sample import write_sample

    path = write_sample(3000, tmp_path / "d.parquet")
    _, first, last = data_window(path)
    assert first is not None and last is not None
    assert first.startswith("2026-01-05") and last < "2026-02-16"
