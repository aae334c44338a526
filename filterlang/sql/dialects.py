"""Per-dialect facts as data: one row per warehouse, no if-chains in the compiler.

A row states only what differs from the defaults of :class:`DialectSpec` (the ANSI-ish
spelling DuckDB, Trino and Snowflake share). Templates are SQL text in the row's own
dialect, parsed once by sqlglot and printed back in the same dialect (never transpiled
from another one); ``__v__`` is an operand, ``__c__`` a map column, ``__k__`` a map key,
``__a__`` an array, ``__m__`` a message, ``__b__`` a bin count. They are replaced by
expressions, never by text.

Statistics (the overview's sorted arrays, cut and histogram) come only from the
:class:`OverviewSpec` of a row, executed by the overview tests on that engine: sqlglot
is never asked to translate a quantile or histogram function between dialects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from ..errors import FilterTypeError, closest


class ParamStyle(StrEnum):
    """How a bound value appears in the SQL text (the dialect's usual Python driver)."""

    CLICKHOUSE = "clickhouse"  # {p0: String}  clickhouse-connect, chDB
    DOLLAR = "dollar"  # $p0            duckdb
    PYFORMAT = "pyformat"  # %(p0)s         psycopg, PyMySQL/mysqlclient, snowflake-connector
    NAMED = "named"  # :p0            sqlite3, databricks-sql-connector / spark.sql(args=)
    AT = "at"  # @p0            google-cloud-bigquery
    QMARK = "qmark"  # ?              trino, pyodbc (positional: params keep placeholder order)


@dataclass(frozen=True, slots=True)
class OverviewSpec:
    """How an engine spells the overview's array steps (metrics/sql.py); all executed in tests."""

    count: str  # a group's row count as a double
    sorted_array: str  # ascending array of __v__ over the group
    length: str  # length of __a__ as a signed integer
    at: str  # 1-based element __v__ of __a__
    floor_int: str  # floor of a double as a signed integer
    keep: str  # the elements x of __a__ for which __v__ (which refers to x) holds
    least: str = "least(__a__, __v__)"
    # upstream's histogram (__b__ = 'histogram(B)') and equal-width bins (__b__ = B) of an
    # ascending __a__; None: the client buckets the cut arrays (metrics.histogram.bucket)
    adaptive: str | None = None
    equal: str | None = None


@dataclass(frozen=True, slots=True)
class DialectSpec:
    """Everything dialect-specific the compiler needs; defaults are the common spelling.

    like_escape: emit ``ESCAPE '\\'`` (engines without a default LIKE escape character).
    like_specials: characters besides ``%``/``_``/``\\`` that LIKE treats specially (tsql ``[``).
    glob_like: SQLite's LIKE ignores ASCII case, so case-sensitive ``like`` becomes GLOB.
    fold_lower: the engine's lower() folds ASCII only (else TRANSLATE A-Z to a-z).
    fold_replace: no TRANSLATE and a lower() that folds beyond ASCII: one REPLACE per letter.
    bool_int: booleans are compared as ``= 1`` / ``= 0`` (tsql has no boolean expressions).
    ts_offset: bound timestamps carry ``+00:00`` (else naive UTC text).
    ts: the bound timestamp text as a comparable timestamp.
    """

    name: str
    style: ParamStyle
    like_escape: bool = True
    like_specials: str = ""
    glob_like: bool = False
    fold_lower: bool = False
    fold_replace: bool = False
    bool_int: bool = False
    ts_offset: bool = False
    ts: str = "CAST(__v__ AS TIMESTAMP)"
    # instants a timestamp column can hold (None: years 0001-9999 all fit); bounds
    # outside become constant tests instead of casts the engine would reject or NULL
    ts_range: tuple[datetime, datetime] | None = None
    day: str = "CAST(__v__ AS DATE)"  # UTC calendar day (users_view.user_active_for)
    map_get: str = "COALESCE(element_at(__c__, __k__), '')"  # properties[k], '' when missing
    map_has: str = "contains(map_keys(__c__), __k__)"
    score_get: str = "CAST(element_at(__c__, __k__) AS VARCHAR)"  # scores[k] as text, NULL when missing
    score_int: str | None = None  # scores[k] as an integer (None: CAST(score_get AS BIGINT))
    double: str = "DOUBLE"
    bigint: str = "BIGINT"
    isnan: str | None = None  # the double __v__ is NaN (None: the engine stores no NaN)
    sum_int: str = "SUM(__v__)"  # an exact integer sum (128 bits, NUMERIC, or an error on overflow)
    # users_view.user_cost and the overview: a USD double as integer nano-USD
    # floor(x * 1e9 + 0.5) in double arithmetic (semantics.md §4), an integer cost column
    # widened so the SUM cannot wrap, and the exact integer sum as one division by 1e9
    nanos: str = "CAST(FLOOR(__v__ * 1e9 + 0.5) AS BIGINT)"
    nanos_int: str = "CAST(__v__ AS BIGINT)"
    nanos_usd: str = "CAST(__v__ AS DOUBLE) / 1e9"
    # 0, or an error naming the cost when __v__ holds (None: the engine cannot raise)
    fail: str | None = None
    # typed placeholders ({p0: String}): the type of a bound value by its Python type name
    param_types: Mapping[str, str] | None = None
    # a setting that makes unmatched LEFT JOIN columns NULL (ClickHouse fills in 0 and '')
    join_nulls: str | None = None
    overview: OverviewSpec | None = None  # the overview statement runs on this engine
    executed: bool = False  # run for real in the test suite
    notes: str = ""


_TABLE: tuple[DialectSpec, ...] = (
    DialectSpec(
        "clickhouse",
        ParamStyle.CLICKHOUSE,
        like_escape=False,  # backslash is ClickHouse's LIKE escape; older servers reject ESCAPE
        fold_lower=True,  # ClickHouse lower() folds ASCII only (lowerUTF8 would fold more)
        ts="toDateTime64(__v__, 3, 'UTC')",  # a plain CAST gives DateTime and drops milliseconds
        day="toDate(__v__)",
        map_get="__c__[__k__]",  # Map semantics: '' on a missing key
        map_has="has(__c__, __k__)",
        score_get="if(has(__c__, __k__), toString(__c__[__k__]), NULL)",
        score_int="if(has(__c__, __k__), __c__[__k__], NULL)",
        double="Nullable(Float64)",  # a CAST of NULL to plain Float64 is an error
        isnan="isNaN(__v__)",
        sum_int="sum(toInt128(__v__))",  # sum(Int64) wraps
        # 1e9 and 0.5 are Float64 literals: the same IEEE double operations as Python.
        nanos="toInt128(floor(__v__ * 1e9 + 0.5))",
        nanos_int="toInt128(__v__)",
        # chDB: Int128 -> Float64 loses the sticky bit above 2^64 (2^70 + 2^17 + 1 rounds
        # down), Int64 -> Float64 is correctly rounded; every real sum takes the Int64 path.
        nanos_usd=(
            "if(isNull(__v__), NULL, if(abs(ifNull(__v__, 0)) < toInt128('9223372036854775807'), "
            "toFloat64(toInt64(ifNull(__v__, 0))), toFloat64(ifNull(__v__, 0))) / 1e9)"
        ),
        fail="throwIf(__v__, __m__)",
        join_nulls="join_use_nulls",
        param_types={"str": "String", "int": "Int64", "int128": "Int128", "float": "Float64", "bool": "Bool"},
        overview=OverviewSpec(
            count="toFloat64(count())",
            sorted_array="arraySort(groupArray(__v__))",
            length="toInt64(length(__a__))",
            at="__a__[__v__]",
            floor_int="toInt64(floor(__v__))",
            keep="arrayFilter(x -> __v__, __a__)",
            # fed in ascending order because the array is sorted: an ORDER BY in a subquery
            # would be dropped (semantics.md §6)
            adaptive="arrayReduce(__b__, __a__)",
            # bin of v: least(B-1, floor((v - min)/w)); edges min + i*w, the last upper edge
            # max; all values equal: one bin (min, max, n); none: [] (semantics.md §4)
            equal=(
                "if(empty(__a__), CAST([], 'Array(Tuple(Float64, Float64, Float64))'), "
                "if(__a__[1] = __a__[-1], [(__a__[1], __a__[-1], toFloat64(length(__a__)))], "
                "arrayMap((i, c) -> (__a__[1] + i * ((__a__[-1] - __a__[1]) / __b__), "
                "if(i = __b__ - 1, __a__[-1], __a__[1] + (i + 1) * ((__a__[-1] - __a__[1]) / __b__)), "
                "toFloat64(c)), range(__b__), arrayMap(i -> countEqual(arrayMap(v -> least(__b__ - 1, "
                "toInt64(floor((v - __a__[1]) / ((__a__[-1] - __a__[1]) / __b__)))), __a__), i), range(__b__)))))"
            ),
        ),
        executed=True,
    ),
    DialectSpec(
        "duckdb",
        ParamStyle.DOLLAR,
        map_get="COALESCE(__c__[__k__], '')",  # DuckDB gives NULL on a missing key
        map_has="map_contains(__c__, __k__)",
        score_get="CAST(__c__[__k__] AS VARCHAR)",
        score_int="__c__[__k__]",
        isnan="isnan(__v__)",
        # DuckDB types 0.5 as DECIMAL(2,1): cast both literals so the arithmetic is plain double
        nanos="CAST(floor(__v__ * CAST(1e9 AS DOUBLE) + CAST(0.5 AS DOUBLE)) AS HUGEINT)",
        nanos_int="CAST(__v__ AS HUGEINT)",
        nanos_usd="CAST(__v__ AS DOUBLE) / CAST(1e9 AS DOUBLE)",
        fail="CASE WHEN __v__ THEN error(__m__) ELSE 0 END",
        overview=OverviewSpec(
            count="CAST(count(*) AS DOUBLE)",
            sorted_array="list(__v__ ORDER BY __v__)",
            length="CAST(len(__a__) AS BIGINT)",
            at="list_extract(__a__, __v__)",  # a[i] would be re-based by sqlglot
            floor_int="CAST(floor(__v__) AS BIGINT)",
            keep="list_filter(__a__, lambda x: __v__)",
        ),
        executed=True,
    ),
    DialectSpec(
        "postgres",
        ParamStyle.PYFORMAT,
        ts_offset=True,
        ts="CAST(__v__ AS TIMESTAMPTZ)",
        day="CAST(__v__ AT TIME ZONE 'UTC' AS DATE)",
        map_get="COALESCE(jsonb_extract_path_text(__c__, __k__), '')",
        map_has="jsonb_exists(__c__, __k__)",
        score_get="jsonb_extract_path_text(__c__, __k__)",
        double="DOUBLE PRECISION",
        isnan="__v__ = CAST('NaN' AS DOUBLE PRECISION)",  # NaN = NaN in PostgreSQL
        # float8 -> numeric keeps only 15 digits, float8 -> bigint is exact; SUM(bigint) is
        # NUMERIC (exact), NUMERIC -> float8 is correctly rounded
        nanos="CAST(floor(__v__ * CAST(1e9 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT)",
        nanos_usd="CAST(__v__ AS DOUBLE PRECISION) / CAST(1e9 AS DOUBLE PRECISION)",
        # no RAISE in plain SQL: a failing cast of a non-constant text (a constant one would
        # be folded, and fail, at plan time) carries the message
        fail="CASE WHEN __v__ THEN CAST(__m__ || CAST(random() AS TEXT) AS INTEGER) ELSE 0 END",
        executed=True,
    ),
    DialectSpec(
        "sqlite",
        ParamStyle.NAMED,
        glob_like=True,
        fold_lower=True,  # SQLite lower() folds ASCII only (without the ICU extension)
        ts="__v__",  # TEXT 'YYYY-MM-DD HH:MM:SS.fff' compares correctly as text
        day="SUBSTR(__v__, 1, 10)",
        map_get="COALESCE((SELECT value FROM json_each(__c__) WHERE key = __k__), '')",
        map_has="EXISTS(SELECT 1 FROM json_each(__c__) WHERE key = __k__)",
        score_get="CAST((SELECT value FROM json_each(__c__) WHERE key = __k__) AS TEXT)",
        score_int="(SELECT value FROM json_each(__c__) WHERE key = __k__)",
        double="REAL",
        # isnan: None, SQLite stores a NaN as NULL
        # REAL -> INTEGER is exact for whole numbers; SUM of integers is exact (an error on
        # overflow, never a wrap)
        nanos="CAST(floor(__v__ * 1e9 + 0.5) AS INTEGER)",
        nanos_int="CAST(__v__ AS INTEGER)",
        nanos_usd="CAST(__v__ AS REAL) / 1e9",
        # no RAISE outside triggers: abs(-2^63) is SQLite's own "integer overflow" error,
        # the one it gives for a sum beyond 64 bits too
        fail="CASE WHEN __v__ THEN abs(-9223372036854775807 - __v__) ELSE 0 END",
        executed=True,
    ),
    DialectSpec(
        "mysql",
        ParamStyle.PYFORMAT,
        like_escape=False,  # backslash is MySQL's default LIKE escape
        fold_replace=True,  # no TRANSLATE, and LOWER folds É too: 26 case-sensitive REPLACEs (MariaDB-tested)
        ts="CAST(__v__ AS DATETIME(3))",
        ts_range=(datetime(1000, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        day="DATE(__v__)",
        map_get="COALESCE(JSON_UNQUOTE(JSON_EXTRACT(__c__, CONCAT('$.', JSON_QUOTE(__k__)))), '')",
        map_has="JSON_CONTAINS_PATH(__c__, 'one', CONCAT('$.', JSON_QUOTE(__k__)))",
        score_get="JSON_UNQUOTE(JSON_EXTRACT(__c__, CONCAT('$.', JSON_QUOTE(__k__))))",
        # isnan: None, MySQL doubles cannot hold NaN
        executed=True,  # on MariaDB 10.11 (tests/test_mysql.py), text columns utf8mb4_nopad_bin
        notes=(
            "default collations compare case- and trailing-space-insensitively: "
            "use utf8mb4_nopad_bin (MariaDB) / utf8mb4_0900_bin (MySQL 8)"
        ),
    ),
    DialectSpec(
        "bigquery",
        ParamStyle.AT,
        like_escape=False,  # BigQuery LIKE has no ESCAPE clause; backslash is the escape
        ts_offset=True,
        day="DATE(__v__)",
        map_get="COALESCE(JSON_VALUE(__c__[__k__]), '')",
        map_has="__c__[__k__] IS NOT NULL",
        score_get="CAST(JSON_VALUE(__c__[__k__]) AS STRING)",
        double="FLOAT64",
        bigint="INT64",
        isnan="IS_NAN(__v__)",
        nanos="CAST(FLOOR(__v__ * 1e9 + 0.5) AS INT64)",
        nanos_int="CAST(__v__ AS INT64)",
        nanos_usd="CAST(__v__ AS FLOAT64) / 1e9",
    ),
    DialectSpec(
        "snowflake",
        ParamStyle.PYFORMAT,
        ts="CAST(__v__ AS TIMESTAMP_NTZ)",
        map_get="COALESCE(CAST(GET(__c__, __k__) AS VARCHAR), '')",
        map_has="NOT GET(__c__, __k__) IS NULL",
        score_get="CAST(GET(__c__, __k__) AS VARCHAR)",
        isnan="__v__ = CAST('NaN' AS DOUBLE)",  # NaN = NaN in Snowflake
    ),
    DialectSpec(
        "spark",
        ParamStyle.NAMED,
        like_escape=False,  # backslash is Spark's default LIKE escape
        ts_offset=True,
        day="TO_DATE(__v__)",
        map_get="COALESCE(try_element_at(__c__, __k__), '')",  # [] raises on a missing key under ANSI
        map_has="map_contains_key(__c__, __k__)",
        score_get="CAST(try_element_at(__c__, __k__) AS STRING)",
        isnan="isnan(__v__)",
    ),
    DialectSpec(
        "trino",
        ParamStyle.QMARK,
        ts="CAST(__v__ AS TIMESTAMP(3))",
        isnan="is_nan(__v__)",
    ),
    DialectSpec(
        "redshift",
        ParamStyle.PYFORMAT,
        ts_offset=True,
        ts="CAST(__v__ AS TIMESTAMPTZ)",
        map_get="COALESCE(JSON_EXTRACT_PATH_TEXT(__c__, __k__), '')",
        map_has="NOT JSON_EXTRACT_PATH_TEXT(__c__, __k__) IS NULL",
        score_get="JSON_EXTRACT_PATH_TEXT(__c__, __k__)",
        double="DOUBLE PRECISION",
        isnan="__v__ = CAST('NaN' AS DOUBLE PRECISION)",
        nanos_usd="CAST(__v__ AS DOUBLE PRECISION) / 1e9",
    ),
    DialectSpec(
        "tsql",
        ParamStyle.QMARK,
        bool_int=True,
        ts="CAST(__v__ AS DATETIME2(3))",
        map_get="COALESCE(JSON_VALUE(__c__, CONCAT('$.\"', STRING_ESCAPE(__k__, 'json'), '\"')), '')",
        map_has="JSON_PATH_EXISTS(__c__, CONCAT('$.\"', STRING_ESCAPE(__k__, 'json'), '\"')) = 1",
        score_get="JSON_VALUE(__c__, CONCAT('$.\"', STRING_ESCAPE(__k__, 'json'), '\"'))",
        double="FLOAT",
        # isnan: None, SQL Server floats cannot hold NaN
        nanos_usd="CAST(__v__ AS FLOAT) / 1e9",
        like_specials="[",  # [abc] is a character class in T-SQL LIKE
        notes="no ILIKE (LOWER/TRANSLATE both sides); TRANSLATE needs SQL Server 2017+; "
        "default collations are case-insensitive",
    ),
)

# Databricks SQL is Spark SQL for everything the compiler emits (listed right after spark)
DIALECTS: dict[str, DialectSpec] = {
    s.name: s for d in _TABLE for s in ((d, replace(d, name="databricks")) if d.name == "spark" else (d,))
}
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
