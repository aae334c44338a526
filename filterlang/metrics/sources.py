"""Data inputs for the SQL engines: files (Parquet, CSV, JSONL) and in-memory frames.

Every input is presented to an engine as the ``flat`` layout (one column per
``request_response_rmt`` field, named like the field), because the filter compiler's
``flat`` profile is written against that layout. Parquet already is that layout (it is
what ``filterlang sample`` writes); text formats lose types on the way, so they are read
with the flat column types spelled out, and the maps (which CSV can only hold as JSON
object text) are converted back. Spelling the types out matters for correctness, not just
tidiness: left to inference, chDB reads a CSV's ``cost`` as a string and Parquet maps as
``Map(String, Nullable(String))``, whose missing keys are NULL instead of the ``''``
semantics.md §3 requires.

Only the columns that exist in the input are declared, so a narrow file (say ``user_id``
and ``cost`` only) works for filters that do not touch the missing fields; a filter that
does gets the engine's "unknown column" error, wrapped in a message naming the file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..sql.layout import FLAT_COLUMNS, PHYSICAL

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

SourceKind = Literal["parquet", "csv", "jsonl", "arrow"]

SUFFIXES: dict[str, SourceKind] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}

# The flat layout's logical column types and their physical spelling per engine live with
# the SQL compiler's ``flat`` profile, so the readers here cannot drift from what it expects.
FLAT_TYPES: dict[str, str] = FLAT_COLUMNS
MAP_TYPES = ("map", "score_map")


class SourceError(ValueError):
    """The data input cannot be read: missing file, unknown format, unsupported object."""


@dataclass
class Source:
    """One resolved input: a file of a known format, or an Arrow table held in memory."""

    kind: SourceKind
    path: Path | None = None
    table: pa.Table | None = None
    columns: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.path) if self.path is not None else "<in-memory table>"

    def size_hint(self) -> int:
        """Bytes (files) or rows (tables), for deciding whether to show progress."""
        if self.path is not None:
            return self.path.stat().st_size
        return self.table.num_rows if self.table is not None else 0


def resolve(source: Any, *, fmt: str | None = None) -> Source:
    """Turn a path, Arrow table, pandas or polars frame into a :class:`Source`."""
    if isinstance(source, Source):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        kind = SUFFIXES.get(path.suffix.lower()) if fmt is None else SUFFIXES.get("." + fmt)
        if kind is None or kind == "arrow":
            raise SourceError(
                f"cannot tell the format of {str(path)!r} from its suffix; "
                "use .parquet, .csv or .jsonl (or pass the format explicitly)"
            )
        if not path.is_file():
            raise SourceError(f"data file not found: {str(path)!r}")
        path = path.resolve()
        return Source(kind, path=path, columns=_file_columns(path, kind))
    table = _to_arrow(source)
    return Source("arrow", table=table, columns=list(table.column_names))


def _to_arrow(obj: Any) -> pa.Table:
    module = type(obj).__module__.split(".")[0]
    if module == "pyarrow":
        import pyarrow as pa

        if isinstance(obj, pa.Table):
            return obj
        if isinstance(obj, pa.RecordBatch):
            return pa.Table.from_batches([obj])
        if isinstance(obj, pa.RecordBatchReader):
            return obj.read_all()
    if module == "pandas":
        import pyarrow as pa

        return pa.Table.from_pandas(obj, preserve_index=False)
    if module == "polars":
        return obj.to_arrow()
    if module == "duckdb" and hasattr(obj, "to_arrow_table"):  # a DuckDBPyRelation
        return obj.to_arrow_table()
    raise SourceError(
        f"unsupported data source of type {type(obj).__name__}: pass a Parquet/CSV/JSONL path, "
        "a pyarrow Table, a pandas/polars DataFrame or a DuckDB relation (row dicts go to engine='reference')"
    )


def _file_columns(path: Path, kind: str) -> list[str]:
    """Column names of a file, read from its header only (never the whole file)."""
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        with path.open("r", encoding="utf-8", newline="") as fh:
            first = fh.readline()
        if kind == "csv":
            import csv

            return next(csv.reader([first]), [])
        row = json.loads(first) if first.strip() else {}
        if not isinstance(row, dict):
            raise SourceError(f"{str(path)!r}: a JSONL file needs one JSON object per line")
        return list(row)
    except SourceError:
        raise
    except Exception as exc:  # a corrupt or mislabelled file: say which and why
        raise SourceError(f"cannot read {str(path)!r} as {kind}: {exc}") from exc


def table_from_rows(rows: Iterable[Mapping[str, Any]], columns: Iterable[str] | None = None) -> pa.Table:
    """An Arrow table in the flat layout from row dicts (the reference evaluator's input).

    Used by tests and small in-memory data sets; timezone-aware datetimes become naive UTC
    ``timestamp[ms]``, dicts become maps.
    """
    import pyarrow as pa

    rows = list(rows)
    names = list(columns) if columns is not None else list(dict.fromkeys(k for r in rows for k in r))
    arrow_types: dict[str, pa.DataType] = {
        "text": pa.string(),
        "int": pa.int64(),
        "cost": pa.float64(),
        "timestamp": pa.timestamp("ms", tz="UTC"),
        "bool": pa.bool_(),
        "map": pa.map_(pa.string(), pa.string()),
        "score_map": pa.map_(pa.string(), pa.int64()),
    }
    arrays = []
    for name in names:
        logical = FLAT_TYPES.get(name, "text")
        values = [r.get(name) for r in rows]
        if logical in MAP_TYPES:
            values = [None if v is None else list(v.items()) for v in values]
        arr = pa.array(values, type=arrow_types[logical])
        if logical == "timestamp":
            arr = arr.cast(pa.timestamp("ms"))  # keep the UTC wall clock, drop the zone
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=names)


# ---------------------------------------------------------------- DuckDB


def quote_duckdb_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _q_duck_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def duckdb_relation(
    con: duckdb.DuckDBPyConnection, src: Source, name: str = "requests", *, temporary: bool = True
) -> None:
    """Create the view ``name`` over ``src`` in the flat layout (temporary: this connection only).

    A view (not a CTE) because DuckDB may materialise a CTE referenced twice (the users_view
    join reads the requests twice), which would copy every row; a view is always inlined, so
    projection and filter pushdown reach the Parquet reader. ``temporary=False`` makes it
    visible to the connection's cursors (a server's per-request connections); in-memory
    tables need the temporary kind (a registered Arrow table is per connection).
    """
    types = PHYSICAL["duckdb"]
    if src.kind == "arrow":
        assert src.table is not None
        con.register(f"{name}__arrow", src.table)
        inner = quote_duckdb_ident(f"{name}__arrow")
    elif src.kind == "parquet":
        inner = f"read_parquet({_q_duck_str(str(src.path))})"
    elif src.kind == "csv":
        decl = {
            c: types["text"] if FLAT_TYPES[c] in MAP_TYPES else types[FLAT_TYPES[c]]
            for c in src.columns
            if c in FLAT_TYPES
        }
        spec = ", ".join(f"{_q_duck_str(c)}: {_q_duck_str(t)}" for c, t in decl.items())
        inner = f"read_csv({_q_duck_str(str(src.path))}, header = true, allow_quoted_nulls = false, types = {{{spec}}})"
    else:  # jsonl
        decl = {c: types[FLAT_TYPES.get(c, "text")] for c in src.columns}
        spec = ", ".join(f"{_q_duck_str(c)}: {_q_duck_str(t)}" for c, t in decl.items())
        inner = f"read_json({_q_duck_str(str(src.path))}, format = 'newline_delimited', columns = {{{spec}}})"
    replace = []
    if src.kind == "csv":
        for c in src.columns:
            if FLAT_TYPES.get(c) in MAP_TYPES:
                q = quote_duckdb_ident(c)
                replace.append(f"CAST(CAST({q} AS JSON) AS {types[FLAT_TYPES[c]]}) AS {q}")
    star = f"* REPLACE ({', '.join(replace)})" if replace else "*"
    if not temporary and src.kind == "arrow":
        raise SourceError("an in-memory table can back only a temporary view; write it to a Parquet file first")
    kind = "TEMP VIEW" if temporary else "VIEW"
    con.execute(f"CREATE OR REPLACE {kind} {quote_duckdb_ident(name)} AS SELECT {star} FROM {inner}")


# ---------------------------------------------------------------- ClickHouse (chDB)


def _q_ch_str(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _q_ch_ident(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


CH_FORMATS: dict[str, str] = {"parquet": "Parquet", "csv": "CSVWithNames", "jsonl": "JSONEachRow"}


@contextmanager
def clickhouse_table(src: Source) -> Iterator[str]:
    """A ClickHouse table expression (``file(...)`` with the flat structure) for chDB.

    In-memory tables are spilled to a temporary Parquet file for the duration: chDB reads
    files natively and in parallel, and the file is removed afterwards.
    """
    if src.kind == "arrow":
        import pyarrow.parquet as pq

        assert src.table is not None
        fd, tmp = tempfile.mkstemp(suffix=".parquet", prefix="filterlang-")
        os.close(fd)
        try:
            pq.write_table(src.table, tmp)
            yield _file_expr(Source("parquet", path=Path(tmp), columns=src.columns))
        finally:
            os.unlink(tmp)
        return
    yield _file_expr(src)


def _file_expr(src: Source) -> str:
    types = PHYSICAL["clickhouse"]
    cols = []
    for c in src.columns:
        logical = FLAT_TYPES.get(c)
        if logical is None:
            continue  # columns the filter language does not know are not read
        t = types["text"] if (src.kind == "csv" and logical in MAP_TYPES) else types[logical]
        cols.append(f"{_q_ch_ident(c)} {t}")
    structure = _q_ch_str(", ".join(cols))
    expr = f"file({_q_ch_str(str(src.path))}, {CH_FORMATS[src.kind]}, {structure})"
    if src.kind == "csv":
        replace = [
            f"JSONExtract(ifNull({_q_ch_ident(c)}, '{{}}'), {_q_ch_str(types[FLAT_TYPES[c]])}) AS {_q_ch_ident(c)}"
            for c in src.columns
            if FLAT_TYPES.get(c) in MAP_TYPES
        ]
        if replace:
            expr = f"(SELECT * REPLACE ({', '.join(replace)}) FROM {expr})"
    return expr
