"""Overview at scale: filterlang's engines vs the best hand-written query for the same answer.

    .venv/bin/python benchmarks/bench_overview.py            # 10M rows (generated once, ~40 s)
    .venv/bin/python benchmarks/bench_overview.py --rows 1000000 --reps 2   # quicker

Data: ``filterlang sample`` rows (seed 7) written as Parquet into $FILTERLANG_BENCH_DIR
(default: <tmp>/filterlang-bench); never committed. Each measurement runs in its own
process (fresh engine, honest peak RSS), after one untimed warm-up so both sides read a
warm page cache; filterlang and hand-written runs alternate, and the table shows the best
of --reps runs (and the ratio of medians), because on a shared machine the minimum is the
stable statistic.

Hand-written baselines are what an expert would type for the same result: one query that
filters, groups, cuts at the quantile with the engine's own quantile function and (chDB)
buckets with ``histogram(10)`` over a sorted array; DuckDB, which has no histogram
aggregate, fetches the cut values and buckets them with the same client code as
filterlang. "Same answer" includes the exact cost sum: the baselines round each cost to
integer nano-USD and sum integers too (Int64, the cheapest type that gives the same answer
on real data; filterlang sums 128-bit). Each baseline's answer is compared with
filterlang's (1e-9 relative).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIOS: dict[str, dict[str, str]] = {
    "all": {
        "dsl": "all",
        "duckdb": "TRUE",
        "chdb": "1",
    },
    "request filter": {
        "dsl": 'model ~ "gpt%" and status = 200 and properties["environment"] = "production"',
        "duckdb": "model LIKE 'gpt%' AND status = 200 AND properties['environment'] = 'production'",
        "chdb": "model LIKE 'gpt%' AND status = 200 AND properties['environment'] = 'production'",
    },
    "users_view filter": {
        "dsl": 'user_cost > 1 and model ~ "claude%"',
        "users": "1",
        "duckdb": "uv.user_cost > 1 AND r.model LIKE 'claude%'",
        "chdb": "uv.user_cost > 1 AND r.model LIKE 'claude%'",
    },
}
P_SIZE, Q = "p95", 0.95
TARGETS = {"duckdb": 1.3, "chdb": 1.5}


# ---------------------------------------------------------------- hand-written baselines


def hand_duckdb(path: str, scenario: dict[str, str]) -> dict[str, Any]:
    import duckdb

    from filterlang.metrics.histogram import bucket, to_rows

    src = "read_parquet('" + path.replace("'", "''") + "')"
    if scenario.get("users"):
        source = (
            f"{src} AS r JOIN (SELECT user_id, sum(cost) AS user_cost FROM {src} GROUP BY user_id) AS uv "
            "ON r.user_id = uv.user_id"
        )
        group = "r.user_id"
        cost = "r.cost"
    else:
        source, group, cost = src, "user_id", "cost"
    sql = f"""
        WITH u AS (
          SELECT count(*)::DOUBLE AS c,
                 coalesce(sum(CAST(floor({cost} * 1e9 + 0.5::DOUBLE) AS BIGINT)), 0)::DOUBLE / 1e9 AS s
          FROM {source} WHERE {scenario["duckdb"]} GROUP BY {group}
        )
        SELECT
          (SELECT list(c ORDER BY c) FROM u WHERE c <= (SELECT quantile_cont(c, {Q}) FROM u)) AS rc,
          (SELECT list(s ORDER BY s) FROM u WHERE s <= (SELECT quantile_cont(s, {Q}) FROM u)) AS uc
    """
    con = duckdb.connect()
    t = con.sql(sql).to_arrow_table()
    out = {}
    for name, col in (("request_count", "rc"), ("user_cost", "uc")):
        cell = t.column(col)[0]
        values = cell.values.to_numpy(zero_copy_only=False).tolist() if cell.is_valid else []
        out[name] = to_rows(bucket(values, "adaptive", 10))
    return out


def hand_chdb(path: str, scenario: dict[str, str]) -> dict[str, Any]:
    import chdb

    from filterlang.metrics.histogram import to_rows

    src = "file('" + path.replace("'", "\\'") + "', Parquet)"
    if scenario.get("users"):
        source = (
            f"{src} AS r INNER JOIN (SELECT user_id, sum(cost) AS user_cost FROM {src} GROUP BY user_id) AS uv "
            "ON r.user_id = uv.user_id"
        )
        group, cost = "r.user_id", "r.cost"
    else:
        source, group, cost = src, "user_id", "cost"
    sql = f"""
        SELECT
          arrayReduce('histogram(10)', arrayFilter(x -> x <= qc, ac)) AS request_count,
          arrayReduce('histogram(10)', arrayFilter(x -> x <= qs, as_)) AS user_cost
        FROM (
          SELECT arraySort(groupArray(c)) AS ac, quantileExactInclusive({Q})(c) AS qc,
                 arraySort(groupArray(s)) AS as_, quantileExactInclusive({Q})(s) AS qs
          FROM (
            SELECT toFloat64(count()) AS c, toFloat64(sum(toInt64(floor({cost} * 1e9 + 0.5)))) / 1e9 AS s
            FROM {source} WHERE {scenario["chdb"]} GROUP BY {group}
          )
        )
    """
    row = chdb.query(sql, "ArrowTable").to_pylist()[0]
    return {m: to_rows([(b["1"], b["2"], b["3"]) for b in row[m]]) for m in ("request_count", "user_cost")}


def ours(engine: str, path: str, scenario: dict[str, str]) -> dict[str, Any]:
    from filterlang.metrics import overview
    from filterlang.metrics.request import OverviewRequest, parse_request

    dsl = scenario["dsl"]
    req = (
        parse_request({"filter": "all", "pSize": P_SIZE, "useInterquartile": False})
        if dsl == "all"
        else OverviewRequest.from_dsl(dsl, P_SIZE, False)
    )
    result = overview(req, path, engine=engine)
    assert result["error"] is None, result["error"]
    data: dict[str, Any] = result["data"]
    return data


# ---------------------------------------------------------------- worker / driver


def worker(spec: dict[str, Any]) -> None:
    scenario = SCENARIOS[spec["scenario"]]
    if spec["variant"] == "filterlang":
        fn = lambda: ours(spec["engine"], spec["path"], scenario)  # noqa: E731
    elif spec["engine"] == "duckdb":
        fn = lambda: hand_duckdb(spec["path"], scenario)  # noqa: E731
    else:
        fn = lambda: hand_chdb(spec["path"], scenario)  # noqa: E731
    result = fn()  # warm-up (page cache, lazy imports)
    times = []
    for _ in range(spec["reps"]):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    rss_mb = peak_rss_mb()
    print(json.dumps({"times": times, "rss_mb": rss_mb, "result": result}))


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a
    worker would inherit the driver's high-water mark (e.g. from generating the data)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(spec: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(spec)], check=True, capture_output=True, text=True
    )
    res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return res


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    for m in ("request_count", "user_cost"):
        if len(a[m]) != len(b[m]):
            return False
        for x, y in zip(a[m], b[m], strict=True):
            for k in ("range_start", "range_end", "value"):
                if not math.isclose(float(x[k]), float(y[k]), rel_tol=1e-9, abs_tol=1e-12):
                    return False
    return True


def ensure_data(rows: int) -> Path:
    from filterlang import sample

    base = Path(os.environ.get("FILTERLANG_BENCH_DIR", Path(tempfile.gettempdir()) / "filterlang-bench"))
    base.mkdir(parents=True, exist_ok=True)
    path = base / f"requests-{rows}-seed7.parquet"
    if not path.exists():
        t0 = time.perf_counter()
        tmp = path.with_suffix(".partial")
        sample.write_sample(rows, tmp, seed=7, fmt="parquet")
        tmp.rename(path)
        print(f"generated {rows:,} rows -> {path} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--ref-rows", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--scenarios", nargs="*", default=list(SCENARIOS))
    ap.add_argument("--engines", nargs="*", default=["duckdb", "chdb"])
    ap.add_argument("--no-reference", action="store_true", help="skip the reference evaluator runs")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return

    path = ensure_data(args.rows)
    size_mb = path.stat().st_size / 2**20
    print(f"data: {path} ({args.rows:,} rows, {size_mb:.0f} MB Parquet); pSize {P_SIZE}, adaptive, 10 bins;")
    print(
        f"best of {args.reps} interleaved runs (filterlang, hand-written, ...), each run in its own process "
        f"after an untimed warm-up; {os.cpu_count()} cores\n"
    )
    header = (
        "scenario",
        "engine",
        "filterlang s",
        "hand-written s",
        "ratio best",
        "ratio median",
        "target",
        "peak RSS MB (fl/hand)",
        "same",
    )
    rows_out: list[tuple[str, ...]] = []
    for name in args.scenarios:
        for engine in args.engines:
            spec = {"engine": engine, "path": str(path), "scenario": name, "reps": 1}
            fl_runs, hw_runs = [], []
            for _ in range(args.reps):  # interleaved, so drift and neighbours hit both sides alike
                fl_runs.append(run_worker({**spec, "variant": "filterlang"}))
                hw_runs.append(run_worker({**spec, "variant": "hand"}))
            t_fl = [r["times"][0] for r in fl_runs]
            t_hw = [r["times"][0] for r in hw_runs]
            best = min(t_fl) / min(t_hw)
            med = statistics.median(t_fl) / statistics.median(t_hw)
            rows_out.append(
                (
                    name,
                    engine,
                    f"{min(t_fl):.3f}",
                    f"{min(t_hw):.3f}",
                    f"{best:.2f}x",
                    f"{med:.2f}x",
                    f"<= {TARGETS[engine]}x {'ok' if best <= TARGETS[engine] else 'MISSED'}",
                    f"{max(r['rss_mb'] for r in fl_runs):.0f} / {max(r['rss_mb'] for r in hw_runs):.0f}",
                    "yes" if same(fl_runs[0]["result"], hw_runs[0]["result"]) else "NO",
                )
            )
    widths = [max(len(h), *(len(r[i]) for r in rows_out)) for i, h in enumerate(header)]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for r in rows_out:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))

    if args.no_reference:
        return
    ref_path = ensure_data(args.ref_rows)
    print(f"\nreference evaluator (pure Python) on {args.ref_rows:,} rows, vs the DuckDB engine on the same file:")
    for name in args.scenarios:
        spec = {"path": str(ref_path), "scenario": name, "reps": 1, "variant": "filterlang"}
        ref = run_worker({**spec, "engine": "reference"})
        duck = run_worker({**spec, "engine": "duckdb"})
        t_ref, t_duck = statistics.median(ref["times"]), statistics.median(duck["times"])
        print(
            f"  {name:18s} reference {t_ref:6.2f}s ({args.ref_rows / t_ref / 1000:,.0f}k rows/s, "
            f"peak RSS {ref['rss_mb']:.0f} MB)   duckdb {t_duck:.3f}s   "
            f"same answer: {'yes' if same(ref['result'], duck['result']) else 'NO'}"
        )


if __name__ == "__main__":
    main()
