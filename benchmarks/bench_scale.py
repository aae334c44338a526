"""How the overview's cost grows with data: 1M, 10M, 100M rows on DuckDB, chDB and Spark local[2].

    .venv/bin/python benchmarks/bench_scale.py --sizes 1000000            # development
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000000 10000000   # 10M: ~10 min here
    .venv/bin/python benchmarks/bench_scale.py                             # 1M, 10M, 100M (~6 GB data)

Data: ``filterlang sample`` (seed 7) written batch by batch to Parquet
(:func:`filterlang.sample.write_sample`, memory flat at any size) into
$FILTERLANG_BENCH_DIR (default <tmp>/filterlang-bench), generated once, never committed.

Each measurement is its own process (fresh engine, honest peak RSS) after one untimed
warm-up; filterlang and the best hand-written query for the same answer on the same engine
alternate in the same run, and the table shows the best of --reps (default 1) and the
ratio (goal <= 1.3x). Hand-written DuckDB/chDB queries are bench_overview.py's; the Spark
one is what an expert would write: the per-user table cached, Spark's exact ``percentile``
for the cut, the kept values fetched at once with ``toArrow`` (collected, not streamed),
sorted by Arrow on the client and bucketed with the same client code. Spark runs with 8
shuffle partitions on both sides. Peak RSS is this Python process's (for Spark the JVM is a separate process:
its heap is the driver's ``spark.driver.memory``, not counted here). Every pair's answers
are compared (1e-9 relative).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_overview import (  # noqa: E402  (same directory: the shared baselines)
    P_SIZE,
    SCENARIOS,
    Q,
    ensure_data,
    hand_chdb,
    hand_duckdb,
    ours,
    peak_rss_mb,
    same,
)

ENGINES = ("duckdb", "chdb", "spark")
TARGET = 1.3
SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "2g",
    "spark.sql.shuffle.partitions": "8",  # local[2]: the default 200 tiny tasks per shuffle cost both sides
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
}


def spark_session() -> Any:
    from pyspark.sql import SparkSession

    b = SparkSession.builder.master("local[2]").appName("bench_scale")
    for k, v in SPARK_CONF.items():
        b = b.config(k, v)
    s = b.getOrCreate()
    s.sparkContext.setLogLevel("ERROR")
    return s


def hand_spark(session: Any, path: str, scenario: dict[str, str]) -> dict[str, Any]:
    import pyarrow.compute as pc

    from filterlang.metrics.histogram import bucket, to_rows

    src = "parquet.`" + path.replace("`", "``") + "`"
    where = scenario["duckdb"].replace("properties['environment']", "try_element_at(properties, 'environment')")
    if scenario.get("users"):
        source = (
            f"{src} AS r JOIN (SELECT user_id, sum(cost) AS user_cost FROM {src} GROUP BY user_id) AS uv "
            "ON r.user_id = uv.user_id"
        )
        group, cost = "r.user_id", "r.cost"
    else:
        source, group, cost = src, "user_id", "cost"
    u = session.sql(
        f"SELECT CAST(count(*) AS DOUBLE) AS c, "
        f"CAST(coalesce(sum(CAST(floor({cost} * 1e9 + 0.5) AS BIGINT)), 0) AS DOUBLE) / 1e9 AS s "
        f"FROM {source} WHERE {where} GROUP BY {group}"
    ).cache()
    try:
        qc, qs = u.selectExpr(f"percentile(c, {Q})", f"percentile(s, {Q})").first()
        out = {}
        for name, col, q in (("request_count", "c", qc), ("user_cost", "s", qs)):
            if q is None:
                out[name] = []
                continue
            # unsorted over the wire, sorted by Arrow's C++ sort on the client (no Spark shuffle)
            kept = u.where(f"{col} <= {q!r}").select(col).toArrow()
            values = pc.sort_indices(kept.column(0))
            out[name] = to_rows(bucket(pc.take(kept.column(0), values).to_pylist(), "adaptive", 10))
        return out
    finally:
        u.unpersist()


def worker(spec: dict[str, Any]) -> None:
    scenario = SCENARIOS[spec["scenario"]]
    engine, path = spec["engine"], spec["path"]
    if engine == "spark":
        session = spark_session()
        if spec["variant"] == "filterlang":
            from filterlang.metrics import overview
            from filterlang.metrics.request import OverviewRequest, parse_request

            dsl = scenario["dsl"]
            req = (
                parse_request({"filter": "all", "pSize": P_SIZE, "useInterquartile": False})
                if dsl == "all"
                else OverviewRequest.from_dsl(dsl, P_SIZE, False)
            )

            def fn() -> Any:
                r = overview(req, path, engine="spark", session=session)
                assert r["error"] is None, r["error"]
                return r["data"]
        else:

            def fn() -> Any:
                return hand_spark(session, path, scenario)
    elif spec["variant"] == "filterlang":

        def fn() -> Any:
            return ours(engine, path, scenario)
    elif engine == "duckdb":

        def fn() -> Any:
            return hand_duckdb(path, scenario)
    else:

        def fn() -> Any:
            return hand_chdb(path, scenario)

    result = fn()  # warm-up: page cache, lazy imports, JIT
    times = []
    for _ in range(spec["reps"]):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"times": times, "rss_mb": peak_rss_mb(), "result": result}))


def run_worker(spec: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(spec)], check=True, capture_output=True, text=True
    )
    res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="*", type=int, default=[1_000_000, 10_000_000, 100_000_000])
    ap.add_argument("--engines", nargs="*", default=list(ENGINES), choices=ENGINES)
    ap.add_argument("--scenario", default="request filter", choices=list(SCENARIOS))
    ap.add_argument("--reps", type=int, default=1, help="timed runs per side (best is shown)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return
    print(
        f"scenario {args.scenario!r}: {SCENARIOS[args.scenario]['dsl']}; pSize {P_SIZE}, adaptive, 10 bins; "
        f"best of {args.reps}, each run in its own process after an untimed warm-up; {os.cpu_count()} cores\n"
    )
    header = ("rows", "engine", "filterlang s", "hand s", "ratio", "s / M rows", "peak RSS MB (fl/hand)", "same")
    print(" | ".join(header))
    print("|".join("---" for _ in header))
    for rows in args.sizes:
        path = ensure_data(rows)
        for engine in args.engines:
            spec = {"engine": engine, "path": str(path), "scenario": args.scenario, "reps": args.reps}
            fl = run_worker({**spec, "variant": "filterlang"})
            hw = run_worker({**spec, "variant": "hand"})
            t_fl, t_hw = min(fl["times"]), min(hw["times"])
            ratio = t_fl / t_hw
            cells = (
                f"{rows:,}",
                engine if engine != "spark" else "spark local[2]",
                f"{t_fl:.2f}",
                f"{t_hw:.2f}",
                f"{ratio:.2f}x {'ok' if ratio <= TARGET else 'MISSED'}",
                f"{t_fl / (rows / 1e6):.3f}",
                f"{fl['rss_mb']:.0f} / {hw['rss_mb']:.0f}",
                "yes" if same(fl["result"], hw["result"]) else "NO",
            )
            print(" | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
