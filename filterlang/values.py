"""What a value in the AST may be, and the base class every AST model shares.

The API's schema has optional properties but no nullable ones: an operator that is not
used is *absent*, never ``null``. :data:`Absent` says exactly that to both audiences:
type checkers and editors see ``T | None`` (what reading an unset attribute gives),
while pydantic validates ``T`` alone, so ``{"equals": null}`` is refused and the JSON
Schema it generates is the contract's (no ``"type": "null"`` anywhere).

The value rules here are the AST's own invariants for models validated by pydantic (a
text holds no NUL, a number is a finite double or a signed 64-bit integer, a timestamp is
strict RFC 3339); the rules and their wording live in :mod:`filterlang.typecheck` and
:mod:`filterlang.timefmt`.
"""

from __future__ import annotations

import math
import numbers
import typing
from collections.abc import Iterator
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)
from pydantic_core import CoreSchema

from . import timefmt

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class NotNull:
    """Annotation marker: validate the non-None part of ``T | None`` only (see module doc)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        (inner,) = [a for a in typing.get_args(source) if a is not type(None)]
        return handler.generate_schema(inner)


T = TypeVar("T")
Absent = Annotated[T | None, NotNull()]
"""An optional property: may be absent (reads as None), never null."""


PLAIN_TYPES = frozenset({str, int, float, bool})


def plain_type_error(v: object) -> str | None:
    """Why ``v`` is not a plain ``str``/``int``/``float``/``bool``, or None.

    Subclasses (``IntEnum``, ``StrEnum``, numpy's ``float64``) pass ``isinstance`` checks
    but print, hash or bind differently downstream (an enum's ``repr`` is not DSL, a
    numpy scalar is not a key of a SQL type table), and pydantic's strict mode would
    quietly turn numpy's ``int64`` into a float. Every door into the AST (from_json, the
    models, the builders) refuses them, with the conversion to write instead.
    """
    if type(v) in PLAIN_TYPES:
        return None
    base = next((t.__name__ for t in (bool, int, float, str) if isinstance(v, t)), None)
    if base is None and isinstance(v, numbers.Integral):
        base = "int"
    elif base is None and isinstance(v, numbers.Real):
        base = "float"
    name = f"{type(v).__module__}.{type(v).__qualname__}"
    if base is None:
        return f"a filter value is a str, int, float or bool, not {name}"
    return f"a filter value must be a plain {base}, not {name}; convert it with {base}(...)"


def _require_plain(v: Any) -> Any:
    reason = plain_type_error(v)
    if reason is not None:
        raise ValueError(reason)
    return v


def _check_text(v: str) -> str:
    from .typecheck import text_error  # the one text rule (no NUL, valid Unicode); imported late: it imports us

    reason = text_error(v)
    if reason is not None:
        raise ValueError(reason)
    return v


def _check_number(v: int | float) -> int | float:
    if isinstance(v, int) and not INT64_MIN <= v <= INT64_MAX:
        raise ValueError("integer outside the signed 64-bit range")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("number must be finite")
    return v


def _check_timestamp(v: str) -> str:
    reason = timefmt.check(v)
    if reason is not None:
        raise ValueError(reason)
    return v


TextValue = Annotated[StrictStr, BeforeValidator(_require_plain), AfterValidator(_check_text)]
NumberValue = Annotated[
    StrictInt | StrictFloat,
    BeforeValidator(_require_plain),
    AfterValidator(_check_number),
    WithJsonSchema({"type": "number", "format": "double"}),
]
TimestampValue = Annotated[
    StrictStr,
    BeforeValidator(_require_plain),
    AfterValidator(_check_timestamp),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
BooleanValue = StrictBool


class Model(BaseModel):
    """Base of every AST model: frozen, JSON names only, unknown keys are errors.

    ``repr`` lists what is set (``TextOperators(like='gpt%')``), not every absent
    operator as ``=None``.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        serialize_by_alias=True,
        validate_by_alias=True,
        validate_by_name=False,
        hide_input_in_errors=False,
        defer_build=True,
    )

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in self.__dict__.items():
            if value is not None:
                yield name, value
