"""One local SparkSession for the whole test run (a plugin: import the fixture).

    from conftest_spark import spark  # noqa: F401   (in a test module)

Spark takes 4-11 s to start, so every Spark test in the run shares one session:
``local[2]`` (the CI machine has two cores), two shuffle partitions (the data is tiny,
the default 200 would mean 200 tasks per aggregate), no UI, bound to 127.0.0.1, session
time zone UTC (timestamps are UTC instants, semantics.md §3). Tests skip with the reason
when pyspark or Java is missing (``pip install -e '.[spark]'``; Debian:
``apt-get install -y openjdk-17-jre-headless``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from filterlang.sql.layout import FLAT_COLUMNS

SPARK_TYPES = {
    "text": "STRING",
    "cost": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "map": "MAP<STRING, STRING>",
    "score_map": "MAP<STRING, BIGINT>",
}
SPARK_SCHEMA = ", ".join(f"`{n}` {SPARK_TYPES[t]}" for n, t in FLAT_COLUMNS.items())


def spark_conf() -> dict[str, str]:
    """The settings every test session uses (small, local, quiet)."""
    return {
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "1",
        "spark.default.parallelism": "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.sql.adaptive.enabled": "false",  # tiny queries: planning time dominates
        "spark.driver.memory": "768m",
        "spark.ui.showConsoleProgress": "false",
    }


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A running SparkSession (local[2]) shared by every Spark test in the run."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        pytest.skip("pyspark is not installed (pip install -e '.[spark]')")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.skip("Java is not installed: Spark needs a JVM (apt-get install -y openjdk-17-jre-headless)")
    builder = SparkSession.builder.master("local[2]").appName("filterlang-tests")
    for k, v in spark_conf().items():
        builder = builder.config(k, v)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start: say why, do not fail every test
        pytest.skip(f"Spark could not start: {type(exc).__name__}: {str(exc)[:300]}")
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def _spark_value(t: str, v: Any) -> Any:
    if v is None:
        return None
    if t == "timestamp":
        assert isinstance(v, datetime)
        return v.astimezone(UTC)
    return v


def load_spark(session: Any, data: list[dict[str, Any]], view: str = "requests") -> None:
    """The rows as the temporary view ``requests`` in the flat layout (Spark types above)."""
    cols = list(FLAT_COLUMNS)
    values = [tuple(_spark_value(FLAT_COLUMNS[c], r.get(c)) for c in cols) for r in data]
    session.createDataFrame(values, SPARK_SCHEMA).createOrReplaceTempView(view)
