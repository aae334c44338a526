"""SQL for every warehouse: the filter as a condition or a whole query, via sqlglot.

See docs/sql.md. Public API: :func:`where_sql`, :func:`to_sql`, :func:`to_sqlglot`,
:class:`SqlQuery`, :func:`list_dialects`, quoting (:func:`quote_identifier`, :func:`quote_string`), profiles (:func:`helicone_profile`,
:func:`profile_from_dict`, :func:`load_profile`) and :func:`chdb_params`.
"""

from __future__ import annotations

from .compiler import (
    SqlQuery,
    chdb_params,
    qmark_values,
    quote_identifier,
    quote_string,
    to_sql,
    to_sqlglot,
    users_sql,
    where_sql,
)
from .dialects import DIALECTS, list_dialects
from .layout import FLAT_COLUMNS, flat_ddl
from .profiles import FieldMap, Profile, helicone_profile, load_profile, profile_from_dict

__all__ = [
    "DIALECTS",
    "FLAT_COLUMNS",
    "FieldMap",
    "Profile",
    "SqlQuery",
    "chdb_params",
    "flat_ddl",
    "helicone_profile",
    "list_dialects",
    "load_profile",
    "profile_from_dict",
    "qmark_values",
    "quote_identifier",
    "quote_string",
    "to_sql",
    "to_sqlglot",
    "users_sql",
    "where_sql",
]
