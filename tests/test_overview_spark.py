"""The overview on Spark (``engine="spark"``) against the reference: same answer, every case.

The cut over the ascending per-user stream (``cut_stream``/``cut_bounds``) is checked
first in pure Python against ``percentile_cut`` on many inputs; the Spark tests then run
the worked examples, generated data (every pSize, interquartile on and off, both methods,
NULL and '' users), the file formats, a Spark DataFrame and a catalog table, bad data and
the CLI, all on the run's one SparkSession.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import rows as rowgen
from conftest_spark import spark  # noqa: F401  (session fixture)
from hypothesis import given, settings
from hypothesis import strategies as st
from test_overview_engines import assert_same, rc, req, worked_table
from worked import P75, P75_INTERQUARTILE, WORKED, worked_rows

from filterlang.metrics import overview
from filterlang.metrics.histogram import P_LEVELS, percentile_cut
from filterlang.metrics.sources import table_from_rows
from filterlang.metrics.spark import cut_bounds, cut_stream
from filterlang.nodes import ALL, Node
from filterlang.sql.layout import FLAT_COLUMNS

P_SIZES = list(P_LEVELS)
METHODS = ["adaptive", "equal"]


# ------------------------------------------------------------------ the streaming cut (pure Python)


@settings(max_examples=400)
@given(
    st.lists(st.one_of(st.integers(0, 6).map(float), st.floats(-1e6, 1e6, allow_nan=False)), max_size=40),
    st.sampled_from(P_SIZES),
    st.booleans(),
)
def test_cut_stream_is_percentile_cut(values: list[float], p: str, iqr: bool) -> None:
    xs = sorted(values)
    want = percentile_cut(xs, p, iqr)
    consumed: list[float] = []

    def stream() -> Any:
        for v in xs:
            consumed.append(v)
            yield v

    assert list(cut_stream(stream(), len(xs), p, iqr)) == want
    # it stops at the first value above the cut (at most one value past the kept ones)
    assert len(consumed) <= len(xs) and (not want or consumed[-1] >= want[-1])
    if xs:
        lo, hi = cut_bounds(iter(xs), len(xs), p, iqr)
        assert [v for v in xs if lo <= v <= hi] == want
        assert not iqr or math.isinf(lo) is False


# ------------------------------------------------------------------ on Spark

pytestmark_spark = pytest.mark.spark


@pytestmark_spark
def test_worked_examples(spark: Any) -> None:  # noqa: F811
    assert rc(overview(req("all", "p75"), worked_table(), engine="spark", session=spark)) == P75
    got = overview(req("all", "p75", True), worked_table(), engine="spark", session=spark)
    assert rc(got) == P75_INTERQUARTILE
    from filterlang import parse, to_json

    data = [
        {"user_id": u, "cost": 0.25, "model": "gpt-4o" if i % 2 else "claude"}
        for u, n in WORKED.items()
        for i in range(n)
    ]
    body = req(to_json(parse('model = "gpt-4o"')), "p99")
    assert_same(overview(body, table_from_rows(data), engine="spark", session=spark), overview(body, data))


EDGE_CASES: list[list[dict[str, Any]]] = [
    [{"user_id": "solo", "cost": 1.5}],
    [{"user_id": u, "cost": 0.5} for u in "abcdefg"],
    [{"user_id": u, "cost": c} for u, c in zip("aabbccdd", [1, 1, 2, 2, 2, 2, 5, 0.125], strict=True)],
    [
        {"user_id": None, "cost": 0.25},
        {"user_id": "", "cost": None},
        {"user_id": "x", "cost": None},
        {"user_id": "", "cost": 0.5},
        {"user_id": None, "cost": 0.1},
        {"user_id": "y", "cost": 0.2},
    ],
    [{"user_id": f"u{i % 37}", "cost": (i % 11) / 8} for i in range(400)],
]


COMBOS = [(p, iqr, method) for p in P_SIZES for iqr in (False, True) for method in METHODS]


@pytestmark_spark
def test_edge_cases_every_p_size_both_methods(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # all 20 (pSize, interquartile, method) combinations, spread over the row sets; the
    # ascending stream is cut into range partitions of 4 users (ties across partitions)
    import filterlang.metrics.spark as engine

    monkeypatch.setattr(engine, "STREAM_PARTITION_USERS", 4)
    for k, data in enumerate(EDGE_CASES):
        frame = spark.createDataFrame(table_from_rows(data))
        for p, iqr, method in COMBOS[k :: len(EDGE_CASES)]:
            body = req("all", p, iqr)
            want = overview(body, data, engine="reference", method=method)
            assert_same(overview(body, frame, engine="spark", method=method, session=spark), want)


@st.composite
def overview_cases(draw: st.DrawFn) -> tuple[list[dict[str, Any]], Node]:
    data = draw(rowgen.rows(nul=True, min_size=0, max_size=20))
    node: Node = draw(st.one_of(st.just(ALL), rowgen.filters(data, nul=True))) if data else ALL
    return data, node


@pytestmark_spark
@settings(max_examples=6)
@given(overview_cases(), st.sampled_from(P_SIZES), st.booleans(), st.sampled_from(METHODS))
def test_spark_matches_reference(
    spark: Any,  # noqa: F811
    case: tuple[list[dict[str, Any]], Node],
    p: str,
    iqr: bool,
    method: str,
) -> None:
    from filterlang import to_json

    data, node = case
    body = req(to_json(node), p, iqr)
    want = overview(body, data, engine="reference", method=method)
    table = table_from_rows(data, columns=list(FLAT_COLUMNS))
    assert_same(overview(body, table, engine="spark", method=method, session=spark), want)


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pytest.importorskip("numpy")
    from filterlang import sample

    base = tmp_path_factory.mktemp("spark") / "odd [name] {1}*?"  # a path is taken literally, never a glob
    base.mkdir()
    table = sample.generate(3000, seed=5)
    return {fmt: sample.write(table, base / f"s.{fmt}") for fmt in ("parquet", "csv", "jsonl")}


@pytestmark_spark
def test_files_and_filters_match_reference(spark: Any, sample_files: dict[str, Any]) -> None:  # noqa: F811
    from filterlang.metrics.request import OverviewRequest

    cases = [
        ("all", "p95", False, "adaptive"),
        ('model ~ "gpt%" and properties["environment"] = "production"', "p75", True, "equal"),
        ('user_cost > 0.5 or scores["accuracy"] = "90"', "p99.9", False, "adaptive"),
        ('request_created_at >= "2026-01-19T00:00:00.250Z" and user_active_for >= 3', "p50", True, "adaptive"),
    ]
    for fmt, path in sample_files.items():
        for dsl, p, iqr, method in cases if fmt == "parquet" else cases[1:3]:
            body = OverviewRequest.from_dsl(dsl, p, iqr) if dsl != "all" else req("all", p, iqr)
            want = overview(body, sample_files["parquet"], engine="reference", method=method)
            assert want["error"] is None
            assert_same(overview(body, path, engine="spark", method=method, session=spark), want), (fmt, dsl)


@pytestmark_spark
def test_spark_dataframe_and_catalog_table(spark: Any) -> None:  # noqa: F811
    frame = spark.createDataFrame(table_from_rows(worked_rows()).to_pandas())
    assert rc(overview(req("all", "p75"), frame)) == P75  # a Spark DataFrame picks the engine
    frame.createOrReplaceTempView("my_requests")
    got = overview(req("all", "p75", True), None, engine="spark", table="my_requests", session=spark)
    assert rc(got) == P75_INTERQUARTILE


@pytestmark_spark
def test_bad_data_and_bad_requests_are_clear_errors(spark: Any) -> None:  # noqa: F811
    inf = table_from_rows([{"user_id": "a", "cost": math.inf}, {"user_id": "b", "cost": 1.0}])
    with pytest.raises(ValueError, match=r"cost .*Infinity.* no 64-bit nano-USD"):
        overview(req(), inf, engine="spark", session=spark)
    bad = overview({"filter": "all", "pSize": "p96", "useInterquartile": False}, worked_table(), engine="spark")
    assert bad["data"] is None and "pSize" in bad["error"]
    import pyarrow as pa

    floats = pa.table({"user_id": ["a"], "cost": [1.0], "status": [200.5]})
    with pytest.raises(ValueError, match=r"column 'status' has type double.*int column"):
        overview(req(), floats, engine="spark", session=spark)


@pytestmark_spark
def test_narrow_input_with_a_users_view_filter(spark: Any) -> None:  # noqa: F811
    """Missing optional columns read as NULL (semantics §8): users_view needs no token columns here."""
    from filterlang import parse, to_json

    data = [
        {"user_id": u, "cost": 0.25, "model": "gpt-4o" if i % 2 else "claude"}
        for u, n in WORKED.items()
        for i in range(n)
    ]
    body = req(
        to_json(parse('model = "gpt-4o" and user_cost > 0.3 and user_average_tokens_per_request > 0')), "p75", True
    )
    body2 = req(to_json(parse('model = "gpt-4o" and user_cost > 0.3')), "p75", True)
    frame = spark.createDataFrame(table_from_rows(data, columns=["user_id", "cost", "model"]))
    for b in (body, body2):
        assert_same(overview(b, frame, engine="spark", session=spark), overview(b, data))


CONNECT_SCRIPT = """
import sys, json
sys.path.insert(0, sys.argv[1])
from pyspark.sql import SparkSession
from worked import worked_rows
from filterlang.metrics import overview
from filterlang.metrics.sources import table_from_rows
s = SparkSession.builder.remote("local[2]").config("spark.sql.shuffle.partitions", "1").getOrCreate()
body = {"filter": "all", "pSize": "p75", "useInterquartile": True}
got = overview(body, s.createDataFrame(table_from_rows(worked_rows())), engine="spark")
print(json.dumps([got == overview(body, worked_rows()), type(s).__module__]))
s.stop()
"""


@pytestmark_spark
def test_spark_connect_session() -> None:
    """The same engine through Spark Connect (a local Connect server); on demand: it starts a second JVM."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    if not os.environ.get("FILTERLANG_SPARK_CONNECT"):
        pytest.skip("Spark Connect check runs with FILTERLANG_SPARK_CONNECT=1 (starts a second JVM, ~15 s)")
    pytest.importorskip("grpc", reason="Spark Connect needs pip install 'pyspark[connect]'")
    out = subprocess.run(
        [sys.executable, "-c", CONNECT_SCRIPT, str(Path(__file__).parent)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == '[true, "pyspark.sql.connect.session"]'


@pytestmark_spark
def test_cli_engine_spark(spark: Any, sample_files: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    import json

    from filterlang.cli import main

    path = str(sample_files["parquet"])
    code = main(
        ["overview", 'model ~ "gpt%"', "--data", path, "--engine", "spark", "--spark-master", "local[2]", "--json"]
    )
    assert code == 0
    got = json.loads(capsys.readouterr().out)
    from filterlang.metrics.request import OverviewRequest

    assert_same(got, overview(OverviewRequest.from_dsl('model ~ "gpt%"', "p95", False), path, engine="reference"))


@pytestmark_spark
@settings(max_examples=5)
@given(st.data())
def test_text_formats_round_trip_tricky_values(
    spark: Any,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    """Quotes, backslashes, newlines, tabs, '' vs NULL, %/_ and non-ASCII survive CSV/JSONL on Spark."""
    from filterlang import sample, to_json

    rows = data.draw(rowgen.rows(nul=False, min_size=1, max_size=16))
    node = data.draw(st.one_of(st.just(ALL), rowgen.filters(rows, nul=False)))
    base = tmp_path_factory.mktemp("fmt")
    body = req(to_json(node), "p99.9", False)
    want = overview(body, rows, engine="reference")
    for fmt in ("csv", "jsonl"):
        path = base / f"data.{fmt}"
        sample.write(table_from_rows(rows, columns=list(FLAT_COLUMNS)), path)
        assert_same(overview(body, path, engine="spark", session=spark), want)


@pytestmark_spark
def test_cli_engine_spark_table_and_usage(spark: Any, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    import json

    from filterlang.cli import main

    spark.createDataFrame(table_from_rows(worked_rows())).createOrReplaceTempView("cli_requests")
    assert main(["overview", "--engine", "spark", "--table", "cli_requests", "--p-size", "p75", "--json"]) == 0
    assert rc(json.loads(capsys.readouterr().out)) == P75
    assert main(["overview", "--engine", "spark"]) == 2  # neither --data nor --table
    assert "--data FILE or --table NAME" in capsys.readouterr().err
    assert main(["overview", "--engine", "duckdb", "--data", "x.parquet", "--spark-master", "local[2]"]) == 2
    assert "--spark-master" in capsys.readouterr().err
