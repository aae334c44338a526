"""JSON in: bad bytes, bad keys, odd Python numbers, duplicate keys, coercion, size attacks.

Every case is one line of a table and checks public behaviour only: the error class,
its JSON path and a word of its message, or the value the AST ends up holding.
"""

from __future__ import annotations

import enum
import json
import time
from typing import Any

import pytest
from pydantic import ValidationError

from filterlang import (
    FilterError,
    FilterLimitError,
    FilterSchemaError,
    FilterTypeError,
    NumberOperators,
    from_json,
    to_json,
)
from filterlang.jsonio import Coercion, loads, read_json
from filterlang.metrics import overview, parse_request
from filterlang.nodes import Condition, conditions_to_leaf, iter_conditions, make_leaf

RR = "request_response_rmt"


def rr(field: str, ops: Any) -> dict[str, Any]:
    return {RR: {field: ops}}


class Status(enum.IntEnum):
    OK = 200


class Model(enum.StrEnum):
    GPT = "gpt-4o"


class Ratio(float):
    pass


# (input, error class, JSON path, a word of the message)
BAD_INPUT: list[tuple[Any, type[FilterError], str, str]] = [
    (b"\xff", FilterSchemaError, "$", "UTF-8"),
    (b'{"request_response_rmt": {"model": {"equals": "\xe9"}}}', FilterSchemaError, "$", "UTF-8"),
    (bytearray(b"\xc3\x28"), FilterSchemaError, "$", "UTF-8"),
    ({1: {}}, FilterSchemaError, "$[1]", "keys must be strings"),
    ({None: {}}, FilterSchemaError, "$[None]", "not null"),
    ({"left": "all", "operator": "and", "right": "all", 2: 3}, FilterSchemaError, "$[2]", "keys must be strings"),
    ({"left": "all", "operator": "and", "right": {(1, 2): 3}}, FilterSchemaError, "$.right[(1, 2)]", "tuple"),
    ({RR: {None: {}}}, FilterSchemaError, "$.request_response_rmt[None]", "keys must be strings"),
    (rr("model", {1.5: "a"}), FilterSchemaError, "$.request_response_rmt.model[1.5]", "keys must be strings"),
    (rr("properties", {7: {"equals": "a"}}), FilterSchemaError, "$.request_response_rmt.properties[7]", "strings"),
    (rr("properties", {"k": {True: "a"}}), FilterSchemaError, "$.request_response_rmt.properties.k[True]", "boolean"),
    (rr("model", {"equals": "a\x00b"}), FilterSchemaError, "$.request_response_rmt.model.equals", "NUL"),
    (rr("properties", {"k": {"like": "\x00"}}), FilterSchemaError, "$.request_response_rmt.properties.k.like", "NUL"),
    (
        rr("properties", {"a\x00": {"equals": "x"}}),
        FilterSchemaError,
        '$.request_response_rmt.properties["a\\u0000"]',
        "NUL",
    ),
    (rr("property_key", {"equals": "\x00"}), FilterSchemaError, "$.request_response_rmt.property_key.equals", "NUL"),
    (
        '{"request_response_rmt": {"model": {"equals": "a\\u0000"}}}',
        FilterSchemaError,
        "$.request_response_rmt.model.equals",
        "NUL",
    ),
    (
        '{"request_response_rmt": {"model": {"equals": "a", "equals": "b"}}}',
        FilterSchemaError,
        "$.request_response_rmt.model.equals",
        "duplicate",
    ),
    (
        '{"left": "all", "operator": "or", "right": {"users_view": {}, "users_view": {}}}',
        FilterSchemaError,
        "$.right.users_view",
        "duplicate",
    ),
    ('{"left": "all", "left": "all", "operator": "or", "right": "all"}', FilterSchemaError, "$.left", "duplicate"),
    (
        b'{"request_response_rmt": {"properties": {"k": {"like": "a", "like": "b"}}}}',
        FilterSchemaError,
        "$.request_response_rmt.properties.k.like",
        "duplicate",
    ),
]


@pytest.mark.parametrize(("value", "cls", "path", "word"), BAD_INPUT)
def test_bad_input_is_a_schema_error_with_its_path(value: Any, cls: type[FilterError], path: str, word: str) -> None:
    with pytest.raises(cls) as info:
        from_json(value)
    assert info.value.path == path
    assert word in info.value.message


def test_nul_is_a_type_error() -> None:
    assert issubclass(FilterSchemaError, FilterTypeError)


def _numpy() -> Any:
    return pytest.importorskip("numpy")


# (field, value given, plain value the AST must hold); None = refused with a type error
# (field, value given, a word of the message): every door refuses what is not a plain
# str/int/float/bool, saying what to convert it with; plain values pass.
NOT_PLAIN: list[tuple[str, Any, str]] = [
    ("status", Status.OK, "int("),
    ("model", Model.GPT, "str("),
    ("cost", Ratio(0.25), "float("),
    ("latency", lambda np: np.int64(1500), "int64"),
    ("latency", lambda np: np.uint16(7), "uint16"),
    ("cost", lambda np: np.float64(0.5), "float("),
    ("cost", lambda np: np.float32(0.5), "float32"),
    ("threat", lambda np: np.bool_(True), "bool"),
    ("status", True, "boolean"),  # bool is not a number
    ("threat", 1, "true or false"),  # nor a number a bool
]


@pytest.mark.parametrize(("field", "given", "word"), NOT_PLAIN)
def test_values_that_are_not_plain_are_refused_at_every_door(field: str, given: Any, word: str) -> None:
    value = given(_numpy()) if callable(given) else given
    op = "equals" if field in ("threat", "model") else "gte"
    with pytest.raises(FilterTypeError) as info:
        from_json(rr(field, {op: value}))
    assert info.value.path == f"$.request_response_rmt.{field}.{op}"
    assert word in info.value.message
    if type(value) in (bool, int):
        return  # plain, only of the wrong kind: the builders trust kinds (they skip validation)
    with pytest.raises(FilterTypeError):
        make_leaf(Condition(field, op, value))
    with pytest.raises(FilterTypeError):
        conditions_to_leaf([Condition(field, op, value)])
    model = {"status": NumberOperators, "latency": NumberOperators, "cost": NumberOperators}.get(field)
    if model is not None:
        with pytest.raises(ValidationError):
            model.model_validate({op: value})


# (field, string given, value after coercion); None = still refused
COERCE: list[tuple[str, str, Any]] = [
    ("status", "200", 200),
    ("status", "-3", -3),
    ("status", "+5", 5),
    ("latency", "1e3", 1000.0),
    ("cost", "0.25", 0.25),
    ("cost", ".5", 0.5),
    ("cost", "5.", 5.0),
    ("user_cost", "12", 12),
    ("threat", "true", True),
    ("cached", "false", False),
    ("cache_enabled", "TRUE", True),
    ("status", "9223372036854775808", None),  # beyond int64
    ("cost", "1e400", None),  # not finite
    ("status", " 200", None),
    ("status", "0x10", None),
    ("status", "nan", None),
    ("status", "", None),
    ("status", "١٢", None),  # Arabic-Indic digits: ASCII only
    ("threat", "yes", None),
    ("threat", "1", None),
    ("model", "200", "200"),  # text stays text
]


@pytest.mark.parametrize(("field", "given", "value"), COERCE)
def test_coerce_reads_numeric_and_boolean_strings(field: str, given: str, value: Any) -> None:
    op = "equals"
    table = "users_view" if field.startswith("user_") else RR
    doc = {table: {field: {op: given}}}
    if field != "model":
        with pytest.raises(FilterSchemaError):  # off by default
            from_json(doc)
    if value is None:
        with pytest.raises(FilterSchemaError) as info:
            from_json(doc, coerce=True)
        assert info.value.path == f"$.{table}.{field}.{op}"
        return
    node, coerced = read_json(doc, coerce=True)
    (cond,) = iter_conditions(node)
    assert type(cond.value) is type(value) and cond.value == value
    assert from_json(doc, coerce=True) == node
    if field == "model":
        assert coerced == ()
    else:
        assert coerced == (Coercion(f"$.{table}.{field}.{op}", given, value),)
        assert to_json(node) == {table: {field: {op: value}}}  # the AST holds the coerced value


def test_coerce_in_the_overview_request() -> None:
    body = {"filter": rr("status", {"equals": "200"}), "pSize": "p50", "useInterquartile": False}
    with pytest.raises(FilterSchemaError) as info:
        parse_request(body)
    assert info.value.path == "$.filter.request_response_rmt.status.equals"
    assert to_json(parse_request(body, coerce=True).node) == rr("status", {"equals": 200})
    rows = [{"user_id": "u", "status": 200, "cost": 1.0}, {"user_id": "v", "status": 500, "cost": 1.0}]
    assert overview(body, rows)["error"]
    result = overview(json.dumps(body), rows, coerce=True)
    assert result["error"] is None and result["data"]["request_count"][0]["value"] == 1


# Inputs within the default 1,000,000-character limit that once took seconds.
ADVERSARIAL = [
    '"' + '\\"' * 499_999,  # an unterminated string of escaped quotes
    '["' + '\\"' * 499_998 + '"]',
    '{"a": "' + '\\"' * 499_990 + '"}',
    '"\\' * 333_333,
    "[" * 999_999,
    "[]" * 499_999,
    '{"left": ' * 111_111,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: f"{t[:8]!r}x{len(t)}")
def test_one_megabyte_of_adversarial_json_is_answered_fast(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(FilterError) as info:
        from_json(text)
    assert time.perf_counter() - start < 0.5
    assert not isinstance(info.value, FilterLimitError) or info.value.limit == "max_depth"


# Any JSON body (a request that holds a filter) reads strictly through jsonio.loads.
LOAD_TEXT: list[tuple[str | bytes, str]] = [
    ('{"filter": "all", "pSize": "p50", "pSize": "p99", "useInterquartile": false}', "$.pSize"),
    (
        '{"filter": {"left": "all", "operator": "and", "right": {"users_view": {"user_cost": {"gt": 1, "gt": 2}}}}}',
        "$.filter.right.users_view.user_cost.gt",
    ),
    ('[{"a": 1}, {"b": 1, "b": 2}]', "$[1].b"),
    (b"\xfe\xff", "$"),
]


@pytest.mark.parametrize(("text", "path"), LOAD_TEXT)
def test_loads_names_the_path_of_a_duplicate(text: str | bytes, path: str) -> None:
    with pytest.raises(FilterSchemaError) as info:
        loads(text)
    assert info.value.path == path


def test_loads_reads_valid_json() -> None:
    assert loads(b'{"filter": "all", "pSize": "p50"}') == {"filter": "all", "pSize": "p50"}


class Table(enum.StrEnum):
    RR = "request_response_rmt"


def test_string_subclass_keys_become_plain_strings() -> None:
    doc = {"left": {Table.RR: {Model.GPT: {"equals": "x"}}}, Model.GPT: "and", "operator": Model.GPT, "right": "all"}
    with pytest.raises(FilterSchemaError):  # "gpt-4o" is neither a field nor a branch key
        from_json(doc)
    doc = {Table.RR: {"properties": {Model.GPT: {"equals": "gpt-4o"}}}}
    out = to_json(from_json(doc))
    assert out == {RR: {"properties": {"gpt-4o": {"equals": "gpt-4o"}}}}
    ((table, fields),) = out.items()
    ((key, _),) = fields["properties"].items()
    assert type(table) is str and type(key) is str
