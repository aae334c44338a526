"""What a value in the AST may be, and the base class every AST model shares.

The API's schema has optional properties but no nullable ones: an operator that is not
used is *absent*, never ``null``. :data:`Absent` says exactly that to both audiences:
type checkers and editors see ``T | None`` (what reading an unset attribute gives),
while pydantic validates ``T`` alone, so ``{"equals": null}`` is refused and the JSON
Schema it generates is the contract's (no ``"type": "null"`` anywhere).

The value rules here are the AST's own invariants (a text holds no NUL, a number is a
finite double or a signed 64-bit integer, a timestamp is strict RFC 3339); the
wording users see for a rejected value comes from :mod:`filterlang.typecheck`.
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

NUL_MESSAGE = "text may not contain the NUL character U+0000 (PostgreSQL cannot store it, SQLite ends a string there)"


class NotNull:
    """Annotation marker: validate the non-None part of ``T | None`` only (see module doc)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        (inner,) = [a for a in typing.get_args(source) if a is not type(None)]
        return handler.generate_schema(inner)


T = TypeVar("T")
Absent = Annotated[T | None, NotNull()]
"""An optional property: may be absent (reads as None), never null."""


_PLAIN_TYPES = frozenset({str, int, float, bool})


def plain_value(v: Any) -> Any:
    """``v`` as the plain ``str``/``int``/``float``/``bool`` it stands for, else unchanged.

    Subclasses (``IntEnum``, ``StrEnum``, numpy's ``float64``) and other integral
    numbers (numpy's ``int64``) pass ``isinstance`` checks but print, hash or bind
    differently downstream (a numpy scalar is not a key of a SQL type table, an enum's
    ``repr`` is not DSL): the AST holds only the four plain types. Anything else is
    returned as it is, for the type check to refuse by name.
    """
    t = type(v)
    if t in _PLAIN_TYPES:
        return v
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, int):  # bool cannot be subclassed, so this is an int subclass
        return int.__int__(v)
    if isinstance(v, float):
        return float.__float__(v)
    if isinstance(v, numbers.Integral):  # numpy's integers (its bool_ is not Integral)
        return int(v)
    return v


def text_problem(s: str) -> str | None:
    """Why ``s`` cannot be a text value or map key of a filter (semantics.md §3), or None."""
    return NUL_MESSAGE if "\x00" in s else None


def _check_text(v: str) -> str:
    reason = text_problem(v)
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


TextValue = Annotated[StrictStr, AfterValidator(_check_text)]
NumberValue = Annotated[
    StrictInt | StrictFloat,
    BeforeValidator(plain_value),  # numpy's int64 stays an exact int, not a float
    AfterValidator(_check_number),
    WithJsonSchema({"type": "number", "format": "double"}),
]
TimestampValue = Annotated[
    StrictStr,
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
