"""The declarations registry: every table, field, kind and operator the API knows.

This table is the single source of truth (aip-go style): the pydantic models, the DSL
type checker, the printer, the SQL compiler and the evaluator all read it, so adding a
field upstream means adding one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum


class Kind(StrEnum):
    """Value kind of a field; decides its operator set and how values compare."""

    TEXT = "text"
    NUMBER = "number"
    TIMESTAMP = "timestamp"
    BOOLEAN = "boolean"
    MAP = "map"  # key -> text operators
    PROPERTY_KEY = "property_key"  # {"equals": KEY}: the properties map has KEY


USERS_VIEW = "users_view"
REQUESTS = "request_response_rmt"
TABLES: tuple[str, ...] = (REQUESTS, USERS_VIEW)

# Operator names exactly as they appear in the API's JSON.
EQUALS = "equals"
NOT_EQUALS = "not-equals"
LIKE = "like"
ILIKE = "ilike"
CONTAINS = "contains"
NOT_CONTAINS = "not-contains"
GT = "gt"
GTE = "gte"
LT = "lt"
LTE = "lte"

OPERATORS: dict[Kind, tuple[str, ...]] = {
    Kind.TEXT: (EQUALS, NOT_EQUALS, LIKE, ILIKE, CONTAINS, NOT_CONTAINS),
    Kind.MAP: (EQUALS, NOT_EQUALS, LIKE, ILIKE, CONTAINS, NOT_CONTAINS),
    Kind.NUMBER: (EQUALS, NOT_EQUALS, GT, GTE, LT, LTE),
    Kind.TIMESTAMP: (EQUALS, GT, GTE, LT, LTE),
    Kind.BOOLEAN: (EQUALS,),
    Kind.PROPERTY_KEY: (EQUALS,),
}

# Python attribute name of each operator on the pydantic operator models.
OP_ATTR: dict[str, str] = {op: op.replace("-", "_") for ops in OPERATORS.values() for op in ops}


@dataclass(frozen=True, slots=True)
class Field:
    """One filterable field: which table it lives in and what kind of value it holds.

    The derived attributes are computed once here, not as properties, because the DSL
    parser reads them for every comparison it lowers.
    """

    name: str
    table: str
    kind: Kind
    # Python attribute name on the table model (JSON names may contain '-').
    attr: str = dc_field(init=False, compare=False, repr=False)
    operators: tuple[str, ...] = dc_field(init=False, compare=False, repr=False)
    # Kind of the compared value: a map's values and property_key are text.
    value_kind: Kind = dc_field(init=False, compare=False, repr=False)
    # Number fields: True for doubles (DOUBLE_FIELDS), False for 64-bit integers.
    double: bool = dc_field(init=False, compare=False, repr=False)
    # users_view fields: the request columns the value is computed from (USER_FIELD_INPUTS).
    inputs: frozenset[str] = dc_field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attr", self.name.replace("-", "_"))
        object.__setattr__(self, "operators", OPERATORS[self.kind])
        object.__setattr__(self, "value_kind", Kind.TEXT if self.kind in (Kind.MAP, Kind.PROPERTY_KEY) else self.kind)
        object.__setattr__(self, "double", False)  # both filled from the tables below, once
        object.__setattr__(self, "inputs", frozenset())


def _decl(table: str, spec: str) -> list[Field]:
    out: list[Field] = []
    for line in spec.strip().splitlines():
        kind, names = line.split(":", 1)
        out.extend(Field(n.strip(), table, Kind(kind.strip())) for n in names.split(",") if n.strip())
    return out


# Order follows the OpenAPI document, so generated models and docs read like the contract.
_REQUEST_FIELDS = _decl(
    REQUESTS,
    """
    text: country_code
    number: latency, cost
    text: provider
    number: time_to_first_token, status
    timestamp: request_created_at, response_created_at
    text: model, user_id, organization_id, node_id, job_id
    boolean: threat
    text: request_id
    number: prompt_tokens, completion_tokens, prompt_cache_read_tokens, prompt_cache_write_tokens, total_tokens
    text: target_url
    property_key: property_key
    map: properties, search_properties, scores
    text: scores_column, request_body, response_body
    boolean: cache_enabled
    text: cache_reference_id
    boolean: cached
    text: assets
    boolean: helicone-score-feedback
    text: prompt_id, prompt_version, request_referrer
    boolean: is_passthrough_billing
    """,
)
_USER_FIELDS = _decl(
    USERS_VIEW,
    """
    text: user_user_id
    number: user_active_for
    timestamp: user_first_active, user_last_active
    number: user_total_requests, user_average_requests_per_day_active, user_average_tokens_per_request
    number: user_total_completion_tokens, user_total_prompt_tokens, user_cost
    """,
)

FIELDS_BY_TABLE: dict[str, dict[str, Field]] = {
    REQUESTS: {f.name: f for f in _REQUEST_FIELDS},
    USERS_VIEW: {f.name: f for f in _USER_FIELDS},
}
# Field names are unique across the two tables, so an unqualified name is unambiguous.
FIELDS: dict[str, Field] = {**FIELDS_BY_TABLE[REQUESTS], **FIELDS_BY_TABLE[USERS_VIEW]}
assert len(FIELDS) == len(_REQUEST_FIELDS) + len(_USER_FIELDS)

MAP_FIELDS: tuple[str, ...] = tuple(f.name for f in _REQUEST_FIELDS if f.kind is Kind.MAP)

# Number fields whose value is a double (USD cost, its per-user sum, the averages); every
# other number is a 64-bit integer, which a bound compares with exactly (semantics.md §3).
DOUBLE_FIELDS: frozenset[str] = frozenset(
    {"cost", "user_cost", "user_average_requests_per_day_active", "user_average_tokens_per_request"}
)
# The request fields users_view is computed from (semantics.md §3).
USERS_VIEW_INPUTS: tuple[str, ...] = ("user_id", "cost", "prompt_tokens", "completion_tokens", "request_created_at")

# users_view field -> the request columns its per-user value is computed from (semantics.md
# §3); a data source needs only these columns for the users_view fields a filter uses.
USER_FIELD_INPUTS: dict[str, frozenset[str]] = {
    "user_user_id": frozenset(),
    "user_total_requests": frozenset(),
    "user_cost": frozenset({"cost"}),
    "user_active_for": frozenset({"request_created_at"}),
    "user_first_active": frozenset({"request_created_at"}),
    "user_last_active": frozenset({"request_created_at"}),
    "user_average_requests_per_day_active": frozenset({"request_created_at"}),
    "user_average_tokens_per_request": frozenset({"prompt_tokens", "completion_tokens"}),
    "user_total_prompt_tokens": frozenset({"prompt_tokens"}),
    "user_total_completion_tokens": frozenset({"completion_tokens"}),
}
USER_FIELDS: tuple[str, ...] = tuple(f.name for f in _USER_FIELDS)
assert set(USER_FIELD_INPUTS) == set(USER_FIELDS), "every users_view field says what it is computed from"
assert set(USERS_VIEW_INPUTS) == {"user_id"}.union(*USER_FIELD_INPUTS.values())
assert {f.name for f in FIELDS.values() if f.kind is Kind.NUMBER} >= DOUBLE_FIELDS
for _f in FIELDS.values():  # the two facts above, on each declaration
    object.__setattr__(_f, "double", _f.name in DOUBLE_FIELDS)
    object.__setattr__(_f, "inputs", USER_FIELD_INPUTS.get(_f.name, frozenset()))
del _f

# Operators whose logical negation is another single operator of the same field.
# gt/gte/lt/lte negate to each other under SQL's three-valued logic because a NULL
# operand is unknown on both sides; equals on a timestamp has no not-equals in the API
# and is handled by the DSL lowering as ``lt or gt``.
NEGATION: dict[str, str] = {
    EQUALS: NOT_EQUALS,
    NOT_EQUALS: EQUALS,
    CONTAINS: NOT_CONTAINS,
    NOT_CONTAINS: CONTAINS,
    GT: LTE,
    LTE: GT,
    LT: GTE,
    GTE: LT,
}


def field(name: str) -> Field:
    """The declaration of ``name``; raises KeyError for unknown names (callers add context)."""
    return FIELDS[name]
