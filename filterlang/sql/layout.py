"""The ``flat`` physical layout: one ``requests`` table, one column per request field.

One place for the column list and the per-engine DDL, so the test loaders, the sample
writer (overview) and the ``flat`` profile cannot drift apart.
"""

from __future__ import annotations

from sqlglot import exp

from ..fields import FIELDS_BY_TABLE, REQUESTS, Kind

FLAT_TABLE = "requests"

# name -> logical type: text | cost | int | bool | timestamp | map | score_map
FLAT_COLUMNS: dict[str, str] = {}
for _f in FIELDS_BY_TABLE[REQUESTS].values():
    if _f.kind is Kind.PROPERTY_KEY:
        continue  # derived from `properties`
    if _f.kind is Kind.MAP:
        FLAT_COLUMNS[_f.name] = "score_map" if _f.name == "scores" else "map"
    elif _f.kind is Kind.NUMBER:
        FLAT_COLUMNS[_f.name] = "cost" if _f.name == "cost" else "int"
    else:
        FLAT_COLUMNS[_f.name] = {Kind.TEXT: "text", Kind.BOOLEAN: "bool", Kind.TIMESTAMP: "timestamp"}[_f.kind]

# logical type -> physical type per engine (text/ints nullable everywhere except where noted)
PHYSICAL: dict[str, dict[str, str]] = {
    "duckdb": {
        "text": "VARCHAR",
        "cost": "DOUBLE",
        "int": "BIGINT",
        "bool": "BOOLEAN",
        "timestamp": "TIMESTAMP",  # naive, UTC
        "map": "MAP(VARCHAR, VARCHAR)",
        "score_map": "MAP(VARCHAR, BIGINT)",
    },
    "clickhouse": {
        "text": "Nullable(String)",
        "cost": "Nullable(Float64)",
        "int": "Nullable(Int64)",
        "bool": "Nullable(Bool)",
        "timestamp": "Nullable(DateTime64(3, 'UTC'))",
        "map": "Map(String, String)",  # Map cannot be Nullable: a NULL map is {}
        "score_map": "Map(String, Int64)",
    },
    "sqlite": {
        "text": "TEXT",
        "cost": "REAL",
        "int": "INTEGER",
        "bool": "INTEGER",  # 0/1
        "timestamp": "TEXT",  # 'YYYY-MM-DD HH:MM:SS.fff' UTC
        "map": "TEXT",  # JSON object text
        "score_map": "TEXT",
    },
    "postgres": {
        "text": "TEXT",
        "cost": "DOUBLE PRECISION",
        "int": "BIGINT",
        "bool": "BOOLEAN",
        "timestamp": "TIMESTAMPTZ",
        "map": "JSONB",
        "score_map": "JSONB",
    },
}


def flat_ddl(engine: str, table: str = FLAT_TABLE) -> str:
    """``CREATE TABLE`` for the flat layout on duckdb | clickhouse | sqlite | postgres (via sqlglot)."""
    types = PHYSICAL[engine]
    cols = [
        exp.ColumnDef(this=exp.to_identifier(n, quoted=True), kind=exp.DataType.build(types[t], dialect=engine))
        for n, t in FLAT_COLUMNS.items()
    ]
    props = [exp.EngineProperty(this=exp.var("Memory"))] if engine == "clickhouse" else []
    create = exp.Create(
        this=exp.Schema(this=exp.to_table(table), expressions=cols),
        kind="TABLE",
        properties=exp.Properties(expressions=props) if props else None,
    )
    return create.sql(dialect=engine)


__all__ = ["FLAT_COLUMNS", "FLAT_TABLE", "PHYSICAL", "flat_ddl"]
