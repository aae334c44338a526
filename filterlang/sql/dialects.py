"""Per-dialect facts as data: one row per warehouse, no if-chains in the compiler.

Each row says how the target engine spells what the semantics need and where sqlglot's
own output is not enough (see docs/sql.md "Known dialect gaps"). Templates are SQL text
in the target dialect, parsed once by sqlglot; ``__v__`` is the operand, ``__c__`` a
map column and ``__k__`` a map key (both replaced by expressions, never by text).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from ..errors import FilterTypeError, closest


class ParamStyle(StrEnum):
    """How a bound value appears in the SQL text (the dialect's usual Python driver)."""

    CLICKHOUSE = "clickhouse"  # {p0:String}   clickhouse-connect, chDB
    DOLLAR = "dollar"  # $p0            duckdb
    PYFORMAT = "pyformat"  # %(p0)s         psycopg, PyMySQL/mysqlclient, snowflake-connector
    NAMED = "named"  # :p0            sqlite3, databricks-sql-connector / spark.sql(args=)
    AT = "at"  # @p0            google-cloud-bigquery
    QMARK = "qmark"  # ?              trino, pyodbc (positional: params keep dict order)


@dataclass(frozen=True, slots=True)
class DialectSpec:
    """Everything dialect-specific the compiler needs.

    like_escape: emit ``ESCAPE '\\'`` (engines without a default LIKE escape character).
    like_specials: characters besides ``%``/``_``/``\\`` that LIKE treats specially (tsql ``[``).
    case_like: "like" or "glob": SQLite's LIKE ignores ASCII case, so ``like`` becomes GLOB.
    fold: "translate" (ASCII-only via TRANSLATE), "lower" (engine lower() is ASCII-only) or
        "replace" (no TRANSLATE and a Unicode lower(): one REPLACE per ASCII letter).
    bool_style: "bare" (``col`` / ``NOT col``) or "int" (``col = 1``; tsql has no boolean expressions).
    ts_value: how bound timestamps are written: "naive" ``2026-01-31 12:00:00.123`` (UTC)
        or "offset" ``2026-01-31 12:00:00.123+00:00``.
    ts: template turning the bound string into a comparable timestamp ("__v__" = as is).
    double: type name for double casts (averages), clickhouse_types: typed placeholders.
    """

    name: str
    style: ParamStyle
    like_escape: bool
    case_like: str
    fold: str
    bool_style: str
    ts_value: str
    ts: str
    day: str  # UTC calendar day of a timestamp column (users_view.user_active_for)
    map_get: str  # properties[k], '' when missing
    map_has: str  # the map has key k
    score_get: str  # scores[k] as text, NULL when missing
    double: str = "DOUBLE"
    # users_view.user_cost, summed exactly in integer nano-USD (semantics.md §3, the
    # overview's definition): a USD double as its nanos floor(x * 1e9 + 0.5) in double
    # arithmetic, an integer cost column widened so the SUM cannot wrap, and the exact
    # integer SUM (NULL: no cost) as one double division float(sum) / 1e9.
    nanos: str = "CAST(FLOOR(__v__ * 1e9 + 0.5) AS BIGINT)"
    nanos_int: str = "CAST(__v__ AS BIGINT)"
    nanos_usd: str = "CAST(__v__ AS DOUBLE) / 1e9"
    like_specials: str = ""
    # instants a timestamp column can hold (None: years 0001-9999 all fit); bounds
    # outside become constant tests instead of casts the engine would reject or NULL
    ts_range: tuple[datetime, datetime] | None = None
    executed: bool = False  # run for real in the test suite
    notes: str = ""


_TABLE: tuple[DialectSpec, ...] = (
    DialectSpec(
        "clickhouse",
        ParamStyle.CLICKHOUSE,
        like_escape=False,  # backslash is ClickHouse's LIKE escape; older servers reject ESCAPE
        case_like="like",
        fold="lower",  # ClickHouse lower() folds ASCII only (lowerUTF8 would fold more)
        bool_style="bare",
        ts_value="naive",
        ts="toDateTime64(__v__, 3, 'UTC')",  # a plain CAST gives DateTime and drops milliseconds
        day="toDate(__v__)",
        map_get="__c__[__k__]",  # Map semantics: '' on a missing key
        map_has="has(__c__, __k__)",
        score_get="if(has(__c__, __k__), toString(__c__[__k__]), NULL)",
        double="Nullable(Float64)",  # a CAST of NULL to plain Float64 is an error
        # 1e9 and 0.5 are Float64 literals: the same IEEE double operations as Python.
        nanos="toInt128(floor(__v__ * 1e9 + 0.5))",
        nanos_int="toInt128(__v__)",
        # chDB: Int128 -> Float64 loses the sticky bit above 2^64 (2^70 + 2^17 + 1 rounds
        # down), Int64 -> Float64 is correctly rounded; every real sum takes the Int64 path.
        nanos_usd=(
            "if(isNull(__v__), NULL, if(abs(ifNull(__v__, 0)) < toInt128('9223372036854775807'), "
            "toFloat64(toInt64(ifNull(__v__, 0))), toFloat64(ifNull(__v__, 0))) / 1e9)"
        ),
        executed=True,
    ),
    DialectSpec(
        "duckdb",
        ParamStyle.DOLLAR,
        like_escape=True,
        case_like="like",
        fold="translate",
        bool_style="bare",
        ts_value="naive",
        ts="CAST(__v__ AS TIMESTAMP)",
        day="CAST(__v__ AS DATE)",
        map_get="COALESCE(__c__[__k__], '')",  # DuckDB gives NULL on a missing key
        map_has="map_contains(__c__, __k__)",
        score_get="CAST(__c__[__k__] AS VARCHAR)",
        # DuckDB types 0.5 as DECIMAL(2,1): cast both literals so the arithmetic is plain double
        nanos="CAST(floor(__v__ * CAST(1e9 AS DOUBLE) + CAST(0.5 AS DOUBLE)) AS HUGEINT)",
        nanos_int="CAST(__v__ AS HUGEINT)",
        nanos_usd="CAST(__v__ AS DOUBLE) / CAST(1e9 AS DOUBLE)",
        executed=True,
    ),
    DialectSpec(
        "postgres",
        ParamStyle.PYFORMAT,
        like_escape=True,
        case_like="like",
        fold="translate",
        bool_style="bare",
        ts_value="offset",
        ts="CAST(__v__ AS TIMESTAMPTZ)",
        day="CAST(__v__ AT TIME ZONE 'UTC' AS DATE)",
        map_get="COALESCE(jsonb_extract_path_text(__c__, __k__), '')",
        map_has="jsonb_exists(__c__, __k__)",
        score_get="jsonb_extract_path_text(__c__, __k__)",
        double="DOUBLE PRECISION",
        # float8 -> numeric keeps only 15 digits, float8 -> bigint is exact; SUM(bigint) is
        # NUMERIC (exact), NUMERIC -> float8 is correctly rounded
        nanos=("CAST(floor(__v__ * CAST(1e9 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT)"),
        nanos_usd="CAST(__v__ AS DOUBLE PRECISION) / CAST(1e9 AS DOUBLE PRECISION)",
        executed=True,
    ),
    DialectSpec(
        "sqlite",
        ParamStyle.NAMED,
        like_escape=True,
        case_like="glob",
        fold="lower",  # SQLite lower() folds ASCII only (without the ICU extension)
        bool_style="bare",
        ts_value="naive",
        ts="__v__",  # TEXT 'YYYY-MM-DD HH:MM:SS.fff' compares correctly as text
        day="SUBSTR(__v__, 1, 10)",
        map_get="COALESCE((SELECT value FROM json_each(__c__) WHERE key = __k__), '')",
        map_has="EXISTS(SELECT 1 FROM json_each(__c__) WHERE key = __k__)",
        score_get="CAST((SELECT value FROM json_each(__c__) WHERE key = __k__) AS TEXT)",
        double="REAL",
        # REAL -> INTEGER is exact for whole numbers; SUM of integers is exact (an error on
        # overflow, never a wrap)
        nanos="CAST(floor(__v__ * 1e9 + 0.5) AS INTEGER)",
        nanos_int="CAST(__v__ AS INTEGER)",
        nanos_usd="CAST(__v__ AS REAL) / 1e9",
        executed=True,
    ),
    DialectSpec(
        "mysql",
        ParamStyle.PYFORMAT,
        like_escape=False,  # backslash is MySQL's default LIKE escape
        case_like="like",
        fold="replace",  # no TRANSLATE, and LOWER folds É too: 26 case-sensitive REPLACEs (MariaDB-tested)
        bool_style="bare",
        ts_value="naive",
        ts="CAST(__v__ AS DATETIME(3))",
        ts_range=(datetime(1000, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        day="DATE(__v__)",
        map_get="COALESCE(JSON_UNQUOTE(JSON_EXTRACT(__c__, CONCAT('$.', JSON_QUOTE(__k__)))), '')",
        map_has="JSON_CONTAINS_PATH(__c__, 'one', CONCAT('$.', JSON_QUOTE(__k__)))",
        score_get="JSON_UNQUOTE(JSON_EXTRACT(__c__, CONCAT('$.', JSON_QUOTE(__k__))))",
        executed=True,  # on MariaDB 10.11 (tests/test_mysql.py), text columns utf8mb4_nopad_bin
        notes="default collations compare case- and trailing-space-insensitively: use utf8mb4_nopad_bin (MariaDB) / utf8mb4_0900_bin (MySQL 8)",
    ),
    DialectSpec(
        "bigquery",
        ParamStyle.AT,
        like_escape=False,  # BigQuery LIKE has no ESCAPE clause; backslash is the escape
        case_like="like",
        fold="translate",
        bool_style="bare",
        ts_value="offset",
        ts="CAST(__v__ AS TIMESTAMP)",
        day="DATE(__v__)",
        map_get="COALESCE(JSON_VALUE(__c__[__k__]), '')",
        map_has="__c__[__k__] IS NOT NULL",
        score_get="CAST(JSON_VALUE(__c__[__k__]) AS STRING)",
        double="FLOAT64",
        nanos="CAST(FLOOR(__v__ * 1e9 + 0.5) AS INT64)",
        nanos_int="CAST(__v__ AS INT64)",
        nanos_usd="CAST(__v__ AS FLOAT64) / 1e9",
    ),
    DialectSpec(
        "snowflake",
        ParamStyle.PYFORMAT,
        like_escape=True,
        case_like="like",
        fold="translate",
        bool_style="bare",
        ts_value="naive",
        ts="CAST(__v__ AS TIMESTAMP_NTZ)",
        day="CAST(__v__ AS DATE)",
        map_get="COALESCE(CAST(GET(__c__, __k__) AS VARCHAR), '')",
        map_has="NOT GET(__c__, __k__) IS NULL",
        score_get="CAST(GET(__c__, __k__) AS VARCHAR)",
    ),
    DialectSpec(
        "spark",
        ParamStyle.NAMED,
        like_escape=False,  # backslash is Spark's default LIKE escape
        case_like="like",
        fold="translate",
        bool_style="bare",
        ts_value="offset",
        ts="CAST(__v__ AS TIMESTAMP)",
        day="TO_DATE(__v__)",
        map_get="COALESCE(try_element_at(__c__, __k__), '')",  # [] raises on a missing key under ANSI
        map_has="map_contains_key(__c__, __k__)",
        score_get="CAST(try_element_at(__c__, __k__) AS STRING)",
    ),
    DialectSpec(
        "trino",
        ParamStyle.QMARK,
        like_escape=True,
        case_like="like",
        fold="translate",
        bool_style="bare",
        ts_value="naive",
        ts="CAST(__v__ AS TIMESTAMP(3))",
        day="CAST(__v__ AS DATE)",
        map_get="COALESCE(element_at(__c__, __k__), '')",
        map_has="contains(map_keys(__c__), __k__)",
        score_get="CAST(element_at(__c__, __k__) AS VARCHAR)",
    ),
    DialectSpec(
        "redshift",
        ParamStyle.PYFORMAT,
        like_escape=True,
        case_like="like",
        fold="translate",
        bool_style="bare",
        ts_value="offset",
        ts="CAST(__v__ AS TIMESTAMPTZ)",
        day="CAST(__v__ AS DATE)",
        map_get="COALESCE(JSON_EXTRACT_PATH_TEXT(__c__, __k__), '')",
        map_has="NOT JSON_EXTRACT_PATH_TEXT(__c__, __k__) IS NULL",
        score_get="JSON_EXTRACT_PATH_TEXT(__c__, __k__)",
        double="DOUBLE PRECISION",
        nanos_usd="CAST(__v__ AS DOUBLE PRECISION) / 1e9",
    ),
    DialectSpec(
        "tsql",
        ParamStyle.QMARK,
        like_escape=True,  # no default escape character
        case_like="like",
        fold="translate",  # TRANSLATE needs SQL Server 2017+
        bool_style="int",
        ts_value="naive",
        ts="CAST(__v__ AS DATETIME2(3))",
        day="CAST(__v__ AS DATE)",
        map_get="COALESCE(JSON_VALUE(__c__, CONCAT('$.\"', STRING_ESCAPE(__k__, 'json'), '\"')), '')",
        map_has="JSON_PATH_EXISTS(__c__, CONCAT('$.\"', STRING_ESCAPE(__k__, 'json'), '\"')) = 1",
        score_get="JSON_VALUE(__c__, CONCAT('$.\"', STRING_ESCAPE(__k__, 'json'), '\"'))",
        double="FLOAT",
        nanos_usd="CAST(__v__ AS FLOAT) / 1e9",
        like_specials="[",  # [abc] is a character class in T-SQL LIKE
        notes="no ILIKE (LOWER/TRANSLATE both sides); default collations are case-insensitive",
    ),
)


def _with_aliases(table: tuple[DialectSpec, ...]) -> Iterator[DialectSpec]:
    for d in table:
        yield d
        if d.name == "spark":  # Databricks SQL is Spark SQL for everything the compiler emits
            yield replace(d, name="databricks")


DIALECTS: dict[str, DialectSpec] = {d.name: d for d in _with_aliases(_TABLE)}
ALIASES: dict[str, str] = {"postgresql": "postgres", "sqlserver": "tsql", "mssql": "tsql", "presto": "trino"}


def dialect_spec(name: str) -> DialectSpec:
    if not isinstance(name, str):
        raise FilterTypeError(f"SQL dialect must be a name ({', '.join(DIALECTS)}), not {type(name).__name__}")
    key = ALIASES.get(name.lower(), name.lower())
    spec = DIALECTS.get(key)
    if spec is None:
        raise FilterTypeError(
            f"unknown SQL dialect {name!r}; known: {', '.join(DIALECTS)}",
            suggestion=closest(name, DIALECTS),
        )
    return spec


def list_dialects() -> list[str]:
    """Dialect names accepted by ``dialect=`` (sqlglot names)."""
    return list(DIALECTS)
