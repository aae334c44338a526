"""SQL compiler: one table of filters and, per dialect, the SQL each must give.

In the style of sqlglot's ``validate_all``: a key names one dialect or several that share
the text; every dialect needs an expectation for every case (a missing one fails, nothing
is ever written). Values are shown inline (``inline=True``); the parameterised forms are
the second, smaller table. Execution on real engines is tests/test_differential.py.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

import filterlang
from filterlang.errors import FilterLimitError, FilterTypeError
from filterlang.nodes import Condition, Node, balanced, branch, make_leaf
from filterlang.sql import (
    SqlQuery,
    helicone_profile,
    list_dialects,
    load_profile,
    profile_from_dict,
    to_sql,
    to_sqlglot,
    users_sql,
    where_sql,
)

DIALECTS = list_dialects()


def L(field: str, op: str, value: object, key: str | None = None) -> Node:
    return make_leaf(Condition(field, op, value, key))  # type: ignore[arg-type]


def node_of(text: str) -> Node:
    return filterlang.from_json(text) if text.startswith("{") else filterlang.parse(text)


TF = "TRANSLATE({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"  # ASCII-only case folding


def RF(col: str) -> str:
    """MySQL's ASCII-only folding: one case-sensitive REPLACE per letter (its LOWER folds É too)."""
    return "REPLACE(" * 26 + col + "".join(f", '{u}', '{u.lower()}')" for u in string.ascii_uppercase)


EXPECT: list[tuple[str, dict[str, str]]] = [
    (
        'model = "gpt-4o"',
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "requests.model = 'gpt-4o'",
        },
    ),
    (
        'model != "gpt-4o"',
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "requests.model <> 'gpt-4o'",
        },
    ),
    (
        'user_id = "null"',
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "requests.user_id IS NULL",
        },
    ),
    (
        'user_id != "null"',
        {
            "clickhouse": "NOT (requests.user_id IS NULL)",
            "duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "NOT requests.user_id IS NULL",
        },
    ),
    (
        '{"request_response_rmt": {"model": {"equals": "__empty__"}}}',
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "requests.model = ''",
        },
    ),
    (
        '{"request_response_rmt": {"model": {"not-equals": "__empty__"}}}',
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "requests.model <> ''",
        },
    ),
    (
        '{"request_response_rmt": {"model": {"like": "__empty__"}}}',
        {
            "clickhouse duckdb postgres mysql bigquery snowflake spark trino redshift tsql databricks": "requests.model LIKE '__empty__'",
            "sqlite": "requests.model GLOB '??empty??'",
        },
    ),
    (
        'model ~ "gpt-4%\\\\_x"',
        {
            "clickhouse mysql bigquery spark databricks": "requests.model LIKE 'gpt-4%\\\\_x'",
            "duckdb postgres trino tsql": "requests.model LIKE 'gpt-4%\\_x' ESCAPE '\\'",
            "sqlite": "requests.model GLOB 'gpt-4*_x'",
            "snowflake redshift": "requests.model LIKE 'gpt-4%\\\\_x' ESCAPE '\\\\'",
        },
    ),
    (
        'model ~ "back\\\\slash\\\\"',
        {
            "clickhouse mysql bigquery spark databricks": "requests.model LIKE 'back\\\\\\\\slash\\\\\\\\'",
            "duckdb postgres trino tsql": "requests.model LIKE 'back\\\\slash\\\\' ESCAPE '\\'",
            "sqlite": "requests.model GLOB 'back\\slash\\'",
            "snowflake redshift": "requests.model LIKE 'back\\\\\\\\slash\\\\\\\\' ESCAPE '\\\\'",
        },
    ),
    (
        'model ~* "GPT%"',
        {
            "clickhouse sqlite": "LOWER(requests.model) LIKE 'gpt%'",
            "mysql": RF("requests.model") + " LIKE 'gpt%'",
            "duckdb postgres bigquery snowflake spark trino redshift tsql databricks": "TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'gpt%'",
        },
    ),
    (
        'request_body contains "50% off_\\\\"',
        {
            "clickhouse": "LOWER(requests.request_body) LIKE '%50\\\\% off\\\\_\\\\\\\\%'",
            "mysql": RF("requests.request_body") + " LIKE '%50\\\\% off\\\\_\\\\\\\\%'",
            "duckdb postgres trino tsql": "TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%50\\% off\\_\\\\%' ESCAPE '\\'",
            "sqlite": "LOWER(requests.request_body) LIKE '%50\\% off\\_\\\\%' ESCAPE '\\'",
            "bigquery spark databricks": "TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%50\\\\% off\\\\_\\\\\\\\%'",
            "snowflake redshift": "TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%50\\\\% off\\\\_\\\\\\\\%' ESCAPE '\\\\'",
        },
    ),
    (
        'request_body not contains "error"',
        {
            "clickhouse sqlite": "NOT LOWER(requests.request_body) LIKE '%error%'",
            "mysql": "NOT " + RF("requests.request_body") + " LIKE '%error%'",
            "duckdb postgres bigquery snowflake spark trino redshift tsql databricks": "NOT TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%error%'",
        },
    ),
    (
        'model in ("a", "b", "c")',
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "requests.model IN ('a', 'b', 'c')",
        },
    ),
    (
        'model not in ("a", "b")',
        {
            "clickhouse": "NOT (requests.model IN ('a', 'b'))",
            "duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "NOT requests.model IN ('a', 'b')",
        },
    ),
    (
        "latency > 100",
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "requests.latency > 100",
        },
    ),
    (
        "latency > 9007199254740992.0",
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "requests.latency > 9007199254740992",
        },
    ),
    (
        "latency = 2.5",
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift databricks": "FALSE",
            "tsql": "(1 = 0)",
        },
    ),
    (
        "status <= 499.5",
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift tsql databricks": "requests.status <= 499",
        },
    ),
    (
        "cost >= 2.5",
        {
            "clickhouse": "CASE WHEN isNaN(requests.cost) THEN NULL ELSE requests.cost END >= 2.5",
            "duckdb spark databricks": "CASE WHEN ISNAN(requests.cost) THEN NULL ELSE requests.cost END >= 2.5",
            "postgres redshift": "CASE WHEN requests.cost = CAST('NaN' AS DOUBLE PRECISION) THEN NULL ELSE requests.cost END >= 2.5",
            "sqlite mysql tsql": "requests.cost >= 2.5",
            "bigquery trino": "CASE WHEN IS_NAN(requests.cost) THEN NULL ELSE requests.cost END >= 2.5",
            "snowflake": "CASE WHEN requests.cost = CAST('NaN' AS DOUBLE) THEN NULL ELSE requests.cost END >= 2.5",
        },
    ),
    (
        "cost = 9007199254740993",
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift databricks": "FALSE",
            "tsql": "(1 = 0)",
        },
    ),
    (
        'request_created_at > "2026-01-31T12:00:00.1239Z"',
        {
            "clickhouse": "requests.request_created_at >= toDateTime64('2026-01-31 12:00:00.124', 3, 'UTC')",
            "duckdb": "requests.request_created_at >= CAST('2026-01-31 12:00:00.124' AS TIMESTAMP)",
            "postgres": "requests.request_created_at >= CAST('2026-01-31 12:00:00.124+00:00' AS TIMESTAMPTZ)",
            "sqlite": "requests.request_created_at >= '2026-01-31 12:00:00.124'",
            "mysql": "requests.request_created_at >= CAST('2026-01-31 12:00:00.124' AS DATETIME(3))",
            "bigquery spark databricks": "requests.request_created_at >= CAST('2026-01-31 12:00:00.124+00:00' AS TIMESTAMP)",
            "snowflake": "requests.request_created_at >= CAST('2026-01-31 12:00:00.124' AS TIMESTAMPNTZ)",
            "trino": "requests.request_created_at >= CAST('2026-01-31 12:00:00.124' AS TIMESTAMP(3))",
            "redshift": "requests.request_created_at >= CAST('2026-01-31 12:00:00.124+00:00' AS TIMESTAMP WITH TIME ZONE)",
            "tsql": "requests.request_created_at >= CAST('2026-01-31 12:00:00.124' AS DATETIME2(3))",
        },
    ),
    (
        'request_created_at = "2026-01-31T14:00:00+02:00"',
        {
            "clickhouse": "requests.request_created_at >= toDateTime64('2026-01-31 12:00:00.000', 3, 'UTC') AND requests.request_created_at < toDateTime64('2026-01-31 12:00:00.001', 3, 'UTC')",
            "duckdb": "requests.request_created_at >= CAST('2026-01-31 12:00:00.000' AS TIMESTAMP) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001' AS TIMESTAMP)",
            "postgres": "requests.request_created_at >= CAST('2026-01-31 12:00:00.000+00:00' AS TIMESTAMPTZ) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001+00:00' AS TIMESTAMPTZ)",
            "sqlite": "requests.request_created_at >= '2026-01-31 12:00:00.000' AND requests.request_created_at < '2026-01-31 12:00:00.001'",
            "mysql": "requests.request_created_at >= CAST('2026-01-31 12:00:00.000' AS DATETIME(3)) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001' AS DATETIME(3))",
            "bigquery spark databricks": "requests.request_created_at >= CAST('2026-01-31 12:00:00.000+00:00' AS TIMESTAMP) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001+00:00' AS TIMESTAMP)",
            "snowflake": "requests.request_created_at >= CAST('2026-01-31 12:00:00.000' AS TIMESTAMPNTZ) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001' AS TIMESTAMPNTZ)",
            "trino": "requests.request_created_at >= CAST('2026-01-31 12:00:00.000' AS TIMESTAMP(3)) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001' AS TIMESTAMP(3))",
            "redshift": "requests.request_created_at >= CAST('2026-01-31 12:00:00.000+00:00' AS TIMESTAMP WITH TIME ZONE) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001+00:00' AS TIMESTAMP WITH TIME ZONE)",
            "tsql": "requests.request_created_at >= CAST('2026-01-31 12:00:00.000' AS DATETIME2(3)) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001' AS DATETIME2(3))",
        },
    ),
    (
        "cached = true",
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift databricks": "requests.cached",
            "tsql": "requests.cached = 1",
        },
    ),
    (
        "threat = false",
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift databricks": "NOT requests.threat",
            "tsql": "requests.threat = 0",
        },
    ),
    (
        'properties["env"] = "prod"',
        {
            "clickhouse": "requests.properties['env'] = 'prod'",
            "duckdb": "COALESCE(requests.properties['env'], '') = 'prod'",
            "postgres": "COALESCE(JSONB_EXTRACT_PATH_TEXT(requests.properties, 'env'), '') = 'prod'",
            "sqlite": "COALESCE((SELECT value FROM JSON_EACH(requests.properties) WHERE key = 'env'), '') = 'prod'",
            "mysql": "COALESCE(JSON_UNQUOTE(JSON_EXTRACT(requests.properties, CONCAT('$.', JSON_QUOTE('env')))), '') = 'prod'",
            "bigquery": "COALESCE(JSON_VALUE(requests.properties['env'], '$'), '') = 'prod'",
            "snowflake": "COALESCE(CAST(GET(requests.properties, 'env') AS VARCHAR), '') = 'prod'",
            "spark databricks": "COALESCE(TRY_ELEMENT_AT(requests.properties, 'env'), '') = 'prod'",
            "trino": "COALESCE(ELEMENT_AT(requests.properties, 'env'), '') = 'prod'",
            "redshift": "COALESCE(JSON_EXTRACT_PATH_TEXT(requests.properties, 'env'), '') = 'prod'",
            "tsql": "COALESCE(JSON_VALUE(requests.properties, CONCAT('$.\"', STRING_ESCAPE('env', 'json'), '\"')), '') = 'prod'",
        },
    ),
    (
        'properties["env"] ~* "Pro%"',
        {
            "clickhouse": "LOWER(requests.properties['env']) LIKE 'pro%'",
            "duckdb": "TRANSLATE(COALESCE(requests.properties['env'], ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'",
            "postgres": "TRANSLATE(COALESCE(JSONB_EXTRACT_PATH_TEXT(requests.properties, 'env'), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'",
            "sqlite": "LOWER(COALESCE((SELECT value FROM JSON_EACH(requests.properties) WHERE key = 'env'), '')) LIKE 'pro%'",
            "mysql": RF(
                "COALESCE(JSON_UNQUOTE(JSON_EXTRACT(requests.properties, CONCAT('$.', JSON_QUOTE('env')))), '')"
            )
            + " LIKE 'pro%'",
            "bigquery": "TRANSLATE(COALESCE(JSON_VALUE(requests.properties['env'], '$'), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'",
            "snowflake": "TRANSLATE(COALESCE(CAST(GET(requests.properties, 'env') AS VARCHAR), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'",
            "spark databricks": "TRANSLATE(COALESCE(TRY_ELEMENT_AT(requests.properties, 'env'), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'",
            "trino": "TRANSLATE(COALESCE(ELEMENT_AT(requests.properties, 'env'), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'",
            "redshift": "TRANSLATE(COALESCE(JSON_EXTRACT_PATH_TEXT(requests.properties, 'env'), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'",
            "tsql": "TRANSLATE(COALESCE(JSON_VALUE(requests.properties, CONCAT('$.\"', STRING_ESCAPE('env', 'json'), '\"')), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'",
        },
    ),
    (
        'scores["accuracy"] = "+05"',
        {
            "clickhouse": "CASE WHEN has(requests.scores, 'accuracy') THEN requests.scores['accuracy'] ELSE NULL END = 5",
            "duckdb": "requests.scores['accuracy'] = 5",
            "postgres": "CAST(JSONB_EXTRACT_PATH_TEXT(requests.scores, 'accuracy') AS BIGINT) = 5",
            "sqlite": "(SELECT value FROM JSON_EACH(requests.scores) WHERE key = 'accuracy') = 5",
            "mysql": "CAST(JSON_UNQUOTE(JSON_EXTRACT(requests.scores, CONCAT('$.', JSON_QUOTE('accuracy')))) AS SIGNED) = 5",
            "bigquery": "CAST(CAST(JSON_VALUE(requests.scores['accuracy'], '$') AS STRING) AS INT64) = 5",
            "snowflake": "CAST(CAST(GET(requests.scores, 'accuracy') AS VARCHAR) AS BIGINT) = 5",
            "spark databricks": "CAST(CAST(TRY_ELEMENT_AT(requests.scores, 'accuracy') AS STRING) AS BIGINT) = 5",
            "trino": "CAST(CAST(ELEMENT_AT(requests.scores, 'accuracy') AS VARCHAR) AS BIGINT) = 5",
            "redshift": "CAST(JSON_EXTRACT_PATH_TEXT(requests.scores, 'accuracy') AS BIGINT) = 5",
            "tsql": "CAST(JSON_VALUE(requests.scores, CONCAT('$.\"', STRING_ESCAPE('accuracy', 'json'), '\"')) AS BIGINT) = 5",
        },
    ),
    (
        'scores["accuracy"] = "high"',
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift databricks": "FALSE",
            "tsql": "(1 = 0)",
        },
    ),
    (
        'scores["accuracy"] != "high"',
        {
            "clickhouse": "NOT (CASE WHEN has(requests.scores, 'accuracy') THEN toString(requests.scores['accuracy']) ELSE NULL END IS NULL)",
            "duckdb": "NOT CAST(requests.scores['accuracy'] AS TEXT) IS NULL",
            "postgres": "NOT JSONB_EXTRACT_PATH_TEXT(requests.scores, 'accuracy') IS NULL",
            "sqlite": "NOT CAST((SELECT value FROM JSON_EACH(requests.scores) WHERE key = 'accuracy') AS TEXT) IS NULL",
            "mysql": "NOT JSON_UNQUOTE(JSON_EXTRACT(requests.scores, CONCAT('$.', JSON_QUOTE('accuracy')))) IS NULL",
            "bigquery": "NOT CAST(JSON_VALUE(requests.scores['accuracy'], '$') AS STRING) IS NULL",
            "snowflake": "NOT CAST(GET(requests.scores, 'accuracy') AS VARCHAR) IS NULL",
            "spark databricks": "NOT CAST(TRY_ELEMENT_AT(requests.scores, 'accuracy') AS STRING) IS NULL",
            "trino": "NOT CAST(ELEMENT_AT(requests.scores, 'accuracy') AS VARCHAR) IS NULL",
            "redshift": "NOT JSON_EXTRACT_PATH_TEXT(requests.scores, 'accuracy') IS NULL",
            "tsql": "NOT JSON_VALUE(requests.scores, CONCAT('$.\"', STRING_ESCAPE('accuracy', 'json'), '\"')) IS NULL",
        },
    ),
    (
        'scores["accuracy"] ~ "1%"',
        {
            "clickhouse": "CASE WHEN has(requests.scores, 'accuracy') THEN toString(requests.scores['accuracy']) ELSE NULL END LIKE '1%'",
            "duckdb": "CAST(requests.scores['accuracy'] AS TEXT) LIKE '1%'",
            "postgres": "JSONB_EXTRACT_PATH_TEXT(requests.scores, 'accuracy') LIKE '1%'",
            "sqlite": "CAST((SELECT value FROM JSON_EACH(requests.scores) WHERE key = 'accuracy') AS TEXT) GLOB '1*'",
            "mysql": "JSON_UNQUOTE(JSON_EXTRACT(requests.scores, CONCAT('$.', JSON_QUOTE('accuracy')))) LIKE '1%'",
            "bigquery": "CAST(JSON_VALUE(requests.scores['accuracy'], '$') AS STRING) LIKE '1%'",
            "snowflake": "CAST(GET(requests.scores, 'accuracy') AS VARCHAR) LIKE '1%'",
            "spark databricks": "CAST(TRY_ELEMENT_AT(requests.scores, 'accuracy') AS STRING) LIKE '1%'",
            "trino": "CAST(ELEMENT_AT(requests.scores, 'accuracy') AS VARCHAR) LIKE '1%'",
            "redshift": "JSON_EXTRACT_PATH_TEXT(requests.scores, 'accuracy') LIKE '1%'",
            "tsql": "JSON_VALUE(requests.scores, CONCAT('$.\"', STRING_ESCAPE('accuracy', 'json'), '\"')) LIKE '1%'",
        },
    ),
    (
        'property_key = "env"',
        {
            "clickhouse": "has(requests.properties, 'env')",
            "duckdb": "MAP_CONTAINS(requests.properties, 'env')",
            "postgres": "JSONB_EXISTS(requests.properties, 'env')",
            "sqlite": "EXISTS(SELECT 1 FROM JSON_EACH(requests.properties) WHERE key = 'env')",
            "mysql": "JSON_CONTAINS_PATH(requests.properties, 'one', CONCAT('$.', JSON_QUOTE('env')))",
            "bigquery": "NOT requests.properties['env'] IS NULL",
            "snowflake": "NOT GET(requests.properties, 'env') IS NULL",
            "spark databricks": "MAP_CONTAINS_KEY(requests.properties, 'env')",
            "trino": "CONTAINS(MAP_KEYS(requests.properties), 'env')",
            "redshift": "NOT JSON_EXTRACT_PATH_TEXT(requests.properties, 'env') IS NULL",
            "tsql": "JSON_PATH_EXISTS(requests.properties, CONCAT('$.\"', STRING_ESCAPE('env', 'json'), '\"')) = 1",
        },
    ),
    (
        '(model ~ "gpt%" or model ~ "claude%") and status >= 200 and status < 300',
        {
            "clickhouse duckdb postgres mysql bigquery snowflake spark trino redshift tsql databricks": "(requests.model LIKE 'gpt%' OR requests.model LIKE 'claude%') AND requests.status >= 200 AND requests.status < 300",
            "sqlite": "(requests.model GLOB 'gpt*' OR requests.model GLOB 'claude*') AND requests.status >= 200 AND requests.status < 300",
        },
    ),
    (
        'user_cost > 5 and model ~* "gpt%"',
        {
            "clickhouse sqlite": "users_view.user_cost > 5 AND LOWER(requests.model) LIKE 'gpt%'",
            "mysql": "users_view.user_cost > 5 AND " + RF("requests.model") + " LIKE 'gpt%'",
            "duckdb postgres bigquery snowflake spark trino redshift tsql databricks": "users_view.user_cost > 5 AND TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'gpt%'",
        },
    ),
    (
        "all",
        {
            "clickhouse duckdb postgres sqlite mysql bigquery snowflake spark trino redshift databricks": "TRUE",
            "tsql": "(1 = 1)",
        },
    ),
]

PARAMS: list[tuple[str, dict[str, tuple[str, dict[str, object]]]]] = [
    (
        'model = "gpt-4o" or latency > 100',
        {
            "clickhouse": (
                "(requests.model = {p0: String} OR requests.latency > {p1: Int64})",
                {"p0": "gpt-4o", "p1": 100},
            ),
            "duckdb": ("(requests.model = $p0 OR requests.latency > $p1)", {"p0": "gpt-4o", "p1": 100}),
            "postgres mysql snowflake redshift": (
                "(requests.model = %(p0)s OR requests.latency > %(p1)s)",
                {"p0": "gpt-4o", "p1": 100},
            ),
            "sqlite spark databricks": (
                "(requests.model = :p0 OR requests.latency > :p1)",
                {"p0": "gpt-4o", "p1": 100},
            ),
            "bigquery": ("(requests.model = @p0 OR requests.latency > @p1)", {"p0": "gpt-4o", "p1": 100}),
            "trino tsql": ("(requests.model = ? OR requests.latency > ?)", {"p0": "gpt-4o", "p1": 100}),
        },
    ),
    (
        'properties["env"] in ("prod", "dev")',
        {
            "clickhouse": (
                "requests.properties[{p2: String}] IN ({p0: String}, {p1: String})",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "duckdb": (
                "COALESCE(requests.properties[$p2], '') IN ($p0, $p1)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "postgres": (
                "COALESCE(JSONB_EXTRACT_PATH_TEXT(requests.properties, %(p2)s), '') IN (%(p0)s, %(p1)s)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "sqlite": (
                "COALESCE((SELECT value FROM JSON_EACH(requests.properties) WHERE key = :p2), '') IN (:p0, :p1)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "mysql": (
                "COALESCE(JSON_UNQUOTE(JSON_EXTRACT(requests.properties, CONCAT('$.', JSON_QUOTE(%(p2)s)))), '') IN (%(p0)s, %(p1)s)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "bigquery": (
                "COALESCE(JSON_VALUE(requests.properties[@p2], '$'), '') IN (@p0, @p1)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "snowflake": (
                "COALESCE(CAST(GET(requests.properties, %(p2)s) AS VARCHAR), '') IN (%(p0)s, %(p1)s)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "spark databricks": (
                "COALESCE(TRY_ELEMENT_AT(requests.properties, :p2), '') IN (:p0, :p1)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "trino": (
                "COALESCE(ELEMENT_AT(requests.properties, ?), '') IN (?, ?)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "redshift": (
                "COALESCE(JSON_EXTRACT_PATH_TEXT(requests.properties, %(p2)s), '') IN (%(p0)s, %(p1)s)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
            "tsql": (
                "COALESCE(JSON_VALUE(requests.properties, CONCAT('$.\"', STRING_ESCAPE(?, 'json'), '\"')), '') IN (?, ?)",
                {"p0": "prod", "p1": "dev", "p2": "env"},
            ),
        },
    ),
    (
        "cost > 0.5",
        {
            "clickhouse": (
                "CASE WHEN isNaN(requests.cost) THEN NULL ELSE requests.cost END > {p0: Float64}",
                {"p0": 0.5},
            ),
            "duckdb": ("CASE WHEN ISNAN(requests.cost) THEN NULL ELSE requests.cost END > $p0", {"p0": 0.5}),
            "postgres redshift": (
                "CASE WHEN requests.cost = CAST('NaN' AS DOUBLE PRECISION) THEN NULL ELSE requests.cost END > %(p0)s",
                {"p0": 0.5},
            ),
            "sqlite": ("requests.cost > :p0", {"p0": 0.5}),
            "mysql": ("requests.cost > %(p0)s", {"p0": 0.5}),
            "bigquery": ("CASE WHEN IS_NAN(requests.cost) THEN NULL ELSE requests.cost END > @p0", {"p0": 0.5}),
            "snowflake": (
                "CASE WHEN requests.cost = CAST('NaN' AS DOUBLE) THEN NULL ELSE requests.cost END > %(p0)s",
                {"p0": 0.5},
            ),
            "spark databricks": ("CASE WHEN ISNAN(requests.cost) THEN NULL ELSE requests.cost END > :p0", {"p0": 0.5}),
            "trino": ("CASE WHEN IS_NAN(requests.cost) THEN NULL ELSE requests.cost END > ?", {"p0": 0.5}),
            "tsql": ("requests.cost > ?", {"p0": 0.5}),
        },
    ),
]


def expectations(write: dict[str, str]) -> dict[str, str]:
    out = {d: sql for key, sql in write.items() for d in key.split()}
    missing = [d for d in DIALECTS if d not in out]
    assert not missing, f"no expectation for {missing}"
    return out


@pytest.mark.parametrize(("text", "write"), EXPECT, ids=[t for t, _ in EXPECT])
def test_sql_table(text: str, write: dict[str, str]) -> None:
    node = node_of(text)
    for dialect, want in expectations(write).items():
        assert where_sql(node, dialect=dialect, inline=True).sql == want, dialect


@pytest.mark.parametrize(("text", "write"), PARAMS, ids=[t for t, _ in PARAMS])
def test_sql_params_table(text: str, write: dict[str, tuple[str, dict[str, object]]]) -> None:
    node = node_of(text)
    for dialect, (want, params) in expectations(write).items():  # type: ignore[arg-type]
        q = where_sql(node, dialect=dialect)
        assert (q.sql, q.params) == (want, params), dialect


def test_list_dialects() -> None:
    assert set(DIALECTS) <= set(list_dialects())


@pytest.mark.parametrize("dialect", DIALECTS)
def test_reparses_in_dialect(dialect: str) -> None:
    for node in [node_of(t) for t, _ in EXPECT]:
        for q in (
            SqlQuery("SELECT 1 FROM requests WHERE " + where_sql(node, dialect=dialect, inline=True).sql),
            SqlQuery("SELECT 1 FROM requests WHERE " + where_sql(node, dialect=dialect).sql),
            to_sql(node, dialect=dialect, inline=True),
            to_sql(node, dialect=dialect),
        ):
            sql = q.sql
            if "%(" in sql:  # pyformat placeholders are driver syntax, not SQL: check the shape
                sql = re.sub(r"%\((\w+)\)s", r":\1", sql).replace("%%", "%")
            parsed = sqlglot.parse_one(sql, read=dialect)
            assert isinstance(parsed, exp.Select)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_placeholder_style_and_order(dialect: str) -> None:
    node = balanced("or", [L("model", "equals", f"m{i}") for i in range(12)])
    q = where_sql(node, dialect=dialect)
    assert list(q.params.values()) == [f"m{i}" for i in range(12)]
    styles = {
        "clickhouse": r"\{p0: String\}",
        "duckdb": r"\$p0\b",
        "postgres": r"%\(p0\)s",
        "redshift": r"%\(p0\)s",
        "mysql": r"%\(p0\)s",
        "snowflake": r"%\(p0\)s",
        "sqlite": r":p0\b",
        "spark": r":p0\b",
        "databricks": r":p0\b",
        "bigquery": r"@p0\b",
        "trino": r"\?",
        "tsql": r"\?",
    }
    assert re.search(styles[dialect], q.sql)
    assert where_sql(node, dialect=dialect, inline=True).params == {}


def test_qmark_repeated_template_value_gets_its_own_position() -> None:
    # tsql/trino templates use the key once, but a custom profile may repeat a value
    q = where_sql(L("scores", "equals", "1", "k"), dialect="clickhouse")
    assert q.sql.count("{p0: String}") == 2 and list(q.params) == ["p0", "p1"]


def test_params_prefix() -> None:
    q = where_sql(L("model", "equals", "x"), dialect="duckdb", params_prefix="f_")
    assert q.params == {"f_0": "x"} and "$f_0" in q.sql
    with pytest.raises(FilterTypeError):
        where_sql(L("model", "equals", "x"), params_prefix="1; DROP")


def test_sqlquery_is_frozen_dataclass() -> None:
    q = where_sql(L("model", "equals", "x"))
    assert isinstance(q, SqlQuery) and filterlang.SqlQuery is SqlQuery
    with pytest.raises(AttributeError):
        q.sql = "x"  # type: ignore[misc]


def test_to_sqlglot_embeds() -> None:
    cond = to_sqlglot(branch(L("model", "equals", "x"), "or", L("latency", "gt", 3)))
    sel = exp.select("request_id").from_("requests").where(cond)
    sql = sel.sql("duckdb")
    assert sql == "SELECT request_id FROM requests WHERE requests.model = $p0 OR requests.latency > $p1"
    assert cond.meta["params"] == {"p0": "x", "p1": 3}
    inline = to_sqlglot(L("model", "equals", "it's"), inline=True)
    assert exp.select("*").from_("requests").where(inline).sql("postgres").endswith("= 'it''s'")


def test_unknown_dialect_and_profile() -> None:
    with pytest.raises(FilterTypeError, match="did you mean `duckdb`"):
        where_sql("all", dialect="duckdbb")
    with pytest.raises(FilterTypeError, match="unknown SQL profile"):
        where_sql("all", profile="helicon")


def test_unmapped_field_names_field_and_profile() -> None:
    with pytest.raises(FilterTypeError, match=r"'scores_column'.*'helicone'"):
        where_sql(L("scores_column", "equals", "x"), dialect="clickhouse", profile="helicone")
    prof = profile_from_dict({"name": "mine", "table": "t", "fields": {"model": "llm_model"}})
    with pytest.raises(FilterTypeError, match=r"'latency'.*'mine'"):
        where_sql(L("latency", "gt", 1), profile=prof)


def test_custom_profile_dict_and_toml(tmp_path: Path) -> None:
    spec = {
        "name": "mine",
        "table": "analytics.llm",
        "default_columns": True,
        "fields": {"model": "lower(llm_model)", "cost": {"sql": "cost_micros", "scale": 1_000_000, "integer": True}},
    }
    q = where_sql(branch(L("model", "equals", "x"), "and", L("cost", "gt", 2.5)), dialect="postgres", profile=spec)
    assert q.sql == "LOWER(llm.llm_model) = %(p0)s AND llm.cost_micros > %(p1)s"
    assert q.params == {"p0": "x", "p1": 2_500_000}
    toml = tmp_path / "mine.toml"
    toml.write_text('table = "events"\n[fields]\nmodel = "m"\ncost = { sql = "c", scale = 100 }\n', encoding="utf-8")
    prof = load_profile(toml)
    assert prof.name == "mine"
    q2 = where_sql(L("cost", "lt", 1.5), dialect="duckdb", profile=str(toml))
    assert q2.sql == "CASE WHEN ISNAN(events.c) THEN NULL ELSE events.c END < $p0" and q2.params == {"p0": 150.0}
    with pytest.raises(FilterTypeError, match="did you mean `fields`"):
        profile_from_dict({"table": "t", "feilds": {}})
    with pytest.raises(FilterTypeError, match="unknown request field"):
        profile_from_dict({"table": "t", "fields": {"modle": "x"}})


def test_helicone_cost_scaling_is_exact_int64() -> None:
    prof = "helicone"
    cases = {
        ("gt", 2.15): ("> ", 2_150_000_000),
        ("gte", 2.147483648): (">= ", 2_147_483_648),
        ("lt", 0.1): ("< ", 100_000_000),
        ("lte", 1e-10): ("<= ", 0),
        ("gte", 1e-10): (">= ", 1),
        ("equals", 3): ("= ", 3_000_000_000),
    }
    for (op, v), (sym, want) in cases.items():
        q = where_sql(L("cost", op, v), dialect="clickhouse", profile=prof)
        assert q.params == {"p0": want}, (op, v, q)
        assert f"cost {sym}{{p0: Int64}}" in q.sql
    assert where_sql(L("cost", "equals", 1e-10), dialect="clickhouse", profile=prof).sql == "FALSE"


def test_tenant_guard_wraps_or_filters() -> None:
    node = branch(L("model", "equals", "x"), "or", L("organization_id", "equals", "org2"))
    q = where_sql(node, dialect="clickhouse", profile=helicone_profile("org1"))
    assert q.sql.startswith("request_response_rmt.organization_id = {p0: String} AND (")
    assert q.params["p0"] == "org1"
    full = to_sql(L("user_cost", "gt", 1), dialect="clickhouse", profile=helicone_profile("org1"))
    # the per-user subquery is restricted to the tenant too
    assert full.sql.count("organization_id = {") == 2


def test_users_sql_standalone() -> None:
    q = users_sql(dialect="postgres")
    assert "GROUP BY requests.user_id" in q.sql and q.params == {}


def test_ten_thousand_term_chains_compile() -> None:
    for op in ("and", "or"):
        node = balanced(op, [L("latency", "gt", i) for i in range(10_000)])  # type: ignore[arg-type]
        q = where_sql(node, dialect="clickhouse" if op == "and" else "tsql")
        assert len(q.params) == 10_000
        assert where_sql(node, dialect="postgres", inline=True).sql.count(" > ") == 10_000


def test_left_deep_chain_compiles() -> None:
    node: Node = L("latency", "gt", 0)
    for i in range(1, 5000):
        node = branch(node, "or", L("latency", "gt", i))
    q = where_sql(node, dialect="duckdb")
    assert len(q.params) == 5000 and q.sql.startswith("(") and "(" not in q.sql[1:]


def test_deep_alternation_is_a_typed_limit_error() -> None:
    node: Node = L("latency", "gt", 0)
    for i in range(1, 300):
        node = branch(node, "and" if i % 2 else "or", L("latency", "gt", i))
    with pytest.raises(FilterLimitError) as info:
        where_sql(node)
    assert info.value.limit == "sql_nesting"
    ok: Node = L("latency", "gt", 0)
    for i in range(1, 90):
        ok = branch(ok, "and" if i % 2 else "or", L("latency", "gt", i))
    for dialect in DIALECTS:
        assert where_sql(ok, dialect=dialect).sql.count("(") >= 80


def test_scaled_bound_beyond_int64_uses_int128() -> None:
    q = where_sql(L("cost", "gt", 1e10), dialect="clickhouse", profile="helicone")
    assert q.sql == "request_response_rmt.cost > {p0: Int128}" and q.params == {"p0": 10**19}


@pytest.mark.parametrize("inline", [False, True])
def test_scaled_bound_beyond_64_bits_is_a_constant_test(inline: bool) -> None:
    def w(op: str, v: object) -> str:
        return where_sql(L("cost", op, v), dialect="clickhouse", profile="helicone", inline=inline).sql

    notnull = "NOT (request_response_rmt.cost IS NULL)"
    for big in (1e300, 1e12, 10**40):
        assert [w(op, big) for op in ("gt", "gte", "equals")] == ["FALSE"] * 3
        assert [w(op, big) for op in ("lt", "lte", "not-equals")] == [notnull] * 3
    for small in (-1e30, -1e300, -(10**40)):
        assert [w(op, small) for op in ("lt", "lte", "equals")] == ["FALSE"] * 3
        assert [w(op, small) for op in ("gt", "gte", "not-equals")] == [notnull] * 3
    # a float-scaled custom profile: the product overflows to inf, same constant tests
    prof = {"table": "t", "fields": {"cost": {"sql": "c", "scale": 1e9}}}
    assert where_sql(L("cost", "gt", 1e300), profile=prof, inline=inline).sql == "FALSE"
    assert where_sql(L("cost", "lt", -1e300), profile=prof, inline=inline).sql == "FALSE"
    nan_null = "CASE WHEN ISNAN(t.c) THEN NULL ELSE t.c END"  # a stored NaN reads as NULL
    assert where_sql(L("cost", "lt", 1e300), profile=prof, inline=inline).sql == f"NOT {nan_null} IS NULL"


def test_repeated_and_shared_subtrees() -> None:
    x = L("model", "equals", "a")
    assert where_sql(branch("all", "and", "all")).sql == "TRUE AND TRUE"
    q = where_sql(branch(branch(x, "and", L("latency", "gt", 1)), "or", branch(x, "and", "all")))
    assert q.sql == "((requests.model = $p0 AND requests.latency > $p1) OR (requests.model = $p2 AND TRUE))"


# ---------------------------------------------------------------- docs/sql.md stays true

DOC = Path(__file__).resolve().parent.parent / "docs" / "sql.md"
DOC_OPS = [
    ("text equals", Condition("model", "equals", "v")),
    ('text equals "null"', Condition("model", "equals", "null")),
    ("text not-equals", Condition("model", "not-equals", "v")),
    ("like", Condition("model", "like", "v%")),
    ("ilike", Condition("model", "ilike", "v%")),
    ("contains", Condition("model", "contains", "v")),
    ("not-contains", Condition("model", "not-contains", "v")),
    ("number gt", Condition("latency", "gt", 1)),
    ("timestamp gte", Condition("request_created_at", "gte", "2026-01-31T12:00:00Z")),
    ("timestamp equals", Condition("request_created_at", "equals", "2026-01-31T12:00:00Z")),
    ("boolean", Condition("cached", "equals", True)),
    ("properties[k] equals", Condition("properties", "equals", "v", "k")),
    ("scores[k] equals", Condition("scores", "equals", "1", "k")),
    ("property_key", Condition("property_key", "equals", "k")),
]


def doc_table(dialects: list[str]) -> str:
    lines = ["| operator | " + " | ".join(dialects) + " |", "|---|" + "---|" * len(dialects)]
    for name, c in DOC_OPS:
        cells = []
        for d in dialects:
            s = where_sql(make_leaf(c), dialect=d, inline=True).sql.replace("requests.", "")
            s = s.replace("'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'", "A-Z, a-z")
            # mysql's fold: 26 nested REPLACE(x, 'A', 'a') ... 'Z', 'z', one per ASCII letter
            chain = "REPLACE(" * 26 + "model" + "".join(f", '{u}', '{u.lower()}')" for u in string.ascii_uppercase)
            s = s.replace(chain, "REPLACE(model, A-Z, a-z)")
            cells.append("`" + s.replace("|", "\\|") + "`")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_docs_operator_tables_match_the_compiler() -> None:
    text = DOC.read_text(encoding="utf-8")
    for group in (DIALECTS[:4], DIALECTS[4:]):
        table = doc_table(group)
        assert table in text, table


def test_docs_headline_example() -> None:
    node = filterlang.parse('user_cost > 5 and model ~ "gpt%"')
    w = where_sql(node, dialect="clickhouse", profile="helicone")
    text = DOC.read_text(encoding="utf-8")
    assert f"w.sql     # '{w.sql}'" in text
    assert f"w.params  # {w.params!r}" in text


def test_to_sqlglot_clickhouse_placeholders_are_typed() -> None:
    cond = to_sqlglot(
        branch(L("model", "equals", "x"), "and", L("cost", "gt", 2.5)), dialect="clickhouse", profile="helicone"
    )
    sql = exp.select("count()").from_("request_response_rmt").where(cond).sql("clickhouse")
    assert "request_response_rmt.model = {p0: String}" in sql and "cost > {p1: Int64}" in sql
    assert cond.meta["params"] == {"p0": "x", "p1": 2_500_000_000}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_where_sql_is_safe_to_and_with_anything(dialect: str) -> None:
    node = branch(L("status", "equals", 200), "or", L("latency", "equals", 500))
    for inline in (False, True):
        w = where_sql(node, dialect=dialect, inline=inline).sql
        assert w.startswith("(") and w.endswith(")")
        sql = re.sub(r"%\((\w+)\)s", r":\1", w).replace("%%", "%")
        where = sqlglot.parse_one(f"SELECT 1 FROM requests WHERE {sql} AND x = 1", read=dialect).args["where"]
        assert isinstance(where.this, exp.And) and isinstance(where.this.this, exp.Paren)
    # an AND at the top needs no parentheses; the guarded form already has its own
    assert not where_sql(
        branch(L("status", "equals", 200), "and", L("model", "equals", "x")), dialect=dialect
    ).sql.startswith("(")


def test_where_sql_anded_on_duckdb_keeps_meaning() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE requests (status BIGINT, other BIGINT)")
    con.execute("INSERT INTO requests VALUES (200, 0), (500, 0), (404, 0)")
    w = where_sql(branch(L("status", "equals", 200), "or", L("status", "equals", 500)))
    got = con.execute(f"SELECT status FROM requests WHERE {w.sql} AND other = 1", w.params).fetchall()
    assert got == []


JSON_NODE = {"request_response_rmt": {"model": {"equals": "x"}}}


@pytest.mark.parametrize("entry", ["where_sql", "to_sql", "to_sqlglot"])
@pytest.mark.parametrize("bad", ["cost > 1", None, 5, "", ["all"]])
def test_non_nodes_are_refused_not_true(entry: str, bad: object) -> None:
    fn = {"where_sql": where_sql, "to_sql": to_sql, "to_sqlglot": to_sqlglot}[entry]
    with pytest.raises(FilterTypeError):
        fn(bad)  # type: ignore[operator]


def test_api_json_dict_is_read_as_a_node() -> None:
    assert where_sql(JSON_NODE, inline=True).sql == "requests.model = 'x'"  # type: ignore[arg-type]
    assert "WHERE requests.model = 'x'" in to_sql(JSON_NODE, inline=True).sql  # type: ignore[arg-type]
    assert to_sqlglot(JSON_NODE, inline=True).sql() == "requests.model = 'x'"  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_years_before_1000_are_zero_padded(dialect: str) -> None:
    node = L("request_created_at", "gt", "0999-01-01T00:00:00Z")
    q = where_sql(node, dialect=dialect)
    inline = where_sql(node, dialect=dialect, inline=True).sql
    if dialect == "mysql":  # DATETIME starts at year 1000: a constant test, not a cast MySQL turns into NULL
        assert q.sql == inline == "NOT requests.request_created_at IS NULL"
        return
    assert [str(v)[:23] for v in q.params.values()] == ["0999-01-01 00:00:00.001"]
    assert "'0999-01-01 00:00:00.001" in inline
    for v in ("0001-01-01T00:00:00Z", "0099-12-31T23:59:59.5Z"):
        text = where_sql(L("request_created_at", "gte", v), dialect=dialect, inline=True).sql
        assert f"'{v[:4]}-" in text


@pytest.mark.parametrize("dialect", DIALECTS)
def test_last_millisecond_of_9999_has_no_overflow(dialect: str) -> None:
    last = "9999-12-31T23:59:59.999Z"
    assert where_sql(L("request_created_at", "gt", last), dialect=dialect).sql in ("FALSE", "(1 = 0)")  # tsql
    lte = where_sql(L("request_created_at", "lte", last), dialect=dialect).sql
    assert lte.replace("(", "").replace(")", "") == "NOT requests.request_created_at IS NULL"
    assert (
        "9999-12-31 23:59:59.999"
        in where_sql(L("request_created_at", "equals", last), dialect=dialect, inline=True).sql
    )


BAD_PROFILES: list[tuple[dict[str, object], str]] = [
    ({"name": "p", "table": "t", "fields": {"model": "a +* ("}}, r"'p'.*'fields\.model'.*not a valid"),
    ({"name": "p", "table": "t", "fields": {"cost": {"sql": "c", "scale": "x"}}}, r"'p'.*'fields\.cost\.scale'"),
    ({"name": "p", "table": "t", "fields": {"cost": {"sql": "c", "scale": 0}}}, r"'p'.*'fields\.cost\.scale'"),
    ({"name": "p", "table": "t", "fields": {"cost": {"sql": "c", "scale": -5}}}, r"'p'.*'fields\.cost\.scale'"),
    ({"name": "p", "table": "t", "fields": {"cost": {"scale": float("nan")}}}, r"'p'.*'fields\.cost\.scale'"),
    ({"name": "p", "table": "t", "fields": {"cost": {"integer": "yes"}}}, r"'p'.*'fields\.cost\.integer'"),
    ({"name": "p", "table": "t", "tenant": "org1"}, r"'p'.*'tenant_column'"),
    ({"name": "p", "table": "t", "tenant_column": "org"}, r"'p'.*'tenant'"),
    ({"name": "p", "table": 5}, r"'p'.*'table'"),
    ({"name": "p", "table": "t", "fields": ["model"]}, r"'p'.*'fields'"),
    ({"name": "p", "table": "t", "unmapped": "assets"}, r"'p'.*'unmapped'"),
    ({"name": "p", "table": "t", "default_columns": "no"}, r"'p'.*'default_columns'"),
    ({"name": "p", "table": "t", "tenant_column": "o", "tenant": 5}, r"'p'.*'tenant'"),
]


@pytest.mark.parametrize(("spec", "match"), BAD_PROFILES)
def test_bad_profiles_are_typed_errors_naming_profile_and_key(spec: dict[str, object], match: str) -> None:
    node = branch(L("model", "equals", "x"), "and", L("cost", "gt", 1))
    with pytest.raises(FilterTypeError, match=match):
        to_sql(node, profile=spec)


def test_bad_toml_and_bad_profile_or_dialect_types(tmp_path: Path) -> None:
    from filterlang.errors import FilterError
    from filterlang.sql import Profile

    bad = tmp_path / "broken.toml"
    bad.write_text('table = "t"\n[fields\n', encoding="utf-8")
    node = L("model", "equals", "x")
    with pytest.raises(FilterTypeError, match=r"'broken'.*not valid TOML"):
        where_sql(node, profile=str(bad))
    with pytest.raises(FilterTypeError, match=r"'broken'.*not valid TOML"):
        load_profile(bad)
    for kwargs in ({"profile": 5}, {"dialect": 5}, {"profile": None}, {"dialect": None}):
        for fn in (where_sql, to_sql, to_sqlglot):
            if fn is to_sqlglot and kwargs == {"dialect": None}:
                continue  # to_sqlglot's documented default
            with pytest.raises(FilterError):
                fn(node, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(FilterTypeError, match="'tenant_column'"):
        Profile(name="direct", table="t", tenant="org1")
    with pytest.raises(FilterTypeError, match="'tenant'"):
        users_sql(profile=Profile(name="direct", table="t", tenant_column="org"))


def test_columns_str_is_one_column_and_empty_is_refused() -> None:
    node = L("model", "equals", "x")
    assert to_sql(node, columns="request_id").sql == to_sql(node, columns=["request_id"]).sql
    assert to_sql(node, columns=("request_id", "model")).sql.startswith("SELECT requests.request_id AS request_id, ")
    for bad in ([], "", [""], [5]):
        with pytest.raises(FilterTypeError, match="columns"):
            to_sql(node, columns=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_escape_clause_only_when_the_pattern_has_a_backslash(dialect: str) -> None:
    from filterlang.sql.dialects import dialect_spec

    for op, plain, escaped in (("like", "gpt%", "50\\%%"), ("ilike", "gpt%", "a\\_b%"), ("contains", "x", "50%")):
        for inline in (False, True):
            assert "ESCAPE" not in where_sql(L("model", op, plain), dialect=dialect, inline=inline).sql
            with_bs = where_sql(L("model", op, escaped), dialect=dialect, inline=inline).sql
            needs = dialect_spec(dialect).like_escape and not (dialect == "sqlite" and op == "like")  # GLOB
            assert ("ESCAPE" in with_bs) == needs, with_bs


NASTY = [
    "it's",
    "back\\slash",
    'q"uote',
    "`tick`",
    "a[1].parquet",
    "{x}*?",
    "tab\there",
    "é ☃",
    "\\'; DROP TABLE t; --",
]


def test_quote_helpers_round_trip_on_duckdb_sqlite_and_chdb() -> None:
    """quote_string / quote_identifier (for file paths and names) read back as the same text."""
    import sqlite3

    import chdb
    import duckdb

    from filterlang.sql import quote_identifier, quote_string

    lite = sqlite3.connect(":memory:")
    for v in NASTY:
        for dialect, run in (
            ("duckdb", lambda s: duckdb.sql(s).fetchall()[0]),
            ("sqlite", lambda s: lite.execute(s).fetchone()),
            ("clickhouse", lambda s: tuple(chdb.query(s, "ArrowTable").to_pylist()[0].values())),
        ):
            sql = f"SELECT {quote_string(v, dialect)} AS {quote_identifier(v, dialect)}"
            assert run(sql)[0] == v, (dialect, sql)


def test_statistics_come_from_our_table_never_from_sqlglot() -> None:
    """Issue 12: no engine quantile/percentile is emitted; histograms only from the dialect's own row."""
    from filterlang.metrics.sql import overview_sql
    from filterlang.sql.dialects import DIALECTS

    able = [d.name for d in DIALECTS.values() if d.overview is not None]
    assert able == ["clickhouse", "duckdb"]  # both executed by the overview engine tests
    body = {"filter": "all", "pSize": "p99", "useInterquartile": True}
    for dialect in able:
        for method in ("adaptive", "equal"):
            sql = overview_sql(body, dialect=dialect, method=method).sql.lower()
            assert not re.search(r"quantile|percentile|approx|median", sql), (dialect, sql)
            assert ("histogram" in sql) == (dialect == "clickhouse" and method == "adaptive")
    for other in set(DIALECTS) - set(able):
        with pytest.raises(ValueError, match="supports dialects clickhouse, duckdb"):
            overview_sql(body, dialect=other)
