"""The package's public surface: names, version, entry points, the models' types and repr.

Checks what a user or a type checker sees, not how it is built.
"""

from __future__ import annotations

import ast
import enum
import importlib.metadata
import runpy
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import filterlang
from filterlang import (
    FilterLeaf,
    FilterTypeError,
    NumberOperators,
    RequestResponseFilter,
    TextOperators,
    from_json,
    parse,
    to_dsl,
    to_json,
)
from filterlang.fields import FIELDS, FIELDS_BY_TABLE, OPERATORS, Kind
from filterlang.nodes import OPS_MODELS, TABLE_MODELS, Condition, branch, conditions_to_leaf, iter_conditions, make_leaf

ROOT = Path(__file__).resolve().parent.parent


def test_generated_models_are_current() -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "gen_models.py"), run_name="gen_models")
    current = (ROOT / "filterlang" / "_models.py").read_text(encoding="utf-8")
    assert current == script["render"](), "filterlang/_models.py is stale: run python scripts/gen_models.py"


def test_models_follow_the_registry() -> None:
    for table, model in TABLE_MODELS.items():
        assert [(f.alias or n) for n, f in model.model_fields.items()] == list(FIELDS_BY_TABLE[table])
    for kind, model in OPS_MODELS.items():
        assert [(f.alias or n) for n, f in model.model_fields.items()] == list(OPERATORS[kind])


def test_type_checkers_see_optional_fields_as_optional() -> None:
    assert typing.get_type_hints(TextOperators)["not_equals"] == (str | None)
    assert typing.get_type_hints(NumberOperators)["gt"] == (int | float | None)
    assert typing.get_type_hints(FilterLeaf)["request_response_rmt"] == (RequestResponseFilter | None)
    assert typing.get_type_hints(RequestResponseFilter)["properties"] == (dict[str, TextOperators] | None)


# (model, JSON it validates, error expected) — absent is fine, null never
MODEL_DOOR: list[tuple[type[Any], dict[str, Any], bool]] = [
    (TextOperators, {"equals": "a"}, False),
    (TextOperators, {"not-equals": "a"}, False),
    (TextOperators, {"equals": None}, True),
    (TextOperators, {"equals": "a\x00"}, True),
    (TextOperators, {"equals": 1}, True),
    (TextOperators, {"nope": "a"}, True),
    (NumberOperators, {"gt": 1}, False),
    (NumberOperators, {"gt": True}, True),
    (NumberOperators, {"gt": float("nan")}, True),
    (NumberOperators, {"gt": 2**63}, True),
    (FilterLeaf, {"request_response_rmt": None}, True),
    (FilterLeaf, {"request_response_rmt": {"properties": None}}, True),
    (FilterLeaf, {"request_response_rmt": {"properties": {"k": {"like": "a%"}}}}, False),
]


@pytest.mark.parametrize(("model", "doc", "fails"), MODEL_DOOR)
def test_models_accept_absent_never_null(model: type[Any], doc: dict[str, Any], fails: bool) -> None:
    if fails:
        with pytest.raises(ValidationError):
            model.model_validate(doc)
    else:
        assert model.model_validate(doc).model_dump(exclude_unset=True, by_alias=True) == doc


class Code(enum.IntEnum):
    OK = 200


class Name(enum.StrEnum):
    GPT = "gpt-4o"


def test_models_and_builders_refuse_values_that_are_not_plain() -> None:
    np = pytest.importorskip("numpy")
    for value in (np.int64(5), Code.OK, np.float64(0.5)):
        with pytest.raises(ValidationError, match="plain"):
            NumberOperators.model_validate({"equals": value})
    with pytest.raises(ValidationError, match="plain"):
        TextOperators.model_validate({"equals": Name.GPT})
    leaf = make_leaf(Condition("status", "equals", 200))
    assert to_dsl(leaf) == "status = 200" and parse(to_dsl(leaf)) == leaf
    for cond in (
        Condition("status", "equals", Code.OK),
        Condition("model", "equals", Name.GPT),
        Condition("cost", "gt", np.float32(0.5)),
        Condition("cost", "gt", None),  # type: ignore[arg-type]
        Condition("properties", "equals", "x", Name.GPT),
    ):
        with pytest.raises(FilterTypeError):
            make_leaf(cond)
        with pytest.raises(FilterTypeError):
            conditions_to_leaf([cond])


# (DSL or JSON, repr) — what is set, nothing else
REPRS: list[tuple[Any, str]] = [
    ('model ~ "gpt%"', "FilterLeaf(request_response_rmt=RequestResponseFilter(model=TextOperators(like='gpt%')))"),
    ({}, "FilterLeaf()"),
    ({"request_response_rmt": {}}, "FilterLeaf(request_response_rmt=RequestResponseFilter())"),
    (
        'properties.env = "prod"',
        "FilterLeaf(request_response_rmt=RequestResponseFilter(properties={'env': TextOperators(equals='prod')}))",
    ),
    ("user_cost > 5", "FilterLeaf(users_view=UsersViewFilter(user_cost=NumberOperators(gt=5)))"),
    (
        "status = 1 or threat = true",
        "FilterBranch(left=FilterLeaf(request_response_rmt=RequestResponseFilter(status=NumberOperators(equals=1))), "
        "operator='or', right=FilterLeaf(request_response_rmt=RequestResponseFilter(threat=BooleanOperators(equals=True))))",
    ),
]


@pytest.mark.parametrize(("source", "expected"), REPRS)
def test_repr_shows_what_is_set(source: Any, expected: str) -> None:
    node = parse(source) if isinstance(source, str) else from_json(source)
    assert repr(node) == expected


def test_repr_of_a_100k_deep_tree_is_a_summary() -> None:
    leaf = parse("status = 1")
    node: Any = leaf
    for i in range(100_000):
        node = branch(node, "and" if i % 2 else "or", leaf)
    text = repr(node)
    assert text.startswith("FilterBranch(<200001 nodes, depth 100001>") and len(text) < 400
    assert node == node


def _lazy_names_declared_for_type_checkers() -> dict[str, str]:
    """name -> module of every import under ``if TYPE_CHECKING:`` in filterlang/__init__.py."""
    tree = ast.parse((ROOT / "filterlang" / "__init__.py").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module
                for alias in imp.names:
                    assert alias.asname == alias.name  # explicit re-export
                    out[alias.name] = "filterlang." + imp.module
    return out


def test_every_lazy_name_is_declared_for_type_checkers() -> None:
    lazy: dict[str, str] = vars(filterlang)["_LAZY"]
    assert _lazy_names_declared_for_type_checkers() == lazy
    assert set(lazy) <= set(filterlang.__all__)


def test_dir_lists_public_names_only() -> None:
    names = dir(filterlang)
    assert not [n for n in names if n.startswith("_") and n != "__version__"]
    assert not {"annotations", "importlib", "TYPE_CHECKING", "Any"} & set(names)
    assert set(filterlang.__all__) <= set(names)
    for name in names:
        getattr(filterlang, name)  # every listed name resolves


def test_version_has_one_source() -> None:
    assert filterlang.__version__ == importlib.metadata.version("filterlang")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and "filterlang.__version__" in pyproject


@pytest.mark.parametrize(
    "command", [["-m", "filterlang", "--version"], ["-c", "from filterlang.cli import main; main()", "--version"]]
)
def test_version_flag_and_python_dash_m(command: list[str]) -> None:
    done = subprocess.run([sys.executable, *command], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, f"filterlang {filterlang.__version__}")


def test_python_dash_m_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "filterlang", "parse", 'model = "a"'],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and '"model"' in done.stdout


def test_fields_facts_live_in_the_registry() -> None:
    assert {f.name for f in FIELDS.values() if f.double} == {
        "cost",
        "user_cost",
        "user_average_requests_per_day_active",
        "user_average_tokens_per_request",
    }
    assert all(f.kind is Kind.NUMBER for f in FIELDS.values() if f.double)
    assert FIELDS["user_average_tokens_per_request"].inputs == {"prompt_tokens", "completion_tokens"}
    assert {f.name for f in FIELDS_BY_TABLE["users_view"].values()} == {
        n for n, f in FIELDS.items() if f.table == "users_view"
    }


def test_json_round_trip_is_unchanged_by_the_generated_models() -> None:
    doc = {
        "left": {"request_response_rmt": {"model": {"like": "gpt%"}, "status": {"gte": 200, "lt": 300}}},
        "operator": "and",
        "right": {"users_view": {"user_cost": {"gt": 1.5}}, "request_response_rmt": {"properties": {"k": {}}}},
    }
    assert to_json(from_json(doc)) == doc
    assert to_json(FilterLeaf.model_validate(doc["left"])) == doc["left"]


def test_json_schema_has_no_null_and_no_extra_keys() -> None:
    schema = filterlang.json_schema()
    stack: list[Any] = [schema]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            assert v.get("type") != "null" and "null" not in (v.get("type") or [])
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    for name, definition in schema["$defs"].items():
        assert definition["additionalProperties"] is False, name


def test_conditions_know_their_kind() -> None:
    (c,) = iter_conditions(parse('properties.env = "x"'))
    assert (c.kind, c.table, c.decl.value_kind) == (Kind.MAP, "request_response_rmt", Kind.TEXT)
